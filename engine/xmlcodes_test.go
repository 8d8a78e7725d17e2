package engine

import (
	"slices"
	"strings"
	"testing"
)

func TestEachXMLTag(t *testing.T) {
	in := `<?xml version="1.0"?><!-- <code code="1" codeSystem="2"/> --><a:doc x='1'>` +
		`<![CDATA[<code code="3" codeSystem="4"/>]]><v t="a>b" code="5" codeSystem = '6' /></a:doc><br/><broken code="7`
	var got []string
	eachXMLTag(in, func(name, attrs string) {
		c, _ := xmlAttr(attrs, "code")
		s, _ := xmlAttr(attrs, "codeSystem")
		got = append(got, name+":"+c+"|"+s)
	})
	want := []string{"a:doc:|", "v:5|6", "br:|", "broken:|"}
	if !slices.Equal(got, want) {
		t.Errorf("tags %q, want %q", got, want)
	}
}

func TestXMLAttr(t *testing.T) {
	for _, c := range []struct {
		attrs, key, want string
		ok               bool
	}{
		{` code="86406008" codeSystem="2.16.840.1.113883.6.96"`, "codeSystem", "2.16.840.1.113883.6.96", true},
		{` codeSystem="x" code="y"`, "code", "y", true},
		{` nullFlavor code = ' F11.20 ' `, "code", "F11.20", true},
		{` value="a"/`, "value", "a", true},
		{` code=unquoted`, "code", "", false},
		{` code="open`, "code", "", false},
		{` displayName="code=x"`, "code", "", false},
	} {
		got, ok := xmlAttr(c.attrs, c.key)
		if got != c.want || ok != c.ok {
			t.Errorf("xmlAttr(%q, %q) = %q, %v; want %q, %v", c.attrs, c.key, got, ok, c.want, c.ok)
		}
	}
}

// FuzzXMLCodes reads any text as an XML attachment's markup: every tag it
// reports lies inside the input, and nothing panics.
func FuzzXMLCodes(f *testing.F) {
	f.Add(`<a code="1" codeSystem='2'/><!-- x --><![CDATA[y]]><b value="z">`)
	f.Add(`<code value="F11.20"/><system value="x"`)
	f.Fuzz(func(t *testing.T, in string) {
		eachXMLTag(in, func(name, attrs string) {
			if !strings.Contains(in, name) || !strings.Contains(in, attrs) {
				t.Fatalf("tag %q %q is not in the input", name, attrs)
			}
			for _, k := range []string{"code", "codeSystem", "value"} {
				if v, ok := xmlAttr(attrs, k); ok && !strings.Contains(attrs, v) {
					t.Fatalf("attribute %s=%q is not in %q", k, v, attrs)
				}
			}
		})
	})
}
