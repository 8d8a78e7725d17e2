package main

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"
	"time"
)

type machine struct {
	cpu, memory, system, commit string
	cores, procs                int
	wazero, fastjson            string
	node, chromium, java        string
	python                      string // "Python x.y.z, wasmtime a.b.c"
}

type artifact struct {
	name              string
	raw, gzip, brotli int64 // brotli -1: not measured
}

type report struct {
	when     time.Time
	plan     plan
	machine  machine
	backends map[string]bool
	sets     []inputSet
	rows     []result
	streams  []streamResult
	beam     []streamResult // the CLI stream and the Beam pipeline on one input
	// bundleRun is the CLI labeling one large Bundle, nil when not run.
	bundleRun *bundleResult
	api       *apiResult // nil when not measured
	sizes     []artifact
	notes     []string
	// playground is the page measured in Chromium, nil when not run.
	playground []playgroundRun
}

func readMachine() machine {
	m := machine{cpu: "unknown CPU", cores: runtime.NumCPU(), procs: runtime.GOMAXPROCS(0),
		system: runtime.GOOS + "/" + runtime.GOARCH, fastjson: moduleVersion("github.com/valyala/fastjson")}
	if f, err := os.Open("/proc/cpuinfo"); err == nil {
		sc := bufio.NewScanner(f)
		for sc.Scan() {
			if k, v, ok := strings.Cut(sc.Text(), ":"); ok && strings.TrimSpace(k) == "model name" {
				m.cpu = strings.TrimSpace(v)
				break
			}
		}
		f.Close()
	}
	if b, err := os.ReadFile("/proc/meminfo"); err == nil {
		for _, line := range strings.Split(string(b), "\n") {
			if f := strings.Fields(line); len(f) >= 2 && f[0] == "MemTotal:" {
				kb, _ := strconv.ParseFloat(f[1], 64)
				m.memory = fmt.Sprintf("%.1f GiB", kb/(1<<20))
			}
		}
	}
	if b, err := os.ReadFile("/proc/sys/kernel/osrelease"); err == nil {
		m.system += ", Linux " + strings.TrimSpace(string(b))
	}
	if out, err := exec.Command("git", "describe", "--always", "--dirty").Output(); err == nil {
		m.commit = strings.TrimSpace(string(out))
	}
	return m
}

// moduleVersion is the version of a dependency this binary was built with.
func moduleVersion(path string) string {
	if bi, ok := debug.ReadBuildInfo(); ok {
		for _, d := range bi.Deps {
			if d.Path == path {
				return d.Version
			}
		}
	}
	return "unknown"
}

// readSizes measures what users download or install: the module, the
// JavaScript package and the CLI.
func readSizes(root, tmp string) ([]artifact, error) {
	bin := filepath.Join(tmp, "seclabel")
	if _, err := os.Stat(bin); err != nil {
		if bin, err = buildCLI(root, tmp); err != nil {
			return nil, err
		}
	}
	var out []artifact
	for _, f := range []struct {
		name, path string
		served     bool // sent to browsers, so its brotli size matters
	}{
		{"seclabel.wasm (the module)", filepath.Join(root, "host", "seclabel.wasm"), true},
		{"seclabel.js (the JavaScript package, WASI shim included)", filepath.Join(root, "web", "dist", "seclabel.js"), true},
		{"worker.js (the Web Worker)", filepath.Join(root, "web", "dist", "worker.js"), true},
		{"seclabel (the CLI, " + runtime.GOOS + "/" + runtime.GOARCH + ", module and playground embedded)", bin, false},
	} {
		b, err := os.ReadFile(f.path)
		if err != nil {
			return nil, err
		}
		a := artifact{name: f.name, raw: int64(len(b)), gzip: gzipSize(b), brotli: -2}
		if f.served {
			a.brotli = brotliSize(b)
		}
		out = append(out, a)
	}
	return out, nil
}

func gzipSize(b []byte) int64 {
	var buf bytes.Buffer
	w, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	w.Write(b)
	w.Close()
	return int64(buf.Len())
}

// brotliSize is the size at quality 11 (what a CDN serves), or -1 without
// the brotli command.
func brotliSize(b []byte) int64 {
	cmd := exec.Command("brotli", "-c", "-q", "11")
	cmd.Stdin = bytes.NewReader(b)
	out, err := cmd.Output()
	if err != nil {
		return -1
	}
	return int64(len(out))
}

