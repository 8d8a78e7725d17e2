package engine

import (
	"strconv"
	"strings"

	"github.com/seclabel/seclabel/engine/internal/vocab"
	"github.com/seclabel/seclabel/internal/jsonx"
)

// redactTop redacts the resource at n and returns the released bytes, or
// nil when the whole resource is withheld.
func (s *state) redactTop(d *jsonx.Doc, n jsonx.Node, loc string) []byte {
	r := &redactor{s: s, d: d, acts: map[jsonx.Node]action{}, adds: map[jsonx.Node][]addMember{}, dirty: map[jsonx.Node]bool{}}
	r.root, r.docComp = n, -1
	if d.Str(d.Get(n, "resourceType")) == "Bundle" {
		r.bundle(n, loc)
	} else if !r.resource(n, loc, "", true) {
		s.report.Withheld = r.rep.Withheld
		return nil
	}
	s.report.Withheld = r.rep.Withheld
	s.report.Removed = nilIfEmpty(r.rep.Removed)
	s.report.Masked = nilIfEmpty(r.rep.Masked)
	if s.err != nil {
		return nil
	}
	return s.keepResult(r.render(s.resultBuf(len(d.Raw(n))), n))
}

// nilIfEmpty keeps empty lists nil, as a Result read back from the protocol has them.
func nilIfEmpty(s []string) []string {
	if len(s) == 0 {
		return nil
	}
	return s
}

// released is one resource the recipient gets.
type released struct {
	n       jsonx.Node
	loc     string
	typ     string
	changed bool
	kept    []label // inline labels that remain
	removed map[string]bool
}

// resourceLevel returns the labels a whole resource is judged on.
func (r *redactor) resourceLevel(n jsonx.Node) []label {
	s, d := r.s, r.d
	var ls []label
	ls = appendCodings(d, d.Get(d.Get(n, "meta"), "security"), srcMeta, ls)
	switch d.Str(d.Get(n, "resourceType")) {
	case "Composition":
		// In a document, Composition.confidentiality is the document's mark,
		// recomputed over what is released; it does not judge the Composition.
		if c := d.Get(n, "confidentiality"); d.IsStr(c) && n != r.docComp {
			ls = append(ls, label{system: confidentialityCS, code: d.Str(c), set: vocab.Classify(confidentialityCS, d.Str(c)), node: -1, src: srcComposition})
		}
	case "DocumentReference":
		first, end := d.Range(d.Get(n, "securityLabel"))
		for cc := first; cc < end; cc = d.Skip(cc) {
			ls = appendCodings(d, d.Get(cc, "coding"), srcSecurityLabel, ls)
		}
	}
	_ = s
	return ls
}

// decide judges one resource and its inline-labeled elements. It returns
// false when the resource is withheld (and reports it); otherwise it records
// the resource in r.out.
func (r *redactor) decide(n jsonx.Node, loc, fullURL string) bool {
	s, d := r.s, r.d
	typ := d.Str(d.Get(n, "resourceType"))
	ls := r.resourceLevel(n)
	why, reason := s.judge(ls, typ)
	if why == nil && s.releaseOnlyFails(ls) {
		why, reason = []label{}, "exceptAnyOfCodes"
	}
	if why == nil && reason == "" {
		r.resLabels, r.typ, r.changed, r.kept, r.withhold = ls, typ, false, nil, ""
		r.removedIDs = map[string]bool{}
		removed, masked := len(r.rep.Removed), len(r.rep.Masked)
		if s.mayHaveInline {
			r.elements(n, nil, nil, loc)
		} else if c := d.Get(n, "contained"); c >= 0 {
			// No inline label anywhere in the input: only contained
			// resources' own labels can take anything away.
			r.contained(c, nil, loc)
		}
		if r.withhold != "" {
			// The resource goes as a whole; its element findings do not count.
			r.rep.Removed, r.rep.Masked = r.rep.Removed[:removed], r.rep.Masked[:masked]
			why, reason = nil, r.withhold
		} else {
			r.out = append(r.out, released{n: n, loc: loc, typ: typ, changed: r.changed, kept: r.kept, removed: r.removedIDs})
			return true
		}
	}
	w := Withheld{Location: loc, Type: typ, ID: strings.Clone(d.Str(d.Get(n, "id"))), FullURL: strings.Clone(fullURL), Reason: reason}
	for _, l := range why {
		w.Labels = append(w.Labels, Coding{System: strings.Clone(l.system), Code: strings.Clone(l.code), Set: l.set.String()})
	}
	r.rep.Withheld = append(r.rep.Withheld, w)
	return false
}

// resource redacts a single resource; false when it is withheld whole.
func (r *redactor) resource(n jsonx.Node, loc, fullURL string, top bool) bool {
	if !r.decide(n, loc, fullURL) {
		return false
	}
	r.maskReferences(nil)
	r.finish()
	return true
}

