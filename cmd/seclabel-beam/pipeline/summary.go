package pipeline

import (
	"context"
	"encoding/json"
	"sort"
	"strconv"
	"strings"

	"github.com/apache/beam/sdks/v2/go/pkg/beam"
	"github.com/apache/beam/sdks/v2/go/pkg/beam/register"
	"github.com/apache/beam/sdks/v2/go/pkg/beam/transforms/stats"
)

func init() {
	register.DoFn3x1[context.Context, []byte, func(*string, *int64) bool, error](&summaryFn{})
	register.Iter2[string, int64]()
}

// Summary is summary.json: what the pipeline read and did.
type Summary struct {
	Op           string           `json:"op"`
	Read         int64            `json:"read"`         // non-blank input lines
	Errors       int64            `json:"errors"`       // lines in errors.ndjson the engine rejected
	Labeled      int64            `json:"labeled"`      // label: resources labeling changed
	NotConverged int64            `json:"notConverged"` // label: resources reported as not_converged
	Released     int64            `json:"released"`     // redact: resources written
	Withheld     int64            `json:"withheld"`     // redact: resources withheld whole
	Changed      int64            `json:"changed"`      // redact: released resources redaction changed
	Labels       map[string]int64 `json:"labels"`       // per label code, the resources written carrying it
	Files        map[string]int64 `json:"files"`        // lines written per output file
}

// Summarize writes summary.json and, for a redaction, audit.json from the
// counts (KV<name, n>) the transforms and Write return.
func Summarize(s beam.Scope, dir, op string, cfg Config, counts beam.PCollection) {
	s = s.Scope("Summarize")
	sums := stats.SumPerKey(s, counts)
	beam.ParDo0(s, &summaryFn{Dir: dir, Op: op, Cfg: cfg}, beam.Impulse(s), beam.SideInput{Input: sums})
}

type summaryFn struct {
	Dir, Op string
	Cfg     Config
}

func (f *summaryFn) ProcessElement(ctx context.Context, _ []byte, sums func(*string, *int64) bool) error {
	sum := Summary{Op: f.Op, Labels: map[string]int64{}, Files: map[string]int64{}}
	var k string
	var n int64
	fields := map[string]*int64{
		"read": &sum.Read, "errors": &sum.Errors, "labeled": &sum.Labeled, "notConverged": &sum.NotConverged,
		"released": &sum.Released, "withheld": &sum.Withheld, "changed": &sum.Changed,
	}
	for sums(&k, &n) {
		switch {
		case strings.HasPrefix(k, "label:"):
			sum.Labels[k[len("label:"):]] = n
		case strings.HasPrefix(k, "written:"):
			sum.Files[k[len("written:"):]] = n
		case fields[k] != nil:
			*fields[k] = n
		}
	}
	b, err := json.MarshalIndent(sum, "", "  ")
	if err != nil {
		return err
	}
	if err := writeFile(ctx, join(f.Dir, SummaryFile), append(b, '\n')); err != nil {
		return err
	}
	if f.Op != "redact" {
		return nil
	}
	return writeFile(ctx, join(f.Dir, AuditFile), auditEvent(f.Cfg, sum))
}

// auditEvent describes the redaction's disclosure as a FHIR R4 AuditEvent,
// shaped as the engine's (an export to the recipient, for the purpose of
// use), naming each file released with its count of resources and counting
// what was withheld: a bulk export's resources are too many to list.
func auditEvent(cfg Config, sum Summary) []byte {
	type coding struct {
		System  string `json:"system"`
		Code    string `json:"code"`
		Display string `json:"display,omitempty"`
	}
	type detail struct {
		Type        string `json:"type"`
		ValueString string `json:"valueString"`
	}
	type entity struct {
		What        map[string]string `json:"what,omitempty"`
		Description string            `json:"description,omitempty"`
		Detail      []detail          `json:"detail"`
	}
	var ctx struct{ PurposeOfUse string }
	_ = json.Unmarshal([]byte(cfg.Context), &ctx)
	ev := map[string]any{
		"resourceType": "AuditEvent",
		"type":         coding{"http://dicom.nema.org/resources/ontology/DCM", "110106", "Export"},
		"action":       "R",
		"recorded":     cfg.AuditTime,
		"outcome":      "0",
		"agent": []any{map[string]any{
			"type":      map[string]any{"coding": []coding{{"http://terminology.hl7.org/CodeSystem/v3-ParticipationType", "IRCP", "information recipient"}}},
			"requestor": true,
		}},
		"source": map[string]any{"observer": map[string]string{"display": "seclabel-beam"}},
	}
	if ctx.PurposeOfUse != "" {
		ev["purposeOfEvent"] = []any{map[string]any{"coding": []coding{{System: "http://terminology.hl7.org/CodeSystem/v3-ActReason", Code: ctx.PurposeOfUse}}}}
	}
	var files []string
	for f := range sum.Files {
		if f != ErrorsFile && f != WithheldFile && f != HWMFile {
			files = append(files, f)
		}
	}
	sort.Strings(files)
	var entities []entity
	for _, f := range files {
		entities = append(entities, entity{What: map[string]string{"display": f}, Detail: []detail{{"released-resources", strconv.FormatInt(sum.Files[f], 10)}}})
	}
	entities = append(entities, entity{Description: "withheld", Detail: []detail{{"withheld-resources", strconv.FormatInt(sum.Withheld, 10)}}})
	ev["entity"] = entities
	b, _ := json.MarshalIndent(ev, "", "  ")
	return append(b, '\n')
}
