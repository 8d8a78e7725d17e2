// Package pattern is the text patterns of rule packs: a small regular
// expression language, matched on whole words in any case, in time linear
// in the text.
package pattern

import (
	"strconv"
	"unicode"
	"unicode/utf8"

	"github.com/seclabel/seclabel/internal/jsonx"
)

// Text patterns are a small regular-expression language of their own rather
// than package regexp, which would add about 130 KB (gzip) to the
// WebAssembly module. The language (README, "Rule packs"):
//
//	abc     literal characters, matched in any case
//	.       any character but a newline
//	[a-z]   a class of characters or ranges; [^...] negates
//	\d \s \w and their upper-case negations; \ before any punctuation quotes it
//	x? x* x+   optional, repeated, repeated at least once
//	a|b     alternatives; (...) and (?:...) group
//
// A pattern matches whole words: it must start and end at a word boundary,
// as `\b(?:p)\b` does with ASCII word characters. Matching is a breadth-first
// simulation of the compiled automaton, so its time is linear in the text
// for every pattern: no pattern can make a rule pack slow.
type Pattern struct {
	prog []pinst
	pre  pairs
}

// Scratch is the working memory of matching: two sparse sets of program
// counters (the threads at this position and at the next) and the start
// of each thread. Keep one and pass it to FindWith again: a pack's
// patterns run on every text the engine reads, and once the sets have
// grown to the largest pattern's size, matching allocates nothing.
// Sparse sets need no clearing between uses. A Scratch is not safe for
// concurrent use; the zero value is ready.
type Scratch struct {
	cur, next           threadSet
	curStart, nextStart []int
}

// fit readies the scratch for the pattern.
func (sc *Scratch) fit(pat *Pattern) {
	n := len(pat.prog)
	if cap(sc.cur.dense) < n {
		sparse := make([]int32, 2*n)
		starts := make([]int, 2*n)
		sc.cur = threadSet{dense: make([]int32, 0, n), sparse: sparse[:n]}
		sc.next = threadSet{dense: make([]int32, 0, n), sparse: sparse[n:]}
		sc.curStart, sc.nextStart = starts[:n], starts[n:]
	}
	sc.cur.dense, sc.next.dense = sc.cur.dense[:0], sc.next.dense[:0]
}

// pinst is one instruction of a pattern program.
type pinst struct {
	op   uint8
	x, y int32 // split/jump targets
	cls  *charClass
}

const (
	opChar uint8 = iota
	opSplit
	opJump
	opMatch
)

// charClass is a set of runes: a bitmap for ASCII, ranges for the rest.
type charClass struct {
	ascii  [2]uint64
	ranges []runeRange
	negate bool
}

type runeRange struct{ lo, hi rune }

func (c *charClass) has(r rune) bool {
	var in bool
	if r < 128 {
		in = c.ascii[r>>6]&(1<<(r&63)) != 0
	} else {
		for _, rg := range c.ranges {
			if r >= rg.lo && r <= rg.hi {
				in = true
				break
			}
		}
	}
	return in != c.negate
}

// add puts lo..hi into the class in every case.
func (c *charClass) add(lo, hi rune) {
	for r := lo; r <= hi; r++ {
		c.addOne(r)
		for f := unicode.SimpleFold(r); f != r; f = unicode.SimpleFold(f) {
			c.addOne(f)
		}
		if r-lo > 0x3000 { // a huge range: the rest goes in as it is
			c.ranges = append(c.ranges, runeRange{r + 1, hi})
			return
		}
	}
}

func (c *charClass) addOne(r rune) {
	if r < 128 {
		c.ascii[r>>6] |= 1 << (r & 63)
		return
	}
	if n := len(c.ranges); n > 0 && c.ranges[n-1].hi == r-1 {
		c.ranges[n-1].hi = r
		return
	}
	c.ranges = append(c.ranges, runeRange{r, r})
}

// pnode is the parsed form of a pattern.
type pnode struct {
	kind byte // 'c' class, '.' concatenation, '|' alternation, '*', '+', '?'
	cls  *charClass
	subs []*pnode
	lit  rune // for a class written as one plain character: that character
}

