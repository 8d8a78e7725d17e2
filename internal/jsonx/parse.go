// Package jsonx is the engine's JSON layer: a validating parser that records
// every value's byte range in a flat tape, a writer for new fragments, and an
// editor that splices replacements into the original bytes.
//
// Operations change little of what they read (a Bundle's meta, one element),
// so they edit by splicing: everything they do not touch is copied through
// byte for byte, and output costs a memcpy rather than a re-serialisation.
package jsonx

import (
	"math/bits"
	"strconv"
	"strings"
	"unicode/utf8"
	"unsafe"
)

// Kind is the type of a node on the tape.
type Kind uint8

const (
	Object Kind = iota + 1
	Array
	String
	Number
	True
	False
	Null
	Key // an object member's name; its value is the next node
)

const (
	flagEscaped = 1 // string or key contains a backslash escape
	flagPlain   = 2 // string or key without escapes: Str aliases Src
	flagMarked  = 4 // a watched string, or a name Underscored counts (Flagged)
)

// strFlags is the flags of a string or key node.
func strFlags(esc uint8) uint8 {
	if esc == 0 {
		return flagPlain
	}
	return esc
}

type node struct {
	kind  Kind
	flags uint8
	start uint32 // first byte of the value (the quote, for strings and keys)
	end   uint32 // one past the last byte
	next  uint32 // tape index just past this node's subtree
}

// Doc is a parsed document. Its strings alias Src: the Doc is valid as long as
// Src is not modified. A Doc can be reused with Parse to avoid allocations.
type Doc struct {
	Src    []byte
	src    string // Src as a string, for Str without copying
	nodes  []node
	frames []frame
	keys   []int

	// Watch, when set before Parse, is a string value to look out for;
	// Watched reports whether some string value equals it.
	Watch   string
	Watched bool

	// Underscored reports whether some member name begins with '_' (or
	// with an escape, which may spell one): the JSON form of a primitive's
	// extensions, where inline labels may be.
	Underscored bool

	// ResourceTypes counts the members named resourceType, at any depth:
	// more than the resources in their places means one sits elsewhere.
	ResourceTypes int
}

// Flagged reports whether a string equal to Watch, or a member name that
// makes Underscored true, lies within n (n itself included): what Watched
// and Underscored say of the whole input, said of one value, in one quick
// pass over its stretch of the tape.
func (d *Doc) Flagged(n Node) bool {
	for _, x := range d.nodes[n:d.nodes[n].next] {
		if x.flags&flagMarked != 0 {
			return true
		}
	}
	return false
}

// SyntaxError says where and why the input is not JSON.
type SyntaxError struct {
	Offset int
	Msg    string
}

func (e *SyntaxError) Error() string {
	return "offset " + strconv.Itoa(e.Offset) + ": " + e.Msg
}

// DepthError is returned when nesting exceeds the allowed depth.
type DepthError struct{ Max int }

func (e *DepthError) Error() string {
	return "nesting deeper than " + strconv.Itoa(e.Max) + " levels"
}

// Parse validates src as one JSON value (RFC 8259, UTF-8, surrounding white
// space allowed, no member name twice in one object) no deeper than maxDepth
// and fills d's tape. The root is node 0.
func (d *Doc) Parse(src []byte, maxDepth int) error {
	d.Src = src
	d.src = unsafe.String(unsafe.SliceData(src), len(src))
	d.nodes = d.nodes[:0]
	d.Watched, d.Underscored, d.ResourceTypes = false, false, 0
	if uint64(len(src)) > 1<<31 {
		return &SyntaxError{0, "input larger than 2 GiB"}
	}
	// UTF-8 is checked as strings are scanned (no byte outside a string may
	// be above 0x7F), so a valid input is read once. Any failure looks at
	// the whole input, so that invalid UTF-8 anywhere is the error reported,
	// whatever the parser met first.
	p := parser{d: d, maxDepth: maxDepth, keys: d.keys[:0], frames: d.frames[:0]}
	defer func() { d.keys, d.frames = p.keys, p.frames }()
	if err := p.run(); err != nil {
		d.nodes = d.nodes[:0]
		if !utf8.Valid(src) {
			return &SyntaxError{firstInvalidUTF8(src), "invalid UTF-8"}
		}
		return err
	}
	return nil
}

