package main

import (
	"bytes"
	"context"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/seclabel/seclabel/engine"
)

// The generated inputs have the size asked for, are valid labeled FHIR the
// same every time, and are sensitive in part.
func TestGenerate(t *testing.T) {
	e, _ := engine.New(engine.Options{})
	for _, z := range sizes[:3] {
		data, n := generate(z.bytes)
		if len(data) < z.bytes || len(data) > z.bytes+2048 {
			t.Errorf("%s: %d bytes", z.name, len(data))
		}
		if again, _ := generate(z.bytes); !bytes.Equal(again, data) {
			t.Errorf("%s: not deterministic", z.name)
		}
		if got := countResources(data); got != n {
			t.Errorf("%s: %d entries, generate says %d", z.name, got, n)
		}
		if _, err := e.Validate(context.Background(), data); err != nil {
			t.Errorf("%s: %v", z.name, err)
		}
		r, err := e.Label(context.Background(), data)
		if err != nil {
			t.Fatalf("%s: %v", z.name, err)
		}
		if z.bytes >= 100<<10 && (len(r.Report.Labeled) == 0 || len(r.Report.Labeled) >= n) {
			t.Errorf("%s: %d of %d resources labeled; want some, not all", z.name, len(r.Report.Labeled), n)
		}
	}
}

// The many-entry Bundles hold the entries asked for, valid FHIR, labeled
// all, one in eight or none.
func TestShapes(t *testing.T) {
	e, _ := engine.New(engine.Options{})
	for _, z := range shapes {
		set := manySet(z.flag, 80)
		data := set.inputs[0].data
		if got := countResources(data); got != 80 || set.entries != 80 {
			t.Errorf("%s: %d entries", z.flag, got)
		}
		if _, err := e.Validate(context.Background(), data); err != nil {
			t.Errorf("%s: %v", z.flag, err)
		}
		r, err := e.Label(context.Background(), data)
		if err != nil {
			t.Fatalf("%s: %v", z.flag, err)
		}
		want := map[string]int{"conditions": 80, "observations": 10, "plain": 0}[z.flag]
		if len(r.Report.Labeled) != want {
			t.Errorf("%s: %d labeled, want %d", z.flag, len(r.Report.Labeled), want)
		}
	}
}

func TestNDJSONStream(t *testing.T) {
	path := filepath.Join(t.TempDir(), "s.ndjson")
	n, err := writeNDJSON(path, 3<<20)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(path)
	lines := bytes.Split(bytes.TrimSuffix(b, []byte("\n")), []byte("\n"))
	if len(b) < 3<<20 || len(lines) != n {
		t.Fatalf("%d bytes, %d lines (said %d)", len(b), len(lines), n)
	}
	if bytes.Equal(lines[0], lines[len(lines)/2+1]) && len(lines) > 2 {
		t.Error("lines repeat")
	}
}

func TestFlags(t *testing.T) {
	var out, errs bytes.Buffer
	for _, args := range [][]string{{"-backends", "native,jvm"}, {"-sizes", "5MB"}, {"-rounds", "0"}, {"-stream", "-1"}, {"extra"},
		{"-many", "tiny"}, {"-entries", "100,10"}, {"-entries", "x"}, {"-cli-entries", "-1"}, {"-api", "-1"}, {"-only", "node"},
		{"-only", "api", "-api", "0"}} {
		if _, err := parseFlags(args, &out, &errs); err == nil {
			t.Errorf("%v accepted", args)
		}
	}
	cfg, err := parseFlags([]string{"-sizes", "1kb,10MB", "-backends", "wasm"}, &out, &errs)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(cfg.sizes, "|") != "1 KB|10 MB" || !cfg.backends["native"] || !cfg.backends["wasm"] || cfg.backends["node"] {
		t.Fatalf("sizes %q, backends %v", cfg.sizes, cfg.backends)
	}
}

