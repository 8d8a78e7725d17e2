package engine

import (
	"strings"

	"github.com/seclabel/seclabel/internal/checkdigit"
)

// codeResolves reports whether the packs can judge a coding by its code:
// the code is well formed for a clinical code system the engine knows (the
// packs list what is sensitive, so a code of such a system they do not
// list is not), or the system is an HL7 terminology (categories, statuses:
// structure, not content). A code malformed for its system, such as the
// padded ids some exports invent, or a code of a system the engine does
// not know, a local one, tells the packs nothing: with textMatch auto its
// display is read instead. So does a null flavor or a data absent reason
// ("OTH", "other", "UNK"): it says the concept has no code, and the text
// beside it ("Non-binary") is what was recorded. sys is canonical
// (normSystem).
func codeResolves(sys, code string) bool {
	if strings.HasSuffix(sys, "NullFlavor") || strings.HasSuffix(sys, "data-absent-reason") || sys == "urn:oid:2.16.840.1.113883.5.1008" {
		return false // any spelling: v3-NullFlavor, the legacy v3/NullFlavor, its OID
	}
	switch sys {
	case "http://snomed.info/sct":
		return len(code) >= 6 && len(code) <= 18 && checkdigit.Verhoeff(code)
	case "http://loinc.org":
		return checkdigit.LOINC(code, 7)
	case rxnormSystem, "http://hl7.org/fhir/sid/cvx":
		return len(code) >= 1 && len(code) <= 8 && digits(code)
	case "http://hl7.org/fhir/sid/icd-10-cm", "http://hl7.org/fhir/sid/icd-10":
		c := withoutFirstDot(code)
		return len(c) >= 3 && len(c) <= 7 && upperLetter(c[0]) && alnum(c[1:])
	case "http://hl7.org/fhir/sid/icd-9-cm", "http://www.cms.gov/Medicare/Coding/ICD9":
		c := withoutFirstDot(code)
		return len(c) >= 2 && len(c) <= 5 && (digits(c) || (c[0] == 'V' || c[0] == 'E') && digits(c[1:]))
	case "http://www.cms.gov/Medicare/Coding/ICD10PCS":
		return len(code) == 7 && alnum(code)
	case "http://www.ama-assn.org/go/cpt", "https://www.cms.gov/Medicare/Coding/HCPCSReleaseCodeSets":
		return len(code) == 5 && alnum(code)
	case "http://hl7.org/fhir/sid/ndc":
		c := without(code, '-')
		return len(c) >= 10 && len(code) <= 13 && digits(c)
	}
	return strings.HasPrefix(sys, "http://terminology.hl7.org/") || strings.HasPrefix(sys, "http://hl7.org/fhir/") ||
		sys == "http://unitsofmeasure.org" || sys == "urn:ietf:bcp:47"
}

// loincQuestion returns the LOINC code that a questionnaire item's linkId
// or definition ends with, after its last "/" or "#", or "" when it ends
// with none: the check digit must hold, so "1-1" or "q-3" are not codes.
func loincQuestion(s string) string {
	s = s[strings.LastIndexAny(s, "/#")+1:]
	if !checkdigit.LOINC(s, 7) {
		return ""
	}
	return s
}

// sampledSystem reports whether the packs can only sample a code system:
// SNOMED CT has some 350,000 concepts, and its lists name the sensitive
// ones the sources list, so a concept they do not name is unknown rather
// than cleared. Senders also put specific words on generic concepts
// (5880005, a physical examination, sent as "Physical exam following
// abortion"), and those words reveal what the code does not. Its display
// is read when no rule matched the code. ICD, CPT and HCPCS lists are
// ranges and prefixes over the whole system, RxNorm products are also
// matched by ingredient name, and LOINC lists name the tests of each
// category, whose displays would add tumour and other tests the
// categories leave out.
func sampledSystem(sys string) bool { return sys == "http://snomed.info/sct" }

func digits(s string) bool {
	for i := 0; i < len(s); i++ {
		if !isDigit(s[i]) {
			return false
		}
	}
	return s != ""
}

func alnum(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; !isDigit(c) && !upperLetter(c) && !('a' <= c && c <= 'z') {
			return false
		}
	}
	return true
}

func upperLetter(c byte) bool { return 'A' <= c && c <= 'Z' }

// withoutFirstDot is code without its first full stop. This and without
// stand in for strings.Replace, which would bring a general replacer into
// the module.
func withoutFirstDot(code string) string {
	if before, after, ok := strings.Cut(code, "."); ok {
		return before + after
	}
	return code
}

// without is s without any byte c.
func without(s string, c byte) string {
	if strings.IndexByte(s, c) < 0 {
		return s
	}
	b := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		if s[i] != c {
			b = append(b, s[i])
		}
	}
	return string(b)
}
