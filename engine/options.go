package engine

import (
	"strconv"
	"strings"

	"github.com/seclabel/seclabel/engine/internal/vocab"
	"github.com/seclabel/seclabel/internal/jsonx"
)

func (o *Options) inlineHWM() bool { return o.InlineHighWaterMark == nil || *o.InlineHighWaterMark }

func (o *Options) part2Notice() bool { return o.Part2Notice == nil || *o.Part2Notice }

func (o *Options) classifierDisplay() string {
	if o.Classifier == "" {
		return "seclabel"
	}
	return o.Classifier
}

func (o *Options) textClassifierDisplay() string {
	if o.TextClassifier == "" {
		return "seclabel text"
	}
	return o.TextClassifier
}

const (
	defaultMaxInputBytes = 64 << 20
	limitMaxInputBytes   = 2 << 30
	defaultMaxDepth      = 128
	limitMaxDepth        = 1000
)

// defaultInherit is what Options.Inherit means when it is nil: the
// references of claims, explanations of benefit and reports to what they
// bill or report on, whose items describe it, and of medication orders,
// dispenses, administrations and statements to the Medication they are
// about (an antiretroviral's order is as sensitive as the drug), of a
// device's use or request to the Device (an intrauterine contraceptive
// device's use is contraception), of an encounter, a procedure, a service
// request, an appointment or a care plan to the conditions it is for (its
// reason given by reference says what its reasonCode would: the care is
// for that condition; a medication's reason is not followed, the drug
// being what its order is about: azithromycin for chlamydia is an
// antibiotic), and likewise of a goal, an assessment, a risk assessment
// or a message to the condition it addresses, assesses or is about, of
// what fulfils an order to the order (a result, report, procedure,
// encounter, appointment, specimen, dispense, administration, task or
// plan activity is the ordered service: the answer to an HIV test order
// is an HIV result), of an encounter to its episode of care (a visit in a
// substance use treatment program is that program's care), of a document
// to what it renders or belongs to (its context.related: a scanned result
// is the result; relatesTo: a transform, an addendum or a replacement of a
// document holds what it holds), and of a Binary to the resource that
// stands for its sensitivity (R4 Binary.securityContext).
var defaultInherit = []string{
	"Claim.item.encounter", "Claim.diagnosis.diagnosisReference", "Claim.procedure.procedureReference", "Claim.prescription",
	"ExplanationOfBenefit.item.encounter", "ExplanationOfBenefit.diagnosis.diagnosisReference",
	"ExplanationOfBenefit.procedure.procedureReference", "ExplanationOfBenefit.prescription", "ExplanationOfBenefit.claim",
	"DiagnosticReport.result",
	"MedicationRequest.medicationReference", "MedicationDispense.medicationReference",
	"MedicationAdministration.medicationReference", "MedicationStatement.medicationReference",
	"DeviceUseStatement.device", "DeviceRequest.codeReference",
	"Encounter.reasonReference", "Procedure.reasonReference",
	"ServiceRequest.reasonReference", "Appointment.reasonReference", "CarePlan.addresses",
	"Goal.addresses", "ClinicalImpression.problem", "RiskAssessment.condition", "Communication.about",
	"Observation.basedOn", "DiagnosticReport.basedOn", "Procedure.basedOn", "Encounter.basedOn",
	"Appointment.basedOn", "Specimen.request", "MedicationDispense.authorizingPrescription",
	"MedicationAdministration.request", "Task.focus", "CarePlan.activity.reference",
	"Encounter.episodeOfCare",
	"DocumentReference.context.related", "DocumentReference.relatesTo.target",
	"Binary.securityContext",
}

// DefaultInherit returns the reference elements labels are inherited along
// when Options.Inherit is nil, for callers that bound work by them (a
// pipeline that follows references across files in rounds).
func DefaultInherit() []string { return append([]string(nil), defaultInherit...) }

