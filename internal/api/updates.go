package api

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/url"
	"reflect"
	"strconv"

	"github.com/seclabel/seclabel/internal/jsonx"
)

// updates answers what labeling changed as a Bundle of type typ (batch or
// transaction) with one entry per resource whose bytes changed, in input
// order: with metaAdd, a POST of [type]/[id]/$meta-add carrying the labels
// added (FHIR's $meta-add adds them without a new version of the
// resource), else a PUT of the whole labeled resource. A resource is PUT
// even with metaAdd when $meta-add cannot say what changed: labeling
// changed more than meta.security (inline labels, the 42 CFR 2.32 notice
// on meta), or replaced a label it had (a confidentiality raised), which
// $meta-add, adding only, would leave beside the new one. A resource
// without an id is PUT by its first identifier (a conditional update);
// one with neither fails the whole request, so no partial answer is sent.
func updates(orig, labeled []byte, typ string, metaAdd bool) ([]byte, error) {
	var od, ld jsonx.Doc
	if err := od.Parse(orig, 1000); err != nil {
		return nil, err
	}
	if err := ld.Parse(labeled, 1000); err != nil {
		return nil, err
	}
	type change struct {
		where        string
		o, n         jsonx.Node
		fullURL      []byte // the entry's fullUrl, JSON
		origRaw, raw []byte
	}
	var changes []change
	if od.Str(od.Get(0, "resourceType")) == "Bundle" {
		oe, le := od.Get(0, "entry"), ld.Get(0, "entry")
		if od.Count(oe) != ld.Count(le) {
			return nil, &apiError{status: http.StatusInternalServerError, code: "internal", msg: "labeling changed the number of entries"}
		}
		for i := 0; i < od.Count(oe); i++ {
			oEntry, lEntry := od.Index(oe, i), ld.Index(le, i)
			o, n := od.Get(oEntry, "resource"), ld.Get(lEntry, "resource")
			if o < 0 || bytes.Equal(od.Raw(o), ld.Raw(n)) {
				continue
			}
			changes = append(changes, change{"Bundle.entry[" + strconv.Itoa(i) + "].resource", o, n,
				od.Raw(od.Get(oEntry, "fullUrl")), od.Raw(o), ld.Raw(n)})
		}
	} else if !bytes.Equal(orig, labeled) {
		changes = append(changes, change{od.Str(od.Get(0, "resourceType")), 0, 0, nil, orig, labeled})
	}
	var w jsonx.Writer
	w.BeginObject()
	w.KV("resourceType", "Bundle")
	w.KV("type", typ)
	if len(changes) > 0 {
		w.Key("entry")
		w.BeginArray()
	}
	for _, c := range changes {
		rt, id := ld.Str(ld.Get(c.n, "resourceType")), ld.Str(ld.Get(c.n, "id"))
		target := rt + "/" + id
		if id == "" {
			q := identifierQuery(&ld, c.n)
			if q == "" {
				return nil, &apiError{status: http.StatusUnprocessableEntity, code: codeInvalidRequest,
					msg: c.where + " (" + rt + ") has neither an id nor an identifier, so no update can name it"}
			}
			target = rt + "?identifier=" + url.QueryEscape(q)
		}
		w.BeginObject()
		if added, ok := addedLabels(c.origRaw, c.raw); metaAdd && id != "" && ok {
			w.Key("resource")
			beginParameters(&w)
			beginPart(&w, "meta")
			w.Key("valueMeta")
			w.BeginObject()
			w.Key("security")
			w.BeginArray()
			for _, l := range added {
				w.Raw(l)
			}
			w.EndArray()
			w.EndObject()
			w.EndObject()
			w.EndArray()
			w.EndObject()
			w.Key("request")
			w.BeginObject()
			w.KV("method", "POST")
			w.KV("url", target+"/$meta-add")
			w.EndObject()
		} else {
			if c.fullURL != nil {
				w.Key("fullUrl")
				w.Raw(c.fullURL)
			}
			w.Key("resource")
			w.Raw(c.raw)
			w.Key("request")
			w.BeginObject()
			w.KV("method", "PUT")
			w.KV("url", target)
			w.EndObject()
		}
		w.EndObject()
	}
	if len(changes) > 0 {
		w.EndArray()
	}
	w.EndObject()
	return w.B, nil
}

// identifierQuery is the token search value of the resource's first
// identifier with a value: system|value, or the value alone.
func identifierQuery(d *jsonx.Doc, n jsonx.Node) string {
	q := ""
	d.Items(d.Get(n, "identifier"), func(_ int, id jsonx.Node) bool {
		v := d.Str(d.Get(id, "value"))
		if v == "" {
			return true
		}
		q = v
		if s := d.Str(d.Get(id, "system")); s != "" {
			q = s + "|" + v
		}
		return false
	})
	return q
}

// label is one meta.security item, as written and as read.
type label struct {
	raw json.RawMessage
	v   any
}

// addedLabels returns the labels labeled carries beyond orig, when
// nothing else differs and every label of orig is kept as it was.
func addedLabels(orig, labeled []byte) ([]json.RawMessage, bool) {
	oRest, oSec, ok1 := splitSecurity(orig)
	nRest, nSec, ok2 := splitSecurity(labeled)
	if !ok1 || !ok2 || !reflect.DeepEqual(oRest, nRest) {
		return nil, false
	}
	has := func(list []label, l label) bool {
		for _, x := range list {
			if reflect.DeepEqual(x.v, l.v) {
				return true
			}
		}
		return false
	}
	for _, l := range oSec {
		if !has(nSec, l) {
			return nil, false
		}
	}
	var added []json.RawMessage
	for _, l := range nSec {
		if !has(oSec, l) {
			added = append(added, l.raw)
		}
	}
	return added, len(added) > 0
}

// splitSecurity reads a resource as its content without meta.security (a
// meta left empty dropped) and its security labels.
func splitSecurity(b []byte) (rest map[string]any, sec []label, ok bool) {
	if decode(b, &rest) != nil {
		return nil, nil, false
	}
	var top struct {
		Meta struct {
			Security []json.RawMessage `json:"security"`
		} `json:"meta"`
	}
	if json.Unmarshal(b, &top) != nil {
		return nil, nil, false
	}
	for _, raw := range top.Meta.Security {
		var v any
		if decode(raw, &v) != nil {
			return nil, nil, false
		}
		sec = append(sec, label{raw, v})
	}
	if meta, isMap := rest["meta"].(map[string]any); isMap {
		delete(meta, "security")
		if len(meta) == 0 {
			delete(rest, "meta")
		}
	}
	return rest, sec, true
}

// decode reads JSON keeping numbers as written, so that 1.0 and 1 differ
// as they do in the bytes.
func decode(b []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	return dec.Decode(v)
}
