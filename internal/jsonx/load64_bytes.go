//go:build !(amd64 || arm64 || wasm || 386 || ppc64le || riscv64 || loong64)

package jsonx

// load64 reads the eight bytes of b at i as one little-endian word, byte
// by byte, for architectures where unaligned loads may fault (see
// load64_unaligned.go).
func load64[T string | []byte](b T, i int) uint64 {
	_ = b[i+7]
	return uint64(b[i]) | uint64(b[i+1])<<8 | uint64(b[i+2])<<16 | uint64(b[i+3])<<24 |
		uint64(b[i+4])<<32 | uint64(b[i+5])<<40 | uint64(b[i+6])<<48 | uint64(b[i+7])<<56
}

// loadAt reads the word at i of s.
func loadAt(s []byte, i int) uint64 { return load64(s, i) }

// loadStr is loadAt on a string.
func loadStr(s string, i int) uint64 { return load64(s, i) }
