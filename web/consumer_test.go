package web_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/seclabel/seclabel/host"
	"github.com/seclabel/seclabel/internal/golden"
)

// TestConsumer installs the npm package as an app does and uses it there:
// it packs web/npm (with the module) with npm pack, installs the tarball
// into a copy of the app in web/consumer (npm ci from its lockfile, then
// npm install --no-save), runs the golden corpus in Node through import and
// require, and opens the app in Chromium built by Vite 8 and Vite 7 (vite
// build, vite preview) and from both dev servers: each must label a Bundle's
// HIV Condition R and HIV in the package's own Web Worker and show the
// banner of its marks, with no Vite configuration. npm is used only here.
// The npm cache is kept under the user's cache directory: the first run
// downloads Vite 8 and 7. Without npm, node or Chromium the test skips,
// except in CI (CI set), where it is required.
func TestConsumer(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: the consumer test installs packages and starts servers")
	}
	npm, node := tool(t, "npm"), tool(t, "node")
	tab := browser(t)
	root, err := golden.Root()
	if err != nil {
		t.Fatal(err)
	}
	tmp := t.TempDir()
	start := time.Now()
	timed := func(what string) { t.Logf("%6.1fs %s", time.Since(start).Seconds(), what) }

	// The package as published: the committed files and the module.
	pkg := filepath.Join(tmp, "package")
	copyDir(t, filepath.Join(root, "web", "npm"), pkg)
	if err := os.WriteFile(filepath.Join(pkg, "seclabel.wasm"), host.Module(), 0o644); err != nil {
		t.Fatal(err)
	}
	var packed []struct {
		Filename string
		Files    []struct{ Path string }
	}
	if err := json.Unmarshal(runIn(t, pkg, npm, "pack", "--json", "--pack-destination", tmp), &packed); err != nil || len(packed) != 1 {
		t.Fatalf("npm pack output: %v", err)
	}
	var files []string
	for _, f := range packed[0].Files {
		files = append(files, f.Path)
	}
	for _, want := range []string{"package.json", "seclabel.js", "worker.js", "node.js", "node.cjs", "seclabel.d.ts", "seclabel.wasm"} {
		if !slices.Contains(files, want) {
			t.Errorf("the tarball lacks %s: %v", want, files)
		}
	}
	timed("npm pack")

	app := filepath.Join(tmp, "app")
	copyDir(t, filepath.Join(root, "web", "consumer"), app)
	cache := filepath.Join(tmp, "npm-cache")
	if dir, err := os.UserCacheDir(); err == nil {
		cache = filepath.Join(dir, "seclabel", "npm")
	}
	npmFlags := []string{"--cache", cache, "--prefer-offline", "--no-audit", "--no-fund", "--loglevel", "error"}
	runIn(t, app, npm, append([]string{"ci"}, npmFlags...)...)
	runIn(t, app, npm, append([]string{"install", "--no-save", filepath.Join(tmp, packed[0].Filename)}, npmFlags...)...)
	timed("npm ci and install of the tarball")

	for _, line := range strings.Split(strings.TrimSpace(string(runIn(t, app, node, "check.mjs", root))), "\n") {
		var r struct {
			How, Entry string
			Cases      int
			Fails      []string
		}
		if err := json.Unmarshal([]byte(line), &r); err != nil {
			t.Fatalf("check.mjs: %q: %v", line, err)
		}
		if r.Cases < 300 || len(r.Fails) > 0 {
			t.Errorf("Node %s (%s): %d golden cases, failed: %v", r.How, r.Entry, r.Cases, r.Fails)
		}
		if want := map[string]string{"import": "node.js", "require": "node.cjs"}[r.How]; r.Entry != want {
			t.Errorf("Node %s resolved seclabel to %s, want %s", r.How, r.Entry, want)
		}
	}
	timed("golden corpus in Node by import and require")

	vite := map[string]string{"Vite 8": "node_modules/vite/bin/vite.js", "Vite 7": "node_modules/vite7/bin/vite.js"}
	for _, v := range []string{"Vite 8", "Vite 7"} {
		out := "dist-" + strings.ReplaceAll(strings.ToLower(v), " ", "")
		runIn(t, app, node, vite[v], "build", "--outDir", out, "--logLevel", "warn")
		timed(v + " build")
		openApp(t, tab, app, v+" preview", node, vite[v], "preview", "--outDir", out)
		timed(v + " preview")
		// Each dev server pre-bundles the app's dependencies afresh.
		os.RemoveAll(filepath.Join(app, "node_modules", ".vite"))
		openApp(t, tab, app, v+" dev server", node, vite[v])
		timed(v + " dev server")
	}
}

