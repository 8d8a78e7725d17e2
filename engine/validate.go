package engine

import (
	"strconv"
	"strings"

	"github.com/seclabel/seclabel/engine/internal/vocab"
	"github.com/seclabel/seclabel/internal/jsonx"
)

// Diagnostic codes, stable across releases and builds (PROTOCOL.md lists
// them with their meaning).
const (
	dUnlabeled         = "unlabeled"
	dConfMissing       = "confidentiality-missing"
	dConfMultiple      = "confidentiality-multiple"
	dCodeUnknown       = "code-unknown"
	dCodeRetired       = "code-retired"
	dCodeAbstract      = "code-abstract"
	dCodeWrongSystem   = "code-wrong-system"
	dLabelUnknown      = "label-unknown-system"
	dLabelDuplicate    = "label-duplicate"
	dCodingInvalid     = "coding-invalid"
	dPolicyMultiple    = "policy-multiple"
	dContainedLabels   = "contained-labels"
	dInlineWithoutFlag = "inline-without-flag"
	dFlagWithoutInline = "flag-without-inline"
	dPrivacyRevealing  = "privacy-revealing"
	dExtensionValue    = "extension-value-type"
	dBasisMultiple     = "basis-multiple"
	dLegacyURL         = "legacy-url"
	dLegacySystem      = "legacy-system"
	dBelowEntry        = "hwm-below-entry"
	dSecurityNotArray  = "security-malformed"
	dPOUConflict       = "purpose-of-use-conflict"
	dCodeCase          = "label-code-case"
	dSystemCase        = "label-system-case"
	dSystemMissing     = "label-system-missing"
	dLookalike         = "label-lookalike"
	dValueSetSystem    = "label-valueset-system"
	dLabelShape        = "label-shape"
)

// validate checks the resource at n and, for a Bundle, every entry.
func (s *state) validate(d *jsonx.Doc, n jsonx.Node, loc string) {
	s.validateResource(d, n, loc)
	if d.Str(d.Get(n, "resourceType")) != "Bundle" {
		return
	}
	entries := d.Get(n, "entry")
	if k := d.Kind(entries); entries >= 0 && k != jsonx.Array {
		s.diag(SeverityError, dLabelShape, loc+".entry", "Bundle.entry must be an array, not "+kindName(k))
	}
	d.Items(entries, func(i int, e jsonx.Node) bool {
		if k := d.Kind(e); k != jsonx.Object {
			// entryResource passes over such an entry without a word.
			s.diag(SeverityError, dLabelShape, loc+".entry["+strconv.Itoa(i)+"]", "a Bundle entry must be an object, not "+kindName(k))
			return true
		}
		if res := s.entryResource(d, e, loc, i); res >= 0 {
			s.validate(d, res, entryLoc(loc, i))
		}
		return s.err == nil
	})
	if s.err == nil {
		s.validateEnvelope(d, n, loc)
	}
}

