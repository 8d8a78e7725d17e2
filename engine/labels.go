package engine

import (
	"strconv"

	"github.com/seclabel/seclabel/engine/internal/vocab"
	"github.com/seclabel/seclabel/internal/jsonx"
)

// DS4P extension URLs: 1.0.0 and the ballot-era synonyms accepted on input.
const (
	igBase            = "http://hl7.org/fhir/uv/security-label-ds4p/StructureDefinition/"
	extInline         = igBase + "extension-inline-sec-label"
	extBasis          = igBase + "extension-sec-label-basis"
	extClassifier     = igBase + "extension-sec-label-classifier"
	extRelated        = igBase + "extension-sec-label-related-artifact"
	extDisplay        = igBase + "extension-display"
	extMustDisplay    = igBase + "extension-must-display"         // ballot-era name of extension-display
	extHasInline      = igBase + "extension-has-inline-sec-label" // ballot-era inline flag (valueBoolean)
	extDataAbsent     = "http://hl7.org/fhir/StructureDefinition/data-absent-reason"
	diagnosticSystem  = "https://github.com/seclabel/seclabel/diagnostic"
	confidentialityCS = vocab.Confidentiality
)

// labelSource says where a label was read.
type labelSource uint8

const (
	srcMeta          labelSource = iota // Resource.meta.security
	srcInline                           // extension-inline-sec-label on an element
	srcSecurityLabel                    // DocumentReference.securityLabel
	srcComposition                      // Composition.confidentiality
	srcContained                        // meta.security of a contained resource (dom-5)
	srcMisplaced                        // meta.security of a resource where R4 holds none (misplaced.go)
	srcTag                              // a security label in Resource.meta.tag (tagLabels)
)

// label is one security label read from a resource.
type label struct {
	system  string // canonical when the system is known
	code    string
	display string
	set     vocab.TagSet
	info    *vocab.Code // nil when the vocabulary does not know the code
	node    jsonx.Node  // the Coding object (-1 for Composition.confidentiality)
	src     labelSource
	// bad says why redaction cannot read the label (0: it can); lvl is the
	// nesting level it was read at (the resource, then each element down),
	// for restrictions that must hold level by level.
	bad     badLabel
	lvl     uint32
	basisOf *label // for labels the engine adds: the policy they were assigned under
	byText  bool   // for labels the engine adds: only words gave it (textClassifier)
}

// readCoding reads a Coding object; ok is false when it lacks a string code.
func readCoding(d *jsonx.Doc, n jsonx.Node) (l label, ok bool) {
	l.node = n
	if d.Kind(n) != jsonx.Object {
		return l, false
	}
	l.system = d.Str(d.Get(n, "system"))
	if c, known := vocab.Canonical(l.system); known {
		l.system = c
	}
	code := d.Get(n, "code")
	if !d.IsStr(code) || d.Str(code) == "" {
		return l, false // no code, or an empty one (not valid FHIR): malformed
	}
	l.code = d.Str(code)
	l.display = d.Str(d.Get(n, "display"))
	l.info = vocab.Lookup(l.system, l.code)
	l.set = vocab.SetUnknown
	if l.info != nil {
		l.set = l.info.Set
	}
	return l, true
}

// readLabel is readCoding for counting: a Confidentiality coding without a
// usable code still counts, as V, and a purpose-of-use coding without one as
// a purpose nobody has (fail closed), so a malformed label never loosens a
// mark or a redaction.
func readLabel(d *jsonx.Doc, n jsonx.Node) (label, bool) {
	l, ok := readCoding(d, n)
	switch {
	case ok:
		l.purposeOfUse()
	case l.system == confidentialityCS:
		l.code, l.set, l.info, ok = "", vocab.SetConfidentiality, nil, true
	case l.system == vocab.ActReason:
		// A purpose-of-use restriction nobody can satisfy: it withholds.
		l.code, l.set, l.info, ok = "", vocab.SetPurposeOfUse, nil, true
	}
	return l, ok
}

