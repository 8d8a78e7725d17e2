package api

import (
	"errors"
	"net/http"
	"strings"

	"github.com/seclabel/seclabel/internal/jsonx"
)

// input is what one operation request asks for, from the body (a
// resource, or a Parameters), the X-Seclabel-* headers and the query.
type input struct {
	resource []byte
	room     []byte     // when resource is the whole body: the buffer it ends, headroom bytes free before it
	options  *jsonx.Doc // the client's options object, or nil
	context  []byte     // the access context object, or nil
	report   bool       // answer with a Parameters carrying the report
	mode     string     // $sls-tag: batch or full
	output   string     // $label: resource, meta-add or put
}

// ctxLists are the access context's members that take several codes;
// ctxCodes those that take one. A Parameters gives each as its own part.
var (
	ctxLists = []string{"deny", "allow", "compartments", "ignore"}
	ctxCodes = []string{"clearance", "purposeOfUse"}
)

// readInput reads an operation's input. A body whose top-level
// resourceType is Parameters holds the operation's parameters; any other
// body is the resource itself, passed to the engine as it came.
func readInput(b body, r *http.Request) (*input, error) {
	in := &input{}
	var optText, ctxText []byte
	if topType(b.bytes()) == "Parameters" {
		var err error
		if optText, ctxText, err = in.readParameters(b.bytes()); err != nil {
			return nil, err
		}
	} else {
		in.resource, in.room = b.bytes(), b.buf
	}
	if h := r.Header.Get("X-Seclabel-Options"); h != "" {
		if optText != nil {
			return nil, badRequest("invalid_option", "options are given both in the Parameters and in X-Seclabel-Options")
		}
		optText = []byte(h)
	}
	if h := r.Header.Get("X-Seclabel-Context"); h != "" {
		if ctxText != nil {
			return nil, badRequest("invalid_context", "the access context is given both in the Parameters and in X-Seclabel-Context")
		}
		ctxText = []byte(h)
	}
	if optText != nil {
		d, err := object(optText, "options")
		if err != nil {
			return nil, badRequest("invalid_option", err.Error())
		}
		in.options = d
	}
	if ctxText != nil {
		if _, err := object(ctxText, "the access context"); err != nil {
			return nil, badRequest("invalid_context", err.Error())
		}
		in.context = ctxText
	}
	for k, vs := range r.URL.Query() {
		v := vs[len(vs)-1]
		switch k {
		case "report":
			if v != "true" && v != "false" {
				return nil, badRequest(codeInvalidRequest, "report is true or false, not "+quote(v))
			}
			in.report = in.report || v == "true"
		case "mode":
			in.mode = v
		case "output":
			in.output = v
		case "_format", "_pretty":
			// FHIR's general parameters: the API answers JSON, unindented.
		default:
			return nil, badRequest(codeInvalidRequest, "unknown query parameter "+quote(k)+"; the operations take report, mode (for $sls-tag) and output (for $label)")
		}
	}
	if in.resource == nil {
		return nil, &apiError{status: http.StatusUnprocessableEntity, code: "not_fhir", msg: "the Parameters has no resource part"}
	}
	return in, nil
}

// readParameters reads a Parameters body: its resource (or bundle) part,
// the options and access context (as JSON text, or the context's members
// part by part), report, mode and output. It returns the options and the
// access context as JSON text.
func (in *input) readParameters(body []byte) (optText, ctxText []byte, err error) {
	var d jsonx.Doc
	if err := parseJSON(&d, body); err != nil {
		return nil, nil, err
	}
	var ctx jsonx.Writer // the context's members given part by part
	lists := map[string][]string{}
	codes := map[string]string{}
	single := map[string]string{} // options, context, mode, output
	bad := func(msg string) error { return badRequest(codeInvalidRequest, msg) }
	var perr error
	d.Members(0, func(k, v jsonx.Node) bool {
		switch d.Str(k) {
		case "resourceType", "id", "meta", "implicitRules", "language":
		case "parameter":
			if d.Kind(v) != jsonx.Array {
				perr = bad("Parameters.parameter must be an array")
			}
		default:
			perr = bad("Parameters has no member " + quote(d.Str(k)))
		}
		return perr == nil
	})
	if perr != nil {
		return nil, nil, perr
	}
	d.Items(d.Get(0, "parameter"), func(i int, p jsonx.Node) bool {
		name := d.Str(d.Get(p, "name"))
		str := func() (string, bool) {
			for _, t := range []string{"valueString", "valueCode", "valueUri", "valueCanonical"} {
				if n := d.Get(p, t); d.Kind(n) == jsonx.String {
					return d.Str(n), true
				}
			}
			perr = bad("parameter " + quote(name) + " takes a string or code value")
			return "", false
		}
		switch {
		case name == "resource" || name == "bundle":
			res := d.Get(p, "resource")
			if d.Kind(res) != jsonx.Object {
				perr = &apiError{status: http.StatusUnprocessableEntity, code: "not_fhir", msg: "parameter " + quote(name) + " has no resource"}
			} else if in.resource != nil {
				perr = bad("the Parameters has more than one resource part")
			} else {
				in.resource = d.Raw(res)
			}
		case name == "options" || name == "context" || name == "mode" || name == "output":
			s, ok := str()
			if !ok {
				return false
			}
			if _, dup := single[name]; dup {
				perr = bad("parameter " + quote(name) + " is given twice")
				return false
			}
			single[name] = s
		case name == "report":
			b := d.Get(p, "valueBoolean")
			if k := d.Kind(b); k != jsonx.True && k != jsonx.False {
				perr = bad("parameter \"report\" takes valueBoolean")
				return false
			}
			in.report = d.Bool(b)
		case contains(ctxLists, name):
			s, ok := str()
			if !ok {
				return false
			}
			lists[name] = append(lists[name], s)
		case contains(ctxCodes, name):
			s, ok := str()
			if !ok {
				return false
			}
			if _, dup := codes[name]; dup {
				perr = badRequest("invalid_context", "parameter "+quote(name)+" is given twice")
				return false
			}
			codes[name] = s
		default:
			perr = bad("unknown parameter " + quote(name) + "; see GET /metadata and the OperationDefinitions")
		}
		return perr == nil
	})
	if perr != nil {
		return nil, nil, perr
	}
	in.mode, in.output = single["mode"], single["output"]
	if s, ok := single["options"]; ok {
		optText = []byte(s)
	}
	if s, ok := single["context"]; ok {
		ctxText = []byte(s)
	}
	if len(lists)+len(codes) > 0 {
		if ctxText != nil {
			return nil, nil, badRequest("invalid_context", "give the access context as one context part or as its members, not both")
		}
		ctx.BeginObject()
		for _, k := range ctxCodes {
			if v, ok := codes[k]; ok {
				ctx.KV(k, v)
			}
		}
		for _, k := range ctxLists {
			if vs, ok := lists[k]; ok {
				ctx.Key(k)
				ctx.BeginArray()
				for _, v := range vs {
					ctx.String(v)
				}
				ctx.EndArray()
			}
		}
		ctx.EndObject()
		ctxText = ctx.B
	}
	return optText, ctxText, nil
}