// find is the row of op on set through backend, or nil.
func (rep *report) find(set, op, backend string) *result {
	for i := range rep.rows {
		r := &rep.rows[i]
		if r.set == set && r.op == op && r.backend == backend && r.calls > 0 {
			return r
		}
	}
	return nil
}

// baselineIn is the baseline of op on set: as baselineOf, except that on
// the many-entry Bundles redaction, which reads the labeled input (several
// times the size), is compared to the round trip of that input.
func (rep *report) baselineIn(set, op string) (name, short string) {
	if op == "redact" && rep.setOf(set) != nil && rep.setOf(set).shape != "" {
		return labeledBaseline, "round trip of the labeled input"
	}
	return baselineOf(op)
}

// setOf is the input set named set, or nil.
func (rep *report) setOf(set string) *inputSet {
	for i := range rep.sets {
		if rep.sets[i].name == set {
			return &rep.sets[i]
		}
	}
	return nil
}

// baselineOf is the baseline an operation's native throughput is compared
// to: operations that write a resource against a parse and marshal, the
// read-only ones against a parse.
func baselineOf(op string) (name, short string) {
	if op == "label" || op == "redact" {
		return "fastjson parse + marshal", "round trip"
	}
	return "fastjson parse-only", "parse-only"
}

var backendNames = map[string]string{"native": "native", "wasm": "wazero", "Node": "Node", "Chromium": "Chromium", "Python": "Python", "Java": "Java"}

// target is one line of the targets table.
type target struct {
	what, measured string
	ok, known      bool
}

// primary is the set the targets are judged on: the Synthea bundles when
// present, real records; else the largest generated input.
func (rep *report) primary() string {
	if len(rep.sets) == 0 {
		return ""
	}
	if rep.sets[0].name == "Synthea" {
		return "Synthea"
	}
	primary := rep.sets[len(rep.sets)-1].name
	for _, set := range rep.sets {
		if set.shape == "" {
			primary = set.name
		}
	}
	return primary
}

func (rep *report) targets() []target {
	set := rep.primary()
	var ts []target
	ratio := func(a, b *result) (float64, bool) {
		if a == nil || b == nil {
			return 0, false
		}
		return b.roundTime() / a.roundTime(), true
	}
	for _, t := range []struct {
		op  string
		min float64
	}{{"label", 0.75}, {"hwm", 0.8}, {"redact", 0.6}} {
		base, short := baselineOf(t.op)
		x, ok := ratio(rep.find(set, t.op, "native"), rep.find(set, base, "native"))
		ts = append(ts, target{fmt.Sprintf("native `%s` ≥ %.2g × fastjson %s throughput", t.op, t.min, short), fmt.Sprintf("%.2f ×", x), x >= t.min, ok})
	}
	for _, b := range []struct {
		key, name string
		max       float64
	}{{"wasm", "wazero", 6}, {"Node", "Node", 3}, {"Chromium", "Chromium", 3}, {"Python", "Python", pyTarget}, {"Java", "Java", 8}} {
		for _, op := range []string{"label", "hwm", "redact"} {
			x, ok := ratio(rep.find(set, op, "native"), rep.find(set, op, b.key))
			ts = append(ts, target{fmt.Sprintf("%s `%s` ≤ %g × native time", b.name, op, b.max), fmt.Sprintf("%.2f ×", x), x <= b.max, ok})
		}
	}
	// Apps hold text or objects: going through them must cost little beside
	// what JavaScript itself pays to read and write the same JSON.
	for _, be := range []string{"Node", "Chromium"} {
		for _, f := range []struct {
			row  int
			what string
			min  float64
		}{{1, "text in and out", 0.6}, {2, "object in and out", 0.35}} {
			x, ok := ratio(rep.find(set, jsForms[f.row].name, be), rep.find(set, jsTextBaseline, be))
			ts = append(ts, target{fmt.Sprintf("%s `label`, %s, ≥ %.2g × the throughput of JSON.parse + JSON.stringify on the text", be, f.what, f.min), fmt.Sprintf("%.2f ×", x), x >= f.min, ok})
		}
	}
	// A single small resource is most of FHIR traffic: what crossing into
	// the module costs per call must stay small beside the work.
	x, ok := ratio(rep.find("1 KB", "label", "native"), rep.find("1 KB", "label", "wasm"))
	ts = append(ts, target{"wazero `label` ≤ 10 × native time on the 1 KB input", fmt.Sprintf("%.2f ×", x), x <= 10, ok})
	for _, a := range rep.sizes {
		if strings.HasPrefix(a.name, "seclabel.wasm") {
			// 1.1 MB since the default pack grew to its curated lists
			// (about 18 KB of the module's gzip); 1.2 MB since labeling
			// reads words: the matcher with its context rules (about
			// 30 KB) and the packs' lexicons (about 10 KB more).
			ts = append(ts, target{"module ≤ 1.2 MB gzip", kb(a.gzip), a.gzip <= 1_200_000, true})
		}
	}
	if worst, op, ok := rep.scaling("native"); ok {
		ts = append(ts, target{"native cost grows linearly: time per byte at 10 MB against 100 KB, over the same ratio of the operation's fastjson baseline (which shows the machine's cache effects), every operation, ≤ 1.25",
			fmt.Sprintf("%.2f at most (%s)", worst, op), worst <= 1.25, true})
	}
	if _, native := rep.stream("native"); native != nil {
		if _, wasm := rep.stream("wasm"); wasm != nil {
			x := wasm.mbps() / native.mbps()
			ts = append(ts, target{"NDJSON labeling through the module (`--engine wasm`) ≥ 0.5 × the native stream's MB/s",
				fmt.Sprintf("%.2f × (%.1f against %.1f MB/s)", x, wasm.mbps(), native.mbps()), x >= 0.5, true})
		}
	}
	ts = append(ts, rep.manyTargets()...)
	ts = append(ts, rep.playgroundTargets()...)
	if s, full := rep.stream("native"); s != nil {
		ts = append(ts, target{fmt.Sprintf("NDJSON labeling keeps every core busy (≥ %.1f of %d)", 0.8*float64(rep.machine.cores), rep.machine.cores),
			fmt.Sprintf("%.2f cores", full.cores()), full.cores() >= 0.8*float64(rep.machine.cores), true})
		if s.maxRSS > 0 {
			x := float64(full.maxRSS) / float64(s.maxRSS)
			ts = append(ts, target{"NDJSON memory stays flat: peak RSS on the full stream ≤ 1.5 × on a tenth of it",
				fmt.Sprintf("%.2f × (%s against %s)", x, mib(full.maxRSS), mib(s.maxRSS)), x <= 1.5, true})
		}
	}
	ts = append(ts, rep.apiTargets()...)
	return ts
}

