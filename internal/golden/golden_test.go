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
