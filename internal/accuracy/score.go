package main

import (
	"context"
	"fmt"
	"io"
	"math"
	"sort"
	"strconv"
	"strings"

	"github.com/seclabel/seclabel/engine"
	"github.com/valyala/fastjson"
)

// counts are true positives, false positives and false negatives, counted
// per resource and category.
type counts struct {
	TP int `json:"tp"`
	FP int `json:"fp"`
	FN int `json:"fn"`
}

// figure is one category's counts with recall and precision (null when
// there is nothing to divide by).
type figure struct {
	counts
	Recall    *float64 `json:"recall"`
	Precision *float64 `json:"precision"`
}

func ratio(a, b int) *float64 {
	if b == 0 {
		return nil
	}
	r := math.Round(float64(a)/float64(b)*1e4) / 1e4
	return &r
}

func (c counts) figure() figure {
	return figure{c, ratio(c.TP, c.TP+c.FN), ratio(c.TP, c.TP+c.FP)}
}

// part is the figures of one set of bundles: each category and "all".
type part struct {
	Bundles   int               `json:"bundles"`
	Resources int               `json:"resources"`
	Keyed     map[string][2]int `json:"keyed"` // category: resources expected core, broad only
	Figures   map[string]figure `json:"figures"`
}

// report is what -json writes.
type report struct {
	Pack     string          `json:"pack"`
	Broad    bool            `json:"broadRequired"`
	TextMode bool            `json:"textMatch"`
	Parts    map[string]part `json:"parts"`
	Negative *negatives      `json:"negativeControls,omitempty"`
	Targets  targets         `json:"targets"`
	Skipped  []string        `json:"skipped,omitempty"`
}

// negatives is the negative-control figure: the labels the engine's text
// reading adds to the Synthea bundles whose key expects nothing at all.
type negatives struct {
	Bundles    int `json:"bundles"`
	Resources  int `json:"resources"`
	TextLabels int `json:"textLabels"`
}

// target is the least recall and precision each category should reach.
type target struct {
	Recall    float64 `json:"recall"`
	Precision float64 `json:"precision"`
}

// targets are the figures the measurement aims at.
type targets struct {
	Together           target `json:"together"` // the code keys, whole
	Text               target `json:"text"`     // the text key of the fdp bundles
	NegativeTextLabels int    `json:"negativeControlTextLabels"`
}

var goals = targets{
	Together:           target{Recall: 0.95, Precision: 0.95},
	Text:               target{Recall: 0.90, Precision: 0.95},
	NegativeTextLabels: 0,
}

// unmet lists the categories of p whose recall or precision is below t.
func unmet(p part, t target) []string {
	var out []string
	for _, c := range append(append([]string(nil), categories...), "all") {
		f := p.Figures[c]
		if f.Recall != nil && *f.Recall < t.Recall {
			out = append(out, c+" recall "+fmtRatio(f.Recall))
		}
		if f.Precision != nil && *f.Precision < t.Precision {
			out = append(out, c+" precision "+fmtRatio(f.Precision))
		}
	}
	return out
}

func printTarget(w io.Writer, p part, t target) {
	verdict := "met"
	if u := unmet(p, t); len(u) > 0 {
		verdict = "not met (" + strings.Join(u, ", ") + ")"
	}
	fmt.Fprintf(w, "  target: recall >= %.2f and precision >= %.2f per category: %s\n", t.Recall, t.Precision, verdict)
}

// finding is one false negative or false positive.
type finding struct {
	Kind, Bundle, Resource, Category string
	Codes                            []string
}

// tally accumulates one part.
type tally struct {
	bundles, resources int
	keyedCore          map[string]int
	keyedBroad         map[string]int
	c                  map[string]*counts
	findings           []finding
}

func newTally() *tally {
	t := &tally{keyedCore: map[string]int{}, keyedBroad: map[string]int{}, c: map[string]*counts{}}
	for _, c := range categories {
		t.c[c] = &counts{}
	}
	return t
}

