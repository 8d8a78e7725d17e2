package engine

import (
	"strconv"
	"strings"

	"github.com/seclabel/seclabel/engine/internal/r4"
	"github.com/seclabel/seclabel/internal/jsonx"
)

// refSet holds what is withheld under every form a reference to it may
// take: its fullUrl (an absolute URL or urn:uuid / urn:oid) and its
// Type/id, which relative, absolute and version-specific references all
// reduce to. Matching on Type/id whatever the base masks a reference to a
// same-named resource on another server too: the safe side.
type refSet struct {
	full, typeID map[string]bool
	hint         int  // the maps' first size: a Bundle's entry count
	urn          bool // some fullUrl is a urn:uuid or urn:oid
	// The identifiers of what is withheld, for logical references
	// (Reference.identifier): "system|value", and "|value" for one
	// without a system; values holds every value, for a quick look.
	ident, values map[string]bool
}

func (g *refSet) empty() bool { return len(g.full) == 0 && len(g.typeID) == 0 && len(g.ident) == 0 }

// add remembers one reference form of a withheld resource; a conditional
// one (Type?identifier=system|value, as a report's references write it)
// remembers the identifiers it names.
func (g *refSet) add(ref string) {
	if typ, query, ok := strings.Cut(ref, "?"); ok && r4.Types[typ] {
		for ok {
			var param string
			param, query, ok = strings.Cut(query, "&")
			if name, tok, _ := strings.Cut(param, "="); name == "identifier" {
				sys, val, hasSys := strings.Cut(percentDecoded(tok), "|")
				if !hasSys {
					sys, val = "", sys
				}
				g.identity(sys+"|"+val, val)
			}
		}
	}
	base := stripVersion(ref)
	if base == "" || base[0] == '#' {
		return
	}
	if tid := typeIDOf(base); tid != "" {
		if g.typeID == nil {
			g.typeID = make(map[string]bool, g.hint)
		}
		g.typeID[tid] = true
	}
	if g.full == nil {
		g.full = make(map[string]bool, g.hint)
	}
	g.full[base] = true // the set lives within the call, as its input does
	g.urn = g.urn || strings.HasPrefix(base, "urn:")
}

// resource remembers a withheld resource by its fullUrl and Type/id,
// building the latter in ss.
func (g *refSet) resource(d *jsonx.Doc, n jsonx.Node, fullURL string, ss *strSlab) {
	if fullURL != "" {
		g.add(fullURL)
	}
	if id := d.Str(d.Get(n, "id")); id != "" {
		g.add(ss.join(d.Str(d.Get(n, "resourceType")), slash, id))
	}
	// A canonical resource (Questionnaire, PlanDefinition, ValueSet, ...)
	// is referred to by its url, with or without a version.
	if u := d.Str(d.Get(n, "url")); u != "" {
		g.add(u)
	}
	eachIdentifier(d, n, func(x jsonx.Node) { g.identifier(d, x, ss) })
}

// eachIdentifier calls f with each Identifier of the resource at n:
// identifier is a list on most resources and one on a few (Bundle,
// Composition, QuestionnaireResponse).
func eachIdentifier(d *jsonx.Doc, n jsonx.Node, f func(x jsonx.Node)) {
	ids := d.Get(n, "identifier")
	if d.Kind(ids) == jsonx.Object {
		f(ids)
	}
	d.Items(ids, func(_ int, x jsonx.Node) bool { f(x); return true })
}

// identifier remembers one Identifier of a withheld resource.
func (g *refSet) identifier(d *jsonx.Doc, x jsonx.Node, ss *strSlab) {
	if v := d.Str(d.Get(x, "value")); v != "" {
		g.identity(ss.join(d.Str(d.Get(x, "system")), bar, v), v)
	}
}

// otherForms returns the forms besides Type/id and fullUrl by which
// references elsewhere may name the resource at n: its canonical url, and
// a conditional reference (Type?identifier=system|value, with % and &
// escaped) for each identifier. A caller that withholds it gives them to
// later calls as withheldReferences, which add reads back.
func otherForms(d *jsonx.Doc, n jsonx.Node, typ string) []string {
	var forms []string
	if u := d.Str(d.Get(n, "url")); u != "" {
		forms = append(forms, u)
	}
	eachIdentifier(d, n, func(x jsonx.Node) {
		if v := d.Str(d.Get(x, "value")); v != "" {
			forms = append(forms, typ+"?identifier="+queryEscaped(d.Str(d.Get(x, "system")))+"|"+queryEscaped(v))
		}
	})
	return forms
}

// queryEscaped escapes what would end or change a search value: % and &.
func queryEscaped(s string) string {
	if strings.IndexByte(s, '%') < 0 && strings.IndexByte(s, '&') < 0 {
		return s
	}
	b := make([]byte, 0, len(s)+8)
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '%':
			b = append(b, "%25"...)
		case '&':
			b = append(b, "%26"...)
		default:
			b = append(b, s[i])
		}
	}
	return string(b)
}

