package engine

import (
	"strings"

	"github.com/seclabel/seclabel/internal/jsonx"
)

// xmlCodes looks up the codes an XML attachment holds in attributes, which
// reading it for words leaves out with its tags: a C-CDA entry's code and
// codeSystem (an OID; its translations too), and a FHIR resource written
// in XML, whose Codings hold their system and code in value attributes. A
// C-CDA section names its entries in its text as a rule, but the entries
// are the record, and a resource in XML has no text but what its elements
// say. Hits label the resource and the attachment el (when it is an
// element), as words in it do.
func (sc *scanner) xmlCodes(t, typ string, depth int, el jsonx.Node, contained bool) {
	before := len(sc.p.matches)
	sc.codeAt = ".data"
	look := func(system, code string) {
		// Both may alias the decoded attachment, which the next one
		// overwrites: the system cache and the report keep them.
		sys, x := sc.system(strings.Clone(system))
		sc.coding(sys, x, strings.Clone(code), typ, depth, contained)
	}
	fhirSystem := "" // the system of the FHIR Coding being read
	eachXMLTag(t, func(name, attrs string) {
		if i := strings.IndexByte(name, ':'); i >= 0 {
			name = name[i+1:]
		}
		switch name {
		case "coding":
			fhirSystem = ""
		case "system":
			if v, ok := xmlAttr(attrs, "value"); ok {
				fhirSystem = v
			}
		case "code":
			if v, ok := xmlAttr(attrs, "value"); ok && fhirSystem != "" {
				look(fhirSystem, v)
				fhirSystem = ""
				return
			}
		}
		if code, ok := xmlAttr(attrs, "code"); ok && code != "" {
			if oid, ok := xmlAttr(attrs, "codeSystem"); ok && oid != "" {
				look("urn:oid:"+oid, code)
			}
		}
	})
	sc.codeAt = ""
	sc.onAttachment(before, el, contained)
}

// eachXMLTag calls f with the name and the attribute text of every start
// (or empty-element) tag of t, skipping comments, CDATA, declarations and
// processing instructions. It reads markup, not a tree: unbalanced or
// malformed XML is read as far as it goes.
func eachXMLTag(t string, f func(name, attrs string)) {
	for i := 0; i < len(t); {
		j := strings.IndexByte(t[i:], '<')
		if j < 0 {
			return
		}
		i += j + 1
		closing := "" // what ends a comment or a CDATA section, which hold no tags
		switch {
		case strings.HasPrefix(t[i:], "!--"):
			closing = "-->"
		case strings.HasPrefix(t[i:], "![CDATA["):
			closing = "]]>"
		case i < len(t) && (t[i] == '/' || t[i] == '?' || t[i] == '!'):
			continue
		}
		if closing != "" {
			k := strings.Index(t[i:], closing)
			if k < 0 {
				return
			}
			i += k + len(closing)
			continue
		}
		k := i
		for k < len(t) && !xmlSpace(t[k]) && t[k] != '>' && t[k] != '/' {
			k++
		}
		// The tag ends at the first '>' outside a quoted value.
		end, quote := k, byte(0)
		for ; end < len(t); end++ {
			c := t[end]
			if quote != 0 {
				if c == quote {
					quote = 0
				}
			} else if c == '"' || c == '\'' {
				quote = c
			} else if c == '>' {
				break
			}
		}
		if k > i {
			f(t[i:k], t[k:end])
		}
		i = end + 1
	}
}

// xmlAttr returns the value of attribute key in a tag's attribute text,
// undecoded (codes and OIDs hold no entities).
func xmlAttr(attrs, key string) (string, bool) {
	for i := 0; i < len(attrs); {
		for i < len(attrs) && (xmlSpace(attrs[i]) || attrs[i] == '/') {
			i++
		}
		n := i
		for i < len(attrs) && attrs[i] != '=' && !xmlSpace(attrs[i]) && attrs[i] != '/' {
			i++
		}
		name := attrs[n:i]
		for i < len(attrs) && xmlSpace(attrs[i]) {
			i++
		}
		if i >= len(attrs) || attrs[i] != '=' {
			if i == n {
				i++ // a stray character: step over it
			}
			continue // an attribute without a value
		}
		i++
		for i < len(attrs) && xmlSpace(attrs[i]) {
			i++
		}
		if i >= len(attrs) || attrs[i] != '"' && attrs[i] != '\'' {
			return "", false // malformed: stop reading this tag
		}
		q := attrs[i]
		e := strings.IndexByte(attrs[i+1:], q)
		if e < 0 {
			return "", false
		}
		v := attrs[i+1 : i+1+e]
		i += e + 2
		if name == key {
			return strings.TrimSpace(v), true
		}
	}
	return "", false
}

func xmlSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }
