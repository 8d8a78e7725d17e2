//go:build amd64 || arm64 || wasm || 386 || ppc64le || riscv64 || loong64

package jsonx

import "unsafe"

// loadAt reads the eight bytes of s at i as one little-endian word (the
// byte order of every architecture listed above) with one unaligned load,
// which these architectures allow, and without bounds checks, for loops
// whose condition already ensures i+8 <= len(s). The compiler merges byte
// loads into one on amd64 but not for WebAssembly, where eight loads made
// the eight-at-a-time scans slower than byte loops; encoding/binary would
// also pull reflect, a quarter megabyte, into the module.
func loadAt(s []byte, i int) uint64 {
	return *(*uint64)(unsafe.Add(unsafe.Pointer(unsafe.SliceData(s)), i))
}

// loadStr is loadAt on a string.
func loadStr(s string, i int) uint64 {
	return *(*uint64)(unsafe.Add(unsafe.Pointer(unsafe.StringData(s)), i))
}
