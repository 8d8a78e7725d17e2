// Command accuracy measures how well the engine's rule packs find the
// sensitive categories of the default US-realm pack (HIV, SUD, MH, SEX, STD,
// SDV, GDIS) against answer keys written by hand from the meaning of codes,
// never from the engine's output:
//
//   - testdata/accuracy/bundles/*.json with testdata/accuracy/bundles-key.json,
//     small hand-written Bundles;
//   - the Synthea bundles of ../shared/data (or $SECLABEL_DATA) with
//     testdata/accuracy/synthea-key.json, derived from the hand
//     classification of every coding in them, testdata/accuracy/codes.tsv.
//
// Each resource of a keyed Bundle is scored per category: an expected core
// category the engine labels is a true positive, one it misses a false
// negative, a label nothing expects a false positive. A broad-only
// expectation is neither required nor penalised, unless -broad adds the
// us-broad pack, which makes broad expectations required too.
//
// Usage:
//
//	go run ./internal/accuracy [-v] [-broad] [-text] [-json FILE]
//	go run ./internal/accuracy -extract   # list new Synthea codings into codes.tsv
//	go run ./internal/accuracy -derive    # rewrite synthea-key.json from codes.tsv
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
	flag.Parse()
	if err := run(*verbose, *broad, *text, *jsonOut, *doExtract, *doDerive); err != nil {
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
	report   report
	findings []finding
	notes    []string // what was skipped, for the user
}

// compute labels and scores every keyed Bundle.
func compute(root string, broad, text bool) (*measure, error) {
	m := &measure{report: report{Pack: "us-default", Broad: broad, TextMode: text, Parts: map[string]part{}}}
	opts := engine.Options{TextMatch: text}
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
	s := &scorer{eng: eng, broad: m.report.Broad}

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
		m.notes = append(m.notes, err.Error()+"; skipping the Synthea part")
		m.report.Skipped = append(m.report.Skipped, "synthea")
	case err != nil:
		return nil, err
	default:
		synKey, err := readKey(filepath.Join(root, syntheaKey))
		if err != nil {
			return nil, err
		}
		if table, _, err := readCodes(filepath.Join(root, codesTSV)); err == nil {
			s.table = table
		}
		tsy, err := s.score(syn, synKey)
		if err != nil {
			return nil, err
		}
		m.report.Parts["synthea"] = tsy.part()
		together.add(tsy)
		m.report.Parts["together"] = together.part()
	}
	m.findings = together.findings
	return m, nil
}

func hasBundle(bs []namedBundle, name string) bool {
	for _, b := range bs {
		if b.Name == name {
			return true
		}
	}
	return false
}

func run(verbose, broad, text bool, jsonOut string, doExtract, doDerive bool) error {
	root, err := golden.Root()
	if err != nil {
		return err
	}
	if doExtract || doDerive {
		syn, err := loadSynthea()
		if err != nil {
			return err
		}
		if doExtract {
			added, kept, err := extract(filepath.Join(root, codesTSV), syn)
			if err != nil {
				return err
			}
			fmt.Printf("%s: %d codings kept, %d new (to classify)\n", codesTSV, kept, added)
		}
		if doDerive {
			table, _, err := readCodes(filepath.Join(root, codesTSV))
			if err != nil {
				return err
			}
			k, err := deriveKey(syn, table)
			if err != nil {
				return err
			}
			if err := writeJSON(filepath.Join(root, syntheaKey), k); err != nil {
				return err
			}
			n := 0
			for _, rs := range k {
				n += len(rs)
			}
			fmt.Printf("%s: %d bundles, %d resources expected to carry a category\n", syntheaKey, len(k), n)
		}
		return nil
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
	if verbose {
		fmt.Println()
		printFindings(os.Stdout, m.findings)
	}
	if jsonOut != "" {
		if err := writeJSON(jsonOut, m.report); err != nil {
			return err
		}
	}
	return nil
}
