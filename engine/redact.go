package engine

import (
	"context"
	"strconv"
	"strings"

	"github.com/seclabel/seclabel/engine/internal/vocab"
	"github.com/seclabel/seclabel/internal/jsonx"
)

// AccessContext describes one recipient: what it may see.
type AccessContext struct {
	// Clearance is the highest confidentiality the recipient may see (U..V);
	// default N.
	Clearance string
	// PurposeOfUse is the purpose of the request (a v3-ActReason code).
	PurposeOfUse string
	// Compartments are the compartments the recipient belongs to.
	Compartments []string
	// Deny lists labels the recipient may not see ("code" or
	// "system|code"; a code also covers the codes below it, so SUD covers
	// OPIOIDUD), and resource types as
	// "http://hl7.org/fhir/resource-types|Observation".
	Deny []string
	// Allow, when not nil, releases sensitive content only when every
	// sensitivity label it carries is in the list (or below a listed code).
	Allow []string
	// ReleaseOnly, when not nil, releases only resources that carry one of
	// these labels (the REDACT obligation's exceptAnyOfCodes).
	ReleaseOnly []string
}

// Withheld is a resource redaction left out, and the labels that caused it.
type Withheld struct {
	Location, Type, ID, FullURL string
	Labels                      []Coding
	Reason                      string
}

// Redaction reports what redaction did.
type Redaction struct {
	Withheld []Withheld
	Removed  []string // locations of removed elements
	Masked   []string // locations of elements replaced by data-absent-reason masked
}

const resourceTypesCS = "http://hl7.org/fhir/resource-types"

// Redact cuts a resource or Bundle down to what the recipient described by
// access may see, keeps it valid R4, and writes the high-water mark of what
// is released. It fails closed: any error releases nothing.
func (e *Engine) Redact(ctx context.Context, resource []byte, access AccessContext) (*Result, error) {
	a, err := access.resolve()
	if err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, errorf(ErrCancelled, "call cancelled: "+err.Error())
	}
	return e.runWith(ctx, opRedact, resource, &e.opts, a)
}

// access is a validated AccessContext.
type access struct {
	clearance    int
	pou          string
	compartments map[string]bool
	deny         codeList
	denyTypes    map[string]bool
	allow        *codeList
	releaseOnly  *codeList
}

func ctxErr(field, msg string) *Error {
	return errorf(ErrInvalidContext, "context "+field+": "+msg)
}

func (c AccessContext) resolve() (*access, error) {
	a := &access{compartments: map[string]bool{}, denyTypes: map[string]bool{}}
	if c.Clearance == "" {
		c.Clearance = "N"
	}
	if a.clearance = vocab.Rank(c.Clearance); a.clearance < 0 {
		return nil, ctxErr("clearance", "must be one of U, L, M, N, R, V")
	}
	if c.PurposeOfUse != "" {
		if info := vocab.Lookup(vocab.ActReason, c.PurposeOfUse); info == nil || info.Set != vocab.SetPurposeOfUse {
			return nil, ctxErr("purposeOfUse", quote(c.PurposeOfUse)+" is not a v3-ActReason purpose of use")
		}
		a.pou = c.PurposeOfUse
	}
	for _, x := range c.Compartments {
		a.compartments[strings.TrimSpace(x)] = true
	}
	var deny []string
	for _, x := range c.Deny {
		if sys, code, ok := strings.Cut(x, "|"); ok && strings.TrimSpace(sys) == resourceTypesCS {
			a.denyTypes[code] = true
			continue
		}
		deny = append(deny, x)
	}
	var err error
	if a.deny, err = newCodeList("deny", deny); err != nil {
		return nil, ctxErr("deny", err.(*Error).Message)
	}
	if c.Allow != nil {
		l, err := newCodeList("allow", c.Allow)
		if err != nil {
			return nil, ctxErr("allow", err.(*Error).Message)
		}
		a.allow = &l
	}
	if c.ReleaseOnly != nil {
		l, err := newCodeList("exceptAnyOfCodes", c.ReleaseOnly)
		if err != nil {
			return nil, ctxErr("exceptAnyOfCodes", err.(*Error).Message)
		}
		a.releaseOnly = &l
	}
	return a, nil
}

// covers reports whether the list names the label or a code above it.
func (l *codeList) covers(lb *label) bool {
	if l.has(lb.system, lb.code) {
		return true
	}
	for code := range l.anySystem {
		if vocab.Descends(lb.system, lb.code, code) {
			return true
		}
	}
	for k := range l.exact {
		if k[0] == lb.system && vocab.Descends(lb.system, lb.code, k[1]) {
			return true
		}
	}
	return false
}

