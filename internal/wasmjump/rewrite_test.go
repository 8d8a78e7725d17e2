package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/seclabel/seclabel/host"
	"github.com/tetratelabs/wazero"
)

// module wraps one function body (locals included) of type
// (i32 pc, i32 n) -> i32, exported as "f", with one page of memory.
func module(body []byte) []byte {
	m := []byte("\x00asm\x01\x00\x00\x00")
	m = appendSection(m, 1, []byte{1, 0x60, 2, 0x7f, 0x7f, 1, 0x7f}) // type (i32 i32) -> i32
	m = appendSection(m, 3, []byte{1, 0})                            // one function of type 0
	m = appendSection(m, 5, []byte{1, 0, 1})                         // memory, one page
	m = appendSection(m, 7, []byte{1, 1, 'f', 0, 0})                 // export "f"
	code := appendULEB([]byte{1}, uint64(len(body)))
	return appendSection(m, sectionCode, append(code, body...))
}

// asm assembles instructions given as opcodes and LEB128 immediates.
type asm []byte

func (a asm) op(ops ...byte) asm      { return append(a, ops...) }
func (a asm) u(op byte, v uint64) asm { return appendULEB(append(a, op), v) }
func (a asm) i32(v byte) asm {
	if v >= 0x40 { // two bytes of signed LEB128
		return append(a, opI32Const, v|0x80, 0)
	}
	return append(a, opI32Const, v)
}

// jump sets the dispatch local to k and branches to the entry loop at depth.
func (a asm) jump(k byte, depth uint64) asm { return a.i32(k).u(opLocalSet, 0).u(opBr, depth) }

// goShaped is a function laid out as Go lays out functions for
// WebAssembly: an entry loop that dispatches on local 0 (its first
// parameter, 0 on a call) with a br_table, four segments, and jumps that set
// local 0 and branch to the loop. Segment 0 stores a return address naming
// segment 3, as Go does before a call, which makes segment 3 a resume point
// (a call with local 0 = 3 starts there, as Go's resumption would):
//
//	segment 0: acc, i = 0, 0; store 3
//	           if n < 0 { n = -n; jump to 2 }     (forward, into the region)
//	           local 0 = 3, and fall into 1       (a value left from before)
//	segment 1: if i >= n { jump to 2 }            (forward)
//	           acc += i*i; i++; jump to 1         (back to its own start)
//	segment 2: if n > 100 { n = 100; jump to 1 }  (back)
//	           jump to 3                          (forward)
//	segment 3: if n > 60 { n = 60; acc++; jump to 1 }  (back)
//	           return acc
//
// The rewrite makes segments 1 to 3 one region, whose loop's head checks
// for the values 2 (the jump from segment 0, compared) and 3 (the resume
// point, in a table); the fall into segment 1 must not be taken for a
// resumption at 3.
func goShaped() []byte { return goShapedWith(4, 0, 1, 2, 3, 0) }

