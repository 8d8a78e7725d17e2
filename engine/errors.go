package engine

import "github.com/seclabel/seclabel/internal/jsonx"

// ErrorCode is a stable failure code, identical in every build.
type ErrorCode string

const (
	ErrInvalidJSON         ErrorCode = "invalid_json"         // input is not JSON
	ErrNotFHIR             ErrorCode = "not_fhir"             // JSON but not a FHIR resource (no resourceType)
	ErrUnsupportedResource ErrorCode = "unsupported_resource" // resourceType is not an R4 resource type
	ErrInvalidRules        ErrorCode = "invalid_rules"        // a rule pack is malformed
	ErrInvalidContext      ErrorCode = "invalid_context"      // an access context is malformed
	ErrInvalidOption       ErrorCode = "invalid_option"       // an option, op or request member is wrong
	ErrTooLarge            ErrorCode = "too_large"            // input exceeds MaxInputBytes
	ErrTooDeep             ErrorCode = "too_deep"             // nesting exceeds MaxDepth
	ErrCancelled           ErrorCode = "cancelled"            // the caller's context ended first; nothing was produced
	ErrInternal            ErrorCode = "internal"             // a bug; nothing was produced
)

// Error is the error every engine operation returns: a stable code and a
// message for people. Callers should branch on Code only.
type Error struct {
	Code    ErrorCode
	Message string
}

func (e *Error) Error() string { return string(e.Code) + ": " + e.Message }

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
