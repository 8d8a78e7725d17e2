// Package readme holds the test that the counts README.md states (golden
// cases, pack list entries, accuracy figures, corpus sizes) are what the
// repository holds.
package readme

import (
	"encoding/json"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/seclabel/seclabel/internal/golden"
	"github.com/seclabel/seclabel/internal/testenv"
)

// readme is README.md's text.
type readme struct {
	text string
	root string
}

// count is one number the README should state: what it counts, for the
// message, and the number the repository gives.
type count struct {
	what string
	n    string
}

func num(what string, n int) count { return count{what, strconv.Itoa(n)} }

var numberRE = `([0-9][0-9,]*(?:\.[0-9]+)?)`

// says checks that the README holds phrase, in which each # is a number
// (thousands may be separated by commas) and a space stands for any white
// space, with the numbers of counts in order. A phrase the README no longer
// holds fails too: the claim was reworded and the test must follow.
func (r *readme) says(t *testing.T, phrase string, counts ...count) {
	t.Helper()
	parts := strings.Split(phrase, "#")
	if len(parts)-1 != len(counts) {
		t.Fatalf("phrase %q has %d numbers, given %d counts", phrase, len(parts)-1, len(counts))
	}
	for i, p := range parts {
		parts[i] = strings.ReplaceAll(regexp.QuoteMeta(p), " ", `\s+`)
	}
	re := regexp.MustCompile(strings.Join(parts, numberRE))
	m := re.FindStringSubmatchIndex(r.text)
	if m == nil {
		t.Errorf("README.md no longer says %q; update this test with what it says now", phrase)
		return
	}
	if again := re.FindAllStringIndex(r.text, 2); len(again) > 1 {
		t.Errorf("README.md:%d and %d both say %q; make the phrase longer", r.line(again[0][0]), r.line(again[1][0]), phrase)
	}
	for i, c := range counts {
		at := m[2*i+2]
		said := r.text[at:m[2*i+3]]
		if strings.ReplaceAll(said, ",", "") != c.n {
			t.Errorf("README.md:%d says %s for %s; the repository has %s", r.line(at), said, c.what, c.n)
		}
	}
}

// line is the line number of byte offset at.
func (r *readme) line(at int) int { return 1 + strings.Count(r.text[:at], "\n") }