// goShapedWith is goShaped with another dispatch table: its length less
// one, the blocks per value, the default.
func goShapedWith(table ...byte) []byte {
	const (
		n, acc, i = 1, 2, 3
		i32       = 0x7f
	)
	var a asm
	a = append(a, 1, 2, i32) // locals: two i32 (acc, i)
	a = a.op(opLoop, blockTypeEmpty, opBlock, blockTypeEmpty, opBlock, blockTypeEmpty, opBlock, blockTypeEmpty, opBlock, blockTypeEmpty)
	a = a.u(opLocalGet, 0).op(opBrTable).op(table...)
	a = a.op(opEnd) // block 0
	a = a.i32(0).u(opLocalSet, acc).i32(0).u(opLocalSet, i)
	a = a.i32(0).u(opI64Const, 3).op(opI64Store, 3, 0) // a return address: segment 3
	a = a.u(opLocalGet, n).i32(0).op(0x48)             // i32.lt_s
	a = a.op(opIf, blockTypeEmpty).i32(0).u(opLocalGet, n).op(0x6b).u(opLocalSet, n).jump(2, 4).op(opEnd)
	a = a.i32(3).u(opLocalSet, 0)
	a = a.op(opEnd)                                  // block 1
	a = a.u(opLocalGet, i).u(opLocalGet, n).op(0x4e) // i32.ge_s
	a = a.op(opIf, blockTypeEmpty).jump(2, 3).op(opEnd)
	a = a.u(opLocalGet, acc).u(opLocalGet, i).u(opLocalGet, i).op(0x6c, 0x6a).u(opLocalSet, acc) // mul, add
	a = a.u(opLocalGet, i).i32(1).op(0x6a).u(opLocalSet, i)
	a = a.jump(1, 2)
	a = a.op(opEnd)                          // block 2
	a = a.u(opLocalGet, n).i32(100).op(0x4a) // i32.gt_s
	a = a.op(opIf, blockTypeEmpty).i32(100).u(opLocalSet, n).jump(1, 2).op(opEnd)
	a = a.jump(3, 1)
	a = a.op(opEnd) // block 3
	a = a.u(opLocalGet, n).i32(60).op(0x4a)
	a = a.op(opIf, blockTypeEmpty).i32(60).u(opLocalSet, n)
	a = a.u(opLocalGet, acc).i32(1).op(0x6a).u(opLocalSet, acc).jump(1, 1).op(opEnd)
	a = a.u(opLocalGet, acc).op(0x0f) // return
	a = a.op(opEnd)                   // the loop
	a = a.op(opUnreachable, opEnd)
	return module(a)
}

// goShapedWant is what goShaped computes when called from its start.
func goShapedWant(n int32) int32 {
	var acc, i int32
	seg := 1
	if n < 0 {
		n, seg = -n, 2
	}
	for {
		switch seg {
		case 1:
			for ; i < n; i++ {
				acc += i * i
			}
			seg = 2
		case 2:
			if seg = 3; n > 100 {
				n, seg = 100, 1
			}
		case 3:
			if n <= 60 {
				return acc
			}
			n, seg = 60, 1
			acc++
		}
	}
}

// nested is Go's shape of two nested loops, the inner falling into its
// start from the outer, and segment 3 a resume point:
//
//	segment 0: acc, j = 0, 0; store 3; jump to 1  (forward)
//	segment 1: if j >= n { jump to 4 }            (forward)
//	           i = 0, and fall into 2
//	segment 2: if i >= j { jump to 3 }            (forward)
//	           acc += i*j + 1; i++; jump to 2     (back: the inner region)
//	segment 3: j++; jump to 1                     (back: the outer region)
//	segment 4: return acc
func nested() []byte {
	const (
		n, acc, i, j = 1, 2, 3, 4
		i32          = 0x7f
	)
	var a asm
	a = append(a, 1, 3, i32) // locals: three i32 (acc, i, j)
	a = a.op(opLoop, blockTypeEmpty)
	for range 5 {
		a = a.op(opBlock, blockTypeEmpty)
	}
	a = a.u(opLocalGet, 0).op(opBrTable, 5, 0, 1, 2, 3, 4, 0)
	a = a.op(opEnd) // block 0
	a = a.i32(0).u(opLocalSet, acc).i32(0).u(opLocalSet, j)
	a = a.i32(0).u(opI64Const, 3).op(opI64Store, 3, 0) // a return address: segment 3
	a = a.jump(1, 4)
	a = a.op(opEnd)                                  // block 1
	a = a.u(opLocalGet, j).u(opLocalGet, n).op(0x4e) // i32.ge_s
	a = a.op(opIf, blockTypeEmpty).jump(4, 4).op(opEnd)
	a = a.i32(0).u(opLocalSet, i)
	a = a.op(opEnd)                                  // block 2
	a = a.u(opLocalGet, i).u(opLocalGet, j).op(0x4e) // i32.ge_s
	a = a.op(opIf, blockTypeEmpty).jump(3, 3).op(opEnd)
	a = a.u(opLocalGet, acc).u(opLocalGet, i).u(opLocalGet, j).op(0x6c, 0x6a).i32(1).op(0x6a).u(opLocalSet, acc)
	a = a.u(opLocalGet, i).i32(1).op(0x6a).u(opLocalSet, i)
	a = a.jump(2, 2)
	a = a.op(opEnd) // block 3
	a = a.u(opLocalGet, j).i32(1).op(0x6a).u(opLocalSet, j)
	a = a.jump(1, 1)
	a = a.op(opEnd) // block 4
	a = a.u(opLocalGet, acc).op(0x0f)
	a = a.op(opEnd) // the loop
	a = a.op(opUnreachable, opEnd)
	return module(a)
}

