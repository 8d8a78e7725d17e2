package engine

import (
	"bytes"
	"io"
	"strconv"

	"github.com/seclabel/seclabel/internal/jsonx"
)

// do serves one protocol request. The request's "resource" is parsed as part
// of the request (or from its string form), so an embedded resource costs
// one parse.
//
// A session (not nil) also takes configure requests, which replace its
// engine; Engine.Do, with none, rejects them.
//
// Within a session the response is the state's own buffer, valid until the
// session's next call; otherwise it is the caller's.
//
// With stream set (DoTo) the response is written there instead, and its
// resource, when it travels after a NUL byte, in pieces; out is nil.
func (e *Engine) do(ctx canceler, request []byte, sess *Session, stream io.Writer) (out []byte, werr error) {
	var s *state
	if sess != nil && sess.s != nil {
		s = sess.s
		s.reset(&e.opts)
	} else {
		s = e.getState(&e.opts)
	}
	s.scratch = true
	wrote := false // to stream: a panic past this point cannot be reported
	defer func() {
		if r := recover(); r != nil {
			// A panic is a bug; the state may be inconsistent, so it is
			// dropped, and no partial output leaves.
			if sess != nil {
				sess.s = nil
			}
			out = errorResponse(errorf(ErrInternal, "internal error: "+panicText(r)))
			if stream != nil {
				if wrote {
					panic(r)
				}
				_, werr = stream.Write(out)
				out = nil
			}
			return
		}
		// What the call's result and options hold is not kept for the
		// next one; the report was written, so its chunks are kept.
		s.res, s.reqOpts = Result{}, Options{}
		s.repMatch.reuse()
		s.repCoding.reuse()
		if sess != nil {
			sess.s = s
		} else {
			e.putState(s)
		}
	}()
	var o op
	res, err := e.doRequest(ctx, request, &o, sess, s)
	pending := err == nil && o != opConfigure && s.pending
	switch {
	case err != nil:
		out = errorResponse(err)
	case o == opConfigure:
		out = []byte(configured)
	default:
		s.respBuf = response(&s.rw, s.respBuf[:0], o, res, s.split, pending)
		if pending && (stream == nil || !canStream) {
			// The resource goes after the NUL byte straight from the input
			// and the edits, never built on its own and copied.
			s.respBuf = jsonx.ApplySpan(s.respBuf, s.doc.Src, s.pendStart, s.pendEnd, s.edits)
		}
		out = s.respBuf
		if sess == nil && stream == nil {
			// The buffer is handed over rather than copied when it is large:
			// the next call grows a new one.
			if cap(out) > bufferKept {
				s.respBuf = nil
			} else {
				out = append(make([]byte, 0, len(out)), out...)
			}
		}
	}
	if stream == nil {
		return out, nil
	}
	if _, err := stream.Write(out); err != nil || !pending || !canStream {
		return nil, err
	}
	wrote = true
	s.resBuf, werr = jsonx.WriteSpan(stream, s.resBuf, s.doc.Src, s.pendStart, s.pendEnd, s.edits)
	return nil, werr
}

