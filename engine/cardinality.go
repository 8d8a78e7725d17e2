package engine

import (
	"strings"
	"sync"
)

// cardElem is what R4 says of one element.
type cardElem struct {
	min      int
	many     bool
	modifier bool // isModifier in R4: removing it would change the meaning of the rest
	resource bool // of type Resource: a resource nested in another
	types    []string
	ref      string // content reference: the element has the definition at this path
}

// chosen is the type of an element as it is written: for a choice element
// (value[x]) the type its JSON name carries (valueCodeableConcept:
// CodeableConcept, valueString: string), else its first type.
func (e *cardElem) chosen(jsonName string) string {
	if len(e.types) == 0 {
		return ""
	}
	best := ""
	for _, t := range e.types {
		at := len(jsonName) - len(t)
		if at > 0 && len(t) > len(best) && strings.EqualFold(jsonName[at:], t) && jsonName[at] >= 'A' && jsonName[at] <= 'Z' {
			best = t
		}
	}
	if best == "" {
		return e.types[0]
	}
	return best
}

var (
	cardOnce sync.Once
	cardMap  map[string]*cardElem
)

// cardinalities parses the generated table on first use.
func cardinalities() map[string]*cardElem {
	cardOnce.Do(func() {
		cardMap = make(map[string]*cardElem, 4000)
		for _, line := range strings.Split(strings.TrimSpace(cardinalityTable), "\n") {
			f := strings.Fields(line)
			e := &cardElem{min: int(f[1][0] - '0'), many: strings.Contains(f[1], "*"), modifier: strings.HasSuffix(f[1], "!")}
			if len(f) > 2 {
				if strings.HasPrefix(f[2], "=") {
					e.ref = f[2][1:]
				} else {
					e.types = strings.Split(f[2], ",")
					e.resource = f[2] == "Resource"
				}
			}
			cardMap[f[0]] = e
		}
	})
	return cardMap
}

// elementInfo resolves the element a JSON member path (names, no indexes)
// reaches below a resource or datatype, following complex types, backbone
// elements, content references and choice types (valueQuantity is
// value[x] of type Quantity). It returns nil for elements R4 leaves optional
// and does not describe (the default: 0..*).
func elementInfo(base string, names []string) *cardElem {
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
		case e.ref != "":
			cur = e.ref
		case choice != "":
			cur = choice
		case len(e.types) == 1 && (e.types[0] == "BackboneElement" || e.types[0] == "Element"):
			cur = path
		case len(e.types) == 1:
			cur = e.types[0]
		default:
			return nil
		}
	}
	return nil
}
