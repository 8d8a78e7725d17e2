package engine_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/seclabel/seclabel/engine"
	"github.com/seclabel/seclabel/internal/testenv"
)

// errorsOf lists the error diagnostics of a validation, or fails.
func errorsOf(t *testing.T, e *engine.Engine, name string, in []byte) []engine.Diagnostic {
	t.Helper()
	r, err := e.Validate(context.Background(), in)
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	var out []engine.Diagnostic
	for _, d := range r.Diagnostics {
		if d.Severity == engine.SeverityError {
			out = append(out, d)
		}
	}
	return out
}

func hasCode(ds []engine.Diagnostic, code engine.DiagnosticCode) bool {
	for _, d := range ds {
		if d.Code == code {
			return true
		}
	}
	return false
}

// TestValidatePublishedExamples holds validate to the standard's own
// examples: what the DS4P IG, FHIR R4 and the FHIR validator's fixtures
// publish as valid has no error, though several carry labels without a
// confidentiality (which HCS, under requireConfidentiality, rejects). What
// label makes of them validates too, with no resource left below its
// inline labels.
func TestValidatePublishedExamples(t *testing.T) {
	dir := testenv.Require(t, "labeled")
	var files []string
	for _, sub := range []string{"ds4p-ig", "r4-core", "fhir-test-cases"} {
		m, _ := filepath.Glob(filepath.Join(dir, sub, "*.json"))
		files = append(files, m...)
	}
	if len(files) < 20 {
		t.Fatalf("only %d examples in %s", len(files), dir)
	}
	e, _ := engine.New(engine.Options{})
	hcs, _ := engine.New(engine.Options{RequireConfidentiality: true})
	missing := 0
	for _, f := range files {
		name := filepath.Join(filepath.Base(filepath.Dir(f)), filepath.Base(f))
		in, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if errs := errorsOf(t, e, name, in); len(errs) > 0 {
			t.Errorf("%s: %d errors, first %s at %s: %s", name, len(errs), errs[0].Code, errs[0].Location, errs[0].Message)
		}
		if hasCode(errorsOf(t, hcs, name, in), engine.DiagConfidentialityMissing) {
			missing++
		}
		lr, err := e.Label(context.Background(), in)
		if err != nil {
			t.Fatalf("%s: label: %v", name, err)
		}
		vr, err := e.Validate(context.Background(), lr.Resource)
		if err != nil {
			t.Fatalf("%s: validate after label: %v", name, err)
		}
		for _, d := range vr.Diagnostics {
			if d.Severity == engine.SeverityError || d.Code == "hwm-below-inline" {
				t.Errorf("%s: after label, %s %s at %s: %s", name, d.Severity, d.Code, d.Location, d.Message)
			}
		}
	}
	// The examples: the IG's inline Immunization and Patient and its
	// related-artifact Provenance, R4's Condition-f202, validator fixtures.
	if missing < 5 {
		t.Errorf("requireConfidentiality found %d examples without a confidentiality, want at least 5", missing)
	}
}

// TestValidateR4LabeledExamples validates every example of the R4 package
// that carries a security label: none has an error.
func TestValidateR4LabeledExamples(t *testing.T) {
	e, _ := engine.New(engine.Options{})
	labeled := 0
	testenv.R4Examples(t, func(f testenv.File) {
		if !bytes.Contains(f.Data, []byte(`"security"`)) && !bytes.Contains(f.Data, []byte(inlineURL)) {
			return
		}
		labeled++
		if errs := errorsOf(t, e, f.Name, f.Data); len(errs) > 0 {
			t.Errorf("%s: %d errors, first %s at %s: %s", f.Name, len(errs), errs[0].Code, errs[0].Location, errs[0].Message)
		}
	})
	t.Logf("%d labeled R4 examples", labeled)
	if labeled == 0 {
		t.Error("no labeled example in the R4 package")
	}
}
