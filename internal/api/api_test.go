package api

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/seclabel/seclabel/engine"
)

const hivCondition = `{"resourceType":"Condition","id":"c1","code":{"coding":[{"system":"http://hl7.org/fhir/sid/icd-10-cm","code":"B20"}]}}`

func newServer(t *testing.T, cfg Config) *httptest.Server {
	t.Helper()
	if cfg.Backend == nil {
		e, err := engine.New(engine.Options{})
		if err != nil {
			t.Fatal(err)
		}
		cfg.Backend = e
	}
	srv := httptest.NewServer(New(cfg))
	t.Cleanup(srv.Close)
	return srv
}

// post sends body to path with FHIR JSON's content type and the headers
// given as name, value pairs.
func post(t *testing.T, srv *httptest.Server, path, body string, headers ...string) (*http.Response, []byte) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, srv.URL+path, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/fhir+json")
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	return do(t, req)
}

func do(t *testing.T, req *http.Request) (*http.Response, []byte) {
	t.Helper()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, b
}

// value decodes b into a generic JSON value.
func value(t *testing.T, b []byte) map[string]any {
	t.Helper()
	var v map[string]any
	if err := json.Unmarshal(b, &v); err != nil {
		t.Fatalf("not a JSON object: %v\n%s", err, b)
	}
	return v
}

// codes lists the codes of a resource's meta.security.
func codes(t *testing.T, res map[string]any) []string {
	t.Helper()
	meta, _ := res["meta"].(map[string]any)
	var out []string
	for _, l := range meta["security"].([]any) {
		out = append(out, l.(map[string]any)["code"].(string))
	}
	return out
}

// wantError checks an error response: status, OperationOutcome, the code
// in issue.details.coding under errorSystem and in the text.
func wantError(t *testing.T, resp *http.Response, b []byte, status int, code string) {
	t.Helper()
	if resp.StatusCode != status {
		t.Fatalf("status %d, want %d: %s", resp.StatusCode, status, b)
	}
	oo := value(t, b)
	if oo["resourceType"] != "OperationOutcome" {
		t.Fatalf("not an OperationOutcome: %s", b)
	}
	issue := oo["issue"].([]any)[0].(map[string]any)
	det := issue["details"].(map[string]any)
	c := det["coding"].([]any)[0].(map[string]any)
	if c["system"] != errorSystem || c["code"] != code || !strings.HasPrefix(det["text"].(string), code+": ") || issue["severity"] != "error" {
		t.Fatalf("want code %s: %s", code, b)
	}
}

