package words

import (
	"strings"
	"unicode/utf8"
)

// blockElements end a sentence where they open or close: a table cell or a
// list item is no continuation of the one before.
var blockElements = []string{
	"p", "div", "br", "li", "tr", "td", "th", "h1", "h2", "h3", "h4", "h5",
	"h6", "table", "ul", "ol", "dl", "dd", "dt", "hr", "pre", "blockquote",
	"caption", "thead", "tbody", "tfoot",
}

// xmlBlockElements are the block elements of XML documents read as text
// beside those of XHTML: a C-CDA section's title and text, its paragraphs,
// lists and items.
var xmlBlockElements = []string{"section", "title", "text", "paragraph", "list", "item", "component"}

// FromXML appends the text content of an XML document (a C-CDA document,
// any XML a sender attaches) to dst, as FromXHTML does, except that every
// tag separates words: XML elements are fields, not styled runs of one
// text, so "<title>Problems</title><text>HIV</text>" reads "Problems" and
// "HIV" apart, and its block elements and XHTML's end a line.
func FromXML(dst []byte, x string) []byte {
	w := textWriter{dst: dst, start: len(dst), xml: true}
	return w.read(x)
}

// FromXHTML appends the text content of an XHTML fragment (a FHIR narrative
// div) to dst. Tags are removed; block elements end a line, so that context
// never runs from one into the next; the source's own white space is
// collapsed to single spaces, as a browser shows it; character references
// are decoded; comments and the contents of script and style are dropped.
// It never fails: malformed markup is read as well as it can be (a '<' that
// starts no tag is text, an unterminated tag or comment runs to the end).
func FromXHTML(dst []byte, xhtml string) []byte {
	w := textWriter{dst: dst, start: len(dst)}
	return w.read(xhtml)
}

// read appends the text content of markup x and returns the text.
func (w *textWriter) read(x string) []byte {
	for i := 0; i < len(x); {
		switch c := x[i]; {
		case c == '<':
			i = w.markup(x, i)
		case c == '&':
			i = w.reference(x, i)
		default:
			w.byte(c)
			i++
		}
	}
	return w.dst
}

// textWriter appends text with white space collapsed; it changes nothing
// before start, what the caller's dst held.
type textWriter struct {
	dst   []byte
	start int
	xml   bool // every tag separates words (FromXML)
}

func (w *textWriter) byte(c byte) {
	switch c {
	case ' ', '\t', '\n', '\r', '\f':
		if n := len(w.dst); n > 0 && w.dst[n-1] != ' ' && w.dst[n-1] != '\n' {
			w.dst = append(w.dst, ' ')
		}
	default:
		w.dst = append(w.dst, c)
	}
}

func (w *textWriter) lineBreak() {
	n := len(w.dst)
	switch {
	case n == 0 || w.dst[n-1] == '\n':
	case w.dst[n-1] == ' ' && n > w.start:
		w.dst[n-1] = '\n'
	default:
		w.dst = append(w.dst, '\n')
	}
}

// markup reads the markup at x[i] ('<') and returns where it ends.
func (w *textWriter) markup(x string, i int) int {
	rest := x[i:]
	switch {
	case strings.HasPrefix(rest, "<!--"):
		return past(x, i+4, "-->")
	case strings.HasPrefix(rest, "<![CDATA["):
		body, _, closed := strings.Cut(x[i+9:], "]]>")
		for k := 0; k < len(body); k++ {
			w.byte(body[k])
		}
		if !closed {
			return len(x)
		}
		return i + 9 + len(body) + 3
	case strings.HasPrefix(rest, "<!") || strings.HasPrefix(rest, "<?"):
		return past(x, i+2, ">")
	}
	j := i + 1
	closing := j < len(x) && x[j] == '/'
	if closing {
		j++
	}
	if j == len(x) || x[j]|0x20 < 'a' || x[j]|0x20 > 'z' {
		w.byte('<')
		return i + 1
	}
	k := j
	for k < len(x) && (isASCIIWord(x[k]) || x[k] == ':' || x[k] == '-' || x[k] == '_' || x[k] == '.') {
		k++
	}
	name := x[j:k]
	if c := strings.LastIndexByte(name, ':'); c >= 0 {
		name = name[c+1:]
	}
	end, empty := tagEnd(x, k)
	switch {
	case oneOf(name, blockElements) || w.xml && oneOf(name, xmlBlockElements):
		w.lineBreak()
	case w.xml:
		w.byte(' ')
	}
	if !closing && !empty && (strings.EqualFold(name, "script") || strings.EqualFold(name, "style")) {
		return closeTag(x, end, name)
	}
	return end
}