func (e *Engine) doRequest(ctx canceler, request []byte, o *op, sess *Session, s *state) (res *Result, err error) {
	if err := ctx.Err(); err != nil {
		return nil, errorf(ErrCancelled, "call cancelled: "+err.Error())
	}
	// The envelope may hold a resource as large as the limit plus its options.
	if len(request) > e.opts.MaxInputBytes+64<<10 {
		return nil, errorf(ErrTooLarge, "request is "+strconv.Itoa(len(request))+" bytes; the limit is "+strconv.Itoa(e.opts.MaxInputBytes))
	}
	// A NUL byte, which JSON text cannot hold, may end the envelope: the
	// resource's JSON text follows it, parsed on its own (no escaping into a
	// JSON string, and its errors are the resource's own).
	var tail []byte
	if i := bytes.IndexByte(request, 0); i >= 0 {
		request, tail = request[:i], request[i+1:]
		s.split = true // and so is the response
	}
	watchInline(&s.req)
	if err := parseErr(s.req.Parse(request, e.opts.MaxDepth+1)); err != nil {
		return nil, err
	}
	d := &s.req
	if d.Kind(0) != jsonx.Object {
		return nil, errorf(ErrInvalidOption, "a request is a JSON object with op and resource")
	}
	if op := d.Get(0, "op"); d.IsStr(op) && d.Str(op) == "configure" {
		if tail != nil {
			return nil, errorf(ErrInvalidOption, "a configure request takes no resource")
		}
		if sess == nil {
			return nil, errorf(ErrInvalidOption, "configure requests are for long-lived hosts (engine.Session, the WebAssembly module); an Engine is configured by New")
		}
		ne, err := configure(request, e.opts.MaxDepth+1)
		if err != nil {
			return nil, err
		}
		sess.e, *o = ne, opConfigure
		s.optsFrom, s.optsKept = nil, Options{} // nor the old engine's options
		return nil, nil
	}
	var resource, options, rules, accessCtx jsonx.Node = -1, -1, -1, -1
	var bad error
	d.Members(0, func(k, v jsonx.Node) bool {
		switch d.Str(k) {
		case "protocol":
			if n, ok := whole(string(d.Raw(v))); d.Kind(v) != jsonx.Number || !ok || n != ProtocolVersion {
				bad = errorf(ErrInvalidOption, "unsupported protocol version "+string(d.Raw(v))+"; this engine speaks "+strconv.Itoa(ProtocolVersion))
			}
		case "op":
			if x := operationNamed(d.Str(v)); x != nil && d.IsStr(v) {
				*o = x.op
			} else {
				bad = errorf(ErrInvalidOption, "unknown op "+string(d.Raw(v))+"; expected "+expectedOps())
			}
		case "resource":
			resource = v
		case "options":
			options = v
		case "rules":
			rules = v
		case "context":
			accessCtx = v
		case "edits":
			if k := d.Kind(v); k == jsonx.True {
				s.asEdits = true
			} else if k != jsonx.False {
				bad = errorf(ErrInvalidOption, "edits is true or false")
			}
		default:
			bad = errorf(ErrInvalidOption, "unknown request member "+quote(d.Str(k)))
		}
		return bad == nil
	})
	if bad != nil {
		return nil, bad
	}
	if *o == 0 {
		return nil, errorf(ErrInvalidOption, "the request has no op; expected "+expectedOps())
	}
	// The options are the engine's, or the request's as the state keeps
	// them (read, never written: neither is copied for a call).
	opts, err := s.requestOptions(e, d, options)
	if err != nil {
		return nil, err
	}
	if rules >= 0 {
		// Rule packs for this call only; a host that labels often should
		// compile them once (Options.Rules) instead. They may alias the
		// request, which stays as it is until the call ends.
		s.reqOpts = *opts
		opts = &s.reqOpts
		if opts.Rules, err = compilePacks(d, rules); err != nil {
			return nil, err
		}
	}
	s.opts = opts
	if *o == opRedact {
		ac, err := parseAccess(d, accessCtx)
		if err != nil {
			return nil, err
		}
		if s.access, err = ac.resolve(); err != nil {
			return nil, err
		}
	}
	if tail != nil {
		if resource >= 0 {
			return nil, errorf(ErrInvalidOption, "a request followed by a resource after a NUL byte must not have a resource member")
		}
		if err := s.parse(tail); err != nil {
			return nil, err
		}
		return s.exec(*o, &s.doc, 0)
	}
	switch d.Kind(resource) {
	case 0:
		return nil, errorf(ErrNotFHIR, "the request has no resource")
	case jsonx.String:
		// The resource as JSON text, for hosts that hold it as a string.
		text := []byte(d.Str(resource))
		if err := s.parse(text); err != nil {
			return nil, err
		}
		return s.exec(*o, &s.doc, 0)
	}
	start, end := d.Span(resource)
	if end-start > opts.MaxInputBytes {
		return nil, errorf(ErrTooLarge, "resource is "+strconv.Itoa(end-start)+" bytes; the limit is "+strconv.Itoa(opts.MaxInputBytes))
	}
	if opts.MaxDepth < e.opts.MaxDepth {
		// Re-check depth against the request's lower limit.
		var probe jsonx.Doc
		if err := parseErr(probe.Parse(d.Src[start:end], opts.MaxDepth)); err != nil {
			return nil, err
		}
	}
	return s.exec(*o, d, resource)
}

const configured = `{"protocol":1,"op":"configure"}`

