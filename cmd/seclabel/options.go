package main

import (
	"slices"

	"github.com/seclabel/seclabel/internal/jsonx"
)

// requestOptions collects the --option flags into a request's options
// object. A JSON object may not name a member twice (the engine refuses
// it), so an option given again does not add a member: a list option adds
// its items to the earlier ones, as --deny does, and any other takes the
// last value, as --clearance does.
type requestOptions struct {
	names []string
	vals  [][]byte   // each name's value as JSON; nil for a list
	items [][]string // each list option's items
}

// index is the place of an option, made for it when it is new.
func (o *requestOptions) index(name string) int {
	if i := slices.Index(o.names, name); i >= 0 {
		return i
	}
	o.names = append(o.names, name)
	o.vals = append(o.vals, nil)
	o.items = append(o.items, nil)
	return len(o.names) - 1
}

// has says whether the option was given.
func (o *requestOptions) has(name string) bool { return slices.Contains(o.names, name) }

// set gives an option its value, written by value.
func (o *requestOptions) set(name string, value func(w *jsonx.Writer)) {
	var w jsonx.Writer
	value(&w)
	o.vals[o.index(name)] = w.B
}

// add adds items to a list option.
func (o *requestOptions) add(name string, items ...string) {
	i := o.index(name)
	o.items[i] = append(o.items[i], items...)
}

// object writes the options object.
func (o *requestOptions) object() []byte {
	var w jsonx.Writer
	w.BeginObject()
	for i, name := range o.names {
		w.Key(name)
		if o.vals[i] != nil {
			w.Raw(o.vals[i])
			continue
		}
		w.BeginArray()
		for _, it := range o.items[i] {
			w.String(it)
		}
		w.EndArray()
	}
	w.EndObject()
	return w.B
}
