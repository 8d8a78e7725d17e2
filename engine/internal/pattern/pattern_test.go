package pattern

import (
	"regexp"
	"strings"
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
	// Every text Expand lists is one the pattern matches whole.
	if texts, ok := Expand(p, 64); ok {
		whole := regexp.MustCompile(`^(?:` + p + `)$`)
		for _, x := range texts {
			if !whole.MatchString(x) {
				t.Errorf("pattern %q expands to %q, which it does not match", p, x)
			}
		}
	}
	got, want := mine.Match(text), re.MatchString(text)
	if got != want {
		t.Errorf("pattern %q on %q: match %v, regexp %v", p, text, got, want)
	}
	// Find: Match's answer, and regexp's leftmost-longest span.
	start, end, ok := mine.Find(text)
	if ok != got {
		t.Errorf("pattern %q on %q: Find %v, Match %v", p, text, ok, got)
	}
	re.Longest()
	if loc := re.FindStringIndex(text); ok && (loc == nil || start != loc[0] || end != loc[1]) {
		t.Errorf("pattern %q on %q: Find [%d:%d], regexp %v", p, text, start, end, loc)
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

// Spans written out, beside regexp's: the leftmost start wins over a longer
// match starting later, and of one start the longest end wins.
func TestPatternFindSpans(t *testing.T) {
	for _, c := range []struct {
		p, text    string
		start, end int // -1: no match
	}{
		{"HIV", "Positive HIV-1 test", 9, 12},
		{"hiv", "Chives", -1, -1},
		{"psychotherapy notes?", "see Psychotherapy notes.", 4, 23},
		{"psychotherapy notes?", "psychotherapy notesx", -1, -1},
		{"drug|drug abuse", "history of drug abuse", 11, 21},
		{"abuse|drug abuse", "history of drug abuse", 11, 21},
		{"b c d|a b", "a b c d", 0, 3},
		{"a b c|b", "x a b c", 2, 7},
		{"a b c|b", "x a b d", 4, 5},
		{`\d+ mg`, "take 20 mg and 200 mg", 5, 10},
		{"a*", "bbb", 0, 0},
		{"a+", "b aaa", 2, 5},
		{"na\u00efve", "a Na\u00cfve patient", 2, 8},
		{"x", "", -1, -1},
	} {
		pat, err := Compile(c.p)
		if err != nil {
			t.Fatalf("%q: %v", c.p, err)
		}
		start, end, ok := pat.Find(c.text)
		if !ok {
			start, end = -1, -1
		}
		if start != c.start || end != c.end {
			t.Errorf("Find(%q) in %q = [%d:%d], want [%d:%d]", c.p, c.text, start, end, c.start, c.end)
		}
		checkPattern(t, c.p, c.text)
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

// Expand lists a finite pattern's texts, and refuses classes, repetition
// and too many texts.
func TestExpand(t *testing.T) {
	for _, c := range []struct {
		src  string
		want []string
	}{
		{"psychotherapy notes?", []string{"psychotherapy note", "psychotherapy notes"}},
		{"(my|her) (ex-)?partner hits?", []string{"my partner hit", "my partner hits", "my ex-partner hit", "my ex-partner hits",
			"her partner hit", "her partner hits", "her ex-partner hit", "her ex-partner hits"}},
		{"(?:a|b)c", []string{"ac", "bc"}},
		{"HIV", []string{"HIV"}},
		{"pre(-| )?exposure (p|P)rophylaxis", []string{"preexposure prophylaxis", "preexposure Prophylaxis", "pre-exposure prophylaxis",
			"pre-exposure Prophylaxis", "pre exposure prophylaxis", "pre exposure Prophylaxis"}},
		{"ab(c)?d(e|f)gh", []string{"abdegh", "abdfgh", "abcdegh", "abcdfgh"}},
		{"año(s)?", []string{"año", "años"}},
	} {
		got, ok := Expand(c.src, 100)
		if !ok || strings.Join(got, "|") != strings.Join(c.want, "|") {
			t.Errorf("%q: %q %v, want %q", c.src, got, ok, c.want)
		}
	}
	for _, src := range []string{"a+", "ab*", "[a-z]x", "\\dx", ".x", "(a|b)(c|d)(e|f)", "(a", "\\."} {
		if got, ok := Expand(src, 7); ok {
			t.Errorf("%q: expanded to %q", src, got)
		}
	}
}

// Finding allocates nothing with a kept Scratch once it has grown: a pack's
// patterns run on every text the engine reads.
func TestMatchAllocatesNothing(t *testing.T) {
	pat, err := Compile(`g\d\d? ?p\d\d[1-9]\d`)
	if err != nil {
		t.Fatal(err)
	}
	text := "34 year old G3P1021 at 12 weeks, no bleeding"
	if s, e, ok := pat.Find(text); !ok || text[s:e] != "G3P1021" {
		t.Fatalf("Find: %d %d %v", s, e, ok)
	}
	var sc Scratch
	if n := testing.AllocsPerRun(100, func() { pat.FindWith(&sc, text) }); n != 0 {
		t.Errorf("%v allocations a call, want 0", n)
	}
}

// A pattern whose first two characters are ASCII looks for them first;
// what it then finds is still regexp's answer. One that may match a single
// character, or start outside ASCII, has no such pairs.
func TestPairs(t *testing.T) {
	for p, ok := range map[string]bool{`g\d\d? ?p\d\d[1-9]\d`: true, `d&e`: true, `(cocaine|heroin) positive`: true, `a?`: false, `x|yz`: false, `é+`: false} {
		pat, err := Compile(p)
		if err != nil {
			t.Fatal(err)
		}
		if pat.pre.ok != ok {
			t.Errorf("%q: pairs %v, want %v", p, pat.pre.ok, ok)
		}
	}
	for _, text := range []string{"G3P1021", "g3 p1021 at 12 weeks", "G P1021", "gravida 3 para 1", "", "g", "xg12p1021"} {
		checkPattern(t, `g\d\d? ?p\d\d[1-9]\d`, text)
	}
}
