package engine

import (
	"slices"
	"strconv"
	"strings"

	"github.com/seclabel/seclabel/engine/internal/pattern"
	"github.com/seclabel/seclabel/engine/internal/vocab"
	"github.com/seclabel/seclabel/engine/internal/words"
	"github.com/seclabel/seclabel/internal/jsonx"
)

// match is a rule firing during the scan.
type match struct {
	rule     int
	system   string
	code     string
	path     string
	element  jsonx.Node // for inline rules: the element on the rule's path holding the coding, or -1 for every element on the path; for words: the element holding them, or -1
	prim     string     // for words in a primitive: its name in element
	inContnd bool
	// For words: the words as they appear, their character offsets in
	// the element's text, and the text entry's confidence.
	byText     bool
	text       string
	start, end int
	confidence uint32
}

// plan is what labeling will write to one resource.
type plan struct {
	n jsonx.Node
	// The location is base for a resource on its own, or entry's resource
	// under the Bundle at base; it is built only for reports.
	base    string
	entry   int
	loc     string
	typ, id string
	matches []match
	added   []label // resource-level labels the rules derived
	conf    int     // confidentiality the rules derived, -1 for none
	basis   *label  // basis for the confidentiality label
	inline  []inlinePlan
	// propagated is set when labels reached this resource along a
	// reference (propagate or inherit); inherited lists, for the report,
	// the references it inherited along.
	propagated bool
	inherited  []Match
	// What the resource carried before this call and passes on by
	// inheritance, read once (readHeld): labels, the highest confidentiality
	// of its meta.security (with that label's basis) and of its inline labels.
	heldRead, heldSensitive bool
	held                    []label
	heldConf, heldInline    int
	heldBasis               *label
	// Following references (refs.go): the first edge this resource gives
	// labels along, plus one; whether it is queued to give them again; the
	// entry indexed before it under the same id.
	out    int
	queued bool
	sameID *plan
}

// location is the resource's FHIRPath-like location, built in ss.
func (p *plan) location(ss *strSlab) string {
	if p.loc == "" {
		p.loc = p.base
		if p.entry >= 0 {
			p.loc = ss.entryLoc(p.base, p.entry)
		}
	}
	return p.loc
}

type inlinePlan struct {
	node   jsonx.Node // the element to label, or -1 for every element on path
	prim   string     // with node: the primitive of node to label, or "" for node itself
	path   []string   // the rule's element path below the resource
	labels []label
}

// rules returns the rule index in force for this call.
func (s *state) rules() *Rules {
	if s.opts.Rules != nil {
		return s.opts.Rules
	}
	return defaultRules()
}

// labelTop labels a resource or, for a Bundle, each entry.
func (s *state) labelTop(d *jsonx.Doc, n jsonx.Node, loc string) error {
	if s.link == nil && d.Str(d.Get(n, "resourceType")) == "Parameters" {
		_, err := s.labelOne(d, n, loc)
		return err
	}
	if d.Str(d.Get(n, "resourceType")) != "Bundle" {
		// The state's plan: one allocated per call would cost a small
		// call more than its labeling.
		s.onePlan = plan{}
		p := &s.onePlan
		s.planResource(d, n, loc, -1, p)
		if s.link != nil && s.link.receive(s, d, p) {
			return nil // Links: what flows is the answer, nothing is written
		}
		s.writePlan(d, p)
		return nil
	}
	_, err := s.labelBundle(d, n, loc)
	return err
}

// labelBundle labels every entry; labels follow the references of the
// propagate and inherit elements between entries; with bundleHighWaterMark
// the Bundle's mark is computed from the labeled entries in the same pass.
func (s *state) labelBundle(d *jsonx.Doc, b jsonx.Node, loc string) ([]label, error) {
	env := envelope{conf: -1}
	entries := d.Get(b, "entry")
	if !s.heldArray(d, entries, loc+".entry") {
		entries = -1
	}
	first, end := d.Range(entries)
	count := 0
	outer, outerForms := s.places, s.forms
	s.places, s.forms = nil, nil
	defer func() { s.places, s.forms = outer, outerForms }()
	// What the Bundle already says of its whole (its own confidentiality,
	// a document's Composition's) follows what labeling finds, even
	// without a mark (raiseMarks).
	doc := !s.opts.BundleHighWaterMark && (d.Str(d.Get(b, "type")) == "document" || carriedConfidentiality(d, b) >= 0)
	for e := first; e < end; e = d.Skip(e) {
		count++
		s.notePlace(d, e)
	}
	// The entries' plans, in buffers reused across calls (nested Bundles
	// take theirs past the end of the outer one's).
	base := len(s.planArena)
	if cap(s.planArena) < base+count {
		// A new arena is zero: only plans used before need clearing. The
		// outer Bundles' plans stay in the arena they hold; nothing reads
		// them here.
		s.planArena, s.planUsed = make([]plan, base, max(base+count, 2*cap(s.planArena))), base
	}
	s.planArena = s.planArena[:base+count]
	arena := s.planArena[base:]
	clear(s.planArena[base:min(base+count, max(base, s.planUsed))])
	s.planUsed = max(s.planUsed, base+count)
	defer func() { s.planArena = s.planArena[:base] }()
	plans := make([]*plan, 0, count)
	var outcomes map[int]jsonx.Node // by entry, the response outcomes of entries with a plan (rare)
	i := 0
	for e := first; e < end; e, i = d.Skip(e), i+1 {
		res, err := entryResource(d, e, loc, i)
		if err != nil {
			return nil, err
		}
		// A response's outcome is a resource of its own and part of its
		// entry: a server's message can repeat what it stored.
		out := d.Get(d.Get(e, "response"), "outcome")
		if out >= 0 {
			if err := isResource(d, out, outcomeLoc(loc, i)); err != nil {
				return nil, err
			}
		}
		if res < 0 || d.Str(d.Get(res, "resourceType")) == "Bundle" {
			var ls []label
			if res >= 0 {
				if ls, err = s.labelBundle(d, res, entryLoc(loc, i)); err != nil {
					return nil, err
				}
			}
			if ls, err = s.withOutcome(d, out, loc, i, ls); err != nil {
				return nil, err
			}
			if res >= 0 || out >= 0 {
				env.addEntry(s.opts, ls)
			}
			continue
		}
		if out >= 0 {
			if outcomes == nil {
				outcomes = map[int]jsonx.Node{}
			}
			outcomes[i] = out
		}
		p := &arena[i]
		s.planResource(d, res, loc, i, p)
		plans = append(plans, p)
	}
	s.follow(d, b, arena, plans)
	// Room in the report for every resource labeling will touch, at once:
	// grown entry by entry, a large Bundle's report would be copied over
	// and over.
	touched := 0
	for _, p := range plans {
		if len(p.matches) > 0 || p.propagated || len(p.inline) > 0 || s.opts.LabelAll {
			touched++
		}
	}
	if !s.opts.OmitReport {
		// Grown, not replaced: a nested Bundle's entries are reported
		// already.
		s.report.Labeled = slices.Grow(s.report.Labeled, touched)
	}
	s.edits = slices.Grow(s.edits, touched) // one edit each, most often

	for _, p := range plans {
		final := s.writePlan(d, p)
		if p.typ == "Parameters" {
			// Its resources are labeled on their own, and are part of the
			// entry (eachHeld).
			var err error
			if final, err = s.labelHeld(d, p.n, p.location(&s.strs), final); err != nil {
				return nil, err
			}
		}
		ls := s.withHeldLabels(d, p, final)
		if doc {
			ls = s.heldLabelsOf(d, p, final)
		}
		if out, ok := outcomes[p.entry]; ok {
			var err error
			if ls, err = s.withOutcome(d, out, loc, p.entry, ls); err != nil {
				return nil, err
			}
		}
		if s.opts.BundleHighWaterMark || doc {
			env.addEntry(s.opts, ls)
		}
	}
	if !s.opts.BundleHighWaterMark {
		if doc && touched > 0 {
			s.raiseMarks(d, b, loc, &env)
		}
		return nil, nil
	}
	return s.finishMark(d, b, loc, &env), nil
}

// raiseMarks raises the confidentiality a Bundle already carries in its
// meta.security, and a document's Composition.confidentiality, to that of
// what the Bundle now holds, where it is higher: without
// bundleHighWaterMark the Bundle gets no mark of its own, but one that says
// N about an entry labeled R says something false (validate's
// hwm-below-entry). Only a Bundle labeling changed is raised, and nothing
// else of its labels changes: an input labeling finds nothing in comes back
// as it was.
func (s *state) raiseMarks(d *jsonx.Doc, b jsonx.Node, loc string, env *envelope) {
	if have := carriedConfidentiality(d, b); have >= 0 && env.conf > have {
		s.writeMark(d, b, loc, d.Str(d.Get(b, "type")), &envelope{conf: env.conf, entries: env.entries}, false)
	}
	comp := d.Get(d.Index(d.Get(b, "entry"), 0), "resource")
	c := d.Get(comp, "confidentiality")
	if d.Str(d.Get(b, "type")) != "document" || d.Str(d.Get(comp, "resourceType")) != "Composition" || !d.IsStr(c) {
		return
	}
	if rank := vocab.Rank(d.Str(c)); rank >= 0 && env.conf > rank {
		s.markComposition(d, b, env.conf)
	}
}

// carriedConfidentiality returns the highest confidentiality n's
// meta.security carries, or -1 for none.
func carriedConfidentiality(d *jsonx.Doc, n jsonx.Node) int {
	rank := -1
	d.Items(d.Get(d.Get(n, "meta"), "security"), func(_ int, c jsonx.Node) bool {
		if l, ok := readCoding(d, c); ok {
			rank = max(rank, l.rank())
		}
		return true
	})
	return rank
}

// withHeldLabels returns, with bundleHighWaterMark, final (the labels now
// in the meta.security of p's resource) and the labels the resource
// carries beyond them, which count in a mark: its contained resources'
// and tags' (resourceLabels) and its inline labels. Without it, nothing.
func (s *state) withHeldLabels(d *jsonx.Doc, p *plan, final []label) []label {
	if !s.opts.BundleHighWaterMark {
		return nil
	}
	return s.heldLabelsOf(d, p, final)
}

// heldLabelsOf is withHeldLabels whatever the options say.
func (s *state) heldLabelsOf(d *jsonx.Doc, p *plan, final []label) []label {
	ls := final
	start := len(s.labels)
	s.labels = s.resourceLabels(d, p.n, s.labels)
	for _, l := range s.labels[start:] {
		if l.src != srcMeta {
			ls = append(ls, l)
		}
	}
	for _, ip := range p.inline {
		ls = append(ls, ip.labels...)
	}
	s.labels = s.labels[:start]
	return ls
}