// purposeOfUse puts an ActReason code in the purpose-of-use set: in a
// security label it restricts the purpose of use, even one this vocabulary
// does not know.
func (l *label) purposeOfUse() {
	if l.system == vocab.ActReason && l.info == nil {
		l.set = vocab.SetPurposeOfUse
	}
}

// rank is the confidentiality rank of a label in the Confidentiality system:
// its place in U..V, or V for a code outside the order (fail closed), or -1
// when the label is not a confidentiality code at all.
func (l *label) rank() int {
	if l.system != confidentialityCS {
		return -1
	}
	if r := vocab.Rank(l.code); r >= 0 {
		return r
	}
	return vocab.Rank("V")
}

// resourceLabels collects every label of the resource at n: meta.security
// and the restricting codes of meta.tag, Composition.confidentiality,
// DocumentReference.securityLabel, the same of contained resources, and
// inline labels unless the input was found to have none. The resources it
// holds (a Bundle's entries, a Parameters' resources) are not included.
func (s *state) resourceLabels(d *jsonx.Doc, n jsonx.Node, out []label) []label {
	// Loops rather than callbacks: this runs once per entry and must not
	// allocate.
	meta := d.Get(n, "meta")
	if d.Kind(meta) != jsonx.Object {
		out = shapeless(d, meta, srcMeta, out)
	}
	out = appendCodings(d, d.Get(meta, "security"), srcMeta, out)
	out = tagLabels(d, meta, vocab.Rank(s.opts.DefaultConfidentiality), out)
	if s.misplaced {
		out = misplacedLabels(d, n, vocab.Rank(s.opts.DefaultConfidentiality), out)
		if c := d.Get(n, "contained"); c >= 0 && d.Kind(c) != jsonx.Array {
			out = shapelessLabels(d, c, vocab.Rank(s.opts.DefaultConfidentiality), out)
		}
	}
	switch d.Str(d.Get(n, "resourceType")) {
	case "Composition":
		if c := d.Get(n, "confidentiality"); d.IsStr(c) {
			out = append(out, label{system: confidentialityCS, code: d.Str(c), set: vocab.Classify(confidentialityCS, d.Str(c)),
				info: vocab.Lookup(confidentialityCS, d.Str(c)), node: -1, src: srcComposition})
		} else {
			out = shapeless(d, c, srcComposition, out)
		}
	case "DocumentReference":
		sl := d.Get(n, "securityLabel")
		if d.Kind(sl) != jsonx.Array {
			out = shapeless(d, sl, srcSecurityLabel, out)
		}
		first, end := d.Range(sl)
		for cc := first; cc < end && d.Kind(sl) == jsonx.Array; cc = d.Skip(cc) {
			if d.Kind(cc) != jsonx.Object {
				out = shapeless(d, cc, srcSecurityLabel, out)
				continue
			}
			out = appendCodings(d, d.Get(cc, "coding"), srcSecurityLabel, out)
		}
	}
	if !s.mayHaveInline {
		// No inline label can exist: only contained resources' own
		// meta.security (against dom-5, but counted so nothing is understated).
		first, end := d.Range(d.Get(n, "contained"))
		for c := first; c < end; c = d.Skip(c) {
			meta := d.Get(c, "meta")
			out = appendCodings(d, d.Get(meta, "security"), srcContained, out)
			out = tagLabelsAs(d, meta, vocab.Rank(s.opts.DefaultConfidentiality), srcContained, out)
		}
		return out
	}
	return s.inlineLabels(d, n, out)
}

// inlineLabels appends the inline labels anywhere in the resource and the
// labels of its contained resources.
func (s *state) inlineLabels(d *jsonx.Doc, n jsonx.Node, out []label) []label {
	s.collectInto(d, out).resource(n)
	return s.collected()
}

// collectInto readies the state's walker to gather labels after out;
// collected returns them.
func (s *state) collectInto(d *jsonx.Doc, out []label) *walker {
	c := &s.collect
	c.out, c.def = out, vocab.Rank(s.opts.DefaultConfidentiality)
	s.walk = walker{d: d, v: c, path: s.walk.path[:0]}
	return &s.walk
}

func (s *state) collected() []label {
	out := s.collect.out
	s.collect.out = nil
	return out
}