func nestedWant(n int32) int32 {
	var acc int32
	for j := int32(0); j < n; j++ {
		for i := int32(0); i < j; i++ {
			acc += i*j + 1
		}
	}
	return acc
}

func TestRewriteNestedLoops(t *testing.T) {
	orig := nested()
	out, st, err := rewrite(orig)
	if err != nil {
		t.Fatal(err)
	}
	if st.jumps != 5 || st.forward != 3 || st.loops != 2 {
		t.Fatalf("stats %+v, want 5 jumps, 3 forward, 2 loops", st)
	}
	if n := bytes.Count(out, []byte{opLoop, blockTypeEmpty}); n != 3 {
		t.Errorf("%d loops in the rewritten function, want 3 (the entry loop and two regions)", n)
	}
	sameResults(t, orig, out, nestedWant, -1, 0, 1, 2, 3, 10, 40)
}

// sameResults calls the original and the rewritten function with each n,
// from the start (where want says the result) and resumed at segment 3
// (through a region's head, where the original says it).
func sameResults(t *testing.T, orig, out []byte, want func(int32) int32, ns ...int32) {
	t.Helper()
	for _, n := range ns {
		if got := call(t, orig, 0, n); got != want(n) {
			t.Fatalf("the test's own module gives %d for %d, want %d", got, n, want(n))
		}
		if got := call(t, out, 0, n); got != want(n) {
			t.Errorf("rewritten: f(%d) = %d, want %d", n, got, want(n))
		}
		if got, want := call(t, out, 3, n), call(t, orig, 3, n); got != want {
			t.Errorf("rewritten, resumed at segment 3: f(%d) = %d, want %d", n, got, want)
		}
	}
}

func call(t *testing.T, wasm []byte, pc, n int32) int32 {
	t.Helper()
	ctx := context.Background()
	rt := wazero.NewRuntime(ctx)
	defer rt.Close(ctx)
	mod, err := rt.Instantiate(ctx, wasm)
	if err != nil {
		t.Fatal(err)
	}
	res, err := mod.ExportedFunction("f").Call(ctx, uint64(uint32(pc)), uint64(uint32(n)))
	if err != nil {
		t.Fatal(err)
	}
	return int32(uint32(res[0]))
}

func TestRewriteKeepsBehaviour(t *testing.T) {
	orig := goShaped()
	out, st, err := rewrite(orig)
	if err != nil {
		t.Fatal(err)
	}
	if st.functions != 1 || st.jumps != 6 || st.forward != 3 || st.loops != 3 {
		t.Fatalf("stats %+v, want 1 function, 6 jumps, 3 forward, 3 loops", st)
	}
	// The jump's value is compared, the resume point's looked up in a table.
	if !bytes.Contains(out, []byte{opLocalGet, 0, opI32Const, 2, opI32Eq, opBrIf}) || !bytes.Contains(out, []byte{opLocalGet, 0, opI32Const, 3, opI32Sub, opBrTable}) {
		t.Error("the region's head does not check for the values 2 and 3")
	}
	if bytes.Equal(out, orig) {
		t.Fatal("nothing was rewritten")
	}
	sameResults(t, orig, out, goShapedWant, -150, -70, -3, 0, 1, 5, 59, 60, 61, 99, 100, 101, 150)
}

// TestRefusesItsOutput: the pass refuses what it wrote (a second run once
// changed the module again, and broke it), by its marker and, with the
// marker stripped, by the branches it made direct.
func TestRefusesItsOutput(t *testing.T) {
	out, _, err := rewrite(goShaped())
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := rewrite(out); !errors.Is(err, errRewritten) {
		t.Fatalf("rewriting the output again: %v, want %v", err, errRewritten)
	}
	marker := appendCustom(nil, markerSection, []byte(markerVersion))
	if !bytes.HasSuffix(out, marker) {
		t.Fatal("the output does not end with the marker section")
	}
	if _, _, err := rewrite(out[:len(out)-len(marker)]); !errors.Is(err, errRewritten) {
		t.Fatalf("rewriting the output without its marker: %v, want %v", err, errRewritten)
	}
	if _, _, err := rewrite(host.Module()); !errors.Is(err, errRewritten) {
		t.Fatalf("host/seclabel.wasm, which make wasm rewrote: %v, want %v", err, errRewritten)
	}
}

