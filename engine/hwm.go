package engine

import (
	"sort"
	"strings"

	"github.com/seclabel/seclabel/engine/internal/vocab"
	"github.com/seclabel/seclabel/internal/jsonx"
)

// envelope accumulates the high-water mark of one container.
type envelope struct {
	conf    int // highest confidentiality rank seen, -1 for none
	entries int
	lifted  []label
	leftOut []LeftOut
	pou     [][]label // purpose-of-use labels of each entry that carries any
}

func (e *envelope) leave(l *label, reason string) {
	for _, x := range e.leftOut {
		if x.System == l.system && x.Code == l.code && x.Reason == reason {
			return
		}
	}
	e.leftOut = append(e.leftOut, LeftOut{System: strings.Clone(l.system), Code: strings.Clone(l.code), Set: l.set.String(), Reason: reason})
}

func (e *envelope) lift(o *Options, l *label) {
	switch {
	case l.code == "":
		e.leave(l, "unknown") // malformed: never written into a mark
	case o.reveal.has(l.system, l.code):
		e.leave(l, "privacyRevealing")
	case o.omit.covers(l) || o.omit.coversSome(vocab.Implies(l.system, l.code)):
		// An omitted code reaches what says the same, as a denied one
		// does: OPIOIDUD and the older ETH name SUD, and 42CFRPart2
		// protects it.
		e.leave(l, "omitCodes")
	default:
		if !hasLabel(e.lifted, l.system, l.code) {
			e.lifted = append(e.lifted, *l)
		}
	}
}

// heldLabels appends the labels of the resource at n (none when n is not
// an object) and of every resource nested in it (eachHeld), at any depth.
// Each without a confidentiality counts at the default, as an entry alone
// does; covered says labels on the entry that holds n carry one, which
// then stands for n's.
func (s *state) heldLabels(d *jsonx.Doc, n jsonx.Node, covered bool, out []label) []label {
	if d.Kind(n) != jsonx.Object {
		return out
	}
	start := len(out)
	out = s.resourceLabels(d, n, out)
	if !covered && !hasConfidentiality(out[start:]) {
		out = append(out, defaultConfidentiality(s.opts))
	}
	eachHeld(d, n, func(res jsonx.Node, _ string) { out = s.heldLabels(d, res, false, out) })
	return s.entriesInline(d, n, out)
}

// entriesInline appends the inline labels on the entries of the Bundle at
// n themselves (entryInline); nothing for another resource.
func (s *state) entriesInline(d *jsonx.Doc, n jsonx.Node, out []label) []label {
	if !s.mayHaveInline || d.Str(d.Get(n, "resourceType")) != "Bundle" {
		return out
	}
	entries := d.Get(n, "entry")
	if d.Kind(entries) != jsonx.Array {
		return out
	}
	first, end := d.Range(entries)
	for e := first; e < end; e = d.Skip(e) {
		out = s.entryInline(d, e, out)
	}
	return out
}

// eachHeld calls f for every resource the container at n holds itself:
// a Bundle's entry resources (with their fullUrl) and response outcomes,
// a Parameters' resources in its parameters and their parts at any depth.
// f is called for absent ones too (-1) and checks.
func eachHeld(d *jsonx.Doc, n jsonx.Node, f func(res jsonx.Node, fullURL string)) {
	switch d.Str(d.Get(n, "resourceType")) {
	case "Bundle":
		first, end := d.Range(d.Get(n, "entry"))
		for e := first; e < end; e = d.Skip(e) {
			f(d.Get(e, "resource"), d.Str(d.Get(e, "fullUrl")))
			f(d.Get(d.Get(e, "response"), "outcome"), "")
		}
	case "Parameters":
		eachParameter(d, d.Get(n, "parameter"), f)
	}
}

func eachParameter(d *jsonx.Doc, arr jsonx.Node, f func(res jsonx.Node, fullURL string)) {
	first, end := d.Range(arr)
	for p := first; p < end; p = d.Skip(p) {
		f(d.Get(p, "resource"), "")
		eachParameter(d, d.Get(p, "part"), f)
	}
}

// markable reports whether a label of l's tag set can be part of a mark
// computed from entries (addEntry): a container's label of another set
// (REDACTED, an integrity or trust code) is its own, never its entries'.
func markable(o *Options, l *label) bool {
	switch l.set {
	case vocab.SetConfidentiality, vocab.SetPolicy, vocab.SetCompartment, vocab.SetMark, vocab.SetPurposeOfUse:
		return true
	case vocab.SetSensitivity:
		return o.EnvelopeSensitivity == "union"
	case vocab.SetObligation, vocab.SetRefrain:
		return !vocab.IsProcessInline(l.system, l.code)
	}
	return false
}

