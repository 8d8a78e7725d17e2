package api

import (
	"bufio"
	"bytes"
	"context"
	"io"
	"net/http"
	"sync"

	"github.com/seclabel/seclabel/engine"
	"github.com/seclabel/seclabel/internal/jsonx"
)

// operation is one endpoint that runs the engine.
type operation struct {
	// run answers the response's body, or nil when it wrote the response
	// itself (streamed) to w.
	run func(ctx context.Context, b engine.Backend, in *input, w http.ResponseWriter) ([]byte, error)
	// takes says which inputs beyond the resource and options it reads.
	takes struct{ context, report, mode, output bool }
}

// operations are the endpoints by path. LEAP SLS's /fhir/sls/label is
// $label; its /fhir/sls/transaction is $label?output=meta-add.
var operations = map[string]*operation{}

func init() {
	add := func(path string, op *operation) { operations[path] = op }
	for _, name := range []string{"label", "hwm", "redact", "validate", "marks"} {
		op := &operation{run: runOperation(name)}
		op.takes.report = name != "marks"
		op.takes.context = name == "redact"
		op.takes.output = name == "label"
		add("/$"+name, op)
	}
	add("/fhir/sls/label", operations["/$label"])
	leap := &operation{run: func(ctx context.Context, b engine.Backend, in *input, w http.ResponseWriter) ([]byte, error) {
		if in.output == "" {
			in.output = "meta-add"
		}
		return runOperation("label")(ctx, b, in, w)
	}}
	leap.takes.output = true
	add("/fhir/sls/transaction", leap)
	tag := &operation{run: slsTag}
	tag.takes.mode = true
	add("/$sls-tag", tag)
}

// serve reads the request and runs the operation.
func (op *operation) serve(ctx context.Context, b engine.Backend, body body, r *http.Request, w http.ResponseWriter) ([]byte, error) {
	in, err := readInput(body, r)
	if err != nil {
		return nil, err
	}
	switch {
	case in.context != nil && !op.takes.context:
		return nil, badRequest("invalid_context", "only $redact takes an access context")
	case in.report && !op.takes.report:
		return nil, badRequest(codeInvalidRequest, "this operation does not return a report")
	case in.mode != "" && !op.takes.mode:
		return nil, badRequest(codeInvalidRequest, "mode belongs to $sls-tag")
	case in.output != "" && !op.takes.output:
		return nil, badRequest(codeInvalidRequest, "output belongs to $label")
	}
	return op.run(ctx, b, in, w)
}

// answer is an engine response: the envelope, parsed, and the resource
// sent after its NUL byte (nil when there is none).
type answer struct {
	env      jsonx.Doc
	resource []byte
}

// call runs op on the input's resource with the client's options and
// those the endpoint sets (set: name and JSON value pairs, which replace
// the client's of the same name; keep: names set only when the client did
// not set them).
//
// With to, a backend that streams writes a successful result straight to
// it, and call answers nil, nil.
func call(ctx context.Context, b engine.Backend, op string, in *input, set, keep [][2]string, to http.ResponseWriter) (*answer, error) {
	var w jsonx.Writer
	w.BeginObject()
	w.KV("op", op)
	w.Key("options")
	w.BeginObject()
	given := map[string]bool{}
	if d := in.options; d != nil {
		d.Members(0, func(k, v jsonx.Node) bool {
			name := d.Str(k)
			given[name] = true
			for _, s := range set {
				if s[0] == name {
					return true
				}
			}
			w.Key(name)
			w.Raw(d.Raw(v))
			return true
		})
	}
	for _, s := range set {
		w.Key(s[0])
		w.Raw([]byte(s[1]))
	}
	for _, s := range keep {
		if !given[s[0]] {
			w.Key(s[0])
			w.Raw([]byte(s[1]))
		}
	}
	w.EndObject()
	if in.context != nil {
		w.Key("context")
		w.Raw(in.context)
	}
	w.EndObject()
	var req []byte
	if in.room != nil && len(w.B) < headroom {
		// The envelope goes in the free space before the body.
		req = in.room[headroom-len(w.B)-1:]
		copy(req, w.B)
		req[len(w.B)] = 0
	} else {
		req = make([]byte, 0, len(w.B)+1+len(in.resource))
		req = append(append(append(req, w.B...), 0), in.resource...)
	}
	a := &answer{}
	var env []byte
	st, streams := b.(streamer)
	streams = streams && to != nil
	if streams {
		sw := &splitWriter{w: to}
		// The result comes in many small pieces (the spans between
		// edits): gathered here, they leave in few writes.
		bw := writers.Get().(*bufio.Writer)
		bw.Reset(sw)
		err := st.DoTo(ctx, bw, req)
		if err == nil {
			err = bw.Flush()
		}
		bw.Reset(nil)
		writers.Put(bw)
		if err != nil && !sw.body {
			return nil, err
		}
		if sw.body {
			return nil, nil // written; a failure of the connection is the client's
		}
		env = sw.env
	} else {
		resp := b.Do(ctx, req)
		env = resp
		if i := bytes.IndexByte(resp, 0); i >= 0 {
			env, a.resource = resp[:i], resp[i+1:]
		}
	}
	if err := a.env.Parse(env, 1000); err != nil {
		return nil, &apiError{status: http.StatusInternalServerError, code: "internal", msg: "the engine's response is not JSON: " + err.Error()}
	}
	if e := a.env.Get(0, "error"); e >= 0 {
		return nil, engineError(a.env.Str(a.env.Get(e, "code")), a.env.Str(a.env.Get(e, "message")))
	}
	if streams {
		return nil, &apiError{status: http.StatusInternalServerError, code: "internal", msg: "the engine answered no resource"}
	}
	return a, nil
}

