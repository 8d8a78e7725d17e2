package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/seclabel/seclabel/engine"
	"github.com/valyala/fastjson"
)

const (
	patientR  = `{"resourceType":"Patient","id":"p","meta":{"security":[{"system":"http://terminology.hl7.org/CodeSystem/v3-Confidentiality","code":"R"}]}}`
	bundleRN  = `{"resourceType":"Bundle","id":"b","type":"collection","entry":[{"resource":` + patientR + `},{"resource":{"resourceType":"Observation","id":"o"}}]}`
	hivNoConf = `{"resourceType":"Condition","id":"c","meta":{"security":[{"system":"http://terminology.hl7.org/CodeSystem/v3-ActCode","code":"HIV"}]}}`
)

func runCLI(t *testing.T, stdin string, args ...string) (string, string, int) {
	t.Helper()
	var out, errb bytes.Buffer
	code := run(args, strings.NewReader(stdin), &out, &errb)
	return out.String(), errb.String(), code
}

func writeFile(t *testing.T, name, body string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// confOf returns the confidentiality code on a resource's meta.security.
func confOf(t *testing.T, line string) string {
	t.Helper()
	v, err := fastjson.Parse(line)
	if err != nil {
		t.Fatalf("output is not JSON: %v: %s", err, line)
	}
	for _, c := range v.GetArray("meta", "security") {
		if strings.HasSuffix(string(c.GetStringBytes("system")), "v3-Confidentiality") {
			return string(c.GetStringBytes("code"))
		}
	}
	return ""
}

func TestHWMFromFileAndStdin(t *testing.T) {
	p := writeFile(t, "b.json", bundleRN)
	out, _, code := runCLI(t, "", "hwm", p)
	if code != exitOK || confOf(t, out) != "R" {
		t.Fatalf("hwm FILE: code %d, output %s", code, out)
	}
	out2, _, code := runCLI(t, bundleRN, "hwm")
	if code != exitOK || out2 != out {
		t.Fatalf("hwm from stdin differs from hwm FILE (code %d)", code)
	}
	pretty, _, _ := runCLI(t, bundleRN, "hwm", "--pretty")
	if !strings.Contains(pretty, "\n  \"meta\": {") || confOf(t, pretty) != "R" {
		t.Fatalf("--pretty output not indented: %s", pretty)
	}
}

func TestOptionsReachTheEngine(t *testing.T) {
	out, _, code := runCLI(t, `{"resourceType":"Bundle","type":"collection","entry":[]}`, "hwm", "--option", "defaultConfidentiality=V")
	if code != exitOK || confOf(t, out) != "V" {
		t.Fatalf("defaultConfidentiality=V not applied: %s", out)
	}
	_, errs, code := runCLI(t, bundleRN, "hwm", "--option", "defaultConfidentiality=Q")
	if code != exitInput || !strings.Contains(errs, "invalid_option") {
		t.Fatalf("bad option value: code %d, stderr %q", code, errs)
	}
	_, errs, code = runCLI(t, bundleRN, "hwm", "--option", "nosuch=1")
	if code != exitUsage || !strings.Contains(errs, "unknown option") {
		t.Fatalf("unknown option: code %d, stderr %q", code, errs)
	}
	_, errs, code = runCLI(t, bundleRN, "hwm", "--option", "maxInputBytes=10")
	if code != exitInput || !strings.Contains(errs, "too_large") {
		t.Fatalf("maxInputBytes: code %d, stderr %q", code, errs)
	}
}

// An option given twice is one member of the request's options (an object
// naming a member twice is malformed JSON): the last value counts, a list
// adds up, and --audit keeps an auditTime given with --option.
func TestRepeatedOptions(t *testing.T) {
	empty := `{"resourceType":"Bundle","type":"collection","entry":[]}`
	out, errs, code := runCLI(t, empty, "hwm", "--option", "defaultConfidentiality=R", "--option", "defaultConfidentiality=V")
	if code != exitOK || confOf(t, out) != "V" {
		t.Fatalf("the last defaultConfidentiality should count: code %d, %s %s", code, out, errs)
	}
	const sens = `{"resourceType":"Bundle","type":"collection","entry":[` +
		`{"resource":{"resourceType":"Condition","id":"a","meta":{"security":[{"system":"http://terminology.hl7.org/CodeSystem/v3-ActCode","code":"HIV"}]}}},` +
		`{"resource":{"resourceType":"Condition","id":"b","meta":{"security":[{"system":"http://terminology.hl7.org/CodeSystem/v3-ActCode","code":"ETH"}]}}}]}`
	union := []string{"hwm", "--option", "envelopeSensitivity=union", "--option", "privacyRevealing=HIV"}
	out, errs, code = runCLI(t, sens, union...)
	mark := func(out string) string { return out[:max(strings.Index(out, `"entry"`), 0)] }
	if code != exitOK || !strings.Contains(mark(out), `"code":"ETH"`) {
		t.Fatalf("privacyRevealing=HIV alone should let ETH into the mark: code %d, %s %s", code, out, errs)
	}
	out, errs, code = runCLI(t, sens, append(union, "--option", "privacyRevealing=ETH")...)
	if code != exitOK || mark(out) == "" || strings.Contains(mark(out), `"ETH"`) {
		t.Fatalf("privacyRevealing given twice should hold both codes: code %d, %s %s", code, out, errs)
	}
	_, errs, code = runCLI(t, bundleRN, "redact", "--audit", "--option", "auditTime=2020-01-01T00:00:00Z")
	if code != exitOK || !strings.Contains(errs, `"recorded":"2020-01-01T00:00:00Z"`) {
		t.Fatalf("--audit with an auditTime option: code %d, stderr %q", code, errs)
	}
}

func TestNDJSONKeepsOrder(t *testing.T) {
	var in strings.Builder
	const n = 200
	for i := 0; i < n; i++ {
		if i%3 == 0 {
			in.WriteString(patientR + "\n")
		} else {
			in.WriteString(`{"resourceType":"Observation","id":"o` + string(rune('a'+i%26)) + `"}` + "\n")
		}
	}
	p := writeFile(t, "in.ndjson", in.String())
	out, errs, code := runCLI(t, "", "hwm", p)
	if code != exitOK {
		t.Fatalf("code %d: %s", code, errs)
	}
	lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	if len(lines) != n {
		t.Fatalf("%d output lines for %d input lines", len(lines), n)
	}
	for i, l := range lines {
		want := "N"
		if i%3 == 0 {
			want = "R"
		}
		if got := confOf(t, l); got != want {
			t.Fatalf("line %d: confidentiality %q, want %q (order lost?)", i+1, got, want)
		}
	}
	// Detected by content too, from stdin.
	out2, _, code := runCLI(t, in.String(), "hwm")
	if code != exitOK || out2 != out {
		t.Fatal("NDJSON from stdin was not detected or differs")
	}
}

func TestNDJSONStopsAtBadLine(t *testing.T) {
	in := patientR + "\n" + `{"resourceType":` + "\n" + patientR + "\n"
	out, errs, code := runCLI(t, in, "hwm", "--ndjson")
	if code != exitInput || !strings.Contains(errs, "line 2: invalid_json") {
		t.Fatalf("code %d, stderr %q", code, errs)
	}
	if strings.Count(out, "\n") != 1 {
		t.Fatalf("want only the line before the bad one written, got %q", out)
	}
}

func TestBadInputExitsWithCode(t *testing.T) {
	cases := map[string]string{
		`{"resourceType": "Patient",`: "invalid_json",
		`[1, 2]`:                      "not_fhir",
		`{"resourceType": "Foo"}`:     "unsupported_resource",
	}
	for in, want := range cases {
		out, errs, code := runCLI(t, in, "hwm")
		if code != exitInput || !strings.HasPrefix(errs, "seclabel: "+want+": ") || strings.Count(errs, "\n") != 1 || out != "" {
			t.Errorf("%s: code %d, stdout %q, stderr %q; want exit %d and one line with %s", in, code, out, errs, exitInput, want)
		}
	}
	_, errs, _ := runCLI(t, "{\n  \"resourceType\": \"Patient\",\n}", "hwm")
	if !strings.Contains(errs, "line 3, column 1") {
		t.Errorf("position not reported in input terms: %q", errs)
	}
}

func TestValidateExitStatus(t *testing.T) {
	out, _, code := runCLI(t, patientR, "validate")
	if code != exitOK || fastjson.Validate(out) != nil {
		t.Fatalf("clean resource: code %d, output %s", code, out)
	}
	// A missing confidentiality is a warning (FHIR core), which does not
	// fail the run; requireConfidentiality makes it the HCS error.
	out, _, code = runCLI(t, hivNoConf, "validate")
	if code != exitOK || !strings.Contains(out, `"severity":"warning","code":"confidentiality-missing"`) {
		t.Fatalf("resource with a warning: code %d, output %s", code, out)
	}
	req := []string{"validate", "--option", "requireConfidentiality=true"}
	out, _, code = runCLI(t, hivNoConf, req...)
	if code != exitFindings || !strings.Contains(out, `"severity":"error","code":"confidentiality-missing"`) {
		t.Fatalf("resource with errors: code %d, output %s", code, out)
	}
	out, _, code = runCLI(t, hivNoConf, append(req, "--outcome")...)
	v, err := fastjson.Parse(out)
	if code != exitFindings || err != nil || string(v.GetStringBytes("resourceType")) != "OperationOutcome" {
		t.Fatalf("--outcome: code %d, output %s", code, out)
	}
	_, _, code = runCLI(t, patientR+"\n"+hivNoConf+"\n", req...)
	if code != exitFindings {
		t.Fatalf("NDJSON with one bad resource: code %d", code)
	}
}

func TestUsage(t *testing.T) {
	if out, _, code := runCLI(t, "", "help"); code != exitOK || !strings.Contains(out, "seclabel hwm") {
		t.Fatalf("help: %d %q", code, out)
	}
	if out, _, _ := runCLI(t, "", "help"); !strings.Contains(out, "--ignore CODES") || !strings.Contains(out, "add up") || !strings.Contains(out, "without a second pass") {
		t.Fatalf("help says nothing of --ignore, repeated list flags or one-pass redaction: %q", out)
	}
	if out, _, code := runCLI(t, "", "hwm", "--help"); code != exitOK || !strings.Contains(out, "--option") {
		t.Fatalf("hwm --help: %d", code)
	}
	if out, _, code := runCLI(t, "", "version"); code != exitOK || !strings.HasPrefix(out, "seclabel ") {
		t.Fatalf("version: %d %q", code, out)
	}
	if _, errs, code := runCLI(t, "", "label-everything"); code != exitUsage || !strings.Contains(errs, "unknown command") {
		t.Fatalf("unknown command: %d %q", code, errs)
	}
	if _, _, code := runCLI(t, ""); code != exitUsage {
		t.Fatalf("no args: %d", code)
	}
	if _, errs, code := runCLI(t, "", "hwm", "--bogus"); code != exitUsage || !strings.Contains(errs, "unknown flag") {
		t.Fatalf("unknown flag: %d %q", code, errs)
	}
	if _, _, code := runCLI(t, "", "hwm", "/no/such/file.json"); code != exitIO {
		t.Fatalf("missing file: %d", code)
	}
}

func TestOutputFile(t *testing.T) {
	dst := filepath.Join(t.TempDir(), "out.json")
	if _, errs, code := runCLI(t, bundleRN, "hwm", "-o", dst); code != exitOK {
		t.Fatalf("code %d: %s", code, errs)
	}
	b, err := os.ReadFile(dst)
	if err != nil || confOf(t, string(b)) != "R" {
		t.Fatalf("output file: %v %s", err, b)
	}
}

// "-o -" is standard output, as "-" is standard input: no file named "-".
func TestOutputDash(t *testing.T) {
	dir := t.TempDir()
	wd, _ := os.Getwd()
	if err := os.Chdir(dir); err != nil {
		t.Fatal(err)
	}
	defer os.Chdir(wd)
	out, errs, code := runCLI(t, bundleRN, "hwm", "-o", "-")
	if code != exitOK || confOf(t, out) != "R" {
		t.Fatalf("code %d: %s %s", code, errs, out)
	}
	if _, err := os.Stat(filepath.Join(dir, "-")); err == nil {
		t.Fatal(`-o - wrote a file named "-"`)
	}
}

// Redaction judges labels: an unlabeled input is released with a warning
// on stderr, and labelFirst labels it within the call.
func TestRedactUnlabeledInput(t *testing.T) {
	const hiv = `{"resourceType":"Condition","id":"c","code":{"coding":[{"system":"http://snomed.info/sct","code":"86406008"}]}}`
	out, errs, code := runCLI(t, hiv, "redact", "--deny", "HIV", "--clearance", "V")
	if code != exitOK || !strings.Contains(out, "86406008") || !strings.Contains(errs, "no security labels") {
		t.Fatalf("without labelFirst: code %d, out %s, stderr %q", code, out, errs)
	}
	out, errs, code = runCLI(t, hiv, "redact", "--deny", "HIV", "--clearance", "V", "--option", "labelFirst=true")
	if code != exitOK || strings.TrimSpace(out) != "null" || strings.Contains(errs, "no security labels") {
		t.Fatalf("with labelFirst: code %d, out %s, stderr %q", code, out, errs)
	}
}

const opioidCondition = `{"resourceType":"Condition","id":"c","code":{"coding":[{"system":"http://snomed.info/sct","code":"5602001"}]}}`

func codesOf(t *testing.T, line string) []string {
	t.Helper()
	v, err := fastjson.Parse(line)
	if err != nil {
		t.Fatalf("output is not JSON: %v: %s", err, line)
	}
	var codes []string
	for _, c := range v.GetArray("meta", "security") {
		codes = append(codes, string(c.GetStringBytes("code")))
	}
	return codes
}

func TestLabelWithDefaultPack(t *testing.T) {
	out, errs, code := runCLI(t, opioidCondition, "label")
	if code != exitOK {
		t.Fatalf("code %d: %s", code, errs)
	}
	if got := strings.Join(codesOf(t, out), ","); got != "R,OPIOIDUD,SUD,42CFRPart2,NORDSCLCD,RedisclosureProhibitionMark" {
		t.Fatalf("labels %s", got)
	}
	if !strings.Contains(out, "extension-display") || !strings.Contains(out, "(42 CFR part 2)") {
		t.Fatalf("no 42 CFR 2.32 notice: %s", out)
	}
	out, _, _ = runCLI(t, opioidCondition, "label", "--option", "part2Notice=false")
	if got := strings.Join(codesOf(t, out), ","); got != "R,OPIOIDUD,SUD,42CFRPart2,NORDSCLCD" || strings.Contains(out, "extension-display") {
		t.Fatalf("part2Notice=false: %s", out)
	}
	// Unmatched input comes back as it was.
	in := `{"resourceType": "Patient",   "id": "p"}`
	out, _, _ = runCLI(t, in, "label")
	if out != in+"\n" {
		t.Fatalf("unmatched resource changed: %q", out)
	}
}

func TestLabelWithRulesFiles(t *testing.T) {
	pack := writeFile(t, "pack.json", `{"name":"t","rules":[{"id":"hiv","labels":["HIV"],"confidentiality":"V","codes":{"$SNOMED":["86406008"]}}]}`)
	shares := writeFile(t, "shares.json", `{"rules":[{"id":"s","labels":[{"system":"http://terminology.hl7.org/CodeSystem/v3-ActCode","code":"MENCAT"}],"codeSets":[{"groupID":"g","codes":[{"system":"http://snomed.info/sct","code":"1","confidence":1}]}]}]}`)
	in := `{"resourceType":"Condition","code":{"coding":[{"system":"http://snomed.info/sct","code":"86406008"}]}}`
	out, errs, code := runCLI(t, in, "label", "--rules", pack, "--rules", shares)
	if code != exitOK || strings.Join(codesOf(t, out), ",") != "V,HIV" {
		t.Fatalf("code %d, output %s, stderr %s", code, out, errs)
	}
	if !strings.Contains(errs, "MENCAT is not a security label code") {
		t.Fatalf("importer warning missing: %q", errs)
	}
	bad := writeFile(t, "bad.json", `{"rules":[{"id":"x","labels":["HIV"],"codes":{"http://snomed.info/sct":"86406008"}}]}`)
	_, errs, code = runCLI(t, in, "label", "--rules", bad)
	if code != exitInput || !strings.Contains(errs, "invalid_rules: "+bad+`:1:72: rules[0].codes["http://snomed.info/sct"]: must be an array of codes`) {
		t.Fatalf("bad pack: code %d, stderr %q", code, errs)
	}
}

func TestRulesErrorsAndWarningsNameTheFile(t *testing.T) {
	in := `{"resourceType":"Condition","code":{"coding":[{"system":"http://snomed.info/sct","code":"86406008"}]}}`
	bad := writeFile(t, "my-pack.json", "{\n  \"rules\": [\n    {\"id\": \"a\", \"labels\": [\"HIV\"],\n     \"codes\": {\"http://loinc.org\": [\"1\", \"2\", \"3\",\n       \"\"]}}\n  ]\n}\n")
	_, errs, code := runCLI(t, in, "label", "--rules", bad)
	if want := "seclabel: invalid_rules: " + bad + `:5:8: rules[0].codes["http://loinc.org"][3]: must be a non-empty code`; code != exitInput || strings.TrimSpace(errs) != want {
		t.Fatalf("code %d, stderr %q, want %q", code, errs, want)
	}
	sys := writeFile(t, "sys.json", `{"rules":[{"id":"a","labels":["HIV"],"codes":{"SNOMED-CT":["1"]}}]}`)
	if _, errs, code = runCLI(t, in, "label", "--rules", sys); code != exitInput || !strings.Contains(errs, `unknown code system "SNOMED-CT"; did you mean "http://snomed.info/sct"?`) {
		t.Fatalf("unknown system: code %d, stderr %q", code, errs)
	}
	syntax := writeFile(t, "syntax.json", "{\"rules\": [\n  {\"id\": }]}")
	if _, errs, code = runCLI(t, in, "label", "--rules", syntax); code != exitInput || !strings.Contains(errs, syntax+":2:10: malformed JSON") {
		t.Fatalf("syntax error: code %d, stderr %q", code, errs)
	}
	shares := writeFile(t, "shares.json", `{"rules":[{"id":"s0","labels":[{"system":"http://terminology.hl7.org/CodeSystem/v3-ActCode","code":"HIV"}],"codeSets":[{"codes":[{"system":"SNOMED","code":"1"}]}]},{"id":"shares-rule-mh","labels":[{"system":"http://terminology.hl7.org/CodeSystem/v3-ActCode","code":"MENCAT"},{"system":"http://terminology.hl7.org/CodeSystem/v3-ActCode","code":"MH"}],"codeSets":[{"codes":[{"system":"SNOMED","code":"2"}]}]}]}`)
	empty := writeFile(t, "empty.json", `{"name":"nothing"}`)
	_, errs, code = runCLI(t, in, "label", "--rules", shares, "--rules", empty)
	if code != exitOK || !strings.Contains(errs, "seclabel: warning: "+shares+": rules[1] (shares-rule-mh): label MENCAT is not a security label code; left out\n") ||
		!strings.Contains(errs, "seclabel: warning: "+empty+": the pack has no rules\n") {
		t.Fatalf("warnings: code %d, stderr %q", code, errs)
	}
}

func TestRulesCombineWithoutLoweringConfidentiality(t *testing.T) {
	mine := writeFile(t, "my-pack.json", `{"confidentiality":{"PSY":"N"},"rules":[{"id":"psy","labels":["PSY"],"codes":{"SNOMED":["123"]}}]}`)
	shares := writeFile(t, "shares-rules.json", `{"rules":[{"id":"s","labels":[{"system":"http://terminology.hl7.org/CodeSystem/v3-ActCode","code":"PSY"}],"codeSets":[{"codes":[{"system":"http://snomed.info/sct","code":"999","confidence":1}]}]}]}`)
	in := `{"resourceType":"Condition","code":{"coding":[{"system":"http://snomed.info/sct","code":"123"}]}}`
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--rules", mine}, "N,PSY"},
		{[]string{"--rules", shares}, ""},
		{[]string{"--rules", mine, "--rules", shares}, "R,PSY"},
		{[]string{"--rules", shares, "--rules", mine}, "R,PSY"},
		{[]string{"--rules", mine, "--pack", "us-default"}, "R,PSY"},
	} {
		out, errs, code := runCLI(t, in, append([]string{"label"}, tc.args...)...)
		if got := strings.Join(codesOf(t, out), ","); code != exitOK || got != tc.want {
			t.Errorf("%v: code %d, labels %q, want %q; %s", tc.args, code, got, tc.want, errs)
		}
	}
	_, errs, _ := runCLI(t, in, "label", "--rules", mine, "--rules", shares)
	if !strings.Contains(errs, `seclabel: warning: `+mine+`: confidentiality["PSY"]: N is raised to R`) {
		t.Errorf("no warning that N was raised: %q", errs)
	}
}

