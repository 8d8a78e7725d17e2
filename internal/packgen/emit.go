package main

import (
	"bytes"
	"encoding/json"
	"sort"
	"strconv"
	"strings"
)

// packFiles are the packs generated, by the "pack" of their rules.
var packFiles = []struct{ pack, file, name, lead string }{
	{"default", "us-default.json", "seclabel US realm default",
		"Sensitive-content rules for US-realm exchange, generated from engine/packs/lists: "},
	{"broad", "us-broad.json", "seclabel US realm broad",
		"Opt-in additions to the US-realm default pack, for policies wider than the codes' own meaning (use it with the default pack), generated from engine/packs/lists: "},
}

const packVersion = "2"

// Generate writes the packs of lists that passed Check: file name -> JSON.
// Rules keep the order of their category files (sorted by name) and of the
// rules in each; codes are sorted and written one array per system and kind
// on a line, which keeps the embedded JSON small and diffs readable.
func Generate(l *Lists) map[string][]byte {
	out := map[string][]byte{}
	for _, pf := range packFiles {
		var rules []*Rule
		var names []string
		usedSrc := map[string]bool{}
		for _, c := range l.Categories {
			in := false
			for _, r := range c.Rules {
				if r.Pack != pf.pack {
					continue
				}
				in = true
				rules = append(rules, r)
				for _, row := range r.Rows {
					usedSrc[row.Source] = true
				}
				for _, t := range r.Terms {
					usedSrc[t.Source] = true
				}
			}
			if in {
				names = append(names, c.Name)
			}
		}
		var srcs []string
		for _, s := range l.Sources {
			if usedSrc[s.Key] {
				srcs = append(srcs, s.Name)
			}
		}
		desc := pf.lead + strings.Join(names, ", ") + ". Every sensitivity maps to confidentiality R."
		out[pf.file] = writePack(pf.name, desc, srcs, rules)
	}
	return out
}

func writePack(name, desc string, sources []string, rules []*Rule) []byte {
	var w bytes.Buffer
	w.WriteString("{\n")
	w.WriteString(` "name": ` + str(name) + ",\n")
	w.WriteString(` "version": ` + str(packVersion) + ",\n")
	w.WriteString(` "description": ` + str(desc) + ",\n")
	w.WriteString(` "sources": `)
	if len(sources) == 0 {
		w.WriteString("[],\n")
	} else {
		w.WriteString("[\n")
		for i, s := range sources {
			w.WriteString("  " + str(s) + sep(i, len(sources)))
		}
		w.WriteString(" ],\n")
	}
	w.WriteString(` "rules": `)
	if len(rules) == 0 {
		w.WriteString("[]\n}\n")
		return w.Bytes()
	}
	w.WriteString("[\n")
	for i, r := range rules {
		writeRule(&w, r)
		if i < len(rules)-1 {
			w.WriteString("  },\n")
		} else {
			w.WriteString("  }\n")
		}
	}
	w.WriteString(" ]\n}\n")
	return w.Bytes()
}

func writeRule(w *bytes.Buffer, r *Rule) {
	var lines []string
	member := func(k, v string) { lines = append(lines, "   "+str(k)+": "+v) }
	member("id", str(r.ID))
	if r.Description != "" {
		member("description", str(r.Description))
	}
	member("labels", strs(r.Labels))
	if r.Basis != "" {
		member("basis", str(r.Basis))
	}
	if r.Confidentiality != "" {
		member("confidentiality", str(r.Confidentiality))
	}
	if len(r.ResourceTypes) > 0 {
		member("resourceTypes", strs(r.ResourceTypes))
	}
	if r.Path != "" {
		member("path", str(r.Path))
	}
	if r.Inline {
		member("inline", "true")
	}
	if r.PositiveResult {
		member("positiveResult", "true")
	}
	if r.AtLeast != nil {
		member("atLeast", strconv.FormatFloat(*r.AtLeast, 'f', -1, 64))
	}
	if r.ScreeningBroad {
		member("screeningBroad", "true")
	}
	if r.FamilyHistory {
		member("familyHistory", "true")
	}
	for _, kind := range []struct{ kind, member string }{{"code", "codes"}, {"prefix", "prefixes"}, {"range", "ranges"}} {
		var sys []string
		for _, s := range systems {
			if codes := rowCodes(r, s, kind.kind); len(codes) > 0 {
				sys = append(sys, "    "+str(s.uri)+": "+strs(codes))
			}
		}
		if len(sys) > 0 {
			member(kind.member, "{\n"+strings.Join(sys, ",\n")+"\n   }")
		}
	}
	if ing := ingredients(r); len(ing) > 0 {
		member("ingredients", strs(ing))
	}
	if text := ruleText(r, true); len(text) > 0 {
		member("text", textArray(text))
	}
	w.WriteString("  {\n" + strings.Join(lines, ",\n") + "\n")
}