// entryInline appends the inline labels on a Bundle entry itself: on the
// entry, its search, request or response (not in the resources they hold).
// A label there covers the entry, so the envelope's mark counts it.
func (s *state) entryInline(d *jsonx.Doc, e jsonx.Node, out []label) []label {
	if !s.mayHaveInline || d.Kind(e) != jsonx.Object {
		return out
	}
	w := s.collectInto(d, out)
	w.membersBut(e, "resource", "response", false)
	w.membersBut(d.Get(e, "response"), "outcome", "outcome", false)
	return s.collected()
}

// inlineCollector gathers inline and contained labels (a contained
// resource's restricting tags too: def is the rank a tag must exceed).
type inlineCollector struct {
	out []label
	def int
}

func (c *inlineCollector) extension(w *walker, ext jsonx.Node) {
	d := w.d
	if d.KeyIs(d.Get(ext, "url"), extInline) {
		if l, ok := readLabel(d, d.Get(ext, "valueCoding")); ok {
			l.src = srcInline
			c.out = append(c.out, l)
		}
	}
}

func (c *inlineCollector) containedMeta(w *walker, meta jsonx.Node) {
	c.out = tagLabelsAs(w.d, meta, c.def, srcContained, c.out)
}

func (c *inlineCollector) containedLabel(w *walker, coding jsonx.Node) {
	if l, ok := readLabel(w.d, coding); ok {
		l.src = srcContained
		c.out = append(c.out, l)
	}
}

// tagLabels appends the security labels put in meta.tag. FHIR reads
// security labels in meta.security only, and meta.tag holds workflow tags;
// but a confidentiality, sensitivity, policy or compartment code of the
// security vocabulary put there still says what it says, and read as
// absent it would release what it was written to protect: the high-water
// mark and redaction count it, and validate reports it (label-in-tag). A
// tag only ever restricts: a confidentiality counts when it is above def,
// the rank a resource without one counts as, so a misplaced L never
// loosens a resource to below the default. The vocabulary's other codes
// are left alone there: the standards put SUBSETTED in meta.tag, and test
// data is commonly tagged HTEST.
func tagLabels(d *jsonx.Doc, meta jsonx.Node, def int, out []label) []label {
	tags := d.Get(meta, "tag")
	if d.Kind(tags) != jsonx.Array {
		return out
	}
	first, end := d.Range(tags)
	for c := first; c < end; c = d.Skip(c) {
		if l, ok := readCoding(d, c); ok && restrictsInTag(&l, def) {
			l.src = srcTag
			out = append(out, l)
		}
	}
	return out
}

// tagLabelsAs is tagLabels with the labels' source set to src: the tags
// of a contained resource or of one out of place count as what holds it.
func tagLabelsAs(d *jsonx.Doc, meta jsonx.Node, def int, src labelSource, out []label) []label {
	start := len(out)
	out = tagLabels(d, meta, def, out)
	for i := start; i < len(out); i++ {
		out[i].src = src
	}
	return out
}

// restrictsInTag says whether a coding of meta.tag is a label that restricts
// release: a code the vocabulary knows in one of the sets redaction judges,
// and for a confidentiality, one above rank def.
func restrictsInTag(l *label, def int) bool {
	if l.info == nil {
		return false
	}
	switch l.set {
	case vocab.SetConfidentiality:
		return l.rank() > def
	case vocab.SetSensitivity, vocab.SetPolicy, vocab.SetCompartment:
		return true
	}
	return false
}

// appendCodings appends the labels of an array of Codings.
func appendCodings(d *jsonx.Doc, arr jsonx.Node, src labelSource, out []label) []label {
	first, end := d.Range(arr)
	if d.Kind(arr) != jsonx.Array {
		return shapeless(d, arr, src, out)
	}
	for c := first; c < end; c = d.Skip(c) {
		if l, ok := readLabel(d, c); ok {
			l.src = src
			out = append(out, l)
		} else if d.Kind(c) != jsonx.Object {
			out = shapeless(d, c, src, out)
		}
	}
	return out
}

