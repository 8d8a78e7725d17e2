package engine_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/seclabel/seclabel/engine"
	"github.com/seclabel/seclabel/internal/golden"
	"github.com/seclabel/seclabel/internal/testenv"
	"github.com/valyala/fastjson"
)

// The checks below use fastjson and their own reading of the labels, so
// they do not share code with the engine they check.

var confRank = map[string]int{"U": 0, "L": 1, "M": 2, "N": 3, "R": 4, "V": 5}

var confSystems = map[string]bool{
	"http://terminology.hl7.org/CodeSystem/v3-Confidentiality": true,
	"http://hl7.org/fhir/v3/Confidentiality":                   true,
	"urn:oid:2.16.840.1.113883.5.25":                           true,
}

const inlineURL = "http://hl7.org/fhir/uv/security-label-ds4p/StructureDefinition/extension-inline-sec-label"

// codingRank is the confidentiality rank a Coding asserts, or -1.
func codingRank(c *fastjson.Value) int {
	if c == nil || !confSystems[strings.TrimSpace(string(c.GetStringBytes("system")))] {
		return -1
	}
	if r, ok := confRank[string(c.GetStringBytes("code"))]; ok {
		return r
	}
	return 5 // outside U..V: fails closed
}

// knownConf says whether a Coding is a confidentiality code the vocabulary
// has, ordered or retired: a tag the vocabulary does not know is a tag.
func knownConf(c *fastjson.Value) bool {
	_, ordered := confRank[string(c.GetStringBytes("code"))]
	return ordered || retiredConf[string(c.GetStringBytes("code"))]
}

// entryRank is the confidentiality an entry carries: meta.security, inline
// labels (extension items at any depth), contained resources' meta.security,
// DocumentReference.securityLabel, Composition.confidentiality, and for a
// Bundle entry the Bundle's own mark; -1 when none.
func entryRank(res *fastjson.Value) int {
	if string(res.GetStringBytes("resourceType")) == "Bundle" {
		return bundleRank(res)
	}
	best := -1
	for _, c := range res.GetArray("meta", "security") {
		best = max(best, codingRank(c))
	}
	// A confidentiality put in meta.tag counts where it restricts: above
	// N, the default.
	for _, c := range res.GetArray("meta", "tag") {
		if r := codingRank(c); r > confRank["N"] && knownConf(c) {
			best = max(best, r)
		}
	}
	for _, cc := range res.GetArray("securityLabel") {
		if string(res.GetStringBytes("resourceType")) != "DocumentReference" {
			break
		}
		for _, c := range cc.GetArray("coding") {
			best = max(best, codingRank(c))
		}
	}
	if c := res.Get("confidentiality"); c != nil && string(res.GetStringBytes("resourceType")) == "Composition" {
		if r, ok := confRank[string(c.GetStringBytes())]; ok {
			best = max(best, r)
		} else if c.Type() == fastjson.TypeString {
			best = max(best, 5)
		}
	}
	for _, cr := range res.GetArray("contained") {
		for _, c := range cr.GetArray("meta", "security") {
			best = max(best, codingRank(c))
		}
		for _, c := range cr.GetArray("meta", "tag") {
			if r := codingRank(c); r > confRank["N"] && knownConf(c) {
				best = max(best, r)
			}
		}
	}
	// A resource out of place counts as part of what holds it.
	for _, m := range misplacedOf(res, nil) {
		for _, c := range m.GetArray("meta", "security") {
			best = max(best, codingRank(c))
		}
	}
	var walk func(v *fastjson.Value, key string)
	walk = func(v *fastjson.Value, key string) {
		switch v.Type() {
		case fastjson.TypeObject:
			o, _ := v.Object()
			o.Visit(func(k []byte, c *fastjson.Value) { walk(c, string(k)) })
		case fastjson.TypeArray:
			for _, it := range v.GetArray() {
				if key == "extension" && string(it.GetStringBytes("url")) == inlineURL {
					best = max(best, codingRank(it.Get("valueCoding")))
				}
				walk(it, "")
			}
		}
	}
	// Inline labels anywhere count, in meta too (on meta, on one of its
	// labels, on its versionId).
	o, _ := res.Object()
	o.Visit(func(k []byte, c *fastjson.Value) { walk(c, string(k)) })
	return best
}

