package engine_test

import (
	"context"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/seclabel/seclabel/engine"
	"github.com/seclabel/seclabel/internal/golden"
	"github.com/seclabel/seclabel/internal/testenv"
	"github.com/valyala/fastjson"
)

// sensitivities returns the sensitivity codes labeled anywhere in a Bundle.
func sensitivities(t *testing.T, out []byte) []string {
	v, err := fastjson.ParseBytes(out)
	if err != nil {
		t.Fatal(err)
	}
	set := map[string]bool{}
	for _, e := range v.GetArray("entry") {
		for _, c := range e.GetArray("resource", "meta", "security") {
			code := string(c.GetStringBytes("code"))
			if strings.HasSuffix(string(c.GetStringBytes("system")), "v3-ActCode") && sensitivityCodes[code] {
				set[code] = true
			}
		}
	}
	var codes []string
	for c := range set {
		codes = append(codes, c)
	}
	sort.Strings(codes)
	return codes
}

var sensitivityCodes = map[string]bool{"HIV": true, "SUD": true, "OPIOIDUD": true, "ETHUD": true, "MH": true, "SEX": true,
	"STD": true, "SDV": true, "GDIS": true, "PSYTHPN": true, "ETH": true, "PSY": true, "BH": true}

// TestSyntheaExpectations labels each Synthea bundle with the default pack
// and compares the sensitivities found with testdata/synthea/expectations.json:
// with words off (codeLabels), by default (labels) and reading all words
// (allTextLabels).
func TestSyntheaExpectations(t *testing.T) {
	files := testenv.Synthea(t)
	root, _ := golden.Root()
	b, err := os.ReadFile(filepath.Join(root, "testdata", "synthea", "expectations.json"))
	if err != nil {
		t.Fatal(err)
	}
	want := fastjson.MustParseBytes(b).Get("bundles")
	codes, _ := engine.New(engine.Options{TextMatch: engine.TextOff})
	plain, _ := engine.New(engine.Options{})
	text, _ := engine.New(engine.Options{TextMatch: engine.TextAll})
	for _, f := range files {
		exp := want.Get(f.Name)
		if exp == nil {
			t.Errorf("%s: no expectation written", f.Name)
			continue
		}
		for _, c := range []struct {
			e   *engine.Engine
			key string
		}{{codes, "codeLabels"}, {plain, "labels"}, {text, "allTextLabels"}} {
			res, err := c.e.Label(context.Background(), f.Data)
			if err != nil {
				t.Fatalf("%s: %v", f.Name, err)
			}
			var wantCodes []string
			for _, x := range exp.GetArray(c.key) {
				wantCodes = append(wantCodes, string(x.GetStringBytes()))
			}
			got := sensitivities(t, res.Resource)
			if strings.Join(got, ",") != strings.Join(wantCodes, ",") {
				t.Errorf("%s (%s): labeled %v, want %v", f.Name, c.key, got, wantCodes)
			}
		}
	}
}

// inheritPaths are the default inherit elements, by resource type.
var inheritPaths = map[string][][]string{
	"Claim": {{"item", "encounter"}, {"diagnosis", "diagnosisReference"}, {"procedure", "procedureReference"}, {"prescription"}},
	"ExplanationOfBenefit": {{"item", "encounter"}, {"diagnosis", "diagnosisReference"}, {"procedure", "procedureReference"},
		{"prescription"}, {"claim"}},
	"DiagnosticReport": {{"result"}},
}

// referencesAlong returns the reference strings found along path below v.
func referencesAlong(v *fastjson.Value, path []string) []string {
	if v == nil {
		return nil
	}
	if len(path) == 0 {
		if s := v.GetStringBytes("reference"); s != nil {
			return []string{string(s)}
		}
		return nil
	}
	x := v.Get(path[0])
	if x == nil {
		return nil
	}
	items := []*fastjson.Value{x}
	if x.Type() == fastjson.TypeArray {
		items, _ = x.Array()
	}
	var out []string
	for _, it := range items {
		out = append(out, referencesAlong(it, path[1:])...)
	}
	return out
}

