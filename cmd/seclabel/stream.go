package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"maps"
	"os"
	"runtime"
	"slices"
	"strings"
	"sync"

	"github.com/seclabel/seclabel/internal/jsonx"
)

// doer answers protocol requests: the native engine, or the module.
type doer interface {
	Do(ctx context.Context, request []byte) []byte
}

// streamer is a doer that can also write its response in pieces (the
// native engine's DoTo).
type streamer interface {
	DoTo(ctx context.Context, w io.Writer, request []byte) error
}

// outcomeOf is what one input produced.
type outcomeOf struct {
	out    []byte // bytes to write, newline included
	audit  []byte // an AuditEvent for stderr, newline included
	code   string // protocol error code, or ""
	msg    string
	errors int // validation errors found
	// redact: whether the whole resource was withheld, and what it was and
	// why ("Condition/c1 (deny)").
	withheld bool
	what     string
	refs     []string // redact: references to every resource withheld
	// redact: the input carried no security label at all (the engine's
	// warning "unlabeled"), so nothing was judged but the default.
	unlabeled bool
}

// unlabeledNote is what redact says on stderr of an input without labels.
const unlabeledNote = "redaction judges security labels; if it has not been labeled, label it first, or add --option labelFirst=true"

// warnsUnlabeled reports whether a response's diagnostics hold the
// engine's warning that the input carries no security labels.
func warnsUnlabeled(diagnostics []byte) bool {
	return bytes.Contains(diagnostics, []byte(`"code":"unlabeled"`))
}

func execute(ctx context.Context, cfg *config, d doer, stdin io.Reader, stdout, stderr io.Writer) int {
	in := stdin
	var size int64 = -1
	var file *os.File // the input, when it can be read again
	cfg.inName, cfg.outName = "standard input", "standard output"
	if cfg.file != "" && cfg.file != "-" {
		f, ferr := openFile("input", cfg.file)
		if ferr != nil {
			return ferr.report(stderr)
		}
		defer f.Close()
		cfg.inName = "input file " + cfg.file
		if st, err := f.Stat(); err == nil {
			size = st.Size()
			if st.Mode().IsRegular() {
				file = f
			}
		}
		in = f
	}
	out := stdout
	var outFile *os.File
	if cfg.output != "" && cfg.output != "-" {
		cfg.outName = "output file " + cfg.output
		f, err := os.Create(cfg.output)
		if err != nil {
			return writeError(cfg.outName, err).report(stderr)
		}
		outFile, out = f, f
	}
	bw := bufio.NewWriterSize(out, 1<<20)
	br := bufio.NewReaderSize(in, 1<<20)
	ndjson := cfg.format == "ndjson"
	if cfg.format == "" {
		ndjson = strings.HasSuffix(cfg.file, ".ndjson") || strings.HasSuffix(cfg.file, ".jsonl") || looksNDJSON(br)
	}
	var status int
	if ndjson {
		status = streamNDJSON(ctx, cfg, d, br, bw, stderr, size, file)
	} else {
		status = single(ctx, cfg, d, br, bw, stderr, size)
	}
	if err := bw.Flush(); err != nil && status == exitOK {
		status = writeError(cfg.outName, err).report(stderr)
	}
	if outFile != nil {
		if err := outFile.Close(); err != nil && status == exitOK {
			status = writeError(cfg.outName, err).report(stderr)
		}
	}
	return status
}

// looksNDJSON peeks at the input: NDJSON when the first line is a complete
// JSON value and more input follows it.
func looksNDJSON(br *bufio.Reader) bool {
	peek, _ := br.Peek(br.Size())
	nl := bytes.IndexByte(peek, '\n')
	if nl < 0 || len(bytes.TrimSpace(peek[nl:])) == 0 {
		return false
	}
	line := bytes.TrimSpace(peek[:nl])
	var d jsonx.Doc
	return len(line) > 0 && d.Parse(line, 1000) == nil
}

