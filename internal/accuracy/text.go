package main

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"html"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"unicode"

	"github.com/valyala/fastjson"
)

// The text part: what the engine should find in the words of the fdp
// Synthea bundles (google/fhir-data-pipes synthea-hiv), whose HIV-module
// codes are invalid padded ids that only their displays explain.
//
// A text unit is one piece of text the engine reads, found by exact
// lookup after a fixed normalisation (no pattern matching decides a
// category; texts.tsv does, by hand):
//
//   - display: the display of a Coding whose code is a padded fdp id
//     (holds "AAAA"), as written;
//   - text: the string "text" member of an object (CodeableConcept.text in
//     these bundles), as written;
//   - sentence: one sentence of a note, from an inline text/plain,
//     text/markdown or text/html attachment (DocumentReference content,
//     DiagnosticReport presentedForm) or a narrative (text.div), normalised
//     by sentences.
//
// Each resource's text expectation is the union of its units'
// classifications and, along the same transfer rules as the Synthea key,
// of the resources it reports on or bills.

// unit is one text unit: its kind and its (normalised) text.
type unit struct {
	Kind, Text string
}

func (u unit) String() string { return u.Kind + " " + strconvQuote(u.Text) }

const (
	kindDisplay  = "display"
	kindText     = "text"
	kindSentence = "sentence"
)

// fdpPrefix starts the names of the bundles the text key covers.
const fdpPrefix = "fdp__"

// textClassifier is the classifier display of the labels the engine's text
// reading adds.
const textClassifier = "seclabel text"

// paddedCode tells an fdp HIV-module id (an OpenMRS concept id padded with
// As under a LOINC or SNOMED CT system URI) from a real code.
func paddedCode(code string) bool { return strings.Contains(code, "AAAA") }

// fdpBundles returns the bundles of the text part.
func fdpBundles(bs []namedBundle) []namedBundle {
	var out []namedBundle
	for _, b := range bs {
		if strings.HasPrefix(b.Name, fdpPrefix) {
			out = append(out, b)
		}
	}
	return out
}

// patientNames returns the given and family names of the bundle's Patient
// resources, longest first (then in byte order), for sentences to hide.
func patientNames(b *namedBundle) []string {
	seen := map[string]bool{}
	for _, e := range b.Entries {
		if e.Type != "Patient" {
			continue
		}
		for _, n := range e.Resource.GetArray("name") {
			for _, g := range n.GetArray("given") {
				seen[str(g)] = true
			}
			seen[str(n.Get("family"))] = true
		}
	}
	delete(seen, "")
	out := make([]string, 0, len(seen))
	for n := range seen {
		out = append(out, n)
	}
	sort.Slice(out, func(i, j int) bool {
		if len(out[i]) != len(out[j]) {
			return len(out[i]) > len(out[j])
		}
		return out[i] < out[j]
	})
	return out
}

// textUnits returns the text units of a resource (its contained resources
// included, meta left out), an object's own before its members', repeats
// kept.
func textUnits(v *fastjson.Value, names []string) []unit {
	var out []unit
	objects(v, "meta", func(o *fastjson.Object) {
		if c, d := str(o.Get("code")), str(o.Get("display")); paddedCode(c) && d != "" {
			out = append(out, unit{kindDisplay, d})
		}
		if t := o.Get("text"); t != nil {
			switch t.Type() {
			case fastjson.TypeString:
				if s := str(t); s != "" {
					out = append(out, unit{kindText, s})
				}
			case fastjson.TypeObject:
				if div := str(t.Get("div")); div != "" {
					out = appendSentences(out, htmlBlocks(div), names)
				}
			}
		}
		if ct, data := str(o.Get("contentType")), str(o.Get("data")); ct != "" && data != "" {
			out = appendSentences(out, attachmentBlocks(ct, data), names)
		}
	})
	return out
}

func appendSentences(out []unit, blocks []string, names []string) []unit {
	for _, b := range blocks {
		for _, s := range splitSentences(b) {
			if s = normalise(s, names); s != "" {
				out = append(out, unit{kindSentence, s})
			}
		}
	}
	return out
}

// attachmentBlocks decodes an inline attachment of the text types the
// key's bundles hold (plain, Markdown, HTML) and returns its blocks; other
// types, and data that is not base64, give none.
func attachmentBlocks(contentType, data string) []string {
	mt, _, _ := strings.Cut(contentType, ";")
	mt = strings.ToLower(strings.TrimSpace(mt))
	if mt != "text/plain" && mt != "text/markdown" && mt != "text/html" {
		return nil
	}
	b, err := base64.StdEncoding.DecodeString(data)
	if err != nil {
		return nil
	}
	if mt == "text/html" {
		return htmlBlocks(string(b))
	}
	return noteBlocks(string(b))
}