// charName names the character s starts with for a message: quoted, and
// as U+XXXX when it is not printable ASCII.
func charName(s string) string {
	r, _ := utf8.DecodeRuneInString(s)
	q := string(AppendString(nil, string(r)))
	if r < 0x20 || r > 0x7e {
		h := strings.ToUpper(strconv.FormatInt(int64(r), 16))
		q += " (U+" + strings.Repeat("0", max(0, 4-len(h))) + h + ")"
	}
	return q
}

func firstInvalidUTF8(b []byte) int {
	for i := 0; i < len(b); {
		r, n := utf8.DecodeRune(b[i:])
		if r == utf8.RuneError && n == 1 {
			return i
		}
		i += n
	}
	return 0
}

// The parser reads d.src, the input as a string: a string is a pointer
// and a length, a slice one word more to keep in a register.
type parser struct {
	d        *Doc
	pos      int
	maxDepth int
	keys     []int
	frames   []frame // the open containers around the innermost one
}

func (p *parser) fail(msg string) error { return &SyntaxError{p.pos, msg} }

// skipWS returns the index of the first byte at or after i that is not
// JSON white space.
func skipWS(s string, i int) int {
	for i < len(s) {
		c := s[i]
		if c > ' ' || c != ' ' && c != '\n' && c != '\r' && c != '\t' {
			return i
		}
		i++
		// Pretty-printed FHIR is almost half indentation: skip a run of
		// spaces a word at a time, the last word's share counted from its
		// first non-space byte rather than byte by byte.
		for i+8 <= len(s) {
			if m := loadStr(s, i) ^ (lo * ' '); m != 0 {
				i += firstByte(m)
				break
			}
			i += 8
		}
	}
	return i
}

// firstByte is the index of the first non-zero byte of a non-zero word read
// by load64 (whose byte order is little-endian everywhere).
func firstByte(m uint64) int { return bits.TrailingZeros64(m) >> 3 }

// Duplicate member names are found as each name is read: an open object's
// mask has one bit of keyBits per name seen (chosen by keyBit), a count, and
// objectBit (an array's mask is zero).
// A name whose bit is new cannot repeat an earlier one; only when the bit is
// taken are the earlier names compared. Past 32 names the object is marked
// dupSuspect and checked all at once when it closes (checkDuplicates), so
// large objects cost no quadratic time.
const (
	keyBits       = 56
	keyCountShift = 56 // the count of names, in bits 56 to 61
	keyCountMask  = 63
	objectBit     = 1 << 62
	dupSuspect    = 1 << 63
)

// keyBit is the bit of a member name, chosen by its length and its first
// and last bytes: two names with different bits differ.
func keyBit(name string) uint64 {
	h := len(name) * 31
	if len(name) > 0 {
		h += int(name[0])*7 + int(name[len(name)-1])
	}
	return 1 << (uint(h) % keyBits)
}

// earlierName reports whether a member before the key node at upto in the
// object at obj has the (decoded) name key.
func earlierName(s string, nodes []node, obj, upto int, key string) bool {
	for k := obj + 1; k < upto; k = int(nodes[k+1].next) {
		raw := s[nodes[k].start+1 : nodes[k].end-1]
		if nodes[k].flags&flagEscaped != 0 {
			raw = unescaped(raw)
		}
		if raw == key {
			return true
		}
	}
	return false
}

// unescaped is the decoded text of a string's or name's content s.
func unescaped(s string) string {
	return string(Unescape(nil, unsafe.Slice(unsafe.StringData(s), len(s))))
}

// frame is an open container saved on the parser's stack while a container
// inside it is parsed.
type frame struct {
	top  uint32 // its tape index
	mask uint64 // its member-name bits and flags (see keyBits)
}

