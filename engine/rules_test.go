package engine_test

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/seclabel/seclabel/engine"
)

// labelWith labels resource with rules and returns the confidentiality
// and the other labels it added.
func labelWith(t *testing.T, r *engine.Rules, resource string) (string, []string) {
	t.Helper()
	e, err := engine.New(engine.Options{Rules: r})
	if err != nil {
		t.Fatal(err)
	}
	res, err := e.Label(context.Background(), []byte(resource))
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Report.Labeled) == 0 {
		return "", nil
	}
	l := res.Report.Labeled[0]
	var codes []string
	for _, c := range l.Added {
		if c.Set != "confidentiality" {
			codes = append(codes, c.Code)
		}
	}
	return l.Confidentiality, codes
}

func compileErr(t *testing.T, packs ...engine.Pack) string {
	t.Helper()
	_, err := engine.CompilePacks(packs...)
	var e *engine.Error
	if !errors.As(err, &e) || e.Code != engine.ErrInvalidRules {
		t.Fatalf("want invalid_rules, got %v", err)
	}
	return e.Message
}

const psyCondition = `{"resourceType":"Condition","code":{"coding":[{"system":"http://snomed.info/sct","code":"123"}]}}`

func TestCompileConfidentialityMapsCombine(t *testing.T) {
	mine := engine.Pack{Name: "my-pack.json", JSON: []byte(`{"confidentiality":{"PSY":"N"},"rules":[{"id":"psy","labels":["PSY"],"codes":{"SNOMED":["123"]}}]}`)}
	shares := engine.Pack{Name: "shares.json", JSON: []byte(`{"rules":[{"id":"s","labels":[{"system":"http://terminology.hl7.org/CodeSystem/v3-ActCode","code":"PSY"}],"codeSets":[{"codes":[{"system":"http://snomed.info/sct","code":"999"}]}]}]}`)}
	higher := engine.Pack{Name: "higher.json", JSON: []byte(`{"confidentiality":{"PSY":"V"},"rules":[]}`)}
	for _, tc := range []struct {
		name  string
		packs []engine.Pack
		want  string
		warn  string
	}{
		{"a pack's own map alone", []engine.Pack{mine}, "N", ""},
		{"a pack without a map brings the built-in one", []engine.Pack{mine, shares}, "R",
			`my-pack.json: confidentiality["PSY"]: N is raised to R, the built-in level, which shares.json brings (it has no confidentiality map); combined packs keep the highest level`},
		{"in either order", []engine.Pack{shares, mine}, "R", `my-pack.json: confidentiality["PSY"]: N is raised to R`},
		{"two maps: the higher", []engine.Pack{mine, higher}, "V",
			`my-pack.json: confidentiality["PSY"]: N is raised to V, the level higher.json gives PSY; combined packs keep the highest level`},
		{"with the default pack", []engine.Pack{mine, {Name: "us-default", JSON: engine.DefaultPack()}}, "R", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r, err := engine.CompilePacks(tc.packs...)
			if err != nil {
				t.Fatal(err)
			}
			if conf, _ := labelWith(t, r, psyCondition); conf != tc.want {
				t.Errorf("confidentiality %q, want %q", conf, tc.want)
			}
			if tc.warn != "" && !slices.ContainsFunc(r.Warnings(), func(w string) bool { return strings.HasPrefix(w, tc.warn) }) {
				t.Errorf("no warning %q in %q", tc.warn, r.Warnings())
			}
		})
	}
}

