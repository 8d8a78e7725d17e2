package engine

import (
	"strings"

	"github.com/seclabel/seclabel/internal/jsonx"
)

// Searches: a query names what was looked for. "Condition?patient=p1&
// code=http://snomed.info/sct|86406008" says an HIV condition was searched
// for, and found when the search is a conditional reference's or a
// searchset holds its match; a batch entry "DELETE Observation?code=
// http://loinc.org|25836-8" tells of an HIV test with no resource to carry
// a label. Labeling reads a conditional reference's query as the codes and
// words it names (queryContent). Redaction labels the queries of a
// Bundle's links and its entries' requests with the call's rules, as it
// would a resource that held their codes and words, and judges them for
// the recipient: a link it may not see goes, and an entry whose request it
// may not see is withheld with its resource.

// queryLabels returns the labels the call's rules give the query of URL u,
// nil when it names nothing sensitive (or has no query).
func (s *state) queryLabels(u string) []label {
	body := queryResource(u)
	if body == nil {
		return nil
	}
	opts := *s.opts
	opts.LabelAll, opts.TextElementOnly, opts.BundleHighWaterMark, opts.TextMatch = false, false, false, TextAuto
	labeled, err := labeledWith(body, &opts)
	if err != nil || labeled == nil {
		return nil
	}
	var d jsonx.Doc
	if d.Parse(labeled, 16) != nil {
		return nil
	}
	return appendCodings(&d, d.Get(d.Get(0, "meta"), "security"), srcMeta, nil)
}

// labeledWith labels src, a resource or Bundle, with opts (their rules
// included) in a state of its own, the calling one holding what it works
// on, and returns the result.
func labeledWith(src []byte, opts *Options) ([]byte, error) {
	o := *opts
	o.OmitReport, o.Audit = true, false
	q := &state{}
	q.reset(&o)
	q.keepUnwritable = true // what redaction cannot read, it withholds
	if err := q.parse(src); err != nil {
		return nil, err
	}
	q.readFrom(&q.doc, 0)
	var res Result
	if err := runLabel(q, &q.doc, 0, q.doc.Str(q.doc.Get(0, "resourceType")), &res); err != nil {
		return nil, err
	}
	if q.refused != nil {
		return nil, q.refused
	}
	return res.Resource, nil
}

// queryDenied reports whether the query of URL u names what the recipient
// may not see.
func (s *state) queryDenied(u string) bool {
	ls := s.queryLabels(u)
	if ls == nil {
		return false
	}
	_, reason := s.judgeAs(ls, "", true)
	return reason != ""
}

// bareCodeSystems are the systems a code given without one is looked up
// in: a token search without a system matches a code of any.
var bareCodeSystems = strings.Fields(`http://snomed.info/sct http://hl7.org/fhir/sid/icd-10-cm
http://hl7.org/fhir/sid/icd-10 http://loinc.org http://www.nlm.nih.gov/research/umls/rxnorm
http://www.ama-assn.org/go/cpt http://hl7.org/fhir/sid/icd-9-cm`)

// queryContent reads query q, held by the object v at suffix (a
// conditional reference's, an audited search's), as the codes and words it
// names.
func (sc *scanner) queryContent(q, typ string, depth int, suffix string, v jsonx.Node, contained bool) {
	sc.codeAt = suffix
	defer func() { sc.codeAt = "" }()
	queryTerms(q, func(system, code string) {
		sys, x := sc.system(system)
		sc.coding(sys, x, code, typ, depth, contained)
	}, func(t string) {
		if sc.s.opts.TextMatch != TextOff {
			sc.readText(t, typ, depth, suffix, textSpot{el: v}, contained)
		}
	})
}

// queryTerms calls code for each code the query q names (system|code, or
// a code alone in a parameter that takes codes, once per system of
// bareCodeSystems) and text for each run of words it searches for (_text,
// _content, the :text modifier).
func queryTerms(q string, code func(system, code string), text func(string)) {
	q, _, _ = strings.Cut(q, "#")
	for _, part := range strings.Split(q, "&") {
		name, val, _ := strings.Cut(part, "=")
		name, val = unescapeQuery(name), unescapeQuery(val)
		base, mod := searchParam(name)
		if base == "_filter" {
			filterTerms(val, code, text)
			continue
		}
		if strings.HasSuffix(base, "identifier") || base == "_id" {
			// An identifier names a record, not what it holds: the
			// conditional creates and references of a transaction, by
			// the thousand, are searches by identifier.
			continue
		}
		if mod == "text" || base == "_text" || base == "_content" {
			if val != "" {
				text(val)
			}
			continue
		}
		for _, tok := range strings.Split(val, ",") {
			system, c, hasSystem := strings.Cut(tok, "|")
			if !hasSystem {
				system, c = "", tok
			}
			switch {
			case system != "" && c != "":
				code(system, c)
			case c != "" && codeParam(base):
				for _, sys := range bareCodeSystems {
					code(sys, c)
				}
			}
		}
	}
}

