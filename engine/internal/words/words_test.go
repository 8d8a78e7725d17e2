package words

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// words lists the words of s, each folded unless exact.
func words(s string, exact bool) []string {
	var ws []string
	for start, end := wordAt(s, 0); start < end; start, end = wordAt(s, end) {
		w := s[start:end]
		if !exact {
			b, _, _, _ := appendFold(nil, w)
			w = string(b)
		}
		ws = append(ws, w)
	}
	return ws
}

func TestWords(t *testing.T) {
	for _, c := range []struct {
		text string
		want []string
	}{
		{"post-traumatic stress", []string{"post", "traumatic", "stress"}},
		{"Kaposi's sarcoma", []string{"kaposi", "s", "sarcoma"}},
		{"HIV-1/2 Ab", []string{"hiv", "1", "2", "ab"}},
		{"r/o HIV.", []string{"r", "o", "hiv"}},
		{"  \t\n", nil},
		{"", nil},
		{"naïve NAÏVE", []string{"naive", "naive"}},
		{"GONORRHŒA Æther Straße", []string{"gonorrhoea", "aether", "strasse"}},
		{"ÀÉÎÕÜÇÑÝŸØ àéîõüçñýÿø", []string{"aeioucnyyo", "aeioucnyyo"}},
		{"ẞ", []string{"ss"}},
		{"cafe\u0301s caf\u00e9", []string{"cafe", "s", "cafe"}}, // a combining mark is no letter
		{"HIV\u00a0infection", []string{"hiv", "infection"}},     // no-break space
		{"HIV\u2014positive", []string{"hiv", "positive"}},       // em dash
		{"艾滋病 患者", []string{"艾滋病", "患者"}},                        // CJK letters
		{"Ωμέγα", []string{"ωμέγα"}},                             // folds lower case, keeps other accents
		{"HIV\xffpositive\xc3", []string{"hiv", "positive"}},     // invalid bytes separate
		{"x\uFFFDy", []string{"x", "y"}},                         // so does U+FFFD itself
		{"٣٤ mg", []string{"٣٤", "mg"}},                          // Arabic-Indic digits
		{"under_score", []string{"under", "score"}},
	} {
		if got := words(c.text, false); !slices.Equal(got, c.want) {
			t.Errorf("words(%q) = %q, want %q", c.text, got, c.want)
		}
	}
	if got, want := words("NAÏVE Straße", true), []string{"NAÏVE", "Straße"}; !slices.Equal(got, want) {
		t.Errorf("exact words = %q, want %q", got, want)
	}
}

// found lists the matches of terms in text as "matched text:ID", with the
// reason after a slash when dropped; it checks Trigger against Reason.
func found(t *testing.T, terms []Term, text string) []string {
	t.Helper()
	l, err := Compile(terms)
	if err != nil {
		t.Fatal(err)
	}
	var f Finder
	var out []string
	for _, m := range f.Find(l, text, nil) {
		s := text[m.Start:m.End] + ":" + strconv.Itoa(int(m.ID))
		if m.Exact {
			s += "="
		}
		if m.Reason != Kept {
			s += "/" + m.Reason.String() + "(" + m.Trigger + ")"
		}
		if (m.Reason == Kept) != (m.Trigger == "") {
			t.Errorf("%q: reason %v with trigger %q", text, m.Reason, m.Trigger)
		}
		out = append(out, s)
	}
	return out
}