func TestLabel(t *testing.T) {
	srv := newServer(t, Config{})
	for _, ct := range []string{"application/fhir+json", "application/json; charset=utf-8"} {
		resp, b := post(t, srv, "/$label", hivCondition, "Content-Type", ct)
		if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "application/fhir+json; charset=utf-8" {
			t.Fatalf("%s: %d %s", ct, resp.StatusCode, resp.Header.Get("Content-Type"))
		}
		if got := strings.Join(codes(t, value(t, b)), " "); got != "R HIV" {
			t.Errorf("labels %q, want R HIV", got)
		}
	}
	// A Parameters body: its resource part, options as JSON text, report.
	params := `{"resourceType":"Parameters","parameter":[{"name":"resource","resource":` + hivCondition + `},
		{"name":"options","valueString":"{\"classifier\":\"clinic labeler\"}"},{"name":"report","valueBoolean":true}]}`
	resp, b := post(t, srv, "/$label", params)
	if resp.StatusCode != 200 {
		t.Fatalf("%d %s", resp.StatusCode, b)
	}
	p := value(t, b)
	parts := p["parameter"].([]any)
	ret := parts[0].(map[string]any)
	rep := parts[1].(map[string]any)
	if p["resourceType"] != "Parameters" || ret["name"] != "return" || rep["name"] != "report" {
		t.Fatalf("not the report Parameters: %s", b)
	}
	if !strings.Contains(string(b), `"display":"clinic labeler"`) {
		t.Error("the options part was not applied")
	}
	var report struct {
		Report struct {
			Labeled []struct {
				Matches []struct{ Rule, Code string }
			}
		}
		Diagnostics []any
	}
	if err := json.Unmarshal([]byte(rep["valueString"].(string)), &report); err != nil || len(report.Report.Labeled) != 1 ||
		report.Report.Labeled[0].Matches[0].Rule != "hiv" || report.Diagnostics == nil {
		t.Fatalf("report %v: %s", err, rep["valueString"])
	}
	// ?report=true and a header option do the same.
	resp, b = post(t, srv, "/$label?report=true", hivCondition, "X-Seclabel-Options", `{"classifier":"h"}`)
	if resp.StatusCode != 200 || !strings.Contains(string(b), `"name":"report"`) || !strings.Contains(string(b), `"display":"h"`) {
		t.Fatalf("%d %s", resp.StatusCode, b)
	}
	// Without the report, the report's long lists are not computed: the
	// client's own omitReport is left as it is.
	resp, b = post(t, srv, "/$label?report=true", hivCondition, "X-Seclabel-Options", `{"omitReport":true}`)
	if resp.StatusCode != 200 || !strings.Contains(string(b), `labeled\":[]`) {
		t.Fatalf("omitReport given by the client: %d %s", resp.StatusCode, b)
	}
	// output=put: a transaction of PUTs.
	resp, b = post(t, srv, "/$label?output=put", hivCondition)
	if resp.StatusCode != 200 || !strings.Contains(string(b), `"request":{"method":"PUT","url":"Condition/c1"}`) || !strings.Contains(string(b), `"type":"transaction"`) {
		t.Fatalf("output=put: %d %s", resp.StatusCode, b)
	}
	// Nothing to label: an empty transaction.
	resp, b = post(t, srv, "/$label?output=meta-add", `{"resourceType":"Patient","id":"p"}`)
	if resp.StatusCode != 200 || string(b) != `{"resourceType":"Bundle","type":"transaction"}` {
		t.Fatalf("nothing labeled: %d %s", resp.StatusCode, b)
	}
}

// $sls-tag takes its Bundle and mode from a Parameters too.
func TestSLSTagParameters(t *testing.T) {
	srv := newServer(t, Config{})
	bundle := `{"resourceType":"Bundle","type":"collection","entry":[{"resource":` + hivCondition + `}]}`
	params := `{"resourceType":"Parameters","parameter":[{"name":"bundle","resource":` + bundle + `},{"name":"mode","valueCode":"full"}]}`
	resp, b := post(t, srv, "/$sls-tag", params)
	v := value(t, b)
	if resp.StatusCode != 200 || v["resourceType"] != "Bundle" || v["type"] != "collection" || strings.Join(codes(t, v), " ") != "R" {
		t.Fatalf("full from a Parameters: %d %s", resp.StatusCode, b)
	}
	resp, b = post(t, srv, "/$sls-tag", `{"resourceType":"Parameters","parameter":[{"name":"bundle","resource":`+bundle+`}]}`)
	if v := value(t, b); resp.StatusCode != 200 || v["type"] != "batch" {
		t.Fatalf("batch by default: %d %s", resp.StatusCode, b)
	}
}