// addEntry folds the labels of one entry into the envelope, following the
// table in DESIGN.md ("High-water mark").
func (e *envelope) addEntry(o *Options, ls []label) {
	e.entries++
	conf := -1
	var pou []label
	for i := range ls {
		l := &ls[i]
		if r := l.rank(); r >= 0 {
			conf = max(conf, r)
			continue
		}
		switch l.set {
		case vocab.SetSensitivity:
			if o.EnvelopeSensitivity == "union" {
				e.lift(o, l)
			} else {
				e.leave(l, "sensitivity")
			}
		case vocab.SetPolicy, vocab.SetCompartment, vocab.SetMark:
			e.lift(o, l)
		case vocab.SetObligation, vocab.SetRefrain:
			if vocab.IsProcessInline(l.system, l.code) {
				e.leave(l, "notLifted")
			} else {
				e.lift(o, l)
			}
		case vocab.SetPurposeOfUse:
			pou = append(pou, *l)
		case vocab.SetUnknown:
			e.leave(l, "unknown")
		default: // integrity, provenance, trust, authorization
			e.leave(l, "notLifted")
		}
	}
	if conf < 0 {
		conf = vocab.Rank(o.DefaultConfidentiality)
	}
	e.conf = max(e.conf, conf)
	if pou != nil {
		e.pou = append(e.pou, pou)
	}
}

// finishPurposeOfUse lifts the intersection of the entries' purposes of use:
// a code survives when every entry permits it (carries it or an ancestor),
// and only the most general survivors are kept. It reports whether the
// intersection was empty.
func (e *envelope) finishPurposeOfUse(o *Options) (conflict bool) {
	if len(e.pou) == 0 {
		return false
	}
	var kept []label
	for _, set := range e.pou {
		for _, c := range set {
			ok := true
			for _, other := range e.pou {
				permits := false
				for _, a := range other {
					if vocab.Subsumes(a.code, c.code) {
						permits = true
						break
					}
				}
				if !permits {
					ok = false
					break
				}
			}
			if ok {
				kept = append(kept, c)
			}
		}
	}
	for _, c := range kept {
		general := true
		for _, k := range kept {
			if k.code != c.code && vocab.Subsumes(k.code, c.code) {
				general = false
				break
			}
		}
		if general {
			e.lift(o, &c)
		}
	}
	if len(kept) == 0 {
		for _, set := range e.pou {
			for i := range set {
				e.leave(&set[i], "purposeOfUseConflict")
			}
		}
		return true
	}
	return false
}

// hwmResource computes the high-water mark of the resource at n, records
// the edits, and returns the labels now on its meta.security.
func (s *state) hwmResource(d *jsonx.Doc, n jsonx.Node, loc string) ([]label, error) {
	if d.Str(d.Get(n, "resourceType")) == "Bundle" {
		return s.hwmBundle(d, n, loc)
	}
	// Its own labels (or the default) and, for a Parameters, those of the
	// resources it holds, as when the Parameters is a Bundle entry.
	start := len(s.labels)
	s.labels = s.heldLabels(d, n, false, s.labels)
	conf := -1
	for i := start; i < len(s.labels); i++ {
		conf = max(conf, s.labels[i].rank())
	}
	s.labels = s.labels[:start]
	env := envelope{conf: conf}
	return s.writeMark(d, n, loc, d.Str(d.Get(n, "resourceType")), &env, false), nil
}

// hwmBundle computes a Bundle's high-water mark, inner Bundles first.
func (s *state) hwmBundle(d *jsonx.Doc, b jsonx.Node, loc string) ([]label, error) {
	env := envelope{conf: -1}
	var err error
	d.Items(d.Get(b, "entry"), func(i int, e jsonx.Node) bool {
		var res jsonx.Node
		res, err = entryResource(d, e, loc, i)
		if err != nil {
			return false
		}
		outcome := d.Get(d.Get(e, "response"), "outcome")
		if res < 0 && d.Kind(outcome) != jsonx.Object {
			return true // entries with neither a resource nor an outcome (requests, responses) carry no labels
		}
		// Everything the entry holds counts as the entry: its resource
		// (a nested Bundle by its own mark, written first), the resources
		// of a Parameters, the outcome of its response. A label on the
		// entry itself covers its resource, as redaction reads it: the
		// resource counts at the default only when neither has a
		// confidentiality.
		start := len(s.labels)
		s.labels = s.entryInline(d, e, s.labels)
		if d.Str(d.Get(res, "resourceType")) == "Bundle" {
			var inner []label
			if inner, err = s.hwmBundle(d, res, entryLoc(loc, i)); err != nil {
				return false
			}
			s.labels = append(s.labels, inner...)
		} else {
			s.labels = s.heldLabels(d, res, hasConfidentiality(s.labels[start:]), s.labels)
		}
		s.labels = s.heldLabels(d, outcome, false, s.labels)
		env.addEntry(s.opts, s.labels[start:])
		s.labels = s.labels[:start]
		return true
	})
	if err != nil {
		return nil, err
	}
	return s.finishMark(d, b, loc, &env), nil
}

