package engine

import "testing"

// Codes the packs can judge by their shape, and those they cannot.
func TestCodeResolves(t *testing.T) {
	for _, c := range []struct {
		sys, code string
		want      bool
	}{
		{"http://snomed.info/sct", "86406008", true}, // HIV infection
		{"http://snomed.info/sct", "44054006", true},
		{"http://snomed.info/sct", "86406009", false}, // check digit wrong
		{"http://snomed.info/sct", "84795AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", false},
		{"http://loinc.org", "2345-7", true},
		{"http://loinc.org", "8867-4", true},
		{"http://loinc.org", "2345-8", false},
		{"http://loinc.org", "856AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", false},
		{rxnormSystem, "309362", true},
		{rxnormSystem, "30936A", false},
		{"http://hl7.org/fhir/sid/icd-10-cm", "F11.20", true},
		{"http://hl7.org/fhir/sid/icd-10-cm", "B20", true},
		{"http://hl7.org/fhir/sid/icd-10-cm", "11.20", false},
		{"http://hl7.org/fhir/sid/icd-9-cm", "V08", true},
		{"http://hl7.org/fhir/sid/icd-9-cm", "042", true},
		{"http://www.ama-assn.org/go/cpt", "59840", true},
		{"http://www.ama-assn.org/go/cpt", "5984", false},
		{"http://hl7.org/fhir/sid/ndc", "0009-0031-01", true},
		{"http://terminology.hl7.org/CodeSystem/observation-category", "laboratory", true},
		{"http://hl7.org/fhir/condition-clinical", "active", true},
		{"http://example.org/local-codes", "hiv-vl", false},
		{"", "x", false},
	} {
		if got := codeResolves(c.sys, c.code); got != c.want {
			t.Errorf("%s|%s: %v, want %v", c.sys, c.code, got, c.want)
		}
	}
}
