package golden

import (
	"bytes"
	"context"
	"testing"

	"github.com/seclabel/seclabel/internal/jsonx"
)

// A Sequence is requests sent one after another to one long-lived backend
// (an engine.Session, one module instance), where a configure request
// changes what the later requests get.
type Sequence struct {
	Note     string
	Requests [][]byte
}

// Reset is the configure request that brings a backend back to the
// defaults, where a fresh engine.Session starts.
const Reset = `{"op":"configure"}`

// Configured is the answer to a configure request that is accepted.
const Configured = `{"protocol":1,"op":"configure"}`

// Requests of the hand-written sequences: a Condition coded SNOMED 1234,
// which the default pack leaves alone, and packs that label it.
const (
	label1234 = `{"op":"label","resource":{"resourceType":"Condition","id":"c","code":{"coding":[{"system":"http://snomed.info/sct","code":"1234"}]},"subject":{"reference":"Patient/p"}}}`
	pack1234  = `{"name":"p","rules":[{"id":"r","labels":["HIV"],"codes":{"http://snomed.info/sct":["1234"]}}]}`
	// packMany uses every kind of criterion, a basis and a confidentiality map.
	packMany = `{"name":"q","confidentiality":{"SUD":"V","HIV":"R"},"rules":[
		{"id":"sud-prefix","labels":["SUD"],"basis":"42CFRPart2","prefixes":{"http://hl7.org/fhir/sid/icd-10-cm":["F11"]}},
		{"id":"mh-range","labels":["MH"],"ranges":{"http://hl7.org/fhir/sid/icd-10-cm":["F30-F39"]}},
		{"id":"psy-text","labels":["PSY"],"text":["psychotherapy note"]},
		{"id":"std-dated","labels":["STD"],"codes":{"http://snomed.info/sct":["5678"]},"period":{"start":"2020-01-01"}},
		{"id":"eth-valueset","labels":["ETH"],"valueSets":[{"resourceType":"ValueSet","compose":{"include":[{"system":"http://loinc.org","concept":[{"code":"1111-1"}]}]}}]},
		{"id":"hiv-inline","labels":["HIV"],"path":"Observation.code","inline":true,"codes":{"http://loinc.org":["2222-2"]}},
		{"id":"encounters","confidentiality":"M","resourceTypes":["Encounter"]}]}`
	// bundle has something for every rule above, labels for the high-water
	// mark to lift or leave out, and a reference to propagate along.
	bundle = `{"resourceType":"Bundle","id":"b","type":"collection","entry":[
		{"fullUrl":"urn:uuid:c1","resource":{"resourceType":"Condition","id":"c1","code":{"coding":[{"system":"http://snomed.info/sct","code":"1234"}]},"subject":{"reference":"Patient/p"},"encounter":{"reference":"urn:uuid:e1"}}},
		{"fullUrl":"urn:uuid:e1","resource":{"resourceType":"Encounter","id":"e1","status":"finished","class":{"code":"AMB"}}},
		{"fullUrl":"urn:uuid:c2","resource":{"resourceType":"Condition","id":"c2","code":{"coding":[{"system":"http://hl7.org/fhir/sid/icd-10-cm","code":"F11.20"},{"system":"http://hl7.org/fhir/sid/icd-10-cm","code":"F32.9"}],"text":"Psychotherapy note"},"recordedDate":"2023-02-01","subject":{"reference":"Patient/p"}}},
		{"fullUrl":"urn:uuid:o1","resource":{"resourceType":"Observation","id":"o1","status":"final","code":{"coding":[{"system":"http://loinc.org","code":"2222-2"},{"system":"http://loinc.org","code":"1111-1"}]},"effectiveDateTime":"2021-06-01","valueCodeableConcept":{"coding":[{"system":"http://snomed.info/sct","code":"5678"}]}}},
		{"fullUrl":"urn:uuid:o2","resource":{"resourceType":"Observation","id":"o2","meta":{"security":[
			{"system":"http://terminology.hl7.org/CodeSystem/v3-Confidentiality","code":"R"},
			{"system":"http://terminology.hl7.org/CodeSystem/v3-ActCode","code":"42CFRPart2"},
			{"system":"http://terminology.hl7.org/CodeSystem/v3-ActCode","code":"NORDSCLCD"},
			{"system":"http://terminology.hl7.org/CodeSystem/v3-ActCode","code":"NOAUTH"},
			{"system":"http://terminology.hl7.org/CodeSystem/v3-ActCode","code":"SUD"}]},"status":"final","code":{"text":"x"}}}]}`
	// configureAll sets every option that keeps a string.
	configureAll = `{"op":"configure","protocol":1,"rules":[` + pack1234 + `,` + packMany + `],"options":{
		"classifier":{"display":"Clinic classifier"},"defaultConfidentiality":"M","labelAll":true,
		"envelopeSensitivity":"union","omitCodes":["42CFRPart2"],
		"privacyRevealing":["NORDSCLCD","http://terminology.hl7.org/CodeSystem/v3-ActCode|NOAUTH"],
		"propagate":["Condition.encounter"],"bundleHighWaterMark":true,"textMatch":true,
		"audit":true,"auditTime":"2024-05-01T12:00:00Z","operationOutcome":true,"minConfidence":0.5,
		"maxInputBytes":100000000,"maxDepth":200}}`
)

