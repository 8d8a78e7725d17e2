// Package engine is seclabel's FHIR R4 security-labeling engine. On FHIR
// JSON it labels sensitive content with rule packs (Label), cuts a resource
// or Bundle down to what one recipient may see (Redact), writes the
// high-water mark a Bundle, document or message carries (HWM), lists what
// must be displayed with each resource (Marks) and validates security
// labels (Validate), following HL7 DS4P.
//
// engine/api.go holds the package's whole public face; the other files are
// machinery. Start with New, then call the operations by name or through
// Do, which speaks the JSON request/response protocol every seclabel build
// shares (native, WebAssembly, JavaScript, CLI); PROTOCOL.md describes it.
//
//	e, err := engine.New(engine.Options{})
//	res, err := e.Label(ctx, bundleJSON)
//	// res.Resource is the Bundle with labels in meta.security; res.Report
//	// says which resources were labeled and why.
//
// An Engine is immutable and safe for concurrent use. It does no I/O.
package engine

import (
	"bytes"
	"context"
	"io"

	"github.com/seclabel/seclabel/engine/internal/words"
	"github.com/seclabel/seclabel/internal/jsonx"
)

// Versions

// ProtocolVersion is the version of the request/response protocol. A request
// may name the version it speaks; every response carries this one.
const ProtocolVersion = 1

// Version is the engine's release version.
const Version = "0.1.0"

// VocabularyVersion names the HL7 Terminology release the built-in
// vocabulary follows (later codes the engine also knows are listed in NOTICE).
const VocabularyVersion = "THO 5.1.0"

// The engine

// Engine labels, marks and validates FHIR resources with fixed options.
type Engine struct {
	opts Options
	pool statePool // reused scratch space
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

// The operations

// Label finds sensitive content with the rule packs and labels it: every
// resource of a Bundle, or the one resource given. Resources no rule matches
// come back byte for byte unless LabelAll is set or their inline labels
// raise them (Options.InlineHighWaterMark). A resource labeled under
// 42 CFR Part 2 also gets the redisclosure mark and the 42 CFR 2.32 notice
// (Options.Part2Notice). Labeling is idempotent.
func (e *Engine) Label(ctx context.Context, resource []byte) (*Result, error) {
	return e.run(ctx, opLabel, resource, &e.opts)
}

// Redact cuts a resource or Bundle down to what the recipient described by
// access may see, keeps it valid R4, and writes the high-water mark of what
// is released. It fails closed: any error releases nothing.
func (e *Engine) Redact(ctx context.Context, resource []byte, access AccessContext) (*Result, error) {
	a, err := access.resolve()
	if err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, errorf(ErrCancelled, "call cancelled: "+err.Error())
	}
	return e.runWith(ctx, opRedact, resource, &e.opts, a, nil)
}

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

// Marks lists what must be displayed with the resource and, for a Bundle,
// with each entry's resource (nested Bundles included), in document order:
// for each resource its annotations, then its mark labels, each once. The
// input is not changed.
func (e *Engine) Marks(ctx context.Context, resource []byte) (*Result, error) {
	return e.run(ctx, opMarks, resource, &e.opts)
}

// Call runs the operation named op ("label", "redact", "hwm", "validate",
// "marks": Operations lists them) on resource, as the named methods do;
// recipient is the access context redact needs; the others ignore it. It
// is how a caller runs any operation of the protocol by its name.
func (e *Engine) Call(ctx context.Context, op string, resource []byte, recipient *AccessContext) (*Result, error) {
	return e.call(ctx, op, resource, recipient)
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
// neither a report that grows with it); a WebAssembly build writes it
// whole. The response is written once the call has succeeded or failed as
// a whole; the error is w's.
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
	return s.answer(ctx, request)
}

// Answer is Do for a host that never cancels a call, such as the
// WebAssembly module: a build that calls Answer and not Do links no
// context package, and with it none of package time's formatting, which
// context.Context's Deadline method brings (about 21 KB of the module's
// gzip).
func (s *Session) Answer(request []byte) []byte {
	return s.answer(noCancel{}, request)
}

// answer is Do and Answer.
func (s *Session) answer(ctx canceler, request []byte) []byte {
	if s.e == nil {
		s.e, _ = New(Options{})
	}
	out, _ := s.e.do(ctx, request, s, nil)
	return out
}

