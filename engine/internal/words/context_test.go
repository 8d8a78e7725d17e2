package words

import (
	"fmt"
	"strings"
	"testing"
)

// judgeOne returns the reason and trigger of the one match of the term
// "HIV" (ID 1) or "drug use" (ID 2) in text, screening broad if asked.
func judgeOne(t *testing.T, text string, broad bool) (Reason, string) {
	t.Helper()
	l, err := Compile([]Term{{Text: "HIV", ID: 1, ScreeningBroad: broad}, {Text: "drug use", ID: 2, ScreeningBroad: broad}})
	if err != nil {
		t.Fatal(err)
	}
	var f Finder
	ms := f.Find(l, text, nil)
	if len(ms) != 1 {
		t.Fatalf("%q: %d matches, want 1", text, len(ms))
	}
	m := ms[0]
	if m.Reason != Kept && !strings.Contains(text, m.Trigger) {
		t.Errorf("%q: trigger %q is not in the text", text, m.Trigger)
	}
	return m.Reason, m.Trigger
}

func checkJudged(t *testing.T, text string, broad bool, want Reason, trigger string) {
	t.Helper()
	if why, got := judgeOne(t, text, broad); why != want || got != trigger {
		t.Errorf("%q: %v (%q), want %v (%q)", text, why, got, want, trigger)
	}
}

// judgeCase is a text, whether its term's rule has screening broad, and
// how the match must be judged (the cue that dropped it, "" when kept).
type judgeCase struct {
	text    string
	broad   bool
	want    Reason
	trigger string
}

func checkCases(t *testing.T, cases []judgeCase) {
	t.Helper()
	for _, c := range cases {
		checkJudged(t, c.text, c.broad, c.want, c.trigger)
	}
}

// Every cue of every list drops a match, written as it is and in capitals.
func TestCueLists(t *testing.T) {
	for _, list := range []struct {
		name    string
		phrases []string
		before  bool
		broad   bool
		want    Reason
	}{
		{"preNegation", preNegation, true, false, Negated},
		{"postNegation", postNegation, false, false, Negated},
		{"otherPerson", otherPerson, true, false, Other},
		{"hypothetical", hypothetical, true, false, Hypothetical},
		{"screening", screening, true, true, Hypothetical},
	} {
		for _, p := range list.phrases {
			for _, cue := range []string{p, strings.ToUpper(p)} {
				text := cue + " HIV"
				if !list.before {
					text = "HIV " + cue
				}
				checkJudged(t, text, list.broad, list.want, cue)
			}
		}
	}
}

// Screening cues drop only ScreeningBroad terms.
func TestScreeningNarrow(t *testing.T) {
	for _, p := range screening {
		checkJudged(t, p+" HIV", false, Kept, "")
	}
}

// A pseudo-cue holds a cue's word, and drops nothing, before the match or
// after it.
func TestPseudoCues(t *testing.T) {
	for _, p := range pseudoCues {
		// The list is only worth its place if a cue hides in the phrase.
		hides := false
		ws := words(p, false)
		for i := range ws {
			for j := i + 1; j <= len(ws); j++ {
				n := cues.t.next(&cues.d, -1, -1)
				for _, w := range ws[i:j] {
					n = cues.t.next(&cues.d, n, cues.d.lookup([]byte(w), hashOf(w)))
					if n < 0 {
						break
					}
				}
				if n >= 0 && cues.kinds[n]&cueTriggers != 0 {
					hides = true
				}
			}
		}
		if !hides {
			t.Errorf("pseudo-cue %q holds no cue", p)
		}
		checkJudged(t, p+" HIV", true, Kept, "")
		checkJudged(t, "HIV "+p, true, Kept, "")
	}
}

func hashOf(w string) uint32 { return hashWord([]byte(w)) }

func TestPseudoCueNext(t *testing.T) {
	// Only the words a pseudo-cue covers lose their force.
	checkJudged(t, "no change, no HIV", false, Negated, "no")
	checkJudged(t, "no HIV, not ruled out", false, Negated, "no")
	checkJudged(t, "HIV not ruled out", false, Kept, "")
	checkJudged(t, "HIV has not been ruled out", false, Kept, "")
	checkJudged(t, "HIV cannot be excluded", false, Kept, "")
	checkJudged(t, "no longer has HIV", false, Kept, "")
	checkJudged(t, "no longer on PrEP, no HIV", false, Negated, "no")
	checkJudged(t, "gram negative rods, HIV negative", false, Negated, "negative")
}

// Each terminator and each verb after "and" or "or" ends the clause.
func TestClauseEnds(t *testing.T) {
	for _, term := range terminators {
		checkJudged(t, "denies alcohol "+term+" HIV", false, Kept, "")
		checkJudged(t, "HIV "+term+" negative", false, Kept, "")
		checkJudged(t, "mother "+term+" HIV", false, Kept, "")
	}
	for _, join := range clauseJoins {
		for _, verb := range clauseVerbs {
			checkJudged(t, "never smoked "+join+" "+verb+" HIV", false, Kept, "")
			checkJudged(t, "HIV "+join+" "+verb+" negative", false, Kept, "")
		}
		// A join before any other word leaves the clause whole.
		checkJudged(t, "denies alcohol "+join+" drug use", false, Negated, "denies")
	}
	for _, c := range []struct {
		text    string
		want    Reason
		trigger string
	}{
		{"Patient has never smoked and is an alcoholic with HIV", Kept, ""},
		{"No fever. HIV", Kept, ""},
		{"No fever! HIV", Kept, ""},
		{"No fever? HIV", Kept, ""},
		{"No fever; HIV", Kept, ""},
		{"No fever\nHIV", Kept, ""},
		{"No fever\r\nHIV", Kept, ""},
		{"HIV. Negative", Kept, ""},
		{"HIV; negative", Kept, ""},
		{"HIV\nnegative", Kept, ""},
		{"No: HIV", Negated, "No"},
		{"HIV: negative", Negated, "negative"},
		{"No 0.35 mg HIV", Negated, "No"},
		{"HIV 1.5 negative", Negated, "negative"},
		{"No 1. HIV", Kept, ""},
		{"No a.5 HIV", Kept, ""},
		{"No 5.a HIV", Kept, ""},
		{"No, HIV", Negated, "No"},
		{"No (HIV)", Negated, "No"},
		{"denies smoking but has HIV", Kept, ""},
		{"HIV, which is unlikely", Kept, ""},
		{"HIV, unlikely", Negated, "unlikely"},
	} {
		checkJudged(t, c.text, false, c.want, c.trigger)
	}
}