// oneOf says whether name is one of the element names, in any case.
func oneOf(name string, names []string) bool {
	for _, b := range names {
		if strings.EqualFold(name, b) {
			return true
		}
	}
	return false
}

// past returns the index after the first end in x at or after i, or len(x).
func past(x string, i int, end string) int {
	if j := strings.Index(x[i:], end); j >= 0 {
		return i + j + len(end)
	}
	return len(x)
}

// tagEnd returns the index after the '>' that ends the tag whose attributes
// start at x[i], skipping quoted values, and whether it ends "/>".
func tagEnd(x string, i int) (end int, empty bool) {
	for i < len(x) {
		switch c := x[i]; c {
		case '"', '\'':
			if j := strings.IndexByte(x[i+1:], c); j >= 0 {
				i += j + 2
				continue
			}
			return len(x), false
		case '>':
			return i + 1, x[i-1] == '/'
		}
		i++
	}
	return len(x), false
}

// closeTag returns where the end tag of name starts at or after i, or len(x).
func closeTag(x string, i int, name string) int {
	for {
		j := strings.Index(x[i:], "</")
		if j < 0 {
			return len(x)
		}
		i += j
		if k := i + 2 + len(name); k <= len(x) && strings.EqualFold(x[i+2:k], name) {
			return i
		}
		i += 2
	}
}

// reference decodes the character reference at x[i] ('&') and returns where
// it ends; an '&' that starts none is text.
func (w *textWriter) reference(x string, i int) int {
	r, end := decodeReference(x, i+1)
	if end < 0 {
		w.byte('&')
		return i + 1
	}
	if r < utf8.RuneSelf {
		w.byte(byte(r))
	} else {
		w.dst = utf8.AppendRune(w.dst, r)
	}
	return end
}

var namedReferences = [...]struct {
	name string
	r    rune
}{{"amp;", '&'}, {"lt;", '<'}, {"gt;", '>'}, {"quot;", '"'}, {"apos;", '\''}, {"nbsp;", '\u00a0'}}

// decodeReference reads a reference's name at x[i] (after the '&'); end is
// -1 for none. A numeric reference's ';' may be missing; a code point that
// is no character (0, a surrogate, past U+10FFFF) reads as U+FFFD.
func decodeReference(x string, i int) (r rune, end int) {
	for _, n := range namedReferences {
		if strings.HasPrefix(x[i:], n.name) {
			return n.r, i + len(n.name)
		}
	}
	if i >= len(x) || x[i] != '#' {
		return 0, -1
	}
	i++
	base := rune(10)
	if i < len(x) && x[i]|0x20 == 'x' {
		base = 16
		i++
	}
	digits := i
	for ; i < len(x); i++ {
		d := rune(-1)
		switch c := rune(x[i]); {
		case c >= '0' && c <= '9':
			d = c - '0'
		case base == 16 && c|0x20 >= 'a' && c|0x20 <= 'f':
			d = c | 0x20 - 'a' + 10
		}
		if d < 0 {
			break
		}
		r = min(r*base+d, utf8.MaxRune+1)
	}
	if i == digits {
		return 0, -1
	}
	if i < len(x) && x[i] == ';' {
		i++
	}
	if r == 0 || !utf8.ValidRune(r) {
		r = utf8.RuneError
	}
	return r, i
}
