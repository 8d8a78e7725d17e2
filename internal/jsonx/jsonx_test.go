package jsonx

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/seclabel/seclabel/internal/jsonref"
	"github.com/valyala/fastjson"
)

func TestParseAcceptsAndRejects(t *testing.T) {
	good := []string{
		`{}`, `[]`, `0`, `-0.5e+10`, `"a\u00e9\n\"\\\/"`, ` {"a":[1,true,false,null,{"b":"c"}]} `,
		`"\ud83d\ude00"`, `[[[]]]`, `{"":""}`, "\ufeff{}", "\ufeff [1]",
	}
	bad := []string{
		``, ` `, `{`, `[1,]`, `{"a":1,}`, `{"a"}`, `01`, `1.`, `1e`, `-`, `tru`, `nul`, `"abc`,
		`{"a":1,"a":2}`, `{"a":1,"b":{"c":1,"c":1}}`, `{"a":1,"\u0061":2}`,
		`"a\x"`, `"\u12"`, "\"a\x01\"", `{"a":1}x`, `[1 2]`, `{a:1}`, "\"\xff\"", `.5`, `+1`,
		"\ufeff", "\ufeff\ufeff{}", " \ufeff{}", "[\ufeff1]",
	}
	var d Doc
	for _, s := range good {
		if err := d.Parse([]byte(s), 100); err != nil {
			t.Errorf("Parse(%q) = %v, want ok", s, err)
		}
	}
	for _, s := range bad {
		if err := d.Parse([]byte(s), 100); err == nil {
			t.Errorf("Parse(%q) accepted invalid JSON", s)
		}
	}
}

// A byte order mark opening the text is skipped (RFC 8259 lets a reader
// ignore it): the value starts after it. Elsewhere it is an unexpected
// character, named by its code point.
func TestByteOrderMark(t *testing.T) {
	var d Doc
	if err := d.Parse([]byte("\ufeff{\"a\":1}"), 10); err != nil {
		t.Fatal(err)
	}
	if got := string(d.Raw(0)); got != `{"a":1}` {
		t.Errorf("the value is %q", got)
	}
	err := d.Parse([]byte("[\ufeff]"), 10)
	if err == nil || !strings.Contains(err.Error(), "unexpected character") || !strings.Contains(err.Error(), "(U+FEFF)") {
		t.Errorf("a mark inside: %v", err)
	}
	if err := d.Parse([]byte(`<Patient xmlns="http://hl7.org/fhir"/>`), 10); err == nil || !strings.Contains(err.Error(), "looks like XML") {
		t.Errorf("XML: %v", err)
	}
}

func TestDepthLimit(t *testing.T) {
	var d Doc
	deep := strings.Repeat("[", 50) + strings.Repeat("]", 50)
	if err := d.Parse([]byte(deep), 50); err != nil {
		t.Fatalf("depth 50 with limit 50: %v", err)
	}
	err := d.Parse([]byte("["+deep+"]"), 50)
	if _, ok := err.(*DepthError); !ok {
		t.Fatalf("depth 51 with limit 50: got %v, want DepthError", err)
	}
}

func TestNavigation(t *testing.T) {
	var d Doc
	src := `{"resourceType":"Bundle","entry":[{"resource":{"id":"a"}},{"resource":{"id":"b\u0021"}}],"x\u0041":1}`
	if err := d.Parse([]byte(src), 100); err != nil {
		t.Fatal(err)
	}
	if got := d.Str(d.Get(0, "resourceType")); got != "Bundle" {
		t.Errorf("resourceType = %q", got)
	}
	entry := d.Get(0, "entry")
	if d.Count(entry) != 2 {
		t.Fatalf("entries = %d", d.Count(entry))
	}
	if got := d.Str(d.Get(d.Get(d.Index(entry, 1), "resource"), "id")); got != "b!" {
		t.Errorf("id = %q", got)
	}
	if d.Get(0, "xA") < 0 {
		t.Error("escaped key not found")
	}
	if d.Get(0, "missing") != -1 {
		t.Error("missing key found")
	}
}

