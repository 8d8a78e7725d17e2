package engine

import (
	"bytes"
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/seclabel/seclabel/engine/internal/vocab"
	"github.com/seclabel/seclabel/internal/jsonx"
)

// redactTop redacts the resource at n and returns the released bytes, or
// nil when the whole resource is withheld.
func (s *state) redactTop(d *jsonx.Doc, n jsonx.Node, loc string) ([]byte, error) {
	// Sized for a Bundle's entries, each of which may be withheld (an
	// action and its dirty path): maps grown from empty by rehashing would
	// allocate several times what a Bundle of many small entries needs.
	hint := d.Count(d.Get(n, "entry"))
	// The maps are the state's, kept for the next call: they are cleared
	// when the call ends (their keys alias the input) and when another
	// round starts. Clearing costs a map's size, so maps made for many
	// more entries than this call's are made anew, and none made for more
	// than mapsKept entries is kept.
	acts, full, typeID := s.acts, s.refFull, s.refTypeID
	if acts == nil || hint < s.mapsFor/8 {
		acts, full, typeID = make(map[jsonx.Node]action, hint), make(map[string]bool, hint), make(map[string]bool, hint)
		s.mapsFor = hint
	}
	clearMaps := func() {
		clear(acts)
		clear(full)
		clear(typeID)
	}
	defer func() {
		if s.mapsFor = max(s.mapsFor, hint); s.mapsFor > mapsKept {
			s.acts, s.refFull, s.refTypeID, s.mapsFor = nil, nil, nil, 0
			return
		}
		clearMaps()
		s.acts, s.refFull, s.refTypeID = acts, full, typeID
	}()
	var r *redactor
	var ok bool
	var later map[jsonx.Node]string
	for round := 0; ; round++ {
		if round > 0 {
			clearMaps()
		}
		r = &redactor{s: s, d: d, root: n, acts: acts, adds: map[jsonx.Node][]addMember{}, dirty: newNodeSet(d.Len()), later: later}
		r.gone.hint, r.gone.full, r.gone.typeID = hint, full, typeID
		for _, ref := range s.access.withheldRefs {
			r.gone.add(ref)
		}
		ok = r.resource(n, loc, "", nil, true)
		if r.err != nil {
			return nil, r.err
		}
		// What was released though it must go with something withheld
		// (another version of it, what repeats it, a Binary's
		// securityContext or holder) is withheld from the start of another
		// round, until none is left. A round finds whole chains of them;
		// only what the new round withholds besides can call for another.
		more, done := r.alsoWithheld()
		if !ok || len(more) == 0 {
			break
		}
		if !done || round == maxRounds {
			return nil, errorf(ErrTooDeep, "resources that go with withheld ones refer to each other in chains longer than redaction follows ("+strconv.Itoa(maxChain)+" links, "+strconv.Itoa(maxRounds)+" rounds)")
		}
		if later == nil {
			later = map[jsonx.Node]string{}
		}
		maps.Copy(later, more)
	}
	if ok {
		r.maskReferences()
		r.finish()
		r.writeMarks()
		r.markParameters()
	}
	s.report.Withheld = r.rep.Withheld
	s.report.Removed = nilIfEmpty(r.rep.Removed)
	s.report.Masked = nilIfEmpty(r.rep.Masked)
	if !ok {
		s.report.Removed, s.report.Masked = nil, nil
		return nil, nil
	}
	if s.opts.OmitReport {
		s.report.Removed, s.report.Masked = nil, nil
	}
	return s.keepResult(r.render(s.resultBuf(len(d.Raw(n))), n)), nil
}

// mapsKept is the most entries a Bundle may have for the redaction walk's
// maps to be kept for the next call.
const mapsKept = 4096

// nilIfEmpty keeps empty lists nil, as a Result read back from the protocol has them.
func nilIfEmpty(s []string) []string {
	if len(s) == 0 {
		return nil
	}
	return s
}

// reportLen is where the report's lists stand, to take back what a
// resource withheld whole had recorded inside.
type reportLen struct{ removed, masked, out, runs int }

func (r *redactor) at() reportLen {
	return reportLen{len(r.rep.Removed), len(r.rep.Masked), len(r.out), len(r.runs)}
}

// dropSince forgets what was decided inside a resource that goes whole
// after all: its element findings do not count, and what it released is
// withheld with it (references to those resources are masked elsewhere).
// What it had withheld stays reported: it is withheld all the same, and
// may be why the whole goes.
func (r *redactor) dropSince(m reportLen) {
	for _, rel := range r.out[m.out:] {
		r.gone.resource(r.d, rel.n, "", &r.s.strs)
	}
	r.rep.Removed, r.rep.Masked = r.rep.Removed[:m.removed], r.rep.Masked[:m.masked]
	r.out, r.runs = r.out[:m.out], r.runs[:m.runs]
}

