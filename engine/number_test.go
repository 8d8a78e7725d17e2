package engine

import "testing"

func TestParseUnit(t *testing.T) {
	for _, c := range []struct {
		in       string
		down, up uint32
		ok       bool
	}{
		{"0", 0, 0, true},
		{"-0", 0, 0, true},
		{"1", confScale, confScale, true},
		{"1.000", confScale, confScale, true},
		{"0.7", 700_000_000, 700_000_000, true},
		{"7e-1", 700_000_000, 700_000_000, true},
		{"70E-2", 700_000_000, 700_000_000, true},
		{"0.0000000001", 0, 1, true},
		{"0.1234567891", 123_456_789, 123_456_790, true},
		{"1e-400", 0, 1, true},
		{"0.5e1", 0, 0, false},
		{"1.0000000001", 0, 0, false},
		{"2", 0, 0, false},
		{"-0.1", 0, 0, false},
		{"1e400", 0, 0, false},
		{"", 0, 0, false},
		{"1.", 0, 0, false},
		{".5", 0, 0, false},
		{"0.5x", 0, 0, false},
		{"1e", 0, 0, false},
	} {
		down, ok := parseUnit([]byte(c.in), false)
		up, ok2 := parseUnit([]byte(c.in), true)
		if ok != c.ok || ok2 != c.ok || ok && (down != c.down || up != c.up) {
			t.Errorf("parseUnit(%q) = %d/%d %v, want %d/%d %v", c.in, down, up, ok, c.down, c.up, c.ok)
		}
	}
}

// wholeAtLeast compares a result with a scored instrument's cut-off
// exactly, whatever the number's spelling.
func TestWholeAtLeast(t *testing.T) {
	for _, c := range []struct {
		raw, n string
		want   bool
	}{
		{"10", "10", true},
		{"9", "10", false},
		{"9.999999999999999999", "10", false},
		{"10.0", "10", true},
		{"21", "10", true},
		{"1e1", "10", true},
		{"0.1e2", "10", true},
		{"99e-1", "10", false},
		{"100e-1", "10", true},
		{"1e400", "10", true},
		{"1e-400", "0", true},
		{"1e-400", "1", false},
		{"0", "0", true},
		{"-0", "0", true},
		{"-0", "1", false},
		{"-12", "10", false},
		{"-12", "0", false},
		{"0.5", "0", true},
		{"0.5", "1", false},
		{"3", "3", true},
		{"2.5", "3", false},
		{"123456789012345678901", "999999999999999999", true},
		{"100", "99", true},
		{"09", "10", false},
	} {
		if got := wholeAtLeast([]byte(c.raw), c.n); got != c.want {
			t.Errorf("wholeAtLeast(%s, %s) = %v, want %v", c.raw, c.n, got, c.want)
		}
	}
}
