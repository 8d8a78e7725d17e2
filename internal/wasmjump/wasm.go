package main

import (
	"errors"
	"fmt"
)

// The WebAssembly binary format, as far as this pass needs it: sections,
// the code section's function bodies, and every instruction's length.

const (
	opUnreachable  = 0x00
	opBlock        = 0x02
	opLoop         = 0x03
	opIf           = 0x04
	opElse         = 0x05
	opEnd          = 0x0b
	opBr           = 0x0c
	opBrIf         = 0x0d
	opBrTable      = 0x0e
	opLocalGet     = 0x20
	opLocalSet     = 0x21
	opI32Const     = 0x41
	opI64Const     = 0x42
	opI64Store     = 0x37
	opCall         = 0x10
	opCallIndirect = 0x11
	opI32Eq        = 0x46
	opI32Sub       = 0x6b
	sectionCode    = 10
	blockTypeEmpty = 0x40
)

// reader reads LEB128 numbers and bytes, remembering the first error.
type reader struct {
	b   []byte
	pos int
	err error
}

func (r *reader) fail(msg string) {
	if r.err == nil {
		r.err = fmt.Errorf("offset %d: %s", r.pos, msg)
	}
}

func (r *reader) byte() byte {
	if r.pos >= len(r.b) {
		r.fail("unexpected end")
		return 0
	}
	c := r.b[r.pos]
	r.pos++
	return c
}

// uleb reads an unsigned LEB128 number of at most 64 bits.
func (r *reader) uleb() uint64 {
	var v uint64
	for shift := uint(0); ; shift += 7 {
		if shift > 63 {
			r.fail("LEB128 number too long")
			return 0
		}
		c := r.byte()
		v |= uint64(c&0x7f) << shift
		if c&0x80 == 0 || r.err != nil {
			return v
		}
	}
}

// sleb reads a signed LEB128 number of at most 64 bits.
func (r *reader) sleb() int64 {
	var v int64
	shift := uint(0)
	for {
		if shift > 63 {
			r.fail("LEB128 number too long")
			return 0
		}
		c := r.byte()
		v |= int64(c&0x7f) << shift
		shift += 7
		if c&0x80 == 0 || r.err != nil {
			if shift < 64 && c&0x40 != 0 {
				v |= -1 << shift
			}
			return v
		}
	}
}

func (r *reader) skip(n int) {
	if n < 0 || r.pos+n > len(r.b) {
		r.fail("unexpected end")
		r.pos = len(r.b)
		return
	}
	r.pos += n
}

// appendSection appends a section of the given id and content.
func appendSection(b []byte, id byte, content []byte) []byte {
	b = appendULEB(append(b, id), uint64(len(content)))
	return append(b, content...)
}

func appendULEB(b []byte, v uint64) []byte {
	for {
		c := byte(v & 0x7f)
		v >>= 7
		if v == 0 {
			return append(b, c)
		}
		b = append(b, c|0x80)
	}
}

func appendSLEB(b []byte, v int64) []byte {
	for {
		c := byte(v & 0x7f)
		v >>= 7
		if v == 0 && c&0x40 == 0 || v == -1 && c&0x40 != 0 {
			return append(b, c)
		}
		b = append(b, c|0x80)
	}
}

// instr is one decoded instruction: its bytes are body[start:end].
type instr struct {
	op         byte
	start, end int
	label      uint32   // br, br_if: the label index
	table      []uint32 // br_table: the labels, default last
	imm        int64    // i32.const: the value; local.get/set: the index
}

// decode splits a function body's expression into instructions, checking
// that its blocks nest and its branches stay inside the function.
func decode(body []byte) ([]instr, error) {
	r := &reader{b: body}
	var out []instr
	depth := 1 // open blocks, the function's own included
	for r.pos < len(body) && r.err == nil {
		if depth == 0 && len(out) > 0 {
			return nil, errors.New("instructions after the function's end")
		}
		in := instr{start: r.pos}
		in.op = r.byte()
		switch op := in.op; {
		case op == opUnreachable, op == 0x01, op == opElse, op == opEnd, op == 0x0f, op == 0x1a, op == 0x1b, op == 0xd1:
			// unreachable, nop, else, end, return, drop, select, ref.is_null
		case op == opBlock, op == opLoop, op == opIf:
			c := r.byte()
			if c != blockTypeEmpty && c < 0x7b {
				// A type index (s33) rather than a value type.
				r.pos--
				r.sleb()
			}
		case op == opBr, op == opBrIf:
			in.label = uint32(r.uleb())
		case op == opBrTable:
			n := r.uleb()
			if n > uint64(len(body)) {
				r.fail("br_table too long")
				break
			}
			in.table = make([]uint32, n+1)
			for i := range in.table {
				in.table[i] = uint32(r.uleb())
			}
		case op == 0x10, op == 0xd2, op >= 0x20 && op <= 0x26:
			// call, ref.func, local.get/set/tee, global.get/set, table.get/set
			in.imm = int64(r.uleb())
		case op == 0x11: // call_indirect: type and table
			r.uleb()
			r.uleb()
		case op == 0x1c: // select with types
			n := r.uleb()
			r.skip(int(min(n, uint64(len(body)))))
		case op >= 0x28 && op <= 0x3e: // loads and stores: align, offset
			r.uleb()
			r.uleb()
		case op == 0x3f, op == 0x40: // memory.size, memory.grow
			r.byte()
		case op == opI32Const:
			in.imm = r.sleb()
		case op == opI64Const:
			in.imm = r.sleb()
		case op == 0x43:
			r.skip(4)
		case op == 0x44:
			r.skip(8)
		case op >= 0x45 && op <= 0xc4:
			// numeric instructions, sign extension included: no immediates
		case op == 0xd0: // ref.null
			r.byte()
		case op == 0xfc:
			switch sub := r.uleb(); {
			case sub <= 7: // saturating truncations
			case sub == 8: // memory.init
				r.uleb()
				r.byte()
			case sub == 9, sub == 13, sub == 15, sub == 16, sub == 17: // data.drop, elem.drop, table.grow/size/fill
				r.uleb()
			case sub == 10: // memory.copy
				r.byte()
				r.byte()
			case sub == 11: // memory.fill
				r.byte()
			case sub == 12, sub == 14: // table.init, table.copy
				r.uleb()
				r.uleb()
			default:
				r.fail(fmt.Sprintf("unknown instruction 0xfc %d", sub))
			}
		default:
			r.fail(fmt.Sprintf("unknown instruction 0x%02x", op))
		}
		in.end = r.pos
		switch in.op {
		case opBlock, opLoop, opIf:
			depth++
		case opEnd:
			depth--
		case opBr, opBrIf:
			if int(in.label) >= depth {
				r.fail("branch past the function")
			}
		case opBrTable:
			for _, l := range in.table {
				if int(l) >= depth {
					r.fail("branch past the function")
				}
			}
		}
		out = append(out, in)
	}
	if r.err != nil {
		return nil, r.err
	}
	if depth != 0 || len(out) == 0 {
		return nil, errors.New("function body does not end with end")
	}
	return out, nil
}