func TestFindMatching(t *testing.T) {
	ptsd := Term{Text: "post traumatic stress disorder", ID: 1}
	for _, c := range []struct {
		name  string
		terms []Term
		text  string
		want  []string
	}{
		{"one word", []Term{{Text: "HIV", ID: 1}}, "Positive HIV test", []string{"HIV:1"}},
		{"any case", []Term{{Text: "hiv", ID: 1}}, "hIv", []string{"hIv:1"}},
		{"whole words", []Term{{Text: "HIV", ID: 1}, {Text: "rapist", ID: 2}}, "HIVE therapist HIV1 xHIV", nil},
		{"hyphen in text", []Term{ptsd}, "Post-traumatic stress disorder", []string{"Post-traumatic stress disorder:1"}},
		{"hyphen in term", []Term{{Text: "post-traumatic stress disorder", ID: 1}}, "post traumatic  stress\ndisorder", []string{"post traumatic  stress\ndisorder:1"}},
		{"apostrophe", []Term{{Text: "Kaposi's sarcoma", ID: 1}}, "kaposi s sarcoma; Kaposi’s sarcoma", []string{"kaposi s sarcoma:1", "Kaposi’s sarcoma:1"}},
		{"partial multiword", []Term{ptsd}, "post traumatic stress", nil},
		{"plural s", []Term{{Text: "abortion", ID: 1}, {Text: "STD", ID: 2}}, "abortions, STDs", []string{"abortions:1", "STDs:2"}},
		{"plural es", []Term{{Text: "abscess", ID: 1}}, "abscesses", []string{"abscesses:1"}},
		{"plural ies", []Term{{Text: "chromosomal anomaly", ID: 1}, {Text: "ectopic pregnancy", ID: 2}, {Text: "drug", ID: 3}}, "chromosomal anomalies, ectopic pregnancies, drugies, drugs", []string{"chromosomal anomalies:1", "ectopic pregnancies:2", "drugs:3"}},
		{"plural ies after a consonant only", []Term{{Text: "key", ID: 1}, {Text: "pie", ID: 2}}, "kies, pies", []string{"pies:2"}},
		{"plural last word only", []Term{{Text: "drug screen", ID: 1}}, "drugs screen, drug screens", []string{"drug screens:1"}},
		{"no other suffix", []Term{{Text: "abortion", ID: 1}}, "abortionist abortionss", nil},
		{"plural head before of", []Term{{Text: "termination of pregnancy", ID: 1}, {Text: "victim of abuse", ID: 2}, {Text: "anomaly of chromosome", ID: 3}, {Text: "catch of day", ID: 4}},
			"Terminations of pregnancies; victims of abuse; anomalies of chromosome; catches of day; terminationes of pregnancy",
			[]string{"Terminations of pregnancies:1", "victims of abuse:2", "anomalies of chromosome:3", "catches of day:4"}},
		{"disorder shortened", []Term{{Text: "bipolar disorder", ID: 1}, {Text: "disorder", ID: 2}, {Text: "=panic disorder", ID: 3}},
			"Bipolar d/o; bipolar D/O; panic d/o; d/o", []string{"Bipolar d/o:1", "bipolar D/O:1"}},
		{"no plural head", []Term{{Text: "rounds of IVF", ID: 1}, {Text: "STD of note", ID: 2}, {Text: "=use of drugs", ID: 3}},
			"roundss of IVF, STDs of note, uses of drugs", nil},
		{"plural stem of a longer term", []Term{{Text: "sexually transmitted disease", ID: 1}}, "sexually transmitted diseases", []string{"sexually transmitted diseases:1"}},
		{"exact", []Term{{Text: "=AIDS", ID: 1}}, "AIDS aids Aids", []string{"AIDS:1="}},
		{"exact ending in s has no plural", []Term{{Text: "=AIDS", ID: 1}}, "AIDSs AIDSes", nil},
		{"exact plural listed", []Term{{Text: "=AIDS", ID: 1}, {Text: "=STDs", ID: 2}}, "STDs STDS", []string{"STDs:2="}},
		{"exact is not folded", []Term{{Text: "=naïve", ID: 1}}, "naive NAÏVE naïve", []string{"naïve:1="}},
		{"exact and folded", []Term{{Text: "=PrEP", ID: 1}, {Text: "prep", ID: 2}}, "PrEP prep", []string{"PrEP:2", "PrEP:1=", "prep:2"}},
		{"diacritics", []Term{{Text: "naïve", ID: 1}, {Text: "gonorrhoea", ID: 2}}, "NAIVE naive GONORRHŒA", []string{"NAIVE:1", "naive:1", "GONORRHŒA:2"}},
		{"no-break space and dash", []Term{{Text: "HIV positive", ID: 1}}, "HIV\u00a0positive, HIV\u2014positive", []string{"HIV\u00a0positive:1", "HIV\u2014positive:1"}},
		{"CJK", []Term{{Text: "艾滋病", ID: 1}}, "艾滋病 检测 艾滋病检测", []string{"艾滋病:1"}},
		{"invalid UTF-8", []Term{{Text: "HIV", ID: 1}}, "\xffHIV\xfe", []string{"HIV:1"}},
		{"longer and shorter", []Term{{Text: "HIV", ID: 1}, {Text: "HIV infection", ID: 2}, {Text: "infection", ID: 3}}, "HIV infection",
			[]string{"HIV:1", "HIV infection:2", "infection:3"}},
		{"same text, two IDs", []Term{{Text: "HIV", ID: 1}, {Text: "hiv", ID: 2}}, "HIV", []string{"HIV:1", "HIV:2"}},
		{"overlapping repeats", []Term{{Text: "a b a", ID: 1}}, "a b a b a", []string{"a b a:1", "a b a:1"}},
		{"digits", []Term{{Text: "HIV-1", ID: 1}}, "HIV 1, HIV-2, HIV-12", []string{"HIV 1:1"}},
		{"empty text", []Term{{Text: "HIV", ID: 1}}, "", nil},
		{"no terms", nil, "HIV", nil},
	} {
		if got := found(t, c.terms, c.text); !slices.Equal(got, c.want) {
			t.Errorf("%s: found %q, want %q", c.name, got, c.want)
		}
	}
}

