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
	// to ASCII for Lookalike) when no known system fits; "" when no system
	// has the code of a label without a system or with a ValueSet URL.
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
	var s Suggestion
	// Some letters look like one Latin letter and read as another (Cyrillic
	// Р looks like P and is R): a look-alike is read both ways.
	for _, plain := range [...]string{looks, reads} {
		fs, c1 := fold(system, plain)
		fc, c2 := fold(code, plain)
		s = Suggestion{}
		s.resolve(fs, fc)
		if c1 == 0 && c2 == 0 {
			return s
		}
		s.Kind, s.Char, s.InCode = Lookalike, c1, c1 == 0
		if c1 == 0 {
			s.Char = c2
		}
		if s.Known() {
			break
		}
	}
	return s
}

// resolve fills s for a system and code in plain characters.
func (s *Suggestion) resolve(system, code string) {
	s.System, s.Code = system, code
	if c, ok := Canonical(system); ok {
		s.System, s.Kind = c, UnknownCode
		switch k := codeIn(c, code); k {
		case "":
		case code:
			s.Kind = Readable
		default:
			s.Kind, s.Code = CodeCase, k
		}
		return
	}
	switch {
	case system == "":
		s.Kind = SystemMissing
	case isValueSet(system):
		// The code decides the system, but for the value sets of
		// v3-Confidentiality, which has retired codes that v3-ActCode has
		// too (HIV, PSY, ...).
		s.Kind, s.System = ValueSetSystem, ""
		if i := strings.LastIndexByte(system, '/'); len(system)-i > 18 && equalFoldASCII(system[i+1:i+19], "v3-Confidentiality") && codeIn(Confidentiality, code) != "" {
			s.System = Confidentiality
		}
	default:
		s.Kind = UnknownSystem
		for alias, c := range aliases { // at most one alias matches
			if equalFoldASCII(alias, system) {
				s.Kind, s.System = SystemCase, c
			}
		}
		if s.Kind == UnknownSystem {
			return
		}
	}
	if s.System == "" {
		// The systems that have the code (but for case), those where it is
		// a selectable, current label first.
		var systems []string
		for _, current := range [...]bool{true, false} {
			for _, system := range Systems {
				if c := codes[key{system, codeIn(system, code)}]; c != nil && (c.Set != SetUnknown && !c.Retired) == current {
					systems = append(systems, system)
				}
			}
		}
		if len(systems) > 0 {
			s.System = systems[0]
			if s.Kind == SystemMissing {
				s.Also = systems[1:]
			}
		}
	}
	if k := codeIn(s.System, code); k != "" {
		s.Code = k
	}
}

// codeIn returns the code of system (canonical) that is code, or differs
// from it only in ASCII case; "" when there is none. No two codes of one
// system differ only in case.
func codeIn(system, code string) string {
	for i := range rows {
		if equalFoldASCII(rows[i][1], code) && systemURL[rows[i][0]] == system {
			return rows[i][1]
		}
	}
	return ""
}

// isValueSet reports whether system is the URL of a value set of THO, FHIR
// R4 or the DS4P IG (in any case).
func isValueSet(system string) bool {
	for _, base := range [...]string{
		"http://terminology.hl7.org/ValueSet/",
		"http://hl7.org/fhir/ValueSet/",
		"http://hl7.org/fhir/uv/security-label-ds4p/ValueSet/",
	} {
		if len(system) > len(base) && equalFoldASCII(system[:len(base)], base) {
			return true
		}
	}
	return false
}

// equalFoldASCII reports whether a and b are equal but for ASCII case (no
// Unicode folding: a Kelvin sign is no K here). Out of line: each inlined
// copy costs the WebAssembly module more than the call.
//
//go:noinline
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

// Common look-alikes of ASCII characters, and rune for rune the character
// each looks like and the one it reads as: Cyrillic capitals А В Е К М Н О
// Р С Т У Х І Ј Ѕ and small а е о р с у х і ј ѕ, Greek capitals Α Β Ε Ζ Η
// Ι Κ Μ Ν Ο Ρ Τ Υ Χ and small ο, the Kelvin sign, and the hyphens, dashes
// and minus sign that word processors put for "-".
const (
	confusables = "\u0410\u0412\u0415\u041A\u041C\u041D\u041E\u0420\u0421\u0422\u0423\u0425\u0406\u0408\u0405" +
		"\u0430\u0435\u043E\u0440\u0441\u0443\u0445\u0456\u0458\u0455" +
		"\u0391\u0392\u0395\u0396\u0397\u0399\u039A\u039C\u039D\u039F\u03A1\u03A4\u03A5\u03A7\u03BF" +
		"\u212A\u2010\u2011\u2012\u2013\u2014\u2212"
	looks = "ABEKMHOPCTYXIJS" + "aeopcyxijs" + "ABEZHIKMNOPTYXo" + "K------"
	reads = "AVEKMNORSTUXIJS" + "aeorsuxijs" + "ABEZHIKMNORTYXo" + "K------"
)

// fold returns s with look-alikes replaced by ASCII (the characters of plain,
// looks or reads), invisible characters dropped and surrounding white space
// trimmed, and the first character that changed (0 when s was plain).
func fold(s, plain string) (string, rune) {
	var first rune
	b := make([]byte, 0, len(s))
	for _, r := range s {
		p := r
		switch {
		case r < utf8.RuneSelf:
		case r == '\u200B', r == '\u200C', r == '\u200D', r == '\u2060', r == '\uFEFF', r == '\u00AD':
			p = -1 // zero-width characters and the soft hyphen
		case '\uFF01' <= r && r <= '\uFF5E':
			p = r - 0xFEE0 // fullwidth forms of ! to ~
		case unicode.IsSpace(r):
			p = ' ' // no-break and other wide or narrow spaces
		default:
			i := 0
			for _, c := range confusables {
				if c == r {
					p = rune(plain[i])
				}
				i++
			}
		}
		if p != r && first == 0 {
			first = r
		}
		if p >= 0 {
			b = utf8.AppendRune(b, p)
		}
	}
	t := strings.TrimSpace(string(b))
	if first == 0 && len(t) != len(b) {
		// Only ASCII white space was trimmed: the first or else the last
		// byte of s is some.
		first = rune(s[0])
		if first > ' ' {
			first = rune(s[len(s)-1])
		}
	}
	return t, first
}