func (t *tally) add(o *tally) {
	t.bundles += o.bundles
	t.resources += o.resources
	for _, c := range categories {
		t.keyedCore[c] += o.keyedCore[c]
		t.keyedBroad[c] += o.keyedBroad[c]
		t.c[c].TP += o.c[c].TP
		t.c[c].FP += o.c[c].FP
		t.c[c].FN += o.c[c].FN
	}
	t.findings = append(t.findings, o.findings...)
}

func (t *tally) part() part {
	p := part{Bundles: t.bundles, Resources: t.resources, Keyed: map[string][2]int{}, Figures: map[string]figure{}}
	var all counts
	for _, c := range categories {
		p.Keyed[c] = [2]int{t.keyedCore[c], t.keyedBroad[c]}
		p.Figures[c] = t.c[c].figure()
		all.TP += t.c[c].TP
		all.FP += t.c[c].FP
		all.FN += t.c[c].FN
	}
	p.Figures["all"] = all.figure()
	return p
}

// labelFunc labels one Bundle: it returns the labeled Bundle and, per
// entry index, the rule matches reported for the entry.
type labelFunc func(data []byte) ([]byte, map[int][]string, error)

// engineLabel labels with eng.
func engineLabel(eng *engine.Engine) labelFunc {
	return func(data []byte) ([]byte, map[int][]string, error) {
		res, err := eng.Label(context.Background(), data)
		if err != nil {
			return nil, nil, err
		}
		matches := map[int][]string{}
		for _, l := range res.Report.Labeled {
			i, ok := entryIndex(l.Location)
			if !ok {
				continue
			}
			for _, m := range l.Matches {
				s := m.Rule + ": " + m.System + "|" + m.Code
				if m.Path != "" {
					s += " at " + m.Path
				}
				matches[i] = append(matches[i], s)
			}
		}
		return res.Resource, matches, nil
	}
}

// scorer labels bundles and scores them against a key.
type scorer struct {
	label labelFunc
	broad bool                                       // broad expectations are required too
	why   func(b *namedBundle) map[string]derivation // optional: explains expectations in findings
}

// categoriesOf returns, per entry index of a labeled Bundle, the
// categories its meta.security carries (its contained resources' labels
// count for it).
func categoriesOf(labeled []byte) (map[int]map[string]bool, error) {
	v, err := fastjson.ParseBytes(labeled)
	if err != nil {
		return nil, err
	}
	got := map[int]map[string]bool{}
	for i, e := range v.GetArray("entry") {
		r := e.Get("resource")
		if r == nil {
			continue
		}
		set := map[string]bool{}
		collect := func(r *fastjson.Value) {
			for _, c := range r.GetArray("meta", "security") {
				if !strings.HasSuffix(str(c.Get("system")), "v3-ActCode") {
					continue
				}
				if cat, ok := labelCategory[str(c.Get("code"))]; ok {
					set[cat] = true
				}
			}
		}
		collect(r)
		for _, c := range r.GetArray("contained") {
			collect(c)
		}
		got[i] = set
	}
	return got, nil
}

func entryIndex(loc string) (int, bool) {
	const p = "Bundle.entry["
	if !strings.HasPrefix(loc, p) {
		return 0, false
	}
	rest := loc[len(p):]
	end := strings.IndexByte(rest, ']')
	if end < 0 {
		return 0, false
	}
	i, err := strconv.Atoi(rest[:end])
	return i, err == nil
}

