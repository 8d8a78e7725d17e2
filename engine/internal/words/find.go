package words

import (
	"strings"
	"unicode/utf8"
)

// The context windows, in words (see the package comment).
const (
	preWindow  = 6
	postWindow = 4
	// preReach bounds how far back a cue is looked for at all: the words of
	// other terms and list glue between a cue and its match do not count
	// toward preWindow, so a cue may stand further back than 6 words.
	preReach = 4 * preWindow
	// screenAfterWindow and testWindow: how far after a match a screening
	// word or a test noun still speaks of it.
	screenAfterWindow = 2
	testWindow        = 3
	// positiveWindow: how far from a match a positive result undoes a
	// screening cue.
	positiveWindow = 3
	// workWindow: how far after a cue of work a match still names the job
	// ("works at the county methadone clinic").
	workWindow = 4
)

// compactAfter is how many tokens Find lets pile up behind the ones it still
// needs before it moves the rest down: the scratch space stays the size of a
// few windows, however long the text.
const compactAfter = 256

// Finder holds reusable scratch space for Find. It is not safe for
// concurrent use; the zero value is ready.
type Finder struct {
	// Job, when set, is the name of a question about the patient's work
	// whose answer the text is ("Occupation", "Employer"): a match in its
	// first words names a job, as one after a phrase of atWork does, and
	// Job is reported as the cue.
	Job string

	toks  []token // a window of the text's words
	fold  []byte  // their folded forms
	raw   []byte  // the word being looked up among exact terms
	ies   []byte  // a word in "ies" with "y" for it
	occ   []cueAt // the cues around the match being judged
	start []cueSet
	cover []bool // words covered by a pseudo-cue
	last  judged
}

type token struct {
	start, end int // in the text
	f0, f1     int // folded, in Finder.fold
	hash       uint32
	fid        int32 // in Lexicon.fold, or -1
	sid, esid  int32 // the word less "s", less "es", in Lexicon.fold, or -1
	xid, xsid  int32 // in Lexicon.exact, as it is and less a last "s", or -1
	cid        int32 // among the cues, or -1; -2 until looked up
}

// cueAt is a cue found in the text: its words a..b-1 (token indices).
type cueAt struct {
	a, b  int
	kinds cueSet
}

// judged is the context of the last span judged, for every term that
// matches the same words.
type judged struct {
	ok         bool
	start, end int
	reason     [4]Reason // by variant: 1 for ScreeningBroad terms, 2 for medications, 3 for both
	cue        [4]string
}

// Find appends every match of l's terms in text to dst, in text order (by
// Start, then End), and returns it. Every term that matches is reported: a
// longer and a shorter term starting at the same word, and each of several
// terms with the same words.
func (f *Finder) Find(l *Lexicon, text string, dst []Match) []Match {
	if l == nil {
		return dst
	}
	f.toks, f.fold, f.last.ok = f.toks[:0], f.fold[:0], false
	// What a match starting at word i may look at: the term's own words and
	// the cues after them, and before them the cues' words.
	ahead := l.maxWords + postWindow + 2*cues.maxWords + 2
	behind := preReach + 2*cues.maxWords
	pos := 0
	for i := 0; ; i++ {
		for len(f.toks)-i < ahead && pos < len(text) {
			pos = f.scan(l, text, pos)
		}
		if i >= len(f.toks) {
			return dst
		}
		if i > behind+compactAfter {
			i -= f.compact(i - behind)
		}
		dst = f.startAt(l, text, i, dst)
	}
}

// scan appends the first word at or after pos to the window, and returns
// where it ends (len(text) when there is none).
func (f *Finder) scan(l *Lexicon, text string, pos int) int {
	start, end := wordAt(text, pos)
	if start == end {
		return len(text)
	}
	w := text[start:end]
	f0 := len(f.fold)
	var h, less1, less2 uint32
	f.fold, h, less1, less2 = appendFold(f.fold, w)
	fw := f.fold[f0:]
	f.toks = append(f.toks, token{})
	t := &f.toks[len(f.toks)-1]
	*t = token{start: start, end: end, f0: f0, f1: len(f.fold), hash: h,
		fid: l.fold.lookup(fw, h), sid: -1, esid: -1, xid: -1, xsid: -1, cid: -2}
	if n := len(fw); n > 1 && fw[n-1] == 's' {
		t.sid = l.fold.lookup(fw[:n-1], less1)
		switch {
		case n > 4 && fw[n-3] == 'i' && fw[n-2] == 'e' && !vowel(fw[n-4]):
			// "anomalies": the plural of a word in consonant and "y". No
			// term's last word ends in "i", so this takes esid's place.
			f.ies = append(append(f.ies[:0], fw[:n-3]...), 'y')
			t.esid = l.fold.lookup(f.ies, hashWord(f.ies))
		case n > 2 && fw[n-2] == 'e':
			t.esid = l.fold.lookup(fw[:n-2], less2)
		}
	}
	if len(l.exact.hashes) > 0 {
		f.raw = append(f.raw[:0], w...)
		t.xid = l.exact.lookup(f.raw, hashWord(f.raw))
		if n := len(f.raw); n > 2 && f.raw[n-1] == 's' {
			t.xsid = l.exact.lookup(f.raw[:n-1], hashWord(f.raw[:n-1]))
		}
	}
	return end
}

