package words

import (
	"bytes"
	"encoding/base64"
	"math/rand/v2"
	"strings"
	"testing"
)

func TestDecodeBase64(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	encodings := []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding}
	for n := range 200 {
		data := make([]byte, n%67)
		for i := range data {
			data[i] = byte(rng.UintN(256))
		}
		for _, enc := range encodings {
			s := enc.EncodeToString(data)
			if n%3 == 1 { // white space anywhere
				var b strings.Builder
				for i := range len(s) {
					if rng.UintN(4) == 0 {
						b.WriteString([]string{" ", "\n", "\r\n", "\t"}[rng.UintN(4)])
					}
					b.WriteByte(s[i])
				}
				b.WriteString("\n")
				s = b.String()
			}
			got, ok := DecodeBase64([]byte("x"), s)
			if !ok || !bytes.Equal(got, append([]byte("x"), data...)) {
				t.Fatalf("DecodeBase64(%q) = %x, %v, want %x", s, got, ok, data)
			}
		}
	}
	for _, s := range []string{"A", "AB=", "ABC==", "ABCD=", "AB==C", "AB=C", "A===", "AB*D", "AB\x00D", "ABCDE", "AB=\n=x", "Zm9v\xff", "=", "===="} {
		if got, ok := DecodeBase64([]byte("x"), s); ok || string(got) != "x" {
			t.Errorf("DecodeBase64(%q) = %q, %v", s, got, ok)
		}
	}
	for s, want := range map[string]string{"": "", " \n": "", "Zm9v": "foo", "Zm8": "fo", "Zm8=": "fo", "Zg": "f", "Zg==": "f", "Zg=\n=": "f", "-_-_": "\xfb\xff\xbf", "+/+/": "\xfb\xff\xbf"} {
		if got, ok := DecodeBase64(nil, s); !ok || string(got) != want {
			t.Errorf("DecodeBase64(%q) = %q, %v, want %q", s, got, ok, want)
		}
	}
}

func FuzzDecodeBase64(f *testing.F) {
	for _, s := range []string{"Zm9v", "Zm8=", "Zg", "-_", "A", "AB=C", " Z m 9 v \n"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, ok := DecodeBase64(nil, s)
		// The standard decoder after white space is gone, padding added
		// where it was left off, and the URL-safe letters made standard.
		clean := strings.Map(func(r rune) rune {
			switch r {
			case ' ', '\t', '\n', '\v', '\f', '\r':
				return -1
			case '-':
				return '+'
			case '_':
				return '/'
			}
			return r
		}, s)
		if !strings.Contains(clean, "=") && len(clean)%4 != 0 {
			clean += strings.Repeat("=", 4-len(clean)%4)
		}
		want, err := base64.StdEncoding.DecodeString(clean)
		if ok != (err == nil) || ok && !bytes.Equal(got, want) {
			t.Errorf("DecodeBase64(%q) = %x, %v; encoding/base64 on %q: %x, %v", s, got, ok, clean, want, err)
		}
	})
}
