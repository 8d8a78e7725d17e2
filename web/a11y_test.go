package web_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/seclabel/seclabel/internal/golden"
	"github.com/seclabel/seclabel/internal/testenv"
)

// axeScript returns axe-core, the audit the playground is held to, at the
// version web/a11y locks. npm installs it once into the user cache (the
// first run downloads it from the registry); without npm the audit skips,
// except in CI, where it is required.
func axeScript(t *testing.T) string {
	t.Helper()
	root, err := golden.Root()
	if err != nil {
		t.Fatal(err)
	}
	src := filepath.Join(root, "web", "a11y")
	sum := sha256.New()
	var files [][]byte
	for _, name := range []string{"package.json", "package-lock.json"} {
		b, err := os.ReadFile(filepath.Join(src, name))
		if err != nil {
			t.Fatal(err)
		}
		sum.Write(b)
		files = append(files, b)
	}
	cache, err := os.UserCacheDir()
	if err != nil {
		cache = os.TempDir()
	}
	dir := filepath.Join(cache, "seclabel", "a11y-"+hex.EncodeToString(sum.Sum(nil))[:12])
	script := filepath.Join(dir, "node_modules", "axe-core", "axe.min.js")
	if b, err := os.ReadFile(script); err == nil {
		return string(b)
	}
	npm, err := exec.LookPath("npm")
	if err != nil {
		unavailable(t, "npm is needed to install axe-core: the accessibility audit")
	}
	// Installed beside the final directory, then renamed into place, so an
	// interrupted install is never taken for a complete one.
	if err := os.MkdirAll(filepath.Dir(dir), 0o755); err != nil {
		t.Fatal(err)
	}
	tmp, err := os.MkdirTemp(filepath.Dir(dir), "install-")
	if err != nil {
		t.Fatal(err)
	}
	defer os.RemoveAll(tmp)
	for i, name := range []string{"package.json", "package-lock.json"} {
		if err := os.WriteFile(filepath.Join(tmp, name), files[i], 0o644); err != nil {
			t.Fatal(err)
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, npm, "ci", "--ignore-scripts", "--no-audit", "--no-fund")
	cmd.Dir = tmp
	if out, err := cmd.CombinedOutput(); err != nil {
		unavailable(t, "npm ci of web/a11y failed (%v): the accessibility audit\n%s", err, out)
	}
	if err := os.Rename(tmp, dir); err != nil && !os.IsExist(err) {
		if _, statErr := os.Stat(script); statErr != nil {
			t.Fatal(err)
		}
	}
	b, err := os.ReadFile(script)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// audit runs axe-core on the page as it is and fails the test with each
// violation: its rule, impact, help and the elements it found.
func audit(t *testing.T, ctx context.Context, axe, view string) {
	t.Helper()
	type violation struct {
		ID, Impact, Help string
		Nodes            []struct {
			Target []any
		}
	}
	if !eval[bool](t, ctx, `typeof window.axe === 'object'`) {
		step(t, ctx, "load axe-core", chromedp.Evaluate[chromedp.Void](axe))
	}
	found, err := chromedp.Run(ctx, chromedp.Evaluate[[]violation](`axe.run(document, { resultTypes: ['violations'] }).then((r) => r.violations)`, chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatalf("%s: axe: %v", view, err)
	}
	for _, v := range found {
		var where []string
		for _, n := range v.Nodes {
			for _, x := range n.Target {
				if s, ok := x.(string); ok {
					where = append(where, s)
				}
			}
		}
		if len(where) > 6 {
			where = append(where[:6], "…")
		}
		t.Errorf("%s: %s (%s): %s at %s", view, v.ID, v.Impact, v.Help, strings.Join(where, ", "))
	}
}

// TestBrowserAccessibility audits every view of the playground with
// axe-core: the page as it opens, each operation's result (labels and why,
// words, the high-water mark, what was withheld, the diagnostics, the
// Changes view), an error, and the page at a phone's width.
func TestBrowserAccessibility(t *testing.T) {
	axe := axeScript(t)
	ctx := browser(t)
	srv := server(t)
	step(t, ctx, "open the playground", chromedp.Navigate(srv.URL+"/"), chromedp.WaitReady(chromedp.CSS("body[data-ready]")))
	audit(t, ctx, axe, "the page as it opens")

	pickSample(t, ctx, srv.URL, "substance-use.json", "5602001")
	run(t, ctx, "run-label", "Labeled")
	audit(t, ctx, axe, "label (chips, why, banners, output)")
	if shown := eval[[]string](t, ctx, `['progress', 'error'].concat([...document.querySelectorAll('input[name=filter]')].filter((r) => r.value === 'withheld').map(() => 'filter-withheld'))
		.filter((id) => { const e = id === 'filter-withheld' ? document.querySelector('input[name=filter][value=withheld]') : document.getElementById(id); return e.offsetParent !== null; })`); len(shown) > 0 {
		t.Errorf("after labeling, these are still on screen: %v", shown)
	}
	openChanges(t, ctx)
	audit(t, ctx, axe, "the Changes view")
	run(t, ctx, "run-hwm", "high-water mark")
	audit(t, ctx, axe, "high-water mark")
	step(t, ctx, "deny SUD", chromedp.SetValue(chromedp.ID("deny"), "SUD"))
	run(t, ctx, "run-redact", "withheld")
	step(t, ctx, "show the withheld", chromedp.Click(chromedp.CSS(`input[name=filter][value=withheld]`)))
	audit(t, ctx, axe, "redact (withheld filter and table)")
	run(t, ctx, "run-validate", "error(s)")
	audit(t, ctx, axe, "validate (diagnostics)")

	pickSample(t, ctx, srv.URL, "words.json", "856AAAA")
	run(t, ctx, "run-label", "Labeled")
	step(t, ctx, "focus a chip", chromedp.Focus(chromedp.CSS("#chips .chip")))
	audit(t, ctx, axe, "words (matches and dropped matches, a focused chip)")

	step(t, ctx, "label malformed input", chromedp.SetValue(chromedp.ID("source"), `{"resourceType":`),
		chromedp.Click(chromedp.ID("run-label")), chromedp.WaitVisible(chromedp.ID("error")))
	audit(t, ctx, axe, "an error")

	big := filepath.Join(t.TempDir(), "large.json")
	if err := os.WriteFile(big, testenv.ManyObservations(4000, 8), 0o644); err != nil {
		t.Fatal(err)
	}
	step(t, ctx, "open a large file", chromedp.SetUploadFiles(chromedp.ID("file"), []string{big}), chromedp.WaitVisible(chromedp.ID("source-note")))
	run(t, ctx, "run-label", "Labeled")
	if !eval[bool](t, ctx, `!!document.querySelector('#chips button.more') && !document.getElementById('json-rest').hidden`) {
		t.Error("the large file's result is not paged")
	}
	audit(t, ctx, axe, "a large file (preview, paged resources, partial output)")

	step(t, ctx, "phone width", chromedp.EmulateViewport(390, 844))
	pickSample(t, ctx, srv.URL, "inline-labels.json", "PROCESSINLINELABEL")
	run(t, ctx, "run-label", "Labeled")
	audit(t, ctx, axe, "390 px wide, inline labels")
	step(t, ctx, "reset the viewport", chromedp.EmulateReset())
}
