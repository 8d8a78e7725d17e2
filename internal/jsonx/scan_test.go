package jsonx

import (
	"errors"
	"strings"
	"testing"
	"unicode/utf16"
	"unicode/utf8"
)

// TestParseChecksUTF8 holds the UTF-8 check that string scanning does:
// every sequence, valid or not, at every offset within an eight-byte word,
// in a member name and in a value, before and after escapes, decides as
// utf8.Valid does; and invalid UTF-8 is the error reported, at its first
// byte, even where the parser would have stopped earlier on something else.
func TestParseChecksUTF8(t *testing.T) {
	seqs := []string{
		"é", "€", "😀", "\u07ff", "\uffff", // valid: two, three and four bytes, edges
		"\xff", "\x80", "\xc3", "\xc3(", "\xe2\x82", "\xf0\x9f\x98", // invalid: stray, truncated
		"\xc0\xaf", "\xe0\x80\xaf", "\xed\xa0\x80", "\xf4\x90\x80\x80", // overlong, surrogate, past U+10FFFF
	}
	var d Doc
	for _, seq := range seqs {
		valid := utf8.ValidString(seq)
		for pad := 0; pad < 17; pad++ {
			text := strings.Repeat("a", pad) + seq + strings.Repeat("b", 17-pad)
			for _, form := range []string{
				`{"k":"` + text + `"}`,
				`{"` + text + `":1}`,
				`["x\n` + text + `"]`,
				`"` + text + `\u00e9` + text + `"`,
			} {
				err := d.Parse([]byte(form), 10)
				if valid && err != nil {
					t.Errorf("Parse(%q) = %v, want ok", form, err)
				}
				if valid {
					continue
				}
				var se *SyntaxError
				if !errors.As(err, &se) || se.Msg != "invalid UTF-8" {
					t.Errorf("Parse(%q) = %v, want invalid UTF-8", form, err)
				} else if want := strings.Index(form, seq); se.Offset != want {
					t.Errorf("Parse(%q): invalid UTF-8 at %d, want at %d", form, se.Offset, want)
				}
			}
		}
	}
	// Invalid UTF-8 behind an earlier syntax error, a depth error and
	// outside any string: the UTF-8 error is the one reported.
	for _, s := range []string{`{"a":tru, "b":"` + "\xff" + `"}`, `[[[[[[[[[[[["` + "\xff" + `"]]]]]]]]]]]]`, "[1,\xff]", "\xef\xbb\xbf{}"[:2] + "{}"} {
		var se *SyntaxError
		if err := d.Parse([]byte(s), 10); !errors.As(err, &se) || se.Msg != "invalid UTF-8" {
			t.Errorf("Parse(%q) = %v, want invalid UTF-8", s, err)
		}
	}
	// Valid non-ASCII outside a string is a syntax error like any other.
	if err := d.Parse([]byte("[1,é]"), 10); err == nil || strings.Contains(err.Error(), "UTF-8") {
		t.Errorf("Parse(%q) = %v, want a syntax error", "[1,é]", err)
	}
}

// TestFlagged holds that Flagged finds, within one value and nowhere
// else, what Watched and Underscored find in the whole input: a watched
// string (escaped or not) and a member name starting with '_' or an escape.
func TestFlagged(t *testing.T) {
	src := `{"a":{"x":"W"},"b":{"y":["z",{"u":"W\/"}]},"c":{"_v":{}},"d":{"\u005fw":1},"e":{"k":"not W","W":1},"f":[]}`
	var d Doc
	d.Watch = "W/"
	if err := d.Parse([]byte(src), 10); err != nil {
		t.Fatal(err)
	}
	want := map[string]bool{"a": false, "b": true, "c": true, "d": true, "e": false, "f": false}
	for name, w := range want {
		if got := d.Flagged(d.Get(0, name)); got != w {
			t.Errorf("Flagged(%s) = %v, want %v", name, got, w)
		}
	}
	if !d.Flagged(0) || !d.Watched || !d.Underscored {
		t.Errorf("the whole input: Flagged %v, Watched %v, Underscored %v, want all true", d.Flagged(0), d.Watched, d.Underscored)
	}
	// A reused Doc forgets the marks of its last input.
	if err := d.Parse([]byte(`{"a":{"x":"y"}}`), 10); err != nil || d.Flagged(0) {
		t.Errorf("after a second Parse: Flagged %v, err %v, want false", d.Flagged(0), err)
	}
}

// TestUTF16Len holds the word-at-a-time count against the UTF-16 encoding
// itself, for text of every mix of one- to four-byte characters, at every
// offset within a word.
func TestUTF16Len(t *testing.T) {
	chars := []string{"a", "\"", "é", "ߟ", "€", "\uffff", "😀", "\U0010ffff"}
	for seed := 0; seed < 3000; seed++ {
		var b strings.Builder
		for k, x := 0, uint(seed); k < seed%40; k++ {
			b.WriteString(chars[x%uint(len(chars))])
			x = x*7 + uint(k) + 1
		}
		s := b.String()
		if got, want := UTF16Len([]byte(s)), len(utf16.Encode([]rune(s))); got != want {
			t.Fatalf("UTF16Len(%q) = %d, want %d", s, got, want)
		}
	}
}
