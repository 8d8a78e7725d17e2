package main

import (
	"bufio"
	"bytes"
	"context"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// syncBuffer is a buffer the server's goroutines write to while the test
// reads it.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// startServe runs run (serve or serveUntil) in the background and returns
// the URL it prints, its stderr and its exit status to come.
func startServe(t *testing.T, run func(stdout, stderr io.Writer) int) (string, *syncBuffer, chan int) {
	t.Helper()
	pr, pw := io.Pipe()
	stderr := &syncBuffer{}
	exit := make(chan int, 1)
	go func() {
		exit <- run(pw, stderr)
		pw.Close()
	}()
	line, err := bufio.NewReader(pr).ReadString('\n')
	if err != nil {
		t.Fatalf("no address printed: %v; stderr %s", err, stderr)
	}
	go io.Copy(io.Discard, pr)
	i := strings.Index(line, "http://")
	if i < 0 {
		t.Fatalf("no URL in %q", line)
	}
	return strings.Fields(line[i:])[0], stderr, exit
}

func postCLI(t *testing.T, url, body string, headers ...string) (int, string) {
	t.Helper()
	req, _ := http.NewRequest("POST", url, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/fhir+json")
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

const cliHIV = `{"resourceType":"Condition","id":"c1","code":{"coding":[{"system":"http://hl7.org/fhir/sid/icd-10-cm","code":"B20"}]}}`

// serve --api with a token, rule packs and options from the flags, natively
// and through the module: the same answers.
func TestServeAPI(t *testing.T) {
	dir := t.TempDir()
	tokenFile := filepath.Join(dir, "token")
	os.WriteFile(tokenFile, []byte("  t0ken-for-tests\n"), 0o600)
	t.Setenv("SECLABEL_CACHE", filepath.Join(dir, "cache"))
	answers := map[string]string{}
	for _, eng := range []string{"native", "wasm"} {
		ctx, cancel := context.WithCancel(context.Background())
		url, stderr, exit := startServe(t, func(stdout, stderr io.Writer) int {
			return serveUntil(ctx, []string{"--api", "--addr", "127.0.0.1:0", "--engine", eng, "--pack", "us-broad",
				"--option", "classifier=clinic labeler", "--token-file", tokenFile}, stdout, stderr)
		})
		if code, body := postCLI(t, url+"/$label", cliHIV); code != 401 {
			t.Fatalf("%s without the token: %d %s", eng, code, body)
		}
		code, body := postCLI(t, url+"/$label", cliHIV, "Authorization", "Bearer t0ken-for-tests")
		if code != 200 || !strings.Contains(body, `"code":"HIV"`) || !strings.Contains(body, `"display":"clinic labeler"`) {
			t.Fatalf("%s: %d %s", eng, code, body)
		}
		answers[eng] = body
		cancel()
		if c := <-exit; c != exitOK {
			t.Fatalf("%s: exit %d after stopping; stderr %s", eng, c, stderr)
		}
		log := stderr.String()
		if !strings.Contains(log, "POST /$label 401") || !strings.Contains(log, "POST /$label 200") || strings.Contains(log, "B20") || strings.Contains(log, "t0ken") {
			t.Errorf("%s: the log:\n%s", eng, log)
		}
	}
	if answers["native"] != answers["wasm"] {
		t.Errorf("native and wasm differ:\n%s\n%s", answers["native"], answers["wasm"])
	}
}

// --option maxInputBytes bounds the request body too.
func TestServeAPIBodyLimit(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	url, _, exit := startServe(t, func(stdout, stderr io.Writer) int {
		return serveUntil(ctx, []string{"--api", "--addr", "127.0.0.1:0", "--option", "maxInputBytes=200", "--quiet"}, stdout, stderr)
	})
	if code, body := postCLI(t, url+"/$hwm", `{"resourceType":"Basic","id":"`+strings.Repeat("a", 300)+`"}`); code != 413 || !strings.Contains(body, "too_large") {
		t.Fatalf("%d %s", code, body)
	}
	cancel()
	<-exit
}

func TestServeFlags(t *testing.T) {
	for _, tc := range []struct {
		args []string
		code int
		msg  string
	}{
		{[]string{"--rules", "x.json"}, exitUsage, "--rules belongs to serve --api"},
		{[]string{"--token-file", "t"}, exitUsage, "belongs to serve --api"},
		{[]string{"--api", "--max-body", "0"}, exitUsage, "positive whole number"},
		{[]string{"--api", "--read-timeout", "soon"}, exitUsage, "duration"},
		{[]string{"--api", "--engine", "jvm"}, exitUsage, "native or wasm"},
		{[]string{"--api", "--option", "nope=1"}, exitUsage, "unknown option"},
		{[]string{"--api", "--option"}, exitUsage, "needs a value"},
		{[]string{"--api", "--token-file", "/nonexistent/token"}, exitIO, "file_not_found"},
		{[]string{"--api", "--rules", "/nonexistent/pack.json"}, exitIO, "file_not_found"},
		{[]string{"--api", "--option", "textMatch=sometimes", "--addr", "127.0.0.1:0"}, exitInput, "invalid_option"},
	} {
		_, errs, code := runCLI(t, "", append([]string{"serve"}, tc.args...)...)
		if code != tc.code || !strings.Contains(errs, tc.msg) {
			t.Errorf("serve %v: exit %d, %q; want %d and %q", tc.args, code, errs, tc.code, tc.msg)
		}
	}
}

// Plain serve still serves the playground, and SIGTERM stops it cleanly.
func TestServePlaygroundSignal(t *testing.T) {
	url, stderr, exit := startServe(t, func(stdout, stderr io.Writer) int {
		return serve([]string{"--addr", "127.0.0.1:0"}, stdout, stderr)
	})
	resp, err := http.Get(url + "/")
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("playground: %v", err)
	}
	resp.Body.Close()
	syscall.Kill(os.Getpid(), syscall.SIGTERM)
	select {
	case c := <-exit:
		if c != exitOK {
			t.Fatalf("exit %d after SIGTERM; stderr %s", c, stderr)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("SIGTERM did not stop the server")
	}
}
