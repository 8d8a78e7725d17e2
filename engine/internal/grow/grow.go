// Package grow appends to slices that reach tens of thousands of elements
// while a rule pack compiles.
package grow

// Push appends v to s, doubling s when it is full. append grows a large
// slice by about a quarter at a time, which allocates some five times what
// is kept in all; doubling allocates twice.
func Push[T any](s []T, v T) []T {
	if len(s) == cap(s) {
		s = append(make([]T, 0, max(64, 2*cap(s))), s...)
	}
	return append(s, v)
}
