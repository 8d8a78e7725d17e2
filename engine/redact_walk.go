package engine

import (
	"strconv"
	"strings"

	"github.com/seclabel/seclabel/engine/internal/r4"
	"github.com/seclabel/seclabel/engine/internal/vocab"
	"github.com/seclabel/seclabel/internal/jsonx"
)

// Redaction is two passes: a decision pass records actions per tape node
// (remove, replace, add a member), and a render pass copies untouched
// subtrees byte for byte and re-emits only the containers that change.

type actKind uint8

const (
	actRemove actKind = iota + 1
	actReplace
)

type action struct {
	kind actKind
	text []byte
	// keepsExt: the replacement keeps the object's extension array (a
	// masked Reference), and with it the inline labels there.
	keepsExt bool
}

type addMember struct {
	key  string
	text []byte
}

// badLabel says why redaction cannot read a label.
type badLabel uint8

const (
	labelOK    badLabel = iota
	badShape            // not where or not what a label must be
	badSystem           // no system, or one the vocabulary does not know
	badCode             // a code the vocabulary does not know in its system
	badMissing          // a Coding without a usable code
)

type redactor struct {
	s     *state
	d     *jsonx.Doc
	root  jsonx.Node
	acts  map[jsonx.Node]action
	adds  map[jsonx.Node][]addMember
	dirty nodeSet
	// err is the first resource met that is not a FHIR R4 one (fail):
	// the walk stops there, and redactTop returns it.
	err error
	// parent[n] is the container of node n (object members: of both key
	// and value), for mark; built on first use.
	parent []int32
	rep    Redaction
	out    []*released // every released resource at any depth, in document order
	rels   slab[released]
	runs   []*bundleRun // every released Bundle, inner ones first
	gone   refSet       // what is withheld, by every reference form
	// goneNodes are the withheld resources, for what only they reference
	// (directoryGone).
	goneNodes []jsonx.Node
	cur       *resWalk // the resource being judged
	lvl       uint32   // the last level handed out
	// docComps are the Compositions of documents, whose confidentiality
	// is the document's mark rather than a label of their own.
	docComps map[jsonx.Node]bool
	// labelBuf is where writeMarks gathers an entry's labels.
	labelBuf []label
	// later are the resources to withhold, with why: found released in
	// an earlier round though another version of them, or what stands for
	// a Binary (securityContext) or holds it as an attachment, was
	// withheld.
	later map[jsonx.Node]string
}

// resWalk is what judging one resource's elements gathers.
type resWalk struct {
	typ        string
	changed    bool
	kept       []label // inline labels that stay, and kept contained resources' own labels
	withhold   string  // set when the resource must go whole: its reason
	detail     string
	removedIDs map[string]bool // "#id" of removed contained resources
}

// released is one resource the recipient gets.
type released struct {
	// inheritedConf is the highest confidentiality of the inline labels
	// that cover it from outside (its entry's, the holding element's), -1
	// for none: it stands for the resource's own when it has none.
	inheritedConf int
	n             jsonx.Node
	loc           string
	typ           string
	fullURL       string
	changed       bool
	kept          []label
	removed       map[string]bool
	// neutral: the narrative is replaced by a neutral one rather than
	// dropped (a List that lost entries).
	neutral bool
	walk    resWalk // while it is judged
}

// bundleRun is one released Bundle, for its mark and its entries' count.
type bundleRun struct {
	n        jsonx.Node
	loc      string
	entries  []entryGroup // its released entries but Bundles
	nested   []*bundleRun // its released entry Bundles
	final    []label      // its mark, once written
	withheld int          // search matches withheld, for total
	// carried are the labels the input's entries carry: on the Bundle,
	// they were the mark of its entries, recomputed from what is released.
	carried map[[2]string]bool
}

// entryGroup is what one released entry holds: its resource, and the
// resources and Bundles released inside it (a Parameters' resources, the
// outcome of its response), whose labels its own mark counts as the
// entry's.
type entryGroup struct {
	first *released
	more  []*released
	runs  []*bundleRun
}

const darMasked = `{"url":"` + extDataAbsent + `","valueCode":"masked"}`

// level hands out a new nesting level for labels read together.
func (r *redactor) level() uint32 {
	r.lvl++
	return r.lvl
}

