package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/seclabel/seclabel/internal/golden"
)

// wordCase is one case of testdata/words/corpus.json.
type wordCase struct {
	ID      string   `json:"id"`
	Element string   `json:"element"`
	Text    string   `json:"text"`
	Want    []string `json:"want"`
	Why     string   `json:"why"`
}

// wordElements are the elements a case's text may stand in.
var wordElements = []string{"display", "concept-text", "note", "valueString", "conclusion", "narrative",
	"attachment-plain", "attachment-html", "attachment-markdown", "qr-answer", "dosage",
	"careplan-description", "communication"}

// wordKinds maps the first word of an id to whether such a case wants a
// category: yes, no, or either (long texts, screening).
var wordKinds = map[string]string{
	"pos": "yes", "abbr": "yes", "drug": "yes", "lay": "yes", "keep": "yes", "clause": "yes",
	"case": "yes", "punct": "yes", "hyphen": "yes", "plural": "yes", "unicode": "yes",
	"neg": "no", "other": "no", "hypo": "no", "lookalike": "no", "control": "no",
	"long": "either", "screen": "either",
}

var kebab = regexp.MustCompile(`^[a-z0-9]+(-[a-z0-9]+)*$`)

// TestWordsCorpusIsWellFormed checks the corpus of short texts against its
// README: the fields, the kinds of case and what they want, and that every
// element and category is covered.
func TestWordsCorpusIsWellFormed(t *testing.T) {
	root, err := golden.Root()
	if err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(filepath.Join(root, "testdata", "words", "corpus.json"))
	if err != nil {
		t.Fatal(err)
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	var cases []wordCase
	if err := dec.Decode(&cases); err != nil {
		t.Fatalf("corpus.json: %v", err)
	}
	if len(cases) < 150 {
		t.Errorf("%d cases, want at least 150", len(cases))
	}
	seen := map[string]bool{}
	elements := map[string]int{}
	wanted := map[string]int{}
	for _, c := range cases {
		if !kebab.MatchString(c.ID) || seen[c.ID] {
			t.Errorf("%q: id not kebab-case or not unique", c.ID)
		}
		seen[c.ID] = true
		words := strings.Split(c.ID, "-")
		kind, ok := wordKinds[words[0]]
		if !ok {
			t.Errorf("%s: unknown kind %q", c.ID, words[0])
		}
		if !isElement(c.Element) {
			t.Errorf("%s: unknown element %q", c.ID, c.Element)
		}
		elements[c.Element]++
		if strings.TrimSpace(c.Text) == "" {
			t.Errorf("%s: no text", c.ID)
		}
		if (c.Element == "narrative" || c.Element == "attachment-html") && !strings.Contains(c.Text, "</") {
			t.Errorf("%s: %s text holds no markup", c.ID, c.Element)
		}
		if strings.TrimSpace(c.Why) == "" || strings.ContainsAny(c.Why, "\n\r") {
			t.Errorf("%s: why must be one non-empty line", c.ID)
		}
		if c.Want == nil {
			t.Errorf("%s: want missing (use [] for none)", c.ID)
		}
		set := map[string]bool{}
		for _, w := range c.Want {
			if !isCategory(w) || set[w] {
				t.Errorf("%s: want %q unknown or repeated", c.ID, w)
			}
			set[w] = true
			wanted[w]++
		}
		switch {
		case kind == "yes" && len(c.Want) == 0:
			t.Errorf("%s: a %s case wants a category", c.ID, words[0])
		case kind == "no" && len(c.Want) > 0:
			t.Errorf("%s: a %s case wants nothing, not %v", c.ID, words[0], c.Want)
		}
		if kind == "yes" && len(words) > 1 {
			if cat := strings.ToUpper(words[1]); isCategory(cat) && !set[cat] {
				t.Errorf("%s: named for %s, wants %v", c.ID, cat, c.Want)
			}
		}
	}
	for _, e := range wordElements {
		if elements[e] == 0 {
			t.Errorf("no case stands in %s", e)
		}
	}
	for _, c := range categories {
		if wanted[c] < 5 {
			t.Errorf("%s: %d cases want it, want at least 5", c, wanted[c])
		}
	}
}

func isElement(e string) bool {
	for _, x := range wordElements {
		if x == e {
			return true
		}
	}
	return false
}
