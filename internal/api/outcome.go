package api

import (
	"net/http"

	"github.com/seclabel/seclabel/internal/jsonx"
)

// errorSystem is the system of the codes in an error OperationOutcome's
// issue.details.coding: the engine's error codes (engine/PROTOCOL.md)
// and the API's own below.
const errorSystem = "https://github.com/seclabel/seclabel/error"

// The API's own error codes, stable like the engine's.
const (
	codeInvalidRequest = "invalid_request"        // 400 (or 422): a request the API cannot read
	codeUnauthorized   = "unauthorized"           // 401
	codeNotFound       = "not_found"              // 404
	codeMethod         = "method_not_allowed"     // 405
	codeTimeout        = "timeout"                // 408: the body was not received in time
	codeMediaType      = "unsupported_media_type" // 415
	codeBusy           = "busy"                   // 503: every operation slot taken
	codeWithheld       = "withheld"               // 200: $redact withheld the whole resource
)

// apiError is a failed request: its status, stable code and message.
type apiError struct {
	status    int
	code, msg string
	retry     bool // 503: say when to retry
}

func (e *apiError) Error() string { return e.code + ": " + e.msg }

// engineStatus is the HTTP status of each engine error code: a request
// that is not JSON or is malformed is a bad request, JSON that is no
// processable FHIR is unprocessable.
var engineStatus = map[string]int{
	"invalid_json":         http.StatusBadRequest,
	"invalid_option":       http.StatusBadRequest,
	"invalid_context":      http.StatusBadRequest,
	"invalid_rules":        http.StatusBadRequest,
	"too_large":            http.StatusRequestEntityTooLarge,
	"not_fhir":             http.StatusUnprocessableEntity,
	"unsupported_resource": http.StatusUnprocessableEntity,
	"too_deep":             http.StatusUnprocessableEntity,
	"cancelled":            http.StatusServiceUnavailable,
	"internal":             http.StatusInternalServerError,
}

// issueType is the FHIR issue-type of each code.
var issueType = map[string]string{
	"invalid_json":         "structure",
	"invalid_option":       "value",
	"invalid_context":      "value",
	"invalid_rules":        "invalid",
	"too_large":            "too-long",
	"not_fhir":             "structure",
	"unsupported_resource": "not-supported",
	"too_deep":             "too-costly",
	"cancelled":            "timeout",
	"internal":             "exception",
	codeInvalidRequest:     "invalid",
	codeUnauthorized:       "login",
	codeNotFound:           "not-found",
	codeMethod:             "not-supported",
	codeTimeout:            "timeout",
	codeMediaType:          "not-supported",
	codeBusy:               "transient",
	codeWithheld:           "suppressed",
}

// engineError is the apiError of an engine error response.
func engineError(code, msg string) *apiError {
	st, ok := engineStatus[code]
	if !ok {
		st = http.StatusInternalServerError
	}
	return &apiError{status: st, code: code, msg: msg}
}

// outcome is an OperationOutcome of one issue with the code in
// issue.details.coding and "code: message" in the text.
func outcome(severity, code, msg string) []byte {
	typ := issueType[code]
	if typ == "" {
		typ = "processing"
	}
	var w jsonx.Writer
	w.BeginObject()
	w.KV("resourceType", "OperationOutcome")
	w.Key("issue")
	w.BeginArray()
	w.BeginObject()
	w.KV("severity", severity)
	w.KV("code", typ)
	w.Key("details")
	w.BeginObject()
	w.Key("coding")
	w.BeginArray()
	w.BeginObject()
	w.KV("system", errorSystem)
	w.KV("code", code)
	w.EndObject()
	w.EndArray()
	w.KV("text", code+": "+msg)
	w.EndObject()
	w.EndObject()
	w.EndArray()
	w.EndObject()
	return w.B
}

// fail writes err as an OperationOutcome with its status.
func fail(w http.ResponseWriter, err error) {
	e, ok := err.(*apiError)
	if !ok {
		e = &apiError{status: http.StatusInternalServerError, code: "internal", msg: err.Error()}
	}
	if e.retry {
		w.Header().Set("Retry-After", "1")
	}
	writeFHIR(w, e.status, outcome("error", e.code, e.msg))
}