// validateResource checks one resource's own labels (not its entries).
func (s *state) validateResource(d *jsonx.Doc, n jsonx.Node, loc string) {
	typ := d.Str(d.Get(n, "resourceType"))
	isBundle := typ == "Bundle"
	meta := d.Get(n, "meta")
	if k := d.Kind(meta); meta >= 0 && k != jsonx.Object {
		s.diag(SeverityError, dLabelShape, loc+".meta", "meta must be an object, not "+kindName(k))
	}
	sec := d.Get(meta, "security")
	secLoc := loc + ".meta.security"

	flag := false
	var confs, policies []string
	labels := 0
	if sec >= 0 && d.Kind(sec) != jsonx.Array {
		s.diag(SeverityError, dSecurityNotArray, secLoc, "meta.security must be an array of Codings")
	}
	seen := map[[2]string]bool{}
	d.Items(sec, func(i int, c jsonx.Node) bool {
		cl := secLoc + "[" + strconv.Itoa(i) + "]"
		l, ok := s.checkCoding(d, c, cl)
		if !ok {
			return true
		}
		labels++
		k := [2]string{l.system, l.code}
		if seen[k] {
			s.diag(SeverityWarning, dLabelDuplicate, cl, "label "+l.system+"#"+l.code+" appears more than once")
		}
		seen[k] = true
		if vocab.IsProcessInline(d.Str(d.Get(c, "system")), l.code) {
			flag = true
		}
		if l.system == confidentialityCS || l.info == nil && meantSystem(d.Str(d.Get(c, "system")), l.code) == confidentialityCS {
			// A misspelt confidentiality code is reported as such, not
			// again as a missing one.
			confs = append(confs, l.code)
		}
		if l.set == vocab.SetPolicy {
			policies = append(policies, l.code)
		}
		if isBundle {
			s.checkEnvelopeLabel(&l, cl)
		}
		s.checkLabelExtensions(d, c, cl)
		return true
	})
	switch {
	case len(confs) == 0 && labels > 0:
		s.diag(SeverityError, dConfMissing, secLoc, "the resource carries security labels but no confidentiality code (HCS: exactly one)")
	case len(confs) == 0 && d.Count(sec) == 0 && (sec < 0 || d.Kind(sec) == jsonx.Array) && (meta < 0 || d.Kind(meta) == jsonx.Object):
		s.diag(SeverityInformation, dUnlabeled, loc, "the resource carries no security labels")
	case len(confs) > 1:
		s.diag(SeverityWarning, dConfMultiple, secLoc, "several confidentiality codes; the highest counts")
	}
	if len(policies) > 1 {
		s.diag(SeverityWarning, dPolicyMultiple, secLoc, "more than one policy label; each label that conveys a specific policy should carry extension-sec-label-basis")
	}

	// meta extensions: display marks and the ballot-era inline flag.
	d.Items(d.Get(meta, "extension"), func(i int, x jsonx.Node) bool {
		xl := loc + ".meta.extension[" + strconv.Itoa(i) + "]"
		switch d.Str(d.Get(x, "url")) {
		case extDisplay:
			s.checkValue(d, x, xl, "valueAnnotation")
		case extMustDisplay:
			s.diag(SeverityWarning, dLegacyURL, xl, "extension-must-display is the ballot-era name of "+extDisplay)
			s.checkValue(d, x, xl, "valueAnnotation")
		case extHasInline:
			s.diag(SeverityWarning, dLegacyURL, xl, "extension-has-inline-sec-label is replaced by the meta.security code v3-ActCode#PROCESSINLINELABEL")
			if s.checkValue(d, x, xl, "valueBoolean") && d.Bool(d.Get(x, "valueBoolean")) {
				flag = true
			}
		}
		return true
	})

	switch typ {
	case "DocumentReference":
		sl := d.Get(n, "securityLabel")
		if k := d.Kind(sl); sl >= 0 && k != jsonx.Array {
			s.diag(SeverityError, dLabelShape, loc+".securityLabel", "DocumentReference.securityLabel must be an array of CodeableConcepts, not "+kindName(k))
		}
		d.Items(sl, func(i int, cc jsonx.Node) bool {
			ccLoc := loc + ".securityLabel[" + strconv.Itoa(i) + "]"
			coding := d.Get(cc, "coding")
			switch k, ck := d.Kind(cc), d.Kind(coding); {
			case k != jsonx.Object:
				s.diag(SeverityError, dLabelShape, ccLoc, "a securityLabel must be a CodeableConcept object, not "+kindName(k))
			case coding >= 0 && ck != jsonx.Array:
				s.diag(SeverityError, dLabelShape, ccLoc+".coding", "CodeableConcept.coding must be an array of Codings, not "+kindName(ck))
			}
			d.Items(coding, func(j int, c jsonx.Node) bool {
				cl := ccLoc + ".coding[" + strconv.Itoa(j) + "]"
				if l, ok := s.checkCoding(d, c, cl); ok && s.revealing(&l) {
					s.diag(SeverityError, dPrivacyRevealing, cl, "privacy-revealing code "+l.code+" must not be in a DocumentReference's high-water mark")
				}
				return true
			})
			return true
		})
	case "Composition":
		s.checkCompositionConfidentiality(d, d.Get(n, "confidentiality"), loc+".confidentiality")
	}
	if c := d.Get(n, "contained"); c >= 0 && d.Kind(c) != jsonx.Array {
		s.diag(SeverityError, dLabelShape, loc+".contained", "contained must be an array of resources, not "+kindName(d.Kind(c)))
	}
	s.checkExtensionShapes(d, n, loc, isBundle)

	// Inline labels, extensions anywhere, contained resources.
	iv := &s.checkInline
	*iv = inlineValidator{s: s}
	s.walk = walker{d: d, track: true, path: append(s.walk.path[:0], loc...), v: iv}
	s.walk.resource(n)
	inline := iv.count
	if inline > 0 && !flag {
		s.diag(SeverityError, dInlineWithoutFlag, secLoc, "the resource has inline security labels but meta.security lacks v3-ActCode#PROCESSINLINELABEL")
	}
	if inline == 0 && flag {
		s.diag(SeverityWarning, dFlagWithoutInline, secLoc, "PROCESSINLINELABEL is present but the resource has no inline security labels")
	}
}

