package engine_test

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/seclabel/seclabel/engine"
	"github.com/seclabel/seclabel/internal/golden"
	"github.com/seclabel/seclabel/internal/jsonx"
	"github.com/valyala/fastjson"
)

// TestGoldenLabelIdempotent labels the expected output of every label case
// again, with the case's options and rules: it must come back unchanged.
// Labels that flow between entries (propagate, inherit) are read back from
// meta.security on the second pass, so this checks they settle.
func TestGoldenLabelIdempotent(t *testing.T) {
	e, _ := engine.New(engine.Options{})
	n := 0
	for _, c := range golden.All(t) {
		if c.Want == nil || !strings.HasPrefix(c.Note, "label/") {
			continue
		}
		want := fastjson.MustParseBytes(c.Want).Get("resource")
		req, err := fastjson.ParseBytes(c.Request)
		if want == nil || err != nil || req.Type() != fastjson.TypeObject {
			continue
		}
		req.Set("resource", want)
		got := fastjson.MustParseBytes(golden.Joined(e.Do(context.Background(), req.MarshalTo(nil)))).Get("resource")
		if got == nil {
			t.Errorf("%s: labeling the output failed", c.Note)
			continue
		}
		a, _ := jsonx.Canonical(want.MarshalTo(nil))
		b, _ := jsonx.Canonical(got.MarshalTo(nil))
		if !bytes.Equal(a, b) {
			t.Errorf("%s: labeling the output again changes it:\n got: %s\nwant: %s", c.Note, b, a)
		}
		n++
	}
	if n < 50 {
		t.Errorf("only %d cases checked", n)
	}
}