func TestPackFlag(t *testing.T) {
	prenatal := `{"resourceType":"Condition","code":{"coding":[{"system":"http://hl7.org/fhir/sid/icd-10-cm","code":"Z34.00"}]}}`
	hiv := `{"resourceType":"Condition","code":{"coding":[{"system":"http://snomed.info/sct","code":"86406008"}]}}`
	mine := writeFile(t, "mine.json", `{"rules":[{"id":"mine","labels":["PSY"],"codes":{"SNOMED":["123"]}}]}`)
	labels := func(in string, args ...string) string {
		t.Helper()
		out, errs, code := runCLI(t, in, append([]string{"label"}, args...)...)
		if code != exitOK || errs != "" {
			t.Fatalf("%v: code %d, stderr %q", args, code, errs)
		}
		return strings.Join(codesOf(t, out), ",")
	}
	// Routine prenatal care is only in us-broad; --pack us-broad alone keeps the default pack.
	if got := labels(prenatal); got != "" {
		t.Fatalf("the default pack labels routine prenatal care: %s", got)
	}
	if got := labels(prenatal, "--pack", "us-broad"); got == "" {
		t.Fatal("--pack us-broad leaves routine prenatal care unlabeled")
	}
	for _, args := range [][]string{{"--pack", "us-broad"}, {"--pack", "us-default", "--pack", "us-broad"}, {"--pack", "us-default"}} {
		if got := labels(hiv, args...); got != "R,HIV" {
			t.Fatalf("%v: HIV labeled %q", args, got)
		}
	}
	// With --rules, the default pack applies only when named.
	if got := labels(hiv, "--rules", mine, "--pack", "us-broad"); got != "" {
		t.Fatalf("--rules with --pack us-broad still uses us-default: %s", got)
	}
	if got := labels(hiv, "--rules", mine, "--pack", "us-default"); got != "R,HIV" {
		t.Fatalf("--rules with --pack us-default: %s", got)
	}
	if _, errs, code := runCLI(t, hiv, "label", "--pack", "us-brod"); code != exitUsage || !strings.Contains(errs, `--pack is us-default or us-broad, not "us-brod"`) {
		t.Fatalf("unknown pack: code %d, stderr %q", code, errs)
	}
}