// manyMin is the least throughput of label, hwm and redact on the
// many-entry Bundles, as a multiple of the fastjson round trip of the same
// input; manyGrowth the most the cost per byte may grow from the fewest
// entries to the most, over the same growth of the baseline; manyMemory the
// most one label call may allocate, as a multiple of input and output.
const (
	manyMin    = 0.5
	manyGrowth = 1.25
	manyMemory = 3.0
)

// manyOps are the operations the many-entry targets hold for.
var manyOps = []string{"label", "hwm", "redact"}

// manyTargets are the targets on the Bundles of many small entries.
func (rep *report) manyTargets() []target {
	var ts []target
	for _, z := range shapes {
		var sets []*inputSet
		for i := range rep.sets {
			if rep.sets[i].shape == z.flag {
				sets = append(sets, &rep.sets[i])
			}
		}
		if len(sets) == 0 {
			continue
		}
		for _, set := range sets {
			worst, wop, ok := 0.0, "", false
			for _, op := range manyOps {
				base := "fastjson parse + marshal"
				if op == "redact" {
					base = labeledBaseline
				}
				r, b := rep.find(set.name, op, "native"), rep.find(set.name, base, "native")
				if r == nil || b == nil {
					continue
				}
				if x := b.roundTime() / r.roundTime(); !ok || x < worst {
					worst, wop, ok = x, op, true
				}
			}
			ts = append(ts, target{fmt.Sprintf("%s: native `label`, `hwm` and `redact` each ≥ %.2g × the fastjson round trip of the input they read", set.name, manyMin),
				fmt.Sprintf("%.2f × at least (`%s`)", worst, wop), worst >= manyMin, ok})
		}
		big := sets[len(sets)-1]
		worstMem, memOf, memOK := 0.0, "", false
		for _, set := range sets {
			r := rep.find(set.name, "label", "native")
			if r == nil || r.memory == 0 {
				continue
			}
			in, out := set.inputs[0].size(), set.inputs[0].labeledSize()
			if x := float64(r.memory) / float64(in+out); !memOK || x > worstMem {
				worstMem, memOK = x, true
				memOf = fmt.Sprintf("%s entries: %s for %s in, %s out", thousands(int64(set.entries)), mib(int64(r.memory)), mb(int64(in)), mb(int64(out)))
			}
		}
		ts = append(ts, target{fmt.Sprintf("%s: one native `label` call allocates ≤ %g × (input + output) bytes", z.name, manyMemory),
			fmt.Sprintf("%.2f × at most (%s)", worstMem, memOf), worstMem <= manyMemory, memOK})
		if len(sets) >= 2 {
			small := sets[0]
			worst, wop, ok := 0.0, "", false
			for _, op := range manyOps {
				base, _ := rep.baselineIn(big.name, op)
				g, ok1 := rep.growthBetween(small.name, big.name, op)
				bg, ok2 := rep.growthBetween(small.name, big.name, base)
				if !ok1 || !ok2 {
					continue
				}
				if x := g / bg; !ok || x > worst {
					worst, wop, ok = x, op, true
				}
			}
			ts = append(ts, target{fmt.Sprintf("%s: native cost per byte at %s entries against %s, over the same ratio of the fastjson baseline, `label`, `hwm` and `redact` each ≤ %.2f",
				z.name, thousands(int64(big.entries)), thousands(int64(small.entries)), manyGrowth),
				fmt.Sprintf("%.2f at most (`%s`)", worst, wop), worst <= manyGrowth, ok})
		}
	}
	if b := rep.bundleRun; b != nil {
		ts = append(ts, target{fmt.Sprintf("the CLI labeling a Bundle of %s Conditions (%s) peaks under %s resident", thousands(int64(b.entries)), mb(b.bytes), mib(bundleRSSLimit)),
			mib(b.maxRSS) + fmt.Sprintf(" (VmHWM, in %.1f s)", b.wall.Seconds()), b.maxRSS < bundleRSSLimit, b.maxRSS > 0})
	}
	return ts
}