// rowCodes returns a rule's codes of one system and kind as written in the
// pack, sorted by their comparison form, without duplicates.
func rowCodes(r *Rule, s *codeSystem, kind string) []string {
	type kv struct{ norm, out string }
	var cs []kv
	seen := map[string]bool{}
	for _, row := range r.Rows {
		if row.sys != s || row.Kind != kind || seen[row.norm] {
			continue
		}
		seen[row.norm] = true
		out := s.format(row.Code)
		switch kind {
		case "range":
			from, to, _ := strings.Cut(row.Code, "-")
			out = s.format(from) + "-" + s.format(to)
		case "ingredient":
			out = row.norm
		}
		cs = append(cs, kv{row.norm, out})
	}
	sort.Slice(cs, func(i, j int) bool { return cs[i].norm < cs[j].norm })
	out := make([]string, len(cs))
	for i, c := range cs {
		out[i] = c.out
	}
	return out
}

// ingredients returns a rule's ingredient entries: its RxNorm ingredient
// rows and, as entries of their own, its brand terms of full confidence.
// A product RxNorm names by its brand alone ("Biktarvy 50 MG / 200 MG /
// 25 MG Oral Tablet", "Ortho Tri-Cyclen 28 Day Pack") has no ingredient
// word, and a code's text is not read where RxNorm's display is; a brand
// that is safe to find in any text is safe in a product name. The reverse
// does not hold: many pill brands are first names, ingredient rows only.
func ingredients(r *Rule) []string {
	ing := rowCodes(r, systemByKey["rxnorm"], "ingredient")
	seen := map[string]bool{} // the words that must appear, of each entry
	for _, e := range ing {
		seen[positiveWords(e)] = true
	}
	for _, t := range r.Terms {
		if e, ok := brandEntry(t); ok && !seen[e] {
			// A row with the brand's words and exclusions
			// ("depo-provera !400") stands in its place.
			seen[e] = true
			ing = append(ing, e)
		}
	}
	sort.Strings(ing)
	return ing
}

// positiveWords is an ingredient entry without its !words.
func positiveWords(e string) string {
	var ws []string
	for _, w := range strings.Fields(e) {
		if !strings.HasPrefix(w, "!") {
			ws = append(ws, w)
		}
	}
	return strings.Join(ws, " ")
}

// brandEntry is the ingredient entry of a brand term: its words in lower
// case, a slash separating words as in a display; ok is false for a term
// of another kind, of less than full confidence, case-exact, or that would
// make no valid entry (ingredientProblem) or one with an excluded word.
func brandEntry(t *Term) (string, bool) {
	if t.Kind != "brand" || t.conf < 1 || strings.HasPrefix(t.Term, "=") || strings.Contains(t.Term, "!") {
		return "", false
	}
	words := strings.FieldsFunc(strings.ToLower(t.Term), func(c rune) bool { return c == ' ' || c == '/' })
	if ingredientProblem(t.Term, words) != "" {
		return "", false
	}
	return strings.Join(words, " "), true
}

func sep(i, n int) string {
	if i < n-1 {
		return ",\n"
	}
	return "\n"
}

// str writes s as a JSON string, leaving <, > and & as they are.
func str(s string) string {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(s)
	return strings.TrimSuffix(b.String(), "\n")
}

// textArray writes a text member on one line: a term of full confidence as
// a string, another as {"text": ..., "confidence": ..., "medication": true}
// with the members that apply.
func textArray(list []any) string {
	parts := make([]string, len(list))
	for i, e := range list {
		switch e := e.(type) {
		case string:
			parts[i] = str(e)
		case textEntry:
			parts[i] = e.json()
		}
	}
	return "[" + strings.Join(parts, ",") + "]"
}

// strs writes a JSON array of strings on one line.
func strs(list []string) string {
	parts := make([]string, len(list))
	for i, s := range list {
		parts[i] = str(s)
	}
	return "[" + strings.Join(parts, ",") + "]"
}
