package engine

import "github.com/seclabel/seclabel/internal/jsonx"

// R4 holds a resource in a few places only: the root, contained, a
// Bundle's entry resources and response outcomes, a Parameters' parameter
// and part resources. An object with a resourceType anywhere else (an
// unknown element, an extension, a datatype) is a resource the operations
// would not see as one, with labels they would not read; each operation
// counts its labels as the labels of the resource that holds it, which
// redaction cannot judge and withholds (fail closed). The parser counts
// the members named resourceType, so the walk that finds them runs only
// when there are more than the resources in their places.

// misplacedIn reports whether the input at n, parsed into d, may hold a
// resource outside the places R4 holds one.
func misplacedIn(d *jsonx.Doc, n jsonx.Node) bool {
	return d.ResourceTypes > 1 && d.ResourceTypes > placed(d, n, inResource)
}

// placed counts the members named resourceType of the resources in their
// places within the object v in place p, at any depth, and of
// ExampleScenario instances. Every Bundle is counted before any operation
// runs on it, so the walk looks only at the members that can lead to a
// resource.
func placed(d *jsonx.Doc, v jsonx.Node, p place) int {
	if d.Kind(v) != jsonx.Object {
		return 0
	}
	c, typ := 0, ""
	if p == inResource {
		typ = d.Str(d.Get(v, "resourceType"))
	}
	first, end := d.Range(v)
	for k := first; k < end; k = d.Skip(k + 1) {
		x := k + 1
		switch name := d.Str(k); p {
		case inResource:
			switch {
			case name == "resourceType":
				c++
			case name == "contained":
				c += placedItems(d, x, inResource)
			case name == "entry" && typ == "Bundle":
				c += placedItems(d, x, inEntry)
			case name == "parameter" && typ == "Parameters":
				c += placedItems(d, x, inParameter)
			case name == "instance" && typ == "ExampleScenario":
				c += placedItems(d, x, inInstance)
			}
		case inInstance:
			if name == "resourceType" {
				c++
			}
		case inEntry:
			if name == "resource" {
				c += placed(d, x, inResource)
			} else if name == "response" {
				c += placed(d, x, inResponse)
			}
		case inResponse:
			if name == "outcome" {
				c += placed(d, x, inResource)
			}
		case inParameter:
			if name == "resource" {
				c += placed(d, x, inResource)
			} else if name == "part" {
				c += placedItems(d, x, inParameter)
			}
		}
	}
	return c
}

// placedItems is placed over the items of an array (nothing for another
// value).
func placedItems(d *jsonx.Doc, arr jsonx.Node, p place) int {
	c := 0
	if d.Kind(arr) == jsonx.Array {
		for it, e := d.Range(arr); it < e; it = d.Skip(it) {
			c += placed(d, it, p)
		}
	}
	return c
}

// eachMisplaced calls f for each object with a resourceType inside the
// resource at n (its contained resources included) where R4 holds no
// resource, and each inside those; the resources in their places within n
// are left to their own walk.
func eachMisplaced(d *jsonx.Doc, n jsonx.Node, f func(obj jsonx.Node)) {
	places(d, n, inResource, f)
}

// misplacedLabels appends the labels of every resource out of place in the
// resource at n (meta.security and the restricting codes in meta.tag; the
// walk of inline labels finds those in it): they count as its own. def is
// the default confidentiality's rank, which a tag must exceed.
func misplacedLabels(d *jsonx.Doc, n jsonx.Node, def int, out []label) []label {
	eachMisplaced(d, n, func(o jsonx.Node) { out = ownLabels(d, o, def, out) })
	return out
}

// ownLabels appends the labels of a resource out of place.
func ownLabels(d *jsonx.Doc, o jsonx.Node, def int, out []label) []label {
	meta := d.Get(o, "meta")
	out = appendCodings(d, d.Get(meta, "security"), srcMisplaced, out)
	return tagLabelsAs(d, meta, def, srcMisplaced, out)
}

// shapelessLabels appends the labels of every resource in x, a member that
// holds resources in an array but is of another shape (a Bundle's entry, a
// contained that is an object): the high-water mark counts them as the
// holder's, as it does resources out of place, where redaction withholds
// what holds them and validate reports the shape.
func shapelessLabels(d *jsonx.Doc, x jsonx.Node, def int, out []label) []label {
	elements(d, x, func(o jsonx.Node) { out = ownLabels(d, o, def, out) })
	return out
}

// place is what an object is, for the members R4 puts resources in.
type place uint8

const (
	inResource  place = iota
	inEntry           // a Bundle entry: resource, response
	inResponse        // a Bundle entry's response: outcome
	inParameter       // a Parameters' parameter or part: resource, part
	inInstance        // an ExampleScenario instance: a resourceType of its own
	inElement         // anything else
)

// places walks the object v in place p, calling f for each object with a
// resourceType in an element (and walking elements), and leaves the
// resources a Bundle or Parameters holds to their own walk. Its places
// are placed's.
func places(d *jsonx.Doc, v jsonx.Node, p place, f func(obj jsonx.Node)) {
	if d.Kind(v) != jsonx.Object {
		return
	}
	typ := ""
	switch p {
	case inResource:
		typ = d.Str(d.Get(v, "resourceType"))
	case inElement:
		if d.Get(v, "resourceType") >= 0 {
			f(v)
		}
	}
	first, end := d.Range(v)
	for k := first; k < end; k = d.Skip(k + 1) {
		name, x := d.Str(k), k+1
		next, many, res := inElement, false, false
		switch {
		case p == inElement:
		case name == "resourceType" && (p == inResource || p == inInstance):
			continue
		case p == inResource && name == "contained":
			// Not an array, or an item not an object, is unreadable by a
			// rule of its own (label-shape).
			d.Items(x, func(_ int, r jsonx.Node) bool { places(d, r, inResource, f); return true })
			continue
		case p == inResource && typ == "Bundle" && name == "entry":
			d.Items(x, func(_ int, e jsonx.Node) bool { places(d, e, inEntry, f); return true })
			continue
		case p == inResource && typ == "Parameters" && name == "parameter", p == inParameter && name == "part":
			next, many = inParameter, true
		case p == inResource && typ == "ExampleScenario" && name == "instance":
			next, many = inInstance, true
		case p == inEntry && name == "response":
			next = inResponse
		case p == inEntry && name == "resource", p == inParameter && name == "resource", p == inResponse && name == "outcome":
			next, res = inResource, true
		}
		switch {
		case res:
		case many && d.Kind(x) == jsonx.Array:
			d.Items(x, func(_ int, it jsonx.Node) bool {
				if d.Kind(it) == jsonx.Object {
					places(d, it, next, f)
				} else {
					elements(d, it, f)
				}
				return true
			})
		case next != inElement && !many && d.Kind(x) == jsonx.Object:
			places(d, x, next, f)
		default:
			elements(d, x, f)
		}
	}
}

// elements walks what an element holds, for places.
func elements(d *jsonx.Doc, x jsonx.Node, f func(obj jsonx.Node)) {
	switch d.Kind(x) {
	case jsonx.Object:
		places(d, x, inElement, f)
	case jsonx.Array:
		d.Items(x, func(_ int, it jsonx.Node) bool { elements(d, it, f); return true })
	}
}
