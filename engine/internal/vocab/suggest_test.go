package vocab

import (
	"slices"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestSuggest(t *testing.T) {
	const (
		tho = "http://terminology.hl7.org/"
		vs  = tho + "ValueSet/"
	)
	cases := []struct {
		system, code string
		kind         Misspelling
		wantSystem   string
		wantCode     string
		char         rune
		also         []string
	}{
		{Confidentiality, "R", Readable, Confidentiality, "R", 0, nil},
		{" http://hl7.org/fhir/v3/Confidentiality\u00a0", "R", Readable, Confidentiality, "R", 0, nil},
		{Confidentiality, "HIV", Readable, Confidentiality, "HIV", 0, nil}, // retired, still known

		{Confidentiality, "r", CodeCase, Confidentiality, "R", 0, nil},
		{ActCode, "hiv", CodeCase, ActCode, "HIV", 0, nil},
		{ActCode, "Opioidud", CodeCase, ActCode, "OPIOIDUD", 0, nil},
		{"urn:oid:2.16.840.1.113883.5.8", "treat", CodeCase, ActReason, "TREAT", 0, nil},

		{tho + "CodeSystem/v3-confidentiality", "R", SystemCase, Confidentiality, "R", 0, nil},
		{"HTTP://TERMINOLOGY.HL7.ORG/CODESYSTEM/V3-ACTCODE", "hiv", SystemCase, ActCode, "HIV", 0, nil},
		{"http://hl7.org/fhir/v3/actreason", "NOPE", SystemCase, ActReason, "NOPE", 0, nil},

		{"", "R", SystemMissing, Confidentiality, "R", 0, nil},
		{"", "HIV", SystemMissing, ActCode, "HIV", 0, []string{Confidentiality}},
		{"", "opioidud", SystemMissing, ActCode, "OPIOIDUD", 0, nil},
		{"", "NOTACODE", SystemMissing, "", "NOTACODE", 0, nil},

		{Confidentiality, "\u0420", Lookalike, Confidentiality, "R", '\u0420', nil}, // Cyrillic Er reads R
		{ActCode, "\u041DIV", Lookalike, ActCode, "HIV", '\u041D', nil},             // Cyrillic En looks like H
		{ActCode, "\u0420SY", Lookalike, ActCode, "PSY", '\u0420', nil},             // Cyrillic Er looks like P
		{ActCode, "\u0397IV", Lookalike, ActCode, "HIV", '\u0397', nil},             // Greek Eta
		{Confidentiality, "R ", Lookalike, Confidentiality, "R", ' ', nil},
		{Confidentiality, "R\u00a0", Lookalike, Confidentiality, "R", '\u00a0', nil},
		{Confidentiality, "\uff32", Lookalike, Confidentiality, "R", '\uff32', nil}, // fullwidth R
		{tho + "CodeSystem/v3-Confi\u200bdentiality", "R", Lookalike, Confidentiality, "R", '\u200b', nil},
		{tho + "CodeSystem/v3\u2011ActCode", "HIV", Lookalike, ActCode, "HIV", '\u2011', nil},
		{"\ufeff", "R", Lookalike, Confidentiality, "R", '\ufeff', nil},
		{ActCode, "h\u0456v", Lookalike, ActCode, "HIV", '\u0456', nil}, // and in the wrong case
		{Confidentiality, "\u0425", Lookalike, Confidentiality, "X", '\u0425', nil},

		{vs + "v3-Confidentiality", "R", ValueSetSystem, Confidentiality, "R", 0, nil},
		{vs + "v3-ConfidentialityClassification", "n", ValueSetSystem, Confidentiality, "N", 0, nil},
		{vs + "v3-PurposeOfUse", "TREAT", ValueSetSystem, ActReason, "TREAT", 0, nil},
		{vs + "v3-ActInformationSensitivityPolicy", "HIV", ValueSetSystem, ActCode, "HIV", 0, nil},
		{vs + "v3-Confidentiality", "HIV", ValueSetSystem, Confidentiality, "HIV", 0, nil},
		{vs + "v3-PurposeOfUse", "R", ValueSetSystem, Confidentiality, "R", 0, nil}, // the code decides
		{"http://hl7.org/fhir/ValueSet/security-labels", "HIV", ValueSetSystem, ActCode, "HIV", 0, nil},
		{"http://hl7.org/fhir/ValueSet/security-labels", "REDACTED", ValueSetSystem, ObservationValue, "REDACTED", 0, nil},
		{vs + "v3-actcode", "ETH", ValueSetSystem, ActCode, "ETH", 0, nil},
		{vs + "v3-Confidentiality", "treat", ValueSetSystem, ActReason, "TREAT", 0, nil},
		{vs + "v3-PurposeOfUse", "NOTACODE", ValueSetSystem, "", "NOTACODE", 0, nil},

		{ActCode, "NOTACODE", UnknownCode, ActCode, "NOTACODE", 0, nil},
		{ActCode, "R", UnknownCode, ActCode, "R", 0, nil},
		{ActCode, "", UnknownCode, ActCode, "", 0, nil}, // found by FuzzSuggest
		{"http://example.org/labels", "STAFF", UnknownSystem, "http://example.org/labels", "STAFF", 0, nil},
		{"http://example.org/labels", "r", UnknownSystem, "http://example.org/labels", "r", 0, nil},
	}
	for _, c := range cases {
		s := Suggest(c.system, c.code)
		inCode := c.char != 0 && !strings.ContainsRune(c.system, c.char)
		if s.Kind != c.kind || s.System != c.wantSystem || s.Code != c.wantCode || s.Char != c.char || s.InCode != inCode || !slices.Equal(s.Also, c.also) {
			t.Errorf("Suggest(%q, %q) = %+v, want kind %d, %q#%q, char %q, also %q",
				c.system, c.code, s, c.kind, c.wantSystem, c.wantCode, c.char, c.also)
		}
	}
}

func TestSuggestKnown(t *testing.T) {
	if s := Suggest(Confidentiality, "r"); !s.Known() {
		t.Errorf("Suggest(Confidentiality, r) = %+v, not known", s)
	}
	if s := Suggest(ActCode, "NOTACODE"); s.Known() {
		t.Errorf("Suggest(ActCode, NOTACODE) = %+v, known", s)
	}
}

// Every look-alike folds to ASCII both ways, and readable labels come back
// as they are.
func TestSuggestFoldsEveryConfusable(t *testing.T) {
	for _, plain := range []string{looks, reads} {
		if n := utf8.RuneCountInString(confusables); len(plain) != n {
			t.Fatalf("%d look-alikes, %d plain characters", n, len(plain))
		}
	}
	for _, r := range confusables {
		for _, plain := range []string{looks, reads} {
			if p, c := fold(string(r), plain); len(p) != 1 || p[0] >= utf8.RuneSelf || c != r {
				t.Errorf("fold(%q) = %q, %q", r, p, c)
			}
		}
	}
	for k := range codes {
		if s := Suggest(k.system, k.code); s.Kind != Readable || s.Code != k.code {
			t.Errorf("Suggest(%s, %s) = %+v", k.system, k.code, s)
		}
	}
}

// FuzzSuggest checks that Suggest calls readable exactly what Lookup knows,
// names the character behind a look-alike, and suggests only canonical
// systems for labels it knows.
func FuzzSuggest(f *testing.F) {
	f.Add(Confidentiality, "r")
	f.Add("", "HIV")
	f.Add("http://terminology.hl7.org/ValueSet/v3-PurposeOfUse", "treat")
	f.Add(ActCode+"\u200b", "\u041dIV ")
	f.Fuzz(func(t *testing.T, system, code string) {
		s := Suggest(system, code)
		if (s.Kind == Readable) != (Lookup(system, code) != nil) {
			t.Errorf("Suggest(%q, %q) = %+v, but Lookup says %v", system, code, s, Lookup(system, code) != nil)
		}
		if (s.Kind == Lookalike) != (s.Char != 0) {
			t.Errorf("Suggest(%q, %q) = %+v: kind and character disagree", system, code, s)
		}
		if c, ok := Canonical(s.System); s.Known() && (!ok || c != s.System) {
			t.Errorf("Suggest(%q, %q) = %+v: not a canonical system", system, code, s)
		}
	})
}
