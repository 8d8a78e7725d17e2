package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Files the command line cannot read or write get a stable code, printed
// as the engine's are, and exit status 4.
func TestFileErrorsHaveCodes(t *testing.T) {
	dir := t.TempDir()
	missing := filepath.Join(dir, "missing.json")
	in := writeFile(t, "in.json", opioidCondition)
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"label", missing}, "file_not_found: input file " + missing + " does not exist"},
		{[]string{"hwm", dir}, "is_directory: input " + dir + " is a directory, not a file"},
		{[]string{"label", "--rules", missing, in}, "file_not_found: --rules file " + missing + " does not exist"},
		{[]string{"label", "--rules", dir, in}, "is_directory: --rules " + dir + " is a directory, not a file"},
		{[]string{"rules", "--describe", "--rules", missing}, "file_not_found: --rules file " + missing + " does not exist"},
		{[]string{"redact", "--context", missing, in}, "file_not_found: --context file " + missing + " does not exist"},
		{[]string{"redact", "--context", dir, in}, "is_directory: --context " + dir + " is a directory, not a file"},
		{[]string{"hwm", "-o", filepath.Join(missing, "out.json"), in}, "write_failed: output file " + filepath.Join(missing, "out.json") + ": no such file or directory"},
	} {
		out, errs, code := runCLI(t, "", tc.args...)
		if want := "seclabel: " + tc.want + "\n"; code != exitIO || errs != want || out != "" {
			t.Errorf("%v: exit %d, stderr %q; want exit %d and %q", tc.args, code, errs, exitIO, want)
		}
	}

	if os.Geteuid() != 0 { // root reads any file
		locked := writeFile(t, "locked.json", `{"clearance":"R"}`)
		if err := os.Chmod(locked, 0); err != nil {
			t.Fatal(err)
		}
		for _, args := range [][]string{{"redact", "--context", locked, in}, {"label", "--rules", locked, in}, {"hwm", locked}} {
			_, errs, code := runCLI(t, "", args...)
			if code != exitIO || !strings.HasPrefix(errs, "seclabel: permission_denied: ") || !strings.HasSuffix(errs, locked+" cannot be opened: permission denied\n") {
				t.Errorf("%v: exit %d, stderr %q", args, code, errs)
			}
		}
	}

	// A --context file that is not JSON is rejected as the engine rejects a
	// context, saying where in the file.
	bad := writeFile(t, "ctx.json", "{\"clearance\": \"R\",\n \"deny\": [\"HIV\"}\n")
	_, errs, code := runCLI(t, "", "redact", "--context", bad, in)
	if want := "seclabel: invalid_context: --context file " + bad + ": malformed JSON at line 2, column 16: expected ',' or ']'\n"; code != exitInput || errs != want {
		t.Errorf("malformed context: exit %d, stderr %q, want %q", code, errs, want)
	}
}
