package engine

import (
	"bytes"
	"context"
	"encoding/json"
	"testing"
	"unicode/utf16"

	"github.com/seclabel/seclabel/internal/golden"
)

// spliced applies a response's edits, in UTF-16 code units as a
// JavaScript host does, to the resource the request carried.
func spliced(t *testing.T, resource []byte, edits [][3]int, texts []byte) string {
	t.Helper()
	src, add := utf16.Encode([]rune(string(resource))), utf16.Encode([]rune(string(texts)))
	var out []uint16
	pos, at := 0, 0
	for _, e := range edits {
		if e[0] < pos || e[1] < e[0] || e[1] > len(src) || at+e[2] > len(add) {
			t.Fatalf("edit %v out of order or range (text of %d units, texts of %d)", e, len(src), len(add))
		}
		out = append(append(out, src[pos:e[0]]...), add[at:at+e[2]]...)
		pos, at = e[1], at+e[2]
	}
	if at != len(add) {
		t.Fatalf("%d units of the texts left unused", len(add)-at)
	}
	return string(utf16.Decode(append(out, src[pos:]...)))
}

// A request that asks for edits gets, for every case of the corpus that
// returns a resource, edits that make exactly the resource it would have
// returned, and otherwise the same response.
func TestEditsMakeTheResult(t *testing.T) {
	ctx := context.Background()
	var s Session // as the module answers
	withEdits := func(req []byte) []byte { return append([]byte(`{"edits":true,`), req[1:]...) }
	check := func(note string, req []byte) bool {
		nul := bytes.IndexByte(req, 0)
		if nul < 0 {
			return false
		}
		want := bytes.Clone(s.Do(ctx, req))
		got := bytes.Clone(s.Do(ctx, withEdits(req)))
		wn, gn := bytes.IndexByte(want, 0), bytes.IndexByte(got, 0)
		if wn < 0 {
			if !bytes.Equal(got, want) {
				t.Errorf("%s: with edits\n%.300s\nwithout\n%.300s", note, got, want)
			}
			return false
		}
		var head struct {
			Edits *[][3]int `json:"edits"`
		}
		if gn < 0 || json.Unmarshal(got[:gn], &head) != nil {
			t.Fatalf("%s: %.300s", note, got)
		}
		if head.Edits == nil { // withheld whole: null
			if !bytes.Equal(got, want) {
				t.Errorf("%s: with edits\n%.300s\nwithout\n%.300s", note, got, want)
			}
			return false
		}
		if r := spliced(t, req[nul+1:], *head.Edits, got[gn+1:]); r != string(want[wn+1:]) {
			t.Errorf("%s: the edits make\n%.300s\nnot\n%.300s", note, r, want[wn+1:])
		}
		return true
	}
	n := 0
	for _, c := range golden.All(t) {
		if check(c.Note, golden.Split(c.Request)) {
			n++
		}
	}
	if n < 400 {
		t.Errorf("only %d cases returned edits", n)
	}
	hiv := []byte(" \n{\"resourceType\":\"Condition\",\"id\":\"é𝄞-ü\",\"code\":{\"coding\":[{\"system\":\"http://snomed.info/sct\",\"code\":\"86406008\",\"display\":\"𝄞 HIV ✓\"}]},\"note\":[{\"text\":\"日本語 😀\"}]}\t ")
	if !check("non-ASCII, space around", append([]byte(`{"op":"label"}`+"\x00"), hiv...)) {
		t.Error("labeling non-ASCII text returned no edits")
	}
	if got := s.Do(ctx, []byte(`{"op":"label","edits":"yes"}`+"\x00{}")); !bytes.Contains(got, []byte(`"invalid_option"`)) {
		t.Errorf("edits that is not a boolean: %s", got)
	}
}