func TestFormatIsValidAndStable(t *testing.T) {
	src := []byte(`{"a" : [1, "x\u0001\u2028y", {"b":null}], "c":{} , "d":[]}`)
	out, err := Canonical(src)
	if err != nil {
		t.Fatal(err)
	}
	want := `{"a":[1,"x\u0001\u2028y",{"b":null}],"c":{},"d":[]}`
	if string(out) != want {
		t.Errorf("Canonical = %s\nwant        %s", out, want)
	}
	if err := fastjson.ValidateBytes(out); err != nil {
		t.Errorf("canonical output is not valid JSON: %v", err)
	}
}

func TestWriterAndApply(t *testing.T) {
	var w Writer
	w.BeginObject()
	w.KV("a", "b\"")
	w.Key("l")
	w.BeginArray()
	w.Int(1)
	w.BeginObject()
	w.EndObject()
	w.Null()
	w.EndArray()
	w.Key("t")
	w.Bool(true)
	w.EndObject()
	if got, want := string(w.B), `{"a":"b\"","l":[1,{},null],"t":true}`; got != want {
		t.Errorf("Writer = %s, want %s", got, want)
	}
	src := []byte(`0123456789`)
	out := Apply(nil, src, []Edit{{Start: 8, End: 9, Text: []byte("X")}, {Start: 2, End: 2, Text: []byte("ins")}})
	if string(out) != "01ins234567X9" {
		t.Errorf("Apply = %s", out)
	}
}

// FuzzParse checks the parser against two other readers. Against
// fastjson: both accept the same inputs, and the canonical form of anything
// accepted is valid JSON that parses to the same canonical form again.
// Against encoding/json (through jsonref): both accept the same inputs, and
// what the tape holds (kinds, decoded strings, numbers as written, object
// members in order, items) equals what encoding/json decodes. The accepted
// differences (encodingJSONDiffers) are where Parse is stricter by design.
func FuzzParse(f *testing.F) {
	for _, s := range []string{
		`{"a":[1,2,{"b":"\u00e9"}]}`, `[]`, `"x"`, `-1.5e3`, `{"a":tru}`,
		`[1.0,-0,1E+2,0.5e-3]`, `["\ud83d\ude00","\ud800\u0041","\udc00",""]`, `{"":{"a":null,"b":[true,false]}}`,
		`{"a":1,"a":2}`, "\"\xff\"", strings.Repeat("[", fuzzDepth+1) + strings.Repeat("]", fuzzDepth+1),
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		var d Doc
		err := d.Parse(b, fuzzDepth)
		ferr := fastjson.ValidateBytes(b)
		var depth *DepthError
		if (err == nil) != (ferr == nil) {
			// fastjson accepts invalid UTF-8, duplicate names, any depth and
			// (before an escape in a string) raw control characters; those
			// are the known differences, and encoding/json rejects the
			// control characters too.
			switch {
			case err != nil && strings.Contains(err.Error(), "UTF-8"):
			case err != nil && strings.Contains(err.Error(), "control character") && !json.Valid(b):
			case err != nil && strings.Contains(err.Error(), "duplicate") && utf8.Valid(b) && hasDuplicateNames(b):
			case errors.As(err, &depth):
			default:
				t.Fatalf("disagree on %q: ours %v, fastjson %v", b, err, ferr)
			}
		}
		if err == nil && hasDuplicateNames(b) {
			t.Fatalf("accepted duplicate member names: %q", b)
		}
		ref, rerr := jsonref.Decode(b)
		switch valid := json.Valid(b); {
		case err == nil && !valid:
			t.Fatalf("accepted what encoding/json rejects: %q", b)
		case err != nil && valid:
			if why := encodingJSONDiffers(b, err, rerr); why == "" {
				t.Fatalf("rejected what encoding/json accepts: %q: %v", b, err)
			}
		case err == nil && rerr != nil:
			t.Fatalf("accepted %q, which jsonref does not read: %v", b, rerr)
		case err == nil:
			if diff := jsonref.Diff(tapeValue(&d, 0), ref); diff != "" {
				t.Fatalf("the tape of %q differs from encoding/json at %s", b, diff)
			}
		}
		if err != nil {
			return
		}
		c := d.Format(nil, 0, "")
		if err := fastjson.ValidateBytes(c); err != nil {
			t.Fatalf("canonical form invalid: %q: %v", c, err)
		}
		c2, err := Canonical(c)
		if err != nil || string(c2) != string(c) {
			t.Fatalf("canonical form not stable: %q -> %q (%v)", c, c2, err)
		}
	})
}

