package engine

// Confidences and minConfidence are compared as fixed-point numbers with
// nine decimal places, parsed here from their JSON text. Decimal comparison
// makes a confidence of 0.7 meet a minConfidence of 0.7, which float32
// against float64 did not, and keeps strconv's float tables out of the
// WebAssembly module.
const confScale = 1_000_000_000

// parseUnit reads a JSON number from 0 to 1 as a multiple of 1/confScale.
// Digits past the ninth decimal round up when up is set and down otherwise,
// so that each caller errs toward labeling more. ok is false for anything
// else.
func parseUnit(raw []byte, up bool) (v uint32, ok bool) {
	i := 0
	if i < len(raw) && raw[i] == '-' {
		i++
	}
	neg := i == 1
	var digits []byte // significant digits, leading zeros dropped
	point := 0        // digits before the decimal point, counted into digits
	seen := false
	for ; i < len(raw) && raw[i] >= '0' && raw[i] <= '9'; i++ {
		seen = true
		if len(digits) > 0 || raw[i] != '0' {
			digits = append(digits, raw[i])
			point++
		}
	}
	if i < len(raw) && raw[i] == '.' {
		i++
		frac := false
		for ; i < len(raw) && raw[i] >= '0' && raw[i] <= '9'; i++ {
			frac = true
			if len(digits) > 0 || raw[i] != '0' {
				digits = append(digits, raw[i])
			} else {
				point--
			}
		}
		if !frac {
			return 0, false
		}
	}
	if !seen {
		return 0, false
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
		for ; i < len(raw) && raw[i] >= '0' && raw[i] <= '9'; i++ {
			any = true
			if exp < 10000 {
				exp = exp*10 + int(raw[i]-'0')
			}
		}
		if !any {
			return 0, false
		}
		point += sign * exp
	}
	if i != len(raw) {
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
// number n (decimal digits, no leading zero): its whole part, read as
// digits with the exponent applied, compared as a decimal string. Exact
// for any precision, and without strconv's float tables (above).
func wholeAtLeast(raw []byte, n string) bool {
	i := 0
	neg := i < len(raw) && raw[i] == '-'
	if neg {
		i++
	}
	var mant []byte // significant digits, leading zeros dropped
	point := 0      // digits of mant before the decimal point
	for ; i < len(raw) && isDigit(raw[i]); i++ {
		if len(mant) > 0 || raw[i] != '0' {
			mant = append(mant, raw[i])
			point++
		}
	}
	if i < len(raw) && raw[i] == '.' {
		for i++; i < len(raw) && isDigit(raw[i]); i++ {
			if len(mant) > 0 || raw[i] != '0' {
				mant = append(mant, raw[i])
			} else {
				point--
			}
		}
	}
	if i < len(raw) && (raw[i] == 'e' || raw[i] == 'E') {
		i++
		eneg := i < len(raw) && raw[i] == '-'
		if i < len(raw) && (raw[i] == '-' || raw[i] == '+') {
			i++
		}
		e := 0
		for ; i < len(raw) && isDigit(raw[i]); i++ {
			if e < 1<<20 {
				e = e*10 + int(raw[i]-'0')
			}
		}
		if eneg {
			e = -e
		}
		point += e
	}
	if len(mant) == 0 {
		return n == "0" // the value is zero
	}
	if neg {
		return false
	}
	if point <= 0 {
		return n == "0" // a fraction below one
	}
	if point > len(n) {
		return true
	}
	if point < len(n) {
		return false
	}
	whole := mant[:min(point, len(mant))]
	for j := 0; j < point; j++ {
		c := byte('0')
		if j < len(whole) {
			c = whole[j]
		}
		if c != n[j] {
			return c > n[j]
		}
	}
	return true
}
