//go:build amd64 || arm64 || wasm || 386 || ppc64le || riscv64 || loong64

package jsonx

import "unsafe"

// load64 reads eight bytes as one little-endian word (the byte order of
// every architecture listed above) with one unaligned load, which these
// architectures allow. The compiler merges byte loads into one on amd64 but
// not for WebAssembly, where eight loads made the eight-at-a-time scans
// slower than byte loops; encoding/binary would also pull reflect, a quarter
// megabyte, into the module.
func load64(b []byte) uint64 {
	_ = b[7]
	return *(*uint64)(unsafe.Pointer(unsafe.SliceData(b)))
}

// loadAt is load64(s[i:]) without the bounds checks, for loops whose
// condition already ensures i+8 <= len(s).
func loadAt(s []byte, i int) uint64 {
	return *(*uint64)(unsafe.Add(unsafe.Pointer(unsafe.SliceData(s)), i))
}

// loadStr is loadAt on a string.
func loadStr(s string, i int) uint64 {
	return *(*uint64)(unsafe.Add(unsafe.Pointer(unsafe.StringData(s)), i))
}
