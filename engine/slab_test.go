package engine

import (
	"fmt"
	"testing"
)

// What take hands out is empty with the capacity asked for, so an append
// beyond it moves the slice and leaves its neighbours as they were.
func TestSlabTake(t *testing.T) {
	var s slab[int]
	a := s.take(2)
	b := s.take(3)
	if len(a) != 0 || cap(a) != 2 || len(b) != 0 || cap(b) != 3 {
		t.Fatalf("take: len/cap %d/%d and %d/%d", len(a), cap(a), len(b), cap(b))
	}
	b = append(b, 7, 8, 9)
	a = append(a, 1, 2, 3) // past its capacity: moves
	if b[0] != 7 || b[1] != 8 || b[2] != 9 {
		t.Fatalf("appending to one slice wrote over the next: %v", b)
	}
	big := s.take(slabMax * 2)
	if cap(big) != slabMax*2 {
		t.Fatalf("a request larger than a chunk: cap %d", cap(big))
	}
	_ = a
}

func TestStrSlab(t *testing.T) {
	var s strSlab
	var got []string
	for i := 0; i < 2000; i++ {
		got = append(got, s.entryLoc("Bundle", i), s.join("a", []byte("bc"), "d"))
	}
	for i := 0; i < 2000; i++ {
		if want := fmt.Sprintf("Bundle.entry[%d].resource", i); got[2*i] != want || entryLoc("Bundle", i) != want {
			t.Fatalf("entryLoc %d: %q, want %q", i, got[2*i], want)
		}
		if got[2*i+1] != "abcd" {
			t.Fatalf("join %d: %q", i, got[2*i+1])
		}
	}
	if s.join("", nil, "") != "" {
		t.Fatal("join of nothing")
	}
}

func TestStrSlabIndex(t *testing.T) {
	var s strSlab
	if got := s.index("Observation.component", "", 12); got != "Observation.component[12]" {
		t.Fatalf("index without a name: %q", got)
	}
	if got := s.index("Observation", "extension", -3); got != "Observation.extension[-3]" {
		t.Fatalf("index with a name: %q", got)
	}
}
