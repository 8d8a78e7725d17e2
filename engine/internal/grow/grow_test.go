package grow

import "testing"

func TestPush(t *testing.T) {
	var s []int
	allocated := 0
	for i := range 100000 {
		before := cap(s)
		s = Push(s, i)
		if cap(s) != before {
			allocated += cap(s)
		}
	}
	for i, v := range s {
		if v != i {
			t.Fatalf("s[%d] = %d", i, v)
		}
	}
	if len(s) != 100000 || allocated > 3*len(s) {
		t.Fatalf("len %d, %d elements allocated in all", len(s), allocated)
	}
}
