// Package bench measures seclabel against baselines in the same run: the
// ratios, not the absolute times, are the targets (see README).
package bench

import (
	"context"
	"fmt"
	"strconv"
	"strings"
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

// BenchmarkLabel labels every Synthea bundle with the default pack; its
// baseline is BenchmarkFastjsonRoundTrip (target: at least 0.75 x).
func BenchmarkLabel(b *testing.B) {
	benchEngine(b, (*engine.Engine).Label)
}

// BenchmarkLabelPack100 and BenchmarkLabelPack5000 label the Synthea
// bundles with packs of 100 and 5,000 codes (a few of which occur in the
// data): the larger pack may cost at most 10 % more.
func BenchmarkLabelPack100(b *testing.B)  { benchPack(b, 100) }
func BenchmarkLabelPack5000(b *testing.B) { benchPack(b, 5000) }

func benchPack(b *testing.B, n int) {
	r, err := engine.CompileRules(syntheticPack(n))
	if err != nil {
		b.Fatal(err)
	}
	benchEngineWith(b, engine.Options{Rules: r}, (*engine.Engine).Label)
}

// syntheticPack builds a pack of n SNOMED codes in 10 rules; four of them
// are signals present in the Synthea data.
func syntheticPack(n int) []byte {
	codes := []string{"5602001", "7200002", "47505003", "370143000"}
	for i := 0; len(codes) < n; i++ {
		codes = append(codes, strconv.Itoa(900000000+i*7))
	}
	labels := []string{"HIV", "SUD", "MH", "SEX", "STD", "SDV", "GDIS", "ETHUD", "OPIOIDUD", "PSY"}
	var sb strings.Builder
	sb.WriteString(`{"name":"synthetic","rules":[`)
	per := (n + 9) / 10
	for r := 0; r < 10; r++ {
		if r > 0 {
			sb.WriteByte(',')
		}
		fmt.Fprintf(&sb, `{"id":"r%d","labels":["%s"],"codes":{"http://snomed.info/sct":[`, r, labels[r])
		for i := r * per; i < min((r+1)*per, len(codes)); i++ {
			if i > r*per {
				sb.WriteByte(',')
			}
			fmt.Fprintf(&sb, "%q", codes[i])
		}
		sb.WriteString("]}}")
	}
	sb.WriteString("]}")
	return []byte(sb.String())
}

// BenchmarkRedact redacts every Synthea bundle, labeled first with the
// default pack, for a recipient with clearance N who is denied SUD and HIV;
// its baseline is BenchmarkFastjsonRoundTrip (target: at least 0.6 x).
func BenchmarkRedact(b *testing.B) {
	files := testenv.Synthea(b)
	labeler, err := engine.New(engine.Options{TextMatch: engine.TextAll})
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	var labeled [][]byte
	var total int64
	for _, f := range files {
		res, err := labeler.Label(ctx, f.Data)
		if err != nil {
			b.Fatal(err)
		}
		labeled = append(labeled, res.Resource)
		total += int64(len(f.Data)) // throughput counted on the original bytes, as for the baseline
	}
	e, _ := engine.New(engine.Options{})
	access := engine.AccessContext{Clearance: "N", Deny: []string{"SUD", "HIV"}}
	b.SetBytes(total)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		for _, in := range labeled {
			if _, err := e.Redact(ctx, in, access); err != nil {
				b.Fatal(err)
			}
		}
	}
}

// BenchmarkCompileDefaultPack compiles the embedded pack (target: under 20 ms).
func BenchmarkCompileDefaultPack(b *testing.B) {
	pack := engine.DefaultPack()
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		if _, err := engine.CompileRules(pack); err != nil {
			b.Fatal(err)
		}
	}
}

func benchEngine(b *testing.B, op func(*engine.Engine, context.Context, []byte) (*engine.Result, error)) {
	benchEngineWith(b, engine.Options{}, op)
}

// benchEngineWith runs op over every Synthea bundle per iteration.
func benchEngineWith(b *testing.B, opts engine.Options, op func(*engine.Engine, context.Context, []byte) (*engine.Result, error)) {
	files := testenv.Synthea(b)
	e, err := engine.New(opts)
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