// configure builds an Engine from a configure request.
func configure(request []byte, maxDepth int) (*Engine, error) {
	// The engine keeps strings of the request (option values, and through
	// its rules the packs' text), so it reads a private copy: hosts reuse
	// their request buffers.
	var d jsonx.Doc
	if err := parseErr(d.Parse(bytes.Clone(request), maxDepth)); err != nil {
		return nil, err
	}
	if d.Kind(0) != jsonx.Object || d.Str(d.Get(0, "op")) != "configure" {
		return nil, errorf(ErrInvalidOption, `a configure request is {"op": "configure", "rules": [...], "options": {...}}`)
	}
	base, _ := Options{}.resolve()
	var bad error
	d.Members(0, func(k, v jsonx.Node) bool {
		switch name := d.Str(k); {
		case among(name, "op rules options "):
		case name == "protocol":
			if n, ok := whole(string(d.Raw(v))); d.Kind(v) != jsonx.Number || !ok || n != ProtocolVersion {
				bad = errorf(ErrInvalidOption, "unsupported protocol version "+string(d.Raw(v))+"; this engine speaks "+strconv.Itoa(ProtocolVersion))
			}
		default:
			bad = errorf(ErrInvalidOption, "unknown configure member "+quote(name))
		}
		return bad == nil
	})
	if bad != nil {
		return nil, bad
	}
	opts, err := mergeOptionsUpTo(base, &d, d.Get(0, "options"), limitMaxInputBytes, limitMaxDepth)
	if err != nil {
		return nil, err
	}
	if rules := d.Get(0, "rules"); rules >= 0 {
		if opts.Rules, err = compilePacks(&d, rules); err != nil { // the private copy's
			return nil, err
		}
	}
	return New(opts)
}

// compilePacks compiles a request's rules member: an array of packs, each a
// JSON object, the JSON text of one in a string, or the name of an embedded
// pack ("us-default", "us-broad"). Messages name the packs by their place
// (rules[0], ...), embedded ones by name. The Rules alias d's source.
func compilePacks(d *jsonx.Doc, rules jsonx.Node) (*Rules, error) {
	if d.Kind(rules) != jsonx.Array {
		return nil, errorf(ErrInvalidRules, "rules must be an array of rule packs")
	}
	var packs []Pack
	var err error
	d.Items(rules, func(i int, p jsonx.Node) bool {
		name := "rules[" + strconv.Itoa(i) + "]"
		if !d.IsStr(p) {
			packs = append(packs, Pack{Name: name, JSON: d.Raw(p)})
			return true
		}
		s := d.Str(p)
		if b, ok := embeddedPack(s); ok {
			packs = append(packs, Pack{Name: s, JSON: b})
			return true
		}
		if isPackName(s) {
			err = errorf(ErrInvalidRules, name+": no embedded pack is named "+quote(s)+`; the embedded packs are "us-default" and "us-broad"`)
			return false
		}
		packs = append(packs, Pack{Name: name, JSON: []byte(s)})
		return true
	})
	if err != nil {
		return nil, err
	}
	if len(packs) == 1 && packs[0].Name == "us-default" {
		return DefaultRules(), nil // compiled once
	}
	return compileRules(packs)
}

// isPackName reports whether a string of a request's rules looks like the
// name of a pack rather than JSON text: letters, digits, "-", "_" and ".".
func isPackName(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_' || c == '.') {
			return false
		}
	}
	return s != ""
}