func TestHWMValidateMarks(t *testing.T) {
	srv := newServer(t, Config{})
	bundle := `{"resourceType":"Bundle","type":"searchset","entry":[{"resource":{"resourceType":"Condition","id":"a","meta":{"security":[{"system":"http://terminology.hl7.org/CodeSystem/v3-Confidentiality","code":"V"}]}}}]}`
	resp, b := post(t, srv, "/$hwm", bundle)
	if resp.StatusCode != 200 || strings.Join(codes(t, value(t, b)), " ") != "V" {
		t.Fatalf("hwm: %d %s", resp.StatusCode, b)
	}
	resp, b = post(t, srv, "/$validate", `{"resourceType":"Patient","meta":{"security":[{"system":"http://terminology.hl7.org/CodeSystem/v3-Confidentiality","code":"r"}]}}`)
	oo := value(t, b)
	if resp.StatusCode != 200 || oo["resourceType"] != "OperationOutcome" || !strings.Contains(string(b), `"code":"label-code-case"`) {
		t.Fatalf("validate: %d %s", resp.StatusCode, b)
	}
	// The client cannot turn the OperationOutcome off.
	resp, b = post(t, srv, "/$validate?report=true", hivCondition, "X-Seclabel-Options", `{"operationOutcome":false}`)
	if resp.StatusCode != 200 || !strings.Contains(string(b), `"resourceType":"OperationOutcome"`) || !strings.Contains(string(b), `"name":"report"`) {
		t.Fatalf("validate with report: %d %s", resp.StatusCode, b)
	}
	marked := `{"resourceType":"Condition","meta":{"security":[{"system":"http://terminology.hl7.org/CodeSystem/v3-ActCode","code":"ConfidentialMark"}]}}`
	resp, b = post(t, srv, "/$marks", marked)
	if resp.StatusCode != 200 || !strings.Contains(string(b), `"name":"display"`) || !strings.Contains(string(b), `"valueCoding":{"system":"http://terminology.hl7.org/CodeSystem/v3-ActCode","code":"ConfidentialMark"}`) {
		t.Fatalf("marks: %d %s", resp.StatusCode, b)
	}
}

func TestRedact(t *testing.T) {
	srv := newServer(t, Config{})
	_, labeled := post(t, srv, "/$label", hivCondition)
	// The context as a header: HIV denied withholds the whole resource.
	resp, b := post(t, srv, "/$redact", string(labeled), "X-Seclabel-Context", `{"clearance":"R","deny":["HIV"]}`)
	if resp.StatusCode != 200 || !strings.Contains(string(b), `"code":"suppressed"`) || !strings.Contains(string(b), `"code":"withheld"`) {
		t.Fatalf("withheld: %d %s", resp.StatusCode, b)
	}
	// The context part by part, and the AuditEvent of the disclosure.
	params := `{"resourceType":"Parameters","parameter":[{"name":"resource","resource":` + string(labeled) + `},
		{"name":"clearance","valueCode":"R"},{"name":"deny","valueCode":"SUD"},{"name":"deny","valueCode":"ETH"},
		{"name":"options","valueString":"{\"audit\":true,\"auditTime\":\"2026-01-02T03:04:05Z\"}"}]}`
	resp, b = post(t, srv, "/$redact", params)
	if resp.StatusCode != 200 || !strings.Contains(string(b), `"name":"audit"`) || !strings.Contains(string(b), `"resourceType":"AuditEvent"`) ||
		!strings.Contains(string(b), `"code":"HIV"`) {
		t.Fatalf("released with audit: %d %s", resp.StatusCode, b)
	}
	// The context as one JSON part.
	params = `{"resourceType":"Parameters","parameter":[{"name":"resource","resource":` + string(labeled) + `},{"name":"context","valueString":"{\"clearance\":\"N\"}"}]}`
	resp, b = post(t, srv, "/$redact", params)
	if resp.StatusCode != 200 || !strings.Contains(string(b), `"suppressed"`) {
		t.Fatalf("clearance N: %d %s", resp.StatusCode, b)
	}
}

