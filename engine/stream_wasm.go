//go:build wasm

package engine

// canStream is off in WebAssembly builds, whose hosts take a response as
// one buffer: DoTo then writes the result whole, and the module is 2 KB
// (gzip) smaller without the code that writes it in pieces.
const canStream = false