// fuzzDepth is the depth FuzzParse allows; encoding/json allows 10,000.
const fuzzDepth = 1000

// encodingJSONDiffers says why Parse may reject (with err) an input
// encoding/json accepts, or "" when it may not. jsonref read the input
// with error rerr.
func encodingJSONDiffers(b []byte, err, rerr error) string {
	var depth *DepthError
	var dup *jsonref.DuplicateError
	switch {
	case !utf8.Valid(b):
		// encoding/json reads invalid UTF-8 inside strings as U+FFFD;
		// Parse rejects it anywhere (RFC 8259 requires UTF-8, and the
		// engine splices the input's bytes into its output).
		return "invalid UTF-8"
	case errors.As(err, &depth):
		// Parse stops at the depth it is given (the engine's maxDepth,
		// 128 by default); encoding/json at 10,000 levels.
		return "depth"
	case errors.As(rerr, &dup) && strings.Contains(err.Error(), "duplicate"):
		// encoding/json keeps the last of two members with one name;
		// Parse rejects the object (readers disagree on which counts).
		return "duplicate member names"
	}
	return ""
}

// tapeValue is node n of d as jsonref reads values: Objects of members
// in order, []any, decoded strings, json.Number with the number's text,
// bool and nil.
func tapeValue(d *Doc, n Node) any {
	switch d.Kind(n) {
	case Object:
		o := jsonref.Object{}
		d.Members(n, func(k, v Node) bool {
			o = append(o, jsonref.Member{Key: d.Str(k), Value: tapeValue(d, v)})
			return true
		})
		return o
	case Array:
		a := []any{}
		d.Items(n, func(_ int, v Node) bool {
			a = append(a, tapeValue(d, v))
			return true
		})
		return a
	case String:
		return d.Str(n)
	case Number:
		return json.Number(d.Raw(n))
	case True:
		return true
	case False:
		return false
	case Null:
		return nil
	}
	panic("tapeValue: node of kind " + strconv.Itoa(int(d.Kind(n))))
}

// hasDuplicateNames reports, through fastjson (which keeps every member),
// whether some object of b names a member twice.
func hasDuplicateNames(b []byte) bool {
	v, err := fastjson.ParseBytes(b)
	if err != nil {
		return false
	}
	var dup func(v *fastjson.Value) bool
	dup = func(v *fastjson.Value) bool {
		switch v.Type() {
		case fastjson.TypeObject:
			seen := map[string]bool{}
			found := false
			v.GetObject().Visit(func(k []byte, x *fastjson.Value) {
				found = found || seen[string(k)] || dup(x)
				seen[string(k)] = true
			})
			return found
		case fastjson.TypeArray:
			for _, x := range v.GetArray() {
				if dup(x) {
					return true
				}
			}
		}
		return false
	}
	return dup(v)
}