var defaultPrivacyRevealing = []string{
	"MASK", "REDACT", "CPLYCD", "ANONY", "DEID", "PSEUD",
	"NODSCLCD", "NODSCLCDS", "NORDSCLCD", "NORDSCLCDS", "NOAUTH", "NOPAT", "NOVIP", "RedisclosureProhibitionMark",
}

// resolve fills defaults and validates.
func (o Options) resolve() (Options, error) { return o.resolveFrom(nil) }

// resolveFrom is resolve, reusing what base (resolved, or nil) parsed from
// the lists o still shares with it: a request's options rarely touch them,
// and parsing them again on every call was most of what a small request
// with an options object cost.
func (o Options) resolveFrom(base *Options) (Options, error) {
	reuse := base != nil && base.resolved
	if o.DefaultConfidentiality == "" {
		o.DefaultConfidentiality = "N"
	}
	if vocab.Rank(o.DefaultConfidentiality) < 0 {
		return o, optErr("defaultConfidentiality", "must be one of U, L, M, N, R, V")
	}
	switch o.EnvelopeSensitivity {
	case "":
		o.EnvelopeSensitivity = "omit"
	case "omit", "union":
	default:
		return o, optErr("envelopeSensitivity", `must be "omit" or "union"`)
	}
	switch o.TextMatch {
	case "":
		o.TextMatch = TextAuto
	case TextAuto, TextAll, TextOff:
	default:
		return o, optErr("textMatch", `must be "off", "auto" or "all"`)
	}
	if o.MaxInputBytes == 0 {
		o.MaxInputBytes = defaultMaxInputBytes
	}
	if o.MaxInputBytes < 1 || o.MaxInputBytes > limitMaxInputBytes {
		return o, optErr("maxInputBytes", "must be between 1 and 2147483648")
	}
	if o.MaxDepth == 0 {
		o.MaxDepth = defaultMaxDepth
	}
	if o.MaxDepth < 1 || o.MaxDepth > limitMaxDepth {
		return o, optErr("maxDepth", "must be between 1 and 1000")
	}
	if o.Audit && (len(o.AuditTime) < 20 || o.AuditTime[4] != '-' || o.AuditTime[10] != 'T') {
		return o, optErr("auditTime", "audit needs auditTime, an instant such as 2024-05-01T12:00:00Z")
	}
	if o.MinConfidence < 0 || o.MinConfidence > 1 {
		return o, optErr("minConfidence", "must be a number from 0 to 1")
	}
	var err error
	if reuse && sameList(o.Propagate, base.Propagate) && sameList(o.Inherit, base.Inherit) {
		o.refs = base.refs
	} else {
		inherit := o.Inherit
		if inherit == nil {
			inherit = defaultInherit
		}
		if o.refs, err = parseRefPaths(nil, "propagate", o.Propagate, false); err != nil {
			return o, err
		}
		if o.refs, err = parseRefPaths(o.refs, "inherit", inherit, true); err != nil {
			return o, err
		}
	}
	if reuse && sameList(o.OmitCodes, base.OmitCodes) {
		o.omit = base.omit
	} else if o.omit, err = newCodeList("omitCodes", o.OmitCodes); err != nil {
		return o, err
	}
	if reuse && sameList(o.PrivacyRevealing, base.PrivacyRevealing) {
		o.reveal = base.reveal
	} else {
		pr := o.PrivacyRevealing
		if pr == nil {
			pr = defaultPrivacyRevealing
		}
		if o.reveal, err = newCodeList("privacyRevealing", pr); err != nil {
			return o, err
		}
	}
	o.resolved = true
	return o, nil
}

// sameList reports whether a and b are the very same list (one a copy of
// the other's slice header), not merely equal: only then is what was
// parsed from one valid for the other.
func sameList(a, b []string) bool {
	return len(a) == len(b) && (a == nil) == (b == nil) && (len(a) == 0 || &a[0] == &b[0])
}