// Offsets are bytes of the text given, around the words only.
func TestFindOffsets(t *testing.T) {
	l, err := Compile([]Term{{Text: "naïve", ID: 1}, {Text: "stress disorder", ID: 2}})
	if err != nil {
		t.Fatal(err)
	}
	text := "« NAÏVE », (stress—DISORDERS)."
	var f Finder
	got := f.Find(l, text, nil)
	want := []Match{
		{Start: strings.Index(text, "NAÏVE"), End: strings.Index(text, " »"), ID: 1},
		{Start: strings.Index(text, "stress"), End: strings.Index(text, ")"), ID: 2},
	}
	if !slices.Equal(got, want) {
		t.Errorf("Find = %+v, want %+v", got, want)
	}
}

// Find appends to dst, keeping what it held.
func TestFindAppends(t *testing.T) {
	l, _ := Compile([]Term{{Text: "HIV", ID: 7}})
	var f Finder
	dst := []Match{{ID: 1}}
	dst = f.Find(l, "HIV", dst)
	if len(dst) != 2 || dst[0].ID != 1 || dst[1].ID != 7 {
		t.Errorf("Find appended %+v", dst)
	}
	if got := f.Find(nil, "HIV", nil); got != nil {
		t.Errorf("Find with no lexicon = %+v", got)
	}
}

// A long text goes through the Finder's window: matches and their context
// far into it are found as near its start.
func TestFindLongText(t *testing.T) {
	l, _ := Compile([]Term{{Text: "HIV", ID: 1}, {Text: "drug use", ID: 2}})
	var b strings.Builder
	for i := range 700 {
		switch i % 7 {
		case 0:
			b.WriteString("Denies HIV. ")
		case 3:
			b.WriteString("HIV\nwas negative; ")
		case 5:
			b.WriteString("drug\nuse ")
		default:
			b.WriteString("word word word ")
		}
	}
	text := b.String()
	var f Finder
	got := f.Find(l, text, nil)
	if len(got) != 300 {
		t.Fatalf("found %d matches, want 300", len(got))
	}
	for i, m := range got {
		want, wantID := Negated, int32(1)
		switch i % 3 {
		case 1:
			want = Kept // the line break ends the clause before "was negative"
		case 2:
			want, wantID = Kept, 2
		}
		if m.Reason != want || m.ID != wantID || !strings.EqualFold(text[m.Start:m.End], map[int32]string{1: "HIV", 2: "drug\nuse"}[wantID]) {
			t.Fatalf("match %d: %+v (%q)", i, m, text[m.Start:m.End])
		}
		if i > 0 && m.Start <= got[i-1].Start {
			t.Fatalf("match %d out of order", i)
		}
	}
	if len(f.toks) > 400 {
		t.Errorf("the window holds %d words", len(f.toks))
	}
}

func TestCompileErrors(t *testing.T) {
	for _, text := range []string{"", "=", "--", " ' ", "=...", "\xff"} {
		_, err := Compile([]Term{{Text: "HIV"}, {Text: "AIDS"}, {Text: text}})
		if err == nil || !strings.Contains(err.Error(), "term 2 ") {
			t.Errorf("Compile with term %q: %v", text, err)
		}
	}
	if _, err := Compile(nil); err != nil {
		t.Errorf("Compile(nil): %v", err)
	}
}

