package main

import (
	"encoding/base64"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"

	"github.com/valyala/fastjson"
)

// labeledBundle is labeled by hand the way the engine writes labels: the
// sensitivity codes of v3-ActCode in meta.security, each with the
// classifier extension ("seclabel" for the code rules, "seclabel text" for
// text reading).
const labeledBundle = `{"resourceType": "Bundle", "type": "collection", "entry": [
 {"resource": {"resourceType": "Observation", "id": "hiv-test", "meta": {"security": [
   {"extension": [{"url": "` + extClassifier + `", "valueReference": {"display": "seclabel text"}}],
    "system": "http://terminology.hl7.org/CodeSystem/v3-Confidentiality", "code": "R"},
   {"extension": [{"url": "` + extClassifier + `", "valueReference": {"display": "seclabel text"}}],
    "system": "http://terminology.hl7.org/CodeSystem/v3-ActCode", "code": "HIV"}]}}},
 {"resource": {"resourceType": "Observation", "id": "alcohol", "meta": {"security": [
   {"system": "http://terminology.hl7.org/CodeSystem/v3-ActCode", "code": "ETHUD"},
   {"system": "http://terminology.hl7.org/CodeSystem/v3-ActCode", "code": "SUD"},
   {"system": "http://terminology.hl7.org/CodeSystem/v3-ActCode", "code": "42CFRPart2"}]}}},
 {"resource": {"resourceType": "DocumentReference", "id": "note", "meta": {"security": [
   {"extension": [{"url": "` + extClassifier + `", "valueReference": {"display": "seclabel text"}}],
    "system": "http://terminology.hl7.org/CodeSystem/v3-ActCode", "code": "SEX"}]}}},
 {"resource": {"resourceType": "Observation", "id": "cd4", "meta": {"security": [
   {"extension": [{"url": "` + extClassifier + `", "valueReference": {"display": "seclabel"}}],
    "system": "http://terminology.hl7.org/CodeSystem/v3-ActCode", "code": "HIV"}]}}},
 {"resource": {"resourceType": "Observation", "id": "tb", "meta": {"security": [
   {"system": "http://terminology.hl7.org/CodeSystem/v3-ActCode", "code": "STD"}]}}},
 {"resource": {"resourceType": "Observation", "id": "mood", "contained": [
   {"resourceType": "Medication", "id": "m", "meta": {"security": [
     {"system": "http://terminology.hl7.org/CodeSystem/v3-ActCode", "code": "PSY"}]}}]}},
 {"resource": {"resourceType": "Observation", "id": "plain"}},
 {"resource": {"resourceType": "Observation", "id": "other-system", "meta": {"security": [
   {"system": "http://example.org/not-act-code", "code": "HIV"}]}}}
]}`

// labeledKey is what the hand-labeled Bundle's resources mean.
var labeledKey = key{"labeled.json": {
	"Observation/hiv-test":     {Core: []string{"HIV"}},
	"Observation/alcohol":      {Core: []string{"SUD"}},
	"DocumentReference/note":   {Core: []string{"SEX", "SUD"}},
	"Observation/cd4":          {Broad: []string{"HIV"}},
	"Observation/other-system": {Core: []string{"HIV"}},
}}

// identity labels nothing: the input is already labeled.
func identity(data []byte) ([]byte, map[int][]string, error) { return data, nil, nil }

