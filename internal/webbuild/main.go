// Command webbuild bundles the JavaScript package in web/src with esbuild's
// Go API, so building needs no npm: go run ./internal/webbuild (make web).
// It writes web/dist, the playground's copy (embedded by the binary), and
// web/npm, the npm package seclabel. With -out DIR and -npm DIR it writes
// into those directories instead, for comparing a fresh build with the
// committed one (make check).
//
// The package's files are committed but for its seclabel.wasm, a copy of
// host/seclabel.wasm made by every build: committing 3.6 MB more with each
// change of the module would double what the repository keeps of it.
package main

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"

	"github.com/evanw/esbuild/pkg/api"
	"github.com/seclabel/seclabel/engine"
)

func main() {
	out := flag.String("out", "web/dist", "output directory of the playground's copy")
	npm := flag.String("npm", "web/npm", "output directory of the npm package")
	flag.Parse()
	if err := buildDist(*out); err != nil {
		fmt.Fprintln(os.Stderr, "webbuild:", err)
		os.Exit(1)
	}
	if err := buildPackage(*npm, "."); err != nil {
		fmt.Fprintln(os.Stderr, "webbuild:", err)
		os.Exit(1)
	}
}

// bundle builds one entry point (a path from the repository's root) into
// one file.
func bundle(entry string, opts api.BuildOptions) ([]byte, error) {
	opts.EntryPoints = []string{entry}
	opts.Bundle = true
	opts.Target = api.ES2022
	opts.LegalComments = api.LegalCommentsNone
	opts.Write = false
	res := api.Build(opts)
	if len(res.Errors) > 0 {
		msgs := api.FormatMessages(res.Errors, api.FormatMessagesOptions{Kind: api.ErrorMessage})
		return nil, fmt.Errorf("%s: %s", entry, msgs)
	}
	if len(res.Warnings) > 0 {
		msgs := api.FormatMessages(res.Warnings, api.FormatMessagesOptions{Kind: api.WarningMessage})
		return nil, fmt.Errorf("%s: %s", entry, msgs)
	}
	if len(res.OutputFiles) != 1 {
		return nil, fmt.Errorf("%s: %d output files", entry, len(res.OutputFiles))
	}
	return res.OutputFiles[0].Contents, nil
}

// buildDist writes seclabel.js, worker.js and the playground's app.js (each
// a minified ES module with everything it imports) and seclabel.d.ts into
// out.
func buildDist(out string) error {
	if err := os.MkdirAll(out, 0o755); err != nil {
		return err
	}
	for _, entry := range []string{"src/seclabel.js", "src/worker.js", "playground/app.js"} {
		js, err := bundle(filepath.Join("web", entry), api.BuildOptions{
			Format:            api.FormatESModule,
			Platform:          api.PlatformNeutral,
			MinifyWhitespace:  true,
			MinifySyntax:      true,
			MinifyIdentifiers: true,
		})
		if err != nil {
			return err
		}
		name := filepath.Base(entry)
		if err := os.WriteFile(filepath.Join(out, name), js, 0o644); err != nil {
			return err
		}
		fmt.Printf("%s: %d bytes, %d gzip\n", filepath.Join(out, name), len(js), gzipSize(js))
	}
	dts, err := os.ReadFile(filepath.Join("web", "src", "seclabel.d.ts"))
	if err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(out, "seclabel.d.ts"), dts, 0o644)
}

// fileURL stands for import.meta.url in the CommonJS build, where
// import.meta does not exist; the banner defines it from __filename.
const fileURL = "__seclabel_file_url"

// packageFiles are the npm package's files: its entries, their types, the
// module and the README.
var packageFiles = []string{"README.md", "node.cjs", "node.js", "seclabel.d.cts", "seclabel.d.ts", "seclabel.js", "seclabel.wasm", "worker.js"}

