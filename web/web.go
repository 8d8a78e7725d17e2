// Package web serves the playground: one page, its assets, the JavaScript
// package built into dist/, and the WebAssembly module. Everything the page
// computes, it computes in the browser.
package web

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"io/fs"
	"net/http"
	"path"
	"strings"
	"time"
)

//go:embed dist/seclabel.js dist/worker.js dist/app.js dist/seclabel.d.ts
//go:embed playground/index.html playground/style.css playground/sw.js playground/samples
var files embed.FS

// Handler serves the playground at / with the module wasm (host's
// seclabel.wasm) at /seclabel.wasm.
func Handler(wasm []byte) http.Handler {
	assets := map[string][]byte{"seclabel.wasm": wasm}
	sum := sha256.New()
	sum.Write(wasm)
	add := func(root, prefix string) {
		fs.WalkDir(files, root, func(p string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return err
			}
			b, _ := files.ReadFile(p)
			assets[prefix+strings.TrimPrefix(p, root+"/")] = b
			sum.Write(b)
			return nil
		})
	}
	add("dist", "")
	add("playground", "")
	// The service worker's cache is named after this build, so that a new
	// seclabel replaces what browsers keep.
	build := hex.EncodeToString(sum.Sum(nil))[:12]
	assets["sw.js"] = bytes.ReplaceAll(assets["sw.js"], []byte("BUILD"), []byte(build))
	modTime := time.Now()
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		name := strings.TrimPrefix(path.Clean(r.URL.Path), "/")
		if name == "" {
			name = "index.html"
		}
		b, ok := assets[name]
		if !ok {
			http.NotFound(w, r)
			return
		}
		if ct := contentTypes[path.Ext(name)]; ct != "" {
			w.Header().Set("Content-Type", ct)
		}
		w.Header().Set("Cache-Control", "no-cache")
		http.ServeContent(w, r, name, modTime, bytes.NewReader(b))
	})
}

var contentTypes = map[string]string{
	".html": "text/html; charset=utf-8",
	".css":  "text/css; charset=utf-8",
	".js":   "text/javascript; charset=utf-8",
	".ts":   "text/plain; charset=utf-8",
	".json": "application/json",
	".wasm": "application/wasm", // compileStreaming needs it
}
