package pipeline

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/apache/beam/sdks/v2/go/pkg/beam"
	"github.com/apache/beam/sdks/v2/go/pkg/beam/runners/prism"
	"github.com/apache/beam/sdks/v2/go/pkg/beam/testing/ptest"
)

func TestMain(m *testing.M) {
	ptest.Main(m)
}

// labelOptions let labels follow references forward (propagate) and back
// (the default inherit: claims, explanations of benefit, reports and
// medication orders).
const labelOptions = `{"propagate": ["Condition.encounter", "Observation.encounter", "Procedure.encounter"]}`

// recipient may not see HIV or substance use content.
const recipient = `{"clearance": "R", "purposeOfUse": "TREAT", "deny": ["HIV", "SUD"]}`

// TestProjectBundle runs the pipeline on a Bundle written here, split into
// one NDJSON file per type behind a bulk-export manifest, with bad lines
// added: labeling and redaction give every resource exactly as the engine
// gives it for the whole Bundle, and the bad lines are dead letters.
func TestProjectBundle(t *testing.T) {
	bundle := projectBundle(7)
	dir := t.TempDir()
	files := splitByType(t, bundle, filepath.Join(dir, "export"))
	bad := map[string]string{ // line -> the code it must get
		`{"resourceType": "Condition", "id": "broken",`: "invalid_json",
		`{"id": "no-type"}`:                             "not_fhir",
		`{"resourceType": "Spaceship", "id": "x"}`:      "unsupported_resource",
	}
	badFile := filepath.Join(dir, "export", "Condition.ndjson")
	appendLines(t, badFile, slices.Sorted(maps.Keys(bad)))
	writeManifest(t, filepath.Join(dir, "export", "manifest.json"), files)

	cfg := Config{Options: labelOptions}
	out := filepath.Join(dir, "labeled")
	run(t, Job{Op: "label", Config: cfg, Inputs: []string{filepath.Join(dir, "export", "manifest.json")}, Out: out, PatientHWM: true})
	want := engineLabel(t, cfg, bundle)
	got := readOutputs(t, out)
	compareResources(t, "label", got, want)
	flowed := 0
	for k, r := range want {
		alone := engineLabel(t, cfg, []byte(`{"resourceType":"Bundle","type":"collection","entry":[{"resource":`+string(entryOf(t, bundle, k))+`}]}`))
		if !sameJSON(t, alone[k], r) {
			flowed++
		}
	}
	if flowed == 0 {
		t.Fatal("no labels followed references in the project bundle: the test proves nothing")
	}
	t.Logf("%d of %d resources got labels from resources in other files", flowed, len(want))

	// The dead letters: each bad line with its code, file and line number.
	errs := readLines(t, filepath.Join(out, ErrorsFile))
	if len(errs) != len(bad) {
		t.Fatalf("errors.ndjson has %d lines, want %d: %s", len(errs), len(bad), errs)
	}
	lines := strings.Split(strings.TrimSpace(string(must(os.ReadFile(badFile)))), "\n")
	for _, e := range errs {
		var d struct {
			File, Code, Message string
			Line                int
		}
		if err := json.Unmarshal(e, &d); err != nil {
			t.Fatal(err)
		}
		if d.File != badFile || d.Line < 1 || d.Line > len(lines) || bad[lines[d.Line-1]] != d.Code || d.Message == "" {
			t.Errorf("dead letter %s does not name its line's file, number and code", e)
		}
	}
	sum := readSummary(t, out)
	if sum.Read != int64(len(want)+len(bad)) || sum.Errors != int64(len(bad)) || sum.NotConverged != 0 {
		t.Errorf("summary: read %d, errors %d, not converged %d; want %d, %d, 0", sum.Read, sum.Errors, sum.NotConverged, len(want)+len(bad), len(bad))
	}
	changed, codes := int64(0), map[string]int64{}
	for k, r := range want {
		if !sameJSON(t, r, entryOf(t, bundle, k)) {
			changed++
		}
		for _, c := range securityCodes(t, r) {
			codes[c]++
		}
	}
	if sum.Labeled != changed || !maps.Equal(sum.Labels, codes) {
		t.Errorf("summary: labeled %d, labels %v; want %d, %v", sum.Labeled, sum.Labels, changed, codes)
	}
	checkPatientHWM(t, cfg, out, got)

	// Redaction of what was labeled, from the pipeline's own output.
	rcfg := Config{Options: labelOptions, Context: recipient, AuditTime: "2026-01-02T03:04:05Z"}
	rout := filepath.Join(dir, "released")
	run(t, Job{Op: "redact", Config: rcfg, Inputs: []string{filepath.Join(out, "*.ndjson")}, Out: rout})
	checkRedaction(t, rcfg, labeledBundle(t, bundle, want), rout)
}

