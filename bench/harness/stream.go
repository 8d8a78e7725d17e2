package main

import (
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"
)

// streamResult is one run of the CLI over an NDJSON stream.
type streamResult struct {
	engine   string // native or wasm
	bytes    int64
	lines    int
	wall     time.Duration
	cpu      time.Duration // user + system, all threads
	maxRSS   int64         // bytes
	outBytes int64
	skipped  string
}

func (s *streamResult) mbps() float64 { return float64(s.bytes) / 1e6 / s.wall.Seconds() }

// cores is how many cores the run kept busy on average.
func (s *streamResult) cores() float64 { return s.cpu.Seconds() / s.wall.Seconds() }

// buildCLI builds the seclabel command into dir.
func buildCLI(root, dir string) (string, error) {
	bin := filepath.Join(dir, "seclabel")
	cmd := exec.Command("go", "build", "-trimpath", "-o", bin, "./cmd/seclabel")
	cmd.Dir = root
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("go build: %v: %s", err, strings.TrimSpace(string(out)))
	}
	return bin, nil
}

// runStream labels the NDJSON file at path with the CLI, output discarded
// (counted), and reads the process's CPU time and peak resident memory.
func runStream(bin, path, engine string, lines int, cacheDir string) (streamResult, error) {
	st, err := os.Stat(path)
	if err != nil {
		return streamResult{}, err
	}
	r := streamResult{engine: engine, bytes: st.Size(), lines: lines}
	cmd := exec.Command(bin, "label", "--engine", engine, "--ndjson", path)
	cmd.Env = append(os.Environ(), "SECLABEL_CACHE="+cacheDir)
	out, err := cmd.StdoutPipe()
	if err != nil {
		return r, err
	}
	var stderr strings.Builder
	cmd.Stderr = &stderr
	t0 := time.Now()
	if err := cmd.Start(); err != nil {
		return r, err
	}
	done := make(chan struct{})
	rss := watchRSS(cmd.Process.Pid, done)
	r.outBytes, _ = io.Copy(io.Discard, out)
	close(done) // the output is closed: the process is ending
	r.maxRSS = <-rss
	err = cmd.Wait()
	r.wall = time.Since(t0)
	if err != nil {
		return r, fmt.Errorf("seclabel label --engine %s: %v: %s", engine, err, strings.TrimSpace(stderr.String()))
	}
	r.cpu = cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()
	return r, nil
}