func TestScoreHandLabeledBundle(t *testing.T) {
	b, err := parseBundle("labeled.json", []byte(labeledBundle))
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		broad bool
		want  map[string]counts
	}{
		{false, map[string]counts{
			"HIV": {TP: 1, FN: 1}, // hiv-test found; other-system's HIV is no ActCode; cd4 broad, tolerated
			"SUD": {TP: 1, FN: 1}, // ETHUD and SUD count once; the note's SUD missed
			"SEX": {TP: 1},
			"STD": {FP: 1}, // tb
			"MH":  {FP: 1}, // a contained resource's PSY counts for its entry
			"SDV": {}, "GDIS": {},
		}},
		{true, map[string]counts{
			"HIV": {TP: 2, FN: 1}, // the broad expectation is now required, and met
			"SUD": {TP: 1, FN: 1},
			"SEX": {TP: 1},
			"STD": {FP: 1},
			"MH":  {FP: 1},
			"SDV": {}, "GDIS": {},
		}},
	} {
		s := &scorer{label: identity, broad: tc.broad}
		tl, err := s.score([]namedBundle{b}, labeledKey)
		if err != nil {
			t.Fatal(err)
		}
		p := tl.part()
		if p.Bundles != 1 || p.Resources != 8 {
			t.Errorf("broad %v: %d bundles, %d resources; want 1, 8", tc.broad, p.Bundles, p.Resources)
		}
		for c, w := range tc.want {
			if g := p.Figures[c].counts; g != w {
				t.Errorf("broad %v: %s: %+v, want %+v", tc.broad, c, g, w)
			}
		}
		if got := p.Keyed["HIV"]; got != [2]int{2, 1} {
			t.Errorf("broad %v: HIV keyed %v, want [2 1] (core, broad only)", tc.broad, got)
		}
	}

	s := &scorer{label: identity}
	tl, err := s.score([]namedBundle{b}, labeledKey)
	if err != nil {
		t.Fatal(err)
	}
	p := tl.part()
	check := func(c, what string, got *float64, want float64) {
		t.Helper()
		if got == nil || *got != want {
			t.Errorf("%s %s: %s, want %.4f", c, what, fmtRatio(got), want)
		}
	}
	check("HIV", "recall", p.Figures["HIV"].Recall, 0.5)
	check("HIV", "precision", p.Figures["HIV"].Precision, 1)
	check("STD", "precision", p.Figures["STD"].Precision, 0)
	if p.Figures["STD"].Recall != nil {
		t.Errorf("STD recall %s, want none (nothing expected)", fmtRatio(p.Figures["STD"].Recall))
	}
	check("all", "recall", p.Figures["all"].Recall, 0.6)       // 3 of 5
	check("all", "precision", p.Figures["all"].Precision, 0.6) // 3 of 5
	if u := unmet(p, goals.Text); len(u) == 0 {
		t.Error("unmet: the hand-labeled figures meet the text target")
	}

	// A key naming a resource the Bundle lacks, or a Bundle the key lacks,
	// is an error, not a score.
	bad := key{"labeled.json": {"Observation/nowhere": {Core: []string{"HIV"}}}}
	if _, err := s.score([]namedBundle{b}, bad); err == nil {
		t.Error("a key naming a missing resource scored")
	}
	if _, err := s.score([]namedBundle{b}, key{}); err == nil {
		t.Error("a bundle missing from the key scored")
	}
}

func TestTextLabelsCountsTheTextClassifier(t *testing.T) {
	n, perEntry, err := textLabels([]byte(labeledBundle))
	if err != nil {
		t.Fatal(err)
	}
	if n != 3 || !reflect.DeepEqual(perEntry, map[int]int{0: 2, 2: 1}) {
		t.Errorf("%d labels by the text classifier (per entry %v), want 3 (entry 0: 2, entry 2: 1)", n, perEntry)
	}
	inline := `{"resourceType": "Observation", "id": "x", "valueString": "HIV positive",
	 "_valueString": {"extension": [{"url": "http://hl7.org/fhir/uv/security-label-ds4p/StructureDefinition/extension-inline-sec-label",
	   "valueCoding": {"extension": [{"url": "` + extClassifier + `", "valueReference": {"display": "seclabel text"}}],
	     "system": "http://terminology.hl7.org/CodeSystem/v3-ActCode", "code": "HIV"}}]}}`
	if n, _, err := textLabels([]byte(inline)); err != nil || n != 1 {
		t.Errorf("inline label: %d, %v; want 1", n, err)
	}
}