// TestSynthea does the same on Synthea patient bundles, when the shared
// data is present, as a bulk export gives them: references as Type/id.
func TestSynthea(t *testing.T) {
	files, _ := filepath.Glob("../../../../shared/data/synthea/*.json")
	var bundles []string
	for _, f := range files {
		if fi, err := os.Stat(f); err == nil && !strings.HasSuffix(f, "manifest.json") && fi.Size() < 1_200_000 {
			bundles = append(bundles, f)
		}
	}
	if len(bundles) == 0 {
		t.Skip("no Synthea bundles in ../shared/data/synthea")
	}
	if testing.Short() {
		bundles = bundles[:1]
	} else if len(bundles) > 3 {
		bundles = bundles[:3]
	}
	for _, f := range bundles {
		t.Run(filepath.Base(f), func(t *testing.T) {
			bundle := exportBundle(t, must(os.ReadFile(f)))
			dir := t.TempDir()
			splitByType(t, bundle, filepath.Join(dir, "export"))
			cfg := Config{Options: labelOptions}
			out := filepath.Join(dir, "labeled")
			run(t, Job{Op: "label", Config: cfg, Inputs: []string{filepath.Join(dir, "export", "*.ndjson")}, Out: out})
			want := engineLabel(t, cfg, bundle)
			compareResources(t, "label", readOutputs(t, out), want)
			rcfg := Config{Options: labelOptions, Context: recipient, AuditTime: "2026-01-02T03:04:05Z"}
			rout := filepath.Join(dir, "released")
			run(t, Job{Op: "redact", Config: rcfg, Inputs: []string{filepath.Join(out, "*.ndjson")}, Out: rout})
			checkRedaction(t, rcfg, labeledBundle(t, bundle, want), rout)
		})
	}
}

// TestRoundsBound checks that labels that need more rounds than allowed
// are reported, not silently missing.
func TestRoundsBound(t *testing.T) {
	bundle := projectBundle(3)
	dir := t.TempDir()
	splitByType(t, bundle, filepath.Join(dir, "export"))
	cfg := Config{Options: labelOptions, Rounds: 1}
	out := filepath.Join(dir, "labeled")
	run(t, Job{Op: "label", Config: cfg, Inputs: []string{filepath.Join(dir, "export", "*.ndjson")}, Out: out})
	sum := readSummary(t, out)
	if sum.NotConverged == 0 {
		t.Fatal("one round cannot carry a Condition's labels to the explanation of benefit of its encounter's claim, yet nothing is reported")
	}
	for _, e := range readLines(t, filepath.Join(out, ErrorsFile)) {
		if !bytes.Contains(e, []byte(`"not_converged"`)) {
			t.Errorf("unexpected dead letter %s", e)
		}
	}
}

func run(t *testing.T, j Job) {
	t.Helper()
	t.Setenv("TMPDIR", t.TempDir()) // Beam's loopback worker leaves a placeholder file there
	p, s := beam.NewPipelineWithRoot()
	if err := Build(context.Background(), s, j); err != nil {
		t.Fatal(err)
	}
	if _, err := prism.Execute(context.Background(), p); err != nil {
		t.Fatal(err)
	}
}