// labelHeld labels each resource a Parameters holds (in its parameters and
// their parts, at any depth) as a resource of its own, as a Bundle's
// entries are: an operation's answer that holds an HIV condition beside a
// blood pressure labels the condition, not the answer, and a redaction
// can cut that parameter alone. With bundleHighWaterMark it returns ls
// followed by the labels now on what it holds (a Bundle's by its mark).
func (s *state) labelHeld(d *jsonx.Doc, n jsonx.Node, loc string, ls []label) ([]label, error) {
	if s.opts.BundleHighWaterMark {
		ls = slices.Clone(ls) // writePlan's lists are reused by the next
	}
	var err error
	var walk func(arr jsonx.Node, at string)
	walk = func(arr jsonx.Node, at string) {
		if !s.heldArray(d, arr, at) {
			return
		}
		d.Items(arr, func(i int, it jsonx.Node) bool {
			here := at + "[" + strconv.Itoa(i) + "]"
			if res := d.Get(it, "resource"); d.Kind(res) == jsonx.Object && err == nil {
				var got []label
				got, err = s.labelOne(d, res, here+".resource")
				ls = append(ls, got...)
			}
			if err == nil {
				walk(d.Get(it, "part"), here+".part")
			}
			return err == nil
		})
	}
	walk(d.Get(n, "parameter"), loc+".parameter")
	return ls, err
}

// heldArray reports whether n, a member that holds resources (a Bundle's
// entry, a Parameters' parameter or part), is an array or absent. Of
// another shape, the call is refused: labeling around it would leave the
// resources it holds unlabeled and say they hold nothing.
func (s *state) heldArray(d *jsonx.Doc, n jsonx.Node, loc string) bool {
	if k := d.Kind(n); n >= 0 && k != jsonx.Array && k != jsonx.Null {
		s.refuse(loc, " is a JSON "+kindName(k)+", not an array: the resources it holds cannot be labeled")
		return false
	}
	return true
}

// withOutcome labels out, the outcome of entry i's response (none when it
// is -1), and returns ls followed by the labels now on it.
func (s *state) withOutcome(d *jsonx.Doc, out jsonx.Node, loc string, i int, ls []label) ([]label, error) {
	if out < 0 {
		return ls, nil
	}
	ls = slices.Clone(ls) // labelOne reuses the lists
	got, err := s.labelOne(d, out, outcomeLoc(loc, i))
	return append(ls, got...), err
}

// labelOne labels a resource of its own that is not a Bundle's entry (a
// Parameters, one it holds, a response's outcome), returning the labels
// now on it with bundleHighWaterMark (valid until the next call).
func (s *state) labelOne(d *jsonx.Doc, n jsonx.Node, loc string) ([]label, error) {
	switch d.Str(d.Get(n, "resourceType")) {
	case "Bundle":
		return s.labelBundle(d, n, loc)
	case "Parameters":
		var p plan
		s.planResource(d, n, loc, -1, &p)
		return s.labelHeld(d, n, loc, s.withHeldLabels(d, &p, s.writePlan(d, &p)))
	}
	var p plan
	s.planResource(d, n, loc, -1, &p)
	return s.withHeldLabels(d, &p, s.writePlan(d, &p)), nil
}

// planResource scans one resource and decides its labels into p, which
// must be zero.
func (s *state) planResource(d *jsonx.Doc, n jsonx.Node, base string, entry int, p *plan) {
	// p is zero (a fresh plan, or one of the cleared arena): set field by
	// field, not copied whole through the write barrier.
	p.n, p.base, p.entry, p.conf = n, base, entry, -1
	p.typ, p.id = d.Str(d.Get(n, "resourceType")), d.Str(d.Get(n, "id"))
	r := s.rules()
	sc := &s.scan
	date := ""
	if r.periods {
		date = clinicalDate(d, n) // only rules with a period look at it
	}
	// Field by field: assigning a whole scanner would copy its system
	// cache through the write barrier, per resource.
	sc.s, sc.d, sc.r, sc.p, sc.date, sc.cur = s, d, r, p, date, 0
	sc.elems, sc.names, sc.path, sc.lower = sc.elems[:0], sc.names[:0], sc.path[:0], sc.lower[:0]
	sc.held = p.typ == "Parameters" && s.link == nil
	sc.resource(n, p.typ, 0, false)
	sc.held = false
	for _, ri := range r.always {
		if sc.typeOK(ri, p.typ) && sc.inPeriod(ri) && (r.rules[ri].path == nil || d.Get(n, r.rules[ri].path[0]) >= 0) {
			p.matches = append(p.matches, match{rule: ri, path: p.location(&s.strs) + "." + strings.Join(r.rules[ri].path, "."), element: -1})
		}
	}
	adds := 0 // the labels the rules may add, cut at once from the call's chunk
	for _, m := range p.matches {
		adds += len(r.rules[m.rule].labels)
	}
	if adds > 0 {
		p.added = s.labelSlab.take(adds)
	}
	for _, m := range p.matches {
		ru := &r.rules[m.rule]
		if ru.inline || m.element >= 0 {
			// Words in one element (a note, a string, an attachment) label
			// that element too, so a redaction can cut it alone.
			s.planInline(p, ru, m)
			if ru.inline || s.opts.TextElementOnly || m.byText && inlineCovers(d, m, ru) {
				continue
			}
		}
		for _, l := range ru.labels {
			l.byText = m.byText
			p.addLabel(l)
		}
		s.raise(p, ru, &p.conf, &p.basis)
	}
}

// inlineCovers reports whether the element words were found in already
// carries, as inline labels the sender wrote, every sensitivity rule ru
// assigns: the sender said the words' category is that element's, not the
// resource's, so the words label the element alone, as with
// textElementOnly. The element still gets what it lacks (the
// confidentiality its category carries), and the resource that
// confidentiality by inlineHighWaterMark: a sensitivity without one must
// not pass to a recipient of normal clearance.
func inlineCovers(d *jsonx.Doc, m match, ru *rule) bool {
	// The element's own labels cover what it holds; a primitive's are on
	// its _name sibling.
	own, prim := d.Get(m.element, "extension"), jsonx.Node(-1)
	if m.prim != "" {
		prim = d.Get(d.GetUnderscored(m.element, m.prim), "extension")
	}
	covered := false
	for _, l := range ru.labels {
		if l.set != vocab.SetSensitivity {
			continue
		}
		if !carriesInline(d, own, l) && !carriesInline(d, prim, l) {
			return false
		}
		covered = true
	}
	return covered
}

// carriesInline reports whether extension list ext holds an inline label
// of l's system and code.
func carriesInline(d *jsonx.Doc, ext jsonx.Node, l label) bool {
	found := false
	if d.Kind(ext) == jsonx.Array {
		d.Items(ext, func(_ int, x jsonx.Node) bool {
			if d.KeyIs(d.Get(x, "url"), extInline) {
				if c, ok := readCoding(d, d.Get(x, "valueCoding")); ok && c.system == l.system && c.code == l.code {
					found = true
					return false
				}
			}
			return true
		})
	}
	return found
}

// byWords reports whether only words labeled the resource.
func (p *plan) byWords() bool {
	for _, m := range p.matches {
		if !m.byText {
			return false
		}
	}
	return len(p.matches) > 0 && !p.propagated
}

// addLabel adds l to the labels derived for p unless p has it; it reports
// whether it was added. Not inlined: its callers copy labels in loops, and
// the inlined copies cost about 1 KB (gzip) of the WebAssembly module.
//
//go:noinline
func (p *plan) addLabel(l label) bool {
	for i := range p.added {
		if a := &p.added[i]; a.system == l.system && a.code == l.code {
			a.byText = a.byText && l.byText // a code's evidence outranks words'
			return false
		}
	}
	p.added = append(p.added, l)
	return true
}

// raise lifts a derived confidentiality by a rule's own level and the
// pack's level for each sensitivity it assigns.
func (s *state) raise(p *plan, ru *rule, conf *int, basis **label) {
	lvl := vocab.Rank(ru.confidential)
	for _, l := range ru.labels {
		if c, ok := s.rules().conf[l.code]; ok && l.set == vocab.SetSensitivity {
			lvl = max(lvl, vocab.Rank(c))
		}
	}
	if lvl > *conf {
		*conf = lvl
		*basis = ru.basis
	}
}

func (s *state) planInline(p *plan, ru *rule, m match) {
	var ip *inlinePlan
	for i := range p.inline {
		if p.inline[i].node == m.element && p.inline[i].prim == m.prim && slices.Equal(p.inline[i].path, ru.path) {
			ip = &p.inline[i]
		}
	}
	if ip == nil {
		// Room for the rule's labels and a confidentiality.
		p.inline = append(p.inline, inlinePlan{node: m.element, prim: m.prim, path: ru.path, labels: s.labelSlab.take(len(ru.labels) + 1)})
		ip = &p.inline[len(p.inline)-1]
	}
	add := func(l label) {
		if !hasLabel(ip.labels, l.system, l.code) {
			ip.labels = append(ip.labels, l)
		}
	}
	for _, l := range ru.labels {
		add(l)
	}
	conf := -1
	var b *label
	s.raise(p, ru, &conf, &b)
	if conf >= 0 {
		code := vocab.ConfidentialityCode(conf)
		add(label{system: confidentialityCS, code: code, set: vocab.SetConfidentiality, info: vocab.Lookup(confidentialityCS, code), node: -1})
	}
}

// scanner walks a resource's codings and records rule matches.
type scanner struct {
	s       *state
	d       *jsonx.Doc
	r       *Rules
	p       *plan
	elems   []jsonx.Node // per name on the current path: the object (or array item) visited
	names   []string     // member names on the current path, without indexes
	path    []byte       // the FHIRPath-like location below the resource
	date    string       // the resource's clinical date, or ""
	lower   []byte       // an RxNorm display in lower case, for ingredient entries
	tlower  []byte       // a text in lower case, for the text rules' literal words
	cur     jsonx.Node   // the resource being scanned (a contained one while inside it)
	codeAt  string       // below the path, where the codes being looked up sit ("" but for a query's)
	held    bool         // the resources a Parameters holds are skipped: each is labeled as its own
	asking  bool         // a questionnaire item's question is being judged as an Observation's code (question)
	item    jsonx.Node   // that item, while asking
	valueAt int          // in a result read with its name (readResult), where the value starts: matches from there are left out
	embeds  int          // the attachments holding resources the scan is inside (embedded)

	sysCache systemCache

	// Words: the matcher's scratch space and its matches, the text
	// patterns' scratch space, and buffers for decoded attachments (abuf)
	// and text read out of markup (xbuf).
	finder     words.Finder
	found      []words.Match
	patterns   pattern.Scratch
	abuf, xbuf []byte
	cbuf       []byte // an attachment's text decoded to UTF-8 (words.ToUTF8)
	resolved   bool   // a coding below the object being scanned has a code the packs judge (codeResolves, not sampledSystem)
	quiet      quietCache
}

