package engine

import (
	"context"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/seclabel/seclabel/internal/testenv"
)

var manyDeny = AccessContext{Clearance: "N", Deny: []string{"SUD", "HIV"}}

// allocated is the bytes one call of f allocates, on a fresh engine: an
// engine keeps the scratch space of past calls up to a size (bufferKept),
// so on a warm one a small Bundle's call would reuse its node list and
// buffers while a large one's allocates them, which says nothing about how
// the cost grows. It is the least of three calls.
func allocated(t *testing.T, f func(e *Engine) error) uint64 {
	least := uint64(0)
	for i := 0; i < 3; i++ {
		e, err := New(Options{})
		if err != nil {
			t.Fatal(err)
		}
		var m0, m1 runtime.MemStats
		runtime.ReadMemStats(&m0)
		if err := f(e); err != nil {
			t.Fatal(err)
		}
		runtime.ReadMemStats(&m1)
		if n := m1.TotalAlloc - m0.TotalAlloc; i == 0 || n < least {
			least = n
		}
	}
	return least
}

// Labeling, the high-water mark and redaction of a Bundle allocate in
// proportion to its entries: ten times the entries, at most 12.5 times the
// bytes (a cost per entry that grew with the Bundle, such as a list grown
// from zero and copied per entry, would show far more).
func TestManyEntriesAllocateLinearly(t *testing.T) {
	if testing.Short() {
		t.Skip("labels Bundles of 20,000 entries")
	}
	e, err := New(Options{})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	for _, shape := range []struct {
		name string
		gen  func(n int) []byte
	}{{"conditions", testenv.ManyConditions}, {"observations", func(n int) []byte { return testenv.ManyObservations(n, 8) }}, {"plain", func(n int) []byte { return testenv.ManyObservations(n, 0) }}} {
		var per [2][3]uint64
		for k, n := range []int{2000, 20000} {
			in := shape.gen(n)
			r, err := e.Label(ctx, in)
			if err != nil {
				t.Fatal(err)
			}
			labeled := r.Resource
			per[k][0] = allocated(t, func(e *Engine) error { _, err := e.Label(ctx, in); return err })
			per[k][1] = allocated(t, func(e *Engine) error { _, err := e.HWM(ctx, in); return err })
			per[k][2] = allocated(t, func(e *Engine) error { _, err := e.Redact(ctx, labeled, manyDeny); return err })
		}
		for i, op := range []string{"label", "hwm", "redact"} {
			if x := float64(per[1][i]) / float64(per[0][i]); x > 12.5 {
				t.Errorf("%s %s: 10 x the entries allocate %.1f x the bytes (%d against %d)", shape.name, op, x, per[1][i], per[0][i])
			}
		}
	}
}

func benchMany(b *testing.B, in []byte, call func(e *Engine, in []byte) error) {
	e, err := New(Options{MaxInputBytes: 512 << 20})
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(in)))
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if err := call(e, in); err != nil {
			b.Fatal(err)
		}
	}
}

func doLabel(e *Engine, in []byte) error { _, err := e.Label(context.Background(), in); return err }
func doHWM(e *Engine, in []byte) error   { _, err := e.HWM(context.Background(), in); return err }
func doRedact(e *Engine, in []byte) error {
	_, err := e.Redact(context.Background(), in, manyDeny)
	return err
}

func labeledMany(b *testing.B, in []byte) []byte {
	e, _ := New(Options{MaxInputBytes: 512 << 20})
	r, err := e.Label(context.Background(), in)
	if err != nil {
		b.Fatal(err)
	}
	return r.Resource
}

// The benchmarks behind the many-entry rows of make bench, for profiling
// (go test ./engine -run '^$' -bench Many -cpuprofile ...).
func BenchmarkManyLabel1k(b *testing.B)   { benchMany(b, testenv.ManyConditions(1000), doLabel) }
func BenchmarkManyLabel100k(b *testing.B) { benchMany(b, testenv.ManyConditions(100000), doLabel) }
func BenchmarkManyHWM100k(b *testing.B)   { benchMany(b, testenv.ManyConditions(100000), doHWM) }
func BenchmarkManyRedact1k(b *testing.B) {
	benchMany(b, labeledMany(b, testenv.ManyConditions(1000)), doRedact)
}
func BenchmarkManyRedact100k(b *testing.B) {
	benchMany(b, labeledMany(b, testenv.ManyConditions(100000)), doRedact)
}
func BenchmarkManyPlain100k(b *testing.B) { benchMany(b, testenv.ManyObservations(100000, 0), doLabel) }

// A primitive array and its _x array are walked side by side: twice the
// items take about twice the time (looking each item up by index took
// four times as long, 6 s for 50,000 given names).
func TestLongPrimitiveArraysRedactInLinearTime(t *testing.T) {
	if testing.Short() {
		t.Skip("redacts resources of 100,000 given names")
	}
	e, err := New(Options{MaxInputBytes: 64 << 20})
	if err != nil {
		t.Fatal(err)
	}
	patient := func(n int) []byte {
		var b strings.Builder
		b.WriteString(`{"resourceType":"Patient","id":"p","meta":{"security":[{"system":"http://terminology.hl7.org/CodeSystem/v3-Confidentiality","code":"R"},{"system":"http://terminology.hl7.org/CodeSystem/v3-ActCode","code":"PROCESSINLINELABEL"}]},"name":[{"given":[`)
		for i := 0; i < n; i++ {
			if i > 0 {
				b.WriteByte(',')
			}
			b.WriteString(`"a"`)
		}
		b.WriteString(`],"_given":[`)
		for i := 0; i < n-1; i++ {
			b.WriteString(`null,`)
		}
		b.WriteString(`{"extension":[{"url":"` + extInline + `","valueCoding":{"system":"http://terminology.hl7.org/CodeSystem/v3-ActCode","code":"HIV"}}]}]}]}`)
		return []byte(b.String())
	}
	ctx := context.Background()
	var took [2]time.Duration
	for k, n := range []int{50000, 100000} {
		in := patient(n)
		for round := 0; round < 3; round++ {
			t0 := time.Now()
			r, err := e.Redact(ctx, in, AccessContext{Clearance: "R", Deny: []string{"HIV"}})
			if err != nil {
				t.Fatal(err)
			}
			if d := time.Since(t0); round == 0 || d < took[k] {
				took[k] = d
			}
			if len(r.Report.Removed) != 1 {
				t.Fatalf("%d names: removed %v, want the last given name", n, r.Report.Removed)
			}
		}
	}
	if x := float64(took[1]) / float64(took[0]); x > 3 {
		t.Errorf("twice the given names took %.1f x the time (%v against %v)", x, took[1], took[0])
	}
}
