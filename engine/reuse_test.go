package engine_test

import (
	"bytes"
	"context"
	"fmt"
	"runtime"
	"slices"
	"testing"

	"github.com/seclabel/seclabel/engine"
	"github.com/seclabel/seclabel/internal/golden"
	"github.com/seclabel/seclabel/internal/jsonx"
)

// A Session fed from one buffer that is overwritten after every call, as
// the module's input buffer is, answers every configure sequence as one fed
// fresh copies: nothing it keeps points into a request.
func TestSessionReusedBuffer(t *testing.T) {
	for _, seq := range golden.Sequences(golden.All(t)) {
		t.Run(seq.Note, func(t *testing.T) {
			golden.CompareSequence(t, seq, new(engine.Session), &golden.ReusedBuffer{B: new(engine.Session)})
		})
	}
}

// answering is a Session called through Answer, the module's way.
type answering struct{ s engine.Session }

func (a *answering) Do(_ context.Context, request []byte) []byte { return a.s.Answer(request) }

// Answer answers every configure sequence, byte for byte, as Do does.
func TestSessionAnswerIsDo(t *testing.T) {
	for _, seq := range golden.Sequences(golden.All(t)) {
		t.Run(seq.Note, func(t *testing.T) {
			golden.CompareSequence(t, seq, new(engine.Session), new(answering))
		})
	}
}

// Rules compiled from packs that are then overwritten label as rules
// compiled from packs left alone: the default pack over every golden
// resource, and each case's own packs over its resource.
func TestCompileRulesOwnsPacks(t *testing.T) {
	cases := golden.All(t)
	var resources [][]byte
	for _, c := range cases {
		var d jsonx.Doc
		if d.Parse(c.Request, 1000) == nil && d.Kind(d.Get(0, "resource")) == jsonx.Object {
			resources = append(resources, d.Raw(d.Get(0, "resource")))
		}
	}
	sameLabels(t, "the default pack", [][]byte{engine.DefaultPack()}, resources)
	for _, c := range cases {
		var d jsonx.Doc
		if d.Parse(c.Request, 1000) != nil || d.Kind(d.Get(0, "rules")) != jsonx.Array || d.Kind(d.Get(0, "resource")) != jsonx.Object {
			continue
		}
		var packs [][]byte
		d.Items(d.Get(0, "rules"), func(_ int, p jsonx.Node) bool {
			if d.IsStr(p) {
				packs = append(packs, []byte(d.Str(p)))
			} else {
				packs = append(packs, bytes.Clone(d.Raw(p)))
			}
			return true
		})
		sameLabels(t, c.Note, packs, [][]byte{d.Raw(d.Get(0, "resource"))})
	}
}

// sameLabels compiles packs and a copy of them, overwrites the packs, and
// labels resources with both.
func sameLabels(t *testing.T, name string, packs, resources [][]byte) {
	t.Helper()
	ctx := context.Background()
	var copies [][]byte
	for _, p := range packs {
		copies = append(copies, bytes.Clone(p))
	}
	kept, err := engine.CompileRules(copies...)
	if err != nil {
		return // a case of a bad pack
	}
	reused, err := engine.CompileRules(packs...)
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	for _, p := range packs {
		golden.Scribble(p)
	}
	opts := engine.Options{TextMatch: engine.TextAll, LabelAll: true, Propagate: []string{"Condition.encounter"}}
	opts.Rules = kept
	want, _ := engine.New(opts)
	opts.Rules = reused
	got, _ := engine.New(opts)
	for _, r := range resources {
		req := append(append([]byte(`{"op":"label","resource":`), r...), '}')
		if w, g := want.Do(ctx, req), got.Do(ctx, req); !bytes.Equal(w, g) {
			t.Fatalf("%s: rules whose packs were overwritten label differently\nwant: %.600s\n got: %.600s", name, w, g)
		}
	}
	if !slices.Equal(kept.Names(), reused.Names()) || !slices.Equal(kept.Warnings(), reused.Warnings()) {
		t.Fatalf("%s: names %q and warnings %q became %q and %q", name, kept.Names(), kept.Warnings(), reused.Names(), reused.Warnings())
	}
}

// A Result of the typed methods is the caller's: overwriting the input
// after the call changes nothing in it.
func TestTypedResultsOwnTheirStrings(t *testing.T) {
	ctx := context.Background()
	e, _ := engine.New(engine.Options{TextMatch: engine.TextAll, OperationOutcome: true})
	access := engine.AccessContext{Clearance: "R", PurposeOfUse: "TREAT", Deny: []string{"HIV", "SUD"}}
	ops := map[string]func([]byte) (*engine.Result, error){
		"hwm":      func(b []byte) (*engine.Result, error) { return e.HWM(ctx, b) },
		"label":    func(b []byte) (*engine.Result, error) { return e.Label(ctx, b) },
		"validate": func(b []byte) (*engine.Result, error) { return e.Validate(ctx, b) },
		"marks":    func(b []byte) (*engine.Result, error) { return e.Marks(ctx, b) },
		"redact":   func(b []byte) (*engine.Result, error) { return e.Redact(ctx, b, access) },
	}
	checked := 0
	for _, in := range goldenResources(t) {
		for name, op := range ops {
			buf := append([]byte(nil), in...)
			res, err := op(buf)
			if err != nil {
				continue
			}
			before := fmt.Sprintf("%+v", *res)
			for i := range buf {
				buf[i] = 'x'
			}
			if after := fmt.Sprintf("%+v", *res); after != before {
				t.Fatalf("%s: the result changed when the input was overwritten\nbefore: %.300s\n after: %.300s", name, before, after)
			}
			checked++
		}
	}
	if checked == 0 {
		t.Fatal("no result checked")
	}
}