// compact drops the window's first n words and returns n.
func (f *Finder) compact(n int) int {
	base := f.toks[n].f0
	f.toks = f.toks[:copy(f.toks, f.toks[n:])]
	f.fold = f.fold[:copy(f.fold, f.fold[base:])]
	for k := range f.toks {
		f.toks[k].f0 -= base
		f.toks[k].f1 -= base
	}
	return n
}

// startAt appends the matches that start at word i.
func (f *Finder) startAt(l *Lexicon, text string, i int, dst []Match) []Match {
	if t := &f.toks[i]; t.fid < 0 && t.sid < 0 && t.esid < 0 && t.xid < 0 && t.xsid < 0 {
		return dst // most words are in no term
	}
	first := len(dst)
	n := int32(-1)
	for j := i; j < len(f.toks); j++ {
		t := &f.toks[j]
		// A plural ends a term: its path goes no further.
		dst = f.report(l, text, l.t.next(&l.fold, n, t.sid), i, j, pluralS, dst)
		dst = f.report(l, text, l.t.next(&l.fold, n, t.esid), i, j, pluralES, dst)
		if n = l.t.next(&l.fold, n, t.fid); n < 0 {
			break
		}
		dst = f.report(l, text, n, i, j, 0, dst)
	}
	n = -1
	for j := i; j < len(f.toks); j++ {
		// "STDs": an exact term's plural takes a lower-case "s".
		dst = f.report(l, text, l.t.next(&l.exact, n, f.toks[j].xsid), i, j, pluralExact, dst)
		if n = l.t.next(&l.exact, n, f.toks[j].xid); n < 0 {
			break
		}
		dst = f.report(l, text, n, i, j, 0, dst)
	}
	// Few matches start at one word: an insertion sort puts them in order.
	ms := dst[first:]
	for a := 1; a < len(ms); a++ {
		for b := a; b > 0 && ms[b].End < ms[b-1].End; b-- {
			ms[b], ms[b-1] = ms[b-1], ms[b]
		}
	}
	return dst
}

// report appends a match of words i..j for every term ending at node n.
func (f *Finder) report(l *Lexicon, text string, n int32, i, j int, plural uint8, dst []Match) []Match {
	if n < 0 {
		return dst
	}
	if f.toks[j].f1-f.toks[j].f0 == 3 && string(f.folded(j)) == "her" && !f.objectAt(text, j) {
		return dst // "her" before its noun is a possessive: "hit her head", "abused her medications"
	}
	for _, ti := range l.t.payload(n) {
		term := &l.terms[ti]
		if plural == pluralES && term.capsLast || plural == pluralExact && term.sLast {
			continue
		}
		m := Match{Start: f.toks[i].start, End: f.toks[j].end, ID: term.id, Exact: term.exact}
		if !f.last.ok || f.last.start != m.Start || f.last.end != m.End {
			f.judge(l, text, i, j+1)
		}
		v := 0
		if term.broad {
			v = 1
		}
		if term.medication {
			v += 2
		}
		m.Reason, m.Trigger = f.last.reason[v], f.last.cue[v]
		if term.family && m.Reason == Other {
			m.Reason, m.Trigger = Kept, ""
		}
		dst = append(dst, m)
	}
	return dst
}

// How the last word of a match was read: as written, or as a plural.
const (
	pluralS uint8 = 1 + iota
	pluralES
	pluralExact // an exact term's, with a lower-case "s"
)

// cid returns the cue word index of word k.
func (f *Finder) cid(k int) int32 {
	t := &f.toks[k]
	if t.cid == -2 {
		t.cid = cues.d.lookup(f.fold[t.f0:t.f1], t.hash)
	}
	return t.cid
}

// nearest is the best cue of one kind found so far.
type nearest struct {
	dist, a, b int // dist 0: none
}

func (n *nearest) offer(c cueAt, dist int) {
	if n.dist == 0 || dist < n.dist || dist == n.dist && c.b-c.a > n.b-n.a {
		*n = nearest{dist, c.a, c.b}
	}
}

