package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/seclabel/seclabel/internal/golden"
	"github.com/seclabel/seclabel/internal/testenv"
)

// TestAccuracyHoldsCommittedFigures fails when any category's recall or
// precision falls below testdata/accuracy/report.json (written by
// go run ./internal/accuracy -json testdata/accuracy/report.json). Without
// the Synthea bundles only the hand-written part is compared.
// wholeKey names the part that holds the whole answer key: "together"
// when both parts were measured, else the only one.
func wholeKey(r report) string {
	if _, ok := r.Parts["together"]; ok {
		return "together"
	}
	for name := range r.Parts {
		return name
	}
	return ""
}

// minRatio is the least recall and precision each category keeps on the
// project's own answer key.
const minRatio = 0.95

func TestAccuracyHoldsCommittedFigures(t *testing.T) {
	root, err := golden.Root()
	if err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(filepath.Join(root, "testdata", "accuracy", "report.json"))
	if err != nil {
		t.Fatal(err)
	}
	var want report
	if err := json.Unmarshal(b, &want); err != nil {
		t.Fatal(err)
	}
	if want.Broad || want.TextMode || want.Pack != "us-default" {
		t.Fatalf("report.json was written with -broad or -text (pack %s); write it with the default pack", want.Pack)
	}
	m, err := compute(root, false, false)
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range m.notes {
		t.Log(n)
	}
	for _, name := range sortedKeys(want.Parts) {
		wp := want.Parts[name]
		gp, ok := m.report.Parts[name]
		if !ok {
			t.Logf("%s: not measured here, not compared", name)
			continue
		}
		for _, c := range sortedKeys(wp.Figures) {
			w, g := wp.Figures[c], gp.Figures[c]
			for _, x := range []struct {
				what      string
				want, got *float64
			}{{"recall", w.Recall, g.Recall}, {"precision", w.Precision, g.Precision}} {
				if x.want == nil {
					continue
				}
				// The bar for core labels, per category, on the whole key
				// (both parts when the Synthea data is there): 0.95.
				if name == wholeKey(m.report) && x.got != nil && *x.got < minRatio {
					t.Errorf("%s %s: %s %s, below %.2f (TP %d FP %d FN %d); go run ./internal/accuracy -v lists what is missed",
						name, c, x.what, fmtRatio(x.got), minRatio, g.TP, g.FP, g.FN)
				}
				if x.got == nil || *x.got < *x.want-1e-9 {
					t.Errorf("%s %s: %s %s, committed %.4f (TP %d FP %d FN %d, committed TP %d FP %d FN %d); go run ./internal/accuracy -v lists what is missed",
						name, c, x.what, fmtRatio(x.got), *x.want, g.TP, g.FP, g.FN, w.TP, w.FP, w.FN)
				}
			}
		}
	}
}

// TestSyntheaKeyIsDerived checks that synthea-key.json is what -derive
// makes of codes.tsv and that codes.tsv lists every coding of the bundles.
func TestSyntheaKeyIsDerived(t *testing.T) {
	testenv.Require(t, "synthea")
	root, err := golden.Root()
	if err != nil {
		t.Fatal(err)
	}
	syn, err := loadSynthea()
	if err != nil {
		t.Fatal(err)
	}
	table, _, err := readCodes(filepath.Join(root, codesTSV))
	if err != nil {
		t.Fatal(err)
	}
	derived, err := deriveKey(syn, table)
	if err != nil {
		t.Fatal(err)
	}
	committed, err := readKey(filepath.Join(root, syntheaKey))
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(derived, committed) {
		t.Errorf("%s differs from what codes.tsv derives: run go run ./internal/accuracy -derive", syntheaKey)
	}
}

// TestBundlesKeyNamesEveryBundle checks the hand-written key and bundles
// match: every bundle is keyed, every keyed resource exists.
func TestBundlesKeyNamesEveryBundle(t *testing.T) {
	root, err := golden.Root()
	if err != nil {
		t.Fatal(err)
	}
	bs, err := loadBundles(root)
	if err != nil {
		t.Fatal(err)
	}
	k, err := readKey(filepath.Join(root, bundlesKey))
	if err != nil {
		t.Fatal(err)
	}
	if len(bs) == 0 {
		t.Fatal("no hand-written bundles")
	}
	for _, b := range bs {
		rs, ok := k[b.Name]
		if !ok {
			t.Errorf("%s: not in %s", b.Name, bundlesKey)
			continue
		}
		for id, e := range rs {
			if _, ok := b.byRef[id]; !ok {
				t.Errorf("%s: key names %s, not in the bundle", b.Name, id)
			}
			if len(e.Core) == 0 && len(e.Broad) == 0 {
				t.Errorf("%s %s: empty expectation listed", b.Name, id)
			}
		}
	}
}
