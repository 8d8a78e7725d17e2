package engine

import (
	"context"
	"slices"
	"strings"

	"github.com/seclabel/seclabel/engine/internal/vocab"
	"github.com/seclabel/seclabel/internal/jsonx"
)

// Labels across calls. Inside one Bundle, labeling lets labels follow the
// references of the propagate and inherit options between entries itself.
// Resources that refer to each other but are labeled in separate calls (the
// files of a bulk export, one per resource type) need the caller to carry
// what flows between them: Links says what one resource passes along its
// references, given what reached it, and LabelLinked labels it with what
// reached it. Repeating Links until nothing new reaches any resource, then
// calling LabelLinked, labels each resource as Label labels it inside a
// Bundle holding them all.

// Passed is what labeling passes from one resource to another along one
// reference: labels, each with the policy it was assigned under, and a
// confidentiality. Its zero value passes nothing.
type Passed struct {
	Labels          []PassedLabel
	Confidentiality string  // a code of U..V, or "" for none
	Basis           *Coding // the policy the confidentiality was set under, or nil
}

// PassedLabel is one label that flows along a reference.
type PassedLabel struct {
	System, Code, Display string
	Basis                 *Coding // the policy it was assigned under, or nil
	ByText                bool    // only words gave it (the classifier is textClassifier)
}

// Links is what one resource passes along its references. Keys are the
// "Type/id" a relative or absolute reference ends in (its version left
// out), which is how a Bundle resolves references between entries that
// carry no fullUrl; contained (#id) references are not followed.
type Links struct {
	// Key is the resource's own Type/id: "" when it has no id (nothing can
	// refer to it) and for a Bundle (labeled with its entries, on its own).
	Key string
	// Give holds, for each resource referenced along a propagate element,
	// what it receives from this one (the zero Passed while this one has
	// nothing to give). A reference to the resource itself passes nothing.
	Give []Give
	// Inherits lists the keys of the resources referenced along an inherit
	// element: this resource receives what each of them offers (Offer).
	Inherits []string
	// Offer is what a resource inheriting from this one receives, nil when
	// it passes nothing (it carries no sensitivity).
	Offer *Passed
}

// Give is what one referenced resource receives along propagate elements.
type Give struct {
	To     string
	Passed Passed
}

// Links reports what resource, labeled with in (what reached it along
// references, each as Links gave it), passes along the references of the
// propagate and inherit options. Errors are Label's.
func (e *Engine) Links(ctx context.Context, resource []byte, in []Passed) (*Links, error) {
	lk := &linking{in: in, out: &Links{}}
	if _, err := e.runWith(ctx, opLabel, resource, &e.opts, nil, lk); err != nil {
		return nil, err
	}
	return lk.out, nil
}

// LabelLinked labels resource as Label does, adding what reached it along
// references (in, from Links) as a Bundle holding the resources it came
// from would have. A Bundle is labeled as Label labels it: in is ignored.
func (e *Engine) LabelLinked(ctx context.Context, resource []byte, in []Passed) (*Result, error) {
	return e.runWith(ctx, opLabel, resource, &e.opts, nil, &linking{in: in})
}

// linker is how labeling reaches linking: through an interface, so that
// builds that never call Links or LabelLinked (the WebAssembly module)
// leave its code out.
type linker interface {
	receive(s *state, d *jsonx.Doc, p *plan) bool
}

// linking is a call's part in labeling across calls: what reached the
// resource and, for Links, the answer.
type linking struct {
	in  []Passed
	out *Links
}

