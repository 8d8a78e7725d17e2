package engine

import (
	"sort"
	"strings"
)

// Clinical code systems: accepted spellings (URIs, OIDs, the aliases of
// LEAP-style rule files) mapped to one canonical URI, and how each system's
// codes are normalised before they are compared.
var systemAliases = map[string]string{}

type codeStyle uint8

const (
	styleExact codeStyle = iota // trim surrounding space only
	styleICD                    // also drop dots and upper-case: F19.1 = f191
	styleUpper                  // also upper-case (CPT, HCPCS)
)

var systemStyles = map[string]codeStyle{}

// rxnormSystem is RxNorm's canonical URI: the system whose displays
// ingredient entries are matched against. loincSystem is LOINC's, whose
// codes also name a questionnaire's questions (question).
const (
	rxnormSystem  = "http://www.nlm.nih.gov/research/umls/rxnorm"
	loincSystem   = "http://loinc.org"
	icd10cmSystem = "http://hl7.org/fhir/sid/icd-10-cm"
)

// systemTable lists each clinical code system: its canonical URI, how its
// codes are normalised (exact, icd or upper), then its other spellings.
// Read once at start: one table costs the module less code than a call
// per system.
const systemTable = `
# SCT and LN, C4 below: HL7 v2's names (table 0396). http://snomed.info/id
# is where a concept's page is, written for the system by some.
http://snomed.info/sct exact urn:oid:2.16.840.1.113883.6.96 SNOMED $SNOMED SNOMEDCT SCT http://snomed.info/id
http://loinc.org exact urn:oid:2.16.840.1.113883.6.1 LOINC $LOINC LN
http://www.nlm.nih.gov/research/umls/rxnorm exact urn:oid:2.16.840.1.113883.6.88 RXNORM $RXNORM RxNorm
http://hl7.org/fhir/sid/icd-10-cm icd urn:oid:2.16.840.1.113883.6.90 ICD10CM ICD-10-CM $ICD10CM
http://hl7.org/fhir/sid/icd-10 icd urn:oid:2.16.840.1.113883.6.3 ICD10 ICD-10 $ICD10 http://www.who.int/classifications/icd10
# ICD-9-CM diagnoses (OID .6.103); .6.2 is ICD-9-CM as a whole.
http://hl7.org/fhir/sid/icd-9-cm icd urn:oid:2.16.840.1.113883.6.103 urn:oid:2.16.840.1.113883.6.2 ICD9CM ICD-9-CM $ICD9CM
# ICD-10-PCS: http://www.cms.gov/Medicare/Coding/ICD10 is THO's URI (and
# Blue Button's and CARIN's), icd10PCS THO's other one.
http://www.cms.gov/Medicare/Coding/ICD10PCS icd urn:oid:2.16.840.1.113883.6.4 ICD10PCS ICD-10-PCS http://www.cms.gov/Medicare/Coding/ICD10 http://terminology.hl7.org/CodeSystem/icd10PCS
# ICD-9-CM procedures (volume 3): Blue Button's and CARIN's URI, and the
# OID of THO's ICD-9-CM procedure codes (.6.104).
http://www.cms.gov/Medicare/Coding/ICD9 icd urn:oid:2.16.840.1.113883.6.104 ICD9PCS ICD-9-PCS
http://www.ama-assn.org/go/cpt upper urn:oid:2.16.840.1.113883.6.12 CPT $CPT C4 CPT4 https://www.ama-assn.org/go/cpt
# HCPCS Level II: THO's URI (https since THO UP-472; CARIN has http), its
# OID .6.285; the retired HCFA Procedure Codes of THO (OID .6.14, which
# also held CPT as Level I) under their URIs of THO 1.0.0 and later; Blue
# Button's code system (CMS BFD, since 2018) and the one it replaced.
https://www.cms.gov/Medicare/Coding/HCPCSReleaseCodeSets upper urn:oid:2.16.840.1.113883.6.285 HCPCS http://www.cms.gov/Medicare/Coding/HCPCSReleaseCodeSets urn:oid:2.16.840.1.113883.6.14 http://terminology.hl7.org/CodeSystem/HCPCS http://terminology.hl7.org/CodeSystem/HCPCS-all-codes https://bluebutton.cms.gov/resources/codesystem/hcpcs https://www.cms.gov/Medicare/Coding/MedHCPCSGenInfo/index.html
http://hl7.org/fhir/sid/cvx exact urn:oid:2.16.840.1.113883.12.292 CVX
# FHIR R4's gender identity codes (the patient-genderIdentity extension).
http://hl7.org/fhir/gender-identity exact
# NDC, and the URI Blue Button used before it (CMS BFD changelog).
http://hl7.org/fhir/sid/ndc exact urn:oid:2.16.840.1.113883.6.69 NDC https://www.accessdata.fda.gov/scripts/cder/ndc
# MS-DRG, and Blue Button's claim DRG variable (ExplanationOfBenefit
# diagnosis.packageCode and supportingInfo; its documentation writes it
# with a final slash).
https://www.cms.gov/Medicare/Medicare-Fee-for-Service-Payment/AcuteInpatientPPS/MS-DRG-Classifications-and-Software exact MS-DRG MSDRG https://bluebutton.cms.gov/resources/variables/clm_drg_cd https://bluebutton.cms.gov/resources/variables/clm_drg_cd/
# FHIR R4's service types (the example binding of Encounter, Appointment
# and HealthcareService serviceType): some name the care itself.
http://terminology.hl7.org/CodeSystem/service-type exact
# FHIR R4's discharge dispositions and admit sources (Encounter
# hospitalization): a psychiatric hospital the patient came from or went to.
http://terminology.hl7.org/CodeSystem/discharge-disposition exact
http://terminology.hl7.org/CodeSystem/admit-source exact
# The NUCC Health Care Provider Taxonomy (OID .6.101): a provider's or a
# facility's specialty (a PractitionerRole's, an Organization's type).
http://nucc.org/provider-taxonomy upper urn:oid:2.16.840.1.113883.6.101 NUCC
# NUBC revenue codes (UB-04 form locator 42, OID .6.301.3): the cost
# centre of an institutional claim's line (CARIN's URI, Blue Button's
# revenue center variable): a psychiatric room, a detoxification room.
https://www.nubc.org/CodeSystem/RevenueCodes exact urn:oid:2.16.840.1.113883.6.301.3 http://www.nubc.org/CodeSystem/RevenueCodes https://bluebutton.cms.gov/resources/variables/rev_cntr
# v3-RoleCode: its service delivery locations (a DocumentReference's
# facilityType) name where care is given.
http://terminology.hl7.org/CodeSystem/v3-RoleCode exact urn:oid:2.16.840.1.113883.5.111 http://hl7.org/fhir/v3/RoleCode
http://terminology.hl7.org/CodeSystem/v3-ActCode exact $ACT-CODE $ACTCODE http://hl7.org/fhir/v3/ActCode urn:oid:2.16.840.1.113883.5.4
`

