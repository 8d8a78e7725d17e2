package engine

import (
	"strconv"
	"unsafe"

	"github.com/seclabel/seclabel/engine/internal/r4"
	"github.com/seclabel/seclabel/internal/jsonx"
)

// state is the scratch space of one call; Engines pool them so parsers and
// buffers are reused.
type state struct {
	opts          *Options
	access        *access // the recipient, for redaction
	link          linker  // label: flows across calls (linked.go), or nil
	mayHaveInline bool    // the input may hold inline labels (a tape watch saw one)
	misplaced     bool    // the input may hold a resource where R4 holds none (misplaced.go)
	// What a call answers, handed to its Result.
	report Report
	diags  []Diagnostic
	// refused is why labels cannot be written where the call must write
	// them (refuse); the call fails with it. keepUnwritable, for
	// redaction's labelFirst, leaves such a resource as it is instead:
	// redaction withholds what carries labels it cannot read.
	refused        error
	keepUnwritable bool
	inlineAt       string // the location of the resource whose inline labels are being written

	buffers
	labeler
	validator
}

// buffers are what every operation shares: the parsed request and
// resource, the edits to the resource and the texts they insert, the
// writers and the output buffers, all kept for the next call.
type buffers struct {
	req, doc jsonx.Doc
	labels   []label // scratch lists of labels, used as a stack
	edits    []jsonx.Edit
	w        jsonx.Writer
	out      []byte
	// Edit texts: a buffer they are built in, the chunk they are kept in
	// and the last one kept (keepText).
	textBuf, texts, lastText []byte
	editBuf                  []byte          // an edit's text being built, then kept (keepText)
	inlineW                  jsonx.Writer    // inlineItems' items
	walk                     walker          // reused by every walk over a resource's elements
	collect                  inlineCollector // gathers inline labels (inlineLabels: hwm, label, validate)

	// The protocol path writes the response into respBuf, reused (a
	// resource answered after a NUL byte straight into it; one inside the
	// response through resBuf): Do copies the response out once, and a
	// Session hands respBuf itself to its host. The typed methods give the
	// caller the resource, so they allocate it (scratch is false).
	scratch bool
	// The protocol path's options when a request brings rule packs, result
	// and response writer, reused.
	reqOpts Options
	// The last request options merged (requestOptions): from engine
	// optsFrom, out of the JSON text optsText, parsed into optsDoc.
	optsFrom        *Engine
	optsText        []byte
	optsDoc         jsonx.Doc
	optsKept        Options
	res             Result
	rw              jsonx.Writer
	split           bool // the request carried its resource after a NUL byte
	asEdits         bool // and asked for the result as edits of it (the request's edits member)
	resBuf, respBuf []byte
	// A protocol call leaves a result answered after a NUL byte pending:
	// the span [pendStart, pendEnd) of doc with the edits, which the
	// response applies after its NUL byte (DoTo writes it in pieces).
	pending            bool
	pendStart, pendEnd int
	span               [2]int  // the resource's bytes in the input, for result
	parents            []int32 // the redaction walk's parent index (redactor.mark)
	// The redaction walk's actions and the reference forms of what it
	// withholds (redactTop).
	acts               map[jsonx.Node]action
	refFull, refTypeID map[string]bool
	mapsFor            int // the most entries they were made or used for
}

// labeler is labeling's scratch space (label.go, refs.go).
type labeler struct {
	scan      scanner // matches a resource's codes and words against the rules
	planArena []plan  // the per-entry plans
	planUsed  int     // planArena[planUsed:] is zero
	onePlan   plan    // the plan of a resource labeled on its own
	// writePlan's lists, reused by every resource, and the JSON text of
	// the labels it added (cleared every call).
	planExisting, planFinal, planAdded []label
	newLabels                          []newLabel
	// The plans' and the report's short lists and strings (slab.go).
	matchSlab slab[match]
	labelSlab slab[label]
	repMatch  slab[Match]
	repCoding slab[Coding]
	strs      strSlab
	where     scratch // the redaction walk's locations
	// places are the organisations, locations and services among the
	// current Bundle's entries, by the references that reach them (the
	// entry's fullUrl, "Type/id"), or nil when it has none.
	places map[string]jsonx.Node
	// forms are the Questionnaires among the current Bundle's entries, by
	// their canonical url, or nil when it has none.
	forms map[string]jsonx.Node
}

// validator is validation's scratch space (validate.go).
type validator struct {
	checkInline inlineValidator
}