// systemCache holds the last systems a scanner resolved, kept across the
// resources of one call while the rules stay the same. A resource's codings
// cycle through a handful of systems; each miss costs up to four map
// lookups of a long string, which hash slowly in WebAssembly.
type systemCache struct {
	rules   *Rules
	entries [8]systemEntry
	next    int // the entry the next miss replaces
}

type systemEntry struct {
	set      bool
	raw, sys string
	index    *systemIndex
}

// inPeriod reports whether the rule applies at the resource's date. A
// resource without a date is labeled: the safe side.
func (sc *scanner) inPeriod(ri int) bool {
	ru := &sc.r.rules[ri]
	if sc.date == "" || ru.from == "" && ru.to == "" {
		return true
	}
	n := min(len(sc.date), 10)
	if ru.from != "" && sc.date[:min(n, len(ru.from))] < ru.from[:min(n, len(ru.from))] {
		return false
	}
	return ru.to == "" || sc.date[:min(n, len(ru.to))] <= ru.to[:min(n, len(ru.to))]
}

// clinicalDate is the date a resource's codes were recorded for: the first
// of the usual date elements present.
func clinicalDate(d *jsonx.Doc, n jsonx.Node) string {
	for _, name := range []string{"effectiveDateTime", "onsetDateTime", "recordedDate", "authoredOn", "performedDateTime",
		"occurrenceDateTime", "issued", "date", "created"} {
		if v := d.Get(n, name); d.IsStr(v) {
			return d.Str(v)
		}
	}
	for _, name := range []string{"effectivePeriod", "onsetPeriod", "performedPeriod", "billablePeriod", "period"} {
		if v := d.Get(d.Get(n, name), "start"); d.IsStr(v) {
			return d.Str(v)
		}
	}
	return ""
}

func (sc *scanner) typeOK(ri int, typ string) bool {
	rt := sc.r.rules[ri].resourceTypes
	return rt == nil || rt[typ] || sc.asking && rt["Observation"]
}

// resource scans the elements of a resource (contained ones included, their
// findings count for the container), except meta. The path and name stacks
// are reused, so a scan allocates only when a rule fires.
func (sc *scanner) resource(n jsonx.Node, typ string, depth int, contained bool) {
	d := sc.d
	outer := sc.cur
	sc.cur = n
	if sc.s.opts.TextMatch != TextOff {
		sc.resourceText(n, typ, contained)
	}
	first, end := d.Range(n)
	for k := first; k < end; k = d.Skip(k + 1) {
		v := k + 1
		name, ok := d.Plain(k)
		if !ok {
			name = d.Str(k)
		}
		switch name {
		case "text":
			// A generated narrative renders the coded content; one whose
			// status is additional says more than the data does.
			if sc.s.opts.TextMatch == TextAll || d.KeyIs(d.Get(v, "status"), "additional") {
				sc.narrative(n, typ, contained)
			}
			continue
		case "meta":
			sc.tags(v, typ, depth, contained)
			continue
		case "resourceType", "id":
			continue
		case "contained":
			ci := 0
			cf, ce := d.Range(v)
			for c := cf; c < ce; c, ci = d.Skip(c), ci+1 {
				mark := len(sc.path)
				sc.path = append(sc.path, ".contained"...)
				sc.path = appendIndex(sc.path, ci)
				// The contained resource's stacks start past the
				// container's, in the same arrays.
				names, elems := sc.names, sc.elems
				sc.names, sc.elems = names[len(names):], elems[len(elems):]
				sc.resource(c, d.Str(d.Get(c, "resourceType")), 0, true)
				sc.names, sc.elems = names, elems
				sc.path = sc.path[:mark]
			}
			continue
		}
		if kind := d.Kind(v); kind != jsonx.Object && kind != jsonx.Array {
			continue
		}
		sc.enter(name, v, depth)
		mark := len(sc.path) - len(sc.names[depth]) - 1
		sc.value(v, typ, depth+1, contained)
		sc.path = sc.path[:mark]
	}
	sc.cur = outer
}

// tags reads the tags in meta (v) as content. A tag relates the resource to
// a workflow or a program, and says what a code would: "Ryan White HIV/AIDS
// Program", a SNOMED CT code of HIV disease. The security vocabulary's
// codes there are labels out of place (tagLabels) or workflow tags
// (SUBSETTED, HTEST), and the rest of meta is no content.
func (sc *scanner) tags(v jsonx.Node, typ string, depth int, contained bool) {
	d := sc.d
	tag := d.Get(v, "tag")
	if d.Kind(tag) != jsonx.Array {
		return
	}
	mark := len(sc.path)
	sc.enter("meta", v, depth)
	sc.enter("tag", tag, depth+1)
	f, e := d.Range(tag)
	for c, i := f, 0; c < e; c, i = d.Skip(c), i+1 {
		if d.Kind(c) != jsonx.Object {
			continue
		}
		// Only HL7's systems hold the security vocabulary (by URI or OID).
		if sys := d.Str(d.Get(c, "system")); strings.Contains(sys, "hl7.org") || strings.HasPrefix(sys, "urn:oid:2.16.840.1.113883.") {
			if l, ok := readCoding(d, c); ok && l.info != nil {
				continue
			}
		}
		sc.elems = append(sc.elems[:depth+1], c)
		at := len(sc.path)
		sc.path = appendIndex(sc.path, i)
		sc.value(c, typ, depth+2, contained)
		sc.path = sc.path[:at]
	}
	sc.path = sc.path[:mark]
}

// enter pushes member name (without a primitive's underscore) at depth.
func (sc *scanner) enter(name string, v jsonx.Node, depth int) {
	if name != "" && name[0] == '_' {
		name = name[1:]
	}
	sc.names = append(sc.names[:depth], name)
	sc.elems = append(sc.elems[:depth], v)
	sc.path = append(sc.path, '.')
	sc.path = append(sc.path, name...)
}

func (sc *scanner) value(v jsonx.Node, typ string, depth int, contained bool) {
	d := sc.d
	switch d.Kind(v) {
	case jsonx.Array:
		i := 0
		f, e := d.Range(v)
		for it := f; it < e; it, i = d.Skip(it), i+1 {
			if d.Kind(it) != jsonx.Object && d.Kind(it) != jsonx.Array {
				continue
			}
			sc.elems = append(sc.elems[:depth-1], it)
			mark := len(sc.path)
			sc.path = appendIndex(sc.path, i)
			sc.value(it, typ, depth, contained)
			sc.path = sc.path[:mark]
		}
	case jsonx.Object:
		if depth > 0 && typ == "QuestionnaireResponse" && sc.names[depth-1] == "item" {
			sc.question(v, typ, depth, contained)
		}
		// One pass finds the members that make a Coding, a Quantity (whose
		// code is a unit, not content), text, or an inline label.
		m := objectMembers{-1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, "", false, false, false}
		f, e := d.Range(v)
		for k := f; k < e; k = d.Skip(k + 1) {
			if kind := d.Kind(k + 1); kind == jsonx.Object || kind == jsonx.Array {
				m.nested = true
			}
			name, ok := d.Plain(k)
			if !ok {
				name = d.Str(k)
			}
			if len(name) < 3 || !codingKeyStart[name[0]] {
				continue // most names: no string compares, which are calls in WebAssembly
			}
			switch name {
			case "url":
				if d.KeyIs(k+1, extInline) {
					return // an inline label is not content
				}
				m.url = k + 1
			case "code":
				m.code = k + 1
			case "system":
				m.system = k + 1
			case "value", "unit", "comparator":
				m.quantity = true
			case "text":
				m.text = k + 1
			case "display":
				m.display = k + 1
			case "valueString", "valueMarkdown", "contentString", "description", "patientInstruction":
				m.str, m.strName = k+1, name
			case "title":
				m.title = k + 1
			case "reference":
				m.ref = k + 1
			case "data":
				m.data = k + 1
			case "contentType":
				m.ctype = k + 1
			case "sigFormat": // a Signature's, in place of an Attachment's contentType
				m.ctype, m.signature = k+1, true
			case "div":
				m.div = k + 1
			}
		}
		if m.code < 0 && m.system < 0 && m.text < 0 && m.display < 0 && m.title < 0 && m.ref < 0 && m.str < 0 && m.data < 0 && m.ctype < 0 && m.div < 0 && !isDataURL(d, m.url) {
			// Nothing here to read: only what the object holds (most
			// objects; the rest of the work is object's).
			if !m.nested {
				return
			}
			if sc.s.opts.TextMatch == TextOff {
				sc.members(v, typ, depth, contained)
				return
			}
			outer := sc.resolved
			sc.resolved = false
			sc.members(v, typ, depth, contained)
			sc.resolved = outer || sc.resolved
			return
		}
		sc.object(v, typ, depth, contained, &m)
	}
}

// objectMembers are the members of an object that value reads, by their
// value nodes (-1: absent).
type objectMembers struct {
	code, system, text, display, title, ref, str, data, ctype, div, url jsonx.Node
	strName                                                             string
	quantity, nested, signature                                         bool
}