// withheld reports a resource left out and remembers its reference forms.
func (r *redactor) withheld(n jsonx.Node, loc, typ, fullURL, reason, detail string, why []label) {
	d := r.d
	// Strings alias the input: the report is written within the call, and
	// the typed methods make a Result the caller's (Result.own).
	w := Withheld{Location: loc, Type: typ, ID: d.Str(d.Get(n, "id")), FullURL: fullURL, Reason: reason, Detail: detail}
	if len(why) > 0 {
		w.Labels = r.s.repCoding.take(len(why))
	}
	for _, l := range why {
		w.Labels = append(w.Labels, Coding{System: l.system, Code: l.code, Set: l.set.String()})
		if l.bad != 0 && w.Detail == "" {
			w.Detail = r.badDetail(&l)
		}
	}
	if n >= 0 {
		w.References = otherForms(d, n, typ)
	}
	if len(r.rep.Withheld) == cap(r.rep.Withheld) {
		// Doubled, not grown by a quarter as append does past a few
		// hundred: a Bundle withholding most of 100,000 entries would
		// otherwise copy the list about twenty times.
		r.rep.Withheld = slices.Grow(r.rep.Withheld, max(16, len(r.rep.Withheld)))
	}
	r.rep.Withheld = append(r.rep.Withheld, w)
	if n >= 0 {
		r.goneNodes = append(r.goneNodes, n)
		r.gone.resource(d, n, fullURL, &r.s.strs)
		r.goneWithin(n)
	}
}

// goneWithin remembers the reference forms of the resources nested in a
// withheld Bundle or Parameters (eachHeld), which go with it unvisited: a
// fullUrl is global (a urn:uuid above all), so a reference from outside to
// an entry of a withheld Bundle names something withheld. Contained
// resources' ids are local to their container and are left out.
func (r *redactor) goneWithin(n jsonx.Node) {
	d := r.d
	eachHeld(d, n, func(res jsonx.Node, fullURL string) {
		if d.Kind(res) == jsonx.Object {
			r.gone.resource(d, res, fullURL, &r.s.strs)
			r.goneWithin(res)
		}
	})
}

// badDetail says what is wrong with an unreadable label.
func (r *redactor) badDetail(l *label) string {
	d := r.d
	where := [...]string{srcMeta: "meta.security", srcInline: "an inline label", srcSecurityLabel: "securityLabel",
		srcComposition: "Composition.confidentiality", srcContained: "contained", srcMisplaced: "a misplaced resource", srcTag: "meta.tag"}[l.src]
	if l.src == srcMisplaced {
		return "an element holds a resource (a resourceType) where FHIR holds none, whose labels cannot be placed"
	}
	switch l.bad {
	case badSystem:
		if l.system == "" {
			return "a label in " + where + " has no system"
		}
		return "a label in " + where + " has a system the engine does not know: " + quote(l.system)
	case badCode:
		return quote(l.code) + " in " + where + " is not a code of " + l.system
	case badMissing:
		return "a label in " + where + " has no code"
	}
	if l.node >= 0 && d.Kind(l.node) != jsonx.Object {
		return where + " holds a JSON " + kindName(d.Kind(l.node)) + " where a label or a list of labels belongs"
	}
	return "a label in " + where + " is malformed"
}

func kindName(k jsonx.Kind) string {
	switch k {
	case jsonx.Object:
		return "object"
	case jsonx.Array:
		return "array"
	case jsonx.String:
		return "string"
	case jsonx.Number:
		return "number"
	case jsonx.Null:
		return "null"
	}
	return "boolean"
}