func TestDuplicateNames(t *testing.T) {
	many := func(dup bool) string {
		var sb strings.Builder
		sb.WriteString("{")
		for i := 0; i < 40; i++ {
			sb.WriteString(`"k` + strconv.Itoa(i) + `":1,`)
		}
		if dup {
			sb.WriteString(`"k7":2}`)
		} else {
			sb.WriteString(`"z":2}`)
		}
		return sb.String()
	}
	for _, c := range []struct {
		in  string
		dup bool
	}{
		{`{"a":1,"a":2}`, true},
		{`{"a":1,"b":2}`, false},
		{`{"abc":1,"axc":2}`, false}, // same length and ends: the exact check decides
		{`{"abc":1,"axc":2,"abc":3}`, true},
		{`{"a":1,"\u0061":2}`, true},
		{`{"\u0061":1,"b":2}`, false},
		{`{"x":{"a":1},"a":2}`, false},
		{`{"x":{"a":1,"a":1}}`, true},
		{`[{"a":1},{"a":1}]`, false},
		{`{"":1,"":2}`, true},
		{many(false), false},
		{many(true), true},
	} {
		var d Doc
		err := d.Parse([]byte(c.in), 100)
		if got := err != nil && strings.Contains(err.Error(), "duplicate"); got != c.dup {
			t.Errorf("%s: duplicate %v, want %v (err %v)", c.in, got, c.dup, err)
		}
		if !c.dup && err != nil {
			t.Errorf("%s: %v", c.in, err)
		}
		if hasDuplicateNames([]byte(c.in)) != c.dup {
			t.Errorf("%s: the fastjson oracle disagrees", c.in)
		}
	}
}

type countingWriter struct {
	b      []byte
	writes int
}

func (c *countingWriter) Write(p []byte) (int, error) {
	c.writes++
	c.b = append(c.b, p...)
	return len(p), nil
}

// WriteSpan writes what ApplySpan returns, in pieces of bounded size, and
// nothing at all when an edit is bad.
func TestWriteSpan(t *testing.T) {
	src := []byte(strings.Repeat("0123456789", 30000))
	big := []byte(strings.Repeat("x", 100<<10)) // larger than a piece
	var edits []Edit
	for at := 100; at < len(src)-100; at += 997 {
		edits = append(edits, Edit{Start: at, End: at + 3, Text: []byte("[edit]")})
	}
	edits = append(edits, Edit{Start: 50, End: 50, Text: big}) // out of order
	want := ApplySpan(nil, src, 10, len(src)-10, append([]Edit(nil), edits...))
	var w countingWriter
	buf, err := WriteSpan(&w, nil, src, 10, len(src)-10, edits)
	if err != nil {
		t.Fatal(err)
	}
	if string(w.b) != string(want) {
		t.Fatalf("WriteSpan wrote %d bytes, ApplySpan made %d", len(w.b), len(want))
	}
	if w.writes < len(want)/(64<<10) || cap(buf) > 2*(64<<10) {
		t.Errorf("%d bytes in %d writes through a buffer of %d", len(w.b), w.writes, cap(buf))
	}
	w = countingWriter{}
	func() {
		defer func() {
			if recover() == nil {
				t.Error("overlapping edits did not panic")
			}
		}()
		WriteSpan(&w, nil, src, 0, len(src), []Edit{{Start: 10, End: 20}, {Start: 15, End: 16}})
	}()
	if w.writes != 0 {
		t.Errorf("overlapping edits: %d writes before the panic", w.writes)
	}
}

// A tape grown from nothing ends close to the size the input needs, on
// input whose density is even and on input that is dense only at its start
// (a large string after many small values), and is never larger than the
// input can fill.
func TestTapeGrowsToFit(t *testing.T) {
	var even bytes.Buffer
	even.WriteString(`{"entry":[`)
	for i := 0; i < 20000; i++ {
		if i > 0 {
			even.WriteByte(',')
		}
		fmt.Fprintf(&even, `{"id":"c%d","code":{"coding":[{"system":"http://snomed.info/sct","code":"86406008"}]}}`, i)
	}
	even.WriteString(`]}`)
	skewed := []byte(`[` + strings.Repeat(`1,`, 40000) + `"` + strings.Repeat("x", 1<<20) + `"]`)
	for _, c := range []struct {
		name  string
		src   []byte
		slack float64
	}{{"even", even.Bytes(), 1.2}, {"dense start", skewed, 2.1}} {
		var d Doc
		if err := d.Parse(c.src, 100); err != nil {
			t.Fatal(err)
		}
		if n, room := len(d.nodes), cap(d.nodes); float64(room) > c.slack*float64(n) || room > len(c.src)/2+2 {
			t.Errorf("%s: a tape of %d nodes has room for %d (%d bytes of input)", c.name, n, room, len(c.src))
		}
	}
}

