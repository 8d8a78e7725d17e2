// Package golden loads the language-neutral golden corpus in testdata/cases
// and runs it against any backend that speaks the seclabel protocol.
//
// A case is testdata/cases/<op>/<name>.json:
//
//	{
//	  "note": "<op>/<name>",            // the subtest name and exception key
//	  "comment": "what the case shows",  // optional
//	  "request": {...},                  // or "request_raw": "<request text>"
//	  "want": {...}                      // the whole response, or
//	  "want_error_code": "invalid_json"  // only the error code
//	}
//
// Exactly one request form and exactly one expectation are allowed. A backend's
// known gaps would be listed in testdata/exceptions/<backend>.json as
// {"<note>": "<reason>"}; those files are kept empty.
//
// Setting SECLABEL_UPDATE_GOLDEN=1 rewrites each "want" with the response the
// backend gives, for reviewing in a diff.
package golden

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/seclabel/seclabel/internal/jsonref"
	"github.com/seclabel/seclabel/internal/jsonx"
)

// Backend is anything that answers protocol requests.
type Backend interface {
	Do(ctx context.Context, request []byte) []byte
}

// Case is one golden case.
type Case struct {
	Note          string
	Comment       string
	Request       []byte // the request bytes sent
	Want          []byte // the expected response, or nil
	WantErrorCode string // the expected error code, or ""
	File          string
	rawRequest    bool
}

// Root returns the module root, found by walking up from the working
// directory to go.mod.
func Root() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", fmt.Errorf("go.mod not found above the working directory")
		}
		dir = parent
	}
}

// Load reads every case under dir (testdata/cases), sorted by note.
func Load(dir string) ([]Case, error) {
	var cases []Case
	err := filepath.WalkDir(dir, func(path string, de os.DirEntry, err error) error {
		if err != nil || de.IsDir() || !strings.HasSuffix(path, ".json") {
			return err
		}
		rel, _ := filepath.Rel(dir, path)
		c, err := parseCase(path, filepath.ToSlash(strings.TrimSuffix(rel, ".json")))
		if err != nil {
			return fmt.Errorf("%s: %w", rel, err)
		}
		cases = append(cases, c)
		return nil
	})
	sort.Slice(cases, func(i, j int) bool { return cases[i].Note < cases[j].Note })
	return cases, err
}

// All loads every golden case, failing tb when there are none.
func All(tb testing.TB) []Case {
	tb.Helper()
	root, err := Root()
	if err != nil {
		tb.Fatal(err)
	}
	cases, err := Load(filepath.Join(root, "testdata", "cases"))
	if err != nil {
		tb.Fatal(err)
	}
	if len(cases) == 0 {
		tb.Fatal("no golden cases found")
	}
	return cases
}

func parseCase(path, name string) (Case, error) {
	c := Case{File: path}
	b, err := os.ReadFile(path)
	if err != nil {
		return c, err
	}
	var d jsonx.Doc
	if err := d.Parse(b, 10000); err != nil {
		return c, fmt.Errorf("not JSON: %v", err)
	}
	if d.Kind(0) != jsonx.Object {
		return c, fmt.Errorf("a case is a JSON object")
	}
	requests, wants := 0, 0
	var bad error
	d.Members(0, func(k, v jsonx.Node) bool {
		switch d.Str(k) {
		case "note":
			c.Note = d.Str(v)
		case "comment":
			c.Comment = d.Str(v)
		case "request":
			requests++
			c.Request = append([]byte(nil), d.Raw(v)...)
		case "request_raw":
			requests++
			if !d.IsStr(v) {
				bad = fmt.Errorf("request_raw must be a string")
			}
			c.Request = []byte(d.Str(v))
			c.rawRequest = true
		case "want":
			wants++
			c.Want = append([]byte(nil), d.Raw(v)...)
		case "want_error_code":
			wants++
			c.WantErrorCode = d.Str(v)
			if c.WantErrorCode == "" {
				bad = fmt.Errorf("want_error_code must be a non-empty string")
			}
		default:
			bad = fmt.Errorf("unknown member %q", d.Str(k))
		}
		return bad == nil
	})
	switch {
	case bad != nil:
		return c, bad
	case c.Note != name:
		return c, fmt.Errorf("note %q must equal the case's path %q", c.Note, name)
	case requests != 1:
		return c, fmt.Errorf("a case needs exactly one of request and request_raw, has %d", requests)
	case wants != 1:
		return c, fmt.Errorf("a case needs exactly one expectation (want or want_error_code), has %d", wants)
	}
	return c, nil
}

// Exceptions reads testdata/exceptions/<backend>.json: note -> reason.
func Exceptions(root, backend string) (map[string]string, error) {
	b, err := os.ReadFile(filepath.Join(root, "testdata", "exceptions", backend+".json"))
	if err != nil {
		return nil, err
	}
	var d jsonx.Doc
	if err := d.Parse(b, 10); err != nil || d.Kind(0) != jsonx.Object {
		return nil, fmt.Errorf("exceptions/%s.json must be a JSON object", backend)
	}
	ex := map[string]string{}
	d.Members(0, func(k, v jsonx.Node) bool { ex[d.Str(k)] = d.Str(v); return true })
	return ex, nil
}