// bundle redacts every entry, masks references to what is withheld, fixes
// Bundle.total and writes the high-water mark of what is released.
func (r *redactor) bundle(b jsonx.Node, loc string) {
	s, d := r.s, r.d
	entries := d.Get(b, "entry")
	if d.Str(d.Get(b, "type")) == "document" {
		if comp := d.Get(d.Index(entries, 0), "resource"); d.Str(d.Get(comp, "resourceType")) == "Composition" {
			r.docComp = comp
		}
	}
	var withheldRefs []string
	withheld := 0
	outStart := len(r.out)
	d.Items(entries, func(i int, e jsonx.Node) bool {
		res := s.entryResource(d, e, loc, i)
		if res < 0 {
			return s.err == nil
		}
		eloc := entryLoc(loc, i)
		fu := d.Str(d.Get(e, "fullUrl"))
		if d.Str(d.Get(res, "resourceType")) == "Bundle" {
			r.bundle(res, eloc)
			return true
		}
		if !r.decide(res, eloc, fu) {
			r.set(e, action{kind: actRemove})
			if mode := d.Str(d.Get(d.Get(e, "search"), "mode")); mode == "" || mode == "match" {
				withheld++
			}
			if fu != "" {
				withheldRefs = append(withheldRefs, fu)
			}
			if id := d.Str(d.Get(res, "id")); id != "" {
				withheldRefs = append(withheldRefs, d.Str(d.Get(res, "resourceType"))+"/"+id)
			}
		}
		return true
	})
	if s.err != nil {
		return
	}
	// A document without its Composition is no document: release nothing.
	if d.Str(d.Get(b, "type")) == "document" {
		comp := d.Get(d.Index(entries, 0), "resource")
		if comp >= 0 && r.acts[d.Index(entries, 0)].kind == actRemove {
			for _, rel := range r.out[outStart:] {
				r.rep.Withheld = append(r.rep.Withheld, Withheld{Location: rel.loc, Type: rel.typ, ID: d.Str(d.Get(rel.n, "id")), Reason: "the document's Composition is withheld"})
			}
			d.Items(entries, func(_ int, e jsonx.Node) bool { r.set(e, action{kind: actRemove}); return true })
			r.out = r.out[:outStart]
		}
	}
	r.maskReferences(withheldRefs)
	r.finishFrom(outStart)
	if t := d.Get(b, "total"); t >= 0 && withheld > 0 {
		total, err := strconv.Atoi(string(d.Raw(t)))
		if err == nil {
			r.set(t, action{kind: actReplace, text: strconv.AppendInt(nil, int64(max(total-withheld, 0)), 10)})
		}
	}
	if d.Count(entries) > 0 {
		all := true
		d.Items(entries, func(_ int, e jsonx.Node) bool { all = all && r.acts[e].kind == actRemove; return all })
		if all {
			r.set(entries, action{kind: actRemove})
		}
	}
	// The mark of what is released.
	env := envelope{conf: -1}
	for _, rel := range r.out[outStart:] {
		ls := r.finalLabels(rel)
		env.addEntry(s.opts, ls)
	}
	if env.conf < 0 {
		env.conf = vocab.Rank(s.opts.DefaultConfidentiality)
	}
	env.finishPurposeOfUse(s.opts)
	s.markWith(d, b, loc, d.Str(d.Get(b, "type")), &env, true, func(text []byte) { r.setSecurity(b, text) })
	if d.Str(d.Get(b, "type")) == "document" && len(r.out) > outStart {
		s.markCompositionWith(d, b, env.conf, func(comp jsonx.Node, text []byte) {
			if c := d.Get(comp, "confidentiality"); c >= 0 {
				r.set(c, action{kind: actReplace, text: text})
			} else {
				r.add(comp, "confidentiality", text)
			}
		})
	}
}

// maskReferences replaces references to withheld resources (and to removed
// contained resources) by data-absent-reason masked, keeping the element.
func (r *redactor) maskReferences(withheld []string) {
	d := r.d
	gone := map[string]bool{}
	for _, w := range withheld {
		gone[w] = true
	}
	var path []byte // the location below the resource, built as the walk goes
	for i := range r.out {
		rel := &r.out[i]
		if len(gone) == 0 && len(rel.removed) == 0 {
			continue
		}
		var walk func(n jsonx.Node)
		walk = func(n jsonx.Node) {
			if r.acts[n].kind != 0 {
				return // already removed or replaced
			}
			switch d.Kind(n) {
			case jsonx.Object:
				if ref := d.Get(n, "reference"); d.IsStr(ref) && (rel.removed[d.Str(ref)] || gone[d.Str(ref)] || gone[lastTwo(d.Str(ref))]) {
					r.set(n, action{kind: actReplace, text: maskedReference(d, n)})
					rel.changed = true
					r.rep.Masked = append(r.rep.Masked, rel.loc+string(path))
					return
				}
				first, end := d.Range(n)
				for k := first; k < end; k = d.Skip(k + 1) {
					if kind := d.Kind(k + 1); kind != jsonx.Object && kind != jsonx.Array {
						continue
					}
					name := d.Str(k)
					if name == "meta" || name == "text" {
						continue
					}
					mark := len(path)
					path = append(path, '.')
					path = append(path, strings.TrimPrefix(name, "_")...)
					walk(k + 1)
					path = path[:mark]
				}
			case jsonx.Array:
				first, end := d.Range(n)
				idx := 0
				for it := first; it < end; it, idx = d.Skip(it), idx+1 {
					if kind := d.Kind(it); kind != jsonx.Object && kind != jsonx.Array {
						continue
					}
					mark := len(path)
					path = appendIndex(path, idx)
					walk(it)
					path = path[:mark]
				}
			}
		}
		path = path[:0]
		walk(rel.n)
	}
}