func single(ctx context.Context, cfg *config, d doer, br *bufio.Reader, w *bufio.Writer, stderr io.Writer, size int64) int {
	if s, ok := d.(streamer); ok && (cfg.cmd == "label" || cfg.cmd == "hwm") && !cfg.pretty && !cfg.response && !cfg.outcome {
		return singleStream(ctx, cfg, s, br, w, stderr, size)
	}
	data, err := io.ReadAll(br)
	if err != nil {
		return readError(cfg.inName, err).report(stderr)
	}
	o := process(ctx, cfg, d, data)
	if o.code != "" {
		fmt.Fprintf(stderr, "seclabel: %s: %s\n", o.code, o.msg)
		return exitInput
	}
	if _, err := w.Write(o.out); err != nil {
		return writeError(cfg.outName, err).report(stderr)
	}
	stderr.Write(o.audit)
	if o.unlabeled {
		fmt.Fprintln(stderr, "seclabel: the input carries no security labels: "+unlabeledNote)
	}
	if cfg.cmd == "validate" && o.errors > 0 {
		return exitFindings
	}
	return exitOK
}

// singleStream labels or writes the high-water mark of one input whose
// result goes to w as the engine writes it: the input is read once, into
// the request, and neither the result nor a copy of it is ever held whole.
func singleStream(ctx context.Context, cfg *config, s streamer, br *bufio.Reader, w *bufio.Writer, stderr io.Writer, size int64) int {
	req := requestEnvelope(nil, cfg)
	req = append(req, 0)
	head := len(req)
	if size > 0 {
		req = slices.Grow(req, int(size)+1) // +1: ReadFrom sees the end without growing
	}
	buf := bytes.NewBuffer(req)
	if _, err := buf.ReadFrom(br); err != nil {
		return readError(cfg.inName, err).report(stderr)
	}
	req = buf.Bytes()
	rw := &resultWriter{out: w}
	if err := s.DoTo(ctx, rw, req); err != nil { // the writer's error
		return writeError(cfg.outName, err).report(stderr)
	}
	if !rw.tail { // an error response: no resource follows
		rw.failed = envelopeError(rw.env, req[head:])
	}
	if o := rw.failed; o != nil {
		fmt.Fprintf(stderr, "seclabel: %s: %s\n", o.code, o.msg)
		return exitInput
	}
	if err := w.WriteByte('\n'); err != nil {
		return writeError(cfg.outName, err).report(stderr)
	}
	return exitOK
}

// resultWriter takes a streamed response: the envelope before its NUL byte
// is kept and read first, and the resource after it goes on to out only
// when the envelope holds no error.
type resultWriter struct {
	out    io.Writer
	env    []byte
	tail   bool
	failed *outcomeOf
}

func (r *resultWriter) Write(p []byte) (int, error) {
	n := len(p)
	if !r.tail {
		i := bytes.IndexByte(p, 0)
		if i < 0 {
			r.env = append(r.env, p...)
			return n, nil
		}
		r.env = append(r.env, p[:i]...)
		r.tail, p = true, p[i+1:]
		r.failed = envelopeError(r.env, nil)
	}
	if r.failed != nil {
		return n, nil
	}
	_, err := r.out.Write(p)
	return n, err
}

// envelopeError is the error a response's envelope holds, or nil; resource
// is the input, for the position of a JSON error in it.
func envelopeError(env, resource []byte) *outcomeOf {
	var doc jsonx.Doc
	if err := doc.Parse(env, 10000); err != nil {
		return &outcomeOf{code: "internal", msg: "the engine returned malformed JSON"}
	}
	e := doc.Get(0, "error")
	if e < 0 {
		return nil
	}
	o := outcomeOf{code: doc.Str(doc.Get(e, "code")), msg: doc.Str(doc.Get(e, "message"))}
	if o.code == "invalid_json" && resource != nil {
		// The engine saw the input inside a request; say where in the input.
		var in jsonx.Doc
		var se *jsonx.SyntaxError
		if err := in.Parse(resource, 1<<20); errors.As(err, &se) {
			line, col := position(resource, se.Offset)
			o.msg = fmt.Sprintf("malformed JSON at line %d, column %d: %s", line, col, se.Msg)
		}
	}
	return &o
}