// A cause ends the clause for every cue but a relative.
func TestCauses(t *testing.T) {
	for _, c := range causes {
		checkJudged(t, "denies alcohol "+c+" HIV", false, Kept, "")
		checkJudged(t, "HIV "+c+" negative", false, Kept, "")
		checkJudged(t, "risk of relapse "+c+" HIV", false, Kept, "")
		checkJudged(t, "screening for fatigue "+c+" HIV", true, Kept, "")
		checkJudged(t, "mother died "+c+" HIV", false, Other, "mother")
	}
	// A terminator still ends a relative's clause.
	checkJudged(t, "mother died due to a stroke, but patient has HIV", false, Kept, "")
}

// Every cue of work, written as it is and in capitals, makes a match
// after it a job, within workWindow words and one run of words.
func TestAtWork(t *testing.T) {
	for _, p := range atWork {
		for _, cue := range []string{p, strings.ToUpper(p)} {
			checkJudged(t, cue+" HIV", false, OtherSense, cue)
			checkJudged(t, cue+": HIV", false, OtherSense, cue)
			checkJudged(t, cue+" the county HIV", false, OtherSense, cue)
		}
	}
	checkCases(t, []judgeCase{
		{"works at the local county HIV clinic", false, OtherSense, "works at"},
		{"works at the big local county HIV clinic", false, Kept, ""},
		{"works at Kroger, HIV positive", false, Kept, ""},
		{"works at Kroger (HIV positive)", false, Kept, ""},
		{"works at Kroger; HIV", false, Kept, ""},
		{"works at Kroger and has HIV", false, Kept, ""},
		{"works at Kroger despite HIV", false, Kept, ""},
		{"works with HIV", false, Kept, ""},
		{"HIV, works at Kroger", false, Kept, ""},
	})
}

// A relative who did what the match names to the patient, named right after
// it, did it to the patient: the relative is the actor, not the subject.
func TestActOnPatient(t *testing.T) {
	l, err := Compile([]Term{{Text: "abused", ID: 1}, {Text: "abused the patient", ID: 2}, {Text: "psychiatric patient", ID: 3}, {Text: "abusive", ID: 4}})
	if err != nil {
		t.Fatal(err)
	}
	var f Finder
	for text, want := range map[string]Reason{
		"father abused her as a child":       Kept,
		"father abused her.":                 Kept,
		"father abused him":                  Kept,
		"father abused me repeatedly":        Kept,
		"uncle was abused toward them":       Kept,
		"father abused the patient":          Kept,
		"mother abused her brother":          Other,
		"mother was abused by her father":    Other,
		"father abused the patient's sister": Other,
		"father abused, her sister says":     Other,
		"mother was a psychiatric patient":   Other,
	} {
		ms := f.Find(l, text, nil)
		if len(ms) == 0 {
			t.Fatalf("%q: no match", text)
		}
		m := ms[len(ms)-1] // the longest, at the first word
		for _, x := range ms {
			if x.End-x.Start > m.End-m.Start {
				m = x
			}
		}
		if m.Reason != want {
			t.Errorf("%q: %v (%q), want %v", text, m.Reason, m.Trigger, want)
		}
	}
}

// A term ending in "her" is an act on her only where "her" is no
// possessive: at the end, or before a preposition, an adverb or a time.
func TestHerPossessive(t *testing.T) {
	l, err := Compile([]Term{{Text: "hit her", ID: 1}, {Text: "touched her inappropriately", ID: 2}, {Text: "abused", ID: 3}})
	if err != nil {
		t.Fatal(err)
	}
	var f Finder
	for text, want := range map[string]int{
		"father hit her.":                         1,
		"partner hit her last night":              1,
		"he hit her repeatedly":                   1,
		"slipped and hit her head":                0,
		"hit her sister":                          0,
		"uncle touched her inappropriately":       1,
		"grandfather touched her inappropriately": 1,
	} {
		n := 0
		for _, m := range f.Find(l, text, nil) {
			if m.ID != 3 {
				n++
			}
		}
		if n != want {
			t.Errorf("%q: %d matches, want %d", text, n, want)
		}
	}
	// The object inside the match takes it back from the relative before.
	if ms := f.Find(l, "grandfather touched her inappropriately", nil); len(ms) != 1 || ms[0].Reason != Kept {
		t.Errorf("grandfather touched her inappropriately: %v, want one match, kept", ms)
	}
}

// A relative named right after the match, after "in" or "of", is its
// subject: a family history written after the condition.
func TestRelativeAfter(t *testing.T) {
	checkCases(t, []judgeCase{
		{"HIV in mother", false, Other, "mother"},
		{"HIV in his brother", false, Other, "brother"},
		{"HIV of her maternal aunt", false, Other, "aunt"},
		{"HIV in a family member", false, Other, "family"},
		{"HIV runs in the family", false, Other, "family"},
		{"HIV de su madre", false, Other, "madre"},
		{"HIV in mother's house", false, Kept, ""},
		{"HIV in the family home", false, Kept, ""},
		{"HIV, in mother", false, Kept, ""},
		{"HIV in the setting of her father's death", false, Kept, ""},
		{"HIV about her son", false, Kept, ""},
		{"HIV in her husband", false, Kept, ""},
		{"no HIV in mother", false, Negated, "no"},
	})
}