// identity remembers "system|value" (or "|value" without a system).
func (g *refSet) identity(key, v string) {
	if v == "" {
		return
	}
	if g.ident == nil {
		g.ident, g.values = map[string]bool{}, map[string]bool{}
	}
	g.ident[key] = true
	g.values[v] = true
}

var bar = []byte{'|'}

// identifies reports whether the Identifier at x names something withheld:
// the same system and value, or the same value where either has no system
// (the safe side).
func (g *refSet) identifies(d *jsonx.Doc, x jsonx.Node) bool {
	return g.identified(d.Str(d.Get(x, "system")), d.Str(d.Get(x, "value")))
}

// identified is identifies for a system (possibly empty) and a value.
func (g *refSet) identified(sys, val string) bool {
	return g.values[val] && (sys == "" || g.ident["|"+val] || g.ident[sys+"|"+val])
}

// logicalReference reports whether obj is a Reference that names what is
// withheld by its identifier alone: an object of Reference's members only
// (a backbone element may have an identifier of its own) whose identifier
// is withheld's.
func (m *masker) logicalReference(obj jsonx.Node) bool {
	d, g := m.d, &m.r.gone
	x := d.Get(obj, "identifier")
	if len(g.values) == 0 || d.Kind(x) != jsonx.Object || !g.identifies(d, x) {
		return false
	}
	only := true
	d.Members(obj, func(k, _ jsonx.Node) bool {
		only = among(d.Str(k), "id extension reference type identifier display ")
		return only
	})
	return only
}

var slash = []byte{'/'}

// has reports whether ref names something withheld.
func (g *refSet) has(ref string) bool {
	if g.empty() || len(ref) < 3 {
		return false
	}
	base := stripVersion(ref)
	if g.full[base] {
		return true
	}
	// typeID holds only Type/ids of types R4 knows: the type needs no
	// look-up of its own here.
	if tid := lastTwo(base); tid != "" && g.typeID[tid] {
		return true
	}
	if len(g.values) > 0 && g.conditional(ref) || g.mentionsBut(ref, base) {
		return true
	}
	// A URL may escape any character (Condition/%63%31 is Condition/c1 to
	// the server that reads it).
	if dec := percentDecoded(ref); dec != ref {
		return g.has(dec)
	}
	return false
}

// conditional reports whether ref is a conditional reference (a search, as
// a transaction may write one: Observation?identifier=system|value) whose
// identifier is a withheld resource's; a value without a system, or with
// an empty one, matches it in any system (the safe side).
func (g *refSet) conditional(ref string) bool {
	_, query, ok := strings.Cut(ref, "?")
	for ok {
		var param string
		param, query, ok = strings.Cut(query, "&")
		name, tok, _ := strings.Cut(param, "=")
		if name != "identifier" {
			continue
		}
		tok = percentDecoded(tok)
		sys, val, hasSys := strings.Cut(tok, "|")
		if !hasSys {
			sys, val = "", tok
		}
		if g.identified(sys, val) {
			return true
		}
	}
	return false
}

// percentDecoded decodes %XX escapes (a search value may escape its | or
// its system's : and /); a malformed escape stays as it is.
func percentDecoded(s string) string {
	if strings.IndexByte(s, '%') < 0 {
		return s
	}
	b := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		if s[i] == '%' && i+2 < len(s) {
			if hi, lo := unhex(s[i+1]), unhex(s[i+2]); hi >= 0 && lo >= 0 {
				b = append(b, byte(hi<<4|lo))
				i += 2
				continue
			}
		}
		b = append(b, s[i])
	}
	return string(b)
}

func unhex(c byte) int {
	switch {
	case '0' <= c && c <= '9':
		return int(c - '0')
	case 'a' <= c && c <= 'f':
		return int(c-'a') + 10
	case 'A' <= c && c <= 'F':
		return int(c-'A') + 10
	}
	return -1
}

// mentions reports whether s names something withheld anywhere inside it,
// as free text does ("reviewed Observation/hiv1.", "see urn:uuid:..."): a
// Type/id whose type is a run of letters starting with a capital and whose
// id runs up to the first byte an id cannot hold (final full stops may be
// punctuation), or a urn: fullUrl up to white space or punctuation.
func (g *refSet) mentions(s string) bool { return g.mentionsBut(s, "") }

// mentionsBut is mentions where a candidate that is looked, which has
// has already looked up in full and (as Type/id) in typeID, is not looked
// up again: a reference is most often one whole urn or Type/id.
func (g *refSet) mentionsBut(s, looked string) bool {
	if !g.empty() {
		for i := strings.IndexByte(s, '/'); i > 0; {
			j := i
			for j > 0 && isASCIILetter(s[j-1]) {
				j--
			}
			if j < i && s[j] >= 'A' && s[j] <= 'Z' {
				k := i + 1
				for k < len(s) && isIDByte(s[k]) {
					k++
				}
				for ; k > i+1; k-- {
					// A type the engine does not know is kept whole, in full.
					if s[j:k] != looked && (g.typeID[s[j:k]] || g.full[s[j:k]]) {
						return true
					}
					if s[k-1] != '.' {
						break
					}
				}
			}
			next := strings.IndexByte(s[i+1:], '/')
			if next < 0 {
				break
			}
			i += 1 + next
		}
	}
	if g.urn {
		for rest := s; ; {
			i := strings.Index(rest, "urn:")
			if i < 0 {
				break
			}
			rest = rest[i:]
			k := 4
			for k < len(rest) && !urnEnd(rest[k]) {
				k++
			}
			for ; k > 4; k-- {
				if rest[:k] != looked && g.full[rest[:k]] {
					return true
				}
				if rest[k-1] != '.' {
					break
				}
			}
			rest = rest[4:]
		}
	}
	return false
}

