// Package r4 holds what FHIR R4 (4.0.1) says of its resources and
// datatypes, as the engine needs it to keep its output valid: the resource
// types, and each element's cardinality, modifier flag and types (the table
// internal/cardgen generates from the R4 StructureDefinitions).
package r4

import (
	"strings"
	"sync"
)

// Elem is what R4 says of one element.
type Elem struct {
	Min      int
	Many     bool
	Modifier bool // isModifier in R4: removing it would change the meaning of the rest
	Resource bool // of type Resource: a resource nested in another
	Types    []string
	Ref      string // content reference: the element has the definition at this path
	path     string // its own path, where its members resolve when it is a backbone element
}

// Chosen is the type of an element as it is written: for a choice element
// (value[x]) the type its JSON name carries (valueCodeableConcept:
// CodeableConcept, valueString: string), else its first type.
func (e *Elem) Chosen(jsonName string) string {
	if len(e.Types) == 0 {
		return ""
	}
	best := ""
	for _, t := range e.Types {
		at := len(jsonName) - len(t)
		if at > 0 && len(t) > len(best) && strings.EqualFold(jsonName[at:], t) && jsonName[at] >= 'A' && jsonName[at] <= 'Z' {
			best = t
		}
	}
	if best == "" {
		return e.Types[0]
	}
	return best
}

var (
	cardOnce sync.Once
	cardMap  map[string]*Elem
)

// cardinalities parses the generated table on first use.
func cardinalities() map[string]*Elem {
	cardOnce.Do(func() {
		cardMap = make(map[string]*Elem, 4000)
		for _, line := range strings.Split(strings.TrimSpace(cardinalityTable), "\n") {
			f := strings.Fields(line)
			e := &Elem{Min: int(f[1][0] - '0'), Many: strings.Contains(f[1], "*"), Modifier: strings.HasSuffix(f[1], "!")}
			if len(f) > 2 {
				if strings.HasPrefix(f[2], "=") {
					e.Ref = f[2][1:]
				} else {
					e.Types = strings.Split(f[2], ",")
					e.Resource = f[2] == "Resource"
				}
			}
			e.path = f[0]
			cardMap[f[0]] = e
		}
	})
	return cardMap
}

// Child resolves member name (a JSON name) of what cur names, a resource
// or datatype or a backbone element's path, following complex types,
// backbone elements, content references and choice types (valueQuantity
// is value[x] of type Quantity). It returns the element, nil for one R4
// leaves optional and does not describe (the default: 0..*), and what the
// element's own members resolve against: its type, the element its content
// reference names, or its own path for a backbone element; "" when R4 does
// not describe them. A walk that keeps that second result resolves each
// element with one lookup, whatever its depth. The path is built in a
// buffer and looked up without a string of its own.
func Child(cur, name string) (*Elem, string) {
	if cur == "" {
		return nil, ""
	}
	m := cardinalities()
	var buf [128]byte
	key := append(append(append(buf[:0], cur...), '.'), name...)
	e := m[string(key)]
	choice := ""
	if e == nil {
		// valueCodeableConcept: try each capital as the start of the type.
		for k := 1; k < len(name); k++ {
			if name[k] >= 'A' && name[k] <= 'Z' {
				key = append(append(append(key[:len(cur)], '.'), name[:k]...), "[x]"...)
				if c := m[string(key)]; c != nil {
					e, choice = c, name[k:]
					break
				}
			}
		}
	}
	switch {
	case e == nil:
		return nil, ""
	case e.Ref != "":
		return e, e.Ref
	case choice != "":
		return e, choice
	case len(e.Types) == 1 && (e.Types[0] == "BackboneElement" || e.Types[0] == "Element"):
		return e, e.path
	case len(e.Types) == 1:
		return e, e.Types[0]
	}
	return e, ""
}
