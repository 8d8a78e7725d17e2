// Command accuracy measures how well the engine's rule packs find the
// sensitive categories of the default US-realm pack (HIV, SUD, MH, SEX, STD,
// SDV, GDIS) against answer keys written by hand from the meaning of codes,
// never from the engine's output:
//
//   - testdata/accuracy/bundles/*.json with testdata/accuracy/bundles-key.json,
//     small hand-written Bundles;
//   - the Synthea bundles of ../shared/data (or $SECLABEL_DATA) with
//     testdata/accuracy/synthea-key.json, derived from the hand
//     classification of every coding in them, testdata/accuracy/codes.tsv;
//   - the text part: the fdp Synthea bundles, labeled with the engine's
//     default options, with testdata/accuracy/text-key.json, derived from
//     the hand classification of every text unit in them (padded-id
//     displays, CodeableConcept.text, note and narrative sentences),
//     testdata/accuracy/texts.tsv (text.go says how units are found);
//   - negative controls: the labels the text classifier ("seclabel text")
//     adds to the Synthea bundles whose key expects nothing at all.
//
// Each resource of a keyed Bundle is scored per category: an expected core
// category the engine labels is a true positive, one it misses a false
// negative, a label nothing expects a false positive. A broad-only
// expectation is neither required nor penalised, unless -broad adds the
// us-broad pack, which makes broad expectations required too (not in the
// text part, which always measures the default options).
//
// Targets: on the code keys, recall and precision of at least 0.95 per
// category; on the text key, precision of at least 0.95 and recall of at
// least 0.90 per category; no text label on the negative controls.
//
// Usage:
//
//	go run ./internal/accuracy [-v] [-broad] [-text] [-json FILE]
//	go run ./internal/accuracy -extract   # list new Synthea codings into codes.tsv
//	go run ./internal/accuracy -derive    # rewrite synthea-key.json from codes.tsv
//	go run ./internal/accuracy -extract-text  # list new text units of the fdp bundles into texts.tsv
//	go run ./internal/accuracy -derive-text   # rewrite text-key.json from texts.tsv
//	go run ./internal/accuracy -words-cases   # write a golden label case per text of testdata/words/corpus.json
package main

import (
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"sort"

	"github.com/seclabel/seclabel/engine"
	"github.com/seclabel/seclabel/internal/golden"
	"github.com/seclabel/seclabel/internal/testenv"
)

func main() {
	verbose := flag.Bool("v", false, "list the false negatives and false positives with their codes")
	broad := flag.Bool("broad", false, "add the us-broad pack (engine/packs/us-broad.json) and require broad expectations")
	text := flag.Bool("text", false, "turn on the textMatch option")
	jsonOut := flag.String("json", "", "write the figures to this file")
	doExtract := flag.Bool("extract", false, "list every distinct Synthea coding into testdata/accuracy/codes.tsv, keeping classifications")
	doDerive := flag.Bool("derive", false, "derive testdata/accuracy/synthea-key.json from testdata/accuracy/codes.tsv")
	doExtractText := flag.Bool("extract-text", false, "list every distinct text unit of the fdp bundles into testdata/accuracy/texts.tsv, keeping classifications")
	doDeriveText := flag.Bool("derive-text", false, "derive testdata/accuracy/text-key.json from testdata/accuracy/texts.tsv")
	doWordsCases := flag.Bool("words-cases", false, "write testdata/cases/label/words-*.json from testdata/words/corpus.json (then run the golden tests with SECLABEL_UPDATE_GOLDEN=1)")
	flag.Parse()
	if *doWordsCases {
		root, err := golden.Root()
		if err == nil {
			err = writeWordsCases(root)
		}
		if err != nil {
			fmt.Fprintln(os.Stderr, "accuracy:", err)
			os.Exit(1)
		}
		return
	}
	if err := run(*verbose, *broad, *text, *jsonOut, maintenance{*doExtract, *doDerive, *doExtractText, *doDeriveText}); err != nil {
		fmt.Fprintln(os.Stderr, "accuracy:", err)
		os.Exit(1)
	}
}

// paths of the corpus, relative to the module root.
const (
	bundlesDir = "testdata/accuracy/bundles"
	bundlesKey = "testdata/accuracy/bundles-key.json"
	syntheaKey = "testdata/accuracy/synthea-key.json"
	codesTSV   = "testdata/accuracy/codes.tsv"
	textsTSV   = "testdata/accuracy/texts.tsv"
	textKey    = "testdata/accuracy/text-key.json"
	broadPack  = "engine/packs/us-broad.json"
)

var errNoSynthea = errors.New("no Synthea bundles (set SECLABEL_DATA or put the data at ../shared/data)")

