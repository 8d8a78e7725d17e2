package main

import (
	"context"
	"encoding/json"
	"math"
	"runtime"
	"runtime/debug"
	"sort"
	"time"

	"github.com/seclabel/seclabel/engine"
	"github.com/valyala/fastjson"
)

// ops are the operations measured on every backend, in report order.
var ops = []string{"label", "hwm", "redact", "validate"}

// redactContext is the recipient of every redaction: clearance N, no HIV
// or substance-use content. bench/js/bench.mjs uses the same one.
var redactContext = engine.AccessContext{Clearance: "N", Deny: []string{"SUD", "HIV"}}

// result is one row: an operation (or baseline) on one input set through one
// backend.
type result struct {
	set, op, backend string
	calls            int
	warm             int       // untimed warm-up calls
	bytes            int64     // input bytes processed, over all calls
	resources        int64     // resources processed, over all calls
	elapsed          float64   // ms, the sum of the timed calls
	samples          []float64 // ms per call, one per timed batch
	perRound         int       // samples a round adds: one per input
	allocs, allocB   float64   // per call; -1 when not measured
	memory           uint64    // peak memory in bytes (see report.go); 0 when not measured
}

func (r *result) mbps() float64 { return float64(r.bytes) / 1e6 / (r.elapsed / 1e3) }
func (r *result) resPerSec() float64 {
	return float64(r.resources) / (r.elapsed / 1e3)
}

// roundTime is the median over rounds of the time one call of every input
// takes (the sum of the round's per-call times): the figure ratios compare.
// A median, unlike the total, is not moved by a slow spell of the shared
// machine that hits one row's rounds more than another's.
func (r *result) roundTime() float64 {
	if r.perRound == 0 || len(r.samples) < r.perRound {
		return math.NaN()
	}
	var rounds []float64
	for k := 0; k+r.perRound <= len(r.samples); k += r.perRound {
		t := 0.0
		for _, ms := range r.samples[k : k+r.perRound] {
			t += ms
		}
		rounds = append(rounds, t)
	}
	return median(rounds)
}

// median of xs (sorted in place): the mean of the middle two when their
// count is even.
func median(xs []float64) float64 {
	sort.Float64s(xs)
	if n := len(xs); n%2 == 0 {
		return (xs[n/2-1] + xs[n/2]) / 2
	}
	return xs[len(xs)/2]
}

func (r *result) percentile(p float64) float64 {
	if len(r.samples) == 0 {
		return math.NaN()
	}
	s := append([]float64(nil), r.samples...)
	sort.Float64s(s)
	i := int(math.Ceil(p*float64(len(s)))) - 1
	return s[max(0, min(i, len(s)-1))]
}

// plan says how long to measure: each input is called in batches long enough
// for the clock (minBatch), and rounds over all inputs go on until the
// budget is spent and at least minRounds are done. bench/js/bench.mjs
// follows the same plan.
type plan struct {
	budget    time.Duration
	minRounds int
	maxRounds int
	minBatch  time.Duration
}

// rowRun is a row being measured: its call and the batch size of each input.
type rowRun struct {
	r     *result
	set   *inputSet
	call  func(int) error
	batch []int
}

// warm calls every input until a batch's time has passed, which sizes its
// batches. The first call of each input is left out of the sizing: it may
// pay once for what later calls reuse (the default rule pack compiles on
// the first label call), and a batch sized on it would hold one call, timed
// alone and with cold caches, whatever the plan says.
func (p plan) warm(r *result, set *inputSet, call func(i int) error) (*rowRun, error) {
	rr := &rowRun{r: r, set: set, call: call, batch: make([]int, len(set.inputs))}
	r.perRound = len(set.inputs)
	for i := range set.inputs {
		if err := call(i); err != nil {
			return nil, err
		}
		r.warm++
		t0 := time.Now()
		k := 0
		for k == 0 || time.Since(t0) < p.minBatch && k < 10000 {
			if err := call(i); err != nil {
				return nil, err
			}
			k++
		}
		r.warm += k
		rr.batch[i] = k
	}
	return rr, nil
}

