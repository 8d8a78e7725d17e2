package engine_test

import (
	"reflect"
	"testing"

	"github.com/seclabel/seclabel/engine"
)

func TestCoverage(t *testing.T) {
	r, err := engine.CompileRules([]byte(`{"name": "t", "rules": [
	  {"id": "sud", "labels": ["OPIOIDUD", "SUD", "42CFRPart2", "NORDSCLCD"], "basis": "42CFRPart2",
	   "codes": {"http://hl7.org/fhir/sid/icd-10-cm": ["F11.20", "F1120", "F11.21"], "HCPCS": ["H0020"],
	             "https://bluebutton.cms.gov/resources/codesystem/hcpcs": ["H0005"]},
	   "prefixes": {"ICD10CM": ["F11"]},
	   "ranges": {"http://hl7.org/fhir/sid/icd-10-cm": ["F10-F19"]},
	   "text": ["opioid use disorder", "opioid dependence"]},
	  {"id": "note", "labels": ["PSYTHPN"], "confidentiality": "V", "path": "DocumentReference.content"},
	  {"id": "mh", "labels": ["MH"], "codes": {"http://hl7.org/fhir/sid/icd-10-cm": ["F11.20", "F32.9"]}}
	]}`))
	if err != nil {
		t.Fatal(err)
	}
	got := r.Coverage()
	want := []engine.RuleCoverage{
		{ID: "sud", Labels: []string{"OPIOIDUD", "SUD", "42CFRPart2", "NORDSCLCD"}, Sensitivity: []string{"OPIOIDUD", "SUD"}, Basis: "42CFRPart2",
			Systems: []engine.SystemCoverage{
				{System: "http://hl7.org/fhir/sid/icd-10-cm", Codes: 2, Prefixes: 1, Ranges: 1}, // F11.20 written twice counts once
				{System: "https://www.cms.gov/Medicare/Coding/HCPCSReleaseCodeSets", Codes: 2},
			},
			Text: 2},
		{ID: "note", Labels: []string{"PSYTHPN"}, Sensitivity: []string{"PSYTHPN"}, Confidentiality: "V",
			ResourceTypes: []string{"DocumentReference"}, Path: "content"},
		{ID: "mh", Labels: []string{"MH"}, Sensitivity: []string{"MH"},
			Systems: []engine.SystemCoverage{{System: "http://hl7.org/fhir/sid/icd-10-cm", Codes: 2}}},
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("Coverage()\n got %+v\nwant %+v", got, want)
	}
}

// The default pack's coverage adds up to the codes it indexes.
func TestDefaultCoverageCountsEveryCode(t *testing.T) {
	r := engine.DefaultRules()
	n := 0
	for _, c := range r.Coverage() {
		if len(c.Labels) == 0 {
			t.Errorf("rule %s: no labels", c.ID)
		}
		for _, s := range c.Systems {
			n += s.Codes + s.Prefixes + s.Ranges + s.Ingredients
		}
	}
	if n != r.CodeCount() {
		t.Fatalf("coverage counts %d entries, the index %d", n, r.CodeCount())
	}
}
