package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/seclabel/seclabel/engine"
)

// TestPackage builds the npm package into a temporary directory and checks
// that its manifest names the engine's version and only files the build
// wrote, that every export target exists, and that the CommonJS build has
// no import.meta left.
func TestPackage(t *testing.T) {
	out := t.TempDir()
	if err := buildPackage(out, filepath.Join("..", "..")); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(filepath.Join(out, "package.json"))
	if err != nil {
		t.Fatal(err)
	}
	var pkg struct {
		Name, Version, Type, Main, Types string
		Files                            []string
		Exports                          map[string]any
	}
	if err := json.Unmarshal(b, &pkg); err != nil {
		t.Fatal(err)
	}
	if pkg.Name != "seclabel" || pkg.Version != engine.Version || pkg.Type != "module" {
		t.Errorf("name %q, version %q (engine %s), type %q", pkg.Name, pkg.Version, engine.Version, pkg.Type)
	}
	entries, err := os.ReadDir(out)
	if err != nil {
		t.Fatal(err)
	}
	var written []string
	for _, e := range entries {
		if e.Name() != "package.json" {
			written = append(written, e.Name())
		}
	}
	if !slices.Equal(written, pkg.Files) {
		t.Errorf("files %v, written %v", pkg.Files, written)
	}
	var targets []string
	var walk func(v any)
	walk = func(v any) {
		switch v := v.(type) {
		case string:
			targets = append(targets, v)
		case map[string]any:
			for _, w := range v {
				walk(w)
			}
		}
	}
	walk(pkg.Exports)
	walk(pkg.Main)
	walk(pkg.Types)
	if len(targets) < 9 {
		t.Fatalf("only %d export targets: %v", len(targets), targets)
	}
	for _, p := range targets {
		if _, err := os.Stat(filepath.Join(out, p)); err != nil {
			t.Errorf("export target %s: %v", p, err)
		}
	}
	cjs, err := os.ReadFile(filepath.Join(out, "node.cjs"))
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(cjs), "import.meta") || !strings.Contains(string(cjs), "module.exports") {
		t.Error("node.cjs is not a CommonJS module without import.meta")
	}
	for _, name := range []string{"seclabel.js", "worker.js"} {
		js, _ := os.ReadFile(filepath.Join(out, name))
		if !strings.Contains(string(js), `new URL("./seclabel.wasm", import.meta.url)`) {
			t.Errorf("%s does not find the module in the form bundlers follow", name)
		}
	}
}