// object reads the object v whose members of note are m: a Coding's code
// and display, text of several kinds, an attachment, a reference.
func (sc *scanner) object(v jsonx.Node, typ string, depth int, contained bool, m *objectMembers) {
	d := sc.d
	code, system, text, display, title, ref := m.code, m.system, m.text, m.display, m.title, m.ref
	str, data, ctype, div, strName := m.str, m.data, m.ctype, m.div, m.strName
	quantity, nested, located := m.quantity, m.nested, m.url >= 0
	before := len(sc.p.matches)
	var sys string
	if d.IsStr(code) && !quantity {
		var x *systemIndex
		sys, x = sc.system(d.Str(system))
		sc.coding(sys, x, d.Str(code), typ, depth, contained)
	}
	// Ingredient entries read the display of an RxNorm coding whatever
	// textMatch says: it is the concept's standard name.
	if sc.r.ingredients != nil && d.IsStr(display) && d.IsStr(system) && !quantity {
		if sys == "" {
			sys, _ = sc.system(d.Str(system))
		}
		if sys == rxnormSystem {
			sc.ingredients(d.Str(display), d.Str(code), typ, depth, contained)
		} else if len(sc.p.matches) == before && depth > 1 && medicationConcept(sc.names[depth-2], typ, depth-1) {
			// Another system's name of a product (NDC, a formulary's).
			sc.productName(d.Str(display), typ, depth, ".display", contained)
		}
	}
	// A reference to a place among the Bundle's entries carries the
	// place's kind.
	place := jsonx.Node(-1)
	if sc.s.places != nil && d.IsStr(ref) && code < 0 && system < 0 {
		if n, ok := sc.s.place(d.Str(ref)); ok {
			place = n
			sc.placeCodes(n, typ, depth, contained)
		}
	}
	mode := sc.s.opts.TextMatch
	if mode == TextOff {
		if nested {
			sc.members(v, typ, depth, contained)
		}
		return
	}
	// A display says in words what its code says: read when the packs
	// cannot judge the code (codeResolves) or can only sample its system
	// (sampledSystem) and no rule matched it, or always with "all".
	if d.IsStr(code) && !quantity {
		resolves := codeResolves(sys, d.Str(code)) && !sampledSystem(sys)
		sc.resolved = sc.resolved || resolves
		if d.IsStr(display) && (mode == TextAll || !resolves && len(sc.p.matches) == before) {
			sc.conceptText(d.Str(display), typ, depth, depth-1, ".display", contained)
		}
	}
	parent := ""
	if depth > 0 {
		parent = sc.names[depth-1]
	}
	// An Attachment that names no content type is still read (its bytes
	// may be text); a "data" elsewhere (SampledData's) is no attachment.
	// So is one whose url is a data URL: the content is in the resource.
	attached := d.IsStr(ctype) || attachmentMembers[parent] || parent == "content" && typ == "Media"
	if d.IsStr(data) && attached {
		if m.signature {
			sc.signature(d.Str(ctype), d.Str(d.Get(v, "targetFormat")), d.Str(data), typ, depth, v, contained)
		} else {
			sc.attachment(d.Str(ctype), d.Str(data), ".data", typ, depth, v, contained)
		}
	}
	if attached && isDataURL(d, m.url) {
		sc.dataURL(d.Str(m.url)[5:], typ, depth, v, contained)
	}
	// A document's title names what it holds, whether or not its bytes
	// can be read: an Attachment's (it has a type, data or a url, or
	// sits where an Attachment does) and a Composition section's.
	if d.IsStr(title) && (parent == "section" || d.IsStr(ctype) || d.IsStr(data) || located || attachmentMembers[parent] || parent == "content" && typ == "Media") {
		sc.readText(d.Str(title), typ, depth, ".title", textSpot{el: v, prim: "title"}, contained)
	}
	// A display outside a Coding is a Reference's: the name of what is
	// pointed at, such as the clinic an Encounter took place at, which
	// can say what the care was. A person's name says nothing of the
	// kind, and some names are words of the lexicon (Yasmin is a
	// contraceptive's brand), so references to people are not read.
	if d.IsStr(display) && code < 0 && system < 0 && parent != "coding" && !personReference(d, v, parent) {
		sc.readText(d.Str(display), typ, depth, ".display", textSpot{el: v, prim: "display"}, contained)
	}
	// Without a display, a reference to a place among the Bundle's
	// entries is read by the place's name.
	if place >= 0 && !d.IsStr(display) {
		if name := d.Get(place, "name"); d.IsStr(name) {
			sc.readText(d.Str(name), typ, depth, ".reference", noSpot, contained)
		}
	}
	// A conditional reference finds its target by a search, and says
	// what the search names: "Condition?code=...|86406008" is an HIV
	// condition.
	if d.IsStr(ref) {
		if r := d.Str(ref); strings.IndexByte(r, '?') > 0 {
			_, q, _ := strings.Cut(r, "?")
			sc.queryContent(q, typ, depth, ".reference", v, contained)
		}
	}
	if d.IsStr(div) && parent == "text" {
		// A narrative below the resource's own is a Composition
		// section's text: the document's own words, not a rendering
		// of coded content, read whatever its status.
		sc.readXHTML(d.Str(div), typ, depth, ".div", contained)
	}
	if d.IsStr(str) && writtenString(strName, parent) {
		sc.readText(d.Str(str), typ, depth, "."+strName, textSpot{el: v, prim: strName}, contained)
	}
	concept := false
	if d.IsStr(text) {
		switch parent {
		case "note", "valueAnnotation", "dosageInstruction", "dosage":
			// an Annotation's or a Dosage's own text
			sc.readText(d.Str(text), typ, depth, ".text", textSpot{el: v}, contained)
		case "item":
			// A question states no fact, but a yes to it does: "Have
			// you ever used injection drugs?" answered yes is read as
			// the patient's own statement.
			// An item that asks nothing names what its answer is ("PHQ-9
			// total score", 18), and is read with it.
			if typ != "QuestionnaireResponse" {
				break
			}
			if answeredYes(d, v) {
				sc.readText(d.Str(text), typ, depth, ".text", textSpot{el: v}, contained)
			} else if t := d.Str(text); !asks(t) || asksOwn(t) {
				// A name, or a question for one of the patient's own
				// attributes ("What is your sexual orientation?"), says
				// what its answer is, as an Observation's code does: read
				// with a number, alone with any answer that is not a no.
				if a := d.Get(v, "answer"); d.Count(a) > 0 {
					a0 := d.Index(a, 0)
					if before := len(sc.p.matches); !answeredNo(d, a0) {
						sc.readResult(t, a0, typ, depth, ".text", textSpot{el: v}, contained)
						if len(sc.p.matches) == before && !numberValue(d, a0) {
							sc.readText(t, typ, depth, ".text", textSpot{el: v}, contained)
						}
					}
				}
			}
		default:
			concept = true
		}
	}
	outer := sc.resolved
	sc.resolved = false
	if nested {
		sc.members(v, typ, depth, contained)
	}
	// A CodeableConcept's text, once its codings are known: read when
	// none could be judged by its code and none matched.
	if concept && (mode == TextAll || !sc.resolved && len(sc.p.matches) == before) {
		sc.conceptText(d.Str(text), typ, depth, depth, ".text", contained)
	}
	// A medication's text is a product's name, as an RxNorm display
	// is: when its codings found nothing, the ingredient entries read
	// it too, brand names that are first names ("Camila") included.
	if concept && sc.r.ingredients != nil && len(sc.p.matches) == before && medicationConcept(parent, typ, depth) {
		sc.productName(d.Str(text), typ, depth, ".text", contained)
	}
	sc.resolved = outer || sc.resolved
}

// question judges questionnaire item v when its linkId or definition names
// a LOINC question ("44261-6", "/44249-1/44261-6", ".../Questionnaire/
// phq-9#44261-6"), or the Questionnaire it answers (contained, or among
// the Bundle's entries) gives its question a LOINC code, and it has an
// answer: the item is then what an
// Observation of that code with the answer as its value would be, and the
// rules of the code judge it so (a PHQ-9 total of 18 answered in a form
// says what the Observation of 18 says). A question not answered states
// nothing, as its text does not.
func (sc *scanner) question(v jsonx.Node, typ string, depth int, contained bool) {
	d := sc.d
	if d.Count(d.Get(v, "answer")) == 0 {
		return
	}
	code, at := "", ""
	if id := d.Get(v, "linkId"); d.IsStr(id) {
		code, at = loincQuestion(d.Str(id)), ".linkId"
	}
	if def := d.Get(v, "definition"); code == "" && d.IsStr(def) {
		code, at = loincQuestion(d.Str(def)), ".definition"
	}
	if code == "" {
		// The form names the question by its code: "PHQ-9 total score"
		// with linkId "9" is LOINC 44261-6 in the Questionnaire.
		if f := sc.form(sc.cur); f >= 0 {
			code, at = formCode(d, f, d.Str(d.Get(v, "linkId"))), ".linkId"
		}
	}
	if code == "" {
		return
	}
	outerAsking, outerItem, outerAt := sc.asking, sc.item, sc.codeAt
	sc.asking, sc.item, sc.codeAt = true, v, at
	sc.coding(loincSystem, sc.r.bySystem[loincSystem], code, typ, depth, contained)
	sc.asking, sc.item, sc.codeAt = outerAsking, outerItem, outerAt
}

// conceptText reads the words of a concept, its text or a coding's
// display, at depth (the concept's own at conceptDepth). A concept that is
// an Observation's code (or a component's) names what its value is: when
// the name alone says nothing of note, it is read again with the value,
// "Cocaine metabolite screen: Positive", "PHQ-9 total score: 18", as a
// note would write the result. A name that asks a question states no fact,
// and is read only when the value says yes, as a questionnaire's question
// is.
func (sc *scanner) conceptText(t, typ string, depth, conceptDepth int, suffix string, contained bool) {
	holder := jsonx.Node(-1)
	if typ == "Observation" && conceptDepth > 0 && sc.names[conceptDepth-1] == "code" {
		if conceptDepth == 1 {
			holder = sc.cur
		} else if conceptDepth == 2 && sc.names[0] == "component" {
			holder = sc.elems[0]
		}
	}
	asked := asks(t)
	before := len(sc.p.matches)
	if holder < 0 || !asked || positiveValue(sc.d, holder, answerCut) {
		sc.readText(t, typ, depth, suffix, noSpot, contained)
	}
	if holder >= 0 && !asked && len(sc.p.matches) == before {
		sc.readResult(t, holder, typ, depth, suffix, noSpot, contained)
	}
}

// readResult reads name, what a result is, with the value[x] of n written
// after it ("name: value") when the value is a number (a score, a level)
// or says positive (positiveValue): the two results that make a name that
// says nothing alone a finding. Other values add nothing a label would
// follow, and are read where they stand.
func (sc *scanner) readResult(name string, n jsonx.Node, typ string, depth int, suffix string, spot textSpot, contained bool) {
	d := sc.d
	v := ""
	num := d.Get(n, "valueInteger")
	if num < 0 {
		num = d.Get(n, "valueDecimal")
	}
	if num < 0 {
		num = d.Get(d.Get(n, "valueQuantity"), "value")
	}
	if d.Kind(num) == jsonx.Number {
		v = string(d.Raw(num))
	} else if positiveValue(d, n, answerCut) {
		v = "positive"
	}
	if v != "" {
		// What the value says alone is its own reading's: here only
		// what starts in the name counts.
		sc.valueAt = len(name) + 2
		sc.readText(name+": "+v, typ, depth, suffix, spot, contained)
		sc.valueAt = 0
	}
}

