package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/seclabel/seclabel/engine"
)

// Validate reads the lists in dir and returns them with every problem:
// those of form Load finds and those Check finds.
func Validate(dir string) (*Lists, []Problem) {
	l, probs := Load(dir)
	probs = append(probs, Check(l)...)
	sortProblems(probs)
	return l, probs
}

// Check returns every problem of lists that Load could read: rule members
// the engine rejects, rows naming an unknown rule, system, kind or source,
// codes of the wrong shape, ranges out of order, duplicate rows, terms
// naming an unknown rule, kind or source or with a confidence out of (0, 1),
// duplicate terms, rules and categories left empty, and codes in two
// categories that overlaps.tsv does not list (and rows of overlaps.tsv that
// no longer overlap anything).
func Check(l *Lists) []Problem {
	var probs []Problem
	add := func(file string, line int, format string, a ...any) {
		probs = append(probs, Problem{file, line, fmt.Sprintf(format, a...)})
	}
	sources := map[string]bool{}
	for _, s := range l.Sources {
		sources[s.Key] = true
	}
	ruleAt := map[string]*Rule{}
	for _, c := range l.Categories {
		for _, r := range c.Rules {
			if prev, ok := ruleAt[r.ID]; ok {
				add(r.File, r.Line, "rule id %s is already used at %s:%d", r.ID, filepath.Base(prev.File), prev.Line)
				continue
			}
			ruleAt[r.ID] = r
		}
	}
	for _, c := range l.Categories {
		checkTerms(c, ruleAt, sources, add)
		for _, r := range c.Rules {
			if ruleAt[r.ID] != r {
				continue
			}
			if msg := engineCheck(r); msg != "" {
				add(r.File, r.Line, "rule %s: %s", r.ID, msg)
			}
		}
	}
	for _, c := range l.Categories {
		checkRows(c, ruleAt, sources, add)
		seen := map[string]*Row{}
		for _, row := range c.Rows {
			if row.norm == "" {
				continue
			}
			// A rule that fires only on positive results may repeat a
			// code of one that fires on the order alone.
			k := row.System + "\x00" + row.Kind + "\x00" + row.norm
			if r := ruleAt[row.Rule]; r != nil && r.PositiveResult {
				k += "\x00positive"
			}
			if prev, ok := seen[k]; ok {
				add(row.File, row.Line, "duplicate row: %s %s %s is already listed at line %d", row.System, row.Kind, row.Code, prev.Line)
				continue
			}
			seen[k] = row
		}
		packs := map[string]int{} // pack -> code rows, text patterns and terms
		hasRules := map[string]bool{}
		for _, r := range c.Rules {
			hasRules[r.Pack] = true
			packs[r.Pack] += len(r.Rows) + len(r.Text) + len(r.Terms)
			if len(r.Rows) == 0 && len(r.Text) == 0 && len(r.Terms) == 0 && len(r.ResourceTypes) == 0 && r.Path == "" {
				add(r.File, r.Line, "rule %s matches nothing: it has no rows in %s.tsv, no terms in %s%s, no text, no resourceTypes and no path", r.ID, c.Key, c.Key, termsSuffix)
			}
		}
		for _, p := range []string{"default", "broad"} {
			if hasRules[p] && packs[p] == 0 {
				add(c.File, 1, "category %s has rules in the %s pack but no code row or text pattern there", c.Key, p)
			}
		}
	}
	probs = append(probs, checkOverlaps(l)...)
	return probs
}

// ruleOf returns the rule a line of category c names, or nil when the line
// names none, or a rule that is not c's (and says so).
func ruleOf(c *Category, ruleAt map[string]*Rule, id, file string, line int, add func(string, int, string, ...any)) *Rule {
	r := ruleAt[id]
	switch {
	case id == "":
		add(file, line, "the rule column is empty")
	case r == nil:
		add(file, line, "unknown rule %s: not a rule id of %s.json", id, c.Key)
	case r.Category != c:
		add(file, line, "rule %s is a rule of %s.json, not of %s.json", id, r.Category.Key, c.Key)
	default:
		return r
	}
	return nil
}

