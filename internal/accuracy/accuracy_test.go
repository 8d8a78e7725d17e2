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
// go run ./internal/accuracy -json testdata/accuracy/report.json), or the
// negative controls gain labels by the text classifier. Without the
// Synthea bundles only the hand-written part is compared.
// wholeKey names the part that holds the whole code key: "together" when
// both code parts were measured, else the hand-written one.
func wholeKey(r report) string {
	if _, ok := r.Parts["together"]; ok {
		return "together"
	}
	return "bundles"
}

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
	if w, g := want.Negative, m.report.Negative; w != nil && g != nil && g.TextLabels > w.TextLabels {
		t.Errorf("negative controls: %d labels by the text classifier in %d Synthea bundles whose key expects nothing, committed %d (target %d); go run ./internal/accuracy -v",
			g.TextLabels, g.Bundles, w.TextLabels, goals.NegativeTextLabels)
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
				// The bar for core labels, per category, on the whole code
				// key (both parts when the Synthea data is there).
				bar := goals.Together.Recall
				if x.what == "precision" {
					bar = goals.Together.Precision
				}
				if name == wholeKey(m.report) && x.got != nil && *x.got < bar {
					t.Errorf("%s %s: %s %s, below %.2f (TP %d FP %d FN %d); go run ./internal/accuracy -v lists what is missed",
						name, c, x.what, fmtRatio(x.got), bar, g.TP, g.FP, g.FN)
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
	root, syn := syntheaData(t)
	checkDerived(t, root, syntheaKey, "-derive", syntheaKeyOf, syn)
}

// syntheaData returns the module root and the Synthea bundles, or skips.
func syntheaData(t *testing.T) (string, []namedBundle) {
	t.Helper()
	testenv.Require(t, "synthea")
	root, err := golden.Root()
	if err != nil {
		t.Fatal(err)
	}
	syn, err := loadSynthea()
	if err != nil {
		t.Fatal(err)
	}
	return root, syn
}

// checkDerived fails when the committed key at path differs from what
// derive makes of the bundles (flag rewrites it).
func checkDerived(t *testing.T, root, path, flag string, derive func(string, []namedBundle) (key, error), bundles []namedBundle) {
	t.Helper()
	derived, err := derive(root, bundles)
	if err != nil {
		t.Fatal(err)
	}
	committed, err := readKey(filepath.Join(root, path))
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(derived, committed) {
		t.Errorf("%s differs from what its classification derives: run go run ./internal/accuracy %s", path, flag)
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
