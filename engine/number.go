package engine

// Confidences and minConfidence are compared as fixed-point numbers with
// nine decimal places, parsed here from their JSON text. Decimal comparison
// makes a confidence of 0.7 meet a minConfidence of 0.7, which float32
// against float64 did not, and keeps strconv's float tables out of the
// WebAssembly module.
const confScale = 1_000_000_000

// decimal reads a JSON number as its significant digits, leading zeros
// dropped, and where the decimal point falls among them: the value is
// 0.digits × 10^point, below zero when neg. ok is false for anything that
// is not a JSON number.
func decimal(raw []byte) (digits []byte, point int, neg, ok bool) {
	i := 0
	if i < len(raw) && raw[i] == '-' {
		i++
	}
	neg = i == 1
	seen := false
	for ; i < len(raw) && isDigit(raw[i]); i++ {
		seen = true
		if len(digits) > 0 || raw[i] != '0' {
			digits = append(digits, raw[i])
			point++
		}
	}
	if i < len(raw) && raw[i] == '.' {
		i++
		frac := false
		for ; i < len(raw) && isDigit(raw[i]); i++ {
			frac = true
			if len(digits) > 0 || raw[i] != '0' {
				digits = append(digits, raw[i])
			} else {
				point--
			}
		}
		if !frac {
			return nil, 0, false, false
		}
	}
	if !seen {
		return nil, 0, false, false
	}
	if i < len(raw) && (raw[i] == 'e' || raw[i] == 'E') {
		i++
		sign := 1
		if i < len(raw) && (raw[i] == '+' || raw[i] == '-') {
			if raw[i] == '-' {
				sign = -1
			}
			i++
		}
		exp, any := 0, false
		for ; i < len(raw) && isDigit(raw[i]); i++ {
			any = true
			if exp < 10000 {
				exp = exp*10 + int(raw[i]-'0')
			}
		}
		if !any {
			return nil, 0, false, false
		}
		point += sign * exp
	}
	return digits, point, neg, i == len(raw)
}

// parseUnit reads a JSON number from 0 to 1 as a multiple of 1/confScale.
// Digits past the ninth decimal round up when up is set and down otherwise,
// so that each caller errs toward labeling more. ok is false for anything
// else.
func parseUnit(raw []byte, up bool) (v uint32, ok bool) {
	digits, point, neg, ok := decimal(raw)
	if !ok {
		return 0, false
	}
	for len(digits) > 0 && digits[len(digits)-1] == '0' {
		digits = digits[:len(digits)-1]
	}
	if len(digits) == 0 {
		return 0, true // zero, also -0
	}
	if neg || point > 1 || point == 1 && (digits[0] > '1' || len(digits) > 1) {
		return 0, false // below 0 or above 1
	}
	// value = 0.digits × 10^point; scaled by 10^9 its integer part is the
	// first point+9 digits.
	whole := point + 9
	var n uint64
	for k := 0; k < whole && k < len(digits); k++ {
		n = n*10 + uint64(digits[k]-'0')
	}
	for k := len(digits); k < whole; k++ {
		n *= 10
	}
	if up && len(digits) > max(whole, 0) {
		n++
	}
	return uint32(n), true
}

// wholeAtLeast reports whether the JSON number raw is at least the whole
// number n (decimal digits, no leading zero): its whole part, the digits
// before its decimal point, compared as a decimal string. Exact for any
// precision, and without strconv's float tables (above).
func wholeAtLeast(raw []byte, n string) bool {
	digits, point, neg, ok := decimal(raw)
	switch {
	case !ok:
		return false
	case len(digits) == 0:
		return n == "0" // the value is zero
	case neg:
		return false
	case point <= 0:
		return n == "0" // a fraction below one
	case point != len(n):
		return point > len(n)
	}
	for j := 0; j < point; j++ {
		c := byte('0')
		if j < len(digits) {
			c = digits[j]
		}
		if c != n[j] {
			return c > n[j]
		}
	}
	return true
}

// whole reads text of decimal digits alone (a JSON number or string) as an
// int, as strconv.Atoi would but refusing a sign and anything past 18
// digits: ok is false for those, a fraction, an exponent or nothing.
// strconv's parsers would bring their error type, and its quoting tables,
// into the module.
func whole(s string) (n int, ok bool) {
	if s == "" || len(s) > 18 {
		return 0, false
	}
	for i := 0; i < len(s); i++ {
		if !isDigit(s[i]) {
			return 0, false
		}
		n = n*10 + int(s[i]-'0')
	}
	return n, true
}
