package checkdigit

import "testing"

func TestVerhoeff(t *testing.T) {
	for _, s := range []string{"86406008", "165816005", "5602001", "724713006", "10626002"} { // SNOMED CT concepts
		if !Verhoeff(s) {
			t.Errorf("%s: the Verhoeff check fails", s)
		}
	}
	for _, s := range []string{"86406009", "86406080", "165816050", "", "8640600x"} {
		if Verhoeff(s) {
			t.Errorf("%q: the Verhoeff check passes", s)
		}
	}
}

func TestLOINC(t *testing.T) {
	for _, c := range []struct {
		num  string
		want byte
	}{{"12345", '5'}, {"7917", '8'}, {"5221", '7'}, {"75622", '1'}, {"11491", '8'}, {"20447", '9'}, {"", 0}, {"12a", 0}} {
		// 11491-6 is one of the LOINC codes whose published check digit
		// the algorithm does not give.
		if got := LOINCDigit(c.num); got != c.want {
			t.Errorf("%q: check digit %q, want %q", c.num, got, c.want)
		}
	}
	for _, c := range []struct {
		code string
		max  int
		want bool
	}{{"20447-9", 7, true}, {"7917-8", 0, true}, {"7917-7", 0, false}, {"12345678-5", 7, false}, {"-5", 0, false}, {"20447-", 0, false}, {"204479", 0, false}} {
		if got := LOINC(c.code, c.max); got != c.want {
			t.Errorf("LOINC(%q, %d) = %v", c.code, c.max, got)
		}
	}
}
