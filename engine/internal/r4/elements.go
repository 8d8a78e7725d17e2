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
			cardMap[f[0]] = e
		}
	})
	return cardMap
}

// ElementInfo resolves the element a JSON member path (names, no indexes)
// reaches below a resource or datatype, following complex types, backbone
// elements, content references and choice types (valueQuantity is
// value[x] of type Quantity). It returns nil for elements R4 leaves optional
// and does not describe (the default: 0..*).
func ElementInfo(base string, names []string) *Elem {
	m := cardinalities()
	cur := base
	for i, name := range names {
		path := cur + "." + name
		e := m[path]
		choice := ""
		if e == nil {
			// valueCodeableConcept: try each capital as the start of the type.
			for k := 1; k < len(name); k++ {
				if name[k] >= 'A' && name[k] <= 'Z' {
					if c := m[cur+"."+name[:k]+"[x]"]; c != nil {
						e, choice, path = c, name[k:], cur+"."+name[:k]+"[x]"
						break
					}
				}
			}
		}
		if e == nil {
			return nil
		}
		if i == len(names)-1 {
			return e
		}
		switch {
		case e.Ref != "":
			cur = e.Ref
		case choice != "":
			cur = choice
		case len(e.Types) == 1 && (e.Types[0] == "BackboneElement" || e.Types[0] == "Element"):
			cur = path
		case len(e.Types) == 1:
			cur = e.Types[0]
		default:
			return nil
		}
	}
	return nil
}