// checkCoding validates one security Coding and returns it; ok is false
// when it is not an object with a string system (or none) and a string code.
func (s *state) checkCoding(d *jsonx.Doc, c jsonx.Node, loc string) (label, bool) {
	if k := d.Kind(c); k != jsonx.Object {
		s.diag(SeverityError, dLabelShape, loc, "a security label must be a Coding object, not "+kindName(k))
		return label{node: c}, false
	}
	if sys := d.Get(c, "system"); sys >= 0 && !d.IsStr(sys) {
		s.diag(SeverityError, dCodingInvalid, loc, "the system of a security label must be a string, not "+kindName(d.Kind(sys)))
		return label{node: c}, false
	}
	l, ok := readCoding(d, c)
	if !ok {
		msg := "a security label needs a code"
		switch code := d.Get(c, "code"); {
		case d.IsStr(code):
			msg = "the code of a security label must not be empty"
		case code >= 0:
			msg = "the code of a security label must be a string, not " + kindName(d.Kind(code))
		}
		s.diag(SeverityError, dCodingInvalid, loc, msg)
		return l, false
	}
	raw := d.Str(d.Get(c, "system"))
	switch {
	case vocab.IsLegacySystem(raw):
		s.diag(SeverityWarning, dLegacySystem, loc, "system "+raw+" is accepted as "+l.system+", which should be used instead")
	case raw == vocab.InlineLabelsCS:
		s.diag(SeverityWarning, dLegacyURL, loc, "HAS-INLINE-SEC-LABELS is replaced by v3-ActCode#PROCESSINLINELABEL")
		return l, true
	case raw == vocab.ActUSPrivacyLaw || raw == "http://hl7.org/fhir/v3/ActUSPrivacyLaw":
		s.diag(SeverityError, dCodeWrongSystem, loc, "v3-ActUSPrivacyLaw is deprecated; use "+vocab.ActCode+"#"+l.code)
		return l, true
	}
	switch {
	case l.info == nil:
		s.checkUnreadable(vocab.Suggest(raw, l.code), raw, l.code, loc)
	case l.info.Retired:
		msg := l.code + " is retired in " + l.system
		if other := vocab.FindElsewhere(l.system, l.code); other != nil {
			msg += "; use " + other.System + "#" + l.code
		}
		s.diag(SeverityWarning, dCodeRetired, loc, msg)
	case l.info.Abstract:
		s.diag(SeverityWarning, dCodeAbstract, loc, l.code+" is an abstract code and not selectable as a label")
	}
	return l, true
}

