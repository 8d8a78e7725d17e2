package main

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// The Java host (host/java) runs its Bench class over the same manifest of
// input files as Node: the module compiled to JVM bytecode when its jar is
// built, called through the Seclabel class, UTF-8 bytes in and out.

// javaFlags let HotSpot compile the module's largest functions, which as
// JVM methods (tens of KB of bytecode for the JSON parser's loop) it
// otherwise leaves to its bytecode interpreter; the README says why.
var javaFlags = []string{"-XX:-DontCompileHugeMethods", "-XX:MaxNodeLimit=1000000", "-XX:NodeLimitFudgeFactor=40000", "-XX:-TieredCompilation"}

// javaTasks are the manifest's tasks: every operation on every set.
func javaTasks(sets []inputSet, dir string) (tasks []jsTask, rows []result) {
	for si, set := range sets {
		for _, op := range ops {
			var inputs []jsInput
			for i, in := range set.inputs {
				inputs = append(inputs, jsInput{Path: filepath.Join(dir, inputFile(si, i, op == "redact")), Resources: in.resources})
			}
			tasks = append(tasks, jsTask{ID: len(tasks), Group: set.name, Op: op, Inputs: inputs})
			rows = append(rows, result{set: set.name, op: op, perRound: len(inputs)})
		}
	}
	return tasks, rows
}

// runJava builds host/java's seclabel module with Maven (the module compiled
// to bytecode, the Bench class) and measures the sets in a JVM; version
// names the JVM and Chicory.
func runJava(root, dir string, sets []inputSet, p plan) (rows []result, version string, err error) {
	mvn, err := exec.LookPath("mvn")
	if err != nil {
		return nil, "", fmt.Errorf("mvn not found (apt-get install maven openjdk-17-jdk-headless)")
	}
	java, err := exec.LookPath("java")
	if err != nil {
		return nil, "", fmt.Errorf("java not found (apt-get install openjdk-17-jdk-headless)")
	}
	project := filepath.Join(root, "host", "java")
	cpFile := filepath.Join(dir, "java-classpath.txt")
	var stderr bytes.Buffer
	build := exec.Command(mvn, "-q", "-B", "-pl", "seclabel", "test-compile", "dependency:build-classpath",
		"-Dmdep.includeScope=test", "-Dmdep.outputFile="+cpFile)
	build.Dir, build.Stdout, build.Stderr = project, &stderr, &stderr
	if err := build.Run(); err != nil {
		return nil, "", fmt.Errorf("mvn: %v: %s", err, strings.TrimSpace(stderr.String()))
	}
	deps, err := os.ReadFile(cpFile)
	if err != nil {
		return nil, "", err
	}
	target := filepath.Join(project, "seclabel", "target")
	cp := strings.Join([]string{filepath.Join(target, "classes"), filepath.Join(target, "test-classes"), strings.TrimSpace(string(deps))}, string(os.PathListSeparator))
	wasm := filepath.Join(root, "host", "seclabel.wasm")
	tasks, rows := javaTasks(sets, dir)
	mpath := filepath.Join(dir, "java-manifest.json")
	if err := writeJSON(mpath, p.manifest(wasm, tasks)); err != nil {
		return nil, "", err
	}
	args := append(append([]string(nil), javaFlags...), "-cp", cp, "com.github.seclabel.Bench", mpath, "compiled")
	var out runnerOutput
	if err := runRunner("java", exec.Command(java, args...), &out); err != nil {
		return nil, "", err
	}
	return fill(rows, "Java", out.Results), out.Version, nil
}
