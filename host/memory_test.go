package host

import (
	"context"
	"testing"

	"github.com/seclabel/seclabel/internal/testenv"
)

// TestMemoryStaysFlat labels the largest Synthea bundle 200 times in one
// instance: the guest must collect its garbage (the module yields after
// every large call), so its linear memory stays under 128 MiB.
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
		if _, err := h.do(ctx, &in, req, nil); err != nil {
			t.Fatalf("call %d: %v", i, err)
		}
	}
	size := in.mod.Memory().Size()
	t.Logf("after 200 calls with a %d-byte bundle: %d MiB of linear memory", len(largest), size>>20)
	if size > 128<<20 {
		t.Fatalf("instance memory grew to %d MiB", size>>20)
	}
}

// TestMemoryStaysFlatOnSmallCalls makes many small calls in one instance:
// the module yields to its collector only every few of them, which must
// still keep linear memory from growing with the number of calls. The
// collector's heap goal settles over the first few thousand calls (memory
// grows from about 18 to 26 MiB by then and stays there), so growth is
// measured from 4,000 calls on, over seven times as many.
func TestMemoryStaysFlatOnSmallCalls(t *testing.T) {
	ctx := context.Background()
	h, err := New(ctx, Config{Instances: 1})
	if err != nil {
		t.Fatal(err)
	}
	defer h.Close(ctx)
	req := []byte(`{"op":"label","options":{"textMatch":true}}` + "\x00" +
		`{"resourceType":"Condition","id":"c1","code":{"coding":[{"system":"http://snomed.info/sct","code":"5602001","display":"Opioid abuse"}],"text":"Opioid abuse"},"subject":{"reference":"Patient/p1"}}`)
	in := <-h.pool
	defer func() { h.pool <- in }()
	const warm, total = 4000, 32000
	var afterWarm uint32
	for i := 1; i <= total; i++ {
		if _, err := h.do(ctx, &in, req, nil); err != nil {
			t.Fatalf("call %d: %v", i, err)
		}
		if i == warm {
			afterWarm = in.mod.Memory().Size()
		}
	}
	size := in.mod.Memory().Size()
	t.Logf("linear memory: %d MiB after %d calls, %d MiB after %d", afterWarm>>20, warm, size>>20, total)
	if size > afterWarm+4<<20 {
		t.Fatalf("linear memory grew from %d MiB to %d MiB over %d small calls", afterWarm>>20, size>>20, total-warm)
	}
}