// checkUnreadable reports a label the vocabulary cannot read (redaction
// withholds what carries it) under the most specific code sg allows, with
// the label likely meant.
func (s *state) checkUnreadable(sg vocab.Suggestion, system, code, loc string) {
	switch sg.Kind {
	case vocab.CodeCase:
		s.diag(SeverityError, dCodeCase, loc, quote(code)+" is not a code of "+shortSystem(sg.System)+"; did you mean "+quote(sg.Code)+"?")
	case vocab.SystemCase:
		s.diag(SeverityError, dSystemCase, loc, "system "+quote(system)+" is not one the engine knows, but differs from one only in case; did you mean "+meant(&sg, system, code)+"?")
	case vocab.SystemMissing:
		msg := "security label " + quote(code) + " has no system"
		if sg.System == "" {
			msg += ", and no security label system has that code"
		} else {
			msg += "; did you mean " + meant(&sg, system, code)
			for _, other := range sg.Also {
				msg += " or " + quote(other)
			}
			msg += "?"
		}
		s.diag(SeverityError, dSystemMissing, loc, msg)
	case vocab.Lookalike:
		what, value := "system ", system
		if sg.InCode {
			what, value = "code ", code
		}
		msg := what + quote(value) + " has a look-alike, invisible or white-space character (" + codePoint(sg.Char) + ")"
		if sg.Known() {
			msg += "; did you mean " + meant(&sg, system, code) + "?"
		} else {
			msg += "; even in plain characters it is not a label the engine knows"
		}
		s.diag(SeverityError, dLookalike, loc, msg)
	case vocab.ValueSetSystem:
		msg := quote(system) + " is a ValueSet, not a code system"
		if sg.System != "" {
			msg += "; did you mean " + meant(&sg, system, code) + "?"
		}
		s.diag(SeverityError, dValueSetSystem, loc, msg)
	case vocab.UnknownSystem:
		s.diag(SeverityWarning, dLabelUnknown, loc, "label "+system+"#"+code+" is in a system the engine does not know;"+
			" redaction withholds content carrying it unless the recipient's context lists the system in ignore")
	default: // vocab.UnknownCode
		if other := vocab.FindElsewhere(sg.System, code); other != nil {
			s.diag(SeverityError, dCodeWrongSystem, loc, code+" is not a code of "+sg.System+"; it belongs to "+other.System)
		} else if sg.System == confidentialityCS {
			s.diag(SeverityError, dCodeUnknown, loc, code+" is not a confidentiality code (U, L, M, N, R, V)")
		} else {
			s.diag(SeverityError, dCodeUnknown, loc, code+" is not a security label code of "+sg.System+"; redaction withholds content carrying it")
		}
	}
}

// checkCompositionConfidentiality checks Composition.confidentiality, a code
// of U..V (retired confidentiality codes are not in its value set).
func (s *state) checkCompositionConfidentiality(d *jsonx.Doc, c jsonx.Node, loc string) {
	switch {
	case c < 0:
		return
	case !d.IsStr(c):
		s.diag(SeverityError, dLabelShape, loc, "Composition.confidentiality must be a string code, not "+kindName(d.Kind(c)))
		return
	}
	code := d.Str(c)
	if vocab.Rank(code) >= 0 {
		return
	}
	if sg := vocab.Suggest(confidentialityCS, code); (sg.Kind == vocab.CodeCase || sg.Kind == vocab.Lookalike) && vocab.Rank(sg.Code) >= 0 {
		s.checkUnreadable(sg, confidentialityCS, code, loc)
		return
	}
	s.diag(SeverityError, dCodeUnknown, loc, "Composition.confidentiality must be one of U, L, M, N, R, V")
}

// meantSystem is the system an unreadable label was likely meant to have, or
// "" when no known label is near it.
func meantSystem(system, code string) string {
	if sg := vocab.Suggest(system, code); sg.Known() {
		return sg.System
	}
	return ""
}

// meant writes the label sg suggests for (system, code): the code alone when
// only the code changes, else the system, with the code when it changes too.
func meant(sg *vocab.Suggestion, system, code string) string {
	canonical, _ := vocab.Canonical(system)
	switch {
	case sg.System == canonical:
		return quote(sg.Code)
	case sg.Code == code:
		return "system " + quote(sg.System)
	}
	return "system " + quote(sg.System) + " with code " + quote(sg.Code)
}

