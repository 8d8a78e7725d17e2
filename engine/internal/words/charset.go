package words

import (
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

// ToUTF8 returns the text in b as UTF-8, decoded from the character set
// its content type's charset parameter names (ct, whole: "text/plain;
// charset=utf-16"), or from what its bytes show when it names none, so that
// an attachment written by a Windows program is read, not skipped:
//   - a byte order mark decides (UTF-8's is dropped, UTF-16's of either
//     order decodes the rest);
//   - UTF-16 named without one, or bytes whose first or second is NUL
//     beside an ASCII character (what UTF-16 text of Latin letters starts
//     with), decode as UTF-16 of that order (big-endian when the bytes do
//     not say: RFC 2781);
//   - any other bytes that are not UTF-8 decode as Windows-1252, which
//     ISO-8859-1 and US-ASCII text also reads as, and whose ASCII part is
//     the same in every single-byte set: a letter in another set may be
//     missed, an English word never is.
//
// UTF-8 comes back as it is, without copying (decoded false); decoded
// text is appended to dst[:0].
func ToUTF8(dst, b []byte, ct string) (out []byte, decoded bool) {
	cs := charset(ct)
	switch {
	case len(b) >= 3 && b[0] == 0xEF && b[1] == 0xBB && b[2] == 0xBF:
		return ToUTF8(dst, b[3:], "")
	case len(b) >= 2 && b[0] == 0xFF && b[1] == 0xFE:
		return fromUTF16(dst[:0], b[2:], false), true
	case len(b) >= 2 && b[0] == 0xFE && b[1] == 0xFF:
		return fromUTF16(dst[:0], b[2:], true), true
	case cs == "utf-16le", cs == "utf-16be":
		return fromUTF16(dst[:0], b, cs == "utf-16be"), true
	case cs == "utf-16" || cs == "" && len(b) >= 2 && len(b)%2 == 0 && (b[0] == 0) != (b[1] == 0) && b[0]|b[1] < 0x80:
		return fromUTF16(dst[:0], b, len(b) < 2 || b[0] == 0 || b[1] != 0), true
	case utf8.Valid(b):
		return b, false
	}
	dst = dst[:0]
	for _, c := range b {
		if c >= 0x80 && c < 0xA0 {
			dst = utf8.AppendRune(dst, rune(cp1252[c-0x80]))
		} else {
			dst = utf8.AppendRune(dst, rune(c))
		}
	}
	return dst, true
}

// charset is the charset parameter of content type ct, in lower case,
// with its common aliases for UTF-16 put to their names.
func charset(ct string) string {
	_, params, _ := strings.Cut(ct, ";")
	for params != "" {
		var p string
		p, params, _ = strings.Cut(params, ";")
		k, v, _ := strings.Cut(p, "=")
		if strings.EqualFold(strings.TrimSpace(k), "charset") {
			v = strings.ToLower(strings.Trim(strings.TrimSpace(v), `"`))
			return strings.Replace(strings.TrimPrefix(v, "x-"), "utf16", "utf-16", 1)
		}
	}
	return ""
}

// fromUTF16 appends the UTF-16 text b (big-endian when be) to dst, an odd
// last byte left out and unpaired surrogates read as U+FFFD.
func fromUTF16(dst, b []byte, be bool) []byte {
	for i := 0; i+1 < len(b); i += 2 {
		u := rune(b[i]) | rune(b[i+1])<<8
		if be {
			u = rune(b[i])<<8 | rune(b[i+1])
		}
		if utf16.IsSurrogate(u) && i+3 < len(b) {
			v := rune(b[i+2]) | rune(b[i+3])<<8
			if be {
				v = rune(b[i+2])<<8 | rune(b[i+3])
			}
			if r := utf16.DecodeRune(u, v); r != utf8.RuneError {
				dst = utf8.AppendRune(dst, r)
				i += 2
				continue
			}
		}
		dst = utf8.AppendRune(dst, u) // a lone surrogate is not UTF-8: AppendRune writes U+FFFD
	}
	return dst
}

// cp1252 is what Windows-1252 puts at 0x80-0x9F, where ISO-8859-1 has
// control characters (the five it leaves undefined read as U+FFFD).
var cp1252 = [32]uint16{
	0x20AC, 0xFFFD, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0xFFFD, 0x017D, 0xFFFD,
	0xFFFD, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0xFFFD, 0x017E, 0xFFFD,
}