// growthBetween is how much more a byte of name costs on set big than on
// set small, natively.
func (rep *report) growthBetween(small, big, name string) (float64, bool) {
	s, b := rep.find(small, name, "native"), rep.find(big, name, "native")
	if s == nil || b == nil {
		return 0, false
	}
	return s.mbps() / b.mbps(), true
}

// growth is how much more a byte costs at 10 MB than at 100 KB for a row.
func (rep *report) growth(name, backend string) (float64, bool) {
	small, big := rep.find("100 KB", name, backend), rep.find("10 MB", name, backend)
	if small == nil || big == nil {
		return 0, false
	}
	return small.mbps() / big.mbps(), true
}

// scaling is the largest growth of an operation over that of its baseline:
// larger inputs fall out of the caches, which costs a parser alone as much.
func (rep *report) scaling(backend string) (worst float64, op string, ok bool) {
	for _, o := range ops {
		base, _ := baselineOf(o)
		g, ok1 := rep.growth(o, backend)
		bg, ok2 := rep.growth(base, "native")
		if !ok1 || !ok2 {
			continue
		}
		if x := g / bg; x > worst || !ok {
			worst, op, ok = x, o, true
		}
	}
	return worst, op, ok
}

// stream is the native or wasm run on the tenth stream and on the full one.
func (rep *report) stream(engine string) (tenth, full *streamResult) {
	var runs []*streamResult
	for i := range rep.streams {
		if rep.streams[i].engine == engine {
			runs = append(runs, &rep.streams[i])
		}
	}
	if len(runs) != 2 {
		return nil, nil
	}
	return runs[0], runs[1]
}