// The answer to a question about work names a job in its first words,
// unless a break or a cause stands before the match.
func TestJobAnswer(t *testing.T) {
	l, err := Compile([]Term{{Text: "HIV", ID: 1}})
	if err != nil {
		t.Fatal(err)
	}
	f := Finder{Job: "Occupation"}
	for text, want := range map[string]Reason{
		"HIV nurse":                          OtherSense,
		"county HIV clinic":                  OtherSense,
		"nurse at the HIV clinic":            OtherSense,
		"nurse at the big county HIV clinic": Kept,
		"retired, HIV positive":              Kept,
		"none; HIV":                          Kept,
		"disabled due to HIV":                Kept,
		"nurse and has HIV":                  Kept,
		"nurse (HIV)":                        Kept,
	} {
		ms := f.Find(l, text, nil)
		if len(ms) != 1 || ms[0].Reason != want || want == OtherSense && ms[0].Trigger != "Occupation" {
			t.Errorf("%q: %+v, want one match %v", text, ms, want)
		}
		if r, _ := f.Judge(l, text, strings.Index(text, "HIV"), strings.Index(text, "HIV")+3, false, false); r != want {
			t.Errorf("Judge %q: %v, want %v", text, r, want)
		}
	}
	f.Job = ""
	if ms := f.Find(l, "HIV nurse", nil); len(ms) != 1 || ms[0].Reason != Kept {
		t.Errorf("without a question: %+v", ms)
	}
}

// A profession said of someone is a job; named alone it is care.
func TestProfessions(t *testing.T) {
	for _, p := range professions {
		l, err := Compile([]Term{{Text: p, ID: 1}})
		if err != nil {
			t.Fatal(err)
		}
		var f Finder
		for text, want := range map[string]Reason{
			"she is a " + p:                OtherSense,
			"retired " + p:                 OtherSense,
			"seen by the " + p:             Kept,
			"referred to a " + p:           Kept,
			"she is a patient of the " + p: Kept,
		} {
			ms := f.Find(l, text, nil)
			if len(ms) != 1 || ms[0].Reason != want {
				t.Errorf("%q: %+v, want one match %v", text, ms, want)
			}
		}
	}
}

// The windows: 6 words before, 4 after, counting the word next to the
// match as 1.
func TestWindows(t *testing.T) {
	filler := func(n int) string { return strings.Repeat("x ", n) }
	for _, c := range []struct {
		text    string
		want    Reason
		trigger string
	}{
		{"no " + filler(5) + "HIV", Negated, "no"},
		{"no " + filler(6) + "HIV", Kept, ""},
		{"no evidence of " + filler(5) + "HIV", Negated, "no evidence of"},
		{"no evidence of " + filler(6) + "HIV", Kept, ""},
		{"HIV " + filler(3) + "negative", Negated, "negative"},
		{"HIV " + filler(4) + "negative", Kept, ""},
		{"HIV " + filler(3) + "was negative", Negated, "was negative"},
		{"HIV " + filler(4) + "was negative", Kept, ""},
		{"mother " + filler(5) + "HIV", Other, "mother"},
		{"mother " + filler(6) + "HIV", Kept, ""},
		{"if " + filler(5) + "HIV", Hypothetical, "if"},
		{"if " + filler(6) + "HIV", Kept, ""},
		{"denies " + filler(4) + "drug use", Negated, "denies"},
		{"drug use " + filler(3) + "negative", Negated, "negative"},
		{"drug use " + filler(4) + "negative", Kept, ""},
	} {
		checkJudged(t, c.text, false, c.want, c.trigger)
	}
	checkJudged(t, "screening for "+filler(5)+"HIV", true, Hypothetical, "screening for")
	checkJudged(t, "screening for "+filler(6)+"HIV", true, Kept, "")
	checkJudged(t, "HIV "+filler(1)+"screening", true, Hypothetical, "screening")
	checkJudged(t, "HIV "+filler(2)+"screening", true, Kept, "")
}

// A positive result within 3 words of the match undoes a screening cue, and
// nothing else; a negative one leaves the screening.
func TestPositiveScreen(t *testing.T) {
	filler := func(n int) string { return strings.Repeat("x ", n) }
	checkCases(t, []judgeCase{
		{"HIV screening positive", true, Kept, ""},
		{"positive HIV screen", true, Kept, ""},
		{"screened positive for HIV", true, Kept, ""},
		{"screening for HIV: positive", true, Kept, ""},
		{"HIV screening " + filler(1) + "positive", true, Kept, ""},
		{"HIV screening " + filler(2) + "positive", true, Hypothetical, "screening"},
		{"positive " + filler(2) + "HIV screening", true, Kept, ""},
		{"positive " + filler(3) + "HIV screening", true, Hypothetical, "screening"},
		{"HIV screening negative", true, Hypothetical, "screening"},
		{"HIV screening; positive", true, Hypothetical, "screening"},     // another clause
		{"positive, but HIV screening", true, Hypothetical, "screening"}, // a terminator between
		{"HIV screening positive", false, Kept, ""},                      // no screening rule applies
		{"denies HIV, positive", false, Negated, "denies"},               // negation is not undone
		{"if positive HIV screening", true, Hypothetical, "if"},          // nor a hypothetical
		{"mother screened positive for HIV", true, Other, "mother"},      // nor another person
	})
	// A result in the match's own words is a screen that found it.
	checkReasonsOf(t, []string{"cocaine positive urine", "cocaine in urine"}, true, map[string]Reason{
		"Cocaine positive urine drug screen": Kept,
		"Cocaine in urine drug screen":       Hypothetical,
	})
}