func TestLabelNDJSONInOrderWithOptions(t *testing.T) {
	var in strings.Builder
	for i := 0; i < 60; i++ {
		if i%2 == 0 {
			in.WriteString(opioidCondition + "\n")
		} else {
			in.WriteString(`{"resourceType":"Observation","id":"o","code":{"coding":[{"system":"http://loinc.org","code":"1","display":"HIV viral load"}]}}` + "\n")
		}
	}
	out, errs, code := runCLI(t, in.String(), "label", "--option", "textMatch=true")
	if code != exitOK {
		t.Fatalf("code %d: %s", code, errs)
	}
	for i, l := range strings.Split(strings.TrimSuffix(out, "\n"), "\n") {
		want := "R,HIV"
		if i%2 == 0 {
			want = "R,OPIOIDUD,SUD,42CFRPart2,NORDSCLCD,RedisclosureProhibitionMark"
		}
		if got := strings.Join(codesOf(t, l), ","); got != want {
			t.Fatalf("line %d: %s, want %s", i+1, got, want)
		}
	}
}

func TestRedactFlagsAndContextFile(t *testing.T) {
	bundle := `{"resourceType":"Bundle","type":"searchset","total":2,"entry":[` +
		`{"fullUrl":"urn:uuid:c1","resource":{"resourceType":"Condition","id":"c1","meta":{"security":[{"system":"http://terminology.hl7.org/CodeSystem/v3-Confidentiality","code":"R"},{"system":"http://terminology.hl7.org/CodeSystem/v3-ActCode","code":"HIV"}]}}},` +
		`{"fullUrl":"urn:uuid:o1","resource":{"resourceType":"Observation","id":"o1","status":"final","code":{"text":"x"},"focus":[{"reference":"urn:uuid:c1"}]}}]}`
	out, errs, code := runCLI(t, bundle, "redact", "--clearance", "R", "--pou", "TREAT", "--deny", "HIV,SUD")
	if code != exitOK {
		t.Fatalf("code %d: %s", code, errs)
	}
	v := fastjson.MustParse(out)
	if n := len(v.GetArray("entry")); n != 1 || v.GetInt("total") != 1 {
		t.Fatalf("want one entry and total 1, got %d entries: %s", n, out)
	}
	if v.Get("entry", "0", "resource", "focus", "0", "reference") != nil {
		t.Fatalf("reference to the withheld Condition not masked: %s", out)
	}
	ctxFile := writeFile(t, "ctx.json", `{"code":"REDACT","codes":["HIV"]}`)
	out2, _, code := runCLI(t, bundle, "redact", "--context", ctxFile)
	if code != exitOK || len(fastjson.MustParse(out2).GetArray("entry")) != 1 {
		t.Fatalf("--context: code %d, %s", code, out2)
	}
	_, errs, code = runCLI(t, bundle, "redact", "--clearance", "SECRET")
	if code != exitInput || !strings.Contains(errs, "invalid_context") {
		t.Fatalf("bad clearance: code %d, %q", code, errs)
	}
	_, errs, code = runCLI(t, bundle, "redact", "--audit", "--clearance", "R")
	if code != exitOK || !strings.Contains(errs, `"resourceType":"AuditEvent"`) {
		t.Fatalf("--audit: code %d, stderr %q", code, errs)
	}
	if _, _, code = runCLI(t, bundle, "hwm", "--deny", "HIV"); code != exitUsage {
		t.Fatalf("--deny outside redact: code %d", code)
	}
	if _, errs, code = runCLI(t, bundle, "hwm", "--audit"); code != exitUsage || !strings.Contains(errs, "--audit belongs to redact") {
		t.Fatalf("--audit outside redact: code %d, %q", code, errs)
	}
}