// bundleRank is the confidentiality written on a Bundle, checking there is
// exactly one; -1 when there is none.
func bundleRank(b *fastjson.Value) int {
	r, n := -1, 0
	for _, c := range b.GetArray("meta", "security") {
		if x := codingRank(c); x >= 0 {
			r, n = x, n+1
		}
	}
	if n > 1 {
		return -2
	}
	return r
}

// checkMark asserts the high-water-mark properties of an hwm output: valid
// JSON; every Bundle (at any nesting) carries exactly one confidentiality,
// at least that of each entry (entries with none count as N).
func checkMark(out []byte) error {
	v, err := fastjson.ParseBytes(out)
	if err != nil {
		return fmt.Errorf("output is not valid JSON: %v", err)
	}
	return checkBundle(v, "root")
}

func checkBundle(v *fastjson.Value, where string) error {
	if string(v.GetStringBytes("resourceType")) != "Bundle" {
		have := bundleRank(v)
		if have < 0 {
			return fmt.Errorf("%s: resource has no single confidentiality after hwm", where)
		}
		// A Parameters covers the resources it holds.
		if want := heldRank(v.GetArray("parameter")); have < want {
			return fmt.Errorf("%s: Parameters confidentiality rank %d is below its resources' %d", where, have, want)
		}
		return nil
	}
	have := bundleRank(v)
	if have < 0 {
		return fmt.Errorf("%s: Bundle has %s confidentiality code", where, map[int]string{-1: "no", -2: "more than one"}[have])
	}
	for i, e := range v.GetArray("entry") {
		res := e.Get("resource")
		if res == nil || res.Type() != fastjson.TypeObject {
			continue
		}
		if string(res.GetStringBytes("resourceType")) == "Bundle" {
			if err := checkBundle(res, fmt.Sprintf("%s.entry[%d]", where, i)); err != nil {
				return err
			}
		}
		// A label on the entry itself (on it, its request, search or
		// response) covers its resource: that counts at N only when
		// neither has a confidentiality.
		want := entryRank(res)
		for _, l := range entryInlineOf(e) {
			if x, ok := confRank[l.code]; ok && l.system == sysConf && !l.bad {
				want = max(want, x)
			}
		}
		if want < 0 {
			want = confRank["N"]
		}
		// Everything the entry holds counts: a Parameters' resources, the
		// outcome of its response.
		if string(res.GetStringBytes("resourceType")) == "Parameters" {
			want = max(want, heldRank(res.GetArray("parameter")))
		}
		if o := e.Get("response", "outcome"); o != nil && o.Type() == fastjson.TypeObject {
			want = max(want, entryRank(o))
		}
		if have < want {
			return fmt.Errorf("%s: Bundle confidentiality rank %d is below entry %d's %d", where, have, i, want)
		}
	}
	return nil
}

// heldRank is the highest confidentiality of the resources in a
// Parameters' parameters (and parts, and the Parameters among them), each
// without one at N; -1 when there are none.
func heldRank(ps []*fastjson.Value) int {
	best := -1
	for _, p := range ps {
		if r := p.Get("resource"); r != nil && r.Type() == fastjson.TypeObject {
			x := entryRank(r)
			if x < 0 {
				x = confRank["N"]
			}
			best = max(best, x, heldRank(r.GetArray("parameter")))
		}
		best = max(best, heldRank(p.GetArray("part")))
	}
	return best
}

var knownCodes = map[string]bool{"invalid_json": true, "not_fhir": true, "unsupported_resource": true, "invalid_rules": true,
	"invalid_context": true, "invalid_option": true, "too_large": true, "too_deep": true, "internal": true}

// securitySet returns the (system, code) pairs in meta.security of every
// resource in v (entries of Bundles included), as "system|code" keyed by a
// path, with systems canonicalised by the engine's own rule (legacy spellings
// of the label systems are rewritten on output).
func securitySet(v *fastjson.Value, path string, out map[string]bool) {
	for _, c := range v.GetArray("meta", "security") {
		sys := strings.TrimSpace(string(c.GetStringBytes("system")))
		if alias, ok := legacySystems[sys]; ok {
			sys = alias
		}
		out[path+" "+sys+"|"+string(c.GetStringBytes("code"))] = true
	}
	for i, e := range v.GetArray("entry") {
		if r := e.Get("resource"); r != nil {
			securitySet(r, fmt.Sprintf("%s.entry[%d]", path, i), out)
		}
	}
}

