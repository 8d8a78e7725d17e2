// Command seclabel-beam labels or redacts a FHIR bulk export (NDJSON, one
// file per resource type) with the seclabel engine on Apache Beam: on the
// in-process Prism runner by default, or on Dataflow, Flink or Spark.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/apache/beam/sdks/v2/go/pkg/beam"
	"github.com/apache/beam/sdks/v2/go/pkg/beam/x/beamx" // every runner, and the local and gcs filesystems
	"github.com/seclabel/seclabel/cmd/seclabel-beam/pipeline"
	"github.com/seclabel/seclabel/engine"
)

// list is a flag that may be repeated, each value also split at commas.
type list []string

func (l *list) String() string { return strings.Join(*l, ",") }
func (l *list) Set(v string) error {
	for _, x := range strings.Split(v, ",") {
		if x = strings.TrimSpace(x); x != "" {
			*l = append(*l, x)
		}
	}
	return nil
}

var (
	out        = flag.String("out", "", "output directory (local, gs://, s3://): <Type>.ndjson, errors.ndjson, summary.json, ...")
	options    = flag.String("engine-options", "", "the engine's options as a JSON object, or @FILE holding one (e.g. '{\"propagate\": [\"Condition.encounter\"]}')")
	access     = flag.String("context", "", "redact: the recipient's access context as JSON, or @FILE holding it")
	rounds     = flag.Int("rounds", 0, "label: how many references in a row labels follow across files (0: one per reference element the options list)")
	auditTime  = flag.String("audit-time", "", "redact: the AuditEvent's recorded time (default: now)")
	patientHWM = flag.Bool("patient-hwm", false, "also write patient-hwm.ndjson: the high-water mark of each patient's compartment")
	rules      list
	packs      list
)

func init() {
	flag.Var(&rules, "rules", "a rule pack file (seclabel JSON); repeat for more")
	flag.Var(&packs, "pack", "an embedded rule pack (us-default, us-broad); repeat for more; with --rules, name us-default to keep it")
}

const usage = `usage: seclabel-beam label|redact [flags] INPUT...

Labels or redacts a FHIR bulk export with the seclabel engine on Apache Beam.
Each INPUT is a glob of NDJSON files or a bulk-export manifest (the $export
status response, whose output[].url are read next to it), on any filesystem
Beam knows: local paths always, gs:// (built in), s3:// (build with -tags s3).

label    labels every resource as the engine labels a Bundle of them all:
         labels follow the propagate and inherit references across files.
redact   cuts the export down to what the --context recipient may see:
         withheld resources are left out and every reference to them, in
         any file, is masked; writes withheld.ndjson and audit.json.

Writes to --out: <Type>.ndjson (in input order), errors.ndjson (each line
the engine rejected, with its file, line and error code; not_converged
when --rounds was too few), summary.json (counts: read, labeled, withheld,
per label code, per file) and, with --patient-hwm, patient-hwm.ndjson.

Examples:
  seclabel-beam label --out labeled --engine-options '{"propagate":["Condition.encounter"]}' export/manifest.json
  seclabel-beam redact --out released --context '{"clearance":"R","deny":["HIV","SUD"]}' 'labeled/*.ndjson'
  seclabel-beam label --runner dataflow --project P --region R --temp_location gs://B/tmp \
      --staging_location gs://B/staging --out gs://B/labeled 'gs://B/export/*.ndjson'

Flags:
  --out DIR              output directory (required)
  --engine-options JSON  the engine's options (README, "Options"), or @FILE
  --rules FILE           a rule pack (repeatable); --pack NAME an embedded one
  --context JSON         redact: the recipient's access context, or @FILE
  --rounds N             label: references in a row labels follow (default:
                         one per reference element of propagate and inherit)
  --audit-time TIME      redact: the AuditEvent's recorded time (default now)
  --patient-hwm          also write each patient's high-water mark

Beam's own flags choose where it runs: --runner (prism, the default, runs
in this process; dataflow, flink, spark, universal), --endpoint (a job
server), --environment_type and --environment_config (the worker image:
DOCKER with an image holding this binary, or LOOPBACK), --project,
--region, --temp_location, --staging_location, ... See the README's
"Bulk exports on Apache Beam" for one command per runner. All flags:
`

func main() {
	flag.Usage = func() {
		fmt.Fprint(flag.CommandLine.Output(), usage)
		flag.PrintDefaults()
	}
	op := ""
	if len(os.Args) > 1 && !strings.HasPrefix(os.Args[1], "-") {
		op, os.Args = os.Args[1], append(os.Args[:1:1], os.Args[2:]...)
	}
	flag.Parse()
	beam.Init() // on a worker, this runs the worker and does not return
	if err := run(context.Background(), op, flag.Args()); err != nil {
		fmt.Fprintln(os.Stderr, "seclabel-beam:", err)
		var ee *engine.Error
		if errors.As(err, &ee) {
			os.Exit(3)
		}
		os.Exit(2)
	}
}

func run(ctx context.Context, op string, inputs []string) error {
	if op != "label" && op != "redact" {
		return fmt.Errorf("the first argument is label or redact, not %q (--help explains)", op)
	}
	if *out == "" || len(inputs) == 0 {
		return errors.New("give --out and at least one INPUT (--help explains)")
	}
	cfg := pipeline.Config{Rounds: *rounds, AuditTime: *auditTime}
	var err error
	if cfg.Options, err = textOrFile(ctx, *options); err != nil {
		return err
	}
	if cfg.Context, err = textOrFile(ctx, *access); err != nil {
		return err
	}
	if op == "redact" && cfg.Context == "" {
		return errors.New("redact needs --context")
	}
	if cfg.AuditTime == "" {
		cfg.AuditTime = time.Now().UTC().Format(time.RFC3339)
	}
	cfg.Rules = append(cfg.Rules, packs...)
	for _, f := range rules {
		b, err := pipeline.ReadFile(ctx, f)
		if err != nil {
			return err
		}
		cfg.Rules = append(cfg.Rules, string(b))
	}
	p, s := beam.NewPipelineWithRoot()
	if err := pipeline.Build(ctx, s, pipeline.Job{Op: op, Config: cfg, Inputs: inputs, Out: *out, PatientHWM: *patientHWM}); err != nil {
		return err
	}
	// Beam's loopback mode (Prism's, the default runner) leaves an empty
	// placeholder file in the temporary directory on every run: the run
	// gets a temporary directory of its own, removed after it.
	tmp, err := os.MkdirTemp("", "seclabel-beam-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	if prev, ok := os.LookupEnv("TMPDIR"); ok {
		defer os.Setenv("TMPDIR", prev)
	} else {
		defer os.Unsetenv("TMPDIR")
	}
	os.Setenv("TMPDIR", tmp)
	return beamx.Run(ctx, p)
}

// textOrFile returns v, or the content of the file @v names.
func textOrFile(ctx context.Context, v string) (string, error) {
	if !strings.HasPrefix(v, "@") {
		return v, nil
	}
	b, err := pipeline.ReadFile(ctx, v[1:])
	return string(b), err
}
