package vocab

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// Misspelling says why the vocabulary cannot read a label, as far as it can
// tell, so that a report can name the label that was likely meant.
type Misspelling uint8

const (
	Readable       Misspelling = iota // a label the vocabulary knows, as written
	CodeCase                          // the code differs from a code of the system only in case
	SystemCase                        // the system differs from an accepted spelling only in case
	SystemMissing                     // no system
	Lookalike                         // look-alike, invisible or surrounding white-space characters
	ValueSetSystem                    // a ValueSet URL given as the system
	UnknownCode                       // a known system without this code
	UnknownSystem                     // a system the vocabulary does not know
)

// Suggestion is the label a misspelt one was likely meant to be.
type Suggestion struct {
	Kind Misspelling
	// System is the canonical system meant, or the system as given (folded
	// to ASCII for Lookalike) when no known system fits; "" when none is
	// given and none has the code.
	System string
	// Code is the code meant, or the code as given (folded) when no known
	// code fits.
	Code string
	// Also lists further systems that have the code, less likely first
	// (SystemMissing only).
	Also []string
	// Char is the first look-alike, invisible or white-space character, and
	// InCode whether it is in the code rather than the system (Lookalike
	// only).
	Char   rune
	InCode bool
}

// Known reports whether the suggested label is one the vocabulary knows.
func (s *Suggestion) Known() bool { return Lookup(s.System, s.Code) != nil }

// Suggest says how (system, code) is misspelt and which label was likely
// meant. Surrounding white space in the system is accepted, as Canonical
// accepts it; in the code it is a misspelling.
func Suggest(system, code string) Suggestion {
	system = strings.TrimSpace(system)
	fs, c1 := fold(system, 0)
	fc, c2 := fold(code, 0)
	if c1 == 0 && c2 == 0 {
		return suggest(system, code)
	}
	s := suggest(fs, fc)
	if !s.Known() {
		// Some letters look like one Latin letter and read as another
		// (Cyrillic Р looks like P and is R): try the reading.
		fs2, _ := fold(system, 1)
		fc2, _ := fold(code, 1)
		if t := suggest(fs2, fc2); t.Known() {
			s = t
		}
	}
	s.Kind, s.Char, s.InCode = Lookalike, c1, c1 == 0
	if c1 == 0 {
		s.Char = c2
	}
	return s
}

// suggest is Suggest for a system and code in plain characters.
func suggest(system, code string) Suggestion {
	if c, ok := Canonical(system); ok {
		switch k := codeIn(c, code); k {
		case "":
			return Suggestion{Kind: UnknownCode, System: c, Code: code}
		case code:
			return Suggestion{Kind: Readable, System: c, Code: code}
		default:
			return Suggestion{Kind: CodeCase, System: c, Code: k}
		}
	}
	if system == "" {
		s := Suggestion{Kind: SystemMissing, Code: code}
		if systems, k := systemsWith(code); len(systems) > 0 {
			s.System, s.Code, s.Also = systems[0], k, systems[1:]
		}
		return s
	}
	if vs, ok := valueSetSystem(system); ok {
		s := Suggestion{Kind: ValueSetSystem, System: vs, Code: code}
		if vs == "" || codeIn(vs, code) == "" {
			if systems, _ := systemsWith(code); len(systems) > 0 {
				s.System = systems[0]
			}
		}
		if k := codeIn(s.System, code); k != "" {
			s.Code = k
		}
		return s
	}
	for alias, c := range aliases { // at most one alias matches
		if equalFoldASCII(alias, system) {
			s := Suggestion{Kind: SystemCase, System: c, Code: code}
			if k := codeIn(c, code); k != "" {
				s.Code = k
			}
			return s
		}
	}
	return Suggestion{Kind: UnknownSystem, System: system, Code: code}
}

// codeIn returns the code of system (canonical) that is code, or differs
// from it only in ASCII case; "" when there is none. No two codes of one
// system differ only in case.
func codeIn(system, code string) string {
	if codes[key{system, code}] != nil {
		return code
	}
	for i := range rows {
		if systemURL[rows[i][0]] == system && equalFoldASCII(rows[i][1], code) {
			return rows[i][1]
		}
	}
	return ""
}

// systemsWith returns the systems that have code (or, when none has it
// exactly, a code differing only in case), those where it is a selectable,
// current label first, and the code as they spell it.
func systemsWith(code string) (systems []string, spelled string) {
	for _, exact := range [...]bool{true, false} {
		for _, current := range [...]bool{true, false} {
			for _, s := range [...]string{Confidentiality, ActCode, ObservationValue, ActReason} {
				k := codeIn(s, code)
				if k == "" || exact && k != code {
					continue
				}
				if c := codes[key{s, k}]; (c.Set != SetUnknown && !c.Retired) == current {
					systems, spelled = append(systems, s), k
				}
			}
		}
		if len(systems) > 0 {
			return systems, codeIn(systems[0], code)
		}
	}
	return nil, ""
}

// valueSetBases are the canonical bases of THO's, FHIR R4's and the DS4P
// IG's value sets: a system under one of them is a ValueSet URL.
var valueSetBases = [...]string{
	"http://terminology.hl7.org/ValueSet/",
	"http://hl7.org/fhir/ValueSet/",
	"http://hl7.org/fhir/uv/security-label-ds4p/ValueSet/",
}

