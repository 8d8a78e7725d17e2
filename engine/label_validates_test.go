package engine_test

import (
	"context"
	"os"
	"path/filepath"
	"sort"
	"testing"

	"github.com/seclabel/seclabel/engine"
	"github.com/seclabel/seclabel/internal/golden"
	"github.com/valyala/fastjson"
)

// TestLabelOutputValidates holds label to what validate checks: for every
// label golden case's input, labeled with the default options, the result has no
// error-level finding of a kind the input did not have already (labeling
// cannot mend malformed labels it keeps, and must not add a wrong one, as a
// document whose Composition says N about an entry it labeled R would).
func TestLabelOutputValidates(t *testing.T) {
	e, _ := engine.New(engine.Options{})
	ctx := context.Background()
	errorCodes := func(res []byte) map[engine.DiagnosticCode]bool {
		r, err := e.Validate(ctx, res)
		if err != nil {
			return map[engine.DiagnosticCode]bool{"(" + engine.DiagnosticCode(err.Error()) + ")": true}
		}
		out := map[engine.DiagnosticCode]bool{}
		for _, d := range r.Diagnostics {
			if d.Severity == engine.SeverityError {
				out[d.Code] = true
			}
		}
		return out
	}
	checked := 0
	cases, _ := defaultCases("label")
	for _, c := range cases {
		in := c.req.Get("resource").MarshalTo(nil)
		res, err := e.Label(ctx, in)
		if err != nil {
			continue // a refused input has no output to validate
		}
		before := errorCodes(in)
		for code := range errorCodes(res.Resource) {
			if !before[code] {
				t.Errorf("%s: the labeled resource has the validate error %s, which the input had not", c.name, code)
			}
		}
		checked++
	}
	if checked < 1000 {
		t.Fatalf("only %d cases checked", checked)
	}
}

// goldenCase is a golden case's request, by its file's name.
type goldenCase struct {
	name string
	req  *fastjson.Value
}

// defaultCases returns the golden cases of op that send a resource with
// the default options and expect an answer, not an error, in order, and
// how many cases op has in all.
func defaultCases(op string) ([]goldenCase, int) {
	root, _ := golden.Root()
	files, _ := filepath.Glob(filepath.Join(root, "testdata", "cases", op, "*.json"))
	sort.Strings(files)
	var out []goldenCase
	for _, f := range files {
		b, _ := os.ReadFile(f)
		v, err := fastjson.ParseBytes(b)
		if err != nil {
			continue
		}
		req := v.Get("request")
		if req == nil || req.Get("options") != nil || req.Get("resource") == nil || len(v.GetStringBytes("want_error_code")) > 0 {
			continue
		}
		out = append(out, goldenCase{filepath.Base(f), req})
	}
	return out, len(files)
}
