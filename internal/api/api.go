// Package api serves the engine over HTTP as FHIR operations: $label,
// $hwm, $redact, $validate and $marks on application/fhir+json, the SHIFT
// SLS reference implementation's $sls-tag, LEAP SLS's /fhir/sls/label and
// /fhir/sls/transaction, a CapabilityStatement at /metadata and /healthz.
// Errors are OperationOutcomes carrying the engine's stable error codes.
// README.md ("HTTP API") describes the requests and responses.
package api

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"runtime"
	"strings"
	"sync"
	"time"

	"github.com/seclabel/seclabel/engine"
)

// Config is what New needs; zero fields take the defaults named.
type Config struct {
	// Backend runs the operations: an *engine.Engine or a *host.Host,
	// configured with the rule packs and default options.
	Backend engine.Backend
	// MaxBodyBytes bounds a request body (default 64 MiB, the engine's
	// default maxInputBytes); a larger one gets 413.
	MaxBodyBytes int64
	// MaxConcurrent bounds the operations running at once (default
	// 2 × GOMAXPROCS). A request that finds every slot taken waits up to
	// QueueWait for one, then gets 503 with Retry-After.
	MaxConcurrent int
	QueueWait     time.Duration
	// Token, when set, is the bearer token every operation must present
	// (/healthz, /metadata and the OperationDefinitions stay open). An
	// empty token is never accepted.
	Token []byte
	// Log gets one line per request: method, path, status, bytes in and
	// out, duration. Never a header or a byte of the body.
	Log io.Writer
}

// handler is the API's http.Handler.
type handler struct {
	cfg   Config
	slots chan struct{}
	token [sha256.Size]byte
	logMu sync.Mutex
	meta  []byte // the CapabilityStatement
	defs  map[string][]byte
}

// New returns the API's handler.
func New(cfg Config) http.Handler {
	if cfg.MaxBodyBytes <= 0 {
		cfg.MaxBodyBytes = 64 << 20
	}
	if cfg.MaxConcurrent <= 0 {
		cfg.MaxConcurrent = 2 * runtime.GOMAXPROCS(0)
	}
	h := &handler{cfg: cfg, slots: make(chan struct{}, cfg.MaxConcurrent)}
	if cfg.Token != nil {
		// Digests are compared, so the comparison takes the same time
		// whatever the length of the token presented.
		h.token = sha256.Sum256(cfg.Token)
	}
	h.meta, h.defs = capabilities(cfg.Token != nil)
	return h
}

// route is what a path serves.
type route struct {
	op     *operation // nil for the read-only resources
	public bool       // served without the bearer token
	get    func(h *handler, w http.ResponseWriter, r *http.Request)
}

func (h *handler) route(path string) (route, bool) {
	switch {
	case path == "/healthz":
		return route{public: true, get: (*handler).health}, true
	case path == "/metadata":
		return route{public: true, get: (*handler).metadata}, true
	case strings.HasPrefix(path, "/OperationDefinition/"):
		if _, ok := h.defs[strings.TrimPrefix(path, "/OperationDefinition/")]; ok {
			return route{public: true, get: (*handler).definition}, true
		}
		return route{}, false
	}
	if op := operations[path]; op != nil {
		return route{op: op}, true
	}
	return route{}, false
}

