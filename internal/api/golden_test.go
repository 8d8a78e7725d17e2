package api

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"reflect"
	"testing"
)

// The golden HTTP cases in testdata/http: each file is a request (method,
// path, headers, body) and the response it must get (status, body),
// written from the operations' published definitions (SHIFT's $sls-tag,
// LEAP SLS's label and transaction, FHIR's $meta-add) and the protocol's
// labeling rules. Bodies are compared as JSON values.
func TestGolden(t *testing.T) {
	files, err := filepath.Glob("testdata/http/*.json")
	if err != nil || len(files) < 5 {
		t.Fatalf("golden cases: %v, %d files", err, len(files))
	}
	srv := newServer(t, Config{})
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			b, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			var c struct {
				Request struct {
					Method, Path string
					Headers      map[string]string
					Body         json.RawMessage
				}
				Response struct {
					Status int
					Body   json.RawMessage
				}
			}
			if err := json.Unmarshal(b, &c); err != nil {
				t.Fatal(err)
			}
			req, _ := http.NewRequest(c.Request.Method, srv.URL+c.Request.Path, bytes.NewReader(c.Request.Body))
			for k, v := range c.Request.Headers {
				req.Header.Set(k, v)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			got, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != c.Response.Status {
				t.Fatalf("status %d, want %d: %s", resp.StatusCode, c.Response.Status, got)
			}
			if ct := resp.Header.Get("Content-Type"); ct != "application/fhir+json; charset=utf-8" {
				t.Errorf("Content-Type %q", ct)
			}
			sameJSON(t, got, c.Response.Body)
		})
	}
}

// sameJSON fails unless got and want are the same JSON value (object
// members in any order).
func sameJSON(t *testing.T, got, want []byte) {
	t.Helper()
	var g, w any
	if err := decode(got, &g); err != nil {
		t.Fatalf("the response is not JSON: %v\n%s", err, got)
	}
	if err := decode(want, &w); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(g, w) {
		gi, _ := json.MarshalIndent(g, "", "  ")
		wi, _ := json.MarshalIndent(w, "", "  ")
		t.Fatalf("got\n%s\nwant\n%s", gi, wi)
	}
}