func isASCIILetter(c byte) bool { return c|0x20 >= 'a' && c|0x20 <= 'z' }

// isIDByte reports whether c may be part of a FHIR id ([A-Za-z0-9.-]).
func isIDByte(c byte) bool { return isASCIILetter(c) || c >= '0' && c <= '9' || c == '-' || c == '.' }

// urnEnd reports whether c ends a urn: written in text.
func urnEnd(c byte) bool {
	switch c {
	case ' ', '\t', '\n', '\r', '"', '\'', '<', '>', ',', ';', ')', ']', '}':
		return true
	}
	return false
}

// stripHistory drops a version: Condition/c1/_history/3 is Condition/c1.
func stripHistory(ref string) string {
	if i := strings.Index(ref, "/_history"); i >= 0 {
		return ref[:i]
	}
	return ref
}

// stripVersion drops a version: of a resource (Condition/c1/_history/3 is
// Condition/c1) or of a canonical (http://x/Questionnaire/q|2 is
// http://x/Questionnaire/q).
func stripVersion(ref string) string {
	ref = stripHistory(ref)
	if i := strings.LastIndexByte(ref, '|'); i > 0 {
		return ref[:i]
	}
	return ref
}

// typeIDOf returns the Type/id a reference ends in, or "".
func typeIDOf(ref string) string {
	tid := lastTwo(ref)
	if i := strings.IndexByte(tid, '/'); i < 0 || !r4.Types[tid[:i]] {
		return ""
	}
	return tid
}

// lastTwo returns the last two segments of a path, a/b, when the second is
// not empty, or "".
func lastTwo(ref string) string {
	i := strings.LastIndexByte(ref, '/')
	if i <= 0 || i == len(ref)-1 {
		return ""
	}
	return ref[strings.LastIndexByte(ref[:i], '/')+1:]
}

// refKeyOf is the one form a reference is compared in: its Type/id when it
// has one, else the reference itself without a version.
func refKeyOf(ref string) string {
	base := stripVersion(ref)
	if tid := typeIDOf(base); tid != "" {
		return tid
	}
	return base
}

// maskReferences masks, in everything released, every reference to what
// is withheld: Reference elements lose reference, display, identifier and
// type and gain data-absent-reason masked; other strings that name a
// withheld resource (Attachment.url, valueUri, ...) are masked the same
// way; a document section or a List drops the entries that point at it;
// Bundle links and request URLs that name it go; a narrative that links to
// it goes.
func (r *redactor) maskReferences() {
	local := false
	for _, rel := range r.out {
		local = local || len(rel.removed) > 0
	}
	m := masker{r: r, d: r.d}
	if r.gone.empty() && !local {
		// A link's query tells what was searched for, whether or not
		// anything it matched is withheld.
		for _, run := range r.runs {
			m.links(run.n, run.loc)
			m.d.Items(m.d.Get(run.n, "entry"), func(i int, e jsonx.Node) bool {
				m.links(e, run.loc+".entry["+strconv.Itoa(i)+"]")
				return true
			})
		}
		return
	}
	for _, rel := range r.out {
		m.rel = rel
		if rel.typ == "Bundle" || m.mayHit(rel.n) {
			// Only sections and Lists need the element path their entries sit at.
			m.names = rel.typ == "Composition" || rel.typ == "List"
			m.base, m.entry, m.trail = rel.loc, -1, m.trail[:0]
			m.object(rel.n, nil, false, true)
		}
		if t := m.d.Get(rel.n, "text"); m.narrativeHits(t) {
			r.set(t, action{kind: actRemove})
			rel.changed = true
			r.rep.Masked = append(r.rep.Masked, rel.loc+".text")
		}
	}
	m.names = false
	for _, run := range r.runs {
		m.bundle(run)
	}
}

// links removes the links of a Bundle or an entry, o at location loc,
// whose url names something withheld or whose query names what the
// recipient may not see.
func (m *masker) links(o jsonx.Node, loc string) {
	r, d := m.r, m.d
	arr, at := d.Get(o, "link"), loc+".link"
	n, lost := 0, 0
	d.Items(arr, func(i int, l jsonx.Node) bool {
		n++
		if u := d.Str(d.Get(l, "url")); m.hits(u) || r.s.queryDenied(u) {
			r.set(l, action{kind: actRemove})
			r.rep.Removed = append(r.rep.Removed, at+"["+strconv.Itoa(i)+"]")
			lost++
		}
		return true
	})
	if lost > 0 && lost == n {
		r.set(arr, action{kind: actRemove})
	}
}