// shortSystem is the last segment of a system URL (v3-Confidentiality).
func shortSystem(system string) string {
	return system[strings.LastIndexByte(system, '/')+1:]
}

// codePoint writes r as U+XXXX.
func codePoint(r rune) string {
	h := strings.ToUpper(strconv.FormatInt(int64(r), 16))
	for len(h) < 4 {
		h = "0" + h
	}
	return "U+" + h
}

// kindName names a JSON kind for messages.
func kindName(k jsonx.Kind) string {
	switch k {
	case jsonx.Object:
		return "an object"
	case jsonx.Array:
		return "an array"
	case jsonx.String:
		return "a string"
	case jsonx.Number:
		return "a number"
	case jsonx.True, jsonx.False:
		return "a boolean"
	}
	return "null"
}

// checkExtensionShapes reports extension and modifierExtension members that
// are not arrays anywhere in the resource at n, its meta and contained
// resources included and a Bundle's entries left to their own validation:
// inline labels are read from arrays only, so one inside such a member
// would go unseen. A flat pass over the tape finds whether there is any;
// only then a walk finds where.
func (s *state) checkExtensionShapes(d *jsonx.Doc, n jsonx.Node, loc string, bundle bool) {
	entries := -1
	if bundle {
		entries = d.Get(n, "entry")
	}
	for i, end := n+1, d.Skip(n); i < end; i++ {
		switch {
		case i == entries:
			i = d.Skip(i) - 1
		case d.Kind(i) == jsonx.Key && d.Kind(i+1) != jsonx.Array && (d.KeyIs(i, "extension") || d.KeyIs(i, "modifierExtension")):
			s.locateExtensionShapes(d, n, append([]byte(nil), loc...), bundle)
			return
		}
	}
}

// locateExtensionShapes is the walk of checkExtensionShapes; path is the
// location of n, and the buffer is returned for reuse.
func (s *state) locateExtensionShapes(d *jsonx.Doc, n jsonx.Node, path []byte, bundle bool) []byte {
	switch d.Kind(n) {
	case jsonx.Object:
		d.Members(n, func(k, v jsonx.Node) bool {
			name := d.Str(k)
			isExt := name == "extension" || name == "modifierExtension"
			kind := d.Kind(v)
			if bundle && name == "entry" || !isExt && kind != jsonx.Object && kind != jsonx.Array {
				return true
			}
			mark := len(path)
			path = append(append(path, '.'), strings.TrimPrefix(name, "_")...)
			if isExt && kind != jsonx.Array {
				s.diag(SeverityError, dLabelShape, string(path), name+" must be an array of Extensions, not "+kindName(kind))
			} else {
				path = s.locateExtensionShapes(d, v, path, false)
			}
			path = path[:mark]
			return true
		})
	case jsonx.Array:
		d.Items(n, func(i int, v jsonx.Node) bool {
			mark := len(path)
			path = s.locateExtensionShapes(d, v, appendIndex(path, i), false)
			path = path[:mark]
			return true
		})
	}
	return path
}

// checkLabelExtensions checks the DS4P extensions on a security Coding.
func (s *state) checkLabelExtensions(d *jsonx.Doc, c jsonx.Node, loc string) {
	basis := 0
	d.Items(d.Get(c, "extension"), func(i int, x jsonx.Node) bool {
		xl := loc + ".extension[" + strconv.Itoa(i) + "]"
		switch d.Str(d.Get(x, "url")) {
		case extBasis:
			basis++
			if basis == 2 {
				s.diag(SeverityError, dBasisMultiple, xl, "extension-sec-label-basis may appear at most once on a label")
			}
			s.checkValue(d, x, xl, "valueCoding")
		case extClassifier:
			if d.Get(x, "valueContributor") >= 0 && d.Get(x, "valueReference") < 0 {
				s.diag(SeverityWarning, dLegacyURL, xl, "valueContributor is the ballot-era form of the classifier; use valueReference")
				s.checkValue(d, x, xl, "valueContributor")
			} else {
				s.checkValue(d, x, xl, "valueReference")
			}
		case extRelated:
			s.checkValue(d, x, xl, "valueRelatedArtifact")
		}
		return true
	})
}

