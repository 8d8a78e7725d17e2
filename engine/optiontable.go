package engine

import (
	"strconv"

	"github.com/seclabel/seclabel/internal/jsonx"
)

// The options of the protocol, described once. Requests are read with this
// table (mergeOptionsUpTo), the CLI takes --option NAME=VALUE by it, and
// PROTOCOL.md's options table is generated from it (make generate); a test
// holds the README and the JavaScript types to the same names.

// optionKind is how an option's value is written in a request.
type optionKind uint8

const (
	kindBool       optionKind = iota + 1
	kindString                // a JSON string
	kindList                  // an array of strings
	kindUnit                  // a number from 0 to 1
	kindLimit                 // a positive whole number, capped by the engine's own limit
	kindClassifier            // a display string, or a Reference whose display is used
	kindMode                  // one of a few strings; true and false stand for two of them
)

// optionValue is an option's value, read by its kind.
type optionValue struct {
	b    bool
	s    string
	list []string
	unit float64
	n    int
}

type optionSpec struct {
	name string
	kind optionKind
	// empty, for a string that must not be empty, is the error's words.
	empty string
}

type optionDoc struct {
	name string
	typ  string // the value's type, as PROTOCOL.md shows it
	def  string // the default, as PROTOCOL.md shows it
	ops  string // the operations that read it
	doc  string // what it does, one line
}

var optionTable = []optionSpec{
	{"defaultConfidentiality", kindString, "must be one of U, L, M, N, R, V"},
	{"envelopeSensitivity", kindString, `must be "omit" or "union"`},
	{"omitCodes", kindList, ""},
	{"privacyRevealing", kindList, ""},
	{"operationOutcome", kindBool, ""},
	{"requireConfidentiality", kindBool, ""},
	{"textMatch", kindMode, `must be "off", "auto" or "all" (or true for "all", false for "off")`},
	{"textElementOnly", kindBool, ""},
	{"textClassifier", kindClassifier, ""},
	{"labelAll", kindBool, ""},
	{"allowDowngrade", kindBool, ""},
	{"inlineHighWaterMark", kindBool, ""},
	{"bundleHighWaterMark", kindBool, ""},
	{"omitReport", kindBool, ""},
	{"part2Notice", kindBool, ""},
	{"propagate", kindList, ""},
	{"inherit", kindList, ""},
	{"minConfidence", kindUnit, ""},
	{"classifier", kindClassifier, ""},
	{"labelFirst", kindBool, ""},
	{"audit", kindBool, ""},
	{"auditTime", kindString, ""},
	{"maxInputBytes", kindLimit, ""},
	{"maxDepth", kindLimit, ""},
}