// checkRows checks each row of a category and fills in its system, its
// normalised code and its rule's rows.
func checkRows(c *Category, ruleAt map[string]*Rule, sources map[string]bool, add func(string, int, string, ...any)) {
	for _, row := range c.Rows {
		r := ruleOf(c, ruleAt, row.Rule, row.File, row.Line, add)
		if r == nil {
			continue
		}
		sys := systemByKey[row.System]
		if sys == nil {
			add(row.File, row.Line, "unknown system %q (one of %s)", row.System, systemKeys())
			continue
		}
		row.sys = sys
		if !sources[row.Source] {
			add(row.File, row.Line, "unknown source %q: not a key of sources.tsv", row.Source)
		}
		if msg := checkCode(sys, row); msg != "" {
			add(row.File, row.Line, "%s", msg)
			continue
		}
		r.Rows = append(r.Rows, row)
	}
}

// termKinds are the kinds a term may have.
var termKinds = []string{"term", "synonym", "abbreviation", "drug", "brand", "regimen"}

// confidenceRE is a decimal below 1 as a confidence column writes it.
var confidenceRE = regexp.MustCompile(`^0?\.[0-9]+$`)

// checkTerms checks each term of a category and gives each rule its terms:
// a rule of the category, a kind of termKinds, a confidence in (0, 1) or
// none, a known source, a term written once per rule (literal terms compared
// in any case, as they match), and a case-exact term (=AIDS) with an upper
// case letter to be exact about.
func checkTerms(c *Category, ruleAt map[string]*Rule, sources map[string]bool, add func(string, int, string, ...any)) {
	type at struct {
		file string
		line int
	}
	seen := map[string]at{}
	for _, r := range c.Rules {
		if ruleAt[r.ID] != r {
			continue
		}
		for _, t := range r.Text {
			k := r.ID + "\x00" + termKey(t)
			if _, ok := seen[k]; !ok {
				seen[k] = at{r.File, r.Line}
			}
		}
	}
	for _, t := range c.Terms {
		r := ruleOf(c, ruleAt, t.Rule, t.File, t.Line, add)
		if r == nil {
			continue
		}
		ok := true
		fail := func(format string, a ...any) {
			add(t.File, t.Line, format, a...)
			ok = false
		}
		if !contains(termKinds, t.Kind) {
			fail("unknown kind %q (one of %s)", t.Kind, strings.Join(termKinds, ", "))
		}
		t.conf = 1
		if t.Confidence != "" {
			v, err := strconv.ParseFloat(t.Confidence, 64)
			if !confidenceRE.MatchString(t.Confidence) || err != nil || v <= 0 || v >= 1 {
				fail("confidence %q must be a decimal above 0 and below 1 (leave the column empty for 1)", t.Confidence)
			}
			t.conf = v
		}
		if !sources[t.Source] {
			fail("unknown source %q: not a key of sources.tsv", t.Source)
		}
		switch exact, isExact := strings.CutPrefix(t.Term, "="); {
		case strings.TrimSpace(exact) == "":
			fail("the term column is empty")
		case isExact && strings.ToLower(exact) == exact:
			fail("term %q is case-exact (=) but has no upper-case letter: write it without the =", t.Term)
		}
		if !ok {
			continue
		}
		k := r.ID + "\x00" + termKey(t.Term)
		if prev, dup := seen[k]; dup {
			add(t.File, t.Line, "duplicate term: %q is already a term of rule %s at %s:%d", t.Term, r.ID, filepath.Base(prev.file), prev.line)
			continue
		}
		seen[k] = at{t.File, t.Line}
		r.Terms = append(r.Terms, t)
	}
}

// termKey is a term as the engine compares it: white space folded, and in
// lower case unless case-exact.
func termKey(t string) string {
	t = strings.Join(strings.Fields(t), " ")
	if strings.HasPrefix(t, "=") {
		return t
	}
	return strings.ToLower(t)
}

var wordRE = regexp.MustCompile(`^!?[a-z0-9][a-z0-9-]*(\.[0-9][a-z0-9-]*)*$`)