func TestCompileCodeSystems(t *testing.T) {
	pack := func(sys string) engine.Pack {
		return engine.Pack{Name: "p.json", JSON: []byte(`{"rules":[{"id":"a","labels":["HIV"],"codes":{` + string(jsonString(sys)) + `:["1"]}}]}`)}
	}
	for _, ok := range []string{"http://snomed.info/sct", "SNOMED", "$SNOMED", "snomed", "RxNorm", "rxnorm", "urn:oid:2.16.840.1.113883.6.96",
		"ICD-10-CM", " http://loinc.org ", "http://example.org/local-codes", "https://example.org/x", "urn:uuid:0f8fad5b-d9cb-469f-a165-70867728950e",
		"urn:oid:1.2.3.4", "http://terminology.hl7.org/CodeSystem/v2-0203", "http://hl7.org/fhir/sid/icd-10-ca"} {
		if _, err := engine.CompilePacks(pack(ok)); err != nil {
			t.Errorf("%q: %v", ok, err)
		}
	}
	for spelling, want := range map[string]string{
		"SNOMED-CT":                         `unknown code system "SNOMED-CT"; did you mean "http://snomed.info/sct"?`,
		"LIONC":                             `did you mean "http://loinc.org"?`,
		"icd10 cm":                          `did you mean "http://hl7.org/fhir/sid/icd-10-cm"?`,
		"2.16.840.1.113883.6.96":            `did you mean "http://snomed.info/sct"?`,
		"snomed.info/sct":                   `did you mean "http://snomed.info/sct"?`,
		"https://loinc.org":                 `unknown code system "https://loinc.org"; did you mean "http://loinc.org"?`,
		"http://hl7.org/fhir/sid/ICD-10-CM": `did you mean "http://hl7.org/fhir/sid/icd-10-cm"?`,
		"URN:OID:2.16.840.1.113883.6.1":     `did you mean "http://loinc.org"?`,
		"FOOBAR":                            `unknown code system "FOOBAR": give an absolute URI (http://..., urn:oid:...) or a known alias`,
		"":                                  `a code system is needed`,
	} {
		msg := compileErr(t, pack(spelling))
		if !strings.HasPrefix(msg, `p.json:1:47: rules[0].codes[`+string(jsonString(spelling))+`]: `) || !strings.Contains(msg, want) {
			t.Errorf("%q: %s", spelling, msg)
		}
	}
	shares := `{"rules":[{"id":"s","labels":[{"system":"http://terminology.hl7.org/CodeSystem/v3-ActCode","code":"HIV"}],"codeSets":[{"codes":[{"system":"Snomed CT","code":"1"}]}]}]}`
	if msg := compileErr(t, engine.Pack{Name: "shares.json", JSON: []byte(shares)}); msg != `shares.json:1:139: rules[0].codeSets[0].codes[0].system: unknown code system "Snomed CT"; did you mean "http://snomed.info/sct"?` {
		t.Errorf("SHARES: %s", msg)
	}
}

func jsonString(s string) []byte {
	b, _ := json.Marshal(s)
	return b
}

func TestCompileWarningsNameTheCode(t *testing.T) {
	shares := `{"rules":[
 {"id":"s0","labels":[{"system":"http://terminology.hl7.org/CodeSystem/v3-ActCode","code":"HIV"}],"codeSets":[{"codes":[{"system":"SNOMED","code":"1"}]}]},
 {"id":"shares-rule-mh","labels":[{"system":"http://terminology.hl7.org/CodeSystem/v3-ActCode","code":"MENCAT"},{"system":"http://terminology.hl7.org/CodeSystem/v3-ActCode","code":"MH"}],"codeSets":[{"codes":[{"system":"SNOMED","code":"2"}]}]},
 {"id":"only-local","labels":[{"system":"http://example.org/local","code":"DISEASE"}],"codeSets":[{"codes":[{"system":"SNOMED","code":"3"}]}]},
 {"id":"no-codes","labels":[{"system":"http://terminology.hl7.org/CodeSystem/v3-ActCode","code":"SUD"}],"codeSets":[{"codes":[]}]}
]}`
	native := `{"confidentiality":{"HVI":"R"},"rules":[{"id":"empty","labels":["HIV"],"codes":{"SNOMED":[]}},{"id":"no-types","labels":["HIV"],"resourceTypes":[]}]}`
	r, err := engine.CompilePacks(
		engine.Pack{Name: "shares.json", JSON: []byte(shares)},
		engine.Pack{Name: "native.json", JSON: []byte(native)},
		engine.Pack{Name: "empty.json", JSON: []byte(`{"name":"nothing","rules":[]}`)},
		engine.Pack{Name: "bundle.json", JSON: []byte(`{"resourceType":"Bundle","type":"collection"}`)},
	)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"shares.json: rules[1] (shares-rule-mh): label MENCAT is not a security label code; left out",
		"shares.json: rules[2] (only-local): label DISEASE is not a security label code; left out",
		"shares.json: rules[2] (only-local): no security label left; the rule is skipped",
		"shares.json: rules[3] (no-codes): the rule lists no codes; it never matches",
		`native.json: confidentiality["HVI"]: HVI is not a sensitivity code; the entry has no effect`,
		"native.json: rules[0] (empty): the rule lists no codes, prefixes, ranges or text; it never matches",
		"native.json: rules[1] (no-types): resourceTypes is empty; the rule never matches",
		"empty.json: the pack has no rules",
		"bundle.json: the pack has no rules",
	}
	if !slices.Equal(r.Warnings(), want) {
		t.Errorf("warnings\n got %q\nwant %q", r.Warnings(), want)
	}
	// A pack with only a confidentiality map is not empty: it raises levels.
	r, err = engine.CompilePacks(engine.Pack{Name: "map.json", JSON: []byte(`{"confidentiality":{"HIV":"V"}}`)})
	if err != nil || len(r.Warnings()) != 0 {
		t.Errorf("a map-only pack: %v, %q", err, r.Warnings())
	}
}

