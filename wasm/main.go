//go:build wasip1

// Command wasm is seclabel's engine as one WebAssembly module (a WASI
// preview 1 reactor): build it with
//
//	GOOS=wasip1 GOARCH=wasm go build -buildmode=c-shared -trimpath -ldflags='-s -w' -o host/seclabel.wasm ./wasm
//
// The ABI is described in ABI.md beside this file.
package main

import (
	"context"
	"runtime"
	"unsafe"

	"github.com/seclabel/seclabel/engine"
	"github.com/seclabel/seclabel/internal/jsonx"
)

// abiVersion changes whenever the exports below change meaning.
const abiVersion = 1

// errorBit marks, in the length half of call's result, that the response
// is an error response.
const errorBit = 1 << 31

var (
	input  []byte // grown by input_buf, reused across calls
	output []byte // the last response; valid until the next call
	eng    *engine.Engine
	doc    jsonx.Doc
)

// The Go guest schedules no goroutines after an export returns, so garbage
// collection must be started by hand: once here, and by yielding at the end
// of every export that allocates.
func init() { runtime.GC() }

func main() {}

//go:wasmexport abi_version
func abiVersionExport() uint32 { return abiVersion }

// input_buf returns a buffer of at least n bytes for the next request.
//
//go:wasmexport input_buf
func inputBuf(n uint32) uint32 {
	if uint32(cap(input)) < n {
		input = make([]byte, n)
	}
	input = input[:n]
	defer runtime.Gosched()
	if n == 0 {
		return 0
	}
	return uint32(uintptr(unsafe.Pointer(&input[0])))
}

// call runs the request of n bytes in the input buffer and returns the
// response as ptr<<32 | len, with errorBit set in len for error responses.
//
//go:wasmexport call
func call(n uint32) uint64 {
	defer runtime.Gosched()
	req := input[:n]
	output = output[:0]
	if isConfigure(req) {
		output = configure(req)
	} else {
		if eng == nil {
			eng, _ = engine.New(engine.Options{})
		}
		output = eng.Do(context.Background(), req)
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

// isConfigure reports whether a request is {"op": "configure", ...}: rule
// packs and options for every later call of this instance.
func isConfigure(req []byte) bool {
	if doc.Parse(req, 1000) != nil {
		return false
	}
	return doc.Str(doc.Get(0, "op")) == "configure"
}

// configure compiles the request's rules and options once for this
// instance. Request: {"op": "configure", "rules": [...], "options": {...}};
// response: {"protocol": 1, "op": "configure"} or an error response.
func configure(req []byte) []byte {
	resp, e := engine.Configure(req)
	if e != nil {
		eng = e
	}
	return resp
}

func isError(resp []byte) bool {
	const prefix = `{"protocol":1,"error"`
	return len(resp) >= len(prefix) && string(resp[:len(prefix)]) == prefix
}
