// Package testenv locates the third-party data that tests and benchmarks
// may read (../shared/data beside the project, or $SECLABEL_DATA) and skips
// cleanly when it is absent.
package testenv

import (
	"archive/tar"
	"compress/gzip"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/seclabel/seclabel/internal/golden"
)

// DataDir returns the shared data folder, or "" when there is none.
func DataDir() string {
	if d := os.Getenv("SECLABEL_DATA"); d != "" {
		return d
	}
	root, err := golden.Root()
	if err != nil {
		return ""
	}
	d := filepath.Join(root, "..", "shared", "data")
	if _, err := os.Stat(d); err != nil {
		return ""
	}
	return d
}

// Require returns the path of sub inside the data folder, or skips tb with
// a message saying what is missing and how to provide it. With -short it
// skips: the corpora are the slow part of the tests (make test-short).
func Require(tb testing.TB, sub string) string {
	tb.Helper()
	if testing.Short() {
		tb.Skipf("-short: skipping %s of the shared data", sub)
	}
	d := DataDir()
	p := filepath.Join(d, sub)
	if d == "" {
		tb.Skipf("shared data not found (set SECLABEL_DATA or put it at ../shared/data); skipping %s", sub)
	}
	if _, err := os.Stat(p); err != nil {
		tb.Skipf("%s not found in %s; skipping", sub, d)
	}
	return p
}

// File is one named input.
type File struct {
	Name string
	Data []byte
}

// Synthea returns the Synthea bundles, largest last, or skips.
func Synthea(tb testing.TB) []File {
	dir := Require(tb, "synthea")
	files, err := ReadSynthea(dir)
	if err != nil {
		tb.Fatal(err)
	}
	if len(files) == 0 {
		tb.Skipf("no Synthea bundles in %s", dir)
	}
	return files
}

// ReadSynthea reads the bundles of a Synthea folder (every JSON file but
// the manifest), largest last.
func ReadSynthea(dir string) ([]File, error) {
	paths, _ := filepath.Glob(filepath.Join(dir, "*.json"))
	var files []File
	for _, p := range paths {
		if strings.HasPrefix(filepath.Base(p), "manifest") {
			continue
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return nil, err
		}
		files = append(files, File{filepath.Base(p), b})
	}
	sort.Slice(files, func(i, j int) bool { return len(files[i].Data) < len(files[j].Data) })
	return files, nil
}

// R4Examples calls f for every JSON file of the FHIR R4 example package, or skips.
func R4Examples(tb testing.TB, f func(File)) int {
	p := Require(tb, "fhir-r4/hl7.fhir.r4.examples-4.0.1.tgz")
	fh, err := os.Open(p)
	if err != nil {
		tb.Fatal(err)
	}
	defer fh.Close()
	gz, err := gzip.NewReader(fh)
	if err != nil {
		tb.Fatal(err)
	}
	tr := tar.NewReader(gz)
	n := 0
	for {
		h, err := tr.Next()
		if err == io.EOF {
			return n
		}
		if err != nil {
			tb.Fatal(err)
		}
		if h.Typeflag != tar.TypeReg || !strings.HasSuffix(h.Name, ".json") || strings.HasSuffix(h.Name, "package.json") || strings.Contains(h.Name, ".index.json") {
			continue
		}
		b, err := io.ReadAll(tr)
		if err != nil {
			tb.Fatal(err)
		}
		n++
		f(File{h.Name, b})
	}
}
