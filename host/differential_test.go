package host_test

import (
	"bytes"
	"context"
	"path/filepath"
	"testing"

	"github.com/seclabel/seclabel/engine"
	"github.com/seclabel/seclabel/host"
	"github.com/seclabel/seclabel/internal/golden"
	"github.com/seclabel/seclabel/internal/testenv"
	"github.com/valyala/fastjson"
)

// requests wraps a resource in one request per operation.
func requests(resource []byte) [][]byte {
	var out [][]byte
	for _, prefix := range []string{
		`{"op":"hwm","resource":`,
		`{"op":"validate","options":{"operationOutcome":true},"resource":`,
		`{"op":"label","options":{"textMatch":true,"bundleHighWaterMark":true},"resource":`,
		`{"op":"redact","context":{"clearance":"R","purposeOfUse":"TREAT","deny":["HIV","SUD"]},"resource":`,
	} {
		r := append([]byte(prefix), resource...)
		out = append(out, append(r, '}'))
	}
	return out
}

// nodiff fails when native and module answers differ in any byte.
func nodiff(t *testing.T, e *engine.Engine, h *host.Host, name string, req []byte) {
	t.Helper()
	ctx := context.Background()
	want, got := e.Do(ctx, req), h.Do(ctx, req)
	if !bytes.Equal(want, got) {
		t.Fatalf("%s: native and wasm differ\nnative: %.300s\n  wasm: %.300s", name, want, got)
	}
}

func TestDifferential(t *testing.T) {
	ctx := context.Background()
	e, _ := engine.New(engine.Options{})
	h, err := host.New(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer h.Close(ctx)
	root, _ := golden.Root()
	cases, err := golden.Load(filepath.Join(root, "testdata", "cases"))
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range cases {
		nodiff(t, e, h, c.Note, c.Request)
		if v, err := fastjson.ParseBytes(c.Request); err == nil && v.Get("resource") != nil {
			for _, r := range requests(v.Get("resource").MarshalTo(nil)) {
				nodiff(t, e, h, c.Note+" (every op)", r)
			}
		}
	}
	t.Run("R4 examples", func(t *testing.T) {
		n := testenv.R4Examples(t, func(f testenv.File) {
			for _, r := range requests(f.Data) {
				nodiff(t, e, h, f.Name, r)
			}
		})
		t.Logf("%d R4 examples, 4 operations each: identical", n)
	})
	t.Run("Synthea", func(t *testing.T) {
		for _, f := range testenv.Synthea(t) {
			for _, r := range requests(f.Data) {
				nodiff(t, e, h, f.Name, r)
			}
		}
	})
}

// resourcesOfGolden returns the resource of every golden request.
func resourcesOfGolden(t *testing.T) [][]byte {
	root, _ := golden.Root()
	cases, err := golden.Load(filepath.Join(root, "testdata", "cases"))
	if err != nil {
		t.Fatal(err)
	}
	var out [][]byte
	for _, c := range cases {
		if v, err := fastjson.ParseBytes(c.Request); err == nil && v.Get("resource") != nil {
			out = append(out, v.Get("resource").MarshalTo(nil))
		}
	}
	return out
}