func TestErrors(t *testing.T) {
	srv := newServer(t, Config{MaxBodyBytes: 4096})
	for _, tc := range []struct {
		name, method, path, ct, body string
		headers                      []string
		status                       int
		code                         string
	}{
		{"not JSON", "POST", "/$label", "", `{"resourceType":`, nil, 400, "invalid_json"},
		{"a bad header option", "POST", "/$label", "", hivCondition, []string{"X-Seclabel-Options", `{"textMatch":`}, 400, "invalid_option"},
		{"an unknown option", "POST", "/$label", "", hivCondition, []string{"X-Seclabel-Options", `{"nope":1}`}, 400, "invalid_option"},
		{"no context", "POST", "/$redact", "", hivCondition, nil, 400, "invalid_context"},
		{"a context that is not an object", "POST", "/$redact", "", hivCondition, []string{"X-Seclabel-Context", `"R"`}, 400, "invalid_context"},
		{"a context for label", "POST", "/$label", "", hivCondition, []string{"X-Seclabel-Context", `{}`}, 400, "invalid_context"},
		{"an unknown parameter", "POST", "/$label", "", `{"resourceType":"Parameters","parameter":[{"name":"nope","valueString":"x"}]}`, nil, 400, "invalid_request"},
		{"an unknown query parameter", "POST", "/$label?nope=1", "", hivCondition, nil, 400, "invalid_request"},
		{"a bad mode", "POST", "/$sls-tag?mode=all", "", `{"resourceType":"Bundle","type":"collection"}`, nil, 400, "invalid_request"},
		{"a bad output", "POST", "/$label?output=patch", "", hivCondition, nil, 400, "invalid_request"},
		{"mode off $sls-tag", "POST", "/$label?mode=full", "", hivCondition, nil, 400, "invalid_request"},
		{"too large", "POST", "/$label", "", `{"resourceType":"Basic","text":"` + strings.Repeat("x", 5000) + `"}`, nil, 413, "too_large"},
		{"wrong content type", "POST", "/$label", "text/plain", hivCondition, nil, 415, "unsupported_media_type"},
		{"no content type", "POST", "/$label", "-", hivCondition, nil, 415, "unsupported_media_type"},
		{"no resourceType", "POST", "/$hwm", "", `{"id":"x"}`, nil, 422, "not_fhir"},
		{"not an object", "POST", "/$hwm", "", `[1]`, nil, 422, "not_fhir"},
		{"an unknown resourceType", "POST", "/$validate", "", `{"resourceType":"Patients"}`, nil, 422, "unsupported_resource"},
		{"a Parameters without a resource", "POST", "/$label", "", `{"resourceType":"Parameters","parameter":[{"name":"report","valueBoolean":true}]}`, nil, 422, "not_fhir"},
		{"$sls-tag on a resource", "POST", "/$sls-tag", "", hivCondition, nil, 422, "invalid_request"},
		{"a transaction that cannot name a resource", "POST", "/fhir/sls/transaction", "", `{"resourceType":"Condition","code":{"coding":[{"system":"http://hl7.org/fhir/sid/icd-10-cm","code":"B20"}]}}`, nil, 422, "invalid_request"},
		{"GET an operation", "GET", "/$label", "", "", nil, 405, "method_not_allowed"},
		{"POST metadata", "POST", "/metadata", "", "{}", nil, 405, "method_not_allowed"},
		{"an unknown path", "POST", "/$labels", "", hivCondition, nil, 404, "not_found"},
		{"an unknown definition", "GET", "/OperationDefinition/nope", "", "", nil, 404, "not_found"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			req, _ := http.NewRequest(tc.method, srv.URL+tc.path, strings.NewReader(tc.body))
			switch tc.ct {
			case "":
				req.Header.Set("Content-Type", "application/fhir+json")
			case "-":
			default:
				req.Header.Set("Content-Type", tc.ct)
			}
			for i := 0; i+1 < len(tc.headers); i += 2 {
				req.Header.Set(tc.headers[i], tc.headers[i+1])
			}
			resp, b := do(t, req)
			wantError(t, resp, b, tc.status, tc.code)
			if tc.status == 405 && resp.Header.Get("Allow") == "" {
				t.Error("405 without Allow")
			}
		})
	}
}

// The engine's own limit (maxInputBytes) answers 413 too, with its code.
func TestEngineLimit(t *testing.T) {
	_, e := engine.Configure([]byte(`{"op":"configure","options":{"maxInputBytes":1024}}`))
	srv := newServer(t, Config{Backend: e})
	resp, b := post(t, srv, "/$label", `{"resourceType":"Basic","id":"`+strings.Repeat("x", 2000)+`"}`)
	wantError(t, resp, b, 413, "too_large")
}

