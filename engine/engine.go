// Package engine is seclabel's FHIR R4 security-labeling engine: it computes
// high-water marks and validates DS4P security labels on FHIR JSON.
//
// Start with New and then either the typed methods (HWM, Validate) or Do,
// which speaks the JSON request/response protocol that every seclabel build
// (native, WebAssembly, JavaScript, CLI) shares; PROTOCOL.md describes it.
//
//	e, err := engine.New(engine.Options{})
//	res, err := e.HWM(ctx, bundleJSON)
//	// res.Resource is the Bundle with its high-water mark in meta.security.
//
// An Engine is immutable and safe for concurrent use. It does no I/O.
package engine

import (
	"context"
	"io"
	"sync"
)

// ProtocolVersion is the version of the request/response protocol. A request
// may name the version it speaks; every response carries this one.
const ProtocolVersion = 1

// Version is the engine's release version.
const Version = "0.1.0"

// VocabularyVersion names the HL7 Terminology release the built-in
// vocabulary follows (later codes the engine also knows are listed in NOTICE).
const VocabularyVersion = "THO 5.1.0"

// Engine labels, marks and validates FHIR resources with fixed options.
type Engine struct {
	opts Options
	pool sync.Pool // *state, reused scratch space
}

// Result is what an operation returns.
type Result struct {
	// Resource is the resulting resource: for HWM, the input with its
	// high-water mark written; for Validate, nil. Bytes the operation did not
	// change are copied through unchanged.
	Resource []byte
	// Report says what the operation did.
	Report Report
	// Diagnostics are findings about the input, most severe first.
	Diagnostics []Diagnostic
	// Outcome is the diagnostics as a FHIR OperationOutcome, when the
	// OperationOutcome option is set.
	Outcome []byte
	// Audit is a FHIR AuditEvent describing a redaction's disclosure, when
	// the Audit option is set.
	Audit []byte
}

// Report describes what an operation computed.
type Report struct {
	// Marks lists one high-water mark per Bundle (inner Bundles first) or,
	// for a single resource, one for that resource.
	Marks []Mark
	// Labeled lists, for Label, each resource the engine labeled and why.
	Labeled []Labeled
	// Withheld, Removed and Masked say, for Redact, which resources were
	// left out and why, which elements were removed, and which were replaced
	// by data-absent-reason masked (references to withheld resources among them).
	Withheld        []Withheld
	Removed, Masked []string
	// Display lists, for Marks, what must be shown with each resource.
	Display []Display
	// Errors, Warnings and Information count Validate's diagnostics.
	Errors, Warnings, Information int
}

// Mark is the high-water mark computed for one container.
type Mark struct {
	Location        string   // FHIRPath-like location of the container
	Type            string   // Bundle.type, or the resource type
	Entries         int      // entries that carry a resource
	Confidentiality string   // the confidentiality written
	Security        []Coding // every label now in meta.security, in order
	LeftOut         []LeftOut
}

// Coding is a security label.
type Coding struct {
	System, Code, Display string
	Set                   string // its tag set: confidentiality, sensitivity, policy, ... or unknown
}

// LeftOut is a label found on an entry that the high-water mark does not
// carry, and why.
type LeftOut struct {
	System, Code string
	Set          string // tag set name
	Reason       string // sensitivity, privacyRevealing, omitCodes, notLifted, unknown, purposeOfUseConflict
}

// Severity of a diagnostic.
type Severity string

const (
	SeverityError       Severity = "error"
	SeverityWarning     Severity = "warning"
	SeverityInformation Severity = "information"
)

// Diagnostic is one finding, with a stable code (see PROTOCOL.md) and a
// FHIRPath-like location such as Bundle.entry[2].resource.meta.security[0].
type Diagnostic struct {
	Severity Severity
	Code     string
	Location string
	Message  string
}

// New returns an Engine with opts, validated once; zero fields take their
// documented defaults. The error is an *Error with code invalid_option.
func New(opts Options) (*Engine, error) {
	o, err := opts.resolve()
	if err != nil {
		return nil, err
	}
	return &Engine{opts: o}, nil
}

// Options returns the engine's options with defaults filled in.
func (e *Engine) Options() Options { return e.opts }

// HWM computes the high-water mark of a Bundle (every type, nested Bundles
// inside out) and writes it to Bundle.meta.security, and for a document also
// to Composition.confidentiality. For any other resource it writes the
// resource's own confidentiality high-water mark over its inline labels.
func (e *Engine) HWM(ctx context.Context, resource []byte) (*Result, error) {
	return e.run(ctx, opHWM, resource, &e.opts)
}

// Validate checks the security labels of a resource or Bundle and returns
// diagnostics; the input is not changed.
func (e *Engine) Validate(ctx context.Context, resource []byte) (*Result, error) {
	return e.run(ctx, opValidate, resource, &e.opts)
}

// Label finds sensitive content with the rule packs and labels it: every
// resource of a Bundle, or the one resource given. Resources no rule matches
// come back byte for byte unless LabelAll is set or their inline labels
// raise them (Options.InlineHighWaterMark). A resource labeled under
// 42 CFR Part 2 also gets the redisclosure mark and the 42 CFR 2.32 notice
// (Options.Part2Notice). Labeling is idempotent.
func (e *Engine) Label(ctx context.Context, resource []byte) (*Result, error) {
	return e.run(ctx, opLabel, resource, &e.opts)
}

// Call runs the operation named op ("label", "redact", "hwm", "validate",
// "marks": Operations lists them) on resource, as the named methods do;
// recipient is the access context redact needs; the others ignore it. It
// is how a caller runs any operation of the protocol by its name.
func (e *Engine) Call(ctx context.Context, op string, resource []byte, recipient *AccessContext) (*Result, error) {
	x := operationNamed(op)
	if x == nil {
		return nil, errorf(ErrInvalidOption, "unknown op "+quote(op)+"; expected "+expectedOps())
	}
	var a *access
	if x.op == opRedact && recipient != nil {
		var err error
		if a, err = recipient.resolve(); err != nil {
			return nil, err
		}
	}
	return e.runWith(ctx, x.op, resource, &e.opts, a)
}

// Do runs one protocol request and returns its response; see PROTOCOL.md.
// It never fails: errors are reported inside the response. The returned
// bytes are owned by the caller.
func (e *Engine) Do(ctx context.Context, request []byte) []byte {
	out, _ := e.do(ctx, request, nil, nil)
	return out
}

// DoTo is Do writing the response to w. A resource sent after a NUL byte
// comes back after one too, and label and hwm write it to w in pieces,
// straight from the input and the labels they add, so the call never holds
// a result that may be many times its input (with the option omitReport,
// neither a report that grows with it). The response is written once the
// call has succeeded or failed as a whole; the error is w's.
func (e *Engine) DoTo(ctx context.Context, w io.Writer, request []byte) error {
	_, err := e.do(ctx, request, nil, w)
	return err
}

// Session is what a long-lived host keeps, such as one WebAssembly
// instance: an engine that a configure request replaces (see Configure).
// Its zero value answers with the default options. It keeps nothing of a
// request's bytes past the call, so a host may reuse its request buffer (the
// module does). A Session is not safe for concurrent use.
type Session struct {
	e *Engine
	s *state // kept across calls, with its buffers
}

// Do answers one protocol request, or a configure request, which compiles
// its rules and options once for every later request of the session. The
// response is valid until the session's next call: its buffer is reused.
func (s *Session) Do(ctx context.Context, request []byte) []byte {
	if s.e == nil {
		s.e, _ = New(Options{})
	}
	out, _ := s.e.do(ctx, request, s, nil)
	return out
}
