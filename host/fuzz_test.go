package host_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/seclabel/seclabel/engine"
	"github.com/seclabel/seclabel/host"
	"github.com/seclabel/seclabel/internal/golden"
	"github.com/seclabel/seclabel/internal/jsonx"
)

// separator splits a fuzz input into requests: the record separator of
// JSON text sequences (RFC 7464), which JSON text holds only escaped.
const separator = 0x1e

// FuzzDifferential splits each generated input into a sequence of requests
// and sends them to a fresh engine.Session and to the module (one instance,
// reset to the defaults first): every answer must be byte-identical,
// configure requests included. Until the first configure request the native
// Engine.Do must answer the same too. A find should become a named golden
// case or sequence.
func FuzzDifferential(f *testing.F) {
	cases := golden.All(f)
	for _, c := range cases {
		f.Add(c.Request)
	}
	for _, seq := range golden.Sequences(cases) {
		f.Add(bytes.Join(seq.Requests, []byte{separator}))
	}
	ctx := context.Background()
	e, _ := engine.New(engine.Options{})
	// Every fuzzing worker makes its own Host: a compilation cache on disk
	// spares each the compilation, which coverage instrumentation slows to
	// half a minute.
	cache := filepath.Join(os.TempDir(), "seclabel-fuzz-wazero-cache")
	h, err := host.New(ctx, host.Config{Instances: 1, CompilationCacheDir: cache})
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		if resp := h.Do(ctx, []byte(golden.Reset)); string(resp) != golden.Configured {
			t.Fatalf("reset: %s", resp)
		}
		var s engine.Session
		engineToo := true
		for i, req := range bytes.Split(data, []byte{separator}) {
			want := bytes.Clone(s.Do(ctx, req))
			if got := h.Do(ctx, req); !bytes.Equal(want, got) {
				t.Fatalf("request %d of %q: native and wasm differ\nnative: %s\n  wasm: %s", i, data, want, got)
			}
			if engineToo = engineToo && !isConfigure(req); engineToo {
				if got := e.Do(ctx, req); !bytes.Equal(want, got) {
					t.Fatalf("request %d of %q: Session and Engine differ\nSession: %s\n Engine: %s", i, data, want, got)
				}
			}
		}
	})
}

// isConfigure reports whether req is a configure request, which Engine.Do
// rejects and a Session takes.
func isConfigure(req []byte) bool {
	if i := bytes.IndexByte(req, 0); i >= 0 {
		req = req[:i]
	}
	var d jsonx.Doc
	return d.Parse(req, 10000) == nil && d.Kind(0) == jsonx.Object && d.Str(d.Get(0, "op")) == "configure"
}
