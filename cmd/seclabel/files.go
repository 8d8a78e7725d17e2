package main

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"syscall"
)

// The command line's own error codes, for the files it reads and writes.
// They are stable, as the engine's are, and printed the same way
// ("seclabel: file_not_found: ..."); each exits with exitIO.
const (
	codeNotFound   = "file_not_found"    // a file named on the command line does not exist
	codeIsDir      = "is_directory"      // a directory was given where a file is read
	codeNoAccess   = "permission_denied" // a file cannot be opened for lack of permission
	codeReadFailed = "read_failed"       // reading failed otherwise
	codeWriteFail  = "write_failed"      // the output could not be created or written
)

// fileError is a file of the command line that could not be read or
// written.
type fileError struct {
	code string
	what string // "input file x.json", "--rules file x.json", "standard output", ...
	err  error  // the cause, for read_failed and write_failed
}

func (e *fileError) Error() string {
	switch e.code {
	case codeNotFound:
		return e.code + ": " + e.what + " does not exist"
	case codeIsDir:
		return e.code + ": " + e.what + " is a directory, not a file"
	case codeNoAccess:
		return e.code + ": " + e.what + " cannot be opened: permission denied"
	}
	return e.code + ": " + e.what + ": " + cause(e.err)
}

// report prints the error as "seclabel: CODE: message" and returns the exit
// status.
func (e *fileError) report(stderr io.Writer) int {
	fmt.Fprintf(stderr, "seclabel: %v\n", e)
	return exitIO
}

// cause is an error without the operation and path an *fs.PathError
// repeats.
func cause(err error) string {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		err = pe.Err
	}
	return err.Error()
}

// readError classifies a failure to open or read what (a file named on the
// command line, or standard input).
func readError(what string, err error) *fileError {
	code := codeReadFailed
	switch {
	case errors.Is(err, fs.ErrNotExist):
		code = codeNotFound
	case errors.Is(err, syscall.EISDIR):
		code = codeIsDir
	case errors.Is(err, fs.ErrPermission):
		code = codeNoAccess
	}
	return &fileError{code: code, what: what, err: err}
}

// writeError is a failure to create or write the output.
func writeError(what string, err error) *fileError {
	return &fileError{code: codeWriteFail, what: what, err: err}
}

// openFile opens a file the command line names for reading; a directory
// is refused (opening one succeeds on some systems, and reading it fails
// later with a less clear message). role says what the file is for:
// "input", "--rules", "--context".
func openFile(role, path string) (*os.File, *fileError) {
	what := role + " file " + path
	f, err := os.Open(path)
	if err != nil {
		return nil, readError(what, err)
	}
	if st, err := f.Stat(); err == nil && st.IsDir() {
		f.Close()
		return nil, &fileError{code: codeIsDir, what: role + " " + path}
	}
	return f, nil
}

// readFile reads a whole file the command line names.
func readFile(role, path string) ([]byte, *fileError) {
	f, ferr := openFile(role, path)
	if ferr != nil {
		return nil, ferr
	}
	defer f.Close()
	b, err := io.ReadAll(f)
	if err != nil {
		return nil, readError(role+" file "+path, err)
	}
	return b, nil
}