// Negated, then other person, then hypothetical; of one kind the nearest
// cue, then the longest.
func TestPrecedence(t *testing.T) {
	checkCases(t, []judgeCase{
		{"mother denies HIV", false, Negated, "denies"},
		{"mother has HIV, negative", false, Negated, "negative"},
		{"if her mother has HIV", false, Other, "mother"},
		{"mother reports he has HIV", false, Kept, ""},                // the informant
		{"per mom, HIV since 2010", false, Kept, ""},                  // the informant
		{"according to her mother she has HIV", false, Kept, ""},      // the informant
		{"mother reports her sister has HIV", false, Other, "sister"}, // the subject named after
		{"mother reports he denies HIV", false, Negated, "denies"},
		{"no risk of HIV", false, Negated, "no"},
		{"screening for HIV if indicated", true, Hypothetical, "screening for"},
		{"if screening for HIV", true, Hypothetical, "screening for"},
		{"screening if HIV", true, Hypothetical, "if"},
		{"screening if HIV", false, Hypothetical, "if"},
		{"father screened for HIV", true, Other, "father"},
		{"no evidence of HIV", false, Negated, "no evidence of"},
		{"not denies HIV", false, Negated, "denies"},
		{"no HIV, ruled out", false, Negated, "ruled out"}, // as near: the longer
		{"ruled out HIV", false, Negated, "ruled out"},
		{"at risk for HIV", false, Hypothetical, "risk for"},
		{"at risk HIV", false, Hypothetical, "at risk"},
		{"no history of HIV", false, Negated, "no history of"},
		{"r/o HIV", false, Kept, ""},
		{"declines HIV test", false, Kept, ""},
		{"HIV viral load undetectable", false, Kept, ""},
		{"HIV not detectable", false, Kept, ""},
		{"her husband has HIV", false, Kept, ""},
		{"partner notification for HIV", false, Kept, ""},
		{"concern for HIV", false, Kept, ""},
		{"HIV", false, Kept, ""},
	})
}

// A cue never overlaps the match's own words.
func TestCueInsideTerm(t *testing.T) {
	l, _ := Compile([]Term{{Text: "HIV negative", ID: 1}, {Text: "family history of HIV", ID: 2}, {Text: "no show", ID: 3}})
	var f Finder
	for _, text := range []string{"HIV negative", "family history of HIV", "no show"} {
		for _, m := range f.Find(l, text, nil) {
			if m.Reason != Kept {
				t.Errorf("%q: %v (%q)", text, m.Reason, m.Trigger)
			}
		}
	}
	// Nor does a terminator among them end the match's clause.
	got := found(t, []Term{{Text: "cause of death", ID: 4}, {Text: "or is", ID: 5}}, "no cause of death; never or is")
	if len(got) != 2 || got[0] != "cause of death:4/negated(no)" || got[1] != "or is:5/negated(never)" {
		t.Errorf("found %q", got)
	}
	// The cue is still one for the match before it.
	got = found(t, []Term{{Text: "HIV", ID: 1}, {Text: "no show", ID: 3}}, "HIV no show")
	if len(got) != 2 || got[0] != "HIV:1" || got[1] != "no show:3" {
		t.Errorf("found %q", got)
	}
}

// Terms that share a span share its context, save screening.
func TestSharedSpan(t *testing.T) {
	got := found(t, []Term{{Text: "depression", ID: 1}, {Text: "depression", ID: 2, ScreeningBroad: true}, {Text: "depression", ID: 3}},
		"Screening for depression. Screening for depression, ruled out")
	want := []string{
		"depression:1", "depression:2/hypothetical(Screening for)", "depression:3",
		"depression:1/negated(ruled out)", "depression:2/negated(ruled out)", "depression:3/negated(ruled out)",
	}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("found %q, want %q", got, want)
	}
}

// A test's name is no negation's: every test noun after a match keeps it,
// within three words, and a negation then drops nothing.
func TestTestNouns(t *testing.T) {
	for _, n := range testNouns {
		checkJudged(t, "negative for HIV "+n, false, Kept, "")
		checkJudged(t, "HIV "+n+" was negative", false, Kept, "")
		checkJudged(t, "HIV x x "+n+" not detected", false, Kept, "")
	}
	checkJudged(t, "negative for HIV x x x antibody", false, Negated, "negative for")
	checkJudged(t, "HIV. Antibody not detected", false, Kept, "")
	checkJudged(t, "negative for HIV infection", false, Negated, "negative for")
	// A test noun that ends the match, or is the whole match ("RPR"),
	// names a test as one after it does; one that is not its end does not.
	for _, n := range testNouns {
		term := "carrier " + n
		if got := found(t, []Term{{Text: term, ID: 1}}, term+" negative"); len(got) != 1 || got[0] != term+":1" {
			t.Errorf("%q: found %q", term+" negative", got)
		}
		if got := found(t, []Term{{Text: n, ID: 1}}, n+" negative"); len(got) != 1 || got[0] != n+":1" {
			t.Errorf("%q: found %q", n+" negative", got)
		}
		if got := found(t, []Term{{Text: n + " carrier", ID: 1}}, n+" carrier negative"); len(got) != 1 || got[0] != n+" carrier:1/negated(negative)" {
			t.Errorf("%q: found %q", n+" carrier negative", got)
		}
		// Right before the match, a name of several words names a test
		// ("prueba de VIH negativa"); one word does not.
		want := "HIV:1/negated(negative)"
		if len(strings.Fields(n)) > 1 {
			want = "HIV:1"
		}
		if got := found(t, []Term{{Text: "HIV", ID: 1}}, n+" HIV negative"); len(got) != 1 || got[0] != want {
			t.Errorf("%q: found %q, want %s", n+" HIV negative", got, want)
		}
	}
	checkJudged(t, "prueba de x HIV negativa", false, Negated, "negativa")
	// Where screening is broad, a test of the match is a screen that a
	// result which found it undoes; in another clause it is another
	// finding, and a term's own last word is the term's.
	checkCases(t, []judgeCase{
		{"HIV test negative", true, Hypothetical, "test"},
		{"HIV test", true, Hypothetical, "test"},
		{"HIV x UDS", true, Hypothetical, "UDS"},
		{"HIV x x test", true, Kept, ""},
		{"HIV test positive", true, Kept, ""},
		{"HIV, test negative", true, Kept, ""},
		{"HIV, UDS negative", true, Kept, ""},
		{"prueba de HIV", true, Hypothetical, "prueba de"},
		{"HIV test negative", false, Kept, ""},
	})
	checkReasonsOf(t, []string{"missed AB"}, true, map[string]Reason{"missed AB at 9 weeks": Kept, "no missed AB": Negated})
}