// mark flags every container from the root down to n as dirty, so the
// render pass re-emits them. It climbs from n through a parent index made on
// first use, and stops at the first container already dirty (whose
// ancestors are then dirty too): a Bundle with thousands of withheld
// entries costs one pass over its tape, not one descent per entry.
func (r *redactor) mark(n jsonx.Node) {
	d := r.d
	if n <= r.root || n >= d.Skip(r.root) {
		return
	}
	if r.parent == nil {
		// Kept by the state for the next call: every node below the root
		// is written here, and the root's own entry is never read.
		if cap(r.s.parents) < d.Len() {
			r.s.parents = make([]int32, d.Len())
		}
		r.parent = r.s.parents[:d.Len()]
		for c, end := r.root, d.Skip(r.root); c < end; c++ {
			first, last := d.Range(c)
			object := d.Kind(c) == jsonx.Object
			for it := first; it < last; it = d.Skip(it) {
				r.parent[it] = int32(c)
				if object { // a key, then its value
					r.parent[it+1] = int32(c)
					it++
				}
			}
		}
	}
	for x := jsonx.Node(r.parent[n]); ; x = jsonx.Node(r.parent[x]) {
		if r.dirty.has(x) {
			return
		}
		r.dirty.add(x)
		if x == r.root {
			return
		}
	}
}

// nodeSet is a set of tape nodes, one bit each: the masking pass asks
// whether every object and array it visits is dirty, and a map lookup
// each cost a fifth of redacting a Bundle of many small entries.
type nodeSet []uint64

func newNodeSet(n int) nodeSet { return make(nodeSet, (n+63)/64) }

func (s nodeSet) has(n jsonx.Node) bool { return n >= 0 && s[n/64]&(1<<(n%64)) != 0 }

func (s nodeSet) add(n jsonx.Node) { s[n/64] |= 1 << (n % 64) }

// fail records the walk's first failure.
func (r *redactor) fail(err error) {
	if r.err == nil {
		r.err = err
	}
}

func (r *redactor) set(n jsonx.Node, a action) {
	r.acts[n] = a
	r.dirty.add(n)
	r.mark(n)
}

func (r *redactor) add(obj jsonx.Node, key string, text []byte) {
	r.adds[obj] = append(r.adds[obj], addMember{key, text})
	r.dirty.add(obj)
	r.mark(obj)
}

func (r *redactor) removed(n jsonx.Node) bool {
	return r.dirty.has(n) && r.acts[n].kind == actRemove // the bit first, as act
}

// act is the action on node n, if any. A node with one is dirty, and the
// bit is looked at first: most nodes have none, and a lookup in a map of
// tens of thousands of actions misses the cache. Not inlined: it is called
// in many places, each of which would carry its own copy in the module.
//
//go:noinline
func (r *redactor) act(n jsonx.Node) action {
	if !r.dirty.has(n) {
		return action{}
	}
	return r.acts[n]
}

// --- reading labels as redaction must: anything that is not a readable
// label where a label belongs is an unreadable one.

// judged reads one security Coding for judging: a label the vocabulary
// knows, or an unreadable one saying why.
func judged(d *jsonx.Doc, c jsonx.Node, src labelSource, lvl uint32) label {
	l := label{node: c, src: src, lvl: lvl, set: vocab.SetUnknown}
	if d.Kind(c) != jsonx.Object {
		l.bad = badShape
		return l
	}
	sys, code := d.Get(c, "system"), d.Get(c, "code")
	if sys >= 0 && !d.IsStr(sys) {
		l.bad = badShape
		return l
	}
	l.system = d.Str(sys)
	if canon, known := vocab.Canonical(l.system); known {
		l.system = canon
	}
	switch {
	case code >= 0 && !d.IsStr(code):
		l.bad = badShape
		return l
	case d.Str(code) == "":
		l.bad = badMissing
		return l
	}
	l.code = d.Str(code)
	l.display = d.Str(d.Get(c, "display"))
	if vocab.IsProcessInline(l.system, l.code) {
		// The ballot-era HAS-INLINE-SEC-LABELS is read as PROCESSINLINELABEL.
		l.set = vocab.SetObligation
		return l
	}
	if !vocab.KnownSystem(l.system) {
		l.bad = badSystem
		return l
	}
	if l.info = vocab.Lookup(l.system, l.code); l.info == nil {
		l.bad = badCode
		return l
	}
	l.set = l.info.Set
	return l
}

// shapeLabel is the unreadable label that a malformed label container
// (meta.security as an object, ...) stands for.
func shapeLabel(n jsonx.Node, src labelSource, lvl uint32) label {
	return label{node: n, src: src, lvl: lvl, set: vocab.SetUnknown, bad: badShape}
}