func TestCompileErrorsNamePackLineAndColumn(t *testing.T) {
	bad := "{\n  \"rules\": [\n    {\"id\": \"a\", \"labels\": [\"HIV\"],\n     \"codes\": {\"http://loinc.org\": [\"1\", \"2\", \"3\",\n       \"\"]}}\n  ]\n}\n"
	good := `{"rules":[{"id":"g","labels":["HIV"],"codes":{"SNOMED":["1"]}}]}`
	for _, tc := range []struct {
		packs []engine.Pack
		want  string
	}{
		{[]engine.Pack{{Name: "good.json", JSON: []byte(good)}, {Name: "my-pack.json", JSON: []byte(bad)}},
			`my-pack.json:5:8: rules[0].codes["http://loinc.org"][3]: must be a non-empty code`},
		{[]engine.Pack{{Name: "syntax.json", JSON: []byte("{\n  \"rules\": [\n    {\"id\": \"a\",, }\n  ]\n}")}},
			`syntax.json:3:16: malformed JSON: expected a member name`},
		{[]engine.Pack{{Name: "u.json", JSON: []byte("{\"rules\": [{\"id\": \"é\", \"labels\": [\"HIV\"], \"kodes\": {}}]}")}},
			`u.json:1:43: rules[0].kodes: unknown member`},
		{[]engine.Pack{{Name: "conf.json", JSON: []byte(`{"confidentiality": {"HIV": "X"}}`)}},
			`conf.json:1:29: confidentiality["HIV"]: must be one of U, L, M, N, R, V`},
		{[]engine.Pack{{Name: "arr.json", JSON: []byte(`[]`)}}, `arr.json:1:1: a rule pack is a JSON object`},
		{[]engine.Pack{{JSON: []byte(good)}, {JSON: []byte(`{"rules": [{"labels": ["HIV"]}]}`)}}, `pack 2:1:12: rules[0].id: every rule needs an id`},
	} {
		if got := compileErr(t, tc.packs...); got != tc.want {
			t.Errorf("got  %s\nwant %s", got, tc.want)
		}
	}
	// CompileRules names its packs pack 1, pack 2, ...
	_, err := engine.CompileRules([]byte(good), []byte(bad))
	if err == nil || !strings.Contains(err.Error(), `pack 2:5:8: rules[0].codes["http://loinc.org"][3]: `) {
		t.Errorf("CompileRules: %v", err)
	}
}