// A screening word right after a ScreeningBroad match makes it
// hypothetical; for other terms it is a test's name.
func TestScreeningAfter(t *testing.T) {
	for _, p := range screeningAfter {
		checkJudged(t, "drug use "+p, true, Hypothetical, p)
		checkJudged(t, "drug use x "+p, true, Hypothetical, p)
		checkJudged(t, "drug use x x "+p, true, Kept, "")
		checkJudged(t, "drug use "+p, false, Kept, "")
	}
	checkJudged(t, "drug use screen was negative", true, Hypothetical, "screen")
	checkJudged(t, "drug use, scale", true, Kept, "")     // another clause's
	checkJudged(t, "drug use; checklist", true, Kept, "") // another clause's
	// The words of a longer term that holds the match are the match's:
	// the screening word after them speaks of it too.
	checkReasonsOf(t, []string{"generalized anxiety disorder", "anxiety"}, true, map[string]Reason{
		"Generalized Anxiety Disorder 7 item score 3": Hypothetical,
		"Generalized anxiety disorder screening":      Hypothetical,
		"Generalized anxiety disorder, adult, 7 item": Kept, // another clause's
		"Generalized anxiety disorder x 7 item":       Hypothetical,
		"anxiety x x 7 item":                          Kept,
		"anxiety disorder x 7 item":                   Kept, // "disorder" is no term's here
		"Generalized anxiety disorder":                Kept,
	})
}

// An answer after a colon negates; the same words in running text do not.
func TestAnswerNegation(t *testing.T) {
	for _, p := range answerNegation {
		checkJudged(t, "HIV: "+p, false, Negated, p)
		checkJudged(t, "drug use : "+strings.ToUpper(p), false, Negated, strings.ToUpper(p))
	}
	checkJudged(t, "drug use history, denies chest pain", false, Kept, "")
	checkJudged(t, "HIV clinic follow-up, none of the above", false, Kept, "")
}

// A negation reaches through a list: other terms' words and the glue
// between items do not count toward its window.
func TestNegationThroughLists(t *testing.T) {
	l, err := Compile([]Term{{Text: "depression", ID: 1}, {Text: "anxiety", ID: 2}, {Text: "bipolar disorder", ID: 3},
		{Text: "schizophrenia", ID: 4}, {Text: "PTSD", ID: 5}})
	if err != nil {
		t.Fatal(err)
	}
	var f Finder
	text := "Denies any history of depression, anxiety, bipolar disorder, schizophrenia or PTSD."
	ms := f.Find(l, text, nil)
	if len(ms) != 5 {
		t.Fatalf("%d matches", len(ms))
	}
	for _, m := range ms {
		if m.Reason != Negated || m.Trigger != "Denies" {
			t.Errorf("%q: %v %q", text[m.Start:m.End], m.Reason, m.Trigger)
		}
	}
	// Words that are no term count: six of them put PTSD out of reach.
	ms = f.Find(l, "Denies a b c d e f PTSD.", nil)
	if len(ms) != 1 || ms[0].Reason != Kept {
		t.Errorf("six plain words: %+v", ms)
	}
	for _, g := range listGlue {
		if ms := f.Find(l, "Denies a b c d e "+g+" PTSD.", nil); len(ms) != 1 || ms[0].Reason != Negated {
			t.Errorf("glue %q counted: %+v", g, ms)
		}
	}
}

// "(-)" beside a term marks it absent; a lone minus is a hyphen or a bullet.
func TestMinusMark(t *testing.T) {
	checkCases(t, []judgeCase{
		{"drug use (-)", false, Negated, "(-)"},
		{"SHx: tobacco (+), drug use  (-), alcohol (+)", false, Negated, "(-)"},
		{"(-) drug use", false, Negated, "(-)"},
		{"-drug use", false, Kept, ""},
		{"PMH:\n- drug use", false, Kept, ""},
		{"drug use (+)", false, Kept, ""},
		{"drug use (-1 day)", false, Kept, ""},
	})
}

