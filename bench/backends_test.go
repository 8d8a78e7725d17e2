package bench

import (
	"context"
	"runtime"
	"strconv"
	"sync"
	"testing"

	"github.com/seclabel/seclabel/engine"
	"github.com/seclabel/seclabel/host"
	"github.com/seclabel/seclabel/internal/testenv"
)

// opRequest wraps a resource in the protocol request each benchmark sends.
var opRequests = []struct{ name, prefix string }{
	{"label", `{"op":"label","resource":`},
	{"hwm", `{"op":"hwm","resource":`},
	{"redact", `{"op":"redact","context":{"clearance":"N","deny":["SUD","HIV"]},"resource":`},
	{"validate", `{"op":"validate","resource":`},
}

// BenchmarkBackend runs each operation over every Synthea bundle per
// iteration, natively and through the module in wazero, with protocol
// requests in and responses out on both sides. Target: wasm at most 6 x
// native for label, hwm and redact.
func BenchmarkBackend(b *testing.B) {
	files := testenv.Synthea(b)
	ctx := context.Background()
	native, _ := engine.New(engine.Options{})
	h, err := host.New(ctx)
	if err != nil {
		b.Fatal(err)
	}
	defer h.Close(ctx)
	// Redaction runs on labeled bundles, as in BenchmarkRedact.
	labeled := make([][]byte, len(files))
	for i, f := range files {
		res, err := native.Label(ctx, f.Data)
		if err != nil {
			b.Fatal(err)
		}
		labeled[i] = res.Resource
	}
	for _, op := range opRequests {
		inputs := make([][]byte, len(files))
		for i, f := range files {
			inputs[i] = f.Data
			if op.name == "redact" {
				inputs[i] = labeled[i]
			}
		}
		reqs := wrap(op.prefix, inputs)
		for _, be := range []struct {
			name string
			do   func(context.Context, []byte) []byte
		}{{"native", native.Do}, {"wasm", h.Do}} {
			b.Run(op.name+"/"+be.name, func(b *testing.B) {
				b.SetBytes(totalBytes(files))
				b.ReportAllocs()
				for b.Loop() {
					for _, r := range reqs {
						be.do(ctx, r)
					}
				}
			})
		}
	}
}

// BenchmarkHostPool labels the Synthea bundles from GOMAXPROCS goroutines
// on one Host, against one goroutine (pool/1): target at least 1.7 x the
// single-instance throughput on 2 cores.
func BenchmarkHostPool(b *testing.B) {
	files := testenv.Synthea(b)
	ctx := context.Background()
	h, err := host.New(ctx)
	if err != nil {
		b.Fatal(err)
	}
	defer h.Close(ctx)
	reqs := labelRequests(files)
	for _, workers := range []int{1, runtime.GOMAXPROCS(0)} {
		b.Run("workers="+strconv.Itoa(workers), func(b *testing.B) {
			b.SetBytes(totalBytes(files))
			for b.Loop() {
				var wg sync.WaitGroup
				next := make(chan []byte)
				for range workers {
					wg.Add(1)
					go func() {
						defer wg.Done()
						for r := range next {
							h.Do(ctx, r)
						}
					}()
				}
				for _, r := range reqs {
					next <- r
				}
				close(next)
				wg.Wait()
			}
		})
	}
}

// BenchmarkColdStart is what a CLI pays before its first answer: a new Host
// (runtime, module from a warm file compilation cache, one instance) and
// one small call. Target: under 60 ms.
func BenchmarkColdStart(b *testing.B) {
	ctx := context.Background()
	dir := b.TempDir()
	warm, err := host.New(ctx, host.Config{CompilationCacheDir: dir, Instances: 1})
	if err != nil {
		b.Fatal(err)
	}
	warm.Close(ctx)
	req := []byte(`{"op":"hwm","resource":{"resourceType":"Patient","id":"p"}}`)
	for b.Loop() {
		h, err := host.New(ctx, host.Config{CompilationCacheDir: dir, Instances: 1})
		if err != nil {
			b.Fatal(err)
		}
		h.Do(ctx, req)
		h.Close(ctx)
	}
}

// BenchmarkInterruptible labels the Synthea bundles on a Host whose calls
// stop when their context is done, against one whose calls run to the end:
// the price of host.Config.Interruptible.
func BenchmarkInterruptible(b *testing.B) {
	files := testenv.Synthea(b)
	ctx := context.Background()
	reqs := labelRequests(files)
	for _, interruptible := range []bool{false, true} {
		h, err := host.New(ctx, host.Config{Interruptible: interruptible, Instances: 1})
		if err != nil {
			b.Fatal(err)
		}
		b.Run("interruptible="+strconv.FormatBool(interruptible), func(b *testing.B) {
			b.SetBytes(totalBytes(files))
			for b.Loop() {
				for _, r := range reqs {
					h.Do(ctx, r)
				}
			}
		})
		h.Close(ctx)
	}
}

// wrap puts each resource into a request that starts with prefix.
func wrap(prefix string, resources [][]byte) [][]byte {
	reqs := make([][]byte, len(resources))
	for i, r := range resources {
		reqs[i] = append(append([]byte(prefix), r...), '}')
	}
	return reqs
}

// labelRequests are label requests for the files, with default options.
func labelRequests(files []testenv.File) [][]byte {
	data := make([][]byte, len(files))
	for i, f := range files {
		data[i] = f.Data
	}
	return wrap(`{"op":"label","resource":`, data)
}