// resultBuf returns an empty buffer for the resulting resource, of capacity
// at least n.
func (s *state) resultBuf(n int) []byte {
	if !s.scratch {
		return make([]byte, 0, n)
	}
	if cap(s.resBuf) < n {
		s.resBuf = make([]byte, 0, n)
	}
	return s.resBuf[:0]
}

// keepResult keeps a grown result buffer for the next call.
func (s *state) keepResult(b []byte) []byte {
	if s.scratch {
		s.resBuf = b[:0]
	}
	return b
}

// bufferKept bounds the buffers a pooled state keeps between calls.
const bufferKept = 8 << 20

func (e *Engine) getState(opts *Options) *state {
	s := e.pool.get()
	s.reset(opts)
	return s
}

func (s *state) reset(opts *Options) {
	s.opts = opts
	s.labels = s.labels[:0]
	s.edits = s.edits[:0]
	s.report = Report{}
	s.diags = nil
	s.out = s.out[:0]
	s.access = nil
	s.link = nil
	s.refused, s.keepUnwritable = nil, false
	s.scratch = false
	s.split, s.asEdits = false, false
	s.pending = false
	// The cached system aliases the last call's input, which the caller
	// may overwrite.
	s.scan.sysCache = systemCache{}
	clear(s.newLabels) // its strings may alias the last input
	s.newLabels = s.newLabels[:0]
	s.texts, s.lastText = s.texts[:0], nil
	// The plans' chunks serve the call alone: cleared here for a session's
	// state, which putState (that clears them too) never sees. The report's
	// were let go by a call that handed its result over, kept by one that
	// wrote it (do).
	s.matchSlab.reuse()
	s.labelSlab.reuse()
	s.where.reset()
}

func (e *Engine) putState(s *state) {
	// Large inputs would pin their tapes; let those go.
	if cap(s.doc.Src) > 8<<20 || cap(s.req.Src) > 8<<20 {
		return
	}
	s.doc.Forget()
	s.req.Forget()
	if cap(s.texts) > bufferKept {
		s.texts = nil // textBuf holds one member: it stays small
	}
	s.newLabels = nil // its strings may alias the input
	s.matchSlab.reuse()
	s.labelSlab.reuse()
	if cap(s.resBuf) > bufferKept {
		s.resBuf = nil
	}
	if cap(s.respBuf) > bufferKept {
		s.respBuf = nil
	}
	if cap(s.parents) > bufferKept/4 {
		s.parents = nil
	}
	if cap(s.planArena) > bufferKept/int(unsafe.Sizeof(plan{})) {
		s.planArena, s.planUsed = nil, 0
	}
	e.pool.put(s)
}

// Not inlined: it is called from many places, each of which would carry
// its own copy of the append, and diagnostics are few.
//
//go:noinline
func (s *state) diag(sev Severity, code DiagnosticCode, loc, msg string) {
	s.diags = append(s.diags, Diagnostic{Severity: sev, Code: code, Location: loc, Message: msg})
}

// run parses resource and runs op; it is the single path behind the typed
// methods and Do.
func (e *Engine) run(ctx canceler, o op, resource []byte, opts *Options) (res *Result, err error) {
	return e.runWith(ctx, o, resource, opts, nil, nil)
}

func (e *Engine) runWith(ctx canceler, o op, resource []byte, opts *Options, a *access, lk linker) (res *Result, err error) {
	if err := ctx.Err(); err != nil {
		return nil, errorf(ErrCancelled, "call cancelled: "+err.Error())
	}
	s := e.getState(opts)
	s.access, s.link = a, lk
	defer func() {
		// A panic is a bug; it must not crash the host nor leak partial output.
		if r := recover(); r != nil {
			res, err = nil, errorf(ErrInternal, "internal error: "+panicText(r))
			return
		}
		// The result is the caller's, with what was cut from the report's
		// chunks.
		s.repMatch.drop()
		s.repCoding.drop()
		e.putState(s)
	}()
	if err := s.parse(resource); err != nil {
		return nil, err
	}
	res, err = s.exec(o, &s.doc, 0)
	if res != nil {
		res.own(resource)
	}
	return res, err
}