type patternError struct{ msg string }

func (e *patternError) Error() string { return e.msg }

// Compile parses and compiles a text pattern.
func Compile(src string) (*Pattern, error) {
	p := &patternParser{src: src}
	if len(src) > maxPatternBytes {
		return nil, p.fail("pattern longer than " + strconv.Itoa(maxPatternBytes) + " bytes")
	}
	if !utf8.ValidString(src) {
		return nil, p.fail("invalid UTF-8")
	}
	n, err := p.alternation(0)
	if err != nil {
		return nil, err
	}
	if p.pos < len(p.src) {
		return nil, p.fail("unexpected )")
	}
	pat := &Pattern{}
	pat.emit(n)
	pat.prog = append(pat.prog, pinst{op: opMatch})
	pat.pre = pat.prefilter()
	return pat, nil
}

// pairs is a pattern's first two characters when both are ASCII: a text
// in which no byte of first is followed by a byte of second holds no
// match, which one pass over its bytes tells, far quicker than running
// the automaton over it (a pattern such as "g\d\d? ?p\d\d[1-9]\d" has no
// literal word to look for first).
type pairs struct {
	ok            bool
	first, second [2]uint64
}

func (p *pairs) may(t string) bool {
	for i := 0; i+1 < len(t); i++ {
		a, b := t[i], t[i+1]
		if a < 128 && b < 128 && p.first[a>>6]&(1<<(a&63)) != 0 && p.second[b>>6]&(1<<(b&63)) != 0 {
			return true
		}
	}
	return false
}

// prefilter finds the pattern's pairs; none when a match may be shorter
// than two characters or start with a character outside ASCII.
func (pat *Pattern) prefilter() pairs {
	var p pairs
	var sc Scratch
	sc.fit(pat)
	pat.add(&sc.cur, 0)
	if !pat.level(&sc.cur, &sc.next, &p.first) || !pat.level(&sc.next, nil, &p.second) {
		return pairs{}
	}
	p.ok = true
	return p
}

// level adds to set the classes of the characters the threads of s read,
// and puts the threads after them into next (when there is one). It
// reports false when one of s's threads is a match or a class is not all
// ASCII.
func (pat *Pattern) level(s, next *threadSet, set *[2]uint64) bool {
	for _, pc := range s.dense {
		switch in := &pat.prog[pc]; in.op {
		case opMatch:
			return false
		case opChar:
			if !ascii(in.cls, set) {
				return false
			}
			if next != nil {
				pat.add(next, pc+1)
			}
		}
	}
	return true
}

// ascii adds the class's characters to set, and reports whether they are
// all ASCII.
func ascii(c *charClass, set *[2]uint64) bool {
	if c.negate || len(c.ranges) > 0 {
		return false
	}
	set[0] |= c.ascii[0]
	set[1] |= c.ascii[1]
	return true
}

// Expand returns every text a pattern matches when they are few: a pattern
// of plain characters, groups, alternatives and optional parts (no class,
// no repetition, at most limit texts). ok is false otherwise, and for a
// pattern that does not compile. A caller can then match the texts as
// literal terms, all at once, rather than run the pattern on each text.
func Expand(src string, limit int) (texts []string, ok bool) {
	p := &patternParser{src: src}
	if len(src) > maxPatternBytes || !utf8.ValidString(src) {
		return nil, false
	}
	n, err := p.alternation(0)
	if err != nil || p.pos < len(p.src) {
		return nil, false
	}
	return expand(n, limit)
}

