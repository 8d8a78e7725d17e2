package engine_test

import (
	"bytes"
	"context"
	"sync"
	"testing"

	"github.com/seclabel/seclabel/engine"
)

// TestConcurrentUse shares one Engine and one compiled rule index between
// goroutines running every operation; results must equal the sequential
// ones (and the race detector, on in make test, must stay quiet).
func TestConcurrentUse(t *testing.T) {
	inputs := goldenResources(t)
	e, err := engine.New(engine.Options{Rules: engine.DefaultRules(), TextMatch: engine.TextAll})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	ops := []func(context.Context, []byte) (*engine.Result, error){e.Label, e.HWM, e.Validate}
	names := []string{"label", "hwm", "validate"}
	want := make([][][]byte, len(ops))
	for o, op := range ops {
		for _, in := range inputs {
			res, err := op(ctx, in)
			var out []byte
			if err == nil {
				out = engine.MarshalResponse(names[o], res)
			}
			want[o] = append(want[o], out)
		}
	}
	var wg sync.WaitGroup
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			for round := 0; round < 3; round++ {
				for i := range inputs {
					o := (i + g + round) % len(ops)
					res, err := ops[o](ctx, inputs[i])
					var out []byte
					if err == nil {
						out = engine.MarshalResponse(names[o], res)
					}
					if !bytes.Equal(out, want[o][i]) {
						t.Errorf("goroutine %d: input %d op %d differs from the sequential result", g, i, o)
						return
					}
				}
			}
		}(g)
	}
	wg.Wait()
}
