package main

import (
	"errors"
	"fmt"
	"slices"
)

// A region's head checks the value of the jumps back to its start first;
// then, one by one, the values of other jumps that enter it (at most
// maxChain: a loop entered in its middle pays for them); last, in a
// br_table over their range (at most maxSpan values), the values only a
// resumption uses, which are rare. A turn of the loop costs one check.
const (
	maxChain = 8
	maxSpan  = 32
)

// misrouteEntries, set by a test, sends every entry a region's head looks
// for to the region's start: a miscompile the oracle must catch.
var misrouteEntries bool

// stats counts what a rewrite did: jumps to the entry loop, and how many of
// them became direct; data segments joined.
type stats struct {
	functions, jumps, forward, loops, joined int
}

// rewrite returns the module with its functions' jumps rewritten.
func rewrite(module []byte) ([]byte, stats, error) {
	var st stats
	if len(module) < 8 || string(module[:4]) != "\x00asm" || string(module[4:8]) != "\x01\x00\x00\x00" {
		return nil, st, errors.New("not a WebAssembly module (version 1)")
	}
	if err := checkProvenance(module); err != nil {
		return nil, st, err
	}
	out := append([]byte(nil), module[:8]...)
	r := &reader{b: module, pos: 8}
	sawCode, sawDataCount := false, false
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
		if id == sectionDataCount {
			sawDataCount = true // it must keep counting the segments: none is joined
		}
		if id == sectionData && !sawDataCount {
			var err error
			if content, st.joined, err = mergeData(content); err != nil {
				return nil, st, fmt.Errorf("data section: %w", err)
			}
		}
		out = appendSection(out, id, content)
	}
	if r.err != nil {
		return nil, st, r.err
	}
	if !sawCode {
		return nil, st, errors.New("no code section")
	}
	return appendCustom(out, markerSection, []byte(markerVersion)), st, nil
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
	table  int   // instruction index of the br_table
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
		d := &dispatch{loop: l, table: t + 1}
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
// instruction index that opened it, or (added) the loop added for the
// region that starts with segment open.
type ctl struct {
	open  int
	added bool
}

// A jump is a br to the entry loop after i32.const K and local.set 0: the
// segment it is in and the segment K selects.
type jump struct {
	from, to int
	value    int64 // the constant set in local 0
	forward  bool  // the target's block encloses the jump
}