// checkRedaction compares the pipeline's redaction in dir with the
// engine's of the whole labeled Bundle: the same resources released, each
// the same, the rest withheld and listed, and some reference across files
// masked.
func checkRedaction(t *testing.T, cfg Config, labeled []byte, dir string) {
	t.Helper()
	e, err := cfg.Engine()
	if err != nil {
		t.Fatal(err)
	}
	res, err := redactOne(e, cfg.Context, labeled)
	if err != nil {
		t.Fatal(err)
	}
	want := entries(t, res.released)
	got := readOutputs(t, dir)
	compareResources(t, "redact", got, want)
	var withheld []string
	for k := range entries(t, labeled) {
		if _, ok := want[k]; !ok {
			withheld = append(withheld, k)
		}
	}
	var listed []string
	for _, l := range readLines(t, filepath.Join(dir, WithheldFile)) {
		var w struct{ Resource string }
		if err := json.Unmarshal(l, &w); err != nil {
			t.Fatal(err)
		}
		listed = append(listed, w.Resource)
	}
	sort.Strings(withheld)
	sort.Strings(listed)
	if len(withheld) == 0 || !slices.Equal(withheld, listed) {
		t.Errorf("withheld.ndjson lists %v; the engine withholds %v", listed, withheld)
	}
	masked := 0
	for _, r := range got {
		masked += bytes.Count(r, []byte(`"masked"`))
	}
	if masked == 0 {
		t.Error("no reference to a withheld resource was masked")
	}
	sum := readSummary(t, dir)
	if sum.Withheld != int64(len(withheld)) || sum.Released != int64(len(want)) || sum.Errors != 0 {
		t.Errorf("summary: withheld %d, released %d, errors %d; want %d, %d, 0", sum.Withheld, sum.Released, sum.Errors, len(withheld), len(want))
	}
	var audit struct {
		ResourceType string
		Entity       []struct {
			Detail []struct{ Type, ValueString string }
		}
	}
	if err := json.Unmarshal(must(os.ReadFile(filepath.Join(dir, AuditFile))), &audit); err != nil || audit.ResourceType != "AuditEvent" {
		t.Fatalf("audit.json is no AuditEvent: %v", err)
	}
	last := audit.Entity[len(audit.Entity)-1].Detail[0]
	if last.Type != "withheld-resources" || last.ValueString != fmt.Sprint(len(withheld)) {
		t.Errorf("the AuditEvent counts %v withheld, want %d", last, len(withheld))
	}
}

// checkPatientHWM compares each patient's mark with the engine's hwm of a
// collection of that patient's labeled resources.
func checkPatientHWM(t *testing.T, cfg Config, dir string, labeled map[string][]byte) {
	t.Helper()
	e, err := cfg.Engine()
	if err != nil {
		t.Fatal(err)
	}
	byPatient := map[string][]string{}
	for k, r := range labeled {
		var x struct{ Subject, Patient, Beneficiary struct{ Reference string } }
		if err := json.Unmarshal(r, &x); err != nil {
			t.Fatal(err)
		}
		p := x.Subject.Reference + x.Patient.Reference + x.Beneficiary.Reference
		if strings.HasPrefix(k, "Patient/") {
			p = k
		}
		if strings.HasPrefix(p, "Patient/") {
			byPatient[p] = append(byPatient[p], k)
		}
	}
	lines := readLines(t, filepath.Join(dir, HWMFile))
	if len(lines) != len(byPatient) {
		t.Fatalf("%d patient marks, want %d", len(lines), len(byPatient))
	}
	for _, l := range lines {
		var m struct {
			Patient, Confidentiality string
			Resources                int
		}
		if err := json.Unmarshal(l, &m); err != nil {
			t.Fatal(err)
		}
		keys := byPatient[m.Patient]
		var b bytes.Buffer
		b.WriteString(`{"resourceType":"Bundle","type":"collection","entry":[`)
		for i, k := range keys {
			if i > 0 {
				b.WriteByte(',')
			}
			fmt.Fprintf(&b, `{"resource":%s}`, labeled[k])
		}
		b.WriteString("]}")
		res, err := e.HWM(context.Background(), b.Bytes())
		if err != nil {
			t.Fatal(err)
		}
		if m.Resources != len(keys) || m.Confidentiality != res.Report.Marks[0].Confidentiality {
			t.Errorf("%s: mark %s over %d resources, the engine's %s over %d", m.Patient, m.Confidentiality, m.Resources, res.Report.Marks[0].Confidentiality, len(keys))
		}
	}
}

