package jsonx

import (
	"unicode/utf16"
	"unicode/utf8"
	"unsafe"
)

// Node indexes the tape. The root is 0; -1 means "absent".
type Node = int

// Len is the number of nodes on the tape.
func (d *Doc) Len() int { return len(d.nodes) }

// Forget lets go of the input, keeping the tape's room for the next Parse:
// a Doc kept for reuse must not pin the last input.
func (d *Doc) Forget() {
	d.Src, d.src, d.nodes = nil, "", d.nodes[:0]
}

// Room is how many nodes the tape holds without growing.
func (d *Doc) Room() int { return cap(d.nodes) }

// Kind of node n, or 0 when n is absent.
func (d *Doc) Kind(n Node) Kind {
	if n < 0 {
		return 0
	}
	return d.nodes[n].kind
}

// Span is the byte range of n in Src.
func (d *Doc) Span(n Node) (start, end int) {
	return int(d.nodes[n].start), int(d.nodes[n].end)
}

// Raw is the source bytes of n; nil when n is absent.
func (d *Doc) Raw(n Node) []byte {
	if n < 0 {
		return nil
	}
	return d.Src[d.nodes[n].start:d.nodes[n].end]
}

// Skip returns the tape index just past n's subtree.
func (d *Doc) Skip(n Node) Node { return int(d.nodes[n].next) }

// Members calls f for each member of object n, in order, with the key node
// and value node; f returns false to stop.
func (d *Doc) Members(n Node, f func(k, v Node) bool) {
	if n < 0 || d.nodes[n].kind != Object {
		return
	}
	end := int(d.nodes[n].next)
	for i := n + 1; i < end; {
		v := i + 1
		if !f(i, v) {
			return
		}
		i = int(d.nodes[v].next)
	}
}

// Items calls f for each item of array n with its index.
func (d *Doc) Items(n Node, f func(i int, v Node) bool) {
	if n < 0 || d.nodes[n].kind != Array {
		return
	}
	end := int(d.nodes[n].next)
	idx := 0
	for i := n + 1; i < end; i = int(d.nodes[i].next) {
		if !f(idx, i) {
			return
		}
		idx++
	}
}

// Range returns the tape span of an array's items or an object's members:
// iterate items with `for it := first; it < end; it = d.Skip(it)`, members
// with `for k := first; k < end; k = d.Skip(k + 1)` (the value is k+1). For
// anything else the span is empty.
func (d *Doc) Range(n Node) (first, end Node) {
	if k := d.Kind(n); k != Array && k != Object {
		return 0, 0
	}
	return n + 1, int(d.nodes[n].next)
}

// Count is the number of items of an array or members of an object.
func (d *Doc) Count(n Node) int {
	c := 0
	switch d.Kind(n) {
	case Array:
		d.Items(n, func(int, Node) bool { c++; return true })
	case Object:
		d.Members(n, func(Node, Node) bool { c++; return true })
	}
	return c
}

// Index returns item i of array n, or -1.
func (d *Doc) Index(n Node, i int) Node {
	r := -1
	d.Items(n, func(j int, v Node) bool {
		if j == i {
			r = v
			return false
		}
		return true
	})
	return r
}

// Get returns the value of member name of object n, or -1. (Parse rejects
// objects that name a member twice.)
func (d *Doc) Get(n Node, name string) Node {
	if n < 0 || d.nodes[n].kind != Object {
		return -1
	}
	for k, end := n+1, int(d.nodes[n].next); k < end; k = int(d.nodes[k+1].next) {
		if s, ok := d.Plain(k); ok && len(s) == len(name) && same(s, name) || !ok && d.keyIsSlow(k, name) {
			return k + 1
		}
	}
	return -1
}

// GetUnderscored is Get(n, "_"+name), the member that carries a FHIR
// primitive's id and extensions, without building that name.
func (d *Doc) GetUnderscored(n Node, name string) Node {
	if n < 0 || d.nodes[n].kind != Object {
		return -1
	}
	for k, end := n+1, int(d.nodes[n].next); k < end; k = int(d.nodes[k+1].next) {
		if s, ok := d.Plain(k); ok && len(s) == len(name)+1 && s[0] == '_' && s[1:] == name || !ok && d.keyIsSlow(k, "_"+name) {
			return k + 1
		}
	}
	return -1
}