// codings appends the labels of what must be an array of Codings.
func codings(d *jsonx.Doc, arr jsonx.Node, src labelSource, lvl uint32, out []label) []label {
	switch d.Kind(arr) {
	case 0:
		return out
	case jsonx.Array:
	default:
		return append(out, shapeLabel(arr, src, lvl))
	}
	first, end := d.Range(arr)
	for c := first; c < end; c = d.Skip(c) {
		out = append(out, judged(d, c, src, lvl))
	}
	return out
}

// resourceLevel returns the labels a whole resource is judged on: its
// meta.security, DocumentReference.securityLabel and
// Composition.confidentiality, each read fail closed; a contained member
// that is not an array cannot be judged and counts as unreadable too.
func (r *redactor) resourceLevel(n jsonx.Node, lvl uint32, out []label) []label {
	return r.levelOf(n, headsOf(r.d, n), lvl, out)
}

// heads are the members of a resource that judging it reads by name.
type heads struct{ meta, typ, conf, secLabel, contained jsonx.Node }

// headsOf finds them in one pass over the resource's members: every
// resource is read so, most of them small, and a lookup per name would
// pass over their members once each.
func headsOf(d *jsonx.Doc, n jsonx.Node) heads {
	h := heads{-1, -1, -1, -1, -1}
	if d.Kind(n) != jsonx.Object {
		return h
	}
	first, end := d.Range(n)
	for k := first; k < end; k = d.Skip(k + 1) {
		switch d.Str(k) {
		case "meta":
			h.meta = k + 1
		case "resourceType":
			h.typ = k + 1
		case "confidentiality":
			h.conf = k + 1
		case "securityLabel":
			h.secLabel = k + 1
		case "contained":
			h.contained = k + 1
		}
	}
	return h
}

// levelOf is resourceLevel with the resource's heads found.
func (r *redactor) levelOf(n jsonx.Node, h heads, lvl uint32, out []label) []label {
	d := r.d
	meta := h.meta
	switch d.Kind(meta) {
	case 0, jsonx.Object:
		out = codings(d, d.Get(meta, "security"), srcMeta, lvl, out)
		start := len(out)
		out = tagLabels(d, meta, vocab.Rank(r.s.opts.DefaultConfidentiality), out)
		for i := start; i < len(out); i++ {
			out[i].lvl = lvl
		}
		if r.s.mayHaveInline {
			// Inline labels on the resource itself (its extension array)
			// and anywhere in its meta judge it whole, as the high-water
			// mark counts them (walker.resource).
			out = r.inlineOf(n, lvl, out)
			if meta >= 0 {
				out = r.allInline(meta, lvl, nil, out)
			}
		}
	default:
		out = append(out, shapeLabel(meta, srcMeta, lvl))
	}
	switch d.Str(h.typ) {
	case "Composition":
		if c := h.conf; c >= 0 && !r.docComps[n] {
			if !d.IsStr(c) {
				out = append(out, shapeLabel(c, srcComposition, lvl))
			} else {
				l := label{system: confidentialityCS, code: d.Str(c), node: -1, src: srcComposition, lvl: lvl}
				if l.info = vocab.Lookup(confidentialityCS, l.code); l.info == nil {
					l.set, l.bad = vocab.SetUnknown, badCode
				} else {
					l.set = l.info.Set
				}
				out = append(out, l)
			}
		}
	case "DocumentReference":
		sl := h.secLabel
		if d.Kind(sl) != jsonx.Array && sl >= 0 {
			out = append(out, shapeLabel(sl, srcSecurityLabel, lvl))
			break
		}
		first, end := d.Range(sl)
		for cc := first; cc < end; cc = d.Skip(cc) {
			if d.Kind(cc) != jsonx.Object {
				out = append(out, shapeLabel(cc, srcSecurityLabel, lvl))
				continue
			}
			out = codings(d, d.Get(cc, "coding"), srcSecurityLabel, lvl, out)
		}
	}
	if c := h.contained; c >= 0 && d.Kind(c) != jsonx.Array {
		out = append(out, shapeLabel(c, srcContained, lvl))
	}
	if r.s.misplaced {
		// A resource where R4 holds none cannot be judged as one: its
		// holder is unreadable.
		found := jsonx.Node(-1)
		eachMisplaced(d, n, func(o jsonx.Node) {
			if found < 0 {
				found = o
			}
		})
		if found >= 0 {
			out = append(out, shapeLabel(found, srcMisplaced, lvl))
		}
	}
	return out
}

