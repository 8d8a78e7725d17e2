package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	"github.com/chromedp/chromedp"
	"github.com/seclabel/seclabel/host"
	"github.com/seclabel/seclabel/internal/chromium"
	"github.com/seclabel/seclabel/web"
)

// The JavaScript backends run bench/js/bench.mjs over a manifest of the
// same inputs, written to files: Node reads them, Chromium fetches them.
type jsManifest struct {
	Wasm       string   `json:"wasm"`
	BudgetMs   float64  `json:"budgetMs"`
	MinRounds  int      `json:"minRounds"`
	MaxRounds  int      `json:"maxRounds"`
	MinBatchMs float64  `json:"minBatchMs"`
	Tasks      []jsTask `json:"tasks"`
}

type jsTask struct {
	ID     int       `json:"id"`
	Group  string    `json:"group"`
	Op     string    `json:"op"`
	Inputs []jsInput `json:"inputs"`
}

type jsInput struct {
	Path      string `json:"path"`
	Resources int    `json:"resources"`
}

type jsResult struct {
	ID        int       `json:"id"`
	Calls     int       `json:"calls"`
	Warm      int       `json:"warm"`
	Bytes     int64     `json:"bytes"`
	Resources int64     `json:"resources"`
	Elapsed   float64   `json:"elapsed"`
	Samples   []float64 `json:"samples"`
	Memory    uint64    `json:"memory"`
}

// jsBaseline is the name of the JavaScript baseline row, bytes in and out.
const jsBaseline = "JSON.parse + JSON.stringify"

// Apps hold JSON text or objects rather than bytes: label is also measured
// with text in and out and with objects in and out, each compared with the
// text baseline, JSON.parse + JSON.stringify from text to text. jsForms
// maps each such row's op in bench/js/bench.mjs to its name.
const jsTextBaseline = "JSON.parse + JSON.stringify, text"

var jsForms = []struct{ op, name string }{
	{"json-text", jsTextBaseline},
	{"label-text", "`label`, text in and out"},
	{"label-object", "`label`, object in and out"},
}

// jsFormNames are the names of the rows of jsForms, in order.
func jsFormNames() []string {
	var names []string
	for _, f := range jsForms {
		names = append(names, f.name)
	}
	return names
}

// inputFile is the file name of input i of set si, or of its labeled form.
func inputFile(si, i int, labeled bool) string {
	if labeled {
		return fmt.Sprintf("%d-%d.labeled.json", si, i)
	}
	return fmt.Sprintf("%d-%d.json", si, i)
}

// writeInputs writes every input and its labeled form under dir, once for
// both JavaScript backends.
func writeInputs(dir string, sets []inputSet) error {
	for si, set := range sets {
		for i, in := range set.inputs {
			if err := os.WriteFile(filepath.Join(dir, inputFile(si, i, false)), in.data, 0o644); err != nil {
				return err
			}
			if err := os.WriteFile(filepath.Join(dir, inputFile(si, i, true)), in.labeled, 0o644); err != nil {
				return err
			}
		}
	}
	return nil
}

// jsTasks are the manifest tasks, with the paths of the files writeInputs
// wrote made by path(file name): every operation, the JSON baseline and the
// rows of jsForms, for every set. rows are their empty results, indexed by
// task id.
func jsTasks(sets []inputSet, path func(string) string) (tasks []jsTask, rows []result) {
	for si, set := range sets {
		all := append(append([]string(nil), ops...), "json")
		for _, f := range jsForms {
			all = append(all, f.op)
		}
		for _, op := range all {
			var inputs []jsInput
			for i, in := range set.inputs {
				inputs = append(inputs, jsInput{Path: path(inputFile(si, i, op == "redact")), Resources: in.resources})
			}
			name := op
			if op == "json" {
				name = jsBaseline
			}
			for _, f := range jsForms {
				if op == f.op {
					name = f.name
				}
			}
			tasks = append(tasks, jsTask{ID: len(tasks), Group: set.name, Op: op, Inputs: inputs})
			rows = append(rows, result{set: set.name, op: name, perRound: len(inputs)})
		}
	}
	return tasks, rows
}

// fill copies the JavaScript results into rows (indexed by task id).
func fill(rows []result, backend string, out []jsResult) []result {
	for _, r := range out {
		row := &rows[r.ID]
		row.backend = backend
		row.calls, row.warm, row.bytes, row.resources = r.Calls, r.Warm, r.Bytes, r.Resources
		row.elapsed, row.samples, row.memory = r.Elapsed, r.Samples, r.Memory
		row.allocs, row.allocB = -1, -1
	}
	return rows
}

func (p plan) manifest(wasm string, tasks []jsTask) jsManifest {
	return jsManifest{Wasm: wasm, BudgetMs: float64(p.budget.Milliseconds()), MinRounds: p.minRounds, MaxRounds: p.maxRounds,
		MinBatchMs: float64(p.minBatch.Microseconds()) / 1e3, Tasks: tasks}
}

