package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// Problem is one thing wrong with the lists, at a file and line.
type Problem struct {
	File string
	Line int
	Msg  string
}

func (p Problem) String() string { return fmt.Sprintf("%s:%d: %s", p.File, p.Line, p.Msg) }

// Lists is the content of engine/packs/lists as read, with where each part
// came from.
type Lists struct {
	Dir        string
	Sources    []*Source
	Categories []*Category // sorted by key
	Overlaps   []*Overlap
}

// Source is a row of sources.tsv.
type Source struct {
	Key, Name, License, URL string
	File                    string
	Line                    int
}

// Category is <key>.json with the rows of <key>.tsv and the terms of
// <key>.terms.tsv.
type Category struct {
	Key      string // the file name without extension
	Name     string // its "category" member
	File     string // the .json path
	TSV      string // the .tsv path, "" when there is none
	TermsTSV string // the .terms.tsv path, "" when there is none
	Rules    []*Rule
	Rows     []*Row
	Terms    []*Term
}

// Rule is a rule of a category's .json.
type Rule struct {
	ID, Pack, Description  string
	Labels                 []string
	Basis, Confidentiality string
	ResourceTypes          []string
	Path                   string
	Inline                 bool
	PositiveResult         bool
	AtLeast                *float64 // the cut-off of a scored instrument, or nil
	ScreeningBroad         bool
	FamilyHistory          bool
	Text                   []string // the patterns of its .json
	Category               *Category
	File                   string
	Line                   int
	Rows                   []*Row  // its rows, in file order
	Terms                  []*Term // its terms, in file order
}

// Row is a code line of a category's .tsv.
type Row struct {
	Rule, System, Kind, Code, Source, Display string
	File                                      string
	Line                                      int
	sys                                       *codeSystem
	cat                                       *Category
	norm                                      string // comparison form; ranges "FROM-TO" of the normalised ends
	from, to                                  string // normalised ends of a range
}

// Term is a line of a category's .terms.tsv: a word or phrase the rule's
// text matches, with the confidence it carries.
type Term struct {
	Rule, Term, Kind, Confidence, Source, Note string
	File                                       string
	Line                                       int
	conf                                       float64 // the confidence read, 1 when the column is empty
}

// Overlap is a row of overlaps.tsv: a code that may sit in several categories.
type Overlap struct {
	System, Code, Reason string
	Categories           []string
	File                 string
	Line                 int
	norm                 string
	used                 bool
}

const (
	categoryHeader = "rule\tsystem\tkind\tcode\tsource\tdisplay"
	sourcesHeader  = "key\tname\tlicense\turl"
	overlapsHeader = "system\tcode\tcategories\treason"
	termsHeader    = "rule\tterm\tkind\tconfidence\tsource\tnote"
	termsSuffix    = ".terms.tsv"
)

// HasLists reports whether dir holds category lists (a .json or a .tsv
// besides sources.tsv and overlaps.tsv).
func HasLists(dir string) bool {
	ents, err := os.ReadDir(dir)
	if err != nil {
		return false
	}
	for _, e := range ents {
		n := e.Name()
		if !e.IsDir() && (strings.HasSuffix(n, ".json") || strings.HasSuffix(n, ".tsv") && n != "sources.tsv" && n != "overlaps.tsv") {
			return true
		}
	}
	return false
}

// Load reads the lists in dir. It returns what it could read and every
// problem of form it met (missing header, bad JSON, unknown member, ...).
func Load(dir string) (*Lists, []Problem) {
	l := &Lists{Dir: dir}
	var probs []Problem
	add := func(file string, line int, format string, a ...any) {
		probs = append(probs, Problem{file, line, fmt.Sprintf(format, a...)})
	}
	ents, err := os.ReadDir(dir)
	if err != nil {
		add(dir, 0, "%v", err)
		return l, probs
	}
	srcPath := filepath.Join(dir, "sources.tsv")
	if _, err := os.Stat(srcPath); err != nil {
		add(srcPath, 0, "missing: every list names its sources here")
	} else {
		readTSV(srcPath, sourcesHeader, add, func(line int, f []string) {
			if len(f) != 4 {
				add(srcPath, line, "want 4 tab-separated fields (%s), got %d", strings.ReplaceAll(sourcesHeader, "\t", ", "), len(f))
				return
			}
			if f[0] == "" || f[1] == "" {
				add(srcPath, line, "a source needs a key and a name")
				return
			}
			for _, s := range l.Sources {
				if s.Key == f[0] {
					add(srcPath, line, "source %s is already defined at line %d", f[0], s.Line)
					return
				}
			}
			l.Sources = append(l.Sources, &Source{Key: f[0], Name: f[1], License: f[2], URL: f[3], File: srcPath, Line: line})
		})
	}
	tsvs, terms := map[string]string{}, map[string]string{}
	for _, e := range ents {
		n := e.Name()
		if e.IsDir() {
			continue
		}
		switch {
		case n == "sources.tsv":
		case n == "overlaps.tsv":
			l.Overlaps = readOverlaps(filepath.Join(dir, n), add)
		case strings.HasSuffix(n, termsSuffix):
			terms[strings.TrimSuffix(n, termsSuffix)] = filepath.Join(dir, n)
		case strings.HasSuffix(n, ".tsv"):
			tsvs[strings.TrimSuffix(n, ".tsv")] = filepath.Join(dir, n)
		case strings.HasSuffix(n, ".json"):
			if c := readCategory(filepath.Join(dir, n), add); c != nil {
				l.Categories = append(l.Categories, c)
			}
		}
	}
	sort.Slice(l.Categories, func(i, j int) bool { return l.Categories[i].Key < l.Categories[j].Key })
	for _, c := range l.Categories {
		if p, ok := tsvs[c.Key]; ok {
			c.TSV = p
			delete(tsvs, c.Key)
			readRows(c, add)
		}
		if p, ok := terms[c.Key]; ok {
			c.TermsTSV = p
			delete(terms, c.Key)
			readTerms(c, add)
		}
	}
	for key, p := range tsvs {
		add(p, 1, "no %s.json holds the rules of these rows", key)
	}
	for key, p := range terms {
		add(p, 1, "no %s.json holds the rules of these terms", key)
	}
	sortProblems(probs)
	return l, probs
}

