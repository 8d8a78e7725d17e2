// Command docgen writes the parts of engine/PROTOCOL.md that the engine's
// own tables describe: the options table, from engine.OptionList. Run by
// make generate; a test fails when the committed file differs.
package main

import (
	"flag"
	"fmt"
	"os"

	"github.com/seclabel/seclabel/internal/docgen/protodoc"
)

func main() {
	path := flag.String("protocol", "engine/PROTOCOL.md", "the protocol document to rewrite")
	flag.Parse()
	b, err := os.ReadFile(*path)
	if err != nil {
		fmt.Fprintln(os.Stderr, "docgen:", err)
		os.Exit(1)
	}
	out, err := protodoc.Rewrite(b)
	if err != nil {
		fmt.Fprintln(os.Stderr, "docgen:", *path+":", err)
		os.Exit(1)
	}
	if string(out) == string(b) {
		return
	}
	if err := os.WriteFile(*path, out, 0o644); err != nil {
		fmt.Fprintln(os.Stderr, "docgen:", err)
		os.Exit(1)
	}
	fmt.Println("docgen: rewrote", *path)
}
