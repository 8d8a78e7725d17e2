package engine

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// TestLinkedMatchesBundle labels the entries of a Bundle one call each,
// carrying what flows between them with Links until nothing changes, and
// checks that each comes out as labeling the whole Bundle leaves it.
func TestLinkedMatchesBundle(t *testing.T) {
	inputs := map[string][]byte{}
	b, err := os.ReadFile("../testdata/examples/bundle.json")
	if err != nil {
		t.Fatal(err)
	}
	inputs["examples/bundle.json"] = b
	if !testing.Short() {
		files, _ := filepath.Glob("../../shared/data/synthea/*.json")
		for _, f := range files {
			if strings.HasSuffix(f, "manifest.json") || len(inputs) > 4 {
				continue
			}
			b, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			inputs[filepath.Base(f)] = b
		}
	}
	optionSets := []Options{
		{Propagate: []string{"Condition.encounter", "Observation.encounter", "Procedure.encounter"}},
		{Propagate: []string{"Condition.encounter", "Encounter.subject"}, TextMatch: TextAll},
		{Inherit: []string{}, Propagate: []string{"MedicationRequest.encounter"}},
	}
	flowed := 0 // entries labeled apart otherwise than on their own
	for name, input := range inputs {
		bundle, entries := relativeBundle(t, input)
		for k, opts := range optionSets {
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
					t.Errorf("%s, options %d: entry %d differs from the Bundle's after %d rounds:\n got %s\nwant %s", name, k, i, rounds, got[i], want[i])
				}
				alone, err := e.Label(context.Background(), entries[i])
				if err != nil {
					t.Fatal(err)
				}
				if !sameJSON(t, alone.Resource, got[i]) {
					flowed++
				}
			}
		}
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

// relativeBundle turns a Bundle into a collection whose references are
// Type/id, as in a bulk export, with no fullUrl: urn:uuid references name
// their entry by its type and id. It returns the Bundle and its entries'
// resources.
func relativeBundle(t *testing.T, b []byte) ([]byte, [][]byte) {
	var bundle map[string]any
	if err := json.Unmarshal(b, &bundle); err != nil {
		t.Fatal(err)
	}
	entries, _ := bundle["entry"].([]any)
	byURL := map[string]string{}
	for _, e := range entries {
		e := e.(map[string]any)
		r := e["resource"].(map[string]any)
		if u, ok := e["fullUrl"].(string); ok {
			byURL[u] = r["resourceType"].(string) + "/" + r["id"].(string)
		}
	}
	var fix func(v any) any
	fix = func(v any) any {
		switch v := v.(type) {
		case map[string]any:
			for k, x := range v {
				if s, ok := x.(string); ok && k == "reference" && byURL[s] != "" {
					v[k] = byURL[s]
				} else {
					v[k] = fix(x)
				}
			}
		case []any:
			for i := range v {
				v[i] = fix(v[i])
			}
		}
		return v
	}
	var resources [][]byte
	for _, e := range entries {
		e := e.(map[string]any)
		delete(e, "fullUrl")
		delete(e, "request")
		r, err := json.Marshal(fix(e["resource"]))
		if err != nil {
			t.Fatal(err)
		}
		resources = append(resources, r)
	}
	bundle["type"] = "collection"
	out, err := json.Marshal(bundle)
	if err != nil {
		t.Fatal(err)
	}
	return out, resources
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