// judge returns the labels that forbid content carrying ls (effective
// labels) to the recipient, and why; nil when it may be released.
func (s *state) judge(ls []label, typ string) ([]label, string) {
	a := s.access
	conf, confLabel := -1, label{}
	for i := range ls {
		if r := ls[i].rank(); r > conf {
			conf, confLabel = r, ls[i]
		}
	}
	if conf < 0 {
		conf = vocab.Rank(s.opts.DefaultConfidentiality)
		confLabel = label{system: confidentialityCS, code: s.opts.DefaultConfidentiality}
	}
	if conf > a.clearance {
		return []label{confLabel}, "clearance"
	}
	if a.denyTypes[typ] {
		return []label{{system: resourceTypesCS, code: typ}}, "deny"
	}
	var why []label
	for i := range ls {
		if a.deny.covers(&ls[i]) {
			why = append(why, ls[i])
		}
	}
	if why != nil {
		return why, "deny"
	}
	for i := range ls {
		if ls[i].set == vocab.SetCompartment && !a.compartments[ls[i].code] {
			why = append(why, ls[i])
		}
	}
	if why != nil {
		return why, "compartment"
	}
	var pous []label
	permitted := false
	for i := range ls {
		if ls[i].set == vocab.SetPurposeOfUse {
			pous = append(pous, ls[i])
			if a.pou != "" && vocab.Subsumes(ls[i].code, a.pou) {
				permitted = true
			}
		}
	}
	if pous != nil && !permitted {
		return pous, "purposeOfUse"
	}
	if a.allow != nil {
		for i := range ls {
			if ls[i].set == vocab.SetSensitivity && !a.allow.covers(&ls[i]) {
				why = append(why, ls[i])
			}
		}
		if why != nil {
			return why, "allow"
		}
	}
	return nil, ""
}

// releaseOnlyFails reports whether a resource lacks every label the
// exceptAnyOfCodes form requires.
func (s *state) releaseOnlyFails(ls []label) bool {
	if s.access.releaseOnly == nil {
		return false
	}
	for i := range ls {
		if s.access.releaseOnly.covers(&ls[i]) {
			return false
		}
	}
	return true
}

// --- the rewrite: a decision pass records actions per node, a render pass
// copies untouched subtrees and re-emits only the containers that change.

type actKind uint8

const (
	actRemove actKind = iota + 1
	actReplace
)

type action struct {
	kind actKind
	text []byte
}

type addMember struct {
	key  string
	text []byte
}

type redactor struct {
	s     *state
	d     *jsonx.Doc
	root  jsonx.Node
	acts  map[jsonx.Node]action
	adds  map[jsonx.Node][]addMember
	dirty map[jsonx.Node]bool
	// parent[n] is the container of node n (object members: of both key
	// and value), for mark; built on first use.
	parent []int32
	rep    Redaction
	out    []released
	// docComp is the Composition of the document being redacted, or 0.
	docComp jsonx.Node
	// per resource being walked
	resLabels  []label
	typ        string
	changed    bool
	kept       []label         // inline labels still present
	withhold   string          // set when a required element cannot be masked
	removedIDs map[string]bool // contained ids removed in this resource
}

const darMasked = `{"url":"` + extDataAbsent + `","valueCode":"masked"}`

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
		r.parent = make([]int32, d.Len())
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
		if r.dirty[x] {
			return
		}
		r.dirty[x] = true
		if x == r.root {
			return
		}
	}
}

func (r *redactor) set(n jsonx.Node, a action) {
	r.acts[n] = a
	r.dirty[n] = true
	r.mark(n)
}

func (r *redactor) add(obj jsonx.Node, key string, text []byte) {
	r.adds[obj] = append(r.adds[obj], addMember{key, text})
	r.dirty[obj] = true
	r.mark(obj)
}

// inlineOf reads the inline labels on an object element (its extension).
func (r *redactor) inlineOf(n jsonx.Node) []label {
	d := r.d
	var out []label
	d.Items(d.Get(n, "extension"), func(_ int, x jsonx.Node) bool {
		if d.KeyIs(d.Get(x, "url"), extInline) {
			if l, ok := readLabel(d, d.Get(x, "valueCoding")); ok {
				l.src = srcInline
				out = append(out, l)
			} else {
				// A malformed inline label counts as V: fail closed.
				out = append(out, label{system: confidentialityCS, code: "", set: vocab.SetConfidentiality, node: -1, src: srcInline})
			}
		}
		return true
	})
	return out
}