// checkCode checks a row's kind and code against its system and sets its
// normalised form; it returns a message, or "".
func checkCode(sys *codeSystem, row *Row) string {
	code := row.Code
	if code == "" {
		return "the code column is empty"
	}
	switch row.Kind {
	case "code":
		if !sys.code.MatchString(code) {
			return fmt.Sprintf("%s code %q has the wrong shape: want %s", sys.name, code, sys.shape)
		}
		if sys.check != nil && !sys.check(code) {
			return fmt.Sprintf("%s code %q: the check digit is wrong (%s)", sys.name, code, sys.shape)
		}
		row.norm = sys.norm(code)
	case "prefix":
		if sys.prefix == nil {
			return fmt.Sprintf("kind prefix does not suit %s (its codes carry no hierarchy): list the codes", sys.name)
		}
		if !sys.prefix.MatchString(code) {
			return fmt.Sprintf("%s prefix %q has the wrong shape: want the start of %s", sys.name, code, sys.shape)
		}
		row.norm = sys.norm(code)
	case "range":
		if !sys.ranges {
			return fmt.Sprintf("kind range is for ICD systems only, not %s", sys.name)
		}
		from, to, ok := strings.Cut(code, "-")
		end := func(e string) bool { return sys.prefix.MatchString(e) || sys.code.MatchString(e) }
		if !ok || !end(from) || !end(to) {
			return fmt.Sprintf("%s range %q must be FROM-TO, each end %s", sys.name, code, sys.shape)
		}
		row.from, row.to = sys.norm(from), sys.norm(to)
		if row.from > row.to {
			return fmt.Sprintf("%s range %q: FROM is after TO", sys.name, code)
		}
		row.norm = row.from + "-" + row.to
	case "ingredient":
		if sys.key != "rxnorm" {
			return fmt.Sprintf("kind ingredient is for rxnorm only, not %s", sys.key)
		}
		words := strings.Fields(strings.ToLower(code))
		if problem := ingredientProblem(code, words); problem != "" {
			return problem
		}
		row.norm = strings.Join(words, " ")
	default:
		return fmt.Sprintf("unknown kind %q (code, prefix, range or ingredient)", row.Kind)
	}
	return ""
}

// engineKnows says which members of the generated packs the engine in this
// build reads: an engine that does not yet read a term's confidence is
// given its text alone, and one that does not read screeningBroad is not
// given it, so the rest of a rule is still checked.
var engineKnows = struct{ confidence, screeningBroad func() bool }{
	confidence:     sync.OnceValue(func() bool { return compiles(`"text":[{"text":"a","confidence":0.5}]`) }),
	screeningBroad: sync.OnceValue(func() bool { return compiles(`"text":["a"],"screeningBroad":true`) }),
}

// compiles reports whether the engine compiles a rule with these members.
func compiles(members string) bool {
	_, err := engine.CompileRules([]byte(`{"rules":[{"id":"x","labels":["HIV"],` + members + `}]}`))
	return err == nil
}

// ruleText is the text member of a rule: the patterns of its .json, then
// its terms, each a string, or, when withObjects is set, an object for a
// term with a confidence below 1 or that names a medication (kind drug,
// brand or regimen).
func ruleText(r *Rule, withObjects bool) []any {
	var out []any
	for _, t := range r.Text {
		out = append(out, t)
	}
	for _, t := range r.Terms {
		medication := t.Kind == "drug" || t.Kind == "brand" || t.Kind == "regimen"
		if (t.conf < 1 || medication) && withObjects {
			out = append(out, textEntry{t.Term, t.conf, medication})
		} else {
			out = append(out, t.Term)
		}
	}
	return out
}

// textEntry is a term with a confidence below 1 or a medication's name, as
// a pack writes it.
type textEntry struct {
	Text       string
	Confidence float64 // written when below 1
	Medication bool
}

// MarshalJSON writes the entry as the pack does.
func (e textEntry) MarshalJSON() ([]byte, error) { return []byte(e.json()), nil }

func (e textEntry) json() string {
	s := `{"text":` + str(e.Text)
	if e.Confidence < 1 {
		s += `,"confidence":` + strconv.FormatFloat(e.Confidence, 'f', -1, 64)
	}
	if e.Medication {
		s += `,"medication":true`
	}
	return s + "}"
}