func TestToken(t *testing.T) {
	srv := newServer(t, Config{Token: []byte("s3cret-token")})
	for _, auth := range []string{"", "Bearer wrong", "Basic s3cret-token", "Bearer s3cret-toke", "Bearer s3cret-token2", "Bearer ", "Bearer"} {
		resp, b := post(t, srv, "/$label", hivCondition, "Authorization", auth)
		wantError(t, resp, b, 401, "unauthorized")
		if !strings.HasPrefix(resp.Header.Get("WWW-Authenticate"), "Bearer") {
			t.Errorf("%q: WWW-Authenticate %q", auth, resp.Header.Get("WWW-Authenticate"))
		}
	}
	if resp, b := post(t, srv, "/$label", hivCondition, "Authorization", "Bearer s3cret-token"); resp.StatusCode != 200 {
		t.Fatalf("with the token: %d %s", resp.StatusCode, b)
	}
	// An empty token set by mistake lets no one in.
	open := newServer(t, Config{Token: []byte{}})
	if resp, b := post(t, open, "/$label", hivCondition, "Authorization", "Bearer "); resp.StatusCode != 401 {
		t.Fatalf("empty token: %d %s", resp.StatusCode, b)
	}
	// Health and the capability statement stay open; it says a token is
	// needed.
	for _, p := range []string{"/healthz", "/metadata", "/OperationDefinition/label"} {
		req, _ := http.NewRequest("GET", srv.URL+p, nil)
		resp, b := do(t, req)
		if resp.StatusCode != 200 {
			t.Errorf("%s: %d", p, resp.StatusCode)
		}
		if p == "/metadata" && !strings.Contains(string(b), `"security":{"description":"Every operation requires Authorization: Bearer`) {
			t.Errorf("the CapabilityStatement does not say a token is needed: %s", b)
		}
	}
}

func TestMetadata(t *testing.T) {
	srv := newServer(t, Config{})
	resp, err := http.Get(srv.URL + "/healthz")
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("healthz: %v", err)
	}
	resp.Body.Close()
	req, _ := http.NewRequest("GET", srv.URL+"/metadata", nil)
	resp, b := do(t, req)
	cs := value(t, b)
	if resp.StatusCode != 200 || cs["resourceType"] != "CapabilityStatement" || cs["fhirVersion"] != "4.0.1" {
		t.Fatalf("metadata: %d %s", resp.StatusCode, b)
	}
	ops := cs["rest"].([]any)[0].(map[string]any)["operation"].([]any)
	var names []string
	for _, o := range ops {
		o := o.(map[string]any)
		names = append(names, o["name"].(string))
		// Every operation named has its definition, and its path serves.
		def := o["definition"].(string)
		id := def[strings.LastIndex(def, "/")+1:]
		req, _ := http.NewRequest("GET", srv.URL+"/OperationDefinition/"+id, nil)
		resp, b := do(t, req)
		od := value(t, b)
		if resp.StatusCode != 200 || od["resourceType"] != "OperationDefinition" || od["code"] != o["name"] || od["url"] != def {
			t.Errorf("definition of %s: %d %s", o["name"], resp.StatusCode, b)
		}
		if _, ok := operations["/$"+od["code"].(string)]; !ok {
			t.Errorf("%s is defined but not served", od["code"])
		}
	}
	if got := strings.Join(names, " "); got != "label hwm redact validate marks sls-tag" {
		t.Errorf("operations %q", got)
	}
}

// blocking is a backend whose calls wait until released, to hold requests
// in flight.
type blocking struct {
	engine.Backend
	started chan struct{}
	release chan struct{}
}

func newBlocking(t *testing.T) *blocking {
	e, _ := engine.New(engine.Options{})
	return &blocking{Backend: e, started: make(chan struct{}, 16), release: make(chan struct{})}
}

func (b *blocking) Do(ctx context.Context, req []byte) []byte {
	b.started <- struct{}{}
	<-b.release
	return b.Backend.Do(ctx, req)
}

