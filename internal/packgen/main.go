// Command packgen writes the embedded rule packs engine/packs/us-default.json
// and engine/packs/us-broad.json from the source lists in engine/packs/lists
// (their format: engine/packs/lists/README.md), after checking the lists. A
// problem is printed as file:line: message and nothing is written.
//
//	go run ./internal/packgen [-lists engine/packs/lists] [-out engine/packs] [-check]
//
// While the directory holds no category lists the packs are left as they are.
package main

import (
	"bytes"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
)

func main() {
	lists := flag.String("lists", "engine/packs/lists", "the directory of source lists")
	out := flag.String("out", "engine/packs", "the directory the packs are written to")
	check := flag.Bool("check", false, "only check the lists and report whether the packs are current")
	flag.Parse()
	os.Exit(run(*lists, *out, *check, os.Stdout, os.Stderr))
}

func run(lists, out string, check bool, stdout, stderr io.Writer) int {
	if st, err := os.Stat(lists); err != nil || !st.IsDir() {
		fmt.Fprintf(stderr, "packgen: %s is not a directory of lists (run from the module root, or give -lists)\n", lists)
		return 1
	}
	if !HasLists(lists) {
		fmt.Fprintf(stdout, "packgen: %s holds no category lists yet; the packs are left as they are\n", lists)
		return 0
	}
	l, probs := Validate(lists)
	if len(probs) > 0 {
		for _, p := range probs {
			fmt.Fprintln(stderr, p)
		}
		fmt.Fprintf(stderr, "packgen: %d problem(s); nothing written\n", len(probs))
		return 1
	}
	files := Generate(l)
	names := make([]string, 0, len(files))
	for n := range files {
		names = append(names, n)
	}
	sort.Strings(names)
	stale := 0
	for _, n := range names {
		p := filepath.Join(out, n)
		old, _ := os.ReadFile(p)
		if bytes.Equal(old, files[n]) {
			continue
		}
		stale++
		if check {
			fmt.Fprintf(stderr, "packgen: %s is stale\n", p)
			continue
		}
		if err := os.WriteFile(p, files[n], 0o644); err != nil {
			fmt.Fprintln(stderr, "packgen:", err)
			return 1
		}
		fmt.Fprintf(stdout, "packgen: wrote %s (%d bytes)\n", p, len(files[n]))
	}
	if check && stale > 0 {
		return 1
	}
	return 0
}
