package engine

import (
	"slices"
	"testing"

	"github.com/seclabel/seclabel/internal/jsonx"
)

// A request's options object is merged onto the engine's options: lists it
// leaves alone keep their parsed form, and lists it sets are parsed anew,
// with the same results as an engine made with those options.
func TestMergedOptionsMatchResolved(t *testing.T) {
	base, err := Options{Propagate: []string{"Condition.encounter"}, OmitCodes: []string{"HIV"}}.resolve()
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		req  string
		want Options
	}{
		{`{}`, Options{Propagate: []string{"Condition.encounter"}, OmitCodes: []string{"HIV"}}},
		{`{"textMatch":true}`, Options{Propagate: []string{"Condition.encounter"}, OmitCodes: []string{"HIV"}, TextMatch: TextAll}},
		{`{"propagate":["Observation.encounter"]}`, Options{Propagate: []string{"Observation.encounter"}, OmitCodes: []string{"HIV"}}},
		{`{"propagate":[],"inherit":[]}`, Options{Propagate: []string{}, Inherit: []string{}, OmitCodes: []string{"HIV"}}},
		{`{"omitCodes":["SUD"],"privacyRevealing":["ETH"]}`, Options{Propagate: []string{"Condition.encounter"}, OmitCodes: []string{"SUD"}, PrivacyRevealing: []string{"ETH"}}},
	} {
		var d jsonx.Doc
		if err := d.Parse([]byte(c.req), 10); err != nil {
			t.Fatal(err)
		}
		got, err := mergeOptions(base, &d, 0)
		if err != nil {
			t.Fatalf("%s: %v", c.req, err)
		}
		want, err := c.want.resolve()
		if err != nil {
			t.Fatal(err)
		}
		if len(got.refs) != len(want.refs) {
			t.Errorf("%s: %d reference paths, want %d", c.req, len(got.refs), len(want.refs))
		}
		for i := range min(len(got.refs), len(want.refs)) {
			g, w := got.refs[i], want.refs[i]
			if g.typ != w.typ || g.back != w.back || len(g.path) != len(w.path) {
				t.Errorf("%s: reference path %d = %v, want %v", c.req, i, g, w)
			}
		}
		for _, code := range []string{"HIV", "SUD", "ETH", "PSY"} {
			if got.omit.has("", code) != want.omit.has("", code) {
				t.Errorf("%s: omits %s = %v, want %v", c.req, code, got.omit.has("", code), want.omit.has("", code))
			}
			if got.reveal.has("", code) != want.reveal.has("", code) {
				t.Errorf("%s: reveals %s = %v, want %v", c.req, code, got.reveal.has("", code), want.reveal.has("", code))
			}
		}
	}
}

// DefaultInherit hands out a copy: a caller changing it changes nothing
// the engine inherits along.
func TestDefaultInheritIsACopy(t *testing.T) {
	a := DefaultInherit()
	if len(a) == 0 || !slices.Equal(a, defaultInherit) {
		t.Fatalf("DefaultInherit() = %v, want %v", a, defaultInherit)
	}
	a[0] = "Changed.element"
	if defaultInherit[0] == "Changed.element" {
		t.Error("DefaultInherit returned the engine's own list")
	}
}
