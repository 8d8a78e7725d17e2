package engine

import (
	"strconv"
	"strings"

	"github.com/seclabel/seclabel/internal/jsonx"
)

// refPath is one item of the propagate option: a resource type and the
// element names down to a Reference ("Claim.item.encounter").
type refPath struct {
	typ  string
	path []string
}

// parseRefPaths checks the items of a reference-element option and appends
// them to out.
func parseRefPaths(out []refPath, name string, items []string) ([]refPath, error) {
	for i, it := range items {
		parts := strings.Split(it, ".")
		ok := len(parts) > 1 && r4Types[parts[0]]
		for _, p := range parts[1:] {
			ok = ok && isElementName(p)
		}
		if !ok {
			return nil, optErr(name, "item "+strconv.Itoa(i)+` must be a reference element such as "Claim.item.encounter"`)
		}
		out = append(out, refPath{typ: parts[0], path: parts[1:]})
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
	next     int // the giver's next edge (plan.out), plus one
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
	edges       []refEdge
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
			if fu := d.Str(d.Get(e, "fullUrl")); fu != "" && f.arena[i].typ != "" {
				f.byURL[fu] = &f.arena[i]
			}
		}
	}
	if i := strings.Index(ref, "/_history/"); i > 0 {
		ref = ref[:i]
	}
	if p := f.byURL[ref]; p != nil {
		return p
	}
	i := strings.LastIndexByte(ref, '/')
	if i <= 0 {
		return nil
	}
	if f.byID == nil {
		f.byID = make(map[string]*plan, len(f.arena))
		for j := range f.arena {
			if p := &f.arena[j]; p.id != "" {
				p.sameID, f.byID[p.id] = f.byID[p.id], p
			}
		}
	}
	typ := ref[strings.LastIndexByte(ref[:i], '/')+1 : i]
	p := f.byID[ref[i+1:]]
	for p != nil && p.typ != typ {
		p = p.sameID
	}
	return p
}

// along visits the elements on path below object n (every item of an
// array); at its end, a Reference that resolves to another entry is an
// edge.
func (f *refFlow) along(n jsonx.Node, path []string, src *plan) {
	d := f.d
	if d.Kind(n) != jsonx.Object {
		return
	}
	if len(path) == 0 {
		if t := f.find(d.Str(d.Get(n, "reference"))); t != nil && t != src {
			f.edges = append(f.edges, refEdge{from: src, to: t})
		}
		return
	}
	v := d.Get(n, path[0])
	if d.Kind(v) == jsonx.Array {
		first, end := d.Range(v)
		for it := first; it < end; it = d.Skip(it) {
			f.along(it, path[1:], src)
		}
	} else {
		f.along(v, path[1:], src)
	}
}

// follow lets labels flow along the references of the propagate elements
// between the entries of one Bundle, to the referenced entry, until nothing
// changes. An entry whose labels change is queued to pass them on again, so
// a chain (Condition.encounter, then Encounter.serviceProvider) takes as
// many steps as it is long, and each step follows only the edges of what
// changed.
func (s *state) follow(d *jsonx.Doc, b jsonx.Node, arena []plan, plans []*plan) {
	f := refFlow{d: d, b: b, arena: arena}
	for _, p := range plans {
		for _, rp := range s.opts.refs {
			if rp.typ == p.typ {
				f.along(p.n, rp.path, p)
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
			if s.flowAlong(e) && !e.to.queued && e.to.out > 0 {
				q, e.to.queued = append(q, e.to), true
			}
		}
	}
}

// flowAlong gives e.to the labels the rules derived for e.from and those
// that reached it; it reports whether e.to gained any.
func (s *state) flowAlong(e *refEdge) bool {
	from, to := e.from, e.to
	if len(from.added) == 0 && from.conf < 0 {
		return false
	}
	to.propagated = true
	changed := false
	for _, l := range from.added {
		l.basisOf = s.basisFor(from, l) // the policy travels with the label
		changed = to.addLabel(l) || changed
	}
	if from.conf > to.conf {
		to.conf, to.basis, changed = from.conf, from.basis, true
	}
	return changed
}