// shapeless appends, for n when it is present and neither null nor of the
// shape labels come in (a meta.security that is an object, an item that is
// a string), a confidentiality without a code, which counts as V: what it
// may hold cannot be read, and a mark must not be lowered by it, as by a
// malformed confidentiality coding.
func shapeless(d *jsonx.Doc, n jsonx.Node, src labelSource, out []label) []label {
	if n < 0 || d.Kind(n) == jsonx.Null {
		return out
	}
	return append(out, label{system: confidentialityCS, set: vocab.SetConfidentiality, node: n, src: src})
}

// watchInline makes the parser look out for the inline-label URL as it
// scans strings, so finding out whether any inline label exists costs no
// separate pass over the input.
func watchInline(d *jsonx.Doc) { d.Watch = extInline }

// walker visits the elements of one resource, reporting extensions and the
// labels of contained resources, and optionally tracks a FHIRPath-like path.
type walker struct {
	d     *jsonx.Doc
	track bool   // keep path
	path  []byte // the location being visited, when tracked
	v     walkVisitor
	// inMeta is set while meta is walked: only inline labels are visited
	// there (its other extensions are the resource's DS4P marks).
	inMeta bool
}

// walkVisitor receives what a walker finds. An interface held in the state,
// rather than closures, so that walking allocates nothing.
type walkVisitor interface {
	extension(w *walker, ext jsonx.Node)         // every item of an extension array
	containedMeta(w *walker, meta jsonx.Node)    // every contained[i].meta
	containedLabel(w *walker, coding jsonx.Node) // every contained[i].meta.security item
}

// resource walks a resource's elements except the resources it holds (its
// Bundle entries, a Parameters' resources: each is a resource of its own,
// eachHeld), and in its meta only the inline labels: an inline label on
// meta or on what meta holds (a label, the versionId) labels the
// resource's own record of itself, so it counts as the resource's, where
// it would otherwise hide.
func (w *walker) resource(n jsonx.Node) {
	d := w.d
	typ := d.Str(d.Get(n, "resourceType"))
	isBundle := typ == "Bundle"
	d.Members(n, func(k, v jsonx.Node) bool {
		switch name := d.Str(k); {
		case typ == "Parameters" && name == "parameter" && d.Kind(v) == jsonx.Array:
			mark := w.push(k, -1)
			w.parameters(v)
			w.pop(mark)
			return true
		case name == "meta":
			if d.Kind(v) == jsonx.Object {
				mark := w.push(k, -1)
				w.inMeta = true
				w.object(v)
				w.inMeta = false
				w.pop(mark)
			}
			return true
		case name == "resourceType" && d.IsStr(v), isBundle && name == "entry":
			// A resourceType that is not a string is walked like any
			// element: it may hold labels.
			return true
		case name == "contained":
			d.Items(v, func(i int, c jsonx.Node) bool {
				mark := w.push(k, i)
				meta := d.Get(c, "meta")
				if meta >= 0 {
					m := w.pushName("meta")
					w.v.containedMeta(w, meta)
					w.pop(m)
				}
				d.Items(d.Get(meta, "security"), func(j int, s jsonx.Node) bool {
					m := w.pushName("meta.security")
					m2 := w.pushIndex(j)
					w.v.containedLabel(w, s)
					w.pop(m2)
					w.pop(m)
					return true
				})
				w.resource(c)
				w.pop(mark)
				return true
			})
			return true
		}
		mark := w.push(k, -1)
		w.value(k, v)
		w.pop(mark)
		return true
	})
}

// parameters walks the items of a Parameters' parameter or part array
// but the resources they hold.
func (w *walker) parameters(arr jsonx.Node) {
	first, end := w.d.Range(arr)
	for p, i := first, 0; p < end; p, i = w.d.Skip(p), i+1 {
		m := w.pushIndex(i)
		w.membersBut(p, "resource", "resource", true)
		w.pop(m)
	}
}

