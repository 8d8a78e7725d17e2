package engine

import (
	"bytes"
	"context"
	"strconv"

	"github.com/seclabel/seclabel/internal/jsonx"
)

// Backend is the method set an Engine and a host.Host (the WebAssembly
// module in wazero) share, so a caller switches between them in one line.
type Backend interface {
	Label(ctx context.Context, resource []byte) (*Result, error)
	Redact(ctx context.Context, resource []byte, access AccessContext) (*Result, error)
	HWM(ctx context.Context, resource []byte) (*Result, error)
	Validate(ctx context.Context, resource []byte) (*Result, error)
	Marks(ctx context.Context, resource []byte) (*Result, error)
	Do(ctx context.Context, request []byte) []byte
}

var _ Backend = (*Engine)(nil)

// MarshalContext writes an access context as the protocol's "context" object.
func (c AccessContext) MarshalContext() []byte {
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

// ParseResponse reads a protocol response back into a Result, or the
// *Error it carries; it is how hosts of the module offer the typed methods.
//
// A response to a request that carried its resource after a NUL byte has
// the resulting resource after a NUL byte too.
func ParseResponse(resp []byte) (*Result, error) {
	var tail []byte
	if i := bytes.IndexByte(resp, 0); i >= 0 {
		resp, tail = resp[:i], resp[i+1:]
	}
	var d jsonx.Doc
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
		return append([]byte(nil), d.Raw(n)...)
	}
	str := func(n jsonx.Node, k string) string { return d.Str(d.Get(n, k)) }
	num := func(n jsonx.Node, k string) int { x, _ := strconv.Atoi(string(d.Raw(d.Get(n, k)))); return x }
	codings := func(n jsonx.Node) (out []Coding) {
		d.Items(n, func(_ int, c jsonx.Node) bool {
			out = append(out, Coding{System: str(c, "system"), Code: str(c, "code"), Display: str(c, "display"), Set: str(c, "set")})
			return true
		})
		return out
	}
	matches := func(n jsonx.Node) (out []Match) {
		d.Items(n, func(_ int, m jsonx.Node) bool {
			out = append(out, Match{Rule: str(m, "rule"), System: str(m, "system"), Code: str(m, "code"), Path: str(m, "path")})
			return true
		})
		return out
	}
	strs := func(n jsonx.Node) (out []string) {
		d.Items(n, func(_ int, s jsonx.Node) bool { out = append(out, d.Str(s)); return true })
		return out
	}
	r := &Result{Resource: raw(d.Get(0, "resource")), Outcome: raw(d.Get(0, "outcome")), Audit: raw(d.Get(0, "audit"))}
	if tail != nil && string(tail) != "null" {
		r.Resource = append([]byte(nil), tail...)
	}
	rep := d.Get(0, "report")
	d.Items(d.Get(rep, "marks"), func(_ int, m jsonx.Node) bool {
		mk := Mark{Location: str(m, "location"), Type: str(m, "type"), Entries: num(m, "entries"), Confidentiality: str(m, "confidentiality"), Security: codings(d.Get(m, "security"))}
		d.Items(d.Get(m, "leftOut"), func(_ int, l jsonx.Node) bool {
			mk.LeftOut = append(mk.LeftOut, LeftOut{System: str(l, "system"), Code: str(l, "code"), Set: str(l, "set"), Reason: str(l, "reason")})
			return true
		})
		r.Report.Marks = append(r.Report.Marks, mk)
		return true
	})
	d.Items(d.Get(rep, "labeled"), func(_ int, l jsonx.Node) bool {
		r.Report.Labeled = append(r.Report.Labeled, Labeled{Location: str(l, "location"), Type: str(l, "type"), ID: str(l, "id"),
			Confidentiality: str(l, "confidentiality"), Matches: matches(d.Get(l, "matches")), Inline: matches(d.Get(l, "inline")), Added: codings(d.Get(l, "added"))})
		return true
	})
	d.Items(d.Get(rep, "withheld"), func(_ int, x jsonx.Node) bool {
		r.Report.Withheld = append(r.Report.Withheld, Withheld{Location: str(x, "location"), Type: str(x, "type"), ID: str(x, "id"),
			FullURL: str(x, "fullUrl"), Reason: str(x, "reason"), Detail: str(x, "detail"), Labels: codings(d.Get(x, "labels"))})
		return true
	})
	d.Items(d.Get(rep, "display"), func(_ int, x jsonx.Node) bool {
		r.Report.Display = append(r.Report.Display, Display{Location: str(x, "location"), Kind: str(x, "kind"), Text: str(x, "text"), System: str(x, "system"), Code: str(x, "code")})
		return true
	})
	r.Report.Removed, r.Report.Masked = strs(d.Get(rep, "removed")), strs(d.Get(rep, "masked"))
	r.Report.Errors, r.Report.Warnings, r.Report.Information = num(rep, "errors"), num(rep, "warnings"), num(rep, "information")
	d.Items(d.Get(0, "diagnostics"), func(_ int, g jsonx.Node) bool {
		r.Diagnostics = append(r.Diagnostics, Diagnostic{Severity: Severity(str(g, "severity")), Code: str(g, "code"), Location: str(g, "location"), Message: str(g, "message")})
		return true
	})
	return r, nil
}
