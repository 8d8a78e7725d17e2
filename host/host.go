// Package host runs seclabel's WebAssembly module (seclabel.wasm, embedded)
// in Go through wazero. A Host answers the same protocol requests as
// engine.Engine.Do, byte for byte, and has the same typed methods
// (engine.Backend), so a caller switches with one line:
//
//	b, err := engine.New(opts)  // native
//	b, err := host.New(ctx)     // the module, through wazero
//
// A Host compiles the module once (through a compilation cache shared by
// every Host of the process, or kept in a directory with
// Config.CompilationCacheDir) and keeps a pool of GOMAXPROCS instances, each
// serving one call at a time.
//
// A configure request (wasm/ABI.md) sent through Do configures the whole
// pool, as Config.Configure does: one instance checks it, and when it is
// accepted every instance, current or made later, answers with it (an
// instance that ran with an earlier one takes it before its next call).
// Calls made after Do returns see it; a rejected one leaves every instance
// as it was.
package host

import (
	"bytes"
	"context"
	"crypto/rand"
	_ "embed"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime"
	"sync"
	"sync/atomic"

	"github.com/seclabel/seclabel/engine"
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

// Config holds a Host's settings; the zero value gives the defaults. It is
// read once, by New.
type Config struct {
	// MemoryLimitBytes caps each instance's linear memory. Default 1 GiB,
	// enough for inputs of a few tens of MB; from 1 MiB to 4 GiB.
	MemoryLimitBytes int

	// RecycleBytes: an instance whose linear memory has grown past it is
	// replaced by a fresh one after its call (linear memory never shrinks).
	// Default 256 MiB; at most MemoryLimitBytes.
	RecycleBytes int

	// Instances is the pool size. Default GOMAXPROCS.
	Instances int

	// Configure, when set, is a configure request (wasm/ABI.md) sent to
	// every instance when it is created: rule packs compiled once per
	// instance, default options. New fails when the module rejects it.
	// New copies it. A configure request sent through Do replaces it.
	Configure []byte

	// CompilationCacheDir keeps the compiled module in this directory, so
	// that a new process starts in milliseconds rather than compiling
	// (about half a second): for CLIs. Empty: an in-memory cache shared by
	// the Hosts of this process.
	CompilationCacheDir string

	// Interruptible makes a running call stop when its context is done,
	// returning the error code "cancelled". Without it a call that has
	// started runs to its end (a context already done is still honoured
	// before the call). It costs guest speed: wazero then checks the
	// context inside every loop (README, "The WebAssembly module", has the
	// measured price).
	Interruptible bool

	// Stderr receives what the guest writes there (panics). Default
	// os.Stderr.
	Stderr io.Writer
}

// Host owns one wazero runtime, the compiled module, and a pool of
// instances. It is safe for concurrent use.
type Host struct {
	cfg      Config
	rt       wazero.Runtime
	compiled wazero.CompiledModule
	pool     chan *instance // nil entries are free slots, filled on use
	done     chan struct{}  // closed by Close
	mu       sync.Mutex
	closed   bool
	peak     atomic.Uint64 // largest linear memory an instance has had

	// configure is the configure request every instance is to run with
	// (Config.Configure, then the last one Do had accepted), and confGen
	// counts its changes: an instance behind it takes it before its next call.
	confMu    sync.Mutex
	configure []byte
	confGen   atomic.Uint64
}

type instance struct {
	mod      api.Module
	inputBuf api.Function
	call     api.Function
	stack    []uint64
	gen      uint64 // the Host's confGen when its configure request was sent
}

var (
	sharedCacheOnce sync.Once
	sharedCache     wazero.CompilationCache
)

// New compiles the module (or takes it from the cache) and prepares the pool.
// The first instance is made now, so that a bad module or configure request
// fails here rather than on the first call; the others when first needed.
func New(ctx context.Context, configs ...Config) (*Host, error) {
	var cfg Config
	if len(configs) > 0 {
		cfg = configs[0]
	}
	if cfg.MemoryLimitBytes == 0 {
		cfg.MemoryLimitBytes = 1 << 30
	}
	if cfg.MemoryLimitBytes < 1<<20 || cfg.MemoryLimitBytes > 4<<30 {
		return nil, errors.New("host: MemoryLimitBytes must be from 1 MiB to 4 GiB")
	}
	if cfg.RecycleBytes == 0 {
		cfg.RecycleBytes = min(256<<20, cfg.MemoryLimitBytes)
	}
	if cfg.RecycleBytes < 0 || cfg.RecycleBytes > cfg.MemoryLimitBytes {
		return nil, errors.New("host: RecycleBytes must be from 0 to MemoryLimitBytes")
	}
	if cfg.Instances == 0 {
		cfg.Instances = runtime.GOMAXPROCS(0)
	}
	if cfg.Instances < 0 {
		return nil, errors.New("host: Instances must not be negative")
	}
	if cfg.Stderr == nil {
		cfg.Stderr = os.Stderr
	}
	var cache wazero.CompilationCache
	if cfg.CompilationCacheDir != "" {
		var err error
		if cache, err = wazero.NewCompilationCacheWithDir(cfg.CompilationCacheDir); err != nil {
			return nil, fmt.Errorf("host: compilation cache: %w", err)
		}
	} else {
		sharedCacheOnce.Do(func() { sharedCache = wazero.NewCompilationCache() })
		cache = sharedCache
	}
	rc := wazero.NewRuntimeConfig().
		WithMemoryLimitPages(uint32(cfg.MemoryLimitBytes / 65536)).
		WithCompilationCache(cache).
		WithCloseOnContextDone(cfg.Interruptible)
	rt := wazero.NewRuntimeWithConfig(ctx, rc)
	if _, err := wasi_snapshot_preview1.Instantiate(ctx, rt); err != nil {
		rt.Close(ctx)
		return nil, err
	}
	compiled, err := rt.CompileModule(ctx, module)
	if err != nil {
		rt.Close(ctx)
		return nil, fmt.Errorf("compile seclabel.wasm: %w", err)
	}
	h := &Host{cfg: cfg, rt: rt, compiled: compiled, pool: make(chan *instance, cfg.Instances), done: make(chan struct{})}
	h.configure = bytes.Clone(cfg.Configure) // sent to instances made later: the caller may reuse its buffer
	first, err := h.instantiate(ctx)
	if err != nil {
		rt.Close(ctx)
		return nil, err
	}
	h.pool <- first
	for i := 1; i < cap(h.pool); i++ {
		h.pool <- nil
	}
	return h, nil
}

func (h *Host) instantiate(ctx context.Context) (*instance, error) {
	// The module gets a fresh context: a caller's cancelled context must
	// not close a new instance of an interruptible host.
	ctx = context.WithoutCancel(ctx)
	cfg := wazero.NewModuleConfig().WithName("").WithStartFunctions("_initialize").
		WithSysNanotime().WithSysWalltime().WithRandSource(rand.Reader).WithStderr(h.cfg.Stderr)
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
	if err := h.bringUp(ctx, &in); err != nil {
		return nil, err
	}
	return in, nil
}

// configured is the module's answer to a configure request it accepts.
const configured = `{"protocol":1,"op":"configure"}`

// bringUp sends the Host's configure request, if any, to the instance in
// *slot; an instance that fails it is dropped.
func (h *Host) bringUp(ctx context.Context, slot **instance) error {
	h.confMu.Lock()
	req, gen := h.configure, h.confGen.Load()
	h.confMu.Unlock()
	if req != nil {
		resp, err := h.do(ctx, slot, req, nil)
		if err != nil {
			return err
		}
		if string(resp) != configured {
			(*slot).mod.Close(context.Background())
			*slot = nil
			// The module's error, as the engine's own: its code says why.
			var e *engine.Error
			if _, err := engine.ParseResponse(resp); errors.As(err, &e) {
				return &engine.Error{Code: e.Code, Message: "configure: " + e.Message}
			}
			return fmt.Errorf("configure: unexpected answer %.200s", resp)
		}
	}
	(*slot).gen = gen
	return nil
}

// Do runs one protocol request in an instance and returns its response. A
// configure request configures every instance (see the package comment).
// Failures of the host itself come back as protocol error responses: code
// cancelled when ctx is done first, internal otherwise.
func (h *Host) Do(ctx context.Context, request []byte) []byte {
	return h.doParts(ctx, request, nil)
}

// doParts is Do on the request made of head and then tail, which reach
// the module's input buffer as they are, never joined in a buffer here.
func (h *Host) doParts(ctx context.Context, head, tail []byte) []byte {
	if err := ctx.Err(); err != nil {
		return errorResponse("cancelled", "call cancelled: "+err.Error())
	}
	var in *instance
	select {
	case in = <-h.pool:
	case <-ctx.Done():
		return errorResponse("cancelled", "call cancelled while waiting for an instance: "+ctx.Err().Error())
	case <-h.done:
		return errorResponse("internal", "host: closed")
	}
	resp, err := h.run(ctx, &in, head, tail)
	if in != nil {
		size := in.mod.Memory().Size()
		for old := h.peak.Load(); uint64(size) > old && !h.peak.CompareAndSwap(old, uint64(size)); old = h.peak.Load() {
		}
		if size > uint32(h.cfg.RecycleBytes) {
			in.mod.Close(context.Background())
			in = nil // replaced on next use
		}
	}
	h.pool <- in
	switch {
	case err == nil:
		return resp
	case ctx.Err() != nil:
		return errorResponse("cancelled", "call cancelled: "+ctx.Err().Error())
	}
	return errorResponse("internal", "host: "+err.Error())
}

// run runs the request head+tail in the instance in *slot (made when nil)
// once that has taken the Host's last configure request; a configure
// request it accepts becomes the Host's.
func (h *Host) run(ctx context.Context, slot **instance, head, tail []byte) ([]byte, error) {
	if *slot != nil && (*slot).gen != h.confGen.Load() {
		if err := h.bringUp(ctx, slot); err != nil {
			return nil, err
		}
	}
	resp, err := h.do(ctx, slot, head, tail)
	if err == nil && string(resp) == configured {
		h.confMu.Lock()
		h.configure = append(bytes.Clone(head), tail...)
		(*slot).gen = h.confGen.Add(1)
		h.confMu.Unlock()
	}
	return resp, err
}

// do runs the request head+tail in the instance in *slot, made when nil.
func (h *Host) do(ctx context.Context, slot **instance, head, tail []byte) ([]byte, error) {
	if *slot == nil {
		in, err := h.instantiate(ctx)
		if err != nil {
			return nil, err
		}
		*slot = in
	}
	in := *slot
	fail := func(err error) ([]byte, error) {
		in.mod.Close(context.Background()) // an instance is dropped after any error
		*slot = nil
		return nil, err
	}
	size := len(head) + len(tail)
	in.stack[0] = uint64(size)
	if err := in.inputBuf.CallWithStack(ctx, in.stack); err != nil {
		return fail(err)
	}
	ptr := uint32(in.stack[0])
	if mem := in.mod.Memory(); !mem.Write(ptr, head) || !mem.Write(ptr+uint32(len(head)), tail) {
		return fail(errors.New("input buffer out of range"))
	}
	in.stack[0] = uint64(size)
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

// PeakMemoryBytes is the largest linear memory any of the Host's instances
// has had after a call: what the pool costs at its worst, since linear
// memory never shrinks (an instance past RecycleBytes is replaced).
func (h *Host) PeakMemoryBytes() uint64 { return h.peak.Load() }

// Close releases the runtime and every instance; calls waiting for an
// instance return an error.
func (h *Host) Close(ctx context.Context) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.closed {
		return nil
	}
	h.closed = true
	close(h.done)
	return h.rt.Close(ctx)
}

func errorResponse(code, message string) []byte {
	b := []byte(`{"protocol":1,"error":{"code":"` + code + `","message":`)
	b = jsonx.AppendString(b, message)
	return append(b, "}}"...)
}

// Module returns a copy of the embedded seclabel.wasm, for serving it to
// browsers or other hosts.
func Module() []byte { return append([]byte(nil), module...) }
