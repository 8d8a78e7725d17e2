package main

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
)

// The Python backend runs bench/py/bench.py, through the seclabel package of
// host/python, over the same manifest of input files as Node. The package
// and its interpreter come from the virtualenv make pytest-host keeps
// (host/python/test.sh --python prepares it and names the interpreter).

// pyTarget is the most the Python package's label, hwm and redact may take,
// as a multiple of native time.
const pyTarget = 8

// runPython measures the sets through the Python package; version is
// "Python x.y.z, wasmtime a.b.c".
func runPython(root, dir string, sets []inputSet, p plan) (rows []result, version string, err error) {
	var prepErr bytes.Buffer
	prep := exec.Command("bash", filepath.Join(root, "host", "python", "test.sh"), "--python")
	prep.Stderr = &prepErr
	out, err := prep.Output()
	if err != nil {
		return nil, "", fmt.Errorf("preparing the Python environment: %v: %s", err, strings.TrimSpace(prepErr.String()))
	}
	python := strings.TrimSpace(string(out))
	tasks, all := jsTasks(sets, func(name string) string { return filepath.Join(dir, name) })
	// The operations only: the JavaScript baselines and the text and
	// object forms have no Python row.
	var pyTasks []jsTask
	for _, t := range tasks {
		if slices.Contains(ops, t.Op) {
			pyTasks = append(pyTasks, t)
		}
	}
	mpath := filepath.Join(dir, "python-manifest.json")
	if err := writeJSON(mpath, p.manifest("", pyTasks)); err != nil {
		return nil, "", err
	}
	cmd := exec.Command(python, filepath.Join(root, "bench", "py", "bench.py"), mpath)
	cmd.Env = append(os.Environ(), "PYTHONDONTWRITEBYTECODE=1")
	var res struct {
		runnerOutput
		Wasmtime string `json:"wasmtime"`
	}
	if err := runRunner("python", cmd, &res); err != nil {
		return nil, "", err
	}
	all = fill(all, "Python", res.Results)
	for _, t := range pyTasks {
		rows = append(rows, all[t.ID])
	}
	return rows, "Python " + res.Version + ", wasmtime " + res.Wasmtime, nil
}
