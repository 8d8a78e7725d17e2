package words

import (
	"bytes"
	"strings"
	"testing"
)

func TestFromXHTML(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{`<div xmlns="http://www.w3.org/1999/xhtml"><p>Denies <b>HIV</b> risk.</p><p>Has HIV</p></div>`, "Denies HIV risk.\nHas HIV\n"},
		{`<div>a<span>b</span>c</div>`, "abc\n"},
		{"<div>\n  <p>one\n  two</p>\n</div>", "one two\n"},
		{`a<br/>b<br>c<BR />d`, "a\nb\nc\nd"},
		{`<ul><li>no</li><li>HIV</li></ul>`, "no\nHIV\n"},
		{`<table><tr><th>Test</th><td>HIV</td></tr><tr><td>negative</td></tr></table>`, "Test\nHIV\nnegative\n"},
		{`<h1>T</h1><h6>U</h6><dl><dt>V</dt><dd>W</dd></dl><ol><li>X</li></ol>`, "T\nU\nV\nW\nX\n"},
		{`&amp; &lt;b&gt; &quot;q&quot; &apos;s&apos;`, `& <b> "q" 's'`},
		{`a&nbsp;b`, "a\u00a0b"},
		{`&#72;&#x49;&#X56;&#105;v`, "HIVi" + "v"},
		{`&#72&#x49 V`, "HI V"},
		{`&#0; &#xD800; &#x110000; &#99999999999;`, "\uFFFD \uFFFD \uFFFD \uFFFD"},
		{`&#x4E2D;&#25991;`, "中文"},
		{`a &unknown; &amp b & c &# &#x;`, "a &unknown; &amp b & c &# &#x;"},
		{`a<!-- no HIV -->b`, "ab"},
		{`a<!-- <p>no</p> -->b`, "ab"},
		{`a<!-- unterminated`, "a"},
		{`a<script>if (x < y) { no() }</script>b`, "ab"},
		{`a<style type="text/css">p { color: red }</STYLE>b`, "ab"},
		{`a<SCRIPT>x</sCrIpT >b`, "ab"},
		{`a<script>never closed`, "a"},
		{`a<script/>b`, "ab"},
		{`a<![CDATA[x <y> &amp;]]>b`, "ax <y> &amp;b"},
		{`a<![CDATA[open`, "aopen"},
		{`a<?xml version="1.0"?>b<!DOCTYPE html>c`, "abc"},
		{`<p title="a > b">text</p>`, "text\n"},
		{`<p title='it"s'>text</p>`, "text\n"},
		{`a < b and c<3 and d <`, "a < b and c<3 and d <"},
		{`a </ b`, "a </ b"},
		{`a <p`, "a\n"},
		{`a <p title="x>`, "a\n"},
		{`<p>unclosed <b>bold`, "unclosed bold"},
		{`</p>stray end`, "stray end"},
		{`<xhtml:p>ns</xhtml:p>`, "ns\n"},
		{`<P>Upper</P>`, "Upper\n"},
		{`<p>naïve GONORRHŒA 艾滋病</p>`, "naïve GONORRHŒA 艾滋病\n"},
		{"bad \xff byte", "bad \xff byte"},
		{"", ""},
	} {
		if got := string(FromXHTML(nil, c.in)); got != c.want {
			t.Errorf("FromXHTML(%q) = %q, want %q", c.in, got, c.want)
		}
	}
	// What dst held stays; a block starts a line after it.
	if got := string(FromXHTML([]byte("display "), "<p>text</p>")); got != "display \ntext\n" {
		t.Errorf("FromXHTML after text = %q", got)
	}
	if got := string(FromXHTML([]byte("display"), " text")); got != "display text" {
		t.Errorf("FromXHTML after text = %q", got)
	}
}

// A block boundary in a narrative ends a clause: a negation in one cell does
// not reach the next.
func TestFromXHTMLClauses(t *testing.T) {
	text := string(FromXHTML(nil, `<table><tr><td>No</td><td>HIV</td></tr></table><p>No <i>HIV</i></p>`))
	l, _ := Compile([]Term{{Text: "HIV", ID: 1}})
	var f Finder
	ms := f.Find(l, text, nil)
	if len(ms) != 2 || ms[0].Reason != Kept || ms[1].Reason != Negated {
		t.Errorf("%q: %+v", text, ms)
	}
}

// In XML every tag separates words, and the C-CDA section parts end a
// line; in XHTML an inline tag joins the text around it.
func TestFromXML(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{`<section><title>Problems</title><text>HIV infection</text></section>`, "Problems\nHIV infection\n"},
		{`<x>H<b>IV</b></x>`, "H IV "},
		{`<note>Denies <content styleCode="Bold">drug use</content>.</note>`, "Denies drug use . "},
		{`<list><item>A</item><item>B &amp; C</item></list>`, "A\nB & C\n"},
		{`<?xml version="1.0"?><!-- c --><a><![CDATA[x<y]]></a>`, "x<y "},
	} {
		if got := string(FromXML(nil, c.in)); got != c.want {
			t.Errorf("FromXML(%q) = %q, want %q", c.in, got, c.want)
		}
	}
	if got := string(FromXHTML(nil, `<p>H<b>IV</b></p>`)); got != "HIV\n" {
		t.Errorf("FromXHTML of an inline tag = %q", got)
	}
}

func FuzzFromXHTML(f *testing.F) {
	f.Add(`<div><p>Denies &amp; <b>HIV</b></p><!-- x --><script>y</script></div>`)
	f.Fuzz(func(t *testing.T, x string) {
		got := FromXHTML([]byte("pre"), x)
		if !bytes.HasPrefix(got, []byte("pre")) {
			t.Fatalf("FromXHTML changed dst: %q", got)
		}
		// Text without markup comes through, white space collapsed.
		if !strings.ContainsAny(x, "<&") {
			want := strings.Join(strings.FieldsFunc(x, func(r rune) bool { return strings.ContainsRune(" \t\n\r\f", r) }), " ")
			if got := strings.Trim(string(FromXHTML(nil, x)), " "); got != want {
				t.Errorf("FromXHTML(%q) = %q, want %q", x, got, want)
			}
		}
	})
}