// mayHit reports whether some string below n could name what is withheld:
// one pass over n's stretch of the tape, where the walk that finds and
// masks the references keeps a path and looks members up. Most released
// resources refer to nothing withheld and are passed over this way.
func (m *masker) mayHit(n jsonx.Node) bool {
	d := m.d
	values := m.r.gone.values
	for c, end := n+1, d.Skip(n); c < end; c++ {
		if d.Kind(c) != jsonx.String {
			continue
		}
		s := d.Str(c)
		if values[s] {
			return true
		}
		if m.cannotHit(s) || d.Kind(c-1) == jsonx.Key && neverRefers(d.Str(c-1)) {
			continue // the walk passes over these too (skipString)
		}
		if m.named(s) {
			return true
		}
	}
	return false
}

type masker struct {
	r     *redactor
	d     *jsonx.Doc
	rel   *released
	base  string  // the location of what is walked
	entry int     // when >= 0, base is this entry of the Bundle at base, made when first needed
	trail []crumb // the way below it, made a location only when needed
	names bool    // keep the element path below the resource
}

// crumb is one step of the way: a member name, or an index.
type crumb struct {
	name string
	i    int
}

// at is the location being walked.
func (m *masker) at() string {
	if m.entry >= 0 {
		m.base, m.entry = m.base+".entry["+strconv.Itoa(m.entry)+"]", -1
	}
	b := append([]byte(nil), m.base...)
	for _, c := range m.trail {
		if c.name != "" {
			b = append(b, '.')
			b = append(b, strings.TrimPrefix(c.name, "_")...)
		}
		if c.i >= 0 {
			b = appendIndex(b, c.i)
		}
	}
	return string(b)
}

// hits reports whether a string names something withheld. Most strings
// cannot (no slash, no urn:, no #): they cost a scan or two.
func (m *masker) hits(ref string) bool { return !m.cannotHit(ref) && m.named(ref) }

// cannotHit is hits' first look: a string with no slash, no urn:, no #
// (and no identifier= when identifiers are withheld) names nothing.
func (m *masker) cannotHit(ref string) bool {
	return ref == "" || strings.IndexByte(ref, '/') < 0 && ref[0] != '#' && !strings.Contains(ref, "urn:") &&
		!(len(m.r.gone.values) > 0 && strings.Contains(ref, "identifier="))
}

// named is hits past its first look.
func (m *masker) named(ref string) bool {
	return m.r.gone.has(ref) || ref[0] == '#' && m.rel != nil && m.rel.removed[ref]
}

// below is names with name appended, when the masker keeps names.
func (m *masker) below(names []string, name string) []string {
	if !m.names {
		return nil
	}
	return append(names[:len(names):len(names)], name)
}

// skipString lists members whose strings are never references.
func skipString(name string, ext bool) bool {
	return neverRefers(name) || name == "div" || name == "url" && ext
}

// neverRefers lists members whose strings are never references wherever
// they sit. A narrative's div is not among them: the walk reads nested ones.
//
// Its one length compare for most names matters: the first look at a
// resource (mayHit) asks it of every string that might be a reference.
//
//go:noinline
func neverRefers(name string) bool {
	switch len(name) {
	case 2:
		return name == "id"
	case 4:
		return name == "code"
	case 6:
		return name == "system" || name == "status"
	case 7:
		return name == "version" || name == "fullUrl"
	case 12:
		return name == "resourceType"
	}
	return false
}

func (m *masker) push(name string, i int) int {
	m.trail = append(m.trail, crumb{name, i})
	return len(m.trail) - 1
}

// object masks what obj holds; names is its element path below the
// resource, ext whether it is an extension, top whether it is the resource.
func (m *masker) object(obj jsonx.Node, names []string, ext, top bool) {
	r, d := m.r, m.d
	// Only what is dirty holds an action: elsewhere nothing can be removed
	// or replaced already.
	dirty := r.dirty.has(obj)
	if dirty && r.acts[obj].kind != 0 {
		return // removed or replaced already
	}
	if ref := d.Get(obj, "reference"); !top && (d.IsStr(ref) && m.hits(d.Str(ref)) || m.logicalReference(obj)) {
		r.set(obj, action{kind: actReplace, text: maskedReference(d, obj), keepsExt: true})
		m.masked()
		return
	}
	m.members(obj, names, ext, top, nil)
}

