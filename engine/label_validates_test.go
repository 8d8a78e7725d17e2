package engine_test

import (
	"context"
	"testing"

	"github.com/seclabel/seclabel/engine"
)

// TestLabelOutputValidates holds label to what validate checks: every
// golden input, labeled with the default options, has no error-level
// finding of a kind it did not have already (labeling cannot mend
// malformed labels it keeps, and must not add a wrong one, as a document
// whose Composition says N about an entry it labeled R would). Its twin for
// redaction is TestRedactedOutputValidates.
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
	for i, in := range goldenResources(t) {
		res, err := e.Label(ctx, in)
		if err != nil {
			continue // a refused input has no output to validate
		}
		before := errorCodes(in)
		for code := range errorCodes(res.Resource) {
			if !before[code] {
				t.Errorf("golden input %d: the labeled resource has the validate error %s, which the input had not", i, code)
			}
		}
		checked++
	}
	if checked < 1000 {
		t.Fatalf("only %d inputs checked", checked)
	}
}
