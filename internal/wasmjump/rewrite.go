package main

import (
	"errors"
	"fmt"
)

type stats struct {
	functions, jumps, forward, loops int
}

// rewrite returns the module with its functions' jumps rewritten.
func rewrite(module []byte) ([]byte, stats, error) {
	var st stats
	if len(module) < 8 || string(module[:4]) != "\x00asm" || string(module[4:8]) != "\x01\x00\x00\x00" {
		return nil, st, errors.New("not a WebAssembly module (version 1)")
	}
	out := append([]byte(nil), module[:8]...)
	r := &reader{b: module, pos: 8}
	sawCode := false
	for r.pos < len(module) && r.err == nil {
		id := r.byte()
		size := r.uleb()
		start := r.pos
		if size > uint64(len(module)-start) {
			return nil, st, fmt.Errorf("section %d: size past the end of the module", id)
		}
		content := module[start : start+int(size)]
		r.pos = start + int(size)
		if id == sectionCode {
			if sawCode {
				return nil, st, errors.New("two code sections")
			}
			sawCode = true
			var err error
			if content, err = rewriteCode(content, &st); err != nil {
				return nil, st, err
			}
		}
		out = append(out, id)
		out = appendULEB(out, uint64(len(content)))
		out = append(out, content...)
	}
	if r.err != nil {
		return nil, st, r.err
	}
	if !sawCode {
		return nil, st, errors.New("no code section")
	}
	return out, st, nil
}

// rewriteCode rewrites every function body of a code section.
func rewriteCode(sec []byte, st *stats) ([]byte, error) {
	r := &reader{b: sec}
	n := r.uleb()
	out := appendULEB(nil, n)
	for i := uint64(0); i < n && r.err == nil; i++ {
		size := r.uleb()
		start := r.pos
		if size > uint64(len(sec)-start) {
			return nil, fmt.Errorf("function %d: size past the end of the code section", i)
		}
		fn := sec[start : start+int(size)]
		r.pos = start + int(size)
		// The locals: a vector of (count, type).
		lr := &reader{b: fn}
		for k := lr.uleb(); k > 0 && lr.err == nil; k-- {
			lr.uleb()
			lr.byte()
		}
		if lr.err != nil {
			return nil, fmt.Errorf("function %d: locals: %w", i, lr.err)
		}
		expr, err := rewriteBody(fn[lr.pos:], st)
		if err != nil {
			return nil, fmt.Errorf("function %d: %w", i, err)
		}
		st.functions++
		out = appendULEB(out, uint64(lr.pos+len(expr)))
		out = append(out, fn[:lr.pos]...)
		out = append(out, expr...)
	}
	if r.err != nil {
		return nil, r.err
	}
	if r.pos != len(sec) {
		return nil, errors.New("code section: bytes after the last function")
	}
	return out, nil
}

// dispatch describes a function's entry loop: the loop at index loop, the
// blocks its br_table branches out of (blocks[0] the innermost), and for
// each value of the local, the block it selects (-1: not one of them).
type dispatch struct {
	loop   int   // instruction index of the loop
	blocks []int // instruction indexes of the blocks' openings, innermost first
	target []int // per local value (last: the default), an index into blocks or -1
}

// findDispatch recognises Go's entry loop: a loop whose body opens blocks
// and then dispatches with local.get 0 and br_table, nothing else.
func findDispatch(ins []instr) *dispatch {
	for l, in := range ins {
		if in.op != opLoop {
			continue
		}
		t := l + 1
		for t < len(ins) && ins[t].op == opBlock {
			t++
		}
		m := t - (l + 1) // the number of blocks
		if m == 0 || t+1 >= len(ins) || ins[t].op != opLocalGet || ins[t].imm != 0 || ins[t+1].op != opBrTable {
			return nil
		}
		d := &dispatch{loop: l}
		for k := t - 1; k > l; k-- {
			d.blocks = append(d.blocks, k)
		}
		for _, label := range ins[t+1].table {
			if int(label) < m {
				d.target = append(d.target, int(label))
			} else {
				d.target = append(d.target, -1)
			}
		}
		return d
	}
	return nil
}

// ctl is one entry of the control stack while a body is rewritten: the
// instruction index that opened it, or a loop added for segment seg.
type ctl struct {
	open  int
	added bool
}