func (h *handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	lw := &logWriter{ResponseWriter: w}
	body := &countReader{r: r.Body}
	r.Body = body
	defer func() {
		if h.cfg.Log != nil {
			h.logMu.Lock()
			fmt.Fprintf(h.cfg.Log, "%s %s %s %d in=%d out=%d %s\n", start.UTC().Format(time.RFC3339), r.Method,
				logPath(r.URL.Path), lw.status(), body.n, lw.n, time.Since(start).Round(time.Microsecond))
			h.logMu.Unlock()
		}
	}()
	rt, ok := h.route(r.URL.Path)
	if !ok {
		fail(lw, &apiError{status: http.StatusNotFound, code: codeNotFound, msg: "no such endpoint: " + logPath(r.URL.Path) + "; GET /metadata lists the operations"})
		return
	}
	if !rt.public && h.cfg.Token != nil && !h.authorized(r) {
		lw.Header().Set("WWW-Authenticate", `Bearer realm="seclabel"`)
		fail(lw, &apiError{status: http.StatusUnauthorized, code: codeUnauthorized, msg: "a valid bearer token is required (Authorization: Bearer TOKEN)"})
		return
	}
	if rt.op == nil {
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			lw.Header().Set("Allow", "GET, HEAD")
			fail(lw, &apiError{status: http.StatusMethodNotAllowed, code: codeMethod, msg: r.Method + " is not allowed here; use GET"})
			return
		}
		rt.get(h, lw, r)
		return
	}
	if r.Method != http.MethodPost {
		lw.Header().Set("Allow", "POST")
		fail(lw, &apiError{status: http.StatusMethodNotAllowed, code: codeMethod, msg: r.Method + " is not allowed here; operations take POST"})
		return
	}
	if err := checkContentType(r.Header.Get("Content-Type")); err != nil {
		fail(lw, err)
		return
	}
	if r.ContentLength > h.cfg.MaxBodyBytes {
		fail(lw, tooLarge(h.cfg.MaxBodyBytes))
		return
	}
	if err := h.acquire(r.Context()); err != nil {
		fail(lw, err)
		return
	}
	defer func() { <-h.slots }()
	buf, err := readBody(http.MaxBytesReader(w, r.Body, h.cfg.MaxBodyBytes), r.ContentLength)
	defer buf.release()
	if err != nil {
		fail(lw, readFailure(err, h.cfg.MaxBodyBytes))
		return
	}
	out, err := rt.op.serve(r.Context(), h.cfg.Backend, buf, r, lw)
	if err != nil {
		fail(lw, err)
		return
	}
	if out != nil {
		writeFHIR(lw, http.StatusOK, out)
	}
}

// headroom is the space kept free before a request body, where the
// engine request's envelope is then written: the body becomes the
// request's resource without being copied.
const headroom = 4096

// body is a request body read after headroom bytes of free space.
type body struct {
	buf []byte // headroom bytes, then the body
}

func (b body) bytes() []byte { return b.buf[headroom:] }

// bodies keeps request buffers for the next requests: a buffer of a few
// megabytes per request would otherwise be allocated, cleared and
// collected each time. Nothing holds a body past its request (the engine
// keeps nothing of a request, and a response is written before the
// handler returns).
var bodies sync.Pool // *[]byte

// pooledMax is the largest buffer kept, so that one huge request does
// not stay in memory.
const pooledMax = 16 << 20

// release gives the buffer back for another request.
func (b body) release() {
	if b.buf != nil && cap(b.buf) <= pooledMax {
		bodies.Put(&b.buf)
	}
}

// readBody reads a request body of n bytes (-1: not said) after the
// headroom, into a buffer of the pool when n is known.
func readBody(r io.Reader, n int64) (body, error) {
	if n < 0 {
		b, err := io.ReadAll(r)
		return body{append(make([]byte, headroom, headroom+len(b)), b...)}, err
	}
	size := headroom + int(n)
	var buf []byte
	if p, _ := bodies.Get().(*[]byte); p != nil && cap(*p) >= size {
		buf = (*p)[:size]
	} else {
		if p != nil {
			bodies.Put(p) // too small for this one; right for another
		}
		buf = make([]byte, size)
	}
	_, err := io.ReadFull(r, buf[headroom:])
	if errors.Is(err, io.ErrUnexpectedEOF) {
		err = errors.New("the body is shorter than its Content-Length")
	}
	return body{buf}, err
}

// authorized says whether the request carries the bearer token.
func (h *handler) authorized(r *http.Request) bool {
	scheme, tok, ok := strings.Cut(r.Header.Get("Authorization"), " ")
	if tok = strings.TrimSpace(tok); !ok || !strings.EqualFold(scheme, "Bearer") || tok == "" {
		return false
	}
	got := sha256.Sum256([]byte(tok))
	return subtle.ConstantTimeCompare(got[:], h.token[:]) == 1
}

