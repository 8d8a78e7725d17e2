package host

import (
	"bytes"
	"context"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/seclabel/seclabel/internal/jsonx"
)

// errorCode returns error.code of a protocol response, or "".
func errorCode(resp []byte) string {
	var d jsonx.Doc
	if d.Parse(resp, 100) != nil {
		return "internal"
	}
	return d.Str(d.Get(d.Get(0, "error"), "code"))
}

// bigBundle is a searchset of n Conditions, large enough that labeling it
// takes a while in the module.
func bigBundle(n int) []byte {
	var b bytes.Buffer
	b.WriteString(`{"op":"label","resource":{"resourceType":"Bundle","type":"searchset","entry":[`)
	for i := 0; i < n; i++ {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(`{"resource":{"resourceType":"Condition","id":"c","code":{"coding":[{"system":"http://snomed.info/sct","code":"5602001","display":"Opioid abuse"}]},"subject":{"reference":"Patient/p"}}}`)
	}
	b.WriteString(`]}}`)
	return b.Bytes()
}

func TestInterruptibleCancel(t *testing.T) {
	ctx := context.Background()
	h, err := New(ctx, Config{Interruptible: true})
	if err != nil {
		t.Fatal(err)
	}
	defer h.Close(ctx)
	req := bigBundle(60000)
	cctx, cancel := context.WithTimeout(ctx, 20*time.Millisecond)
	defer cancel()
	resp := h.Do(cctx, req)
	if code := errorCode(resp); code != "cancelled" {
		t.Fatalf("a cancelled call answered %.200s", resp)
	}
	// The interrupted instance is replaced; the host goes on working.
	if code := errorCode(h.Do(ctx, bigBundle(10))); code != "" {
		t.Fatalf("after cancellation: error %s", code)
	}
}

func TestCancelledBeforeCall(t *testing.T) {
	ctx := context.Background()
	h, err := New(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer h.Close(ctx)
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	if code := errorCode(h.Do(cctx, bigBundle(1))); code != "cancelled" {
		t.Fatalf("code %q, want cancelled", code)
	}
	// Typed methods report the same code.
	if _, err := h.HWM(cctx, []byte(`{"resourceType":"Patient"}`)); err == nil || !strings.Contains(err.Error(), "cancelled") {
		t.Fatalf("HWM with a done context: %v", err)
	}
}

func TestRecycleAfterThreshold(t *testing.T) {
	ctx := context.Background()
	h, err := New(ctx, Config{Instances: 1, RecycleBytes: 32 << 20})
	if err != nil {
		t.Fatal(err)
	}
	defer h.Close(ctx)
	if errorCode(h.Do(ctx, bigBundle(5))) != "" {
		t.Fatal("small call failed")
	}
	if in := <-h.pool; in == nil {
		t.Fatal("an instance under the threshold was recycled")
	} else {
		h.pool <- in
	}
	if errorCode(h.Do(ctx, bigBundle(8000))) != "" {
		t.Fatal("large call failed")
	}
	in := <-h.pool
	h.pool <- in
	if in != nil {
		t.Fatalf("an instance of %d MiB was kept", in.mod.Memory().Size()>>20)
	}
	if errorCode(h.Do(ctx, bigBundle(5))) != "" {
		t.Fatal("the replacement instance failed")
	}
}

func TestConfigValidated(t *testing.T) {
	ctx := context.Background()
	for _, c := range []Config{
		{MemoryLimitBytes: 1000},
		{MemoryLimitBytes: 5 << 30},
		{RecycleBytes: -1},
		{MemoryLimitBytes: 64 << 20, RecycleBytes: 128 << 20},
		{Instances: -1},
		{Configure: []byte(`{"op":"configure","rules":[{"rules":[{"id":"x"}]}]}`)},
	} {
		if h, err := New(ctx, c); err == nil {
			h.Close(ctx)
			t.Errorf("New(%+v) succeeded", c)
		}
	}
}

func TestFileCompilationCache(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	for i := 0; i < 2; i++ {
		h, err := New(ctx, Config{CompilationCacheDir: dir})
		if err != nil {
			t.Fatal(err)
		}
		if code := errorCode(h.Do(ctx, bigBundle(1))); code != "" {
			t.Fatalf("run %d: %s", i, code)
		}
		h.Close(ctx)
		if entries, _ := os.ReadDir(dir); len(entries) == 0 {
			t.Fatalf("run %d: nothing was cached in %s", i, dir)
		}
	}
}

func TestClosedHost(t *testing.T) {
	ctx := context.Background()
	h, err := New(ctx, Config{Instances: 1})
	if err != nil {
		t.Fatal(err)
	}
	h.Close(ctx)
	if code := errorCode(h.Do(ctx, bigBundle(1))); code != "internal" {
		t.Fatalf("a closed host answered code %q", code)
	}
}

// TestPeakMemoryBytes: nothing before the first call, then the linear
// memory the largest call needed, which a bigger input raises.
func TestPeakMemoryBytes(t *testing.T) {
	ctx := context.Background()
	h, err := New(ctx, Config{Instances: 1})
	if err != nil {
		t.Fatal(err)
	}
	defer h.Close(ctx)
	if p := h.PeakMemoryBytes(); p != 0 {
		t.Fatalf("before any call: %d", p)
	}
	h.Do(ctx, []byte(`{"op":"hwm","resource":{"resourceType":"Patient","id":"p"}}`))
	small := h.PeakMemoryBytes()
	if small == 0 {
		t.Fatal("no peak after a call")
	}
	big := bigBundle(20000)
	h.Do(ctx, big)
	if p := h.PeakMemoryBytes(); p <= small || p < uint64(len(big)) {
		t.Fatalf("after a %d-byte request: peak %d (was %d)", len(big), p, small)
	}
}