// GetUnderscored finds what Get finds for "_"+name, escaped keys included.
func TestGetUnderscored(t *testing.T) {
	var d Doc
	if err := d.Parse([]byte(`{"birthDate":"1970","_birthDate":{"id":"a"},"_gender":1,"\u005fname":2,"_":3,"x_gender":4}`), 10); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"birthDate", "gender", "name", "", "given", "_gender", "x"} {
		if got, want := d.GetUnderscored(0, name), d.Get(0, "_"+name); got != want {
			t.Errorf("GetUnderscored(%q) = %d, want %d", name, got, want)
		}
	}
	if d.GetUnderscored(0, "birthDate") < 0 || d.GetUnderscored(0, "name") < 0 || d.GetUnderscored(d.Get(0, "birthDate"), "x") != -1 {
		t.Error("GetUnderscored missed a member or read a non-object")
	}
}

// Underscored sees a member name that begins with '_', at any depth and
// escaped too, and not a string value that does.
func TestUnderscored(t *testing.T) {
	for in, want := range map[string]bool{
		`{"a":{"b":[{"_c":1}]}}`: true,
		`{"\u005fc":1}`:          true,
		`{"a":"_c","b":["_d"]}`:  false,
		`["_c"]`:                 false,
		`{"c_":1}`:               false,
	} {
		var d Doc
		if err := d.Parse([]byte(in), 10); err != nil {
			t.Fatal(err)
		}
		if d.Underscored != want {
			t.Errorf("%s: Underscored = %v, want %v", in, d.Underscored, want)
		}
	}
	var d Doc
	d.Parse([]byte(`{"_a":1}`), 10)
	if d.Parse([]byte(`{"a":1}`), 10); d.Underscored {
		t.Error("Underscored outlived its parse")
	}
}

// ResourceTypes counts member names that are, or spell, resourceType, at
// any depth, and never a string value.
func TestResourceTypes(t *testing.T) {
	for in, want := range map[string]int{
		`{"resourceType":"Bundle","entry":[{"resource":{"resourceType":"Patient"}}]}`: 2,
		`{"resource\u0054ype":"Patient","a":{"b":[{"resourceType":1}]}}`:              2,
		`{"a":"resourceType","resourceTypes":1,"resourcetype":2}`:                     0,
	} {
		var d Doc
		if err := d.Parse([]byte(in), 10); err != nil {
			t.Fatal(err)
		}
		if d.ResourceTypes != want {
			t.Errorf("%s: ResourceTypes = %d, want %d", in, d.ResourceTypes, want)
		}
	}
	var d Doc
	d.Parse([]byte(`{"resourceType":1}`), 10)
	if d.Parse([]byte(`{"a":1}`), 10); d.ResourceTypes != 0 {
		t.Error("ResourceTypes outlived its parse")
	}
}

// A Doc kept for reuse holds nothing of its last input after Forget, keeps
// its tape's room, and reads the next input as a fresh Doc does.
func TestForgetKeepsRoomNotInput(t *testing.T) {
	var d Doc
	first := []byte(`{"a":[1,2,{"b":"c"}],"d":"e"}`)
	if err := d.Parse(first, 10); err != nil {
		t.Fatal(err)
	}
	room := d.Room()
	d.Forget()
	if d.Src != nil || d.src != "" || d.Len() != 0 || d.Room() != room {
		t.Fatalf("after Forget: Src %q, src %q, %d nodes, room %d (want nil, empty, 0, %d)", d.Src, d.src, d.Len(), d.Room(), room)
	}
	second := []byte(`{"x":"y"}`)
	if err := d.Parse(second, 10); err != nil {
		t.Fatal(err)
	}
	if got := d.Str(d.Get(0, "x")); got != "y" || d.Get(0, "a") >= 0 || d.Len() != 3 {
		t.Errorf("second parse: x=%q, a at %d, %d nodes", got, d.Get(0, "a"), d.Len())
	}
}