// TestUnknownEntryTraps: a value the dispatch sends to a segment that moved
// into a region, but that no jump sets and no return address names, traps
// in the rewritten function rather than run the region's start.
func TestUnknownEntryTraps(t *testing.T) {
	// Value 4 selects segment 3 too; the module never stores it.
	orig := goShapedWith(5, 0, 1, 2, 3, 3, 0)
	out, _, err := rewrite(orig)
	if err != nil {
		t.Fatal(err)
	}
	sameResults(t, orig, out, goShapedWant, -70, 5, 61, 150)
	ctx := context.Background()
	rt := wazero.NewRuntime(ctx)
	defer rt.Close(ctx)
	mod, err := rt.Instantiate(ctx, out)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := mod.ExportedFunction("f").Call(ctx, 4, 61); err == nil || !strings.Contains(err.Error(), "unreachable") {
		t.Fatalf("entered with the unknown value 4: %v, want a trap", err)
	}
	if call(t, orig, 4, 61) != call(t, orig, 3, 61) {
		t.Fatal("the test's own module: 4 does not enter where 3 does")
	}
}

// callResumes is a function whose segment 1 is a call's resume point: the
// call, then br_if out of the function (Go's unwind exit), then the end of
// dispatch block 1. store is the code before the call.
func callResumes(store ...byte) []byte {
	var a asm
	a = append(a, 0) // no locals
	a = a.op(opLoop, blockTypeEmpty, opBlock, blockTypeEmpty, opBlock, blockTypeEmpty)
	a = a.u(opLocalGet, 0).op(opBrTable, 2, 0, 1, 1)
	a = a.op(opEnd) // block 0
	a = a.op(store...)
	a = a.i32(0).u(opLocalGet, 1).u(opCall, 0).u(opBrIf, 2)
	a = a.op(opEnd) // block 1: the resume point
	a = a.i32(7).op(0x0f)
	a = a.op(opEnd, opUnreachable, opEnd)
	return module(a)
}

func TestResumePatterns(t *testing.T) {
	storeAddr := func(pcB byte) []byte { return []byte{opI32Const, 0, opI64Const, pcB, opI64Store, 3, 0} }
	if _, _, err := rewrite(callResumes(storeAddr(1)...)); err != nil {
		t.Errorf("Go's pattern, return address 1: %v", err)
	}
	for name, code := range map[string][]byte{
		"no return address":    nil,
		"another resume point": storeAddr(0),
	} {
		_, _, err := rewrite(callResumes(code...))
		if err == nil || !strings.Contains(err.Error(), "resume") {
			t.Errorf("%s: %v, want an error about the resume point", name, err)
		}
	}
}

// TestGoVersion: the Go a module was built with (its producers section)
// must be one the pass was validated against.
func TestGoVersion(t *testing.T) {
	producers := func(version string) []byte {
		var p []byte
		p = appendULEB(p, 1)
		p = append(appendULEB(p, 8), "language"...)
		p = appendULEB(p, 1)
		p = append(appendULEB(p, 2), "Go"...)
		return append(appendULEB(p, uint64(len(version))), version...)
	}
	m := goShaped()
	if _, _, err := rewrite(appendCustom(slices.Clone(m), "producers", producers(validatedGo[0]))); err != nil {
		t.Errorf("built by %s: %v", validatedGo[0], err)
	}
	_, _, err := rewrite(appendCustom(slices.Clone(m), "producers", producers("go1.27.0")))
	if err == nil || !strings.Contains(err.Error(), "go1.27.0") || !strings.Contains(err.Error(), validatedGo[0]) {
		t.Fatalf("built by go1.27.0: %v, want an error naming both versions", err)
	}
	t.Log(err)
}