func TestCounts(t *testing.T) {
	root, err := golden.Root()
	if err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(filepath.Join(root, "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	r := &readme{string(b), root}
	t.Run("golden cases", r.goldenCases)
	t.Run("pack lists", r.packLists)
	t.Run("default pack", r.defaultPack)
	t.Run("accuracy", r.accuracy)
	t.Run("R4 examples", r.r4Examples)
	t.Run("Synthea bundles", r.syntheaBundles)
}

// goldenCases: the cases of each operation in testdata/cases, and no
// operation the README leaves out.
func (r *readme) goldenCases(t *testing.T) {
	perOp := map[string]int{}
	for _, c := range golden.All(t) {
		op, _, _ := strings.Cut(c.Note, "/")
		perOp[op]++
	}
	ops := []string{"label", "redact", "hwm", "validate", "marks"}
	var counts []count
	for _, op := range ops {
		counts = append(counts, num("the "+op+" cases in testdata/cases", perOp[op]))
		delete(perOp, op)
	}
	r.says(t, "(# `label`, # `redact`, # `hwm`, # `validate` and # `marks` cases", counts...)
	for op, n := range perOp {
		t.Errorf("testdata/cases/%s holds %d cases the README does not count", op, n)
	}
}

// packLists: the rows of the lists the default pack is generated from
// (engine/packs/lists), by category, code system and kind.
func (r *readme) packLists(t *testing.T) {
	rows := func(category, system, kind string) count {
		return num(fmt.Sprintf("the %s %s rows of the default pack in engine/packs/lists/%s.tsv", system, kind, category),
			listRows(t, filepath.Join(r.root, "engine", "packs", "lists"), category, system, kind))
	}
	r.says(t, "HIV tests ordered or resulted (# LOINC codes:", rows("hiv", "loinc", "code"))
	r.says(t, "antiretrovirals and PrEP (# ingredient entries,", rows("hiv", "rxnorm", "ingredient"))
	r.says(t, "poisoning by drugs of abuse with intent; # SNOMED CT concepts;", rows("sud", "sct", "code"))
	r.says(t, "substance use treatment notes (# LOINC codes)", rows("sud", "loinc", "code"))
	r.says(t, "# SNOMED CT disorders, evaluations and therapies", rows("mh", "sct", "code"))
	r.says(t, "antipsychotics and lithium (# ingredient entries)", rows("mh", "rxnorm", "ingredient"))
	r.says(t, "hormonal contraceptives by ingredient and by brand: # entries", rows("sex", "rxnorm", "ingredient"))
	r.says(t, "positive HPV results; # SNOMED CT disorders and tests; # LOINC tests",
		rows("std", "sct", "code"), rows("std", "loinc", "code"))
}

// listRows counts the rows of category's .tsv with system and kind whose
// rule goes to the default pack.
func listRows(t *testing.T, dir, category, system, kind string) int {
	t.Helper()
	var rules struct {
		Rules []struct{ ID, Pack string }
	}
	readJSON(t, filepath.Join(dir, category+".json"), &rules)
	isDefault := map[string]bool{}
	for _, rule := range rules.Rules {
		isDefault[rule.ID] = rule.Pack == "default"
	}
	b, err := os.ReadFile(filepath.Join(dir, category+".tsv"))
	if err != nil {
		t.Fatal(err)
	}
	n, header := 0, false
	for _, line := range strings.Split(string(b), "\n") {
		if strings.TrimSpace(line) == "" || strings.HasPrefix(line, "#") {
			continue
		}
		if !header { // rule, system, kind, code, source, display
			header = true
			continue
		}
		f := strings.Split(line, "\t")
		if len(f) >= 3 && isDefault[f[0]] && f[1] == system && f[2] == kind {
			n++
		}
	}
	return n
}

// defaultPack: the codes, prefixes and ingredient entries of the embedded
// default pack.
func (r *readme) defaultPack(t *testing.T) {
	var pack struct {
		Rules []struct {
			Codes, Prefixes map[string][]string
			Ingredients     []string
		}
	}
	readJSON(t, filepath.Join(r.root, "engine", "packs", "us-default.json"), &pack)
	codes, prefixes, ingredients := 0, 0, 0
	for _, rule := range pack.Rules {
		for _, c := range rule.Codes {
			codes += len(c)
		}
		for _, p := range rule.Prefixes {
			prefixes += len(p)
		}
		ingredients += len(rule.Ingredients)
	}
	r.says(t, "compiling the default pack (# codes, # prefixes, # ingredient entries;",
		num("the codes of engine/packs/us-default.json", codes),
		num("its prefixes", prefixes),
		num("its ingredient entries", ingredients))
}

// accuracy: the committed figures (testdata/accuracy/report.json) and the
// hand-written Bundles they cover.
func (r *readme) accuracy(t *testing.T) {
	dir := filepath.Join(r.root, "testdata", "accuracy")
	type figure struct {
		TP, FP, FN        int
		Recall, Precision *float64
	}
	type part struct {
		Bundles, Resources int
		Figures            map[string]figure
	}
	var report struct {
		Parts            map[string]part
		NegativeControls struct{ Bundles, Resources, TextLabels int }
		Targets          struct {
			Text struct{ Recall, Precision float64 }
		}
	}
	readJSON(t, filepath.Join(dir, "report.json"), &report)
	ratio := func(f *float64) string {
		if f == nil {
			return "-"
		}
		return strconv.FormatFloat(*f, 'f', 3, 64)
	}
	together := report.Parts["together"].Figures
	for _, c := range slices.Sorted(maps.Keys(together)) {
		f := together[c]
		what := "report.json's " + c + " figures: "
		r.says(t, "| "+c+" | # | # | # | # | # |",
			num(what+"expected", f.TP+f.FN), num(what+"found", f.TP), num(what+"false positives", f.FP),
			count{what + "recall", ratio(f.Recall)}, count{what + "precision", ratio(f.Precision)})
	}

	// The key names the resources expected to carry a category; a Bundle
	// it names no resource of is a negative one.
	var key map[string]map[string]struct{ Core, Broad []string }
	readJSON(t, filepath.Join(dir, "bundles-key.json"), &key)
	keyed, negative := 0, 0
	for name, resources := range key {
		for _, want := range resources {
			if len(want.Core)+len(want.Broad) > 0 {
				keyed++
			}
		}
		if len(resources) == 0 {
			var bundle struct{ Entry []json.RawMessage }
			readJSON(t, filepath.Join(dir, "bundles", name), &bundle)
			negative += len(bundle.Entry)
		}
	}
	bundles, synthea := report.Parts["bundles"], report.Parts["synthea"]
	r.says(t, "They cover # resources in # hand-written Bundles (# of them expected to carry a category, # in negative Bundles",
		num("the resources of report.json's bundles part", bundles.Resources),
		num("its bundles", bundles.Bundles),
		num("the resources bundles-key.json expects a category of", keyed),
		num("the entries of the Bundles bundles-key.json names no resource of", negative))
	r.says(t, "and # resources of the # Synthea bundles, where",
		num("the resources of report.json's synthea part", synthea.Resources),
		num("its bundles", synthea.Bundles))

	// The text part: the units texts.tsv classifies, by kind; the
	// negative controls, the targets and the committed text figures.
	units := map[string]int{}
	tsv, err := os.ReadFile(filepath.Join(dir, "texts.tsv"))
	if err != nil {
		t.Fatal(err)
	}
	for i, line := range strings.Split(strings.TrimRight(string(tsv), "\n"), "\n") {
		if kind, _, ok := strings.Cut(line, "\t"); ok && i > 0 {
			units[kind]++
		}
	}
	r.says(t, "in `testdata/accuracy/texts.tsv`: # units (# displays of padded-id codings, # `CodeableConcept.text` values and # sentences",
		num("the rows of texts.tsv", units["display"]+units["text"]+units["sentence"]),
		num("its display rows", units["display"]), num("its text rows", units["text"]), num("its sentence rows", units["sentence"]))
	neg := report.NegativeControls
	r.says(t, "negative controls are the # Synthea bundles whose key expects nothing at all (# resources)",
		num("report.json's negative-control bundles", neg.Bundles), num("their resources", neg.Resources))
	text := report.Parts["text"].Figures["all"]
	r.says(t, "Targets: on the text key, precision of at least # and recall of at least # per category",
		count{"report.json's text precision target", strconv.FormatFloat(report.Targets.Text.Precision, 'f', 2, 64)},
		count{"report.json's text recall target", strconv.FormatFloat(report.Targets.Text.Recall, 'f', 2, 64)})
	r.says(t, "The committed text figures: # of # expected labels found (recall #), # false positives; # text labels on the negative controls",
		num("report.json's text TP", text.TP), num("its TP+FN", text.TP+text.FN), count{"its recall", ratio(text.Recall)},
		num("its FP", text.FP), num("report.json's negative-control text labels", neg.TextLabels))

	var words []json.RawMessage
	readJSON(t, filepath.Join(r.root, "testdata", "words", "corpus.json"), &words)
	r.says(t, "`testdata/words/corpus.json` holds # short clinical texts", num("the cases of testdata/words/corpus.json", len(words)))
}

// r4Examples: the files of the FHIR R4 example package the tests read
// (shared data; skipped without it).
func (r *readme) r4Examples(t *testing.T) {
	n := testenv.R4Examples(t, func(testenv.File) {})
	r.says(t, "over all # resources of the FHIR R4 example package", num("the example files of the R4 package", n))
}

// syntheaBundles: the Synthea bundles of the shared data (skipped without
// them).
func (r *readme) syntheaBundles(t *testing.T) {
	n := len(testenv.Synthea(t))
	r.says(t, "On the # Synthea bundles, in one process", num("the Synthea bundles of the shared data", n))
}

func readJSON(t *testing.T, path string, v any) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
}