// own copies every string of a result that aliases the input, so that the
// caller may reuse its input buffer: a Result is the caller's. Only those
// strings are copied (the rest are the engine's constants or were built for
// the report), and into shared chunks: a Bundle of many entries has a
// report of many small strings, and one allocation each would cost more
// than the labeling.
func (r *Result) own(src []byte) {
	var a stringArena
	a.lo = uintptr(unsafe.Pointer(unsafe.SliceData(src)))
	a.hi = a.lo + uintptr(len(src))
	c := a.clone
	codes := func(cs []Coding) {
		for i := range cs {
			cs[i] = Coding{System: c(cs[i].System), Code: c(cs[i].Code), Display: c(cs[i].Display), Set: c(cs[i].Set)}
		}
	}
	matches := func(ms []Match) {
		for i := range ms {
			m := &ms[i]
			m.Rule, m.System, m.Code, m.Path = c(m.Rule), c(m.System), c(m.Code), c(m.Path)
		}
	}
	rep := &r.Report
	for i := range rep.Marks {
		m := &rep.Marks[i]
		m.Location, m.Type, m.Confidentiality = c(m.Location), c(m.Type), c(m.Confidentiality)
		codes(m.Security)
		for j := range m.LeftOut {
			l := &m.LeftOut[j]
			l.System, l.Code, l.Set, l.Reason = c(l.System), c(l.Code), c(l.Set), c(l.Reason)
		}
	}
	for i := range rep.Labeled {
		l := &rep.Labeled[i]
		l.Location, l.Type, l.ID, l.Confidentiality = c(l.Location), c(l.Type), c(l.ID), c(l.Confidentiality)
		matches(l.Matches)
		matches(l.Inline)
		codes(l.Added)
	}
	for i := range rep.Dropped {
		x := &rep.Dropped[i]
		x.Location, x.Type, x.ID, x.Rule, x.Path = c(x.Location), c(x.Type), c(x.ID), c(x.Rule), c(x.Path)
	}
	for i := range rep.Withheld {
		w := &rep.Withheld[i]
		w.Location, w.Type, w.ID, w.FullURL, w.Reason, w.Detail = c(w.Location), c(w.Type), c(w.ID), c(w.FullURL), c(w.Reason), c(w.Detail)
		for j := range w.References {
			w.References[j] = c(w.References[j])
		}
		codes(w.Labels)
	}
	for i := range rep.Removed {
		rep.Removed[i] = c(rep.Removed[i])
	}
	for i := range rep.Masked {
		rep.Masked[i] = c(rep.Masked[i])
	}
	for i := range rep.Display {
		x := &rep.Display[i]
		x.Location, x.Kind, x.Text, x.System, x.Code = c(x.Location), c(x.Kind), c(x.Text), c(x.System), c(x.Code)
	}
	for i := range r.Diagnostics {
		g := &r.Diagnostics[i]
		g.Code, g.Location, g.Message = DiagnosticCode(c(string(g.Code))), c(g.Location), c(g.Message)
	}
}

// stringArena copies the strings that lie in the input [lo, hi) into
// chunks shared by many strings.
type stringArena struct {
	lo, hi uintptr
	buf    []byte
}

//
//go:noinline
func (a *stringArena) clone(x string) string {
	p := uintptr(unsafe.Pointer(unsafe.StringData(x)))
	if len(x) == 0 || p < a.lo || p >= a.hi {
		return x
	}
	if cap(a.buf)-len(a.buf) < len(x) {
		a.buf = make([]byte, 0, max(4096, len(x)))
	}
	start := len(a.buf)
	a.buf = append(a.buf, x...)
	return unsafe.String(&a.buf[start], len(x))
}

// result applies the edits to [start, end) of d, or leaves them pending for
// the response when the resource is answered after a NUL byte.
func (s *state) result(d *jsonx.Doc, start, end int) []byte {
	if s.scratch && s.split && d == &s.doc {
		if s.asEdits {
			// The response carries the edits instead (writeEdits).
			jsonx.SortEdits(s.edits)
			s.res.edits, s.res.src, s.res.span = s.edits, d.Src, [2]int{start, end}
			return []byte{}
		}
		s.pending, s.pendStart, s.pendEnd = true, start, end
		return nil
	}
	return s.keepResult(jsonx.ApplySpan(s.resultBuf(0), d.Src, start, end, s.edits))
}

// parse checks limits and parses the resource into s.doc.
func (s *state) parse(src []byte) error {
	if len(src) > s.opts.MaxInputBytes {
		return errorf(ErrTooLarge, "input is "+strconv.Itoa(len(src))+" bytes; the limit is "+strconv.Itoa(s.opts.MaxInputBytes))
	}
	watchInline(&s.doc)
	return parseErr(s.doc.Parse(src, s.opts.MaxDepth))
}

func parseErr(err error) error {
	if err == nil {
		return nil
	}
	if _, ok := err.(*jsonx.DepthError); ok { // as Parse returns it (not errors.As: see compileRules)
		return errorf(ErrTooDeep, "JSON "+err.Error())
	}
	return errorf(ErrInvalidJSON, "malformed JSON at "+err.Error())
}