// jobAnswer returns the name of the question about the patient's work
// (jobQuestion) whose answer is the text being read at depth, or "": the
// value[x] of an Observation or of its component, or a questionnaire
// item's answer. The answer names a job or a workplace ("Psychiatric
// nurse", "Methadone clinic"), which says nothing of the patient's health.
func (sc *scanner) jobAnswer(typ string, depth int, spot textSpot) string {
	d := sc.d
	switch typ {
	case "Observation":
		holder := jsonx.Node(-1)
		switch {
		case strings.HasPrefix(spot.prim, "value") && spot.el >= 0:
			holder = spot.el // a valueString, the resource's or a component's
		case depth >= 1 && strings.HasPrefix(sc.names[0], "value"):
			holder = sc.cur
		case depth >= 2 && sc.names[0] == "component" && strings.HasPrefix(sc.names[1], "value"):
			holder = sc.elems[0]
		}
		if holder < 0 {
			return ""
		}
		return jobQuestion(d, d.Get(holder, "code"), "")
	case "QuestionnaireResponse":
		for i := depth - 1; i >= 1; i-- {
			if sc.names[i] == "answer" && sc.names[i-1] == "item" {
				if i+1 < depth && !strings.HasPrefix(sc.names[i+1], "value") || i+1 == depth && !strings.HasPrefix(spot.prim, "value") {
					return ""
				}
				item := sc.elems[i-1]
				if q := jobQuestion(d, -1, d.Str(d.Get(item, "text"))); q != "" {
					return q
				}
				return jobQuestion(d, -1, d.Str(d.Get(item, "linkId")))
			}
		}
	}
	return ""
}

// jobCodes are the LOINC codes of questions whose answer names a job, an
// employer or an industry (LOINC: History of Occupation, its narrative,
// History of Usual occupation, Occupation [Type], Occupation industry
// [Type], and their CDC Census codes).
var jobCodes = wordSet(`11340-7 11341-5 21843-8 85658-3 85078-4 85659-1 85657-5`)

// jobQuestion returns the name of concept (a CodeableConcept, or -1 with
// name its words) when it asks for the patient's job (an occupation, an
// employer, an industry, a profession or a job title), or "".
func jobQuestion(d *jsonx.Doc, concept jsonx.Node, name string) string {
	if concept >= 0 {
		found := ""
		d.Items(d.Get(concept, "coding"), func(_ int, c jsonx.Node) bool {
			if d.KeyIs(d.Get(c, "system"), loincSystem) && jobCodes[d.Str(d.Get(c, "code"))] {
				found = d.Str(d.Get(c, "code"))
				if t := d.Str(d.Get(c, "display")); t != "" {
					found = t
				}
			} else if t := d.Str(d.Get(c, "display")); asksJob(t) {
				found = t
			}
			return found == ""
		})
		if found != "" {
			return found
		}
		name = d.Str(d.Get(concept, "text"))
	}
	if asksJob(name) {
		return strings.TrimSpace(name)
	}
	return ""
}

// asksJob reports whether name holds, as a word, "occupation",
// "employer", "industry", "profession", "job title", or a LOINC code of
// jobCodes (a questionnaire item's linkId).
func asksJob(name string) bool {
	prev := ""
	for name != "" {
		i := 0
		for i < len(name) && !asciiWordByte(name[i]) {
			i++
		}
		j := i
		for j < len(name) && (asciiWordByte(name[j]) || name[j] == '-') {
			j++
		}
		w := name[i:j]
		name = name[j:]
		if w == "" {
			break
		}
		if jobCodes[w] || amongFold(w, "occupation employer industry profession ") || strings.EqualFold(prev, "job") && strings.EqualFold(w, "title") {
			return true
		}
		prev = w
	}
	return false
}

// asciiWordByte reports whether c is an ASCII letter or digit.
func asciiWordByte(c byte) bool { return isASCIILetter(c) || isDigit(c) }

// asks reports whether text is a question: it ends with a question mark.
func asks(t string) bool {
	t = strings.TrimSpace(t)
	return t != "" && t[len(t)-1] == '?'
}

// answeredYes reports whether questionnaire item v was answered yes: an
// answer that says positive or yes (positiveValue with answerCut: a
// boolean true, LOINC LA33-6, SNOMED CT 373066001, HL7 Y, a written yes,
// a PHQ frequency above "not at all").
func answeredYes(d *jsonx.Doc, v jsonx.Node) bool {
	yes := false
	d.Items(d.Get(v, "answer"), func(_ int, a jsonx.Node) bool {
		yes = positiveValue(d, a, answerCut)
		return !yes
	})
	return yes
}

// asksOwn reports whether question t asks for one of the patient's own
// attributes rather than whether something happened: "What is your sexual
// orientation?", "Which best describes your gender identity?". Its answer
// is a value, as an Observation's is, not a yes or a no.
func asksOwn(t string) bool {
	t = strings.TrimSpace(t)
	for _, lead := range [...]string{"what is your ", "what's your ", "what are your ", "which best describes your ",
		"how do you describe your ", "how would you describe your ", "how do you identify your "} {
		if len(t) > len(lead) && strings.EqualFold(t[:len(lead)], lead) {
			return true
		}
	}
	return false
}

// answeredNo reports whether questionnaire answer a says no, none, never,
// not at all or that the answer is unknown or withheld: an item named by
// its topic ("Depression", "Drug use") answered so states nothing of it.
func answeredNo(d *jsonx.Doc, a jsonx.Node) bool {
	if b := d.Get(a, "valueBoolean"); b >= 0 {
		return !d.Bool(b)
	}
	w := d.Str(d.Get(a, "valueString"))
	if c := d.Get(a, "valueCoding"); c >= 0 {
		if negativeCodes[d.Str(d.Get(c, "code"))] {
			return true
		}
		w = d.Str(d.Get(c, "display"))
	}
	w = strings.TrimRight(strings.TrimSpace(w), ".")
	return amongFold(w, "no none never denies denied negative unknown declined n/a na ") ||
		strings.EqualFold(w, "not at all") || strings.EqualFold(w, "prefer not to say") ||
		strings.EqualFold(w, "prefer not to answer") || strings.EqualFold(w, "choose not to disclose") ||
		strings.EqualFold(w, "asked but unknown") || strings.EqualFold(w, "don't know")
}

// negativeCodes are the answer codes of a no, a not at all or an answer
// withheld: SNOMED CT 373067005 (no), LOINC LA32-8 (no), LA6568-5 (not at
// all), LA4489-6 (unknown), LA14072-5 (asked but unknown), LA4343-5 (I
// choose not to answer), v2-0136's N, and the null flavours UNK, ASKU,
// NASK and NA.
var negativeCodes = wordSet(`373067005 LA32-8 LA6568-5 LA4489-6 LA14072-5 LA4343-5 N UNK ASKU NASK NA`)

// numberValue reports whether answer or result n holds a number.
func numberValue(d *jsonx.Doc, n jsonx.Node) bool {
	for _, name := range [...]string{"valueInteger", "valueDecimal"} {
		if d.Kind(d.Get(n, name)) == jsonx.Number {
			return true
		}
	}
	return d.Kind(d.Get(d.Get(n, "valueQuantity"), "value")) == jsonx.Number
}

// saysYes reports whether a written answer is yes, alone or followed by
// what qualifies it ("Yes", "yes, in the past", "Yes - daily"), or a
// frequency above "not at all" or "never" (the PHQ's, the substance use
// screens', HITS's).
func saysYes(s string) bool {
	s = strings.TrimSpace(s)
	if len(s) >= 3 && strings.EqualFold(s[:3], "yes") {
		return len(s) == 3 || strings.IndexByte(" ,.;:-(", s[3]) >= 0
	}
	// the PHQ's frequencies above "not at all", and the past year's of the
	// substance use screens (AHC HRSN, TAPS) and the interpersonal safety
	// questions (HITS) above "never"
	for _, f := range [...]string{"several days", "more than half the days", "nearly every day",
		"once or twice", "less than monthly", "monthly", "weekly", "daily or almost daily",
		"rarely", "sometimes", "fairly often", "frequently"} {
		if strings.EqualFold(s, f) {
			return true
		}
	}
	return false
}

// personTypes are the resource types that are people, whose name is a
// Reference's display.
var personTypes = wordSet(`Patient Practitioner PractitionerRole RelatedPerson Person`)

// personElements are the elements that point at a person (or mostly do)
// when a Reference does not say what it points at.
var personElements = wordSet(`
subject patient individual practitioner author requester recorder asserter
informationSource performer actor agent who party sender recipient
beneficiary subscriber policyHolder attester enterer provider careManager
member`)

// form returns the Questionnaire QuestionnaireResponse n answers when the
// input holds it: contained, named "#id", or among the Bundle's entries by
// its canonical url (a version after "|" aside); -1 otherwise.
func (sc *scanner) form(n jsonx.Node) jsonx.Node {
	d := sc.d
	q := d.Str(d.Get(n, "questionnaire"))
	if id, ok := strings.CutPrefix(q, "#"); ok {
		first, end := d.Range(d.Get(n, "contained"))
		for c := first; c < end; c = d.Skip(c) {
			if d.Str(d.Get(c, "id")) == id && d.Str(d.Get(c, "resourceType")) == "Questionnaire" {
				return c
			}
		}
		return -1
	}
	q, _, _ = strings.Cut(q, "|")
	if f, ok := sc.s.forms[q]; ok {
		return f
	}
	return -1
}

// formCode returns the code of the question linkId of Questionnaire (or
// item) f, searched through its items, when it is LOINC's; or "".
func formCode(d *jsonx.Doc, f jsonx.Node, linkID string) string {
	first, end := d.Range(d.Get(f, "item"))
	for it := first; it < end; it = d.Skip(it) {
		if d.Str(d.Get(it, "linkId")) != linkID {
			if code := formCode(d, it, linkID); code != "" {
				return code
			}
			continue
		}
		cf, ce := d.Range(d.Get(it, "code"))
		for c := cf; c < ce; c = d.Skip(c) {
			if normSystem(d.Str(d.Get(c, "system"))) == loincSystem {
				return d.Str(d.Get(c, "code"))
			}
		}
		return ""
	}
	return ""
}

// notePlace keeps entry e's resource if it is an Organization, a Location,
// a HealthcareService or a PractitionerRole: a reference to it stands for
// the place or the provider, whose kind or specialty says what the care
// was (placeCodes: a psychiatrist's, a methadone clinic's) and whose name,
// without a display, is read as one would be ("Riverside Opioid Treatment
// Program").
// It keeps a Questionnaire with a canonical url too: the responses among
// the entries that name it find the codes of their questions there
// (formCode).
func (s *state) notePlace(d *jsonx.Doc, e jsonx.Node) {
	res := d.Get(e, "resource")
	if d.Kind(res) != jsonx.Object {
		return
	}
	typ := d.Str(d.Get(res, "resourceType"))
	if typ == "Questionnaire" {
		if u := d.Get(res, "url"); d.IsStr(u) {
			if s.forms == nil {
				s.forms = map[string]jsonx.Node{}
			}
			s.forms[d.Str(u)] = res
		}
	}
	if typ != "Organization" && typ != "Location" && typ != "HealthcareService" && typ != "PractitionerRole" {
		return
	}
	if s.places == nil {
		s.places = map[string]jsonx.Node{}
	}
	if u := d.Get(e, "fullUrl"); d.IsStr(u) {
		s.places[d.Str(u)] = res
	}
	if id := d.Get(res, "id"); d.IsStr(id) {
		s.places[typ+"/"+d.Str(id)] = res
	}
}