func init() {
	for _, line := range strings.Split(systemTable, "\n") {
		f := strings.Fields(line)
		if len(f) < 2 || f[0][0] == '#' {
			continue
		}
		canonical := f[0]
		switch f[1] {
		case "exact":
			systemStyles[canonical] = styleExact
		case "icd":
			systemStyles[canonical] = styleICD
		case "upper":
			systemStyles[canonical] = styleUpper
		default:
			panic("systemTable: unknown code style " + f[1])
		}
		for _, a := range append(f[2:], canonical) {
			systemAliases[a] = canonical
		}
	}
}

// normSystem returns the canonical URI of a clinical code system spelling.
func normSystem(system string) string {
	if c, ok := systemAliases[system]; ok {
		return c
	}
	t := strings.TrimSpace(system)
	if c, ok := systemAliases[t]; ok {
		return c
	}
	// Upper-cased in a stack buffer: the map lookup of string(b) does not
	// allocate, and most systems seen are in no alias list.
	var buf [96]byte
	if len(t) <= len(buf) {
		b := buf[:len(t)]
		for i := 0; i < len(t); i++ {
			c := t[i]
			if c >= 'a' && c <= 'z' {
				c -= 'a' - 'A'
			}
			b[i] = c
		}
		if c, ok := systemAliases[string(b)]; ok {
			return c
		}
		if c, ok := systemVariant(t, buf[:0]); ok {
			return c
		}
	} else if c, ok := systemAliases[strings.ToUpper(t)]; ok {
		return c
	}
	return t
}