// writers are the buffers streamed results are gathered in.
var writers = sync.Pool{New: func() any { return bufio.NewWriterSize(nil, 64<<10) }}

// streamer is a backend that writes its response as it goes (the native
// engine): label and hwm then send their result straight from the input
// and the labels added, without building it whole.
type streamer interface {
	DoTo(ctx context.Context, w io.Writer, request []byte) error
}

// splitWriter takes a streamed engine response: it keeps the envelope,
// and once the NUL byte that ends a successful one comes, sends the
// resource after it as the 200 response's body. The engine writes
// nothing until the call has succeeded or failed whole, so an error
// never follows a partial answer.
type splitWriter struct {
	w    http.ResponseWriter
	env  []byte
	body bool // the NUL came: the response has started
}

func (s *splitWriter) Write(p []byte) (int, error) {
	n := len(p)
	if !s.body {
		i := bytes.IndexByte(p, 0)
		if i < 0 {
			s.env = append(s.env, p...)
			return n, nil
		}
		s.env = append(s.env, p[:i]...)
		s.body = true
		fhirHeaders(s.w)
		s.w.WriteHeader(http.StatusOK)
		p = p[i+1:]
	}
	if _, err := s.w.Write(p); err != nil {
		return 0, err
	}
	return n, nil
}

// withheld is the answer to a redaction that withholds the whole
// resource: an OperationOutcome whose issue type, suppressed, is FHIR's
// for information not returned under privacy rules.
var withheld = outcome("information", codeWithheld, "the whole resource is withheld from this recipient")

// runOperation runs label, hwm, redact, validate or marks and answers as
// README.md ("HTTP API") says.
func runOperation(op string) func(ctx context.Context, b engine.Backend, in *input, w http.ResponseWriter) ([]byte, error) {
	return func(ctx context.Context, b engine.Backend, in *input, w http.ResponseWriter) ([]byte, error) {
		var set, keep [][2]string
		switch {
		case op == "validate":
			set = append(set, [2]string{"operationOutcome", "true"})
		case op == "label" && in.output != "" && in.output != "resource":
			if in.output != "meta-add" && in.output != "put" {
				return nil, badRequest(codeInvalidRequest, "output is resource, meta-add or put, not "+quote(in.output))
			}
			if in.report {
				return nil, badRequest(codeInvalidRequest, "report comes with output=resource only")
			}
			keep = append(keep, [2]string{"omitReport", "true"})
			a, err := call(ctx, b, op, in, set, keep, nil)
			if err != nil {
				return nil, err
			}
			return updates(in.resource, a.resource, "transaction", in.output == "meta-add")
		case (op == "label" || op == "redact") && !in.report:
			// The report's longest lists cost time and memory in
			// proportion to the input, for nothing when it is not sent.
			keep = append(keep, [2]string{"omitReport", "true"})
		}
		if (op == "label" || op == "hwm") && !in.report {
			return streamOrBytes(call(ctx, b, op, in, set, keep, w))
		}
		a, err := call(ctx, b, op, in, set, keep, nil)
		if err != nil {
			return nil, err
		}
		var result []byte
		switch op {
		case "validate":
			result = a.env.Raw(a.env.Get(0, "outcome"))
		case "marks":
			return displayParameters(&a.env), nil
		default:
			result = a.resource
			if bytes.Equal(result, []byte("null")) {
				result = withheld
			}
		}
		audit := a.env.Raw(a.env.Get(0, "audit"))
		if !in.report && audit == nil {
			return result, nil
		}
		return reportParameters(&a.env, result, audit), nil
	}
}