// manifest is the package.json of the package: the browser entry (and
// worker) find the module with new URL('./seclabel.wasm',
// import.meta.url), which bundlers copy into their builds; Node's entries
// read it from disk. TypeScript resolving for require gets the .d.cts copy
// of the types, written as a CommonJS module's.
func manifest() orderedMap {
	return orderedMap{
		{"name", "seclabel"},
		{"version", engine.Version},
		{"description", "FHIR R4 security labeling (HL7 DS4P) in one WebAssembly module: label, high-water mark, redact and validate, in browsers and Node 20+"},
		{"keywords", []string{"fhir", "ds4p", "security-labels", "hl7", "privacy", "wasm"}},
		// The repository grants no license yet: npm's word for "none".
		{"license", "UNLICENSED"},
		{"type", "module"},
		{"exports", orderedMap{
			{".", orderedMap{
				{"node", orderedMap{
					{"import", orderedMap{{"types", "./seclabel.d.ts"}, {"default", "./node.js"}}},
					{"require", orderedMap{{"types", "./seclabel.d.cts"}, {"default", "./node.cjs"}}},
				}},
				{"types", "./seclabel.d.ts"},
				{"browser", "./seclabel.js"},
				{"default", "./seclabel.js"},
			}},
			{"./worker.js", "./worker.js"},
			{"./seclabel.wasm", "./seclabel.wasm"},
			{"./package.json", "./package.json"},
		}},
		{"main", "./node.cjs"},
		{"types", "./seclabel.d.ts"},
		{"files", packageFiles},
		{"sideEffects", []string{"./worker.js"}},
		{"engines", orderedMap{{"node", ">=20"}}},
	}
}

// orderedMap is a JSON object whose members keep their order: export
// conditions are tried in the order written.
type orderedMap []struct {
	k string
	v any
}

func (m orderedMap) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	b.WriteByte('{')
	for i, kv := range m {
		if i > 0 {
			b.WriteByte(',')
		}
		k, err := marshal(kv.k)
		if err != nil {
			return nil, err
		}
		v, err := marshal(kv.v)
		if err != nil {
			return nil, err
		}
		b.Write(k)
		b.WriteByte(':')
		b.Write(v)
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}

// marshal is json.Marshal without escaping <, > and &: package.json is
// read by people too (">=20").
func marshal(v any) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	err := enc.Encode(v)
	return bytes.TrimSuffix(b.Bytes(), []byte("\n")), err
}

// buildPackage writes the npm package into out, from the sources under
// root (the repository's root).
func buildPackage(out, root string) error {
	if err := os.MkdirAll(out, 0o755); err != nil {
		return err
	}
	src := func(name string) string { return filepath.Join(root, "web", "src", name) }
	// Not minified: the package is small, and readable code gives readable
	// stack traces in apps.
	browser := api.BuildOptions{Format: api.FormatESModule, Platform: api.PlatformNeutral}
	node := api.BuildOptions{Format: api.FormatESModule, Platform: api.PlatformNode}
	cjs := api.BuildOptions{Format: api.FormatCommonJS, Platform: api.PlatformNode,
		Define: map[string]string{"import.meta.url": fileURL},
		Banner: map[string]string{"js": "const " + fileURL + " = require('node:url').pathToFileURL(__filename).href;"}}
	for _, b := range []struct {
		name, entry string
		opts        api.BuildOptions
	}{
		{"seclabel.js", "seclabel.js", browser},
		{"worker.js", "worker.js", browser},
		{"node.js", "node.js", node},
		{"node.cjs", "node.js", cjs},
	} {
		js, err := bundle(src(b.entry), b.opts)
		if err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(out, b.name), js, 0o644); err != nil {
			return err
		}
	}
	dts, err := os.ReadFile(src("seclabel.d.ts"))
	if err != nil {
		return err
	}
	readme, err := os.ReadFile(src("README.md"))
	if err != nil {
		return err
	}
	wasm, err := os.ReadFile(filepath.Join(root, "host", "seclabel.wasm"))
	if err != nil {
		return err
	}
	var pkg bytes.Buffer
	enc := json.NewEncoder(&pkg)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(manifest()); err != nil {
		return err
	}
	for name, b := range map[string][]byte{
		"seclabel.d.ts": dts, "seclabel.d.cts": dts, "README.md": readme,
		"seclabel.wasm": wasm, "package.json": pkg.Bytes(),
	} {
		if err := os.WriteFile(filepath.Join(out, name), b, 0o644); err != nil {
			return err
		}
	}
	fmt.Printf("%s: seclabel %s\n", out, engine.Version)
	return nil
}

func gzipSize(b []byte) int {
	var buf bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	zw.Write(b)
	zw.Close()
	return buf.Len()
}