func TestNegativeControlsAreTheEmptyKeys(t *testing.T) {
	bs := []namedBundle{{Name: "a"}, {Name: "b"}, {Name: "c"}}
	k := key{"a": {}, "b": {"Observation/x": {Broad: []string{"SEX"}}}, "c": {"Observation/y": {}}}
	var names []string
	for _, b := range negativeControls(bs, k) {
		names = append(names, b.Name)
	}
	if !reflect.DeepEqual(names, []string{"a", "c"}) {
		t.Errorf("negative controls %v, want [a c]", names)
	}
}

func TestNoteSentences(t *testing.T) {
	note := "\n2001-12-21\n\n# Chief Complaint\nNo complaints.\n\n# History of Present Illness\nJane12\n is a 40 year-old woman.\n\n" +
		"# Social History\nPatient is married. Patient is an active smoker and is an alcoholic.\n Patient identifies as heterosexual.\n" +
		"Jane12 Doe34 saw Janet5 on 3.5 days?  Yes!\u00a0Fine\n\n## Plan\nThe following procedures were conducted:\n- echocardiography (procedure)\n* x-ray 2 views\n"
	var got []string
	for _, u := range appendSentences(nil, noteBlocks(note), []string{"Jane12", "Doe34"}) {
		got = append(got, u.Text)
	}
	want := []string{
		"<n>-<n>-<n>",
		"Chief Complaint", "No complaints.",
		"History of Present Illness", "<name> is a <n> year-old woman.",
		"Social History", "Patient is married.", "Patient is an active smoker and is an alcoholic.", "Patient identifies as heterosexual.",
		"<name> <name> saw Janet<n> on <n>.<n> days?", "Yes!", "Fine",
		"Plan", "The following procedures were conducted:", "echocardiography (procedure)", "x-ray <n> views",
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("sentences\n got %q\nwant %q", got, want)
	}

	html := `<div xmlns="http://www.w3.org/1999/xhtml">Generated by <a href="x">Synthea</a>.Version 3
	 .   Seed: -42<p>Has HIV &amp; <b>hepatitis</b>. Denies&#160;fever.</p><ul><li>one</li><li>two</li></ul></div>`
	got = nil
	for _, u := range appendSentences(nil, htmlBlocks(html), nil) {
		got = append(got, u.Text)
	}
	want = []string{"Generated by Synthea.Version <n> .", "Seed: -<n>", "Has HIV & hepatitis.", "Denies fever.", "one", "two"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("narrative sentences\n got %q\nwant %q", got, want)
	}
}

func TestTextUnitsOfAResource(t *testing.T) {
	note := base64.StdEncoding.EncodeToString([]byte("Bob1 is an alcoholic. Bob1 Smith2 says so."))
	res := `{"resourceType": "Observation", "id": "o",
	 "meta": {"security": [{"system": "s", "code": "AAAAA", "display": "in meta"}]},
	 "text": {"status": "generated", "div": "<div xmlns=\"http://www.w3.org/1999/xhtml\"><p>Seen today.</p></div>"},
	 "code": {"coding": [{"system": "http://loinc.org", "code": "856AAAAAAAAA", "display": "HIV viral load"},
	   {"system": "http://loinc.org", "code": "1234-5", "display": "real code"}], "text": "HIV viral load"},
	 "valueCodeableConcept": {"text": ""},
	 "contained": [{"resourceType": "DocumentReference", "id": "d", "content": [
	   {"attachment": {"contentType": "text/plain; charset=utf-8", "data": "` + note + `"}},
	   {"attachment": {"contentType": "application/pdf", "data": "` + note + `"}},
	   {"attachment": {"contentType": "text/plain", "data": "not base64!"}}]}]}`
	v, err := fastjson.Parse(res)
	if err != nil {
		t.Fatal(err)
	}
	got := textUnits(v, []string{"Smith2", "Bob1"})
	want := []unit{
		{kindSentence, "Seen today."},
		{kindText, "HIV viral load"}, // an object's own units before its members'
		{kindDisplay, "HIV viral load"},
		{kindSentence, "<name> is an alcoholic."},
		{kindSentence, "<name> <name> says so."},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("units\n got %v\nwant %v", got, want)
	}
}