// A Result stays as it was while the Engine answers more calls: the report's
// lists and strings are cut from chunks the next call must not write over.
func TestResultsOutliveLaterCalls(t *testing.T) {
	ctx := context.Background()
	e, _ := engine.New(engine.Options{TextMatch: engine.TextAll})
	type kept struct {
		res  *engine.Result
		text string
	}
	var all []kept
	labeled, redacted := 0, 0
	access := engine.AccessContext{Clearance: "N", PurposeOfUse: "TREAT", Deny: []string{"HIV", "SUD", "PSY"}}
	// A Parameters whose inline label makes redaction walk its elements,
	// down to a resource inside it that is withheld.
	nested := []byte(`{"resourceType":"Parameters","id":"par","parameter":[` +
		`{"name":"n","valueString":"x","_valueString":{"extension":[{"url":"http://hl7.org/fhir/uv/security-label-ds4p/StructureDefinition/extension-inline-sec-label",` +
		`"valueCoding":{"system":"http://terminology.hl7.org/CodeSystem/v3-Confidentiality","code":"N"}}]}},` +
		`{"name":"a","resource":{"resourceType":"Condition","id":"c1","meta":{"security":[{"system":"http://terminology.hl7.org/CodeSystem/v3-Confidentiality","code":"V"}]},"code":{"text":"x"}}}]}`)
	for _, in := range append([][]byte{nested}, goldenResources(t)...) {
		if res, err := e.Label(ctx, in); err == nil && len(res.Report.Labeled) > 0 {
			all = append(all, kept{res, fmt.Sprintf("%+v", *res)})
			labeled++
		}
		if res, err := e.HWM(ctx, in); err == nil && len(res.Report.Marks) > 0 {
			all = append(all, kept{res, fmt.Sprintf("%+v", *res)})
		}
		if res, err := e.Redact(ctx, in, access); err == nil && len(res.Report.Removed)+len(res.Report.Masked)+len(res.Report.Withheld) > 0 {
			all = append(all, kept{res, fmt.Sprintf("%+v", *res)})
			redacted++
		}
	}
	if labeled < 10 || redacted < 10 {
		t.Fatalf("only %d labeled and %d redacted results", labeled, redacted)
	}
	for i, k := range all {
		if now := fmt.Sprintf("%+v", *k.res); now != k.text {
			t.Fatalf("result %d changed after later calls\nbefore: %.300s\n   now: %.300s", i, k.text, now)
		}
	}
}

// What an engine keeps between calls for speed (its scratch: the tapes,
// the redaction walk's maps and parent index) holds nothing of one call
// into the next: one engine answers every golden request, in order and
// then in reverse, as a fresh engine answers each on its own.
func TestKeptScratchAnswersAsFresh(t *testing.T) {
	cases := golden.All(t)
	ctx := context.Background()
	one, err := engine.New(engine.Options{})
	if err != nil {
		t.Fatal(err)
	}
	order := make([]int, 0, 2*len(cases))
	for i := range cases {
		order = append(order, i)
	}
	for i := len(cases) - 1; i >= 0; i-- {
		order = append(order, i)
	}
	fresh := make([][]byte, len(cases))
	for _, i := range order {
		c := cases[i]
		if fresh[i] == nil {
			e, err := engine.New(engine.Options{})
			if err != nil {
				t.Fatal(err)
			}
			fresh[i] = e.Do(ctx, c.Request)
		}
		if got := one.Do(ctx, c.Request); !bytes.Equal(got, fresh[i]) {
			t.Errorf("%s: after other calls on the same engine:\n%s\nalone:\n%s", c.Note, got, fresh[i])
		}
	}
}

// A Result is the caller's: the calls after it on the same engine, which
// reuse the engine's scratch, leave it as it was.
func TestResultSurvivesLaterCalls(t *testing.T) {
	e, err := engine.New(engine.Options{})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	var kept []*engine.Result
	var seen []string
	for _, c := range golden.All(t) {
		var d jsonx.Doc
		if d.Parse(c.Request, 1000) != nil || d.Str(d.Get(0, "op")) != "label" || d.Kind(d.Get(0, "resource")) != jsonx.Object || d.Get(0, "rules") >= 0 || d.Get(0, "options") >= 0 {
			continue
		}
		r, err := e.Label(ctx, bytes.Clone(d.Raw(d.Get(0, "resource"))))
		if err != nil || len(r.Report.Labeled) == 0 {
			continue
		}
		kept = append(kept, r)
		seen = append(seen, fmt.Sprintf("%+v", r.Report))
		// Protocol calls too: they keep the report's chunks for the next.
		e.Do(ctx, c.Request)
	}
	if len(kept) < 20 {
		t.Fatalf("only %d golden label cases with labels", len(kept))
	}
	for i, r := range kept {
		if got := fmt.Sprintf("%+v", r.Report); got != seen[i] {
			t.Errorf("result %d changed after later calls:\n%s\nwas\n%s", i, got, seen[i])
		}
	}
}

// TestRulesKeepFewObjects: compiled Rules live as long as the engine, and
// the collector marks every object they hold on every cycle of every call.
// The default pack's tens of thousands of term strings are compiled into
// the lexicon's flat arrays and not kept (keeping them held about 45,000
// objects).
func TestRulesKeepFewObjects(t *testing.T) {
	var m0, m1 runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&m0)
	r, err := engine.CompileRules(engine.DefaultPack())
	if err != nil {
		t.Fatal(err)
	}
	runtime.GC()
	runtime.ReadMemStats(&m1)
	if n := int64(m1.HeapObjects) - int64(m0.HeapObjects); n > 15000 {
		t.Errorf("the compiled default pack holds %d heap objects, want at most 15,000", n)
	}
	runtime.KeepAlive(r)
}
