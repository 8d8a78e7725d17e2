package engine

import (
	"bytes"
	"strconv"
	"sync"

	"github.com/seclabel/seclabel/internal/jsonx"
)

var _ Backend = (*Engine)(nil)

// The readers the report readers of the operations share.

func str(d *jsonx.Doc, n jsonx.Node, k string) string { return d.Str(d.Get(n, k)) }

func num(d *jsonx.Doc, n jsonx.Node, k string) int {
	x, _ := whole(string(d.Raw(d.Get(n, k))))
	return x
}

func float(d *jsonx.Doc, n jsonx.Node, k string) float64 {
	x, _ := strconv.ParseFloat(string(d.Raw(d.Get(n, k))), 64)
	return x
}

func readCodings(d *jsonx.Doc, n jsonx.Node) (out []Coding) {
	d.Items(n, func(_ int, c jsonx.Node) bool {
		out = append(out, Coding{System: str(d, c, "system"), Code: str(d, c, "code"), Display: str(d, c, "display"), Set: str(d, c, "set")})
		return true
	})
	return out
}

func readMatches(d *jsonx.Doc, n jsonx.Node) (out []Match) {
	d.Items(n, func(_ int, m jsonx.Node) bool {
		out = append(out, Match{Rule: str(d, m, "rule"), System: str(d, m, "system"), Code: str(d, m, "code"), Path: str(d, m, "path"),
			Text: str(d, m, "text"), Start: num(d, m, "start"), End: num(d, m, "end"), Confidence: float(d, m, "confidence")})
		return true
	})
	return out
}

func readStrings(d *jsonx.Doc, n jsonx.Node) (out []string) {
	d.Items(n, func(_ int, s jsonx.Node) bool { out = append(out, d.Str(s)); return true })
	return out
}

// readMarks reads the report's marks, which hwm, label and redact write.
func readMarks(d *jsonx.Doc, rep jsonx.Node, r *Report) {
	d.Items(d.Get(rep, "marks"), func(_ int, m jsonx.Node) bool {
		mk := Mark{Location: str(d, m, "location"), Type: str(d, m, "type"), Entries: num(d, m, "entries"), Confidentiality: str(d, m, "confidentiality"), Security: readCodings(d, d.Get(m, "security"))}
		d.Items(d.Get(m, "leftOut"), func(_ int, l jsonx.Node) bool {
			mk.LeftOut = append(mk.LeftOut, LeftOut{System: str(d, l, "system"), Code: str(d, l, "code"), Set: str(d, l, "set"), Reason: str(d, l, "reason")})
			return true
		})
		r.Marks = append(r.Marks, mk)
		return true
	})
}

// marshalContext is MarshalContext (api.go).
func (c AccessContext) marshalContext() []byte {
	var w jsonx.Writer
	w.BeginObject()
	if c.Clearance != "" {
		w.KV("clearance", c.Clearance)
	}
	if c.PurposeOfUse != "" {
		w.KV("purposeOfUse", c.PurposeOfUse)
	}
	list := func(k string, v []string) {
		w.Key(k)
		w.BeginArray()
		for _, s := range v {
			w.String(s)
		}
		w.EndArray()
	}
	if c.Compartments != nil {
		list("compartments", c.Compartments)
	}
	if c.Deny != nil {
		list("deny", c.Deny)
	}
	if c.Allow != nil {
		list("allow", c.Allow)
	}
	if c.Ignore != nil {
		list("ignore", c.Ignore)
	}
	if c.WithheldReferences != nil {
		list("withheldReferences", c.WithheldReferences)
	}
	if c.ReleaseOnly != nil {
		w.Key("obligations")
		w.BeginArray()
		for _, codes := range c.ReleaseOnly {
			w.BeginObject()
			w.KV("code", "REDACT")
			list("exceptAnyOfCodes", codes)
			w.EndObject()
		}
		w.EndArray()
	}
	w.EndObject()
	return w.B
}

// responseDocs keeps the tapes parseResponse reads responses with: a host
// reads one per call, and for a small call a new tape cost as much as
// reading it.
var responseDocs = sync.Pool{New: func() any { return new(jsonx.Doc) }}

// parseResponse is ParseResponse (api.go).
func parseResponse(resp []byte) (*Result, error) {
	var tail []byte
	if i := bytes.IndexByte(resp, 0); i >= 0 {
		resp, tail = resp[:i], resp[i+1:]
	}
	d := responseDocs.Get().(*jsonx.Doc)
	defer func() {
		// What was read aliases resp, not the tape; a tape grown by a
		// large report is let go.
		d.Forget()
		if d.Room() <= 1<<12 {
			responseDocs.Put(d)
		}
	}()
	if err := d.Parse(resp, limitMaxDepth+2); err != nil {
		return nil, errorf(ErrInternal, "malformed response: "+err.Error())
	}
	if e := d.Get(0, "error"); e >= 0 {
		return nil, &Error{Code: ErrorCode(d.Str(d.Get(e, "code"))), Message: d.Str(d.Get(e, "message"))}
	}
	raw := func(n jsonx.Node) []byte {
		if n < 0 || d.Kind(n) == jsonx.Null {
			return nil
		}
		b := d.Raw(n)
		return b[:len(b):len(b)] // appending to it must not write over what follows
	}
	r := &Result{Resource: raw(d.Get(0, "resource")), Outcome: raw(d.Get(0, "outcome")), Audit: raw(d.Get(0, "audit"))}
	if tail != nil && string(tail) != "null" {
		r.Resource = tail
	}
	x := operationNamed(d.Str(d.Get(0, "op")))
	switch {
	case x == nil:
		return nil, errorf(ErrInternal, "malformed response: no known op")
	case reportReaders[x.op] == nil:
		return nil, errorf(ErrInternal, "WebAssembly builds of the engine read no responses")
	}
	reportReaders[x.op](d, d.Get(0, "report"), &r.Report)
	d.Items(d.Get(0, "diagnostics"), func(_ int, g jsonx.Node) bool {
		r.Diagnostics = append(r.Diagnostics, Diagnostic{Severity: Severity(str(d, g, "severity")), Code: DiagnosticCode(str(d, g, "code")), Location: str(d, g, "location"), Message: str(d, g, "message")})
		return true
	})
	return r, nil
}