// requestEnvelope appends the request's JSON members but its resource, and
// its closing brace.
func requestEnvelope(req []byte, cfg *config) []byte {
	req = append(req, `{"op":"`...)
	req = append(req, cfg.cmd...)
	req = append(req, `","options":`...)
	req = append(req, cfg.options...)
	if cfg.context != nil {
		req = append(req, `,"context":`...)
		req = append(req, cfg.context...)
	}
	return append(req, '}')
}

// buffers are one worker's reusable request buffer and response tape.
type buffers struct {
	req []byte
	doc jsonx.Doc
}

// process runs one input through the protocol and shapes what is written.
func process(ctx context.Context, cfg *config, d doer, resource []byte) outcomeOf {
	return processWith(ctx, cfg, d, resource, &buffers{})
}

func processWith(ctx context.Context, cfg *config, d doer, resource []byte, b *buffers) outcomeOf {
	req := requestEnvelope(b.req[:0], cfg)
	// The resource travels after a NUL byte, and so does the result: only
	// the small envelope is parsed again here, and the resource is written
	// as the engine made it. --response wants the whole response as one
	// JSON value, so it sends the resource inside the request.
	split := !cfg.response
	if split {
		req = append(req, 0)
		req = append(req, bytes.TrimSpace(resource)...)
	} else {
		req = append(req[:len(req)-1], `,"resource":`...)
		req = append(req, bytes.TrimSpace(resource)...)
		req = append(req, '}')
	}
	b.req = req
	resp := d.Do(ctx, req)
	var tail []byte
	if split {
		if i := bytes.IndexByte(resp, 0); i >= 0 {
			resp, tail = resp[:i], resp[i+1:]
		}
	}

	doc := &b.doc
	if err := doc.Parse(resp, 10000); err != nil {
		return outcomeOf{code: "internal", msg: "the engine returned malformed JSON"}
	}
	if doc.Get(0, "error") >= 0 {
		return *envelopeError(resp, resource)
	}
	o := outcomeOf{}
	if a := doc.Get(0, "audit"); a >= 0 {
		o.audit = append(append([]byte(nil), doc.Raw(a)...), '\n')
	}
	if n := doc.Get(doc.Get(0, "report"), "errors"); n >= 0 {
		fmt.Sscan(string(doc.Raw(n)), &o.errors)
	}
	if cfg.cmd == "redact" {
		if split {
			o.withheld = bytes.Equal(bytes.TrimSpace(tail), []byte("null"))
		} else {
			o.withheld = doc.Kind(doc.Get(0, "resource")) == jsonx.Null
		}
		if o.withheld {
			o.what = withheldWhat(doc)
		}
		o.refs = withheldRefs(doc)
		o.unlabeled = warnsUnlabeled(doc.Raw(doc.Get(0, "diagnostics")))
	}
	if cfg.discard {
		return o
	}
	node := 0 // the whole response
	withResource := cfg.cmd == "hwm" || cfg.cmd == "label" || cfg.cmd == "redact"
	switch {
	case cfg.response:
	case cfg.outcome:
		node = doc.Get(0, "outcome")
	case withResource && tail != nil:
		if !cfg.pretty {
			o.out = append(append(make([]byte, 0, len(tail)+1), tail...), '\n')
			return o
		}
		if err := doc.Parse(tail, 10000); err != nil {
			return outcomeOf{code: "internal", msg: "the engine returned malformed JSON"}
		}
	case withResource:
		node = doc.Get(0, "resource")
	case cfg.cmd == "marks":
		node = doc.Get(doc.Get(0, "report"), "display")
	}
	switch {
	case cfg.pretty:
		o.out = doc.Format(nil, node, "  ")
	case node == 0:
		o.out = resp
	default:
		o.out = append([]byte(nil), doc.Raw(node)...)
	}
	o.out = append(o.out, '\n')
	return o
}