// optionDocs describes each option of optionTable, in the same order (a
// test holds them together). Only the documentation and the CLI read it:
// the WebAssembly module, which never lists its options, leaves it out.
var optionDocs = []optionDoc{
	{"defaultConfidentiality", "`U`..`V`", "`N`", "label, redact, hwm, validate",
		"what a resource without a confidentiality code counts as"},
	{"envelopeSensitivity", "`omit` or `union`", "`omit`", "label, redact, hwm, validate",
		"whether a Bundle's mark carries its entries' sensitivity codes (`union` only inside one policy domain)"},
	{"omitCodes", "array of strings", "`[]`", "label, redact, hwm",
		"labels never lifted into a mark, as `\"code\"` or `\"system\\|code\"`, with the codes below them, their synonyms and what stands for them"},
	{"privacyRevealing", "array of strings", "see below", "label, redact, hwm, validate",
		"replaces the list of codes never lifted because they reveal private facts"},
	{"operationOutcome", "boolean", "`false`", "validate",
		"also return the diagnostics as an OperationOutcome"},
	{"requireConfidentiality", "boolean", "`false`", "validate",
		"labels without a confidentiality code are an error (HCS: exactly one), not a warning (FHIR core: should)"},
	{"textMatch", "`off`, `auto` or `all` (`false`, `true`)", "`auto`", "label",
		"which words the rules' text entries are read in: `auto` the displays of codings whose code the packs cannot judge (malformed for its system, or of a system the engine does not know) and of SNOMED CT codings no rule matched, `CodeableConcept.text` when none of its codings could be judged, notes, string values and answers (extensions' too), questions answered yes, titles, names and comments, the displays of references to other than people, conclusions, descriptions, instructions, reasons and rationales, free-text onsets, dosage text and text attachments; `all` also every display and the narrative; `off` none (README, \"Words\")"},
	{"textElementOnly", "boolean", "`false`", "label",
		"words found in one element (a note, a string value, an attachment) label only that element, inline, so a redaction denying their category cuts it and releases the rest"},
	{"textClassifier", "string or Reference", "`\"seclabel text\"`", "label",
		"the display of `extension-sec-label-classifier` on labels only words found"},
	{"labelAll", "boolean", "`false`", "label",
		"resources no rule matches get the default confidentiality (otherwise they are returned byte for byte, unless `inlineHighWaterMark` raises them)"},
	{"allowDowngrade", "boolean", "`false`", "label",
		"labeling may lower a confidentiality the resource already carries"},
	{"inlineHighWaterMark", "boolean", "`true`", "label, validate",
		"a resource's confidentiality rises to the highest of its inline labels, whether or not a rule fired; validate reports a resource below them (`hwm-below-inline`)"},
	{"bundleHighWaterMark", "boolean", "`false`", "label",
		"also compute the Bundle's high-water mark from the labeled entries, in the same pass"},
	{"omitReport", "boolean", "`false`", "label, redact",
		"leave the report's longest lists out: `labeled` (label, which then builds no per-resource report) and `removed` and `masked` (redact); marks, `withheld` and counts stay. For callers that want only the result of a very large input"},
	{"part2Notice", "boolean", "`true`", "label",
		"a labeled resource that carries the `42CFRPart2` policy label also gets the display mark `RedisclosureProhibitionMark` and the 42 CFR 2.32 notice in an `extension-display` on its `meta`"},
	{"propagate", "array of strings", "`[]`", "label",
		"reference elements (`\"Condition.encounter\"`, `\"Type.path.to.reference\"`) along which labels flow to the referenced entry of the same Bundle"},
	{"inherit", "array of strings", "see below", "label, redact",
		"reference elements along which labels flow back: the referencing entry inherits the referenced entry's sensitivity and the labels that come with it, and redaction withholds what references a withheld resource along them; `[]` turns it off"},
	{"minConfidence", "number 0..1", "`0`", "label",
		"ignore rule codes whose confidence (from imported SHARES rules) is below it"},
	{"classifier", "string or Reference", "`\"seclabel\"`", "label",
		"the display of `extension-sec-label-classifier` on every added label"},
	{"labelFirst", "boolean", "`false`", "redact",
		"label the input with the rules and options in force before judging it, as `label` would (for data no labeler has seen); off, an input with no security label at all gets the warning `unlabeled`"},
	{"audit", "boolean", "`false`", "redact",
		"also return an AuditEvent of the disclosure"},
	{"auditTime", "instant", "none", "redact",
		"the AuditEvent's `recorded` time; required with `audit`, so output stays deterministic"},
	{"maxInputBytes", "integer", "67108864 (64 MiB)", "all",
		"largest input; a request may lower the engine's limit, never raise it"},
	{"maxDepth", "integer", "128", "all",
		"deepest JSON nesting; a request may lower the engine's limit, never raise it"},
}

// set gives option name the value v. One switch rather than a function
// per row: 21 closures cost the WebAssembly module 1 KB (gzip) more.
func (o *Options) set(name string, v optionValue) {
	switch name {
	case "defaultConfidentiality":
		o.DefaultConfidentiality = v.s
	case "envelopeSensitivity":
		o.EnvelopeSensitivity = v.s
	case "omitCodes":
		o.OmitCodes = v.list
	case "privacyRevealing":
		o.PrivacyRevealing = v.list
	case "operationOutcome":
		o.OperationOutcome = v.b
	case "requireConfidentiality":
		o.RequireConfidentiality = v.b
	case "textMatch":
		o.TextMatch = v.s
	case "textElementOnly":
		o.TextElementOnly = v.b
	case "textClassifier":
		o.TextClassifier = v.s
	case "labelAll":
		o.LabelAll = v.b
	case "allowDowngrade":
		o.AllowDowngrade = v.b
	case "inlineHighWaterMark":
		o.InlineHighWaterMark = &v.b
	case "bundleHighWaterMark":
		o.BundleHighWaterMark = v.b
	case "omitReport":
		o.OmitReport = v.b
	case "part2Notice":
		o.Part2Notice = &v.b
	case "propagate":
		o.Propagate = v.list
	case "inherit":
		o.Inherit = v.list
	case "minConfidence":
		o.MinConfidence = v.unit
	case "classifier":
		o.Classifier = v.s
	case "labelFirst":
		o.LabelFirst = v.b
	case "audit":
		o.Audit = v.b
	case "auditTime":
		o.AuditTime = v.s
	case "maxInputBytes":
		o.MaxInputBytes = v.n
	case "maxDepth":
		o.MaxDepth = v.n
	default:
		panic("engine: option " + name + " is in the table but not in set")
	}
}

