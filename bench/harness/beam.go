package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// The bulk-export pipeline (cmd/seclabel-beam) on the Prism runner, in its
// own process, against the CLI's NDJSON stream on the same input.

// buildBeam builds the pipeline's command, a module of its own, into dir.
func buildBeam(root, dir string) (string, error) {
	bin := filepath.Join(dir, "seclabel-beam")
	cmd := exec.Command("go", "build", "-trimpath", "-o", bin, ".")
	cmd.Dir = filepath.Join(root, "cmd", "seclabel-beam")
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("go build (cmd/seclabel-beam): %v: %s", err, strings.TrimSpace(string(out)))
	}
	return bin, nil
}

// runBeam labels the NDJSON file at path with the pipeline on Prism,
// writing to a fresh directory under tmp, and reads the process's CPU time
// and peak resident memory as runStream does.
func runBeam(bin, path string, lines int, tmp string) (streamResult, error) {
	st, err := os.Stat(path)
	if err != nil {
		return streamResult{}, err
	}
	out, err := os.MkdirTemp(tmp, "beam-out-")
	if err != nil {
		return streamResult{}, err
	}
	defer os.RemoveAll(out)
	r := streamResult{engine: "beam", bytes: st.Size(), lines: lines}
	cmd := exec.Command(bin, "label", "--runner", "prism", "--out", out, path)
	if err := measure(cmd, &r); err != nil {
		return r, fmt.Errorf("seclabel-beam label: %w", err)
	}
	return r, nil
}

// measureBeam runs the pipeline and the CLI's native stream on one NDJSON
// input of beamMB.
func measureBeam(cfg *config, root, tmp string, rep *report, pr *progress) error {
	cli, err := buildCLI(root, tmp)
	if err != nil {
		return err
	}
	pr.step("building cmd/seclabel-beam")
	bin, err := buildBeam(root, tmp)
	if err != nil {
		return err
	}
	path := filepath.Join(tmp, fmt.Sprintf("beam-%dMB.ndjson", cfg.beamMB))
	n, err := writeNDJSON(path, int64(cfg.beamMB)<<20)
	if err != nil {
		return err
	}
	pr.step("NDJSON stream %s, native, for the pipeline", filepath.Base(path))
	s, err := runStream(cli, path, "native", n, filepath.Join(tmp, "cache"))
	if err != nil {
		return err
	}
	pr.step("Beam pipeline on Prism, %s", filepath.Base(path))
	b, err := runBeam(bin, path, n, tmp)
	if err != nil {
		return err
	}
	rep.beam = []streamResult{s, b}
	return nil
}

// beamSection compares the pipeline with the CLI on the same input.
func (rep *report) beamSection() string {
	if len(rep.beam) != 2 {
		return ""
	}
	cli, b := rep.beam[0], rep.beam[1]
	var s strings.Builder
	s.WriteString("\n## Bulk export on Apache Beam\n\n`seclabel-beam label` (cmd/seclabel-beam) on the Prism runner, in its own process, against `seclabel label --ndjson` (native) on the same generated NDJSON file, both with the engine's default options: ")
	fmt.Fprintf(&s, "wall time, CPU time of all threads and peak resident memory of the process, on %d cores. The pipeline also writes one file per resource type and the summary, and runs its rounds of group-by-key for the default inherit elements, which the stream (one line at a time, nothing crossing lines) does not.\n\n", rep.machine.cores)
	s.WriteString("| run | input | lines | MB/s | lines/s | cores busy | peak RSS |\n|---|---:|---:|---:|---:|---:|---:|\n")
	for _, r := range rep.beam {
		name := "CLI stream"
		if r.engine == "beam" {
			name = "Beam pipeline (Prism)"
		}
		fmt.Fprintf(&s, "| %s | %s | %s | %.1f | %s | %.2f | %s |\n", name, mb(r.bytes), thousands(int64(r.lines)), r.mbps(),
			thousands(int64(float64(r.lines)/r.wall.Seconds())), r.cores(), mib(r.maxRSS))
	}
	fmt.Fprintf(&s, "\nThe pipeline's throughput is %.2f × the CLI stream's, its peak memory %.1f × the stream's.\n", b.mbps()/cli.mbps(), float64(b.maxRSS)/float64(cli.maxRSS))
	return s.String()
}