var legacySystems = map[string]string{
	"http://hl7.org/fhir/v3/Confidentiality":                "http://terminology.hl7.org/CodeSystem/v3-Confidentiality",
	"urn:oid:2.16.840.1.113883.5.25":                        "http://terminology.hl7.org/CodeSystem/v3-Confidentiality",
	"http://hl7.org/fhir/v3/ActCode":                        "http://terminology.hl7.org/CodeSystem/v3-ActCode",
	"urn:oid:2.16.840.1.113883.5.4":                         "http://terminology.hl7.org/CodeSystem/v3-ActCode",
	"http://hl7.org/fhir/v3/ObservationValue":               "http://terminology.hl7.org/CodeSystem/v3-ObservationValue",
	"urn:oid:2.16.840.1.113883.5.1063":                      "http://terminology.hl7.org/CodeSystem/v3-ObservationValue",
	"http://hl7.org/fhir/v3/ActReason":                      "http://terminology.hl7.org/CodeSystem/v3-ActReason",
	"urn:oid:2.16.840.1.113883.5.8":                         "http://terminology.hl7.org/CodeSystem/v3-ActReason",
	"http://hl7.org/fhir/v3/PurposeOfUse":                   "http://terminology.hl7.org/CodeSystem/v3-ActReason",
	"http://terminology.hl7.org/CodeSystem/v3-PurposeOfUse": "http://terminology.hl7.org/CodeSystem/v3-ActReason",
}

// checkLabel asserts the labeling properties: coded errors only; valid,
// deterministic JSON; idempotence; no input label lost (confidentiality
// codes may be merged into one, never lowered); unmatched input unchanged.
func checkLabel(t *testing.T, e *engine.Engine, name string, in []byte) {
	ctx := context.Background()
	r1, err1 := e.Label(ctx, in)
	r2, err2 := e.Label(ctx, in)
	if (err1 == nil) != (err2 == nil) {
		t.Fatalf("%s: label not deterministic: %v vs %v", name, err1, err2)
	}
	if err1 != nil {
		var ee *engine.Error
		if !errors.As(err1, &ee) || !knownCodes[string(ee.Code)] || ee.Code == engine.ErrInternal {
			t.Fatalf("%s: label failed without a proper code: %v", name, err1)
		}
		return
	}
	if !bytes.Equal(r1.Resource, r2.Resource) {
		t.Fatalf("%s: label output not deterministic", name)
	}
	out, err := fastjson.ParseBytes(r1.Resource)
	if err != nil {
		t.Fatalf("%s: label output is not valid JSON: %v", name, err)
	}
	if len(r1.Report.Labeled) == 0 && !bytes.Equal(r1.Resource, bytes.TrimSpace(in)) {
		t.Fatalf("%s: nothing matched but the output differs from the input", name)
	}
	again, err := e.Label(ctx, r1.Resource)
	if err != nil || !bytes.Equal(again.Resource, r1.Resource) {
		t.Fatalf("%s: label is not idempotent (err %v)", name, err)
	}
	before, after := map[string]bool{}, map[string]bool{}
	securitySet(fastjson.MustParseBytes(in), "", before)
	securitySet(out, "", after)
	for k := range before {
		if !after[k] && !strings.Contains(k, "v3-Confidentiality|") {
			t.Fatalf("%s: label removed %s", name, k)
		}
	}
}

