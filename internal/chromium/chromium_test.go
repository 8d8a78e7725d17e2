package chromium

import (
	"os"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestStartLeavesNothing starts a browser, loads a page and stops it: the
// temporary directory it was given holds nothing afterwards (a stopped
// Chromium leaves its singleton directories in its own).
func TestStartLeavesNothing(t *testing.T) {
	path := Path()
	if path == "" {
		if os.Getenv("CI") != "" {
			t.Fatal("required in CI: no Chromium found (apt-get install chromium)")
		}
		t.Skip("skipping: no Chromium found (apt-get install chromium, or set SECLABEL_CHROMIUM)")
	}
	// Not t.TempDir: the browser's socket path under it would be too long.
	tmp, err := os.MkdirTemp("", "c")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(tmp) })
	t.Setenv("TMPDIR", tmp)
	tab, cancel, err := Start(path)
	if err != nil {
		t.Fatal(err)
	}
	err = chromedp.Do(tab, chromedp.Navigate("data:text/html,<title>x</title>"))
	title := ""
	if err == nil {
		title, err = chromedp.Run(tab, chromedp.Title())
	}
	cancel()
	if err != nil || title != "x" {
		t.Fatalf("page title %q (%v)", title, err)
	}
	if left, err := os.ReadDir(tmp); err != nil || len(left) > 0 {
		t.Fatalf("left in TMPDIR: %v (%v)", left, err)
	}
}