// withheldWhat says which resource a redact response withheld whole, and
// why: its report's first withheld entry is the resource itself.
func withheldWhat(doc *jsonx.Doc) string {
	x := doc.Index(doc.Get(doc.Get(0, "report"), "withheld"), 0)
	what := doc.Str(doc.Get(x, "type"))
	if id := doc.Str(doc.Get(x, "id")); id != "" {
		what += "/" + id
	}
	return fmt.Sprintf("%s (%s)", what, doc.Str(doc.Get(x, "reason")))
}

// withheldRefs returns the references by which other resources may refer
// to those a redact response withheld: Type/id of each that has an id, its
// fullUrl and its other forms (canonical url, identifiers).
func withheldRefs(doc *jsonx.Doc) []string {
	var refs []string
	doc.Items(doc.Get(doc.Get(0, "report"), "withheld"), func(_ int, x jsonx.Node) bool {
		if id := doc.Str(doc.Get(x, "id")); id != "" {
			refs = append(refs, doc.Str(doc.Get(x, "type"))+"/"+id)
		}
		if u := doc.Str(doc.Get(x, "fullUrl")); u != "" {
			refs = append(refs, strings.Clone(u))
		}
		doc.Items(doc.Get(x, "references"), func(_ int, r jsonx.Node) bool {
			refs = append(refs, strings.Clone(doc.Str(r)))
			return true
		})
		return true
	})
	return refs
}

// position turns a byte offset into a 1-based line and column.
func position(b []byte, off int) (line, col int) {
	off = min(off, len(b))
	line = 1 + bytes.Count(b[:off], []byte("\n"))
	col = off - bytes.LastIndexByte(b[:off], '\n')
	return line, col
}

// batch is what one batch of NDJSON lines produced.
type batch struct {
	out       []byte
	lines     int   // lines done (all of them, or up to the failing one)
	bytes     int64 // input bytes done
	failed    outcomeOf
	failLine  int
	errsFound int
	unlabeled int      // redact: lines that carried no security label
	withheld  []string // "line N: withheld Type/id (reason)", for the lines left out
	refs      []string // redact: references to every resource withheld
}

// eachBatch processes one resource per line on every core, in bounded
// memory, and hands each batch's result to f in input order, with the
// progress bar drawn on stderr (to clear before writing there). Lines
// travel in batches so the hand-off between goroutines costs little per
// resource. It stops when f returns a failing exit status, or after the
// batch with the first rejected line, which it reports, and returns the
// exit status. Redaction leaves out of a batch's output the lines it
// withholds whole (except with --response, which writes every response).
func eachBatch(ctx context.Context, cfg *config, d doer, br *bufio.Reader, stderr io.Writer, size int64, f func(*batch, *progress) int) int {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	const batchLines, batchBytes = 128, 1 << 20
	workers := runtime.GOMAXPROCS(0)
	type job struct {
		first int // line number of lines[0]
		lines [][]byte
		res   chan batch
	}
	jobs := make(chan job, workers*2)
	order := make(chan job, workers*4) // bounds the batches in flight
	var wg sync.WaitGroup
	for i := 0; i < workers; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var b buffers
			for j := range jobs {
				var r batch
				for k, line := range j.lines {
					o := processWith(ctx, cfg, d, line, &b)
					if o.code != "" {
						r.failed, r.failLine = o, j.first+k
						break
					}
					switch {
					case o.withheld && cfg.discard:
					case o.withheld && !cfg.response:
						r.withheld = append(r.withheld, fmt.Sprintf("line %d: withheld %s", j.first+k, o.what))
					default:
						r.out = append(r.out, o.out...)
					}
					r.refs = append(r.refs, o.refs...)
					if o.unlabeled {
						r.unlabeled++
					}
					r.lines++
					r.bytes += int64(len(line))
					r.errsFound += o.errors
				}
				j.res <- r
			}
		}()
	}
	readErr := make(chan error, 1)
	go func() {
		defer close(order)
		defer close(jobs)
		line := 0
		var cur job
		size := 0
		flush := func() bool {
			if len(cur.lines) == 0 {
				return true
			}
			cur.res = make(chan batch, 1)
			select {
			case order <- cur:
			case <-ctx.Done():
				return false
			}
			jobs <- cur
			cur, size = job{}, 0
			return true
		}
		for {
			data, err := br.ReadBytes('\n')
			if len(bytes.TrimSpace(data)) > 0 {
				line++
				if len(cur.lines) == 0 {
					cur.first = line
				}
				cur.lines = append(cur.lines, data)
				size += len(data)
				if (len(cur.lines) >= batchLines || size >= batchBytes) && !flush() {
					return
				}
			}
			if err != nil {
				if err != io.EOF {
					readErr <- err
				}
				flush()
				return
			}
		}
	}()
	prog := newProgress(stderr, size)
	status, lines := exitOK, 0
	var done int64
	for j := range order {
		r := <-j.res
		if status = f(&r, prog); status == exitOK && r.failed.code != "" {
			fmt.Fprintf(stderr, "seclabel: line %d: %s: %s\n", r.failLine, r.failed.code, r.failed.msg)
			status = exitInput
		}
		if status != exitOK {
			cancel()
			break
		}
		lines += r.lines
		done += r.bytes
		prog.update(lines, done)
	}
	// Drain so the reader and workers can finish.
	go func() {
		for j := range order {
			<-j.res
		}
	}()
	wg.Wait()
	prog.finish()
	select {
	case err := <-readErr:
		if status == exitOK {
			status = readError(cfg.inName, err).report(stderr)
		}
	default:
	}
	return status
}

