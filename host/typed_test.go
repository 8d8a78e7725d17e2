package host_test

import (
	"context"
	"errors"
	"reflect"
	"testing"

	"github.com/seclabel/seclabel/engine"
	"github.com/seclabel/seclabel/host"
)

// The typed methods of Host and Engine give equal results (or errors with
// equal codes) for every golden input: one interface, two backends.
func TestTypedMethodsMatchEngine(t *testing.T) {
	ctx := context.Background()
	h, err := host.New(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer h.Close(ctx)
	e, _ := engine.New(engine.Options{})
	backends := []engine.Backend{e, h}
	access := engine.AccessContext{Clearance: "R", PurposeOfUse: "TREAT", Deny: []string{"HIV", "SUD"}, ReleaseOnly: nil}
	ops := map[string]func(engine.Backend, []byte) (*engine.Result, error){
		"label":    func(b engine.Backend, in []byte) (*engine.Result, error) { return b.Label(ctx, in) },
		"hwm":      func(b engine.Backend, in []byte) (*engine.Result, error) { return b.HWM(ctx, in) },
		"validate": func(b engine.Backend, in []byte) (*engine.Result, error) { return b.Validate(ctx, in) },
		"redact":   func(b engine.Backend, in []byte) (*engine.Result, error) { return b.Redact(ctx, in, access) },
		"marks":    func(b engine.Backend, in []byte) (*engine.Result, error) { return b.Marks(ctx, in) },
	}
	// Every operation by its name, too (Call), with what the named methods give.
	for _, o := range engine.Operations() {
		named := ops[o.Name] // an operation may have no named method
		ops["call "+o.Name] = func(b engine.Backend, in []byte) (*engine.Result, error) {
			r, err := b.Call(ctx, o.Name, in, &access)
			if named == nil {
				return r, err
			}
			if want, werr := named(b, in); (err == nil) != (werr == nil) || err == nil && !reflect.DeepEqual(r, want) {
				t.Fatalf("Call(%q) and the named method differ: %v / %v", o.Name, err, werr)
			}
			return r, err
		}
	}
	inputs := append(resourcesOfGolden(t), []byte("{not json"), []byte("\xff"))
	for name, op := range ops {
		for i, in := range inputs {
			r1, err1 := op(backends[0], in)
			r2, err2 := op(backends[1], in)
			var e1, e2 *engine.Error
			if errors.As(err1, &e1) != errors.As(err2, &e2) || (e1 != nil && e1.Code != e2.Code) {
				t.Fatalf("%s input %d: errors differ: %v / %v", name, i, err1, err2)
			}
			if err1 == nil && !reflect.DeepEqual(r1, r2) {
				t.Fatalf("%s input %d: results differ\nnative %+v\n  wasm %+v", name, i, r1, r2)
			}
		}
	}
}
