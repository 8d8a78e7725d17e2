package pipeline

import (
	"context"
	"errors"

	"github.com/apache/beam/sdks/v2/go/pkg/beam"
)

// Job is one run of the pipeline.
type Job struct {
	Op         string   // "label" or "redact"
	Config     Config   // the engine's options and rule packs, the access context
	Inputs     []string // globs of NDJSON files, or bulk-export manifests
	Out        string   // the output directory, on any filesystem Beam knows
	PatientHWM bool     // also write each patient's high-water mark
}

// Build adds the job's transforms to s: read, label or redact, write
// <Out>/<Type>.ndjson, errors.ndjson, summary.json (and for redact
// withheld.ndjson and audit.json; with PatientHWM patient-hwm.ndjson). It
// checks the configuration and expands the inputs first, so a bad option,
// rule pack, access context or input fails here, before anything runs.
func Build(ctx context.Context, s beam.Scope, j Job) error {
	if j.Op != "label" && j.Op != "redact" {
		return errors.New(`the operation is "label" or "redact"`)
	}
	if err := j.Config.Check(j.Op == "redact"); err != nil {
		return err
	}
	files, err := Inputs(ctx, j.Inputs)
	if err != nil {
		return err
	}
	lines := Read(s, files)
	var records, counts beam.PCollection
	if j.Op == "label" {
		if records, counts, err = Label(s, j.Config, lines); err != nil {
			return err
		}
	} else {
		records, counts = Redact(s, j.Config, lines)
	}
	if j.PatientHWM {
		records = beam.Flatten(s, records, PatientHWM(s, j.Config, records))
	}
	written := Write(s, j.Out, records)
	Summarize(s, j.Out, j.Op, j.Config, beam.Flatten(s, counts, written))
	return nil
}