// checkValue reports a DS4P extension whose value is missing, doubled or of
// the wrong type; it reports whether the value is right.
func (s *state) checkValue(d *jsonx.Doc, x jsonx.Node, loc, want string) bool {
	var values []string
	d.Members(x, func(k, v jsonx.Node) bool {
		if name := d.Str(k); len(name) > 5 && name[:5] == "value" {
			values = append(values, name)
		}
		return true
	})
	switch {
	case len(values) == 0:
		s.diag(SeverityError, dExtensionValue, loc, "the extension has no value; it needs "+want)
	case len(values) > 1:
		s.diag(SeverityError, dExtensionValue, loc, "the extension has more than one value[x]")
	case values[0] != want:
		s.diag(SeverityError, dExtensionValue, loc, "the extension needs "+want+", not "+values[0])
	default:
		v := d.Get(x, want)
		wantKind := jsonx.Object
		if want == "valueBoolean" {
			if k := d.Kind(v); k != jsonx.True && k != jsonx.False {
				s.diag(SeverityError, dExtensionValue, loc, want+" must be true or false")
				return false
			}
			return true
		}
		if d.Kind(v) != wantKind {
			s.diag(SeverityError, dExtensionValue, loc, want+" must be an object")
			return false
		}
		return true
	}
	return false
}

// revealing reports whether a label must stay out of an envelope: a
// privacy-revealing obligation or refrain (or any listed code).
func (s *state) revealing(l *label) bool {
	return s.opts.reveal.has(l.system, l.code)
}

// checkEnvelopeLabel reports labels that reveal private facts on a Bundle.
func (s *state) checkEnvelopeLabel(l *label, loc string) {
	switch {
	case s.revealing(l):
		s.diag(SeverityError, dPrivacyRevealing, loc, "privacy-revealing code "+l.code+" must not be in a Bundle's high-water mark")
	case l.set == vocab.SetSensitivity && s.opts.EnvelopeSensitivity != "union":
		s.diag(SeverityError, dPrivacyRevealing, loc, "sensitivity code "+l.code+" on a Bundle reveals what it protects; keep it on the entries")
	}
}

// validateEnvelope compares a Bundle's confidentiality (and a document's
// Composition.confidentiality) with the high-water mark of its entries.
func (s *state) validateEnvelope(d *jsonx.Doc, b jsonx.Node, loc string) {
	// Compute the mark on scratch state so no edits or marks leak out.
	saveEdits, saveMarks, saveDiags, saveInline := len(s.edits), s.report.Marks, s.diags, s.mayHaveInline
	s.mayHaveInline = true
	labels := s.hwmBundle(d, b, loc)
	s.edits, s.report.Marks, s.diags, s.mayHaveInline = s.edits[:saveEdits], saveMarks, saveDiags, saveInline
	want := -1
	for _, l := range labels {
		if l.system == confidentialityCS {
			want = vocab.Rank(l.code)
		}
	}
	have := -1
	d.Items(d.Get(d.Get(b, "meta"), "security"), func(_ int, c jsonx.Node) bool {
		if l, ok := readLabel(d, c); ok {
			have = max(have, l.rank())
		}
		return true
	})
	if have >= 0 && have < want {
		s.diag(SeverityError, dBelowEntry, loc+".meta.security", "the Bundle's confidentiality "+vocab.ConfidentialityCode(have)+
			" is below its most confidential entry ("+vocab.ConfidentialityCode(want)+")")
	}
	if d.Str(d.Get(b, "type")) == "document" {
		comp := d.Get(d.Index(d.Get(b, "entry"), 0), "resource")
		if c := d.Get(comp, "confidentiality"); d.IsStr(c) && vocab.Rank(d.Str(c)) >= 0 && vocab.Rank(d.Str(c)) < want {
			s.diag(SeverityError, dBelowEntry, loc+".entry[0].resource.confidentiality", "Composition.confidentiality "+d.Str(c)+
				" is below the document's high-water mark ("+vocab.ConfidentialityCode(want)+")")
		}
	}
}

