package main

import (
	"bytes"
	"context"
	"fmt"
	"os"

	"github.com/seclabel/seclabel/engine"
	"github.com/seclabel/seclabel/internal/testenv"
	"github.com/valyala/fastjson"
)

// input is one resource or Bundle the harness feeds to every backend, with
// its labeled form (what redaction runs on).
type input struct {
	name      string
	data      []byte
	labeled   []byte
	resources int // resources in it: entries for a Bundle, else 1
	// dataLen and labeledLen are the sizes of data and labeled once
	// release has let them go.
	dataLen, labeledLen int
}

// size is the input's size in bytes; labeledSize its labeled form's.
func (in *input) size() int {
	if in.data == nil {
		return in.dataLen
	}
	return len(in.data)
}

func (in *input) labeledSize() int {
	if in.labeled == nil {
		return in.labeledLen
	}
	return len(in.labeled)
}

// release lets the set's inputs go, keeping their sizes for the report.
func (s *inputSet) release() {
	for i := range s.inputs {
		in := &s.inputs[i]
		in.dataLen, in.labeledLen = in.size(), in.labeledSize()
		in.data, in.labeled = nil, nil
	}
}

// inputSet is one row group of the report: the Synthea bundles, one
// generated Bundle of a given size, or one Bundle of many small entries.
type inputSet struct {
	name   string
	inputs []input
	// For a Bundle of many small entries: its shape and entry count. Those
	// are measured natively only (their labeled forms exceed the default
	// input limit, and the other backends show nothing the sizes do not).
	shape   string
	entries int
}

func (s *inputSet) bytes() (n int64) {
	for i := range s.inputs {
		n += int64(s.inputs[i].size())
	}
	return n
}

func (s *inputSet) resources() (n int) {
	for _, in := range s.inputs {
		n += in.resources
	}
	return n
}

// sizes are the generated inputs: a typical resource, a small search page,
// a patient's record, a large export.
var sizes = []struct {
	flag, name string
	bytes      int
}{{"1KB", "1 KB", 1 << 10}, {"100KB", "100 KB", 100 << 10}, {"1MB", "1 MB", 1 << 20}, {"10MB", "10 MB", 10 << 20}}

// clinical are the codings the generator draws from: most are ordinary
// care, some are sensitive under the default pack (HIV, opioid and alcohol
// use disorder, PTSD), about one resource in eight, so labeling adds labels
// to some resources and leaves the rest byte-identical, as in real records.
var clinical = []struct{ system, code, display string }{
	{"http://snomed.info/sct", "44054006", "Diabetes mellitus type 2"},
	{"http://snomed.info/sct", "38341003", "Hypertensive disorder"},
	{"http://snomed.info/sct", "195662009", "Acute viral pharyngitis"},
	{"http://snomed.info/sct", "10509002", "Acute bronchitis"},
	{"http://snomed.info/sct", "5602001", "Opioid abuse"},
	{"http://snomed.info/sct", "40055000", "Chronic sinusitis"},
	{"http://snomed.info/sct", "15777000", "Prediabetes"},
	{"http://hl7.org/fhir/sid/icd-10-cm", "J06.9", "Acute upper respiratory infection"},
	{"http://snomed.info/sct", "162864005", "Body mass index 30+ - obesity"},
	{"http://snomed.info/sct", "55822004", "Hyperlipidemia"},
	{"http://hl7.org/fhir/sid/icd-10-cm", "B20", "HIV disease"},
	{"http://snomed.info/sct", "271737000", "Anemia"},
	{"http://snomed.info/sct", "444814009", "Viral sinusitis"},
	{"http://snomed.info/sct", "7200002", "Alcoholism"},
	{"http://snomed.info/sct", "233604007", "Pneumonia"},
	{"http://snomed.info/sct", "47505003", "Posttraumatic stress disorder"},
}

var vitals = []struct{ code, display, unit string }{
	{"8867-4", "Heart rate", "/min"},
	{"8310-5", "Body temperature", "Cel"},
	{"29463-7", "Body weight", "kg"},
	{"8302-2", "Body height", "cm"},
	{"2339-0", "Glucose", "mg/dL"},
}

