package words

import (
	"cmp"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
)

// The matcher is checked against a plain one: every term tried at every
// word, words folded by a table of their own.

type refWord struct {
	start, end int
	raw, fold  string
}

var refFolds = map[rune]string{}

func init() {
	for from, to := range map[string]string{
		"àáâãäå": "a", "ç": "c", "èéêë": "e", "ìíîï": "i", "ñ": "n", "òóôõöø": "o",
		"ùúûü": "u", "ýÿ": "y", "œ": "oe", "æ": "ae", "ß": "ss",
	} {
		for _, r := range from {
			refFolds[r] = to
		}
	}
}

func refFold(w string) string {
	var b strings.Builder
	for _, r := range w {
		r = unicode.ToLower(r)
		if s, ok := refFolds[r]; ok {
			b.WriteString(s)
		} else {
			b.WriteRune(r)
		}
	}
	return b.String()
}

func isLetterDigit(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) }

func refWords(s string) []refWord {
	var ws []refWord
	start := -1
	for i, r := range s + " " {
		if r == utf8.RuneError {
			// Invalid bytes, each on its own, separate words.
			_, size := utf8.DecodeRuneInString((s + " ")[i:])
			if size == 1 {
				r = ' '
			}
		}
		inside := isLetterDigit(r)
		if inside && start < 0 {
			start = i
		} else if !inside && start >= 0 {
			ws = append(ws, refWord{start, i, s[start:i], refFold(s[start:i])})
			start = -1
		}
		if r == '+' && refPlusMark(s, i) {
			ws = append(ws, refWord{i, i + 1, "+", "positive"})
		}
	}
	return ws
}

// refPlusMark: a '+' is a word, "positive", unless a byte beside it is a
// digit, '+', '/' or '-', or both bytes beside it are ASCII letters or
// digits.
func refPlusMark(s string, i int) bool {
	prev, next := byte(' '), byte(' ')
	if i > 0 {
		prev = s[i-1]
	}
	if i+1 < len(s) {
		next = s[i+1]
	}
	alnum := func(c byte) bool { return c < utf8.RuneSelf && isLetterDigit(rune(c)) }
	for _, c := range []byte{prev, next} {
		if c >= '0' && c <= '9' || c == '+' || c == '/' || c == '-' {
			return false
		}
	}
	return !(alnum(prev) && alnum(next))
}

type span struct {
	start, end int
	id         int32
}

func refFind(terms []Term, text string) []span {
	tw := refWords(text)
	var out []span
	for _, term := range terms {
		src, exact := strings.CutPrefix(term.Text, "=")
		forms := []string{src}
		if !exact {
			// the documented variants: the head before "of" in the
			// plural, a last "disorder" as "d/o"
			if v, ok := headPlural(src); ok {
				forms = append(forms, v)
			}
			if v, ok := disorderShort(src); ok {
				forms = append(forms, v)
			}
		}
		caps, sLast := capsLast(src), strings.HasSuffix(strings.ToLower(src), "s")
		for _, form := range forms {
			ws := refWords(form)
			for i := 0; i+len(ws) <= len(tw); i++ {
				ok := len(ws) > 0
				for k, w := range ws {
					got, last := tw[i+k], k == len(ws)-1
					switch {
					case exact:
						// an exact term's plural takes a lower-case "s",
						// unless it ends in s already
						ok = ok && (got.raw == w.raw || last && !sLast && len(got.raw) > 2 && got.raw == w.raw+"s")
					case last:
						ok = ok && (got.fold == w.fold || got.fold == w.fold+"s" || !caps && refPluralES(got.fold, w.fold))
					default:
						ok = ok && got.fold == w.fold
					}
				}
				if ok {
					out = append(out, span{tw[i].start, tw[i+len(ws)-1].end, term.ID})
				}
			}
		}
	}
	return out
}

// refPluralES reports whether word is base's plural in "es", or in "ies"
// for a base in consonant and "y" ("anomalies"), as Find reads a term's
// last word; a word in consonant and "ies" is read only the second way.
func refPluralES(word, base string) bool {
	n := len(word)
	if n > 4 && strings.HasSuffix(word, "ies") && !vowel(word[n-4]) {
		return word[:n-3]+"y" == base
	}
	return n > 2 && word == base+"es"
}

func compareSpans(a, b span) int {
	return cmp.Or(cmp.Compare(a.start, b.start), cmp.Compare(a.end, b.end), cmp.Compare(a.id, b.id))
}