func TestEngineWasmGivesTheSameAnswers(t *testing.T) {
	cache := t.TempDir() // the compiled module lands here, not in the user's cache
	t.Setenv("SECLABEL_CACHE", cache)
	pack := writeFile(t, "pack.json", `{"name":"t","rules":[{"id":"hiv","labels":["HIV"],"confidentiality":"V","codes":{"$SNOMED":["86406008"]}}]}`)
	in := `{"resourceType":"Condition","code":{"coding":[{"system":"http://snomed.info/sct","code":"86406008"},{"system":"http://snomed.info/sct","code":"5602001"}]}}`
	for _, args := range [][]string{
		{"label"}, {"label", "--rules", pack}, {"label", "--pack", "us-broad"}, {"hwm"}, {"validate"}, {"redact", "--clearance", "R", "--deny", "SUD"}, {"marks"},
	} {
		native, _, c1 := runCLI(t, in, args...)
		wasm, errs, c2 := runCLI(t, in, append(args, "--engine", "wasm")...)
		if c1 != c2 || native != wasm {
			t.Fatalf("%v: native (exit %d) %s\nwasm (exit %d) %s %s", args, c1, native, c2, wasm, errs)
		}
	}
	if entries, _ := os.ReadDir(cache); len(entries) == 0 {
		t.Fatal("--engine wasm kept no compiled module in $SECLABEL_CACHE")
	}
	if _, _, code := runCLI(t, in, "hwm", "--engine", "jvm"); code != exitUsage {
		t.Fatalf("unknown engine: exit %d", code)
	}
}