// finishMark completes a Bundle's mark from its entries' (hwm, and label
// with bundleHighWaterMark) and writes it: resources the Bundle holds out
// of place (in an entry that is not an array, in an element) count as one
// more entry, so their labels are not lost with their place; no
// confidentiality is the default; the purposes of use are intersected.
func (s *state) finishMark(d *jsonx.Doc, b jsonx.Node, loc string, env *envelope) []label {
	if s.misplaced {
		start := len(s.labels)
		s.labels = misplacedLabels(d, b, vocab.Rank(s.opts.DefaultConfidentiality), s.labels)
		if entries := d.Get(b, "entry"); entries >= 0 && d.Kind(entries) != jsonx.Array {
			s.labels = shapelessLabels(d, entries, vocab.Rank(s.opts.DefaultConfidentiality), s.labels)
		}
		if len(s.labels) > start {
			env.addEntry(s.opts, s.labels[start:])
		}
		s.labels = s.labels[:start]
	}
	if env.conf < 0 {
		env.conf = vocab.Rank(s.opts.DefaultConfidentiality)
	}
	if env.finishPurposeOfUse(s.opts) {
		s.diag(SeverityWarning, DiagPurposeOfUseConflict, loc+".meta.security",
			"the entries' purposes of use have no common permitted purpose; none is carried")
	}
	typ := d.Str(d.Get(b, "type"))
	out := s.writeMark(d, b, loc, typ, env, true)
	if typ == "document" {
		s.markComposition(d, b, env.conf)
	}
	return out
}

// writeMark merges the computed labels with the container's own, records the
// edit of its meta.security when anything changes, and reports the mark.
// For a Bundle, its own confidentiality and sensitivity labels are replaced;
// for a single resource, only its confidentiality.
func (s *state) writeMark(d *jsonx.Doc, n jsonx.Node, loc, typ string, env *envelope, bundle bool) []label {
	meta := d.Get(n, "meta")
	if why := unwritable(d, meta, d.Get(meta, "security")); why != "" {
		s.refuse(loc, why)
		return nil
	}
	return s.markWith(d, n, loc, typ, env, bundle, nil, func(text []byte) { s.setMember(d, n, []string{"meta", "security"}, text) })
}

// markWith is writeMark with the writing of the new meta.security left to
// apply, which is not called when nothing changes. stale, when not nil,
// names the existing labels the entries carried (redaction): of those, the
// ones a mark is made of are dropped, as they were the mark of entries it
// may have withheld, and the container's other labels (its own sensitivity,
// REDACTED, ...) stay.
func (s *state) markWith(d *jsonx.Doc, n jsonx.Node, loc, typ string, env *envelope, bundle bool, stale func(*label) bool, apply func([]byte)) []label {
	meta := d.Get(n, "meta")
	sec := d.Get(meta, "security")
	// From the call's chunks: a Bundle marks every nested Bundle.
	n0 := d.Count(sec)
	final, existing := s.labelSlab.take(n0+1+len(env.lifted)), s.labelSlab.take(n0)
	confCode := vocab.ConfidentialityCode(env.conf)
	confDone := false
	d.Items(sec, func(_ int, c jsonx.Node) bool {
		l, ok := readCoding(d, c)
		if !ok {
			l.node, l.set = c, vocab.SetUnknown // malformed: kept as it is, system included
		} else {
			l.purposeOfUse() // as its entries' labels are read
		}
		existing = append(existing, l)
		switch {
		case l.system == confidentialityCS:
			if ok && l.code == confCode && !confDone {
				final = append(final, l) // keep the existing coding as it is
				confDone = true
			}
		case bundle && l.set == vocab.SetSensitivity && (stale == nil || stale(&l)):
			// The mark's sensitivity is computed anew; one the Bundle
			// carries beyond its entries (redaction judged its content
			// under it) is its own and stays.
		case ok && stale != nil && stale(&l) && markable(s.opts, &l) && !hasLabel(env.lifted, l.system, l.code):
			// The mark of entries some of which may be withheld: computed
			// anew (one the released entries carry again stays as it was
			// written, so that redacting the output changes nothing).
		default:
			final = append(final, l)
		}
		return true
	})
	if !confDone {
		final = append(final, label{system: confidentialityCS, code: confCode, set: vocab.SetConfidentiality,
			info: vocab.ConfidentialityOf(env.conf), node: -1})
	}
	final = mergeNew(final, env.lifted)
	sortLabels(final)

	// The strings that alias the input are copied once the call is done
	// (Result.own).
	m := Mark{Location: loc, Type: typ, Entries: env.entries, Confidentiality: confCode, LeftOut: env.leftOut}
	m.Security = s.repCoding.take(len(final))
	for _, l := range final {
		m.Security = append(m.Security, Coding{System: l.system, Code: l.code, Display: s.displayOf(d, &l), Set: l.set.String()})
	}
	s.report.Marks = append(s.report.Marks, m)

	if sameLabels(d, existing, final) {
		return final
	}
	s.w.Reset()
	s.w.BeginArray()
	for i := range final {
		s.writeLabel(d, &final[i])
	}
	s.w.EndArray()
	apply(s.keepText(s.w.B))
	return final
}

