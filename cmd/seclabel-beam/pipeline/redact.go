package pipeline

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"slices"

	"github.com/apache/beam/sdks/v2/go/pkg/beam"
	"github.com/apache/beam/sdks/v2/go/pkg/beam/register"
	"github.com/seclabel/seclabel/engine"
)

func init() {
	register.DoFn3x1[context.Context, Line, func(string), error](&withheldFn{})
	register.DoFn4x1[context.Context, Line, func(*string) bool, func(string), error](&withheldAgainFn{})
	register.DoFn5x1[context.Context, Line, func(*string) bool, func(string, Record), func(string, int64), error](&redactFn{})
	register.Emitter1[string]()
	register.Iter1[string]()
}

// Redact cuts every line down to what the recipient (Config.Context) may
// see, as the engine redacts a Bundle of them all. A first pass redacts
// each line alone and keeps the references to what it withholds; the
// second gives the engine all of them, as a side input, in the access
// context's withheldReferences, so a reference to a resource withheld in
// any file is masked as inside a Bundle. What goes with a resource
// withheld in another file (an Encounter whose diagnosis it is) is only
// known once that one is, so the first pass runs again withheldRounds-1
// times with what the round before found. Withheld resources are left out
// of the output and listed in withheld.ndjson.
func Redact(s beam.Scope, cfg Config, lines beam.PCollection) (records, counts beam.PCollection) {
	s = s.Scope("Redact")
	withheld := beam.ParDo(s.Scope("FindWithheld"), &withheldFn{withEngine{Cfg: cfg}}, lines)
	for range withheldRounds - 1 {
		withheld = beam.ParDo(s.Scope("FindWithheldAgain"), &withheldAgainFn{withEngine: withEngine{Cfg: cfg}}, lines, beam.SideInput{Input: withheld})
	}
	return beam.ParDo2(s, &redactFn{withEngine: withEngine{Cfg: cfg}}, lines, beam.SideInput{Input: withheld})
}

// withheldRounds is how many times the first pass runs: chains of what
// goes with a withheld resource across files are a few links long (a
// claim, its encounter, the encounter's condition).
const withheldRounds = 3

// redaction is one line's redaction.
type redaction struct {
	released []byte // nil when withheld whole
	withheld []struct {
		Type, ID, FullURL, Reason string
		References                []string
	}
}

// redactOne redacts a resource through the protocol, which reads the
// access context as JSON exactly as the CLI's --context does.
func redactOne(e *engine.Engine, accessContext string, resource []byte) (*redaction, error) {
	req := make([]byte, 0, len(accessContext)+len(resource)+32)
	req = append(req, `{"op":"redact","context":`...)
	req = append(req, accessContext...)
	req = append(req, '}', 0)
	req = append(req, resource...)
	resp := e.Do(context.Background(), req)
	env, res, split := bytes.Cut(resp, []byte{0})
	var r struct {
		Error  *engine.Error
		Report struct {
			Withheld []struct {
				Type, ID, FullURL, Reason string
				References                []string
			}
		}
	}
	if err := json.Unmarshal(env, &r); err != nil {
		return nil, errors.New("the engine's response: " + err.Error())
	}
	if r.Error != nil {
		return nil, r.Error
	}
	if !split {
		return nil, errors.New("the engine's response has no resource")
	}
	out := &redaction{withheld: r.Report.Withheld}
	if !bytes.Equal(bytes.TrimSpace(res), []byte("null")) {
		out.released = res
	}
	return out, nil
}

// withheldRefs are the references by which other resources may name those
// a redaction withheld: Type/id of each that has an id, its fullUrl and its
// other forms (canonical url, identifiers).
func (r *redaction) withheldRefs() []string {
	var refs []string
	for _, w := range r.withheld {
		if w.ID != "" {
			refs = append(refs, w.Type+"/"+w.ID)
		}
		if w.FullURL != "" {
			refs = append(refs, w.FullURL)
		}
		refs = append(refs, w.References...)
	}
	return refs
}

// withheldFn is the first pass: the references to what each line's
// redaction withholds. Rejected lines are reported by the second pass.
type withheldFn struct{ withEngine }

func (f *withheldFn) ProcessElement(_ context.Context, l Line, emit func(string)) error {
	emitWithheld(f.e, f.Cfg.Context, l, emit)
	return nil
}

// emitWithheld emits the references to what the line's redaction in
// accessContext withholds.
func emitWithheld(e *engine.Engine, accessContext string, l Line, emit func(string)) {
	r, err := redactOne(e, accessContext, l.Text)
	if err != nil {
		return
	}
	for _, ref := range r.withheldRefs() {
		emit(ref)
	}
}

// withheldAgainFn is the first pass again, with the references the round
// before found: what goes with those is withheld too.
type withheldAgainFn struct {
	withEngine
	context string // Cfg.Context with the side input's references
}

func (f *withheldAgainFn) ProcessElement(_ context.Context, l Line, withheld func(*string) bool, emit func(string)) error {
	if f.context == "" {
		c, err := sideContext(f.Cfg.Context, withheld)
		if err != nil {
			return err
		}
		f.context = c
	}
	emitWithheld(f.e, f.context, l, emit)
	return nil
}

// sideContext is an access context with the references a side input holds.
func sideContext(accessContext string, withheld func(*string) bool) (string, error) {
	var refs []string
	var ref string
	for withheld(&ref) {
		refs = append(refs, ref)
	}
	return withReferences(accessContext, refs)
}

// redactFn is the second pass, with every withheld reference.
type redactFn struct {
	withEngine
	context string // Cfg.Context with the side input's references
}

func (f *redactFn) ProcessElement(_ context.Context, l Line, withheld func(*string) bool, out func(string, Record), count func(string, int64)) error {
	if f.context == "" {
		c, err := sideContext(f.Cfg.Context, withheld)
		if err != nil {
			return err
		}
		f.context = c
	}
	count("read", 1)
	r, err := redactOne(f.e, f.context, l.Text)
	if err != nil {
		out(failure(l, err))
		count("errors", 1)
		return nil
	}
	if r.released == nil {
		w := r.withheld[0] // the resource itself
		b, _ := json.Marshal(struct {
			File     string `json:"file"`
			Line     int64  `json:"line"`
			Resource string `json:"resource"`
			Reason   string `json:"reason"`
		}{l.File, l.Num, w.Type + "/" + w.ID, w.Reason})
		out(WithheldFile, Record{File: l.File, Num: l.Num, JSON: b})
		count("withheld", 1)
		return nil
	}
	count("released", 1)
	if !bytes.Equal(r.released, l.Text) {
		count("changed", 1)
	}
	return emitResource(r.released, l, out, count)
}

// withReferences adds refs to an access context's withheldReferences.
func withReferences(accessContext string, refs []string) (string, error) {
	var c map[string]json.RawMessage
	if err := json.Unmarshal([]byte(accessContext), &c); err != nil {
		return "", &engine.Error{Code: engine.ErrInvalidContext, Message: err.Error()}
	}
	var have []string
	if old, ok := c["withheldReferences"]; ok {
		if err := json.Unmarshal(old, &have); err != nil {
			return "", &engine.Error{Code: engine.ErrInvalidContext, Message: "withheldReferences: must be an array of strings"}
		}
	}
	seen := map[string]bool{}
	var all []string
	for _, r := range append(have, refs...) {
		if !seen[r] {
			seen[r] = true
			all = append(all, r)
		}
	}
	if len(all) > 0 {
		slices.Sort(all) // the side input comes in any order
		b, _ := json.Marshal(all)
		c["withheldReferences"] = b
	}
	b, err := json.Marshal(c)
	return string(b), err
}