// resourceSensitivities returns the sensitivity codes in a resource's
// meta.security.
func resourceSensitivities(res *fastjson.Value) map[string]bool {
	out := map[string]bool{}
	for _, c := range res.GetArray("meta", "security") {
		code := string(c.GetStringBytes("code"))
		if strings.HasSuffix(string(c.GetStringBytes("system")), "v3-ActCode") && sensitivityCodes[code] {
			out[code] = true
		}
	}
	return out
}

// TestSyntheaInherit labels each Synthea bundle with the default options
// (words off: a report's own words would label it whatever it references)
// and checks that every Claim, ExplanationOfBenefit and DiagnosticReport whose
// default inherit references point at an entry labeled with a sensitivity
// carries that sensitivity, and that those whose references point at none
// come back as they were.
func TestSyntheaInherit(t *testing.T) {
	files := testenv.Synthea(t)
	e, _ := engine.New(engine.Options{TextMatch: engine.TextOff})
	total := map[string]int{}
	for _, f := range files {
		res, err := e.Label(context.Background(), f.Data)
		if err != nil {
			t.Fatalf("%s: %v", f.Name, err)
		}
		out, err := fastjson.ParseBytes(res.Resource)
		if err != nil {
			t.Fatal(err)
		}
		in := fastjson.MustParseBytes(f.Data)
		inEntries := in.GetArray("entry")
		entries := out.GetArray("entry")
		// The test's own reference resolution: fullUrl, Type/id, or the
		// last two segments of an absolute URL, without a version.
		byRef := map[string]*fastjson.Value{}
		for _, en := range entries {
			r := en.Get("resource")
			if fu := string(en.GetStringBytes("fullUrl")); fu != "" {
				byRef[fu] = r
			}
			if id := string(r.GetStringBytes("id")); id != "" {
				byRef[string(r.GetStringBytes("resourceType"))+"/"+id] = r
			}
		}
		resolve := func(ref string) *fastjson.Value {
			if r := byRef[ref]; r != nil {
				return r
			}
			ref, _, _ = strings.Cut(ref, "/_history/")
			parts := strings.Split(ref, "/")
			if len(parts) < 2 {
				return nil
			}
			return byRef[strings.Join(parts[len(parts)-2:], "/")]
		}
		counts := map[string]int{}
		for i, en := range entries {
			r := en.Get("resource")
			typ := string(r.GetStringBytes("resourceType"))
			paths, ok := inheritPaths[typ]
			if !ok {
				continue
			}
			counts[typ]++
			want := map[string]bool{}
			for _, p := range paths {
				for _, ref := range referencesAlong(r, p) {
					if target := resolve(ref); target != nil && target != r {
						for code := range resourceSensitivities(target) {
							want[code] = true
						}
					}
				}
			}
			have := resourceSensitivities(r)
			for code := range want {
				if !have[code] {
					t.Errorf("%s: entry %d (%s %s) references a resource labeled %s but is not", f.Name, i, typ, r.GetStringBytes("id"), code)
				}
			}
			if len(want) == 0 {
				if got, was := r.MarshalTo(nil), inEntries[i].Get("resource").MarshalTo(nil); string(got) != string(was) {
					t.Errorf("%s: entry %d (%s %s) references nothing sensitive but changed", f.Name, i, typ, r.GetStringBytes("id"))
				}
				continue
			}
			counts[typ+" inheriting"]++
			for code := range want {
				counts[typ+" "+code]++
			}
		}
		var keys []string
		for k := range counts {
			keys = append(keys, k)
			total[k] += counts[k]
		}
		sort.Strings(keys)
		var line []string
		for _, k := range keys {
			line = append(line, k+": "+strconv.Itoa(counts[k]))
		}
		t.Logf("%s: %s", f.Name, strings.Join(line, ", "))
	}
	var keys []string
	for k := range total {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		t.Logf("all bundles: %s: %d", k, total[k])
	}
	if total["Claim inheriting"] == 0 || total["ExplanationOfBenefit inheriting"] == 0 {
		t.Errorf("no Claim or ExplanationOfBenefit inherited a label: the data no longer tests inheritance")
	}
}
