package pipeline

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/url"
	"path"
	"reflect"
	"slices"
	"strings"

	"github.com/apache/beam/sdks/v2/go/pkg/beam"
	"github.com/apache/beam/sdks/v2/go/pkg/beam/io/filesystem"
	_ "github.com/apache/beam/sdks/v2/go/pkg/beam/io/filesystem/local" // local files always; gcs and s3 are the main package's choice
	"github.com/apache/beam/sdks/v2/go/pkg/beam/register"
	"github.com/seclabel/seclabel/engine"
)

// Line is one non-blank line of an input file (Num counts from 1).
type Line struct {
	File string
	Num  int64
	Text []byte
}

// Record is one line of an output file, with the input line it came from:
// output files are written in input order.
type Record struct {
	File string
	Num  int64
	JSON []byte
}

// The output files besides <Type>.ndjson.
const (
	ErrorsFile   = "errors.ndjson"      // the dead letters: lines the engine rejected
	WithheldFile = "withheld.ndjson"    // redact: the resources withheld, and why
	HWMFile      = "patient-hwm.ndjson" // the high-water mark of each patient's compartment
	SummaryFile  = "summary.json"
	AuditFile    = "audit.json" // redact: an AuditEvent of the disclosure
)

func init() {
	beam.RegisterType(reflect.TypeOf((*Line)(nil)).Elem())
	beam.RegisterType(reflect.TypeOf((*Record)(nil)).Elem())
	register.DoFn3x1[context.Context, string, func(Line), error](&readFn{})
	register.Emitter1[Line]()
	register.DoFn4x1[context.Context, string, func(*Record) bool, func(string, int64), error](&writeFn{})
	register.Iter1[Record]()
	register.Emitter2[string, int64]()
}

// Inputs expands the command line's inputs to the files to read: a glob
// of NDJSON files on any filesystem Beam knows, or a bulk-export manifest
// (a JSON file whose output[].url name the files; relative URLs and paths
// are read next to the manifest, http(s) URLs by their file name there,
// as a manifest downloaded with its files). A glob leaves out the files
// besides the resources that a run writes (errors.ndjson, ...).
func Inputs(ctx context.Context, patterns []string) ([]string, error) {
	var files []string
	for _, p := range patterns {
		fs, err := filesystem.New(ctx, p)
		if err != nil {
			return nil, err
		}
		matched, err := fs.List(ctx, p)
		fs.Close()
		if err != nil {
			return nil, fmt.Errorf("%s: %w", p, err)
		}
		if len(matched) == 0 {
			return nil, fmt.Errorf("file_not_found: %s matches no file", p)
		}
		slices.Sort(matched)
		for _, f := range matched {
			if ownOutput(f) {
				continue
			}
			m, ok, err := manifestFiles(ctx, f)
			if err != nil {
				return nil, err
			}
			if ok {
				files = append(files, m...)
			} else {
				files = append(files, f)
			}
		}
	}
	return files, nil
}

// ownOutput reports whether f is one of the files a run writes beside the
// resources, so that a glob over a run's output ("labeled/*.ndjson") reads
// its resources only.
func ownOutput(f string) bool {
	switch f[strings.LastIndexByte(f, '/')+1:] {
	case ErrorsFile, WithheldFile, HWMFile:
		return true
	}
	return false
}

// manifestFiles reads f as a bulk-export manifest; ok is false when f is
// not one (an NDJSON file).
func manifestFiles(ctx context.Context, f string) ([]string, bool, error) {
	if strings.HasSuffix(f, ".ndjson") {
		return nil, false, nil
	}
	b, err := ReadFile(ctx, f)
	if err != nil {
		return nil, false, err
	}
	var m struct {
		Output []struct {
			Type string `json:"type"`
			URL  string `json:"url"`
		} `json:"output"`
		TransactionTime string `json:"transactionTime"`
	}
	if json.Unmarshal(b, &m) != nil || m.Output == nil {
		return nil, false, nil
	}
	dir := f[:strings.LastIndexByte(f, '/')+1]
	var files []string
	for _, o := range m.Output {
		files = append(files, resolve(dir, o.URL))
	}
	return files, true, nil
}