// Every phrase of otherSense drops each term made of some of its words, as
// written and in capitals, whatever cue stands beside it; a term that is
// the whole phrase is kept, and so is a match the phrase's words hold only
// across a clause's end.
func TestOtherSense(t *testing.T) {
	for _, p := range otherSense {
		ws := strings.Fields(p)
		if len(ws) < 2 {
			t.Errorf("other sense %q: one word holds no term in another sense", p)
			continue
		}
		for i := range ws {
			for j := i + 1; j <= len(ws); j++ {
				if j-i == len(ws) {
					continue
				}
				term := strings.Join(ws[i:j], " ")
				l, err := Compile([]Term{{Text: term, ID: 1}})
				if err != nil {
					t.Fatal(err)
				}
				for _, text := range []string{p, strings.ToUpper(p), "no " + p, "mother had " + p} {
					var f Finder
					ms := f.Find(l, text, nil)
					if len(ms) == 0 {
						t.Errorf("%q: not found in %q", term, text)
					}
					for _, m := range ms {
						if m.Reason != OtherSense || !strings.HasSuffix(text, m.Trigger) || len(m.Trigger) != len(p) {
							t.Errorf("%q in %q: %v (%q), want other-sense (%q)", term, text, m.Reason, m.Trigger, p)
						}
					}
				}
			}
		}
		checkOwnTermKept(t, p, p)
	}
	checkTermReasons(t, []string{"depression"}, map[string]Reason{
		"Main St. Depression worsening": Kept,
		"ST depression":                 OtherSense,
		"ST-segment depression":         OtherSense,
		"denies depression":             Negated,
		"no ST depression":              OtherSense,
		"respiratory and depression":    Kept,
	})
}

// checkOwnTermKept wants a term written as phrase p to match once in text,
// kept: a pack that lists a phrase of another sense means it.
func checkOwnTermKept(t *testing.T, p, text string) {
	t.Helper()
	l, err := Compile([]Term{{Text: p, ID: 1}})
	if err != nil {
		t.Fatal(err)
	}
	var f Finder
	if ms := f.Find(l, text, nil); len(ms) != 1 || ms[0].Reason != Kept {
		t.Errorf("the term %q itself: %+v, want one match kept", p, ms)
	}
}

// checkReasons finds l's terms in each text and wants a match, and every
// match judged as the text's reason says.
// checkTermReasons is checkReasons on a lexicon of the terms given.
func checkTermReasons(t *testing.T, terms []string, cases map[string]Reason) {
	t.Helper()
	checkReasonsOf(t, terms, false, cases)
}

// checkReasonsOf is checkTermReasons with the terms' ScreeningBroad set to
// broad.
func checkReasonsOf(t *testing.T, terms []string, broad bool, cases map[string]Reason) {
	t.Helper()
	ts := make([]Term, len(terms))
	for i, text := range terms {
		ts[i] = Term{Text: text, ID: int32(i + 1), ScreeningBroad: broad}
	}
	l, err := Compile(ts)
	if err != nil {
		t.Fatal(err)
	}
	checkReasons(t, l, cases)
}

func checkReasons(t *testing.T, l *Lexicon, cases map[string]Reason) {
	t.Helper()
	for text, want := range cases {
		var f Finder
		ms := f.Find(l, text, nil)
		ok := len(ms) > 0
		for _, m := range ms {
			ok = ok && m.Reason == want
		}
		if !ok {
			t.Errorf("%q: %+v, want every match %v", text, ms, want)
		}
	}
}

// Every phrase of senseAfter drops a term that ends with the phrase's first
// word when the phrase reads on from it, in any case; a term that is the
// phrase, or starts with its first word, keeps its match; the phrase across
// a clause's end, or the first word without the rest, drops nothing.
func TestSenseAfter(t *testing.T) {
	// A term that ends with each phrase's first word.
	lead := map[string]string{"abuse": "history of abuse", "si": "reports si"}
	for _, who := range []string{"husband", "wife", "boyfriend", "girlfriend", "partner", "spouse", "ex", "fiance", "fiancee"} {
		lead[who] = "afraid of her " + who
	}
	for _, what := range []string{"needle", "needles", "syringe", "syringes"} {
		lead[what] = "sharing " + what
	}
	lead["weed"], lead["pot"], lead["top"] = "uses weed", "uses pot", "requests top"
	for _, p := range senseAfter {
		ws := strings.Fields(p)
		if len(ws) < 2 {
			t.Errorf("sense after %q: one word reads on to nothing", p)
			continue
		}
		term, ok := lead[ws[0]]
		if !ok {
			t.Errorf("sense after %q: give this test a term ending in %q", p, ws[0])
			continue
		}
		l, err := Compile([]Term{{Text: term, ID: 1}, {Text: ws[0], ID: 2}})
		if err != nil {
			t.Fatal(err)
		}
		text := strings.TrimSuffix(term, ws[0]) + p
		for _, text := range []string{text, strings.ToUpper(text), "no " + text} {
			var f Finder
			ms := f.Find(l, text, nil)
			if len(ms) != 2 {
				t.Errorf("%q: %+v, want two matches", text, ms)
				continue
			}
			for _, m := range ms {
				if m.Reason != OtherSense || !strings.EqualFold(m.Trigger, p) {
					t.Errorf("%q: %+v, want other-sense (%q)", text, m, p)
				}
			}
		}
		checkOwnTermKept(t, p, text)
	}
	checkTermReasons(t, []string{"history of abuse", "abuse", "reports SI"}, map[string]Reason{
		"History of abuse by her father":        Kept,
		"History of abuse. Of alcohol, none":    Kept,
		"History of abuse as a child":           Kept,
		"History of abuse of alcohol":           OtherSense,
		"History of abuse of his children":      Kept,
		"Denies history of abuse of substances": OtherSense,
		"Reports SI joint pain":                 OtherSense,
		"Reports SI, joint pain":                Kept,
	})
}

// A negation joined by a hyphen to the next word is part of a compound
// that denies nothing; joined to the match itself, or standing apart, it
// still negates. Other cues keep their sense in a compound ("mother-in-law").
func TestCompoundNegation(t *testing.T) {
	checkTermReasons(t, []string{"HIV", "vasectomy"}, map[string]Reason{
		"No-show for HIV clinic appointment": Kept,
		"No-scalpel vasectomy":               Kept,
		"Never-married, HIV positive":        Kept,
		"Not-for-profit HIV services":        Kept,
		"No HIV":                             Negated,
		"No-HIV":                             Negated,
		"No - HIV":                           Negated,
		"No history of HIV":                  Negated,
		"Never-married; denies HIV":          Negated,
		"No-show, no vasectomy":              Negated,
		"Mother-in-law has HIV":              Other,
		"Her mother-in-law had a vasectomy":  Other,
	})
}

