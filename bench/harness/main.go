// Command harness measures seclabel on every build (native Go, the module in
// wazero, Node, headless Chromium and Python) against JSON baselines in the same
// run, and writes a Markdown report: make bench runs it.
//
//	go run ./bench/harness [flags]
//
// Inputs: the Synthea bundles of the shared data (skipped when absent),
// generated Bundles of 1 KB to 10 MB, Bundles of 1,000 and 100,000 small
// entries, an NDJSON stream of up to 100 MB and a Bundle of 300,000 entries
// labeled by the CLI. The targets are ratios measured in the run; the report
// says which hold.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime/debug"
	"strconv"
	"strings"
	"time"

	"github.com/seclabel/seclabel/engine"
	"github.com/seclabel/seclabel/host"
	"github.com/seclabel/seclabel/internal/golden"
	"github.com/seclabel/seclabel/internal/testenv"
)

const usage = `Usage: go run ./bench/harness [flags]

Measures label, hwm, redact and validate natively, through the module in
wazero, in Node, in headless Chromium and in Python, with the JSON baselines, and writes
a Markdown report (also printed). Progress goes to standard error.

Flags:
`

// config is what the flags ask for.
type config struct {
	out, readme, data string
	backends          map[string]bool
	sizes             []string
	shapes            []string // many-entry Bundles
	counts            []int    // their entry counts
	cliEntries        int      // entries of the Bundle the CLI labels whole (0: none)
	streamMB          int
	apiRequests       int    // requests of the HTTP API's latency phase (0: no API section)
	only              string // "api": only the HTTP API section, printed
	beamMB            int    // NDJSON the Beam pipeline labels (0: none)
	plan              plan
	stdout, stderr    io.Writer
}

func main() {
	cfg, err := parseFlags(os.Args[1:], os.Stdout, os.Stderr)
	if errors.Is(err, flag.ErrHelp) {
		return
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "harness:", err)
		os.Exit(2)
	}
	if err := run(cfg); err != nil {
		fmt.Fprintln(os.Stderr, "harness:", err)
		os.Exit(1)
	}
}