var fuzzTerms = []Term{
	{Text: "HIV", ID: 1}, {Text: "HIV-1", ID: 2}, {Text: "post traumatic stress disorder", ID: 3},
	{Text: "stress", ID: 4, ScreeningBroad: true}, {Text: "stress disorder", ID: 5}, {Text: "=AIDS", ID: 6},
	{Text: "=HIV", ID: 7}, {Text: "naïve", ID: 8}, {Text: "abscess", ID: 9}, {Text: "s", ID: 10},
	{Text: "a b a", ID: 11}, {Text: "艾滋病", ID: 12}, {Text: "drug use", ID: 13, ScreeningBroad: true},
	{Text: "no", ID: 14}, {Text: "gonorrhœa", ID: 15}, {Text: "ß", ID: 16}, {Text: "x y z w v u t", ID: 17},
	{Text: "=Straße", ID: 18}, {Text: "cafe\u0301", ID: 19}, {Text: "hiv", ID: 20},
}

func FuzzFind(f *testing.F) {
	for _, s := range []string{
		"Denies HIV-1; mother has post-traumatic stress disorders.", "no AIDS, aids, STRASSE Straße",
		"a b a b a", "x y z w v u t", "艾滋病检测 艾滋病", "abscesses ss s es", "GONORRHOEA naive café",
		"HIV\xffno\u00a0drug—use", "screening for stress; if drug uses", "HIV 0.35 negative. no\nHIV",
	} {
		f.Add(s, "")
	}
	f.Add("Kaposi's sarcomas, if any", "kaposi s sarcoma|=Kaposi|if any")
	var fd Finder
	f.Fuzz(func(t *testing.T, text, more string) {
		// The fixed terms, and up to 8 more, '|' between them.
		terms := slices.Clone(fuzzTerms)
		for i, s := range strings.SplitN(more, "|", 8) {
			if s != "" {
				terms = append(terms, Term{Text: s, ID: int32(100 + i), ScreeningBroad: i%2 == 0})
			}
		}
		l, err := Compile(terms)
		if err != nil {
			for _, term := range terms {
				if len(refWords(strings.TrimPrefix(term.Text, "="))) == 0 {
					return
				}
			}
			t.Fatalf("Compile: %v", err)
		}
		ms := fd.Find(l, text, nil)
		wordStarts, wordEnds := map[int]bool{}, map[int]bool{}
		for _, w := range refWords(text) {
			wordStarts[w.start], wordEnds[w.end] = true, true
		}
		got := make([]span, len(ms))
		for i, m := range ms {
			got[i] = span{m.Start, m.End, m.ID}
			if m.Start < 0 || m.End > len(text) || m.Start >= m.End {
				t.Fatalf("%q: match %+v out of the text", text, m)
			}
			if !wordStarts[m.Start] || !wordEnds[m.End] {
				t.Errorf("%q: match %+v (%q) not on word boundaries", text, m, text[m.Start:m.End])
			}
			if !strings.Contains(text, m.Trigger) || (m.Reason == Kept) != (m.Trigger == "") || m.Reason > Hypothetical {
				t.Errorf("%q: match %+v", text, m)
			}
			if i > 0 && (m.Start < ms[i-1].Start || m.Start == ms[i-1].Start && m.End < ms[i-1].End) {
				t.Errorf("%q: matches out of order: %+v", text, ms)
			}
		}
		// As the answer to a question about work, the same matches come,
		// each judged as before or named a job.
		fd.Job = "Occupation"
		defer func() { fd.Job = "" }()
		jm := fd.Find(l, text, nil)
		fd.Job = ""
		if len(jm) != len(ms) {
			t.Fatalf("%q: %d matches as an answer, %d alone", text, len(jm), len(ms))
		}
		for i, m := range jm {
			if m.Start != ms[i].Start || m.End != ms[i].End || m.ID != ms[i].ID ||
				m.Reason != ms[i].Reason && (m.Reason != OtherSense || m.Trigger != "Occupation") {
				t.Errorf("%q: as an answer %+v, alone %+v", text, m, ms[i])
			}
		}
		want := refFind(terms, text)
		slices.SortFunc(got, compareSpans)
		slices.SortFunc(want, compareSpans)
		if !slices.Equal(got, want) {
			t.Errorf("%q: found %v, want %v", text, got, want)
		}
	})
}

// benchTerms makes n terms of one to four made-up words, none of them
// English or clinical.
func benchTerms(n int) []Term {
	rng := rand.New(rand.NewPCG(3, 4))
	syllables := []string{"zor", "vex", "qua", "mip", "lur", "dax", "ko", "fen", "tri", "zul", "bex", "ny", "gop", "wra", "jil"}
	terms := make([]Term, n)
	for i := range terms {
		var b strings.Builder
		for w := range 1 + rng.IntN(4) {
			if w > 0 {
				b.WriteByte(' ')
			}
			for range 2 + rng.IntN(3) {
				b.WriteString(syllables[rng.IntN(len(syllables))])
			}
		}
		terms[i] = Term{Text: b.String(), ID: int32(i % 300), ScreeningBroad: i%5 == 0}
	}
	return terms
}