// generate writes a transaction Bundle of about size bytes, compact JSON as
// FHIR APIs send it: a Patient, then Encounters, Conditions and
// Observations in turn, all pointing at the Patient. The same size gives the
// same bytes.
func generate(size int) (data []byte, resources int) {
	var b bytes.Buffer
	b.WriteString(`{"resourceType":"Bundle","id":"generated","type":"transaction","entry":[`)
	entry := func(typ, id, body string) {
		if resources > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, `{"fullUrl":"urn:uuid:%s","resource":{"resourceType":"%s","id":"%s",%s},"request":{"method":"POST","url":"%s"}}`, id, typ, id, body, typ)
		resources++
	}
	entry("Patient", uuid(0), `"meta":{"profile":["http://hl7.org/fhir/us/core/StructureDefinition/us-core-patient"]},"identifier":[{"system":"http://hospital.example.org/mrn","value":"MRN-0001"}],"name":[{"use":"official","family":"Kautzer","given":["Trent"]}],"gender":"male","birthDate":"1971-03-04","address":[{"line":["123 Main St"],"city":"Boston","state":"MA","postalCode":"02118","country":"US"}]`)
	patient := "urn:uuid:" + uuid(0)
	for i := 1; b.Len() < size-2; i++ {
		day := fmt.Sprintf("20%02d-%02d-%02d", 10+i%15, 1+i%12, 1+i%28)
		switch i % 3 {
		case 1:
			entry("Encounter", uuid(i), fmt.Sprintf(`"status":"finished","class":{"system":"http://terminology.hl7.org/CodeSystem/v3-ActCode","code":"AMB"},"type":[{"coding":[{"system":"http://snomed.info/sct","code":"185349003","display":"Encounter for check up"}],"text":"Encounter for check up"}],"subject":{"reference":"%s"},"period":{"start":"%sT09:00:00Z","end":"%sT09:30:00Z"}`, patient, day, day))
		case 2:
			c := clinical[(i/3)%len(clinical)]
			entry("Condition", uuid(i), fmt.Sprintf(`"clinicalStatus":{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/condition-clinical","code":"active"}]},"verificationStatus":{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/condition-ver-status","code":"confirmed"}]},"code":{"coding":[{"system":"%s","code":"%s","display":"%s"}],"text":"%s"},"subject":{"reference":"%s"},"encounter":{"reference":"urn:uuid:%s"},"onsetDateTime":"%sT09:10:00Z","recordedDate":"%sT09:10:00Z"`, c.system, c.code, c.display, c.display, patient, uuid(i-1), day, day))
		default:
			v := vitals[(i/3)%len(vitals)]
			entry("Observation", uuid(i), fmt.Sprintf(`"status":"final","category":[{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/observation-category","code":"vital-signs","display":"vital-signs"}]}],"code":{"coding":[{"system":"http://loinc.org","code":"%s","display":"%s"}],"text":"%s"},"subject":{"reference":"%s"},"encounter":{"reference":"urn:uuid:%s"},"effectiveDateTime":"%sT09:15:00Z","valueQuantity":{"value":%d.%d,"unit":"%s","system":"http://unitsofmeasure.org","code":"%s"}`, v.code, v.display, v.display, patient, uuid(i-2), day, 40+i%80, i%10, v.unit, v.unit))
		}
		if b.Len() >= size-2 {
			break
		}
	}
	b.WriteString(`]}`)
	return b.Bytes(), resources
}

// shapes are the Bundles of many small entries: many resources labeled at
// once is where a per-entry cost shows.
var shapes = []struct {
	flag, name string
	gen        func(n int) []byte
}{
	{"conditions", "one-coding Conditions, all sensitive", testenv.ManyConditions},
	{"observations", "Observations, one in eight sensitive", func(n int) []byte { return testenv.ManyObservations(n, 8) }},
	{"plain", "Observations, none sensitive", func(n int) []byte { return testenv.ManyObservations(n, 0) }},
}

// manySet is the set of shape at n entries.
func manySet(shape string, n int) inputSet {
	for _, z := range shapes {
		if z.flag == shape {
			name := thousands(int64(n)) + " " + z.name
			return inputSet{name: name, inputs: []input{{name: name, data: z.gen(n), resources: n}}, shape: shape, entries: n}
		}
	}
	panic("unknown shape " + shape)
}

// uuid is a fixed, well-formed UUID for the i-th generated resource.
func uuid(i int) string {
	return fmt.Sprintf("%08x-%04x-4%03x-8%03x-%012x", 0x5ec1abe1, i>>16&0xffff, i>>4&0xfff, i&0xfff, 0x1000000+i)
}

// synthea reads the Synthea bundles of dir (nil when there are none),
// smallest first.
func synthea(dir string) ([]input, error) {
	files, err := testenv.ReadSynthea(dir)
	var out []input
	for _, f := range files {
		out = append(out, input{name: f.Name, data: f.Data, resources: countResources(f.Data)})
	}
	return out, err
}

// countResources is the number of entries of a Bundle, or 1.
func countResources(b []byte) int {
	v, err := fastjson.ParseBytes(b)
	if err != nil {
		return 1
	}
	if entries := v.GetArray("entry"); string(v.GetStringBytes("resourceType")) == "Bundle" {
		return len(entries)
	}
	return 1
}

// withLabels fills in every input's labeled form, labeled natively with the
// default pack.
func withLabels(sets []inputSet) error {
	e, err := engine.New(nativeOptions)
	if err != nil {
		return err
	}
	for si := range sets {
		for i := range sets[si].inputs {
			in := &sets[si].inputs[i]
			r, err := e.Label(context.Background(), in.data)
			if err != nil {
				return fmt.Errorf("labeling %s: %w", in.name, err)
			}
			in.labeled = r.Resource
		}
	}
	return nil
}

// nativeOptions are the native engine's: the default limit on input size
// (64 MB) would refuse the labeled form of 100,000 Conditions, which
// redaction reads.
var nativeOptions = engine.Options{MaxInputBytes: 512 << 20}

// writeNDJSON writes an NDJSON stream of about size bytes to path: the
// resources of a generated Bundle, one per line, over and over with fresh
// ids. It returns the number of lines.
func writeNDJSON(path string, size int64) (int, error) {
	bundle, _ := generate(1 << 20)
	v, err := fastjson.ParseBytes(bundle)
	if err != nil {
		return 0, err
	}
	var lines [][]byte
	for _, e := range v.GetArray("entry") {
		lines = append(lines, e.Get("resource").MarshalTo(nil))
	}
	f, err := os.Create(path)
	if err != nil {
		return 0, err
	}
	var buf bytes.Buffer
	var written int64
	n := 0
	for round := 0; written < size; round++ {
		for _, l := range lines {
			buf.Reset()
			// A different id per round keeps lines distinct.
			buf.Write(bytes.Replace(l, []byte(`"id":"5ec1abe1-`), []byte(fmt.Sprintf(`"id":"%08x-`, round)), 1))
			buf.WriteByte('\n')
			m, err := f.Write(buf.Bytes())
			if err != nil {
				f.Close()
				return n, err
			}
			written += int64(m)
			n++
			if written >= size {
				break
			}
		}
	}
	return n, f.Close()
}