// A parent word that names the patient's own role is no other person;
// the patient named as a subject between a relative and the match takes
// the match back; a denial denied affirms; a plan or a wish speaks of a
// present fact, a conditional supposes one; what a patient does not do
// with a medication says it is theirs.
func TestPatientsOwn(t *testing.T) {
	checkTermReasons(t, []string{"HIV", "depression", "BRCA1", "heroin use", "Biktarvy", "PrEP", "buprenorphine"}, map[string]Reason{
		"Should continue buprenorphine":                    Kept,
		"Would like to start PrEP":                         Kept,
		"Could be depression":                              Kept,
		"Should she develop depression, call us":           Hypothetical,
		"Should symptoms of depression return, call":       Hypothetical,
		"If depression develops, call us":                  Hypothetical,
		"Could not afford her Biktarvy this month":         Kept,
		"Has not been taking his buprenorphine":            Kept,
		"Not adherent to PrEP":                             Kept,
		"Not on PrEP":                                      Negated,
		"Mother of three, HIV positive":                    Kept,
		"Single father with depression":                    Kept,
		"She is a grandmother with depression":             Kept,
		"Mother of 2, HIV positive":                        Kept,
		"Mother of the patient has depression":             Other,
		"Mother has depression":                            Other,
		"Her stepfather has depression":                    Other,
		"Mother had breast cancer, patient BRCA1 positive": Kept,
		"Mother had breast cancer, pt BRCA1 positive":      Kept,
		"Mother of patient: BRCA1 positive":                Other,
		"Mother, patient's sister: BRCA1 positive":         Other,
		"Patient did not deny heroin use":                  Kept,
		"Patient doesn't deny heroin use":                  Kept,
		"Patient denies heroin use":                        Negated,
	})
}

// A question answered no is negated, and an item left unchecked in a
// form's check boxes too; an answer that goes on, or a checked box, is not.
func TestQuestionsAndBoxes(t *testing.T) {
	checkTermReasons(t, []string{"HIV", "depression", "thoughts of suicide"}, map[string]Reason{
		"Thoughts of suicide? No.":        Negated,
		"Ever diagnosed with HIV?\nNo":    Negated,
		"History of depression? Denies.":  Negated,
		"HIV status: unknown":             Negated,
		"Needlestick, source HIV unknown": Kept,
		"Thoughts of suicide? No plan.":   Kept,
		"Thoughts of suicide? Yes.":       Kept,
		"Thoughts of suicide. No.":        Kept,
		"[ ] Depression [ ] HIV":          Negated,
		"☐ HIV":                           Negated,
		"☐ HIV ☑":                         Negated,
		"☑ Depression":                    Kept,
		"[x] Depression":                  Kept,
		"☒ HIV":                           Kept,
	})
}

// A negation after a result stated in or after the match speaks of the
// next finding; with no result word between them it still negates.
func TestPostNegationAfterResult(t *testing.T) {
	checkCases(t, []judgeCase{
		{"HIV positive, hepatitis C negative.", false, Kept, ""},
		{"HIV reactive, HCV antibody negative.", false, Kept, ""},
		{"HIV detected, HBV DNA not detected.", false, Kept, ""},
		{"Hepatitis C positive, HIV negative.", false, Negated, "negative"},
		{"HIV negative, hepatitis C positive.", false, Negated, "negative"},
		{"Drug use present, alcohol use absent.", false, Kept, ""},
	})
}

// A negation after a comma and another finding of two words or more
// speaks of that finding; after another term, or one other word, of the
// match too.
func TestPostNegationAfterOtherFinding(t *testing.T) {
	checkCases(t, []judgeCase{
		{"HIV, hepatitis C negative.", false, Kept, ""},
		{"HIV, TSH normal, B12 negative.", false, Kept, ""},
		{"HIV, x negative.", false, Negated, "negative"},
		{"HIV hepatitis C negative.", false, Negated, "negative"},
		{"HIV, hepatitis C: negative.", false, Kept, ""},
	})
	checkTermReasons(t, []string{"HIV", "drug use"}, map[string]Reason{"HIV, drug use negative.": Negated})
}

// A negation after a comma speaks of the list's next finding, and never
// reaches a medication's name: "Descovy, HIV negative" is Descovy taken
// and an HIV test's result. Without a comma, or as an answer after a
// colon, a negation still reaches it; and a term that is no medication
// is negated through the list as before.
func TestMedicationAfterComma(t *testing.T) {
	l, err := Compile([]Term{{Text: "Descovy", ID: 1, Medication: true}, {Text: "HIV", ID: 2}, {Text: "depression", ID: 3}})
	if err != nil {
		t.Fatal(err)
	}
	for text, want := range map[string][]Reason{
		"Descovy, HIV negative.":        {Kept, Negated},
		"On Descovy, HIV negative.":     {Kept, Negated},
		"Descovy, depression denied.":   {Kept, Negated},
		"Depression, HIV negative.":     {Negated, Negated},
		"Descovy negative.":             {Negated},
		"Descovy: no.":                  {Negated},
		"No Descovy, HIV negative.":     {Negated, Negated},
		"HIV negative, Descovy.":        {Negated, Kept},
		"Descovy, HIV negative? Maybe.": {Kept, Negated},
	} {
		var f Finder
		ms := f.Find(l, text, nil)
		got := make([]Reason, len(ms))
		for i, m := range ms {
			got[i] = m.Reason
		}
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("%q: %v, want %v", text, got, want)
		}
	}
	// A screening-broad term that ends with a test noun is no test, so a
	// negation drops it; as a medication, not one after a comma.
	for _, medication := range []bool{false, true} {
		l, err := Compile([]Term{{Text: "missed AB", ID: 1, ScreeningBroad: true, Medication: medication}, {Text: "HIV", ID: 2}})
		if err != nil {
			t.Fatal(err)
		}
		var f Finder
		ms := f.Find(l, "Missed AB, HIV negative.", nil)
		if want := map[bool]Reason{false: Negated, true: Kept}[medication]; len(ms) != 2 || ms[0].Reason != want {
			t.Errorf("medication %v: %+v, want the first match %v", medication, ms, want)
		}
	}
}

