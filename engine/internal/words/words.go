// Package words finds the terms of a lexicon in clinical text, many terms in
// one pass, and says for each match whether its context drops it: negated
// ("denies drug use"), about someone else ("mother has schizophrenia") or
// hypothetical ("at risk of HIV"), in the manner of NegEx and ConText.
//
// # Words
//
// A word is a run of Unicode letters and digits; everything else, invalid
// UTF-8 included, separates words, but for a plus sign that marks a result
// ("UDS (+) cocaine", "HIV+"; not "2+ edema", "A+B" nor "+/-"), which is
// a word of its own that reads "positive". So
// "post-traumatic" is the two words post and traumatic, and a term matches
// however its words are separated in the text. A term matches whole words
// only. Words compare folded: lower case, with the common Latin diacritics
// taken off (à-å, ç, è-ë, ì-ï, ñ, ò-ö, ø, ù-ü, ý, ÿ; œ, æ and ß become oe,
// ae and ss). A term written with a leading '=' compares its words byte for
// byte instead. The last word of a term without '=' also matches the text's
// word with "s" or "es" after it, so plurals match; "es" is no plural of a
// word written in capitals (an abbreviation: "hives" is no HIV); the word
// before a term's first "of" matches its plural too ("terminations of
// pregnancy"), and a last word "disorder" matches "d/o" ("bipolar d/o"). An
// exact
// term's last word takes a lower-case "s" ("STDs" for "=STD") unless it
// ends in one.
//
// # Context
//
// Context applies within a clause. A clause ends at . ! ? ; or a line break
// (not at a '.' between two digits, nor at ':'), before a phrase of the list
// terminators, and before "and" or "or" (clauseJoins) followed by a word of
// clauseVerbs. A phrase of causes ("due to", "because", "since", "after")
// ends it too for every cue but otherPerson: "not working because of
// depression" states the depression, "father died due to alcohol use
// disorder" stays the father's. Cues are phrases of the lists in cues.go,
// matched as word sequences folded like terms:
//
//   - preNegation: a cue at most 6 words before the match negates it;
//     the words of other terms and listGlue between them do not count, so
//     a negation reaches through a list ("denies depression, anxiety or
//     PTSD"), but one joined by a hyphen to a word before the match is
//     part of a compound and negates nothing ("no-show for HIV care");
//   - postNegation: a cue at most 4 words after the match negates it;
//     answerNegation too, but only after a colon ("Heroin use: denies"),
//     after a question's mark and ending its clause ("Thoughts of
//     suicide? No.") or at most 2 words after the match with nothing
//     after it in its clause but a comma ("suicidal ideation denied", "IV
//     drug use - no"); an unchecked box right before the match ("[ ]
//     Depression", "☐ HIV") negates it too;
//     neither does when a result word (resultWords) stands in the match
//     or between it and the cue: "HIV positive, hepatitis C negative";
//     and a postNegation cue does not when, after a comma, two words or
//     more of no term and no listGlue stand between: "HIV, hepatitis C
//     negative" (another finding's); nor does any negation after a comma
//     reach a Medication term ("Descovy, HIV negative");
//   - testNouns: a cue at most 3 words after the match, or the match's own
//     last words or all of them, or a cue of several words right before it,
//     makes it a test's name ("HIV-1 RNA", "chlamydia NAAT", "carrier
//     screening", "RPR", "prueba de VIH"), which no negation drops: a test
//     done says what its result does not unsay; for terms marked
//     ScreeningBroad, one at most 2 words after in its clause, or before,
//     is a screening cue instead ("heroin test negative");
//   - pseudoCues: the words of one of these are no cue of any kind
//     ("not ruled out", "no longer" and "did not deny" negate nothing;
//     "per mother" and "mother reports" make the mother the informant,
//     not the subject; "mother of three" and "single father" are the
//     patient's own role);
//   - otherSense: a phrase that holds the match and more words, within one
//     clause, gives its words another meaning ("ST depression", "OCD
//     lesion"), and drops it whatever else stands around it; so does a
//     phrase of senseAfter that begins at the match's last word and goes
//     on past it, with no comma, colon, semicolon or bracket after the
//     match ("history of abuse of alcohol" is no violence, "reports SI
//     joint pain" no suicidal ideation); a profession said of someone ("she
//     is a psychiatrist", "retired psychiatric nurse") is a job, and so is
//     a match at most 4 words after a phrase of atWork ("works as",
//     "employed at", "Occupation:") in one run of words, with no comma,
//     colon after the first word, or bracket between ("works at the county
//     methadone clinic"); with Finder.Job set, the text is the answer to
//     a question about work, and a match in its first words, so placed,
//     is a job too;
//   - otherPerson: a cue at most 6 words before makes the match about
//     someone other than the patient, unless "patient" or "pt" stands
//     between them as a subject ("mother had breast cancer, patient BRCA1
//     positive"; not "mother of the patient", nor "patient's sister"), or
//     right after the match as its object ("stepfather sexually abused her
//     as a child", "beat him", "abusive toward the patient": the relative
//     did it to the patient; "her" before a noun is a possessive); a
//     relative named right after the match, after "in" or "of", makes it
//     the relative's too (relativeAfter: "schizophrenia in his brother",
//     "depression runs in the family");
//   - hypothetical: a cue at most 6 words before makes it hypothetical
//     ("if", "risk of", "should she"; a plan or a wish is none, "should
//     continue buprenorphine");
//   - screening: the same, for terms marked ScreeningBroad only, and
//     screeningAfter at most 2 words after, in its clause, the match or a
//     longer term that holds it ("depression screening", "Generalized
//     Anxiety Disorder 7 item"),
//     unless positiveResult stands at most 3 words before or after the
//     match, or a result word in it ("depression screening positive",
//     "fentanyl positive urine drug screen": the screen found it).
//
// "At most 6 words before" counts the match's first word as 0: a cue right
// before the match is 1 word before it, so 5 words may stand between them
// (and 3 after a match). A cue's words never overlap the match's own, nor
// do the match's own words end its clause. An other sense wins over any
// cue; of the rest, negated wins over other person, which wins over
// hypothetical; of the cues of the winning kind the nearest, then the
// longest, is the one reported.
//
// # Use
//
// Compile a Lexicon once and share it. Give each goroutine a Finder of its
// own and keep it: once its buffers have grown to the window it reads
// through (a few hundred words, however long the text), Find allocates
// nothing. FromXHTML and DecodeBase64 turn a narrative or an attachment into
// text for Find.
package words