// growTape makes room on a full tape, at input position at of total bytes.
// The first eighth of a large input grows it by doubling; past that, the
// nodes read so far per byte read predict the whole tape, and it grows to
// that with a sixteenth to spare, so a tape that starts small is copied a
// few times, not once per doubling. A tape kept from an earlier call that
// is large enough is never grown nor sized ahead: counting the structural
// bytes of every input before parsing it took a twentieth of a WebAssembly
// call's time.
func growTape(nodes []node, at, total int) []node {
	want := 2*cap(nodes) + 64
	if at > 0 && at >= total/8 {
		if guess := int(uint64(len(nodes)) * uint64(total) / uint64(at)); guess+guess/16 > want {
			want = guess + guess/16
		}
	}
	// A node takes two bytes of input at least (the root alone may take
	// one), so a dense start does not predict more than the input holds.
	want = max(min(want, total/2+2), len(nodes)+2)
	return append(make([]node, 0, want), nodes...)
}

// run parses iteratively: containers push a frame on a stack, so deep input
// costs heap, not goroutine stack, and depth is checked in one place.
//
// The innermost container lives in two locals (top and mask), the position
// and the tape in locals written back on return: in WebAssembly every
// access through p is a load or a store. The stack of the containers
// around it stays in p, touched only as one opens or closes, with its
// depth in a local: the loop has more live values than WebAssembly
// registers, and every one more is spilled to memory and reloaded.
func (p *parser) run() error {
	d := p.d
	s := d.src
	nodes := d.nodes[:0]
	p.frames = p.frames[:0]
	depth := 0      // len(p.frames)
	var top uint32  // tape index of the innermost open container
	var mask uint64 // its mask: objectBit, member-name bits and count
	// A byte order mark may open the text: JSON forbids writing one and
	// lets a reader ignore it (RFC 8259, 8.1), and editors on Windows write
	// one to every file they save.
	i := 0
	if strings.HasPrefix(s, "\uFEFF") {
		i = len("\uFEFF")
	}
	i = skipWS(s, i)
	if i >= len(s) {
		return p.finish(nodes, i, "empty input")
	}
	for {
		// One pass of the loop appends at most a value and a key.
		// append's quarter steps on a large tape would copy it several
		// times over (growTape).
		if cap(nodes)-len(nodes) < 2 {
			nodes = growTape(nodes, i, len(s))
		}
		// Expect a value at i.
		if i >= len(s) {
			return p.finish(nodes, i, "unexpected end of input")
		}
		switch c := s[i]; c {
		case '{', '[':
			if depth >= p.maxDepth {
				return p.finishErr(nodes, &DepthError{p.maxDepth})
			}
			p.frames = append(p.frames, frame{top, mask})
			depth++
			top, mask = uint32(len(nodes)), 0
			k := Array
			if c == '{' {
				k, mask = Object, objectBit
			}
			nodes = put(nodes, k, 0, uint32(i), 0, 0)
			if i = skipIndent(s, i+1); i < len(s) && s[i] <= ' ' {
				i = skipWS(s, i)
			}
			if i < len(s) && s[i] == c+2 { // '{'+2 is '}', '['+2 is ']'
				i++
				nodes[top].end, nodes[top].next = uint32(i), uint32(len(nodes))
				depth--
				f := p.frames[depth]
				p.frames = p.frames[:depth]
				top, mask = f.top, f.mask
				goto afterValue
			}
			if k == Object {
				goto memberName
			}
			continue
		case '"':
			start := i
			var esc uint8
			if j := stringStop(s, i); j >= 0 && s[j] == '"' {
				i = j + 1
			} else {
				end, e, bad := scanString(s, i)
				if bad != "" {
					return p.finish(nodes, end, bad)
				}
				i, esc = end, e
			}
			nodes = put(nodes, String, strFlags(esc), uint32(start), uint32(i), uint32(len(nodes)+1))
			if n := i - start - 2; d.Watch != "" && (n == len(d.Watch) || esc != 0 && n > len(d.Watch)) {
				if string(s[start+1:i-1]) == d.Watch || esc != 0 && unescaped(s[start+1:i-1]) == d.Watch {
					d.Watched = true
					nodes[len(nodes)-1].flags |= flagMarked
				}
			}
		case 't', 'f', 'n':
			word, k := "true", True
			if c == 'f' {
				word, k = "false", False
			} else if c == 'n' {
				word, k = "null", Null
			}
			if len(s)-i < len(word) || string(s[i:i+len(word)]) != word {
				return p.finish(nodes, i, "invalid literal")
			}
			nodes = put(nodes, k, 0, uint32(i), uint32(i+len(word)), uint32(len(nodes)+1))
			i += len(word)
		default:
			if c != '-' && (c < '0' || c > '9') {
				msg := "unexpected character " + charName(s[i:])
				if c == '<' && len(nodes) == 0 {
					msg += ": the input looks like XML, not JSON"
				}
				return p.finish(nodes, i, msg)
			}
			end, bad := scanNumber(s, i)
			if bad != "" {
				return p.finish(nodes, end, bad)
			}
			nodes = put(nodes, Number, 0, uint32(i), uint32(end), uint32(len(nodes)+1))
			i = end
		}
	afterValue:
		// A value is complete; decide what follows. skipWS is called only
		// where white space starts: most values are followed directly by a
		// comma or a bracket.
		for {
			if i < len(s) && s[i] <= ' ' {
				i = skipWS(s, i)
			}
			if depth == 0 {
				if i != len(s) {
					return p.finish(nodes, i, "unexpected data after the JSON value")
				}
				return p.finishErr(nodes, nil)
			}
			if i >= len(s) {
				return p.finish(nodes, i, "unexpected end of input")
			}
			c := s[i]
			if c == ',' {
				if i = skipIndent(s, i+1); i < len(s) && s[i] <= ' ' {
					i = skipWS(s, i)
				}
				if mask&objectBit != 0 {
					goto memberName
				}
				break
			}
			if c == '}' && mask&objectBit != 0 || c == ']' && mask&objectBit == 0 {
				i++
				nodes[top].end, nodes[top].next = uint32(i), uint32(len(nodes))
				if mask&dupSuspect != 0 {
					d.nodes = nodes
					if err := p.checkDuplicates(int(top)); err != nil {
						return p.finishErr(nodes, err)
					}
				}
				depth--
				f := p.frames[depth]
				p.frames = p.frames[:depth]
				top, mask = f.top, f.mask
				continue
			}
			if mask&objectBit != 0 {
				return p.finish(nodes, i, "expected ',' or '}'")
			}
			return p.finish(nodes, i, "expected ',' or ']'")
		}
		continue

	memberName:
		// A member name, ':' and the white space before its value.
		if i >= len(s) || s[i] != '"' {
			return p.finish(nodes, i, "expected a member name")
		}
		{
			start := i
			var esc uint8
			if j := stringStop(s, i); j >= 0 && s[j] == '"' {
				i = j + 1
			} else {
				end, e, bad := scanString(s, i)
				if bad != "" {
					return p.finish(nodes, end, bad)
				}
				i, esc = end, e
			}
			nodes = put(nodes, Key, strFlags(esc), uint32(start), uint32(i), uint32(len(nodes)+1))
			if c := s[start+1]; c == '_' || c == '\\' {
				d.Underscored = true
				nodes[len(nodes)-1].flags |= flagMarked
			}
			if n := i - start - 2; n == len("resourceType") && string(s[start+1:i-1]) == "resourceType" ||
				esc != 0 && n > len("resourceType") && unescaped(s[start+1:i-1]) == "resourceType" {
				d.ResourceTypes++
			}
			switch {
			case mask&dupSuspect != 0:
			case mask>>keyCountShift&keyCountMask >= 32:
				mask |= dupSuspect
			default:
				key := s[start+1 : i-1]
				if esc != 0 {
					key = unescaped(key)
				}
				bit := keyBit(key)
				if mask&bit != 0 && earlierName(s, nodes, int(top), len(nodes)-1, key) {
					d.nodes = nodes
					return p.finishErr(nodes, p.duplicate(len(nodes)-1))
				}
				mask = (mask | bit) + 1<<keyCountShift
			}
			if i < len(s) && s[i] <= ' ' {
				i = skipWS(s, i)
			}
			if i >= len(s) || s[i] != ':' {
				return p.finish(nodes, i, "expected ':'")
			}
			if i++; i < len(s) && s[i] == ' ' {
				i++
			}
			if i < len(s) && s[i] <= ' ' {
				i = skipWS(s, i)
			}
		}
	}
}

