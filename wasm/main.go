//go:build wasip1

// Command wasm is seclabel's engine as one WebAssembly module (a WASI
// preview 1 reactor): make wasm builds it with
//
//	GOOS=wasip1 GOARCH=wasm go build -overlay OVERLAY -buildmode=c-shared -trimpath -ldflags='-s -w' \
//		-gcflags=all=-d=inlfuncswithclosures=0 \
//		-gcflags='github.com/seclabel/seclabel/engine/internal/vocab=-d=inlfuncswithclosures=0 -l' \
//		-gcflags='github.com/seclabel/seclabel/engine/internal/r4=-d=inlfuncswithclosures=0 -l' \
//		-gcflags='github.com/seclabel/seclabel/engine/internal/pattern=-d=inlfuncswithclosures=0 -l' \
//		-gcflags='github.com/seclabel/seclabel/engine/internal/words=-d=inlfuncswithclosures=0 -l' \
//		-o seclabel.wasm ./wasm
//
// where OVERLAY replaces the standard library's internal/godebug with
// wasm/_godebug (see there why), and then rewrites its jumps into direct
// branches with internal/wasmjump, writing host/seclabel.wasm.
//
// The ABI is described in ABI.md beside this file.
package main

import (
	"runtime"
	"unsafe"

	"github.com/seclabel/seclabel/engine"
)

// abiVersion changes whenever the exports below change meaning.
const abiVersion = 1

// errorBit marks, in the length half of call's result, that the response
// is an error response.
const errorBit = 1 << 31

var (
	input  []byte         // grown by input_buf, reused across calls: sess keeps nothing of it
	output []byte         // the last response; valid until the next call
	sess   engine.Session // configure requests replace its engine
)

// The Go guest schedules no goroutines after an export returns, so garbage
// collection must be started by hand: once here, and by yielding at the end
// of calls (see yield).
func init() { runtime.GC() }

// yieldEvery and yieldBytes say when a call yields: every yieldEvery-th
// call, and every call whose request or response is yieldBytes or more.
// A yield lets the collector's background workers run; it costs about a
// microsecond, as much as the rest of a small call's crossing, while a
// few small calls allocate too little for the heap to outrun a collection
// that waits for the next yield.
const (
	yieldEvery = 8
	yieldBytes = 64 << 10
)

var calls uint32 // calls since the last yield

func main() {}

//go:wasmexport abi_version
//lint:ignore U1000 exported to the host by go:wasmexport
func abiVersionExport() uint32 { return abiVersion }

// input_buf returns a buffer of at least n bytes for the next request.
//
//go:wasmexport input_buf
//lint:ignore U1000 exported to the host by go:wasmexport
func inputBuf(n uint32) uint32 {
	if uint32(cap(input)) < n {
		input = make([]byte, n)
		runtime.Gosched() // a large allocation may have started a collection
	}
	input = input[:n]
	if n == 0 {
		return 0
	}
	return uint32(uintptr(unsafe.Pointer(&input[0])))
}

// call runs the request of n bytes in the input buffer and returns the
// response as ptr<<32 | len, with errorBit set in len for error responses.
//
//go:wasmexport call
//lint:ignore U1000 exported to the host by go:wasmexport
func call(n uint32) uint64 {
	defer func() {
		if calls++; calls >= yieldEvery || n >= yieldBytes || len(output) >= yieldBytes {
			calls = 0
			runtime.Gosched()
		}
	}()
	if n > uint32(len(input)) {
		output = []byte(`{"protocol":1,"error":{"code":"internal","message":"call: the request is longer than the input buffer; call input_buf first"}}`)
	} else {
		output = sess.Answer(input[:n])
	}
	l := uint64(len(output))
	if isError(output) {
		l |= errorBit
	}
	if len(output) == 0 {
		return 0
	}
	return uint64(uintptr(unsafe.Pointer(&output[0])))<<32 | l
}

func isError(resp []byte) bool {
	const prefix = `{"protocol":1,"error"`
	return len(resp) >= len(prefix) && string(resp[:len(prefix)]) == prefix
}
