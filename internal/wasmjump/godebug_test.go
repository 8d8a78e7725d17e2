package main

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
)

// TestGodebugStandIn holds wasm/_godebug, which the module's build puts in
// place of the standard library's internal/godebug, to the real package's
// exported API: a Go release that adds to it must be looked at before the
// module is built with it (the pass refuses unvalidated releases too).
func TestGodebugStandIn(t *testing.T) {
	goroot, err := exec.Command("go", "env", "GOROOT").Output()
	if err != nil {
		t.Fatalf("go env GOROOT: %v", err)
	}
	real := exportedAPI(t, filepath.Join(strings.TrimSpace(string(goroot)), "src", "internal", "godebug"))
	stand := exportedAPI(t, filepath.Join("..", "..", "wasm", "_godebug"))
	if len(real) == 0 {
		t.Fatal("internal/godebug exports nothing: not the package this test knows")
	}
	if !slices.Equal(real, stand) {
		t.Errorf("wasm/_godebug exports %v; internal/godebug of %s exports %v", stand, runtime.Version(), real)
	}
}

// exportedAPI lists the exported functions, methods (Type.Name) and types
// of the package in dir, its tests aside, sorted.
func exportedAPI(t *testing.T, dir string) []string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(dir, "*.go"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no Go files in %s", dir)
	}
	var out []string
	fset := token.NewFileSet()
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		file, err := parser.ParseFile(fset, f, src, 0)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range file.Decls {
			switch d := d.(type) {
			case *ast.FuncDecl:
				if !d.Name.IsExported() {
					continue
				}
				name := d.Name.Name
				if d.Recv != nil && len(d.Recv.List) == 1 {
					typ := d.Recv.List[0].Type
					if s, ok := typ.(*ast.StarExpr); ok {
						typ = s.X
					}
					id, ok := typ.(*ast.Ident)
					if !ok || !id.IsExported() {
						continue // a method of an unexported type is no API
					}
					name = id.Name + "." + name
				}
				out = append(out, name)
			case *ast.GenDecl:
				for _, s := range d.Specs {
					if ts, ok := s.(*ast.TypeSpec); ok && ts.Name.IsExported() {
						out = append(out, "type "+ts.Name.Name)
					}
				}
			}
		}
	}
	slices.Sort(out)
	return out
}