func TestMarksCommand(t *testing.T) {
	in := `{"resourceType":"Patient","meta":{"security":[{"system":"http://terminology.hl7.org/CodeSystem/v3-ActCode","code":"CUIHLTH"}]}}`
	out, _, code := runCLI(t, in, "marks")
	want := `[{"location":"Patient","kind":"label","text":"CUI//HLTH","system":"http://terminology.hl7.org/CodeSystem/v3-ActCode","code":"CUIHLTH"}]` + "\n"
	if code != exitOK || out != want {
		t.Fatalf("marks: exit %d, %q", code, out)
	}
}

func TestServeUsage(t *testing.T) {
	if _, errs, code := runCLI(t, "", "serve", "--bogus"); code != exitUsage || !strings.Contains(errs, "--addr") {
		t.Fatalf("serve --bogus: exit %d, %q", code, errs)
	}
	if _, errs, code := runCLI(t, "", "serve", "--addr", "256.0.0.1:99999"); code != exitIO || !strings.Contains(errs, "seclabel serve") {
		t.Fatalf("serve on a bad address: exit %d, %q", code, errs)
	}
}

func TestRedactListFlagsAddUp(t *testing.T) {
	cfg, err := parseFlags("redact", []string{"--deny", "HIV", "--deny=SUD, ETH", "--allow", "MH", "--allow", "PSY",
		"--compartments", "A,B", "--compartments", "C", "--ignore", "http://example.org/labels", "--ignore", "http://example.org/x|Y,http://example.org/z",
		"--clearance", "N", "--clearance", "R"})
	if err != nil {
		t.Fatal(err)
	}
	want := `{"clearance":"R","deny":["HIV","SUD","ETH"],"allow":["MH","PSY"],"compartments":["A","B","C"],` +
		`"ignore":["http://example.org/labels","http://example.org/x|Y","http://example.org/z"]}`
	if string(cfg.context) != want {
		t.Fatalf("context\n%s\nwant\n%s", cfg.context, want)
	}
	// Both denials reach the engine: --deny HIV --deny SUD withholds both entries.
	bundle := `{"resourceType":"Bundle","type":"collection","entry":[` +
		`{"resource":{"resourceType":"Condition","id":"h","meta":{"security":[{"system":"http://terminology.hl7.org/CodeSystem/v3-ActCode","code":"HIV"}]}}},` +
		`{"resource":{"resourceType":"Condition","id":"s","meta":{"security":[{"system":"http://terminology.hl7.org/CodeSystem/v3-ActCode","code":"SUD"}]}}},` +
		`{"resource":{"resourceType":"Patient","id":"p"}}]}`
	out, errs, code := runCLI(t, bundle, "redact", "--clearance", "V", "--deny", "HIV", "--deny", "SUD")
	if code != exitOK {
		t.Fatalf("code %d: %s", code, errs)
	}
	if e := fastjson.MustParse(out).GetArray("entry"); len(e) != 1 || string(e[0].GetStringBytes("resource", "id")) != "p" {
		t.Fatalf("want only the Patient released: %s", out)
	}
	if _, errs, code := runCLI(t, bundle, "hwm", "--ignore", "http://example.org/labels"); code != exitUsage || !strings.Contains(errs, "belongs to redact") {
		t.Fatalf("--ignore outside redact: code %d, %q", code, errs)
	}
	ctxFile := writeFile(t, "ctx.json", `{"clearance":"R"}`)
	if _, errs, code := runCLI(t, bundle, "redact", "--context", ctxFile, "--ignore", "http://example.org/labels"); code != exitUsage || !strings.Contains(errs, "not both") {
		t.Fatalf("--ignore with --context: code %d, %q", code, errs)
	}
}