// readTSV calls row with the fields of every line after the header;
// comment (#) and blank lines are skipped.
func readTSV(path, header string, add func(string, int, string, ...any), row func(line int, fields []string)) {
	b, err := os.ReadFile(path)
	if err != nil {
		add(path, 0, "%v", err)
		return
	}
	seenHeader := false
	for i, ln := range strings.Split(string(b), "\n") {
		ln = strings.TrimSuffix(ln, "\r")
		if strings.TrimSpace(ln) == "" || strings.HasPrefix(ln, "#") {
			continue
		}
		if !seenHeader {
			seenHeader = true
			if ln != header {
				add(path, i+1, "the header must be %q, got %q", header, ln)
				return
			}
			continue
		}
		f := strings.Split(ln, "\t")
		for j := range f {
			f[j] = strings.TrimSpace(f[j])
		}
		row(i+1, f)
	}
	if !seenHeader {
		add(path, 1, "the header %q is missing", header)
	}
}

func readOverlaps(path string, add func(string, int, string, ...any)) []*Overlap {
	var out []*Overlap
	readTSV(path, overlapsHeader, add, func(line int, f []string) {
		if len(f) != 4 {
			add(path, line, "want 4 tab-separated fields (%s), got %d", strings.ReplaceAll(overlapsHeader, "\t", ", "), len(f))
			return
		}
		o := &Overlap{System: f[0], Code: f[1], Reason: f[3], File: path, Line: line}
		for _, c := range strings.Split(f[2], ",") {
			if c = strings.TrimSpace(c); c != "" {
				o.Categories = append(o.Categories, c)
			}
		}
		out = append(out, o)
	})
	return out
}

func readRows(c *Category, add func(string, int, string, ...any)) {
	readSixFields(c.TSV, categoryHeader, add, func(line int, f []string) {
		c.Rows = append(c.Rows, &Row{Rule: f[0], System: f[1], Kind: f[2], Code: f[3], Source: f[4], Display: f[5], File: c.TSV, Line: line, cat: c})
	})
}

func readTerms(c *Category, add func(string, int, string, ...any)) {
	readSixFields(c.TermsTSV, termsHeader, add, func(line int, f []string) {
		c.Terms = append(c.Terms, &Term{Rule: f[0], Term: f[1], Kind: f[2], Confidence: f[3], Source: f[4], Note: f[5], File: c.TermsTSV, Line: line})
	})
}

// readSixFields reads a list whose lines have six fields, the last (a
// display or a note) optional.
func readSixFields(path, header string, add func(string, int, string, ...any), row func(line int, fields []string)) {
	readTSV(path, header, add, func(line int, f []string) {
		if len(f) == 5 {
			f = append(f, "")
		}
		if len(f) != 6 {
			add(path, line, "want 6 tab-separated fields (%s), got %d", strings.ReplaceAll(header, "\t", ", "), len(f))
			return
		}
		row(line, f)
	})
}

// ruleMembers are the members a rule of a category's .json may have.
var ruleMembers = map[string]bool{"id": true, "pack": true, "description": true, "labels": true, "basis": true,
	"confidentiality": true, "resourceTypes": true, "path": true, "inline": true, "positiveResult": true, "atLeast": true, "screeningBroad": true, "familyHistory": true, "text": true}

func readCategory(path string, add func(string, int, string, ...any)) *Category {
	b, err := os.ReadFile(path)
	if err != nil {
		add(path, 0, "%v", err)
		return nil
	}
	c := &Category{Key: strings.TrimSuffix(filepath.Base(path), ".json"), File: path}
	var top map[string]json.RawMessage
	if err := json.Unmarshal(b, &top); err != nil {
		add(path, jsonErrLine(b, err), "not a JSON object: %v", err)
		return nil
	}
	for k := range top {
		if k != "category" && k != "rules" {
			add(path, keyLine(b, k), "unknown member %q (a category file has category and rules)", k)
		}
	}
	if err := json.Unmarshal(top["category"], &c.Name); err != nil || c.Name == "" {
		add(path, keyLine(b, "category"), `"category" must name the category`)
	}
	raws, lines, err := ruleRaws(b)
	if err != nil {
		add(path, jsonErrLine(b, err), "%v", err)
		return c
	}
	if len(raws) == 0 {
		add(path, keyLine(b, "rules"), `"rules" must be a non-empty array of rules`)
	}
	for i, raw := range raws {
		if r := readRule(raw, path, lines[i], add); r != nil {
			r.Category = c
			c.Rules = append(c.Rules, r)
		}
	}
	return c
}

