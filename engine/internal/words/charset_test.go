package words

import (
	"testing"
	"unicode/utf16"
)

func utf16Bytes(s string, be, bom bool) []byte {
	var out []byte
	units := utf16.Encode([]rune(s))
	if bom {
		units = append([]uint16{0xFEFF}, units...)
	}
	for _, u := range units {
		if be {
			out = append(out, byte(u>>8), byte(u))
		} else {
			out = append(out, byte(u), byte(u>>8))
		}
	}
	return out
}

func TestToUTF8(t *testing.T) {
	const text = "HIV positive, café 😀"
	for _, c := range []struct {
		name, ct string
		in       []byte
		want     string
		decoded  bool
	}{
		{"UTF-8 as it is", "text/plain", []byte(text), text, false},
		{"UTF-8 named", "text/plain; charset=UTF-8", []byte(text), text, false},
		{"UTF-8 byte order mark dropped", "text/plain", append([]byte{0xEF, 0xBB, 0xBF}, text...), text, false},
		{"UTF-16LE with its mark, named UTF-16", "text/plain; charset=utf-16", utf16Bytes(text, false, true), text, true},
		{"UTF-16BE with its mark, unnamed", "", utf16Bytes(text, true, true), text, true},
		{"UTF-16LE named, no mark", `text/plain; charset="UTF-16LE"`, utf16Bytes(text, false, false), text, true},
		{"UTF-16BE named, no mark", "text/plain;charset=utf-16be", utf16Bytes(text, true, false), text, true},
		{"UTF-16LE unnamed, no mark", "application/octet-stream", utf16Bytes(text, false, false), text, true},
		{"UTF-16 named, no mark, order from the bytes", "text/plain; charset=utf-16", utf16Bytes(text, false, false), text, true},
		{"UTF-16 named, no mark, undecidable: big-endian", "text/plain; charset=utf-16", utf16Bytes("éé", true, false), "éé", true},
		{"ISO-8859-1", "text/plain; charset=iso-8859-1", []byte("caf\xe9 HIV"), "café HIV", true},
		{"Windows-1252 quotes", "text/plain; charset=windows-1252", []byte("\x93HIV\x94 \x80"), "\u201cHIV\u201d €", true},
		{"not UTF-8, unnamed: Windows-1252", "text/plain", []byte("na\xefve"), "naïve", true},
		{"lone surrogate", "text/plain; charset=utf-16le", []byte{0x00, 0xD8, 'A', 0}, "\uFFFDA", true},
		{"odd last byte left out", "text/plain; charset=utf-16le", []byte{'A', 0, 'B'}, "A", true},
		{"empty, named UTF-16", "text/plain; charset=utf-16", nil, "", true},
	} {
		got, decoded := ToUTF8(nil, c.in, c.ct)
		if string(got) != c.want || decoded != c.decoded {
			t.Errorf("%s: got %q (decoded %v), want %q (decoded %v)", c.name, got, decoded, c.want, c.decoded)
		}
	}
}