// clinicalTerms occur in note.
var clinicalTerms = []string{
	"depression", "HIV", "HIV infection", "drug use", "alcohol use disorder", "schizophrenia",
	"suicidal ideation", "=PrEP", "chlamydia", "gonorrhea", "post-traumatic stress disorder", "assault",
	"sertraline", "escitalopram", "psychotherapy", "contraception", "levonorgestrel", "IUD", "pregnancy",
	"condom", "safer sex", "=RPR", "mood",
}

const note = `Patient is a 34 year old female presenting for follow-up. History of present illness: she reports low mood and poor sleep for three weeks. Denies suicidal ideation. No history of drug use; drinks alcohol socially, 2 drinks per week. Mother has schizophrenia and father had alcohol use disorder. HIV screening test was negative in 2021; RPR nonreactive. She is at risk of HIV due to a partner with HIV infection, and PrEP was discussed. Chlamydia and gonorrhea NAAT pending. Past medical history: asthma, migraine, post-traumatic stress disorder after assault in 2015, treated with sertraline 50 mg daily. Contraception: levonorgestrel IUD placed 2019. Pregnancy test negative. Plan: start escitalopram 10 mg, refer to psychotherapy, repeat HIV test in 3 months, screen for depression with PHQ-9 at each visit, counsel on safer sex and condom use. Return to clinic in 4 weeks or sooner if symptoms worsen, with a friend.`

func noteLexicon(tb testing.TB) *Lexicon {
	terms := benchTerms(2000)
	for i, s := range clinicalTerms {
		terms = append(terms, Term{Text: s, ID: int32(1000 + i), ScreeningBroad: s == "depression"})
	}
	l, err := Compile(terms)
	if err != nil {
		tb.Fatal(err)
	}
	return l
}

// What the note holds, in full: the matches and their context.
func TestFindNote(t *testing.T) {
	l := noteLexicon(t)
	var f Finder
	var got []string
	for _, m := range f.Find(l, note, nil) {
		s := note[m.Start:m.End]
		if m.Reason != Kept {
			s += "/" + m.Reason.String() + "(" + m.Trigger + ")"
		}
		got = append(got, s)
	}
	want := []string{
		"mood", "suicidal ideation/negated(Denies)", "drug use/negated(No history of)",
		"schizophrenia/other-person(Mother)", "alcohol use disorder/other-person(father)",
		"HIV", "RPR", "HIV/hypothetical(risk of)", "HIV", "HIV infection", "PrEP", "Chlamydia",
		"gonorrhea", "post-traumatic stress disorder", "assault", "sertraline", "Contraception",
		"levonorgestrel", "IUD", "Pregnancy", "escitalopram", "psychotherapy",
		"HIV", "depression/hypothetical(screen for)", "safer sex", "condom",
	}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("found\n%q\nwant\n%q", got, want)
	}
}

// Once its buffers have grown, a Finder allocates nothing.
func TestFindAllocs(t *testing.T) {
	l := noteLexicon(t)
	var f Finder
	long := strings.Repeat(note+"\n", 20)
	dst := f.Find(l, long, nil)
	for _, text := range []string{note, long, "", "HIV"} {
		if n := testing.AllocsPerRun(20, func() { dst = f.Find(l, text, dst[:0]) }); n != 0 {
			t.Errorf("%d bytes: %v allocations a call", len(text), n)
		}
	}
}

func BenchmarkFindNoMatch(b *testing.B) {
	l, err := Compile(benchTerms(2000))
	if err != nil {
		b.Fatal(err)
	}
	var f Finder
	dst := f.Find(l, note, nil)
	if len(dst) != 0 {
		b.Fatalf("matches in the note: %+v", dst)
	}
	b.SetBytes(int64(len(note)))
	b.ReportAllocs()
	for b.Loop() {
		dst = f.Find(l, note, dst[:0])
	}
}

func BenchmarkFindNote(b *testing.B) {
	l := noteLexicon(b)
	var f Finder
	dst := f.Find(l, note, nil)
	b.SetBytes(int64(len(note)))
	b.ReportAllocs()
	for b.Loop() {
		dst = f.Find(l, note, dst[:0])
	}
}

func BenchmarkCompile5000(b *testing.B) {
	terms := benchTerms(5000)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Compile(terms); err != nil {
			b.Fatal(err)
		}
	}
}
