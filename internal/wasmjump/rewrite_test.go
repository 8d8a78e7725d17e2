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
// (i32 pc, i32 n) -> i32, exported as "f".
func module(body []byte) []byte {
	section := func(id byte, content []byte) []byte {
		return append(appendULEB([]byte{id}, uint64(len(content))), content...)
	}
	m := []byte("\x00asm\x01\x00\x00\x00")
	m = append(m, section(1, []byte{1, 0x60, 2, 0x7f, 0x7f, 1, 0x7f})...) // type (i32 i32) -> i32
	m = append(m, section(3, []byte{1, 0})...)                            // one function of type 0
	m = append(m, section(7, []byte{1, 1, 'f', 0, 0})...)                 // export "f"
	code := appendULEB([]byte{1}, uint64(len(body)))
	return append(m, section(sectionCode, append(code, body...))...)
}

// asm assembles instructions given as opcodes and LEB128 immediates.
type asm []byte

func (a asm) op(ops ...byte) asm      { return append(a, ops...) }
func (a asm) u(op byte, v uint64) asm { return appendULEB(append(a, op), v) }
func (a asm) i32(v byte) asm          { return append(a, opI32Const, v) } // small non-negative constants
// jump sets the dispatch local to k and branches to the entry loop at depth.
func (a asm) jump(k byte, depth uint64) asm { return a.i32(k).u(opLocalSet, 0).u(opBr, depth) }

// goShaped is a function laid out as Go lays out functions for
// WebAssembly: an entry loop that dispatches on local 0 with a br_table,
// three segments, and jumps that set local 0 and branch to the loop:
//
//	segment 0: acc, i = 0, 0; jump to 1           (forward)
//	segment 1: if i >= n { jump to 2 }            (forward)
//	           acc += i*i; i++; jump to 1         (back to its own start)
//	segment 2: if n > 100 { n = 100; jump to 1 }  (back to another segment)
//	           return acc
func goShaped() []byte {
	const (
		n, acc, i = 1, 2, 3
		i32       = 0x7f
	)
	var a asm
	a = append(a, 1, 2, i32) // locals: two i32 (acc, i)
	a = a.op(opLoop, blockTypeEmpty, opBlock, blockTypeEmpty, opBlock, blockTypeEmpty, opBlock, blockTypeEmpty)
	a = a.u(opLocalGet, 0).op(opBrTable, 3, 0, 1, 2, 2)
	a = a.op(opEnd) // block 0
	a = a.i32(0).u(opLocalSet, acc).i32(0).u(opLocalSet, i)
	a = a.jump(1, 2)
	a = a.op(opEnd)                                  // block 1
	a = a.u(opLocalGet, i).u(opLocalGet, n).op(0x4e) // i32.ge_s
	a = a.op(opIf, blockTypeEmpty).jump(2, 2).op(opEnd)
	a = a.u(opLocalGet, acc).u(opLocalGet, i).u(opLocalGet, i).op(0x6c, 0x6a).u(opLocalSet, acc) // mul, add
	a = a.u(opLocalGet, i).i32(1).op(0x6a).u(opLocalSet, i)
	a = a.jump(1, 1)
	a = a.op(opEnd)                          // block 2
	a = a.u(opLocalGet, n).i32(100).op(0x4a) // i32.gt_s
	a = a.op(opIf, blockTypeEmpty).i32(100).u(opLocalSet, n).jump(1, 1).op(opEnd)
	a = a.u(opLocalGet, acc).op(0x0f) // return
	a = a.op(opEnd)                   // the loop
	a = a.op(opUnreachable, opEnd)
	return module(a)
}

// goShapedWant is what goShaped computes.
func goShapedWant(n int32) int32 {
	var acc, i int32
	for ; i < n; i++ {
		acc += i * i
	}
	if n > 100 {
		for n = 100; i < n; i++ {
			acc += i * i
		}
	}
	return acc
}

func call(t *testing.T, wasm []byte, n int32) int32 {
	t.Helper()
	ctx := context.Background()
	rt := wazero.NewRuntime(ctx)
	defer rt.Close(ctx)
	mod, err := rt.Instantiate(ctx, wasm)
	if err != nil {
		t.Fatal(err)
	}
	res, err := mod.ExportedFunction("f").Call(ctx, 0, uint64(uint32(n)))
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
	if st.functions != 1 || st.jumps != 4 || st.forward != 2 || st.loops != 1 {
		t.Fatalf("stats %+v, want 1 function, 4 jumps, 2 forward, 1 loop", st)
	}
	if bytes.Equal(out, orig) {
		t.Fatal("nothing was rewritten")
	}
	for _, n := range []int32{-3, 0, 1, 5, 99, 100, 101, 150} {
		want := goShapedWant(n)
		if got := call(t, orig, n); got != want {
			t.Fatalf("the test's own module gives %d for %d, want %d", got, n, want)
		}
		if got := call(t, out, n); got != want {
			t.Errorf("rewritten: f(%d) = %d, want %d", n, got, want)
		}
	}
	// A rewritten module has nothing left to rewrite.
	again, st2, err := rewrite(out)
	if err != nil || !bytes.Equal(again, out) || st2.forward+st2.loops != 0 {
		t.Errorf("second rewrite changed the module (%+v, %v)", st2, err)
	}
}

// TestCommittedModule checks that the pass reads every instruction Go
// emits, and that host/seclabel.wasm has been through it: a second pass
// finds nothing to rewrite and leaves the bytes as they are.
func TestCommittedModule(t *testing.T) {
	m := host.Module()
	out, st, err := rewrite(m)
	if err != nil {
		t.Fatal(err)
	}
	if st.functions < 1000 || st.jumps == 0 {
		t.Fatalf("stats %+v: the module does not look Go-built", st)
	}
	if st.forward+st.loops != 0 || !bytes.Equal(out, m) {
		t.Fatalf("host/seclabel.wasm still has %d jumps to rewrite: run make wasm", st.forward+st.loops)
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
