// Package jsonx is the engine's JSON layer: a validating parser that records
// every value's byte range in a flat tape, a writer for new fragments, and an
// editor that splices replacements into the original bytes.
//
// Operations change little of what they read (a Bundle's meta, one element),
// so they edit by splicing: everything they do not touch is copied through
// byte for byte, and output costs a memcpy rather than a re-serialisation.
package jsonx

import (
	"strconv"
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
	Src   []byte
	src   string // Src as a string, for Str without copying
	nodes []node
	stack []uint32
	keys  []int

	// Watch, when set before Parse, is a string value to look out for;
	// Watched reports whether some string value equals it.
	Watch   string
	Watched bool
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
	d.stack = d.stack[:0]
	d.Watched = false
	if uint64(len(src)) > 1<<31 {
		return &SyntaxError{0, "input larger than 2 GiB"}
	}
	if !utf8.Valid(src) {
		return &SyntaxError{firstInvalidUTF8(src), "invalid UTF-8"}
	}
	p := parser{d: d, src: src, maxDepth: maxDepth, keys: d.keys[:0]}
	defer func() { d.keys = p.keys }()
	if err := p.run(); err != nil {
		d.nodes = d.nodes[:0]
		return err
	}
	return nil
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

type parser struct {
	d        *Doc
	src      []byte
	pos      int
	maxDepth int
	keys     []int
}

func (p *parser) fail(msg string) error { return &SyntaxError{p.pos, msg} }

func (p *parser) ws() {
	s, i := p.src, p.pos
	for i < len(s) {
		c := s[i]
		if c != ' ' && c != '\n' && c != '\r' && c != '\t' {
			break
		}
		i++
		if c == '\n' {
			// Pretty-printed FHIR spends most white space on indentation:
			// skip it eight spaces at a time.
			for i+8 <= len(s) && load64(s[i:]) == 0x2020202020202020 {
				i += 8
			}
		}
	}
	p.pos = i
}

// run parses iteratively: containers push their tape index on a stack, so
// deep input costs heap, not goroutine stack, and depth is checked in one place.
func (p *parser) run() error {
	d := p.d
	p.ws()
	if p.pos >= len(p.src) {
		return p.fail("empty input")
	}
	for {
		// Expect a value at p.pos.
		if p.pos >= len(p.src) {
			return p.fail("unexpected end of input")
		}
		c := p.src[p.pos]
		switch c {
		case '{', '[':
			if len(d.stack) >= p.maxDepth {
				return &DepthError{p.maxDepth}
			}
			k := Object
			if c == '[' {
				k = Array
			}
			d.stack = append(d.stack, uint32(len(d.nodes)))
			d.nodes = append(d.nodes, node{kind: k, start: uint32(p.pos)})
			p.pos++
			p.ws()
			if p.pos < len(p.src) && (p.src[p.pos] == '}' && k == Object || p.src[p.pos] == ']' && k == Array) {
				p.pos++
				if err := p.closeTop(); err != nil {
					return err
				}
				goto afterValue
			}
			if k == Object {
				if err := p.key(); err != nil {
					return err
				}
			}
			continue
		case '"':
			start := p.pos
			esc, err := p.str()
			if err != nil {
				return err
			}
			d.nodes = append(d.nodes, node{kind: String, flags: strFlags(esc), start: uint32(start), end: uint32(p.pos), next: uint32(len(d.nodes) + 1)})
			if n := p.pos - start - 2; d.Watch != "" && (n == len(d.Watch) || esc != 0 && n > len(d.Watch)) {
				if d.Str(len(d.nodes)-1) == d.Watch {
					d.Watched = true
				}
			}
		case 't':
			if err := p.lit("true", True); err != nil {
				return err
			}
		case 'f':
			if err := p.lit("false", False); err != nil {
				return err
			}
		case 'n':
			if err := p.lit("null", Null); err != nil {
				return err
			}
		default:
			if c == '-' || c >= '0' && c <= '9' {
				if err := p.num(); err != nil {
					return err
				}
			} else {
				return p.fail("unexpected character " + string(AppendString(nil, string(rune(c)))))
			}
		}
	afterValue:
		// A value is complete; decide what follows.
		for {
			p.ws()
			if len(d.stack) == 0 {
				if p.pos != len(p.src) {
					return p.fail("unexpected data after the JSON value")
				}
				return nil
			}
			top := &d.nodes[d.stack[len(d.stack)-1]]
			if p.pos >= len(p.src) {
				return p.fail("unexpected end of input")
			}
			c := p.src[p.pos]
			if c == ',' {
				p.pos++
				p.ws()
				if top.kind == Object {
					if err := p.key(); err != nil {
						return err
					}
				}
				break
			}
			if top.kind == Object && c == '}' || top.kind == Array && c == ']' {
				p.pos++
				if err := p.closeTop(); err != nil {
					return err
				}
				continue
			}
			if top.kind == Object {
				return p.fail("expected ',' or '}'")
			}
			return p.fail("expected ',' or ']'")
		}
	}
}

func (p *parser) closeTop() error {
	d := p.d
	i := d.stack[len(d.stack)-1]
	d.stack = d.stack[:len(d.stack)-1]
	d.nodes[i].end = uint32(p.pos)
	d.nodes[i].next = uint32(len(d.nodes))
	if d.nodes[i].kind == Object {
		return p.checkDuplicates(int(i))
	}
	return nil
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

// key parses `"name" :` and leaves p.pos at the member's value.
func (p *parser) key() error {
	if p.pos >= len(p.src) || p.src[p.pos] != '"' {
		return p.fail("expected a member name")
	}
	start := p.pos
	esc, err := p.str()
	if err != nil {
		return err
	}
	p.d.nodes = append(p.d.nodes, node{kind: Key, flags: strFlags(esc), start: uint32(start), end: uint32(p.pos), next: uint32(len(p.d.nodes) + 1)})
	p.ws()
	if p.pos >= len(p.src) || p.src[p.pos] != ':' {
		return p.fail("expected ':'")
	}
	p.pos++
	p.ws()
	return nil
}

func (p *parser) lit(word string, k Kind) error {
	if len(p.src)-p.pos < len(word) || string(p.src[p.pos:p.pos+len(word)]) != word {
		return p.fail("invalid literal")
	}
	p.d.nodes = append(p.d.nodes, node{kind: k, start: uint32(p.pos), end: uint32(p.pos + len(word)), next: uint32(len(p.d.nodes) + 1)})
	p.pos += len(word)
	return nil
}

func (p *parser) num() error {
	s := p.src
	start := p.pos
	i := p.pos
	if s[i] == '-' {
		i++
	}
	digits := func() int {
		n := 0
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
			n++
		}
		return n
	}
	if i < len(s) && s[i] == '0' {
		i++
	} else if digits() == 0 {
		p.pos = i
		return p.fail("invalid number")
	}
	if i < len(s) && s[i] == '.' {
		i++
		if digits() == 0 {
			p.pos = i
			return p.fail("invalid number: digits expected after '.'")
		}
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		i++
		if i < len(s) && (s[i] == '+' || s[i] == '-') {
			i++
		}
		if digits() == 0 {
			p.pos = i
			return p.fail("invalid number: digits expected in exponent")
		}
	}
	p.d.nodes = append(p.d.nodes, node{kind: Number, start: uint32(start), end: uint32(i), next: uint32(len(p.d.nodes) + 1)})
	p.pos = i
	return nil
}

// str scans a string starting at the opening quote and reports whether it
// contains escapes.
func (p *parser) str() (uint8, error) {
	s := p.src
	i := p.pos + 1
	var esc uint8
	for {
		// Fast scan over plain bytes, eight at a time while no byte is a
		// quote, a backslash or a control character.
		for i+8 <= len(s) {
			x := load64(s[i:])
			if hasZero(x^(lo*'"'))|hasZero(x^(lo*'\\'))|hasLess(x, 0x20) != 0 {
				break
			}
			i += 8
		}
		for i < len(s) {
			c := s[i]
			if c == '"' || c == '\\' || c < 0x20 {
				break
			}
			i++
		}
		if i >= len(s) {
			p.pos = i
			return 0, p.fail("unterminated string")
		}
		switch c := s[i]; {
		case c == '"':
			p.pos = i + 1
			return esc, nil
		case c < 0x20:
			p.pos = i
			return 0, p.fail("control character in string")
		default: // backslash
			esc = flagEscaped
			if i+1 >= len(s) {
				p.pos = i
				return 0, p.fail("unterminated string")
			}
			switch s[i+1] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
				i += 2
			case 'u':
				if i+6 > len(s) || !isHex4(s[i+2:i+6]) {
					p.pos = i
					return 0, p.fail("invalid \\u escape")
				}
				i += 6
			default:
				p.pos = i
				return 0, p.fail("invalid escape")
			}
		}
	}
}

const (
	lo = 0x0101010101010101
	hi = 0x8080808080808080
)

// hasZero is non-zero when some byte of x is zero.
func hasZero(x uint64) uint64 { return (x - lo) & ^x & hi }

// hasLess is non-zero when some byte of x is below n (n <= 128).
func hasLess(x, n uint64) uint64 { return (x - lo*n) & ^x & hi }

func isHex4(b []byte) bool {
	for _, c := range b[:4] {
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F') {
			return false
		}
	}
	return true
}