// hasLabel reports whether ls holds (system, code).
func hasLabel(ls []label, system, code string) bool {
	for i := range ls {
		if ls[i].system == system && ls[i].code == code {
			return true
		}
	}
	return false
}

// mergeNew appends the labels of add that final lacks, as new codings.
func mergeNew(final, add []label) []label {
	for _, l := range add {
		if !hasLabel(final, l.system, l.code) {
			l.node = -1
			final = append(final, l)
		}
	}
	return final
}

// sameLabels reports whether writing final would reproduce the existing
// array exactly: same codings, same order, nothing to canonicalise.
func sameLabels(d *jsonx.Doc, existing, final []label) bool {
	if len(existing) != len(final) {
		return false
	}
	for i := range final {
		if final[i].node < 0 || final[i].node != existing[i].node {
			return false
		}
		if final[i].system != d.Str(d.Get(final[i].node, "system")) {
			return false
		}
	}
	return true
}

// sortLabels orders labels: confidentiality first, then by tag set, code, system.
func sortLabels(ls []label) {
	// Stable, and n log n beyond a few: a resource may carry any number of
	// labels, and an insertion sort of all of them took seconds on 40,000.
	if len(ls) > 12 {
		// sort's one implementation for every element type keeps the
		// module smaller than a generic one per type (and sort.Stable,
		// unlike SliceStable, needs no reflection); it allocates, which
		// the insertion sort below spares the few labels of most resources.
		sort.Stable(labelOrder(ls))
		return
	}
	for i := 1; i < len(ls); i++ {
		for j := i; j > 0 && labelLess(&ls[j], &ls[j-1]); j-- {
			ls[j], ls[j-1] = ls[j-1], ls[j]
		}
	}
}

// labelOrder orders labels as labelLess does (sort.Stable).
type labelOrder []label

func (s labelOrder) Len() int           { return len(s) }
func (s labelOrder) Less(i, j int) bool { return labelLess(&s[i], &s[j]) }
func (s labelOrder) Swap(i, j int)      { s[i], s[j] = s[j], s[i] }

// labelLess orders labels by set, then code, then system.
func labelLess(a, b *label) bool {
	if a.set != b.set {
		return a.set < b.set
	}
	if a.code != b.code {
		return a.code < b.code
	}
	return a.system < b.system
}

func (s *state) displayOf(d *jsonx.Doc, l *label) string {
	if l.info != nil && l.info.Display != "" {
		return l.info.Display
	}
	return l.display
}

// writeLabel writes a label: an existing coding is copied, with its system
// canonicalised if needed; a new one is written with the vocabulary display.
func (s *state) writeLabel(d *jsonx.Doc, l *label) {
	w := &s.w
	if l.node >= 0 {
		if d.Kind(l.node) != jsonx.Object || d.Str(d.Get(l.node, "system")) == l.system {
			w.Raw(d.Raw(l.node))
			return
		}
		w.BeginObject()
		d.Members(l.node, func(k, v jsonx.Node) bool {
			w.Key(d.Str(k))
			if d.KeyIs(k, "system") {
				w.String(l.system)
			} else {
				w.Raw(d.Raw(v))
			}
			return true
		})
		w.EndObject()
		return
	}
	w.BeginObject()
	w.KV("system", l.system)
	w.KV("code", l.code)
	if disp := s.displayOf(d, l); disp != "" {
		w.KV("display", disp)
	}
	w.EndObject()
}