func (rep *report) markdown() string {
	var b strings.Builder
	m := rep.machine
	fmt.Fprintf(&b, "# seclabel benchmark report\n\n")
	fmt.Fprintf(&b, "Written by `make bench` (`bench/harness`) on %s", rep.when.Format("2006-01-02 15:04 MST"))
	if m.commit != "" {
		fmt.Fprintf(&b, ", seclabel %s", m.commit)
	}
	b.WriteString(".\n\n")
	b.WriteString("| machine and versions | |\n|---|---|\n")
	fmt.Fprintf(&b, "| CPU | %s, %d cores (GOMAXPROCS %d) |\n", m.cpu, m.cores, m.procs)
	if m.memory != "" {
		fmt.Fprintf(&b, "| memory | %s |\n", m.memory)
	}
	fmt.Fprintf(&b, "| system | %s |\n", m.system)
	fmt.Fprintf(&b, "| Go | %s |\n| fastjson | %s |\n", runtime.Version(), m.fastjson)
	if m.wazero != "" {
		fmt.Fprintf(&b, "| wazero | %s |\n", m.wazero)
	}
	if m.node != "" {
		fmt.Fprintf(&b, "| Node | %s |\n", m.node)
	}
	if m.chromium != "" {
		fmt.Fprintf(&b, "| Chromium | %s (headless) |\n", m.chromium)
	}
	if m.python != "" {
		fmt.Fprintf(&b, "| Python | %s |\n", m.python)
	}
	if m.java != "" {
		fmt.Fprintf(&b, "| Java | %s |\n", m.java)
	}
	fmt.Fprintf(&b, "\nEach row ran its inputs in rounds for at least %s and %d round(s), each input in batches of at least %s "+
		"(the clock's resolution in browsers); p50 and p99 are over those batches, per call. Native and wazero calls go through "+
		"the typed Go API (`engine.Backend`); Node and Chromium through the JavaScript package, Python through host/python and Java through host/java's Seclabel class, UTF-8 bytes in and out (and `label` also with JSON text and with objects in and out, beside JSON.parse + JSON.stringify on the text). "+
		"Redaction runs on the inputs labeled first, for a recipient with clearance N who may not see SUD or HIV content. "+
		"Every ratio compares figures of this one run: the median over rounds of the time one call of every input takes, "+
		"so that a slow spell of the shared machine does not move it; MB/s and resources/s are over all rounds.\n\n", rep.plan.budget, rep.plan.minRounds, rep.plan.minBatch)
	for _, n := range rep.notes {
		fmt.Fprintf(&b, "- %s\n", n)
	}
	if len(rep.notes) > 0 {
		b.WriteString("\n")
	}

	fmt.Fprintf(&b, "## Targets\n\nJudged on the %s inputs.\n\n", rep.primary())
	b.WriteString(rep.targetsTable())

	for si := range rep.sets {
		set := &rep.sets[si]
		fmt.Fprintf(&b, "\n## %s\n\n", rep.setTitle(set))
		b.WriteString("| operation | backend | MB/s | resources/s | p50 ms | p99 ms | compared | allocs/call | allocated/call | peak memory |\n")
		b.WriteString("|---|---|---:|---:|---:|---:|---|---:|---:|---:|\n")
		names := []string{}
		for _, bl := range baselines {
			names = append(names, bl.name)
		}
		for _, row := range rep.setRows(set.name, append(append(append(names, jsBaseline), ops...), jsFormNames()...)) {
			b.WriteString(row)
		}
	}
	b.WriteString(rep.scalingSection())
	b.WriteString(rep.manySection())
	b.WriteString(rep.playgroundSection())
	b.WriteString(rep.streamSection())
	b.WriteString(rep.apiSection())
	b.WriteString(rep.beamSection())
	b.WriteString("\n## Sizes\n\n| artifact | raw | gzip -9 | brotli -q 11 |\n|---|---:|---:|---:|\n")
	for _, a := range rep.sizes {
		br := "not measured (apt-get install brotli)"
		switch {
		case a.brotli >= 0:
			br = kb(a.brotli)
		case a.brotli == -2:
			br = ""
		}
		fmt.Fprintf(&b, "| %s | %s | %s | %s |\n", a.name, kb(a.raw), kb(a.gzip), br)
	}
	b.WriteString("\nPeak memory: for native rows, the most one call of the set allocates with the collector off, a bound on what it holds at once; " +
		"for the module, its linear memory, which never shrinks, after the row (a fresh instance per input set; in Node and Chromium a set's rows run together, so each shows the set's). " +
		"Allocations are counted natively only: the module's are inside its own heap.\n")
	return b.String()
}

func (rep *report) setTitle(set *inputSet) string {
	if set.shape != "" {
		return fmt.Sprintf("Bundle of %s (%s)", set.name, mb(set.bytes()))
	}
	if set.name == "Synthea" {
		return fmt.Sprintf("Synthea bundles (%d bundles, %s, %s resources)", len(set.inputs), mb(set.bytes()), thousands(int64(set.resources())))
	}
	return fmt.Sprintf("Generated Bundle of %s (%s, %s resources)", set.name, kb(set.bytes()), thousands(int64(set.resources())))
}

