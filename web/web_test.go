package web

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/andybalholm/brotli"
)

func get(t *testing.T, srv *httptest.Server, p string) (*http.Response, []byte) {
	t.Helper()
	return fetch(t, srv, p)
}

func TestHandler(t *testing.T) {
	wasm := []byte("\x00asm-module-bytes")
	srv := httptest.NewServer(Handler(wasm))
	defer srv.Close()
	resp, b := get(t, srv, "/")
	if resp.StatusCode != 200 || !strings.Contains(string(b), "seclabel playground") || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") {
		t.Fatalf("/: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	resp, b = get(t, srv, "/seclabel.wasm")
	if resp.Header.Get("Content-Type") != "application/wasm" || !bytes.Equal(b, wasm) {
		t.Fatalf("/seclabel.wasm: %s, %d bytes", resp.Header.Get("Content-Type"), len(b))
	}
	for _, p := range []string{"/app.js", "/worker.js", "/seclabel.js"} {
		if resp, b := get(t, srv, p); resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/javascript") || len(b) < 1000 {
			t.Errorf("%s: %d %s %d bytes", p, resp.StatusCode, resp.Header.Get("Content-Type"), len(b))
		}
	}
	_, b = get(t, srv, "/samples/index.json")
	var samples []struct{ File, Title, Description string }
	if err := json.Unmarshal(b, &samples); err != nil || len(samples) < 4 {
		t.Fatalf("samples: %v, %d", err, len(samples))
	}
	_, sw := get(t, srv, "/sw.js")
	for _, s := range samples {
		resp, b := get(t, srv, "/samples/"+s.File)
		if resp.StatusCode != 200 || !json.Valid(b) {
			t.Errorf("sample %s: %d", s.File, resp.StatusCode)
		}
		if !strings.Contains(string(sw), "samples/"+s.File) {
			t.Errorf("the service worker does not cache sample %s", s.File)
		}
	}
	if strings.Contains(string(sw), "BUILD") {
		t.Error("the service worker's cache is not named after the build")
	}
	if resp, _ := get(t, srv, "/nothing-here"); resp.StatusCode != 404 {
		t.Errorf("unknown path: %d", resp.StatusCode)
	}
}

// waitCompressed waits until every compressed form under way is ready.
func waitCompressed(t *testing.T) {
	t.Helper()
	compressed.Range(func(_, v any) bool {
		select {
		case <-v.(*encoded).finished:
		case <-time.After(60 * time.Second):
			t.Fatal("compressing took over a minute")
		}
		return true
	})
}

