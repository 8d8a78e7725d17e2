package engine

import (
	"github.com/seclabel/seclabel/engine/internal/vocab"
	"github.com/seclabel/seclabel/internal/jsonx"
)

// auditEvent describes a redaction's disclosure as a FHIR R4 AuditEvent: an
// export to the recipient, for the purpose of use, naming every released
// resource with its security labels and counting what was withheld.
func (s *state) auditEvent(d *jsonx.Doc, n jsonx.Node, released []byte) []byte {
	var w jsonx.Writer
	w.BeginObject()
	w.KV("resourceType", "AuditEvent")
	w.Key("type")
	w.BeginObject()
	w.KV("system", "http://dicom.nema.org/resources/ontology/DCM")
	w.KV("code", "110106")
	w.KV("display", "Export")
	w.EndObject()
	w.KV("action", "R")
	w.KV("recorded", s.opts.AuditTime)
	w.KV("outcome", "0")
	if s.access.pou != "" {
		w.Key("purposeOfEvent")
		w.BeginArray()
		w.BeginObject()
		w.Key("coding")
		w.BeginArray()
		w.BeginObject()
		w.KV("system", vocab.ActReason)
		w.KV("code", s.access.pou)
		if info := vocab.Lookup(vocab.ActReason, s.access.pou); info != nil {
			w.KV("display", info.Display)
		}
		w.EndObject()
		w.EndArray()
		w.EndObject()
		w.EndArray()
	}
	w.Key("agent")
	w.BeginArray()
	w.BeginObject()
	w.Key("type")
	w.BeginObject()
	w.Key("coding")
	w.BeginArray()
	w.BeginObject()
	w.KV("system", "http://terminology.hl7.org/CodeSystem/v3-ParticipationType")
	w.KV("code", "IRCP")
	w.KV("display", "information recipient")
	w.EndObject()
	w.EndArray()
	w.EndObject()
	w.Key("requestor")
	w.Bool(true)
	w.EndObject()
	w.EndArray()
	w.Key("source")
	w.BeginObject()
	w.Key("observer")
	w.BeginObject()
	w.KV("display", s.opts.classifierDisplay())
	w.EndObject()
	w.EndObject()
	w.Key("entity")
	w.BeginArray()
	var out jsonx.Doc
	if released != nil && out.Parse(released, s.opts.MaxDepth) == nil {
		entity := func(r jsonx.Node) {
			w.BeginObject()
			w.Key("what")
			w.BeginObject()
			if id := out.Str(out.Get(r, "id")); id != "" {
				w.KV("reference", out.Str(out.Get(r, "resourceType"))+"/"+id)
			} else {
				w.KV("display", out.Str(out.Get(r, "resourceType")))
			}
			w.EndObject()
			if sec := out.Get(out.Get(r, "meta"), "security"); out.Count(sec) > 0 {
				w.Key("securityLabel")
				w.Raw(out.Raw(sec))
			}
			w.EndObject()
		}
		entity(0)
		out.Items(out.Get(0, "entry"), func(_ int, e jsonx.Node) bool {
			if r := out.Get(e, "resource"); out.Kind(r) == jsonx.Object {
				entity(r)
			}
			return true
		})
	}
	w.BeginObject()
	w.KV("description", "withheld")
	w.Key("detail")
	w.BeginArray()
	w.BeginObject()
	w.KV("type", "withheld-resources")
	w.Key("valueString")
	w.String(itoa(len(s.report.Withheld)))
	w.EndObject()
	w.EndArray()
	w.EndObject()
	w.EndArray()
	w.EndObject()
	return w.B
}

func itoa(n int) string {
	var b [20]byte
	i := len(b)
	for {
		i--
		b[i] = byte('0' + n%10)
		n /= 10
		if n == 0 {
			return string(b[i:])
		}
	}
}
