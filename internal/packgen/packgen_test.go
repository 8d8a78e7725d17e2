package main

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/seclabel/seclabel/engine"
	"github.com/seclabel/seclabel/internal/golden"
)

var update = flag.Bool("update", false, "rewrite testdata/want from testdata/good")

// problems formats problems with base file names, one a line.
func problems(ps []Problem) string {
	var b strings.Builder
	for _, p := range ps {
		b.WriteString(filepath.Base(p.File) + ":" + strconv.Itoa(p.Line) + ": " + p.Msg + "\n")
	}
	return b.String()
}

// The good fixture passes every check and generates the packs in testdata/want.
func TestGoodFixture(t *testing.T) {
	l, probs := Validate("testdata/good")
	if len(probs) > 0 {
		t.Fatalf("the good fixture has problems:\n%s", problems(probs))
	}
	files := Generate(l)
	for name, got := range files {
		want := filepath.Join("testdata", "want", name)
		if *update {
			if err := os.WriteFile(want, got, 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		b, err := os.ReadFile(want)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(b, got) {
			t.Errorf("%s differs from %s (go test ./internal/packgen -update rewrites it):\n%s", name, want, got)
		}
	}
	// Twice the same lists, twice the same bytes.
	again := Generate(l)
	for name := range files {
		if !bytes.Equal(files[name], again[name]) {
			t.Errorf("%s: generation is not deterministic", name)
		}
	}
}

// forEngine leaves out of a generated pack what the engine in this build
// does not read yet (its support is written separately): the ingredients
// member, a term's confidence (the term stays, as a string) and
// screeningBroad.
func forEngine(t *testing.T, pack []byte) []byte {
	t.Helper()
	out := pack
	if _, err := engine.CompileRules([]byte(`{"rules":[{"id":"x","labels":["HIV"],"ingredients":["a"]}]}`)); err != nil {
		out = regexp.MustCompile(`(?m)^   "ingredients": .*\n`).ReplaceAll(out, nil)
	}
	if !engineKnows.confidence() {
		out = regexp.MustCompile(`\{"text":("(?:[^"\\]|\\.)*"),"confidence":[0-9.]+\}`).ReplaceAll(out, []byte("$1"))
	}
	if !engineKnows.screeningBroad() {
		out = regexp.MustCompile(`(?m)^   "screeningBroad": true,?\n`).ReplaceAll(out, nil)
	}
	return regexp.MustCompile(`,\n  }`).ReplaceAll(out, []byte("\n  }"))
}

// The generated packs compile, and label what their lists say.
func TestGeneratedPacksLabel(t *testing.T) {
	l, probs := Validate("testdata/good")
	if len(probs) > 0 {
		t.Fatal(problems(probs))
	}
	files := Generate(l)
	rules, err := engine.CompileRules(forEngine(t, files["us-default.json"]), forEngine(t, files["us-broad.json"]))
	if err != nil {
		t.Fatalf("the generated packs do not compile: %v", err)
	}
	e, err := engine.New(engine.Options{Rules: rules})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct{ system, code, want string }{
		{"http://hl7.org/fhir/sid/icd-10-cm", "F11.20", `"rule":"sud"`},
		{"http://hl7.org/fhir/sid/icd-10-cm", "F11.20", `"rule":"mental-health"`},
		{"http://hl7.org/fhir/sid/icd-10-cm", "O98.711", `"rule":"hiv"`},
		{"http://hl7.org/fhir/sid/icd-9-cm", "30401", `"rule":"sud"`},
		{"http://www.cms.gov/Medicare/Coding/ICD10", "HZ2ZZZZ", `"rule":"sud"`},
		{"http://www.cms.gov/Medicare/Coding/ICD9", "94.45", `"rule":"sud"`},
		{"https://www.cms.gov/Medicare/Coding/HCPCSReleaseCodeSets", "H0020", `"rule":"sud"`},
		{"http://loinc.org", "57022-6", `"rule":"hiv-broad"`},
	} {
		req := `{"op":"label","resource":{"resourceType":"Condition","id":"c","code":{"coding":[{"system":"` + c.system + `","code":"` + c.code + `"}]}}}`
		resp := string(e.Do(t.Context(), []byte(req)))
		if !strings.Contains(resp, c.want) {
			t.Errorf("%s %s: want %s in %s", c.system, c.code, c.want, resp)
		}
	}
	// Terms of a .terms.tsv match text like the patterns of a .json.
	for _, c := range []struct{ text, want string }{
		{"Truvada 200 mg/300 mg", `"rule":"hiv"`},
		{"opioid use disorder, in remission", `"rule":"sud"`},
		{"substance use disorder", `"rule":"sud"`},
	} {
		req := `{"op":"label","options":{"textMatch":true},"resource":{"resourceType":"Condition","id":"c","code":{"text":"` + c.text + `"}}}`
		resp := string(e.Do(t.Context(), []byte(req)))
		if !strings.Contains(resp, c.want) {
			t.Errorf("text %q: want %s in %s", c.text, c.want, resp)
		}
	}
}

// Each bad fixture is the good one with one edit; it must fail with the
// message given, at the file and line given.
func TestBadFixtures(t *testing.T) {
	const hdr = "rule\tsystem\tkind\tcode\tsource\tdisplay\n"
	for _, c := range []struct {
		name       string
		file       string // the file edited (relative to the fixture)
		old, new   string // replace old by new; old "" appends new; new "<delete>" removes the file
		wantSubstr string
	}{
		{"category header", "sud.tsv", hdr, "rule\tsystem\tcode\tkind\tsource\tdisplay\n", `sud.tsv:1: the header must be "rule\tsystem\tkind\tcode\tsource\tdisplay"`},
		{"sources header", "sources.tsv", "key\tname\tlicense\turl", "key\tname", `sources.tsv:1: the header must be "key\tname\tlicense\turl"`},
		{"overlaps header", "overlaps.tsv", "system\tcode\tcategories\treason", "system\tcode\treason", `overlaps.tsv:2: the header must be`},
		{"field count", "sud.tsv", "", "sud\tcpt\tcode\n", `sud.tsv:12: want 6 tab-separated fields`},
		{"unknown rule", "sud.tsv", "", "sud-other\tcpt\tcode\t99409\tcms-bfd\tscreening\n", `sud.tsv:12: unknown rule sud-other: not a rule id of sud.json`},
		{"rule of another category", "sud.tsv", "", "hiv\tcpt\tcode\t99409\tcms-bfd\tscreening\n", `sud.tsv:12: rule hiv is a rule of hiv.json, not of sud.json`},
		{"unknown system", "sud.tsv", "", "sud\tsnomed\tcode\t5602001\tsnomed\topioid abuse\n", `sud.tsv:12: unknown system "snomed" (one of icd10cm, icd10, icd9cm`},
		{"unknown kind", "sud.tsv", "", "sud\tcpt\tcodes\t99409\tcms-bfd\tscreening\n", `sud.tsv:12: unknown kind "codes"`},
		{"unknown source", "sud.tsv", "", "sud\tcpt\tcode\t99409\tama\tscreening\n", `sud.tsv:12: unknown source "ama": not a key of sources.tsv`},
		{"ingredient outside rxnorm", "sud.tsv", "", "sud\tsct\tingredient\tmethadone\tsnomed\tx\n", `sud.tsv:12: kind ingredient is for rxnorm only, not sct`},
		{"ingredient without a positive word", "hiv.tsv", "", "hiv\trxnorm\tingredient\t!cobicistat\trxnorm\tx\n", `hiv.tsv:15: ingredient "!cobicistat" needs a word that must appear`},
		{"ingredient bad word", "hiv.tsv", "", "hiv\trxnorm\tingredient\tlopinavir/ritonavir\trxnorm\tx\n", `hiv.tsv:15: ingredient "lopinavir/ritonavir": "lopinavir/ritonavir" is not a word`},
		{"range outside ICD", "hiv.tsv", "", "hiv\tloinc\trange\t7917-8-7918-6\tloinc\tx\n", `hiv.tsv:15: kind range is for ICD systems only, not LOINC`},
		{"prefix on SNOMED CT", "hiv.tsv", "", "hiv\tsct\tprefix\t86406\tsnomed\tx\n", `hiv.tsv:15: kind prefix does not suit SNOMED CT`},
		{"ICD-10-CM shape", "hiv.tsv", "", "hiv\ticd10cm\tcode\tB2.01\ticd10cm\tx\n", `hiv.tsv:15: ICD-10-CM code "B2.01" has the wrong shape: want a letter, a digit`},
		{"ICD-10-CM too long", "hiv.tsv", "", "hiv\ticd10cm\tcode\tB20.12345\ticd10cm\tx\n", `hiv.tsv:15: ICD-10-CM code "B20.12345" has the wrong shape`},
		{"ICD-10-CM lower case", "hiv.tsv", "", "hiv\ticd10cm\tcode\tz21\ticd10cm\tx\n", `hiv.tsv:15: ICD-10-CM code "z21" has the wrong shape`},
		{"ICD-9-CM shape", "sud.tsv", "", "sud\ticd9cm\tcode\t30.401\ticd9cm\tx\n", `sud.tsv:12: ICD-9-CM code "30.401" has the wrong shape`},
		{"ICD-9-CM E code decimals", "sud.tsv", "", "sud\ticd9cm\tcode\tE950.01\ticd9cm\tx\n", `sud.tsv:12: ICD-9-CM code "E950.01" has the wrong shape`},
		{"ICD-10-PCS letter O", "sud.tsv", "", "sud\ticd10pcs\tcode\tHZ2OZZZ\tcms-bfd\tx\n", `sud.tsv:12: ICD-10-PCS code "HZ2OZZZ" has the wrong shape: want 7 letters or digits, no I or O`},
		{"SNOMED CT check digit", "hiv.tsv", "", "hiv\tsct\tcode\t86406009\tsnomed\tx\n", `hiv.tsv:15: SNOMED CT code "86406009": the check digit is wrong`},
		{"SNOMED CT too short", "hiv.tsv", "", "hiv\tsct\tcode\t12345\tsnomed\tx\n", `hiv.tsv:15: SNOMED CT code "12345" has the wrong shape: want 6 to 18 digits`},
		{"LOINC check digit", "hiv.tsv", "", "hiv\tloinc\tcode\t7917-9\tloinc\tx\n", `hiv.tsv:15: LOINC code "7917-9": the check digit is wrong`},
		{"LOINC shape", "hiv.tsv", "", "hiv\tloinc\tcode\tLA6576-8\tloinc\tx\n", `hiv.tsv:15: LOINC code "LA6576-8" has the wrong shape`},
		{"RxNorm digits", "hiv.tsv", "", "hiv\trxnorm\tcode\tRX1010600\trxnorm\tx\n", `hiv.tsv:15: RxNorm code "RX1010600" has the wrong shape`},
		{"CPT shape", "sud.tsv", "", "sud\tcpt\tcode\t9940A\tcms-bfd\tx\n", `sud.tsv:12: CPT code "9940A" has the wrong shape: want 4 digits then a digit, F or T or U`},
		{"HCPCS shape", "sud.tsv", "", "sud\thcpcs\tcode\tH002\tcms-bfd\tx\n", `sud.tsv:12: HCPCS code "H002" has the wrong shape: want a letter and 4 digits`},
		{"MS-DRG shape", "sud.tsv", "", "sud\tmsdrg\tcode\t89\tcms-bfd\tx\n", `sud.tsv:12: MS-DRG code "89" has the wrong shape: want 3 digits`},
		{"range order", "sud.tsv", "F10-F19", "F19-F10", `sud.tsv:2: ICD-10-CM range "F19-F10": FROM is after TO`},
		{"range of ICD-10-PCS codes", "sud.tsv", "", "sud\ticd10pcs\trange\tHZ39ZZZ-HZ30ZZZ\tcms-bfd\tx\n", `sud.tsv:12: ICD-10-PCS range "HZ39ZZZ-HZ30ZZZ": FROM is after TO`},
		{"range form", "sud.tsv", "range\tF10-F19", "range\tF10", `sud.tsv:2: ICD-10-CM range "F10" must be FROM-TO`},
		{"duplicate row", "hiv.tsv", "", "hiv\ticd10cm\tcode\tZ21\ticd10cm\tagain, written the same\n", `hiv.tsv:15: duplicate row: icd10cm code Z21 is already listed at line 4`},
		{"duplicate row, dot or not", "hiv.tsv", "", "hiv\ticd10cm\tprefix\tO987\ticd10cm\tagain, without the dot\n", `hiv.tsv:15: duplicate row: icd10cm prefix O987 is already listed at line 5`},
		{"empty category in a pack", "hiv.tsv", "hiv-broad\tloinc\tcode\t57022-6\tloinc\tprenatal panel\n", "", `hiv.json:1: category hiv has rules in the broad pack but no code row or text pattern there`},
		{"rule with nothing", "hiv.json", `"labels": ["HIV"]}`, `"labels": ["HIV"]},
    {"id": "hiv-empty", "pack": "default", "description": "nothing", "labels": ["HIV"]}`, `hiv.json:8: rule hiv-empty matches nothing`},
		{"code in two categories", "sud.tsv", "", "sud\ticd10cm\tcode\tZ21\ticd10cm\tx\n", `sud.tsv:12: icd10cm code Z21 of category sud is also code Z21 of category hiv (hiv.tsv:4); list it in overlaps.tsv`},
		{"code under another prefix", "sud.tsv", "", "sud\ticd10cm\tcode\tB20\ticd10cm\tx\n", `sud.tsv:12: icd10cm code B20 of category sud is under prefix B20 of category hiv (hiv.tsv:3)`},
		{"code in another range", "hiv.tsv", "", "hiv\ticd10cm\tcode\tF02.80\ticd10cm\tx\n", `hiv.tsv:15: icd10cm code F02.80 of category hiv is in range F01-F99 of category mental-health (mental-health.tsv:2)`},
		{"prefix under another prefix", "sud.tsv", "", "sud\ticd10cm\tprefix\tO98\ticd10cm\tx\n", `hiv.tsv:5: icd10cm prefix O98.7 of category hiv is under prefix O98 of category sud (sud.tsv:12)`},
		{"prefix in another range", "hiv.tsv", "", "hiv\ticd10cm\tprefix\tF02\ticd10cm\tx\n", `hiv.tsv:15: icd10cm prefix F02 of category hiv meets range F01-F99 of category mental-health`},
		{"ranges meet", "hiv.tsv", "", "hiv\ticd10cm\trange\tF50-F52\ticd10cm\tx\n", `hiv.tsv:15: icd10cm range F50-F52 of category hiv meets range F01-F99 of category mental-health`},
		{"overlap listed for the wrong categories", "overlaps.tsv", "sud,mental-health", "sud,hiv", `sud.tsv:2: icd10cm range F10-F19 of category sud meets range F01-F99 of category mental-health`},
		{"stale overlap", "overlaps.tsv", "", "icd10cm\tZ21\thiv,sud\tlisted in both once\n", `overlaps.tsv:4: icd10cm Z21 sits in no two of hiv, sud: remove the row`},
		{"overlap unknown category", "overlaps.tsv", "sud,mental-health", "sud,mh", `overlaps.tsv:3: unknown category "mh"`},
		{"overlap without reason", "overlaps.tsv", "", "icd10cm\tZ21\thiv,sud\t\n", `overlaps.tsv:4: say why the code belongs to each category`},
		{"duplicate rule id", "sud.json", `"id": "sud"`, `"id": "hiv"`, `sud.json:4: rule id hiv is already used at hiv.json:4`},
		{"bad label", "sud.json", `"labels": ["SUD", "42CFRPart2", "NORDSCLCD"]`, `"labels": ["SUD", "42CFR"]`, `sud.json:4: rule sud: labels[1]: "42CFR" is not a selectable security label code`},
		{"bad resource type", "mental-health.json", `"DocumentReference", "Composition"`, `"DocumentReference", "Note"`, `mental-health.json:6: rule psychotherapy-note: resourceTypes[1]: "Note" is not a FHIR R4 resource type`},
		{"bad pattern", "mental-health.json", `"text": ["schizophrenia"]`, `"text": ["schizo(phrenia"]`, `mental-health.json:4: rule mental-health: text[0]: bad pattern`},
		{"bad pack", "sud.json", `"pack": "default"`, `"pack": "core"`, `sud.json:4: rule sud: "pack" must be "default" or "broad", not "core"`},
		{"unknown rule member", "sud.json", `"basis": "42CFRPart2",`, `"basis": "42CFRPart2", "codes": {},`, `sud.json:4: rule sud: unknown member "codes"`},
		{"unknown category member", "sud.json", `"category": "Substance use disorder",`, `"category": "Substance use disorder", "comment": "x",`, `sud.json:2: unknown member "comment"`},
		{"JSON syntax", "sud.json", `"text": ["substance use disorder"]}`, `"text": ["substance use disorder"],}`, `sud.json:6: not a JSON object`},
		{"terms header", "hiv.terms.tsv", "rule\tterm\tkind", "rule\tkind\tterm", `hiv.terms.tsv:2: the header must be "rule\tterm\tkind\tconfidence\tsource\tnote"`},
		{"terms field count", "hiv.terms.tsv", "", "hiv\tTruvada\n", `hiv.terms.tsv:8: want 6 tab-separated fields (rule, term, kind, confidence, source, note), got 2`},
		{"term of an unknown rule", "hiv.terms.tsv", "", "hiv-other\tDescovy\tbrand\t\thivinfo\t\n", `hiv.terms.tsv:8: unknown rule hiv-other: not a rule id of hiv.json`},
		{"term of another category", "hiv.terms.tsv", "", "sud\tSuboxone\tbrand\t\thivinfo\t\n", `hiv.terms.tsv:8: rule sud is a rule of sud.json, not of hiv.json`},
		{"term without a rule", "hiv.terms.tsv", "", "\tDescovy\tbrand\t\thivinfo\t\n", `hiv.terms.tsv:8: the rule column is empty`},
		{"term kind", "hiv.terms.tsv", "", "hiv\tDescovy\tproduct\t\thivinfo\t\n", `hiv.terms.tsv:8: unknown kind "product" (one of term, synonym, abbreviation, drug, brand, regimen)`},
		{"confidence 1", "hiv.terms.tsv", "", "hiv\tDescovy\tbrand\t1\thivinfo\t\n", `hiv.terms.tsv:8: confidence "1" must be a decimal above 0 and below 1 (leave the column empty for 1)`},
		{"confidence 0", "hiv.terms.tsv", "", "hiv\tDescovy\tbrand\t0.0\thivinfo\t\n", `hiv.terms.tsv:8: confidence "0.0" must be a decimal above 0`},
		{"confidence above 1", "hiv.terms.tsv", "", "hiv\tDescovy\tbrand\t1.5\thivinfo\t\n", `hiv.terms.tsv:8: confidence "1.5" must be a decimal above 0`},
		{"confidence not a decimal", "hiv.terms.tsv", "", "hiv\tDescovy\tbrand\thigh\thivinfo\t\n", `hiv.terms.tsv:8: confidence "high" must be a decimal above 0`},
		{"confidence exponent", "hiv.terms.tsv", "", "hiv\tDescovy\tbrand\t7e-1\thivinfo\t\n", `hiv.terms.tsv:8: confidence "7e-1" must be a decimal above 0`},
		{"term source", "hiv.terms.tsv", "", "hiv\tDescovy\tbrand\t\tgilead\t\n", `hiv.terms.tsv:8: unknown source "gilead": not a key of sources.tsv`},
		{"empty term", "hiv.terms.tsv", "", "hiv\t\tbrand\t\thivinfo\t\n", `hiv.terms.tsv:8: the term column is empty`},
		{"empty case-exact term", "hiv.terms.tsv", "", "hiv\t=\tabbreviation\t\thivinfo\t\n", `hiv.terms.tsv:8: the term column is empty`},
		{"case-exact term in lower case", "hiv.terms.tsv", "", "hiv\t=prep\tabbreviation\t\thivinfo\t\n", `hiv.terms.tsv:8: term "=prep" is case-exact (=) but has no upper-case letter`},
		{"duplicate term, other case", "hiv.terms.tsv", "", "hiv\ttruvada\tbrand\t0.9\thivinfo\t\n", `hiv.terms.tsv:8: duplicate term: "truvada" is already a term of rule hiv at hiv.terms.tsv:4`},
		{"duplicate of a pattern of the .json", "hiv.terms.tsv", "", "hiv\thuman  immunodeficiency virus\tterm\t\thivinfo\t\n", `hiv.terms.tsv:8: duplicate term: "human  immunodeficiency virus" is already a term of rule hiv at hiv.json:4`},
		{"case-exact duplicate", "hiv.terms.tsv", "", "hiv\t=AIDS\tabbreviation\t\thivinfo\t\n", `hiv.terms.tsv:8: duplicate term: "=AIDS" is already a term of rule hiv at hiv.terms.tsv:3`},
		{"terms without rules", "psy.terms.tsv", "", "rule\tterm\tkind\tconfidence\tsource\tnote\npsy\tpsychosis\tterm\t\thivinfo\t\n", `psy.terms.tsv:1: no psy.json holds the rules of these terms`},
		{"screeningBroad not a boolean", "sud.json", `"screeningBroad": true`, `"screeningBroad": "yes"`, `sud.json:4: rule member "screeningBroad" must be true or false`},
		{"rows without rules", "psy.tsv", "", hdr + "psy\tcpt\tcode\t90834\tcms-bfd\tpsychotherapy, 45 minutes\n", `psy.tsv:1: no psy.json holds the rules of these rows`},
		{"no sources", "sources.tsv", "", "<delete>", `sources.tsv:0: missing`},
	} {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			copyDir(t, "testdata/good", dir)
			p := filepath.Join(dir, c.file)
			b, _ := os.ReadFile(p)
			switch {
			case c.new == "<delete>":
				os.Remove(p)
			case c.old == "":
				os.WriteFile(p, append(b, c.new...), 0o644)
			default:
				if !bytes.Contains(b, []byte(c.old)) {
					t.Fatalf("%s does not contain %q", c.file, c.old)
				}
				os.WriteFile(p, bytes.Replace(b, []byte(c.old), []byte(c.new), 1), 0o644)
			}
			_, probs := Validate(dir)
			got := problems(probs)
			if !strings.Contains(got, c.wantSubstr) {
				t.Fatalf("want a problem containing\n  %s\ngot\n%s", c.wantSubstr, got)
			}
			for _, p := range probs {
				if p.File == "" || p.Line < 0 {
					t.Errorf("problem without a place: %v", p)
				}
			}
		})
	}
}