func fetch(t *testing.T, srv *httptest.Server, p string, headers ...string) (*http.Response, []byte) {
	t.Helper()
	req, _ := http.NewRequest("GET", srv.URL+p, nil)
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	// A transport of its own, which neither asks for gzip nor undoes it.
	resp, err := (&http.Transport{DisableCompression: true}).RoundTrip(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, b
}

// The module and the scripts go out compressed as Accept-Encoding allows,
// each form with its own ETag, and every file is revalidated.
func TestHandlerCompression(t *testing.T) {
	wasm := bytes.Repeat([]byte("\x00asm module bytes that compress well "), 4000)
	srv := httptest.NewServer(Handler(wasm))
	defer srv.Close()
	waitCompressed(t)
	raw := map[string][]byte{}
	for _, p := range []string{"/seclabel.wasm", "/app.js", "/worker.js", "/", "/style.css"} {
		resp, b := fetch(t, srv, p)
		if resp.StatusCode != 200 || resp.Header.Get("Content-Encoding") != "" || resp.Header.Get("Vary") != "Accept-Encoding" {
			t.Fatalf("%s without Accept-Encoding: %d, encoding %q, Vary %q", p, resp.StatusCode, resp.Header.Get("Content-Encoding"), resp.Header.Get("Vary"))
		}
		raw[p] = b
		etags := map[string]bool{resp.Header.Get("ETag"): true}
		for _, tc := range []struct{ accept, want string }{
			{"gzip", "gzip"}, {"gzip, deflate, br, zstd", "br"}, {"br;q=0, gzip", "gzip"}, {"*", "br"},
			{"gzip;q=0", ""}, {"identity", ""}, {"br;q=0.0, gzip;q=0", ""},
		} {
			resp, b := fetch(t, srv, p, "Accept-Encoding", tc.accept)
			if got := resp.Header.Get("Content-Encoding"); got != tc.want {
				t.Errorf("%s, Accept-Encoding %q: Content-Encoding %q, want %q", p, tc.accept, got, tc.want)
				continue
			}
			var dec []byte
			switch tc.want {
			case "gzip":
				zr, err := gzip.NewReader(bytes.NewReader(b))
				if err != nil {
					t.Fatal(err)
				}
				dec, _ = io.ReadAll(zr)
			case "br":
				dec, _ = io.ReadAll(brotli.NewReader(bytes.NewReader(b)))
			default:
				dec = b
			}
			if !bytes.Equal(dec, raw[p]) {
				t.Errorf("%s, %s: the body decodes to other bytes", p, tc.want)
			}
			if tc.want != "" && len(b) >= len(raw[p]) {
				t.Errorf("%s, %s: %d bytes, not smaller than %d", p, tc.want, len(b), len(raw[p]))
			}
			etags[resp.Header.Get("ETag")] = true
			// The ETag of the form sent revalidates it.
			resp, b = fetch(t, srv, p, "Accept-Encoding", tc.accept, "If-None-Match", resp.Header.Get("ETag"))
			if resp.StatusCode != 304 || len(b) != 0 {
				t.Errorf("%s, %s: revalidation answered %d", p, tc.want, resp.StatusCode)
			}
		}
		if len(etags) != 3 {
			t.Errorf("%s: ETags %v, want one per form", p, etags)
		}
		if cc := resp.Header.Get("Cache-Control"); cc != "no-cache" {
			t.Errorf("%s: Cache-Control %q", p, cc)
		}
	}
	if !bytes.Equal(raw["/seclabel.wasm"], wasm) {
		t.Error("the module is not what was given")
	}
	// Files under minCompress go out as they are, larger ones compressed.
	for _, p := range []string{"/sw.js", "/samples/index.json", "/samples/hiv-care.json"} {
		_, b := fetch(t, srv, p)
		resp, _ := fetch(t, srv, p, "Accept-Encoding", "gzip, br")
		if compressed := resp.Header.Get("Content-Encoding") != ""; compressed != (len(b) >= minCompress) {
			t.Errorf("%s, %d bytes: compressed %v", p, len(b), compressed)
		}
	}
}

// Every response carries the security headers; the policy allows what the
// page needs (its own module scripts, a module Worker, compiling
// WebAssembly) and nothing inline.
func TestHandlerHeaders(t *testing.T) {
	srv := httptest.NewServer(Handler([]byte("\x00asm")))
	defer srv.Close()
	for _, p := range []string{"/", "/app.js", "/seclabel.wasm", "/nothing-here"} {
		resp, _ := fetch(t, srv, p)
		for k, want := range map[string]string{
			"Content-Security-Policy":      csp,
			"X-Content-Type-Options":       "nosniff",
			"Referrer-Policy":              "no-referrer",
			"X-Frame-Options":              "DENY",
			"Cross-Origin-Opener-Policy":   "same-origin",
			"Cross-Origin-Resource-Policy": "same-origin",
		} {
			if got := resp.Header.Get(k); got != want {
				t.Errorf("%s: %s %q, want %q", p, k, got, want)
			}
		}
	}
	for _, d := range []string{"script-src 'self' 'wasm-unsafe-eval'", "frame-ancestors 'none'", "worker-src 'self'"} {
		if !strings.Contains(csp, d) {
			t.Errorf("the policy lacks %s", d)
		}
	}
	if strings.Contains(csp, "unsafe-inline") || strings.Contains(csp, "'unsafe-eval'") {
		t.Error("the policy allows inline code or eval")
	}
	// The page has no inline script or style the policy would block.
	_, page := fetch(t, srv, "/")
	for _, bad := range []string{"<script>", "<style", " style=", " onclick=", " onload="} {
		if strings.Contains(string(page), bad) {
			t.Errorf("index.html has %q, which the policy blocks", bad)
		}
	}
}
