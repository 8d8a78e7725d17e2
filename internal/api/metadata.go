package api

import (
	"github.com/seclabel/seclabel/engine"
	"github.com/seclabel/seclabel/internal/jsonx"
)

// canonical is the base of the canonical URLs of the API's
// CapabilityStatement and OperationDefinitions.
const canonical = "https://github.com/seclabel/seclabel/fhir"

type param struct {
	name, use string
	min       int
	max, typ  string
	doc       string
	parts     []param
}

type opDef struct {
	code, title, doc string
	params           []param
}

var (
	pResource = param{name: "resource", use: "in", max: "1", typ: "Resource", doc: "the resource or Bundle; a body that is not a Parameters is this parameter"}
	pOptions  = param{name: "options", use: "in", max: "1", typ: "string", doc: "the engine's options as a JSON object (engine/PROTOCOL.md); also the header X-Seclabel-Options"}
	pReport   = param{name: "report", use: "in", max: "1", typ: "boolean", doc: "answer a Parameters with the result and the engine's report; also ?report=true"}
	oReturn   = func(typ, doc string) param {
		return param{name: "return", use: "out", min: 1, max: "1", typ: typ, doc: doc}
	}
	oReport = param{name: "report", use: "out", max: "1", typ: "string", doc: "with report=true: the engine's report and diagnostics, as JSON text"}
)

var opDefs = []opDef{
	{"label", "Label sensitive content", "Finds sensitive content with the server's rule packs and labels it (meta.security, inline labels).", []param{
		pResource, pOptions, pReport,
		{name: "output", use: "in", max: "1", typ: "code", doc: "resource (default): the labeled resource; meta-add: a transaction Bundle of $meta-add (PUT where $meta-add cannot say it); put: a transaction Bundle of PUTs"},
		oReturn("Resource", "the labeled resource or Bundle, a transaction Bundle (output), or a Parameters with report"), oReport}},
	{"hwm", "Write the high-water mark", "Computes the high-water mark of a Bundle or resource and writes it into its meta.security.", []param{
		pResource, pOptions, pReport, oReturn("Resource", "the resource or Bundle with its mark"), oReport}},
	{"redact", "Redact for one recipient", "Cuts a labeled resource or Bundle down to what the recipient the access context describes may see.", []param{
		pResource, pOptions,
		{name: "context", use: "in", max: "1", typ: "string", doc: "the access context as a JSON object; also the header X-Seclabel-Context, or the parts below"},
		{name: "clearance", use: "in", max: "1", typ: "code", doc: "the highest confidentiality the recipient may see"},
		{name: "purposeOfUse", use: "in", max: "1", typ: "code", doc: "the purpose of use (v3-ActReason)"},
		{name: "deny", use: "in", max: "*", typ: "code", doc: "a label the recipient may not see"},
		{name: "allow", use: "in", max: "*", typ: "code", doc: "release sensitive content only with these labels"},
		{name: "compartments", use: "in", max: "*", typ: "code", doc: "a compartment the recipient belongs to"},
		{name: "ignore", use: "in", max: "*", typ: "string", doc: "a label system, or system|code, the recipient ignores"},
		pReport,
		oReturn("Resource", "what is released; an OperationOutcome (issue type suppressed) when the whole resource is withheld"), oReport,
		{name: "audit", use: "out", max: "1", typ: "AuditEvent", doc: "with the option audit: the disclosure"}}},
	{"validate", "Validate security labels", "Checks the security labels of a resource or Bundle.", []param{
		pResource, pOptions, pReport, oReturn("OperationOutcome", "one issue per diagnostic, its code in issue.details.coding"), oReport}},
	{"marks", "List what must be displayed", "Lists what must be shown with each resource: display annotations and mark labels.", []param{
		pResource, pOptions,
		{name: "display", use: "out", max: "*", doc: "one thing to show", parts: []param{
			{name: "location", use: "out", min: 1, max: "1", typ: "string", doc: "where: the resource's location"},
			{name: "kind", use: "out", min: 1, max: "1", typ: "code", doc: "annotation or label"},
			{name: "text", use: "out", max: "1", typ: "string", doc: "what to show"},
			{name: "label", use: "out", max: "1", typ: "Coding", doc: "the mark label"}}}}},
	{"sls-tag", "Tag a Bundle (SHIFT SLS)", "The SHIFT SLS reference implementation's $sls-tag: labels a Bundle's resources with the server's rule packs.", []param{
		{name: "bundle", use: "in", min: 1, max: "1", typ: "Bundle", doc: "the Bundle; a body that is not a Parameters is this parameter"},
		{name: "mode", use: "in", max: "1", typ: "code", doc: "batch (default): a batch Bundle of PUTs of the resources labeling changed; full: the whole Bundle labeled, with its high-water mark in Bundle.meta.security; also ?mode="},
		pOptions,
		oReturn("Bundle", "the batch Bundle, or the labeled Bundle")}},
}

