package engine

import (
	"strconv"
	"strings"

	"github.com/seclabel/seclabel/engine/internal/r4"
	"github.com/seclabel/seclabel/engine/internal/vocab"
	"github.com/seclabel/seclabel/internal/jsonx"
)

// refPath is one item of the propagate or inherit option: a resource type
// and the element names down to a Reference ("Claim.item.encounter").
type refPath struct {
	typ  string
	path []string
	back bool // inherit: labels flow to the referencing resource
}

// parseRefPaths checks the items of a reference-element option and appends
// them to out.
func parseRefPaths(out []refPath, name string, items []string, back bool) ([]refPath, error) {
	for i, it := range items {
		parts := strings.Split(it, ".")
		ok := len(parts) > 1 && r4.Types[parts[0]]
		for _, p := range parts[1:] {
			ok = ok && isElementName(p)
		}
		if !ok {
			return nil, optErr(name, "item "+strconv.Itoa(i)+` must be a reference element such as "Claim.item.encounter"`)
		}
		out = append(out, refPath{typ: parts[0], path: parts[1:], back: back})
	}
	return out, nil
}

// isElementName accepts a FHIR element name: a letter, then letters and
// digits.
func isElementName(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i] | 0x20 // lower case for letters
		if !('a' <= c && c <= 'z' || i > 0 && '0' <= s[i] && s[i] <= '9') {
			return false
		}
	}
	return s != ""
}

// refEdge is one reference between two entries along which labels flow,
// from the resource that gives them to the one that receives them.
type refEdge struct {
	from, to *plan
	back     bool       // inherit: from the referenced resource to the referencing one
	ref      jsonx.Node // the Reference object
	path     [2]int     // the element's location below the referencing resource, in refFlow.paths
	next     int        // the giver's next edge (plan.out), plus one
}

// refFlow finds the references between the entries of one Bundle.
type refFlow struct {
	d     *jsonx.Doc
	b     jsonx.Node
	arena []plan // entry i's plan; entries without one have no type
	// The entries by fullUrl, and by id (then through plan.sameID the
	// other entries with that id), built when first needed; when two
	// entries share a key the later counts. Keys alias the input.
	byURL, byID map[string]*plan
	// index says which entries the maps hold: with inherit alone, only
	// those that can give labels (carrying or gaining a sensitivity, or
	// themselves inheriting), since an edge to any other carries nothing.
	index func(p *plan) bool
	edges []refEdge
	paths []byte // the locations of every edge, one after another
	path  []byte // the location being walked, below the resource
}

// find resolves a reference: a fullUrl (urn:uuid or absolute URL), a
// relative Type/id, or an absolute URL ending in Type/id; a version
// (/_history/n) is ignored. Contained references (#id) are not entries.
func (f *refFlow) find(ref string) *plan {
	if ref == "" || ref[0] == '#' {
		return nil
	}
	d := f.d
	if f.byURL == nil {
		f.byURL = make(map[string]*plan, len(f.arena))
		first, end := d.Range(d.Get(f.b, "entry"))
		for e, i := first, 0; e < end; e, i = d.Skip(e), i+1 {
			if fu := d.Str(d.Get(e, "fullUrl")); fu != "" && f.arena[i].typ != "" && f.index(&f.arena[i]) {
				f.byURL[fu] = &f.arena[i]
			}
		}
	}
	ref = stripHistory(ref)
	if p := f.byURL[ref]; p != nil {
		return p
	}
	tail := typeID(ref)
	if tail == "" {
		return nil
	}
	if f.byID == nil {
		f.byID = make(map[string]*plan, len(f.arena))
		for j := range f.arena {
			if p := &f.arena[j]; p.id != "" && f.index(p) {
				p.sameID, f.byID[p.id] = f.byID[p.id], p
			}
		}
	}
	i := strings.IndexByte(tail, '/')
	typ := tail[:i]
	p := f.byID[tail[i+1:]]
	for p != nil && p.typ != typ {
		p = p.sameID
	}
	return p
}

// typeID returns the "Type/id" a reference ends with ("Organization/o1"
// of a relative reference or of an absolute URL), or "" when it has no
// slash.
func typeID(ref string) string {
	i := strings.LastIndexByte(ref, '/')
	if i <= 0 {
		return ""
	}
	return ref[strings.LastIndexByte(ref[:i], '/')+1:]
}

