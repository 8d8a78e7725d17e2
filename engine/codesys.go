package engine

import (
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

func init() {
	add := func(canonical string, style codeStyle, aliases ...string) {
		systemAliases[canonical] = canonical
		for _, a := range aliases {
			systemAliases[a] = canonical
		}
		systemStyles[canonical] = style
	}
	add("http://snomed.info/sct", styleExact, "urn:oid:2.16.840.1.113883.6.96", "SNOMED", "$SNOMED", "SNOMEDCT", "SCT", "http://snomed.info/sct/")
	add("http://loinc.org", styleExact, "urn:oid:2.16.840.1.113883.6.1", "LOINC", "$LOINC", "http://loinc.org/")
	add("http://www.nlm.nih.gov/research/umls/rxnorm", styleExact, "urn:oid:2.16.840.1.113883.6.88", "RXNORM", "$RXNORM", "RxNorm")
	add("http://hl7.org/fhir/sid/icd-10-cm", styleICD, "urn:oid:2.16.840.1.113883.6.90", "ICD10CM", "ICD-10-CM", "$ICD10CM")
	add("http://hl7.org/fhir/sid/icd-10", styleICD, "urn:oid:2.16.840.1.113883.6.3", "ICD10", "ICD-10", "$ICD10", "http://www.who.int/classifications/icd10")
	// ICD-9-CM diagnoses (OID .6.103); .6.2 is ICD-9-CM as a whole.
	add("http://hl7.org/fhir/sid/icd-9-cm", styleICD, "urn:oid:2.16.840.1.113883.6.103", "urn:oid:2.16.840.1.113883.6.2", "ICD9CM", "ICD-9-CM", "$ICD9CM")
	// ICD-10-PCS: http://www.cms.gov/Medicare/Coding/ICD10 is THO's URI (and
	// Blue Button's and CARIN's), icd10PCS THO's other one.
	add("http://www.cms.gov/Medicare/Coding/ICD10PCS", styleICD, "urn:oid:2.16.840.1.113883.6.4", "ICD10PCS", "ICD-10-PCS", "http://www.cms.gov/Medicare/Coding/ICD10",
		"http://terminology.hl7.org/CodeSystem/icd10PCS")
	// ICD-9-CM procedures (volume 3): Blue Button's and CARIN's URI, and the
	// OID of THO's ICD-9-CM procedure codes (.6.104).
	add("http://www.cms.gov/Medicare/Coding/ICD9", styleICD, "urn:oid:2.16.840.1.113883.6.104", "ICD9PCS", "ICD-9-PCS")
	add("http://www.ama-assn.org/go/cpt", styleUpper, "urn:oid:2.16.840.1.113883.6.12", "CPT", "$CPT", "https://www.ama-assn.org/go/cpt")
	// HCPCS Level II: THO's URI (https since THO UP-472; CARIN has http), its
	// OID .6.285; the retired HCFA Procedure Codes of THO (OID .6.14, which
	// also held CPT as Level I) under their URIs of THO 1.0.0 and later; Blue
	// Button's code system (CMS BFD, since 2018) and the one it replaced.
	add("https://www.cms.gov/Medicare/Coding/HCPCSReleaseCodeSets", styleUpper, "urn:oid:2.16.840.1.113883.6.285", "HCPCS", "http://www.cms.gov/Medicare/Coding/HCPCSReleaseCodeSets",
		"urn:oid:2.16.840.1.113883.6.14", "http://terminology.hl7.org/CodeSystem/HCPCS", "http://terminology.hl7.org/CodeSystem/HCPCS-all-codes",
		"https://bluebutton.cms.gov/resources/codesystem/hcpcs", "https://www.cms.gov/Medicare/Coding/MedHCPCSGenInfo/index.html")
	add("http://hl7.org/fhir/sid/cvx", styleExact, "urn:oid:2.16.840.1.113883.12.292", "CVX")
	// NDC, and the URI Blue Button used before it (CMS BFD changelog).
	add("http://hl7.org/fhir/sid/ndc", styleExact, "urn:oid:2.16.840.1.113883.6.69", "NDC", "https://www.accessdata.fda.gov/scripts/cder/ndc")
	// MS-DRG, and Blue Button's claim DRG variable (ExplanationOfBenefit
	// diagnosis.packageCode and supportingInfo; its documentation writes it
	// with a final slash).
	add("https://www.cms.gov/Medicare/Medicare-Fee-for-Service-Payment/AcuteInpatientPPS/MS-DRG-Classifications-and-Software", styleExact, "MS-DRG", "MSDRG",
		"https://bluebutton.cms.gov/resources/variables/clm_drg_cd", "https://bluebutton.cms.gov/resources/variables/clm_drg_cd/")
	add("http://terminology.hl7.org/CodeSystem/v3-ActCode", styleExact, "$ACT-CODE", "$ACTCODE", "http://hl7.org/fhir/v3/ActCode", "urn:oid:2.16.840.1.113883.5.4")
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
	} else if c, ok := systemAliases[strings.ToUpper(t)]; ok {
		return c
	}
	return t
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
			code = strings.ReplaceAll(code, ".", "")
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