// runNode measures the sets in Node; version is Node's process.version.
func runNode(root, dir string, sets []inputSet, p plan) (rows []result, version string, err error) {
	node, err := exec.LookPath("node")
	if err != nil {
		return nil, "", fmt.Errorf("node not found (apt-get install nodejs)")
	}
	tasks, rows := jsTasks(sets, func(name string) string { return filepath.Join(dir, name) })
	wasm := filepath.Join(dir, "seclabel.wasm")
	if err := os.WriteFile(wasm, host.Module(), 0o644); err != nil {
		return nil, "", err
	}
	mpath := filepath.Join(dir, "node-manifest.json")
	if err := writeJSON(mpath, p.manifest(wasm, tasks)); err != nil {
		return nil, "", err
	}
	var out runnerOutput
	if err := runRunner("node", exec.Command(node, filepath.Join(root, "bench", "js", "node.mjs"), mpath), &out); err != nil {
		return nil, "", err
	}
	return fill(rows, "Node", out.Results), out.Version, nil
}

// runnerOutput is what a backend's runner outside this process (Node,
// Python, Java) writes on its standard output.
type runnerOutput struct {
	Version string     `json:"version"`
	Results []jsResult `json:"results"`
}

// runRunner runs a backend's runner and reads its output into out (a
// *runnerOutput, or a struct embedding one); a failure carries the
// runner's standard error.
func runRunner(name string, cmd *exec.Cmd, out any) error {
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("%s: %v: %s", name, err, strings.TrimSpace(stderr.String()))
	}
	if err := json.Unmarshal(stdout.Bytes(), out); err != nil {
		return fmt.Errorf("%s output: %v", name, err)
	}
	return nil
}

// runChromium measures the sets in headless Chromium, on a page served from
// localhost by the same handler as the playground.
func runChromium(root, dir string, sets []inputSet, p plan) (rows []result, version string, err error) {
	path := chromium.Path()
	if path == "" {
		return nil, "", fmt.Errorf("no Chromium found (apt-get install chromium, or set SECLABEL_CHROMIUM)")
	}
	tasks, rows := jsTasks(sets, func(name string) string { return "/data/" + name })
	manifest, err := json.Marshal(p.manifest("/seclabel.wasm", tasks))
	if err != nil {
		return nil, "", err
	}
	mux := http.NewServeMux()
	mux.Handle("/", web.Handler(host.Module()))
	mux.Handle("/data/", http.StripPrefix("/data/", http.FileServer(http.Dir(dir))))
	mux.Handle("/bench/", http.StripPrefix("/bench/", http.FileServer(http.Dir(filepath.Join(root, "bench", "js")))))
	mux.HandleFunc("/manifest.json", func(w http.ResponseWriter, r *http.Request) { w.Write(manifest) })
	mux.HandleFunc("/blank.html", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Write([]byte("<!doctype html><title>seclabel benchmarks</title>"))
	})
	srv := httptest.NewServer(mux)
	defer srv.Close()
	tab, cancel, err := chromium.Start(path)
	if err != nil {
		return nil, "", fmt.Errorf("starting Chromium: %v", err)
	}
	defer cancel()
	if err := chromedp.Do(tab, chromedp.Navigate(srv.URL+"/blank.html")); err != nil {
		return nil, "", err
	}
	ua, err := chromedp.Run(tab, chromedp.Evaluate[string](`navigator.userAgent`))
	if err != nil {
		return nil, "", err
	}
	product := ua
	for _, f := range strings.Fields(ua) {
		if strings.HasPrefix(f, "HeadlessChrome/") || strings.HasPrefix(f, "Chrome/") {
			product = f[strings.Index(f, "/")+1:]
		}
	}
	text, err := chromedp.Run(tab, chromedp.Evaluate[string](`(async () => {
		const { run } = await import('/bench/bench.mjs');
		const { load } = await import('/seclabel.js');
		const manifest = await (await fetch('/manifest.json')).json();
		const module = await WebAssembly.compileStreaming(fetch(manifest.wasm));
		const read = async (p) => new Uint8Array(await (await fetch(p)).arrayBuffer());
		return JSON.stringify(await run(() => load({ wasm: module }), manifest, read));
	})()`, chromedp.EvalAwaitPromise))
	if err != nil {
		return nil, "", fmt.Errorf("in Chromium: %v", err)
	}
	var out []jsResult
	if err := json.Unmarshal([]byte(text), &out); err != nil {
		return nil, "", fmt.Errorf("output of Chromium: %v", err)
	}
	return fill(rows, "Chromium", out), product, nil
}

func writeJSON(path string, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return os.WriteFile(path, b, 0o644)
}