// Judge returns the context of the words text[start:end] that something
// other than a lexicon found (a rule pack's text pattern), judged as Find
// judges a term's match: Kept, or why the words are dropped and the cue,
// as it stands in text, that dropped them. l is the lexicon whose terms do
// not count toward a negation's reach (nil: none); broad reads screening
// cues as for a ScreeningBroad term, family keeps a relative's words as a
// Family term's.
func (f *Finder) Judge(l *Lexicon, text string, start, end int, broad, family bool) (Reason, string) {
	if l == nil {
		l = noTerms
	}
	// The words around the span: enough bytes for every cue window, the
	// cut ends moved to word boundaries, so that no piece of a word ("no"
	// of "piano") reads as a cue.
	lo, hi := max(0, start-judgeBytes), min(len(text), end+judgeBytes)
	for lo > 0 && lo < start && wordByte(text, lo-1) {
		lo++
	}
	for hi < len(text) && hi > end && wordByte(text, hi) {
		hi--
	}
	// Find starts its own window afresh, so this one is left as it is.
	f.toks, f.fold = f.toks[:0], f.fold[:0]
	for pos := lo; pos < hi; {
		pos = f.scan(l, text[:hi], pos)
	}
	s, e := -1, -1
	for k, t := range f.toks {
		if s < 0 && t.end > start {
			s = k
		}
		if t.start < end {
			e = k + 1
		}
	}
	if s < 0 || e <= s {
		return Kept, ""
	}
	f.judge(l, text, s, e)
	b := 0
	if broad {
		b = 1
	}
	if family && f.last.reason[b] == Other {
		return Kept, ""
	}
	return f.last.reason[b], f.last.cue[b]
}

// judgeBytes is how far around a span Judge reads: more than the words of
// the widest cue window (preReach and two cues before, postWindow and a
// cue after) take in clinical text.
const judgeBytes = 512

// noTerms is the empty lexicon Judge reads with when it is given none.
var noTerms, _ = Compile(nil)

// wordByte reports whether text[i] is part of a word (any byte of a
// multi-byte character counts, so a cut never splits one).
func wordByte(text string, i int) bool {
	return text[i] >= utf8.RuneSelf || isASCIIWord(text[i])
}

// resultWords state that what a test looked for was found.
var resultWords = [...]string{"positive", "detected", "reactive", "present", "positivo", "positiva", "detectado", "detectada", "reactivo", "reactiva"}

// resultIn reports whether one of words a..b-1 is a result word.
func (f *Finder) resultIn(a, b int) bool {
	for k := a; k < b; k++ {
		w := f.folded(k)
		for _, r := range resultWords {
			if string(w) == r {
				return true
			}
		}
	}
	return false
}

