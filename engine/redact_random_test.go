package engine_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"math/rand"
	"net/url"
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/seclabel/seclabel/engine"
)

// docGen builds random FHIR documents from parts that carry labels where
// labels go (resource meta, inline on objects and on primitives through
// _x, contained resources, DocumentReference.securityLabel, nested Bundles
// and Parameters) and that point at each other in every form (relative,
// absolute, urn:uuid, #id, and names in free text and narrative). Random
// bytes rarely make such structure; the checker's verdict is the oracle.
type docGen struct {
	rng  *rand.Rand
	seq  int
	refs []string    // forms of reference to resources made so far
	ids  [][2]string // identifiers of resources made so far (system, value)
}

var (
	genConf  = []string{"U", "L", "M", "N", "R", "V", "X", "r"}
	genSens  = []string{"HIV", "SUD", "OPIOIDUD", "MH", "ETH", "SEX", "STD", "DEMO", "PSY"}
	genOther = [][2]string{{sysAct, "TREAT"}, {sysAct, "HRESCH"}, {sysAct, "CTCOMPT"}, {sysAct, "RESCOMPT"}, {sysAct, "42CFRPart2"},
		{sysAct, "NORDSCLCD"}, {"http://example.org/labels", "X1"}, {"http://terminology.hl7.org/CodeSystem/v3-ObservationValue", "REDACTED"}}
)

func (g *docGen) chance(n int) bool { return g.rng.Intn(n) == 0 }

// label is one security Coding, now and then malformed.
func (g *docGen) label() any {
	switch g.rng.Intn(10) {
	case 0, 1, 2:
		return map[string]any{"system": sysConf, "code": genConf[g.rng.Intn(len(genConf))]}
	case 3:
		o := genOther[g.rng.Intn(len(genOther))]
		return map[string]any{"system": o[0], "code": o[1]}
	case 4:
		if g.chance(4) {
			return map[string]any{"code": "HIV"} // no system
		}
	}
	return map[string]any{"system": sysAct, "code": genSens[g.rng.Intn(len(genSens))]}
}

// tags is a meta.tag: labels put there by mistake, and the tags the
// standards and workflows put there.
func (g *docGen) tags() []any {
	var out []any
	for i := 1 + g.rng.Intn(2); i > 0; i-- {
		switch g.rng.Intn(5) {
		case 0:
			out = append(out, map[string]any{"system": sysConf, "code": genConf[g.rng.Intn(len(genConf))]})
		case 1:
			out = append(out, map[string]any{"system": sysAct, "code": genSens[g.rng.Intn(len(genSens))]})
		case 2:
			out = append(out, map[string]any{"system": sysObs, "code": "SUBSETTED"})
		case 3:
			out = append(out, map[string]any{"system": sysPOU, "code": "HTEST"})
		default:
			out = append(out, map[string]any{"system": "http://example.org/workflow", "code": "HIV"})
		}
	}
	return out
}

func (g *docGen) labels(max int) []any {
	var out []any
	for i := g.rng.Intn(max + 1); i > 0; i-- {
		out = append(out, g.label())
	}
	return out
}

func (g *docGen) inline() map[string]any {
	return map[string]any{"url": inlineURL, "valueCoding": g.label()}
}

// maybeInline adds inline labels to an object element.
func (g *docGen) maybeInline(o map[string]any) map[string]any {
	if g.chance(5) {
		o["extension"] = []any{g.inline()}
	}
	return o
}

// text is a string that may name another resource.
func (g *docGen) text() string {
	if len(g.refs) > 0 && g.chance(3) {
		return fmt.Sprintf("see %s.", g.refs[g.rng.Intn(len(g.refs))])
	}
	return []string{"stable", "follow up", "reviewed", ""}[g.rng.Intn(4)]
}

func (g *docGen) reference() map[string]any {
	if len(g.ids) > 0 && g.chance(5) {
		// A logical reference, by identifier alone; now and then without
		// the system.
		x := g.ids[g.rng.Intn(len(g.ids))]
		idf := map[string]any{"system": x[0], "value": x[1]}
		if g.chance(3) {
			delete(idf, "system")
		}
		if g.chance(3) {
			// A conditional reference, as a transaction may write one.
			tok := x[1]
			if g.chance(2) {
				tok = url.QueryEscape(x[0] + "|" + x[1])
			}
			return map[string]any{"reference": "Observation?identifier=" + tok}
		}
		return g.maybeInline(map[string]any{"identifier": idf, "display": g.text()})
	}
	if len(g.refs) == 0 || g.chance(4) {
		return g.maybeInline(map[string]any{"display": "someone"})
	}
	ref := g.maybeInline(map[string]any{"reference": g.anyRef(), "display": g.text()})
	if g.chance(5) {
		// An extension about the reference, which masking must not keep.
		ext, _ := ref["extension"].([]any)
		ref["extension"] = append(ext, map[string]any{"url": "http://example.org/reference-note", "valueString": g.text()})
	}
	return ref
}

