package main

import "errors"

// Go's linker writes the module's initial memory as one data segment per
// run of non-zero bytes: about 39,000 of them, each with a header of up to
// a dozen bytes (its kind, an i32.const offset, its length). The offsets
// differ from segment to segment, so gzip and brotli cannot squeeze them,
// while a run of zeros costs them almost nothing. Joining segments that
// a short gap of zeros separates writes the very same memory (linear
// memory starts zeroed, and the gap is written as zeros) and takes about
// 60 KB off the module's gzip size, for about 390 KB more of raw module
// that the host copies once per instance.

// maxGap is the longest run of zeros a joined segment spells out.
const maxGap = 64

const (
	sectionData      = 11
	sectionDataCount = 12
)

// segment is one active data segment of memory 0.
type segment struct {
	offset int64
	bytes  []byte
	owned  bool // bytes is the pass's own, not the input's, and may grow
}

// mergeData joins the segments of a data section that follow each other
// with at most maxGap bytes between them, and returns the section and how
// many segments it saved. A section holding any other kind of segment
// (passive, of another memory, with another offset expression) comes back
// as it is.
func mergeData(sec []byte) ([]byte, int, error) {
	r := &reader{b: sec}
	n := r.uleb()
	var segs []segment
	for i := uint64(0); i < n && r.err == nil; i++ {
		if r.uleb() != 0 || r.byte() != opI32Const {
			return sec, 0, r.err
		}
		off := r.sleb()
		if r.byte() != opEnd {
			return sec, 0, r.err
		}
		size := r.uleb()
		if r.err != nil {
			return nil, 0, r.err
		}
		if size > uint64(len(sec)-r.pos) {
			return nil, 0, errors.New("data segment past the end of its section")
		}
		segs = append(segs, segment{offset: off, bytes: sec[r.pos : r.pos+int(size)]})
		r.pos += int(size)
	}
	if r.err != nil {
		return nil, 0, r.err
	}
	if r.pos != len(sec) {
		return nil, 0, errors.New("bytes after the last data segment")
	}
	var out []segment
	for _, s := range segs {
		if k := len(out) - 1; k >= 0 {
			last := &out[k]
			end := last.offset + int64(len(last.bytes))
			if gap := s.offset - end; gap >= 0 && gap <= maxGap {
				if !last.owned {
					last.bytes, last.owned = append([]byte(nil), last.bytes...), true
				}
				last.bytes = append(append(last.bytes, make([]byte, gap)...), s.bytes...)
				continue
			}
		}
		out = append(out, s)
	}
	return dataSection(out), len(segs) - len(out), nil
}

// dataSection writes the content of a data section of active segments of
// memory 0.
func dataSection(segs []segment) []byte {
	b := appendULEB(nil, uint64(len(segs)))
	for _, s := range segs {
		b = append(b, 0, opI32Const)
		b = appendSLEB(b, s.offset)
		b = append(b, opEnd)
		b = appendULEB(b, uint64(len(s.bytes)))
		b = append(b, s.bytes...)
	}
	return b
}
