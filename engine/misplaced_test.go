package engine

import (
	"testing"

	"github.com/seclabel/seclabel/internal/jsonx"
)

// TestPlacedCounts holds the count of resources in the places R4 holds
// one, against counts written from R4's structure: a Bundle's entry
// resources and response outcomes, contained resources, a Parameters'
// parameter and part resources, an ExampleScenario's instances. A member of
// the same name where R4 holds no resource (an entry of a List, a search
// of an entry, a parameter of another type, contained that is no array, an
// extension) is not counted: a count too high would let a misplaced
// resource through unseen.
func TestPlacedCounts(t *testing.T) {
	for _, c := range []struct {
		json      string
		want      int
		misplaced bool
	}{
		{`{"resourceType":"Patient"}`, 1, false},
		{`{"resourceType":"Bundle","entry":[{"resource":{"resourceType":"Patient","contained":[{"resourceType":"Organization"}]}},{"response":{"outcome":{"resourceType":"OperationOutcome"}}},{"resource":null},7]}`, 4, false},
		{`{"resourceType":"Bundle","entry":[{"search":{"resourceType":"Patient"}},{"request":{"resourceType":"Patient"}}]}`, 1, true},
		{`{"resourceType":"List","entry":[{"resource":{"resourceType":"Patient"}}]}`, 1, true},
		{`{"resourceType":"Parameters","parameter":[{"resource":{"resourceType":"Patient"}},{"part":[{"part":[{"resource":{"resourceType":"Bundle","entry":[{"resource":{"resourceType":"Observation"}}]}}]}]}]}`, 4, false},
		{`{"resourceType":"Observation","parameter":[{"resource":{"resourceType":"Patient"}}]}`, 1, true},
		{`{"resourceType":"ExampleScenario","instance":[{"resourceType":"Patient"},{"resourceType":"Observation","extension":[{"valueReference":{"resourceType":"X"}}]}]}`, 3, true},
		{`{"resourceType":"Basic","instance":[{"resourceType":"Patient"}]}`, 1, true},
		{`{"resourceType":"Basic","contained":{"resourceType":"Patient"}}`, 1, true},
		{`{"resourceType":"Basic","extension":[{"url":"x","valueAttachment":{"resourceType":"Patient"}}],"contained":[{"resourceType":"Patient"}]}`, 2, true},
		{`{"resourceType":"Bundle","entry":{"resource":{"resourceType":"Patient"}}}`, 1, true},
	} {
		var d jsonx.Doc
		if err := d.Parse([]byte(c.json), 100); err != nil {
			t.Fatal(err)
		}
		if got := placed(&d, 0, inResource); got != c.want {
			t.Errorf("placed(%s) = %d, want %d", c.json, got, c.want)
		}
		if got := misplacedIn(&d, 0); got != c.misplaced {
			t.Errorf("misplacedIn(%s) = %v, want %v", c.json, got, c.misplaced)
		}
	}
}