func TestCompileEmbeddedPacks(t *testing.T) {
	for _, name := range []string{"us-default", "us-broad"} {
		b, ok := engine.EmbeddedPack(name)
		if !ok {
			t.Fatalf("no embedded pack %s", name)
		}
		r, err := engine.CompilePacks(engine.Pack{Name: name, JSON: b})
		if err != nil || r.RuleCount() == 0 || len(r.Warnings()) != 0 {
			t.Fatalf("%s: %v, %d rules, warnings %q", name, err, r.RuleCount(), r.Warnings())
		}
		b[0] = 'x' // the caller's copy
	}
	if b, _ := engine.EmbeddedPack("us-default"); b[0] != '{' {
		t.Fatal("EmbeddedPack returned the embedded bytes themselves")
	}
	if _, ok := engine.EmbeddedPack("us-brod"); ok {
		t.Fatal("an unknown name found a pack")
	}
	// Routine prenatal care is only in the broad pack.
	prenatal := `{"resourceType":"Condition","code":{"coding":[{"system":"http://hl7.org/fhir/sid/icd-10-cm","code":"Z34.00"}]}}`
	if _, codes := labelWith(t, engine.DefaultRules(), prenatal); len(codes) != 0 {
		t.Fatalf("us-default labels routine prenatal care: %q", codes)
	}
	broad, _ := engine.EmbeddedPack("us-broad")
	both, err := engine.CompilePacks(engine.Pack{Name: "us-default", JSON: engine.DefaultPack()}, engine.Pack{Name: "us-broad", JSON: broad})
	if err != nil {
		t.Fatal(err)
	}
	if _, codes := labelWith(t, both, prenatal); len(codes) == 0 {
		t.Fatal("us-default and us-broad leave routine prenatal care unlabeled")
	}
	if conf, codes := labelWith(t, both, `{"resourceType":"Condition","code":{"coding":[{"system":"http://snomed.info/sct","code":"86406008"}]}}`); conf != "R" || !slices.Contains(codes, "HIV") {
		t.Fatalf("with us-broad, HIV is %s %q", conf, codes)
	}
}

func TestCompileRequestPacksByName(t *testing.T) {
	e, err := engine.New(engine.Options{})
	if err != nil {
		t.Fatal(err)
	}
	do := func(rules string) string {
		return string(e.Do(context.Background(), []byte(`{"op":"label","rules":`+rules+`,"resource":{"resourceType":"Condition","code":{"coding":[{"system":"http://snomed.info/sct","code":"86406008"},{"system":"http://snomed.info/sct","code":"123"}]}}}`)))
	}
	if got := do(`["us-default", "us-broad", {"rules":[{"id":"mine","labels":["PSY"],"codes":{"SNOMED":["123"]}}]}]`); !strings.Contains(got, `"rule":"hiv"`) || !strings.Contains(got, `"rule":"mine"`) {
		t.Errorf("named and inline packs: %s", got)
	}
	if got := do(`["us-default"]`); !strings.Contains(got, `"rule":"hiv"`) {
		t.Errorf("us-default by name: %s", got)
	}
	if got := do(`["us-brod"]`); !strings.Contains(got, `"message":"rules[0]: no embedded pack is named \"us-brod\"; the embedded packs are \"us-default\" and \"us-broad\""`) {
		t.Errorf("unknown name: %s", got)
	}
	if got := do(`["us-default", "{\"rules\": [{\"id\": \"x\", \"labels\": [\"HIV\"], \"codes\": {\"LONIC\": [\"1\"]}}]}"]`); !strings.Contains(got, `"message":"rules[1]:1:53: rules[0].codes[\"LONIC\"]: unknown code system \"LONIC\"; did you mean \"http://loinc.org\"?"`) {
		t.Errorf("pack text: %s", got)
	}
}

// FuzzCompilePacks: any pack compiles or fails with invalid_rules naming
// the pack; nothing panics.
func FuzzCompilePacks(f *testing.F) {
	f.Add([]byte(`{"confidentiality":{"PSY":"N"},"rules":[{"id":"a","labels":["PSY"],"codes":{"SNOMED":["1"]},"ranges":{"ICD10CM":["F10-F19"]}}]}`))
	f.Add([]byte(`{"rules":[{"id":"s","labels":[{"system":"http://terminology.hl7.org/CodeSystem/v3-ActCode","code":"MENCAT"}],"codeSets":[{"codes":[{"system":"SNOMED-CT","code":"1","confidence":0.5}]}]}]}`))
	f.Add([]byte(`{"resourceType":"Bundle","entry":[{"resource":{"resourceType":"ValueSet","topic":[{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/v3-ActCode","code":"HIV"}]}],"compose":{"include":[{"system":"LIONC","concept":[{"code":"1"}]}]}}},{}]}`))
	f.Add([]byte("{\n \"rules\": [\n  {\"id\": \"\u00e9\", \"text\": [\"(\"]}]}"))
	f.Fuzz(func(t *testing.T, pack []byte) {
		_, err := engine.CompilePacks(engine.Pack{Name: "f.json", JSON: pack})
		if err == nil {
			return
		}
		var e *engine.Error
		if !errors.As(err, &e) || e.Code != engine.ErrInvalidRules || !strings.HasPrefix(e.Message, "f.json") {
			t.Fatalf("%v", err)
		}
	})
}
