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
// It also joins the data segments that short runs of zeros separate (see
// data.go): the same initial memory in far fewer, smaller-compressing
// segment headers.
//
// The output is the same module, valid WebAssembly with the same behaviour
// in every host; the rewrite is deterministic. It ends with a custom
// section (seclabel.wasmjump) by which the pass refuses its own output: a
// second run would take the regions' heads for Go's code.
//
// # What the pass assumes of Go's code generation
//
// Go documents none of this; it is what cmd/internal/obj/wasm (wasmobj.go)
// emits, and what the pass was checked against for the releases in
// validatedGo. A module built by another release is refused (the release
// is read from the module's producers section) until the pass is checked
// again: TestOracle runs the engine's and the JSON parser's own tests,
// built for wasip1, through the pass under wazero.
//
//   - A function that jumps has an entry loop whose body opens one block
//     per resume point and then dispatches: local.get 0, br_table. Local 0
//     is the function's first parameter, PC_B: where in the function to
//     start (0 on a call). The table maps each PC_B value to a block.
//   - A jump within the function is exactly i32.const PC_B, local.set 0,
//     br to the entry loop, and nothing else branches to that loop. Any
//     other branch to it is an error; so is a branch straight to a
//     dispatch block, which only the pass's output has.
//   - A call that may unwind the WebAssembly stack (to switch goroutines)
//     stores its return address on the Go stack first, PC_F<<16 | PC_B
//     as i64.const then i64.store, and ends its segment: call (or
//     call_indirect), br_if to the unwind exit, end of a dispatch block.
//     The stored PC_B must select the segment that follows. A call that
//     ends a segment without such a store is an error ("unrecognised
//     resume pattern"): the pass would not know the value that resumes it.
//   - The runtime re-enters a function with a stored return address's
//     PC_B (a goroutine switch, stack growth), with 0, or, when a panic is
//     recovered, with the PC_B of the function's deferreturn call: one less
//     than that call's return address. The pass counts every stored PC_B
//     and the one before it as a value that may enter the function.
//
// A value the dispatch sends into a region past its start that is none of
// those (a resume point the pass did not see) reaches an unreachable
// instruction added beside the dispatch: it traps rather than run the
// region from its start.
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
		fmt.Printf("wasmjump: %d functions, %d jumps: %d forward and %d loops made direct, %d left to the dispatch; %d data segments joined\n",
			st.functions, st.jumps, st.forward, st.loops, st.jumps-st.forward-st.loops, st.joined)
	}
}