// judge sets f.last to the context of the match of words s..e-1.
func (f *Finder) judge(l *Lexicon, text string, s, e int) {
	toks := f.toks
	lo := max(0, s-preReach-2*cues.maxWords)
	hi := min(len(toks), e+postWindow+cues.maxWords)
	f.occ = f.occ[:0]
	f.start = f.start[:0]
	f.cover = f.cover[:0]
	for range len(toks) - lo {
		f.start = append(f.start, 0)
		f.cover = append(f.cover, false)
	}
	for k := lo; k < hi; k++ {
		n := int32(-1)
		for j := k; j < len(toks); j++ {
			if n = cues.t.next(&cues.d, n, f.cid(j)); n < 0 {
				break
			}
			kinds := cues.kinds[n]
			if kinds == 0 {
				continue
			}
			f.occ = append(f.occ, cueAt{k, j + 1, kinds})
			f.start[k-lo] |= kinds
			if kinds&cuePseudo != 0 {
				for c := k; c <= j; c++ {
					f.cover[c-lo] = true
				}
			}
		}
	}
	var best [kinds]nearest // negation after the match counts as kindPre
	// A medication's negation: a negation after a comma is left out, for
	// it speaks of the list's next finding, which a drug is none of
	// ("Descovy, HIV negative").
	var medPre nearest
	testName, positive := false, false
	var testCue cueAt
	sense := cueAt{a: -1}
	for _, c := range f.occ {
		if c.kinds&cueSense != 0 && c.a <= s && c.b >= e && c.b-c.a > e-s && !f.broken(text, c) ||
			c.kinds&cueSenseAfter != 0 && c.a == e-1 && c.b > e && !f.broken(text, c) &&
				!strings.ContainsAny(text[toks[e-1].end:toks[e].start], ",;:()") {
			sense = c
		}
		if c.kinds&cueWork != 0 && c.b <= s && s-c.b < workWindow && !f.covered(c, lo) &&
			!f.blocked(text, c.a+1, s, s, lo) && !f.workBreak(text, c.b, s) {
			sense = c
		}
		if c.kinds&cuePositive != 0 && (c.b <= s && s-c.b < positiveWindow && !f.blocked(text, c.b, s, s, lo) ||
			c.a >= e && c.a-e < positiveWindow && !f.blocked(text, e, c.a, s, lo)) {
			positive = true
		}
		// A test noun after the match, ending it or being all of it
		// ("genetic testing", "carrier screening", "RPR"), or a test's
		// name of several words right before it ("prueba de VIH"): the
		// match names a test.
		if c.kinds&cueTest != 0 && (c.a >= e && c.a-e+1 <= testWindow && !f.blocked(text, e, c.a, s, lo) || c.a >= s && c.b == e || c.b == s && c.b-c.a > 1) {
			testName, testCue = true, c
		}
		if c.kinds&cueTriggers == 0 || f.covered(c, lo) {
			continue
		}
		switch {
		case c.b <= s:
			d := f.reach(l, c.b, s)
			if d > preWindow {
				continue
			}
			// A relative's scope goes on past a cause; every other ends there.
			ended := f.blocked(text, c.a+1, s, s, lo)
			if ended && (c.kinds&cueOther == 0 || f.blockedBy(text, c.a+1, s, s, lo, cueEnd)) {
				continue
			}
			// A negation joined by a hyphen to a word before the match
			// is part of a compound ("no-show for HIV care", "no-scalpel
			// vasectomy", "never-married"), which denies nothing.
			compound := c.b < s && text[toks[c.b-1].end:toks[c.b].start] == "-"
			// The patient named between a relative and the match takes the
			// match back: "mother had breast cancer, patient BRCA1 positive".
			patient := c.kinds&cueOther != 0 && (f.patientBetween(text, c.b, s) || f.patientObject(text, s, e))
			for k := range kinds {
				if c.kinds&cueBefore&(1<<k) != 0 && !(compound && k == kindPre) && !(patient && k == kindOther) &&
					(k == kindOther || !ended) {
					best[k].offer(c, d)
				}
			}
			if c.kinds&cuePre != 0 && !compound {
				medPre.offer(c, d)
			}
		case c.a >= e && c.kinds&(cuePost|cueScreenAfter|cueAnswer) != 0:
			if c.kinds&cueScreenAfter == 0 && f.resultIn(s, c.a) {
				// "HIV positive, hepatitis C negative", "methamphetamine
				// detected in urine, opiates not detected": a result
				// stated in or after the match is its own; the negation
				// after that speaks of the next finding.
				continue
			}
			// Distance counts from the end of the longest term around the
			// match: "suicidal ideation, she denies" denies the
			// "suicidal" in it as much as the whole phrase.
			d := c.a - f.coverEnd(l, s, e, c.a) + 1
			if c.kinds&cueAnswer != 0 && d <= postWindow && questionMark(text[toks[c.a-1].end:toks[c.a].start]) &&
				!f.blocked(text, e, c.a-1, s, lo) && lastInClause(text, toks[c.b-1].end) {
				// A question answered: "Thoughts of suicide? No."
				best[kindPre].offer(c, d)
				medPre.offer(c, d)
				continue
			}
			if f.blocked(text, e, c.b-1, s, lo) {
				continue
			}
			if c.kinds&cuePost != 0 && d <= postWindow && !f.otherFinding(l, text, e, c.a) ||
				c.kinds&cueAnswer != 0 && d <= postWindow && strings.Contains(text[toks[c.a-1].end:toks[c.a].start], ":") ||
				c.kinds&cueAnswer != 0 && d <= 2 && lastInClause(text, toks[c.b-1].end) && !f.unknownAt(c.a) {
				best[kindPre].offer(c, d)
				if !strings.Contains(text[toks[e-1].end:toks[c.a].start], ",") {
					medPre.offer(c, d)
				}
			}
			if c.kinds&cueScreenAfter != 0 && c.a-f.coverEnd(l, s, e, c.a)+1 <= screenAfterWindow && !f.listBreak(text, e, c.a) {
				best[kindScreen].offer(c, d)
			}
		}
	}
	// An indirect question's answer decides what it asked about (ask.go).
	if link, how, a, b := f.asked(l, text, s, f.coverEnd(l, s, e, len(toks))); link >= 0 {
		switch {
		case how == answeredNo:
			best[kindPre].offer(cueAt{a: a, b: b}, 1)
			medPre.offer(cueAt{a: a, b: b}, 1)
		case how == answeredYes && best[kindHypo].a == link:
			best[kindHypo] = nearest{}
		case how == unanswered && f.askKind(link)&askTopic == 0:
			best[kindHypo].offer(cueAt{a: link, b: link + 1}, 1)
		}
	}
	if k := f.relativeAfter(text, e); k >= 0 {
		// "schizophrenia in his brother", "depresión de su madre"
		best[kindOther].offer(cueAt{a: k, b: k + 1}, 1)
	}
	negation, medNegation := best[kindPre], medPre
	if testName {
		best[kindPre], medPre = nearest{}, nearest{} // a test's name: its result does not unsay it
	}
	minus := !testName && (minusMark(text, toks[s].start, toks[e-1].end) ||
		// one word may stand between the words and the mark: "heroin use (-)"
		e < len(toks) && !strings.ContainsAny(text[toks[e-1].end:toks[e].start], ",.;:!?\n\r") &&
			minusMark(text, toks[s].start, toks[e].end))
	mark := "(-)"
	if !minus && !testName && uncheckedBox(text, toks[s].start) {
		minus, mark = true, "[ ]"
	}
	field := f.coverEnd(l, s, e, len(toks))
	if testName && testCue.b > field {
		field = testCue.b // "HIV test:"
	}
	if !minus && blankAnswer(text, toks[field-1].end) {
		minus, mark = true, ":"
	}
	// Where screening is broad, a test of the match is a screen, which a
	// result that found it undoes: "heroin test negative" and "heroin test"
	// say no more than a drug screen ordered, "heroin test positive" does.
	// Where tests are core (HIV, STI and genetic tests) its name is kept.
	// A term that ends with a test noun is the pack's own ("missed AB"),
	// and a test in another clause ("heroin use, UDS negative") is another
	// finding.
	if d := testCue.a - e + 1; testName && (testCue.a >= e && d <= screenAfterWindow && !f.listBreak(text, e, testCue.a) || testCue.b == s) {
		best[kindScreen].offer(testCue, max(d, 1))
	}
	if positive || f.resultIn(s, e) {
		// a screen that found it, before or after the match or in its own
		// words ("fentanyl positive urine drug screen")
		best[kindScreen] = nearest{}
	}
	f.last = judged{ok: true, start: toks[s].start, end: toks[e-1].end}
	if sense.a < 0 && f.Job != "" && f.leadsAnswer(text, s, lo) {
		f.last.reason, f.last.cue = [4]Reason{OtherSense, OtherSense, OtherSense, OtherSense}, [4]string{f.Job, f.Job, f.Job, f.Job}
		return
	}
	if sense.a >= 0 {
		cue := text[toks[sense.a].start:toks[sense.b-1].end]
		f.last.reason, f.last.cue = [4]Reason{OtherSense, OtherSense, OtherSense, OtherSense}, [4]string{cue, cue, cue, cue}
		return
	}
	for v := range len(f.last.reason) {
		b, broad := best, v&1 == 1
		if v >= 2 {
			b[kindPre] = medPre
		}
		if broad && testName && testCue.a >= s && testCue.b == e {
			// a term of a screening-broad rule that ends with a test
			// noun is no test ("missed AB"): a negation drops it
			b[kindPre] = negation
			if v >= 2 {
				b[kindPre] = medNegation
			}
		}
		if screen := b[kindScreen]; broad && screen.dist > 0 {
			b[kindHypo].offer(cueAt{a: screen.a, b: screen.b}, screen.dist)
		}
		for _, r := range [...]struct {
			kind int
			why  Reason
		}{{kindPre, Negated}, {kindOther, Other}, {kindHypo, Hypothetical}} {
			if cue := b[r.kind]; cue.dist > 0 {
				f.last.reason[v] = r.why
				f.last.cue[v] = text[toks[cue.a].start:toks[cue.b-1].end]
				break
			}
		}
		if minus {
			f.last.reason[v], f.last.cue[v] = Negated, mark
		}
	}
}