// rewriteBody rewrites one function's expression.
func rewriteBody(body []byte, st *stats) ([]byte, error) {
	ins, err := decode(body)
	if err != nil {
		return nil, err
	}
	d := findDispatch(ins)
	if d == nil {
		return body, nil
	}
	m := len(d.blocks)
	blockOf := make(map[int]int, m) // opening instruction index -> index in d.blocks
	for k, open := range d.blocks {
		blockOf[open] = k
	}

	// jumpTarget returns, for a jump to the entry loop at index x (br
	// preceded by i32.const K and local.set 0), the dispatch block K
	// selects, or -1.
	jumpTarget := func(x int) int {
		if x < 2 || ins[x-1].op != opLocalSet || ins[x-1].imm != 0 || ins[x-2].op != opI32Const {
			return -1
		}
		k := ins[x-2].imm
		if k < 0 || k >= int64(len(d.target)-1) {
			return d.target[len(d.target)-1]
		}
		return d.target[k]
	}

	// Pass 1: which segments hold a jump back to their own start. Segment
	// k is the code after block k's end, up to the end of block k+1 (of
	// the loop, for the outermost block).
	type jump struct {
		kind   byte // 'f' forward, 'l' back to its own segment
		target int  // index into d.blocks
	}
	jumps := map[int]jump{}
	segLoop := make([]bool, m)
	{
		var stack []int // opening instruction indexes
		seg := -1       // the segment the walk is in; -1 before the first
		for x, in := range ins {
			switch in.op {
			case opBlock, opLoop, opIf:
				stack = append(stack, x)
			case opEnd:
				if len(stack) == 0 {
					break // the body's own end
				}
				open := stack[len(stack)-1]
				stack = stack[:len(stack)-1]
				if k, ok := blockOf[open]; ok {
					seg = k
				}
			case opBr:
				if int(in.label) >= len(stack) || stack[len(stack)-1-int(in.label)] != d.loop {
					break
				}
				st.jumps++
				k := jumpTarget(x)
				if k < 0 {
					break
				}
				if onStack(stack, d.blocks[k]) {
					jumps[x] = jump{'f', k}
				} else if k == seg {
					jumps[x] = jump{'l', k}
					segLoop[k] = true
				}
			}
		}
	}

	// Pass 2: emit, adding a loop around each segment that needs one and
	// renumbering every label against the new control stack.
	out := make([]byte, 0, len(body)+len(body)/8)
	var stack []ctl
	// depthOf finds an entry by its opening instruction (or added loop).
	depthOf := func(open int, added bool) int {
		for i := len(stack) - 1; i >= 0; i-- {
			if stack[i].open == open && stack[i].added == added {
				return len(stack) - 1 - i
			}
		}
		return -1
	}
	// relabel maps a label of the original body to the new one.
	relabel := func(label uint32) (uint32, error) {
		skip := int(label)
		for i := len(stack) - 1; i >= 0; i-- {
			if stack[i].added {
				continue
			}
			if skip == 0 {
				return uint32(len(stack) - 1 - i), nil
			}
			skip--
		}
		if skip == 0 {
			return uint32(len(stack)), nil // the function's own label
		}
		return 0, errors.New("branch past the function")
	}
	for x, in := range ins {
		switch in.op {
		case opBlock, opLoop, opIf:
			stack = append(stack, ctl{open: x})
			out = append(out, body[in.start:in.end]...)
		case opEnd:
			if len(stack) > 0 && stack[len(stack)-1].added {
				// An added loop sits directly inside the block (or loop)
				// that ends its segment: this end is that block's, and
				// the added loop closes first.
				out = append(out, opEnd)
				stack = stack[:len(stack)-1]
			}
			if len(stack) == 0 {
				out = append(out, body[in.start:in.end]...)
				break
			}
			top := stack[len(stack)-1]
			stack = stack[:len(stack)-1]
			out = append(out, body[in.start:in.end]...)
			if k, ok := blockOf[top.open]; ok && segLoop[k] {
				stack = append(stack, ctl{open: k, added: true})
				out = append(out, opLoop, blockTypeEmpty)
			}
		case opBr, opBrIf:
			var label uint32
			j, rewritten := jumps[x]
			switch {
			case rewritten && j.kind == 'f':
				label = uint32(depthOf(d.blocks[j.target], false))
				st.forward++
			case rewritten:
				dep := depthOf(j.target, true)
				if dep < 0 {
					return nil, errors.New("loop jump outside its segment")
				}
				label = uint32(dep)
				st.loops++
			default:
				var err error
				if label, err = relabel(in.label); err != nil {
					return nil, err
				}
			}
			out = appendULEB(append(out, in.op), uint64(label))
		case opBrTable:
			out = append(out, opBrTable)
			out = appendULEB(out, uint64(len(in.table)-1))
			for _, l := range in.table {
				nl, err := relabel(l)
				if err != nil {
					return nil, err
				}
				out = appendULEB(out, uint64(nl))
			}
		default:
			out = append(out, body[in.start:in.end]...)
		}
	}
	if len(stack) != 0 {
		return nil, errors.New("unbalanced blocks")
	}
	return out, nil
}

func onStack(stack []int, open int) bool {
	for _, s := range stack {
		if s == open {
			return true
		}
	}
	return false
}