// capabilities builds the CapabilityStatement and the OperationDefinitions
// by id; token says whether operations require a bearer token.
func capabilities(token bool) ([]byte, map[string][]byte) {
	defs := map[string][]byte{}
	var c jsonx.Writer
	c.BeginObject()
	c.KV("resourceType", "CapabilityStatement")
	c.KV("id", "seclabel")
	c.KV("url", canonical+"/CapabilityStatement/seclabel")
	c.KV("version", engine.Version)
	c.KV("name", "SeclabelAPI")
	c.KV("title", "seclabel security labeling service")
	c.KV("status", "active")
	c.KV("date", "2026-12-04")
	c.KV("kind", "instance")
	c.Key("software")
	c.BeginObject()
	c.KV("name", "seclabel")
	c.KV("version", engine.Version)
	c.EndObject()
	c.KV("fhirVersion", "4.0.1")
	c.Key("format")
	c.BeginArray()
	c.String("application/fhir+json")
	c.String("json")
	c.EndArray()
	c.Key("rest")
	c.BeginArray()
	c.BeginObject()
	c.KV("mode", "server")
	if token {
		c.Key("security")
		c.BeginObject()
		c.KV("description", "Every operation requires Authorization: Bearer TOKEN; /metadata, /healthz and the OperationDefinitions are open.")
		c.EndObject()
	}
	c.KV("documentation", "System operations on FHIR R4 JSON. LEAP SLS clients: POST /fhir/sls/label (as $label) and POST /fhir/sls/transaction (as $label?output=meta-add). Errors are OperationOutcomes whose issue.details.coding carries a stable code of "+errorSystem+".")
	c.Key("operation")
	c.BeginArray()
	for _, d := range opDefs {
		c.BeginObject()
		c.KV("name", d.code)
		c.KV("definition", canonical+"/OperationDefinition/"+d.code)
		c.EndObject()
		defs[d.code] = d.json()
	}
	c.EndArray()
	c.EndObject()
	c.EndArray()
	c.EndObject()
	return c.B, defs
}

func (d opDef) json() []byte {
	var w jsonx.Writer
	w.BeginObject()
	w.KV("resourceType", "OperationDefinition")
	w.KV("id", d.code)
	w.KV("url", canonical+"/OperationDefinition/"+d.code)
	w.KV("version", engine.Version)
	name := []byte(d.code)
	for i := 0; i < len(name); i++ {
		if name[i] == '-' {
			name = append(name[:i], name[i+1:]...)
		}
	}
	w.KV("name", string(name))
	w.KV("title", d.title)
	w.KV("status", "active")
	w.KV("kind", "operation")
	w.KV("description", d.doc)
	w.Key("affectsState")
	w.Bool(false)
	w.KV("code", d.code)
	w.Key("system")
	w.Bool(true)
	w.Key("type")
	w.Bool(false)
	w.Key("instance")
	w.Bool(false)
	w.Key("parameter")
	writeParams(&w, d.params)
	w.EndObject()
	return w.B
}

func writeParams(w *jsonx.Writer, ps []param) {
	w.BeginArray()
	for _, p := range ps {
		w.BeginObject()
		w.KV("name", p.name)
		w.KV("use", p.use)
		w.Key("min")
		w.Int(p.min)
		w.KV("max", p.max)
		w.KV("documentation", p.doc)
		if p.typ != "" {
			w.KV("type", p.typ)
		}
		if p.parts != nil {
			w.Key("part")
			writeParams(w, p.parts)
		}
		w.EndObject()
	}
	w.EndArray()
}