// Needs the engine's access-context member "ignore".
func TestRedactIgnoreReachesEngine(t *testing.T) {
	in := `{"resourceType":"Condition","id":"c1","meta":{"security":[{"system":"http://example.org/labels","code":"X"}]}}`
	out, errs, code := runCLI(t, in, "redact", "--clearance", "V", "--ignore", "http://example.org/labels")
	if code != exitOK || out != in+"\n" {
		t.Fatalf("label in an ignored system: code %d, output %q, stderr %q", code, out, errs)
	}
}

const hivCondition = `{"resourceType":"Condition","id":"c1","meta":{"security":[{"system":"http://terminology.hl7.org/CodeSystem/v3-ActCode","code":"HIV"}]}}`

func TestRedactNDJSONLeavesOutWithheldLines(t *testing.T) {
	vCondition := `{"resourceType":"Condition","meta":{"security":[{"system":"http://terminology.hl7.org/CodeSystem/v3-Confidentiality","code":"V"}]}}`
	in := hivCondition + "\n" + `{"resourceType":"Patient","id":"p"}` + "\n" + vCondition + "\n"
	out, errs, code := runCLI(t, in, "redact", "--clearance", "R", "--deny", "HIV")
	if code != exitOK || out != `{"resourceType":"Patient","id":"p"}`+"\n" {
		t.Fatalf("code %d, output %q, stderr %q", code, out, errs)
	}
	wantErr := "seclabel: line 1: withheld Condition/c1 (deny)\nseclabel: line 3: withheld Condition (clearance)\n" +
		"seclabel: 2 of 3 resources withheld and left out of the output\n" +
		"seclabel: references to resources withheld on other lines were not masked (that takes a second pass: give the input as a file)\n"
	if errs != wantErr {
		t.Fatalf("stderr %q, want %q", errs, wantErr)
	}
	// --response writes every response, the withheld ones with a null resource.
	out, errs, code = runCLI(t, in, "redact", "--clearance", "R", "--deny", "HIV", "--response")
	lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	if code != exitOK || len(lines) != 3 || fastjson.MustParse(lines[0]).Get("resource").Type() != fastjson.TypeNull {
		t.Fatalf("--response: code %d, output %q, stderr %q", code, out, errs)
	}

	// Many batches: the lines left out and the messages keep input order.
	var big strings.Builder
	const n = 600
	for i := 1; i <= n; i++ {
		if i%3 == 0 {
			big.WriteString(`{"resourceType":"Condition","id":"c` + strconv.Itoa(i) + `","meta":{"security":[{"system":"http://terminology.hl7.org/CodeSystem/v3-ActCode","code":"HIV"}]}}` + "\n")
		} else {
			big.WriteString(`{"resourceType":"Patient","id":"p` + strconv.Itoa(i) + `"}` + "\n")
		}
	}
	out, errs, code = runCLI(t, big.String(), "redact", "--deny", "HIV")
	if code != exitOK {
		t.Fatalf("code %d: %s", code, errs)
	}
	var want, wantLines strings.Builder
	for i := 1; i <= n; i++ {
		if i%3 == 0 {
			wantLines.WriteString("seclabel: line " + strconv.Itoa(i) + ": withheld Condition/c" + strconv.Itoa(i) + " (deny)\n")
		} else {
			want.WriteString(`{"resourceType":"Patient","id":"p` + strconv.Itoa(i) + `"}` + "\n")
		}
	}
	if out != want.String() {
		t.Fatal("output lines differ from the released input lines in order")
	}
	if !strings.HasPrefix(errs, wantLines.String()) {
		t.Fatalf("stderr does not list the withheld lines in order: %q", errs)
	}
}

func TestWithReferences(t *testing.T) {
	refs := []string{"Condition/c1", "urn:uuid:c5"}
	for in, want := range map[string]string{
		`{"clearance":"R","deny":["HIV"]}`: `{"clearance":"R","deny":["HIV"],"withheldReferences":["Condition/c1","urn:uuid:c5"]}`,
		// Those the context has already come first.
		` {"withheldReferences":["Encounter/e1"], "clearance":"R"}`: `{"clearance":"R","withheldReferences":["Encounter/e1","Condition/c1","urn:uuid:c5"]}`,
		// A context that is one obligation becomes the only item of obligations.
		`{"code":"REDACT","codes":["HIV"]}`: `{"obligations":[{"code":"REDACT","codes":["HIV"]}],"withheldReferences":["Condition/c1","urn:uuid:c5"]}`,
	} {
		got, err := withReferences([]byte(in), refs)
		if err != nil || string(got) != want {
			t.Errorf("%s:\ngot  %s (%v)\nwant %s", in, got, err, want)
		}
	}
	for _, in := range []string{`{"withheldReferences":"Condition/c1"}`, `["HIV"]`, `{`} {
		if got, err := withReferences([]byte(in), refs); err == nil {
			t.Errorf("%s: accepted, %s", in, got)
		}
	}
}