import (
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/seclabel/seclabel/internal/jsonx"
)

// Term is one lexicon entry.
type Term struct {
	// Text is one or more words, e.g. "post-traumatic stress disorder" or
	// "HIV"; a leading '=' means match case exactly ("=AIDS" does not match
	// "aids").
	Text string
	// ID is the caller's payload. Several terms may share an ID, and the
	// same text may appear with different IDs.
	ID int32
	// ScreeningBroad makes a screening cue before a match drop it as
	// hypothetical.
	ScreeningBroad bool
	// Medication marks a medication's name, which a negation after it and
	// a comma does not reach: that speaks of the list's next finding
	// ("Descovy, HIV negative"), and a drug is none.
	Medication bool
	// Family keeps a match whose subject is a relative: the relative's
	// finding is itself the category's information about the patient (a
	// family history of a genetic variant is genetic information).
	Family bool
}

// Lexicon is a compiled, immutable set of terms, safe for concurrent use.
type Lexicon struct {
	fold, exact dict // the words of case-insensitive terms (folded) and of exact ones
	t           trie // both kinds of term; their paths start from their own dict's root
	terms       []termInfo
	maxWords    int
}

type termInfo struct {
	id           int32
	exact, broad bool
	medication   bool
	family       bool
	capsLast     bool // its last word is in capitals: an abbreviation, whose plural takes "s" only
	sLast        bool // it ends in s or S, so an exact term takes no plural
}

type compileError struct{ msg string }

func (e *compileError) Error() string { return e.msg }

// Compile builds a Lexicon. It fails on a term with no word in it.
func Compile(terms []Term) (*Lexicon, error) {
	l := &Lexicon{terms: make([]termInfo, len(terms))}
	var fold, exact dictBuilder
	var b trieBuilder
	for i, term := range terms {
		text, isExact := strings.CutPrefix(term.Text, "=")
		d := &fold
		if isExact {
			d = &exact
		}
		n := b.add(d, text, isExact, int32(i))
		if n == 0 {
			return nil, &compileError{"words: term " + strconv.Itoa(i) + " (" + string(jsonx.AppendString(nil, term.Text)) + ") has no word"}
		}
		if !isExact {
			if v, ok := headPlural(text); ok {
				b.add(d, v, false, int32(i))
			}
			if v, ok := disorderShort(text); ok {
				b.add(d, v, false, int32(i))
			}
		}
		l.terms[i] = termInfo{term.ID, isExact, term.ScreeningBroad, term.Medication, term.Family, capsLast(text), strings.HasSuffix(strings.ToLower(text), "s")}
		l.maxWords = max(l.maxWords, n)
	}
	l.fold, l.exact, l.t = fold.dict(), exact.dict(), b.trie()
	return l, nil
}