// searchParam splits a query parameter's name into the parameter that
// reads the value and its modifier. A reverse chain
// (_has:Condition:patient:code) and a forward chain
// (subject:Patient.general-practitioner.name, encounter.reason-code:text)
// end with the parameter of the resource searched through, which says
// what the value is: a code of the Condition the patient has is still a
// code.
func searchParam(name string) (base, mod string) {
	for {
		// _has:Type:reference:parameter[:modifier], the parameter itself
		// maybe another _has
		rest, ok := strings.CutPrefix(name, "_has:")
		if !ok {
			break
		}
		parts := strings.SplitN(rest, ":", 3)
		if len(parts) < 3 {
			return name, ""
		}
		name = parts[2]
	}
	if i := strings.LastIndexByte(name, '.'); i >= 0 {
		name = name[i+1:]
	}
	base, mod, _ = strings.Cut(name, ":")
	return base, mod
}

// filterTerms reads a _filter expression (code eq http://snomed.info/sct|86406008
// and value-string co "HIV"): each system|code token is a code, a token
// that follows a code parameter and its operator is a code of every major
// system, and each quoted string is words searched for.
func filterTerms(f string, code func(system, code string), text func(string)) {
	var toks []string
	for f != "" {
		f = strings.TrimLeft(f, " ()")
		if f == "" {
			break
		}
		if f[0] == '"' {
			end := strings.IndexByte(f[1:], '"')
			if end < 0 {
				end = len(f) - 1
			}
			if t := f[1 : 1+end]; t != "" {
				text(t)
			}
			f = f[min(len(f), end+2):]
			toks = append(toks, "")
			continue
		}
		end := strings.IndexAny(f, " ()")
		if end < 0 {
			end = len(f)
		}
		toks = append(toks, f[:end])
		f = f[end:]
	}
	for i, t := range toks {
		system, c, hasSystem := strings.Cut(t, "|")
		switch {
		case hasSystem && system != "" && c != "":
			code(system, c)
		case !hasSystem && t != "" && i >= 2 && codeParam(toks[i-2]):
			for _, sys := range bareCodeSystems {
				code(sys, t)
			}
		}
	}
}

// queryResource writes, for the query of URL u, a Basic whose code holds
// the codes the query names and whose extension holds the words it
// searches for; nil when it names neither.
func queryResource(u string) []byte {
	i := strings.IndexByte(u, '?')
	if i < 0 {
		return nil
	}
	var w jsonx.Writer
	var text []string
	codings := 0
	w.BeginObject()
	w.KV("resourceType", "Basic")
	w.Key("code")
	w.BeginObject()
	w.Key("coding")
	w.BeginArray()
	coding := func(system, code string) {
		w.BeginObject()
		w.KV("system", system)
		w.KV("code", code)
		w.EndObject()
		codings++
	}
	queryTerms(u[i+1:], coding, func(t string) { text = append(text, t) })
	w.EndArray()
	w.EndObject()
	if len(text) > 0 {
		w.Key("extension")
		w.BeginArray()
		for _, t := range text {
			w.BeginObject()
			w.KV("url", "urn:seclabel:query-text")
			w.KV("valueString", t)
			w.EndObject()
		}
		w.EndArray()
	}
	w.EndObject()
	if codings == 0 && len(text) == 0 {
		return nil
	}
	return w.B
}

// codeParam reports whether the search parameter named base takes codes
// (code, reason-code, value-concept, category, ...), so that a value
// without a system is looked up as a code.
func codeParam(base string) bool {
	return strings.Contains(base, "code") || strings.Contains(base, "concept") || among(base, "category type class evidence ")
}

// unescapeQuery decodes a query's plus signs (spaces) and percent escapes.
func unescapeQuery(s string) string {
	return percentDecoded(strings.ReplaceAll(s, "+", " "))
}

// requestJudged judges the query of an entry's request (its url, and the
// search of a conditional create, ifNoneExist) for the recipient, as the
// resource of type typ: the labels that forbid it and why, nil when none.
func (s *state) requestJudged(d *jsonx.Doc, req jsonx.Node, typ string) ([]label, string) {
	if d.Kind(req) != jsonx.Object {
		return nil, ""
	}
	ls := s.queryLabels(d.Str(d.Get(req, "url")))
	if c := d.Get(req, "ifNoneExist"); d.IsStr(c) {
		ls = append(ls, s.queryLabels("?"+d.Str(c))...)
	}
	if ls == nil {
		return nil, ""
	}
	return s.judgeAs(ls, typ, true)
}