// along visits the elements on path below object n (every item of an
// array); at its end, a Reference that resolves to another entry is an
// edge.
func (f *refFlow) along(n jsonx.Node, path []string, src *plan, back bool) {
	d := f.d
	if d.Kind(n) != jsonx.Object {
		return
	}
	if len(path) == 0 {
		t := f.find(d.Str(d.Get(n, "reference")))
		if t == nil || t == src {
			return
		}
		e := refEdge{from: src, to: t, ref: n}
		if back {
			e.from, e.to, e.back, e.path = t, src, true, [2]int{len(f.paths), len(f.paths) + len(f.path)}
			f.paths = append(f.paths, f.path...)
		}
		f.edges = append(f.edges, e)
		return
	}
	v := d.Get(n, path[0])
	mark := len(f.path)
	f.path = append(append(f.path, '.'), path[0]...)
	if d.Kind(v) == jsonx.Array {
		first, end := d.Range(v)
		for it, i := first, 0; it < end; it, i = d.Skip(it), i+1 {
			m := len(f.path)
			f.path = appendIndex(f.path, i)
			f.along(it, path[1:], src, back)
			f.path = f.path[:m]
		}
	} else {
		f.along(v, path[1:], src, back)
	}
	f.path = f.path[:mark]
}

// follow lets labels flow along references between the entries of one
// Bundle: forward along the propagate elements (to the referenced entry) and
// back along the inherit elements (to the referencing entry), until nothing
// changes. An entry whose labels change is queued to pass them on again, so
// a chain (ExplanationOfBenefit.claim, then Claim.item.encounter) takes as
// many steps as it is long, and each step follows only the edges of what
// changed.
func (s *state) follow(d *jsonx.Doc, b jsonx.Node, arena []plan, plans []*plan) {
	// Nothing flows from a Bundle whose entries neither gained labels in
	// this call nor carry any: the references need not be resolved (which
	// hashes every fullUrl, slowly in WebAssembly).
	gives := false
	for _, p := range plans {
		if gives = len(p.added) > 0 || p.conf >= 0 || len(p.inline) > 0 || s.carriesLabels(d, p.n); gives {
			break
		}
	}
	if !gives {
		return
	}
	f := refFlow{d: d, b: b, arena: arena, index: func(*plan) bool { return true }}
	forward := false
	for _, rp := range s.opts.refs {
		forward = forward || !rp.back
	}
	if !forward {
		f.index = func(p *plan) bool {
			if !p.heldRead {
				s.readHeld(d, p)
			}
			if p.sensitive() {
				return true
			}
			// Only what references along an inherit element can become
			// sensitive: the many resources of a referencing type that
			// reference nothing along it (Observations without basedOn)
			// stay out of the index.
			found := false
			for _, rp := range s.opts.refs {
				if rp.typ == p.typ && !found {
					refsAlong(d, p.n, rp.path, func(ref string) { found = found || ref != "" })
				}
			}
			return found
		}
	}
	for _, p := range plans {
		for _, rp := range s.opts.refs {
			if rp.typ == p.typ {
				f.along(p.n, rp.path, p, rp.back)
			}
		}
	}
	if len(f.edges) == 0 {
		return
	}
	for k := range f.edges {
		e := &f.edges[k]
		e.next, e.from.out = e.from.out, k+1
	}
	var q []*plan
	for _, p := range plans {
		if p.out > 0 {
			q, p.queued = append(q, p), true
		}
	}
	for head := 0; head < len(q); head++ {
		p := q[head]
		p.queued = false
		for k := p.out; k > 0; k = f.edges[k-1].next {
			e := &f.edges[k-1]
			if s.flowAlong(d, e) && !e.to.queued && e.to.out > 0 {
				q, e.to.queued = append(q, e.to), true
			}
		}
	}
	// The report says which references a resource inherited along.
	for _, e := range f.edges {
		if e.back && e.from.sensitive() {
			if e.to.inherited == nil {
				e.to.inherited = s.repMatch.take(2)
			}
			e.to.inherited = append(e.to.inherited, Match{Rule: "inherit", Code: s.strs.join(d.Str(d.Get(e.ref, "reference")), nil, ""),
				Path: e.to.location(&s.strs) + string(f.paths[e.path[0]:e.path[1]])})
		}
	}
}