// NDJSON lines that refer to resources withheld on other lines: Condition/c1
// (line 1) and Observation/o2 (line 3, referred to by an absolute URL, and
// by its identifier alone and in a conditional reference) are withheld
// whole, and Condition/c5 and a Questionnaire (referred to by its canonical
// url and version) inside the Bundle on line 5.
var crossLineNDJSON = hivCondition + "\n" +
	`{"resourceType":"Observation","id":"o1","status":"final","code":{"text":"x"},"focus":[{"reference":"Condition/c1","display":"HIV infection"}],` +
	`"hasMember":[{"reference":"http://example.org/fhir/Observation/o2","display":"HIV viral load"}],"encounter":{"reference":"Encounter/e1","display":"Clinic visit"},` +
	`"derivedFrom":[{"reference":"Condition/c5","display":"HIV"},{"identifier":{"system":"urn:example:lab","value":"LAB-7"},"display":"HIV viral load"},` +
	`{"reference":"Observation?identifier=urn%3Aexample%3Alab%7CLAB-7"}],` +
	`"extension":[{"url":"http://example.org/fhir/StructureDefinition/questionnaire","valueCanonical":"http://example.org/fhir/Questionnaire/hiv-intake|3"}]}` + "\n" +
	`{"resourceType":"Observation","id":"o2","status":"final","code":{"text":"x"},"identifier":[{"system":"urn:example:lab","value":"LAB-7"}],"meta":{"security":[{"system":"http://terminology.hl7.org/CodeSystem/v3-ActCode","code":"HIV"}]}}` + "\n" +
	`{"resourceType":"Patient","id":"p"}` + "\n" +
	`{"resourceType":"Bundle","type":"collection","entry":[{"fullUrl":"urn:uuid:c5","resource":{"resourceType":"Condition","id":"c5","meta":{"security":[{"system":"http://terminology.hl7.org/CodeSystem/v3-ActCode","code":"HIV"}]}}},` +
	`{"resource":{"resourceType":"Questionnaire","url":"http://example.org/fhir/Questionnaire/hiv-intake","status":"active","meta":{"security":[{"system":"http://terminology.hl7.org/CodeSystem/v3-ActCode","code":"HIV"}]}}},` +
	`{"resource":{"resourceType":"Patient","id":"p2"}}]}` + "\n"

// recorder passes requests to the engine and records the withheldReferences
// of each request's context, which it takes out, for engines that do not
// know the member.
type recorder struct {
	d    doer
	mu   sync.Mutex
	refs []string // each request's withheldReferences as JSON, "" without
}

func (r *recorder) Do(ctx context.Context, req []byte) []byte {
	env, rest, _ := bytes.Cut(req, []byte{0})
	v := fastjson.MustParseBytes(env)
	got := ""
	if c := v.GetObject("context"); c != nil && c.Get("withheldReferences") != nil {
		got = c.Get("withheldReferences").String()
		c.Del("withheldReferences")
	}
	r.mu.Lock()
	r.refs = append(r.refs, got)
	r.mu.Unlock()
	return r.d.Do(ctx, append(append(v.MarshalTo(nil), 0), rest...))
}

