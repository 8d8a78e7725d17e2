// Package jsonref reads JSON with encoding/json into values that keep
// object members in order: the reference, independent of jsonx (the
// engine's parser), that tests compare the engine's JSON against. It is
// for tests only; the module's dependency graph keeps encoding/json out.
//
// Values compare as read:
//
//   - numbers as written (json.Number): the engine copies numbers through
//     as they stand and FHIR keeps a decimal's precision, so an expectation
//     written 1.0 does not match an answer of 1;
//   - object members in order: the engine keeps the order of what it copies
//     and writes what it adds in a fixed place;
//   - an object that names a member twice is not a value (the engine never
//     writes one, and readers disagree on which counts): Decode fails with
//     a *DuplicateError.
package jsonref

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strconv"
)

// Member is one member of an object, in the order read.
type Member struct {
	Key   string
	Value any
}

// Object is a JSON object as its list of members. Other values decode to
// []any, string, json.Number, bool and nil.
type Object []Member

// DuplicateError is an object that names a member twice.
type DuplicateError struct{ Key string }

func (e *DuplicateError) Error() string {
	return "member " + strconv.Quote(e.Key) + " twice in one object"
}

// Decode reads b as one JSON value with encoding/json.
func Decode(b []byte) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	v, err := decodeValue(dec)
	if err != nil {
		return nil, err
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, fmt.Errorf("data after the value at offset %d", dec.InputOffset())
	}
	return v, nil
}

func decodeValue(dec *json.Decoder) (any, error) {
	tok, err := dec.Token()
	if err != nil {
		return nil, err
	}
	delim, ok := tok.(json.Delim)
	if !ok {
		return tok, nil
	}
	switch delim {
	case '{':
		o := Object{}
		seen := map[string]bool{}
		for dec.More() {
			k, err := dec.Token()
			if err != nil {
				return nil, err
			}
			key := k.(string) // Token reports anything else as an error
			if seen[key] {
				return nil, &DuplicateError{key}
			}
			seen[key] = true
			v, err := decodeValue(dec)
			if err != nil {
				return nil, err
			}
			o = append(o, Member{key, v})
		}
		_, err := dec.Token() // '}'
		return o, err
	case '[':
		a := []any{}
		for dec.More() {
			v, err := decodeValue(dec)
			if err != nil {
				return nil, err
			}
			a = append(a, v)
		}
		_, err := dec.Token() // ']'
		return a, err
	}
	return nil, errors.New("unexpected " + delim.String())
}

// Diff returns "" when got and want (decoded values) are equal, and
// otherwise where ($ is the root) and how they first differ.
func Diff(got, want any) string { return diff(got, want, "$") }

func diff(got, want any, path string) string {
	switch w := want.(type) {
	case Object:
		g, ok := got.(Object)
		if !ok {
			return path + ": got " + describe(got) + ", want an object"
		}
		for i := range min(len(g), len(w)) {
			if g[i].Key != w[i].Key {
				return path + ": member " + strconv.Itoa(i+1) + " is " + strconv.Quote(g[i].Key) + ", want " + strconv.Quote(w[i].Key) + membersNote(g, w)
			}
			if d := diff(g[i].Value, w[i].Value, child(path, w[i].Key)); d != "" {
				return d
			}
		}
		if len(g) != len(w) {
			return path + ": " + strconv.Itoa(len(g)) + " members, want " + strconv.Itoa(len(w)) + membersNote(g, w)
		}
	case []any:
		g, ok := got.([]any)
		if !ok {
			return path + ": got " + describe(got) + ", want an array"
		}
		for i := range min(len(g), len(w)) {
			if d := diff(g[i], w[i], path+"["+strconv.Itoa(i)+"]"); d != "" {
				return d
			}
		}
		if len(g) != len(w) {
			return path + ": " + strconv.Itoa(len(g)) + " items, want " + strconv.Itoa(len(w))
		}
	default:
		if got != want { // string, json.Number (its text), bool or nil
			return path + ": got " + describe(got) + ", want " + describe(want)
		}
	}
	return ""
}

var identifier = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)

func child(path, key string) string {
	if identifier.MatchString(key) {
		return path + "." + key
	}
	return path + "[" + strconv.Quote(key) + "]"
}

// membersNote lists the member names of both objects.
func membersNote(g, w Object) string {
	names := func(o Object) []string {
		var s []string
		for _, m := range o {
			s = append(s, m.Key)
		}
		return s
	}
	return fmt.Sprintf(" (got members %q, want %q)", names(g), names(w))
}

// Get returns the value of member key of object v, or nil.
func Get(v any, key string) any {
	o, _ := v.(Object)
	for _, m := range o {
		if m.Key == key {
			return m.Value
		}
	}
	return nil
}

func describe(v any) string {
	switch v := v.(type) {
	case Object:
		return "an object"
	case []any:
		return "an array"
	case string:
		return strconv.Quote(v)
	case json.Number:
		return "number " + string(v)
	case nil:
		return "null"
	}
	return fmt.Sprint(v)
}