// resource judges one resource (a Bundle goes to bundle) and its elements,
// with the labels of what holds it (inherited). gate applies the
// exceptAnyOfCodes obligations, which judge the resources a recipient is
// sent (the top one, Bundle entries), not those nested in them. It returns
// false when the resource is withheld, and reports it.
func (r *redactor) resource(n jsonx.Node, loc, fullURL string, inherited []label, gate bool) bool {
	d := r.d
	h := headsOf(d, n)
	typ := d.Str(h.typ)
	if typ == "Bundle" {
		return r.bundle(n, loc, fullURL, inherited)
	}
	// The labels in force live on the state's label stack while the
	// resource is judged: nested calls push above them and pop back.
	s := r.s
	start := len(s.labels)
	s.labels = r.levelOf(n, h, r.level(), append(s.labels, inherited...))
	eff := s.labels[start:len(s.labels):len(s.labels)]
	defer func() { s.labels = s.labels[:start] }()
	why, reason := r.s.judge(eff, typ)
	if why == nil && gate && r.s.releaseOnlyFails(eff) {
		reason = "exceptAnyOfCodes"
	}
	if reason != "" {
		r.withheld(n, loc, typ, fullURL, reason, "", why)
		return false
	}
	if why := r.later[n]; why != "" {
		detail := "the resource its securityContext names is withheld"
		switch why {
		case whyAttachment:
			detail = "a withheld resource holds it as an attachment"
		case whySameResource:
			detail = "another version or copy of it is withheld"
		case whyProvenance:
			detail = "every target it tells of is withheld"
		case whyInherit:
			detail = "it references a withheld resource along an inherit element, and repeats it"
		case whyDirectory:
			detail = "only withheld resources reference it"
		}
		r.withheld(n, loc, typ, fullURL, why, detail, nil)
		return false
	}
	m := r.at()
	rel := &r.rels.take(1)[:1][0] // one allocation per chunk, not per resource
	*rel = released{n: n, loc: loc, typ: typ, fullURL: fullURL, inheritedConf: -1}
	for i := range inherited {
		// Inline labels on the way to it (on its entry, on the element
		// that holds it) cover it; a container's own meta.security is the
		// container's, and redaction may write a computed one there.
		if inherited[i].bad == 0 && inherited[i].src == srcInline {
			rel.inheritedConf = max(rel.inheritedConf, inherited[i].rank())
		}
	}
	r.out = append(r.out, rel)
	cur := r.cur
	w := &rel.walk
	w.typ = typ
	r.cur = w
	switch {
	case r.s.mayHaveInline && d.Flagged(n):
		r.resourceMembers(n, typ, eff, loc)
	default:
		// No inline label in the resource (nor a _x member, which may
		// hold one or be unreadable): only contained and nested resources
		// can take anything away.
		if c := h.contained; c >= 0 {
			r.contained(c, eff, loc)
		}
		if typ == "Parameters" {
			r.parameters(n, eff, loc)
		}
	}
	r.cur = cur
	if w.withhold != "" {
		r.dropSince(m)
		r.withheld(n, loc, typ, fullURL, w.withhold, w.detail, nil)
		return false
	}
	rel.changed, rel.kept, rel.removed = w.changed, w.kept, w.removedIDs
	rel.walk = resWalk{}
	return true
}

