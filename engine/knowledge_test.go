package engine

import (
	"slices"
	"testing"

	"github.com/seclabel/seclabel/engine/internal/r4"
)

// TestKnowledgeTypesAreR4Types keeps the list of resource types that never
// describe a person free of misspellings, which would label them silently.
func TestKnowledgeTypesAreR4Types(t *testing.T) {
	for typ := range knowledgeTypes {
		if !r4.Types[typ] {
			t.Errorf("%s is not an R4 resource type", typ)
		}
	}
	for _, typ := range []string{"Patient", "Observation", "Condition", "Medication", "Group", "List", "Claim", "Questionnaire"} {
		if knowledgeTypes[typ] != (typ == "Questionnaire") {
			t.Errorf("%s: knowledge type %v", typ, knowledgeTypes[typ])
		}
	}
}

// TestDefaultPackPatternsJoinTheLexicon keeps the default pack's text
// patterns in the lexicon: a pattern too varied to be written as at most
// maxExpand texts runs its automaton on every text the engine reads, which
// slows labeling everywhere. Only the gravida-para notation (digits) and
// "D&E" (an ampersand is no word) are left to automata.
func TestDefaultPackPatternsJoinTheLexicon(t *testing.T) {
	r := DefaultRules()
	var got []string
	for _, tr := range r.text {
		got = append(got, r.rules[tr.rule].id)
	}
	if want := []string{"reproductive-health", "reproductive-health"}; !slices.Equal(got, want) {
		t.Errorf("rules whose patterns run as automata: %q, want %q (split a pattern whose texts are too many)", got, want)
	}
}
