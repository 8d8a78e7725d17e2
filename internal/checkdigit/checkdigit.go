// Package checkdigit checks the check digits that end SNOMED CT
// identifiers (Verhoeff) and LOINC codes (mod 10), so that the engine and
// the pack generator judge a code's shape alike.
package checkdigit

// Verhoeff reports whether s is digits ending in their Verhoeff check
// digit, as every SNOMED CT identifier does.
func Verhoeff(s string) bool {
	c := uint8(0)
	for i := len(s) - 1; i >= 0; i-- {
		d := s[i]
		if d < '0' || d > '9' {
			return false
		}
		c = verhoeffD[c][verhoeffP[(len(s)-1-i)%8][d-'0']]
	}
	return s != "" && c == 0
}

// The Verhoeff scheme's tables: the dihedral group D5's multiplication and
// the position permutations.
var verhoeffD = [10][10]uint8{
	{0, 1, 2, 3, 4, 5, 6, 7, 8, 9}, {1, 2, 3, 4, 0, 6, 7, 8, 9, 5}, {2, 3, 4, 0, 1, 7, 8, 9, 5, 6},
	{3, 4, 0, 1, 2, 8, 9, 5, 6, 7}, {4, 0, 1, 2, 3, 9, 5, 6, 7, 8}, {5, 9, 8, 7, 6, 0, 4, 3, 2, 1},
	{6, 5, 9, 8, 7, 1, 0, 4, 3, 2}, {7, 6, 5, 9, 8, 2, 1, 0, 4, 3}, {8, 7, 6, 5, 9, 3, 2, 1, 0, 4},
	{9, 8, 7, 6, 5, 4, 3, 2, 1, 0},
}

var verhoeffP = [8][10]uint8{
	{0, 1, 2, 3, 4, 5, 6, 7, 8, 9}, {1, 5, 7, 6, 2, 8, 3, 0, 9, 4}, {5, 8, 0, 3, 7, 9, 6, 1, 4, 2},
	{8, 9, 1, 6, 0, 4, 3, 5, 2, 7}, {9, 4, 5, 3, 1, 2, 6, 8, 7, 0}, {4, 2, 8, 6, 5, 7, 3, 9, 0, 1},
	{2, 7, 9, 3, 8, 0, 6, 4, 1, 5}, {7, 0, 4, 6, 9, 1, 3, 2, 5, 8},
}

// LOINCDigit is the check digit LOINC computes over a code's number, its
// digits before the hyphen (LOINC Users' Guide, the mod 10 algorithm:
// the digits in odd places from the right doubled, the digits of all
// summed, the check digit bringing the sum to a multiple of 10). Doubling
// the odd digits read as one number, as the guide writes it, gives the
// same digit sum as doubling each. 0 when num is not digits.
func LOINCDigit(num string) byte {
	sum := 0
	for i := len(num) - 1; i >= 0; i-- {
		d := int(num[i]) - '0'
		if d < 0 || d > 9 {
			return 0
		}
		if (len(num)-1-i)%2 == 0 {
			if d *= 2; d > 9 {
				d -= 9
			}
		}
		sum += d
	}
	if num == "" {
		return 0
	}
	return byte('0' + (10-sum%10)%10)
}

// LOINC reports whether code is a LOINC code's shape, digits, a hyphen and
// the check digit of the digits, with at most maxNum digits before the
// hyphen (0: any number).
func LOINC(code string, maxNum int) bool {
	i := len(code) - 2
	if i < 1 || code[i] != '-' || maxNum > 0 && i > maxNum {
		return false
	}
	d := LOINCDigit(code[:i])
	return d != 0 && d == code[i+1]
}
