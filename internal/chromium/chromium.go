// Package chromium finds and starts the headless Chromium that the browser
// tests and the benchmark harness drive through chromedp.
package chromium

import (
	"context"
	"os"

	"github.com/chromedp/chromedp"
)

// Path is Debian's Chromium (or $SECLABEL_CHROMIUM), or "" when there is
// none: apt-get install chromium.
func Path() string {
	for _, p := range []string{os.Getenv("SECLABEL_CHROMIUM"), "/usr/lib/chromium/chromium", "/usr/bin/chromium", "/usr/bin/chromium-browser"} {
		if p != "" {
			if _, err := os.Stat(p); err == nil {
				return p
			}
		}
	}
	return ""
}

// Start runs the Chromium at path headless and returns a tab; cancel stops
// the browser. The flags keep it off the network (this machine's is closed:
// background requests would fail by the dozen) and out of /dev/shm, which
// is small in containers. Its temporary directory is one of its own,
// removed by cancel: a browser that is stopped rather than closed leaves
// its singleton directories there. The name is short, since a Unix socket
// goes inside it and socket paths are limited to about 100 bytes.
func Start(path string) (tab context.Context, cancel func(), err error) {
	tmp, err := os.MkdirTemp("", "chromium-")
	if err != nil {
		return nil, nil, err
	}
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(path), chromedp.Env("TMPDIR=" + tmp),
		chromedp.Flag("headless", true), chromedp.Flag("no-sandbox", true), chromedp.Flag("disable-gpu", true),
		chromedp.Flag("no-first-run", true), chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true), chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-dev-shm-usage", true), chromedp.WindowSize(1366, 900),
	}
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelTab := chromedp.NewContext(actx)
	cancel = func() { cancelTab(); cancelAlloc(); os.RemoveAll(tmp) }
	if err := chromedp.Do(ctx); err != nil { // starts the browser
		cancel()
		return nil, nil, err
	}
	return ctx, cancel, nil
}
