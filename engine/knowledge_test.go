package engine

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/seclabel/seclabel/engine/internal/r4"
	"github.com/seclabel/seclabel/internal/testenv"
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

// TestTextMembersAreR4Strings holds every path textMembers reads to an R4
// element of type string or markdown (from the R4 StructureDefinitions) on
// a type that describes a person: a misspelt path, or one that names a
// coded element, would read nothing.
func TestTextMembersAreR4Strings(t *testing.T) {
	for typ := range textMembers {
		if !r4.Types[typ] || knowledgeTypes[typ] {
			t.Errorf("%s: not an R4 resource type that describes a person", typ)
		}
	}
	types := map[string][]string{} // element path, choices as name[x], to its types
	testenv.R4Examples(t, func(f testenv.File) {
		if !strings.Contains(f.Name, "/StructureDefinition-") {
			return
		}
		var sd struct {
			Kind, Derivation string
			Snapshot         struct {
				Element []struct {
					Path string
					Type []struct{ Code string }
				}
			}
		}
		if json.Unmarshal(f.Data, &sd) != nil || sd.Kind != "resource" || sd.Derivation != "specialization" {
			return
		}
		for _, e := range sd.Snapshot.Element {
			for _, ty := range e.Type {
				types[e.Path] = append(types[e.Path], ty.Code)
			}
		}
	})
	for typ, paths := range textMembers {
		for _, path := range paths {
			full := typ + "." + path
			got := types[full]
			if got == nil {
				// valueString: value[x] of type string
				for _, ty := range []string{"String", "Markdown"} {
					if base, ok := strings.CutSuffix(full, ty); ok && slices.Contains(types[base+"[x]"], strings.ToLower(ty)) {
						got = []string{strings.ToLower(ty)}
					}
				}
			}
			if len(got) != 1 || got[0] != "string" && got[0] != "markdown" {
				t.Errorf("%s: of types %v in R4, not one string type", full, got)
			}
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