// patientBetween reports whether words from..to-1 name the patient as a
// subject: "patient" or "pt", neither possessive ("patient's sister") nor
// the object of "of" ("mother of the patient").
func (f *Finder) patientBetween(text string, from, to int) bool {
	for k := from; k < to; k++ {
		if w := string(f.folded(k)); w != "patient" && w != "pt" {
			continue
		}
		if rest := text[f.toks[k].end:]; strings.HasPrefix(rest, "'") || strings.HasPrefix(rest, "’") {
			continue
		}
		p := k - 1
		if p >= 0 && (string(f.folded(p)) == "the" || string(f.folded(p)) == "our") {
			p--
		}
		if p >= 0 && string(f.folded(p)) == "of" {
			continue
		}
		return true
	}
	return false
}

// patientObject reports whether the words right after the match ending at
// word e name the patient as what it was done to: "stepfather sexually
// abused her as a child", "molested him", "was abusive to the patient". A
// relative before such a match did it, and it befell the patient. "Her"
// before a word that is no preposition nor adverb is a possessive ("abused
// by her father", "her mood") and names no one.
func (f *Finder) patientObject(text string, s, e int) bool {
	// The match's own last word may be the object ("abused the patient",
	// a pack's pattern).
	switch last := string(f.folded(e - 1)); {
	case e-s > 1 && amongWords(last, "him them me her"):
		return f.objectAt(text, e-1)
	case e-s > 2 && amongWords(last, "patient pt") && amongWords(string(f.folded(e-2)), "the this our"):
		return f.objectAt(text, e-2)
	case e-s > 1 && amongWords(string(f.folded(s)), "la lo me le"):
		return true // a Spanish object pronoun before its verb: "su padre la golpeaba"
	case e-s > 2 && amongWords(last, "ella el mi paciente") && amongWords(string(f.folded(e-2)), "de la el"):
		return true // "abusó sexualmente de ella", "de la paciente"
	}
	// An object inside the match: "touched her inappropriately".
	for j := s + 1; j < e-1; j++ {
		if amongWords(string(f.folded(j)), "him them me her") && f.objectAt(text, j) {
			return true
		}
	}
	k := e
	if k < len(f.toks) && amongWords(string(f.folded(k)), "to toward towards against upon") {
		k++
	}
	for j := e; j <= k; j++ {
		if j >= len(f.toks) || strings.TrimSpace(text[f.toks[j-1].end:f.toks[j].start]) != "" {
			return false // another word or a break between
		}
	}
	return f.objectAt(text, k)
}

