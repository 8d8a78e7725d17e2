package main

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/seclabel/seclabel/host"
	"github.com/tetratelabs/wazero"
)

// module wraps one function body (locals included) of type
// (i32 pc, i32 n) -> i32, exported as "f", with one page of memory.
func module(body []byte) []byte {
	section := func(id byte, content []byte) []byte {
		return append(appendULEB([]byte{id}, uint64(len(content))), content...)
	}
	m := []byte("\x00asm\x01\x00\x00\x00")
	m = append(m, section(1, []byte{1, 0x60, 2, 0x7f, 0x7f, 1, 0x7f})...) // type (i32 i32) -> i32
	m = append(m, section(3, []byte{1, 0})...)                            // one function of type 0
	m = append(m, section(5, []byte{1, 0, 1})...)                         // memory, one page
	m = append(m, section(7, []byte{1, 1, 'f', 0, 0})...)                 // export "f"
	code := appendULEB([]byte{1}, uint64(len(body)))
	return append(m, section(sectionCode, append(code, body...))...)
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
func goShaped() []byte {
	const (
		n, acc, i = 1, 2, 3
		i32       = 0x7f
	)
	var a asm
	a = append(a, 1, 2, i32) // locals: two i32 (acc, i)
	a = a.op(opLoop, blockTypeEmpty, opBlock, blockTypeEmpty, opBlock, blockTypeEmpty, opBlock, blockTypeEmpty, opBlock, blockTypeEmpty)
	a = a.u(opLocalGet, 0).op(opBrTable, 4, 0, 1, 2, 3, 0)
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

// TestCommittedModule checks that the pass reads every instruction Go
// emits (make check compares host/seclabel.wasm with a fresh build made
// through it).
func TestCommittedModule(t *testing.T) {
	_, st, err := rewrite(host.Module())
	if err != nil {
		t.Fatal(err)
	}
	if st.functions < 1000 || st.jumps == 0 {
		t.Fatalf("stats %+v: the module does not look Go-built", st)
	}
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

// FuzzRewrite: any input gives a module or an error, never a panic, and a
// rewritten module that wazero accepted before is accepted after.
func FuzzRewrite(f *testing.F) {
	f.Add(goShaped())
	f.Fuzz(func(t *testing.T, m []byte) {
		out, _, err := rewrite(m)
		if err != nil {
			return
		}
		ctx := context.Background()
		rt := wazero.NewRuntime(ctx)
		defer rt.Close(ctx)
		if _, err := rt.CompileModule(ctx, m); err != nil {
			return
		}
		if _, err := rt.CompileModule(ctx, out); err != nil {
			t.Fatalf("the input compiles, the rewritten module does not: %v", err)
		}
	})
}