// redactDenyingHIV runs redact --deny HIV on the file at p through the
// doer wrap makes of a native engine, and returns stdout and stderr.
func redactDenyingHIV(t *testing.T, p string, wrap func(doer) doer) (out, errb bytes.Buffer) {
	t.Helper()
	cfg, err := parseFlags("redact", []string{"--deny", "HIV", p})
	if err != nil {
		t.Fatal(err)
	}
	eng, err := engine.New(engine.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if code := execute(context.Background(), cfg, wrap(eng), nil, &out, &errb); code != exitOK {
		t.Fatalf("code %d: %s", code, errb.String())
	}
	return out, errb
}

func TestRedactNDJSONFileSendsWithheldReferences(t *testing.T) {
	p := writeFile(t, "in.ndjson", crossLineNDJSON)
	var rec *recorder
	out, errb := redactDenyingHIV(t, p, func(d doer) doer { rec = &recorder{d: d}; return rec })
	// Pass 1 without the member; pass 2 with what it found, which finds
	// nothing more; the writing pass with every withheld resource.
	const all = `["Condition/c1","Condition/c5","Observation/o2","Observation?identifier=urn:example:lab|LAB-7","http://example.org/fhir/Questionnaire/hiv-intake","urn:uuid:c5"]`
	if len(rec.refs) != 15 || slices.Index(rec.refs[:5], all) >= 0 || strings.Count(strings.Join(rec.refs, "\n"), all) != 10 {
		t.Fatalf("requests' withheldReferences: %q", rec.refs)
	}
	if lines := strings.Split(strings.TrimSuffix(out.String(), "\n"), "\n"); len(lines) != 3 {
		t.Fatalf("want o1, the Patient and the Bundle written: %s", out.String())
	}
	wantErr := "seclabel: line 1: withheld Condition/c1 (deny)\nseclabel: line 3: withheld Observation/o2 (deny)\n" +
		"seclabel: 2 of 5 resources withheld and left out of the output\n"
	if errb.String() != wantErr {
		t.Fatalf("stderr %q, want %q", errb.String(), wantErr)
	}

	// From standard input, one pass, without the member, and a warning.
	rec.refs = nil
	cfg, _ := parseFlags("redact", []string{"--deny", "HIV"})
	out.Reset()
	errb.Reset()
	if code := execute(context.Background(), cfg, rec, strings.NewReader(crossLineNDJSON), &out, &errb); code != exitOK {
		t.Fatalf("stdin: code %d: %s", code, errb.String())
	}
	if len(rec.refs) != 5 || strings.Join(rec.refs, "") != "" || !strings.Contains(errb.String(), "give the input as a file") {
		t.Fatalf("stdin: requests' withheldReferences %q, stderr %q", rec.refs, errb.String())
	}
}

// Needs the engine's access-context member "withheldReferences".
func TestRedactNDJSONFileMasksReferencesAcrossLines(t *testing.T) {
	p := writeFile(t, "in.ndjson", crossLineNDJSON)
	check := func(args ...string) *fastjson.Value {
		t.Helper()
		out, errs, code := runCLI(t, "", append([]string{"redact"}, append(args, p)...)...)
		lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
		if code != exitOK || len(lines) != 3 {
			t.Fatalf("%v: code %d, output %q, stderr %q", args, code, out, errs)
		}
		o1 := fastjson.MustParse(lines[0])
		for _, path := range [][]string{{"focus", "0"}, {"hasMember", "0"}, {"derivedFrom", "0"}, {"derivedFrom", "1"}, {"derivedFrom", "2"}, {"extension", "0", "_valueCanonical"}} {
			ref := o1.Get(path...)
			if ref == nil || ref.Get("reference") != nil || ref.Get("display") != nil || !strings.Contains(ref.String(), "masked") {
				t.Fatalf("%v: %s not masked: %s", args, path[0], lines[0])
			}
		}
		if strings.Contains(lines[0], "HIV") {
			t.Fatalf("%v: display text of a withheld resource released: %s", args, lines[0])
		}
		return o1
	}
	if o1 := check("--deny", "HIV"); o1.Get("encounter", "reference") == nil {
		t.Fatal("the Encounter reference was masked though nothing withheld it")
	}
	// A context file's own withheldReferences are kept and added to.
	ctx := writeFile(t, "ctx.json", `{"deny":["HIV"],"withheldReferences":["Encounter/e1"]}`)
	if o1 := check("--context", ctx); o1.Get("encounter", "reference") != nil {
		t.Fatalf("the context's own withheldReferences were lost: %s", o1.String())
	}
	// A context that is one obligation.
	check("--context", writeFile(t, "obl.json", `{"code":"REDACT","codes":["HIV"]}`))
}

func TestRedactNDJSONFileFailsClosed(t *testing.T) {
	in := `{"resourceType":"Patient","id":"p"}` + "\n" + hivCondition + "\n" + `{"resourceType":` + "\n" + `{"resourceType":"Patient","id":"q"}` + "\n"
	p := writeFile(t, "in.ndjson", in)
	out, errs, code := runCLI(t, "", "redact", "--deny", "HIV", p)
	if code != exitInput || out != "" || !strings.HasPrefix(errs, "seclabel: line 3: invalid_json: ") || strings.Count(errs, "\n") != 1 {
		t.Fatalf("file: code %d, output %q, stderr %q", code, out, errs)
	}
	// From standard input the lines before the bad one are written.
	out, errs, code = runCLI(t, in, "redact", "--deny", "HIV")
	if code != exitInput || out != `{"resourceType":"Patient","id":"p"}`+"\n" || !strings.Contains(errs, "line 3: invalid_json") {
		t.Fatalf("stdin: code %d, output %q, stderr %q", code, out, errs)
	}
	// A file whose withheld resources nothing can refer to (no id) takes two
	// passes without withheldReferences.
	vCondition := `{"resourceType":"Condition","meta":{"security":[{"system":"http://terminology.hl7.org/CodeSystem/v3-Confidentiality","code":"V"}]}}`
	p = writeFile(t, "ok.ndjson", vCondition+"\n"+`{"resourceType":"Patient","id":"p"}`+"\n")
	out, errs, code = runCLI(t, "", "redact", p)
	if code != exitOK || out != `{"resourceType":"Patient","id":"p"}`+"\n" ||
		errs != "seclabel: line 1: withheld Condition (clearance)\nseclabel: 1 of 2 resources withheld and left out of the output\n" {
		t.Fatalf("file: code %d, output %q, stderr %q", code, out, errs)
	}
}

// A large Bundle is labeled as the engine labels it (the CLI streams the
// result, with the report's per-resource list left out), and --response
// still has the whole report.
func TestLabelLargeBundle(t *testing.T) {
	var b strings.Builder
	b.WriteString(`{"resourceType":"Bundle","type":"collection","entry":[`)
	for i := range 20000 {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(`{"resource":{"resourceType":"Condition","id":"c` + strconv.Itoa(i) + `","code":{"coding":[{"system":"http://snomed.info/sct","code":"86406008"}]}}}`)
	}
	b.WriteString(`]}`)
	in := b.String()
	e, _ := engine.New(engine.Options{})
	want, err := e.Label(context.Background(), []byte(in))
	if err != nil {
		t.Fatal(err)
	}
	out, errs, code := runCLI(t, in, "label")
	if code != exitOK || out != string(want.Resource)+"\n" {
		t.Fatalf("exit %d, %d bytes out (want %d), stderr %q", code, len(out), len(want.Resource)+1, errs)
	}
	resp, _, _ := runCLI(t, in, "label", "--response")
	v, err := fastjson.Parse(resp)
	if err != nil {
		t.Fatal(err)
	}
	if n := len(v.GetArray("report", "labeled")); n != 20000 {
		t.Errorf("--response reports %d labeled resources, want 20000", n)
	}
}

// TestRedactNDJSONChain: an Encounter for a withheld Condition on another
// line goes with it (inherit), and a reference to the Encounter on a third
// line is masked: the first pass runs again with what it found.
func TestRedactNDJSONChain(t *testing.T) {
	p := writeFile(t, "chain.ndjson", `{"resourceType":"Observation","id":"o1","status":"final","code":{"text":"Heart rate"},"encounter":{"reference":"Encounter/e1"}}
{"resourceType":"Encounter","id":"e1","status":"finished","class":{"system":"http://terminology.hl7.org/CodeSystem/v3-ActCode","code":"AMB"},"reasonReference":[{"reference":"Condition/c1"}]}
{"resourceType":"Condition","id":"c1","meta":{"security":[{"system":"http://terminology.hl7.org/CodeSystem/v3-ActCode","code":"HIV"}]},"code":{"text":"HIV"}}
`)
	out, errb := redactDenyingHIV(t, p, func(d doer) doer { return d })
	if got := strings.TrimSpace(out.String()); strings.Count(got, "\n") != 0 || strings.Contains(got, "Encounter/e1") || !strings.Contains(got, `"masked"`) {
		t.Errorf("want the Observation alone, its encounter masked: %s", got)
	}
	if !strings.Contains(errb.String(), "line 2: withheld Encounter/e1 (inherit)") {
		t.Errorf("stderr %q", errb.String())
	}
}