// objectAt reports whether word k, right after an act, names the patient
// as its object (see patientObject).
func (f *Finder) objectAt(text string, k int) bool {
	w := string(f.folded(k))
	switch {
	case amongWords(w, "him them me"):
		return true
	case amongWords(w, "the this our") && k+1 < len(f.toks) && amongWords(string(f.folded(k+1)), "patient pt"):
		k++
	case !amongWords(w, "patient pt her"):
		return false
	}
	if k+1 >= len(f.toks) {
		return true
	}
	gap := text[f.toks[k].end:f.toks[k+1].start]
	if strings.HasPrefix(gap, "'") || strings.HasPrefix(gap, "’") {
		return false // "the patient's sister"
	}
	return w != "her" || strings.TrimSpace(gap) != "" ||
		amongWords(string(f.folded(k+1)), "as when while since at in on with for and or repeatedly often frequently daily during until after before from over again throughout multiple several many inappropriately sexually physically "+
			"last yesterday today tonight this that every twice once to into up down out off around about but so because if unless when where "+
			"online constantly continually regularly still now everywhere")
}

// relativeAfter returns the word naming a relative, or the family, that
// the words right after the match ending at word e make the match's
// subject, or -1: "in" or "of" (or Spanish "de", "del", "en"), a
// possessive or an article, "maternal" or "paternal", then the relative:
// "schizophrenia in his brother", "suicide of her brother", "bipolar
// disorder in mother and maternal aunt", "la depresión de su madre";
// "depression runs in the family". Partners are left out, as they are
// from otherPerson.
func (f *Finder) relativeAfter(text string, e int) int {
	k := e
	next := func() (string, bool) {
		if k >= len(f.toks) || strings.TrimSpace(text[f.toks[k-1].end:f.toks[k].start]) != "" {
			return "", false
		}
		w := string(f.folded(k))
		k++
		return w, true
	}
	w, ok := next()
	if ok && w == "runs" {
		w, ok = next()
	}
	if !ok || !amongWords(w, "in of de del en") {
		return -1
	}
	if w, ok = next(); ok && amongWords(w, "his her their the su sus a") {
		w, ok = next()
	}
	if ok && amongWords(w, "maternal paternal older younger twin late materna paterno materno paterna") {
		w, ok = next()
	}
	if !ok || !amongWords(w, relativeWords) {
		return -1
	}
	// A relative's place or things are the patient's setting: "abuse in
	// the family home", "in mother's house".
	if k < len(f.toks) {
		gap := text[f.toks[k-1].end:f.toks[k].start]
		if strings.HasPrefix(gap, "'") || strings.HasPrefix(gap, "’") ||
			strings.TrimSpace(gap) == "" && amongWords(string(f.folded(k)), "home house household environment setting residence car") {
			return -1
		}
	}
	return k - 1
}

// relativeWords are the words of a relative (otherPerson's, one word
// each) and of the family.
const relativeWords = "mother father mom dad sister sisters brother brothers son sons daughter daughters aunt aunts " +
	"uncle uncles grandmother grandfather grandparent grandparents cousin cousins sibling siblings parent parents " +
	"niece nieces nephew nephews stepmother stepfather stepbrother stepsister stepson stepdaughter grandson " +
	"granddaughter grandchild grandchildren family madre padre mama papa hermano hermana hermanos hijo hija hijos " +
	"abuelo abuela familia"

// amongWords reports whether w is one of the space-separated words of list.
func amongWords(w, list string) bool {
	for list != "" {
		var x string
		x, list, _ = strings.Cut(list, " ")
		if x == w {
			return true
		}
	}
	return false
}

// broken reports whether a clause ends inside the words of c: "Main St.
// Depression worsening" holds no "ST depression".
func (f *Finder) broken(text string, c cueAt) bool {
	for k := c.a + 1; k < c.b; k++ {
		if clauseBreak(text, f.toks[k-1].end, f.toks[k].start) {
			return true
		}
	}
	return false
}