// reportParameters is the answer with the report: a Parameters whose
// return part is the result, whose report part holds the engine's report
// and diagnostics as JSON text (FHIR has no type for free JSON), and whose
// audit part is the redaction's AuditEvent when one was asked for.
func reportParameters(env *jsonx.Doc, result, audit []byte) []byte {
	rep := []byte(`{"report":`)
	rep = append(rep, env.Raw(env.Get(0, "report"))...)
	rep = append(rep, `,"diagnostics":`...)
	rep = append(rep, env.Raw(env.Get(0, "diagnostics"))...)
	rep = append(rep, '}')
	var w jsonx.Writer
	beginParameters(&w)
	resourcePart(&w, "return", result)
	beginPart(&w, "report")
	w.KV("valueString", string(rep))
	w.EndObject()
	if audit != nil {
		resourcePart(&w, "audit", audit)
	}
	w.EndArray()
	w.EndObject()
	return w.B
}

// displayParameters is the answer of $marks: a Parameters with one
// display part per thing to show, its location, kind and text, and the
// label's coding for a mark label.
func displayParameters(env *jsonx.Doc) []byte {
	items := env.Get(env.Get(0, "report"), "display")
	if env.Count(items) == 0 {
		return []byte(`{"resourceType":"Parameters"}`) // FHIR allows no empty array
	}
	var w jsonx.Writer
	beginParameters(&w)
	env.Items(items, func(_ int, d jsonx.Node) bool {
		beginPart(&w, "display")
		w.Key("part")
		w.BeginArray()
		for _, f := range []struct{ name, typ string }{{"location", "valueString"}, {"kind", "valueCode"}, {"text", "valueString"}} {
			if v := env.Str(env.Get(d, f.name)); v != "" {
				beginPart(&w, f.name)
				w.KV(f.typ, v)
				w.EndObject()
			}
		}
		if code := env.Str(env.Get(d, "code")); code != "" {
			beginPart(&w, "label")
			w.Key("valueCoding")
			w.BeginObject()
			if s := env.Str(env.Get(d, "system")); s != "" {
				w.KV("system", s)
			}
			w.KV("code", code)
			w.EndObject()
			w.EndObject()
		}
		w.EndArray()
		w.EndObject()
		return true
	})
	w.EndArray()
	w.EndObject()
	return w.B
}

// beginParameters opens a Parameters and its parameter array; the caller
// closes both.
func beginParameters(w *jsonx.Writer) {
	w.BeginObject()
	w.KV("resourceType", "Parameters")
	w.Key("parameter")
	w.BeginArray()
}

// beginPart opens a parameter (or part) named name; the caller closes it.
func beginPart(w *jsonx.Writer, name string) {
	w.BeginObject()
	w.KV("name", name)
}

// resourcePart writes a parameter holding a resource.
func resourcePart(w *jsonx.Writer, name string, res []byte) {
	beginPart(w, name)
	w.Key("resource")
	w.Raw(res)
	w.EndObject()
}

// streamOrBytes is the body of a call that may have streamed: nil when
// it did, else the resource.
func streamOrBytes(a *answer, err error) ([]byte, error) {
	if err != nil || a == nil {
		return nil, err
	}
	return a.resource, nil
}

// slsTag is $sls-tag, as the SHIFT SLS reference implementation defines
// it: a Bundle in; mode=full answers the Bundle labeled, with its
// high-water mark in Bundle.meta.security; mode=batch (the default)
// answers a batch Bundle that PUTs each resource labeling changed.
func slsTag(ctx context.Context, b engine.Backend, in *input, w http.ResponseWriter) ([]byte, error) {
	if t := topType(in.resource); t != "Bundle" && t != "" {
		return nil, &apiError{status: http.StatusUnprocessableEntity, code: codeInvalidRequest, msg: "$sls-tag takes a Bundle, not a " + t}
	}
	switch in.mode {
	case "full":
		return streamOrBytes(call(ctx, b, "label", in, [][2]string{{"bundleHighWaterMark", "true"}}, [][2]string{{"omitReport", "true"}}, w))
	case "", "batch":
		a, err := call(ctx, b, "label", in, nil, [][2]string{{"omitReport", "true"}}, nil)
		if err != nil {
			return nil, err
		}
		return updates(in.resource, a.resource, "batch", false)
	}
	return nil, badRequest(codeInvalidRequest, "mode is batch or full, not "+quote(in.mode))
}
