package engine

// knowledgeTypes are the R4 resource types that describe knowledge or an
// organisation's directory, never a person: terminology and conformance
// resources, definitions, evidence, medicinal product regulation, and the
// directory of organisations, practitioners and services. A ValueSet that
// lists HIV codes or a HealthcareService offering psychiatry reveals nothing
// about anyone, so a rule labels them only when it names their type.
var knowledgeTypes = map[string]bool{
	"CapabilityStatement": true, "StructureDefinition": true, "ImplementationGuide": true, "SearchParameter": true,
	"MessageDefinition": true, "OperationDefinition": true, "CompartmentDefinition": true, "StructureMap": true,
	"GraphDefinition": true, "ExampleScenario": true,
	"CodeSystem": true, "ValueSet": true, "ConceptMap": true, "NamingSystem": true, "TerminologyCapabilities": true,
	"ActivityDefinition": true, "PlanDefinition": true, "Questionnaire": true, "ObservationDefinition": true,
	"SpecimenDefinition": true, "DeviceDefinition": true, "EventDefinition": true, "ChargeItemDefinition": true,
	"Library": true, "Measure": true, "ResearchDefinition": true, "ResearchElementDefinition": true,
	"Evidence": true, "EvidenceVariable": true, "EffectEvidenceSynthesis": true, "RiskEvidenceSynthesis": true,
	"MedicationKnowledge": true, "MedicinalProduct": true, "MedicinalProductAuthorization": true,
	"MedicinalProductContraindication": true, "MedicinalProductIndication": true, "MedicinalProductIngredient": true,
	"MedicinalProductInteraction": true, "MedicinalProductManufactured": true, "MedicinalProductPackaged": true,
	"MedicinalProductPharmaceutical": true, "MedicinalProductUndesirableEffect": true, "SubstanceNucleicAcid": true,
	"SubstancePolymer": true, "SubstanceProtein": true, "SubstanceReferenceInformation": true,
	"SubstanceSourceMaterial": true, "SubstanceSpecification": true,
	"HealthcareService": true, "Organization": true, "OrganizationAffiliation": true, "Location": true,
	"Endpoint": true, "InsurancePlan": true, "Practitioner": true, "PractitionerRole": true,
	"TestScript": true, "TestReport": true, "Subscription": true, "CatalogEntry": true,
}