// bundle judges a Bundle: its own labels and elements, then every entry;
// a document whose Composition or a message whose MessageHeader is withheld
// goes whole. The mark is written once references are masked.
func (r *redactor) bundle(b jsonx.Node, loc, fullURL string, inherited []label) bool {
	d := r.d
	// What a Bundle carries beyond what its entries carry is its own and
	// applies to all of it; the rest is the mark of its entries, which are
	// judged one by one, and is recomputed. So is its confidentiality,
	// unless it is above every entry's. A document's
	// Composition.confidentiality is read the same way.
	typ := d.Str(d.Get(b, "type"))
	own := r.resourceLevel(b, r.level(), nil)
	eff := append([]label(nil), inherited...)
	bconf := -1
	var carried map[[2]string]bool
	inner, compConf := -1, -1
	scan := typ == "document"
	for _, l := range own {
		scan = scan || l.bad == 0
	}
	if scan {
		carried, inner, compConf = r.entriesScan(b, typ == "document")
	}
	var confs []label
	for _, l := range own {
		switch {
		case l.bad == 0 && l.system == confidentialityCS:
			bconf = max(bconf, l.rank())
			confs = append(confs, l)
		case l.bad != 0 || !carried[[2]string{l.system, l.code}]:
			eff = append(eff, l)
		}
	}
	if why, reason := r.s.judgeEnvelope(eff); reason != "" {
		r.withheld(b, loc, "Bundle", fullURL, reason, "", why)
		return false
	}
	if bconf > inner && bconf > r.s.access.clearance {
		r.withheld(b, loc, "Bundle", fullURL, "clearance", "the Bundle is classified above everything it holds", confs)
		return false
	}
	if compConf > inner && compConf > r.s.access.clearance {
		comp := label{system: confidentialityCS, code: vocab.ConfidentialityCode(compConf), set: vocab.SetConfidentiality}
		r.withheld(b, loc, "Bundle", fullURL, "clearance", "the document's Composition.confidentiality is above everything it holds", []label{comp})
		return false
	}
	m := r.at()
	run := &bundleRun{n: b, loc: loc, carried: carried}
	cur := r.cur
	w := &resWalk{typ: "Bundle"}
	r.cur = w
	if r.s.mayHaveInline {
		ix := indexMembers(d, b)
		first, end := d.Range(b)
		for k := first; k < end; k = d.Skip(k + 1) {
			// As resourceMembers: an id or resourceType that is not a string
			// is walked like any element (it may carry labels).
			switch name := d.Str(k); {
			case name == "meta", name == "entry", name == "resourceType" && d.IsStr(k+1), name == "id" && d.IsStr(k+1):
			default:
				r.member(&ix, k, name, "Bundle", eff, false, loc)
			}
		}
	}
	r.cur = cur
	whole := func(reason, detail string, why []label) bool {
		r.dropSince(m)
		r.withheld(b, loc, "Bundle", fullURL, reason, detail, why)
		return false
	}
	if w.withhold != "" {
		return whole(w.withhold, w.detail, nil)
	}
	entries := d.Get(b, "entry")
	var cover map[string][]label // a document's section labels, by the references they cover
	first, end := d.Range(entries)
	for e, i := first, 0; e < end; e, i = d.Skip(e), i+1 {
		if d.Kind(e) != jsonx.Object {
			eloc := loc + ".entry[" + strconv.Itoa(i) + "]"
			r.set(e, action{kind: actRemove})
			r.withheld(-1, eloc, "", "", whyUnreadable, eloc+" is a JSON "+kindName(d.Kind(e))+", not an entry", nil)
			run.withheld++
			continue
		}
		res, err := entryResource(d, e, loc, i)
		if err != nil {
			r.fail(err)
			return false
		}
		fu := d.Str(d.Get(e, "fullUrl"))
		eeff := eff
		nout, nruns := len(r.out), len(r.runs)
		if r.s.mayHaveInline {
			// An entry is judged as one: a label on it or on its search,
			// request or response covers its resource.
			own := r.allInline(e, r.level(), entrySkip, nil)
			if d.Kind(d.Get(e, "response")) == jsonx.Object {
				own = r.allInline(d.Get(e, "response"), r.level(), outcomeSkip, own)
			}
			if cover != nil {
				own = append(own, cover[refKeyOf(fu)]...)
				if res >= 0 {
					own = append(own, cover[d.Str(d.Get(res, "resourceType"))+"/"+d.Str(d.Get(res, "id"))]...)
					if u := d.Str(d.Get(res, "url")); u != "" { // a canonical resource's
						own = append(own, cover[refKeyOf(u)]...)
					}
				}
			}
			if len(own) > 0 {
				eeff = with(eff, own)
				// The entry's labels judge its resource with the resource's
				// own, below; a clearance is judged here only when they
				// carry a confidentiality (else the default would stand in
				// for the resource's).
				if why, reason := r.s.judgeAs(eeff, d.Str(d.Get(res, "resourceType")), hasConfidentiality(own)); reason != "" {
					r.set(e, action{kind: actRemove})
					r.withheld(res, r.s.strs.entryLoc(loc, i), d.Str(d.Get(res, "resourceType")), fu, reason, "", why)
					run.match(d, e)
					continue
				}
			}
		}
		// A request whose search names what the recipient may not see
		// goes with its entry, resource and all.
		rtype := d.Str(d.Get(res, "resourceType"))
		if why, reason := r.s.requestJudged(d, d.Get(e, "request"), rtype); reason != "" {
			r.set(e, action{kind: actRemove})
			at := loc + ".entry[" + strconv.Itoa(i) + "]"
			if res >= 0 {
				at = r.s.strs.entryLoc(loc, i)
			}
			r.withheld(res, at, rtype, fu, reason, "the entry's request searches for what the recipient may not see", why)
			run.match(d, e)
			continue
		}
		if res >= 0 {
			if i == 0 && typ == "document" && d.Str(d.Get(res, "resourceType")) == "Composition" {
				if r.docComps == nil {
					r.docComps = map[jsonx.Node]bool{}
				}
				r.docComps[res] = true
			}
			if !r.resource(res, r.s.strs.entryLoc(loc, i), fu, eeff, true) {
				if i == 0 && (typ == "document" || typ == "message") {
					what := "the document's Composition"
					if typ == "message" {
						what = "the message's MessageHeader"
					}
					return whole(whyContainer, what+" is withheld", nil)
				}
				r.set(e, action{kind: actRemove})
				run.match(d, e)
				continue
			}
			if i == 0 && typ == "document" && r.s.mayHaveInline {
				cover = r.sections(res)
			}
		}
		if resp := d.Get(e, "response"); d.Get(resp, "outcome") >= 0 {
			out := d.Get(resp, "outcome")
			r.nestedResource(-1, out, loc+".entry["+strconv.Itoa(i)+"].response.outcome", eeff)
			// A response, or an entry, left empty is not valid JSON FHIR.
			if r.removed(out) && d.Count(resp) == 1 {
				r.set(resp, action{kind: actRemove})
				if d.Count(e) == 1 {
					r.set(e, action{kind: actRemove})
				}
			}
		}
		switch {
		case res >= 0 && len(r.runs) > nruns && r.runs[len(r.runs)-1].n == res:
			run.nested = append(run.nested, r.runs[len(r.runs)-1])
		case len(r.out) > nout:
			// Copies: what is released later reuses the lists' room.
			g := entryGroup{first: r.out[nout], more: slices.Clone(r.out[nout+1:])}
			if len(r.runs) > nruns {
				g.runs = slices.Clone(r.runs[nruns:])
			}
			if run.entries == nil { // room for the rest, rather than grow by copies
				run.entries = make([]entryGroup, 0, d.Count(entries)-i)
			}
			run.entries = append(run.entries, g)
		}
	}
	if r.err != nil {
		return false
	}
	r.runs = append(r.runs, run)
	return true
}

// changedWithin reports whether redaction withheld, removed or masked
// anything inside the resource at loc.
func (r *redactor) changedWithin(loc string) bool {
	in := func(at string) bool { return inside(at, loc) }
	for _, w := range r.rep.Withheld {
		if in(w.Location) {
			return true
		}
	}
	return slices.ContainsFunc(r.rep.Removed, in) || slices.ContainsFunc(r.rep.Masked, in)
}