// canceler is what the engine asks of a context: whether the call was
// cancelled. A context.Context is one; so is noCancel.
type canceler interface{ Err() error }

// noCancel is the canceler of a call that is never cancelled.
type noCancel struct{}

func (noCancel) Err() error { return nil }

// Configure builds an Engine from a configure request, as hosts that keep
// one engine per instance send once:
//
//	{"op": "configure", "rules": [pack, ...], "options": {...}}
//
// Options here may also raise the limits (up to 2 GiB and depth 1000). It
// returns the response, {"protocol": 1, "op": "configure"} or an error
// response, and the Engine (nil on error). The Engine keeps nothing of
// request, which the caller may reuse.
func Configure(request []byte) ([]byte, *Engine) {
	e, err := configure(request, 256)
	if err != nil {
		return errorResponse(err), nil
	}
	return []byte(configured), e
}

// Backend is the method set an Engine and a host.Host (the WebAssembly
// module in wazero) share, so a caller switches between them in one line.
type Backend interface {
	Label(ctx context.Context, resource []byte) (*Result, error)
	Redact(ctx context.Context, resource []byte, access AccessContext) (*Result, error)
	HWM(ctx context.Context, resource []byte) (*Result, error)
	Validate(ctx context.Context, resource []byte) (*Result, error)
	Marks(ctx context.Context, resource []byte) (*Result, error)
	Call(ctx context.Context, op string, resource []byte, recipient *AccessContext) (*Result, error)
	Do(ctx context.Context, request []byte) []byte
}

// OperationInfo describes one operation of the protocol.
type OperationInfo struct {
	Name    string // the request's op, the CLI's command
	Summary string // what it does, in one line
}

// Operations lists the protocol's operations (configure, which only
// long-lived hosts take, aside).
func Operations() []OperationInfo {
	out := make([]OperationInfo, len(operations))
	for i, x := range operations {
		out[i] = OperationInfo{Name: x.name, Summary: x.summary}
	}
	return out
}

// Results

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

	// With the request member edits, the protocol path leaves Resource
	// empty: the response carries these edits of src[span] instead.
	edits []jsonx.Edit
	src   []byte
	span  [2]int
}

