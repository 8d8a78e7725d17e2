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
// and compares the sensitivities found with testdata/synthea/expectations.json.
func TestSyntheaExpectations(t *testing.T) {
	files := testenv.Synthea(t)
	root, _ := golden.Root()
	b, err := os.ReadFile(filepath.Join(root, "testdata", "synthea", "expectations.json"))
	if err != nil {
		t.Fatal(err)
	}
	want := fastjson.MustParseBytes(b).Get("bundles")
	plain, _ := engine.New(engine.Options{})
	text, _ := engine.New(engine.Options{TextMatch: true})
	for _, f := range files {
		exp := want.Get(f.Name)
		if exp == nil {
			t.Errorf("%s: no expectation written", f.Name)
			continue
		}
		for _, c := range []struct {
			e   *engine.Engine
			key string
		}{{plain, "labels"}, {text, "textMatchLabels"}} {
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