// put appends a node to a tape with room for it (run keeps room for two):
// written field by field in place, where append of a node value builds
// it in a temporary first, which in WebAssembly is memory traffic.
func put(nodes []node, k Kind, flags uint8, start, end, next uint32) []node {
	nodes = nodes[:len(nodes)+1]
	nd := &nodes[len(nodes)-1]
	nd.kind, nd.flags, nd.start, nd.end, nd.next = k, flags, start, end, next
	return nodes
}

// stringStop returns the index of the first quote, backslash, control byte
// or byte above 0x7F (left to scanString, which checks UTF-8) of the string
// whose opening quote is at i, or -1 when that byte is
// not at least eight bytes before the end of s. It is small enough to be
// inlined: the common string, without escapes, costs no call, and a call
// in WebAssembly spills and reloads every live value.
func stringStop(s string, i int) int {
	for i++; i+8 <= len(s); i += 8 {
		// specials(x), written out: called here, inlined twice over into
		// the parser's loop, it makes the module 5% slower in wazero.
		x := loadStr(s, i)
		q, b := x^(lo*'"'), x^(lo*'\\')
		if m := ((q-lo)&^q | (b-lo)&^b | (x-lo*0x20)&^x | x) & hi; m != 0 {
			return i + bits.TrailingZeros64(m)>>3
		}
	}
	return -1
}