// match counts a withheld entry that was a search match, for total.
func (run *bundleRun) match(d *jsonx.Doc, e jsonx.Node) {
	if mode := d.Str(d.Get(d.Get(e, "search"), "mode")); mode == "" || mode == "match" {
		run.withheld++
	}
}

// entrySkip and outcomeSkip keep an entry's judgement off the resources it
// holds, which are judged on their own.
func entrySkip(name string) bool   { return name == "resource" || name == "response" }
func outcomeSkip(name string) bool { return name == "outcome" }

// entriesScan reads the labels of a Bundle's entries as hwm does: the set
// of labels they carry (with all they hold), their highest confidentiality
// (an entry with none counts as the default) and, for a document, the rank of its
// Composition.confidentiality (-1 without one), which the first does not
// count.
func (r *redactor) entriesScan(b jsonx.Node, document bool) (carried map[[2]string]bool, inner, comp int) {
	s, d := r.s, r.d
	inner, comp = -1, -1
	carried = map[[2]string]bool{}
	d.Items(d.Get(b, "entry"), func(i int, e jsonx.Node) bool {
		res, outcome := d.Get(e, "resource"), d.Get(d.Get(e, "response"), "outcome")
		if d.Kind(res) != jsonx.Object && d.Kind(outcome) != jsonx.Object {
			return true
		}
		// An entry is everything it holds, as its mark counts it: the
		// resources nested in its resource at any depth and its response's
		// outcome, each without a confidentiality at the default.
		start := len(s.labels)
		rank := -1
		if d.Kind(res) == jsonx.Object {
			s.labels = s.resourceLabels(d, res, s.labels)
			for _, l := range s.labels[start:] {
				if l.src == srcComposition && document && i == 0 {
					comp = max(comp, vocab.Rank(l.code))
					continue
				}
				rank = max(rank, l.rank())
				carried[[2]string{l.system, l.code}] = true
			}
			if rank < 0 {
				rank = vocab.Rank(s.opts.DefaultConfidentiality)
			}
			s.labels = s.labels[:start]
			eachHeld(d, res, func(h jsonx.Node, _ string) { s.labels = s.heldLabels(d, h, false, s.labels) })
			s.labels = s.entriesInline(d, res, s.labels)
		}
		s.labels = s.heldLabels(d, outcome, false, s.labels)
		s.labels = s.entryInline(d, e, s.labels)
		for _, l := range s.labels[start:] {
			rank = max(rank, l.rank())
			carried[[2]string{l.system, l.code}] = true
		}
		s.labels = s.labels[:start]
		inner = max(inner, rank)
		return true
	})
	// A Bundle without entries holds nothing above the default. (With
	// entries, each counts at the default when it has no confidentiality,
	// above.)
	if inner < 0 {
		inner = vocab.Rank(s.opts.DefaultConfidentiality)
	}
	return carried, inner, comp
}

// sections maps the references a document's sections list to the inline
// labels of the section and the sections above it: a section's labels
// cover the entries it lists.
func (r *redactor) sections(comp jsonx.Node) map[string][]label {
	d := r.d
	var cover map[string][]label
	var walk func(arr jsonx.Node, above []label)
	walk = func(arr jsonx.Node, above []label) {
		d.Items(arr, func(_ int, sec jsonx.Node) bool {
			ls := with(above, r.inlineOf(sec, r.level(), nil))
			if len(ls) > 0 {
				d.Items(d.Get(sec, "entry"), func(_ int, ref jsonx.Node) bool {
					if key := refKeyOf(d.Str(d.Get(ref, "reference"))); key != "" {
						if cover == nil {
							cover = map[string][]label{}
						}
						cover[key] = append(cover[key], ls...)
					}
					return true
				})
			}
			walk(d.Get(sec, "section"), ls)
			return true
		})
	}
	walk(d.Get(comp, "section"), nil)
	return cover
}