func readRule(raw []byte, path string, line int, add func(string, int, string, ...any)) *Rule {
	var m map[string]json.RawMessage
	if err := json.Unmarshal(raw, &m); err != nil {
		add(path, line, "a rule is a JSON object")
		return nil
	}
	r := &Rule{File: path, Line: line}
	field := func(name string, dst any, what string) {
		v, ok := m[name]
		if !ok {
			return
		}
		if err := json.Unmarshal(v, dst); err != nil {
			add(path, line, "rule member %q must be %s", name, what)
		}
	}
	field("id", &r.ID, "a string")
	field("pack", &r.Pack, `"default" or "broad"`)
	field("description", &r.Description, "a string")
	field("labels", &r.Labels, "an array of security label codes")
	field("basis", &r.Basis, "a policy code")
	field("confidentiality", &r.Confidentiality, "one of U, L, M, N, R, V")
	field("resourceTypes", &r.ResourceTypes, "an array of FHIR resource types")
	field("path", &r.Path, `an element path such as "Observation.code"`)
	field("inline", &r.Inline, "true or false")
	field("positiveResult", &r.PositiveResult, "true or false")
	field("atLeast", &r.AtLeast, "a number: the least score of a positive result")
	field("screeningBroad", &r.ScreeningBroad, "true or false")
	field("familyHistory", &r.FamilyHistory, "true or false")
	field("text", &r.Text, "an array of text patterns")
	var keys []string
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if !ruleMembers[k] {
			add(path, line, "rule %s: unknown member %q", r.ID, k)
		}
	}
	switch {
	case r.ID == "":
		add(path, line, "every rule needs an id")
	case r.Pack != "default" && r.Pack != "broad":
		add(path, line, `rule %s: "pack" must be "default" or "broad", not %q`, r.ID, r.Pack)
	case r.Description == "":
		add(path, line, "rule %s needs a description", r.ID)
	case len(r.Labels) == 0:
		add(path, line, "rule %s needs labels", r.ID)
	}
	if r.ID == "" {
		return nil
	}
	return r // kept with its problems, so its rows do not also fail as rows of an unknown rule
}

// ruleRaws returns the elements of the top-level "rules" array and the line
// each starts on.
func ruleRaws(b []byte) ([]json.RawMessage, []int, error) {
	dec := json.NewDecoder(bytes.NewReader(b))
	if _, err := dec.Token(); err != nil {
		return nil, nil, err
	}
	var raws []json.RawMessage
	var lines []int
	for dec.More() {
		k, err := dec.Token()
		if err != nil {
			return nil, nil, err
		}
		if k != "rules" {
			var skip json.RawMessage
			if err := dec.Decode(&skip); err != nil {
				return nil, nil, err
			}
			continue
		}
		if t, err := dec.Token(); err != nil || t != json.Delim('[') {
			return nil, nil, errors.New(`"rules" must be an array of rules`)
		}
		for dec.More() {
			off := int(dec.InputOffset())
			var raw json.RawMessage
			if err := dec.Decode(&raw); err != nil {
				return nil, nil, err
			}
			for off < len(b) && (b[off] == ',' || b[off] == ' ' || b[off] == '\t' || b[off] == '\n' || b[off] == '\r') {
				off++
			}
			raws = append(raws, raw)
			lines = append(lines, lineAt(b, off))
		}
		if _, err := dec.Token(); err != nil {
			return nil, nil, err
		}
	}
	return raws, lines, nil
}

func lineAt(b []byte, off int) int { return 1 + bytes.Count(b[:min(off, len(b))], []byte("\n")) }

// jsonErrLine is the line of a decoding error, or 1.
func jsonErrLine(b []byte, err error) int {
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	switch {
	case errors.As(err, &se):
		return lineAt(b, int(se.Offset))
	case errors.As(err, &te):
		return lineAt(b, int(te.Offset))
	}
	return 1
}

// keyLine is the line of the first "key": in b, or 1.
func keyLine(b []byte, key string) int {
	if i := bytes.Index(b, []byte(`"`+key+`"`)); i >= 0 {
		return lineAt(b, i)
	}
	return 1
}

func sortProblems(ps []Problem) {
	sort.SliceStable(ps, func(i, j int) bool {
		if ps[i].File != ps[j].File {
			return ps[i].File < ps[j].File
		}
		if ps[i].Line != ps[j].Line {
			return ps[i].Line < ps[j].Line
		}
		return ps[i].Msg < ps[j].Msg
	})
}
