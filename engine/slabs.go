package engine

// slabs hands out the small lists of a report (each labeled resource's
// matches and added codings) cut from shared chunks: a Bundle of many
// entries would otherwise pay an allocation, and the collector a pointer,
// per list. The chunks belong to the results they are cut for; a state
// never reuses them.
type slabs struct {
	m []Match
	c []Coding
}

// slabChunk is the number of items a chunk holds: large enough to make
// allocations rare, small enough not to matter for a single resource.
const slabChunk = 256

// matches returns an empty list with room for n matches, nil for none.
//
//go:noinline
func (s *slabs) matches(n int) []Match {
	if n == 0 {
		return nil
	}
	if cap(s.m)-len(s.m) < n {
		s.m = make([]Match, 0, max(slabChunk, n))
	}
	l := len(s.m)
	s.m = s.m[:l+n]
	return s.m[l : l : l+n]
}

// codings returns an empty list with room for n codings, nil for none.
//
//go:noinline
func (s *slabs) codings(n int) []Coding {
	if n == 0 {
		return nil
	}
	if cap(s.c)-len(s.c) < n {
		s.c = make([]Coding, 0, max(slabChunk, n))
	}
	l := len(s.c)
	s.c = s.c[:l+n]
	return s.c[l : l : l+n]
}

// planLists hands out the first room of each plan's matches and added
// labels, cut from shared chunks: most resources of a labeled Bundle have
// one or two of each. A list that outgrows its room moves out by append.
type planLists struct {
	m []match
	l []label
}

// planListRoom is the room each list starts with.
const planListRoom = 2

//
//go:noinline
func (pl *planLists) matches() []match {
	if pl == nil {
		return nil // a plan made outside planResource: append allocates
	}
	if cap(pl.m)-len(pl.m) < planListRoom {
		pl.m = make([]match, 0, slabChunk)
	}
	l := len(pl.m)
	pl.m = pl.m[:l+planListRoom]
	return pl.m[l : l : l+planListRoom]
}

//
//go:noinline
func (pl *planLists) labels() []label {
	if pl == nil {
		return nil // a plan made outside planResource: append allocates
	}
	if cap(pl.l)-len(pl.l) < planListRoom {
		pl.l = make([]label, 0, slabChunk)
	}
	l := len(pl.l)
	pl.l = pl.l[:l+planListRoom]
	return pl.l[l : l : l+planListRoom]
}