// writeMarks writes the high-water mark of what is released into every
// released Bundle, inner ones first (and a document's
// Composition.confidentiality).
func (r *redactor) writeMarks() {
	s, d := r.s, r.d
	for _, run := range r.runs {
		env := envelope{conf: -1}
		docComp := jsonx.Node(-1)
		if d.Str(d.Get(run.n, "type")) == "document" {
			docComp = d.Get(d.Index(d.Get(run.n, "entry"), 0), "resource")
		}
		for _, g := range run.entries {
			// Each resource of the entry without a confidentiality counts
			// as the default, as an entry alone does. The labels are
			// gathered in one buffer for all entries: addEntry keeps none.
			ls := r.labelBuf[:0]
			for i := -1; i < len(g.more); i++ {
				rel := g.first
				if i >= 0 {
					rel = g.more[i]
				}
				start := len(ls)
				if ls = r.finalLabels(ls, rel); !hasConfidentiality(ls[start:]) {
					ls = append(ls, defaultConfidentiality(s.opts))
				}
			}
			for _, in := range g.runs {
				ls = append(ls, in.final...)
			}
			env.addEntry(s.opts, ls)
			r.labelBuf = ls
		}
		for _, in := range run.nested {
			env.addEntry(s.opts, in.final)
		}
		if env.conf < 0 {
			env.conf = vocab.Rank(s.opts.DefaultConfidentiality)
		}
		env.finishPurposeOfUse(s.opts)
		// What the Bundle carried as the mark of its entries is computed
		// anew from what is released; its own labels stay.
		stale := func(l *label) bool { return run.carried[[2]string{l.system, l.code}] }
		run.final = s.markWith(d, run.n, run.loc, d.Str(d.Get(run.n, "type")), &env, true, stale, func(text []byte) { r.setSecurity(run.n, text) })
		if docComp >= 0 && len(run.entries) > 0 {
			s.markCompositionWith(d, run.n, env.conf, func(comp jsonx.Node, text []byte) {
				if c := d.Get(comp, "confidentiality"); c >= 0 {
					r.set(c, action{kind: actReplace, text: text})
				} else {
					r.add(comp, "confidentiality", text)
				}
			})
		}
		// A signature no longer covers what is released, and a JWS may
		// carry what it signed: it goes when anything inside changed.
		if sig := d.Get(run.n, "signature"); sig >= 0 && r.changedWithin(run.loc) {
			r.set(sig, action{kind: actRemove})
			r.rep.Removed = append(r.rep.Removed, run.loc+".signature")
		}
		if t := d.Get(run.n, "total"); t >= 0 && run.withheld > 0 {
			if total, ok := wholeNumber(d, t); ok {
				r.set(t, action{kind: actReplace, text: strconv.AppendInt(nil, int64(max(total-run.withheld, 0)), 10)})
			} else {
				r.set(t, action{kind: actRemove}) // a count that cannot be read cannot be corrected
			}
		}
		if entries := d.Get(run.n, "entry"); d.Count(entries) > 0 {
			all := true
			d.Items(entries, func(_ int, e jsonx.Node) bool { all = all && r.removed(e); return all })
			if all {
				r.set(entries, action{kind: actRemove})
			}
		}
	}
}

// wholeNumber reads Bundle.total as written by any sender: 2, 2.0 or "2".
func wholeNumber(d *jsonx.Doc, n jsonx.Node) (int, bool) {
	text := string(d.Raw(n))
	if d.IsStr(n) {
		text = d.Str(n)
	} else if d.Kind(n) != jsonx.Number {
		return 0, false
	}
	if i := strings.IndexByte(text, '.'); i > 0 && strings.Trim(text[i+1:], "0") == "" {
		text = text[:i]
	}
	return whole(text)
}

// finalLabels appends to dst a released resource's labels after
// redaction, for the mark: its resource-level labels, the inline labels
// that stay, and kept contained resources' own labels. In a document the
// Composition's confidentiality is the mark itself and does not count.
func (r *redactor) finalLabels(dst []label, rel *released) []label {
	start := len(dst)
	// Its heads are found again: kept in every released resource, they
	// cost more in allocation than the second pass.
	dst = r.resourceLevel(rel.n, 0, dst)
	ls := dst[:start] // filtered in place: it never passes what is read
	for _, l := range dst[start:] {
		if l.bad != 0 && l.code == "" {
			continue
		}
		if len(rel.kept) == 0 && vocab.IsProcessInline(l.system, l.code) {
			continue
		}
		if l.bad != 0 {
			l.set = vocab.SetUnknown // an ignored label the engine cannot read: never lifted
		}
		ls = append(ls, l)
	}
	ls = append(ls, rel.kept...)
	// The inline labels that cover it from outside (on its entry) count
	// toward the mark as the entry's own.
	if rel.inheritedConf >= 0 {
		ls = append(ls, label{system: confidentialityCS, code: vocab.ConfidentialityCode(rel.inheritedConf), set: vocab.SetConfidentiality,
			info: vocab.ConfidentialityOf(rel.inheritedConf), node: -1})
	}
	return ls
}

// survives reports whether node x, inside the resource at top, is released:
// no container from x up to top is removed or replaced. An inline label
// on an element that went later (a List item pointing at something
// withheld) no longer counts toward the mark.
func (r *redactor) survives(top, x jsonx.Node) bool {
	if x < 0 || r.parent == nil { // nothing was acted on
		return true
	}
	d := r.d
	for y, below, item := x, jsonx.Node(-1), jsonx.Node(-1); ; y, below, item = jsonx.Node(r.parent[y]), y, below {
		switch a := r.act(y); a.kind {
		case actRemove:
			return false
		case actReplace:
			// below is the value on the way to x (its key precedes it),
			// item the extension in it that is kept, or not.
			if !a.keepsExt || below < 0 || !d.KeyIs(below-1, "extension") || item < 0 || !keptOnMask(d, item) {
				return false
			}
		}
		if y == top || y <= r.root {
			return true
		}
	}
}