// place returns the place among the Bundle's entries that ref points at,
// resolved as references between entries are (refFlow.find): by fullUrl,
// else by the Type/id it ends with; a version is ignored.
func (s *state) place(ref string) (jsonx.Node, bool) {
	ref = stripHistory(ref)
	if n, ok := s.places[ref]; ok {
		return n, true
	}
	if t := typeID(ref); t != "" {
		n, ok := s.places[t]
		return n, ok
	}
	return -1, false
}

// placeCodes judges the kind of place n (a Location's or an Organization's
// type, a HealthcareService's type, category, specialty and program, a
// PractitionerRole's specialty) as the codes of the reference at the
// scanner's path: an Encounter at a substance use rehabilitation facility
// or with a psychiatrist, a claim from a psychiatric hospital, say what
// the care was, though the place or the provider itself, a directory
// entry, is about no one.
func (sc *scanner) placeCodes(n jsonx.Node, typ string, depth int, contained bool) {
	d := sc.d
	outerAt := sc.codeAt
	sc.codeAt = ".reference"
	for _, member := range [...]string{"type", "category", "specialty", "program"} {
		concepts := d.Get(n, member)
		if d.Kind(concepts) != jsonx.Array {
			continue
		}
		cf, ce := d.Range(concepts)
		for concept := cf; concept < ce; concept = d.Skip(concept) {
			codings := d.Get(concept, "coding")
			if d.Kind(codings) != jsonx.Array {
				continue
			}
			f, e := d.Range(codings)
			for c := f; c < e; c = d.Skip(c) {
				if code := d.Get(c, "code"); d.IsStr(code) {
					sys, x := sc.system(d.Str(d.Get(c, "system")))
					sc.coding(sys, x, d.Str(code), typ, depth, contained)
				}
			}
		}
	}
	sc.codeAt = outerAt
}

// isDataURL says whether u is a data URL (RFC 2397): the content itself.
func isDataURL(d *jsonx.Doc, u jsonx.Node) bool {
	if u < 0 || !d.IsStr(u) {
		return false
	}
	s := d.Str(u)
	return len(s) > 5 && (s[0] == 'd' || s[0] == 'D') && strings.EqualFold(s[:5], "data:")
}

// attachmentMembers are the names R4 gives elements of type Attachment
// (alone or as a choice's Attachment form), Media.content aside: an
// Attachment there that says only its title still names what it holds.
var attachmentMembers = wordSet(`attachment presentedForm valueAttachment contentAttachment
	sourceAttachment legallyBindingAttachment`)

// personReference says whether Reference v, in member parent, points at a
// person: by the type its reference names ("Practitioner/1", an absolute
// URL's [base]/Practitioner/1, "Practitioner?identifier=..."), by its
// type, or, when neither says, by the element it sits in.
func personReference(d *jsonx.Doc, v jsonx.Node, parent string) bool {
	if t := d.Get(v, "type"); d.IsStr(t) {
		u := d.Str(t)
		return personTypes[u[strings.LastIndexByte(u, '/')+1:]]
	}
	if r := d.Get(v, "reference"); d.IsStr(r) {
		ref := d.Str(r)
		if tid := typeIDOf(stripVersion(ref)); tid != "" {
			return personTypes[tid[:strings.IndexByte(tid, '/')]]
		}
		if i := strings.IndexAny(ref, "/?"); i > 0 && !strings.Contains(ref[:i], ":") {
			return personTypes[ref[:i]] // a conditional reference
		}
		if strings.Contains(ref, "://") {
			return false // an absolute URL that names no type
		}
	}
	return personElements[parent]
}

// writtenString says whether the string member name of an element that
// sits in member parent is what someone wrote: an answer's or a
// component's value, an extension's (a note a system carries in one), a
// task's or a Parameters' input and output, a message's payload, a care
// plan activity's or an allergic reaction's description, a dosage's
// instruction to the patient.
func writtenString(name, parent string) bool {
	switch name {
	case "valueString", "valueMarkdown":
		switch parent {
		case "answer", "component", "extension", "modifierExtension", "input", "output", "parameter", "part":
			return true
		}
	case "contentString":
		return parent == "payload"
	case "description":
		return parent == "detail" || parent == "reaction"
	case "patientInstruction":
		return parent == "dosageInstruction" || parent == "dosage"
	}
	return false
}

// members scans the object and array members of object v.
func (sc *scanner) members(v jsonx.Node, typ string, depth int, contained bool) {
	d := sc.d
	f, e := d.Range(v)
	for k := f; k < e; k = d.Skip(k + 1) {
		if kind := d.Kind(k + 1); kind == jsonx.Object || kind == jsonx.Array {
			if sc.held && depth > 0 && !contained && d.KeyIs(k, "resource") && (sc.names[depth-1] == "parameter" || sc.names[depth-1] == "part") {
				continue // labeled on its own (labelHeld)
			}
			mark := len(sc.path)
			sc.enter(d.Str(k), k+1, depth)
			sc.value(k+1, typ, depth+1, contained)
			sc.path = sc.path[:mark]
		}
	}
}

// codingKeyStart holds the first bytes of the member names value looks for.
var codingKeyStart = [256]bool{'u': true, 'c': true, 's': true, 'v': true, 't': true, 'd': true, 'p': true, 'r': true}

func (sc *scanner) coding(sys string, x *systemIndex, code, typ string, depth int, contained bool) {
	if x == nil {
		return // no rule names a code of this system
	}
	sc.codingIn(x, sys, code, typ, depth, contained)
	if x.also != nil { // one step only: sharedCodes pairs CPT and HCPCS both ways
		sc.codingIn(x.also, sys, code, typ, depth, contained)
	}
}

// codingIn looks a code up in one system's index.
func (sc *scanner) codingIn(x *systemIndex, sys, code, typ string, depth int, contained bool) {
	c := normCodeStyle(x.style, code)
	emit := func(hs []hit) {
		for _, h := range hs {
			if h.confidence < uint32(sc.s.opts.MinConfidence*confScale+0.5) || h.confidence == 0 {
				continue
			}
			sc.hit(int(h.rule), sys, c, typ, depth, sc.codeAt, contained)
		}
	}
	if x.exact != nil {
		emit(x.exact[c])
	}
	if x.prefixes != nil {
		for _, l := range x.preLens {
			if len(c) >= l {
				emit(x.prefixes[c[:l]])
			}
		}
	}
	for _, rg := range x.ranges {
		if c[:min(len(c), len(rg.from))] >= rg.from && c[:min(len(c), len(rg.to))] <= rg.to {
			emit([]hit{rg.hit})
		}
	}
	for i := range x.wild {
		if x.wild[i].matches(c) {
			emit([]hit{x.wild[i].hit})
		}
	}
}

// system resolves a coding's system to its canonical URI and index, through
// the scanner's cache.
func (sc *scanner) system(raw string) (string, *systemIndex) {
	c := &sc.sysCache
	if c.rules != sc.r {
		*c = systemCache{rules: sc.r}
	}
	for i := range c.entries {
		if e := &c.entries[i]; e.set && e.raw == raw {
			return e.sys, e.index
		}
	}
	sys := normSystem(raw)
	e := systemEntry{set: true, raw: raw, sys: sys, index: sc.r.bySystem[sys]}
	c.entries[c.next] = e
	c.next = (c.next + 1) % len(c.entries)
	return e.sys, e.index
}

// ingredients matches the display of an RxNorm coding against the rules'
// ingredient entries. Nothing is allocated unless a rule fires.
func (sc *scanner) ingredients(display, code, typ string, depth int, contained bool) {
	sc.eachIngredient(display, func(rule, _, _ int) {
		sc.hit(rule, rxnormSystem, code, typ, depth, "", contained)
	})
}

// productName matches a medication concept's text, or another system's
// display of it, against the ingredient entries, as ingredients does an
// RxNorm display, and records each hit as words found in the text.
func (sc *scanner) productName(t, typ string, depth int, suffix string, contained bool) {
	sc.eachIngredient(t, func(rule, start, end int) {
		sc.textHit(t, rule, confScale, start, end, typ, depth, suffix, noSpot, contained)
	})
}

// eachIngredient calls hit for every ingredient entry that t holds, with
// the rule and the byte offsets of the word the entry was found by. The
// text is lower-cased once into a buffer the scanner keeps; each of its
// words is looked up in the index, and an entry found checks its other
// words against the text's. Words are runs of ASCII letters, digits and
// hyphens, and a point between two digits stays inside its word, so a
// strength such as "0.35" is one word.
func (sc *scanner) eachIngredient(t string, hit func(rule, start, end int)) {
	b := sc.lower[:0]
	for i := 0; i < len(t); i++ {
		b = append(b, lowerByte(t[i]))
	}
	sc.lower = b
	for rest := b; ; {
		var w []byte
		if w, rest = nextWord(rest); w == nil {
			return
		}
		end := len(b) - len(rest)
		// A biologic's name carries a four-letter suffix ("ibalizumab-uiyk"):
		// its ingredient is also the name before it. The word itself is
		// looked up too, as entries such as "depo-subq" are written whole.
		keys := [2][]byte{w}
		if n := len(w) - 5; n > 0 && biologicSuffix(w[n:]) {
			keys[1] = w[:n]
		}
		for _, key := range keys {
			if key == nil {
				continue
			}
			for _, in := range sc.r.ingredients[string(key)] {
				if hasWords(b, in.with, true) && !hasWords(b, in.without, false) {
					hit(int(in.rule), end-len(w), end-len(w)+len(key))
				}
			}
		}
	}
}

// biologicSuffix reports whether s is a hyphen and four letters, the
// suffix the FDA gives a biologic's nonproprietary name.
func biologicSuffix(s []byte) bool {
	if len(s) != 5 || s[0] != '-' {
		return false
	}
	for _, c := range s[1:] {
		if c < 'a' || c > 'z' {
			return false
		}
	}
	return true
}

// medicationConcept reports whether the CodeableConcept held by member name
// at depth names a medication: a medication[x] of an order, statement,
// dispense or administration, or a Medication's own code.
func medicationConcept(name, typ string, depth int) bool {
	return name == "medicationCodeableConcept" || name == "code" && depth == 1 && typ == "Medication"
}

// nextWord returns the first word of lower-case text b and what follows
// it, or nil when b has no word left.
func nextWord(b []byte) (word, rest []byte) {
	i := 0
	for i < len(b) && !isIngredientByte(b[i]) {
		i++
	}
	j := i
	for j < len(b) && (isIngredientByte(b[j]) || decimalPoint(b, j)) {
		j++
	}
	if i == j {
		return nil, nil
	}
	return b[i:j], b[j:]
}