// acquire takes an operation slot, waiting up to QueueWait for one.
func (h *handler) acquire(ctx context.Context) error {
	select {
	case h.slots <- struct{}{}:
		return nil
	default:
	}
	busy := &apiError{status: http.StatusServiceUnavailable, code: codeBusy, msg: "every operation slot is taken; retry later", retry: true}
	if h.cfg.QueueWait <= 0 {
		return busy
	}
	t := time.NewTimer(h.cfg.QueueWait)
	defer t.Stop()
	select {
	case h.slots <- struct{}{}:
		return nil
	case <-t.C:
		return busy
	case <-ctx.Done():
		return busy
	}
}

func (h *handler) health(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	io.WriteString(w, `{"status":"ok"}`)
}

func (h *handler) metadata(w http.ResponseWriter, r *http.Request) {
	writeFHIR(w, http.StatusOK, h.meta)
}

func (h *handler) definition(w http.ResponseWriter, r *http.Request) {
	writeFHIR(w, http.StatusOK, h.defs[strings.TrimPrefix(r.URL.Path, "/OperationDefinition/")])
}

// checkContentType accepts FHIR JSON and plain JSON, with any parameters
// (charset).
func checkContentType(ct string) error {
	mt, _, _ := strings.Cut(ct, ";")
	switch strings.ToLower(strings.TrimSpace(mt)) {
	case "application/fhir+json", "application/json":
		return nil
	}
	if ct == "" {
		ct = "none"
	}
	return &apiError{status: http.StatusUnsupportedMediaType, code: codeMediaType,
		msg: "Content-Type " + ct + " is not accepted; send application/fhir+json or application/json"}
}

func tooLarge(limit int64) error {
	return &apiError{status: http.StatusRequestEntityTooLarge, code: "too_large",
		msg: fmt.Sprintf("the request body exceeds the limit of %d bytes", limit)}
}

// readFailure classifies a failure to read the body: over the size
// limit, past the read timeout, or the connection lost.
func readFailure(err error, limit int64) error {
	var mbe *http.MaxBytesError
	var ne net.Error
	switch {
	case errors.As(err, &mbe):
		return tooLarge(limit)
	case errors.As(err, &ne) && ne.Timeout():
		return &apiError{status: http.StatusRequestTimeout, code: codeTimeout, msg: "the request body was not received in time"}
	}
	return &apiError{status: http.StatusBadRequest, code: codeInvalidRequest, msg: "reading the request body failed: " + err.Error()}
}

// logPath is a path fit for a log line: no control characters, bounded.
func logPath(p string) string {
	if len(p) > 200 {
		p = p[:200] + "..."
	}
	return strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f {
			return '?'
		}
		return r
	}, p)
}

// logWriter counts what is written and remembers the status.
type logWriter struct {
	http.ResponseWriter
	code int
	n    int64
}

func (w *logWriter) WriteHeader(code int) {
	if w.code == 0 {
		w.code = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *logWriter) Write(b []byte) (int, error) {
	if w.code == 0 {
		w.code = http.StatusOK
	}
	n, err := w.ResponseWriter.Write(b)
	w.n += int64(n)
	return n, err
}

func (w *logWriter) status() int {
	if w.code == 0 {
		return http.StatusOK
	}
	return w.code
}

// Unwrap lets http.ResponseController reach the connection (MaxBytesReader
// closes it after an oversized body).
func (w *logWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

type countReader struct {
	r io.ReadCloser
	n int64
}

func (c *countReader) Read(b []byte) (int, error) {
	n, err := c.r.Read(b)
	c.n += int64(n)
	return n, err
}

func (c *countReader) Close() error { return c.r.Close() }

// writeFHIR writes a FHIR JSON body.
func writeFHIR(w http.ResponseWriter, status int, b []byte) {
	fhirHeaders(w)
	w.WriteHeader(status)
	w.Write(b)
}

// fhirHeaders are the headers of every FHIR JSON response.
func fhirHeaders(w http.ResponseWriter) {
	w.Header().Set("Content-Type", "application/fhir+json; charset=utf-8")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.Header().Set("Cache-Control", "no-store")
}