// Run runs every golden case against b, as subtests named by note.
func Run(t *testing.T, backend string, b Backend) {
	t.Helper()
	cases := All(t)
	root, _ := Root() // All found it
	ex, err := Exceptions(root, backend)
	if err != nil {
		t.Fatal(err)
	}
	notes := map[string]bool{}
	for _, c := range cases {
		notes[c.Note] = true
	}
	for note := range ex {
		if !notes[note] {
			t.Errorf("exceptions/%s.json names %q, which is not a case", backend, note)
		}
	}
	update := os.Getenv("SECLABEL_UPDATE_GOLDEN") == "1"
	for _, c := range cases {
		t.Run(c.Note, func(t *testing.T) {
			if reason, ok := ex[c.Note]; ok {
				t.Skip("exception: " + reason)
			}
			got := Joined(b.Do(context.Background(), c.Request))
			gotValue, err := jsonref.Decode(got)
			if err != nil {
				t.Fatalf("response is not JSON (%v): %s", err, got)
			}
			if c.WantErrorCode != "" {
				if code := errorCode(gotValue); code != c.WantErrorCode {
					t.Fatalf("want error code %q, got response %s", c.WantErrorCode, got)
				}
				return
			}
			if update {
				if err := rewriteWant(c, got); err != nil {
					t.Fatal(err)
				}
				return
			}
			wantValue, err := jsonref.Decode(c.Want)
			if err != nil {
				t.Fatal(err)
			}
			if d := jsonref.Diff(gotValue, wantValue); d != "" {
				t.Fatalf("response differs at %s\n got: %s\nwant: %s", d, pretty(got), pretty(c.Want))
			}
		})
	}
}

// errorCode returns error.code of a decoded protocol response, or "".
func errorCode(resp any) string {
	code, _ := jsonref.Get(jsonref.Get(resp, "error"), "code").(string)
	return code
}

func pretty(b []byte) []byte {
	var d jsonx.Doc
	if d.Parse(b, 10000) != nil {
		return b
	}
	return d.Format(nil, 0, "  ")
}

// rewriteWant writes the case back with want replaced by got.
func rewriteWant(c Case, got []byte) error {
	var w []byte
	w = append(w, "{\n  \"note\": "...)
	w = jsonx.AppendString(w, c.Note)
	if c.Comment != "" {
		w = append(w, ",\n  \"comment\": "...)
		w = jsonx.AppendString(w, c.Comment)
	}
	if c.rawRequest {
		w = append(w, ",\n  \"request_raw\": "...)
		w = jsonx.AppendString(w, string(c.Request))
	} else {
		w = append(w, ",\n  \"request\": "...)
		w = indent(w, c.Request)
	}
	w = append(w, ",\n  \"want\": "...)
	w = indent(w, got)
	w = append(w, "\n}\n"...)
	return os.WriteFile(c.File, w, 0o644)
}

func indent(dst, b []byte) []byte {
	p := pretty(b)
	return append(dst, bytes.ReplaceAll(p, []byte("\n"), []byte("\n  "))...)
}

// Joined returns a response whose resource follows the envelope after a NUL
// byte (the answer to a request that carried its resource that way) as one
// JSON response with the resource in its "resource" member, after "op";
// other responses are returned as they are. Expectations are written joined.
func Joined(resp []byte) []byte {
	i := bytes.IndexByte(resp, 0)
	if i < 0 {
		return resp
	}
	var d jsonx.Doc
	if d.Parse(resp[:i], 1000) != nil || d.Kind(0) != jsonx.Object {
		return resp // not a split response: left for the comparison to reject
	}
	out := []byte{'{'}
	d.Members(0, func(k, v jsonx.Node) bool {
		if len(out) > 1 {
			out = append(out, ',')
		}
		out = append(append(append(out, d.Raw(k)...), ':'), d.Raw(v)...)
		if d.Str(k) == "op" {
			out = append(append(out, `,"resource":`...), resp[i+1:]...)
		}
		return true
	})
	return append(out, '}')
}

// Split returns request with its resource sent after a NUL byte, as the
// typed methods of hosts send it, when the request is a JSON object whose
// resource member is an object; any other request is returned as it is.
func Split(request []byte) []byte {
	var d jsonx.Doc
	if d.Parse(request, 10000) != nil || d.Kind(0) != jsonx.Object || d.Kind(d.Get(0, "resource")) != jsonx.Object {
		return request
	}
	out := []byte{'{'}
	d.Members(0, func(k, v jsonx.Node) bool {
		if d.KeyIs(k, "resource") {
			return true
		}
		if len(out) > 1 {
			out = append(out, ',')
		}
		out = append(append(append(out, d.Raw(k)...), ':'), d.Raw(v)...)
		return true
	})
	out = append(out, '}', 0)
	return append(out, d.Raw(d.Get(0, "resource"))...)
}