// streamNDJSON processes one resource per line, writing results in input
// order. It stops at the first rejected line: what was written before it
// stays written. Redaction leaves out the lines it withholds whole and says
// which on stderr.
//
// A resource may refer to one withheld on another line. When the input is
// a file that can be read again, redaction takes two passes: the first
// writes nothing, finds every withheld resource and checks that every line
// is accepted, so a rejected line fails the run before any output; the
// second gives the engine the withheld resources as withheldReferences,
// which masks references to them, and writes. Read once, from a pipe,
// those references keep their reference and display.
func streamNDJSON(ctx context.Context, cfg *config, d doer, br *bufio.Reader, w *bufio.Writer, stderr io.Writer, size int64, file *os.File) int {
	if cfg.pretty {
		fmt.Fprintln(stderr, "seclabel: --pretty does not apply to NDJSON output; writing one result per line")
		cfg.pretty = false
	}
	twoPass := cfg.cmd == "redact" && file != nil
	if twoPass {
		// What goes with a withheld resource on another line (an Encounter
		// whose reason it is) is only known once that one is: the first
		// pass is read again with what it found until nothing more is
		// withheld, so that references to those are masked too.
		var refs []string
		for pass := 1; pass <= maxWithheldPasses; pass++ {
			c, err := withheldContext(cfg, refs)
			if err != nil {
				fmt.Fprintf(stderr, "seclabel: invalid_context: %v\n", err)
				return exitInput
			}
			found, status := findWithheld(ctx, c, d, br, stderr, size)
			if status != exitOK {
				return status
			}
			if _, err := file.Seek(0, io.SeekStart); err != nil {
				return readError(cfg.inName, err).report(stderr)
			}
			br.Reset(file)
			all := merged(refs, found)
			if len(all) == len(refs) {
				break
			}
			refs = all
		}
		var err error
		if cfg, err = withheldContext(cfg, refs); err != nil {
			fmt.Fprintf(stderr, "seclabel: invalid_context: %v\n", err)
			return exitInput
		}
	}
	errorsFound, lines, withheld, anyWithheld, unlabeled := 0, 0, 0, false, 0
	status := eachBatch(ctx, cfg, d, br, stderr, size, func(r *batch, prog *progress) int {
		if _, err := w.Write(r.out); err != nil {
			return writeError(cfg.outName, err).report(stderr)
		}
		if len(r.withheld) > 0 {
			prog.clear()
			for _, m := range r.withheld {
				fmt.Fprintf(stderr, "seclabel: %s\n", m)
			}
			withheld += len(r.withheld)
		}
		anyWithheld = anyWithheld || len(r.refs) > 0
		lines += r.lines
		errorsFound += r.errsFound
		unlabeled += r.unlabeled
		return exitOK
	})
	// A labeled stream has lines labeling found nothing in; one whose every
	// line is unlabeled most likely never went through labeling.
	if unlabeled > 0 && unlabeled == lines {
		fmt.Fprintln(stderr, "seclabel: no line of the input carries a security label: "+unlabeledNote)
	}
	if withheld > 0 {
		fmt.Fprintf(stderr, "seclabel: %d of %d resources withheld and left out of the output\n", withheld, lines)
	}
	if anyWithheld && !twoPass {
		fmt.Fprintln(stderr, "seclabel: references to resources withheld on other lines were not masked (that takes a second pass: give the input as a file)")
	}
	if status == exitOK && cfg.cmd == "validate" && errorsFound > 0 {
		return exitFindings
	}
	return status
}