// inlineOf reads the inline labels of an element: the inline-label items of
// its extension array. An extension member that is not an array or an item
// that is not an object, where it holds an inline label, or an inline-label
// extension without a readable valueCoding, is unreadable.
func (r *redactor) inlineOf(n jsonx.Node, lvl uint32, out []label) []label {
	d := r.d
	for _, name := range [...]string{"extension", "modifierExtension"} {
		arr := d.Get(n, name)
		switch d.Kind(arr) {
		case 0:
			continue
		case jsonx.Array:
		default:
			if holdsInline(d, arr) {
				out = append(out, shapeLabel(arr, srcInline, lvl))
			}
			continue
		}
		first, end := d.Range(arr)
		for x := first; x < end; x = d.Skip(x) {
			if d.Kind(x) != jsonx.Object {
				if holdsInline(d, x) {
					out = append(out, shapeLabel(x, srcInline, lvl))
				}
				continue
			}
			if d.KeyIs(d.Get(x, "url"), extInline) {
				out = append(out, judged(d, d.Get(x, "valueCoding"), srcInline, lvl))
			}
		}
	}
	return out
}

// holdsInline reports whether a malformed extension holds an inline label:
// only then does its shape hide one.
func holdsInline(d *jsonx.Doc, n jsonx.Node) bool {
	for i, end := n, d.Skip(n); i < end; i++ {
		if d.Kind(i) == jsonx.String && d.KeyIs(i, extInline) {
			return true
		}
	}
	return false
}

// siblingOf reads the inline labels of a primitive's _x sibling of any
// shape: an object, or (misaligned with its value) an array of objects and
// nulls. Anything else is unreadable.
func (r *redactor) siblingOf(sib jsonx.Node, lvl uint32, out []label) []label {
	d := r.d
	switch d.Kind(sib) {
	case 0, jsonx.Null:
		return out
	case jsonx.Object:
		return r.inlineOf(sib, lvl, out)
	case jsonx.Array:
		first, end := d.Range(sib)
		for it := first; it < end; it = d.Skip(it) {
			out = r.siblingOf(it, lvl, out)
		}
		return out
	}
	return append(out, shapeLabel(sib, srcInline, lvl))
}

// allInline appends every inline label anywhere below n, skipping the
// members named in skip (nested resources): an entry is judged as one.
func (r *redactor) allInline(n jsonx.Node, lvl uint32, skip func(name string) bool, out []label) []label {
	d := r.d
	switch d.Kind(n) {
	case jsonx.Object:
		out = r.inlineOf(n, lvl, out)
		first, end := d.Range(n)
		for k := first; k < end; k = d.Skip(k + 1) {
			name := d.Str(k)
			if skip != nil && skip(name) {
				continue
			}
			v := k + 1
			if name != "" && name[0] == '_' {
				out = r.siblingOf(v, lvl, out)
				continue
			}
			if kind := d.Kind(v); kind == jsonx.Object || kind == jsonx.Array {
				out = r.allInline(v, lvl, nil, out)
			}
		}
	case jsonx.Array:
		first, end := d.Range(n)
		for it := first; it < end; it = d.Skip(it) {
			out = r.allInline(it, lvl, nil, out)
		}
	}
	return out
}

// with returns eff extended by more, without writing into eff's array.
func with(eff, more []label) []label {
	if len(more) == 0 {
		return eff
	}
	return append(eff[:len(eff):len(eff)], more...)
}

// --- the element walk

// members walks the members of a non-resource object: obj is at element
// cur (a type or a backbone element's path: r4.Child).
func (r *redactor) members(obj jsonx.Node, cur string, eff []label, mod bool, loc string) {
	d := r.d
	ix := indexMembers(d, obj)
	first, end := d.Range(obj)
	for k := first; k < end; k = d.Skip(k + 1) {
		r.member(&ix, k, d.Str(k), cur, eff, mod, loc)
	}
}

// resourceMembers walks the top-level members of a resource.
func (r *redactor) resourceMembers(n jsonx.Node, typ string, eff []label, loc string) {
	d := r.d
	ix := indexMembers(d, n)
	first, end := d.Range(n)
	for k := first; k < end; k = d.Skip(k + 1) {
		switch name := d.Str(k); {
		case name == "meta", name == "resourceType" && d.IsStr(k+1), name == "id" && d.IsStr(k+1):
		case name == "contained":
			r.contained(k+1, eff, loc)
		default:
			r.member(&ix, k, name, typ, eff, false, loc)
		}
	}
}