// finish marks every changed released resource: REDACTED and its
// confidentiality in meta.security, no narrative (a List that lost entries
// gets a neutral one), no PROCESSINLINELABEL once no inline label remains.
func (r *redactor) finish() {
	// Inline labels on elements that went after they were judged (a List
	// item pointing at something withheld) are not released: they count
	// neither toward the mark nor for keeping PROCESSINLINELABEL.
	for _, rel := range r.out {
		kept := rel.kept[:0:0]
		for _, l := range rel.kept {
			if r.survives(rel.n, l.node) {
				kept = append(kept, l)
			}
		}
		rel.kept = kept
	}
	d := r.d
	for _, rel := range r.out {
		if !rel.changed {
			continue
		}
		if t := d.Get(rel.n, "text"); rel.neutral {
			if t >= 0 {
				r.set(t, action{kind: actReplace, text: []byte(neutralNarrative)})
			} else {
				r.add(rel.n, "text", []byte(neutralNarrative))
			}
		} else if t >= 0 {
			r.set(t, action{kind: actRemove})
		}
		// Its contained resources are part of it: their narratives may
		// tell what it lost as well as its own.
		d.Items(d.Get(rel.n, "contained"), func(_ int, c jsonx.Node) bool {
			if t := d.Get(c, "text"); t >= 0 && !r.removed(c) {
				r.set(t, action{kind: actRemove})
			}
			return true
		})
		if bytes.Contains(d.Raw(rel.n), []byte(`ignature"`)) {
			r.unsign(rel.n, rel.loc, false)
		}
		if rel.typ == "Parameters" {
			continue // once the marks of the Bundles it holds are known (markParameters)
		}
		r.setSecurity(rel.n, r.redactedSecurity(rel, -1))
	}
}

// signatureMembers are the names R4 gives elements of type Signature
// (Provenance's, a Contract signer's, a VerificationResult's attestations;
// a Bundle's is its run's, writeMarks).
var signatureMembers = wordSet(`signature proxySignature sourceSignature attestationSignature`)

// unsign removes the data of every Signature within the changed resource v
// (at at; sig: v is a Signature or a list of them), its contained
// resources' included: it signed what is no longer
// all there, and a JWS or an enveloped XML signature carries what it
// signed, the withheld targets of a Provenance among it. The rest of the
// Signature (its type, when and who, which R4 requires) stays. The
// resources a Parameters holds are their own.
func (r *redactor) unsign(v jsonx.Node, at string, sig bool) {
	d := r.d
	switch d.Kind(v) {
	case jsonx.Array:
		f, e := d.Range(v)
		for it, i := f, 0; it < e; it, i = d.Skip(it), i+1 {
			if !r.removed(it) {
				r.unsign(it, at+"["+strconv.Itoa(i)+"]", sig)
			}
		}
	case jsonx.Object:
		if sig {
			if data := d.Get(v, "data"); data >= 0 && !r.removed(data) {
				r.set(data, action{kind: actRemove})
				r.rep.Removed = append(r.rep.Removed, at+".data")
			}
			return
		}
		f, e := d.Range(v)
		for k := f; k < e; k = d.Skip(k + 1) {
			if x := k + 1; !r.removed(x) && !d.KeyIs(k, "resource") {
				name := d.Str(k)
				r.unsign(x, at+"."+name, signatureMembers[name])
			}
		}
	}
}

// markParameters writes the meta.security of every changed released
// Parameters, whose confidentiality covers the resources and Bundles it
// still holds.
func (r *redactor) markParameters() {
	for i, rel := range r.out {
		if rel.changed && rel.typ == "Parameters" {
			r.setSecurity(rel.n, r.redactedSecurity(rel, r.heldConf(i)))
		}
	}
}

// neutralNarrative replaces the narrative of what lost content: it must not
// describe what is withheld, nor say what it was.
const neutralNarrative = `{"status":"generated","div":"<div xmlns=\"http://www.w3.org/1999/xhtml\"><p>Some content is withheld.</p></div>"}`