// anyRef is one of the references made so far, now and then naming a
// version of a Type/id one.
func (g *docGen) anyRef() string {
	r := g.refs[g.rng.Intn(len(g.refs))]
	if g.chance(5) && !strings.HasPrefix(r, "urn:") {
		r += "/_history/1"
	}
	return r
}

// primitive sets name on o, with inline labels on its _name sibling now
// and then, and now and then a _name of the wrong shape.
func (g *docGen) primitive(o map[string]any, name string, v any) {
	o[name] = v
	switch g.rng.Intn(12) {
	case 0:
		o["_"+name] = map[string]any{"extension": []any{g.inline()}}
	case 1:
		o["_"+name] = "odd"
	}
}

func (g *docGen) resource(depth int) (map[string]any, string) {
	g.seq++
	id := fmt.Sprintf("r%d", g.seq)
	types := []string{"Observation", "Condition", "Patient", "DocumentReference", "Provenance", "List", "Encounter", "Questionnaire", "Binary", "AuditEvent"}
	if depth < 2 {
		types = append(types, "Bundle", "Parameters")
	}
	typ := types[g.rng.Intn(len(types))]
	if typ == "Bundle" {
		return g.bundle(depth+1, []string{"collection", "searchset", "document", "transaction"}[g.rng.Intn(4)]), typ + "/" + id
	}
	r := map[string]any{"resourceType": typ, "id": id}
	if typ == "Binary" {
		// Only content: no narrative, extensions or contained resources;
		// its sensitivity may be another resource's (securityContext).
		r["contentType"], r["data"] = "text/plain", "SElWIHBvc2l0aXZl"
		if ls := g.labels(2); len(ls) > 0 {
			r["meta"] = map[string]any{"security": ls}
		}
		if g.chance(2) {
			r["securityContext"] = g.reference()
		}
		return r, typ + "/" + id
	}
	if typ != "Parameters" && g.chance(3) {
		x := [2]string{"urn:example:ids", "ID-" + id}
		if g.chance(4) {
			x[0] = "urn:example:other"
		}
		r["identifier"] = []any{map[string]any{"system": x[0], "value": x[1]}}
		g.ids = append(g.ids, x)
	}
	if ls := g.labels(3); len(ls) > 0 || g.chance(3) {
		r["meta"] = map[string]any{"security": ls}
	}
	if g.chance(5) {
		m, _ := r["meta"].(map[string]any)
		if m == nil {
			m = map[string]any{}
			r["meta"] = m
		}
		m["tag"] = g.tags()
	}
	if g.chance(3) {
		div := fmt.Sprintf(`<div xmlns="http://www.w3.org/1999/xhtml">%s</div>`, g.text())
		if len(g.refs) > 0 && g.chance(3) {
			div = fmt.Sprintf(`<div xmlns="http://www.w3.org/1999/xhtml"><a href="%s">link</a></div>`, g.refs[g.rng.Intn(len(g.refs))])
		}
		r["text"] = map[string]any{"status": "generated", "div": div}
	}
	switch typ {
	case "Observation", "Condition", "Encounter":
		code := g.maybeInline(map[string]any{"text": g.text()})
		if g.chance(2) {
			codes := [][2]string{{"http://snomed.info/sct", "86406008"}, {"http://loinc.org", "20447-9"}, {"http://hl7.org/fhir/sid/icd-10-cm", "F10.20"},
				{"http://snomed.info/sct", "38341003"}, {"http://hl7.org/fhir/sid/icd-10-cm", "A54.9"}}
			c := codes[g.rng.Intn(len(codes))]
			code["coding"] = []any{map[string]any{"system": c[0], "code": c[1]}}
		}
		if g.chance(8) {
			r["modifierExtension"] = []any{g.maybeInline(map[string]any{"url": "http://example.org/m", "valueBoolean": true})}
		}
		r["code"] = code
		if typ == "Observation" {
			g.primitive(r, "status", "final")
			g.primitive(r, "valueString", g.text())
			r["note"] = []any{g.maybeInline(map[string]any{"text": g.text()})}
		}
		r["subject"] = g.reference()
		if g.chance(2) {
			r["extension"] = []any{map[string]any{"url": "http://example.org/x", "valueReference": g.reference()}}
		}
	case "Patient":
		name := map[string]any{"family": "Doe"}
		given := []any{"Ann", "Lee"}
		name["given"] = given
		switch g.rng.Intn(4) {
		case 0:
			name["_given"] = []any{nil, map[string]any{"extension": []any{g.inline()}}}
		case 1:
			name["_given"] = []any{map[string]any{"extension": []any{g.inline()}}}
		}
		r["name"] = []any{g.maybeInline(name)}
		g.primitive(r, "birthDate", "1970-01-01")
	case "DocumentReference":
		g.primitive(r, "status", "current")
		if g.chance(2) {
			r["securityLabel"] = []any{map[string]any{"coding": g.labels(2)}}
		}
		r["content"] = []any{map[string]any{"attachment": g.maybeInline(map[string]any{"contentType": "text/plain", "url": g.text()})}}
	case "AuditEvent":
		// Each entity points at one resource and describes it: it goes
		// whole with what it points at.
		r["type"], r["recorded"] = map[string]any{"code": "rest"}, "2020-01-01T00:00:00Z"
		r["agent"] = []any{map[string]any{"requestor": true, "who": map[string]any{"display": "x"}}}
		r["source"] = map[string]any{"observer": map[string]any{"display": "x"}}
		var ents []any
		for i := g.rng.Intn(3) + 1; i > 0; i-- {
			ents = append(ents, map[string]any{"what": g.reference(), "name": g.text()})
		}
		r["entity"] = ents
	case "Questionnaire":
		// Referred to by its canonical url too, with or without a version.
		url := "http://example.org/fhir/Questionnaire/q-" + id
		r["url"], r["status"] = url, "active"
		g.refs = append(g.refs, url, url+"|1")
	case "Provenance", "List":
		var items []any
		for i := g.rng.Intn(3) + 1; i > 0; i-- {
			if typ == "List" {
				items = append(items, map[string]any{"item": g.reference()})
			} else {
				items = append(items, g.reference())
			}
		}
		if typ == "List" {
			r["status"], r["mode"], r["entry"] = "current", "working", items
			if g.chance(2) {
				r["title"], r["code"] = g.text(), map[string]any{"text": g.text()}
			}
		} else {
			r["target"], r["recorded"], r["agent"] = items, "2020-01-01T00:00:00Z", []any{map[string]any{"who": g.reference()}}
		}
	case "Parameters":
		delete(r, "meta")
		var ps []any
		for i := g.rng.Intn(3) + 1; i > 0; i-- {
			ps = append(ps, g.parameter(depth, 0))
		}
		r["parameter"] = ps
	}
	if depth < 2 && g.chance(40) {
		// A resource where R4 holds none: in an element R4 does not
		// define, or in a parameter that is not an array.
		inner, _ := g.resource(depth + 1)
		if typ == "Parameters" && g.chance(2) {
			r["parameter"] = map[string]any{"name": "p", "resource": inner}
		} else {
			r["relatedRecord"] = inner
		}
	}
	if g.chance(5) {
		c := map[string]any{"resourceType": "Observation", "id": "c1", "status": "final", "code": map[string]any{"text": g.text()}}
		if g.chance(2) {
			c["text"] = map[string]any{"status": "generated", "div": `<div xmlns="http://www.w3.org/1999/xhtml">` + g.text() + `</div>`}
			g.primitive(c, "valueString", g.text())
		}
		if ls := g.labels(2); len(ls) > 0 {
			c["meta"] = map[string]any{"security": ls}
		}
		if g.chance(4) {
			m, _ := c["meta"].(map[string]any)
			if m == nil {
				m = map[string]any{}
				c["meta"] = m
			}
			m["tag"] = g.tags()
		}
		r["contained"] = []any{c}
		r["focus"] = []any{map[string]any{"reference": "#c1"}}
	}
	// Inline labels on the resource itself and in its meta: on meta, on
	// one of its labels, on its versionId.
	if g.chance(10) {
		ext, _ := r["extension"].([]any)
		r["extension"] = append(ext, g.inline())
	}
	if m, _ := r["meta"].(map[string]any); m != nil && g.chance(6) {
		switch g.rng.Intn(3) {
		case 0:
			m["extension"] = []any{g.inline()}
		case 1:
			if ls, _ := m["security"].([]any); len(ls) > 0 {
				if c, ok := ls[0].(map[string]any); ok {
					c["extension"] = []any{g.inline()}
				}
			}
		default:
			m["versionId"], m["_versionId"] = "1", map[string]any{"extension": []any{g.inline()}}
		}
	}
	return r, typ + "/" + id
}