// member dispatches member k of the object ix indexes.
func (r *redactor) member(ix *memberIndex, k jsonx.Node, name, cur string, eff []label, mod bool, loc string) {
	d := r.d
	obj, v := ix.obj, k+1
	switch {
	case (name == "extension" || name == "modifierExtension") && d.Kind(v) == jsonx.Array:
		r.extensions(obj, name, v, eff, mod || name == "modifierExtension", loc)
	case name != "" && name[0] == '_':
		if ix.get(name[1:]) < 0 {
			r.element(obj, name[1:], -1, v, cur, eff, mod, loc) // a primitive with only extensions
		}
	default:
		r.element(obj, name, v, ix.underscored(name), cur, eff, mod, loc)
	}
}

// memberIndex finds the members of one object while its members are
// walked, each looking up its _x twin (or x): a search for an object of a
// few members, a map read once for a wide one, which input that is not
// FHIR may hold (the searches made a walk quadratic: 10 s for 50,000
// members).
type memberIndex struct {
	d     *jsonx.Doc
	obj   jsonx.Node
	names map[string]jsonx.Node // wide objects only: each member's value
}

// wideObject is the count of members above which an object is indexed.
const wideObject = 32

func indexMembers(d *jsonx.Doc, obj jsonx.Node) memberIndex {
	ix := memberIndex{d: d, obj: obj}
	first, end := d.Range(obj)
	n := 0
	for k := first; k < end && n <= wideObject; k = d.Skip(k + 1) {
		n++
	}
	if n > wideObject {
		ix.names = make(map[string]jsonx.Node)
		for k := first; k < end; k = d.Skip(k + 1) {
			ix.names[d.Str(k)] = k + 1
		}
	}
	return ix
}

// get is the value of member name, or -1.
func (ix *memberIndex) get(name string) jsonx.Node {
	if ix.names == nil {
		return ix.d.Get(ix.obj, name)
	}
	if v, ok := ix.names[name]; ok {
		return v
	}
	return -1
}

// underscored is the value of member _name, or -1.
func (ix *memberIndex) underscored(name string) jsonx.Node {
	if ix.names == nil {
		return ix.d.GetUnderscored(ix.obj, name)
	}
	return ix.get("_" + name)
}

// extensions judges the items of an extension or modifierExtension array:
// each extension is an element of its own, and inline labels on it (in its
// own extension array) judge it. The inline-label items themselves are the
// parent's labels.
func (r *redactor) extensions(obj jsonx.Node, name string, arr jsonx.Node, eff []label, mod bool, loc string) {
	d := r.d
	n, gone := 0, 0
	first, end := d.Range(arr)
	for x, i := first, 0; x < end; x, i = d.Skip(x), i+1 {
		n++
		if d.Kind(x) != jsonx.Object || d.KeyIs(d.Get(x, "url"), extInline) {
			continue
		}
		here := r.s.where.index(loc, name, i)
		own := r.inlineOf(x, r.level(), nil)
		xe := with(eff, own)
		if len(own) > 0 {
			if why, _ := r.s.judge(xe, r.cur.typ); why != nil {
				if r.gone1(x, -1, mod, here) {
					gone++
				}
				continue
			}
			r.cur.kept = append(r.cur.kept, own...)
		}
		r.members(x, "Extension", xe, mod, here)
		if r.emptyObject(x, true) && r.gone1(x, -1, mod, here) {
			gone++
		}
	}
	if gone > 0 && gone == n {
		r.set(arr, action{kind: actRemove})
	}
}

// gone1 removes one array item (and its _x twin) whose content may not be
// released; inside a modifier it withholds the resource instead. It
// reports whether the item was removed.
func (r *redactor) gone1(it, si jsonx.Node, mod bool, here string) bool {
	if mod {
		r.withholdAs(whyModifier, here+" is or is part of a modifier element")
		return false
	}
	if it >= 0 {
		r.set(it, action{kind: actRemove})
		r.goneParameters(it)
	}
	if si >= 0 {
		r.set(si, action{kind: actRemove})
	}
	r.cur.changed = true
	r.reportRemoved(here)
	return true
}

