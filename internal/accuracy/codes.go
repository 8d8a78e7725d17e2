package main

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"sort"
	"strings"

	"github.com/valyala/fastjson"
)

// coding is one (system, code, display) triple as found in the data.
type coding struct {
	System, Code, Display string
}

func (c coding) String() string {
	if c.Code == "" {
		return c.System + " (no code) " + strconvQuote(c.Display)
	}
	if c.Display == "" {
		return c.System + "|" + c.Code
	}
	return c.System + "|" + c.Code + " " + strconvQuote(c.Display)
}

func strconvQuote(s string) string { return "\"" + strings.ReplaceAll(s, "\"", "'") + "\"" }

// class is the hand classification of one coding: the categories its
// meaning carries by itself (core) and those only a wider policy covers
// (broad).
type class struct {
	Core, Broad []string
	Note        string
}

// codings returns the codings of a resource, its contained resources
// included, meta left out. A Coding is an object with a string code, or a
// system and a display but no code (a product known by its name only), and
// no value (a Quantity has a code and a value).
func codings(v *fastjson.Value) []coding {
	var out []coding
	objects(v, "meta", func(o *fastjson.Object) {
		c, sys, disp := o.Get("code"), o.Get("system"), o.Get("display")
		isCode := c != nil && c.Type() == fastjson.TypeString
		named := c == nil && str(sys) != "" && str(disp) != ""
		if (isCode || named) && o.Get("value") == nil {
			out = append(out, coding{str(sys), str(c), str(disp)})
		}
	})
	return out
}

// objects calls f with every object in v, each before its members, leaving
// out what lies under a member named skip ("" skips nothing).
func objects(v *fastjson.Value, skip string, f func(o *fastjson.Object)) {
	switch v.Type() {
	case fastjson.TypeObject:
		o, _ := v.Object()
		f(o)
		o.Visit(func(k []byte, x *fastjson.Value) {
			if skip == "" || string(k) != skip {
				objects(x, skip, f)
			}
		})
	case fastjson.TypeArray:
		for _, x := range v.GetArray() {
			objects(x, skip, f)
		}
	}
}

func str(v *fastjson.Value) string {
	if v == nil || v.Type() != fastjson.TypeString {
		return ""
	}
	return string(v.GetStringBytes())
}

const codesHeader = "system\tcode\tdisplay\tcore\tbroad\tnote"

// readCodes reads codes.tsv: a header, then one coding a line.
func readCodes(path string) (map[coding]class, []coding, error) {
	return readTable(path, codesHeader, 3, func(f []string) (coding, error) { return coding{f[0], f[1], f[2]}, nil })
}

// readTable reads a hand classification: a header, then one thing a line,
// named by its first keyCols columns, then core, broad and note.
func readTable[K listed](path, header string, keyCols int, keyOf func(f []string) (K, error)) (map[K]class, []K, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, nil, err
	}
	table := map[K]class{}
	var order []K
	sc := bufio.NewScanner(bytes.NewReader(b))
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	line := 0
	for sc.Scan() {
		line++
		t := sc.Text()
		if line == 1 {
			if t != header {
				return nil, nil, fmt.Errorf("%s: header is %q, want %q", path, t, header)
			}
			continue
		}
		if strings.TrimSpace(t) == "" {
			continue
		}
		f := strings.Split(t, "\t")
		if len(f) != keyCols+3 {
			return nil, nil, fmt.Errorf("%s:%d: %d columns, want %d", path, line, len(f), keyCols+3)
		}
		k, err := keyOf(f)
		if err != nil {
			return nil, nil, fmt.Errorf("%s:%d: %v", path, line, err)
		}
		if _, dup := table[k]; dup {
			return nil, nil, fmt.Errorf("%s:%d: %v listed twice", path, line, k)
		}
		cl := class{Core: splitCats(f[keyCols]), Broad: splitCats(f[keyCols+1]), Note: f[keyCols+2]}
		for _, x := range append(append([]string(nil), cl.Core...), cl.Broad...) {
			if !isCategory(x) {
				return nil, nil, fmt.Errorf("%s:%d: unknown category %q", path, line, x)
			}
		}
		table[k] = cl
		order = append(order, k)
	}
	return table, order, sc.Err()
}

func splitCats(s string) []string {
	var out []string
	for _, x := range strings.Split(s, ",") {
		if x = strings.TrimSpace(x); x != "" {
			out = append(out, x)
		}
	}
	return out
}

// writeCodes writes the table sorted by system, code and display.
func writeCodes(path string, table map[coding]class) error {
	keys := make([]coding, 0, len(table))
	for c := range table {
		keys = append(keys, c)
	}
	sort.Slice(keys, func(i, j int) bool {
		a, b := keys[i], keys[j]
		if a.System != b.System {
			return a.System < b.System
		}
		if a.Code != b.Code {
			return a.Code < b.Code
		}
		return a.Display < b.Display
	})
	var buf bytes.Buffer
	buf.WriteString(codesHeader + "\n")
	for _, c := range keys {
		cl := table[c]
		for _, s := range []string{c.System, c.Code, c.Display} {
			if strings.ContainsAny(s, "\t\n") {
				return fmt.Errorf("%v: tab or newline in a field", c)
			}
		}
		fmt.Fprintf(&buf, "%s\t%s\t%s\t%s\t%s\t%s\n", c.System, c.Code, c.Display,
			strings.Join(cl.Core, ","), strings.Join(cl.Broad, ","), cl.Note)
	}
	return os.WriteFile(path, buf.Bytes(), 0o644)
}

// extract lists every distinct coding of the bundles into codes.tsv,
// keeping the classification of codings already listed and dropping those
// no longer found.
func extract(path string, bundles []namedBundle) (added, kept int, err error) {
	old, _, err := readCodes(path)
	if err != nil && !os.IsNotExist(err) {
		return 0, 0, err
	}
	var found []coding
	for _, b := range bundles {
		for _, e := range b.Entries {
			found = append(found, codings(e.Resource)...)
		}
	}
	table, added, kept := relist(found, old)
	return added, kept, writeCodes(path, table)
}