func expand(n *pnode, limit int) ([]string, bool) {
	switch n.kind {
	case 'c':
		if n.lit == 0 {
			return nil, false
		}
		return []string{string(n.lit)}, true
	case '?':
		sub, ok := expand(n.subs[0], limit-1)
		return append([]string{""}, sub...), ok
	case '|':
		var out []string
		for _, s := range n.subs {
			sub, ok := expand(s, limit-len(out))
			if !ok {
				return nil, false
			}
			out = append(out, sub...)
		}
		return out, len(out) <= limit
	case '.':
		out := []string{""}
		// Plain characters are gathered into a run and added to every
		// text at once, not one string per character.
		var run []byte
		for _, s := range n.subs {
			if s.kind == 'c' && s.lit != 0 {
				run = utf8.AppendRune(run, s.lit)
				continue
			}
			addRun(out, run)
			run = run[:0]
			sub, ok := expand(s, limit)
			if !ok || len(out)*len(sub) > limit {
				return nil, false
			}
			next := make([]string, 0, len(out)*len(sub))
			for _, a := range out {
				for _, b := range sub {
					next = append(next, a+b)
				}
			}
			out = next
		}
		addRun(out, run)
		return out, true
	}
	return nil, false // repetition
}

// addRun appends run to each of texts.
func addRun(texts []string, run []byte) {
	if len(run) == 0 {
		return
	}
	for i := range texts {
		texts[i] += string(run)
	}
}

type patternParser struct {
	src string
	pos int
}

func (p *patternParser) fail(msg string) error {
	return &patternError{msg + " at offset " + strconv.Itoa(p.pos) + " of " + string(jsonx.AppendString(nil, p.src))}
}

// Limits that keep compiling a pattern bounded in time and stack.
const (
	maxPatternDepth = 100
	maxPatternBytes = 4096
)

func (p *patternParser) alternation(depth int) (*pnode, error) {
	if depth > maxPatternDepth {
		return nil, p.fail("groups nested too deeply")
	}
	alt := &pnode{kind: '|'}
	for {
		cat, err := p.concatenation(depth)
		if err != nil {
			return nil, err
		}
		alt.subs = append(alt.subs, cat)
		if p.pos < len(p.src) && p.src[p.pos] == '|' {
			p.pos++
			continue
		}
		break
	}
	if len(alt.subs) == 1 {
		return alt.subs[0], nil
	}
	return alt, nil
}

func (p *patternParser) concatenation(depth int) (*pnode, error) {
	cat := &pnode{kind: '.'}
	for p.pos < len(p.src) {
		var atom *pnode
		switch c := p.src[p.pos]; c {
		case '|', ')':
			return cat, nil
		case '(':
			p.pos++
			if len(p.src)-p.pos >= 2 && p.src[p.pos:p.pos+2] == "?:" {
				p.pos += 2
			} else if p.pos < len(p.src) && p.src[p.pos] == '?' {
				return nil, p.fail("unsupported group flag")
			}
			sub, err := p.alternation(depth + 1)
			if err != nil {
				return nil, err
			}
			if p.pos >= len(p.src) || p.src[p.pos] != ')' {
				return nil, p.fail("missing )")
			}
			p.pos++
			atom = sub
		case '*', '+', '?':
			return nil, p.fail("nothing to repeat")
		case '{', '^', '$':
			return nil, p.fail("unsupported " + string(c))
		case '[':
			cls, err := p.class()
			if err != nil {
				return nil, err
			}
			atom = &pnode{kind: 'c', cls: cls}
		case '.':
			p.pos++
			atom = &pnode{kind: 'c', cls: &charClass{negate: true}}
			atom.cls.addOne('\n')
		case '\\':
			cls, err := p.escape()
			if err != nil {
				return nil, err
			}
			atom = &pnode{kind: 'c', cls: cls}
		default:
			r, size := utf8.DecodeRuneInString(p.src[p.pos:])
			p.pos += size
			// No class yet: Expand, which most of a pack's texts go
			// through, needs only the character (emit makes the class).
			atom = &pnode{kind: 'c', lit: r}
		}
		if p.pos < len(p.src) && (p.src[p.pos] == '*' || p.src[p.pos] == '+' || p.src[p.pos] == '?') {
			atom = &pnode{kind: p.src[p.pos], subs: []*pnode{atom}}
			p.pos++
			if p.pos < len(p.src) && (p.src[p.pos] == '*' || p.src[p.pos] == '+' || p.src[p.pos] == '?') {
				return nil, p.fail("nested repetition")
			}
		}
		cat.subs = append(cat.subs, atom)
	}
	return cat, nil
}

