package engine

import "github.com/seclabel/seclabel/internal/jsonx"

func errorf(code ErrorCode, msg string) *Error { return &Error{Code: code, Message: msg} }

// panicText describes a recovered panic value without fmt, which the
// WebAssembly module leaves out for size.
func panicText(r any) string {
	switch v := r.(type) {
	case error:
		return v.Error()
	case string:
		return v
	}
	return "unexpected panic"
}

// quote writes s as a JSON string for messages (strconv.Quote would bring
// its printability tables into the WebAssembly module).
func quote(s string) string { return string(jsonx.AppendString(nil, s)) }