func (rep *report) targetsTable() string {
	ts := rep.targets()
	table := targetTable(ts)
	for _, t := range ts {
		if t.known && !t.ok && strings.HasPrefix(t.what, "Java `") {
			return table + "\n" + javaTried
		}
	}
	return table
}

// javaTried is what the report says when the Java host misses its target:
// what was measured to get there, and where the time goes.
const javaTried = "The Java host misses its target. Tried: Chicory's three modes on one 419 KB bundle (`label` 601 ms per call with the build-time compiler, 486 ms with the runtime compiler, the same bytecode within the noise, 3,068 ms interpreted); HotSpot flags that let it compile the module's huge methods (`-XX:-DontCompileHugeMethods -XX:MaxNodeLimit=1000000 -XX:NodeLimitFudgeFactor=40000`, which took `label` from about 180 ms to 19-60 ms of CPU a call; without them the JSON parser's 27 KB method stays in the bytecode interpreter); higher inlining limits and Java 25 instead of 17 (no gain). A third of the remaining time is in one function, the engine's scanner, as JVM bytecode.\n"

// targetTable is the Markdown table of ts, each met or missed.
func targetTable(ts []target) string {
	var b strings.Builder
	b.WriteString("| target | measured | |\n|---|---|---|\n")
	for _, t := range ts {
		verdict := "met"
		switch {
		case !t.known:
			t.measured, verdict = "not measured", "—"
		case !t.ok:
			verdict = "**missed**"
		}
		fmt.Fprintf(&b, "| %s | %s | %s |\n", t.what, t.measured, verdict)
	}
	return b.String()
}

// setRows are the table rows of a set: each name (baseline or operation)
// on every backend that measured it.
func (rep *report) setRows(set string, names []string) []string {
	var out []string
	for _, name := range names {
		for _, be := range []string{"native", "wasm", "Node", "Chromium", "Python", "Java"} {
			r := rep.find(set, name, be)
			if r == nil {
				continue
			}
			compared := ""
			switch {
			case be == "native" && isOp(name):
				base, short := rep.baselineIn(set, name)
				if br := rep.find(set, base, "native"); br != nil {
					compared = fmt.Sprintf("%.2f × %s", br.roundTime()/r.roundTime(), short)
				}
			case isOp(name):
				if nr := rep.find(set, name, "native"); nr != nil {
					compared = fmt.Sprintf("%.2f × native time", r.roundTime()/nr.roundTime())
				}
			case name == jsForms[1].name || name == jsForms[2].name:
				if br := rep.find(set, jsTextBaseline, be); br != nil {
					compared = fmt.Sprintf("%.2f × text baseline throughput", br.roundTime()/r.roundTime())
				}
			case name == jsBaseline || name == jsTextBaseline || name == "encoding/json round trip":
				if br := rep.find(set, "fastjson parse + marshal", "native"); br != nil {
					compared = fmt.Sprintf("%.2f × fastjson round trip time", r.roundTime()/br.roundTime())
				}
			}
			allocs, allocB, memory := "", "", ""
			if r.allocs >= 0 {
				allocs, allocB = thousands(int64(math.Round(r.allocs))), kb(int64(r.allocB))
			}
			if r.memory > 0 {
				memory = mib(int64(r.memory))
			}
			label := name
			if isOp(name) {
				label = "`" + name + "`"
			}
			out = append(out, fmt.Sprintf("| %s | %s | %.1f | %s | %s | %s | %s | %s | %s | %s |\n", label, backendNames[be], r.mbps(),
				thousands(int64(r.resPerSec())), ms(r.percentile(0.5)), ms(r.percentile(0.99)), compared, allocs, allocB, memory))
		}
	}
	return out
}

func isOp(name string) bool { return slices.Contains(ops, name) }