// elements walks the members of obj (a resource, backbone or datatype
// value) whose element path below the resource is names, judging every
// element that carries inline labels.
func (r *redactor) elements(obj jsonx.Node, names []string, inherited []label, loc string) {
	d := r.d
	first, end := d.Range(obj)
	for k := first; k < end; k = d.Skip(k + 1) {
		name := d.Str(k)
		v := k + 1
		if len(names) == 0 {
			switch {
			case name == "meta", (name == "resourceType" || name == "id") && d.IsStr(v):
				continue
			case name == "contained":
				r.contained(v, inherited, loc)
				continue
			}
		}
		if name == "extension" && d.Kind(v) == jsonx.Array {
			// Inline labels themselves are metadata; other extensions are content.
			d.Items(v, func(i int, x jsonx.Node) bool {
				if !d.KeyIs(d.Get(x, "url"), extInline) && d.Kind(x) == jsonx.Object {
					r.elements(x, append(names, "extension"), inherited, loc+".extension["+strconv.Itoa(i)+"]")
				}
				return true
			})
			continue
		}
		if strings.HasPrefix(name, "_") {
			if d.Get(obj, name[1:]) < 0 {
				r.element(obj, name[1:], -1, v, names, inherited, loc) // a primitive with only extensions
			}
			continue
		}
		r.element(obj, name, v, d.Get(obj, "_"+name), names, inherited, loc)
	}
}

// element judges member name of obj: its value v and its _name sibling.
func (r *redactor) element(obj jsonx.Node, name string, v, sib jsonx.Node, names []string, inherited []label, loc string) {
	d := r.d
	path := append(names[:len(names):len(names)], name)
	here := loc + "." + name
	if d.Kind(v) == jsonx.Array || v < 0 && d.Kind(sib) == jsonx.Array {
		// Judge up to the longer of x and _x: misaligned input must not let
		// a labeled _x item through unjudged.
		n := d.Count(v)
		if d.Kind(sib) == jsonx.Array {
			n = max(n, d.Count(sib))
		}
		removed := 0
		for i := 0; i < n; i++ {
			it := d.Index(v, i)
			// The item's own extensions and its _x twin both count.
			var own []label
			if d.Kind(it) == jsonx.Object {
				own = r.inlineOf(it)
			}
			if si := d.Index(sib, i); d.Kind(si) == jsonx.Object {
				own = append(own, r.inlineOf(si)...)
			}
			eff := append(inherited[:len(inherited):len(inherited)], own...)
			if len(own) > 0 {
				if why, _ := r.s.judge(append(r.resLabels[:len(r.resLabels):len(r.resLabels)], eff...), r.typ); why != nil {
					if it >= 0 {
						r.set(it, action{kind: actRemove})
					}
					if si := d.Index(sib, i); si >= 0 {
						r.set(si, action{kind: actRemove})
					}
					removed++
					r.changed = true
					r.rep.Removed = append(r.rep.Removed, here+"["+strconv.Itoa(i)+"]")
					continue
				}
				r.kept = append(r.kept, own...)
			}
			if d.Kind(it) == jsonx.Object {
				r.elements(it, path, eff, here+"["+strconv.Itoa(i)+"]")
			}
		}
		if removed == n && n > 0 {
			// The whole element goes (or is masked): report it once, as a whole.
			r.rep.Removed = r.rep.Removed[:len(r.rep.Removed)-n]
			r.emptied(obj, name, v, sib, path, here)
		}
		return
	}
	var own []label
	if d.Kind(v) == jsonx.Object {
		own = r.inlineOf(v)
	}
	if d.Kind(sib) == jsonx.Object {
		own = append(own, r.inlineOf(sib)...)
	}
	eff := append(inherited[:len(inherited):len(inherited)], own...)
	if len(own) > 0 {
		if why, _ := r.s.judge(append(r.resLabels[:len(r.resLabels):len(r.resLabels)], eff...), r.typ); why != nil {
			r.changed = true
			r.emptied(obj, name, v, sib, path, here)
			return
		}
		r.kept = append(r.kept, own...)
	}
	if d.Kind(v) == jsonx.Object {
		r.elements(v, path, eff, here)
	}
}

