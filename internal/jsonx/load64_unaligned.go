//go:build amd64 || arm64 || wasm || 386 || ppc64le || riscv64 || loong64

package jsonx

import "unsafe"

// load64 reads eight bytes as one word in the machine's byte order, with one
// unaligned load (fine on these architectures). Every use only asks whether
// some byte of the word matches, which does not depend on the order. The
// compiler merges byte loads into one on amd64 but not for WebAssembly,
// where eight loads made the eight-at-a-time scans slower than byte loops;
// encoding/binary would also pull reflect, a quarter megabyte, into the
// module.
func load64(b []byte) uint64 {
	_ = b[7]
	return *(*uint64)(unsafe.Pointer(unsafe.SliceData(b)))
}
