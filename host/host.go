// Package host runs seclabel's WebAssembly module (seclabel.wasm, embedded)
// in Go through wazero. A Host answers the same protocol requests as
// engine.Engine.Do, byte for byte.
//
//	h, err := host.New(ctx)
//	defer h.Close(ctx)
//	resp := h.Do(ctx, request)
package host

import (
	"context"
	"crypto/rand"
	_ "embed"
	"errors"
	"fmt"
	"os"
	"runtime"
	"sync"

	"github.com/seclabel/seclabel/internal/jsonx"
	"github.com/tetratelabs/wazero"
	"github.com/tetratelabs/wazero/api"
	"github.com/tetratelabs/wazero/imports/wasi_snapshot_preview1"
)

//go:embed seclabel.wasm
var module []byte

// abiVersion is the module ABI this host speaks (wasm/ABI.md).
const abiVersion = 1

const errorBit = 1 << 31

// Host owns one wazero runtime, the compiled module, and a pool of
// instances (one call at a time each). It is safe for concurrent use.
type Host struct {
	rt        wazero.Runtime
	compiled  wazero.CompiledModule
	pool      chan *instance
	mu        sync.Mutex
	closed    bool
	configure []byte
}

type instance struct {
	mod      api.Module
	inputBuf api.Function
	call     api.Function
	stack    []uint64
}

// Config holds a Host's settings; the zero value gives the defaults.
type Config struct {
	// MemoryLimitBytes caps each instance's linear memory. Default 1 GiB,
	// enough for inputs of a few tens of MB; at most 4 GiB.
	MemoryLimitBytes int

	// Configure, when set, is a configure request (wasm/ABI.md) sent to
	// every instance when it is created: rule packs compiled once per
	// instance, default options. New fails when the module rejects it.
	Configure []byte
}

// New compiles the module and prepares a pool of GOMAXPROCS instances,
// created on first use.
func New(ctx context.Context, configs ...Config) (*Host, error) {
	var cfg Config
	if len(configs) > 0 {
		cfg = configs[0]
	}
	if cfg.MemoryLimitBytes == 0 {
		cfg.MemoryLimitBytes = 1 << 30
	}
	if cfg.MemoryLimitBytes < 1<<20 || cfg.MemoryLimitBytes > 4<<30 {
		return nil, fmt.Errorf("host: MemoryLimitBytes must be between 1 MiB and 4 GiB")
	}
	pages := uint32(cfg.MemoryLimitBytes / 65536)
	rt := wazero.NewRuntimeWithConfig(ctx, wazero.NewRuntimeConfig().WithMemoryLimitPages(pages))
	if _, err := wasi_snapshot_preview1.Instantiate(ctx, rt); err != nil {
		rt.Close(ctx)
		return nil, err
	}
	compiled, err := rt.CompileModule(ctx, module)
	if err != nil {
		rt.Close(ctx)
		return nil, fmt.Errorf("compile seclabel.wasm: %w", err)
	}
	h := &Host{rt: rt, compiled: compiled, pool: make(chan *instance, runtime.GOMAXPROCS(0)), configure: cfg.Configure}
	// The first instance is made now, so a bad module or configure request
	// fails here rather than on the first call.
	first, err := h.instantiate(ctx)
	if err != nil {
		rt.Close(ctx)
		return nil, err
	}
	h.pool <- first
	for i := 1; i < cap(h.pool); i++ {
		h.pool <- nil // a free slot; the instance is made when first needed
	}
	return h, nil
}

func (h *Host) instantiate(ctx context.Context) (*instance, error) {
	cfg := wazero.NewModuleConfig().WithName("").WithStartFunctions("_initialize").
		WithSysNanotime().WithSysWalltime().WithRandSource(rand.Reader).WithStderr(os.Stderr)
	mod, err := h.rt.InstantiateModule(ctx, h.compiled, cfg)
	if err != nil {
		return nil, err
	}
	in := &instance{mod: mod, inputBuf: mod.ExportedFunction("input_buf"), call: mod.ExportedFunction("call"), stack: make([]uint64, 1)}
	v := mod.ExportedFunction("abi_version")
	if in.inputBuf == nil || in.call == nil || v == nil {
		mod.Close(ctx)
		return nil, errors.New("seclabel.wasm lacks the expected exports")
	}
	if err := v.CallWithStack(ctx, in.stack); err != nil || in.stack[0] != abiVersion {
		mod.Close(ctx)
		return nil, fmt.Errorf("seclabel.wasm speaks ABI %d, this host %d", in.stack[0], abiVersion)
	}
	if h.configure != nil {
		slot := in
		resp, err := h.do(ctx, &slot, h.configure)
		if err != nil {
			return nil, err
		}
		if code := errorCode(resp); code != "" {
			mod.Close(ctx)
			return nil, fmt.Errorf("configure: %s", resp)
		}
	}
	return in, nil
}

// errorCode returns error.code of a protocol response, or "".
func errorCode(resp []byte) string {
	var d jsonx.Doc
	if d.Parse(resp, 100) != nil {
		return "internal"
	}
	return d.Str(d.Get(d.Get(0, "error"), "code"))
}

// Do runs one protocol request in an instance and returns its response.
// Errors of the host itself come back as protocol error responses with code
// internal.
func (h *Host) Do(ctx context.Context, request []byte) []byte {
	in := <-h.pool
	resp, err := h.do(ctx, &in, request)
	h.pool <- in
	if err != nil {
		return internalError(err)
	}
	return resp
}

func (h *Host) do(ctx context.Context, slot **instance, request []byte) ([]byte, error) {
	if *slot == nil {
		in, err := h.instantiate(ctx)
		if err != nil {
			return nil, err
		}
		*slot = in
	}
	in := *slot
	fail := func(err error) ([]byte, error) {
		in.mod.Close(ctx) // an instance is dropped after any error
		*slot = nil
		return nil, err
	}
	in.stack[0] = uint64(len(request))
	if err := in.inputBuf.CallWithStack(ctx, in.stack); err != nil {
		return fail(err)
	}
	ptr := uint32(in.stack[0])
	if !in.mod.Memory().Write(ptr, request) {
		return fail(errors.New("input buffer out of range"))
	}
	in.stack[0] = uint64(len(request))
	if err := in.call.CallWithStack(ctx, in.stack); err != nil {
		return fail(err)
	}
	out := in.stack[0]
	n := uint32(out) &^ errorBit
	b, ok := in.mod.Memory().Read(uint32(out>>32), n)
	if !ok {
		return fail(errors.New("output out of range"))
	}
	return append([]byte(nil), b...), nil // Read aliases guest memory
}

// Close releases the runtime and every instance.
func (h *Host) Close(ctx context.Context) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.closed {
		return nil
	}
	h.closed = true
	return h.rt.Close(ctx)
}

func internalError(err error) []byte {
	b := []byte(`{"protocol":1,"error":{"code":"internal","message":`)
	b = jsonx.AppendString(b, "host: "+err.Error())
	return append(b, "}}"...)
}

func appendJSONString(dst, b []byte) []byte { return jsonx.AppendString(dst, string(b)) }
