package main

import (
	"fmt"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"

	"github.com/chromedp/chromedp"
	"github.com/seclabel/seclabel/host"
	"github.com/seclabel/seclabel/internal/chromium"
	"github.com/seclabel/seclabel/web"
)

// playgroundRun is one operation of the playground page on one input: the
// time from the click to the result on screen and, in the same runs, the
// time of the engine calls the page made (the package through its Worker),
// medians over the runs.
type playgroundRun struct {
	op, input    string
	bytes        int
	ms, engineMs float64
}

// playgroundRuns is how often each operation runs; the median is reported.
const playgroundRuns = 5

// playgroundMax is the most the page may add: click to result shown over
// the package call's own time.
const playgroundMax = 2.0

// runPlayground opens the playground in headless Chromium, loads the input
// through its file control as a user would, and clicks each operation's
// button; the page records each run's times on its body (data-last-run).
// Redaction labels first, for the report's recipient (clearance N, SUD and
// HIV denied).
func runPlayground(dir string, in input) ([]playgroundRun, error) {
	path := chromium.Path()
	if path == "" {
		return nil, fmt.Errorf("no Chromium found (apt-get install chromium, or set SECLABEL_CHROMIUM)")
	}
	file := filepath.Join(dir, "playground-"+filepath.Base(in.name))
	if !strings.HasSuffix(file, ".json") {
		file += ".json"
	}
	if err := os.WriteFile(file, in.data, 0o644); err != nil {
		return nil, err
	}
	srv := httptest.NewServer(web.Handler(host.Module()))
	defer srv.Close()
	tab, cancel, err := chromium.Start(path)
	if err != nil {
		return nil, fmt.Errorf("starting Chromium: %v", err)
	}
	defer cancel()
	if err := chromedp.Do(tab, chromedp.Navigate(srv.URL+"/"), chromedp.WaitReady(chromedp.CSS("body[data-ready]")),
		chromedp.SetUploadFiles(chromedp.ID("file"), []string{file}),
		chromedp.Poll[chromedp.Void](`document.getElementById('source').value.length > 0`),
		chromedp.SetValue(chromedp.ID("clearance"), "N"), chromedp.SetValue(chromedp.ID("deny"), "SUD, HIV")); err != nil {
		return nil, err
	}
	type timing struct{ Ms, EngineMs float64 }
	var out []playgroundRun
	for _, op := range []struct{ name, button string }{{"label", "run-label"}, {"hwm", "run-hwm"}, {"redact", "run-redact"}} {
		var ms, eng []float64
		for i := 0; i < playgroundRuns; i++ {
			err := chromedp.Do(tab, chromedp.Evaluate[chromedp.Void](`delete document.body.dataset.lastRun`),
				chromedp.Click(chromedp.ID(op.button)),
				chromedp.Poll[chromedp.Void](`document.body.dataset.lastRun !== undefined && !document.getElementById('output').hasAttribute('aria-busy')`))
			if err != nil {
				return nil, fmt.Errorf("%s in the playground: %v", op.name, err)
			}
			tm, err := chromedp.Run(tab, chromedp.Evaluate[timing](`(() => { const e = document.getElementById('error'); if (!e.hidden) throw new Error(e.textContent);
					const r = JSON.parse(document.body.dataset.lastRun); return { Ms: r.ms, EngineMs: r.engineMs }; })()`))
			if err != nil {
				return nil, fmt.Errorf("%s in the playground: %v", op.name, err)
			}
			ms, eng = append(ms, tm.Ms), append(eng, tm.EngineMs)
		}
		out = append(out, playgroundRun{op: op.name, input: in.name, bytes: len(in.data), ms: median(ms), engineMs: median(eng)})
	}
	return out, nil
}

// playgroundTargets holds the page to playgroundMax for every operation.
func (rep *report) playgroundTargets() []target {
	var ts []target
	for _, r := range rep.playground {
		x := r.ms / r.engineMs
		ts = append(ts, target{fmt.Sprintf("playground in Chromium, `%s` on %s (%s): click to result shown ≤ %g × the package calls' own time", r.op, r.input, mb(int64(r.bytes)), playgroundMax),
			fmt.Sprintf("%.2f × (%.0f against %.0f ms)", x, r.ms, r.engineMs), x <= playgroundMax, true})
	}
	return ts
}

// playgroundSection is the report's table of the playground's runs.
func (rep *report) playgroundSection() string {
	if len(rep.playground) == 0 {
		return ""
	}
	var b strings.Builder
	fmt.Fprintf(&b, "\n## The playground in Chromium\n\nThe page at `/`, the input opened through its file control, each button clicked %d times (medians): the time from the click to the result on screen (after the next frame), and the time of the package calls the page made in those runs (through its Worker; redaction labels first). The rest is the page's own work: parsing, the views, the banners' marks.\n\n", playgroundRuns)
	b.WriteString("| operation | input | click to result ms | package calls ms | ratio |\n|---|---|---:|---:|---:|\n")
	for _, r := range rep.playground {
		fmt.Fprintf(&b, "| `%s` | %s (%s) | %.0f | %.0f | %.2f × |\n", r.op, r.input, mb(int64(r.bytes)), r.ms, r.engineMs, r.ms/r.engineMs)
	}
	return b.String()
}

// largestPrimary is the largest input of the set the targets are judged on
// (the largest Synthea bundle when present).
func largestPrimary(rep *report) (input, bool) {
	var best input
	found := false
	for _, set := range rep.sets {
		if set.name != rep.primary() {
			continue
		}
		for _, in := range set.inputs {
			if !found || len(in.data) > len(best.data) {
				best, found = in, true
			}
		}
	}
	return best, found
}
