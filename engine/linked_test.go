package engine

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"reflect"
	"testing"
)

// TestLinkedMatchesBundle labels the entries of a Bundle one call each,
// carrying what flows between them with Links until nothing changes, and
// checks that each comes out as labeling the whole Bundle leaves it.
func TestLinkedMatchesBundle(t *testing.T) {
	bundle, err := os.ReadFile("../testdata/examples/bundle.json")
	if err != nil {
		t.Fatal(err)
	}
	optionSets := []Options{
		{Propagate: []string{"Condition.encounter", "Observation.encounter", "Procedure.encounter"}},
		{Propagate: []string{"Condition.encounter", "Encounter.subject"}, TextMatch: TextAll},
		{Inherit: []string{}, Propagate: []string{"MedicationRequest.encounter"}},
	}
	flowed := 0 // entries labeled apart otherwise than on their own
	entries := entryResources(t, bundle)
	for k, opts := range optionSets {
		func() {
			e, err := New(opts)
			if err != nil {
				t.Fatal(err)
			}
			whole, err := e.Label(context.Background(), bundle)
			if err != nil {
				t.Fatal(err)
			}
			want := entryResources(t, whole.Resource)
			got, rounds := labelApart(t, e, entries)
			for i := range want {
				if !sameJSON(t, got[i], want[i]) {
					t.Errorf("options %d: entry %d differs from the Bundle's after %d rounds:\n got %s\nwant %s", k, i, rounds, got[i], want[i])
				}
				alone, err := e.Label(context.Background(), entries[i])
				if err != nil {
					t.Fatal(err)
				}
				if !sameJSON(t, alone.Resource, got[i]) {
					flowed++
				}
			}
		}()
	}
	if flowed == 0 {
		t.Error("no labels flowed between resources: the test proves nothing")
	}
	t.Logf("%d entries got labels from others", flowed)
}

// labelApart runs the flows between resources to their fixed point, one
// Links call per resource and round, then labels each.
func labelApart(t *testing.T, e *Engine, resources [][]byte) ([][]byte, int) {
	ctx := context.Background()
	in := make([][]Passed, len(resources))
	rounds := 0
	for {
		rounds++
		links := make([]*Links, len(resources))
		byKey := map[string][]int{}
		for i, r := range resources {
			l, err := e.Links(ctx, r, in[i])
			if err != nil {
				t.Fatal(err)
			}
			links[i] = l
			if l.Key != "" {
				byKey[l.Key] = append(byKey[l.Key], i)
			}
		}
		next := make([][]Passed, len(resources))
		for i, l := range links {
			for _, g := range l.Give {
				for _, j := range byKey[g.To] {
					next[j] = append(next[j], g.Passed)
				}
			}
			for _, k := range l.Inherits {
				for _, j := range byKey[k] {
					if links[j].Offer != nil {
						next[i] = append(next[i], *links[j].Offer)
					}
				}
			}
		}
		if reflect.DeepEqual(next, in) || rounds > 20 {
			break
		}
		in = next
	}
	out := make([][]byte, len(resources))
	for i, r := range resources {
		res, err := e.LabelLinked(ctx, r, in[i])
		if err != nil {
			t.Fatal(err)
		}
		out[i] = res.Resource
	}
	return out, rounds
}

func entryResources(t *testing.T, bundle []byte) [][]byte {
	var b struct {
		Entry []struct{ Resource json.RawMessage }
	}
	if err := json.Unmarshal(bundle, &b); err != nil {
		t.Fatal(err)
	}
	out := make([][]byte, len(b.Entry))
	for i, e := range b.Entry {
		out[i] = e.Resource
	}
	return out
}

// sameJSON compares two JSON texts by value.
func sameJSON(t *testing.T, a, b []byte) bool {
	var x, y any
	if err := json.Unmarshal(a, &x); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &y); err != nil {
		t.Fatal(err)
	}
	ca, _ := json.Marshal(x)
	cb, _ := json.Marshal(y)
	return bytes.Equal(ca, cb)
}

// TestPropagatedBasisOrder checks that the basis of a confidentiality that
// reaches a resource from several others does not depend on the order of
// the Bundle's entries: an HIV result (R, no basis) and an opioid use
// disorder (R under 42 CFR Part 2) both reach their encounter.
func TestPropagatedBasisOrder(t *testing.T) {
	enc := `{"resource":{"resourceType":"Encounter","id":"e","status":"finished","class":{"code":"AMB"}}}`
	obs := `{"resource":{"resourceType":"Observation","id":"o","status":"final","code":{"coding":[{"system":"http://loinc.org","code":"20447-9"}]},"encounter":{"reference":"Encounter/e"}}}`
	cond := `{"resource":{"resourceType":"Condition","id":"c","code":{"coding":[{"system":"http://hl7.org/fhir/sid/icd-10-cm","code":"F11.20"}]},"encounter":{"reference":"Encounter/e"}}}`
	e, err := New(Options{Propagate: []string{"Condition.encounter", "Observation.encounter"}})
	if err != nil {
		t.Fatal(err)
	}
	var encs [][]byte
	for _, order := range [][]string{{enc, obs, cond}, {enc, cond, obs}, {cond, obs, enc}} {
		b := `{"resourceType":"Bundle","type":"collection","entry":[` + order[0] + "," + order[1] + "," + order[2] + "]}"
		res, err := e.Label(context.Background(), []byte(b))
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range entryResources(t, res.Resource) {
			if bytes.Contains(r, []byte(`"Encounter"`)) {
				encs = append(encs, r)
			}
		}
	}
	if !bytes.Contains(encs[0], []byte("42CFRPart2")) {
		t.Fatalf("the encounter lacks the opioid use disorder's policy: %s", encs[0])
	}
	for _, r := range encs[1:] {
		if !sameJSON(t, r, encs[0]) {
			t.Errorf("the encounter depends on the order of entries:\n%s\n%s", r, encs[0])
		}
	}
}
