package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/seclabel/seclabel/internal/golden"
	"github.com/tetratelabs/wazero"
	"github.com/tetratelabs/wazero/imports/wasi_snapshot_preview1"
	"github.com/tetratelabs/wazero/sys"
)

// The oracle: the Go tests of packages the module is built from, compiled
// for wasip1, rewritten by the pass and run under wazero. They need no data
// outside the repository (tests that use ../shared skip), and they run the
// code the module runs (the engine, the JSON parser, Go's runtime with its
// goroutine switches and stack growth) with the checks of its own tests.
var oraclePackages = []struct {
	pkg  string // relative to the repository root
	args []string
}{
	{"internal/jsonx", nil},
	// The slowest tests (a second and more each in WebAssembly, 70 s
	// together) repeat what the others cover, which keeps the oracle near
	// 15 s; TestConcurrentUse switches goroutines, the fuzz seeds and
	// TestGolden run every operation. Examples capture their output in a
	// temporary file, which no directory the module sees can hold.
	{"engine", []string{"-test.skip", "^(TestRedactionSecurityProperty|TestTypedResultsOwnTheirStrings|FuzzHWM|FuzzValidate|FuzzRedact|TestSessionReusedBuffer|TestRedactedOutputValidates|TestCompileRulesOwnsPacks|TestRedactionSecurityPropertyGoldenContexts|TestGoldenLabelIdempotent|Example[A-Za-z_]*)$"}},
}

var (
	binaries    sync.Map // package -> its test binary, built once per run
	oracleCache = wazero.NewCompilationCache()
)

// testBinary builds pkg's test binary for wasip1.
func testBinary(t *testing.T, root, pkg string) []byte {
	t.Helper()
	if b, ok := binaries.Load(pkg); ok {
		return b.([]byte)
	}
	out := filepath.Join(t.TempDir(), "pkg.test.wasm")
	// go test puts its own GOROOT/bin first on the PATH of the tests it
	// runs: "go" is the Go that built this test.
	cmd := exec.Command("go", "test", "-c", "-o", out, "./"+pkg)
	cmd.Dir = root
	cmd.Env = append(os.Environ(), "GOOS=wasip1", "GOARCH=wasm")
	if msg, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go test -c ./%s for wasip1: %v\n%s", pkg, err, msg)
	}
	b, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	binaries.Store(pkg, b)
	return b
}

// runTests runs a test binary under wazero with the repository mounted at
// / and the package's directory as the working directory; it returns the
// output and an error unless the tests passed.
func runTests(ctx context.Context, rc wazero.RuntimeConfig, root, pkg string, wasm []byte, args ...string) ([]byte, error) {
	rt := wazero.NewRuntimeWithConfig(ctx, rc)
	defer rt.Close(ctx)
	wasi_snapshot_preview1.MustInstantiate(ctx, rt)
	var out bytes.Buffer
	cfg := wazero.NewModuleConfig().
		WithArgs(append([]string{"pkg.test", "-test.short", "-test.count=1"}, args...)...).
		WithEnv("PWD", "/"+pkg).
		WithFSConfig(wazero.NewFSConfig().WithReadOnlyDirMount(root, "/")).
		WithStdout(&out).WithStderr(&out).
		WithSysWalltime().WithSysNanotime().WithSysNanosleep()
	_, err := rt.InstantiateWithConfig(ctx, wasm, cfg)
	var exit *sys.ExitError
	if errors.As(err, &exit) && exit.ExitCode() == 0 {
		err = nil
	}
	return out.Bytes(), err
}

// oracle rewrites each package's test binary and runs it (under wazero's
// compiler, or with args and the interpreter when run is set, which starts
// faster); it returns the first failure.
func oracle(t *testing.T, run *oracleRun, pkgs ...string) error {
	t.Helper()
	if raceEnabled {
		t.Skip("the oracle runs without the race detector (make test runs it in a step of its own)")
	}
	root, err := golden.Root()
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	for _, p := range oraclePackages {
		if len(pkgs) > 0 && !contains(pkgs, p.pkg) {
			continue
		}
		orig := testBinary(t, root, p.pkg)
		out, st, err := rewrite(orig)
		if err != nil {
			return fmt.Errorf("%s: %v", p.pkg, err)
		}
		if st.loops == 0 || st.forward == 0 {
			return fmt.Errorf("%s: nothing rewritten (%+v)", p.pkg, st)
		}
		rc, args := wazero.NewRuntimeConfig().WithCompilationCache(oracleCache), p.args
		if run != nil {
			rc, args = wazero.NewRuntimeConfigInterpreter(), run.args
		}
		start := time.Now()
		msg, err := runTests(ctx, rc, root, p.pkg, out, args...)
		t.Logf("%s: %d jumps, %d forward, %d loops; tests ran in %v", p.pkg, st.jumps, st.forward, st.loops, time.Since(start).Round(time.Millisecond))
		if err != nil {
			// Tell a miscompile from tests that fail in WebAssembly anyway.
			if _, err0 := runTests(ctx, rc, root, p.pkg, orig, args...); err0 != nil {
				t.Fatalf("%s: the tests fail without the rewrite too: %v", p.pkg, err0)
			}
			return fmt.Errorf("%s: the tests fail after the rewrite, pass before: %v\n%s", p.pkg, err, tail(msg, 3000))
		}
	}
	return nil
}

// oracleRun runs the tests with args in wazero's interpreter.
type oracleRun struct{ args []string }

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func tail(b []byte, n int) []byte {
	if len(b) > n {
		return b[len(b)-n:]
	}
	return b
}

// TestOracle: the engine's and the JSON parser's own tests pass in the
// rewritten WebAssembly build.
func TestOracle(t *testing.T) {
	if err := oracle(t, nil); err != nil {
		t.Fatal(err)
	}
}

// TestOracleCatchesMiscompile: a pass that sends the entries of a region's
// head to the region's start (the silent fallback this pass once had) makes
// the oracle fail.
func TestOracleCatchesMiscompile(t *testing.T) {
	misrouteEntries = true
	defer func() { misrouteEntries = false }()
	// The parser's depth limit test, interpreted: the rewritten module
	// need not be compiled again.
	if err := oracle(t, &oracleRun{args: []string{"-test.run", "^TestDepthLimit$"}}, "internal/jsonx"); err == nil {
		t.Fatal("the oracle passed a module whose regions' entries go to the wrong block")
	} else {
		t.Logf("the oracle failed as it should: %.300s", err)
	}
}
