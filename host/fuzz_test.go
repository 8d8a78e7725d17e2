package host_test

import (
	"bytes"
	"context"
	"path/filepath"
	"testing"

	"github.com/seclabel/seclabel/engine"
	"github.com/seclabel/seclabel/host"
	"github.com/seclabel/seclabel/internal/golden"
)

// FuzzDifferential sends generated requests to the native engine and to the
// module: the answers must be byte-identical. A find should become a named
// golden case.
func FuzzDifferential(f *testing.F) {
	root, _ := golden.Root()
	cases, err := golden.Load(filepath.Join(root, "testdata", "cases"))
	if err != nil {
		f.Fatal(err)
	}
	for _, c := range cases {
		f.Add(c.Request)
	}
	ctx := context.Background()
	e, _ := engine.New(engine.Options{})
	h, err := host.New(ctx)
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, req []byte) {
		if want, got := e.Do(ctx, req), h.Do(ctx, req); !bytes.Equal(want, got) {
			t.Fatalf("native and wasm differ on %q\nnative: %s\n  wasm: %s", req, want, got)
		}
	})
}
