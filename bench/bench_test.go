// Package bench measures seclabel against baselines in the same run: the
// ratios, not the absolute times, are the targets (see README).
package bench

import (
	"context"
	"testing"

	"github.com/seclabel/seclabel/engine"
	"github.com/seclabel/seclabel/internal/testenv"
	"github.com/valyala/fastjson"
)

// BenchmarkHWM runs the high-water mark over every Synthea bundle per
// iteration; BenchmarkFastjsonParse is its baseline (target: HWM MB/s at
// least 0.8 x parse-only MB/s).
func BenchmarkHWM(b *testing.B) {
	benchEngine(b, (*engine.Engine).HWM)
}

// BenchmarkValidate runs validation over every Synthea bundle per iteration.
func BenchmarkValidate(b *testing.B) {
	benchEngine(b, (*engine.Engine).Validate)
}

func benchEngine(b *testing.B, op func(*engine.Engine, context.Context, []byte) (*engine.Result, error)) {
	files := testenv.Synthea(b)
	e, err := engine.New(engine.Options{})
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	b.SetBytes(totalBytes(files))
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		for _, f := range files {
			if _, err := op(e, ctx, f.Data); err != nil {
				b.Fatal(err)
			}
		}
	}
}

// BenchmarkFastjsonParse is the parse-only baseline, with a reused Parser.
func BenchmarkFastjsonParse(b *testing.B) {
	files := testenv.Synthea(b)
	var p fastjson.Parser
	b.SetBytes(totalBytes(files))
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		for _, f := range files {
			if _, err := p.ParseBytes(f.Data); err != nil {
				b.Fatal(err)
			}
		}
	}
}

// BenchmarkFastjsonRoundTrip is parse + marshal, the baseline for
// operations that write their result.
func BenchmarkFastjsonRoundTrip(b *testing.B) {
	files := testenv.Synthea(b)
	var p fastjson.Parser
	var out []byte
	b.SetBytes(totalBytes(files))
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		for _, f := range files {
			v, err := p.ParseBytes(f.Data)
			if err != nil {
				b.Fatal(err)
			}
			out = v.MarshalTo(out[:0])
		}
	}
}

func totalBytes(files []testenv.File) int64 {
	var n int64
	for _, f := range files {
		n += int64(len(f.Data))
	}
	return n
}