// appendStringRef is AppendString written rune by rune, the plain way.
func appendStringRef(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && n == 1:
			b.WriteString("\ufffd")
		case r == '"' || r == '\\':
			b.WriteByte('\\')
			b.WriteRune(r)
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\r':
			b.WriteString(`\r`)
		case r == '\t':
			b.WriteString(`\t`)
		case r < 0x20 || r == '\u2028' || r == '\u2029':
			fmt.Fprintf(&b, `\u%04x`, r)
		default:
			b.WriteString(s[i : i+n])
		}
		i += n
	}
	b.WriteByte('"')
	return b.String()
}

// FuzzAppendString checks the writer's escaping, which skips plain text a
// word at a time, against the plain rune-by-rune form, and that what it
// writes reads back (invalid UTF-8 as U+FFFD).
func FuzzAppendString(f *testing.F) {
	for _, s := range []string{"", "a", "http://terminology.hl7.org/CodeSystem/v3-Confidentiality", "1234567\"", "12345678\"9",
		"abcdefgh\\ijklmnop\n", "é", "abcdefghé", "abcdefg\xffhij", "abcdefgh\u2028", "\x00\x01\x1f\x7f", "日本語のテキスト、八文字以上", "\xed\xa0\x80abcdefgh"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got := string(AppendString([]byte("x"), s))
		if want := "x" + appendStringRef(s); got != want {
			t.Fatalf("AppendString(%q) = %s, want %s", s, got, want)
		}
		var back string
		if err := json.Unmarshal([]byte(got[1:]), &back); err != nil {
			t.Fatalf("AppendString(%q) = %s, not JSON: %v", s, got, err)
		}
		var repaired strings.Builder
		for i := 0; i < len(s); {
			r, n := utf8.DecodeRuneInString(s[i:])
			repaired.WriteRune(r) // U+FFFD for each byte not in a valid sequence
			i += n
		}
		if back != repaired.String() {
			t.Fatalf("AppendString(%q) reads back as %q", s, back)
		}
	})
}

// TestSame compares strings of every length up to 40 that differ in one
// byte at every place, or not at all: the WebAssembly build compares them
// a word at a time (run there by internal/wasmjump's oracle).
func TestSame(t *testing.T) {
	for n := 0; n <= 40; n++ {
		a := strings.Repeat("resourceType", 4)[:n]
		if !same(a, string([]byte(a))) {
			t.Errorf("same(%q, itself) = false", a)
		}
		for i := 0; i < n; i++ {
			b := []byte(a)
			b[i] ^= 0x20
			if same(a, string(b)) {
				t.Errorf("same(%q, %q) = true", a, b)
			}
		}
	}
	var d Doc
	if err := d.Parse([]byte(`{"a":1,"ab":2,"abcd":3,"abcdefgh":4,"abcdefghi":5,"abcdefghijklmnopq":6}`), 10); err != nil {
		t.Fatal(err)
	}
	for i, k := range []string{"a", "ab", "abcd", "abcdefgh", "abcdefghi", "abcdefghijklmnopq"} {
		if v := d.Get(0, k); string(d.Raw(v)) != strconv.Itoa(i+1) {
			t.Errorf("Get(%q) = %s", k, d.Raw(v))
		}
		if v := d.Get(0, k[:len(k)-1]+"z"); v >= 0 {
			t.Errorf("Get(%q) found %s", k[:len(k)-1]+"z", d.Raw(v))
		}
	}
}