// checkAll runs hwm and validate on one input and asserts every property:
// no panic, valid JSON, coded errors, determinism, idempotence, the mark.
func checkAll(t *testing.T, e *engine.Engine, name string, in []byte) (hwmErr error) {
	ctx := context.Background()
	out1, err1 := e.HWM(ctx, in)
	out2, err2 := e.HWM(ctx, in)
	if (err1 == nil) != (err2 == nil) {
		t.Fatalf("%s: hwm not deterministic: %v vs %v", name, err1, err2)
	}
	if err1 != nil {
		var ee *engine.Error
		if !errors.As(err1, &ee) || !knownCodes[string(ee.Code)] || ee.Code == engine.ErrInternal {
			t.Fatalf("%s: hwm failed without a proper code: %v", name, err1)
		}
		return err1
	}
	if !bytes.Equal(out1.Resource, out2.Resource) {
		t.Fatalf("%s: hwm output not deterministic", name)
	}
	if err := checkMark(out1.Resource); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	again, err := e.HWM(ctx, out1.Resource)
	if err != nil || !bytes.Equal(again.Resource, out1.Resource) {
		t.Fatalf("%s: hwm is not idempotent (err %v)", name, err)
	}
	checkLabel(t, e, name, in)
	for _, r := range corpusRecipients {
		redactChecked(t, e, r, name, in)
	}
	for _, op := range []string{"hwm", "validate", "label"} {
		req := append([]byte(`{"op":"`+op+`","options":{"operationOutcome":true},"resource":`), in...)
		req = append(req, '}')
		if op == "hwm" {
			req = append([]byte(`{"op":"hwm","resource":`), in...)
			req = append(req, '}')
		}
		r1, r2 := e.Do(ctx, req), e.Do(ctx, req)
		if !bytes.Equal(r1, r2) {
			t.Fatalf("%s: %s response not deterministic", name, op)
		}
		if err := fastjson.ValidateBytes(r1); err != nil {
			t.Fatalf("%s: %s response is not valid JSON: %v", name, op, err)
		}
		if v := fastjson.MustParseBytes(r1); v.Exists("error") {
			// label writes every resource's meta.security and inline
			// labels: where what is there is of another shape, it
			// refuses rather than replace what it holds.
			if op == "label" && string(v.GetStringBytes("error", "code")) == "not_fhir" && unwritableShape(fastjson.MustParseBytes(in)) {
				continue
			}
			t.Fatalf("%s: %s failed on input hwm accepted: %s", name, op, r1)
		}
	}
	return nil
}

// corpusRecipients redact every corpus input: a clinician with clearance R
// who may not see HIV or SUD, and a payer with clearance N.
var corpusRecipients = []*recipient{
	{clearance: 4, pou: "TREAT", deny: []string{"HIV", "SUD"}, compartments: map[string]bool{}},
	{clearance: 3, pou: "HPAYMT", compartments: map[string]bool{}},
}

func TestR4ExamplePackage(t *testing.T) {
	e, _ := engine.New(engine.Options{})
	n := 0
	files := testenv.R4Examples(t, func(f testenv.File) {
		if err := checkAll(t, e, f.Name, f.Data); err == nil {
			n++
		}
	})
	t.Logf("R4 examples: %d files, %d processed", files, n)
	if n < 2000 {
		t.Errorf("only %d of %d example files were processed", n, files)
	}
}

func TestSyntheaBundles(t *testing.T) {
	e, _ := engine.New(engine.Options{})
	for _, f := range testenv.Synthea(t) {
		if err := checkAll(t, e, f.Name, f.Data); err != nil {
			t.Errorf("%s: %v", f.Name, err)
		}
	}
}

// goldenResources returns the resources of the golden cases, to seed fuzzing.
func goldenResources(tb testing.TB) [][]byte {
	var out [][]byte
	for _, c := range golden.All(tb) {
		v, err := fastjson.ParseBytes(c.Request)
		if err != nil {
			continue
		}
		if r := v.Get("resource"); r != nil {
			out = append(out, r.MarshalTo(nil))
		}
	}
	return out
}

func FuzzHWM(f *testing.F) {
	for _, r := range goldenResources(f) {
		f.Add(r)
	}
	e, _ := engine.New(engine.Options{MaxDepth: 64})
	f.Fuzz(func(t *testing.T, in []byte) {
		checkAll(t, e, "fuzz", in)
	})
}

// FuzzValidate checks validate alone: a coded error or a valid, deterministic
// response whose report counts match its diagnostics.
func FuzzValidate(f *testing.F) {
	for _, r := range goldenResources(f) {
		f.Add(r)
	}
	e, _ := engine.New(engine.Options{MaxDepth: 64})
	f.Fuzz(func(t *testing.T, in []byte) {
		r1, err1 := e.Validate(context.Background(), in)
		r2, err2 := e.Validate(context.Background(), in)
		if (err1 == nil) != (err2 == nil) {
			t.Fatalf("not deterministic: %v vs %v", err1, err2)
		}
		if err1 != nil {
			var ee *engine.Error
			if !errors.As(err1, &ee) || !knownCodes[string(ee.Code)] || ee.Code == engine.ErrInternal {
				t.Fatalf("failed without a proper code: %v", err1)
			}
			return
		}
		resp := engine.MarshalResponse("validate", r1)
		if err := fastjson.ValidateBytes(resp); err != nil || !bytes.Equal(resp, engine.MarshalResponse("validate", r2)) {
			t.Fatalf("response invalid or not deterministic: %v", err)
		}
		if r1.Report.Errors+r1.Report.Warnings+r1.Report.Information != len(r1.Diagnostics) {
			t.Fatal("report counts do not match the diagnostics")
		}
	})
}