// readFrom notes what an operation needs to know of the resource at node n
// of d before it runs: its span (ApplySpan sizes the output itself,
// exactly: labeling may make it several times the input), whether it may
// hold inline labels, and whether a resource sits out of place in it.
func (s *state) readFrom(d *jsonx.Doc, n jsonx.Node) {
	start, end := d.Span(n)
	s.span = [2]int{start, end}
	s.mayHaveInline = d.Watched
	s.misplaced = misplacedIn(d, n)
}

// exec runs op on the resource at node n of d.
func (s *state) exec(o op, d *jsonx.Doc, n jsonx.Node) (*Result, error) {
	if d.Kind(n) != jsonx.Object {
		return nil, errorf(ErrNotFHIR, "a FHIR resource is a JSON object")
	}
	rt := d.Get(n, "resourceType")
	if !d.IsStr(rt) {
		return nil, errorf(ErrNotFHIR, "the object has no resourceType")
	}
	typ := d.Str(rt)
	if err := checkType(d, n, "the resource"); err != nil {
		return nil, err
	}
	s.readFrom(d, n)
	var res *Result
	if s.scratch {
		// The protocol path writes the result out before the call
		// returns: the state's own does, without an allocation.
		s.res = Result{}
		res = &s.res
	} else {
		res = new(Result)
	}
	if err := operationOf(o).run(s, d, n, typ, res); err != nil {
		return nil, err
	}
	if s.refused != nil {
		return nil, s.refused
	}
	sortDiagnostics(s.diags)
	res.Report = s.report
	res.Diagnostics = s.diags
	s.report, s.diags = Report{}, nil
	return res, nil
}

// checkType accepts an object only when it is a FHIR R4 resource.
func checkType(d *jsonx.Doc, n jsonx.Node, loc string) error {
	rt := d.Get(n, "resourceType")
	if !d.IsStr(rt) {
		return errorf(ErrNotFHIR, loc+" has no resourceType")
	}
	if typ := d.Str(rt); !r4.Types[typ] {
		return errorf(ErrUnsupportedResource, loc+": "+quote(typ)+" is not a FHIR R4 resource type")
	}
	return nil
}

// entryResource returns the resource of a Bundle entry, or -1 when the
// entry carries none; an entry resource that is not a FHIR resource fails
// the whole call, since its labels cannot be read with confidence.
func entryResource(d *jsonx.Doc, e jsonx.Node, bundleLoc string, i int) (jsonx.Node, error) {
	res := d.Get(e, "resource")
	switch d.Kind(res) {
	case 0, jsonx.Null:
		return -1, nil
	case jsonx.Object:
		if rt := d.Get(res, "resourceType"); d.IsStr(rt) && r4.Types[d.Str(rt)] {
			return res, nil // the common case, without building a location
		}
	}
	if err := isResource(d, res, entryLoc(bundleLoc, i)); err != nil {
		return -1, err
	}
	return res, nil
}

// isResource says why n is not a FHIR R4 resource (not_fhir or
// unsupported_resource), or nil when it is one.
func isResource(d *jsonx.Doc, n jsonx.Node, loc string) error {
	if d.Kind(n) != jsonx.Object {
		return errorf(ErrNotFHIR, loc+" is not a JSON object")
	}
	return checkType(d, n, loc)
}

// entryLoc is the location of entry i's resource; built only when needed.
func entryLoc(bundleLoc string, i int) string {
	return string(appendEntryLoc(make([]byte, 0, len(bundleLoc)+24), bundleLoc, i))
}

// outcomeLoc is the location of the outcome of entry i's response.
func outcomeLoc(bundleLoc string, i int) string {
	return bundleLoc + ".entry[" + strconv.Itoa(i) + "].response.outcome"
}

// appendEntryLoc appends entryLoc(bundleLoc, i) to b.
func appendEntryLoc(b []byte, bundleLoc string, i int) []byte {
	b = appendIndex(append(append(b, bundleLoc...), ".entry"...), i)
	return append(b, ".resource"...)
}

var severityOrder = [...]Severity{SeverityError, SeverityWarning, SeverityInformation}

// sortDiagnostics orders by severity; within one severity, the order found
// (document order) is kept.
func sortDiagnostics(ds []Diagnostic) {
	sorted := make([]Diagnostic, 0, len(ds))
	for _, sev := range severityOrder {
		for _, d := range ds {
			if d.Severity == sev {
				sorted = append(sorted, d)
			}
		}
	}
	copy(ds, sorted)
}