// markComposition sets a document's Composition.confidentiality to the
// high-water mark when it differs.
func (s *state) markComposition(d *jsonx.Doc, b jsonx.Node, conf int) {
	s.markCompositionWith(d, b, conf, func(comp jsonx.Node, text []byte) {
		s.setMember(d, comp, []string{"confidentiality"}, text)
	})
}

func (s *state) markCompositionWith(d *jsonx.Doc, b jsonx.Node, conf int, apply func(comp jsonx.Node, text []byte)) {
	first := d.Index(d.Get(b, "entry"), 0)
	comp := d.Get(first, "resource")
	if d.Str(d.Get(comp, "resourceType")) != "Composition" {
		return
	}
	code := vocab.ConfidentialityCode(conf)
	if c := d.Get(comp, "confidentiality"); d.IsStr(c) && d.Str(c) == code {
		return
	}
	apply(comp, jsonx.AppendString(nil, code))
}

// setMember records an edit that gives obj.path[0].path[1]... the value
// text, replacing an existing value or inserting the missing members. New
// members go after "id" (or "resourceType") at the top, and last in nested
// objects.
func (s *state) setMember(d *jsonx.Doc, obj jsonx.Node, path []string, text []byte) {
	for len(path) > 1 {
		child := d.Get(obj, path[0])
		if d.Kind(child) != jsonx.Object {
			break
		}
		obj, path = child, path[1:]
	}
	if v := d.Get(obj, path[0]); v >= 0 {
		start, end := d.Span(v)
		if len(path) == 1 {
			s.edit(start, end, text)
			return
		}
		// path[0] exists but is not an object: replace it with the nested value.
		s.textBuf = appendNest(s.textBuf[:0], path[1:], text)
		s.edit(start, end, s.textBuf)
		return
	}
	after, last := jsonx.Node(-1), jsonx.Node(-1)
	first, end := d.Range(obj)
	for k := first; k < end; k = d.Skip(k + 1) {
		if d.KeyIs(k, "resourceType") || d.KeyIs(k, "id") {
			after = k + 1
		}
		last = k + 1
	}
	if after < 0 || len(path) == 1 && path[0] != "meta" {
		after = last
	}
	member := s.textBuf[:0]
	at, _ := d.Span(obj)
	at++
	if after >= 0 {
		_, at = d.Span(after)
		member = append(member, ',')
	}
	member = jsonx.AppendString(member, path[0])
	member = append(member, ':')
	s.textBuf = appendNest(member, path[1:], text)
	s.edit(at, at, s.textBuf)
}

// edit records an edit that replaces [start, end) of the input with text,
// kept (keepText): the caller may build text in a buffer it reuses.
func (s *state) edit(start, end int, text []byte) {
	s.edits = append(s.edits, jsonx.Edit{Start: start, End: end, Text: s.keepText(text)})
}

// keepText returns a copy of an edit's text that lives until the output is
// written. Labeling a Bundle adds a member to every resource, most often
// the same one: a text equal to the last one kept is shared, and the others
// are copied into chunks that hold many, not allocated one by one.
//
//go:noinline
func (s *state) keepText(text []byte) []byte {
	if s.lastText != nil && string(text) == string(s.lastText) {
		return s.lastText
	}
	if cap(s.texts)-len(s.texts) < len(text) {
		// Chunks grow with the call's output, so a small input gets a
		// small one and a large Bundle few of them.
		s.texts = make([]byte, 0, max(len(text), min(2*cap(s.texts), 1<<20), 4096))
	}
	start := len(s.texts)
	s.texts = append(s.texts, text...)
	s.lastText = s.texts[start:len(s.texts):len(s.texts)]
	return s.lastText
}

// appendNest appends text wrapped in objects named by path:
// appendNest(dst, [a b], x) appends {"a":{"b":x}}.
func appendNest(dst []byte, path []string, text []byte) []byte {
	for _, k := range path {
		dst = append(dst, '{')
		dst = jsonx.AppendString(dst, k)
		dst = append(dst, ':')
	}
	dst = append(dst, text...)
	for range path {
		dst = append(dst, '}')
	}
	return dst
}

// runHWM, writeHWMReport and readHWMReport are hwm's entry in the table of
// operations (ops.go).
func runHWM(s *state, d *jsonx.Doc, n jsonx.Node, typ string, res *Result) error {
	if _, err := s.hwmResource(d, n, typ); err != nil {
		return err
	}
	res.Resource = s.result(d, s.span[0], s.span[1])
	return nil
}

func writeHWMReport(w *jsonx.Writer, r *Report) { writeMarks(w, r.Marks) }

func readHWMReport(d *jsonx.Doc, rep jsonx.Node, r *Report) { readMarks(d, rep, r) }