func TestRejectsMalformedModules(t *testing.T) {
	good := goShaped()
	body := func(b ...byte) []byte { return module(append([]byte{0}, b...)) }
	for name, m := range map[string][]byte{
		"empty":              nil,
		"not wasm":           []byte("{\"resourceType\":\"Patient\"}"),
		"version 2":          append([]byte("\x00asm\x02\x00\x00\x00"), good[8:]...),
		"truncated":          good[:len(good)-3],
		"section past end":   append(append([]byte(nil), good[:8]...), 1, 0x7f),
		"no code":            good[:8],
		"unknown opcode":     body(0xfe, opEnd),
		"no final end":       body(0x01),
		"unbalanced":         body(opBlock, blockTypeEmpty, opEnd),
		"branch past body":   body(opBr, 1, opEnd),
		"code after the end": body(opEnd, 0x01, opEnd),
		"long LEB128":        body(opBr, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01, opEnd),
		"br_table too large": body(opBrTable, 0xff, 0xff, 0x03, opEnd),
	} {
		if _, _, err := rewrite(m); err == nil {
			t.Errorf("%s: accepted", name)
		} else if strings.Contains(err.Error(), "runtime error") {
			t.Errorf("%s: %v", name, err)
		}
	}
}

// generated is a function of Go's shape that the bytes of data lay out:
// up to 12 segments, each mixing acc, storing return addresses that make
// later segments resume points, and jumping (on a bit of acc, or always)
// to any segment, forward or back. A fuel counter taken from n ends every
// run. It returns the module and the values it may be entered with: 0 and
// each resume point (with the value one less, where recovery resumes).
func generated(data []byte) ([]byte, []int32) {
	const (
		n, acc, fuel = 1, 2, 3
		i32          = 0x7f
	)
	next := func() byte {
		if len(data) == 0 {
			return 0
		}
		b := data[0]
		data = data[1:]
		return b
	}
	m := 2 + int(next()%11)
	var a asm
	a = append(a, 1, 2, i32)                                      // locals: acc, fuel
	a = a.u(opLocalGet, n).i32(0x3f).op(0x71).u(opLocalSet, fuel) // fuel = n & 63
	a = a.op(opLoop, blockTypeEmpty)
	for range m {
		a = a.op(opBlock, blockTypeEmpty)
	}
	a = a.u(opLocalGet, 0)
	a = appendULEB(append(a, opBrTable), uint64(m))
	for k := range m {
		a = appendULEB(a, uint64(k))
	}
	a = appendULEB(a, uint64(m-1)) // the default: the last segment, as Go's
	entries := []int32{0}
	for k := range m {
		a = a.op(opEnd) // block k: segment k starts
		// if fuel == 0 { return acc }; fuel--
		a = a.u(opLocalGet, fuel).op(0x45, opIf, blockTypeEmpty).u(opLocalGet, acc).op(0x0f, opEnd)
		a = a.u(opLocalGet, fuel).i32(1).op(0x6b).u(opLocalSet, fuel)
		// acc = acc*31 + k + n
		a = a.u(opLocalGet, acc).i32(31).op(0x6c).i32(byte(k)).op(0x6a).u(opLocalGet, n).op(0x6a).u(opLocalSet, acc)
		depth := uint64(m - 1 - k) // of the entry loop, from segment k
		for ops := next() % 4; ops > 0; ops-- {
			b := next()
			switch t := byte(int(b>>2) % m); b % 4 {
			case 0: // a return address naming a later segment
				if k+1 < m {
					r := byte(k + 1 + int(b>>2)%(m-k-1))
					a = a.i32(0).u(opI64Const, uint64(r)).op(opI64Store, 3, 0)
					entries = append(entries, int32(r), int32(r)-1)
				}
			case 1, 2: // if acc has bit b { jump to t }
				a = a.u(opLocalGet, acc).i32(1<<((b>>5)%6)).op(0x71, opIf, blockTypeEmpty).jump(t, depth+1).op(opEnd)
			case 3: // acc ^= n << b
				a = a.u(opLocalGet, acc).u(opLocalGet, n).i32(b&31).op(0x74, 0x73).u(opLocalSet, acc)
			}
		}
		if b := next(); b%3 == 0 && k+1 < m { // always jump on
			a = a.jump(byte(int(b>>2)%m), depth)
		}
	}
	a = a.u(opLocalGet, acc).op(0x0f)
	a = a.op(opEnd) // the loop
	a = a.op(opUnreachable, opEnd)
	return module(a), entries
}