// lastInClause reports whether nothing but the end of the text, of the
// clause or a comma follows the word ending at end: an answer word there,
// at most two words after a match, is a postposed answer ("suicidal
// ideation denied", "IV drug use - no"), while in "drug use history,
// denies chest pain" the denial is of what follows it.
func lastInClause(text string, end int) bool {
	next, _ := wordAt(text, end)
	return next == len(text) || clauseBreak(text, end, next) || strings.Contains(text[end:next], ",")
}

// unknownAt reports whether word k is "unknown", an answer only after a
// colon: "HIV status: unknown" says nothing, while "needlestick, source
// HIV unknown" is an exposure to HIV.
func (f *Finder) unknownAt(k int) bool {
	return string(f.folded(k)) == "unknown"
}

// folded returns word k as terms and cues compare it: lower case,
// diacritics taken off.
func (f *Finder) folded(k int) []byte {
	return f.fold[f.toks[k].f0:f.toks[k].f1]
}

// questionMark reports whether gap, the text between two words, is a
// question's end: a question mark and white space.
func questionMark(gap string) bool {
	return strings.TrimSpace(gap) == "?"
}

// uncheckedBox reports whether an empty check box stands right before the
// words starting at start, spaces aside: a form's "[ ] Depression" or
// "☐ HIV" is an item not marked.
func uncheckedBox(text string, start int) bool {
	before := strings.TrimRight(text[:start], " \t")
	return strings.HasSuffix(before, "[ ]") || strings.HasSuffix(before, "[]") ||
		strings.HasSuffix(before, "☐") || strings.HasSuffix(before, "□")
}

// blankAnswer reports whether the words ending at end are a form's field
// left blank: a colon, then nothing, the end of the line before another
// field, or another field ("Illicit drug use: " at the end of a
// template, "HIV test:\nSexual activity: yes"). Like "unknown" after a
// colon, a blank says nothing of the patient.
func blankAnswer(text string, end int) bool {
	rest := strings.TrimLeft(text[end:], " \t")
	if !strings.HasPrefix(rest, ":") {
		return false
	}
	rest = strings.TrimLeft(rest[1:], " \t")
	if rest != "" && (rest[0] == '\n' || rest[0] == '\r') {
		rest = strings.TrimLeft(rest, " \t\r\n")
	}
	return rest == "" || fieldLabel(rest)
}

// fieldLabel reports whether s starts with a form's field: one to four
// words, the first a letter's, and a colon ("Sexual activity:").
func fieldLabel(s string) bool {
	if s == "" || !isASCIIWord(s[0]) || s[0] <= '9' {
		return false
	}
	words := 1
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == ':':
			return true
		case c == ' ':
			if words++; words > 4 {
				return false
			}
		case !isASCIIWord(c) && c != '-' && c != '/' && c < 0x80:
			return false
		}
	}
	return false
}

// minusMark reports whether the words text[start:end] are marked absent in
// the clinical shorthand "(-)" right before or after them ("IVDU (-)",
// "(-) SI"), spaces aside. A lone minus is no such mark: it is also a
// hyphen, a range and a list's bullet.
func minusMark(text string, start, end int) bool {
	before := strings.TrimRight(text[:start], " ")
	after := strings.TrimLeft(text[end:], " ")
	return strings.HasSuffix(before, "(-)") || strings.HasPrefix(after, "(-)")
}

// reach is how many words a cue ending before word b stands before the
// match starting at word s: 1 right before it. The words of other terms
// (the longest starting at each word) and list glue do not count.
func (f *Finder) reach(l *Lexicon, b, s int) int {
	d := 1
	for k := b; k < s; k++ {
		if end := f.termEnd(l, k, s); end > k {
			k = end - 1
			continue
		}
		if f.wordKinds(k)&cueGlue == 0 {
			d++
		}
	}
	return d
}

// leadsAnswer reports whether the match starting at word s stands among
// the first words of text, as a match after a cue of work must stand after
// it: fewer than workWindow words before it, with no break, cause or
// clause end among them.
func (f *Finder) leadsAnswer(text string, s, lo int) bool {
	before := text[:f.toks[s].start]
	if strings.ContainsAny(before, ",;:()") || clauseBreak(before, 0, len(before)) {
		return false
	}
	n := 0
	for pos := 0; n < workWindow; n++ {
		start, end := wordAt(before, pos)
		if start == end {
			break
		}
		pos = end
	}
	if n >= workWindow || s-n < lo {
		return false
	}
	for k := s - n; k < s; k++ {
		if f.start[k-lo]&(cueEnd|cueCause) != 0 || f.start[k-lo]&cueJoin != 0 && f.wordKinds(k+1)&cueVerb != 0 {
			return false
		}
	}
	return true
}

