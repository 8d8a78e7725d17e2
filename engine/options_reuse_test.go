package engine

import (
	"context"
	"slices"
	"strings"
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

// A Session keeps the last request options it merged and reuses them while
// the options text and the engine are the same (requestOptions). Every
// answer must be what a fresh session gives the same request, whatever came
// before it: options changed, dropped, sent with rule packs, reconfigured,
// and the caller's request buffer reused and overwritten between calls.
func TestKeptOptionsAnswerAsFresh(t *testing.T) {
	ctx := context.Background()
	hiv := `{"resourceType":"Condition","id":"c","code":{"coding":[{"system":"http://snomed.info/sct","code":"86406008"}],"text":"HIV infection"},"note":[{"text":"HIV"}]}`
	pack := `{"name":"p","rules":[{"id":"r","labels":["PSY"],"codes":{"http://snomed.info/sct":["86406008"]}}]}`
	requests := []string{
		`{"op":"label","options":{"classifier":"first","omitCodes":["HIV"]}}`,
		`{"op":"label","options":{"classifier":"first","omitCodes":["HIV"]}}`,
		`{"op":"label","options":{"classifier":"second","textMatch":"all"}}`,
		`{"op":"label","options":{"classifier":"second","textMatch":"all"}}`,
		`{"op":"label"}`,
		`{"op":"label","options":{"classifier":"second","textMatch":"all"}}`,
		`{"op":"label","options":{"classifier":"second","textMatch":"all"},"rules":[` + jsonQuote(pack) + `]}`,
		`{"op":"label","options":{"classifier":"second","textMatch":"all"}}`,
		`{"op":"label","options":{"classifier":"x","maxDepth":0}}`,
		`{"op":"label","options":{"classifier":"second","textMatch":"all"}}`,
		`{"op":"configure","rules":[` + jsonQuote(pack) + `]}`,
		`{"op":"label","options":{"classifier":"second","textMatch":"all"}}`,
	}
	var kept Session
	buf := make([]byte, 0, 4096)
	for i, r := range requests {
		// The request sits at a different place in the caller's buffer each
		// time, and what was there before is overwritten.
		buf = append(buf[:0], make([]byte, i*7)...)
		buf = append(buf, r...)
		configure := strings.Contains(r, `"configure"`)
		if !configure {
			buf = append(append(buf, 0), hiv...)
		}
		got := string(kept.Do(ctx, buf[i*7:]))
		for j := range buf {
			buf[j] = 'X'
		}
		var fresh Session
		for _, earlier := range requests[:i] {
			if strings.Contains(earlier, `"configure"`) {
				fresh.Do(ctx, []byte(earlier))
			}
		}
		if configure {
			if got != configured {
				t.Fatalf("request %d %s: %s", i, r, got)
			}
			continue
		}
		if want := string(fresh.Do(ctx, []byte(r+"\x00"+hiv))); got != want {
			t.Errorf("request %d %s:\n got %s\nwant %s", i, r, got, want)
		}
	}
}

func jsonQuote(s string) string { return string(jsonx.AppendString(nil, s)) }