func copyDir(t *testing.T, from, to string) {
	t.Helper()
	ents, err := os.ReadDir(from)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range ents {
		b, err := os.ReadFile(filepath.Join(from, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(to, e.Name()), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// The committed packs are what the committed lists generate.
func TestCommittedPacksAreCurrent(t *testing.T) {
	root, err := golden.Root()
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(root, "engine", "packs", "lists")
	if !HasLists(dir) {
		t.Skip("engine/packs/lists holds no category lists yet: the committed packs are not generated")
	}
	l, probs := Validate(dir)
	if len(probs) > 0 {
		t.Fatalf("the lists have problems:\n%s", problems(probs))
	}
	for name, want := range Generate(l) {
		got, err := os.ReadFile(filepath.Join(root, "engine", "packs", name))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("engine/packs/%s is stale: run go run ./internal/packgen (make generate)", name)
		}
	}
}

// Without category lists nothing is written.
func TestRunWithoutLists(t *testing.T) {
	dir, out := t.TempDir(), t.TempDir()
	os.WriteFile(filepath.Join(dir, "sources.tsv"), []byte(sourcesHeader+"\n"), 0o644)
	var so, se bytes.Buffer
	if code := run(dir, out, false, &so, &se); code != 0 || !strings.Contains(so.String(), "holds no category lists") {
		t.Fatalf("code %d, stdout %q, stderr %q", code, so.String(), se.String())
	}
	if ents, _ := os.ReadDir(out); len(ents) != 0 {
		t.Fatal("packs written without lists")
	}
	se.Reset()
	if code := run(filepath.Join(dir, "nonexistent"), out, false, &so, &se); code != 1 || !strings.Contains(se.String(), "is not a directory of lists") {
		t.Fatalf("no such directory: code %d, stderr %q", code, se.String())
	}
}

// run writes the packs, reports them current with -check, and writes
// nothing when a list has a problem.
func TestRun(t *testing.T) {
	out := t.TempDir()
	var so, se bytes.Buffer
	if code := run("testdata/good", out, true, &so, &se); code != 1 || !strings.Contains(se.String(), "is stale") {
		t.Fatalf("-check before writing: code %d, stderr %q", code, se.String())
	}
	if code := run("testdata/good", out, false, &so, &se); code != 0 {
		t.Fatalf("code %d, stderr %q", code, se.String())
	}
	se.Reset()
	if code := run("testdata/good", out, true, &so, &se); code != 0 {
		t.Fatalf("-check after writing: code %d, stderr %q", code, se.String())
	}
	bad := t.TempDir()
	copyDir(t, "testdata/good", bad)
	os.WriteFile(filepath.Join(bad, "sud.tsv"), []byte(categoryHeader+"\nsud\tcpt\tcode\t1\tcms-bfd\tx\n"), 0o644)
	out2 := t.TempDir()
	se.Reset()
	if code := run(bad, out2, false, &so, &se); code != 1 || !strings.Contains(se.String(), "sud.tsv:2: CPT code \"1\"") {
		t.Fatalf("bad lists: code %d, stderr %q", code, se.String())
	}
	if ents, _ := os.ReadDir(out2); len(ents) != 0 {
		t.Fatal("packs written despite problems")
	}
}

func TestFormat(t *testing.T) {
	for _, c := range []struct{ sys, in, want string }{
		{"icd10cm", "F1120", "F11.20"}, {"icd10cm", "F11.20", "F11.20"}, {"icd10cm", "B20", "B20"},
		{"icd9cm", "30401", "304.01"}, {"icd9cm", "E9500", "E950.0"}, {"icd9cm", "V6542", "V65.42"},
		{"icd9pcs", "9445", "94.45"}, {"icd10pcs", "HZ2ZZZZ", "HZ2ZZZZ"},
	} {
		if got := systemByKey[c.sys].format(c.in); got != c.want {
			t.Errorf("%s %s: %s, want %s", c.sys, c.in, got, c.want)
		}
	}
}

// Every system is written under the URI the engine keeps as canonical: a
// code under it is reported under the same URI.
func TestSystemsAreCanonical(t *testing.T) {
	for _, s := range systems {
		r, err := engine.CompileRules([]byte(`{"rules":[{"id":"x","labels":["HIV"],"codes":{` + str(s.uri) + `:["1"]}}]}`))
		if err != nil {
			t.Fatal(err)
		}
		if got := r.Coverage()[0].Systems[0].System; got != s.uri {
			t.Errorf("%s: written under %s, which the engine keeps as %s", s.key, s.uri, got)
		}
	}
	// An unknown URI also stays as it is: each must be a canonical one of
	// engine/codesys.go.
	root, err := golden.Root()
	if err != nil {
		t.Fatal(err)
	}
	src, err := os.ReadFile(filepath.Join(root, "engine", "codesys.go"))
	if err != nil {
		t.Fatal(err)
	}
	// Its systemTable starts each line with a canonical URI.
	for _, s := range systems {
		if !bytes.Contains(src, []byte("\n"+s.uri+" ")) {
			t.Errorf("%s: %s is not a canonical system of engine/codesys.go", s.key, s.uri)
		}
	}
}