// workBreak reports whether a comma, semicolon, colon or parenthesis
// stands between word b, the first after a cue of work, and word s: the
// job is named in one run ("Occupation: psychiatric nurse"), what follows
// a break is another fact ("works at Kroger, HIV positive").
func (f *Finder) workBreak(text string, b, s int) bool {
	return s > b && strings.ContainsAny(text[f.toks[b].end:f.toks[s].start], ",;:()")
}

// listBreak reports whether a comma, semicolon or colon stands between
// the match ending at word e and word a after it: what follows is another
// item of a list, or another clause.
func (f *Finder) listBreak(text string, e, a int) bool {
	return strings.ContainsAny(text[f.toks[e-1].end:f.toks[a].start], ",;:")
}

// otherFinding reports whether words e..a-1, between a match and a
// negation after it, name another finding: after their first comma stand
// two words or more that are neither list glue nor another term's. "HIV,
// hepatitis C negative" negates hepatitis C, "anxiety, TSH normal, B12
// negative" B12; "depression, anxiety negative" and "SI, HI negative" both.
func (f *Finder) otherFinding(l *Lexicon, text string, e, a int) bool {
	for k := e; k < a; k++ {
		if strings.Contains(text[f.toks[k-1].end:f.toks[k].start], ",") {
			return f.reach(l, k, a)-1 >= 2
		}
	}
	return false
}

// coverEnd returns the end of the longest term of l that covers the match
// of words s..e-1 and ends before word limit, or e: the words of a longer
// term around a match are the match's own, so a screening word after
// "Generalized Anxiety Disorder" speaks of the "anxiety" inside it too.
func (f *Finder) coverEnd(l *Lexicon, s, e, limit int) int {
	end := e
	for k := max(0, s-l.maxWords+1); k <= s; k++ {
		if t := f.termEnd(l, k, limit); t > end {
			end = t
		}
	}
	return end
}

// termEnd returns the end (exclusive) of the longest term of l that starts
// at word k and ends before word limit, or k.
func (f *Finder) termEnd(l *Lexicon, k, limit int) int {
	end := k
	ends := func(n int32) bool { return n >= 0 && len(l.t.payload(n)) > 0 }
	n := int32(-1)
	for j := k; j < limit; j++ {
		t := &f.toks[j]
		if ends(l.t.next(&l.fold, n, t.sid)) || ends(l.t.next(&l.fold, n, t.esid)) {
			end = j + 1
		}
		if n = l.t.next(&l.fold, n, t.fid); n < 0 {
			break
		}
		if ends(n) {
			end = j + 1
		}
	}
	n = -1
	for j := k; j < limit; j++ {
		if ends(l.t.next(&l.exact, n, f.toks[j].xsid)) {
			end = max(end, j+1)
		}
		if n = l.t.next(&l.exact, n, f.toks[j].xid); n < 0 {
			break
		}
		if ends(n) {
			end = max(end, j+1)
		}
	}
	return end
}

// covered reports whether a pseudo-cue covers any word of c.
func (f *Finder) covered(c cueAt, lo int) bool {
	for k := c.a; k < c.b; k++ {
		if f.cover[k-lo] {
			return true
		}
	}
	return false
}

// blocked reports whether a clause ends between word x-1 and word y; s is
// the match's first word, whose own words never end its clause. A cause
// ends it too (see causes).
func (f *Finder) blocked(text string, x, y, s, lo int) bool {
	return f.blockedBy(text, x, y, s, lo, cueEnd|cueCause)
}

// blockedBy is blocked with the kinds of cue that end a clause.
func (f *Finder) blockedBy(text string, x, y, s, lo int, ends cueSet) bool {
	for k := x; k <= y; k++ {
		if clauseBreak(text, f.toks[k-1].end, f.toks[k].start) {
			return true
		}
		if k == s {
			continue
		}
		kinds := f.start[k-lo]
		if kinds&ends != 0 || kinds&cueJoin != 0 && k+1 < len(f.toks) && f.wordKinds(k+1)&cueVerb != 0 {
			return true
		}
	}
	return false
}

// wordKinds returns the kinds of the one-word cue that word k is.
func (f *Finder) wordKinds(k int) cueSet {
	if n := cues.t.next(&cues.d, -1, f.cid(k)); n >= 0 {
		return cues.kinds[n]
	}
	return 0
}

// clauseBreak reports whether text[from:to], between two words, ends a
// clause.
func clauseBreak(text string, from, to int) bool {
	for p := from; p < to; p++ {
		switch text[p] {
		case '!', '?', ';', '\n', '\r':
			return true
		case '.':
			if !(isDigit(text[p-1]) && p+1 < len(text) && isDigit(text[p+1])) {
				return true
			}
		}
	}
	return false
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// vowel reports whether c is a folded vowel: "days" is the plural of "day",
// "anomalies" of "anomaly".
func vowel(c byte) bool {
	switch c {
	case 'a', 'e', 'i', 'o', 'u':
		return true
	}
	return false
}