// members masks the members of obj, but those skip names (when not nil);
// names is obj's element path below the resource, ext whether obj is an
// extension, top whether it is the resource (whose meta and narrative are
// not looked into here).
func (m *masker) members(obj jsonx.Node, names []string, ext, top bool, skip func(name string) bool) {
	r, d := m.r, m.d
	dirty := r.dirty.has(obj)
	ix := indexMembers(d, obj)
	first, end := d.Range(obj)
	for k := first; k < end; k = d.Skip(k + 1) {
		v := k + 1
		name := d.Str(k)
		if skip != nil && skip(name) || dirty && r.removed(v) || top && (name == "meta" || name == "text") {
			continue
		}
		if name == "resource" && m.rel != nil && m.rel.typ == "Parameters" {
			continue // a resource of its own, masked as one
		}
		if name == "text" && !top && d.IsStr(d.Get(v, "div")) && m.narrativeHits(v) {
			// A narrative that names what is withheld goes: a contained
			// resource's, as a released resource's own does; a document
			// section's becomes the neutral one (a section keeps text,
			// entries or sections).
			if d.IsStr(ix.get("resourceType")) {
				r.set(v, action{kind: actRemove})
			} else {
				r.set(v, action{kind: actReplace, text: []byte(neutralNarrative)})
			}
			if m.rel != nil {
				m.rel.changed = true
			}
			mark := m.push(name, -1)
			m.r.rep.Masked = append(m.r.rep.Masked, m.at())
			m.trail = m.trail[:mark]
			continue
		}
		mark := m.push(name, -1)
		switch d.Kind(v) {
		case jsonx.String:
			if !skipString(name, ext) && name != "reference" && m.hits(d.Str(v)) {
				m.primitive(&ix, name, v)
			}
		case jsonx.Object:
			m.object(v, m.below(names, name), false, false)
		case jsonx.Array:
			m.array(&ix, name, v, m.below(names, name))
			dirty = r.dirty.has(obj) // a section or List may lose its title and code
		}
		m.trail = m.trail[:mark]
	}
}

// pointers are the R4 backbone elements whose items each exist to point
// at one resource, by the member named: an item whose target is withheld
// goes whole, not masked, for its other members (a name, a detail, a use,
// a rank) describe what it points at.
var pointers = wordPairs(`
List.entry=item AuditEvent.entity=what Provenance.entity=what
Task.input=valueReference Task.output=valueReference Group.member=entity
Communication.payload=contentReference
CommunicationRequest.payload=contentReference Encounter.diagnosis=condition
EpisodeOfCare.diagnosis=condition ClinicalImpression.finding=itemReference
CarePlan.activity=reference DocumentReference.relatesTo=target
DiagnosticReport.media=link Immunization.reaction=detail
Claim.diagnosis=diagnosisReference Claim.procedure=procedureReference
ExplanationOfBenefit.diagnosis=diagnosisReference
ExplanationOfBenefit.procedure=procedureReference`)

// array masks the items of an array member; a document section's entry
// list, a List's entries and the items of other pointers lose the items
// that point at what is withheld.
func (m *masker) array(ix *memberIndex, name string, arr jsonx.Node, names []string) {
	r, d := m.r, m.d
	obj := ix.obj
	member := "" // the member of each item that points, "" for the item itself
	listed := m.rel != nil && m.rel.typ == "Composition" && name == "entry" && len(names) >= 2 && names[0] == "section"
	if m.rel != nil && obj == m.rel.n && !listed {
		member = pointers[m.rel.typ+"."+name]
		listed = member != ""
	}
	ext := name == "extension" || name == "modifierExtension"
	sib := ix.underscored(name)
	// The items of a _name array, walked beside arr's: looking item i up by
	// index would make a long array cost time quadratic in its length.
	cs, endS := jsonx.Node(0), jsonx.Node(0)
	if d.Kind(sib) == jsonx.Array {
		cs, endS = d.Range(sib)
	}
	n, lost := 0, 0
	dirty := r.dirty.has(arr)
	first, end := d.Range(arr)
	for it, i := first, 0; it < end; it, i, cs = d.Skip(it), i+1, next(d, cs, endS) {
		n++
		if dirty && r.removed(it) {
			lost++
			continue
		}
		mark := m.push("", i)
		switch d.Kind(it) {
		case jsonx.String:
			if !skipString(name, ext) && m.hits(d.Str(it)) {
				r.set(it, action{kind: actRemove})
				if si := live(cs, endS); si >= 0 {
					r.set(si, action{kind: actRemove})
				}
				m.masked()
				lost++
			}
		case jsonx.Object:
			target := it
			if member != "" {
				target = d.Get(it, member)
			}
			ref := d.Get(target, "reference")
			if listed && (d.IsStr(ref) && m.hits(d.Str(ref)) || m.logicalReference(target)) {
				r.set(it, action{kind: actRemove})
				m.rel.changed = true
				r.rep.Removed = append(r.rep.Removed, m.at())
				lost++
			} else {
				m.object(it, names, ext, false)
			}
		}
		m.trail = m.trail[:mark]
	}
	if lost == 0 || n == 0 {
		return
	}
	if lost == n {
		r.set(arr, action{kind: actRemove})
		if sib >= 0 {
			r.set(sib, action{kind: actRemove})
		}
	} else {
		r.dropEmptied(-1, sib)
	}
	if !listed || m.rel.typ != "Composition" && m.rel.typ != "List" {
		return
	}
	// What is left must not describe what went: a title or code that
	// named only what went would still say it.
	if lost == n {
		at := m.at()
		at = at[:strings.LastIndexByte(at, '.')]
		for _, name := range [...]string{"title", "code"} {
			if x := d.Get(obj, name); x >= 0 && r.act(x).kind == 0 {
				r.set(x, action{kind: actRemove})
				if sib := d.GetUnderscored(obj, name); sib >= 0 {
					r.set(sib, action{kind: actRemove})
				}
				r.rep.Removed = append(r.rep.Removed, at+"."+name)
			}
		}
	}
	if m.rel.typ == "List" {
		m.rel.neutral = true
		if lost == n && d.Get(obj, "emptyReason") < 0 {
			r.add(obj, "emptyReason", []byte(emptyWithheld))
		}
		return
	}
	if t := d.Get(obj, "text"); t >= 0 {
		r.set(t, action{kind: actReplace, text: []byte(neutralNarrative)})
	} else {
		r.add(obj, "text", []byte(neutralNarrative))
	}
	if lost == n && d.Get(obj, "emptyReason") < 0 {
		r.add(obj, "emptyReason", []byte(emptyWithheld))
	}
}