func (rep *report) scalingSection() string {
	var b strings.Builder
	var cols []string
	for _, z := range sizes {
		for _, s := range rep.sets {
			if s.name == z.name {
				cols = append(cols, z.name)
			}
		}
	}
	if len(cols) < 2 {
		return ""
	}
	b.WriteString("\n## Cost against input size\n\nMilliseconds per MB of input (lower is better); a flat row is linear cost. ")
	b.WriteString("The small inputs pay the fixed cost of a call (and, for the module, of crossing into it); the large ones fall out of the ")
	b.WriteString("CPU caches, which the fastjson rows show costs a plain parser as much.\n\n")
	b.WriteString("| operation | backend | " + strings.Join(cols, " | ") + " |")
	hasRatio := slices.Contains(cols, "100 KB") && slices.Contains(cols, "10 MB")
	if hasRatio {
		b.WriteString(" 10 MB / 100 KB |")
	}
	b.WriteString("\n|---|---|" + strings.Repeat("---:|", len(cols)))
	if hasRatio {
		b.WriteString("---:|")
	}
	b.WriteString("\n")
	rowNames := []string{"fastjson parse-only", "fastjson parse + marshal"}
	for _, op := range append(rowNames, ops...) {
		for _, be := range []string{"native", "wasm", "Node", "Chromium", "Java"} {
			var cells []string
			any := false
			for _, c := range cols {
				if r := rep.find(c, op, be); r != nil {
					cells = append(cells, fmt.Sprintf("%.2f", 1e3/r.mbps()))
					any = true
				} else {
					cells = append(cells, "")
				}
			}
			if !any {
				continue
			}
			name := op
			if isOp(op) {
				name = "`" + op + "`"
			}
			fmt.Fprintf(&b, "| %s | %s | %s |", name, backendNames[be], strings.Join(cells, " | "))
			if hasRatio {
				if g, ok := rep.growth(op, be); ok {
					fmt.Fprintf(&b, " %.2f |", g)
				} else {
					b.WriteString(" |")
				}
			}
			b.WriteString("\n")
		}
	}
	return b.String()
}

// manySection is the cost per byte on the many-entry Bundles, by entry
// count.
func (rep *report) manySection() string {
	var b strings.Builder
	for _, z := range shapes {
		var cols []*inputSet
		for i := range rep.sets {
			if rep.sets[i].shape == z.flag {
				cols = append(cols, &rep.sets[i])
			}
		}
		if len(cols) < 2 {
			continue
		}
		if b.Len() == 0 {
			b.WriteString("\n## Many small entries\n\nMilliseconds per MB of input (of the unlabeled input, for redaction too) on Bundles of many small entries, natively; a flat row is linear cost.\n")
		}
		fmt.Fprintf(&b, "\n%s:\n\n| operation |", z.name)
		for _, c := range cols {
			fmt.Fprintf(&b, " %s entries |", thousands(int64(c.entries)))
		}
		b.WriteString(" most / fewest |\n|---|" + strings.Repeat("---:|", len(cols)+1) + "\n")
		for _, name := range append([]string{"fastjson parse-only", "fastjson parse + marshal", labeledBaseline}, ops...) {
			cells := []string{}
			for _, c := range cols {
				if r := rep.find(c.name, name, "native"); r != nil {
					cells = append(cells, fmt.Sprintf("%.2f", 1e3/r.mbps()))
				} else {
					cells = append(cells, "")
				}
			}
			g := ""
			if x, ok := rep.growthBetween(cols[0].name, cols[len(cols)-1].name, name); ok {
				g = fmt.Sprintf("%.2f", x)
			}
			label := name
			if isOp(name) {
				label = "`" + name + "`"
			}
			fmt.Fprintf(&b, "| %s | %s | %s |\n", label, strings.Join(cells, " | "), g)
		}
	}
	if r := rep.bundleRun; r != nil {
		if b.Len() == 0 {
			b.WriteString("\n## Many small entries\n")
		}
		fmt.Fprintf(&b, "\n`seclabel label --engine native` on one Bundle of %s one-coding Conditions (%s), written to /dev/null: %.1f s, peak resident memory %s (VmHWM of the process, read from /proc as it runs).\n",
			thousands(int64(r.entries)), mb(r.bytes), r.wall.Seconds(), mib(r.maxRSS))
	}
	return b.String()
}

func (rep *report) streamSection() string {
	if len(rep.streams) == 0 {
		return ""
	}
	var b strings.Builder
	b.WriteString("\n## NDJSON stream\n\n`seclabel label --ndjson` on streams of generated resources, one per line, written to /dev/null; ")
	fmt.Fprintf(&b, "wall time, CPU time of all threads and peak resident memory of the process, on %d cores.\n\n", rep.machine.cores)
	b.WriteString("| engine | stream | lines | MB/s | lines/s | cores busy | peak RSS |\n|---|---:|---:|---:|---:|---:|---:|\n")
	for _, s := range rep.streams {
		eng := s.engine
		if eng == "wasm" {
			eng = "wasm (wazero)"
		}
		fmt.Fprintf(&b, "| %s | %s | %s | %.1f | %s | %.2f | %s |\n", eng, mb(s.bytes), thousands(int64(s.lines)), s.mbps(),
			thousands(int64(float64(s.lines)/s.wall.Seconds())), s.cores(), mib(s.maxRSS))
	}
	return b.String()
}