// redactedSecurity writes a changed resource's new meta.security: its
// labels, REDACTED, and a confidentiality when it had none (every labeled
// resource carries one), without PROCESSINLINELABEL once no inline label
// remains.
func (r *redactor) redactedSecurity(rel *released, held int) []byte {
	d := r.d
	var w jsonx.Writer
	w.BeginArray()
	has, hasConf := false, false
	d.Items(d.Get(d.Get(rel.n, "meta"), "security"), func(_ int, c jsonx.Node) bool {
		l, _ := readCoding(d, c)
		hasConf = hasConf || l.system == confidentialityCS
		return true
	})
	if !hasConf {
		code := vocab.ConfidentialityCode(max(r.relConf(rel, vocab.Rank(r.s.opts.DefaultConfidentiality)), held))
		w.BeginObject()
		w.KV("system", confidentialityCS)
		w.KV("code", code)
		w.KV("display", vocab.Lookup(confidentialityCS, code).Display)
		w.EndObject()
	}
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

// heldConf is the highest confidentiality of the resources and Bundles the
// Parameters released as r.out[i] still releases, at any depth, each
// resource counted as the mark of a Bundle counts an entry, each Bundle by
// its mark; -1 when it holds none. Those follow it in r.out (resource
// appends a resource before walking into it).
func (r *redactor) heldConf(i int) int {
	top, conf := r.out[i], -1
	for _, rel := range r.out[i+1:] {
		if !inside(rel.loc, top.loc) {
			break
		}
		if r.survives(top.n, rel.n) {
			conf = max(conf, r.relConf(rel, vocab.Rank(r.s.opts.DefaultConfidentiality)))
		}
	}
	// A Bundle it holds counts by its mark; one left empty holds nothing
	// (its mark is the default, which the recipient may be cleared below).
	for _, run := range r.runs {
		if len(run.entries)+len(run.nested) > 0 && inside(run.loc, top.loc) && r.survives(top.n, run.n) {
			for _, l := range run.final {
				conf = max(conf, l.rank())
			}
		}
	}
	return conf
}

// relConf is the highest confidentiality among a released resource's
// final labels, or def without one.
func (r *redactor) relConf(rel *released, def int) int {
	conf := -1
	for _, l := range r.finalLabels(nil, rel) {
		if l.bad == 0 {
			conf = max(conf, l.rank())
		}
	}
	if conf < 0 {
		return def
	}
	return conf
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

// runRedact, writeRedactReport and readRedactReport are redact's entry in
// the table of operations (ops.go).
func runRedact(s *state, d *jsonx.Doc, n jsonx.Node, typ string, res *Result) error {
	if s.access == nil {
		return errorf(ErrInvalidContext, "redact needs an access context")
	}
	if s.opts.LabelFirst {
		// The labeled resource, read into a document of its own: the
		// state's holds the input, which the report's strings alias.
		labeled, err := labeledWith(d.Raw(n), s.opts)
		if err != nil {
			return err
		}
		ld := new(jsonx.Doc)
		watchInline(ld)
		if err := parseErr(ld.Parse(labeled, s.opts.MaxDepth)); err != nil {
			return err
		}
		d, n = ld, 0
		s.readFrom(d, n)
	} else if !d.Watched && !bytes.Contains(d.Raw(n), []byte(`"security`)) && !bytes.Contains(d.Raw(n), []byte(`"confidentiality"`)) {
		s.diag(SeverityWarning, DiagUnlabeled, typ, "the input carries no security labels, and redaction judges labels: if it has not been labeled, label it first, or set labelFirst")
	}
	// A _x member of a shape that cannot hold extensions is an unreadable
	// label to redaction (siblingOf), inline label or not: any input with
	// a _x member is walked.
	s.mayHaveInline = s.mayHaveInline || d.Underscored
	var err error
	if res.Resource, err = s.redactTop(d, n, typ); err != nil {
		return err
	}
	if s.opts.Audit {
		res.Audit = s.auditEvent(d, n, res.Resource)
	}
	return nil
}

func writeRedactReport(w *jsonx.Writer, r *Report) {
	w.Key("withheld")
	w.BeginArray()
	for _, x := range r.Withheld {
		w.BeginObject()
		w.KV("location", x.Location)
		w.KV("type", x.Type)
		if x.ID != "" {
			w.KV("id", x.ID)
		}
		if x.FullURL != "" {
			w.KV("fullUrl", x.FullURL)
		}
		if x.References != nil {
			writeStrings(w, "references", x.References)
		}
		w.KV("reason", x.Reason)
		if x.Detail != "" {
			w.KV("detail", x.Detail)
		}
		writeCodes(w, "labels", x.Labels)
		w.EndObject()
	}
	w.EndArray()
	writeStrings(w, "removed", r.Removed)
	writeStrings(w, "masked", r.Masked)
	writeMarks(w, r.Marks)
}

func readRedactReport(d *jsonx.Doc, rep jsonx.Node, r *Report) {
	d.Items(d.Get(rep, "withheld"), func(_ int, x jsonx.Node) bool {
		r.Withheld = append(r.Withheld, Withheld{Location: str(d, x, "location"), Type: str(d, x, "type"), ID: str(d, x, "id"),
			FullURL: str(d, x, "fullUrl"), References: readStrings(d, d.Get(x, "references")), Reason: str(d, x, "reason"), Detail: str(d, x, "detail"),
			Labels: readCodings(d, d.Get(x, "labels"))})
		return true
	})
	r.Removed, r.Masked = readStrings(d, d.Get(rep, "removed")), readStrings(d, d.Get(rep, "masked"))
	readMarks(d, rep, r)
}

func hasConfidentiality(ls []label) bool {
	for i := range ls {
		if ls[i].rank() >= 0 {
			return true
		}
	}
	return false
}

func defaultConfidentiality(o *Options) label {
	r := vocab.Rank(o.DefaultConfidentiality)
	return label{system: confidentialityCS, code: vocab.ConfidentialityCode(r), set: vocab.SetConfidentiality, info: vocab.ConfidentialityOf(r), node: -1}
}
