package engine

import (
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