// skipIndent skips a newline and the spaces after it, as pretty-printed
// JSON has after a comma; anything else is left to skipWS. Small enough to
// be inlined.
func skipIndent(s string, i int) int {
	if i < len(s) && s[i] == '\n' {
		i++
		for i+8 <= len(s) {
			if m := loadStr(s, i) ^ (lo * ' '); m != 0 {
				return i + firstByte(m)
			}
			i += 8
		}
	}
	return i
}

// checkDuplicates rejects an object that names a member twice: readers
// disagree on which one counts, and FHIR JSON does not allow it.
func (p *parser) checkDuplicates(obj int) error {
	d := p.d
	keys := p.keys[:0]
	end := int(d.nodes[obj].next)
	for i := obj + 1; i < end; i = int(d.nodes[i+1].next) {
		keys = append(keys, i)
	}
	p.keys = keys
	if len(keys) < 2 {
		return nil
	}
	if len(keys) > 32 {
		seen := make(map[string]struct{}, len(keys))
		for _, k := range keys {
			name := d.Str(k)
			if _, dup := seen[name]; dup {
				return p.duplicate(k)
			}
			seen[name] = struct{}{}
		}
		return nil
	}
	for a := 1; a < len(keys); a++ {
		na := &d.nodes[keys[a]]
		ra := d.Src[na.start:na.end]
		for b := 0; b < a; b++ {
			nb := &d.nodes[keys[b]]
			if (na.flags|nb.flags)&flagEscaped == 0 {
				if nb.end-nb.start == na.end-na.start && string(d.Src[nb.start:nb.end]) == string(ra) {
					return p.duplicate(keys[a])
				}
			} else if d.Str(keys[a]) == d.Str(keys[b]) {
				return p.duplicate(keys[a])
			}
		}
	}
	return nil
}

func (p *parser) duplicate(k int) error {
	return &SyntaxError{int(p.d.nodes[k].start), "duplicate member name " + string(AppendString(nil, p.d.Str(k)))}
}