// engineLabel labels a Bundle whole with the engine and returns its
// entries by Type/id.
func engineLabel(t *testing.T, cfg Config, bundle []byte) map[string][]byte {
	t.Helper()
	e, err := cfg.Engine()
	if err != nil {
		t.Fatal(err)
	}
	res, err := e.Label(context.Background(), bundle)
	if err != nil {
		t.Fatal(err)
	}
	return entries(t, res.Resource)
}

func compareResources(t *testing.T, what string, got, want map[string][]byte) {
	t.Helper()
	for k, w := range want {
		g, ok := got[k]
		if !ok {
			t.Errorf("%s: %s is missing from the pipeline's output", what, k)
			continue
		}
		if !sameJSON(t, g, w) {
			t.Errorf("%s: %s differs from the engine's on the whole Bundle:\n got %s\nwant %s", what, k, g, w)
		}
	}
	for k := range got {
		if _, ok := want[k]; !ok {
			t.Errorf("%s: the pipeline wrote %s, which the engine does not give", what, k)
		}
	}
}

// readOutputs reads every <Type>.ndjson of dir, by Type/id.
func readOutputs(t *testing.T, dir string) map[string][]byte {
	t.Helper()
	out := map[string][]byte{}
	files, _ := filepath.Glob(filepath.Join(dir, "*.ndjson"))
	for _, f := range files {
		switch filepath.Base(f) {
		case ErrorsFile, WithheldFile, HWMFile:
			continue
		}
		for _, l := range readLines(t, f) {
			k := keyOf(t, l)
			if _, dup := out[k]; dup {
				t.Errorf("%s written twice", k)
			}
			if !strings.HasPrefix(k, strings.TrimSuffix(filepath.Base(f), ".ndjson")+"/") {
				t.Errorf("%s written to %s", k, f)
			}
			out[k] = l
		}
	}
	return out
}

func readLines(t *testing.T, f string) [][]byte {
	t.Helper()
	b, err := os.ReadFile(f)
	if os.IsNotExist(err) {
		return nil
	}
	if err != nil {
		t.Fatal(err)
	}
	var out [][]byte
	sc := bufio.NewScanner(bytes.NewReader(b))
	sc.Buffer(nil, 1<<26)
	for sc.Scan() {
		out = append(out, bytes.Clone(sc.Bytes()))
	}
	return out
}

func readSummary(t *testing.T, dir string) Summary {
	t.Helper()
	var s Summary
	if err := json.Unmarshal(must(os.ReadFile(filepath.Join(dir, SummaryFile))), &s); err != nil {
		t.Fatal(err)
	}
	return s
}

func keyOf(t *testing.T, r []byte) string {
	var x struct{ ResourceType, ID string }
	if err := json.Unmarshal(r, &x); err != nil {
		t.Fatal(err)
	}
	return x.ResourceType + "/" + x.ID
}

// entries returns a Bundle's entry resources by Type/id.
func entries(t *testing.T, bundle []byte) map[string][]byte {
	var b struct {
		Entry []struct{ Resource json.RawMessage }
	}
	if err := json.Unmarshal(bundle, &b); err != nil {
		t.Fatal(err)
	}
	out := map[string][]byte{}
	for _, e := range b.Entry {
		out[keyOf(t, e.Resource)] = e.Resource
	}
	return out
}

func entryOf(t *testing.T, bundle []byte, key string) []byte {
	return entries(t, bundle)[key]
}

// labeledBundle is bundle with each entry replaced by its labeled form.
func labeledBundle(t *testing.T, bundle []byte, labeled map[string][]byte) []byte {
	var b struct {
		Entry []struct{ Resource json.RawMessage }
	}
	if err := json.Unmarshal(bundle, &b); err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	buf.WriteString(`{"resourceType":"Bundle","type":"collection","entry":[`)
	for i, e := range b.Entry {
		if i > 0 {
			buf.WriteByte(',')
		}
		fmt.Fprintf(&buf, `{"resource":%s}`, labeled[keyOf(t, e.Resource)])
	}
	buf.WriteString("]}")
	return buf.Bytes()
}