// valueSets maps the names of the security-label value sets to the code
// system of their codes. A value set not listed (such as security-labels,
// which draws on all four) is resolved by the code.
var valueSets = map[string]string{
	"v3-Confidentiality":                             Confidentiality,
	"v3-ConfidentialityClassification":               Confidentiality,
	"v3-ActCode":                                     ActCode,
	"v3-ActPolicyType":                               ActCode,
	"v3-InformationSensitivityPolicy":                ActCode,
	"v3-ActInformationSensitivityPolicy":             ActCode,
	"v3-EntityInformationSensitivityPolicy":          ActCode,
	"v3-RoleInformationSensitivityPolicy":            ActCode,
	"v3-Compartment":                                 ActCode,
	"v3-ObligationPolicy":                            ActCode,
	"v3-RefrainPolicy":                               ActCode,
	"v3-SecurityLabelMark":                           ActCode,
	"v3-PrivacyMark":                                 ActCode,
	"v3-ActPrivacyLaw":                               ActCode,
	"v3-ActUSPrivacyLaw":                             ActCode,
	"v3-ActConsentDirective":                         ActCode,
	"v3-ObservationValue":                            ObservationValue,
	"v3-SecurityIntegrityObservationValue":           ObservationValue,
	"v3-SecurityIntegrityProvenanceObservationValue": ObservationValue,
	"v3-SecurityTrustObservationValue":               ObservationValue,
	"v3-ActReason":                                   ActReason,
	"v3-PurposeOfUse":                                ActReason,
	"v3-GeneralPurposeOfUse":                         ActReason,
}

// valueSetSystem reports whether system is a ValueSet URL (in any case) and
// returns the code system of its codes, "" when the code must decide.
func valueSetSystem(system string) (string, bool) {
	for _, base := range valueSetBases {
		if len(system) <= len(base) || !equalFoldASCII(system[:len(base)], base) {
			continue
		}
		name := system[len(base):]
		for n, cs := range valueSets { // names differ in more than case
			if equalFoldASCII(n, name) {
				return cs, true
			}
		}
		return "", true
	}
	return "", false
}

// equalFoldASCII reports whether a and b are equal but for ASCII case (no
// Unicode folding: a Kelvin sign is no K here).
func equalFoldASCII(a, b string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := 0; i < len(a); i++ {
		x, y := a[i], b[i]
		if 'A' <= x && x <= 'Z' {
			x += 'a' - 'A'
		}
		if 'A' <= y && y <= 'Z' {
			y += 'a' - 'A'
		}
		if x != y {
			return false
		}
	}
	return true
}

// confusables maps common look-alikes of ASCII letters (Cyrillic, Greek, the
// Kelvin sign) to the letter they look like and, where it differs, the
// letter they read as.
var confusables = map[rune]string{
	// Cyrillic capitals А В Е К М Н О Р С Т У Х І Ј Ѕ
	'\u0410': "A", '\u0412': "BV", '\u0415': "E", '\u041A': "K", '\u041C': "M",
	'\u041D': "HN", '\u041E': "O", '\u0420': "PR", '\u0421': "CS", '\u0422': "T",
	'\u0423': "YU", '\u0425': "X", '\u0406': "I", '\u0408': "J", '\u0405': "S",
	// Cyrillic small а е о р с у х і ј ѕ
	'\u0430': "a", '\u0435': "e", '\u043E': "o", '\u0440': "pr", '\u0441': "cs",
	'\u0443': "yu", '\u0445': "x", '\u0456': "i", '\u0458': "j", '\u0455': "s",
	// Greek capitals Α Β Ε Ζ Η Ι Κ Μ Ν Ο Ρ Τ Υ Χ and small ο
	'\u0391': "A", '\u0392': "B", '\u0395': "E", '\u0396': "Z", '\u0397': "H",
	'\u0399': "I", '\u039A': "K", '\u039C': "M", '\u039D': "N", '\u039F': "O",
	'\u03A1': "PR", '\u03A4': "T", '\u03A5': "Y", '\u03A7': "X", '\u03BF': "o",
	'\u212A': "K", // Kelvin sign
	// Hyphens, dashes and the minus sign that word processors put for "-".
	'\u2010': "-", '\u2011': "-", '\u2012': "-", '\u2013': "-", '\u2014': "-", '\u2212': "-",
}

// plainRune is the ASCII character r stands for (reading 0: what it looks
// like; 1: what it reads as), ' ' for white space, -1 for an invisible
// character, or r itself.
func plainRune(r rune, reading int) rune {
	switch {
	case r < utf8.RuneSelf:
		return r
	case r == '\u200B', r == '\u200C', r == '\u200D', r == '\u2060', r == '\uFEFF', r == '\u00AD':
		return -1 // zero-width characters and the soft hyphen
	case '\uFF01' <= r && r <= '\uFF5E':
		return r - 0xFEE0 // fullwidth forms of ! to ~
	case unicode.IsSpace(r):
		return ' ' // no-break and other wide or narrow spaces
	}
	if p, ok := confusables[r]; ok {
		return rune(p[min(reading, len(p)-1)])
	}
	return r
}

// fold returns s with look-alikes replaced by ASCII, invisible characters
// dropped and surrounding white space trimmed, and the first character
// that changed (0 when s was plain).
func fold(s string, reading int) (string, rune) {
	var first rune
	b := make([]byte, 0, len(s))
	for _, r := range s {
		p := plainRune(r, reading)
		if p != r && first == 0 {
			first = r
		}
		if p >= 0 {
			b = utf8.AppendRune(b, p)
		}
	}
	t := strings.TrimSpace(string(b))
	if len(t) != len(b) {
		if r, _ := utf8.DecodeRuneInString(s); unicode.IsSpace(r) {
			first = r
		} else if first == 0 {
			first, _ = utf8.DecodeLastRuneInString(s)
		}
	}
	return t, first
}