// noteBlocks splits a plain-text or Markdown note into blocks: a heading
// line (#) is a block of its own, without its marks; so is a list item
// (a line starting "- " or "* "), without its marker; the other lines
// are joined, one space between them, into paragraphs that blank lines,
// headings and list items end.
func noteBlocks(s string) []string {
	var out, para []string
	flush := func() {
		if len(para) > 0 {
			out = append(out, strings.Join(para, " "))
			para = para[:0]
		}
	}
	for _, line := range strings.Split(s, "\n") {
		t := strings.TrimSpace(line)
		switch {
		case t == "":
			flush()
		case strings.HasPrefix(t, "#"):
			flush()
			out = append(out, strings.TrimLeft(t, "#"))
		case strings.HasPrefix(t, "- ") || strings.HasPrefix(t, "* "):
			flush()
			out = append(out, t[2:])
		default:
			para = append(para, t)
		}
	}
	flush()
	return out
}

var (
	tagRE   = regexp.MustCompile(`<(/?)([A-Za-z][A-Za-z0-9]*)[^>]*>`)
	blockRE = regexp.MustCompile(`^(?i:p|div|br|li|ul|ol|tr|td|th|table|h[1-6]|blockquote|pre)$`)
)

// htmlBlocks splits XHTML into blocks at block-level tags (p, div, br, li,
// table cells, headings...), drops the other tags and decodes entities.
func htmlBlocks(s string) []string {
	const brk = "\x00"
	s = tagRE.ReplaceAllStringFunc(s, func(tag string) string {
		if blockRE.MatchString(tagRE.FindStringSubmatch(tag)[2]) {
			return brk
		}
		return ""
	})
	var out []string
	for _, b := range strings.Split(s, brk) {
		if b = strings.TrimSpace(html.UnescapeString(b)); b != "" {
			out = append(out, b)
		}
	}
	return out
}

// splitSentences splits a block after each '.', '!' or '?' followed by
// white space or the end of the block.
func splitSentences(b string) []string {
	var out []string
	rs := []rune(b)
	start := 0
	for i, r := range rs {
		if (r == '.' || r == '!' || r == '?') && (i+1 == len(rs) || unicode.IsSpace(rs[i+1])) {
			out = append(out, string(rs[start:i+1]))
			start = i + 1
		}
	}
	if start < len(rs) {
		out = append(out, string(rs[start:]))
	}
	return out
}

// normalise makes a sentence a unit: each patient name (names, longest
// first) that stands as a whole word becomes "<name>", each run of ASCII
// digits "<n>", each run of white space (any Unicode space) one space, and
// the ends are trimmed.
func normalise(s string, names []string) string {
	for _, n := range names {
		s = replaceWord(s, n, "<name>")
	}
	var b strings.Builder
	digits, space := false, false
	for _, r := range s {
		switch {
		case r >= '0' && r <= '9':
			if !digits {
				b.WriteString("<n>")
			}
			digits, space = true, false
			continue
		case unicode.IsSpace(r):
			if !space {
				b.WriteByte(' ')
			}
			digits, space = false, true
			continue
		}
		digits, space = false, false
		b.WriteRune(r)
	}
	return strings.TrimSpace(b.String())
}

// replaceWord replaces the occurrences of w in s that no letter or digit
// touches on either side.
func replaceWord(s, w, by string) string {
	if w == "" {
		return s
	}
	var b strings.Builder
	for {
		i := strings.Index(s, w)
		if i < 0 {
			b.WriteString(s)
			return b.String()
		}
		end := i + len(w)
		if wordChar(lastRune(s[:i])) || wordChar(firstRune(s[end:])) {
			b.WriteString(s[:end])
		} else {
			b.WriteString(s[:i])
			b.WriteString(by)
		}
		s = s[end:]
	}
}

func wordChar(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) }

func firstRune(s string) rune {
	for _, r := range s {
		return r
	}
	return 0
}

func lastRune(s string) rune {
	rs := []rune(s)
	if len(rs) == 0 {
		return 0
	}
	return rs[len(rs)-1]
}

// bundleUnits returns the text units of each entry of a bundle.
func bundleUnits(b *namedBundle) [][]unit {
	names := patientNames(b)
	out := make([][]unit, len(b.Entries))
	for i, e := range b.Entries {
		out[i] = textUnits(e.Resource, names)
	}
	return out
}

const textsHeader = "kind\ttext\tcore\tbroad\tnote"

// readTexts reads texts.tsv: a header, then one unit a line. A unit with
// no note is not classified yet.
func readTexts(path string) (map[unit]class, error) {
	table, _, err := readTable(path, textsHeader, 2, func(f []string) (unit, error) {
		if f[0] != kindDisplay && f[0] != kindText && f[0] != kindSentence {
			return unit{}, fmt.Errorf("kind %q, want display, text or sentence", f[0])
		}
		return unit{f[0], f[1]}, nil
	})
	return table, err
}

