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
	var walk func(v *fastjson.Value)
	walk = func(v *fastjson.Value) {
		switch v.Type() {
		case fastjson.TypeObject:
			o, _ := v.Object()
			c, sys, disp := o.Get("code"), o.Get("system"), o.Get("display")
			isCode := c != nil && c.Type() == fastjson.TypeString
			named := c == nil && str(sys) != "" && str(disp) != ""
			if (isCode || named) && o.Get("value") == nil {
				out = append(out, coding{str(sys), str(c), str(disp)})
			}
			o.Visit(func(k []byte, x *fastjson.Value) {
				if string(k) != "meta" {
					walk(x)
				}
			})
		case fastjson.TypeArray:
			for _, x := range v.GetArray() {
				walk(x)
			}
		}
	}
	walk(v)
	return out
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
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, nil, err
	}
	table := map[coding]class{}
	var order []coding
	sc := bufio.NewScanner(bytes.NewReader(b))
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	line := 0
	for sc.Scan() {
		line++
		t := sc.Text()
		if line == 1 {
			if t != codesHeader {
				return nil, nil, fmt.Errorf("%s: header is %q, want %q", path, t, codesHeader)
			}
			continue
		}
		if strings.TrimSpace(t) == "" {
			continue
		}
		f := strings.Split(t, "\t")
		if len(f) != 6 {
			return nil, nil, fmt.Errorf("%s:%d: %d columns, want 6", path, line, len(f))
		}
		c := coding{f[0], f[1], f[2]}
		if _, dup := table[c]; dup {
			return nil, nil, fmt.Errorf("%s:%d: %v listed twice", path, line, c)
		}
		cl := class{Core: splitCats(f[3]), Broad: splitCats(f[4]), Note: f[5]}
		for _, x := range append(append([]string(nil), cl.Core...), cl.Broad...) {
			if !isCategory(x) {
				return nil, nil, fmt.Errorf("%s:%d: unknown category %q", path, line, x)
			}
		}
		table[c] = cl
		order = append(order, c)
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
	table := map[coding]class{}
	for _, b := range bundles {
		for _, e := range b.Entries {
			for _, c := range codings(e.Resource) {
				if _, ok := table[c]; ok {
					continue
				}
				if cl, ok := old[c]; ok {
					table[c] = cl
					kept++
				} else {
					table[c] = class{}
					added++
				}
			}
		}
	}
	return added, kept, writeCodes(path, table)
}
