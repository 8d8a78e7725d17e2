package host_test

import (
	"bytes"
	"context"
	"fmt"
	"sync"
	"testing"

	"github.com/seclabel/seclabel/engine"
	"github.com/seclabel/seclabel/host"
)

// TestHammer shares one Host between many goroutines running mixed
// operations; every answer must equal the native one (run with -race).
func TestHammer(t *testing.T) {
	ctx := context.Background()
	h, err := host.New(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer h.Close(ctx)
	e, _ := engine.New(engine.Options{})
	var reqs, want [][]byte
	for i := 0; i < 12; i++ {
		res := fmt.Sprintf(`{"resourceType":"Condition","id":"c%d","code":{"coding":[{"system":"http://snomed.info/sct","code":"%s"}]},"meta":{"security":[{"system":"http://terminology.hl7.org/CodeSystem/v3-Confidentiality","code":"%c"}]}}`,
			i, []string{"86406008", "5602001", "47505003", "410620009"}[i%4], "LMNRV"[i%5])
		for _, r := range requests([]byte(res)) {
			reqs = append(reqs, r)
			want = append(want, e.Do(ctx, r))
		}
	}
	var wg sync.WaitGroup
	for g := 0; g < 16; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			for k := 0; k < 3*len(reqs); k++ {
				i := (k*7 + g) % len(reqs)
				if got := h.Do(ctx, reqs[i]); !bytes.Equal(got, want[i]) {
					t.Errorf("goroutine %d, request %d: %.200s", g, i, got)
					return
				}
			}
		}(g)
	}
	wg.Wait()
}