// lastTwo reduces an absolute reference to Type/id.
func lastTwo(ref string) string {
	i := strings.LastIndexByte(ref, '/')
	if i <= 0 {
		return ref
	}
	j := strings.LastIndexByte(ref[:i], '/')
	if strings.Contains(ref[i:], "_history") {
		return ref
	}
	return ref[j+1:]
}

// maskedReference writes a Reference without reference and display, with
// data-absent-reason masked among its extensions.
func maskedReference(d *jsonx.Doc, n jsonx.Node) []byte {
	var w jsonx.Writer
	w.BeginObject()
	hasExt := false
	d.Members(n, func(k, v jsonx.Node) bool {
		switch name := d.Str(k); name {
		case "reference", "display", "_reference", "_display":
		case "extension":
			hasExt = true
			w.Key("extension")
			w.BeginArray()
			d.Items(v, func(_ int, x jsonx.Node) bool { w.Raw(d.Raw(x)); return true })
			w.Raw([]byte(darMasked))
			w.EndArray()
		default:
			w.Key(name)
			w.Raw(d.Raw(v))
		}
		return true
	})
	if !hasExt {
		w.Key("extension")
		w.BeginArray()
		w.Raw([]byte(darMasked))
		w.EndArray()
	}
	w.EndObject()
	return w.B
}

func (r *redactor) finish() { r.finishFrom(0) }

// finishFrom marks every changed released resource: REDACTED in
// meta.security, no narrative, no PROCESSINLINELABEL once no inline label
// remains.
func (r *redactor) finishFrom(from int) {
	d := r.d
	for i := from; i < len(r.out); i++ {
		rel := &r.out[i]
		if !rel.changed {
			continue
		}
		if t := d.Get(rel.n, "text"); t >= 0 {
			r.set(t, action{kind: actRemove})
		}
		text := r.redactedSecurity(rel)
		r.setSecurity(rel.n, text)
	}
}

// redactedSecurity writes a changed resource's new meta.security.
func (r *redactor) redactedSecurity(rel *released) []byte {
	d := r.d
	var w jsonx.Writer
	w.BeginArray()
	has := false
	d.Items(d.Get(d.Get(rel.n, "meta"), "security"), func(_ int, c jsonx.Node) bool {
		l, _ := readCoding(d, c)
		if len(rel.kept) == 0 && vocab.IsProcessInline(d.Str(d.Get(c, "system")), l.code) {
			return true
		}
		if l.system == vocab.ObservationValue && l.code == "REDACTED" {
			has = true
		}
		w.Raw(d.Raw(c))
		return true
	})
	if !has {
		w.BeginObject()
		w.KV("system", vocab.ObservationValue)
		w.KV("code", "REDACTED")
		w.KV("display", "redacted")
		w.EndObject()
	}
	w.EndArray()
	return w.B
}

// setSecurity replaces or adds meta.security of a resource.
func (r *redactor) setSecurity(n jsonx.Node, text []byte) {
	d := r.d
	meta := d.Get(n, "meta")
	switch {
	case d.Kind(meta) != jsonx.Object:
		obj := append([]byte(`{"security":`), text...)
		obj = append(obj, '}')
		if meta >= 0 {
			r.set(meta, action{kind: actReplace, text: obj})
		} else {
			r.add(n, "meta", obj)
		}
	case d.Get(meta, "security") >= 0:
		r.set(d.Get(meta, "security"), action{kind: actReplace, text: text})
	default:
		r.add(meta, "security", text)
	}
}

// finalLabels are a released resource's labels after redaction, for the mark.
func (r *redactor) finalLabels(rel released) []label {
	d := r.d
	var ls []label
	for _, l := range r.resourceLevel(rel.n) {
		if len(rel.kept) == 0 && vocab.IsProcessInline(l.system, l.code) {
			continue
		}
		ls = append(ls, l)
	}
	_ = d
	return append(ls, rel.kept...)
}
