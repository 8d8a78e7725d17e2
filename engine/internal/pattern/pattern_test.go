package pattern

import (
	"regexp"
	"testing"
)

// The pattern language is a subset of Go's regular expressions; wrapped as
// (?i)\b(?:p)\b, package regexp is the reference for every pattern both
// accept.
func checkPattern(t *testing.T, p, text string) {
	t.Helper()
	mine, err := Compile(p)
	re, reErr := regexp.Compile(`(?i)\b(?:` + p + `)\b`)
	if err != nil {
		return // outside the subset; the rejection itself is tested below
	}
	if reErr != nil {
		t.Fatalf("pattern %q compiles here but not in regexp: %v", p, reErr)
	}
	if got, want := mine.Match(text), re.MatchString(text); got != want {
		t.Errorf("pattern %q on %q: match %v, regexp %v", p, text, got, want)
	}
}

var patternSeeds = []struct{ p, text string }{
	{"HIV", "HIV infection"},
	{"hiv", "Chives"},
	{"psychotherapy notes?", "Psychotherapy note"},
	{"psychotherapy notes?", "psychotherapy notes, 2020"},
	{"psychotherapy notes?", "psychotherapy notesx"},
	{"post-traumatic stress disorder", "Post-traumatic stress disorder (PTSD)"},
	{"drug (abuse|dependence)", "Drug dependence"},
	{"(?:alcohol|opioid) use disorder", "mild opioid use disorder"},
	{"[a-c]+x", "ABCX"},
	{"[^a-c]x", "dx"},
	{"[^a-c]x", "Ax"},
	{`\d+ mg`, "take 20 mg daily"},
	{`\w+ose`, "glucose overdose"},
	{`\D\S\W`, "a-b"},
	{"a.c", "a\nc"},
	{"a.c", "a\u00e9c"},
	{"caf\u00e9", "CAF\u00c9 noir"},
	{"a*", ""},
	{"a*", "bbb"},
	{"(a|)", "x"},
	{"x+?", "xx"},
	{`\(`, "a (b"},
	{`c\+\+`, "c++ code"},
	{"ab|cd", "xcd"},
	{"((a)|b)+c", "ababc"},
	{"k", "\u212a"},
	{"s", "\u017f"},
	{"abc", "ab\xffabc"},
}

func TestPatternMatchesRegexp(t *testing.T) {
	for _, s := range patternSeeds {
		checkPattern(t, s.p, s.text)
	}
}

func TestPatternRejects(t *testing.T) {
	for _, p := range []string{"(", ")", "a)", "(?i)a", "*a", "a**", "a+?b*+", "[a", "[z-a]", `\`, `\b`, `a{2}`, "^a", "a$", `\1`} {
		if _, err := Compile(p); err == nil {
			t.Errorf("pattern %q compiled", p)
		}
	}
	deep := ""
	for range 200 {
		deep += "("
	}
	if _, err := Compile(deep); err == nil {
		t.Error("deep nesting compiled")
	}
}

func FuzzPattern(f *testing.F) {
	for _, s := range patternSeeds {
		f.Add(s.p, s.text)
	}
	f.Fuzz(func(t *testing.T, p, text string) {
		checkPattern(t, p, text)
	})
}
