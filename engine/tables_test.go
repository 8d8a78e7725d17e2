package engine

import (
	"os"
	"reflect"
	"runtime"
	"strings"
	"testing"
)

// Every option of the table is set by Options.set, each to a field of its
// own: a row without a case panics, a case that sets the wrong field is
// caught by the field changing from its zero value.
func TestEveryOptionIsSet(t *testing.T) {
	seen := map[string]string{}
	for _, spec := range optionTable {
		var o Options
		v := optionValue{b: true, s: "x", list: []string{"x"}, unit: 0.5, n: 7}
		o.set(spec.name, v)
		rv := reflect.ValueOf(o)
		changed := ""
		for i := 0; i < rv.NumField(); i++ {
			if rv.Type().Field(i).IsExported() && !rv.Field(i).IsZero() {
				changed += rv.Type().Field(i).Name
			}
		}
		if changed == "" {
			t.Errorf("option %s sets no field", spec.name)
		}
		if other, dup := seen[changed]; dup {
			t.Errorf("options %s and %s set the same field %s", other, spec.name, changed)
		}
		seen[changed] = spec.name
	}
}

// Every operation's report can be read back (ParseResponse), and nothing
// else is.
func TestEveryOperationHasAReader(t *testing.T) {
	if runtime.GOARCH == "wasm" {
		t.Skip("WebAssembly builds read no responses (ops_read_wasm.go)")
	}
	for _, x := range operations {
		if reportReaders[x.op] == nil {
			t.Errorf("operation %s has no report reader in reportReaders", x.name)
		}
	}
	if len(reportReaders) != len(operations) {
		t.Errorf("%d report readers for %d operations", len(reportReaders), len(operations))
	}
}

// The options' descriptions list the options of the table, in its order.
func TestEveryOptionIsDescribed(t *testing.T) {
	if len(optionDocs) != len(optionTable) {
		t.Fatalf("%d options described, %d in the table", len(optionDocs), len(optionTable))
	}
	for i := range optionTable {
		if d := optionDocs[i]; d.name != optionTable[i].name || d.doc == "" || d.ops == "" {
			t.Errorf("option %d: described as %q, %q in the table", i, d.name, optionTable[i].name)
		}
	}
}

// Every diagnostic code PROTOCOL.md lists has an IssueType for the
// OperationOutcome form: issue.code is required there.
func TestDiagnosticsHaveIssueTypes(t *testing.T) {
	doc, err := os.ReadFile("PROTOCOL.md")
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, line := range strings.Split(string(doc), "\n") {
		cells := strings.Split(line, "|")
		if len(cells) < 4 || !strings.Contains(cells[2], "error") && !strings.Contains(cells[2], "warning") && !strings.Contains(cells[2], "information") {
			continue
		}
		code := strings.Trim(strings.TrimSpace(cells[1]), "`")
		if code == "" || strings.ContainsAny(code, " _") {
			continue
		}
		n++
		if issueTypes[code] == "" {
			t.Errorf("diagnostic %s has no IssueType", code)
		}
	}
	if n < 30 {
		t.Errorf("read %d diagnostic codes from PROTOCOL.md; want the whole table", n)
	}
}