// outcome writes diagnostics as a FHIR R4 OperationOutcome.
func outcome(ds []Diagnostic) []byte {
	var w jsonx.Writer
	w.BeginObject()
	w.KV("resourceType", "OperationOutcome")
	w.Key("issue")
	w.BeginArray()
	if len(ds) == 0 {
		w.BeginObject()
		w.KV("severity", "information")
		w.KV("code", "informational")
		w.Key("details")
		w.BeginObject()
		w.KV("text", "no issues found")
		w.EndObject()
		w.EndObject()
	}
	for _, d := range ds {
		w.BeginObject()
		w.KV("severity", string(d.Severity))
		w.KV("code", issueType[d.Code])
		w.Key("details")
		w.BeginObject()
		w.Key("coding")
		w.BeginArray()
		w.BeginObject()
		w.KV("system", diagnosticSystem)
		w.KV("code", d.Code)
		w.EndObject()
		w.EndArray()
		w.KV("text", d.Message)
		w.EndObject()
		w.Key("expression")
		w.BeginArray()
		w.String(d.Location)
		w.EndArray()
		w.EndObject()
	}
	w.EndArray()
	w.EndObject()
	return w.B
}

// issueType maps diagnostic codes to FHIR IssueType codes.
var issueType = map[string]string{
	dUnlabeled: "informational", dConfMissing: "business-rule", dConfMultiple: "business-rule",
	dCodeUnknown: "code-invalid", dCodeRetired: "code-invalid", dCodeAbstract: "code-invalid",
	dCodeWrongSystem: "code-invalid", dLabelUnknown: "not-supported", dLabelDuplicate: "duplicate",
	dCodingInvalid: "structure", dPolicyMultiple: "business-rule", dContainedLabels: "invariant",
	dInlineWithoutFlag: "business-rule", dFlagWithoutInline: "business-rule", dPrivacyRevealing: "security",
	dExtensionValue: "structure", dBasisMultiple: "structure", dLegacyURL: "informational",
	dLegacySystem: "informational", dBelowEntry: "business-rule", dSecurityNotArray: "structure",
	dPOUConflict: "conflict", dCodeCase: "code-invalid", dSystemCase: "code-invalid", dSystemMissing: "required",
	dLookalike: "code-invalid", dValueSetSystem: "code-invalid", dLabelShape: "structure",
}

// inlineValidator checks the inline labels and extensions a walk finds.
type inlineValidator struct {
	s     *state
	count int // inline labels seen
}

func (iv *inlineValidator) extension(w *walker, x jsonx.Node) {
	s, d := iv.s, w.d
	switch d.Str(d.Get(x, "url")) {
	case extInline:
		iv.count++
		xl := string(w.path)
		if s.checkValue(d, x, xl, "valueCoding") {
			c := d.Get(x, "valueCoding")
			s.checkCoding(d, c, xl+".valueCoding")
			s.checkLabelExtensions(d, c, xl+".valueCoding")
		}
	case extMustDisplay, extHasInline, extDisplay:
		s.diag(SeverityError, dExtensionValue, string(w.path), "this DS4P extension belongs on Resource.meta")
	}
}

func (iv *inlineValidator) containedMeta(w *walker, m jsonx.Node) {
	if w.d.Count(w.d.Get(m, "security")) > 0 {
		iv.s.diag(SeverityError, dContainedLabels, string(w.path)+".security", "a contained resource must not carry security labels (dom-5); label the container or use inline labels")
	}
}

func (iv *inlineValidator) containedLabel(*walker, jsonx.Node) {}
