// Command webbuild bundles the JavaScript package in web/src into web/dist
// with esbuild's Go API, so building needs no npm: go run ./internal/webbuild
// (make web). With -out DIR it writes into DIR instead, for comparing a
// fresh build with the committed one (make check).
package main

import (
	"bytes"
	"compress/gzip"
	"flag"
	"fmt"
	"os"
	"path/filepath"

	"github.com/evanw/esbuild/pkg/api"
)

func main() {
	out := flag.String("out", "web/dist", "output directory")
	flag.Parse()
	if err := build(*out); err != nil {
		fmt.Fprintln(os.Stderr, "webbuild:", err)
		os.Exit(1)
	}
}

// build writes seclabel.js, worker.js and the playground's app.js (each a
// minified ES module with everything it imports) and seclabel.d.ts into out.
func build(out string) error {
	if err := os.MkdirAll(out, 0o755); err != nil {
		return err
	}
	for _, entry := range []string{"src/seclabel.js", "src/worker.js", "playground/app.js"} {
		res := api.Build(api.BuildOptions{
			EntryPoints:       []string{filepath.Join("web", entry)},
			Bundle:            true,
			Format:            api.FormatESModule,
			Platform:          api.PlatformNeutral,
			Target:            api.ES2022,
			MinifyWhitespace:  true,
			MinifySyntax:      true,
			MinifyIdentifiers: true,
			LegalComments:     api.LegalCommentsNone,
			Write:             false,
		})
		if len(res.Errors) > 0 {
			msgs := api.FormatMessages(res.Errors, api.FormatMessagesOptions{Kind: api.ErrorMessage})
			return fmt.Errorf("%s: %s", entry, msgs)
		}
		if len(res.OutputFiles) != 1 {
			return fmt.Errorf("%s: %d output files", entry, len(res.OutputFiles))
		}
		js := res.OutputFiles[0].Contents
		name := filepath.Base(entry)
		if err := os.WriteFile(filepath.Join(out, name), js, 0o644); err != nil {
			return err
		}
		fmt.Printf("web/dist/%s: %d bytes, %d gzip\n", name, len(js), gzipSize(js))
	}
	dts, err := os.ReadFile(filepath.Join("web", "src", "seclabel.d.ts"))
	if err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(out, "seclabel.d.ts"), dts, 0o644)
}

func gzipSize(b []byte) int {
	var buf bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	zw.Write(b)
	zw.Close()
	return buf.Len()
}