// goneParameters remembers the reference forms of the resources in a
// parameter, or a list of them, that an inline label takes out of a
// Parameters: they leave the output as surely as a withheld resource, so
// what refers to them elsewhere is masked too.
func (r *redactor) goneParameters(n jsonx.Node) {
	if r.cur.typ != "Parameters" {
		return
	}
	d := r.d
	if d.Kind(n) == jsonx.Object {
		if res := d.Get(n, "resource"); d.Kind(res) == jsonx.Object {
			r.gone.resource(d, res, "", &r.s.strs)
			r.goneWithin(res)
		}
		n = d.Get(n, "part")
	}
	first, end := d.Range(n)
	for p := first; p < end && d.Kind(n) == jsonx.Array; p = d.Skip(p) {
		r.goneParameters(p)
	}
}

// reportRemoved reports an element removed, in place of whatever was
// reported removed inside it.
func (r *redactor) reportRemoved(here string) {
	rm := r.rep.Removed
	for len(rm) > 0 && inside(rm[len(rm)-1], here) {
		rm = rm[:len(rm)-1]
	}
	r.rep.Removed = append(rm, strings.Clone(here)) // here is the walk's scratch
}

func inside(p, of string) bool {
	return len(p) > len(of) && strings.HasPrefix(p, of) && (p[len(of)] == '.' || p[len(of)] == '[')
}

func (r *redactor) withholdAs(reason, detail string) {
	if r.cur.withhold == "" {
		r.cur.withhold, r.cur.detail = reason, detail
	}
}

// element judges member name of obj: its value v and its _name sibling sib
// (either may be absent).
func (r *redactor) element(obj jsonx.Node, name string, v, sib jsonx.Node, cur string, eff []label, mod bool, loc string) {
	d := r.d
	here := r.s.where.join(loc, dotBytes, name)
	info, inner := r4.Child(cur, name)
	if info != nil && info.Resource {
		r.nestedResource(obj, v, here, eff)
		return
	}
	if info != nil && info.Modifier {
		mod = true
	}
	if d.Kind(v) == jsonx.Array || v < 0 && d.Kind(sib) == jsonx.Array {
		// A _x of another shape than x labels the whole element.
		if d.Kind(sib) != jsonx.Array && sib >= 0 {
			own := r.siblingOf(sib, r.level(), nil)
			if len(own) > 0 {
				if why, _ := r.s.judge(with(eff, own), r.cur.typ); why != nil {
					r.emptied(obj, name, v, sib, info, here, mod)
					return
				}
				r.cur.kept = append(r.cur.kept, own...)
				eff = with(eff, own)
			}
			sib = -1
		}
		// Judge up to the longer of x and _x: misaligned input must not let
		// a labeled _x item through unjudged.
		n := d.Count(v)
		if d.Kind(sib) == jsonx.Array {
			n = max(n, d.Count(sib))
		}
		removed := 0
		// Cursors over both arrays: looking item i up by index would make
		// a long array cost time quadratic in its length.
		cv, endV := d.Range(v)
		cs, endS := d.Range(sib)
		for i := 0; i < n; i, cv, cs = i+1, next(d, cv, endV), next(d, cs, endS) {
			it, si := live(cv, endV), live(cs, endS)
			ihere := r.s.where.index(here, "", i)
			lvl := r.level()
			var own []label
			if d.Kind(it) == jsonx.Object {
				own = r.inlineOf(it, lvl, own)
			}
			own = r.siblingOf(si, lvl, own)
			ieff := with(eff, own)
			if len(own) > 0 {
				if why, _ := r.s.judge(ieff, r.cur.typ); why != nil {
					if r.gone1(it, si, mod, ihere) {
						removed++
					}
					continue
				}
				r.cur.kept = append(r.cur.kept, own...)
			}
			if d.Kind(it) == jsonx.Object {
				r.members(it, inner, ieff, mod, ihere)
				switch {
				case r.removed(it): // a parameter whose resource is withheld
					removed++
				case r.emptyObject(it, false) || inner == "Parameters.parameter" && r.emptiedParameter(it):
					if r.gone1(it, si, mod, ihere) {
						removed++
					}
				}
			}
		}
		if removed < n {
			r.dropEmptied(v, sib)
		}
		if removed == n && n > 0 {
			// The whole element goes (or is masked): report it once, as a whole.
			rm := r.rep.Removed
			for len(rm) > 0 && inside(rm[len(rm)-1], here) {
				rm = rm[:len(rm)-1]
			}
			r.rep.Removed = rm
			r.emptied(obj, name, v, sib, info, here, mod)
		}
		return
	}
	lvl := r.level()
	var own []label
	if d.Kind(v) == jsonx.Object {
		own = r.inlineOf(v, lvl, own)
	}
	own = r.siblingOf(sib, lvl, own)
	if len(own) > 0 {
		eff = with(eff, own)
		if why, _ := r.s.judge(eff, r.cur.typ); why != nil {
			r.emptied(obj, name, v, sib, info, here, mod)
			return
		}
		r.cur.kept = append(r.cur.kept, own...)
	}
	if d.Kind(v) == jsonx.Object {
		r.members(v, inner, eff, mod, here)
		if r.emptyObject(v, false) {
			r.emptied(obj, name, v, sib, info, here, mod)
		}
	}
}

