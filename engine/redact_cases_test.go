package engine_test

import (
	"context"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/seclabel/seclabel/engine"
	"github.com/seclabel/seclabel/internal/golden"
	"github.com/valyala/fastjson"
)

// The checker holds every redact golden case to the security property
// with the case's own recipient: each fail-closed class has cases in
// several spellings, so the checker fails on an engine that lets one
// through.
func TestRedactionSecurityPropertyGoldenContexts(t *testing.T) {
	root, _ := golden.Root()
	files, _ := filepath.Glob(filepath.Join(root, "testdata", "cases", "redact", "*.json"))
	sort.Strings(files)
	e, _ := engine.New(engine.Options{})
	checked, skipped := 0, 0
	for _, f := range files {
		b, _ := os.ReadFile(f)
		v, err := fastjson.ParseBytes(b)
		if err != nil {
			continue
		}
		req := v.Get("request")
		ctxv := req.Get("context")
		if req == nil || ctxv == nil || req.Get("options") != nil || req.Get("resource") == nil || len(v.GetStringBytes("want_error_code")) > 0 {
			skipped++
			continue
		}
		r := &recipient{clearance: 3, compartments: map[string]bool{}}
		strs := func(x *fastjson.Value) (out []string) {
			for _, s := range x.GetArray() {
				out = append(out, string(s.GetStringBytes()))
			}
			return
		}
		if c := ctxv.GetStringBytes("clearance"); len(c) > 0 {
			r.clearance = strings.Index("ULMNRV", string(c))
		}
		r.pou = string(ctxv.GetStringBytes("purposeOfUse"))
		r.deny = strs(ctxv.Get("deny"))
		for _, c := range strs(ctxv.Get("compartments")) {
			r.compartments[c] = true
		}
		if ctxv.Get("allow") != nil {
			r.allowSet, r.allow = true, strs(ctxv.Get("allow"))
		}
		r.ignore = strs(ctxv.Get("ignore"))
		r.withheldRefs = strs(ctxv.Get("withheldReferences"))
		obls := ctxv.GetArray("obligations")
		if ctxv.Get("code") != nil {
			obls = append(obls, ctxv)
		}
		for _, o := range obls {
			r.deny = append(r.deny, strs(o.Get("codes"))...)
			if x := o.Get("exceptAnyOfCodes"); x != nil {
				r.releaseOnly = append(r.releaseOnly, strs(x))
			}
		}
		resp := e.Do(context.Background(), req.MarshalTo(nil))
		rv, err := fastjson.ParseBytes(resp)
		if err != nil || rv.Get("error") != nil {
			t.Errorf("%s: %s", filepath.Base(f), resp)
			continue
		}
		var out []byte
		if o := rv.Get("resource"); o != nil && o.Type() != fastjson.TypeNull {
			out = o.MarshalTo(nil)
		}
		in := req.Get("resource").MarshalTo(nil)
		if err := checkRedaction(r, in, out); err != nil {
			t.Errorf("%s: %v", filepath.Base(f), err)
		} else {
			checked++
		}
	}
	t.Logf("%d cases hold, %d left out (errors, options)", checked, skipped)
	if checked < 100 {
		t.Fatalf("only %d cases checked", checked)
	}
}