// round times one batch of every input.
func (rr *rowRun) round() error {
	r := rr.r
	for i, in := range rr.set.inputs {
		t0 := time.Now()
		for k := 0; k < rr.batch[i]; k++ {
			if err := rr.call(i); err != nil {
				return err
			}
		}
		ms := float64(time.Since(t0).Nanoseconds()) / 1e6
		r.samples = append(r.samples, ms/float64(rr.batch[i]))
		r.elapsed += ms
		r.calls += rr.batch[i]
		r.bytes += int64(rr.batch[i] * len(in.data))
		r.resources += int64(rr.batch[i] * in.resources)
	}
	return nil
}

// together runs the rows' rounds in turn until each has had its budget on
// average and minRounds: a slow or fast spell of a shared machine then
// falls on all of them alike, and the ratios between them hold.
func (p plan) together(rows []*rowRun) error {
	start := time.Now()
	budget := p.budget * time.Duration(len(rows))
	for round := 0; round < p.maxRounds && (round < p.minRounds || time.Since(start) < budget); round++ {
		for _, rr := range rows {
			if err := rr.round(); err != nil {
				return err
			}
		}
	}
	return nil
}

// peakAlloc bounds what one call needs at its peak: with the collector
// off, the heap grows by everything the call allocates. It is the largest
// such growth over the inputs.
func peakAlloc(set *inputSet, call func(int) error) (uint64, error) {
	var peak uint64
	old := debug.SetGCPercent(-1)
	defer debug.SetGCPercent(old)
	for i := range set.inputs {
		var m0, m1 runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&m0)
		if err := call(i); err != nil {
			return 0, err
		}
		runtime.ReadMemStats(&m1)
		peak = max(peak, m1.HeapAlloc-min(m1.HeapAlloc, m0.HeapAlloc))
	}
	runtime.GC()
	return peak, nil
}

// allocCounter counts the allocations of a row.
type allocCounter struct{ m0 runtime.MemStats }

func (a *allocCounter) start() { runtime.ReadMemStats(&a.m0) }
func (a *allocCounter) end(r *result) {
	var m1 runtime.MemStats
	runtime.ReadMemStats(&m1)
	calls := float64(r.calls + r.warm)
	r.allocs = float64(m1.Mallocs-a.m0.Mallocs) / calls
	r.allocB = float64(m1.TotalAlloc-a.m0.TotalAlloc) / calls
}

// opCall is one backend's call of op on input i of set.
func opCall(b engine.Backend, op string, set *inputSet) func(int) error {
	ctx := context.Background()
	return func(i int) error {
		in := &set.inputs[i]
		var err error
		switch op {
		case "label":
			_, err = b.Label(ctx, in.data)
		case "hwm":
			_, err = b.HWM(ctx, in.data)
		case "redact":
			_, err = b.Redact(ctx, in.labeled, redactContext)
		case "validate":
			_, err = b.Validate(ctx, in.data)
		}
		return err
	}
}

// labeledBaseline is the fastjson round trip of the labeled input.
const labeledBaseline = "fastjson parse + marshal, labeled input"

// baselines are what a program that only reads, or reads and writes, the
// same JSON pays: the targets are ratios to them.
var baselines = []struct {
	name string
	call func(set *inputSet) func(int) error
}{
	{"fastjson parse-only", func(set *inputSet) func(int) error {
		var p fastjson.Parser
		return func(i int) error { _, err := p.ParseBytes(set.inputs[i].data); return err }
	}},
	{"fastjson parse + marshal", func(set *inputSet) func(int) error {
		var p fastjson.Parser
		var out []byte
		return func(i int) error {
			v, err := p.ParseBytes(set.inputs[i].data)
			if err == nil {
				out = v.MarshalTo(out[:0])
			}
			return err
		}
	}},
	{labeledBaseline, func(set *inputSet) func(int) error {
		// Only for the many-entry Bundles, whose labeled forms (what
		// redaction reads) are several times their size.
		var p fastjson.Parser
		var out []byte
		return func(i int) error {
			v, err := p.ParseBytes(set.inputs[i].labeled)
			if err == nil {
				out = v.MarshalTo(out[:0])
			}
			return err
		}
	}},
	{"encoding/json round trip", func(set *inputSet) func(int) error {
		return func(i int) error {
			var v any
			if err := json.Unmarshal(set.inputs[i].data, &v); err != nil {
				return err
			}
			_, err := json.Marshal(v)
			return err
		}
	}},
}