// FuzzRewrite: any input gives a module or an error, never a panic; a
// module wazero accepted before is accepted after; and a function that the
// input lays out (generated) gives, rewritten, the same results or traps as
// the original from its start and from each of its resume points.
func FuzzRewrite(f *testing.F) {
	f.Add(goShaped())
	f.Add(nested())
	f.Add([]byte{5, 3, 0x06, 0x05, 0x11, 0, 2, 0x21, 0x0a, 0x00, 1, 0x06, 3, 0x44, 0x85, 0x0c, 0})
	f.Add([]byte{10, 3, 0x11, 0x31, 0x0a, 0, 3, 0x02, 0x2d, 0x45, 3, 2, 0x15, 0xfe, 0x00, 2, 0x19, 0x26, 0, 1, 0x55, 0x12, 3, 0x65, 0x39, 0x05, 0, 0x03})
	f.Add(bytes.Repeat([]byte{11, 3, 0x21, 0x4c, 0x00}, 8))
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) >= 4 && string(data[:4]) == "\x00asm" {
			out, _, err := rewrite(data)
			if err != nil {
				return
			}
			ctx := context.Background()
			rt := wazero.NewRuntime(ctx)
			defer rt.Close(ctx)
			if _, err := rt.CompileModule(ctx, data); err != nil {
				return
			}
			if _, err := rt.CompileModule(ctx, out); err != nil {
				t.Fatalf("the input compiles, the rewritten module does not: %v", err)
			}
			return
		}
		if err := sameAsGenerated(data); err != nil {
			t.Fatal(err)
		}
	})
}

// sameAsGenerated rewrites the function data lays out and compares it with
// the original, entered at 0 and at each resume point, for a few n.
func sameAsGenerated(data []byte) error {
	orig, entries := generated(data)
	out, _, err := rewrite(orig)
	if err != nil {
		return fmt.Errorf("a Go-shaped function: %v", err)
	}
	ctx := context.Background()
	rt := wazero.NewRuntime(ctx)
	defer rt.Close(ctx)
	mo, err := rt.InstantiateWithConfig(ctx, orig, wazero.NewModuleConfig().WithName("orig"))
	if err != nil {
		return fmt.Errorf("the generated module: %v", err)
	}
	mr, err := rt.InstantiateWithConfig(ctx, out, wazero.NewModuleConfig().WithName("out"))
	if err != nil {
		return fmt.Errorf("the rewritten module: %v", err)
	}
	for _, pc := range entries {
		for _, n := range []int32{0, 1, 7, 40, 63, -1} {
			want, errWant := mo.ExportedFunction("f").Call(ctx, uint64(uint32(pc)), uint64(uint32(n)))
			got, errGot := mr.ExportedFunction("f").Call(ctx, uint64(uint32(pc)), uint64(uint32(n)))
			if (errWant != nil) != (errGot != nil) || errWant == nil && got[0] != want[0] {
				return fmt.Errorf("entered at %d with n = %d: rewritten %v (%v), original %v (%v)", pc, n, got, errGot, want, errWant)
			}
		}
	}
	return nil
}

// TestFuzzRewriteCatchesMiscompile: the comparison FuzzRewrite makes fails
// on a pass that sends the entries of regions' heads to their starts.
func TestFuzzRewriteCatchesMiscompile(t *testing.T) {
	data := []byte{10, 3, 0x11, 0x31, 0x0a, 0, 3, 0x02, 0x2d, 0x45, 3, 2, 0x15, 0xfe, 0x00, 2, 0x19, 0x26, 0, 1, 0x55, 0x12, 3, 0x65, 0x39, 0x05, 0, 0x03}
	if err := sameAsGenerated(data); err != nil {
		t.Fatal(err)
	}
	misrouteEntries = true
	defer func() { misrouteEntries = false }()
	err := sameAsGenerated(data)
	if err == nil {
		t.Fatal("a miscompiled function gives the same results")
	}
	t.Log(err)
}
