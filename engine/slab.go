package engine

import "unsafe"

// A Bundle of many small entries gives the report a few short lists and
// strings per entry. Allocated one by one they cost more than the labeling
// (the allocations, and the collector's walks over them), so they are cut
// from chunks that grow with the call.

// slabMax bounds one chunk, so a chunk's unused tail stays small.
const slabMax = 4096

// slab hands out short slices of one chunk. A slice it returns is empty
// with the capacity asked for: appending beyond that moves it out of the
// chunk, never over a neighbour.
type slab[T any] struct{ chunk []T }

// take cuts a slice of capacity n. Not inlined: it is called in many
// places, each of which would carry its own copy.
//
//go:noinline
func (s *slab[T]) take(n int) []T {
	if cap(s.chunk)-len(s.chunk) < n {
		s.chunk = make([]T, 0, max(n, min(2*cap(s.chunk), slabMax)))
	}
	i := len(s.chunk)
	s.chunk = s.chunk[:i+n]
	return s.chunk[i : i : i+n]
}

// drop lets the chunk go: its slices belong to the last call's result.
func (s *slab[T]) drop() { s.chunk = nil }

// reuse keeps the chunk for the next call, for slabs whose slices never
// outlive the call: cleared, as what it held may alias the last input. A
// chunk made larger than slabMax for one long list is let go.
func (s *slab[T]) reuse() {
	if cap(s.chunk) > slabMax {
		s.chunk = nil
		return
	}
	clear(s.chunk)
	s.chunk = s.chunk[:0]
}

// strSlab joins strings into chunks of text, handing out strings that
// share them; what it handed out is never written again.
type strSlab struct {
	buf  []byte
	most int // the largest chunk, 0 for 64 KB
}

// join returns a + b + c.
func (s *strSlab) join(a string, b []byte, c string) string {
	n := len(a) + len(b) + len(c)
	if n == 0 {
		return ""
	}
	start := s.room(n)
	s.buf = append(append(append(s.buf, a...), b...), c...)
	return unsafe.String(&s.buf[start], n)
}

// index returns a + "[i]", or a + "." + name + "[i]" when name is not
// empty.
func (s *strSlab) index(a, name string, i int) string {
	start := s.room(len(a) + len(name) + 23) // ".", "[", "]" and 20 digits at most
	s.buf = append(s.buf, a...)
	if name != "" {
		s.buf = append(append(s.buf, '.'), name...)
	}
	s.buf = appendIndex(s.buf, i)
	return unsafe.String(&s.buf[start], len(s.buf)-start)
}

// entryLoc returns entryLoc(bundleLoc, i).
func (s *strSlab) entryLoc(bundleLoc string, i int) string {
	start := s.room(len(bundleLoc) + len(".entry[].resource") + 20)
	s.buf = appendEntryLoc(s.buf, bundleLoc, i)
	return unsafe.String(&s.buf[start], len(s.buf)-start)
}

// room makes room for n more bytes in the chunk and returns where they
// start.
func (s *strSlab) room(n int) int {
	if cap(s.buf)-len(s.buf) < n {
		most := s.most
		if most == 0 {
			most = 64 << 10
		}
		s.buf = make([]byte, 0, max(n, min(2*cap(s.buf), most), 256))
	}
	return len(s.buf)
}

// scratch is a strSlab whose strings live for one call only: reset lets
// the next call write over them. The redaction walk builds every
// element's location in it, and copies the few it reports.
type scratch struct{ strSlab }

func (s *scratch) reset() { s.buf, s.most = s.buf[:0], 1<<20 }

var dotBytes = []byte{'.'}