// maxWithheldPasses bounds the first passes of NDJSON redaction: each
// finds what goes with what the one before found, a chain as long as the
// inherit elements make (a claim, its encounter, the encounter's
// condition), which is short.
const maxWithheldPasses = 8

// withheldContext is cfg with refs in its access context's
// withheldReferences (cfg itself when there are none).
func withheldContext(cfg *config, refs []string) (*config, error) {
	if len(refs) == 0 {
		return cfg, nil
	}
	c := *cfg
	var err error
	c.context, err = withReferences(cfg.context, refs)
	return &c, err
}

// merged is the sorted union of two sorted lists of references.
func merged(a, b []string) []string {
	out := append(append([]string(nil), a...), b...)
	slices.Sort(out)
	return slices.Compact(out)
}

// findWithheld is redaction's first pass: it redacts every line, writing
// nothing, and returns the references to every resource withheld, sorted.
// A rejected line ends it with the status to exit with.
func findWithheld(ctx context.Context, cfg *config, d doer, br *bufio.Reader, stderr io.Writer, size int64) ([]string, int) {
	c := *cfg
	c.discard = true
	seen := map[string]bool{}
	status := eachBatch(ctx, &c, d, br, stderr, size, func(r *batch, _ *progress) int {
		for _, ref := range r.refs {
			seen[ref] = true
		}
		return exitOK
	})
	return slices.Sorted(maps.Keys(seen)), status
}

// withReferences adds refs to the access context's withheldReferences,
// after any it has. A context that is one obligation ({"code": "REDACT",
// ...}) becomes {"obligations": [it], "withheldReferences": [...]}, which
// means the same.
func withReferences(accessContext []byte, refs []string) ([]byte, error) {
	var d jsonx.Doc
	if err := d.Parse(accessContext, 1000); err != nil || d.Kind(0) != jsonx.Object {
		return nil, errors.New("the access context is not a JSON object")
	}
	var w jsonx.Writer
	w.BeginObject()
	had := -1
	if d.Get(0, "code") >= 0 {
		w.Key("obligations")
		w.BeginArray()
		w.Raw(d.Raw(0))
		w.EndArray()
	} else {
		d.Members(0, func(k, v jsonx.Node) bool {
			if d.Str(k) == "withheldReferences" {
				had = v
				return true
			}
			w.Key(d.Str(k))
			w.Raw(d.Raw(v))
			return true
		})
	}
	if had >= 0 && d.Kind(had) != jsonx.Array {
		return nil, errors.New("context withheldReferences: must be an array")
	}
	w.Key("withheldReferences")
	w.BeginArray()
	d.Items(had, func(_ int, v jsonx.Node) bool {
		w.Raw(d.Raw(v))
		return true
	})
	for _, r := range refs {
		w.String(r)
	}
	w.EndArray()
	w.EndObject()
	return w.B, nil
}