// emptyWithheld is the emptyReason of a section or List whose every entry
// is withheld.
const emptyWithheld = `{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/list-empty-reason","code":"withheld","display":"Information Withheld"}]}`

// primitive masks a string that names something withheld: the value goes
// and its _x sibling carries data-absent-reason masked.
func (m *masker) primitive(ix *memberIndex, name string, v jsonx.Node) {
	r, obj := m.r, ix.obj
	r.set(v, action{kind: actRemove})
	ext := []byte(`{"extension":[` + darMasked + `]}`)
	if sib := ix.underscored(name); sib >= 0 {
		r.set(sib, action{kind: actReplace, text: ext})
	} else {
		r.add(obj, "_"+name, ext)
	}
	m.masked()
}

func (m *masker) masked() {
	if m.rel != nil {
		m.rel.changed = true
	}
	m.r.rep.Masked = append(m.r.rep.Masked, m.at())
}

// narrativeHits reports whether a narrative links to something withheld
// (an href or src attribute naming it) or names it in its text.
func (m *masker) narrativeHits(text jsonx.Node) bool {
	d := m.d
	if text < 0 || m.r.act(text).kind != 0 {
		return false
	}
	div := d.Str(d.Get(text, "div"))
	if m.r.gone.mentions(div) {
		return true
	}
	for _, attr := range [...]string{"href=", "src="} {
		for rest := div; ; {
			i := strings.Index(rest, attr)
			if i < 0 {
				break
			}
			rest = rest[i+len(attr):]
			if rest == "" || rest[0] != '"' && rest[0] != '\'' {
				continue
			}
			q := rest[0]
			end := strings.IndexByte(rest[1:], q)
			if end < 0 {
				break
			}
			if m.hits(rest[1 : 1+end]) {
				return true
			}
			rest = rest[1+end:]
		}
	}
	return false
}

// bundle masks a released Bundle's own references: links that name
// something withheld go, and so do entries without a resource whose request
// or response names it (a request about a withheld resource tells of it);
// any other string of the Bundle or its entries (outside their resources)
// that names it is masked.
func (m *masker) bundle(run *bundleRun) {
	r, d := m.r, m.d
	m.rel = nil
	m.links(run.n, run.loc)
	m.base, m.entry, m.trail = run.loc, -1, m.trail[:0]
	m.members(run.n, nil, false, false, func(name string) bool {
		return name == "entry" || name == "link" || name == "meta" || name == "resourceType" || name == "id"
	})
	d.Items(d.Get(run.n, "entry"), func(i int, e jsonx.Node) bool {
		if r.removed(e) || d.Kind(e) != jsonx.Object {
			return true
		}
		at := func() string { return run.loc + ".entry[" + strconv.Itoa(i) + "]" }
		req := d.Get(d.Get(e, "request"), "url")
		loc := d.Get(d.Get(e, "response"), "location")
		if d.Get(e, "resource") < 0 && (d.IsStr(req) && m.hits(d.Str(req)) || d.IsStr(loc) && m.hits(d.Str(loc))) {
			r.set(e, action{kind: actRemove})
			r.rep.Removed = append(r.rep.Removed, at())
			run.match(d, e)
			return true
		}
		if d.Get(e, "link") >= 0 {
			m.links(e, at())
		}
		m.base, m.entry, m.trail = run.loc, i, m.trail[:0]
		m.members(e, nil, false, false, func(name string) bool { return name == "resource" || name == "link" || name == "response" })
		if resp := d.Get(e, "response"); d.Kind(resp) == jsonx.Object {
			mark := m.push("response", -1)
			m.members(resp, nil, false, false, func(name string) bool { return name == "outcome" })
			m.trail = m.trail[:mark]
		}
		return true
	})
}

// keptOnMask reports whether the extension x stays on a masked Reference:
// an inline security label.
func keptOnMask(d *jsonx.Doc, x jsonx.Node) bool {
	return d.Kind(x) == jsonx.Object && d.KeyIs(d.Get(x, "url"), extInline)
}

