package main

import (
	"encoding/json"
	"os"
	"slices"
	"testing"

	"github.com/seclabel/seclabel/internal/golden"
)

// TestWordsCases holds the golden words cases to the corpus: one case per
// text, with the request the corpus gives, and an answer whose labels are
// the categories the text means, neither more nor fewer.
func TestWordsCases(t *testing.T) {
	root, err := golden.Root()
	if err != nil {
		t.Fatal(err)
	}
	cs, err := readCorpus(root)
	if err != nil {
		t.Fatal(err)
	}
	if len(cs) < 100 {
		t.Fatalf("the corpus has %d texts", len(cs))
	}
	for _, c := range cs {
		b, err := os.ReadFile(wordsCaseFile(root, c))
		if err != nil {
			t.Errorf("%s: %v (go run ./internal/accuracy -words-cases writes it)", c.ID, err)
			continue
		}
		var gc struct {
			Request json.RawMessage `json:"request"`
		}
		if err := json.Unmarshal(b, &gc); err != nil || !sameJSON(gc.Request, wordsRequest(c)) {
			t.Errorf("%s: the case's request is not the corpus text's (go run ./internal/accuracy -words-cases)", c.ID)
			continue
		}
		got, err := caseCategories(b)
		if err != nil {
			t.Errorf("%s: %v", c.ID, err)
			continue
		}
		want := slices.Clone(c.Want)
		slices.Sort(want)
		if !slices.Equal(got, want) {
			t.Errorf("%s: %q labeled %v, want %v (%s)", c.ID, c.Text, got, want, c.Why)
		}
	}
}
