package web

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func get(t *testing.T, srv *httptest.Server, p string) (*http.Response, []byte) {
	t.Helper()
	resp, err := http.Get(srv.URL + p)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, b
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