// maskedReference writes a Reference without what identifies its target
// (reference, display, identifier, type), with data-absent-reason masked
// among its extensions.
func maskedReference(d *jsonx.Doc, n jsonx.Node) []byte {
	var w jsonx.Writer
	w.BeginObject()
	hasExt := false
	d.Members(n, func(k, v jsonx.Node) bool {
		switch name := d.Str(k); name {
		case "id":
			w.Key(name)
			w.Raw(d.Raw(v))
		case "extension":
			// Only its inline labels stay: any other extension says
			// something about the reference, and so about what it names.
			hasExt = true
			w.Key("extension")
			w.BeginArray()
			d.Items(v, func(_ int, x jsonx.Node) bool {
				if keptOnMask(d, x) {
					w.Raw(d.Raw(x))
				}
				return true
			})
			w.Raw([]byte(darMasked))
			w.EndArray()
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

// alsoWithheld returns the released resources that must go, with why:
// another version or copy of them is withheld (the same Type/id); for a
// Binary, its securityContext names something
// withheld (by reference or identifier), or an Attachment removed with
// withheld content names it.
//
// What one finds goes at once, and is looked for again in those left, so
// a chain (a Binary whose securityContext is a Provenance of a withheld
// Observation) is found in one round, up to maxChain links; done is false
// when the chain is longer.
func (r *redactor) alsoWithheld() (more map[jsonx.Node]string, done bool) {
	for pass := 0; pass < maxChain; pass++ {
		found := r.alsoWithheldPass(more)
		if len(found) == 0 {
			return more, true
		}
		if more == nil {
			more = map[jsonx.Node]string{}
		}
		for _, rel := range r.out {
			if why := found[rel.n]; why != "" {
				more[rel.n] = why
				r.gone.resource(r.d, rel.n, rel.fullURL, &r.s.strs)
			}
		}
	}
	return more, false
}

// maxChain and maxRounds bound how far redaction follows resources that go
// with withheld ones: legitimate chains are a few links long (an
// ExplanationOfBenefit, its Claim, the Condition it bills), and following
// an endless one would take time quadratic in the input.
const maxChain, maxRounds = 64, 8

// alsoWithheldPass is one pass of alsoWithheld over what is released and
// not yet found (skip).
func (r *redactor) alsoWithheldPass(skip map[jsonx.Node]string) map[jsonx.Node]string {
	d, g := r.d, &r.gone
	some := !g.empty() // anything withheld, some version of it released perhaps
	var more map[jsonx.Node]string
	var attached map[string]bool
	var orphans map[jsonx.Node]bool
	if some {
		orphans = r.directoryGone(skip)
	}
	for _, rel := range r.out {
		if !some && rel.typ != "Binary" || skip[rel.n] != "" {
			continue
		}
		why := ""
		switch id := d.Str(d.Get(rel.n, "id")); {
		case some && rel.typ != "Binary" && r.repeatsGone(rel):
			// before same-resource: what it repeats is why it goes, also
			// when another line's pass already named it withheld
			why = whyInherit
		case some && id != "" && g.typeID[rel.typ+"/"+id]:
			why = whySameResource
		case some && rel.typ == "Provenance" && r.allGone(d.Get(rel.n, "target")):
			why = whyProvenance
		case orphans[rel.n]:
			why = whyDirectory
		case rel.typ != "Binary":
			continue
		case r.proxyGone(rel.n):
			why = whySecurityContext
		default:
			if attached == nil {
				attached = r.attachedTo()
			}
			if rel.fullURL != "" && attached[refKeyOf(rel.fullURL)] || id != "" && attached["Binary/"+id] {
				why = whyAttachment
			}
		}
		if why != "" {
			if more == nil {
				more = map[jsonx.Node]string{}
			}
			more[rel.n] = why
		}
	}
	return more
}

// directoryGone returns the released directory entries (directoryTypes:
// an Organization, a Location, a practitioner, ...) that withheld
// resources reference and no released one does:
// in a patient's Bundle, the addiction treatment center a withheld
// Encounter was at tells of it, and nothing released needs it. skip holds
// the resources found withheld in earlier passes. References are matched
// by Type/id and fullUrl; one by identifier keeps the entry.
func (r *redactor) directoryGone(skip map[jsonx.Node]string) map[jsonx.Node]bool {
	d := r.d
	keys := map[string]jsonx.Node{}
	for _, rel := range r.out {
		if !directoryTypes[rel.typ] || skip[rel.n] != "" {
			continue
		}
		if id := d.Str(d.Get(rel.n, "id")); id != "" {
			keys[rel.typ+"/"+id] = rel.n
		}
		if rel.fullURL != "" {
			keys[refKeyOf(rel.fullURL)] = rel.n
		}
	}
	if len(keys) == 0 {
		return nil
	}
	byGone, byReleased := map[jsonx.Node]bool{}, map[jsonx.Node]bool{}
	mark := func(from jsonx.Node, to map[jsonx.Node]bool) { referred(d, from, from, keys, to) }
	for _, n := range r.goneNodes {
		mark(n, byGone)
	}
	for _, rel := range r.out {
		if skip[rel.n] != "" {
			mark(rel.n, byGone)
		}
	}
	if len(byGone) == 0 {
		return nil
	}
	// What released resources reference, until every candidate is found
	// referenced (a patient's Organization is, early).
	for _, rel := range r.out {
		if len(byReleased) >= len(byGone) && allIn(byGone, byReleased) {
			break
		}
		if skip[rel.n] == "" && !directoryTypes[rel.typ] {
			mark(rel.n, byReleased)
		}
	}
	// A directory entry that stays refers as a released resource does (a
	// Location part of an Organization); one going is seen in the next
	// pass, among skip.
	for _, rel := range r.out {
		if directoryTypes[rel.typ] && skip[rel.n] == "" && !(byGone[rel.n] && !byReleased[rel.n]) {
			mark(rel.n, byReleased)
		}
	}
	var out map[jsonx.Node]bool
	for n := range byGone {
		if !byReleased[n] {
			if out == nil {
				out = map[jsonx.Node]bool{}
			}
			out[n] = true
		}
	}
	return out
}

// allIn reports whether every key of a is in b.
func allIn(a, b map[jsonx.Node]bool) bool {
	for n := range a {
		if !b[n] {
			return false
		}
	}
	return true
}

// referred adds to to the resources of keys (by Type/id and fullUrl) that
// a Reference.reference within n names, contained references ("#id") and
// from, the resource n is in, aside.
func referred(d *jsonx.Doc, n, from jsonx.Node, keys map[string]jsonx.Node, to map[jsonx.Node]bool) {
	f, e := d.Range(n)
	switch d.Kind(n) {
	case jsonx.Array:
		for x := f; x < e; x = d.Skip(x) {
			referred(d, x, from, keys, to)
		}
	case jsonx.Object:
		for k := f; k < e; k = d.Skip(k + 1) {
			v := k + 1
			if !d.IsStr(v) {
				referred(d, v, from, keys, to)
				continue
			}
			if !d.KeyIs(k, "reference") || strings.HasPrefix(d.Str(v), "#") {
				continue
			}
			ref := stripHistory(percentDecoded(d.Str(v)))
			t, ok := keys[refKeyOf(ref)]
			if !ok {
				t, ok = keys[typeIDOf(ref)]
			}
			if ok && t != from {
				to[t] = true
			}
		}
	}
}

// repeatsGone reports whether the resource rel references something
// withheld along an inherit element (Options.Inherit): it repeats what
// that holds, as labeling would have given it that resource's labels.
func (r *redactor) repeatsGone(rel *released) bool {
	for _, p := range r.s.opts.refs {
		if p.back && p.typ == rel.typ && r.goneAlong(rel.n, p.path) {
			return true
		}
	}
	return false
}

// goneAlong reports whether a Reference at path below n names something
// withheld, by reference or identifier.
func (r *redactor) goneAlong(n jsonx.Node, path []string) bool {
	d := r.d
	switch {
	case d.Kind(n) == jsonx.Array:
		found := false
		d.Items(n, func(_ int, x jsonx.Node) bool { found = r.goneAlong(x, path); return !found })
		return found
	case d.Kind(n) != jsonx.Object:
		return false
	case len(path) > 0:
		return r.goneAlong(d.Get(n, path[0]), path[1:])
	}
	return r.refGone(n)
}

// refGone reports whether the Reference x names something withheld, by
// reference or by identifier.
func (r *redactor) refGone(x jsonx.Node) bool {
	d, g := r.d, &r.gone
	id := d.Get(x, "identifier")
	return g.has(d.Str(d.Get(x, "reference"))) || len(g.values) > 0 && d.Kind(id) == jsonx.Object && g.identifies(d, id)
}

// allGone reports whether every Reference in the array refs names
// something withheld, by reference or identifier (false for none).
func (r *redactor) allGone(refs jsonx.Node) bool {
	d := r.d
	all := d.Count(refs) > 0
	d.Items(refs, func(_ int, x jsonx.Node) bool { all = r.refGone(x); return all })
	return all
}

// proxyGone reports whether the Binary at n stands for a withheld
// resource: its securityContext names one, by reference or identifier.
func (r *redactor) proxyGone(n jsonx.Node) bool {
	return r.refGone(r.d.Get(n, "securityContext"))
}

// attachedTo collects, by refKeyOf, what the Attachments that redaction
// took away (in entries withheld, in elements removed or masked) name by
// url: a Binary one names is its content, and goes with it.
func (r *redactor) attachedTo() map[string]bool {
	d := r.d
	g := map[string]bool{}
	var walk func(n jsonx.Node, ext bool)
	walk = func(n jsonx.Node, ext bool) {
		switch d.Kind(n) {
		case jsonx.Array:
			d.Items(n, func(_ int, x jsonx.Node) bool { walk(x, ext); return true })
		case jsonx.Object:
			d.Members(n, func(k, v jsonx.Node) bool {
				// An Extension's url names the extension, not content.
				switch name := d.Str(k); {
				case name == "url" && !ext && d.IsStr(v):
					g[refKeyOf(d.Str(v))] = true
				default:
					walk(v, name == "extension" || name == "modifierExtension")
				}
				return true
			})
		}
	}
	for n := range r.acts { // removed or masked, so far all taken away
		walk(n, false)
	}
	return g
}