// parseAccess reads a request's access context: the seclabel form
// {clearance, purposeOfUse, compartments, deny, allow, ignore,
// withheldReferences}, the REDACT
// obligation peers emit ({"code": "REDACT", "codes": [...]} or
// {"code": "REDACT", "exceptAnyOfCodes": [...]}), or the seclabel form with
// such obligations in "obligations".
func parseAccess(d *jsonx.Doc, n jsonx.Node) (AccessContext, error) {
	var c AccessContext
	if n < 0 {
		return c, errorf(ErrInvalidContext, "redact needs a context: {\"clearance\": \"N\", \"purposeOfUse\": \"TREAT\", \"deny\": [...]}")
	}
	if d.Kind(n) != jsonx.Object {
		return c, ctxErr("", "must be an object")
	}
	var err error
	strs := func(field string, v jsonx.Node) []string {
		out := []string{}
		if d.Kind(v) != jsonx.Array {
			err = ctxErr(field, "must be an array of codes")
			return nil
		}
		d.Items(v, func(i int, it jsonx.Node) bool {
			if !d.IsStr(it) || d.Str(it) == "" {
				err = ctxErr(field+"["+strconv.Itoa(i)+"]", "must be a non-empty string")
				return false
			}
			out = append(out, d.Str(it))
			return true
		})
		return out
	}
	obligation := func(o jsonx.Node, field string) {
		if d.Kind(o) != jsonx.Object || d.Str(d.Get(o, "code")) != "REDACT" {
			err = ctxErr(field, `an obligation is {"code": "REDACT", "codes": [...]} or {"code": "REDACT", "exceptAnyOfCodes": [...]}`)
			return
		}
		d.Members(o, func(k, v jsonx.Node) bool {
			switch name := d.Str(k); {
			case among(name, "code system id "):
			case name == "codes":
				c.Deny = append(c.Deny, strs(field+".codes", v)...)
			case name == "exceptAnyOfCodes":
				// Each obligation holds on its own: two of them release
				// only what satisfies both.
				c.ReleaseOnly = append(c.ReleaseOnly, strs(field+".exceptAnyOfCodes", v))
			default:
				err = ctxErr(field+"."+name, "unknown member")
			}
			return err == nil
		})
	}
	if d.Get(n, "code") >= 0 {
		obligation(n, "")
		return c, err
	}
	d.Members(n, func(k, v jsonx.Node) bool {
		switch name := d.Str(k); name {
		case "clearance", "purposeOfUse":
			if !d.IsStr(v) {
				err = ctxErr(name, "must be a string")
				return false
			}
			if name == "clearance" {
				c.Clearance = d.Str(v)
				if c.Clearance == "" {
					err = ctxErr(name, "must be one of U, L, M, N, R, V")
				}
			} else {
				c.PurposeOfUse = d.Str(v)
			}
		case "compartments":
			c.Compartments = append(c.Compartments, strs(name, v)...)
		case "deny":
			c.Deny = append(c.Deny, strs(name, v)...)
		case "allow":
			c.Allow = strs(name, v)
		case "ignore":
			c.Ignore = append(c.Ignore, strs(name, v)...)
		case "withheldReferences":
			c.WithheldReferences = append(c.WithheldReferences, strs(name, v)...)
		case "obligations":
			if d.Kind(v) != jsonx.Array {
				err = ctxErr(name, "must be an array")
				return false
			}
			d.Items(v, func(i int, o jsonx.Node) bool {
				obligation(o, "obligations["+strconv.Itoa(i)+"]")
				return err == nil
			})
		default:
			err = ctxErr(name, "unknown member")
		}
		return err == nil
	})
	return c, err
}

// response appends a successful response to dst.
//
// With split set (the request carried its resource after a NUL byte), the
// resulting resource follows the envelope after a NUL byte instead of being
// its "resource" member, for the operations that return one.
//
// pending says the resource is not in r but follows after the NUL byte of
// a split response, written by the caller (do).
func response(w *jsonx.Writer, dst []byte, o op, r *Result, split, pending bool) []byte {
	w.Reset() // a writer kept across calls keeps its stack of containers
	if need := len(r.Resource) + len(r.Audit) + len(r.Outcome) + 4096; cap(dst) < need {
		dst = make([]byte, 0, need+need/4) // room for the report
	}
	w.B = dst
	w.BeginObject()
	w.Key("protocol")
	w.Int(ProtocolVersion)
	w.KV("op", o.String())
	returns := r.Resource != nil || o == opRedact || pending // redact: null when withheld whole
	if returns && !split {
		w.Key("resource")
		if r.Resource != nil {
			w.Raw(r.Resource)
		} else {
			w.Null()
		}
	}
	w.Key("report")
	writeReport(w, o, &r.Report)
	w.Key("diagnostics")
	writeDiagnostics(w, r.Diagnostics)
	if r.Outcome != nil {
		w.Key("outcome")
		w.Raw(r.Outcome)
	}
	if r.Audit != nil {
		w.Key("audit")
		w.Raw(r.Audit)
	}
	if r.src != nil {
		writeEdits(w, r)
	}
	w.EndObject()
	if returns && split {
		w.B = append(w.B, 0)
		if pending {
			return w.B
		}
		if r.src != nil {
			for _, e := range r.edits {
				w.B = append(w.B, e.Text...)
			}
		} else if r.Resource != nil {
			w.B = append(w.B, r.Resource...)
		} else {
			w.B = append(w.B, "null"...)
		}
	}
	return w.B
}

// writeEdits writes the edits that make the result from the resource the
// request carried after its NUL byte, as [start, end, length]: the text
// from start to end is replaced by the next length of the texts that
// follow the response's NUL byte, all counted in UTF-16 code units, the
// indexes of a JavaScript string. A host holding the resource as text
// splices them in instead of decoding the whole result.
func writeEdits(w *jsonx.Writer, r *Result) {
	w.Key("edits")
	w.BeginArray()
	src, pos, at := r.src, 0, 0 // at: src[:pos] in UTF-16 code units
	// What surrounds the resource goes: a first and a last edit.
	for i := -1; i <= len(r.edits); i++ {
		e := jsonx.Edit{End: r.span[0]}
		switch {
		case i == len(r.edits):
			e = jsonx.Edit{Start: r.span[1], End: len(src)}
		case i >= 0:
			e = r.edits[i]
		}
		at += jsonx.UTF16Len(src[pos:e.Start])
		w.BeginArray()
		w.Int(at)
		at += jsonx.UTF16Len(src[e.Start:e.End])
		w.Int(at)
		w.Int(jsonx.UTF16Len(e.Text))
		w.EndArray()
		pos = e.End
	}
	w.EndArray()
}

