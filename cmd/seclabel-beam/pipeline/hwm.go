package pipeline

import (
	"context"
	"encoding/json"
	"strings"

	"github.com/apache/beam/sdks/v2/go/pkg/beam"
	"github.com/apache/beam/sdks/v2/go/pkg/beam/register"
	"github.com/seclabel/seclabel/engine"
)

func init() {
	register.DoFn3x0[string, Record, func(string, Record)](&byPatientFn{})
	register.DoFn4x1[context.Context, string, func(*Record) bool, func(string, Record), error](&hwmFn{})
	register.Iter1[Record]()
}

// PatientHWM computes, from the records of the resource files, the
// high-water mark each Patient's compartment carries: the engine's hwm
// over a collection Bundle of the resources that name the patient as
// their subject, patient or beneficiary, and the Patient itself. Each
// patient is a line of patient-hwm.ndjson.
func PatientHWM(s beam.Scope, cfg Config, records beam.PCollection) beam.PCollection {
	s = s.Scope("PatientHWM")
	byPatient := beam.ParDo(s, &byPatientFn{}, records)
	return beam.ParDo(s, &hwmFn{withEngine{Cfg: cfg}}, beam.GroupByKey(s, byPatient))
}

// byPatientFn keys each resource by the Patient whose compartment holds it.
type byPatientFn struct{}

func (f *byPatientFn) ProcessElement(file string, r Record, emit func(string, Record)) {
	if file == ErrorsFile || file == WithheldFile || !strings.HasSuffix(file, ".ndjson") {
		return
	}
	var res struct {
		ResourceType, ID              string
		Subject, Patient, Beneficiary struct{ Reference string }
	}
	if json.Unmarshal(r.JSON, &res) != nil {
		return
	}
	if res.ResourceType == "Patient" && res.ID != "" {
		emit("Patient/"+res.ID, r)
		return
	}
	for _, ref := range []string{res.Subject.Reference, res.Patient.Reference, res.Beneficiary.Reference} {
		if i := strings.LastIndex(ref, "Patient/"); i >= 0 && (i == 0 || ref[i-1] == '/') {
			emit(strings.SplitN(ref[i:], "/_history", 2)[0], r)
			return
		}
	}
}

// hwmFn marks one patient's compartment.
type hwmFn struct{ withEngine }

func (f *hwmFn) ProcessElement(ctx context.Context, patient string, records func(*Record) bool, out func(string, Record)) error {
	bundle := []byte(`{"resourceType":"Bundle","type":"collection","entry":[`)
	first := Record{}
	var r Record
	n := 0
	for records(&r) {
		if n > 0 {
			bundle = append(bundle, ',')
		}
		if n == 0 || r.File < first.File || r.File == first.File && r.Num < first.Num {
			first = Record{File: r.File, Num: r.Num}
		}
		bundle = append(append(append(bundle, `{"resource":`...), r.JSON...), '}')
		n++
	}
	bundle = append(bundle, "]}"...)
	res, err := f.e.HWM(ctx, bundle)
	if err != nil {
		out(failure(Line{File: first.File, Num: first.Num}, err))
		return nil
	}
	var mark engine.Mark
	for _, m := range res.Report.Marks {
		if !strings.Contains(m.Location, ".") { // the Bundle, not a nested one
			mark = m
		}
	}
	security := make([]map[string]string, 0, len(mark.Security))
	for _, c := range mark.Security {
		security = append(security, map[string]string{"system": c.System, "code": c.Code, "display": c.Display})
	}
	b, err := json.Marshal(struct {
		Patient         string              `json:"patient"`
		Resources       int                 `json:"resources"`
		Confidentiality string              `json:"confidentiality"`
		Security        []map[string]string `json:"security"`
	}{patient, n, mark.Confidentiality, security})
	if err != nil {
		return err
	}
	out(HWMFile, Record{File: first.File, Num: first.Num, JSON: b})
	return nil
}