// membersBut walks the members of object n but those named skip and
// skip2 (an object: what it holds is a resource of its own); with parts, a
// part array is walked as parameters.
func (w *walker) membersBut(n jsonx.Node, skip, skip2 string, parts bool) {
	d := w.d
	if d.Kind(n) != jsonx.Object {
		return
	}
	first, end := d.Range(n)
	for k := first; k < end; k = d.Skip(k + 1) {
		v := k + 1
		if (d.KeyIs(k, skip) || d.KeyIs(k, skip2)) && d.Kind(v) == jsonx.Object {
			continue
		}
		m := w.push(k, -1)
		if parts && d.KeyIs(k, "part") && d.Kind(v) == jsonx.Array {
			w.parameters(v)
		} else {
			w.value(k, v)
		}
		w.pop(m)
	}
}

func (w *walker) value(k, v jsonx.Node) {
	d := w.d
	switch d.Kind(v) {
	case jsonx.Object:
		w.object(v)
	case jsonx.Array:
		isExt := k >= 0 && d.KeyIs(k, "extension")
		d.Items(v, func(i int, it jsonx.Node) bool {
			m := w.pushIndex(i)
			obj := d.Kind(it) == jsonx.Object
			inline := isExt && obj && d.KeyIs(d.Get(it, "url"), extInline)
			if isExt && obj && (inline || !w.inMeta) {
				w.v.extension(w, it)
			}
			if obj && !inline {
				w.object(it)
			}
			w.pop(m)
			return true
		})
	}
}

func (w *walker) object(n jsonx.Node) {
	w.d.Members(n, func(k, v jsonx.Node) bool {
		if w.d.Kind(v) == jsonx.Object || w.d.Kind(v) == jsonx.Array {
			m := w.push(k, -1)
			w.value(k, v)
			w.pop(m)
		}
		return true
	})
}

// push appends ".name" (without a primitive's leading underscore) and, for
// i >= 0, "[i]"; it returns the length to pop back to.
func (w *walker) push(k jsonx.Node, i int) int {
	if !w.track {
		return 0
	}
	mark := len(w.path)
	name := w.d.Str(k)
	if name != "" && name[0] == '_' {
		name = name[1:]
	}
	w.path = append(w.path, '.')
	w.path = append(w.path, name...)
	if i >= 0 {
		w.path = appendIndex(w.path, i)
	}
	return mark
}

func (w *walker) pushName(s string) int {
	if !w.track {
		return 0
	}
	mark := len(w.path)
	w.path = append(w.path, '.')
	w.path = append(w.path, s...)
	return mark
}

func (w *walker) pushIndex(i int) int {
	if !w.track {
		return 0
	}
	mark := len(w.path)
	w.path = appendIndex(w.path, i)
	return mark
}

func appendIndex(b []byte, i int) []byte {
	b = append(b, '[')
	b = strconv.AppendInt(b, int64(i), 10)
	return append(b, ']')
}

func (w *walker) pop(mark int) {
	if w.track {
		w.path = w.path[:mark]
	}
}

// unwritable says why labels cannot be written into a resource's meta and
// its security without losing what they hold, or "" when they can: a meta
// that is not an object, or a meta.security that is not an array (null is
// no value, and is replaced).
func unwritable(d *jsonx.Doc, meta, sec jsonx.Node) string {
	switch d.Kind(meta) {
	case 0, jsonx.Null, jsonx.Object:
	default:
		return ".meta is not a JSON object: labels cannot be added to it without replacing what it holds"
	}
	switch d.Kind(sec) {
	case 0, jsonx.Null, jsonx.Array:
		return ""
	}
	return ".meta.security is not an array of Codings: labels cannot be added to it without replacing what it holds"
}

// refuse records that the resource at loc cannot take labels without
// losing what its meta holds (why, from unwritable); the caller leaves it
// as it is, and the call fails with not_fhir unless keepUnwritable: there
// redaction withholds the resource, whose labels it cannot read either.
func (s *state) refuse(loc, why string) {
	if !s.keepUnwritable {
		s.refuseAlways(loc, why)
	}
}

// refuseAlways is refuse where a resource left as it is would not be
// withheld by a redaction after labelFirst (an item of a primitive array
// whose _x array is misaligned, unlabeled; Part 2 content without its
// notice), so the call fails then too.
func (s *state) refuseAlways(loc, why string) {
	if s.refused == nil {
		s.refused = errorf(ErrNotFHIR, loc+why)
	}
}
