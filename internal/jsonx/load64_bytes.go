//go:build !(amd64 || arm64 || wasm || 386 || ppc64le || riscv64 || loong64)

package jsonx

// load64 reads eight bytes as one word, byte by byte, for architectures where
// unaligned loads may fault (see load64_unaligned.go).
func load64(b []byte) uint64 {
	_ = b[7]
	return uint64(b[0]) | uint64(b[1])<<8 | uint64(b[2])<<16 | uint64(b[3])<<24 |
		uint64(b[4])<<32 | uint64(b[5])<<40 | uint64(b[6])<<48 | uint64(b[7])<<56
}

// loadAt is load64(s[i:]).
func loadAt(s []byte, i int) uint64 { return load64(s[i:]) }

// loadStr is loadAt on a string.
func loadStr(s string, i int) uint64 {
	_ = s[i+7]
	return uint64(s[i]) | uint64(s[i+1])<<8 | uint64(s[i+2])<<16 | uint64(s[i+3])<<24 |
		uint64(s[i+4])<<32 | uint64(s[i+5])<<40 | uint64(s[i+6])<<48 | uint64(s[i+7])<<56
}