// optionNamed returns the option called name, or nil.
func optionNamed(name string) *optionSpec {
	for i := range optionTable {
		if optionTable[i].name == name {
			return &optionTable[i]
		}
	}
	return nil
}

// readOption reads the value v of option spec from d; ceiling bounds a
// limit.
func readOption(spec *optionSpec, d *jsonx.Doc, v jsonx.Node, ceiling int) (optionValue, error) {
	var x optionValue
	name := spec.name
	switch spec.kind {
	case kindBool:
		if k := d.Kind(v); k != jsonx.True && k != jsonx.False {
			return x, optErr(name, "must be true or false")
		}
		x.b = d.Bool(v)
	case kindString:
		if !d.IsStr(v) {
			return x, optErr(name, "must be a string")
		}
		x.s = d.Str(v)
		if x.s == "" && spec.empty != "" {
			return x, optErr(name, spec.empty)
		}
	case kindMode:
		switch d.Kind(v) {
		case jsonx.True:
			x.s = TextAll
		case jsonx.False:
			x.s = TextOff
		default:
			x.s = d.Str(v)
		}
		if x.s != TextOff && x.s != TextAuto && x.s != TextAll {
			return x, optErr(name, spec.empty)
		}
	case kindClassifier:
		if d.Kind(v) == jsonx.Object {
			x.s = d.Str(d.Get(v, "display"))
		} else if d.IsStr(v) {
			x.s = d.Str(v)
		}
		if x.s == "" {
			return x, optErr(name, "must be a Reference with a display, or a display string")
		}
	case kindList:
		if d.Kind(v) != jsonx.Array {
			return x, optErr(name, "must be an array of strings")
		}
		x.list = []string{}
		ok := true
		d.Items(v, func(_ int, it jsonx.Node) bool {
			ok = d.IsStr(it)
			x.list = append(x.list, d.Str(it))
			return ok
		})
		if !ok {
			return x, optErr(name, "must be an array of strings")
		}
	case kindUnit:
		f, ok := parseUnit(d.Raw(v), false)
		if d.Kind(v) != jsonx.Number || !ok {
			return x, optErr(name, "must be a number from 0 to 1")
		}
		x.unit = float64(f) / confScale
	case kindLimit:
		n, ok := whole(string(d.Raw(v)))
		if d.Kind(v) != jsonx.Number || !ok || n < 1 {
			return x, optErr(name, "must be a positive whole number")
		}
		if n > ceiling {
			return x, optErr(name, "cannot exceed the engine's limit of "+strconv.Itoa(ceiling))
		}
		x.n = n
	}
	return x, nil
}

func splitOps(s string) []string {
	var out []string
	for len(s) > 0 {
		i := 0
		for i < len(s) && s[i] != ',' {
			i++
		}
		out = append(out, s[:i])
		s = s[min(i+2, len(s)):]
	}
	return out
}

// optionList is OptionList (api.go).
func optionList() []OptionInfo {
	kinds := [...]string{kindBool: "boolean", kindString: "string", kindList: "list", kindUnit: "number", kindLimit: "limit", kindClassifier: "classifier", kindMode: "mode"}
	out := make([]OptionInfo, len(optionDocs))
	for i, s := range optionDocs {
		out[i] = OptionInfo{Name: s.name, Kind: kinds[optionNamed(s.name).kind], Type: s.typ, Default: s.def, Ops: splitOps(s.ops), Doc: s.doc}
	}
	return out
}