func (g *docGen) bundle(depth int, typ string) map[string]any {
	g.seq++
	b := map[string]any{"resourceType": "Bundle", "id": fmt.Sprintf("b%d", g.seq), "type": typ}
	if g.chance(3) {
		b["meta"] = map[string]any{"security": g.labels(2)}
	}
	var entries []any
	if typ == "message" {
		// The header's focus names entries made after it: references
		// forward as well as back.
		head := map[string]any{"resourceType": "MessageHeader", "id": fmt.Sprintf("mh%d", g.seq), "eventCoding": map[string]any{"code": "x"},
			"source": map[string]any{"endpoint": "urn:x"}}
		if ls := g.labels(1); len(ls) > 0 {
			head["meta"] = map[string]any{"security": ls}
		}
		entries = append(entries, map[string]any{"fullUrl": "urn:uuid:head", "resource": head})
		defer func() {
			var focus []any
			for _, r := range g.refs {
				if g.chance(2) {
					focus = append(focus, map[string]any{"reference": r})
				}
			}
			if len(focus) > 0 {
				head["focus"] = focus
			}
		}()
	}
	if typ == "document" {
		comp := map[string]any{"resourceType": "Composition", "id": fmt.Sprintf("comp%d", g.seq), "status": "final", "type": map[string]any{"text": "note"},
			"date": "2020-01-01", "title": "t", "author": []any{map[string]any{"display": "a"}}, "confidentiality": genConf[g.rng.Intn(6)]}
		entries = append(entries, map[string]any{"fullUrl": "urn:uuid:comp", "resource": comp})
		defer func() {
			var secs []any
			for _, r := range g.refs {
				if g.chance(2) {
					sec := g.maybeInline(map[string]any{"title": "s", "entry": []any{map[string]any{"reference": r}},
						"text": map[string]any{"status": "generated", "div": `<div xmlns="http://www.w3.org/1999/xhtml">` + g.text() + `</div>`}})
					if g.chance(4) {
						sec["section"] = []any{g.maybeInline(map[string]any{"title": "sub", "entry": []any{map[string]any{"reference": g.refs[g.rng.Intn(len(g.refs))]}}})}
					}
					secs = append(secs, sec)
				}
			}
			if len(secs) > 0 {
				comp["section"] = secs
			}
		}()
	}
	for i := g.rng.Intn(5) + 1; i > 0; i-- {
		r, ref := g.resource(depth)
		e := map[string]any{"resource": r}
		switch g.rng.Intn(3) {
		case 0:
			g.seq++
			full := fmt.Sprintf("urn:uuid:00000000-0000-4000-8000-%012d", g.seq)
			e["fullUrl"] = full
			g.refs = append(g.refs, full)
		case 1:
			e["fullUrl"] = "https://ehr.example.org/fhir/" + ref
		}
		g.refs = append(g.refs, ref)
		if typ == "searchset" {
			e["search"] = map[string]any{"mode": "match"}
		}
		if typ == "transaction" || typ == "history" {
			e["request"] = g.maybeInline(map[string]any{"method": "PUT", "url": ref})
		}
		if typ == "history" {
			e["response"] = map[string]any{"status": "200"}
			if g.chance(4) {
				// A deletion: no resource.
				delete(e, "resource")
				e["request"] = map[string]any{"method": "DELETE", "url": ref}
			}
		}
		if typ == "searchset" && g.chance(4) {
			e["search"] = map[string]any{"mode": "include"}
		}
		if typ == "history" && len(entries) > 0 && g.chance(3) {
			// Another version of an earlier entry's resource, labeled
			// anew: a resource goes in every version when one must.
			pe := entries[g.rng.Intn(len(entries))].(map[string]any)
			if prev, ok := pe["resource"].(map[string]any); ok && prev["resourceType"] != "Bundle" {
				v := maps.Clone(prev)
				v["meta"] = map[string]any{"security": g.labels(2)}
				e["resource"] = v
				delete(e, "fullUrl")
				if fu, ok := pe["fullUrl"]; ok {
					e["fullUrl"] = fu
				}
			}
		}
		if typ == "batch" && g.chance(3) {
			o := map[string]any{"resourceType": "OperationOutcome", "issue": []any{map[string]any{"severity": "error", "code": "invalid", "diagnostics": g.text()}}}
			if ls := g.labels(2); len(ls) > 0 {
				o["meta"] = map[string]any{"security": ls}
			}
			e["response"] = map[string]any{"status": "400", "outcome": o}
		}
		entries = append(entries, e)
	}
	// Now and then a reference to any entry, one made later included: in
	// an extension, as a Binary's securityContext, as a document's
	// attachment.
	for _, e := range entries {
		r, ok := e.(map[string]any)["resource"].(map[string]any)
		if !ok || len(g.refs) == 0 || !g.chance(4) {
			continue
		}
		switch r["resourceType"] {
		case "Binary":
			r["securityContext"] = map[string]any{"reference": g.anyRef()}
		case "DocumentReference":
			r["content"] = []any{map[string]any{"attachment": map[string]any{"contentType": "text/plain", "url": g.anyRef()}}}
		default:
			if r["extension"] == nil && g.chance(2) {
				r["extension"] = []any{map[string]any{"url": "http://example.org/related", "valueReference": map[string]any{"reference": g.anyRef()}}}
			}
		}
	}
	b["entry"] = entries
	if typ == "searchset" {
		b["total"] = len(entries)
		b["link"] = []any{map[string]any{"relation": "self", "url": "https://ehr.example.org/fhir/" + g.refs[len(g.refs)-1]}}
	}
	return b
}