func writeReport(w *jsonx.Writer, o op, r *Report) {
	w.BeginObject()
	operationOf(o).write(w, r)
	w.EndObject()
}

func writeMarks(w *jsonx.Writer, marks []Mark) {
	w.Key("marks")
	w.BeginArray()
	for _, m := range marks {
		w.BeginObject()
		w.KV("location", m.Location)
		if m.Type != "" {
			w.KV("type", m.Type)
		}
		w.Key("entries")
		w.Int(m.Entries)
		w.KV("confidentiality", m.Confidentiality)
		writeCodes(w, "security", m.Security)
		w.Key("leftOut")
		w.BeginArray()
		for _, l := range m.LeftOut {
			w.BeginObject()
			w.KV("system", l.System)
			w.KV("code", l.Code)
			w.KV("set", l.Set)
			w.KV("reason", l.Reason)
			w.EndObject()
		}
		w.EndArray()
		w.EndObject()
	}
	w.EndArray()
}

// writeCodes writes key: [{system, code}, ...].
func writeCodes(w *jsonx.Writer, key string, cs []Coding) {
	w.Key(key)
	w.BeginArray()
	for _, c := range cs {
		w.BeginObject()
		w.KV("system", c.System)
		w.KV("code", c.Code)
		if c.Display != "" {
			w.KV("display", c.Display)
		}
		if c.Set != "" {
			w.KV("set", c.Set)
		}
		w.EndObject()
	}
	w.EndArray()
}

func writeMatches(w *jsonx.Writer, key string, ms []Match) {
	w.Key(key)
	w.BeginArray()
	for _, m := range ms {
		w.BeginObject()
		w.KV("rule", m.Rule)
		if m.System != "" {
			w.KV("system", m.System)
		}
		if m.Text == "" || m.Code != "" { // words carry no code; a code written in words does
			w.KV("code", m.Code)
		}
		w.KV("path", m.Path)
		if m.Text != "" {
			w.KV("text", m.Text)
			w.Key("start")
			w.Int(m.Start)
			w.Key("end")
			w.Int(m.End)
			w.Key("confidence")
			w.Raw(strconv.AppendFloat(nil, m.Confidence, 'f', -1, 64))
		}
		w.EndObject()
	}
	w.EndArray()
}

func writeDropped(w *jsonx.Writer, ds []Dropped) {
	w.Key("dropped")
	w.BeginArray()
	for _, x := range ds {
		w.BeginObject()
		w.KV("location", x.Location)
		w.KV("type", x.Type)
		if x.ID != "" {
			w.KV("id", x.ID)
		}
		w.KV("rule", x.Rule)
		w.KV("path", x.Path)
		w.KV("text", x.Text)
		w.Key("start")
		w.Int(x.Start)
		w.Key("end")
		w.Int(x.End)
		w.KV("reason", x.Reason)
		w.KV("trigger", x.Trigger)
		w.EndObject()
	}
	w.EndArray()
}

func writeDiagnostics(w *jsonx.Writer, ds []Diagnostic) {
	w.BeginArray()
	for _, d := range ds {
		w.BeginObject()
		w.KV("severity", string(d.Severity))
		w.KV("code", string(d.Code))
		w.KV("location", d.Location)
		w.KV("message", d.Message)
		w.EndObject()
	}
	w.EndArray()
}

func errorResponse(err error) []byte {
	e, ok := err.(*Error)
	if !ok {
		e = errorf(ErrInternal, err.Error())
	}
	var w jsonx.Writer
	w.BeginObject()
	w.Key("protocol")
	w.Int(ProtocolVersion)
	w.Key("error")
	w.BeginObject()
	w.KV("code", string(e.Code))
	w.KV("message", e.Message)
	w.EndObject()
	w.EndObject()
	return w.B
}

// writeStrings writes key: [s, ...].
func writeStrings(w *jsonx.Writer, key string, ss []string) {
	w.Key(key)
	w.BeginArray()
	for _, s := range ss {
		w.String(s)
	}
	w.EndArray()
}