// rewriteBody rewrites one function's expression.
//
// Segment k is the code after the end of dispatch block k, up to the end
// of block k+1 (of the entry loop, for the outermost block). A forward jump
// branches to its target's block. Jumps back to segment h, from segments up
// to e, make the region h..e a loop of its own: the blocks of segments h+1
// to e open inside it rather than around the dispatch, regions nest, and
// none overlaps another. Whatever may enter a region past segment h (a
// resume point after a call, a jump from outside it, a jump back to a later
// segment) arrives at its loop's head, where local 0 is checked against
// those values and leads on to the right block; the dispatch sends those
// values to the region's head too, and any other value that selects a
// moved segment to a trap. Code that falls into
// segment h sets local 0 to h's value first, so the head cannot mistake a
// value left from an earlier jump for an entry.
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
	blockOf := make(map[int]int, m) // opening instruction index -> segment
	for k, open := range d.blocks {
		blockOf[open] = k
	}
	selects := func(v int64) int {
		if v < 0 || v >= int64(len(d.target)-1) {
			return d.target[len(d.target)-1]
		}
		return d.target[v]
	}

	// Pass 1: the jumps, and the segments that are resume points (Go
	// stores the return address, function<<16 | resume point, with
	// i64.const and i64.store before each call; any such pair counts).
	jumps := map[int]jump{}
	var resumeValues []int64
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
					if err := checkResume(ins, x, k, selects); err != nil {
						return nil, err
					}
				}
			case opI64Const:
				if x+1 < len(ins) && ins[x+1].op == opI64Store {
					// The resume point, and the one before it: recovery
					// from a panic resumes at the call of deferreturn,
					// one less than that call's return address.
					resumeValues = append(resumeValues, in.imm&0xffff)
					if in.imm&0xffff > 0 {
						resumeValues = append(resumeValues, in.imm&0xffff-1)
					}
				}
			case opBr, opBrIf:
				if int(in.label) >= len(stack) {
					break
				}
				if _, ok := blockOf[stack[len(stack)-1-int(in.label)]]; ok {
					// Go branches to a dispatch block only from its
					// br_table: this function went through the pass.
					return nil, fmt.Errorf("instruction %d: %w (a branch straight to a dispatch block)", x, errRewritten)
				}
				if stack[len(stack)-1-int(in.label)] != d.loop {
					break
				}
				st.jumps++
				if in.op != opBr || x < 2 || ins[x-1].op != opLocalSet || ins[x-1].imm != 0 || ins[x-2].op != opI32Const || seg < 0 {
					return nil, fmt.Errorf("instruction %d: unrecognised jump to the dispatch loop (not i32.const, local.set 0, br)", x)
				}
				k := selects(ins[x-2].imm)
				if k < 0 {
					return nil, fmt.Errorf("instruction %d: jump with value %d, which the dispatch sends to no segment", x, ins[x-2].imm)
				}
				jumps[x] = jump{from: seg, to: k, value: ins[x-2].imm, forward: onStack(stack, d.blocks[k])}
			}
		}
	}

	// The regions: for each segment h jumped back to, from h up to the
	// furthest segment that jumps back to it and keeps the region's head
	// within its limits; the smallest first, each either holding or apart
	// from every region taken before it. A region's loop starts with a
	// check of the dispatch values that may enter it past its first
	// segment (resume points, and jumps from outside or backward to a later
	// segment), so that those still arrive where the dispatch would take
	// them.
	regionEnd := make([]int, m)   // per starting segment, its last segment, or -1
	entries := make([][]int64, m) // per region, the values its head looks for
	chained := make([]int, m)     // per region, how many of them it checks one by one
	for k := range regionEnd {
		regionEnd[k] = -1
	}
	{
		// enters lists the values that enter region h..e past segment h:
		// those of jumps, sorted, then those of resumptions only, sorted;
		// ok is false when a region cannot be made.
		enters := func(h, e int) (vs []int64, byJumps int, ok bool) {
			if t := d.target[len(d.target)-1]; t > h && t <= e {
				return nil, 0, false // the default entry leads inside
			}
			add := func(v int64) {
				if k := selects(v); k > h && k <= e && !slices.Contains(vs, v) {
					vs = append(vs, v)
				}
			}
			for _, j := range jumps {
				if !(j.forward && j.from >= h && j.from <= e) {
					add(j.value)
				}
			}
			// The values of jumps first, then those only a resumption
			// uses (rare: when the Go stack was unwound).
			slices.Sort(vs)
			byJumps = len(vs)
			for _, v := range resumeValues {
				add(v)
			}
			slices.Sort(vs[byJumps:])
			rest := vs[byJumps:]
			return vs, byJumps, byJumps <= maxChain && (len(rest) == 0 || slices.Max(rest)-slices.Min(rest) < maxSpan)
		}
		backFrom := make([][]int, m) // per segment, the segments that jump back to it
		for _, j := range jumps {
			if !j.forward && j.from >= j.to {
				backFrom[j.to] = append(backFrom[j.to], j.from)
			}
		}
		end := make([]int, m)
		var cands []int
		for h, froms := range backFrom {
			slices.Sort(froms)
			for i := len(froms) - 1; i >= 0; i-- {
				if vs, byJumps, ok := enters(h, froms[i]); ok {
					end[h], entries[h], chained[h] = froms[i], vs, byJumps
					cands = append(cands, h)
					break
				}
			}
		}
		slices.SortStableFunc(cands, func(a, b int) int { return (end[a] - a) - (end[b] - b) })
		// A region is taken when it holds each region taken before it
		// whole, or none of it.
		var taken []int
	next:
		for _, h := range cands {
			for _, t := range taken {
				disjoint := regionEnd[t] < h || t > end[h]
				holds := t > h && regionEnd[t] <= end[h]
				if !disjoint && !holds {
					continue next
				}
			}
			taken = append(taken, h)
			regionEnd[h] = end[h]
		}
	}
	// moved is, per segment, the innermost region whose loop its block
	// moved into, or -1; for a region's start, it is the region around it.
	moved := make([]int, m)
	for k := range moved {
		moved[k] = -1
	}
	var bySize []int
	for h, e := range regionEnd {
		if e >= 0 {
			bySize = append(bySize, h)
		}
	}
	slices.SortStableFunc(bySize, func(a, b int) int { return (regionEnd[b] - b) - (regionEnd[a] - a) })
	for _, h := range bySize { // the largest first, so inner regions win
		for k := h + 1; k <= regionEnd[h]; k++ {
			moved[k] = h
		}
	}
	// reach is the segment whose block a branch from segment from takes to
	// arrive at segment k: k itself, or the start of the outermost region
	// that holds k and not from, whose head then leads on.
	reach := func(k, from int) int {
		for moved[k] >= 0 && !(moved[k] <= from && from <= regionEnd[moved[k]]) {
			k = moved[k]
		}
		return k
	}
	// headValue is, per region, the value its jumps back to its start set
	// (the smallest, if they differ): what the head lets through first.
	headValue := make([]int64, m)
	headSet := make([]bool, m)
	for _, j := range jumps {
		if regionEnd[j.to] >= 0 && j.from >= j.to && j.from <= regionEnd[j.to] {
			if !headSet[j.to] || j.value < headValue[j.to] {
				headValue[j.to], headSet[j.to] = j.value, true
			}
		}
	}

	// loopFor is the innermost region that holds segment from and starts
	// at or before segment to, whose loop a jump back from from to to takes;
	// or -1.
	loopFor := func(from, to int) int {
		r := moved[from]
		if regionEnd[from] >= 0 {
			r = from
		}
		for r >= 0 && r > to {
			r = moved[r]
		}
		return r
	}

	// Pass 2: emit, renumbering every label against the new control stack.
	// When segments moved, the dispatch gets a block of its own that
	// traps: where the values no region's head knows go.
	trap := ctl{open: -1}
	trapped := slices.ContainsFunc(moved, func(h int) bool { return h >= 0 })
	out := make([]byte, 0, len(body)+len(body)/8)
	var stack []ctl
	depthOf := func(c ctl) (uint32, error) {
		for i := len(stack) - 1; i >= 0; i-- {
			if stack[i] == c {
				return uint32(len(stack) - 1 - i), nil
			}
		}
		return 0, errors.New("branch target not enclosing the branch")
	}
	// relabel maps a label of the original body to the new one: orig is
	// the original control stack, whose entries the new one holds, moved
	// or not, wherever a branch may name them.
	var orig []int
	relabel := func(label uint32) (uint32, error) {
		switch {
		case int(label) < len(orig):
			return depthOf(ctl{open: orig[len(orig)-1-int(label)]})
		case int(label) == len(orig):
			return uint32(len(stack)), nil // the function's own label
		}
		return 0, errors.New("branch past the function")
	}
	for x, in := range ins {
		switch in.op {
		case opBlock, opLoop, opIf:
			orig = append(orig, x)
			if k, ok := blockOf[x]; ok && moved[k] >= 0 {
				break // opened inside its region's loop
			}
			stack = append(stack, ctl{open: x})
			out = append(out, body[in.start:in.end]...)
		case opEnd:
			for len(stack) > 0 && stack[len(stack)-1].added {
				// An added loop sits directly inside the block (or loop)
				// that ends its region, or inside the loop of a region
				// ending with it: this end is that block's, and the added
				// loops close first.
				out = append(out, opEnd)
				stack = stack[:len(stack)-1]
			}
			if len(stack) > 0 {
				if top := stack[len(stack)-1]; !top.added {
					if h, ok := blockOf[top.open]; ok && regionEnd[h] >= 0 && len(entries[h]) > 0 {
						// Code that falls into the region's first segment
						// says so, for the check at the loop's head.
						out = append(out, opI32Const)
						out = appendSLEB(out, headValue[h])
						out = appendULEB(append(out, opLocalSet), 0)
					}
				}
			}
			if len(orig) > 0 {
				orig = orig[:len(orig)-1]
			}
			if len(stack) == 0 {
				out = append(out, body[in.start:in.end]...)
				break
			}
			top := stack[len(stack)-1]
			stack = stack[:len(stack)-1]
			out = append(out, body[in.start:in.end]...)
			if h, ok := blockOf[top.open]; ok && !top.added && regionEnd[h] >= 0 {
				stack = append(stack, ctl{open: h, added: true})
				out = append(out, opLoop, blockTypeEmpty)
				for k := regionEnd[h]; k > h; k-- {
					if moved[k] == h { // inner regions open their own
						stack = append(stack, ctl{open: d.blocks[k]})
						out = append(out, opBlock, blockTypeEmpty)
					}
				}
				// The head: a jump back to the region's start (or a fall
				// into it) passes one check; other values are looked up.
				checks := entries[h]
				if len(checks) == 0 {
					break
				}
				target := func(v int64) (uint64, error) {
					if misrouteEntries {
						return 0, nil // to the region's start: a deliberate miscompile
					}
					dep, err := depthOf(ctl{open: d.blocks[reach(selects(v), h)]})
					return uint64(dep) + 1, err // from inside the head's block
				}
				out = append(out, opBlock, blockTypeEmpty)
				out = appendULEB(append(out, opLocalGet), 0)
				out = appendSLEB(append(out, opI32Const), headValue[h])
				out = append(out, opI32Eq, opBrIf, 0)
				for _, v := range checks[:chained[h]] {
					dep, err := target(v)
					if err != nil {
						return nil, err
					}
					out = appendULEB(append(out, opLocalGet), 0)
					out = appendSLEB(append(out, opI32Const), v)
					out = append(out, opI32Eq)
					out = appendULEB(append(out, opBrIf), dep)
				}
				if rest := checks[chained[h]:]; len(rest) > 0 {
					// br_table on the value less the smallest; values
					// outside the range, or not entries, go to segment h:
					// the dispatch lets through only the values the head
					// knows, and segment h's own.
					lo, hi := rest[0], rest[len(rest)-1]
					out = appendULEB(append(out, opLocalGet), 0)
					out = appendSLEB(append(out, opI32Const), lo)
					out = append(out, opI32Sub, opBrTable)
					out = appendULEB(out, uint64(hi-lo+1))
					for v := lo; v <= hi; v++ {
						dep := uint64(0)
						if slices.Contains(rest, v) {
							var err error
							if dep, err = target(v); err != nil {
								return nil, err
							}
						}
						out = appendULEB(out, dep)
					}
					out = appendULEB(out, 0)
				}
				out = append(out, opEnd)
			}
		case opBr, opBrIf:
			var label uint32
			var err error
			j, isJump := jumps[x]
			switch {
			case isJump && j.forward:
				// Into a region from outside: through its head.
				label, err = depthOf(ctl{open: d.blocks[reach(j.to, j.from)]})
				st.forward++
			case isJump && j.from >= j.to && loopFor(j.from, j.to) >= 0:
				label, err = depthOf(ctl{open: loopFor(j.from, j.to), added: true})
				st.loops++
			default:
				label, err = relabel(in.label)
			}
			if err != nil {
				return nil, fmt.Errorf("instruction %d: %w", x, err)
			}
			out = appendULEB(append(out, in.op), uint64(label))
		case opBrTable:
			out = append(out, opBrTable)
			out = appendULEB(out, uint64(len(in.table)-1))
			for v, l := range in.table {
				var nl uint32
				var err error
				if k := int(l); x == d.table && k < m && moved[k] >= 0 {
					// A moved segment is entered through the head of the
					// outermost region that holds it, which knows the
					// values of its jumps and resume points; any other
					// value (a resume point the pass did not recognise)
					// traps rather than run the wrong segment.
					if h := reach(k, -1); v < len(in.table)-1 && slices.Contains(entries[h], int64(v)) {
						nl, err = depthOf(ctl{open: d.blocks[h]})
					} else {
						nl, err = depthOf(trap)
					}
				} else {
					nl, err = relabel(l)
				}
				if err != nil {
					return nil, fmt.Errorf("instruction %d: %w", x, err)
				}
				out = appendULEB(out, uint64(nl))
			}
			if x == d.table && trapped {
				out = append(out, opEnd, opUnreachable)
				stack = stack[:len(stack)-1]
			}
		default:
			if x == d.table-1 && trapped {
				// The dispatch's local.get: the trap block opens
				// around the br_table.
				stack = append(stack, trap)
				out = append(out, opBlock, blockTypeEmpty)
			}
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
