package host

import (
	"context"
	"testing"

	"github.com/seclabel/seclabel/internal/testenv"
)

// TestMemoryStaysFlat labels the largest Synthea bundle 200 times in one
// instance: the guest must collect its garbage (the module yields after
// every call), so its linear memory stays under 128 MiB.
func TestMemoryStaysFlat(t *testing.T) {
	files := testenv.Synthea(t)
	largest := files[len(files)-1].Data
	ctx := context.Background()
	h, err := New(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer h.Close(ctx)
	req := append([]byte(`{"op":"label","options":{"textMatch":true},"resource":`), largest...)
	req = append(req, '}')
	in := <-h.pool // the one instance New made
	defer func() { h.pool <- in }()
	for i := 0; i < 200; i++ {
		if _, err := h.do(ctx, &in, req); err != nil {
			t.Fatalf("call %d: %v", i, err)
		}
	}
	size := in.mod.Memory().Size()
	t.Logf("after 200 calls with a %d-byte bundle: %d MiB of linear memory", len(largest), size>>20)
	if size > 128<<20 {
		t.Fatalf("instance memory grew to %d MiB", size>>20)
	}
}