// engineCheck compiles the rule's own members (labels, basis,
// confidentiality, resourceTypes, path, inline, positiveResult, atLeast,
// screeningBroad, text and terms) in the engine and returns what it rejects, or "". Its codes are
// checked here, not there.
func engineCheck(r *Rule) string {
	m := map[string]any{"id": r.ID, "codes": map[string]any{}}
	if len(r.Labels) > 0 {
		m["labels"] = r.Labels
	}
	if r.Basis != "" {
		m["basis"] = r.Basis
	}
	if r.Confidentiality != "" {
		m["confidentiality"] = r.Confidentiality
	}
	if len(r.ResourceTypes) > 0 {
		m["resourceTypes"] = r.ResourceTypes
	}
	if r.Path != "" {
		m["path"] = r.Path
	}
	if r.Inline {
		m["inline"] = true
	}
	if r.PositiveResult {
		m["positiveResult"] = true
	}
	if r.AtLeast != nil {
		m["atLeast"] = *r.AtLeast
	}
	if r.ScreeningBroad && engineKnows.screeningBroad() {
		m["screeningBroad"] = true
	}
	if text := ruleText(r, engineKnows.confidence()); len(text) > 0 {
		m["text"] = text
	}
	b, err := json.Marshal(map[string]any{"rules": []any{m}})
	if err != nil {
		return err.Error()
	}
	if _, err := engine.CompileRules(b); err != nil {
		var e *engine.Error
		msg := err.Error()
		if errors.As(err, &e) {
			msg = e.Message
		}
		// The engine says where in the one-rule pack: "pack 1:1:71:
		// rules[0].labels[1]: ...". The row's file and line say it here.
		if _, rest, ok := strings.Cut(msg, ": rules[0]"); ok {
			msg = rest
		}
		return strings.TrimPrefix(msg, ".")
	}
	return ""
}

// item is a code row as the overlap check sees it.
type item struct {
	row  *Row
	cat  string
	kind string
}

// checkOverlaps finds codes that sit in two categories: the same code, a
// code under a prefix or in a range of another category, a prefix under
// another's prefix or meeting another's range, and ranges that meet. Each
// such pair must be listed in overlaps.tsv.
func checkOverlaps(l *Lists) []Problem {
	var probs []Problem
	cats := map[string]string{} // key or name (lower case) -> key
	for _, c := range l.Categories {
		cats[strings.ToLower(c.Key)] = c.Key
		cats[strings.ToLower(c.Name)] = c.Key
	}
	type okey struct{ sys, norm string }
	allowed := map[okey][]*Overlap{}
	for _, o := range l.Overlaps {
		sys := systemByKey[o.System]
		switch {
		case sys == nil:
			probs = append(probs, Problem{o.File, o.Line, fmt.Sprintf("unknown system %q (one of %s)", o.System, systemKeys())})
			continue
		case strings.TrimSpace(o.Reason) == "":
			probs = append(probs, Problem{o.File, o.Line, "say why the code belongs to each category (the reason column is empty)"})
		case len(o.Categories) < 2:
			probs = append(probs, Problem{o.File, o.Line, "an overlap names at least two categories"})
		}
		for i, c := range o.Categories {
			k, ok := cats[strings.ToLower(c)]
			if !ok {
				probs = append(probs, Problem{o.File, o.Line, fmt.Sprintf("unknown category %q", c)})
				continue
			}
			o.Categories[i] = k
		}
		o.norm = sys.norm(o.Code)
		if from, to, ok := strings.Cut(o.Code, "-"); ok && sys.ranges {
			o.norm = sys.norm(from) + "-" + sys.norm(to)
		}
		if sys.key == "rxnorm" && strings.ContainsAny(o.Code, " abcdefghijklmnopqrstuvwxyz") {
			o.norm = strings.Join(strings.Fields(strings.ToLower(o.Code)), " ")
		}
		allowed[okey{sys.key, o.norm}] = append(allowed[okey{sys.key, o.norm}], o)
	}
	listed := func(a, b item) bool {
		ok := false
		for _, n := range []string{a.row.norm, b.row.norm} {
			for _, o := range allowed[okey{a.row.System, n}] {
				if contains(o.Categories, a.cat) && contains(o.Categories, b.cat) {
					o.used = true
					ok = true
				}
			}
		}
		return ok
	}
	report := func(a, b item, how string) {
		if listed(a, b) {
			return
		}
		probs = append(probs, Problem{a.row.File, a.row.Line, fmt.Sprintf(
			"%s %s %s of category %s %s %s %s of category %s (%s:%d); list it in overlaps.tsv with the reason, or keep it in one category",
			a.row.System, a.kind, a.row.Code, a.cat, how, b.kind, b.row.Code, b.cat, filepath.Base(b.row.File), b.row.Line)})
	}
	bySys := map[string][]item{}
	var order []string
	for _, c := range l.Categories {
		for _, r := range c.Rules {
			for _, row := range r.Rows {
				if _, ok := bySys[row.System]; !ok {
					order = append(order, row.System)
				}
				bySys[row.System] = append(bySys[row.System], item{row, c.Key, row.Kind})
			}
		}
	}
	for _, sys := range order {
		items := bySys[sys]
		exact := map[string][]item{} // codes and ingredients
		prefixes := map[string][]item{}
		var ranges []item
		lenSet := map[int]bool{}
		for _, it := range items {
			switch it.kind {
			case "code", "ingredient":
				for _, o := range exact[it.row.norm] {
					if o.cat != it.cat {
						report(it, o, "is also")
					}
				}
				exact[it.row.norm] = append(exact[it.row.norm], it)
			case "prefix":
				prefixes[it.row.norm] = append(prefixes[it.row.norm], it)
				lenSet[len(it.row.norm)] = true
			case "range":
				ranges = append(ranges, it)
			}
		}
		var lens []int
		for n := range lenSet {
			lens = append(lens, n)
		}
		sort.Ints(lens)
		for _, it := range items {
			switch it.kind {
			case "code", "prefix":
				for _, n := range lens {
					if n > len(it.row.norm) || it.kind == "prefix" && n == len(it.row.norm) {
						continue
					}
					for _, p := range prefixes[it.row.norm[:n]] {
						if p.cat != it.cat {
							report(it, p, "is under")
						}
					}
				}
				for _, rg := range ranges {
					if rg.cat == it.cat {
						continue
					}
					if it.kind == "code" && inRange(it.row.norm, rg.row) {
						report(it, rg, "is in")
					}
					if it.kind == "prefix" && prefixMeetsRange(it.row.norm, rg.row) {
						report(it, rg, "meets")
					}
				}
			}
		}
		// Prefixes listed twice, and ranges that meet: each pair once.
		var keys []string
		for k := range prefixes {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			ps := prefixes[k]
			for i, a := range ps {
				for _, b := range ps[:i] {
					if a.cat != b.cat {
						report(a, b, "is also")
					}
				}
			}
		}
		for i, a := range ranges {
			for _, b := range ranges[:i] {
				switch {
				case a.cat == b.cat:
				case inRange(a.row.from, b.row):
					report(a, b, "meets")
				case inRange(b.row.from, a.row):
					report(b, a, "meets") // reported at the range that starts inside the other
				}
			}
		}
	}
	for _, o := range l.Overlaps {
		if !o.used && systemByKey[o.System] != nil && len(o.Categories) >= 2 {
			probs = append(probs, Problem{o.File, o.Line, fmt.Sprintf("%s %s sits in no two of %s: remove the row", o.System, o.Code, strings.Join(o.Categories, ", "))})
		}
	}
	return probs
}