// Report describes what an operation computed.
type Report struct {
	// Marks lists one high-water mark per Bundle (inner Bundles first) or,
	// for a single resource, one for that resource.
	Marks []Mark
	// Labeled lists, for Label, each resource the engine labeled and why;
	// Dropped the words context ruled out.
	Labeled []Labeled
	Dropped []Dropped
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

// The values of Options.TextMatch.
const (
	TextAuto = "auto"
	TextAll  = "all"
	TextOff  = "off"
)

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

// Labeled reports what labeling did to one resource.
type Labeled struct {
	Location        string   // FHIRPath-like location of the resource
	Type, ID        string   // resourceType and id
	Matches         []Match  // which rule fired on which coding
	Added           []Coding // labels added to meta.security
	Inline          []Match  // labels added inline (Path is the element)
	Confidentiality string   // the confidentiality the resource now carries
}

// Match is one rule firing on one coding (or text) at a path, or one
// reference a resource inherited labels along: Rule "inherit", Code the
// reference, Path the Reference element.
type Match struct {
	Rule, System, Code, Path string
	// For words a rule's text entry found (Code is then empty, but for an
	// ICD-10-CM code written in the text, which has its System and Code
	// too): Text is the words as they appear, Start and End their offsets in characters
	// (Unicode code points) in the element's text (an attachment's
	// decoded content, a narrative's text content), Confidence the
	// entry's.
	Text       string
	Start, End int
	Confidence float64
}

// Dropped is words a rule's text entry found in a resource that their
// context rules out: negated ("denies drug use"), about someone else
// ("mother has schizophrenia") or hypothetical ("at risk of HIV").
type Dropped struct {
	Location, Type, ID string // the resource
	Rule, Path, Text   string
	Start, End         int    // as in Match
	Reason             string // negated, other-person, hypothetical or other-sense
	Trigger            string // the words of the context that dropped it
}

// Withheld is a resource redaction left out, and the labels that caused it.
type Withheld struct {
	Location, Type, ID, FullURL string
	// References are the other forms by which references elsewhere may
	// name it: its canonical url, and Type?identifier=system|value for
	// each identifier. With Type/id and FullURL they are what a later call
	// (another line of an NDJSON file) takes as withheldReferences.
	References []string
	Labels     []Coding
	// Reason is clearance, deny, compartment, purposeOfUse, allow,
	// exceptAnyOfCodes, unreadable-label, required-element,
	// modifier-element, container, same-resource, provenance, inherit,
	// directory, securityContext or attachment
	// (PROTOCOL.md); Detail says more where
	// the labels cannot (which label is unreadable, which element).
	Reason, Detail string
}

// Redaction reports what redaction did.
type Redaction struct {
	Withheld []Withheld
	Removed  []string // locations of removed elements
	Masked   []string // locations of elements replaced by data-absent-reason masked
}

// Display is one thing a reader must be shown with a resource, as a banner
// would: the text of an extension-display annotation on Resource.meta, or
// the display of a mark label (a SecurityLabelMark, PrivacyMark or CUI code)
// in meta.security.
type Display struct {
	Location string // the resource's FHIRPath-like location
	Kind     string // "annotation" or "label"
	Text     string
	// System and Code are the mark label's, for Kind "label".
	System, Code string
}

// Diagnostic is one finding, with a stable code (see PROTOCOL.md) and a
// FHIRPath-like location such as Bundle.entry[2].resource.meta.security[0].
type Diagnostic struct {
	Severity Severity
	Code     DiagnosticCode
	Location string
	Message  string
}

// Severity of a diagnostic.
type Severity string

const (
	SeverityError       Severity = "error"
	SeverityWarning     Severity = "warning"
	SeverityInformation Severity = "information"
)

// Options

// Options tune the engine. The zero value of every field means its default;
// the protocol, the JavaScript API and the CLI (--option name=value) use the
// names in brackets.
type Options struct {
	// DefaultConfidentiality [defaultConfidentiality] is the confidentiality
	// of a resource that carries none: one of U, L, M, N, R, V. Default N.
	DefaultConfidentiality string

	// EnvelopeSensitivity [envelopeSensitivity] says whether a Bundle's
	// high-water mark carries its entries' sensitivity labels: "omit"
	// (default; sensitivity codes would reveal what they protect) or "union"
	// (only inside one policy domain).
	EnvelopeSensitivity string

	// OmitCodes [omitCodes] are labels never lifted into a high-water mark,
	// for example 42CFRPart2 where naming the law reveals too much. Each is
	// "code" (any system) or "system|code", and reaches what a denied code
	// reaches (AccessContext.Deny): SUD also leaves out OPIOIDUD, the older
	// ETH and 42CFRPart2.
	OmitCodes []string

	// PrivacyRevealing [privacyRevealing] replaces the list of codes that are
	// never lifted because they reveal private facts (nil keeps the default:
	// obligations MASK REDACT CPLYCD ANONY DEID PSEUD, refrains NODSCLCD
	// NODSCLCDS NORDSCLCD NORDSCLCDS NOAUTH NOPAT NOVIP
	// RedisclosureProhibitionMark). Same forms as OmitCodes.
	PrivacyRevealing []string

	// OperationOutcome [operationOutcome] makes Validate also return its
	// diagnostics as a FHIR OperationOutcome.
	OperationOutcome bool

	// RequireConfidentiality [requireConfidentiality] makes validate report
	// a labeled resource without a confidentiality code as an error, as
	// the HCS (Confidentiality 1..1) and profiles built on it require.
	// Off, it is a warning: FHIR core only says other labels should come
	// with one (its HCS table gives 0..1).
	RequireConfidentiality bool

	// MaxInputBytes [maxInputBytes] is the largest input accepted
	// (too_large beyond). Default 64 MiB, at most 2 GiB. A request may lower
	// it, never raise it above the engine's.
	MaxInputBytes int

	// MaxDepth [maxDepth] is the deepest JSON nesting accepted (too_deep
	// beyond). Default 128, at most 1000. A request may lower it only.
	MaxDepth int

	// Rules are the compiled rule packs labeling uses; nil means the
	// embedded default US-realm pack (DefaultRules).
	Rules *Rules

	// AllowDowngrade [allowDowngrade] lets labeling lower a confidentiality a
	// resource already carries. Off: labels only ever rise.
	AllowDowngrade bool

	// LabelAll [labelAll] gives every resource a confidentiality, also those
	// no rule matches (which are otherwise left byte for byte as they were,
	// unless InlineHighWaterMark raises them).
	LabelAll bool

	// Classifier [classifier] is the display of the
	// extension-sec-label-classifier Reference on every label the engine
	// adds. Default "seclabel".
	Classifier string

	// TextMatch [textMatch] says which words the rules' text entries are
	// read in: TextAuto ("", the default) the displays of codings whose
	// code the packs cannot judge (malformed for its system, or of a
	// system the engine does not know) and of SNOMED CT codings no rule
	// matched, CodeableConcept.text when none of its codings could be
	// judged, notes, string values and answers (extensions' too),
	// questions answered yes, titles, names and comments, the displays of
	// references to other than people, conclusions, descriptions,
	// instructions, reasons and rationales, free-text onsets, dosage text
	// and text attachments; TextAll also every display and the narrative;
	// TextOff none.
	TextMatch string

	// TextElementOnly [textElementOnly] makes words found in one element
	// (a note, a string value, an attachment) label only that element,
	// inline, so a redaction denying their category cuts the element and
	// releases the rest; the resource gets the confidentiality high-water
	// mark. Off: the resource is labeled too.
	TextElementOnly bool

	// TextClassifier [textClassifier] is the classifier display of labels
	// only words found, so a reader can tell them from labels codes gave.
	// Default "seclabel text".
	TextClassifier string

	// InlineHighWaterMark [inlineHighWaterMark] raises a resource's
	// confidentiality to the highest of its inline labels, those rules add
	// and those it already carries, whether or not a rule fired; validate
	// then reports a resource below them (hwm-below-inline). Default on;
	// set it to a pointer to false to turn it off.
	InlineHighWaterMark *bool

	// Propagate [propagate] lists reference elements ("Condition.encounter")
	// along which labels flow to the referenced resource inside one Bundle.
	// An element may lie deeper in the resource ("Claim.item.encounter").
	Propagate []string

	// Inherit [inherit] lists reference elements along which labels flow
	// back, inside one Bundle: a resource whose subject matter is the
	// referenced one (a Claim billing an Encounter) inherits its
	// sensitivity labels, the policy, obligation and refrain labels that
	// come with them, and its confidentiality when higher. nil keeps the
	// default, DefaultInherit: what claims, explanations of benefit and
	// reports bill or report on, the Medication or Device an order, use or
	// statement names, the reason or condition care is for
	// (reasonReference, addresses, problem), the order what fulfils it is
	// based on (basedOn, request, authorizingPrescription, focus), an
	// encounter's episode of care, what a document renders or transforms,
	// and a Binary's securityContext (PROTOCOL.md lists them). An empty
	// list turns it off.
	Inherit []string

	// Part2Notice [part2Notice] gives every resource labeling leaves with
	// the 42CFRPart2 policy label the display mark
	// RedisclosureProhibitionMark and, in an extension-display on its meta,
	// the notice 42 CFR 2.32 requires with each disclosure of Part 2
	// records. Default on; set it to a pointer to false to turn it off.
	Part2Notice *bool

	// BundleHighWaterMark [bundleHighWaterMark] makes label also compute the
	// Bundle's high-water mark from the labeled entries, in the same pass.
	// Without it, a confidentiality the Bundle already carries, and a
	// document's Composition.confidentiality, are still raised to that of
	// what the Bundle holds, when label labels something in it.
	BundleHighWaterMark bool

	// MinConfidence [minConfidence] ignores rule codes whose confidence
	// (from imported SHARES rules) is below it: 0 to 1, default 0.
	MinConfidence float64

	// LabelFirst [labelFirst] makes Redact label the input with the rules
	// and options in force before judging it, as Label would: for data no
	// labeler has seen. Off, the default: the labels the input carries are
	// judged as they are (a sender's labels are authoritative), and an
	// input that carries none gets the warning "unlabeled".
	LabelFirst bool

	// Audit [audit] makes Redact also return a FHIR AuditEvent describing
	// the disclosure; AuditTime [auditTime] is its recorded instant
	// (required with Audit, so output stays deterministic).
	Audit     bool
	AuditTime string

	// OmitReport [omitReport] leaves the report's longest lists out: label's
	// labeled resources (then not built at all) and redact's removed and
	// masked elements. Marks, withheld resources and counts stay. For
	// callers that want only the result of a very large input.
	OmitReport bool

	omit, reveal codeList
	refs         []refPath // Propagate and Inherit, parsed
	resolved     bool      // the three above are set (see resolveFrom)
}

// OptionInfo describes one option of the protocol: the names in brackets
// in Options' documentation, which requests, the JavaScript API and the
// CLI's --option use.
type OptionInfo struct {
	Name string
	// Kind is how the value is written: "boolean", "string", "list" (an
	// array of strings; comma-separated on the command line), "number"
	// (0 to 1), "limit" (a positive whole number) or "classifier" (a
	// display string, or a Reference with a display).
	Kind    string
	Type    string   // the value's type, as the documentation shows it
	Default string   // as the documentation shows it
	Ops     []string // the operations that read it; "all" for every one
	Doc     string   // what it does, in one line
}

// OptionList lists every option of the protocol, in documentation order.
func OptionList() []OptionInfo {
	return optionList()
}

// Recipients

// AccessContext describes one recipient: what it may see.
type AccessContext struct {
	// Clearance is the highest confidentiality the recipient may see (U..V);
	// default N.
	Clearance string
	// PurposeOfUse is the purpose of the request (a v3-ActReason code).
	PurposeOfUse string
	// Compartments are the compartments the recipient belongs to
	// (v3-ActCode compartment codes).
	Compartments []string
	// Deny lists labels the recipient may not see ("code" or
	// "system|code"; a code also covers the codes below it, its synonyms,
	// theirs and what stands for it, so SUD covers OPIOIDUD, the older ETH
	// and the 42CFRPart2 policy, MH covers PSY and PSYTHPN, and SPI covers
	// ETH), and resource
	// types as "http://hl7.org/fhir/resource-types|Observation". Every
	// item must be a code the vocabulary knows.
	Deny []string
	// Allow, when not nil, releases sensitive content only when every
	// sensitivity label it carries is in the list (or below a listed code),
	// and a privacy law's content only when every sensitivity the law
	// protects is.
	Allow []string
	// ReleaseOnly holds REDACT obligations of the exceptAnyOfCodes form:
	// a resource is released only when it carries a label of every list.
	// An empty list releases nothing.
	ReleaseOnly [][]string
	// Ignore lists label systems ("system") and labels ("system|code")
	// the recipient ignores among the labels the engine cannot read;
	// content carrying any other such label is withheld. An item with
	// an empty system or code ("|x", "system|") is invalid_context.
	Ignore []string
	// WithheldReferences are resources withheld elsewhere (in another
	// call, such as another line of an NDJSON file): references to them
	// are masked as if they were withheld in this call.
	WithheldReferences []string
}

// MarshalContext writes an access context as the protocol's "context" object.
func (c AccessContext) MarshalContext() []byte {
	return c.marshalContext()
}

// Rule packs

// Rules is a compiled set of rule packs: an immutable index, safe for
// concurrent use. Build it once with CompileRules or CompilePacks and share
// it.
type Rules struct {
	names    []string
	rules    []rule
	bySystem map[string]*systemIndex // canonical system -> its codes, prefixes, ranges
	periods  bool                    // some rule has a period
	text     []textRule
	// The rules' literal text entries are matched all at once by lexicon;
	// termInfo[i] is the rule and confidence of the term whose ID is i.
	termInfo []hit
	lexicon  *words.Lexicon
	// ingredients indexes the ingredient entries of every rule by one of
	// their words (the longest they require), nil when no rule has any.
	ingredients map[string][]ingredient
	always      []int             // rules without code criteria (type or path only)
	conf        map[string]string // sensitivity code -> confidentiality code
	warnings    []string
	codes       int
}

// RuleCount is the number of rules; CodeCount the number of codes indexed.
func (r *Rules) RuleCount() int { return len(r.rules) }

// CodeCount is the number of (system, code) entries, prefixes, ranges and
// ingredient entries indexed.
func (r *Rules) CodeCount() int { return r.codes }

// Warnings lists what compiling let pass but a pack's author should hear
// of: labels outside the security vocabulary the importers left out, rules
// left without labels or that can never match, packs without rules,
// confidentiality map entries that name no sensitivity or that another
// pack raised. Each starts with the pack's name and says where, e.g.
// "shares.json: rules[3] (shares-rule-mh): label MENCAT is not a security
// label code; left out".
func (r *Rules) Warnings() []string { return r.warnings }

// Names lists the packs compiled into r, in order.
func (r *Rules) Names() []string { return r.names }

// Coverage describes every rule of r, in the order the packs list them.
func (r *Rules) Coverage() []RuleCoverage {
	return r.coverage()
}

// RuleCoverage is what one compiled rule matches: the labels it adds and,
// per code system, how many codes, prefixes, ranges and ingredient entries
// it indexes, with its text patterns. Rules.Coverage returns one per rule,
// in pack order; describing a pack (seclabel rules --describe) needs nothing
// else.
type RuleCoverage struct {
	ID              string
	Labels          []string         // the codes of the labels the rule adds, in order
	Sensitivity     []string         // those of them that are sensitivity codes (the categories), in order
	Basis           string           // the policy code its labels cite, or ""
	Confidentiality string           // the confidentiality code it sets, or ""
	ResourceTypes   []string         // the resource types it is limited to, sorted; nil for all
	Path            string           // the element path below the resource type it is limited to, or ""
	Systems         []SystemCoverage // sorted by system
	Text            int              // text patterns
}

// SystemCoverage counts a rule's entries in one code system.
type SystemCoverage struct {
	System      string // the canonical URI
	Codes       int    // exact codes
	Prefixes    int    // codes matched by their start
	Ranges      int    // FROM-TO ranges
	Ingredients int    // ingredient entries matched in RxNorm displays (ingredient rules)
}

// Pack is one rule pack to compile and the name messages give it.
type Pack struct {
	// Name names the pack in errors and warnings: a file name, say, as in
	// "my-pack.json:12:7: rules[0].codes[...]: ...". "" means "pack N",
	// N counting from 1.
	Name string
	// JSON is the pack: the seclabel format, LEAP-CDS / ASU SHARES rules,
	// or a FHIR ValueSet or Bundle of ValueSets.
	JSON []byte
}

// CompileRules compiles rule packs into one index; messages name them
// "pack 1", "pack 2", ... (CompilePacks names them). See CompilePacks.
func CompileRules(packs ...[]byte) (*Rules, error) {
	named := make([]Pack, len(packs))
	for i, p := range packs {
		named[i] = Pack{JSON: p}
	}
	return CompilePacks(named...)
}

// CompilePacks compiles rule packs into one index. Each pack is JSON in the
// seclabel rule-pack format, the LEAP-CDS / ASU SHARES rules format, or a
// FHIR ValueSet or Bundle of ValueSets whose security label sits in
// useContext (code "focus") or topic; the format is recognised by shape.
//
// A malformed pack fails with code invalid_rules; the message names the
// pack, the line and column (counted in characters from 1, in the pack's
// own text) and the member:
//
//	my-pack.json:12:7: rules[0].codes["http://loinc.org"][3]: must be a non-empty code
//
// The packs' confidentiality maps combine by taking, for each sensitivity,
// the highest level any pack gives it; a pack without a map contributes the
// built-in one (the specially protected sensitivities to R). So adding a
// pack never lowers a label's confidentiality.
//
// The packs are copied first, so the caller may reuse their buffers: the
// index keeps strings (ids, systems, codes) that point into the text it read.
func CompilePacks(packs ...Pack) (*Rules, error) {
	own := make([]Pack, len(packs))
	for i, p := range packs {
		own[i] = Pack{Name: p.Name, JSON: bytes.Clone(p.JSON)}
	}
	return compileRules(own)
}

// DefaultRules returns the compiled embedded US-realm pack: HIV, substance
// use disorder (with 42 CFR Part 2 and the redisclosure refrain), mental
// health, psychotherapy notes, sexual and reproductive health, STD, sexual or
// domestic violence and genetic disease. It is compiled once, on first use.
func DefaultRules() *Rules {
	defaultOnce.Do(func() {
		r, err := compileRules([]Pack{{Name: "us-default", JSON: defaultPack}}) // embedded, never written: no copy
		if err != nil {
			panic("engine: the embedded rule pack does not compile: " + err.Error())
		}
		defaultCompiled = r
	})
	return defaultCompiled
}

// DefaultPack returns the JSON of the embedded US-realm pack.
func DefaultPack() []byte { return append([]byte(nil), defaultPack...) }

// EmbeddedPack returns the JSON of an embedded pack by name, and whether
// there is one: "us-default" (the default pack, used when no rules are
// given) or "us-broad" (opt-in: content that only a wider policy treats as
// sensitive, such as routine prenatal care, meant to be added to
// us-default). The JSON is the caller's.
func EmbeddedPack(name string) ([]byte, bool) {
	b, ok := embeddedPack(name)
	if !ok {
		return nil, false
	}
	return append([]byte(nil), b...), true
}

// The protocol's bytes

// ParseResponse reads a protocol response back into a Result, or the
// *Error it carries; it is how hosts of the module offer the typed methods.
// The Result holds parts of resp rather than copies (a result may be
// large): resp becomes the Result's, for the caller not to change.
//
// A response to a request that carried its resource after a NUL byte has
// the resulting resource after a NUL byte too. WebAssembly builds, which
// answer requests, leave it out: there it returns an internal error.
func ParseResponse(resp []byte) (*Result, error) {
	return parseResponse(resp)
}

// MarshalResponse writes r as the protocol response of the named op (one
// of Operations); it is what Do returns for the same call. An unknown op
// gives an invalid_option error response.
func MarshalResponse(opName string, r *Result) []byte {
	x := operationNamed(opName)
	if x == nil {
		return errorResponse(errorf(ErrInvalidOption, "unknown op "+quote(opName)+"; expected "+expectedOps()))
	}
	return response(&jsonx.Writer{}, nil, x.op, r, false, false)
}

// MarshalError writes err as a protocol error response.
func MarshalError(err error) []byte { return errorResponse(err) }

// DiagnosticCode is the stable code of a diagnostic, the same across
// releases and builds; PROTOCOL.md ("validate") says what each means.
type DiagnosticCode string

// The diagnostic codes.
const (
	DiagUnlabeled               DiagnosticCode = "unlabeled"
	DiagConfidentialityMissing  DiagnosticCode = "confidentiality-missing"
	DiagConfidentialityMultiple DiagnosticCode = "confidentiality-multiple"
	DiagCodeUnknown             DiagnosticCode = "code-unknown"
	DiagCodeRetired             DiagnosticCode = "code-retired"
	DiagCodeAbstract            DiagnosticCode = "code-abstract"
	DiagCodeWrongSystem         DiagnosticCode = "code-wrong-system"
	DiagLabelUnknownSystem      DiagnosticCode = "label-unknown-system"
	DiagLabelDuplicate          DiagnosticCode = "label-duplicate"
	DiagCodingInvalid           DiagnosticCode = "coding-invalid"
	DiagPolicyMultiple          DiagnosticCode = "policy-multiple"
	DiagContainedLabels         DiagnosticCode = "contained-labels"
	DiagInlineWithoutFlag       DiagnosticCode = "inline-without-flag"
	DiagFlagWithoutInline       DiagnosticCode = "flag-without-inline"
	DiagPrivacyRevealing        DiagnosticCode = "privacy-revealing"
	DiagExtensionValueType      DiagnosticCode = "extension-value-type"
	DiagBasisMultiple           DiagnosticCode = "basis-multiple"
	DiagLegacyURL               DiagnosticCode = "legacy-url"
	DiagLegacySystem            DiagnosticCode = "legacy-system"
	DiagHWMBelowEntry           DiagnosticCode = "hwm-below-entry"
	DiagHWMBelowInline          DiagnosticCode = "hwm-below-inline"
	DiagSecurityMalformed       DiagnosticCode = "security-malformed"
	DiagPurposeOfUseConflict    DiagnosticCode = "purpose-of-use-conflict"
	DiagLabelCodeCase           DiagnosticCode = "label-code-case"
	DiagLabelSystemCase         DiagnosticCode = "label-system-case"
	DiagLabelSystemMissing      DiagnosticCode = "label-system-missing"
	DiagLabelLookalike          DiagnosticCode = "label-lookalike"
	DiagLabelDisplayMismatch    DiagnosticCode = "label-display-mismatch"
	DiagLabelValueSetSystem     DiagnosticCode = "label-valueset-system"
	DiagLabelShape              DiagnosticCode = "label-shape"
	DiagResourceMisplaced       DiagnosticCode = "resource-misplaced"
	DiagLabelInTag              DiagnosticCode = "label-in-tag"
	DiagTextNotRead             DiagnosticCode = "text-not-read"
)

// Errors

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