func optErr(name, msg string) *Error {
	return errorf(ErrInvalidOption, "option "+name+": "+msg)
}

// codeList matches labels by code alone or by system and code.
type codeList struct {
	anySystem map[string]bool
	exact     map[[2]string]bool
}

func newCodeList(name string, items []string) (codeList, error) {
	var l codeList
	for i, it := range items {
		it = strings.TrimSpace(it)
		if it == "" {
			return l, optErr(name, "item "+strconv.Itoa(i)+" is empty")
		}
		if sys, code, ok := strings.Cut(it, "|"); ok {
			if sys == "" || code == "" {
				return l, optErr(name, "item "+strconv.Itoa(i)+` must be "code" or "system|code"`)
			}
			if c, known := vocab.Canonical(sys); known {
				sys = c
			}
			l.add(sys, code)
			continue
		}
		l.add("", it)
	}
	return l, nil
}

// add puts a code in the list: for any system when system is "".
func (l *codeList) add(system, code string) {
	if system == "" {
		if l.anySystem == nil {
			l.anySystem = map[string]bool{}
		}
		l.anySystem[code] = true
		return
	}
	if l.exact == nil {
		l.exact = map[[2]string]bool{}
	}
	l.exact[[2]string{system, code}] = true
}

func (l *codeList) has(system, code string) bool {
	return l.anySystem[code] || l.exact[[2]string{system, code}]
}

// requestOptions is a request's options (member options of d, -1 when
// absent) merged onto e's. A host sends the same options with request
// after request, and merging them took a tenth of a small call in the
// module, so the last options merged are kept, with a copy of their JSON
// text that their strings alias (the request's buffer is the caller's),
// and reused while the text and the engine are the same. What it returns
// is read only: the engine's options, or the kept ones (doRequest copies
// them when a request brings rule packs).
func (s *state) requestOptions(e *Engine, d *jsonx.Doc, options jsonx.Node) (*Options, error) {
	if options < 0 {
		return &e.opts, nil
	}
	raw := d.Raw(options)
	if s.optsFrom == e && string(raw) == string(s.optsText) {
		return &s.optsKept, nil
	}
	s.optsFrom = nil
	s.optsText = append([]byte(nil), raw...) // a result may still alias the last copy
	if err := s.optsDoc.Parse(s.optsText, limitMaxDepth+1); err != nil {
		return nil, errorf(ErrInternal, "options: "+err.Error()) // parsed already, as part of the request
	}
	o, err := mergeOptions(e.opts, &s.optsDoc, 0)
	if err != nil {
		return nil, err
	}
	s.optsFrom, s.optsKept = e, o
	return &s.optsKept, nil
}

// mergeOptions applies a request's options object onto a copy of base; the
// limits may only be lowered.
func mergeOptions(base Options, d *jsonx.Doc, n jsonx.Node) (Options, error) {
	return mergeOptionsUpTo(base, d, n, base.MaxInputBytes, base.MaxDepth)
}

// mergeOptionsUpTo is mergeOptions with the ceilings for the limits given.
func mergeOptionsUpTo(base Options, d *jsonx.Doc, n jsonx.Node, maxInput, maxDepth int) (Options, error) {
	o := base
	if n < 0 {
		return o, nil
	}
	if d.Kind(n) != jsonx.Object {
		return o, errorf(ErrInvalidOption, "options must be an object")
	}
	var err error
	d.Members(n, func(k, v jsonx.Node) bool {
		spec := optionNamed(d.Str(k))
		if spec == nil {
			err = errorf(ErrInvalidOption, "unknown option "+quote(d.Str(k)))
			return false
		}
		ceiling := maxDepth
		if spec.name == "maxInputBytes" {
			ceiling = maxInput
		}
		var x optionValue
		if x, err = readOption(spec, d, v, ceiling); err == nil {
			o.set(spec.name, x)
		}
		return err == nil
	})
	if err != nil {
		return o, err
	}
	return o.resolveFrom(&base)
}