// handWritten are the sequences that configure between calls.
var handWritten = []Sequence{
	{"label, configure, label", reqs(label1234, `{"op":"configure","rules":[`+pack1234+`]}`, label1234)},
	{"configure, configure, label", reqs(
		`{"op":"configure","rules":[`+packMany+`],"options":{"classifier":"First"}}`,
		`{"op":"configure","rules":[`+pack1234+`],"options":{"classifier":"Second","textMatch":true}}`,
		label1234, `{"op":"label","resource":`+bundle+`}`)},
	{"configure with a pack in a string, then label", reqs(
		`{"op":"configure","rules":["{\"name\":\"p\",\"rules\":[{\"id\":\"r\u00e9\",\"labels\":[\"HIV\"],\"codes\":{\"http://snomed.info/sct\":[\"1234\"]}}]}"],"options":{"classifier":"Cl\u00e9"}}`,
		label1234, `{"op":"hwm","resource":`+bundle+`}`, label1234)},
	{"configure, hwm, redact, label", reqs(configureAll,
		`{"op":"hwm","resource":`+bundle+`}`,
		`{"op":"redact","context":{"clearance":"R","purposeOfUse":"TREAT","deny":["HIV"]},"resource":`+bundle+`}`,
		`{"op":"label","resource":`+bundle+`}`,
		`{"op":"marks","resource":`+bundle+`}`,
		`{"op":"validate","resource":`+bundle+`}`)},
	{"a rejected configure keeps the last one", reqs(
		`{"op":"configure","rules":[`+pack1234+`],"options":{"classifier":"Kept"}}`, label1234,
		`{"op":"configure","rules":[{"rules":[{"id":"x"}]}]}`, label1234,
		`{"op":"configure","options":{"propagate":["nothing"]}}`, label1234)},
	{"configure, label, reset, label", reqs(configureAll, `{"op":"label","resource":`+bundle+`}`,
		Reset, `{"op":"label","resource":`+bundle+`}`)},
	{"a request's own rules and options over a configure", reqs(configureAll,
		`{"op":"label","rules":[`+pack1234+`],"options":{"classifier":"Request","labelAll":false},"resource":`+bundle+`}`,
		`{"op":"label","resource":`+bundle+`}`)},
}

func reqs(rs ...string) [][]byte {
	out := make([][]byte, len(rs))
	for i, r := range rs {
		out[i] = []byte(r)
	}
	return out
}

// Sequences returns the hand-written configure sequences and, for every
// case whose request carries rules or options, the case configured: a
// configure request with its rules and options, the request without them,
// the request as it is, Reset, and the request without them again.
func Sequences(cases []Case) []Sequence {
	out := append([]Sequence(nil), handWritten...)
	for _, c := range cases {
		var d jsonx.Doc
		if d.Parse(c.Request, 10000) != nil || d.Kind(0) != jsonx.Object {
			continue
		}
		conf := []byte(`{"op":"configure"`)
		bare := []byte{'{'}
		d.Members(0, func(k, v jsonx.Node) bool {
			if d.KeyIs(k, "rules") || d.KeyIs(k, "options") {
				conf = append(append(append(append(conf, ','), d.Raw(k)...), ':'), d.Raw(v)...)
				return true
			}
			if len(bare) > 1 {
				bare = append(bare, ',')
			}
			bare = append(append(append(bare, d.Raw(k)...), ':'), d.Raw(v)...)
			return true
		})
		if len(conf) == len(`{"op":"configure"`) {
			continue
		}
		conf, bare = append(conf, '}'), append(bare, '}')
		out = append(out, Sequence{c.Note + " (configured)", [][]byte{conf, bare, c.Request, []byte(Reset), bare}})
	}
	return out
}

// CompareSequence sends seq's requests to want and to got, fresh
// long-lived backends, and fails at the first response that differs in a
// byte.
func CompareSequence(t *testing.T, seq Sequence, want, got Backend) {
	t.Helper()
	ctx := context.Background()
	for i, req := range seq.Requests {
		w := bytes.Clone(want.Do(ctx, bytes.Clone(req))) // a Session's answer is valid until its next call
		g := bytes.Clone(got.Do(ctx, req))
		if !bytes.Equal(w, g) {
			t.Fatalf("%s: request %d (%.120s) answered differently\nwant: %.600s\n got: %.600s", seq.Note, i, req, w, g)
		}
	}
}

// ReusedBuffer sends every request to B from one buffer, as the module's
// input buffer is, and scribbles over the whole buffer after each call, so
// that anything B kept of an earlier request changes.
type ReusedBuffer struct {
	B   Backend
	buf []byte
}

// Do copies request into the buffer, runs it, and returns a copy of the
// response.
func (r *ReusedBuffer) Do(ctx context.Context, request []byte) []byte {
	if cap(r.buf) < len(request) {
		r.buf = make([]byte, len(request))
	}
	r.buf = r.buf[:len(request)]
	copy(r.buf, request)
	resp := bytes.Clone(r.B.Do(ctx, r.buf))
	Scribble(r.buf[:cap(r.buf)])
	return resp
}

// Scribble overwrites b with bytes no JSON request holds where they stand.
func Scribble(b []byte) {
	for i := range b {
		b[i] = "#\xff~"[i%3]
	}
}