// systemVariant reads the spellings of a known system that senders write
// by mistake: a final slash ("http://hl7.org/fhir/sid/icd-10-cm/"), https
// for http ("https://loinc.org"), a name with spaces or hyphens ("SNOMED
// CT", "SNOMED-CT"), and a SNOMED CT edition or version URI in place of
// the system ("http://snomed.info/sct/731000124108", which belongs in
// Coding.version). buf is scratch space the caller lends.
func systemVariant(t string, buf []byte) (string, bool) {
	if n := len(t); n > 1 && t[n-1] == '/' {
		if c := normSystem(t[:n-1]); systemAliases[c] == c {
			return c, true
		}
	}
	if strings.ContainsAny(t, " -") && !strings.Contains(t, ":") {
		b := buf[:0]
		for i := 0; i < len(t); i++ {
			if c := t[i]; c >= 'a' && c <= 'z' {
				b = append(b, c-'a'+'A')
			} else if c != ' ' && c != '-' {
				b = append(b, c)
			}
		}
		if c, ok := systemAliases[string(b)]; ok {
			return c, true
		}
	}
	if len(t) > len("https://") && strings.EqualFold(t[:len("https://")], "https://") {
		b := append(append(buf[:0], "http://"...), t[len("https://"):]...)
		if c, ok := systemAliases[string(b)]; ok {
			return c, true
		}
	}
	for _, sct := range [...]string{"http://snomed.info/sct/", "https://snomed.info/sct/"} {
		if len(t) > len(sct) && strings.EqualFold(t[:len(sct)], sct) && t[len(sct)] >= '0' && t[len(sct)] <= '9' {
			return "http://snomed.info/sct", true
		}
	}
	return "", false
}

// normCode normalises a code the way its (canonical) system compares codes.
// It does not allocate when the code is already in normal form.
func normCode(system, code string) string {
	return normCodeStyle(systemStyles[system], code)
}

func normCodeStyle(style codeStyle, code string) string {
	if len(code) > 0 && (code[0] == ' ' || code[len(code)-1] == ' ' || code[0] == '\t' || code[len(code)-1] == '\t') {
		code = strings.TrimSpace(code)
	}
	switch style {
	case styleICD:
		if strings.IndexByte(code, '.') >= 0 {
			code = without(code, '.')
		}
		return upper(code)
	case styleUpper:
		return upper(code)
	}
	return code
}

func upper(s string) string {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c >= 'a' && c <= 'z' {
			return strings.ToUpper(s)
		}
	}
	return s
}

// knownSystem returns the canonical URI of a spelling normSystem accepts,
// and whether it is one.
func knownSystem(system string) (string, bool) {
	if c, ok := systemAliases[system]; ok {
		return c, true
	}
	t := strings.TrimSpace(system)
	if c, ok := systemAliases[t]; ok {
		return c, true
	}
	c, ok := systemAliases[strings.ToUpper(t)]
	return c, ok
}

// isAbsoluteURI reports whether s is an absolute URI as RFC 3986 starts
// one: a scheme (a letter, then letters, digits, "+", "-" or "."), ":" and
// more, without white space.
func isAbsoluteURI(s string) bool {
	colon := strings.IndexByte(s, ':')
	if colon < 1 || colon == len(s)-1 || strings.ContainsAny(s, " \t\r\n") {
		return false
	}
	for i := 0; i < colon; i++ {
		c := s[i]
		letter := c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
		if !letter && (i == 0 || !(c >= '0' && c <= '9' || c == '+' || c == '-' || c == '.')) {
			return false
		}
	}
	return true
}

// nearSystem returns the canonical URI of the known system an unknown
// spelling was most likely meant to be, or "": the same URI but for case,
// http or https, "www." or a final "/" (also when the scheme is left out);
// a bare OID; an alias but for case and punctuation (SNOMED-CT, icd-10 cm)
// or a letter or two (LIONC, SNOMD). Only for messages: it is slow.
func nearSystem(s string) string {
	aliases := make([]string, 0, len(systemAliases))
	for a := range systemAliases {
		aliases = append(aliases, a)
	}
	sort.Stable(sort.StringSlice(aliases))
	u := uriFold(s)
	for _, a := range aliases {
		if isAbsoluteURI(a) && uriFold(a) == u {
			return systemAliases[a]
		}
	}
	if isAbsoluteURI(s) {
		return "" // any other absolute URI may be a system of its own
	}
	if c, ok := systemAliases["urn:oid:"+s]; ok {
		return c
	}
	f := alnumFold(s)
	best, bestDist := "", 3
	if len(f) <= 4 {
		bestDist = 2
	}
	for _, a := range aliases {
		if isAbsoluteURI(a) {
			continue
		}
		if d := editDistance(f, alnumFold(a)); d < bestDist {
			best, bestDist = systemAliases[a], d
		}
	}
	return best
}

// uriFold is a URI lower-cased, without http:// or https://, "www." and a
// final "/".
func uriFold(s string) string {
	s = strings.ToLower(s)
	for _, p := range []string{"http://", "https://", "www."} {
		s = strings.TrimPrefix(s, p)
	}
	return strings.TrimSuffix(s, "/")
}

// alnumFold keeps the letters and digits of s, upper-cased.
func alnumFold(s string) string {
	var b strings.Builder
	for _, c := range strings.ToUpper(s) {
		if c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' {
			b.WriteRune(c)
		}
	}
	return b.String()
}

// editDistance is the Levenshtein distance between a and b, in bytes.
func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