// tool finds a program on the PATH, or skips the test (fails in CI).
func tool(t *testing.T, name string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		unavailable(t, "no %s found (apt-get install nodejs npm): the consumer test", name)
	}
	return p
}

// runIn runs a command in dir and returns its standard output.
func runIn(t *testing.T, dir, name string, args ...string) []byte {
	t.Helper()
	var stdout, stderr bytes.Buffer
	cmd := exec.Command(name, args...)
	cmd.Dir, cmd.Stdout, cmd.Stderr = dir, &stdout, &stderr
	cmd.Env = append(os.Environ(), "npm_config_update_notifier=false")
	if err := cmd.Run(); err != nil {
		t.Fatalf("%s %s: %v\n%s%s", filepath.Base(name), strings.Join(args, " "), err, stdout.String(), stderr.String())
	}
	return stdout.Bytes()
}

// copyDir copies the files of a directory (not its subdirectories, such as
// a node_modules left by hand) into a new one.
func copyDir(t *testing.T, from, to string) {
	t.Helper()
	entries, err := os.ReadDir(from)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(to, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if !e.Type().IsRegular() {
			continue
		}
		b, err := os.ReadFile(filepath.Join(from, e.Name()))
		if err == nil {
			err = os.WriteFile(filepath.Join(to, e.Name()), b, 0o644)
		}
		if err != nil {
			t.Fatal(err)
		}
	}
}

// openApp starts a Vite server (the command, with a free port added), opens
// the app in the tab and checks what it shows; then stops the server.
func openApp(t *testing.T, tab context.Context, dir, what, name string, args ...string) {
	t.Helper()
	port := freePort(t)
	log := new(lockedBuffer)
	cmd := exec.Command(name, append(args, "--host", "127.0.0.1", "--port", fmt.Sprint(port), "--strictPort")...)
	cmd.Dir, cmd.Stdout, cmd.Stderr = dir, log, log
	if err := cmd.Start(); err != nil {
		t.Fatalf("%s: %v", what, err)
	}
	defer func() {
		cmd.Process.Kill()
		cmd.Wait()
	}()
	url := fmt.Sprintf("http://127.0.0.1:%d/", port)
	if err := waitHTTP(url, 30*time.Second); err != nil {
		t.Fatalf("%s: %v\n%s", what, err, log.String())
	}
	ctx, cancel := context.WithTimeout(tab, 60*time.Second)
	defer cancel()
	type shown struct {
		Done, Labels, Banners, Error string
	}
	var got shown
	err := chromedp.Do(ctx, chromedp.Navigate(url), chromedp.Poll[chromedp.Void](`document.body.dataset.done !== undefined`))
	if err == nil {
		got, err = chromedp.Run(ctx, chromedp.Evaluate[shown](`({done: document.body.dataset.done,
			labels: document.getElementById('labels').textContent,
			banners: document.getElementById('banners').textContent,
			error: document.getElementById('error').textContent})`))
	}
	if err != nil {
		t.Fatalf("%s: %v\n%s", what, err, log.String())
	}
	if got.Done != "ok" || got.Labels != "HIV R" || !strings.Contains(got.Banners, "42 CFR") {
		t.Errorf("%s: done %q, labels of the HIV Condition %q, banners %q, error %s\n%s", what, got.Done, got.Labels, got.Banners, got.Error, log.String())
	}
}

// lockedBuffer is a server's output, read while the server writes it.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

func freePort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// waitHTTP waits until url answers 200.
func waitHTTP(url string, limit time.Duration) error {
	deadline := time.Now().Add(limit)
	for {
		resp, err := http.Get(url)
		if err == nil {
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return nil
			}
			err = fmt.Errorf("HTTP %d", resp.StatusCode)
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("%s did not answer: %v", url, err)
		}
		time.Sleep(100 * time.Millisecond)
	}
}