// inRange is the engine's range test: a code is in FROM-TO when its first
// characters are not before FROM and not after TO.
func inRange(code string, rg *Row) bool {
	return code[:min(len(code), len(rg.from))] >= rg.from && code[:min(len(code), len(rg.to))] <= rg.to
}

// prefixMeetsRange reports whether some code under the prefix is in the range.
func prefixMeetsRange(p string, rg *Row) bool {
	return inRange(p, rg) || strings.HasPrefix(rg.from, p) || strings.HasPrefix(rg.to, p)
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// ingredientProblem says what is wrong with an ingredient entry of the
// given words (lower case), or "" when nothing is: each must be a word
// (letters, digits, hyphens, points between digits; !word for one that
// must not appear), none named twice, one at least that must appear.
func ingredientProblem(code string, words []string) string {
	seen := map[string]bool{}
	positive := 0
	for _, w := range words {
		if !wordRE.MatchString(w) {
			return fmt.Sprintf("ingredient %q: %q is not a word (letters, digits, hyphens and points between digits; !word for a word that must not appear)", code, w)
		}
		base := strings.TrimPrefix(w, "!")
		if seen[base] {
			return fmt.Sprintf("ingredient %q names %q twice", code, base)
		}
		seen[base] = true
		if !strings.HasPrefix(w, "!") {
			positive++
		}
	}
	if positive == 0 {
		return fmt.Sprintf("ingredient %q needs a word that must appear", code)
	}
	return ""
}