// escape reads \x at p.pos.
func (p *patternParser) escape() (*charClass, error) {
	if p.pos+1 >= len(p.src) {
		return nil, p.fail("trailing \\")
	}
	c := p.src[p.pos+1]
	p.pos += 2
	cls := &charClass{}
	switch c {
	case 'd', 'D':
		cls.add('0', '9')
	case 's', 'S':
		for _, r := range "\t\n\f\r " {
			cls.addOne(r)
		}
	case 'w', 'W':
		cls.add('0', '9')
		cls.add('a', 'z')
		cls.addOne('_')
	default:
		if c < 128 && (c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z') {
			p.pos -= 2
			return nil, p.fail("unsupported escape \\" + string(c))
		}
		r, size := utf8.DecodeRuneInString(p.src[p.pos-1:])
		p.pos += size - 1
		cls.add(r, r)
		return cls, nil
	}
	cls.negate = c >= 'A' && c <= 'Z'
	return cls, nil
}

// class reads [...] at p.pos.
func (p *patternParser) class() (*charClass, error) {
	start := p.pos
	p.pos++
	cls := &charClass{}
	if p.pos < len(p.src) && p.src[p.pos] == '^' {
		cls.negate = true
		p.pos++
	}
	first := true
	for {
		if p.pos >= len(p.src) {
			p.pos = start
			return nil, p.fail("missing ]")
		}
		if p.src[p.pos] == ']' && !first {
			p.pos++
			return cls, nil
		}
		first = false
		lo, err := p.classChar()
		if err != nil {
			return nil, err
		}
		hi := lo
		if p.pos+1 < len(p.src) && p.src[p.pos] == '-' && p.src[p.pos+1] != ']' {
			p.pos++
			if hi, err = p.classChar(); err != nil {
				return nil, err
			}
			if hi < lo {
				return nil, p.fail("bad range")
			}
		}
		cls.add(lo, hi)
	}
}

func (p *patternParser) classChar() (rune, error) {
	if p.src[p.pos] == '\\' {
		if p.pos+1 >= len(p.src) {
			return 0, p.fail("trailing \\")
		}
		p.pos++
	}
	r, size := utf8.DecodeRuneInString(p.src[p.pos:])
	p.pos += size
	return r, nil
}

// emit appends n's program.
func (pat *Pattern) emit(n *pnode) {
	at := func() int32 { return int32(len(pat.prog)) }
	switch n.kind {
	case 'c':
		cls := n.cls
		if cls == nil { // a plain character: its class is made here, not by the parser
			cls = &charClass{}
			cls.add(n.lit, n.lit)
		}
		pat.prog = append(pat.prog, pinst{op: opChar, cls: cls})
	case '.':
		for _, s := range n.subs {
			pat.emit(s)
		}
	case '|':
		var jumps []int32
		for i, s := range n.subs {
			if i < len(n.subs)-1 {
				split := at()
				pat.prog = append(pat.prog, pinst{op: opSplit, x: split + 1})
				pat.emit(s)
				jumps = append(jumps, at())
				pat.prog = append(pat.prog, pinst{op: opJump})
				pat.prog[split].y = at()
			} else {
				pat.emit(s)
			}
		}
		for _, j := range jumps {
			pat.prog[j].x = at()
		}
	case '*':
		split := at()
		pat.prog = append(pat.prog, pinst{op: opSplit, x: split + 1})
		pat.emit(n.subs[0])
		pat.prog = append(pat.prog, pinst{op: opJump, x: split})
		pat.prog[split].y = at()
	case '+':
		start := at()
		pat.emit(n.subs[0])
		pat.prog = append(pat.prog, pinst{op: opSplit, x: start, y: at() + 1})
	case '?':
		split := at()
		pat.prog = append(pat.prog, pinst{op: opSplit, x: split + 1})
		pat.emit(n.subs[0])
		pat.prog[split].y = at()
	}
}

func isWordByte(r rune) bool {
	return r == '_' || r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z'
}