// TestDeriveTextFollowsTransfers checks that a report carries the
// categories of its results, and that an unclassified unit fails.
func TestDeriveTextFollowsTransfers(t *testing.T) {
	data := `{"resourceType": "Bundle", "type": "collection", "entry": [
	 {"fullUrl": "urn:uuid:1", "resource": {"resourceType": "Observation", "id": "1",
	   "code": {"coding": [{"system": "http://loinc.org", "code": "1AAAA", "display": "TESTS ORDERED"}]},
	   "valueCodeableConcept": {"coding": [{"system": "http://loinc.org", "code": "2AAAA", "display": "VDRL"}], "text": "VDRL"}}},
	 {"fullUrl": "urn:uuid:2", "resource": {"resourceType": "DiagnosticReport", "id": "2", "result": [{"reference": "urn:uuid:1"}]}},
	 {"fullUrl": "urn:uuid:3", "resource": {"resourceType": "Observation", "id": "3", "code": {"text": "Urine pregnancy test"}}}]}`
	b, err := parseBundle("t.json", []byte(data))
	if err != nil {
		t.Fatal(err)
	}
	table := map[unit]class{
		{kindDisplay, "TESTS ORDERED"}:     {Note: "generic"},
		{kindDisplay, "VDRL"}:              {Core: []string{"STD"}, Note: "syphilis test"},
		{kindText, "VDRL"}:                 {Core: []string{"STD"}, Note: "syphilis test"},
		{kindText, "Urine pregnancy test"}: {Broad: []string{"SEX"}, Note: "pregnancy test"},
	}
	d, err := deriveText(&b, table)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]expect{
		"Observation/1":      {Core: []string{"STD"}, Broad: []string{}},
		"DiagnosticReport/2": {Core: []string{"STD"}, Broad: []string{}},
		"Observation/3":      {Core: []string{}, Broad: []string{"SEX"}},
	}
	for id, w := range want {
		if !reflect.DeepEqual(d[id].expect, w) {
			t.Errorf("%s: %+v, want %+v", id, d[id].expect, w)
		}
	}
	if len(d) != len(want) {
		t.Errorf("%d resources expected to carry a category, want %d", len(d), len(want))
	}
	if v := d["DiagnosticReport/2"].Via; !reflect.DeepEqual(v, []string{"Observation/1"}) {
		t.Errorf("report via %v", v)
	}
	table[unit{kindDisplay, "TESTS ORDERED"}] = class{} // listed, not classified
	if _, err := deriveText(&b, table); err == nil || !strings.Contains(err.Error(), "TESTS ORDERED") {
		t.Errorf("an unclassified unit: %v", err)
	}
}

// TestTextKeyIsDerived checks that text-key.json is what -derive-text
// makes of texts.tsv, and that texts.tsv lists every text unit of the fdp
// bundles, classified, and nothing else.
func TestTextKeyIsDerived(t *testing.T) {
	root, syn := syntheaData(t)
	fdp := fdpBundles(syn)
	if len(fdp) == 0 {
		t.Skip("no fdp bundles among the Synthea bundles")
	}
	table, err := readTexts(filepath.Join(root, textsTSV))
	if err != nil {
		t.Fatal(err)
	}
	found := map[unit]bool{}
	for _, u := range allUnits(fdp) {
		found[u] = true
	}
	var missing, stale []string
	for u := range found {
		if cl, ok := table[u]; !ok || cl.Note == "" {
			missing = append(missing, u.String())
		}
	}
	for u := range table {
		if !found[u] {
			stale = append(stale, u.String())
		}
	}
	sort.Strings(missing)
	sort.Strings(stale)
	if len(missing) > 0 {
		t.Errorf("%s misses %d text units of the fdp bundles or leaves them unclassified (no note); run go run ./internal/accuracy -extract-text and classify them, e.g. %s", textsTSV, len(missing), missing[0])
	}
	if len(stale) > 0 {
		t.Errorf("%s lists %d text units the fdp bundles no longer hold (run -extract-text), e.g. %s", textsTSV, len(stale), stale[0])
	}
	if len(missing) == 0 {
		checkDerived(t, root, textKey, "-derive-text", textKeyOf, syn)
	}
}
