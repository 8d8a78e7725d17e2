package main

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/seclabel/seclabel/internal/golden"
	"github.com/seclabel/seclabel/internal/testenv"
)

// The committed table must be what the generator writes from the R4
// StructureDefinitions.
func TestCommittedTableIsCurrent(t *testing.T) {
	pkg := testenv.Require(t, "fhir-r4/hl7.fhir.r4.examples-4.0.1.tgz")
	root, err := golden.Root()
	if err != nil {
		t.Fatal(err)
	}
	fresh := filepath.Join(t.TempDir(), "table.go")
	if err := run(pkg, fresh); err != nil {
		t.Fatal(err)
	}
	want, _ := os.ReadFile(fresh)
	got, err := os.ReadFile(filepath.Join(root, "engine", "internal", "r4", "cardinality_table.go"))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Fatal("engine/internal/r4/cardinality_table.go is stale: run go run ./internal/cardgen (make generate)")
	}
}
