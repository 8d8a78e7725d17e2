// Package web serves the playground: one page, its assets, the JavaScript
// package built into dist/, and the WebAssembly module. Everything the page
// computes, it computes in the browser.
package web

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"io/fs"
	"net/http"
	"path"
	"strings"
	"sync"
	"time"

	"github.com/andybalholm/brotli"
)

//go:embed dist/seclabel.js dist/worker.js dist/app.js dist/seclabel.d.ts
//go:embed playground/index.html playground/style.css playground/sw.js playground/samples
var files embed.FS

// csp is the Content-Security-Policy of every response. The page loads
// only its own scripts (no inline script or style), starts a module
// Worker from its own origin, and compiles the module in it, which
// WebAssembly.compileStreaming may do only with 'wasm-unsafe-eval' (no
// JavaScript eval is allowed). Nothing may frame it, nor may it post
// forms or load plugins.
const csp = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; worker-src 'self'; connect-src 'self'; " +
	"img-src 'self' data:; style-src 'self'; object-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"

// asset is one file served, with its compressed forms once they are made.
type asset struct {
	name string
	raw  []byte
	etag string // from the content's hash
	z    *encoded
}

// encoded holds an asset's gzip and brotli forms. They are made once per
// process in the background (the module takes about half a second), and
// until they are ready the asset is sent as it is.
type encoded struct {
	once     sync.Once
	mu       sync.Mutex
	gz, br   []byte
	finished chan struct{}
}

// compressed caches the compressed forms by content hash, so the
// handlers of one process (tests make many) compress each file once.
var compressed sync.Map // etag → *encoded

// minCompress is the size below which compressing saves too little to be
// worth a header.
const minCompress = 1024

// Handler serves the playground at / with the module wasm (host's
// seclabel.wasm) at /seclabel.wasm.
//
// Every file is revalidated (Cache-Control: no-cache, with an ETag of its
// content): the names carry no hash, so nothing may be kept without
// asking. The module and the scripts are sent with gzip or brotli,
// as the request's Accept-Encoding allows.
func Handler(wasm []byte) http.Handler {
	contents := map[string][]byte{"seclabel.wasm": wasm}
	sum := sha256.New()
	sum.Write(wasm)
	add := func(root, prefix string) {
		fs.WalkDir(files, root, func(p string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return err
			}
			b, _ := files.ReadFile(p)
			contents[prefix+strings.TrimPrefix(p, root+"/")] = b
			sum.Write(b)
			return nil
		})
	}
	add("dist", "")
	add("playground", "")
	// The service worker's cache is named after this build, so that a new
	// seclabel replaces what browsers keep.
	build := hex.EncodeToString(sum.Sum(nil))[:12]
	contents["sw.js"] = bytes.ReplaceAll(contents["sw.js"], []byte("BUILD"), []byte(build))
	assets := map[string]*asset{}
	for name, b := range contents {
		h := sha256.Sum256(b)
		a := &asset{name: name, raw: b, etag: hex.EncodeToString(h[:8])}
		if len(b) >= minCompress && compressible(name) {
			z, _ := compressed.LoadOrStore(a.etag, &encoded{finished: make(chan struct{})})
			a.z = z.(*encoded)
			a.z.start(b)
		}
		assets[name] = a
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", csp)
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Cross-Origin-Opener-Policy", "same-origin")
		h.Set("Cross-Origin-Resource-Policy", "same-origin")
		name := strings.TrimPrefix(path.Clean(r.URL.Path), "/")
		if name == "" {
			name = "index.html"
		}
		a, ok := assets[name]
		if !ok {
			http.NotFound(w, r)
			return
		}
		if ct := contentTypes[path.Ext(name)]; ct != "" {
			h.Set("Content-Type", ct)
		}
		h.Set("Cache-Control", "no-cache")
		body, etag := a.raw, a.etag
		if a.z != nil {
			h.Set("Vary", "Accept-Encoding")
			if enc, b := a.z.pick(r.Header.Get("Accept-Encoding")); enc != "" {
				h.Set("Content-Encoding", enc)
				body, etag = b, etag+"-"+enc
			}
		}
		h.Set("ETag", `"`+etag+`"`)
		http.ServeContent(w, r, name, time.Time{}, bytes.NewReader(body))
	})
}

// compressible says whether a file is text or the module, which compress
// well (everything served is).
func compressible(name string) bool {
	switch path.Ext(name) {
	case ".wasm", ".js", ".html", ".css", ".json", ".ts":
		return true
	}
	return false
}

// start compresses b in the background, once per process.
func (z *encoded) start(b []byte) {
	z.once.Do(func() {
		go func() {
			defer close(z.finished)
			var gz bytes.Buffer
			gw, _ := gzip.NewWriterLevel(&gz, gzip.BestCompression)
			gw.Write(b)
			gw.Close()
			z.mu.Lock()
			z.gz = gz.Bytes()
			z.mu.Unlock()
			// Quality 9 gives the module 0.98 MB against gzip's 1.16 MB in
			// about 0.6 s; 11 would save 0.1 MB more but take 17 s of CPU.
			var br bytes.Buffer
			bw := brotli.NewWriterOptions(&br, brotli.WriterOptions{Quality: 9, LGWin: 22})
			bw.Write(b)
			bw.Close()
			z.mu.Lock()
			z.br = br.Bytes()
			z.mu.Unlock()
		}()
	})
}

// pick chooses the smallest form ready that the client accepts: "br",
// "gzip", or "" for the file as it is.
func (z *encoded) pick(accept string) (string, []byte) {
	z.mu.Lock()
	defer z.mu.Unlock()
	if z.br != nil && accepts(accept, "br") {
		return "br", z.br
	}
	if z.gz != nil && accepts(accept, "gzip") {
		return "gzip", z.gz
	}
	return "", nil
}

// accepts says whether an Accept-Encoding header allows coding (listed,
// or "*", without q=0).
func accepts(header, coding string) bool {
	star := false
	for _, part := range strings.Split(header, ",") {
		name, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		name = strings.ToLower(strings.TrimSpace(name))
		zero := false
		for _, p := range strings.Split(params, ";") {
			k, v, _ := strings.Cut(strings.TrimSpace(p), "=")
			if strings.EqualFold(k, "q") && strings.Trim(strings.TrimSpace(v), "0.") == "" && strings.TrimSpace(v) != "" {
				zero = true
			}
		}
		switch name {
		case coding:
			return !zero
		case "*":
			star = !zero
		}
	}
	return star
}

var contentTypes = map[string]string{
	".html": "text/html; charset=utf-8",
	".css":  "text/css; charset=utf-8",
	".js":   "text/javascript; charset=utf-8",
	".ts":   "text/plain; charset=utf-8",
	".json": "application/json",
	".wasm": "application/wasm", // compileStreaming needs it
}
