package main

import (
	"errors"
	"fmt"
	"runtime"
	"slices"
	"strings"
)

// validatedGo lists the Go releases whose WebAssembly code generation the
// pass was checked against: TestOracle runs the engine's own tests through
// it, and the package doc says what it relies on. Another release may lay
// functions out otherwise (cmd/internal/obj/wasm), so it is refused until
// checked.
var validatedGo = []string{"go1.26.8"}

// The custom section the pass adds to what it writes, so that it never
// rewrites its own output: a second pass would take the regions' heads for
// Go code and change the module again.
const (
	markerSection = "seclabel.wasmjump"
	markerVersion = "1"
)

var errRewritten = errors.New("the module was already rewritten by wasmjump: give it the module go build wrote")

// checkProvenance refuses a module the pass wrote, and one built by a Go
// release the pass was not validated against (the module's producers
// section names it; without one, the Go running the pass counts).
func checkProvenance(module []byte) error {
	goVersion, from := "", "the module's producers section"
	r := &reader{b: module, pos: 8}
	for r.pos < len(module) && r.err == nil {
		id := r.byte()
		size := r.uleb()
		if r.err != nil || size > uint64(len(module)-r.pos) {
			break // rewrite reports it
		}
		content := module[r.pos : r.pos+int(size)]
		r.pos += int(size)
		if id != 0 {
			continue
		}
		cr := &reader{b: content}
		name := cr.name()
		switch {
		case cr.err != nil:
		case name == markerSection:
			return errRewritten
		case name == "producers" && goVersion == "":
			goVersion = producersGo(cr)
		}
	}
	if goVersion == "" {
		goVersion, from = runtime.Version(), "the Go running the pass (the module names none)"
	}
	if !slices.Contains(validatedGo, goVersion) {
		return fmt.Errorf("built by %s (%s), but the pass was validated against %s only: "+
			"build with %s (GOTOOLCHAIN=%s make wasm), or check the pass against %s "+
			"(its package doc lists what it assumes of Go's code generation; go test ./internal/wasmjump runs the engine's tests through it) "+
			"and add it to validatedGo",
			goVersion, from, strings.Join(validatedGo, ", "), validatedGo[len(validatedGo)-1], validatedGo[len(validatedGo)-1], goVersion)
	}
	return nil
}

// producersGo returns the Go version a producers section names (the
// language Go, or the processed-by tool "Go cmd/compile"), or "".
func producersGo(r *reader) string {
	for fields := r.uleb(); fields > 0 && r.err == nil; fields-- {
		field := r.name()
		for n := r.uleb(); n > 0 && r.err == nil; n-- {
			name, version := r.name(), r.name()
			if r.err == nil && (field == "language" && name == "Go" || field == "processed-by" && name == "Go cmd/compile") {
				return version
			}
		}
	}
	return ""
}

// name reads a string: its length, then its bytes.
func (r *reader) name() string {
	n := r.uleb()
	if r.err != nil || n > uint64(len(r.b)-r.pos) {
		r.fail("string past the end")
		return ""
	}
	s := string(r.b[r.pos : r.pos+int(n)])
	r.pos += int(n)
	return s
}

// appendCustom appends a custom section.
func appendCustom(b []byte, name string, content []byte) []byte {
	payload := appendULEB(nil, uint64(len(name)))
	payload = append(append(payload, name...), content...)
	return appendSection(b, 0, payload)
}

// checkResume checks the code before the end of dispatch block k (k > 0):
// when it ends with a call that may unwind the stack (call, then br_if to
// the function's unwind exit), segment k is that call's resume point, and
// the call's return address, stored before it with i64.const and
// i64.store, must name a value the dispatch sends to segment k. Without
// it the pass would not know a value that enters the function there.
func checkResume(ins []instr, x, k int, selects func(int64) int) error {
	if k == 0 || x < 2 || ins[x-1].op != opBrIf || (ins[x-2].op != opCall && ins[x-2].op != opCallIndirect) {
		return nil
	}
	for y := x - 3; y >= 0 && y >= x-12; y-- {
		if ins[y].op == opI64Const && ins[y+1].op == opI64Store {
			if pc := ins[y].imm & 0xffff; selects(pc) != k {
				return fmt.Errorf("instruction %d: the return address stored before the call names PC_B %d, which the dispatch sends to segment %d, not to the call's resume point (segment %d)", y, pc, selects(pc), k)
			}
			return nil
		}
		if ins[y].op == opEnd || ins[y].op == opBlock || ins[y].op == opLoop || ins[y].op == opIf {
			break
		}
	}
	return fmt.Errorf("instruction %d: unrecognised resume pattern: a call resumes at segment %d, but no return address is stored before it (i64.const, i64.store)", x-2, k)
}