// flowAlong gives the labels of e.from that flow along e to e.to; it
// reports whether e.to gained any. Forward (propagate) flow the labels the
// rules derived for e.from and those that reached it; back (inherit), when
// e.from is sensitive, its sensitivity, policy, obligation and refrain
// labels, derived or held, and its confidentiality.
func (s *state) flowAlong(d *jsonx.Doc, e *refEdge) bool {
	from, to := e.from, e.to
	conf, basis := from.conf, from.basis
	if e.back {
		if !from.heldRead {
			s.readHeld(d, from)
		}
		if !from.sensitive() {
			return false
		}
		// from's confidentiality as labeling writes it: the derived one,
		// what it carries (unless labeling may lower that), and its inline
		// labels'.
		if from.heldConf > conf && !(s.opts.AllowDowngrade && (len(from.matches) > 0 || from.propagated || s.opts.LabelAll)) {
			conf, basis = from.heldConf, from.heldBasis
		}
		if from.heldInline > conf {
			conf, basis = from.heldInline, nil
		}
	} else if len(from.added) == 0 && conf < 0 {
		return false
	}
	to.propagated = true
	changed := false
	for _, l := range from.added {
		if !e.back || inheritedSet(l.set) {
			l.basisOf = s.basisFor(from, l) // the policy travels with the label
			changed = to.addLabel(l) || changed
		}
	}
	if e.back {
		for _, l := range from.held {
			changed = to.addLabel(l) || changed
		}
	}
	if takesConf(to, conf, basis) {
		to.conf, to.basis, changed = conf, basis, true
	}
	return changed
}

// takesConf reports whether a confidentiality that reaches p along a
// reference replaces p's: when higher, or as high with a basis where p's
// has none, so that which basis a resource ends with does not depend on
// the order in which its references are followed.
func takesConf(p *plan, conf int, basis *label) bool {
	return conf > p.conf || conf >= 0 && conf == p.conf && p.basis == nil && basis != nil
}

// carriesLabels reports whether a resource carries any label already: in
// meta.security, or inline (when the input has any).
func (s *state) carriesLabels(d *jsonx.Doc, n jsonx.Node) bool {
	return d.Count(d.Get(d.Get(n, "meta"), "security")) > 0 || s.mayHaveInline
}

// inheritedSet reports whether a label of this tag set is inherited with a
// sensitivity.
func inheritedSet(set vocab.TagSet) bool {
	return set == vocab.SetSensitivity || set == vocab.SetPolicy || set == vocab.SetObligation || set == vocab.SetRefrain
}

// sensitive reports whether a resource carries a sensitivity label: derived
// in this call (at resource level or inline), or already in its
// meta.security or inline labels (read by readHeld).
func (p *plan) sensitive() bool {
	for _, l := range p.added {
		if l.set == vocab.SetSensitivity {
			return true
		}
	}
	return p.heldSensitive
}

// readHeld reads, once, what a resource passes on by inheritance besides
// the labels derived for it at resource level: the sensitivity, policy,
// obligation and refrain labels of its meta.security (with their basis),
// the sensitivity of its inline labels, existing and planned, and the
// highest confidentiality of its meta.security and (with
// inlineHighWaterMark) of its inline labels.
func (s *state) readHeld(d *jsonx.Doc, p *plan) {
	p.heldRead, p.heldConf, p.heldInline = true, -1, -1
	start := len(s.labels)
	s.labels = appendCodings(d, d.Get(d.Get(p.n, "meta"), "security"), srcMeta, s.labels)
	if s.mayHaveInline {
		s.labels = s.inlineLabels(d, p.n, s.labels)
	}
	for _, ip := range p.inline {
		for _, l := range ip.labels {
			l.src, l.basisOf = srcInline, s.basisFor(p, l)
			s.labels = append(s.labels, l)
		}
	}
	for i := start; i < len(s.labels); i++ {
		l := &s.labels[i]
		switch r := l.rank(); {
		case r >= 0 && l.src == srcMeta && r > p.heldConf:
			p.heldConf, p.heldBasis = r, readBasis(d, l.node)
		case r >= 0 && l.src == srcInline && s.opts.inlineHWM():
			p.heldInline = max(p.heldInline, r)
		case l.src == srcMeta && inheritedSet(l.set) && !vocab.IsProcessInline(l.system, l.code), // the flag is about p's own elements
			l.src == srcInline && l.set == vocab.SetSensitivity:
			if l.src == srcMeta {
				l.basisOf = readBasis(d, l.node)
			}
			l.node = -1
			p.heldSensitive = p.heldSensitive || l.set == vocab.SetSensitivity
			if p.held == nil {
				p.held = s.labelSlab.take(len(s.labels) - i) // as many as can come
			}
			p.held = append(p.held, *l)
		}
	}
	s.labels = s.labels[:start]
}

// readBasis reads the extension-sec-label-basis of a label coding, or nil.
func readBasis(d *jsonx.Doc, coding jsonx.Node) *label {
	ext := d.Get(coding, "extension")
	if d.Kind(ext) != jsonx.Array {
		return nil
	}
	first, end := d.Range(ext)
	for x := first; x < end; x = d.Skip(x) {
		if d.KeyIs(d.Get(x, "url"), extBasis) {
			if l, ok := readCoding(d, d.Get(x, "valueCoding")); ok {
				return &l
			}
		}
	}
	return nil
}
