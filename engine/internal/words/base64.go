package words

// DecodeBase64 appends the decoding of s to dst: the standard alphabet, or
// the URL-safe one's '-' and '_' (both may mix), with or without '='
// padding, ASCII white space anywhere ignored. ok is false, and dst comes
// back as it was, on any other byte, on data after padding, or on a length
// no encoding has.
func DecodeBase64(dst []byte, s string) (out []byte, ok bool) {
	n0 := len(dst)
	var acc uint32
	k, pad := 0, 0 // k: sextets in acc
	for i := 0; i < len(s); i++ {
		c := s[i]
		var v byte
		switch {
		case c >= 'A' && c <= 'Z':
			v = c - 'A'
		case c >= 'a' && c <= 'z':
			v = c - 'a' + 26
		case c >= '0' && c <= '9':
			v = c - '0' + 52
		case c == '+' || c == '-':
			v = 62
		case c == '/' || c == '_':
			v = 63
		case c == ' ' || c >= '\t' && c <= '\r':
			continue
		case c == '=':
			pad++
			continue
		default:
			return dst[:n0], false
		}
		if pad > 0 {
			return dst[:n0], false
		}
		acc = acc<<6 | uint32(v)
		if k++; k == 4 {
			dst = append(dst, byte(acc>>16), byte(acc>>8), byte(acc))
			acc, k = 0, 0
		}
	}
	// What a final group of k sextets holds, and the padding that may follow.
	switch {
	case k == 0 && pad == 0:
	case k == 2 && (pad == 0 || pad == 2):
		dst = append(dst, byte(acc>>4))
	case k == 3 && (pad == 0 || pad == 1):
		dst = append(dst, byte(acc>>10), byte(acc>>2))
	default:
		return dst[:n0], false
	}
	return dst, true
}
