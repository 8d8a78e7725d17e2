package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/seclabel/seclabel/internal/golden"
)

// TestPython runs the Python rows on the 1 KB input, through the package
// in the environment make pytest-host keeps, and reads every figure back;
// then checks the report judges them against their target.
func TestPython(t *testing.T) {
	if testing.Short() {
		t.Skip("prepares the Python environment and runs the package")
	}
	root, err := golden.Root()
	if err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command("bash", filepath.Join(root, "host", "python", "test.sh"), "--python").CombinedOutput(); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("no Python environment: %v: %s", err, out)
		}
		t.Skipf("no Python environment: %s", strings.TrimSpace(string(out)))
	}
	data, n := generate(1 << 10)
	sets := []inputSet{{name: "1 KB", inputs: []input{{name: "1 KB", data: data, resources: n}}}}
	if err := withLabels(sets); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if err := writeInputs(dir, sets); err != nil {
		t.Fatal(err)
	}
	p := plan{budget: 20 * time.Millisecond, minRounds: 2, maxRounds: 1000, minBatch: time.Millisecond}
	rows, version, err := runPython(root, dir, sets, p)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(version, "Python 3.") || !strings.Contains(version, ", wasmtime ") {
		t.Errorf("version %q", version)
	}
	if len(rows) != len(ops) {
		t.Fatalf("%d rows, want one per operation (%d)", len(rows), len(ops))
	}
	for i, r := range rows {
		if r.op != ops[i] || r.backend != "Python" || r.set != "1 KB" || r.calls < 2 || r.warm < 2 || r.memory == 0 ||
			r.bytes != int64(r.calls)*int64(len(data)) || r.resources != int64(r.calls*n) || len(r.samples) < 2 || r.elapsed <= 0 {
			t.Errorf("row %d: %+v", i, r)
		}
	}
	rep := &report{sets: sets, rows: rows, backends: map[string]bool{"native": true, "python": true}}
	native := rows[0]
	native.backend, native.samples = "native", nil
	for _, s := range rows[0].samples {
		native.samples = append(native.samples, s/10)
	}
	rep.rows = append(rep.rows, native)
	var label *target
	for _, tg := range rep.targets() {
		if strings.HasPrefix(tg.what, "Python `label` ≤ 8 × native time") {
			label = &tg
		}
	}
	if label == nil || !label.known || label.ok || label.measured != "10.00 ×" {
		t.Errorf("the Python label target against a native row ten times faster: %+v", label)
	}
}
