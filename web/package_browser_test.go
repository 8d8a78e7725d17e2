package web_test

import (
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/seclabel/seclabel/host"
	"github.com/seclabel/seclabel/internal/golden"
)

// TestBrowserPackageLocations loads the npm package (web/npm, with the
// module beside it, served as files) in Chromium every way an app may say
// where the module is: no argument, a URL object, a relative string, a
// Response, bytes; through load() on the page and through connect() to
// the package's worker, where a URL object or a Response cannot be posted
// as they are and a relative URL must mean the page's. A missing module is
// a SeclabelError naming its URL.
func TestBrowserPackageLocations(t *testing.T) {
	tab := browser(t)
	root, err := golden.Root()
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	copyDir(t, filepath.Join(root, "web", "npm"), filepath.Join(dir, "pkg"))
	if err := os.WriteFile(filepath.Join(dir, "pkg", "seclabel.wasm"), host.Module(), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "index.html"), []byte("<!doctype html><title>package</title>"), 0o644); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(http.FileServer(http.Dir(dir)))
	t.Cleanup(srv.Close)
	step(t, tab, "open the page", chromedp.Navigate(srv.URL+"/index.html"))
	got, err := chromedp.Run(tab, chromedp.Evaluate[[]string](`(async () => {
		const { load, connect, createWorker, SeclabelError } = await import('/pkg/seclabel.js');
		const hiv = { resourceType: 'Condition', code: { coding: [{ system: 'http://snomed.info/sct', code: '86406008' }] }, subject: { reference: 'Patient/p' } };
		const codes = (r) => r.resource.meta.security.map((l) => l.code).sort().join(' ');
		const out = [];
		const try_ = async (what, f) => {
			try { out.push(what + ': ' + await f()); } catch (e) { out.push(what + ': ' + (e instanceof SeclabelError ? 'SeclabelError ' : '') + e.message); }
		};
		const url = new URL('/pkg/seclabel.wasm', location.href);
		const bytes = await (await fetch(url)).arrayBuffer();
		await try_('load()', async () => codes((await load()).label(hiv)));
		await try_('load(URL)', async () => codes((await load({ wasm: url })).label(hiv)));
		await try_('load(relative)', async () => codes((await load({ wasm: 'pkg/seclabel.wasm' })).label(hiv)));
		await try_('load(Response)', async () => codes((await load({ wasm: await fetch(url) })).label(hiv)));
		await try_('connect()', async () => codes(await (await connect()).label(hiv)));
		await try_('connect(URL)', async () => codes(await (await connect({ wasm: url })).label(hiv)));
		await try_('connect(worker, relative)', async () => codes(await (await connect(createWorker(), { wasm: 'pkg/seclabel.wasm' })).label(hiv)));
		await try_('connect(Response)', async () => codes(await (await connect({ wasm: await fetch(url) })).label(hiv)));
		await try_('connect(bytes)', async () => codes(await (await connect({ wasm: bytes })).label(hiv)));
		await try_('load(missing)', async () => codes((await load({ wasm: '/pkg/missing.wasm' })).label(hiv)));
		await try_('connect(missing)', async () => codes(await (await connect({ wasm: '/pkg/missing.wasm' })).label(hiv)));
		return out;
	})()`, chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{
		"load(missing)":    "SeclabelError unsupported_module: fetching the module from " + srv.URL + "/pkg/missing.wasm: HTTP 404",
		"connect(missing)": "SeclabelError unsupported_module: fetching the module from " + srv.URL + "/pkg/missing.wasm: HTTP 404",
	}
	if len(got) != 11 {
		t.Fatalf("%d results: %v", len(got), got)
	}
	for _, line := range got {
		what, result, _ := strings.Cut(line, ": ")
		w, ok := want[what]
		if !ok {
			w = "HIV R"
		}
		if result != w {
			t.Errorf("%s: %s, want %s", what, result, w)
		}
	}
}