// emptied removes an element whose content may not be released: the member
// goes, unless R4 requires it, in which case it becomes data-absent-reason
// masked; an element that can carry no extension withholds the resource.
func (r *redactor) emptied(obj jsonx.Node, name string, v, sib jsonx.Node, path []string, here string) {
	d := r.d
	info := elementInfo(r.typ, path)
	if info == nil || info.min == 0 {
		if v >= 0 {
			r.set(v, action{kind: actRemove})
		}
		if sib >= 0 {
			r.set(sib, action{kind: actRemove})
		}
		r.rep.Removed = append(r.rep.Removed, here)
		return
	}
	for _, t := range info.types {
		if t == "Resource" || t == "xhtml" {
			r.withhold = here + " is required and cannot be masked"
			return
		}
	}
	primitive := len(info.types) > 0 && info.types[0] != "" && info.types[0][0] >= 'a' && info.types[0][0] <= 'z'
	ext := []byte(`{"extension":[` + darMasked + `]}`)
	if info.many {
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
	r.rep.Masked = append(r.rep.Masked, here)
	_ = d
}

// contained judges each contained resource: an inline label on the
// contained resource itself (its extension) covers all of it.
func (r *redactor) contained(arr jsonx.Node, inherited []label, loc string) {
	d := r.d
	if d.Kind(arr) != jsonx.Array {
		return // not R4; left as it is
	}
	typ := r.typ
	d.Items(arr, func(i int, c jsonx.Node) bool {
		here := loc + ".contained[" + strconv.Itoa(i) + "]"
		if d.Kind(c) != jsonx.Object {
			if r.s.err == nil {
				r.s.err = errorf(ErrNotFHIR, here+" is not a resource")
			}
			return false
		}
		if err := checkType(d, c, here); err != nil {
			if r.s.err == nil {
				r.s.err = err
			}
			return false
		}
		own := r.inlineOf(c)
		eff := append(inherited[:len(inherited):len(inherited)], own...)
		// Labels on a contained resource's meta (against dom-5) count too.
		start := len(r.s.labels)
		r.s.labels = appendCodings(d, d.Get(d.Get(c, "meta"), "security"), srcContained, r.s.labels)
		eff = append(eff, r.s.labels[start:]...)
		r.s.labels = r.s.labels[:start]
		ctype := d.Str(d.Get(c, "resourceType"))
		if why, _ := r.s.judge(append(r.resLabels[:len(r.resLabels):len(r.resLabels)], eff...), ctype); why != nil || r.s.access.denyTypes[ctype] {
			r.set(c, action{kind: actRemove})
			r.changed = true
			r.rep.Removed = append(r.rep.Removed, here)
			r.removedIDs["#"+d.Str(d.Get(c, "id"))] = true
			return true
		}
		r.kept = append(r.kept, own...)
		r.typ = ctype
		r.elements(c, nil, eff, here)
		r.typ = typ
		return true
	})
	if n := d.Count(arr); n > 0 {
		all := true
		d.Items(arr, func(_ int, c jsonx.Node) bool {
			if r.acts[c].kind != actRemove {
				all = false
			}
			return all
		})
		if all {
			r.set(arr, action{kind: actRemove})
		}
	}
}

// render appends node n with the actions applied.
func (r *redactor) render(dst []byte, n jsonx.Node) []byte {
	d := r.d
	if a, ok := r.acts[n]; ok && a.kind == actReplace {
		return append(dst, a.text...)
	}
	if !r.dirty[n] {
		return append(dst, d.Raw(n)...)
	}
	first, end := d.Range(n)
	switch d.Kind(n) {
	case jsonx.Object:
		dst = append(dst, '{')
		sep := false
		member := func(key string, text []byte) {
			if sep {
				dst = append(dst, ',')
			}
			sep = true
			dst = jsonx.AppendString(dst, key)
			dst = append(dst, ':')
			dst = append(dst, text...)
		}
		// An added meta goes after id (or resourceType), where FHIR writers put it.
		metaAt := -1
		for k := first; k < end; k = d.Skip(k + 1) {
			if d.KeyIs(k, "id") || d.KeyIs(k, "resourceType") && metaAt < 0 {
				metaAt = k
			}
		}
		for k := first; k < end; k = d.Skip(k + 1) {
			if r.acts[k+1].kind != actRemove {
				if sep {
					dst = append(dst, ',')
				}
				sep = true
				dst = append(dst, d.Raw(k)...)
				dst = append(dst, ':')
				dst = r.render(dst, k+1)
			}
			if k == metaAt {
				for _, m := range r.adds[n] {
					if m.key == "meta" {
						member(m.key, m.text)
					}
				}
			}
		}
		for _, m := range r.adds[n] {
			if m.key != "meta" || metaAt < 0 {
				member(m.key, m.text)
			}
		}
		return append(dst, '}')
	case jsonx.Array:
		dst = append(dst, '[')
		sep := false
		for it := first; it < end; it = d.Skip(it) {
			if r.acts[it].kind == actRemove {
				continue
			}
			if sep {
				dst = append(dst, ',')
			}
			sep = true
			dst = r.render(dst, it)
		}
		return append(dst, ']')
	}
	return append(dst, d.Raw(n)...)
}