func TestIsTerm(t *testing.T) {
	for s, want := range map[string]bool{
		"HIV":                     true,
		"HIV-1":                   true,
		"Kaposi's sarcoma":        true,
		"Kaposi’s sarcoma":        true,
		"PrEP":                    true,
		"=AIDS":                   true,
		"in vitro fertilization":  true,
		"naïve":                   true,
		"cafe\u0301":              false,
		"HIV-1/2":                 true,
		"St. John's wort":         true,
		"U.S.":                    true,
		"0.35":                    true,
		"etc.":                    true,
		"艾滋病":                     true,
		"psychotherapy notes?":    false,
		"drug (abuse|dependence)": false,
		"drug abuse|dependence":   false,
		"[a-z]+":                  false,
		`\d+ mg`:                  false,
		"a*":                      false,
		"a+b":                     false,
		"a.*b":                    false,
		"...":                     false,
		"":                        false,
		"=":                       false,
		"==AIDS":                  false,
		" HIV":                    false,
		"HIV ":                    false,
		"HIV  infection":          false,
		"HIV--1":                  false,
		"-HIV":                    false,
		"etc. ":                   false,
		"a. .b":                   false,
		"under_score":             false,
		"tab\there":               false,
		"HIV\xff":                 false,
		"a{2}":                    false,
		"^HIV$":                   false,
		"drug & alcohol":          false,
		"\u0301abc":               false,
	} {
		if got := IsTerm(s); got != want {
			t.Errorf("IsTerm(%q) = %v, want %v", s, got, want)
		}
	}
}

func TestReasonString(t *testing.T) {
	for r, want := range map[Reason]string{Kept: "", Negated: "negated", Other: "other-person", Hypothetical: "hypothetical", 9: "reason9"} {
		if got := r.String(); got != want {
			t.Errorf("Reason(%d).String() = %q, want %q", r, got, want)
		}
	}
}

// An abbreviation's plural takes "s", never "es": "hives" is no HIV.
func TestCapsPlural(t *testing.T) {
	l, err := Compile([]Term{{Text: "HIV", ID: 1}, {Text: "STD", ID: 2}, {Text: "abortion", ID: 3}, {Text: "gonococcal infection", ID: 4},
		{Text: "=IUD", ID: 5}, {Text: "=PrEP", ID: 6}})
	if err != nil {
		t.Fatal(err)
	}
	var f Finder
	for text, want := range map[string]int{"hives": 0, "HIVES": 0, "HIVs": 1, "STDs": 1, "stdes": 0, "abortions": 1, "gonococcal infections": 1,
		"IUDs": 1, "IUDS": 0, "iuds": 0, "PrEPs": 1, "PrEP": 1, "preps": 0} {
		if got := len(f.Find(l, text, nil)); got != want {
			t.Errorf("%q: %d matches, want %d", text, got, want)
		}
	}
}

// A plus sign that marks a result reads as the word "positive"; one in a
// number, an expression or "+/-" is no word.
func TestPlusMark(t *testing.T) {
	l, err := Compile([]Term{{Text: "cocaine positive", ID: 1}, {Text: "positive cocaine", ID: 2}, {Text: "edema positive", ID: 3}})
	if err != nil {
		t.Fatal(err)
	}
	for text, want := range map[string][]int32{
		"UDS: cocaine+":            {1},
		"cocaine (+) on UDS":       {1},
		"Tox: +cocaine":            {2},
		"UDS (+) cocaine, (-) THC": {2},
		"cocaine + on UDS":         {1},
		"cocaine +/- on UDS":       nil,
		"cocaine+/-":               nil,
		"2+ edema":                 nil,
		"edema 2+":                 nil,
		"edema +1":                 nil,
		"cocaine+crack":            nil,
		"C++ cocaine":              nil,
		"Cocaine: positive":        {1},
	} {
		var f Finder
		var got []int32
		for _, m := range f.Find(l, text, nil) {
			got = append(got, m.ID)
		}
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("%q: terms %v, want %v", text, got, want)
		}
	}
}