// writeTexts writes the table sorted by kind and text.
func writeTexts(path string, table map[unit]class) error {
	keys := make([]unit, 0, len(table))
	for u := range table {
		if strings.ContainsAny(u.Text, "\t\n\r") {
			return fmt.Errorf("%v: tab or line break in the text", u)
		}
		keys = append(keys, u)
	}
	sort.Slice(keys, func(i, j int) bool {
		if keys[i].Kind != keys[j].Kind {
			return keys[i].Kind < keys[j].Kind
		}
		return keys[i].Text < keys[j].Text
	})
	var buf bytes.Buffer
	buf.WriteString(textsHeader + "\n")
	for _, u := range keys {
		cl := table[u]
		fmt.Fprintf(&buf, "%s\t%s\t%s\t%s\t%s\n", u.Kind, u.Text,
			strings.Join(cl.Core, ","), strings.Join(cl.Broad, ","), cl.Note)
	}
	return os.WriteFile(path, buf.Bytes(), 0o644)
}

// extractTexts lists every distinct unit of the fdp bundles into
// texts.tsv, keeping the classification of units already listed and
// dropping those no longer found; new units get no note (unclassified).
func extractTexts(path string, bundles []namedBundle) (added, kept int, err error) {
	old, err := readTexts(path)
	if err != nil && !os.IsNotExist(err) {
		return 0, 0, err
	}
	table, added, kept := relist(allUnits(bundles), old)
	return added, kept, writeTexts(path, table)
}

// allUnits returns the text units of the bundles, repeats kept.
func allUnits(bundles []namedBundle) []unit {
	var out []unit
	for i := range bundles {
		for _, us := range bundleUnits(&bundles[i]) {
			out = append(out, us...)
		}
	}
	return out
}

// deriveText computes each resource's text expectation; it fails when a
// unit of the bundle is missing from texts.tsv or not classified (no note).
func deriveText(b *namedBundle, table map[unit]class) (map[string]derivation, error) {
	units := bundleUnits(b)
	var missing []unit
	lookup := func(u unit) (class, bool) { cl, ok := table[u]; return cl, ok && cl.Note != "" }
	out := propagate(b, func(e entry) (map[string]bool, map[string]bool, []string) {
		return union(units[b.byRef[e.ID]], lookup, &missing)
	})
	if len(missing) > 0 {
		return out, fmt.Errorf("%s: %d text units not classified in texts.tsv (run -extract-text, then classify), first %v", b.Name, len(missing), missing[0])
	}
	return out, nil
}

// deriveTextKey derives the text key of the fdp bundles from texts.tsv.
func deriveTextKey(bundles []namedBundle, table map[unit]class) (key, error) {
	return keyOf(fdpBundles(bundles), func(b *namedBundle) (map[string]derivation, error) { return deriveText(b, table) })
}

// textKeyOf derives the text key from the committed texts.tsv.
func textKeyOf(root string, bundles []namedBundle) (key, error) {
	table, err := readTexts(filepath.Join(root, textsTSV))
	if err != nil {
		return nil, err
	}
	return deriveTextKey(bundles, table)
}

// negativeControls returns the bundles whose key expects no category, core
// or broad, of any resource.
func negativeControls(bundles []namedBundle, k key) []namedBundle {
	var out []namedBundle
	for _, b := range bundles {
		clean := true
		for _, e := range k[b.Name] {
			if len(e.Core)+len(e.Broad) > 0 {
				clean = false
				break
			}
		}
		if clean {
			out = append(out, b)
		}
	}
	return out
}

// textLabels counts the labels of a labeled resource or Bundle, anywhere in
// it (meta.security, inline labels), whose classifier is the text
// classifier: in all, and per entry index of a Bundle.
func textLabels(labeled []byte) (int, map[int]int, error) {
	v, err := fastjson.ParseBytes(labeled)
	if err != nil {
		return 0, nil, err
	}
	perEntry := map[int]int{}
	for i, e := range v.GetArray("entry") {
		if n := countTextLabels(e); n > 0 {
			perEntry[i] = n
		}
	}
	return countTextLabels(v), perEntry, nil
}

func countTextLabels(v *fastjson.Value) int {
	n := 0
	objects(v, "", func(o *fastjson.Object) {
		for _, x := range o.Get("extension").GetArray() {
			if str(x.Get("url")) == extClassifier && str(x.Get("valueReference", "display")) == textClassifier {
				n++
				break
			}
		}
	})
	return n
}

// extClassifier is the URL of the DS4P classifier extension.
const extClassifier = "http://hl7.org/fhir/uv/security-label-ds4p/StructureDefinition/extension-sec-label-classifier"