// FuzzLabel checks labeling on generated input, with text matching on so
// the pattern rules run too.
func FuzzLabel(f *testing.F) {
	for _, r := range goldenResources(f) {
		f.Add(r)
	}
	e, _ := engine.New(engine.Options{MaxDepth: 64, TextMatch: engine.TextAll})
	f.Fuzz(func(t *testing.T, in []byte) {
		if fastjson.ValidateBytes(in) != nil {
			// Still must fail with a code; the properties need JSON input.
			if _, err := e.Label(context.Background(), in); err == nil {
				t.Fatalf("invalid JSON accepted: %q", in)
			}
			return
		}
		checkLabel(t, e, "fuzz", in)
	})
}

func FuzzDo(f *testing.F) {
	root, _ := golden.Root()
	cases, _ := golden.Load(filepath.Join(root, "testdata", "cases"))
	for _, c := range cases {
		f.Add(c.Request)
	}
	e, _ := engine.New(engine.Options{MaxDepth: 64})
	f.Fuzz(func(t *testing.T, req []byte) {
		r1 := e.Do(context.Background(), req)
		if err := fastjson.ValidateBytes(golden.Joined(r1)); err != nil {
			t.Fatalf("response is not valid JSON: %v\n%s", err, r1)
		}
		v := fastjson.MustParseBytes(golden.Joined(r1))
		if code := string(v.GetStringBytes("error", "code")); v.Exists("error") && (!knownCodes[code] || code == "internal") {
			t.Fatalf("bad error code %q for %q", code, req)
		}
		if !bytes.Equal(r1, e.Do(context.Background(), req)) {
			t.Fatal("response not deterministic")
		}
		if res := v.Get("resource"); res != nil && string(v.GetStringBytes("op")) == "hwm" {
			if err := checkMark(res.MarshalTo(nil)); err != nil {
				t.Fatal(err)
			}
		}
	})
}

// unwritableShape reports whether v holds anywhere a place label cannot
// write to without replacing what it holds: a meta that is not an object,
// a meta.security or extension that is not an array, a _x member that is
// neither an object, an array nor null, or a _x array not aligned with x
// (null counts as absent).
func unwritableShape(v *fastjson.Value) bool {
	switch v.Type() {
	case fastjson.TypeObject:
		o := v.GetObject()
		if m := o.Get("meta"); m != nil {
			if t := m.Type(); t != fastjson.TypeObject && t != fastjson.TypeNull {
				return true
			}
			if sec := m.Get("security"); sec != nil && sec.Type() != fastjson.TypeArray && sec.Type() != fastjson.TypeNull {
				return true
			}
		}
		found := false
		typ := string(o.Get("resourceType").GetStringBytes())
		o.Visit(func(k []byte, x *fastjson.Value) {
			t := x.Type()
			switch {
			case string(k) == "extension" && t != fastjson.TypeArray && t != fastjson.TypeNull:
				found = true
			case (typ == "Bundle" && string(k) == "entry" || typ == "Parameters" && string(k) == "parameter" || string(k) == "part") &&
				t != fastjson.TypeArray && t != fastjson.TypeNull:
				found = true // the resources it holds cannot be labeled
			case len(k) > 1 && k[0] == '_':
				if t != fastjson.TypeObject && t != fastjson.TypeArray && t != fastjson.TypeNull {
					found = true
				}
				if p := o.Get(string(k[1:])); t == fastjson.TypeArray && (p == nil || p.Type() != fastjson.TypeArray || len(p.GetArray()) != len(x.GetArray())) {
					found = true
				}
			}
			found = found || unwritableShape(x)
		})
		return found
	case fastjson.TypeArray:
		for _, x := range v.GetArray() {
			if unwritableShape(x) {
				return true
			}
		}
	}
	return false
}