func parseFlags(args []string, stdout, stderr io.Writer) (*config, error) {
	fs := flag.NewFlagSet("harness", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprint(stderr, usage); fs.PrintDefaults() }
	out := fs.String("out", "bench/report.md", "write the report to this file (\"-\": only print it)")
	readme := fs.String("readme", "", "also rewrite the Performance section of this README between its bench markers")
	data := fs.String("data", testenv.DataDir(), "the shared data folder (its synthea/ bundles are measured when present)")
	backends := fs.String("backends", "native,wasm,node,chromium,python,java", "backends to measure (native is always measured: it is what the others are compared to)")
	sizeList := fs.String("sizes", "1KB,100KB,1MB,10MB", "generated input sizes, from 1KB,100KB,1MB,10MB (\"none\": only the Synthea bundles)")
	stream := fs.Int("stream", 100, "size in MB of the NDJSON stream the CLI labels (0: none); a stream a tenth its size shows memory stays flat")
	budget := fs.Duration("budget", time.Second, "time each row runs for, at least")
	rounds := fs.Int("rounds", 3, "rounds over a row's inputs, at least")
	shapeList := fs.String("many", "conditions,observations,plain", "Bundles of many small entries, from conditions,observations,plain (\"none\": none)")
	entryList := fs.String("entries", "1000,100000", "entry counts of the many-entry Bundles, fewest first")
	cliEntries := fs.Int("cli-entries", 300000, "entries of the Conditions Bundle the CLI labels whole, for its peak memory (0: none)")
	apiRequests := fs.Int("api", 10000, "requests of single resources sent to the HTTP API, for latency and memory (0: no HTTP API section)")
	only := fs.String("only", "", "\"api\": measure only the HTTP API (Synthea or the generated 1 MB input) and print its section and targets, writing no file")
	beamMB := fs.Int("beam", 20, "size in MB of the NDJSON file the bulk-export pipeline (cmd/seclabel-beam) labels on Prism, against the CLI's stream on it (0: none)")
	quick := fs.Bool("quick", false, "a fast, rough run: 50 ms rows, 1 KB and 100 KB inputs, a 4 MB stream")
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	if fs.NArg() > 0 {
		return nil, fmt.Errorf("unexpected argument %q (see -help)", fs.Arg(0))
	}
	cfg := &config{out: *out, readme: *readme, data: *data, streamMB: *stream, stdout: stdout, stderr: stderr,
		cliEntries: *cliEntries, apiRequests: *apiRequests, only: *only, beamMB: *beamMB,
		backends: map[string]bool{"native": true},
		plan:     plan{budget: *budget, minRounds: *rounds, maxRounds: 100000, minBatch: 2 * time.Millisecond}}
	for _, b := range strings.Split(*backends, ",") {
		switch b = strings.TrimSpace(b); b {
		case "native", "wasm", "node", "chromium", "python", "java":
			cfg.backends[b] = true
		case "":
		default:
			return nil, fmt.Errorf("unknown backend %q: native, wasm, node, chromium, python or java", b)
		}
	}
	if *quick {
		cfg.plan.budget, cfg.plan.minRounds = 50*time.Millisecond, 1
		*sizeList, cfg.streamMB = "1KB,100KB", 4
		*entryList, cfg.cliEntries = "100,1000", min(cfg.cliEntries, 3000)
		cfg.beamMB = min(cfg.beamMB, 2)
	}
	for _, f := range strings.Split(*entryList, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || n < 1 || len(cfg.counts) > 0 && n <= cfg.counts[len(cfg.counts)-1] {
			return nil, fmt.Errorf("-entries wants counts, fewest first: %q", *entryList)
		}
		cfg.counts = append(cfg.counts, n)
	}
	if *shapeList != "none" {
		for _, s := range strings.Split(*shapeList, ",") {
			found := false
			for _, z := range shapes {
				if strings.EqualFold(strings.TrimSpace(s), z.flag) {
					cfg.shapes = append(cfg.shapes, z.flag)
					found = true
				}
			}
			if !found {
				return nil, fmt.Errorf("unknown shape %q: conditions, observations or plain", s)
			}
		}
	}
	if *sizeList != "none" {
		for _, s := range strings.Split(*sizeList, ",") {
			found := false
			for _, z := range sizes {
				if strings.EqualFold(strings.TrimSpace(s), z.flag) {
					cfg.sizes = append(cfg.sizes, z.name)
					found = true
				}
			}
			if !found {
				return nil, fmt.Errorf("unknown size %q: 1KB, 100KB, 1MB or 10MB", s)
			}
		}
	}
	switch {
	case cfg.only != "" && cfg.only != "api":
		return nil, fmt.Errorf("-only takes api, not %q", cfg.only)
	case cfg.only == "api" && cfg.apiRequests < 1:
		return nil, errors.New("-only api needs -api above 0")
	case cfg.apiRequests < 0:
		return nil, errors.New("-api must not be negative")
	}
	if cfg.plan.budget <= 0 || cfg.plan.minRounds < 1 {
		return nil, errors.New("-budget must be positive and -rounds at least 1")
	}
	if cfg.cliEntries < 0 {
		return nil, errors.New("-cli-entries must not be negative")
	}
	if cfg.streamMB < 0 || cfg.beamMB < 0 {
		return nil, errors.New("-stream and -beam must not be negative")
	}
	return cfg, nil
}

// progress writes one line per step to standard error: a count of the steps
// and what runs.
type progress struct {
	w     io.Writer
	n     int
	total int
	start time.Time
}

func (p *progress) step(format string, args ...any) {
	p.n++
	fmt.Fprintf(p.w, "[%3d/%d %5.1fs] %s\n", p.n, p.total, time.Since(p.start).Seconds(), fmt.Sprintf(format, args...))
}