// resolve places a manifest's output URL relative to its directory.
func resolve(dir, u string) string {
	if pu, err := url.Parse(u); err == nil && pu.Scheme != "" && len(pu.Scheme) > 1 {
		if pu.Scheme == "http" || pu.Scheme == "https" {
			return dir + path.Base(pu.Path)
		}
		return u // gs://, s3://, file system URIs Beam resolves itself
	}
	if strings.HasPrefix(u, "/") {
		return u
	}
	return dir + strings.TrimPrefix(u, "./")
}

// ReadFile reads a whole file from any filesystem Beam knows.
func ReadFile(ctx context.Context, f string) ([]byte, error) {
	fs, err := filesystem.New(ctx, f)
	if err != nil {
		return nil, err
	}
	defer fs.Close()
	r, err := fs.OpenRead(ctx, f)
	if err != nil {
		return nil, fmt.Errorf("read_failed: %s: %w", f, err)
	}
	defer r.Close()
	return io.ReadAll(r)
}

// Read reads the lines of files (from Inputs).
func Read(s beam.Scope, files []string) beam.PCollection {
	s = s.Scope("Read")
	return beam.ParDo(s, &readFn{}, beam.Reshuffle(s, beam.CreateList(s, files)))
}

// readFn emits the non-blank lines of one file with their numbers.
type readFn struct{}

func (f *readFn) ProcessElement(ctx context.Context, file string, emit func(Line)) error {
	fs, err := filesystem.New(ctx, file)
	if err != nil {
		return err
	}
	defer fs.Close()
	r, err := fs.OpenRead(ctx, file)
	if err != nil {
		return fmt.Errorf("read_failed: %s: %w", file, err)
	}
	defer r.Close()
	br := bufio.NewReaderSize(r, 1<<20)
	for n := int64(1); ; n++ {
		text, err := br.ReadBytes('\n')
		if t := bytes.TrimSpace(text); len(t) > 0 {
			emit(Line{File: file, Num: n, Text: t})
		}
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("read_failed: %s line %d: %w", file, n, err)
		}
	}
}

// Write writes records (KV<output file name, Record>) to dir, each file's
// lines in input order, and returns the count of lines written per file
// (KV<"written:"+name, count>).
func Write(s beam.Scope, dir string, records beam.PCollection) beam.PCollection {
	s = s.Scope("Write")
	return beam.ParDo(s, &writeFn{Dir: dir}, beam.GroupByKey(s, records))
}

// writeFn writes one output file.
type writeFn struct {
	Dir string
}

func (f *writeFn) ProcessElement(ctx context.Context, name string, records func(*Record) bool, count func(string, int64)) error {
	var all []Record
	var r Record
	for records(&r) {
		all = append(all, r)
	}
	slices.SortFunc(all, func(a, b Record) int {
		if c := strings.Compare(a.File, b.File); c != 0 {
			return c
		}
		return int(a.Num - b.Num)
	})
	var buf bytes.Buffer
	for _, r := range all {
		buf.Write(r.JSON)
		buf.WriteByte('\n')
	}
	if err := writeFile(ctx, join(f.Dir, name), buf.Bytes()); err != nil {
		return err
	}
	count("written:"+name, int64(len(all)))
	return nil
}

func join(dir, name string) string {
	return strings.TrimSuffix(dir, "/") + "/" + name
}

func writeFile(ctx context.Context, name string, b []byte) error {
	fs, err := filesystem.New(ctx, name)
	if err != nil {
		return err
	}
	defer fs.Close()
	w, err := fs.OpenWrite(ctx, name)
	if err != nil {
		return fmt.Errorf("write_failed: %s: %w", name, err)
	}
	if _, err := w.Write(b); err != nil {
		w.Close()
		return fmt.Errorf("write_failed: %s: %w", name, err)
	}
	if err := w.Close(); err != nil {
		return fmt.Errorf("write_failed: %s: %w", name, err)
	}
	return nil
}

// failure is a dead letter: a line the engine rejected, with its code.
func failure(l Line, err error) (string, Record) {
	code, msg := "internal", err.Error()
	var e *engine.Error
	if errors.As(err, &e) {
		code, msg = string(e.Code), e.Message
	}
	b, _ := json.Marshal(struct {
		File    string `json:"file"`
		Line    int64  `json:"line"`
		Code    string `json:"code"`
		Message string `json:"message"`
	}{l.File, l.Num, code, msg})
	return ErrorsFile, Record{File: l.File, Num: l.Num, JSON: b}
}
