package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"

	"github.com/seclabel/seclabel/engine"
	"github.com/seclabel/seclabel/host"
	"github.com/seclabel/seclabel/internal/jsonx"
)

// newWasm starts the module host, configured with the rule packs and the
// limits the command line set.
func newWasm(ctx context.Context, packs [][]byte, opts engine.Options) (*host.Host, error) {
	return host.New(ctx, host.Config{Configure: configureRequest(packs, nil, opts), CompilationCacheDir: cacheDir()})
}

// configureRequest is the configure request of the rule packs (their JSON
// text; none for the default pack), the default options (a JSON object,
// or nil) and the limits of opts.
func configureRequest(packs [][]byte, options []byte, opts engine.Options) []byte {
	var w jsonx.Writer
	w.BeginObject()
	w.KV("op", "configure")
	if len(packs) > 0 {
		w.Key("rules")
		w.BeginArray()
		for _, p := range packs {
			w.String(string(p)) // packs travel as JSON text
		}
		w.EndArray()
	}
	w.Key("options")
	w.BeginObject()
	// The limits are not among the options: the command line routes them
	// to the engine, which they may raise.
	if members := bytes.TrimSpace(options); len(members) > 2 {
		w.Raw(members[1 : len(members)-1])
	}
	if opts.MaxInputBytes > 0 {
		w.Key("maxInputBytes")
		w.Int(opts.MaxInputBytes)
	}
	if opts.MaxDepth > 0 {
		w.Key("maxDepth")
		w.Int(opts.MaxDepth)
	}
	w.EndObject()
	w.EndObject()
	return w.B
}

// cacheDir is where the compiled module is kept between runs, so that a
// command starts in milliseconds: $SECLABEL_CACHE, else the user cache
// directory; "" (compile every run) when neither is usable.
func cacheDir() string {
	if d := os.Getenv("SECLABEL_CACHE"); d != "" {
		return d
	}
	d, err := os.UserCacheDir()
	if err != nil {
		return ""
	}
	d = filepath.Join(d, "seclabel", "wazero")
	if os.MkdirAll(d, 0o755) != nil {
		return ""
	}
	return d
}