// Random documents, built to put labels and references everywhere they
// may go, redacted for random recipients: every output holds the security
// property, is sound FHIR, keeps what the recipient may see, and redacts
// to itself again; their high-water mark and labeling hold theirs. SECLABEL_RANDOM_DOCS and SECLABEL_RANDOM_SEED run more
// of them, or others.
func TestRedactionSecurityPropertyRandomDocuments(t *testing.T) {
	n, seed := 3000, int64(7)
	if testing.Short() {
		n = 300
	}
	if v, err := strconv.Atoi(os.Getenv("SECLABEL_RANDOM_DOCS")); err == nil {
		n = v
	}
	if v, err := strconv.ParseInt(os.Getenv("SECLABEL_RANDOM_SEED"), 10, 64); err == nil {
		seed = v
	}
	e, _ := engine.New(engine.Options{})
	rng := rand.New(rand.NewSource(seed))
	for i := 0; i < n; i++ {
		g := &docGen{rng: rng}
		var doc any
		if g.chance(4) {
			doc, _ = g.resource(0)
		} else {
			doc = g.bundle(0, []string{"collection", "searchset", "document", "transaction", "batch", "message", "history"}[rng.Intn(7)])
		}
		in, err := json.Marshal(doc)
		if err != nil {
			t.Fatal(err)
		}
		name := fmt.Sprintf("random document %d (seed %d)", i, seed)
		for k := 0; k < 3; k++ {
			redactChecked(t, e, randomRecipient(rng), name, in)
		}
		// The high-water mark and labeling hold their properties on the
		// same documents.
		m, err := e.HWM(context.Background(), in)
		if err != nil {
			t.Fatalf("%s: hwm: %v", name, err)
		}
		if err := checkMark(m.Resource); err != nil {
			t.Fatalf("%s: %v\ninput: %.600s", name, err, in)
		}
		if again, err := e.HWM(context.Background(), m.Resource); err != nil || !bytes.Equal(again.Resource, m.Resource) {
			t.Fatalf("%s: hwm is not idempotent (%v)", name, err)
		}
		checkLabel(t, e, name, in)
	}
}

// parameter is one parameter of a Parameters at depth: a resource, a value
// or (up to two levels down) parts, some of which hold resources, so
// redaction may take every part of a parameter.
func (g *docGen) parameter(depth, level int) map[string]any {
	p := map[string]any{"name": "p"}
	switch {
	case level < 2 && g.chance(3):
		var parts []any
		for i := g.rng.Intn(2) + 1; i > 0; i-- {
			parts = append(parts, g.parameter(depth, level+1))
		}
		p["part"] = parts
		if g.chance(3) {
			p["valueString"] = g.text()
		}
	case g.chance(2):
		inner, _ := g.resource(depth + 1)
		p["resource"] = inner
	default:
		p["valueString"] = g.text()
	}
	return g.maybeInline(p)
}