// headPlural returns text with the word before its first "of" in the
// plural ("termination of pregnancy" gives "terminations of pregnancy"): a
// phrase's head noun stands there, and Find reads only the last word's
// plural. Nothing when that word is not three or more ASCII letters, is in
// capitals (an abbreviation) or ends in s (a plural already, or a word
// whose plural is not regular).
func headPlural(text string) (string, bool) {
	prevStart, prevEnd := -1, -1
	for start, end := wordAt(text, 0); start < end; start, end = wordAt(text, end) {
		if end-start != 2 || !strings.EqualFold(text[start:end], "of") {
			prevStart, prevEnd = start, end
			continue
		}
		if prevStart < 0 || prevEnd-prevStart < 3 {
			return "", false
		}
		w := text[prevStart:prevEnd]
		caps := true
		for i := 0; i < len(w); i++ {
			c := w[i] | 0x20
			if c < 'a' || c > 'z' {
				return "", false
			}
			caps = caps && w[i] < 'a'
		}
		lw := strings.ToLower(w)
		var p string
		switch {
		case caps || strings.HasSuffix(lw, "s"):
			return "", false
		case strings.HasSuffix(lw, "y") && !vowel(lw[len(lw)-2]):
			p = w[:len(w)-1] + "ies"
		case strings.HasSuffix(lw, "x") || strings.HasSuffix(lw, "z") || strings.HasSuffix(lw, "ch") || strings.HasSuffix(lw, "sh"):
			p = w + "es"
		default:
			p = w + "s"
		}
		return text[:prevStart] + p + text[prevEnd:], true
	}
	return "", false
}

// disorderShort returns text with its last word "disorder" written "d/o",
// as notes shorten it ("bipolar d/o", "panic d/o").
func disorderShort(text string) (string, bool) {
	start, end := -1, -1
	for s, e := wordAt(text, 0); s < e; s, e = wordAt(text, e) {
		start, end = s, e
	}
	if start <= 0 || !strings.EqualFold(text[start:end], "disorder") {
		return "", false
	}
	return text[:start] + "d/o" + text[end:], true
}

// capsLast reports whether the last word of text is two or more letters,
// all capitals: "HIV" takes "HIVs" as its plural, never "HIVes", so
// "hives" is no HIV.
func capsLast(text string) bool {
	w := strings.TrimRight(text, " .-/'")
	if i := strings.LastIndexAny(w, " .-/'"); i >= 0 {
		w = w[i+1:]
	}
	for i := 0; i < len(w); i++ {
		if w[i] < 'A' || w[i] > 'Z' {
			return false
		}
	}
	return len(w) >= 2
}

// IsTerm reports whether s is a literal term this package can match, as
// opposed to a text pattern: an optional '=', then words of letters and
// digits separated by one space, hyphen, apostrophe (' or ’), slash or
// period each; a period may also end s or be followed by one space
// ("St. John's wort"). Everything else, a pattern's metacharacters among it,
// makes s no term: a term must mean the same read either way.
func IsTerm(s string) bool {
	s = strings.TrimPrefix(s, "=")
	words, sep := 0, true // sep: what came last is a separator, or nothing
	for i := 0; i < len(s); {
		r, size := rune(s[i]), 1
		if r >= utf8.RuneSelf {
			r, size = utf8.DecodeRuneInString(s[i:])
		}
		i += size
		switch {
		case r == utf8.RuneError && size == 1:
			return false
		case wordRune(r):
			if sep {
				words++
			}
			sep = false
		case sep:
			return false
		case r == '.':
			if i == len(s) {
				return words > 0
			}
			if s[i] == ' ' {
				i++
			}
			sep = true
		case r == ' ' || r == '-' || r == '\'' || r == '/' || r == '’':
			sep = true
		default:
			return false
		}
	}
	return words > 0 && !sep
}

// Reason says why a match was dropped.
type Reason uint8

const (
	Kept         Reason = iota
	Negated             // "no HIV", "denies drug use", "HIV ruled out"
	Other               // about someone else: "mother has schizophrenia"
	Hypothetical        // "at risk of HIV"; "screening for depression" for ScreeningBroad terms
	OtherSense          // the words are part of a phrase that means something else: "ST depression"
)

var reasonNames = [...]string{"", "negated", "other-person", "hypothetical", "other-sense"}

func (r Reason) String() string {
	if int(r) < len(reasonNames) {
		return reasonNames[r]
	}
	return "reason" + strconv.Itoa(int(r))
}

// Match is one term found in a text.
type Match struct {
	Start, End int // byte offsets of the matched words in the text given to Find
	ID         int32
	Exact      bool   // the term was an exact-case one
	Reason     Reason // Kept, or why it is dropped
	// Trigger is the cue that dropped the match, as it stands in the text
	// (a substring of it); "" when kept.
	Trigger string
}