// emptyObject reports whether nothing of an object element is left but its
// id (and an extension's url): such an element would break ele-1 and goes.
func (r *redactor) emptyObject(n jsonx.Node, extension bool) bool {
	d := r.d
	if !r.dirty.has(n) || len(r.adds[n]) > 0 {
		return false
	}
	first, end := d.Range(n)
	for k := first; k < end; k = d.Skip(k + 1) {
		if r.removed(k + 1) {
			continue
		}
		if name := d.Str(k); name != "id" && !(extension && name == "url") {
			return false
		}
	}
	return true
}

// emptied removes an element whose content may not be released: the member
// goes, unless R4 requires it, in which case it becomes data-absent-reason
// masked. A modifier element, or one that cannot carry an extension,
// withholds the resource: without it the rest would mean something else.
func (r *redactor) emptied(obj jsonx.Node, name string, v, sib jsonx.Node, info *r4.Elem, here string, mod bool) {
	r.cur.changed = true
	if mod || info != nil && info.Modifier {
		r.withholdAs(whyModifier, here+" is or is part of a modifier element")
		return
	}
	if info == nil || info.Min == 0 {
		if v >= 0 {
			r.set(v, action{kind: actRemove})
			r.goneParameters(v)
		}
		if sib >= 0 {
			r.set(sib, action{kind: actRemove})
		}
		r.reportRemoved(here)
		return
	}
	typ := info.Chosen(name)
	if typ == "Resource" || typ == "xhtml" {
		r.withholdAs(whyRequired, here+" is required and cannot be masked")
		return
	}
	primitive := typ != "" && typ[0] >= 'a' && typ[0] <= 'z'
	ext := []byte(`{"extension":[` + darMasked + `]}`)
	if info.Many {
		ext = append(append([]byte{'['}, ext...), ']')
	}
	switch {
	case primitive:
		if v >= 0 {
			r.set(v, action{kind: actRemove})
		}
		if sib >= 0 {
			r.set(sib, action{kind: actReplace, text: ext})
		} else {
			r.add(obj, "_"+name, ext)
		}
	case v >= 0:
		if sib >= 0 {
			r.set(sib, action{kind: actRemove})
		}
		r.set(v, action{kind: actReplace, text: ext})
	default:
		r.set(sib, action{kind: actRemove})
		r.add(obj, name, ext)
	}
	r.rep.Masked = append(r.rep.Masked, strings.Clone(here))
}

// contained judges each contained resource on its container's labels, an
// inline label on the contained resource itself and its own meta.security
// (against dom-5, counted so nothing is understated).
func (r *redactor) contained(arr jsonx.Node, eff []label, loc string) {
	d := r.d
	if d.Kind(arr) != jsonx.Array {
		return // unreadable: resourceLevel counted it
	}
	n, gone := 0, 0
	first, end := d.Range(arr)
	for c, i := first, 0; c < end; c, i = d.Skip(c), i+1 {
		n++
		here := loc + ".contained[" + strconv.Itoa(i) + "]"
		if err := isResource(d, c, here); err != nil {
			r.fail(err)
			return
		}
		lvl := r.level()
		own := r.resourceLevel(c, lvl, nil)
		if r.s.mayHaveInline {
			own = r.inlineOf(c, lvl, own)
		}
		ctype := d.Str(d.Get(c, "resourceType"))
		ceff := with(eff, own)
		if why, _ := r.s.judge(ceff, ctype); why != nil {
			r.set(c, action{kind: actRemove})
			r.cur.changed = true
			r.rep.Removed = append(r.rep.Removed, here)
			if r.cur.removedIDs == nil {
				r.cur.removedIDs = map[string]bool{}
			}
			r.cur.removedIDs["#"+d.Str(d.Get(c, "id"))] = true
			gone++
			continue
		}
		r.cur.kept = append(r.cur.kept, own...)
		if r.s.mayHaveInline {
			typ := r.cur.typ
			r.cur.typ = ctype
			r.resourceMembers(c, ctype, ceff, here)
			r.cur.typ = typ
		} else if ctype == "Parameters" {
			r.parameters(c, ceff, here)
		}
	}
	if gone > 0 && gone == n {
		r.set(arr, action{kind: actRemove})
	}
}

