//go:build wasm

package jsonx

import "unsafe"

// same reports whether a and b, of the same length, are equal. Go
// compares strings in WebAssembly one byte at a time, through two calls;
// this compares words, the last overlapping the one before.
//
//go:noinline
func same(a, b string) bool {
	n := len(a)
	pa, pb := unsafe.Pointer(unsafe.StringData(a)), unsafe.Pointer(unsafe.StringData(b))
	switch {
	case n >= 8:
		for i := 0; i+8 < n; i += 8 {
			if *(*uint64)(unsafe.Add(pa, i)) != *(*uint64)(unsafe.Add(pb, i)) {
				return false
			}
		}
		return *(*uint64)(unsafe.Add(pa, n-8)) == *(*uint64)(unsafe.Add(pb, n-8))
	case n >= 4:
		return *(*uint32)(pa) == *(*uint32)(pb) && *(*uint32)(unsafe.Add(pa, n-4)) == *(*uint32)(unsafe.Add(pb, n-4))
	case n >= 2:
		return *(*uint16)(pa) == *(*uint16)(pb) && *(*uint16)(unsafe.Add(pa, n-2)) == *(*uint16)(unsafe.Add(pb, n-2))
	case n == 1:
		return *(*byte)(pa) == *(*byte)(pb)
	}
	return true
}