// parseJSON parses a whole request body, with the engine's codes for
// what fails.
func parseJSON(d *jsonx.Doc, b []byte) error {
	err := d.Parse(b, 1000)
	var se *jsonx.SyntaxError
	var de *jsonx.DepthError
	switch {
	case errors.As(err, &se):
		return badRequest("invalid_json", err.Error())
	case errors.As(err, &de):
		return &apiError{status: http.StatusUnprocessableEntity, code: "too_deep", msg: err.Error()}
	case err != nil:
		return badRequest("invalid_json", err.Error())
	}
	return nil
}

// object parses b, which must be one JSON object.
func object(b []byte, what string) (*jsonx.Doc, error) {
	d := &jsonx.Doc{}
	if err := d.Parse(b, 100); err != nil {
		return nil, errors.New(what + ": " + err.Error())
	}
	if d.Kind(0) != jsonx.Object {
		return nil, errors.New(what + " must be a JSON object")
	}
	return d, nil
}

func badRequest(code, msg string) *apiError {
	return &apiError{status: http.StatusBadRequest, code: code, msg: msg}
}

func quote(s string) string { return string(jsonx.AppendString(nil, s)) }

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// topType returns the top-level resourceType of a JSON object without
// parsing the rest: it stops at that member, which FHIR JSON writes first
// by custom, so that the API reads a large Bundle only once, in the
// engine. It returns "" when the text is not an object or has no such
// member (the engine then says what is wrong).
func topType(b []byte) string {
	i := skipSpace(b, 0)
	if i >= len(b) || b[i] != '{' {
		return ""
	}
	i++
	for {
		i = skipSpace(b, i)
		if i >= len(b) || b[i] != '"' {
			return ""
		}
		ks := i + 1
		i = skipString(b, i)
		if i < 0 {
			return ""
		}
		key := b[ks : i-1]
		i = skipSpace(b, i)
		if i >= len(b) || b[i] != ':' {
			return ""
		}
		i = skipSpace(b, i+1)
		if string(key) == "resourceType" {
			if i >= len(b) || b[i] != '"' {
				return ""
			}
			end := skipString(b, i)
			if end < 0 {
				return ""
			}
			return strings.ToValidUTF8(string(b[i+1:end-1]), "")
		}
		if i = skipValue(b, i); i < 0 {
			return ""
		}
		i = skipSpace(b, i)
		if i >= len(b) || b[i] != ',' {
			return ""
		}
		i++
	}
}

func skipSpace(b []byte, i int) int {
	for i < len(b) && (b[i] == ' ' || b[i] == '\t' || b[i] == '\n' || b[i] == '\r') {
		i++
	}
	return i
}

// skipString returns the index just past the string starting at b[i]
// (a quote), or -1.
func skipString(b []byte, i int) int {
	for i++; i < len(b); i++ {
		switch b[i] {
		case '\\':
			i++
		case '"':
			return i + 1
		}
	}
	return -1
}

// skipValue returns the index just past the value starting at b[i], or
// -1. Containers are skipped by counting brackets outside strings; the
// engine checks the text properly later.
func skipValue(b []byte, i int) int {
	if i >= len(b) {
		return -1
	}
	switch b[i] {
	case '"':
		return skipString(b, i)
	case '{', '[':
		depth := 0
		for ; i < len(b); i++ {
			switch b[i] {
			case '"':
				j := skipString(b, i)
				if j < 0 {
					return -1
				}
				i = j - 1
			case '{', '[':
				depth++
			case '}', ']':
				depth--
				if depth == 0 {
					return i + 1
				}
			}
		}
		return -1
	}
	for ; i < len(b); i++ {
		switch b[i] {
		case ',', '}', ']', ' ', '\t', '\n', '\r':
			return i
		}
	}
	return i
}
