//go:build wasm

package engine

// reportReaders is empty in the module, which never reads a response
// (ops_read.go).
var reportReaders map[op]reportReader
