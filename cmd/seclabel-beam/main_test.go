package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/apache/beam/sdks/v2/go/pkg/beam/testing/ptest"
	"github.com/seclabel/seclabel/cmd/seclabel-beam/pipeline"
	"github.com/seclabel/seclabel/engine"
)

func TestMain(m *testing.M) {
	ptest.Main(m)
}

// TestRun runs the command's label and redact on the Quick start's export
// on Prism (the default runner), with the options and context read from
// files as @FILE.
func TestRun(t *testing.T) {
	dir := t.TempDir()
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	opts := filepath.Join(dir, "options.json")
	if err := os.WriteFile(opts, []byte(`{"propagate": ["Condition.encounter"]}`), 0o644); err != nil {
		t.Fatal(err)
	}
	set(t, "engine-options", "@"+opts)
	set(t, "out", filepath.Join(dir, "labeled"))
	if err := run(context.Background(), "label", []string{"../../testdata/examples/export.ndjson"}); err != nil {
		t.Fatal(err)
	}
	var sum pipeline.Summary
	b, err := os.ReadFile(filepath.Join(dir, "labeled", pipeline.SummaryFile))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &sum); err != nil || sum.Read == 0 || sum.Labeled == 0 || sum.Errors != 0 {
		t.Fatalf("summary %s (%v)", b, err)
	}
	set(t, "context", "@../../testdata/examples/recipient.json")
	set(t, "out", filepath.Join(dir, "released"))
	set(t, "audit-time", "2026-01-02T03:04:05Z")
	if err := run(context.Background(), "redact", []string{filepath.Join(dir, "labeled", "*.ndjson")}); err != nil {
		t.Fatal(err)
	}
	w, err := os.ReadFile(filepath.Join(dir, "released", pipeline.WithheldFile))
	if err != nil || !strings.Contains(string(w), `"Condition/c1"`) {
		t.Fatalf("withheld.ndjson: %s (%v)", w, err)
	}
	// Nothing is left in the temporary directory (Beam's loopback worker
	// placeholders among them).
	if left, err := os.ReadDir(tmp); err != nil || len(left) > 0 {
		t.Fatalf("left in TMPDIR: %v (%v)", left, err)
	}
}

// TestRunRejects checks that bad arguments fail before anything runs, an
// engine's rejection with its code.
func TestRunRejects(t *testing.T) {
	set(t, "out", t.TempDir())
	set(t, "engine-options", `{"propagat": ["Condition.encounter"]}`)
	err := run(context.Background(), "label", []string{"../../testdata/examples/export.ndjson"})
	var ee *engine.Error
	if !errors.As(err, &ee) || ee.Code != engine.ErrInvalidOption {
		t.Errorf("a misspelt option: %v, want invalid_option", err)
	}
	set(t, "engine-options", "")
	set(t, "context", `{"clearance": "Q"}`)
	if err := run(context.Background(), "redact", []string{"../../testdata/examples/export.ndjson"}); !errors.As(err, &ee) || ee.Code != engine.ErrInvalidContext {
		t.Errorf("a bad clearance: %v, want invalid_context", err)
	}
	if err := run(context.Background(), "hwm", []string{"x"}); err == nil {
		t.Error("an unknown operation was accepted")
	}
	set(t, "context", "")
	if err := run(context.Background(), "label", []string{"no-such-*.ndjson"}); err == nil || !strings.Contains(err.Error(), "file_not_found") {
		t.Errorf("an input matching nothing: %v", err)
	}
}

// set sets a flag for one test.
func set(t *testing.T, name, value string) {
	old := flag.Lookup(name).Value.String()
	if err := flag.Set(name, value); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { flag.Set(name, old) })
}
