package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/seclabel/seclabel/internal/testenv"
)

// streamResult is one run of the CLI over an NDJSON stream.
type streamResult struct {
	engine string // native or wasm
	bytes  int64
	lines  int
	wall   time.Duration
	cpu    time.Duration // user + system, all threads
	maxRSS int64         // bytes
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

// runStream labels the NDJSON file at path with the CLI, output to the null
// device (a pipe would make this process compete for the cores it
// measures), and reads the CLI's CPU time and peak resident memory.
func runStream(bin, path, engine string, lines int, cacheDir string) (streamResult, error) {
	st, err := os.Stat(path)
	if err != nil {
		return streamResult{}, err
	}
	r := streamResult{engine: engine, bytes: st.Size(), lines: lines}
	cmd := exec.Command(bin, "label", "--engine", engine, "--ndjson", "-o", os.DevNull, path)
	cmd.Env = append(os.Environ(), "SECLABEL_CACHE="+cacheDir)
	if err := measure(cmd, &r); err != nil {
		return r, fmt.Errorf("seclabel label --engine %s: %w", engine, err)
	}
	return r, nil
}

// measure runs cmd to its end and fills r's wall time, CPU time (user +
// system, all threads) and peak resident memory; a failure carries the end
// of what the command wrote to standard error.
func measure(cmd *exec.Cmd, r *streamResult) error {
	var stderr strings.Builder
	cmd.Stderr = &stderr
	t0 := time.Now()
	if err := cmd.Start(); err != nil {
		return err
	}
	done := make(chan struct{})
	rss := watchRSS(cmd.Process.Pid, done)
	err := cmd.Wait()
	r.wall = time.Since(t0)
	close(done)
	r.maxRSS = <-rss
	if err != nil {
		msg := strings.TrimSpace(stderr.String())
		if len(msg) > 2000 {
			msg = "..." + msg[len(msg)-2000:]
		}
		return fmt.Errorf("%v: %s", err, msg)
	}
	r.cpu = cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()
	return nil
}

// bundleResult is one run of the CLI labeling a whole Bundle.
type bundleResult struct {
	entries int
	bytes   int64
	wall    time.Duration
	maxRSS  int64 // bytes
}

// bundleRSSLimit is what the CLI may hold at its peak labeling the
// 300,000-entry Bundle (37.5 MB in, about 200 MB out).
const bundleRSSLimit = 400 << 20

// runBundle writes a Bundle of n one-coding Conditions to tmp and labels it
// with the native CLI, output to the null device, reading its peak
// resident memory (VmHWM) as the run goes.
func runBundle(root, tmp string, n int) (bundleResult, error) {
	bin := filepath.Join(tmp, "seclabel")
	if _, err := os.Stat(bin); err != nil {
		if bin, err = buildCLI(root, tmp); err != nil {
			return bundleResult{}, err
		}
	}
	data := testenv.ManyConditions(n)
	path := filepath.Join(tmp, fmt.Sprintf("conditions-%d.json", n))
	if err := os.WriteFile(path, data, 0o644); err != nil {
		return bundleResult{}, err
	}
	defer os.Remove(path)
	r := bundleResult{entries: n, bytes: int64(len(data))}
	cmd := exec.Command(bin, "label", "--engine", "native", "-o", os.DevNull, path)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	t0 := time.Now()
	if err := cmd.Start(); err != nil {
		return r, err
	}
	done := make(chan struct{})
	rss := watchRSS(cmd.Process.Pid, done)
	err := cmd.Wait()
	r.wall = time.Since(t0)
	close(done)
	r.maxRSS = <-rss
	if err != nil {
		return r, fmt.Errorf("seclabel label %s: %v: %s", filepath.Base(path), err, strings.TrimSpace(stderr.String()))
	}
	return r, nil
}