// readmeSection is the README's Performance summary: the targets and the
// primary set's throughput per backend.
func (rep *report) readmeSection() string {
	var b strings.Builder
	m := rep.machine
	fmt.Fprintf(&b, "Measured by `make bench` on %s: %s, %d cores, Go %s", rep.when.Format("2006-01-02"), m.cpu, m.cores, strings.TrimPrefix(runtime.Version(), "go"))
	if m.wazero != "" {
		fmt.Fprintf(&b, ", wazero %s", m.wazero)
	}
	if m.node != "" {
		fmt.Fprintf(&b, ", Node %s", m.node)
	}
	if m.chromium != "" {
		fmt.Fprintf(&b, ", Chromium %s", strings.TrimPrefix(m.chromium, "HeadlessChrome/"))
	}
	if m.python != "" {
		fmt.Fprintf(&b, ", %s", m.python)
	}
	b.WriteString(". The whole report, with every input size, percentiles, allocations, memory and the NDJSON stream, is [bench/report.md](bench/report.md).\n\n")
	b.WriteString(rep.targetsTable())
	set := rep.primary()
	fmt.Fprintf(&b, "\nThroughput on the %s inputs, MB/s (and time as a multiple of native):\n\n", set)
	b.WriteString("| operation | native | wazero | Node | Chromium | Python | Java |\n|---|---:|---:|---:|---:|---:|---:|\n")
	for _, op := range ops {
		nr := rep.find(set, op, "native")
		cells := []string{"`" + op + "`"}
		for _, be := range []string{"native", "wasm", "Node", "Chromium", "Python", "Java"} {
			r := rep.find(set, op, be)
			switch {
			case r == nil:
				cells = append(cells, "")
			case be == "native":
				cells = append(cells, fmt.Sprintf("%.0f", r.mbps()))
			default:
				cells = append(cells, fmt.Sprintf("%.0f (%.1f ×)", r.mbps(), r.roundTime()/nr.roundTime()))
			}
		}
		b.WriteString("| " + strings.Join(cells, " | ") + " |\n")
	}
	for _, name := range []string{"fastjson parse-only", "fastjson parse + marshal", "encoding/json round trip", jsBaseline} {
		be := "native"
		if name == jsBaseline {
			be = "Node"
		}
		if r := rep.find(set, name, be); r != nil {
			fmt.Fprintf(&b, "| %s (baseline, %s) | %.0f | | | | |\n", name, backendNames[be], r.mbps())
		}
	}
	return b.String()
}

const (
	readmeBegin = "<!-- bench:begin (written by make bench from bench/report.md; edit bench/harness instead) -->"
	readmeEnd   = "<!-- bench:end -->"
)

// rewriteReadme replaces what lies between the bench markers of the README.
func rewriteReadme(path, section string) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	s := string(b)
	i, j := strings.Index(s, readmeBegin), strings.Index(s, readmeEnd)
	if i < 0 || j < i {
		return fmt.Errorf("%s has no %q ... %q markers", path, readmeBegin, readmeEnd)
	}
	s = s[:i+len(readmeBegin)] + "\n" + section + s[j:]
	return os.WriteFile(path, []byte(s), 0o644)
}

func ms(x float64) string {
	switch {
	case math.IsNaN(x):
		return ""
	case x < 0.1:
		return fmt.Sprintf("%.4f", x)
	case x < 10:
		return fmt.Sprintf("%.3f", x)
	}
	return fmt.Sprintf("%.1f", x)
}

func kb(n int64) string {
	if n < 10<<10 {
		return thousands(n) + " B"
	}
	return thousands((n+500)/1000) + " KB"
}

func mb(n int64) string { return fmt.Sprintf("%.1f MB", float64(n)/1e6) }

func mib(n int64) string { return fmt.Sprintf("%.0f MiB", float64(n)/(1<<20)) }

// thousands writes n with comma separators.
func thousands(n int64) string {
	s := strconv.FormatInt(n, 10)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var out []byte
	for i := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			out = append(out, ',')
		}
		out = append(out, s[i])
	}
	if neg {
		return "-" + string(out)
	}
	return string(out)
}