// decimalPoint reports whether b[i] is a point between two digits.
func decimalPoint(b []byte, i int) bool {
	return b[i] == '.' && i > 0 && i+1 < len(b) && isDigit(b[i-1]) && isDigit(b[i+1])
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

// hasWords reports, with all set, whether every one of words is a word of
// b; without it, whether any is.
func hasWords(b []byte, words []string, all bool) bool {
	for _, want := range words {
		found := false
		for rest := b; !found; {
			var w []byte
			if w, rest = nextWord(rest); w == nil {
				break
			}
			found = string(w) == want
		}
		if found != all {
			return !all
		}
	}
	return all
}

// applies reports whether rule ri may fire in a resource of type typ at
// the scanner's path.
func (sc *scanner) applies(ri int, typ string, depth int) bool {
	ru := &sc.r.rules[ri]
	if !sc.typeOK(ri, typ) || !sc.inPeriod(ri) {
		return false
	}
	if ru.positive && !sc.asking && !positiveResult(sc.d, sc.cur, ru.cutoff) {
		return false
	}
	if ru.positive && sc.asking && !positiveAnswer(sc.d, sc.item, ru.cutoff) {
		return false
	}
	if ru.resourceTypes == nil && knowledgeTypes[typ] && !(directoryTypes[typ] && !knowledgeTypes[sc.p.typ]) {
		// A rule for any type means records about a person; a place or
		// a practitioner contained in one is that record's own.
		return false
	}
	if ru.path != nil {
		names := sc.names[:depth]
		if len(names) < len(ru.path) {
			return false
		}
		for i, p := range ru.path {
			if names[i] != p {
				return false
			}
		}
	}
	return true
}

// hit records a match when the rule applies to this resource type and
// path, and returns it (nil when none was recorded).
func (sc *scanner) hit(ri int, system, code, typ string, depth int, suffix string, contained bool) *match {
	ru := &sc.r.rules[ri]
	if !sc.applies(ri, typ, depth) || ru.path != nil && ru.inline && contained {
		return nil // inline labels go on the container's own elements only
	}
	loc := sc.s.strs.join(sc.p.location(&sc.s.strs), sc.path, suffix)
	el := jsonx.Node(-1)
	if ru.inline {
		el = sc.elems[len(ru.path)-1]
	}
	// The same coding may match the rule twice (a code and its prefix).
	// The scan visits each location once, so the matches at loc are the
	// last ones: looking further back made a concept of many codings cost
	// time quadratic in them.
	for j := len(sc.p.matches) - 1; j >= 0 && sc.p.matches[j].path == loc; j-- {
		if sc.p.matches[j].rule == ri {
			return nil
		}
	}
	// system and code may alias the input: the report's copies are made
	// once the call is done (Result.own).
	if len(sc.p.matches) == cap(sc.p.matches) {
		// Most resources match once: room for one, then twice as much.
		sc.p.matches = append(sc.s.matchSlab.take(max(2*len(sc.p.matches), 1)), sc.p.matches...)
	}
	sc.p.matches = append(sc.p.matches, match{rule: ri, system: system, code: code, path: loc, element: el, inContnd: contained})
	return &sc.p.matches[len(sc.p.matches)-1]
}

// reportLabeled adds a labeled resource to the report. Its strings that
// alias the input are copied once the call is done (Result.own).
func (s *state) reportLabeled(d *jsonx.Doc, p *plan, confCode string, final []label) {
	rep := Labeled{Location: p.location(&s.strs), Type: p.typ, ID: p.id, Confidentiality: confCode}
	r := s.rules()
	inline, added := 0, 0
	for _, m := range p.matches {
		if r.rules[m.rule].inline {
			inline++
		}
	}
	for _, f := range final {
		if f.node < 0 {
			added++
		}
	}
	if n := len(p.matches) - inline + len(p.inherited); n > 0 {
		rep.Matches = s.repMatch.take(n)
	}
	if inline > 0 {
		rep.Inline = s.repMatch.take(inline)
	}
	if added > 0 {
		rep.Added = s.repCoding.take(added)
	}
	for _, m := range p.matches {
		mm := Match{Rule: r.rules[m.rule].id, System: m.system, Code: m.code, Path: m.path}
		if m.byText {
			mm.Text, mm.Start, mm.End, mm.Confidence = m.text, m.start, m.end, float64(m.confidence)/confScale
		}
		if r.rules[m.rule].inline {
			rep.Inline = append(rep.Inline, mm)
		} else {
			rep.Matches = append(rep.Matches, mm)
		}
	}
	rep.Matches = append(rep.Matches, p.inherited...)
	for _, f := range final {
		if f.node < 0 {
			rep.Added = append(rep.Added, Coding{System: f.system, Code: f.code, Display: s.displayOf(d, &f), Set: f.set.String()})
		}
	}
	s.report.Labeled = append(s.report.Labeled, rep)
}

// writePlan writes a plan's labels and returns the labels now in the
// resource's meta.security, valid until the next call: its lists live in
// buffers of the state that every resource of a Bundle reuses.
func (s *state) writePlan(d *jsonx.Doc, p *plan) []label {
	n := p.n
	meta := d.Get(n, "meta")
	sec := d.Get(meta, "security")
	if why := unwritable(d, meta, sec); why != "" {
		s.refuse(p.location(&s.strs), why)
		return nil
	}
	existing := s.planExisting[:0]
	have := -1
	hasFlag := false
	first, end := d.Range(sec)
	for c := first; c < end && d.Kind(sec) == jsonx.Array; c = d.Skip(c) {
		l, ok := readLabel(d, c)
		if !ok {
			l.set = vocab.SetUnknown // malformed: kept as it is, system included
		}
		l.node = c
		existing = append(existing, l)
		if r := l.rank(); r >= 0 {
			have = max(have, r)
		}
		if vocab.IsProcessInline(l.system, l.code) {
			hasFlag = true
		}
	}
	inlineAdded := s.writeInline(d, p)
	// The highest confidentiality among the inline labels, planned and
	// already there, when they raise the resource's.
	inlineConf := -1
	if s.opts.inlineHWM() {
		for _, ip := range p.inline {
			for _, l := range ip.labels {
				inlineConf = max(inlineConf, l.rank())
			}
		}
		if s.mayHaveInline { // else the input has no inline label to walk for
			start := len(s.labels)
			s.labels = s.inlineLabels(d, n, s.labels)
			for _, l := range s.labels[start:] {
				if l.src == srcInline {
					inlineConf = max(inlineConf, l.rank())
				}
			}
			s.labels = s.labels[:start]
		}
	}
	// A resource below its own inline labels is raised even when no rule
	// fired (validate reports it as hwm-below-inline); one without a
	// confidentiality counts as the default, as in a high-water mark.
	def := vocab.Rank(s.opts.DefaultConfidentiality)
	floor := have
	if floor < 0 {
		floor = def
	}
	labeled := len(p.matches) > 0 || p.propagated || s.opts.LabelAll || inlineAdded || inlineConf > floor
	s.planExisting = existing[:0] // kept for the next resource
	if !labeled {
		return existing
	}
	conf := max(p.conf, def, inlineConf)
	if !s.opts.AllowDowngrade {
		conf = max(conf, have)
	}
	confCode := vocab.ConfidentialityCode(conf)
	final := s.planFinal[:0]
	confDone := false
	for _, l := range existing {
		if l.system == confidentialityCS {
			if l.code == confCode && !confDone {
				final = append(final, l)
				confDone = true
			}
			continue
		}
		final = append(final, l)
	}
	added := s.planAdded[:0]
	if !confDone {
		cl := label{system: confidentialityCS, code: confCode, set: vocab.SetConfidentiality, info: vocab.ConfidentialityOf(conf), node: -1, byText: p.byWords()}
		if conf == p.conf {
			cl.basisOf = p.basis
		}
		added = append(added, cl)
	}
	for _, l := range p.added {
		l.basisOf = s.basisFor(p, l)
		added = append(added, l)
	}
	if len(p.inline) > 0 && !hasFlag {
		info := vocab.Lookup(vocab.ActCode, "PROCESSINLINELABEL")
		added = append(added, label{system: vocab.ActCode, code: info.Code, set: info.Set, info: info, node: -1})
	}
	final = mergeNew(final, added)
	s.planAdded = added[:0]
	final, part2 := s.addPart2Mark(final)
	notice := part2 && !hasPart2Notice(d, meta)
	sortLabels(final)
	if !s.opts.OmitReport {
		s.reportLabeled(d, p, confCode, final)
	}
	var security []byte
	if !sameLabels(d, existing, final) {
		s.w.Reset()
		s.w.BeginArray()
		for i := range final {
			s.writeCachedLabel(d, &final[i])
		}
		s.w.EndArray()
		security = s.w.B
	}
	s.writeMeta(d, p, security, notice)
	s.planFinal = final[:0]
	return final
}

// writeCachedLabel writes a label as writeNewLabel does; the JSON of a
// label the engine adds is written once per call for each label, basis and
// display, then copied: the resources of a Bundle mostly get the same few.
func (s *state) writeCachedLabel(d *jsonx.Doc, l *label) {
	if l.node >= 0 {
		s.writeLabel(d, l)
		return
	}
	k := newLabel{system: l.system, code: l.code, display: s.displayOf(d, l), basis: l.basisOf, byText: l.byText}
	for i := range s.newLabels {
		if s.newLabels[i].system == k.system && s.newLabels[i].code == k.code && s.newLabels[i].display == k.display && s.newLabels[i].basis == k.basis && s.newLabels[i].byText == k.byText {
			s.w.Raw(s.newLabels[i].text)
			return
		}
	}
	start := len(s.w.B)
	s.writeNewLabel(d, l)
	if len(s.newLabels) < 64 { // a call adds few distinct labels
		text := s.w.B[start:]
		if text[0] == ',' {
			text = text[1:]
		}
		k.text = append([]byte(nil), text...)
		s.newLabels = append(s.newLabels, k)
	}
}

// newLabel is the JSON text of a label the engine adds. Its strings may
// alias the input: reset drops the list.
type newLabel struct {
	system, code, display string
	basis                 *label
	byText                bool
	text                  []byte
}

// basisFor is the policy a label was assigned under: the basis of the first
// rule that assigned it.
func (s *state) basisFor(p *plan, l label) *label {
	r := s.rules()
	for _, m := range p.matches {
		for _, rl := range r.rules[m.rule].labels {
			if rl.code == l.code && rl.system == l.system {
				return r.rules[m.rule].basis
			}
		}
	}
	return l.basisOf
}

// writeNewLabel writes an existing label as it was, or a new one with its
// basis and the classifier.
func (s *state) writeNewLabel(d *jsonx.Doc, l *label) {
	if l.node >= 0 {
		s.writeLabel(d, l)
		return
	}
	w := &s.w
	w.BeginObject()
	w.Key("extension")
	w.BeginArray()
	if l.basisOf != nil {
		w.BeginObject()
		w.KV("url", extBasis)
		w.Key("valueCoding")
		w.BeginObject()
		w.KV("system", l.basisOf.system)
		w.KV("code", l.basisOf.code)
		if l.basisOf.display != "" {
			w.KV("display", l.basisOf.display)
		}
		w.EndObject()
		w.EndObject()
	}
	w.BeginObject()
	w.KV("url", extClassifier)
	w.Key("valueReference")
	w.BeginObject()
	if l.byText {
		w.KV("display", s.opts.textClassifierDisplay())
	} else {
		w.KV("display", s.opts.classifierDisplay())
	}
	w.EndObject()
	w.EndObject()
	w.EndArray()
	w.KV("system", l.system)
	w.KV("code", l.code)
	if disp := s.displayOf(d, l); disp != "" {
		w.KV("display", disp)
	}
	w.EndObject()
}

// writeInline adds the planned inline labels to their elements; it reports
// whether any label was added.
func (s *state) writeInline(d *jsonx.Doc, p *plan) bool {
	if len(p.inline) == 0 {
		return false
	}
	s.inlineAt = p.location(&s.strs)
	added := false
	for _, ip := range p.inline {
		if ip.node >= 0 && ip.prim != "" {
			added = s.addPrimitive(d, ip.node, ip.prim, -1, 0, -1, ip) || added
			continue
		}
		if ip.node >= 0 {
			added = s.addExtensions(d, ip.node, ip) || added
			continue
		}
		added = s.inlineAlong(d, p.n, ip.path, ip) || added
	}
	return added
}

// inlineAlong labels every element on path below obj: objects through their
// extension array, primitives through their _name sibling.
func (s *state) inlineAlong(d *jsonx.Doc, obj jsonx.Node, path []string, ip inlinePlan) bool {
	name := path[0]
	el := d.Get(obj, name)
	if el < 0 {
		return false
	}
	added := false
	if len(path) > 1 {
		switch d.Kind(el) {
		case jsonx.Object:
			return s.inlineAlong(d, el, path[1:], ip)
		case jsonx.Array:
			d.Items(el, func(_ int, it jsonx.Node) bool {
				if d.Kind(it) == jsonx.Object {
					added = s.inlineAlong(d, it, path[1:], ip) || added
				}
				return true
			})
		}
		return added
	}
	switch d.Kind(el) {
	case jsonx.Object:
		return s.addExtensions(d, el, ip)
	case jsonx.Array:
		count := d.Count(el)
		// The items of a _name array, walked beside el's: looking item i up
		// by index would make a long array cost time quadratic in its length.
		cs, endS := jsonx.Node(0), jsonx.Node(0)
		if sib := d.GetUnderscored(obj, name); d.Kind(sib) == jsonx.Array {
			cs, endS = d.Range(sib)
		}
		d.Items(el, func(i int, it jsonx.Node) bool {
			si := live(cs, endS)
			cs = next(d, cs, endS)
			if d.Kind(it) == jsonx.Object {
				added = s.addExtensions(d, it, ip) || added
			} else {
				added = s.addPrimitive(d, obj, name, i, count, si, ip) || added
			}
			return true
		})
		return added
	}
	return s.addPrimitive(d, obj, name, -1, 0, -1, ip)
}

// inlineItems writes the extension items for the labels an element lacks.
func (s *state) inlineItems(d *jsonx.Doc, ext jsonx.Node, ip inlinePlan) []byte {
	w := &s.inlineW
	w.Reset()
	w.BeginArray()
	for _, l := range ip.labels {
		if carriesInline(d, ext, l) {
			continue
		}
		w.BeginObject()
		w.KV("url", extInline)
		w.Key("valueCoding")
		w.BeginObject()
		w.KV("system", l.system)
		w.KV("code", l.code)
		if l.info != nil && l.info.Display != "" {
			w.KV("display", l.info.Display)
		}
		w.EndObject()
		w.EndObject()
	}
	w.EndArray()
	return w.B[1 : len(w.B)-1] // the items, without the brackets
}

// addExtensions appends inline labels to an object element's extension
// array. An extension member that is not an array (or null) is not
// replaced: the call is refused.
func (s *state) addExtensions(d *jsonx.Doc, el jsonx.Node, ip inlinePlan) bool {
	ext := d.Get(el, "extension")
	if k := d.Kind(ext); k != 0 && k != jsonx.Null && k != jsonx.Array {
		s.refuseAlways(s.inlineAt, ": an element labeled inline has an extension that is not an array, which labels cannot be added to without replacing it")
		return false
	}
	items := s.inlineItems(d, ext, ip)
	if len(items) == 0 {
		return false
	}
	if d.Kind(ext) == jsonx.Array {
		_, end := d.Span(ext)
		text := s.editBuf[:0]
		if d.Count(ext) > 0 {
			text = append(text, ',')
		}
		s.editBuf = append(text, items...)
		s.edit(end-1, end-1, s.editBuf)
		return true
	}
	s.editBuf = append(append(append(s.editBuf[:0], '['), items...), ']')
	s.setMember(d, el, []string{"extension"}, s.editBuf)
	return true
}

// extObject is {"extension":[items]} in a buffer the state reuses.
func (s *state) extObject(items []byte) []byte {
	s.editBuf = append(append(append(s.editBuf[:0], `{"extension":[`...), items...), "]}"...)
	return s.editBuf
}

// addPrimitive labels a primitive through its _name sibling: an object, or
// for item i of a primitive array an array aligned with null fillers, whose
// item i is si (-1 when it has none). A null sibling (or item) is replaced;
// one of another shape, or an array not aligned with the primitives, holds
// what FHIR does not define there, and the call is refused rather than
// lose it or leave the primitive unlabeled.
func (s *state) addPrimitive(d *jsonx.Doc, parent jsonx.Node, name string, i, count int, si jsonx.Node, ip inlinePlan) bool {
	sib := d.GetUnderscored(parent, name)
	if i < 0 {
		switch d.Kind(sib) {
		case jsonx.Object:
			return s.addExtensions(d, sib, ip)
		case 0:
			s.insertAfter(d, parent, name, s.extObject(s.inlineItems(d, -1, ip)))
		case jsonx.Null:
			s.setMember(d, parent, []string{"_" + name}, s.extObject(s.inlineItems(d, -1, ip)))
		default:
			s.refuseAlways(s.inlineAt, ": the _"+name+" of a primitive labeled inline is not an object, which labels cannot be added to without replacing it")
			return false
		}
		return true
	}
	switch d.Kind(sib) {
	case jsonx.Array:
		if d.Count(sib) != count {
			s.refuseAlways(s.inlineAt, ": the _"+name+" array is not aligned with "+name+", so the inline labels of its items cannot be placed")
			return false
		}
		switch d.Kind(si) {
		case jsonx.Object:
			return s.addExtensions(d, si, ip)
		case jsonx.Null:
			start, end := d.Span(si)
			s.edit(start, end, s.extObject(s.inlineItems(d, -1, ip)))
			return true
		}
		s.refuseAlways(s.inlineAt, ": an item of the _"+name+" array is neither an object nor null, which labels cannot be added to without replacing it")
		return false
	case 0, jsonx.Null:
	default:
		s.refuseAlways(s.inlineAt, ": the _"+name+" of primitives labeled inline is not an array, which labels cannot be added to without replacing it")
		return false
	}
	// One _name array for the whole primitive array: written once, for the
	// first item, with every item labeled.
	if i > 0 {
		return true
	}
	items := s.inlineItems(d, -1, ip)
	arr := append(s.editBuf[:0], '[')
	for j := 0; j < count; j++ {
		if j > 0 {
			arr = append(arr, ',')
		}
		arr = append(arr, `{"extension":[`...)
		arr = append(arr, items...)
		arr = append(arr, "]}"...)
	}
	s.editBuf = append(arr, ']')
	if sib >= 0 { // null
		s.setMember(d, parent, []string{"_" + name}, s.editBuf)
		return true
	}
	s.insertAfter(d, parent, name, s.editBuf)
	return true
}

// insertAfter inserts member "_name":text right after member name of obj.
func (s *state) insertAfter(d *jsonx.Doc, obj jsonx.Node, name string, text []byte) {
	v := d.Get(obj, name)
	_, end := d.Span(v)
	member := jsonx.AppendString(append(s.textBuf[:0], ','), "_"+name)
	s.textBuf = append(append(member, ':'), text...)
	s.edit(end, end, s.textBuf)
}

// runLabel, writeLabelReport and readLabelReport are label's entry in the
// table of operations (ops.go).
func runLabel(s *state, d *jsonx.Doc, n jsonx.Node, typ string, res *Result) error {
	if err := s.labelTop(d, n, typ); err != nil {
		return err
	}
	res.Resource = s.result(d, s.span[0], s.span[1])
	return nil
}

func writeLabelReport(w *jsonx.Writer, r *Report) {
	w.Key("labeled")
	w.BeginArray()
	for _, l := range r.Labeled {
		w.BeginObject()
		w.KV("location", l.Location)
		w.KV("type", l.Type)
		if l.ID != "" {
			w.KV("id", l.ID)
		}
		w.KV("confidentiality", l.Confidentiality)
		writeMatches(w, "matches", l.Matches)
		writeMatches(w, "inline", l.Inline)
		writeCodes(w, "added", l.Added)
		w.EndObject()
	}
	w.EndArray()
	if len(r.Dropped) > 0 {
		writeDropped(w, r.Dropped)
	}
	if len(r.Marks) > 0 {
		writeMarks(w, r.Marks)
	}
}

func readLabelReport(d *jsonx.Doc, rep jsonx.Node, r *Report) {
	d.Items(d.Get(rep, "labeled"), func(_ int, l jsonx.Node) bool {
		r.Labeled = append(r.Labeled, Labeled{Location: str(d, l, "location"), Type: str(d, l, "type"), ID: str(d, l, "id"),
			Confidentiality: str(d, l, "confidentiality"), Matches: readMatches(d, d.Get(l, "matches")), Inline: readMatches(d, d.Get(l, "inline")), Added: readCodings(d, d.Get(l, "added"))})
		return true
	})
	d.Items(d.Get(rep, "dropped"), func(_ int, x jsonx.Node) bool {
		r.Dropped = append(r.Dropped, Dropped{Location: str(d, x, "location"), Type: str(d, x, "type"), ID: str(d, x, "id"), Rule: str(d, x, "rule"),
			Path: str(d, x, "path"), Text: str(d, x, "text"), Start: num(d, x, "start"), End: num(d, x, "end"), Reason: str(d, x, "reason"), Trigger: str(d, x, "trigger")})
		return true
	})
	readMarks(d, rep, r)
}