// nestedResource judges a resource that sits in an element of another
// (Parameters.parameter.resource, Bundle.entry.response.outcome) as a
// resource of its own. When it is withheld, a parameter goes whole (it
// would be left without a value) and an outcome is removed.
func (r *redactor) nestedResource(obj, v jsonx.Node, here string, eff []label) {
	if v < 0 {
		return
	}
	here = strings.Clone(here) // the walk's scratch: it is kept
	if err := isResource(r.d, v, here); err != nil {
		r.fail(err)
		return
	}
	cur := r.cur
	ok := r.resource(v, here, "", eff, false)
	r.cur = cur
	if ok {
		return
	}
	if cur != nil {
		cur.changed = true
	}
	if strings.HasSuffix(here, ".outcome") {
		r.set(v, action{kind: actRemove})
	} else {
		r.set(obj, action{kind: actRemove})
	}
	r.rep.Removed = append(r.rep.Removed, here)
}

// parameters finds the resources of a Parameters resource (parameter and
// part, at any depth) when no inline label makes the element walk do it.
func (r *redactor) parameters(n jsonx.Node, eff []label, loc string) {
	d := r.d
	var walk func(arr jsonx.Node, at string)
	walk = func(arr jsonx.Node, at string) {
		n, gone := 0, 0
		d.Items(arr, func(i int, p jsonx.Node) bool {
			n++
			here := at + "[" + strconv.Itoa(i) + "]"
			if res := d.Get(p, "resource"); res >= 0 {
				r.nestedResource(p, res, here+".resource", eff)
			}
			if !r.removed(p) {
				walk(d.Get(p, "part"), here+".part")
				if r.emptiedParameter(p) {
					r.set(p, action{kind: actRemove})
				}
			}
			if r.removed(p) {
				gone++
			}
			return true
		})
		if gone > 0 && gone == n {
			r.set(arr, action{kind: actRemove})
		}
	}
	walk(d.Get(n, "parameter"), loc+".parameter")
}

// emptiedParameter reports whether redaction left parameter p (changed by
// it) with neither a value[x], a resource nor a part: Parameters' inv-1
// wants one, so such a parameter goes.
func (r *redactor) emptiedParameter(p jsonx.Node) bool {
	d := r.d
	if !r.dirty.has(p) {
		return false
	}
	first, end := d.Range(p)
	for k := first; k < end; k = d.Skip(k + 1) {
		name := d.Str(k)
		if len(name) > 0 && name[0] == '_' {
			name = name[1:]
		}
		if (name == "resource" || name == "part" || len(name) > 5 && name[:5] == "value") && !r.removed(k+1) {
			return false
		}
	}
	return true
}

// dropEmptied removes x or _x (arrays of a primitive and of its extensions,
// or either absent: -1) when every item of it is removed while the other
// keeps some, as it may when their lengths differ, or when what is left of
// it is nulls: an empty array is not valid FHIR JSON, and a _x of nulls
// only (its one extension cut: "given": ["Ann"], "_given": [null]) says
// nothing and breaks the rule that a null stands beside a value only to
// align another item's extensions.
func (r *redactor) dropEmptied(x, sib jsonx.Node) {
	for _, arr := range [2]jsonx.Node{x, sib} {
		if r.d.Kind(arr) != jsonx.Array || r.removed(arr) {
			continue
		}
		first, end := r.d.Range(arr)
		all, cut := first < end, false
		for it := first; it < end && all; it = r.d.Skip(it) {
			gone := r.removed(it)
			cut = cut || gone
			all = gone || r.d.Kind(it) == jsonx.Null
		}
		if all && cut {
			r.set(arr, action{kind: actRemove})
		}
	}
}

// next is the item after it in an array whose items end at end, or end;
// an absent cursor (-1) stays absent.
func next(d *jsonx.Doc, it, end jsonx.Node) jsonx.Node {
	if it < 0 || it >= end {
		return it
	}
	return d.Skip(it)
}

// live is the cursor it, or -1 once it reached the end of its array.
func live(it, end jsonx.Node) jsonx.Node {
	if it >= end {
		return -1
	}
	return it
}