// runeAt returns the rune at t[i] and whether it is a word character; r is
// -1 at the end of t.
func runeAt(t string, i int) (r rune, size int, word bool) {
	if i >= len(t) {
		return -1, 0, false
	}
	r, size = utf8.DecodeRuneInString(t[i:])
	return r, size, isWordByte(r)
}

// Match reports whether the pattern matches whole words somewhere in t.
func (pat *Pattern) Match(t string) bool {
	if pat.pre.ok && !pat.pre.may(t) {
		return false
	}
	var sc Scratch
	sc.fit(pat)
	cur, next := &sc.cur, &sc.next
	prevWord := false
	for i := 0; ; {
		r, size, word := runeAt(t, i)
		boundary := word != prevWord
		if boundary {
			pat.add(cur, 0)
		}
		for _, pc := range cur.dense {
			in := &pat.prog[pc]
			switch in.op {
			case opMatch:
				if boundary {
					return true
				}
			case opChar:
				if r >= 0 && in.cls.has(r) {
					pat.add(next, pc+1)
				}
			}
		}
		if r < 0 {
			return false
		}
		cur, next = next, cur
		next.dense = next.dense[:0]
		prevWord = word
		i += size
	}
}

// add puts pc and everything reachable from it without input into s.
func (pat *Pattern) add(s *threadSet, pc int32) {
	if s.has(pc) {
		return
	}
	s.put(pc)
	switch in := &pat.prog[pc]; in.op {
	case opSplit:
		pat.add(s, in.x)
		pat.add(s, in.y)
	case opJump:
		pat.add(s, in.x)
	}
}

type threadSet struct {
	dense  []int32
	sparse []int32
}

func (s *threadSet) has(pc int32) bool {
	i := s.sparse[pc]
	return int(i) < len(s.dense) && s.dense[i] == pc
}

func (s *threadSet) put(pc int32) {
	s.sparse[pc] = int32(len(s.dense))
	s.dense = append(s.dense, pc)
}

// Find returns the leftmost whole-word match of the pattern in t and, of the
// matches that start there, the longest. It runs Match's simulation with
// each thread's start: of two threads at one program counter only the one
// that started first can lead to the match wanted, so the sets are no larger
// than Match's and the time stays linear. (Match keeps a loop of its own,
// without starts, for a yes or no; the engine runs FindWith.)
func (pat *Pattern) Find(t string) (start, end int, ok bool) {
	var sc Scratch
	return pat.FindWith(&sc, t)
}

// FindWith is Find with working memory the caller keeps.
func (pat *Pattern) FindWith(sc *Scratch, t string) (start, end int, ok bool) {
	if pat.pre.ok && !pat.pre.may(t) {
		return 0, 0, false
	}
	sc.fit(pat)
	cur, next := &sc.cur, &sc.next
	// The start of each thread, by its place in dense. Threads are added in
	// the order of their starts (the carried ones first, then the one
	// starting here), so dense stays sorted by start.
	curStart, nextStart := sc.curStart, sc.nextStart
	prevWord := false
	for i := 0; ; {
		r, size, word := runeAt(t, i)
		boundary := word != prevWord
		if boundary && !ok {
			k := len(cur.dense)
			pat.add(cur, 0)
			for ; k < len(cur.dense); k++ {
				curStart[k] = i
			}
		}
		for k, pc := range cur.dense {
			from := curStart[k]
			if ok && from > start {
				break // no match of a later start is wanted any more
			}
			switch in := &pat.prog[pc]; in.op {
			case opMatch:
				if boundary && (!ok || from < start || i > end) {
					start, end, ok = from, i, true
				}
			case opChar:
				if r >= 0 && in.cls.has(r) {
					m := len(next.dense)
					pat.add(next, pc+1)
					for ; m < len(next.dense); m++ {
						nextStart[m] = from
					}
				}
			}
		}
		if r < 0 || ok && len(next.dense) == 0 {
			return start, end, ok
		}
		cur, next = next, cur
		curStart, nextStart = nextStart, curStart
		next.dense = next.dense[:0]
		prevWord = word
		i += size
	}
}