// KeyIs reports whether key (or string) node k equals name; the common
// case, a string without escapes, is compared through Plain.
func (d *Doc) KeyIs(k Node, name string) bool {
	if s, ok := d.Plain(k); ok {
		return len(s) == len(name) && same(s, name)
	}
	return d.keyIsSlow(k, name)
}

// Plain returns the text of string or key node n when it has no escapes
// (the common case), aliasing Src; ok is false otherwise, and Str decodes.
// Unlike Str it is small enough to be inlined, which matters in
// WebAssembly, where a call spills every live value: hot loops call it
// first. The parser only makes plain nodes with start+1 <= end-1 <=
// len(Src), so the text needs no bounds check.
func (d *Doc) Plain(n Node) (s string, ok bool) {
	if uint(n) >= uint(len(d.nodes)) || d.nodes[n].flags&flagPlain == 0 {
		return "", false
	}
	nd := &d.nodes[n]
	return unsafe.String((*byte)(unsafe.Add(unsafe.Pointer(unsafe.StringData(d.src)), nd.start+1)), nd.end-nd.start-2), true
}

func (d *Doc) keyIsSlow(k Node, name string) bool {
	if k < 0 || d.nodes[k].kind != Key && d.nodes[k].kind != String {
		return false
	}
	return d.Str(k) == name
}

// Str returns the decoded value of a string or key node; "" for other kinds.
// Unescaped strings alias Src without copying.
func (d *Doc) Str(n Node) string {
	if s, ok := d.Plain(n); ok {
		return s
	}
	return d.strSlow(n)
}

func (d *Doc) strSlow(n Node) string {
	if n < 0 {
		return ""
	}
	nd := &d.nodes[n]
	if nd.kind != String && nd.kind != Key {
		return ""
	}
	return string(Unescape(nil, d.Src[nd.start+1:nd.end-1]))
}

// IsStr reports whether n is a string node.
func (d *Doc) IsStr(n Node) bool { return d.Kind(n) == String }

// Bool reports whether n is the literal true.
func (d *Doc) Bool(n Node) bool { return d.Kind(n) == True }

// Unescape appends the decoded form of a valid JSON string body (without
// quotes) to dst. Lone surrogates decode to U+FFFD.
func Unescape(dst, raw []byte) []byte {
	for i := 0; i < len(raw); i++ {
		c := raw[i]
		if c != '\\' {
			dst = append(dst, c)
			continue
		}
		i++
		switch raw[i] {
		case 'b':
			dst = append(dst, '\b')
		case 'f':
			dst = append(dst, '\f')
		case 'n':
			dst = append(dst, '\n')
		case 'r':
			dst = append(dst, '\r')
		case 't':
			dst = append(dst, '\t')
		case 'u':
			r := hex4(raw[i+1:])
			i += 4
			if utf16.IsSurrogate(r) {
				r2 := rune(-1)
				if i+6 < len(raw)+0 && raw[i+1] == '\\' && raw[i+2] == 'u' {
					r2 = hex4(raw[i+3:])
				}
				if dec := utf16.DecodeRune(r, r2); dec != utf8.RuneError {
					i += 6
					r = dec
				} else {
					r = utf8.RuneError
				}
			}
			dst = utf8.AppendRune(dst, r)
		default: // '"', '\\', '/'
			dst = append(dst, raw[i])
		}
	}
	return dst
}

// hex4 reads four hexadecimal digits, which the parser has checked (by
// hand: strconv's parsers would bring their error type into the module).
func hex4(b []byte) rune {
	var v rune
	for _, c := range b[:4] {
		switch {
		case c <= '9':
			c -= '0'
		case c <= 'F':
			c -= 'A' - 10
		default:
			c -= 'a' - 10
		}
		v = v<<4 | rune(c)
	}
	return v
}