// score labels each bundle of the key and counts per resource and category.
func (s *scorer) score(bundles []namedBundle, k key) (*tally, error) {
	t := newTally()
	for i := range bundles {
		b := &bundles[i]
		want, ok := k[b.Name]
		if !ok {
			return nil, fmt.Errorf("%s: not in the key", b.Name)
		}
		for id := range want {
			if _, ok := b.byRef[id]; !ok {
				return nil, fmt.Errorf("%s: key names %s, which the bundle does not hold", b.Name, id)
			}
		}
		out, matches, err := s.label(b.Data)
		if err != nil {
			return nil, fmt.Errorf("%s: %v", b.Name, err)
		}
		got, err := categoriesOf(out)
		if err != nil {
			return nil, fmt.Errorf("%s: labeled: %v", b.Name, err)
		}
		var why map[string]derivation
		if s.why != nil {
			why = s.why(b)
		}
		t.bundles++
		for _, e := range b.Entries {
			t.resources++
			exp := want[e.ID]
			core, broad := setOf(exp.Core), setOf(exp.Broad)
			for c := range core {
				t.keyedCore[c]++
			}
			for c := range broad {
				if !core[c] {
					t.keyedBroad[c]++
				}
			}
			for _, c := range categories {
				required := core[c] || (s.broad && broad[c])
				tolerated := broad[c]
				has := got[e.Index][c]
				switch {
				case required && has:
					t.c[c].TP++
				case required:
					t.c[c].FN++
					t.findings = append(t.findings, finding{"FN", b.Name, e.ID, c, explain(b, e, why)})
				case has && !tolerated:
					t.c[c].FP++
					t.findings = append(t.findings, finding{"FP", b.Name, e.ID, c, matches[e.Index]})
				}
			}
		}
	}
	return t, nil
}

func setOf(xs []string) map[string]bool {
	m := map[string]bool{}
	for _, x := range xs {
		m[x] = true
	}
	return m
}

// explain lists what a resource's expectation rests on: its classified
// codings or text units when a classification covers the bundle, else its
// clinical codings, and the resources it carries categories from.
func explain(b *namedBundle, e entry, why map[string]derivation) []string {
	var out []string
	if d, ok := why[e.ID]; ok {
		out = append(out, d.Basis...)
		for _, v := range d.Via {
			out = append(out, "via "+v)
		}
		return out
	}
	seen := map[coding]bool{}
	for _, c := range codings(e.Resource) {
		if seen[c] || strings.HasPrefix(c.System, "http://terminology.hl7.org/CodeSystem/") {
			continue
		}
		seen[c] = true
		out = append(out, c.String())
	}
	for _, p := range transfers[e.Type] {
		for _, ref := range references(e.Resource, p) {
			if j, ok := b.resolve(ref); ok {
				out = append(out, "via "+b.Entries[j].ID)
			}
		}
	}
	return out
}

func fmtRatio(r *float64) string {
	if r == nil {
		return "    -"
	}
	return fmt.Sprintf("%5.3f", *r)
}

func printPart(w io.Writer, name string, p part) {
	fmt.Fprintf(w, "\n%s: %d bundles, %d resources\n", name, p.Bundles, p.Resources)
	fmt.Fprintf(w, "  %-8s %6s %6s %6s %6s %6s %8s %9s\n", "category", "core", "broad", "TP", "FP", "FN", "recall", "precision")
	for _, c := range append(append([]string(nil), categories...), "all") {
		f := p.Figures[c]
		k := p.Keyed[c]
		core, broad := strconv.Itoa(k[0]), strconv.Itoa(k[1])
		if c == "all" {
			core, broad = "", ""
		}
		fmt.Fprintf(w, "  %-8s %6s %6s %6d %6d %6d %8s %9s\n", c, core, broad, f.TP, f.FP, f.FN, fmtRatio(f.Recall), fmtRatio(f.Precision))
	}
}

func printFindings(w io.Writer, fs []finding) {
	sort.SliceStable(fs, func(i, j int) bool {
		a, b := fs[i], fs[j]
		if a.Kind != b.Kind {
			return a.Kind > b.Kind // FN first
		}
		if a.Bundle != b.Bundle {
			return a.Bundle < b.Bundle
		}
		if a.Resource != b.Resource {
			return a.Resource < b.Resource
		}
		return a.Category < b.Category
	})
	for _, f := range fs {
		codes := f.Codes
		more := ""
		if len(codes) > 8 {
			more = fmt.Sprintf("; and %d more", len(codes)-8)
			codes = codes[:8]
		}
		fmt.Fprintf(w, "%s %-4s %s %s: %s%s\n", f.Kind, f.Category, f.Bundle, f.Resource, strings.Join(codes, "; "), more)
	}
}