func loadSynthea() ([]namedBundle, error) {
	d := testenv.DataDir()
	if d == "" {
		return nil, errNoSynthea
	}
	files, err := testenv.ReadSynthea(filepath.Join(d, "synthea"))
	if err != nil {
		if os.IsNotExist(err) {
			return nil, errNoSynthea
		}
		return nil, err
	}
	if len(files) == 0 {
		return nil, errNoSynthea
	}
	var out []namedBundle
	for _, f := range files {
		b, err := parseBundle(f.Name, f.Data)
		if err != nil {
			return nil, err
		}
		out = append(out, b)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}

func loadBundles(root string) ([]namedBundle, error) {
	paths, err := filepath.Glob(filepath.Join(root, bundlesDir, "*.json"))
	if err != nil {
		return nil, err
	}
	sort.Strings(paths)
	var out []namedBundle
	for _, p := range paths {
		data, err := os.ReadFile(p)
		if err != nil {
			return nil, err
		}
		b, err := parseBundle(filepath.Base(p), data)
		if err != nil {
			return nil, err
		}
		out = append(out, b)
	}
	return out, nil
}

// measure is one run of the measurement.
type measure struct {
	report       report
	findings     []finding
	textFindings []finding
	negFindings  []string // negative-control resources with text labels
	notes        []string // what was skipped, for the user
}

// compute labels and scores every keyed Bundle.
func compute(root string, broad, text bool) (*measure, error) {
	m := &measure{report: report{Pack: "us-default", Broad: broad, TextMode: text, Parts: map[string]part{}, Targets: goals}}
	// The code keys are written from codings: words are measured by the
	// text part, against a key of their own.
	opts := engine.Options{TextMatch: engine.TextOff}
	if text {
		opts.TextMatch = engine.TextAll
	}
	if broad {
		b, err := os.ReadFile(filepath.Join(root, broadPack))
		switch {
		case os.IsNotExist(err):
			m.notes = append(m.notes, "-broad: the engine has no us-broad pack ("+broadPack+" is absent); measuring the default pack, broad expectations not required")
			m.report.Broad = false
		case err != nil:
			return nil, err
		default:
			rules, err := engine.CompileRules(engine.DefaultPack(), b)
			if err != nil {
				return nil, fmt.Errorf("%s: %v", broadPack, err)
			}
			opts.Rules = rules
			m.report.Pack = "us-default+us-broad"
		}
	}
	eng, err := engine.New(opts)
	if err != nil {
		return nil, err
	}
	s := &scorer{label: engineLabel(eng), broad: m.report.Broad}

	small, err := loadBundles(root)
	if err != nil {
		return nil, err
	}
	smallKey, err := readKey(filepath.Join(root, bundlesKey))
	if err != nil {
		return nil, err
	}
	for name := range smallKey {
		if !hasBundle(small, name) {
			return nil, fmt.Errorf("%s names %s, which is not in %s", bundlesKey, name, bundlesDir)
		}
	}
	together := newTally()
	ts, err := s.score(small, smallKey)
	if err != nil {
		return nil, err
	}
	m.report.Parts["bundles"] = ts.part()
	together.add(ts)

	syn, err := loadSynthea()
	switch {
	case errors.Is(err, errNoSynthea):
		m.notes = append(m.notes, err.Error()+"; skipping the Synthea part, the text part and the negative controls")
		m.report.Skipped = append(m.report.Skipped, "synthea", "text")
	case err != nil:
		return nil, err
	default:
		synKey, err := readKey(filepath.Join(root, syntheaKey))
		if err != nil {
			return nil, err
		}
		if table, _, err := readCodes(filepath.Join(root, codesTSV)); err == nil {
			s.why = func(b *namedBundle) map[string]derivation { d, _ := derive(b, table); return d }
		}
		tsy, err := s.score(syn, synKey)
		if err != nil {
			return nil, err
		}
		m.report.Parts["synthea"] = tsy.part()
		together.add(tsy)
		m.report.Parts["together"] = together.part()
		if err := m.measureText(root, syn, synKey); err != nil {
			return nil, err
		}
	}
	m.findings = together.findings
	return m, nil
}

// measureText scores the text part and counts the negative controls, both
// with the engine's default options.
func (m *measure) measureText(root string, syn []namedBundle, synKey key) error {
	eng, err := engine.New(engine.Options{})
	if err != nil {
		return err
	}
	label := engineLabel(eng)
	if fdp := fdpBundles(syn); len(fdp) == 0 {
		m.notes = append(m.notes, "no fdp bundles among the Synthea bundles; skipping the text part")
		m.report.Skipped = append(m.report.Skipped, "text")
	} else {
		k, err := readKey(filepath.Join(root, textKey))
		if err != nil {
			return err
		}
		s := &scorer{label: label}
		if table, err := readTexts(filepath.Join(root, textsTSV)); err == nil {
			s.why = func(b *namedBundle) map[string]derivation { d, _ := deriveText(b, table); return d }
		}
		t, err := s.score(fdp, k)
		if err != nil {
			return fmt.Errorf("text part: %v", err)
		}
		m.report.Parts["text"] = t.part()
		m.textFindings = t.findings
	}
	neg := &negatives{}
	for _, b := range negativeControls(syn, synKey) {
		out, _, err := label(b.Data)
		if err != nil {
			return fmt.Errorf("%s: %v", b.Name, err)
		}
		n, perEntry, err := textLabels(out)
		if err != nil {
			return fmt.Errorf("%s: labeled: %v", b.Name, err)
		}
		for _, e := range b.Entries {
			if k := perEntry[e.Index]; k > 0 {
				m.negFindings = append(m.negFindings, fmt.Sprintf("%s %s: %d labels by the text classifier", b.Name, e.ID, k))
			}
		}
		neg.Bundles++
		neg.Resources += len(b.Entries)
		neg.TextLabels += n
	}
	m.report.Negative = neg
	return nil
}

func hasBundle(bs []namedBundle, name string) bool {
	for _, b := range bs {
		if b.Name == name {
			return true
		}
	}
	return false
}

// maintenance is what the key-writing flags ask for.
type maintenance struct {
	extract, derive, extractText, deriveText bool
}

func (w maintenance) any() bool { return w.extract || w.derive || w.extractText || w.deriveText }

func run(verbose, broad, text bool, jsonOut string, w maintenance) error {
	root, err := golden.Root()
	if err != nil {
		return err
	}
	if w.any() {
		return maintain(root, w)
	}
	m, err := compute(root, broad, text)
	if err != nil {
		return err
	}
	for _, n := range m.notes {
		fmt.Println("note:", n)
	}
	mode := "default pack; broad-only expectations neither required nor penalised"
	if m.report.Broad {
		mode = "default and us-broad packs; broad expectations required"
	}
	if text {
		mode += "; textMatch on"
	}
	fmt.Printf("accuracy per resource and category (%s)\n", mode)
	fmt.Println("core/broad: resources expected to carry the category (broad: broad only)")
	for _, name := range []string{"bundles", "synthea", "together"} {
		if p, ok := m.report.Parts[name]; ok {
			printPart(os.Stdout, name, p)
		}
	}
	if p, ok := m.report.Parts["together"]; ok {
		printTarget(os.Stdout, p, goals.Together)
	}
	if p, ok := m.report.Parts["text"]; ok {
		printPart(os.Stdout, "text (the fdp bundles, engine defaults, text-key.json)", p)
		printTarget(os.Stdout, p, goals.Text)
	}
	if n := m.report.Negative; n != nil {
		verdict := "met"
		if n.TextLabels > goals.NegativeTextLabels {
			verdict = "not met"
		}
		fmt.Printf("\nnegative controls: %d Synthea bundles whose key expects nothing (%d resources): %d labels by the text classifier (%q); target %d: %s\n",
			n.Bundles, n.Resources, n.TextLabels, textClassifier, goals.NegativeTextLabels, verdict)
	}
	if verbose {
		fmt.Println()
		printFindings(os.Stdout, m.findings)
		if len(m.textFindings) > 0 {
			fmt.Println("\ntext part:")
			printFindings(os.Stdout, m.textFindings)
		}
		if len(m.negFindings) > 0 {
			fmt.Println("\nnegative controls:")
			for _, f := range m.negFindings {
				fmt.Println("FP", f)
			}
		}
	}
	if jsonOut != "" {
		if err := writeJSON(jsonOut, m.report); err != nil {
			return err
		}
	}
	return nil
}

// maintain rewrites the lists and keys the flags name, from the Synthea
// bundles.
func maintain(root string, w maintenance) error {
	syn, err := loadSynthea()
	if err != nil {
		return err
	}
	for _, x := range []struct {
		on          bool
		path, nouns string
		extract     func(string, []namedBundle) (int, int, error)
	}{
		{w.extract, codesTSV, "codings", extract},
		{w.extractText, textsTSV, "text units", func(path string, bs []namedBundle) (int, int, error) {
			return extractTexts(path, fdpBundles(bs))
		}},
	} {
		if !x.on {
			continue
		}
		added, kept, err := x.extract(filepath.Join(root, x.path), syn)
		if err != nil {
			return err
		}
		fmt.Printf("%s: %d %s kept, %d new (to classify)\n", x.path, kept, x.nouns, added)
	}
	for _, x := range []struct {
		on     bool
		path   string
		derive func(string, []namedBundle) (key, error)
	}{{w.derive, syntheaKey, syntheaKeyOf}, {w.deriveText, textKey, textKeyOf}} {
		if !x.on {
			continue
		}
		k, err := x.derive(root, syn)
		if err != nil {
			return err
		}
		if err := writeJSON(filepath.Join(root, x.path), k); err != nil {
			return err
		}
		n := 0
		for _, rs := range k {
			n += len(rs)
		}
		fmt.Printf("%s: %d bundles, %d resources expected to carry a category\n", x.path, len(k), n)
	}
	return nil
}