// Judge reads a span found elsewhere (a rule pack's pattern) in the same
// context as a term's match, and never takes a cut word for a cue.
func TestJudgeSpan(t *testing.T) {
	l, err := Compile([]Term{{Text: "HIV", ID: 1}})
	if err != nil {
		t.Fatal(err)
	}
	var f Finder
	for _, c := range []struct {
		text, span string
		broad      bool
		want       Reason
		trigger    string
	}{
		{"No cocaine metabolite detected in urine.", "cocaine metabolite detected in urine", false, Negated, "No"},
		{"Cocaine metabolite detected in urine.", "Cocaine metabolite detected in urine", false, Kept, ""},
		{"Mother: cocaine metabolite detected.", "cocaine metabolite detected", false, Other, "Mother"},
		{"If cocaine metabolite detected, refer.", "cocaine metabolite detected", false, Hypothetical, "If"},
		{"Screening for cocaine use today.", "cocaine use", true, Hypothetical, "Screening for"},
		{"Screening for cocaine use today.", "cocaine use", false, Kept, ""},
		// denies HIV and the match: the HIV term between does not count
		// toward the negation's reach
		{"Denies HIV, hepatitis, syphilis, gonorrhea or cocaine metabolite in urine.", "cocaine metabolite in urine", false, Negated, "Denies"},
		// the window Judge reads starts inside "piano": its "no" is no cue
		{"piano " + strings.Repeat("y", 508) + " cocaine use", "cocaine use", false, Kept, ""},
		{strings.Repeat("x ", 300) + "no cocaine use", "cocaine use", false, Negated, "no"},
	} {
		start := strings.Index(c.text, c.span)
		why, trigger := f.Judge(l, c.text, start, start+len(c.span), c.broad, false)
		if why != c.want || trigger != c.trigger {
			t.Errorf("%.60q: %v (%q), want %v (%q)", c.text, why, trigger, c.want, c.trigger)
		}
	}
	if why, _ := f.Judge(nil, "no cocaine use", 3, 14, false, false); why != Negated {
		t.Errorf("no lexicon: %v, want negated", why)
	}
}

// An answer word ending its clause right after a match answers it; one
// that goes on to name something else does not. "(-)" may stand one word
// after the match.
func TestPostposedAnswer(t *testing.T) {
	checkCases(t, []judgeCase{
		{"Drug use denied.", false, Negated, "denied"},
		{"IV drug use - no.", false, Negated, "no"},
		{"Drug use never, alcohol socially.", false, Negated, "never"},
		{"Drug use history denied", false, Negated, "denied"},
		{"Drug use history, denies chest pain.", false, Kept, ""},
		{"Drug use, no new complaints.", false, Kept, ""},
		{"Drug use in the past denied", false, Kept, ""},
		{"HIV status (-)", false, Negated, "(-)"},
		{"HIV, hepatitis C (-)", false, Kept, ""},
		{"HIV status unclear (-)", false, Kept, ""},
	})
}

// A form's field left blank says nothing; one answered says what it says.
func TestBlankAnswer(t *testing.T) {
	for text, want := range map[string]bool{
		"Illicit drug use:":                         true,
		"Illicit drug use:   ":                      true,
		"Illicit drug use:\nSexual activity: yes":   true,
		"Illicit drug use: Sexual activity: active": true,
		"Illicit drug use:\n\nTobacco:":             true,
		"Illicit drug use: cocaine":                 false,
		"Illicit drug use:\n- cocaine daily":        false,
		"Illicit drug use: 10:30":                   false,
		"Illicit drug use":                          false,
		"Illicit drug use, sexual activity: yes":    false,
	} {
		if got := blankAnswer(text, len("Illicit drug use")); got != want {
			t.Errorf("%q: %v, want %v", text, got, want)
		}
	}
}

// A Family term keeps a relative's match; any other drops it.
func TestFamilyTerm(t *testing.T) {
	l, err := Compile([]Term{{Text: "BRCA1", ID: 1, Family: true}, {Text: "schizophrenia", ID: 2}})
	if err != nil {
		t.Fatal(err)
	}
	var f Finder
	want := map[int32]Reason{1: Kept, 2: Other}
	for _, m := range f.Find(l, "mother is a BRCA1 carrier; her brother has schizophrenia", nil) {
		if m.Reason != want[m.ID] {
			t.Errorf("term %d: %v, want %v", m.ID, m.Reason, want[m.ID])
		}
		delete(want, m.ID)
	}
	if len(want) > 0 {
		t.Errorf("no match for %v", want)
	}
	if r, _ := f.Judge(nil, "mother is a BRCA1 carrier", 12, 17, false, true); r != Kept {
		t.Errorf("Judge with family: %v, want kept", r)
	}
	if r, _ := f.Judge(nil, "mother is a BRCA1 carrier", 12, 17, false, false); r != Other {
		t.Errorf("Judge without family: %v, want other", r)
	}
}
