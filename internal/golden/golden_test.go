package golden

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func writeCase(t *testing.T, dir, name, body string) {
	t.Helper()
	p := filepath.Join(dir, name+".json")
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestLoaderRejectsMalformedCases(t *testing.T) {
	bad := map[string]string{
		"no expectation":   `{"note":"x/a","request":{"op":"hwm"}}`,
		"two expectations": `{"note":"x/a","request":{"op":"hwm"},"want":{},"want_error_code":"invalid_json"}`,
		"two requests":     `{"note":"x/a","request":{},"request_raw":"{}","want":{}}`,
		"no request":       `{"note":"x/a","want":{}}`,
		"note mismatch":    `{"note":"x/b","request":{},"want":{}}`,
		"unknown member":   `{"note":"x/a","request":{},"want":{},"wants":{}}`,
		"not json":         `{"note":`,
	}
	for name, body := range bad {
		dir := t.TempDir()
		writeCase(t, dir, "x/a", body)
		if _, err := Load(dir); err == nil {
			t.Errorf("%s: loader accepted %s", name, body)
		}
	}
	dir := t.TempDir()
	writeCase(t, dir, "x/a", `{"note":"x/a","request":{"op":"hwm"},"want_error_code":"not_fhir"}`)
	cases, err := Load(dir)
	if err != nil || len(cases) != 1 || cases[0].WantErrorCode != "not_fhir" {
		t.Fatalf("well-formed case: %v %+v", err, cases)
	}
}

// The corpus itself must load, and every backend's exception list must stay
// empty: a backend that disagrees with the corpus is a bug to fix.
func TestCorpusLoadsAndExceptionListsAreEmpty(t *testing.T) {
	cases := All(t)
	root, _ := Root()
	perOp := map[string]int{}
	for _, c := range cases {
		perOp[strings.Split(c.Note, "/")[0]]++
	}
	if perOp["hwm"]+perOp["validate"] < 80 {
		t.Errorf("hwm and validate have %d cases together, want at least 80", perOp["hwm"]+perOp["validate"])
	}
	files, _ := filepath.Glob(filepath.Join(root, "testdata", "exceptions", "*.json"))
	if len(files) == 0 {
		t.Fatal("no exception lists found")
	}
	for _, f := range files {
		backend := strings.TrimSuffix(filepath.Base(f), ".json")
		ex, err := Exceptions(root, backend)
		if err != nil {
			t.Fatal(err)
		}
		if len(ex) != 0 {
			t.Errorf("exceptions/%s.json lists %d cases; fix the backend instead", backend, len(ex))
		}
	}
}

// The runner's comparison: values as encoding/json reads them, numbers as
// written, members in order, and the first difference named by its path.
func TestCompare(t *testing.T) {
	for _, c := range []struct{ got, want, diff string }{
		{`{"a":[1,"x",true,null,{}]}`, ` { "a" : [ 1 , "x" , true , null , { } ] } `, ""},
		{`"\u00e9\/"`, `"é/"`, ""},
		{`{"a":1.0}`, `{"a":1}`, `$.a: got number 1.0, want number 1`},
		{`{"a":1e2}`, `{"a":100}`, `$.a: got number 1e2, want number 100`},
		{`{"a":{"b":[1,2]}}`, `{"a":{"b":[1,3]}}`, `$.a.b[1]: got number 2, want number 3`},
		{`{"a":1,"b":2}`, `{"b":2,"a":1}`, `$: member 1 is "a", want "b" (got members ["a" "b"], want ["b" "a"])`},
		{`{"a":1}`, `{"a":1,"b":2}`, `$: 1 members, want 2 (got members ["a"], want ["a" "b"])`},
		{`[1]`, `[1,2]`, `$: 1 items, want 2`},
		{`{"x-y":"1"}`, `{"x-y":1}`, `$["x-y"]: got "1", want number 1`},
		{`{"a":null}`, `{"a":false}`, `$.a: got null, want false`},
		{`{"a":[]}`, `{"a":{}}`, `$.a: got an array, want an object`},
	} {
		got, err := decode([]byte(c.got))
		if err != nil {
			t.Fatalf("%s: %v", c.got, err)
		}
		want, err := decode([]byte(c.want))
		if err != nil {
			t.Fatalf("%s: %v", c.want, err)
		}
		if d := diff(got, want, "$"); d != c.diff {
			t.Errorf("%s against %s:\n got %s\nwant %s", c.got, c.want, d, c.diff)
		}
	}
	for _, bad := range []string{``, `{"a":1,"a":1}`, `[1 2]`, `{"a":1}{}`, `[1,]`, `{"a"}`, `01`} {
		if _, err := decode([]byte(bad)); err == nil {
			t.Errorf("decode accepted %q", bad)
		}
	}
	resp, _ := decode([]byte(`{"protocol":1,"error":{"code":"invalid_json","message":"m"}}`))
	if code := errorCode(resp); code != "invalid_json" {
		t.Errorf("errorCode = %q", code)
	}
}
