package engine

import "strings"

// knowledgeTypes are the R4 resource types that describe knowledge or an
// organisation's directory, never a person: terminology and conformance
// resources, definitions, evidence, medicinal product regulation, and the
// directory of organisations, practitioners and services, with the
// schedules and slots that offer a service's time. A ValueSet that lists
// HIV codes or a Schedule of genetic counselling reveals nothing about
// anyone, so a rule labels them only when it names their type (the
// Appointment that books a slot names its patient, and is labeled).
var knowledgeTypes = wordSet(`
CapabilityStatement StructureDefinition ImplementationGuide SearchParameter
MessageDefinition OperationDefinition CompartmentDefinition StructureMap
GraphDefinition ExampleScenario CodeSystem ValueSet ConceptMap NamingSystem
TerminologyCapabilities ActivityDefinition PlanDefinition Questionnaire
ObservationDefinition SpecimenDefinition DeviceDefinition EventDefinition
ChargeItemDefinition Library Measure ResearchDefinition
ResearchElementDefinition Evidence EvidenceVariable EffectEvidenceSynthesis
RiskEvidenceSynthesis MedicationKnowledge MedicinalProduct
MedicinalProductAuthorization MedicinalProductContraindication
MedicinalProductIndication MedicinalProductIngredient
MedicinalProductInteraction MedicinalProductManufactured
MedicinalProductPackaged MedicinalProductPharmaceutical
MedicinalProductUndesirableEffect SubstanceNucleicAcid SubstancePolymer
SubstanceProtein SubstanceReferenceInformation SubstanceSourceMaterial
SubstanceSpecification HealthcareService Organization
OrganizationAffiliation Location Endpoint InsurancePlan Practitioner
PractitionerRole Schedule Slot TestScript TestReport Subscription
CatalogEntry`)

// directoryTypes are the knowledgeTypes of the directory of care: where
// and by whom care is given. One contained in a record about a person is
// that record's place or practitioner, and says what the care was, as the
// Location contained in an Encounter at an addiction treatment center does.
var directoryTypes = wordSet(`HealthcareService Organization
OrganizationAffiliation Location Practitioner PractitionerRole`)

// wordSet is the set of the words of s (separated by white space): a map
// literal costs the module code for every entry, a string only its bytes
// (and a call, not inlined: a copy at each of the many package variables
// set with it would cost more than the table).
//
//go:noinline
func wordSet(s string) map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.Fields(s) {
		m[w] = true
	}
	return m
}

// wordPairs maps the part before "=" of each word of s to the part after.
func wordPairs(s string) map[string]string {
	m := map[string]string{}
	for _, w := range strings.Fields(s) {
		k, v, _ := strings.Cut(w, "=")
		m[k] = v
	}
	return m
}

// wordLists maps the first word of each line of s to the words after it.
func wordLists(s string) map[string][]string {
	m := map[string][]string{}
	for _, line := range strings.Split(s, "\n") {
		if w := strings.Fields(line); len(w) > 0 {
			m[w[0]] = w[1:]
		}
	}
	return m
}

// among reports whether name is one of the words of list, each followed by
// a space: for short lists off the hottest paths, where a string switch,
// inlined at every call, would cost the module many times the bytes.
//
//go:noinline
func among(name, list string) bool {
	return amongBy(name, list, false)
}

// amongFold is among in any case.
func amongFold(name, list string) bool {
	return amongBy(name, list, true)
}

func amongBy(name, list string, fold bool) bool {
	for len(list) > 0 {
		i := strings.IndexByte(list, ' ')
		if w := list[:i]; w == name || fold && strings.EqualFold(w, name) {
			return true
		}
		list = list[i+1:]
	}
	return false
}