// splitByType writes a Bundle's entries as NDJSON, one file per type, and
// returns the files.
func splitByType(t *testing.T, bundle []byte, dir string) []string {
	t.Helper()
	var b struct {
		Entry []struct{ Resource json.RawMessage }
	}
	if err := json.Unmarshal(bundle, &b); err != nil {
		t.Fatal(err)
	}
	byType := map[string]*bytes.Buffer{}
	for _, e := range b.Entry {
		typ := strings.SplitN(keyOf(t, e.Resource), "/", 2)[0]
		if byType[typ] == nil {
			byType[typ] = &bytes.Buffer{}
		}
		if err := json.Compact(byType[typ], e.Resource); err != nil {
			t.Fatal(err)
		}
		byType[typ].WriteByte('\n')
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	var files []string
	for typ, buf := range byType {
		f := filepath.Join(dir, typ+".ndjson")
		if err := os.WriteFile(f, buf.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
		files = append(files, f)
	}
	sort.Strings(files)
	return files
}

func appendLines(t *testing.T, f string, lines []string) {
	fh, err := os.OpenFile(f, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer fh.Close()
	for _, l := range lines {
		fmt.Fprintln(fh, l)
	}
}

// writeManifest writes a bulk-export status response naming files by URL
// relative to it.
func writeManifest(t *testing.T, f string, files []string) {
	type output struct {
		Type string `json:"type"`
		URL  string `json:"url"`
	}
	m := struct {
		TransactionTime string   `json:"transactionTime"`
		Request         string   `json:"request"`
		Output          []output `json:"output"`
		Error           []output `json:"error"`
	}{TransactionTime: "2026-01-01T00:00:00Z", Request: "https://ehr.example.org/fhir/$export", Error: []output{}}
	for _, x := range files {
		m.Output = append(m.Output, output{strings.TrimSuffix(filepath.Base(x), ".ndjson"), "./" + filepath.Base(x)})
	}
	if err := os.WriteFile(f, must(json.Marshal(m)), 0o644); err != nil {
		t.Fatal(err)
	}
}

// exportBundle turns a Synthea transaction into the collection a bulk
// export of it would be: references by Type/id rather than urn:uuid, and
// no fullUrl or request.
func exportBundle(t *testing.T, b []byte) []byte {
	var bundle map[string]any
	if err := json.Unmarshal(b, &bundle); err != nil {
		t.Fatal(err)
	}
	entries, _ := bundle["entry"].([]any)
	byURL := map[string]string{}
	for _, e := range entries {
		e := e.(map[string]any)
		r := e["resource"].(map[string]any)
		if u, ok := e["fullUrl"].(string); ok {
			byURL[u] = fmt.Sprint(r["resourceType"], "/", r["id"])
		}
	}
	var fix func(v any)
	fix = func(v any) {
		switch v := v.(type) {
		case map[string]any:
			for k, x := range v {
				if s, ok := x.(string); ok && k == "reference" && byURL[s] != "" {
					v[k] = byURL[s]
				} else {
					fix(x)
				}
			}
		case []any:
			for _, x := range v {
				fix(x)
			}
		}
	}
	for _, e := range entries {
		e := e.(map[string]any)
		delete(e, "fullUrl")
		delete(e, "request")
		fix(e["resource"])
	}
	bundle["type"] = "collection"
	return must(json.Marshal(bundle))
}

// projectBundle writes a Bundle of patients with encounters, conditions
// (some HIV or opioid use disorder), observations (some HIV viral loads),
// claims and explanations of benefit, lab reports and medication orders
// naming a Medication by reference, all referring to each other by Type/id.
func projectBundle(seed uint64) []byte {
	rng := rand.New(rand.NewPCG(seed, seed))
	var res []string
	add := func(format string, args ...any) { res = append(res, fmt.Sprintf(format, args...)) }
	add(`{"resourceType":"Medication","id":"bup","code":{"coding":[{"system":"http://www.nlm.nih.gov/research/umls/rxnorm","code":"1010604","display":"buprenorphine 8 MG / naloxone 2 MG Sublingual Film"}]}}`)
	add(`{"resourceType":"Medication","id":"amox","code":{"coding":[{"system":"http://www.nlm.nih.gov/research/umls/rxnorm","code":"308182","display":"amoxicillin 250 MG Oral Capsule"}]}}`)
	conditions := []string{
		`{"system":"http://snomed.info/sct","code":"86406008","display":"Human immunodeficiency virus infection"}`,
		`{"system":"http://hl7.org/fhir/sid/icd-10-cm","code":"F11.20","display":"Opioid dependence, uncomplicated"}`,
		`{"system":"http://snomed.info/sct","code":"38341003","display":"Hypertension"}`,
		`{"system":"http://snomed.info/sct","code":"44054006","display":"Diabetes mellitus type 2"}`,
	}
	observations := []string{
		`{"system":"http://loinc.org","code":"20447-9","display":"HIV 1 RNA [#/volume] (viral load) in Serum or Plasma"}`,
		`{"system":"http://loinc.org","code":"29463-7","display":"Body weight"}`,
		`{"system":"http://loinc.org","code":"8867-4","display":"Heart rate"}`,
	}
	for p := range 5 {
		pat := fmt.Sprintf("p%d", p)
		add(`{"resourceType":"Patient","id":"%s","name":[{"family":"Test%d"}]}`, pat, p)
		for v := range 3 {
			enc := fmt.Sprintf("e%d-%d", p, v)
			cond := fmt.Sprintf("c%d-%d", p, v)
			// The Encounter is for the Condition (reasonReference, an inherit
			// element): withheld with it, in another file, and then so are
			// the references to the Encounter from the files that name it.
			add(`{"resourceType":"Encounter","id":"%s","status":"finished","class":{"system":"http://terminology.hl7.org/CodeSystem/v3-ActCode","code":"AMB"},"subject":{"reference":"Patient/%s"},"reasonReference":[{"reference":"Condition/%s"}]}`, enc, pat, cond)
			add(`{"resourceType":"Condition","id":"%s","code":{"coding":[%s]},"subject":{"reference":"Patient/%s"},"encounter":{"reference":"Encounter/%s"}}`, cond, conditions[rng.IntN(len(conditions))], pat, enc)
			var obs []string
			for o := range 2 {
				id := fmt.Sprintf("o%d-%d-%d", p, v, o)
				obs = append(obs, id)
				add(`{"resourceType":"Observation","id":"%s","status":"final","code":{"coding":[%s]},"subject":{"reference":"Patient/%s"},"encounter":{"reference":"Encounter/%s"}}`, id, observations[rng.IntN(len(observations))], pat, enc)
			}
			add(`{"resourceType":"DiagnosticReport","id":"dr%d-%d","status":"final","code":{"text":"Lab panel"},"subject":{"reference":"Patient/%s"},"result":[{"reference":"Observation/%s"},{"reference":"Observation/%s"}]}`, p, v, pat, obs[0], obs[1])
			med := []string{"bup", "amox"}[rng.IntN(2)]
			add(`{"resourceType":"MedicationRequest","id":"mr%d-%d","status":"active","intent":"order","medicationReference":{"reference":"Medication/%s"},"subject":{"reference":"Patient/%s"},"encounter":{"reference":"Encounter/%s"}}`, p, v, med, pat, enc)
			add(`{"resourceType":"Claim","id":"cl%d-%d","status":"active","type":{"text":"professional"},"use":"claim","patient":{"reference":"Patient/%s"},"created":"2026-01-01","provider":{"display":"Clinic"},"priority":{"text":"normal"},"insurance":[{"sequence":1,"focal":true,"coverage":{"display":"Plan"}}],"diagnosis":[{"sequence":1,"diagnosisReference":{"reference":"Condition/%s"}}],"item":[{"sequence":1,"productOrService":{"text":"visit"},"encounter":[{"reference":"Encounter/%s"}]}]}`, p, v, pat, cond, enc)
			add(`{"resourceType":"ExplanationOfBenefit","id":"eob%d-%d","status":"active","type":{"text":"professional"},"use":"claim","patient":{"reference":"Patient/%s"},"created":"2026-01-01","insurer":{"display":"Payer"},"provider":{"display":"Clinic"},"claim":{"reference":"Claim/cl%d-%d"},"outcome":"complete","insurance":[{"focal":true,"coverage":{"display":"Plan"}}]}`, p, v, pat, p, v)
		}
	}
	rng.Shuffle(len(res), func(i, j int) { res[i], res[j] = res[j], res[i] })
	return []byte(`{"resourceType":"Bundle","type":"collection","entry":[{"resource":` + strings.Join(res, `},{"resource":`) + `}]}`)
}

func securityCodes(t *testing.T, r []byte) []string {
	var x struct {
		Meta struct{ Security []struct{ Code string } }
	}
	if err := json.Unmarshal(r, &x); err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, s := range x.Meta.Security {
		out = append(out, s.Code)
	}
	return out
}

// sameJSON compares two JSON texts by value, through their canonical form.
func sameJSON(t *testing.T, a, b []byte) bool {
	return bytes.Equal(canonical(t, a), canonical(t, b))
}

func canonical(t *testing.T, b []byte) []byte {
	var v any
	if err := json.Unmarshal(b, &v); err != nil {
		t.Fatal(err)
	}
	return must(json.Marshal(v))
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

// A resource withheld in one file is named to the others in every form a
// reference may take: Type/id, fullUrl, canonical url and identifiers.
func TestWithheldRefsCarryEveryForm(t *testing.T) {
	e, err := Config{}.Engine()
	if err != nil {
		t.Fatal(err)
	}
	const hiv = `"meta":{"security":[{"system":"http://terminology.hl7.org/CodeSystem/v3-ActCode","code":"HIV"}]}`
	in := `{"resourceType":"Bundle","type":"collection","entry":[` +
		`{"fullUrl":"urn:uuid:o2","resource":{"resourceType":"Observation","id":"o2","status":"final","code":{"text":"x"},"identifier":[{"system":"urn:example:lab","value":"LAB-7"}],` + hiv + `}},` +
		`{"resource":{"resourceType":"Questionnaire","url":"http://example.org/fhir/Questionnaire/hiv-intake","status":"active",` + hiv + `}},` +
		`{"resource":{"resourceType":"Patient","id":"p"}}]}`
	r, err := redactOne(e, `{"deny":["HIV"]}`, []byte(in))
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"Observation/o2", "urn:uuid:o2", "Observation?identifier=urn:example:lab|LAB-7", "http://example.org/fhir/Questionnaire/hiv-intake"}
	if got := r.withheldRefs(); !slices.Equal(got, want) {
		t.Errorf("withheld references %q, want %q", got, want)
	}
}

// TestRedactChainAcrossFiles: an Encounter for a withheld Condition in
// another file goes with it (inherit), and a reference to the Encounter in
// a third file is masked, as inside one Bundle: the first pass runs again
// with what it found.
func TestRedactChainAcrossFiles(t *testing.T) {
	dir := t.TempDir()
	in := filepath.Join(dir, "in")
	if err := os.MkdirAll(in, 0o755); err != nil {
		t.Fatal(err)
	}
	for name, line := range map[string]string{
		"Condition.ndjson":   `{"resourceType":"Condition","id":"c1","meta":{"security":[{"system":"http://terminology.hl7.org/CodeSystem/v3-ActCode","code":"HIV"}]},"code":{"text":"HIV"},"subject":{"reference":"Patient/p"}}`,
		"Encounter.ndjson":   `{"resourceType":"Encounter","id":"e1","status":"finished","class":{"system":"http://terminology.hl7.org/CodeSystem/v3-ActCode","code":"AMB"},"subject":{"reference":"Patient/p"},"reasonReference":[{"reference":"Condition/c1"}]}`,
		"Observation.ndjson": `{"resourceType":"Observation","id":"o1","status":"final","code":{"text":"Heart rate"},"subject":{"reference":"Patient/p"},"encounter":{"reference":"Encounter/e1"}}`,
	} {
		if err := os.WriteFile(filepath.Join(in, name), []byte(line+"\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	out := filepath.Join(dir, "released")
	run(t, Job{Op: "redact", Config: Config{Context: recipient}, Inputs: []string{filepath.Join(in, "*.ndjson")}, Out: out})
	got := readOutputs(t, out)
	if len(got) != 1 {
		t.Fatalf("released %d resources, want the Observation alone: %v", len(got), slices.Collect(maps.Keys(got)))
	}
	for _, r := range got {
		if bytes.Contains(r, []byte("Encounter/e1")) || !bytes.Contains(r, []byte(`"masked"`)) {
			t.Errorf("the Observation keeps its reference to the withheld Encounter: %s", r)
		}
	}
}