func TestConcurrencyCap(t *testing.T) {
	b := newBlocking(t)
	srv := newServer(t, Config{Backend: b, MaxConcurrent: 1})
	var wg sync.WaitGroup
	wg.Add(1)
	var first int
	go func() {
		defer wg.Done()
		resp, _ := post(t, srv, "/$label", hivCondition)
		first = resp.StatusCode
	}()
	<-b.started
	resp, body := post(t, srv, "/$label", hivCondition)
	wantError(t, resp, body, 503, "busy")
	if resp.Header.Get("Retry-After") == "" {
		t.Error("503 without Retry-After")
	}
	// Health answers while the slots are full.
	if r, err := http.Get(srv.URL + "/healthz"); err != nil || r.StatusCode != 200 {
		t.Errorf("healthz while busy: %v", err)
	}
	close(b.release)
	wg.Wait()
	if first != 200 {
		t.Fatalf("the request holding the slot: %d", first)
	}
	// With a queue, a request waits for the slot instead.
	b2 := newBlocking(t)
	srv = newServer(t, Config{Backend: b2, MaxConcurrent: 1, QueueWait: 5 * time.Second})
	codes := make(chan int, 2)
	for range 2 {
		go func() {
			resp, _ := post(t, srv, "/$label", hivCondition)
			codes <- resp.StatusCode
		}()
	}
	<-b2.started
	time.Sleep(50 * time.Millisecond) // the second request is queued now
	close(b2.release)
	if a, c := <-codes, <-codes; a != 200 || c != 200 {
		t.Fatalf("queued: %d %d", a, c)
	}
}

// serveOn starts Serve on a loopback port; cancel stops it.
func serveOn(t *testing.T, h http.Handler, to Timeouts) (addr string, cancel func(), done chan error) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done = make(chan error, 1)
	go func() { done <- Serve(ctx, ln, h, to) }()
	t.Cleanup(cancel)
	return ln.Addr().String(), cancel, done
}

