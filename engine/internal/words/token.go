package words

import (
	"unicode"
	"unicode/utf8"

	"github.com/seclabel/seclabel/engine/internal/grow"
)

func isASCIIWord(c byte) bool {
	return c >= '0' && c <= '9' || c|0x20 >= 'a' && c|0x20 <= 'z'
}

// wordRune reports whether r belongs to a word. Invalid UTF-8 decodes to
// utf8.RuneError, which is no letter: invalid bytes separate words.
func wordRune(r rune) bool {
	if r < utf8.RuneSelf {
		return isASCIIWord(byte(r))
	}
	return unicode.IsLetter(r) || unicode.IsDigit(r)
}

// wordAt returns the bounds of the first word of s at or after i; start ==
// end == len(s) when there is none. A plus sign that marks a result
// ("UDS (+) cocaine", "HIV+", "+cocaine") is a word of its own, which folds
// to "positive" (see plusMark).
func wordAt(s string, i int) (start, end int) {
	for i < len(s) {
		if c := s[i]; c < utf8.RuneSelf {
			if isASCIIWord(c) {
				break
			}
			if c == '+' && plusMark(s, i) {
				return i, i + 1
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if wordRune(r) {
			break
		}
		i += size
	}
	start = i
	for i < len(s) {
		if c := s[i]; c < utf8.RuneSelf {
			if !isASCIIWord(c) {
				break
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if !wordRune(r) {
			break
		}
		i += size
	}
	return start, i
}

// plusMark reports whether the '+' at s[i] marks a result, as clinical
// shorthand writes "positive": not in a number ("2+ edema", "+1"), an
// expression ("A+B", "C++") or "+/-", which says neither.
func plusMark(s string, i int) bool {
	var before, after byte = ' ', ' '
	if i > 0 {
		before = s[i-1]
	}
	if i+1 < len(s) {
		after = s[i+1]
	}
	digit := func(c byte) bool { return c >= '0' && c <= '9' }
	switch {
	case before == '+' || after == '+' || before == '/' || after == '/' || after == '-' || before == '-':
		return false
	case digit(before) || digit(after):
		return false
	}
	return !(isASCIIWord(before) && isASCIIWord(after))
}

// appendFold appends the case-insensitive form of the word w: lower case,
// common Latin diacritics taken off; a plus mark reads "positive". It
// returns the hashes of what it appended as hashWord does, computed on the
// way.
func appendFold(dst []byte, w string) (out []byte, h, less1, less2 uint32) {
	if w == "+" {
		w = "positive"
	}
	h, less1, less2 = hashInit, hashInit, hashInit
	for i := 0; i < len(w); {
		c := w[i]
		if c < utf8.RuneSelf {
			if c >= 'A' && c <= 'Z' {
				c += 'a' - 'A'
			}
			dst = append(dst, c)
			less2, less1 = less1, h
			h = (h ^ uint32(c)) * hashPrime
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(w[i:])
		i += size
		n := len(dst)
		dst = appendFoldRune(dst, r)
		for _, c := range dst[n:] {
			less2, less1 = less1, h
			h = (h ^ uint32(c)) * hashPrime
		}
	}
	return dst, h, less1, less2
}

func appendFoldRune(dst []byte, r rune) []byte {
	r = unicode.ToLower(r)
	switch {
	case r >= 'à' && r <= 'å':
		r = 'a'
	case r == 'ç':
		r = 'c'
	case r >= 'è' && r <= 'ë':
		r = 'e'
	case r >= 'ì' && r <= 'ï':
		r = 'i'
	case r == 'ñ':
		r = 'n'
	case r >= 'ò' && r <= 'ö' || r == 'ø':
		r = 'o'
	case r >= 'ù' && r <= 'ü':
		r = 'u'
	case r == 'ý' || r == 'ÿ':
		r = 'y'
	case r == 'œ':
		return append(dst, 'o', 'e')
	case r == 'æ':
		return append(dst, 'a', 'e')
	case r == 'ß':
		return append(dst, 's', 's')
	}
	return utf8.AppendRune(dst, r)
}

// Words hash with FNV-1a: computed byte by byte as a word is folded, it
// yields the hashes of the word's plural stems (less its last one or two
// bytes) on the way.
const (
	hashInit  uint32 = 2166136261
	hashPrime uint32 = 16777619
)

// hashWord returns the hash of w.
func hashWord(w []byte) uint32 {
	h := hashInit
	for _, c := range w {
		h = (h ^ uint32(c)) * hashPrime
	}
	return h
}

// dict is a set of words, each with an index: an open-addressing hash table
// over one string holding every word. Looking a word up allocates nothing and
// costs one probe for most words that are not there, the common case.
type dict struct {
	slots  []int32 // word index + 1 by hash; 0 is empty; a power of two, at least twice the words
	hashes []uint32
	ends   []int32 // word i is blob[ends[i]:ends[i+1]]
	blob   string
	root   []int32 // per word, the trie node of the one-word path, or -1
}

// lookup returns w's index, or -1; h is hashWord's hash of w.
func (d *dict) lookup(w []byte, h uint32) int32 {
	if len(d.slots) == 0 {
		return -1
	}
	mask := uint32(len(d.slots) - 1)
	for i := h & mask; ; i = (i + 1) & mask {
		s := d.slots[i]
		if s == 0 {
			return -1
		}
		s--
		if d.hashes[s] == h && d.blob[d.ends[s]:d.ends[s+1]] == string(w) {
			return s
		}
	}
}

// trie holds word paths; a node's edges are sorted by word index. The first
// edge of a path is in its dict's root table instead.
type trie struct {
	nodes []trieNode
	edges []trieEdge
	pay   []int32 // what ends at a node: term indices, or kinds of cue
}

type trieNode struct{ e0, e1, p0, p1 int32 }

type trieEdge struct{ word, child int32 }

// searchEdges returns the index of the first edge whose word is not below w.
func searchEdges(es []trieEdge, w int32) int {
	lo, hi := 0, len(es)
	for lo < hi {
		m := int(uint(lo+hi) >> 1)
		if es[m].word < w {
			lo = m + 1
		} else {
			hi = m
		}
	}
	return lo
}

// next returns the node reached from n by word w of d; n < 0 is the root.
// It returns -1 where there is no such path (and for w < 0, a word d lacks).
func (t *trie) next(d *dict, n, w int32) int32 {
	if w < 0 {
		return -1
	}
	if n < 0 {
		return d.root[w]
	}
	nd := &t.nodes[n]
	es := t.edges[nd.e0:nd.e1]
	if i := searchEdges(es, w); i < len(es) && es[i].word == w {
		return es[i].child
	}
	return -1
}

// payload is what ends at node n.
func (t *trie) payload(n int32) []int32 {
	nd := &t.nodes[n]
	return t.pay[nd.p0:nd.p1]
}

// dictBuilder collects the words of a dict while a trie is built.
type dictBuilder struct {
	ids   map[string]int32
	words []string
	root  []int32
}

func (b *dictBuilder) id(w string) int32 {
	if id, ok := b.ids[w]; ok {
		return id
	}
	if b.ids == nil {
		b.ids = map[string]int32{}
	}
	id := int32(len(b.words))
	b.ids[w] = id
	b.words = append(b.words, w)
	b.root = append(b.root, -1)
	return id
}

func (b *dictBuilder) dict() dict {
	size := 8
	for size < 2*len(b.words) {
		size *= 2
	}
	d := dict{
		slots:  make([]int32, size),
		hashes: make([]uint32, len(b.words)),
		ends:   make([]int32, 1, len(b.words)+1),
		root:   b.root,
	}
	blob := make([]byte, 0, len(b.words)*8)
	mask := uint32(size - 1)
	for i, w := range b.words {
		blob = append(blob, w...)
		d.ends = append(d.ends, int32(len(blob)))
		h := hashWord(blob[len(blob)-len(w):])
		d.hashes[i] = h
		j := h & mask
		for d.slots[j] != 0 {
			j = (j + 1) & mask
		}
		d.slots[j] = int32(i) + 1
	}
	d.blob = string(blob)
	return d
}

// trieBuilder builds a trie one path at a time. A node's edges are a list
// linked in word order through flat arrays, not a slice per node: the
// default pack's lexicon has some 60,000 nodes, most with one edge or none.
type trieBuilder struct {
	first []int32    // per node: its first edge in links, or -1
	links []trieLink // the edges of all nodes
	ends  []trieEnd  // what ends where, in the order added
	buf   []byte
}

type trieLink struct {
	trieEdge
	next int32 // the node's next edge in links, or -1
}

// trieEnd is one pay at one node.
type trieEnd struct{ node, pay int32 }

// add puts the path of text's words (folded unless exact) from d's root
// into the trie, with pay at its end, and returns how many words text has;
// a text of none adds nothing.
func (b *trieBuilder) add(d *dictBuilder, text string, exact bool, pay int32) int {
	n, count := int32(-1), 0
	for start, end := wordAt(text, 0); start < end; start, end = wordAt(text, end) {
		w := text[start:end]
		var id int32
		if !exact {
			b.buf, _, _, _ = appendFold(b.buf[:0], w)
			known := false
			// Looked up without a copy: most words of a pack's terms are
			// known already (a pattern's texts repeat the same few).
			if id, known = d.ids[string(b.buf)]; !known {
				id = d.id(string(b.buf))
			}
		} else {
			id = d.id(w)
		}
		count++
		if n < 0 {
			if d.root[id] < 0 {
				d.root[id] = b.node()
			}
			n = d.root[id]
			continue
		}
		prev, e := int32(-1), b.first[n]
		for e >= 0 && b.links[e].word < id {
			prev, e = e, b.links[e].next
		}
		if e < 0 || b.links[e].word != id {
			b.links = grow.Push(b.links, trieLink{trieEdge{id, b.node()}, e})
			if e = int32(len(b.links) - 1); prev < 0 {
				b.first[n] = e
			} else {
				b.links[prev].next = e
			}
		}
		n = b.links[e].child
	}
	if count > 0 {
		b.ends = grow.Push(b.ends, trieEnd{n, pay})
	}
	return count
}

func (b *trieBuilder) node() int32 {
	b.first = grow.Push(b.first, -1)
	return int32(len(b.first) - 1)
}

func (b *trieBuilder) trie() trie {
	t := trie{nodes: make([]trieNode, len(b.first)), edges: make([]trieEdge, 0, len(b.links)), pay: make([]int32, len(b.ends))}
	// A node's pays are counted first and placed in the order added.
	for _, e := range b.ends {
		t.nodes[e.node].p1++
	}
	at := int32(0)
	for n, e := range b.first {
		nd := &t.nodes[n]
		nd.e0 = int32(len(t.edges))
		for ; e >= 0; e = b.links[e].next {
			t.edges = append(t.edges, b.links[e].trieEdge)
		}
		nd.e1 = int32(len(t.edges))
		nd.p0, nd.p1, at = at, at, at+nd.p1
	}
	for _, e := range b.ends {
		nd := &t.nodes[e.node]
		t.pay[nd.p1] = e.pay
		nd.p1++
	}
	return t
}
