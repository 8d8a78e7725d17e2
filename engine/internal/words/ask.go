package words

import "strings"

// An indirect question ("asked about heroin use", "asked whether she has
// been hurt by her partner") states no fact; its answer, in the clause
// after it, does. "Asked about heroin use; she denies" and "When asked if
// she has thoughts of suicide, she said no" deny what was asked about;
// "asked if she uses heroin; she says yes" affirms it, though "if" alone
// would make it hypothetical; "asked whether ..." with no answer stays as
// hypothetical as the question. "Asked about" names a topic, often one the
// record already holds ("asked about her drinking"), and is kept when no
// answer follows.

// How a question was answered.
const (
	unanswered = iota
	answeredNo
	answeredYes
)

// askReach is how many words before a match an asking verb may stand, and
// askAnswerReach how many words after the match its answer may start.
const (
	askReach       = 10
	askAnswerReach = 8
)

// The words of indirect questions and their answers, by kind.
const (
	askVerb  = 1 << iota // asks: "asked", "inquired"
	askLink              // joins the asking to a yes-or-no question: "if", "whether"
	askTopic             // joins it to a topic: "about", "regarding"
	askWhom              // stands between: "asked her whether"
	ansWho               // the answer's subject: "she", "pt"
	ansSay               // reports the answer: "says", "reported"
	ansNo                // denies: "no", "denies"
	ansYes               // affirms: "yes", "admits", "does"
	ansAux               // an auxiliary a "not" makes a denial: "does not"
	ansNot               // a contraction's first part: "doesn't" reads as "doesn" and "t"
	askBreak             // ends the question's clause: "and", "but"
)

// askWords are the words of ask's kinds, looked up as cue words are (by
// the token's hash): askKinds[i] are the kinds of word i.
var askWords, askKinds = func() (dict, []uint16) {
	var b dictBuilder
	var kinds []uint16
	for kind, list := range [...]string{
		`asked asks asking ask inquired inquires enquired enquires questioned queried`,
		`if whether`,
		`about regarding re`,
		`her him them patient pt the client`,
		`she he they patient pt the client who that then and but`,
		`says said states stated reports reported answers answered responds responded replies replied`,
		`no denies denied deny denying never not negative none nope`,
		`yes yeah endorses endorsed admits admitted affirms affirmed confirms confirmed positive does did has have had`,
		`does did do has had have is was were`,
		`doesn didn don hasn hadn haven isn wasn weren aren won`,
		`and but`,
	} {
		for _, w := range strings.Fields(list) {
			id := b.id(w)
			if int(id) == len(kinds) {
				kinds = append(kinds, 0)
			}
			kinds[id] |= 1 << kind
		}
	}
	return b.dict(), kinds
}()

// askKind returns the kinds of word k (0 past the window's words).
func (f *Finder) askKind(k int) uint16 {
	if k < 0 || k >= len(f.toks) {
		return 0
	}
	if i := askWords.lookup(f.folded(k), f.toks[k].hash); i >= 0 {
		return askKinds[i]
	}
	return 0
}

// asked finds an indirect question around the match of words s..e-1 (whose
// longest covering term ends at end): it returns the word that links the
// question ("about", "if", "whether"; -1 when there is none), how it was
// answered and the answer's words a..b-1.
func (f *Finder) asked(l *Lexicon, text string, s, end int) (link, how, a, b int) {
	link = -1
	for k := s - 1; k > 0 && k >= s-askReach; k-- {
		if clauseBreak(text, f.toks[k].end, f.toks[k+1].start) {
			break
		}
		if f.askKind(k)&(askLink|askTopic) == 0 {
			continue
		}
		v := k - 1
		for n := 0; n < 2 && v > 0 && f.askKind(v)&askWhom != 0; n++ { // "asked the patient about"
			v--
		}
		if f.askKind(v)&askVerb != 0 && !clauseBreak(text, f.toks[v].end, f.toks[k].start) {
			link = k
			break
		}
	}
	if link < 0 {
		return -1, unanswered, 0, 0
	}
	// The question's clause ends at a break, a comma, a colon or a dash,
	// at "and" ("was asked about heroin use and denied"), or at a subject
	// that answers ("when asked about heroin use she denied").
	answers := uint16(ansNo | ansYes | ansSay | ansAux | ansNot)
	k, limit := end, min(len(f.toks), end+askAnswerReach)
	for ; k < limit; k++ {
		gap := text[f.toks[k-1].end:f.toks[k].start]
		if clauseBreak(text, f.toks[k-1].end, f.toks[k].start) || strings.ContainsAny(gap, ",:-–—") {
			break
		}
		if kind := f.askKind(k); kind&askBreak != 0 || kind&ansWho != 0 && f.askKind(k+1)&answers != 0 {
			break
		}
	}
	reported := false
	for ; k < limit; k++ {
		kind := f.askKind(k)
		switch {
		case kind&ansNot != 0 && f.wordIs(k+1, "t"), kind&ansAux != 0 && f.wordIs(k+1, "not"):
			return link, f.denial(l, text, k+2), k, k + 2
		case kind&ansNo != 0:
			return link, f.denial(l, text, k+1), k, k + 1
		case kind&ansYes != 0:
			return link, answeredYes, k, k + 1
		case kind&ansSay != 0:
			reported = true
			continue
		case kind&ansWho != 0:
			continue
		case reported:
			// "she reports daily use": she said something, and no denial.
			return link, answeredYes, k, k + 1
		}
		break
	}
	return link, unanswered, 0, 0
}

// wordIs reports whether word k is w (folded).
func (f *Finder) wordIs(k int, w string) bool {
	return k < len(f.toks) && string(f.folded(k)) == w
}

// denial reads a negative answer ending before word b as the question's:
// it ends its clause, or the few words after it start no term ("she
// denies any use"); "she denies cocaine but ..." denies cocaine, whatever
// else was asked.
func (f *Finder) denial(l *Lexicon, text string, b int) int {
	for k := b; k < len(f.toks) && k < b+3; k++ {
		if clauseBreak(text, f.toks[k-1].end, f.toks[k].start) || strings.Contains(text[f.toks[k-1].end:f.toks[k].start], ",") {
			return answeredNo
		}
		if f.termEnd(l, k, len(f.toks)) > k {
			return unanswered
		}
	}
	return answeredNo
}
