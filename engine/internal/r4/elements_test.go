package r4

import "testing"

// Child resolves a member path step by step through datatypes, backbone
// elements, content references and choice types.
func TestChild(t *testing.T) {
	walk := func(base string, names ...string) (*Elem, string) {
		var e *Elem
		cur := base
		for _, n := range names {
			e, cur = Child(cur, n)
		}
		return e, cur
	}
	for _, c := range []struct {
		base  string
		names []string
		min   int
		many  bool
		next  string
	}{
		{"Observation", []string{"status"}, 1, false, "code"},
		{"Observation", []string{"code", "coding"}, 0, true, "Coding"},
		{"Observation", []string{"component", "code"}, 1, false, "CodeableConcept"},
		{"Observation", []string{"component", "valueQuantity", "comparator"}, 0, false, "code"},
		{"Questionnaire", []string{"item", "item", "linkId"}, 1, false, "string"},
		{"Bundle", []string{"entry", "request", "method"}, 1, false, "code"},
	} {
		e, next := walk(c.base, c.names...)
		if e == nil || e.Min != c.min || e.Many != c.many || next != c.next {
			t.Errorf("%s.%v = %+v, %q; want min %d, many %v, members against %q", c.base, c.names, e, next, c.min, c.many, c.next)
		}
	}
	if e, next := walk("Observation", "valueQuantity"); e == nil || e.Chosen("valueQuantity") != "Quantity" || next != "Quantity" {
		t.Errorf("Observation.valueQuantity = %+v, %q", e, next)
	}
	for _, names := range [][]string{{"nonsense"}, {"nonsense", "code"}, {"valueQuantity", "nonsense"}} {
		if e, _ := walk("Observation", names...); e != nil {
			t.Errorf("Observation.%v = %+v, want nil", names, e)
		}
	}
	if e, next := Child("", "code"); e != nil || next != "" {
		t.Errorf(`Child("", "code") = %+v, %q`, e, next)
	}
}