// receive adds what reached p to its plan, as following a reference inside
// a Bundle adds it (flowAlong); for Links it then fills the answer and
// reports true: nothing is to be written.
func (lk *linking) receive(s *state, d *jsonx.Doc, p *plan) bool {
	for _, in := range lk.in {
		conf := vocab.Rank(in.Confidentiality)
		if len(in.Labels) == 0 && conf < 0 {
			continue // nothing flowed, as a giver with nothing gives nothing
		}
		p.propagated = true
		for _, pl := range in.Labels {
			l := label{system: pl.System, code: pl.Code, display: pl.Display, set: vocab.SetUnknown, node: -1, basisOf: basisLabel(pl.Basis), byText: pl.ByText}
			if l.info = vocab.Lookup(pl.System, pl.Code); l.info != nil {
				l.set = l.info.Set
			}
			p.addLabel(l)
		}
		if b := basisLabel(in.Basis); takesConf(p, conf, b) {
			p.conf, p.basis = conf, b
		}
	}
	if lk.out == nil {
		return false
	}
	out := lk.out
	if p.id != "" {
		out.Key = p.typ + "/" + p.id
	}
	var give Passed
	if len(p.added) > 0 || p.conf >= 0 {
		give = Passed{Confidentiality: confCode(p.conf), Basis: basisCoding(p.basis)}
		for _, l := range p.added {
			give.Labels = append(give.Labels, passedLabel(l, s.basisFor(p, l)))
		}
	}
	for _, rp := range s.opts.refs {
		if rp.typ != p.typ {
			continue
		}
		refsAlong(d, p.n, rp.path, func(ref string) {
			key := refKey(ref)
			switch {
			case key == "" || key == out.Key:
			case rp.back:
				if !slices.Contains(out.Inherits, key) {
					out.Inherits = append(out.Inherits, key)
				}
			case !slices.ContainsFunc(out.Give, func(g Give) bool { return g.To == key }):
				out.Give = append(out.Give, Give{To: key, Passed: give})
			}
		})
	}
	out.Offer = s.offer(d, p)
	return true
}

// offer is what p passes to a resource inheriting from it, as flowAlong
// passes it back along an inherit element: nil unless p is sensitive.
func (s *state) offer(d *jsonx.Doc, p *plan) *Passed {
	if !p.heldRead {
		s.readHeld(d, p)
	}
	if !p.sensitive() {
		return nil
	}
	conf, basis := p.conf, p.basis
	if p.heldConf > conf && !(s.opts.AllowDowngrade && (len(p.matches) > 0 || p.propagated || s.opts.LabelAll)) {
		conf, basis = p.heldConf, p.heldBasis
	}
	if p.heldInline > conf {
		conf, basis = p.heldInline, nil
	}
	o := &Passed{Confidentiality: confCode(conf), Basis: basisCoding(basis)}
	for _, l := range p.added {
		if inheritedSet(l.set) {
			o.Labels = append(o.Labels, passedLabel(l, s.basisFor(p, l)))
		}
	}
	for _, l := range p.held {
		o.Labels = append(o.Labels, passedLabel(l, l.basisOf))
	}
	return o
}

// refsAlong calls fn with the reference of every Reference on path below
// object n (every item of an array), as refFlow.along visits them.
func refsAlong(d *jsonx.Doc, n jsonx.Node, path []string, fn func(string)) {
	if d.Kind(n) != jsonx.Object {
		return
	}
	if len(path) == 0 {
		fn(d.Str(d.Get(n, "reference")))
		return
	}
	v := d.Get(n, path[0])
	if d.Kind(v) != jsonx.Array {
		refsAlong(d, v, path[1:], fn)
		return
	}
	d.Items(v, func(_ int, it jsonx.Node) bool {
		refsAlong(d, it, path[1:], fn)
		return true
	})
}

// refKey is the Type/id by which refFlow.find resolves a reference to an
// entry without a fullUrl, or "" for a contained or unresolvable one.
func refKey(ref string) string {
	if ref == "" || ref[0] == '#' {
		return ""
	}
	ref = stripHistory(ref)
	i := strings.LastIndexByte(ref, '/')
	if i <= 0 || i == len(ref)-1 {
		return ""
	}
	return strings.Clone(ref[strings.LastIndexByte(ref[:i], '/')+1:])
}

func confCode(rank int) string {
	if rank < 0 {
		return ""
	}
	return vocab.ConfidentialityCode(rank)
}

func passedLabel(l label, basis *label) PassedLabel {
	return PassedLabel{System: strings.Clone(l.system), Code: strings.Clone(l.code), Display: strings.Clone(l.display), Basis: basisCoding(basis), ByText: l.byText}
}

// basisCoding and basisLabel carry a basis across calls as the fields
// writeNewLabel writes of it.
func basisCoding(b *label) *Coding {
	if b == nil {
		return nil
	}
	return &Coding{System: strings.Clone(b.system), Code: strings.Clone(b.code), Display: strings.Clone(b.display)}
}

func basisLabel(c *Coding) *label {
	if c == nil {
		return nil
	}
	return &label{system: c.System, code: c.Code, display: c.Display, node: -1}
}
