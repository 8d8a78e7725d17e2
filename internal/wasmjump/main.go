// Command wasmjump rewrites the jumps of a Go-built WebAssembly module into
// direct branches, the last step of make wasm:
//
//	go run ./internal/wasmjump IN.wasm OUT.wasm
//
// Go compiles each function's body into a loop whose head dispatches with a
// br_table on a local (PC_B), and every jump sets that local and branches
// back to the loop: each jump is an indirect one, through a table shared by
// the whole function. wazero compiles the dispatch as it is, so hot loops
// pay a hard-to-predict indirect jump on every taken branch, and every
// value live anywhere in the function meets at the loop head.
//
// A jump whose target block still encloses the jump (a forward jump) can
// branch to that block directly: the br_table would branch to the very same
// place, and the local is still set, so nothing else changes. Jumps back to
// an earlier segment (the code between two of the table's targets) get a
// loop of their own around the segments they span, whose head leads any
// other entry (a resumption after a call that unwound the Go stack, a jump
// from outside) to where the dispatch would have taken it. Jumps that fit
// no such loop still go through the dispatch.
//
// The output is the same module, valid WebAssembly with the same behaviour
// in every host; the rewrite is deterministic.
package main

import (
	"flag"
	"fmt"
	"os"
)

func main() {
	flag.Usage = func() {
		fmt.Fprintln(os.Stderr, "usage: go run ./internal/wasmjump IN.wasm OUT.wasm")
		fmt.Fprintln(os.Stderr, "Rewrites the jumps of a Go-built WebAssembly module into direct branches.")
		flag.PrintDefaults()
	}
	quiet := flag.Bool("q", false, "print nothing on success")
	flag.Parse()
	if flag.NArg() != 2 {
		flag.Usage()
		os.Exit(2)
	}
	in, err := os.ReadFile(flag.Arg(0))
	if err != nil {
		fmt.Fprintln(os.Stderr, "wasmjump:", err)
		os.Exit(1)
	}
	out, st, err := rewrite(in)
	if err != nil {
		fmt.Fprintln(os.Stderr, "wasmjump:", flag.Arg(0)+":", err)
		os.Exit(1)
	}
	if err := os.WriteFile(flag.Arg(1), out, 0o644); err != nil {
		fmt.Fprintln(os.Stderr, "wasmjump:", err)
		os.Exit(1)
	}
	if !*quiet {
		fmt.Printf("wasmjump: %d functions, %d jumps: %d forward and %d loops made direct, %d left to the dispatch\n",
			st.functions, st.jumps, st.forward, st.loops, st.jumps-st.forward-st.loops)
	}
}