func TestGracefulShutdown(t *testing.T) {
	b := newBlocking(t)
	addr, cancel, done := serveOn(t, New(Config{Backend: b}), Timeouts{})
	result := make(chan string, 1)
	go func() {
		resp, err := http.Post("http://"+addr+"/$label", "application/fhir+json", strings.NewReader(hivCondition))
		if err != nil {
			result <- err.Error()
			return
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		result <- fmt.Sprint(resp.StatusCode, " ", strings.Contains(string(body), `"code":"HIV"`))
	}()
	<-b.started
	cancel() // SIGTERM's effect: stop listening, drain
	select {
	case err := <-done:
		t.Fatalf("Serve returned with a request in flight: %v", err)
	case <-time.After(100 * time.Millisecond):
	}
	if c, err := net.DialTimeout("tcp", addr, time.Second); err == nil {
		c.Close()
		t.Error("new connections are still taken while draining")
	}
	close(b.release)
	if r := <-result; r != "200 true" {
		t.Fatalf("the request in flight: %s", r)
	}
	if err := <-done; err != nil {
		t.Fatalf("Serve: %v", err)
	}
}

func TestTimeouts(t *testing.T) {
	addr, _, _ := serveOn(t, New(Config{Backend: newBlocking(t)}), Timeouts{Read: 200 * time.Millisecond, ReadHeader: 200 * time.Millisecond})
	// A body that never arrives whole.
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	fmt.Fprintf(c, "POST /$label HTTP/1.1\r\nHost: x\r\nContent-Type: application/fhir+json\r\nContent-Length: 1000\r\n\r\n{\"resourceType\"")
	start := time.Now()
	c.SetReadDeadline(time.Now().Add(5 * time.Second))
	resp, err := http.ReadResponse(bufio.NewReader(c), nil)
	if err != nil {
		t.Fatalf("no response to a stalled body: %v", err)
	}
	b, _ := io.ReadAll(resp.Body)
	wantError(t, resp, b, 408, "timeout")
	if time.Since(start) > 3*time.Second {
		t.Fatalf("the stalled request held the connection %v", time.Since(start))
	}
	// Headers that never end.
	c2, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c2.Close()
	fmt.Fprintf(c2, "POST /$label HTTP/1.1\r\nHost: x\r\n")
	c2.SetReadDeadline(time.Now().Add(5 * time.Second))
	start = time.Now()
	io.Copy(io.Discard, c2)
	if time.Since(start) > 3*time.Second {
		t.Fatalf("stalled headers held the connection %v", time.Since(start))
	}
}

// The log says what was asked and answered, never what the resource holds.
func TestLog(t *testing.T) {
	var log bytes.Buffer
	var mu sync.Mutex
	srv := newServer(t, Config{Log: lockedWriter{&log, &mu}})
	secret := `{"resourceType":"Patient","id":"p","name":[{"family":"Zyxwvuts"}]}`
	post(t, srv, "/$label", secret, "Authorization", "Bearer tok-Qwerty")
	post(t, srv, "/$label", `{"resourceType":"Zyxwvuts"}`)
	mu.Lock()
	defer mu.Unlock()
	lines := strings.Split(strings.TrimSpace(log.String()), "\n")
	if len(lines) != 2 || !strings.Contains(lines[0], "POST /$label 200 in=") || !strings.Contains(lines[1], " 422 ") {
		t.Fatalf("log:\n%s", log.String())
	}
	if strings.Contains(log.String(), "Zyxwvuts") || strings.Contains(log.String(), "Qwerty") {
		t.Fatalf("the log holds content:\n%s", log.String())
	}
}

type lockedWriter struct {
	w  io.Writer
	mu *sync.Mutex
}

func (l lockedWriter) Write(b []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(b)
}

func TestTopType(t *testing.T) {
	for in, want := range map[string]string{
		`{"resourceType":"Bundle","entry":[]}`:                                "Bundle",
		` { "id" : "x" , "meta":{"a":[1,"}"]}, "resourceType": "Parameters"}`: "Parameters",
		`{"text":"a \"resourceType\": \"X\"","resourceType":"Patient"}`:       "Patient",
		`{"a":{"resourceType":"Inner"}}`:                                      "",
		`[{"resourceType":"Patient"}]`:                                        "",
		`{"resourceType":`:                                                    "",
		`{"a":1 "resourceType":"P"}`:                                          "",
		``:                                                                    "",
	} {
		if got := topType([]byte(in)); got != want {
			t.Errorf("topType(%s) = %q, want %q", in, got, want)
		}
	}
}

// wholeOnly hides the engine's DoTo, so the API takes whole responses,
// as it does from the module.
type wholeOnly struct{ engine.Backend }

// A streamed answer is the same as a whole one, byte for byte.
func TestStreamedSameAsWhole(t *testing.T) {
	e, _ := engine.New(engine.Options{})
	streamed, whole := newServer(t, Config{Backend: e}), newServer(t, Config{Backend: wholeOnly{e}})
	b, err := os.ReadFile("testdata/http/shift-sls-tag-full.json")
	if err != nil {
		t.Fatal(err)
	}
	var c struct {
		Request struct{ Body json.RawMessage }
	}
	json.Unmarshal(b, &c)
	for _, path := range []string{"/$label", "/$hwm", "/$sls-tag?mode=full", "/fhir/sls/label", "/$label?output=meta-add"} {
		r1, b1 := post(t, streamed, path, string(c.Request.Body))
		r2, b2 := post(t, whole, path, string(c.Request.Body))
		if r1.StatusCode != 200 || r2.StatusCode != 200 || !bytes.Equal(b1, b2) || r1.Header.Get("Content-Type") != r2.Header.Get("Content-Type") {
			t.Errorf("%s: streamed %d %s\nwhole %d %s", path, r1.StatusCode, b1, r2.StatusCode, b2)
		}
	}
	for _, bad := range []string{`{"resourceType":`, `{"resourceType":"Nope"}`} {
		r1, b1 := post(t, streamed, "/$label", bad)
		r2, b2 := post(t, whole, "/$label", bad)
		if r1.StatusCode != r2.StatusCode || !bytes.Equal(b1, b2) || r1.StatusCode < 400 {
			t.Errorf("%s: streamed %d %s, whole %d %s", bad, r1.StatusCode, b1, r2.StatusCode, b2)
		}
	}
}

// A request that outlasts the drain is cut off, and Serve says so.
func TestDrainTimeout(t *testing.T) {
	b := newBlocking(t)
	defer close(b.release)
	addr, cancel, done := serveOn(t, New(Config{Backend: b}), Timeouts{Drain: 100 * time.Millisecond})
	go http.Post("http://"+addr+"/$label", "application/fhir+json", strings.NewReader(hivCondition))
	<-b.started
	cancel()
	select {
	case err := <-done:
		if err == nil || !strings.Contains(err.Error(), "still running") {
			t.Fatalf("Serve: %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Serve did not return after the drain timeout")
	}
}
