package jsonx

import (
	"io"
	"math/bits"
	"slices"
	"sort"
	"strconv"
	"unicode/utf8"
)

// AppendString appends s as a JSON string. Only what JSON requires is
// escaped (quote, backslash, control characters), plus U+2028/U+2029 so the
// output is also safe inside JavaScript; invalid UTF-8 becomes U+FFFD.
func AppendString(dst []byte, s string) []byte {
	dst = append(dst, '"')
	start := 0
	for i := 0; i < len(s); {
		// Eight bytes at a time up to the first that may need escaping:
		// strings are mostly plain ASCII, and one word costs a WebAssembly
		// build what each of its bytes would.
		for i+8 <= len(s) {
			if m := specials(loadStr(s, i)); m != 0 {
				i += firstByte(m)
				break
			}
			i += 8
		}
		if i == len(s) {
			break
		}
		c := s[i]
		if c >= 0x20 && c != '"' && c != '\\' && c < utf8.RuneSelf {
			i++
			continue
		}
		if c < utf8.RuneSelf {
			dst = append(dst, s[start:i]...)
			switch c {
			case '"', '\\':
				dst = append(dst, '\\', c)
			case '\n':
				dst = append(dst, '\\', 'n')
			case '\r':
				dst = append(dst, '\\', 'r')
			case '\t':
				dst = append(dst, '\\', 't')
			default:
				dst = append(dst, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, n := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && n == 1 {
			dst = append(dst, s[start:i]...)
			dst = append(dst, "\ufffd"...)
			i++
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			dst = append(dst, s[start:i]...)
			dst = append(dst, '\\', 'u', '2', '0', '2', hexDigits[r&0xf])
			i += n
			start = i
			continue
		}
		i += n
	}
	dst = append(dst, s[start:]...)
	return append(dst, '"')
}

const hexDigits = "0123456789abcdef"

// Writer builds compact JSON and places the commas itself: call Key before
// each member's value, and nothing between array items.
//
// Its methods are marked noinline: they are called from hundreds of places,
// and inlining each of them everywhere made the WebAssembly module 20 KB
// (gzip) larger with no measurable gain in speed.
type Writer struct {
	B        []byte
	more     []bool // per open container: an element was written already
	afterKey bool
}

// pre writes the separator a new value or key needs.
func (w *Writer) pre() {
	if w.afterKey {
		w.afterKey = false
		return
	}
	if n := len(w.more); n > 0 {
		if w.more[n-1] {
			w.B = append(w.B, ',')
		}
		w.more[n-1] = true
	}
}

// BeginObject opens an object.
//
//go:noinline
func (w *Writer) BeginObject() { w.pre(); w.B = append(w.B, '{'); w.more = append(w.more, false) }

// EndObject closes the innermost object.
//
//go:noinline
func (w *Writer) EndObject() { w.B = append(w.B, '}'); w.more = w.more[:len(w.more)-1] }

// BeginArray opens an array.
//
//go:noinline
func (w *Writer) BeginArray() { w.pre(); w.B = append(w.B, '['); w.more = append(w.more, false) }

// EndArray closes the innermost array.
//
//go:noinline
func (w *Writer) EndArray() { w.B = append(w.B, ']'); w.more = w.more[:len(w.more)-1] }

// Key writes a member name; the next value written is its value.
//
//go:noinline
func (w *Writer) Key(k string) {
	w.pre()
	w.B = AppendString(w.B, k)
	w.B = append(w.B, ':')
	w.afterKey = true
}

// String writes a string value.
//
//go:noinline
func (w *Writer) String(s string) { w.pre(); w.B = AppendString(w.B, s) }

// Int writes an integer value.
//
//go:noinline
func (w *Writer) Int(n int) { w.pre(); w.B = strconv.AppendInt(w.B, int64(n), 10) }

// Bool writes a boolean value.
//
//go:noinline
func (w *Writer) Bool(b bool) { w.pre(); w.B = strconv.AppendBool(w.B, b) }

// Raw writes already-encoded JSON as a value.
//
//go:noinline
func (w *Writer) Raw(b []byte) { w.pre(); w.B = append(w.B, b...) }

// Null writes null.
//
//go:noinline
func (w *Writer) Null() { w.pre(); w.B = append(w.B, "null"...) }

// KV writes a member whose value is a string.
//
//go:noinline
func (w *Writer) KV(k, v string) { w.Key(k); w.String(v) }

// Reset empties the writer, keeping its buffer.
func (w *Writer) Reset() { w.B = w.B[:0]; w.more = w.more[:0]; w.afterKey = false }

// Edit replaces Src[Start:End] with Text (Start == End inserts).
type Edit struct {
	Start, End int
	Text       []byte
}

// byStart orders edits by their start (sort.Stable).
type byStart []Edit

func (s byStart) Len() int           { return len(s) }
func (s byStart) Less(i, j int) bool { return s[i].Start < s[j].Start }
func (s byStart) Swap(i, j int)      { s[i], s[j] = s[j], s[i] }

// Apply appends src with the edits applied to dst. Edits must not overlap;
// inserts at the same offset keep their order.
func Apply(dst, src []byte, edits []Edit) []byte {
	return ApplySpan(dst, src, 0, len(src), edits)
}

// ApplySpan is Apply restricted to src[start:end]; edits lie inside it and
// keep their offsets into src.
func ApplySpan(dst, src []byte, start, end int, edits []Edit) []byte {
	SortEdits(edits)
	// Grow once to the exact size rather than by doubling.
	need := end - start
	for _, e := range edits {
		need += len(e.Text) - (e.End - e.Start)
	}
	dst = slices.Grow(dst, need)
	pos := start
	for _, e := range edits {
		if e.Start < pos || e.End > end {
			panic("jsonx: overlapping or out-of-range edits")
		}
		dst = append(dst, src[pos:e.Start]...)
		dst = append(dst, e.Text...)
		pos = e.End
	}
	return append(dst, src[pos:end]...)
}

// WriteSpan writes what ApplySpan would return to w, through buf (reused
// scratch space, returned grown), never holding the whole result: a result
// may be many times its input. The edits are checked before anything is
// written, so a bad edit writes nothing.
func WriteSpan(w io.Writer, buf, src []byte, start, end int, edits []Edit) ([]byte, error) {
	SortEdits(edits)
	pos := start
	for _, e := range edits {
		if e.Start < pos || e.End > end {
			panic("jsonx: overlapping or out-of-range edits")
		}
		pos = e.End
	}
	const chunk = 64 << 10
	buf = buf[:0]
	put := func(b []byte) error {
		if len(buf)+len(b) > chunk && len(buf) > 0 {
			if _, err := w.Write(buf); err != nil {
				return err
			}
			buf = buf[:0]
		}
		if len(b) >= chunk {
			_, err := w.Write(b)
			return err
		}
		buf = append(buf, b...)
		return nil
	}
	pos = start
	for _, e := range edits {
		if err := put(src[pos:e.Start]); err != nil {
			return buf, err
		}
		if err := put(e.Text); err != nil {
			return buf, err
		}
		pos = e.End
	}
	if err := put(src[pos:end]); err != nil {
		return buf, err
	}
	if len(buf) > 0 {
		if _, err := w.Write(buf); err != nil {
			return buf, err
		}
	}
	return buf[:0], nil
}

// SortEdits orders edits by Start, keeping the order of equal starts. Edits
// mostly arrive in order, so a sorted list is detected and left alone.
func SortEdits(edits []Edit) {
	sorted := true
	for i := 1; i < len(edits) && sorted; i++ {
		sorted = edits[i-1].Start <= edits[i].Start
	}
	if !sorted {
		// sort's one implementation for every element type keeps the
		// module smaller than a generic one per type, and sort.Stable,
		// unlike SliceStable, needs no reflection.
		sort.Stable(byStart(edits))
	}
}

// UTF16Len is the length of UTF-8 text b in UTF-16 code units: one per
// character, two for those past U+FFFF (4-byte sequences). It counts eight
// bytes at a time: every byte but a continuation byte (10xxxxxx) starts a
// character, and a 4-byte lead (11110xxx) starts two units.
func UTF16Len(b []byte) int {
	n, i := 0, 0
	for ; i+8 <= len(b); i += 8 {
		x := loadAt(b, i)
		if x&hi == 0 {
			n += 8
			continue
		}
		cont := x &^ (x << 1) & hi
		lead4 := x & (x << 1) & (x << 2) & (x << 3) & hi
		n += 8 - bits.OnesCount64(cont) + bits.OnesCount64(lead4)
	}
	for _, c := range b[i:] {
		if c < 0x80 || c >= 0xc0 {
			n++
			if c >= 0xf0 {
				n++
			}
		}
	}
	return n
}