// TestReport runs the harness on the smallest input, natively, through
// wazero and in Node (when there), with a small stream, and checks that the
// report and the README section carry every figure.
func TestReport(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the CLI and runs every backend")
	}
	dir := t.TempDir()
	readme := filepath.Join(dir, "README.md")
	os.WriteFile(readme, []byte("# x\n\n## Performance\n\n"+readmeBegin+"\nold\n"+readmeEnd+"\n\nafter\n"), 0o644)
	var out, errs bytes.Buffer
	backends := "native,wasm"
	_, nodeErr := exec.LookPath("node")
	if nodeErr == nil {
		backends += ",node"
	}
	cfg, err := parseFlags([]string{"-data", "", "-sizes", "1KB", "-stream", "1", "-budget", "20ms", "-rounds", "1",
		"-many", "conditions,observations", "-entries", "10,100", "-cli-entries", "500", "-api", "300",
		"-backends", backends, "-out", filepath.Join(dir, "report.md"), "-readme", readme}, &out, &errs)
	if err != nil {
		t.Fatal(err)
	}
	cfg.plan.minBatch = time.Millisecond
	if err := run(cfg); err != nil {
		t.Fatalf("%v\n%s", err, errs.String())
	}
	report, _ := os.ReadFile(filepath.Join(dir, "report.md"))
	if !bytes.Equal(report, out.Bytes()) {
		t.Error("the printed report differs from the written one")
	}
	text := string(report)
	want := []string{"## Targets", "## Generated Bundle of 1 KB", "## NDJSON stream", "## Sizes", "seclabel.wasm", "| fastjson parse-only | native |",
		"| encoding/json round trip | native |", "native `label` ≥ 0.75", "wazero `redact` ≤ 6", "module ≤ 1.2 MB gzip",
		"## Bundle of 100 one-coding Conditions, all sensitive", "## Many small entries", "| fastjson parse + marshal, labeled input | native |",
		"100 Observations, one in eight sensitive: native `label`, `hwm` and `redact` each ≥ 0.5", "one-coding Conditions, all sensitive: one native `label` call allocates ≤ 3",
		"native cost per byte at 100 entries against 10", "the CLI labeling a Bundle of 500 Conditions",
		"## HTTP API", "HTTP API `label` with 2 clients on loopback ≥ 0.7 ×", "HTTP API: 300 requests without an error", "| errors | 0 of 300 |"}
	for _, op := range ops {
		want = append(want, "| `"+op+"` | native |", "| `"+op+"` | wazero |")
		if nodeErr == nil {
			want = append(want, "| `"+op+"` | Node |")
		}
	}
	for _, w := range want {
		if !strings.Contains(text, w) {
			t.Errorf("report lacks %q", w)
		}
	}
	if strings.Contains(text, "NaN") || strings.Contains(text, "Inf") {
		t.Errorf("report has a figure that is not a number:\n%s", text)
	}
	if n := strings.Count(text, "| native (wasm) |") + strings.Count(text, "| wasm (wazero) | "); n != 2 {
		t.Errorf("%d wazero stream rows, want 2", n)
	}
	r, _ := os.ReadFile(readme)
	if s := string(r); strings.Contains(s, "\nold\n") || !strings.Contains(s, "| `label` |") || !strings.HasSuffix(s, readmeEnd+"\n\nafter\n") {
		t.Errorf("README section not rewritten:\n%s", s)
	}
	os.WriteFile(readme, []byte("no markers"), 0o644)
	if err := rewriteReadme(readme, "x"); err == nil {
		t.Error("a README without markers was accepted")
	}
}

// The ratios compare medians over rounds: one slow round (a spell of the
// shared machine) does not move them, where the total over all rounds does.
func TestRoundTimeIsTheMedianRound(t *testing.T) {
	r := &result{perRound: 2, samples: []float64{1, 2, 10, 20, 1.5, 2.5, 1, 2.5}}
	if got := r.roundTime(); got != 3.75 { // rounds 3, 30, 4 and 3.5
		t.Errorf("roundTime = %v, want 3.75", got)
	}
	r.samples = r.samples[:6] // rounds 3, 30, 4
	if got := r.roundTime(); got != 4 {
		t.Errorf("roundTime = %v, want 4", got)
	}
	r.samples = append(r.samples, 7) // an unfinished round is left out
	if got := r.roundTime(); got != 4 {
		t.Errorf("roundTime with a partial round = %v, want 4", got)
	}
	if got := (&result{}).roundTime(); !math.IsNaN(got) {
		t.Errorf("roundTime of no rounds = %v, want NaN", got)
	}
}

// A slow first call (one-time setup) does not size the batches: they hold
// as many calls as fit the plan's minimum batch time. The calls after the
// first are short, so that a busy machine descheduling the test for most
// of the 2 ms still leaves a batch of many.
func TestWarmSkipsTheFirstCall(t *testing.T) {
	set := &inputSet{inputs: []input{{data: []byte("{}")}}}
	calls := 0
	slowFirst := func(int) error {
		calls++
		d := 20 * time.Microsecond
		if calls == 1 {
			d = 20 * time.Millisecond
		}
		for t0 := time.Now(); time.Since(t0) < d; {
		}
		return nil
	}
	p := plan{minBatch: 2 * time.Millisecond}
	rr, err := p.warm(&result{}, set, slowFirst)
	if err != nil {
		t.Fatal(err)
	}
	if rr.batch[0] < 5 {
		t.Errorf("batch of %d calls after a slow first call; want the calls of 2 ms (about 100)", rr.batch[0])
	}
	if rr.r.warm != calls {
		t.Errorf("warm = %d, want every untimed call (%d)", rr.r.warm, calls)
	}
}