// finish hands the tape back to the Doc and fails at offset at. Not
// inlined, nor is finishErr: the parser's many ways out are cold, and
// inlined they made its loop several times larger.
//
//go:noinline
func (p *parser) finish(nodes []node, at int, msg string) error {
	p.pos = at
	return p.finishErr(nodes, p.fail(msg))
}

// finishErr hands the tape back to the Doc and returns err.
//
//go:noinline
func (p *parser) finishErr(nodes []node, err error) error {
	p.d.nodes = nodes
	return err
}

// scanNumber scans the number that starts at i and returns the index just
// past it, or, when bad is set, the offset of the problem.
func scanNumber(s string, i int) (end int, bad string) {
	if s[i] == '-' {
		i++
	}
	digits := func(i int) int {
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
		}
		return i
	}
	if i < len(s) && s[i] == '0' {
		i++
	} else if j := digits(i); j == i {
		return i, "invalid number"
	} else {
		i = j
	}
	if i < len(s) && s[i] == '.' {
		i++
		j := digits(i)
		if j == i {
			return i, "invalid number: digits expected after '.'"
		}
		i = j
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		i++
		if i < len(s) && (s[i] == '+' || s[i] == '-') {
			i++
		}
		j := digits(i)
		if j == i {
			return i, "invalid number: digits expected in exponent"
		}
		i = j
	}
	return i, ""
}

// scanString scans the string whose opening quote is at i. It returns the
// index just past the closing quote and whether the string has escapes, or,
// when bad is set, the offset of the problem.
func scanString(s string, i int) (end int, esc uint8, bad string) {
	start := i
	high := false // some byte above 0x7F: the string's UTF-8 is checked at its end
	i++
	for {
		// Fast scan over plain bytes, eight at a time while no byte is a
		// quote, a backslash or a control character (specials).
		for i+8 <= len(s) {
			if m := specials(loadStr(s, i)); m != 0 {
				i += firstByte(m)
				goto special
			}
			i += 8
		}
		for i < len(s) {
			c := s[i]
			if c == '"' || c == '\\' || c < 0x20 || c >= utf8.RuneSelf {
				break
			}
			i++
		}
		if i >= len(s) {
			return i, 0, "unterminated string"
		}
	special:
		switch c := s[i]; {
		case c == '"':
			if high && !utf8.ValidString(s[start:i]) {
				return start, 0, "invalid UTF-8"
			}
			return i + 1, esc, ""
		case c < 0x20:
			return i, 0, "control character in string"
		case c >= utf8.RuneSelf:
			high = true
			i++
		default: // backslash
			esc = flagEscaped
			if i+1 >= len(s) {
				return i, 0, "unterminated string"
			}
			switch s[i+1] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
				i += 2
			case 'u':
				if i+6 > len(s) || !isHex4(s[i+2:i+6]) {
					return i, 0, "invalid \\u escape"
				}
				i += 6
			default:
				return i, 0, "invalid escape"
			}
		}
	}
}

const (
	lo = 0x0101010101010101
	hi = 0x8080808080808080
)

// specials flags the bytes of word x that end a string's plain run: a
// quote, a backslash, a control character or a byte above 0x7F (the start
// or part of a UTF-8 sequence, to be checked). (v-lo)&^v&hi flags the zero
// bytes of v, here of x xor the quote and x xor the backslash,
// (x-lo*0x20)&^x&hi the bytes below 0x20 and x&hi those above 0x7F; the
// four share the final mask.
// The lowest flag is exact (only bytes above it can be false hits), so the
// first flagged byte is where a scan stops.
func specials(x uint64) uint64 {
	q, b := x^(lo*'"'), x^(lo*'\\')
	return ((q-lo)&^q | (b-lo)&^b | (x-lo*0x20)&^x | x) & hi
}

func isHex4(b string) bool {
	for _, c := range b[:4] {
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F') {
			return false
		}
	}
	return true
}