func run(cfg *config) error {
	if cfg.only == "api" {
		return runAPIOnly(cfg)
	}
	root, err := golden.Root()
	if err != nil {
		return err
	}
	tmp, err := os.MkdirTemp("", "seclabel-bench-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	rep := &report{when: time.Now().UTC(), plan: cfg.plan, machine: readMachine(), backends: cfg.backends}

	// Inputs.
	var sets []inputSet
	if cfg.data != "" {
		files, err := synthea(filepath.Join(cfg.data, "synthea"))
		if err != nil {
			return err
		}
		if len(files) > 0 {
			sets = append(sets, inputSet{name: "Synthea", inputs: files})
		}
	}
	if len(sets) == 0 {
		rep.notes = append(rep.notes, "No Synthea bundles were found (-data, or ../shared/data/synthea): the report covers the generated inputs only.")
	}
	for _, name := range cfg.sizes {
		for _, z := range sizes {
			if z.name == name {
				data, n := generate(z.bytes)
				sets = append(sets, inputSet{name: name, inputs: []input{{name: name, data: data, resources: n}}})
			}
		}
	}
	for _, shape := range cfg.shapes {
		for _, n := range cfg.counts {
			sets = append(sets, manySet(shape, n))
		}
	}
	if len(sets) == 0 && cfg.streamMB == 0 && cfg.beamMB == 0 {
		return errors.New("nothing to measure: no Synthea bundles, no sizes and no many-entry Bundles, no stream")
	}
	if err := withLabels(sets); err != nil {
		return err
	}
	rep.sets = sets

	steps := 0
	for _, set := range sets {
		steps += len(baselines) + len(ops) + 1
		if set.shape == "" {
			steps-- // the labeled input's baseline
			if cfg.backends["wasm"] {
				steps += len(ops)
			}
		}
	}
	if cfg.cliEntries > 0 {
		steps++
	}
	if cfg.apiRequests > 0 {
		steps += 2
	}
	for _, b := range []string{"node", "chromium", "python", "java"} {
		if cfg.backends[b] {
			steps++
		}
	}
	if cfg.beamMB > 0 {
		steps += 3
	}
	if cfg.streamMB > 0 {
		steps += 2
		if cfg.backends["wasm"] {
			steps += 2
		}
	}
	pr := &progress{w: cfg.stderr, total: steps, start: time.Now()}

	// Native with the baselines, and the module in wazero (a Host per input
	// set, so its peak memory is that set's): each set's rows are warmed up,
	// then measured round by round together.
	native, err := engine.New(nativeOptions)
	if err != nil {
		return err
	}
	ctx := context.Background()
	for si := range sets {
		set := &sets[si]
		type pending struct {
			rr     *rowRun
			native bool
		}
		var rows []pending
		warm := func(name, backend string, call func(int) error) error {
			pr.step("warming up %s on %s, %s", name, set.name, backend)
			r := &result{set: set.name, op: name, backend: backend, allocs: -1, allocB: -1}
			rr, err := cfg.plan.warm(r, set, call)
			if err != nil {
				return fmt.Errorf("%s on %s, %s: %w", name, set.name, backend, err)
			}
			rows = append(rows, pending{rr, backend == "native"})
			return nil
		}
		for _, b := range baselines {
			if b.name == labeledBaseline && set.shape == "" {
				continue
			}
			if err := warm(b.name, "native", b.call(set)); err != nil {
				return err
			}
		}
		for _, op := range ops {
			if err := warm(op, "native", opCall(native, op, set)); err != nil {
				return err
			}
		}
		var h *host.Host
		if cfg.backends["wasm"] && set.shape == "" {
			if h, err = host.New(ctx, host.Config{Instances: 1}); err != nil {
				return err
			}
			for _, op := range ops {
				if err := warm(op, "wasm", opCall(h, op, set)); err != nil {
					h.Close(ctx)
					return err
				}
			}
		}
		pr.step("measuring the %d rows of %s together", len(rows), set.name)
		runs := make([]*rowRun, len(rows))
		for i, p := range rows {
			runs[i] = p.rr
		}
		err := cfg.plan.together(runs)
		for _, p := range rows {
			if err == nil && p.native {
				err = nativeMemory(p.rr)
			}
			if !p.native {
				p.rr.r.memory = h.PeakMemoryBytes()
			}
			rep.rows = append(rep.rows, *p.rr.r)
		}
		if h != nil {
			h.Close(ctx)
		}
		if err != nil {
			return err
		}
	}
	if cfg.backends["wasm"] {
		rep.machine.wazero = moduleVersion("github.com/tetratelabs/wazero")
	}

	// Node, Chromium and Java, on the same input files: a failure to run is
	// reported, not fatal.
	jsDir := filepath.Join(tmp, "js")
	var jsSets []inputSet
	for _, set := range sets {
		if set.shape == "" {
			jsSets = append(jsSets, set)
		}
	}
	if cfg.backends["node"] || cfg.backends["chromium"] || cfg.backends["python"] || cfg.backends["java"] {
		if err := os.MkdirAll(jsDir, 0o755); err != nil {
			return err
		}
		if err := writeInputs(jsDir, jsSets); err != nil {
			return err
		}
	}
	for _, b := range []struct {
		key, name string
		run       func(root, dir string, sets []inputSet, p plan) ([]result, string, error)
		version   *string
	}{{"node", "Node", runNode, &rep.machine.node}, {"chromium", "Chromium", runChromium, &rep.machine.chromium},
		{"python", "Python", runPython, &rep.machine.python},
		{"java", "Java", runJava, &rep.machine.java}} {
		if !cfg.backends[b.key] {
			continue
		}
		pr.step("every operation in %s", b.name)
		rows, version, err := b.run(root, jsDir, jsSets, cfg.plan)
		if err != nil {
			rep.notes = append(rep.notes, fmt.Sprintf("%s was not measured: %v.", b.name, err))
			fmt.Fprintf(cfg.stderr, "  %s skipped: %v\n", b.name, err)
			continue
		}
		*b.version = version
		rep.rows = append(rep.rows, rows...)
	}

	// The playground page on the largest input judged: a failure to run is
	// reported, not fatal.
	if cfg.backends["chromium"] {
		if in, ok := largestPrimary(rep); ok {
			pr.step("the playground in Chromium on %s", in.name)
			runs, err := runPlayground(jsDir, in)
			if err != nil {
				rep.notes = append(rep.notes, fmt.Sprintf("The playground was not measured: %v.", err))
				fmt.Fprintf(cfg.stderr, "  the playground skipped: %v\n", err)
			}
			rep.playground = runs
		}
	}

	// The NDJSON stream through the CLI.
	if cfg.streamMB > 0 {
		if err := measureStreams(cfg, root, tmp, rep, pr); err != nil {
			return err
		}
	}

	// The bulk-export pipeline on Beam, against the stream.
	if cfg.beamMB > 0 {
		if err := measureBeam(cfg, root, tmp, rep, pr); err != nil {
			return err
		}
	}

	// One large Bundle through the CLI, for its peak memory.
	if cfg.cliEntries > 0 {
		pr.step("the CLI labeling %s Conditions in one Bundle", thousands(int64(cfg.cliEntries)))
		r, err := runBundle(root, tmp, cfg.cliEntries)
		if err != nil {
			return err
		}
		rep.bundleRun = &r
	}

	if cfg.apiRequests > 0 {
		// The API and the engine it is compared to are measured as in a
		// server's own process: the other sections' inputs (hundreds of MB
		// of generated Bundles) are let go first. Held, they make the
		// collector run so seldom that the in-process engine, which
		// allocates for nothing else, gains half again on the HTTP path.
		api := apiSet(sets)
		for i := range sets {
			if &sets[i] != api {
				sets[i].release()
			}
		}
		debug.FreeOSMemory()
		if rep.api, err = measureAPI(api, cfg.apiRequests, pr); err != nil {
			return err
		}
	}

	rep.sizes, err = readSizes(root, tmp)
	if err != nil {
		return err
	}
	text := rep.markdown()
	fmt.Fprint(cfg.stdout, text)
	if cfg.out != "-" {
		if err := os.WriteFile(cfg.out, []byte(text), 0o644); err != nil {
			return err
		}
		fmt.Fprintf(cfg.stderr, "report written to %s\n", cfg.out)
	}
	if cfg.readme != "" {
		if err := rewriteReadme(cfg.readme, rep.readmeSection()); err != nil {
			return err
		}
		fmt.Fprintf(cfg.stderr, "Performance section of %s rewritten\n", cfg.readme)
	}
	return nil
}

// nativeMemory counts a native row's allocations over one more round, and
// the memory one call needs.
func nativeMemory(rr *rowRun) error {
	scratch := *rr
	scratch.r = &result{}
	var ac allocCounter
	ac.start()
	if err := scratch.round(); err != nil {
		return err
	}
	ac.end(scratch.r)
	rr.r.allocs, rr.r.allocB = scratch.r.allocs, scratch.r.allocB
	peak, err := peakAlloc(rr.set, rr.call)
	rr.r.memory = peak
	return err
}

// measureStreams labels a stream of streamMB and one a tenth of it with the
// CLI, natively and through the module.
func measureStreams(cfg *config, root, tmp string, rep *report, pr *progress) error {
	bin, err := buildCLI(root, tmp)
	if err != nil {
		return err
	}
	full := int64(cfg.streamMB) << 20
	type stream struct {
		path  string
		lines int
	}
	var streams []stream
	for _, size := range []int64{full / 10, full} {
		path := filepath.Join(tmp, fmt.Sprintf("stream-%d.ndjson", size))
		n, err := writeNDJSON(path, size)
		if err != nil {
			return err
		}
		streams = append(streams, stream{path, n})
	}
	engines := []string{"native"}
	if cfg.backends["wasm"] {
		engines = append(engines, "wasm")
	}
	cache := filepath.Join(tmp, "cache")
	for _, eng := range engines {
		for _, s := range streams {
			pr.step("NDJSON stream %s, %s", filepath.Base(s.path), eng)
			r, err := runStream(bin, s.path, eng, s.lines, cache)
			if err != nil {
				return err
			}
			rep.streams = append(rep.streams, r)
		}
	}
	return nil
}

// apiSet is the set the HTTP API is loaded with: the Synthea bundles, else
// the largest generated input up to 1 MB.
func apiSet(sets []inputSet) *inputSet {
	var best *inputSet
	for i := range sets {
		s := &sets[i]
		if s.name == "Synthea" {
			return s
		}
		if s.shape == "" && s.bytes() <= 2<<20 && (best == nil || s.bytes() > best.bytes()) {
			best = s
		}
	}
	if best == nil {
		best = &sets[0]
	}
	return best
}

// runAPIOnly measures the HTTP API alone and prints its section and
// targets.
func runAPIOnly(cfg *config) error {
	var set inputSet
	if cfg.data != "" {
		files, err := synthea(filepath.Join(cfg.data, "synthea"))
		if err != nil {
			return err
		}
		set = inputSet{name: "Synthea", inputs: files}
	}
	if len(set.inputs) == 0 {
		data, n := generate(1 << 20)
		set = inputSet{name: "1 MB", inputs: []input{{name: "1 MB", data: data, resources: n}}}
	}
	pr := &progress{w: cfg.stderr, total: 2, start: time.Now()}
	a, err := measureAPI(&set, cfg.apiRequests, pr)
	if err != nil {
		return err
	}
	rep := &report{api: a}
	fmt.Fprint(cfg.stdout, rep.apiSection()+"\n"+targetTable(rep.apiTargets()))
	return nil
}
