package engine

import "strings"

// codeResolves reports whether the packs can judge a coding by its code:
// the code is well formed for a clinical code system the engine knows (the
// packs list what is sensitive, so a code of such a system they do not
// list is not), or the system is an HL7 terminology (categories, statuses:
// structure, not content). A code malformed for its system, such as the
// padded ids some exports invent, or a code of a system the engine does
// not know, a local one, tells the packs nothing: with textMatch auto its
// display is read instead. sys is canonical (normSystem).
func codeResolves(sys, code string) bool {
	switch sys {
	case "http://snomed.info/sct":
		return len(code) >= 6 && len(code) <= 18 && digits(code) && verhoeff(code)
	case "http://loinc.org":
		i := strings.IndexByte(code, '-')
		return i >= 1 && i <= 7 && i == len(code)-2 && digits(code[:i]) && digits(code[i+1:]) && luhnDigit(code[:i]) == code[i+1]
	case rxnormSystem, "http://hl7.org/fhir/sid/cvx":
		return len(code) >= 1 && len(code) <= 8 && digits(code)
	case "http://hl7.org/fhir/sid/icd-10-cm", "http://hl7.org/fhir/sid/icd-10":
		c := strings.Replace(code, ".", "", 1)
		return len(c) >= 3 && len(c) <= 7 && upperLetter(c[0]) && alnum(c[1:])
	case "http://hl7.org/fhir/sid/icd-9-cm", "http://www.cms.gov/Medicare/Coding/ICD9":
		c := strings.Replace(code, ".", "", 1)
		return len(c) >= 2 && len(c) <= 5 && (digits(c) || (c[0] == 'V' || c[0] == 'E') && digits(c[1:]))
	case "http://www.cms.gov/Medicare/Coding/ICD10PCS":
		return len(code) == 7 && alnum(code)
	case "http://www.ama-assn.org/go/cpt", "https://www.cms.gov/Medicare/Coding/HCPCSReleaseCodeSets":
		return len(code) == 5 && alnum(code)
	case "http://hl7.org/fhir/sid/ndc":
		return len(strings.ReplaceAll(code, "-", "")) >= 10 && len(code) <= 13 && digits(strings.ReplaceAll(code, "-", ""))
	}
	return strings.HasPrefix(sys, "http://terminology.hl7.org/") || strings.HasPrefix(sys, "http://hl7.org/fhir/") ||
		sys == "http://unitsofmeasure.org" || sys == "urn:ietf:bcp:47"
}

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

// luhnDigit is the check digit LOINC computes over a code's number (the
// mod 10 algorithm: every other digit from the right doubled).
func luhnDigit(s string) byte {
	sum := 0
	for i := len(s) - 1; i >= 0; i-- {
		d := int(s[i] - '0')
		if (len(s)-1-i)%2 == 0 {
			if d *= 2; d > 9 {
				d -= 9
			}
		}
		sum += d
	}
	return byte('0' + (10-sum%10)%10)
}

// verhoeff checks the Verhoeff check digit that ends every SNOMED CT
// identifier.
func verhoeff(s string) bool {
	c := uint8(0)
	for i := len(s) - 1; i >= 0; i-- {
		c = verhoeffD[c][verhoeffP[(len(s)-1-i)%8][s[i]-'0']]
	}
	return c == 0
}

// The Verhoeff scheme's tables: the dihedral group D5's multiplication and
// the position permutations.
var verhoeffD = [10][10]uint8{
	{0, 1, 2, 3, 4, 5, 6, 7, 8, 9}, {1, 2, 3, 4, 0, 6, 7, 8, 9, 5}, {2, 3, 4, 0, 1, 7, 8, 9, 5, 6},
	{3, 4, 0, 1, 2, 8, 9, 5, 6, 7}, {4, 0, 1, 2, 3, 9, 5, 6, 7, 8}, {5, 9, 8, 7, 6, 0, 4, 3, 2, 1},
	{6, 5, 9, 8, 7, 1, 0, 4, 3, 2}, {7, 6, 5, 9, 8, 2, 1, 0, 4, 3}, {8, 7, 6, 5, 9, 3, 2, 1, 0, 4},
	{9, 8, 7, 6, 5, 4, 3, 2, 1, 0},
}

var verhoeffP = [8][10]uint8{
	{0, 1, 2, 3, 4, 5, 6, 7, 8, 9}, {1, 5, 7, 6, 2, 8, 3, 0, 9, 4}, {5, 8, 0, 3, 7, 9, 6, 1, 4, 2},
	{8, 9, 1, 6, 0, 4, 3, 5, 2, 7}, {9, 4, 5, 3, 1, 2, 6, 8, 7, 0}, {4, 2, 8, 6, 5, 7, 3, 9, 0, 1},
	{2, 7, 9, 3, 8, 0, 6, 4, 1, 5}, {7, 0, 4, 6, 9, 1, 3, 2, 5, 8},
}
