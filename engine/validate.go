package engine

import (
	"strconv"
	"strings"

	"github.com/seclabel/seclabel/engine/internal/vocab"
	"github.com/seclabel/seclabel/internal/jsonx"
)

// validate checks the resource at n and, for a Bundle, every entry, for a
// Parameters every resource in its parameters.
func (s *state) validate(d *jsonx.Doc, n jsonx.Node, loc string) error {
	s.validateResource(d, n, loc)
	switch d.Str(d.Get(n, "resourceType")) {
	case "Parameters":
		return s.validateParameters(d, d.Get(n, "parameter"), loc+".parameter")
	case "Bundle":
	default:
		return nil
	}
	var err error
	entries := d.Get(n, "entry")
	s.wantKind(d, entries, jsonx.Array, loc, ".entry", "Bundle.entry must be an array")
	d.Items(entries, func(i int, e jsonx.Node) bool {
		if d.Kind(e) != jsonx.Object {
			// entryResource passes over such an entry without a word.
			s.wantKind(d, e, jsonx.Object, loc, ".entry["+strconv.Itoa(i)+"]", "a Bundle entry must be an object")
			return true
		}
		var res jsonx.Node
		if res, err = entryResource(d, e, loc, i); res >= 0 {
			err = s.validate(d, res, entryLoc(loc, i))
		}
		return err == nil
	})
	if err != nil {
		return err
	}
	s.validateEnvelope(d, n, loc)
	return nil
}

// validateParameters validates the resources held in a Parameters'
// parameter (or part) array at loc.
func (s *state) validateParameters(d *jsonx.Doc, arr jsonx.Node, loc string) error {
	if d.Kind(arr) != jsonx.Array {
		return nil // misplaced: validateResource reported what it holds
	}
	first, end := d.Range(arr)
	for p, i := first, 0; p < end; p, i = d.Skip(p), i+1 {
		at := loc + "[" + strconv.Itoa(i) + "]"
		if res := d.Get(p, "resource"); d.Kind(res) == jsonx.Object {
			if err := s.validate(d, res, at+".resource"); err != nil {
				return err
			}
		}
		if err := s.validateParameters(d, d.Get(p, "part"), at+".part"); err != nil {
			return err
		}
	}
	return nil
}

// validateResource checks one resource's own labels (not its entries).
func (s *state) validateResource(d *jsonx.Doc, n jsonx.Node, loc string) {
	typ := d.Str(d.Get(n, "resourceType"))
	isBundle := typ == "Bundle"
	meta := d.Get(n, "meta")
	s.wantKind(d, meta, jsonx.Object, loc, ".meta", "meta must be an object")
	sec := d.Get(meta, "security")
	secLoc := loc + ".meta.security"
	if s.misplaced {
		eachMisplaced(d, n, func(o jsonx.Node) {
			s.issue(SeverityError, DiagResourceMisplaced, locate(d, n, o, loc),
				"a resource sits where FHIR holds none: its labels count as the labels of what holds it, and redaction withholds that as unreadable")
		})
	}

	flag := false
	var confs, policies []string
	labels := 0
	if sec >= 0 && d.Kind(sec) != jsonx.Array {
		s.issue(SeverityError, DiagSecurityMalformed, secLoc, "meta.security must be an array of Codings")
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
			s.issue(SeverityWarning, DiagLabelDuplicate, cl, "label "+l.system+"#"+l.code+" appears more than once")
		}
		seen[k] = true
		if vocab.IsProcessInline(d.Str(d.Get(c, "system")), l.code) {
			flag = true
		}
		if l.system == confidentialityCS || l.info == nil && vocab.Suggest(d.Str(d.Get(c, "system")), l.code).System == confidentialityCS {
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
	// Security labels in meta.tag: counted where they are, reported so
	// they move to where every system reads them.
	tagged := 0
	d.Items(d.Get(meta, "tag"), func(i int, c jsonx.Node) bool {
		if l, ok := readCoding(d, c); ok && restrictsInTag(&l, -1) {
			tagged++
			s.issue(SeverityError, DiagLabelInTag, loc+".meta.tag["+strconv.Itoa(i)+"]",
				"security label "+l.system+"#"+l.code+" is in meta.tag, where FHIR does not read security labels: seclabel counts it where it restricts (high-water mark, redaction), other systems will not; move it to meta.security")
		}
		return true
	})
	switch {
	case len(confs) == 0 && labels > 0:
		// FHIR core asks only that other labels come with a confidentiality
		// (its HCS table gives Confidentiality 0..1); HCS's exactly one is
		// a profile's rule, checked when requireConfidentiality asks for it.
		if s.opts.RequireConfidentiality {
			s.issue(SeverityError, DiagConfidentialityMissing, secLoc, "the resource carries security labels but no confidentiality code (HCS: exactly one)")
		} else {
			s.issue(SeverityWarning, DiagConfidentialityMissing, secLoc, "the resource carries security labels but no confidentiality code (FHIR: other labels should come with one)")
		}
	case len(confs) == 0 && d.Count(sec) == 0 && tagged == 0 && (sec < 0 || d.Kind(sec) == jsonx.Array) && (meta < 0 || d.Kind(meta) == jsonx.Object):
		s.issue(SeverityInformation, DiagUnlabeled, loc, "the resource carries no security labels")
	case len(confs) > 1:
		// Both HCS (1..1) and FHIR core's HCS table (0..1) allow one: the
		// engine reads the highest, another reader may take the first.
		s.issue(SeverityError, DiagConfidentialityMultiple, secLoc, "several confidentiality codes where one is allowed (HCS, FHIR core); the engine reads the highest")
	}
	if len(policies) > 1 {
		s.issue(SeverityWarning, DiagPolicyMultiple, secLoc, "more than one policy label; each label that conveys a specific policy should carry extension-sec-label-basis")
	}

	// meta extensions: display marks and the ballot-era inline flag.
	d.Items(d.Get(meta, "extension"), func(i int, x jsonx.Node) bool {
		xl := loc + ".meta.extension[" + strconv.Itoa(i) + "]"
		switch d.Str(d.Get(x, "url")) {
		case extDisplay:
			s.checkValue(d, x, xl, "valueAnnotation")
		case extMustDisplay:
			s.issue(SeverityWarning, DiagLegacyURL, xl, "extension-must-display is the ballot-era name of "+extDisplay)
			s.checkValue(d, x, xl, "valueAnnotation")
		case extHasInline:
			s.issue(SeverityWarning, DiagLegacyURL, xl, "extension-has-inline-sec-label is replaced by the meta.security code v3-ActCode#PROCESSINLINELABEL")
			if s.checkValue(d, x, xl, "valueBoolean") && d.Bool(d.Get(x, "valueBoolean")) {
				flag = true
			}
		}
		return true
	})

	switch typ {
	case "DocumentReference":
		sl := d.Get(n, "securityLabel")
		s.wantKind(d, sl, jsonx.Array, loc, ".securityLabel", "DocumentReference.securityLabel must be an array")
		d.Items(sl, func(i int, cc jsonx.Node) bool {
			ccLoc := loc + ".securityLabel[" + strconv.Itoa(i) + "]"
			coding := d.Get(cc, "coding")
			if s.wantKind(d, cc, jsonx.Object, ccLoc, "", "a securityLabel must be an object") {
				s.wantKind(d, coding, jsonx.Array, ccLoc, ".coding", "CodeableConcept.coding must be an array")
			}
			d.Items(coding, func(j int, c jsonx.Node) bool {
				cl := ccLoc + ".coding[" + strconv.Itoa(j) + "]"
				if l, ok := s.checkCoding(d, c, cl); ok && s.revealing(&l) {
					s.issue(SeverityError, DiagPrivacyRevealing, cl, "privacy-revealing code "+l.code+" must not be in a DocumentReference's high-water mark")
				}
				return true
			})
			return true
		})
	case "Composition":
		// A code of U..V (retired confidentiality codes are not in its
		// value set).
		c := d.Get(n, "confidentiality")
		if code := d.Str(c); s.wantKind(d, c, jsonx.String, loc, ".confidentiality", "Composition.confidentiality must be a string") && vocab.Rank(code) < 0 {
			if sg := vocab.Suggest(confidentialityCS, code); vocab.Rank(sg.Code) >= 0 {
				s.checkUnreadable(&sg, confidentialityCS, code, loc+".confidentiality")
			} else {
				s.issue(SeverityError, DiagCodeUnknown, loc+".confidentiality", "Composition.confidentiality must be one of U, L, M, N, R, V")
			}
		}
	}
	s.wantKind(d, d.Get(n, "contained"), jsonx.Array, loc, ".contained", "contained must be an array")
	s.checkExtensionShapes(d, n, loc, isBundle)

	// Inline labels, extensions anywhere, contained resources.
	iv := &s.checkInline
	*iv = inlineValidator{s: s, maxConf: -1}
	s.walk = walker{d: d, track: true, path: append(s.walk.path[:0], loc...), v: iv}
	s.walk.resource(n)
	inline := iv.count
	if inline > 0 && !flag {
		s.issue(SeverityError, DiagInlineWithoutFlag, secLoc, "the resource has inline security labels but meta.security lacks v3-ActCode#PROCESSINLINELABEL")
	}
	if inline == 0 && flag {
		s.issue(SeverityWarning, DiagFlagWithoutInline, secLoc, "PROCESSINLINELABEL is present but the resource has no inline security labels")
	}
	s.checkInlineHWM(confs, secLoc)
}

// checkInlineHWM reports a resource less confidential than its own inline
// labels. The DS4P IG asks resource-wide labels to record the high-water
// mark when sender and receiver follow such a rule, so that a client that
// cannot read inline labels still protects the whole resource; the
// inlineHighWaterMark option says they do (and label then raises it), so
// without it nothing is reported. A resource without a confidentiality
// counts as defaultConfidentiality, as it does in a high-water mark.
func (s *state) checkInlineHWM(confs []string, secLoc string) {
	iv := &s.checkInline
	if !s.opts.inlineHWM() || iv.maxConf < 0 {
		return
	}
	have, what := vocab.Rank(s.opts.DefaultConfidentiality), "the resource carries no confidentiality, which counts as "+s.opts.DefaultConfidentiality+","
	if len(confs) > 0 {
		have = -1
		for _, c := range confs {
			have = max(have, vocab.Rank(c))
		}
		if have < 0 {
			return // only misspelt codes, reported as such
		}
		what = "the resource's confidentiality " + vocab.ConfidentialityCode(have) + " is"
	}
	if iv.maxConf > have {
		s.issue(SeverityWarning, DiagHWMBelowInline, secLoc, what+" below its inline label "+vocab.ConfidentialityCode(iv.maxConf)+
			" at "+iv.maxLoc+" (inlineHighWaterMark: label raises it)")
	}
}

// checkCoding validates one security Coding and returns it; ok is false
// when it is not an object with a string system (or none) and a string code.
func (s *state) checkCoding(d *jsonx.Doc, c jsonx.Node, loc string) (label, bool) {
	if !s.wantKind(d, c, jsonx.Object, loc, "", "a security label must be an object") {
		return label{node: c}, false
	}
	if sys := d.Get(c, "system"); sys >= 0 && !d.IsStr(sys) {
		s.issue(SeverityError, DiagCodingInvalid, loc, "the system of a security label must be a string")
		return label{node: c}, false
	}
	l, ok := readCoding(d, c)
	if !ok {
		s.issue(SeverityError, DiagCodingInvalid, loc, "the code of a security label must be a non-empty string")
		return l, false
	}
	raw := d.Str(d.Get(c, "system"))
	switch {
	case vocab.IsLegacySystem(raw):
		s.issue(SeverityWarning, DiagLegacySystem, loc, "system "+raw+" is accepted as "+l.system+", which should be used instead")
	case raw == vocab.InlineLabelsCS:
		s.issue(SeverityWarning, DiagLegacyURL, loc, "HAS-INLINE-SEC-LABELS is replaced by v3-ActCode#PROCESSINLINELABEL")
		return l, true
	case raw == vocab.ActUSPrivacyLaw || raw == "http://hl7.org/fhir/v3/ActUSPrivacyLaw":
		s.issue(SeverityError, DiagCodeWrongSystem, loc, "v3-ActUSPrivacyLaw is deprecated; use "+vocab.ActCode+"#"+l.code)
		return l, true
	}
	switch {
	case l.info == nil:
		sg := vocab.Suggest(raw, l.code)
		s.checkUnreadable(&sg, raw, l.code, loc)
	case l.info.Retired:
		msg := l.code + " is retired in " + l.system
		if other := vocab.FindElsewhere(l.system, l.code); other != nil {
			msg += "; use " + other.System + "#" + l.code
		}
		s.issue(SeverityWarning, DiagCodeRetired, loc, msg)
	case l.info.Abstract:
		s.issue(SeverityWarning, DiagCodeAbstract, loc, l.code+" is an abstract code and not selectable as a label")
	}
	if l.info != nil {
		s.checkDisplay(d, c, &l, loc)
	}
	return l, true
}

// checkDisplay reports a label whose display is another code's of its
// system ("normal" on R): a person reading it sees a label the data does
// not carry. Other wordings of the code's meaning are left alone.
func (s *state) checkDisplay(d *jsonx.Doc, c jsonx.Node, l *label, loc string) {
	disp := d.Get(c, "display")
	if !d.IsStr(disp) {
		return
	}
	shown := d.Str(disp)
	if strings.EqualFold(strings.TrimSpace(shown), l.info.Display) {
		return
	}
	if other := vocab.Named(l.system, shown); other != nil && other.Code != l.code {
		s.issue(SeverityWarning, DiagLabelDisplayMismatch, loc, "the display \""+shown+"\" is that of "+other.Code+", not of "+l.code+" ("+l.info.Display+"): a reader of the display sees another label")
	}
}

// checkUnreadable reports a label the vocabulary cannot read (redaction
// withholds what carries it) under the most specific code sg allows, with
// the label likely meant.
func (s *state) checkUnreadable(sg *vocab.Suggestion, system, code, loc string) {
	k := sg.Kind
	switch k {
	case vocab.UnknownSystem:
		s.issue(SeverityWarning, DiagLabelUnknownSystem, loc, "label "+system+"#"+code+" is in a system the engine does not know;"+
			" redaction withholds content carrying it unless the recipient's context lists the system in ignore")
		return
	case vocab.UnknownCode:
		if other := vocab.FindElsewhere(sg.System, code); other != nil {
			s.issue(SeverityError, DiagCodeWrongSystem, loc, code+" is not a code of "+sg.System+"; it belongs to "+other.System)
		} else if sg.System == confidentialityCS {
			s.issue(SeverityError, DiagCodeUnknown, loc, code+" is not a confidentiality code (U, L, M, N, R, V)")
		} else {
			s.issue(SeverityError, DiagCodeUnknown, loc, code+" is not a security label code of "+sg.System+"; redaction withholds content carrying it")
		}
		return
	}
	// The message names what is wrong, then the label meant.
	what, value := "system ", system
	switch {
	case k == vocab.CodeCase:
		what, value = "", code
	case k == vocab.Lookalike && sg.InCode:
		what, value = "code ", code
	case k == vocab.SystemMissing:
		what, value = "security label ", code
	}
	msg := what + quote(value) + unreadableWhy[k]
	switch k {
	case vocab.CodeCase:
		msg += sg.System[strings.LastIndexByte(sg.System, '/')+1:] // v3-Confidentiality
	case vocab.Lookalike:
		// U+XXXX: a BMP character's four digits, from five.
		h := strconv.FormatInt(int64(sg.Char)+0x10000, 16)[1:]
		if sg.Char > 0xFFFF {
			h = strconv.FormatInt(int64(sg.Char), 16)
		}
		msg += "U+" + strings.ToUpper(h)
	}
	if sg.Known() {
		// The code alone when only the code changes, else the system (or
		// systems), with the code when it changes too.
		msg += "; did you mean "
		if c, _ := vocab.Canonical(system); sg.System == c {
			msg += quote(sg.Code)
		} else {
			msg += "system " + quote(sg.System)
			for _, other := range sg.Also {
				msg += " or " + quote(other)
			}
			if sg.Code != code {
				msg += " with code " + quote(sg.Code)
			}
		}
		msg += "?"
	}
	s.issue(SeverityError, unreadableCode[k], loc, msg)
}

// unreadableCode and unreadableWhy are the diagnostic code and the reason
// (followed by the system's name for CodeCase, the character for Lookalike)
// of each misspelling.
var (
	unreadableCode = [...]DiagnosticCode{
		vocab.CodeCase: DiagLabelCodeCase, vocab.SystemCase: DiagLabelSystemCase, vocab.SystemMissing: DiagLabelSystemMissing,
		vocab.Lookalike: DiagLabelLookalike, vocab.ValueSetSystem: DiagLabelValueSetSystem,
	}
	unreadableWhy = [...]string{
		vocab.CodeCase:       " is not a code of ",
		vocab.SystemCase:     " is not one the engine knows, but differs from one only in case",
		vocab.SystemMissing:  " has no system",
		vocab.Lookalike:      " has a look-alike, invisible or white-space character: ",
		vocab.ValueSetSystem: " is a ValueSet, not a code system",
	}
)

// wantKind reports a label-shape error when n, at loc+member, is present but
// not of kind want (what says what it must be); it says whether n is of
// that kind.
func (s *state) wantKind(d *jsonx.Doc, n jsonx.Node, want jsonx.Kind, loc, member, what string) bool {
	k := d.Kind(n)
	if n >= 0 && k != want {
		s.issue(SeverityError, DiagLabelShape, loc+member, what+", not "+kindNames[k])
	}
	return k == want
}

// kindNames names the JSON kinds for messages.
var kindNames = [...]string{
	jsonx.Object: "an object", jsonx.Array: "an array", jsonx.String: "a string", jsonx.Number: "a number",
	jsonx.True: "a boolean", jsonx.False: "a boolean", jsonx.Null: "null", jsonx.Key: "a name",
}

// checkExtensionShapes reports, anywhere in the resource at n (its meta and
// contained resources included, a Bundle's entries left to their own
// validation), the members where inline labels would go unseen or
// unreadable: an extension or modifierExtension that is not an array
// (inline labels are read from arrays only), and a primitive's _x that is
// not an object, an array or null, or an item of a _x array that is not an
// object or null (redaction takes either for an unreadable label). It is
// one flat pass over the tape; a finding is then located by a descent from
// n.
func (s *state) checkExtensionShapes(d *jsonx.Doc, n jsonx.Node, loc string, bundle bool) {
	entries := -1
	if bundle {
		entries = d.Get(n, "entry")
	}
	for i, end := n+1, d.Skip(n); i < end; i++ {
		if i == entries {
			i = d.Skip(i) - 1
			continue
		}
		if d.Kind(i) != jsonx.Key {
			continue
		}
		v, kind := i+1, d.Kind(i+1)
		switch name := d.Str(i); {
		case name == "extension" || name == "modifierExtension":
			if kind != jsonx.Array {
				s.wantKind(d, v, jsonx.Array, locate(d, n, v, loc), "", name+" must be an array")
				i = d.Skip(v) - 1
			}
		case name != "" && name[0] == '_':
			switch kind {
			case jsonx.Object, jsonx.Null:
			case jsonx.Array:
				first, last := d.Range(v)
				for it := first; it < last; it = d.Skip(it) {
					if k := d.Kind(it); k != jsonx.Object && k != jsonx.Null {
						s.issue(SeverityError, DiagLabelShape, locate(d, n, it, loc), "an item of "+name+" must be an object or null, not "+kindNames[k])
					}
				}
			default:
				s.issue(SeverityError, DiagLabelShape, locate(d, n, v, loc), name+" must be an object, an array or null, not "+kindNames[kind])
			}
		}
	}
}

// locate is the location of node target inside the resource at n (at
// loc), found by a descent from n; a primitive's _x is located at x.
func locate(d *jsonx.Doc, n, target jsonx.Node, loc string) string {
	path := []byte(loc)
	for m := n; m != target; {
		isObject := d.Kind(m) == jsonx.Object
		first, last := d.Range(m)
		for c, item := first, 0; c < last; item++ {
			v := c
			if isObject {
				v++
			}
			if next := d.Skip(v); target < next {
				if isObject {
					path = append(append(path, '.'), strings.TrimPrefix(d.Str(c), "_")...)
				} else {
					path = appendIndex(path, item)
				}
				m = v
				break
			} else {
				c = next
			}
		}
	}
	return string(path)
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
				s.issue(SeverityError, DiagBasisMultiple, xl, "extension-sec-label-basis may appear at most once on a label")
			}
			s.checkValue(d, x, xl, "valueCoding")
		case extClassifier:
			if d.Get(x, "valueContributor") >= 0 && d.Get(x, "valueReference") < 0 {
				s.issue(SeverityWarning, DiagLegacyURL, xl, "valueContributor is the ballot-era form of the classifier; use valueReference")
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
		s.issue(SeverityError, DiagExtensionValueType, loc, "the extension has no value; it needs "+want)
	case len(values) > 1:
		s.issue(SeverityError, DiagExtensionValueType, loc, "the extension has more than one value[x]")
	case values[0] != want:
		s.issue(SeverityError, DiagExtensionValueType, loc, "the extension needs "+want+", not "+values[0])
	default:
		v := d.Get(x, want)
		wantKind := jsonx.Object
		if want == "valueBoolean" {
			if k := d.Kind(v); k != jsonx.True && k != jsonx.False {
				s.issue(SeverityError, DiagExtensionValueType, loc, want+" must be true or false")
				return false
			}
			return true
		}
		if d.Kind(v) != wantKind {
			s.issue(SeverityError, DiagExtensionValueType, loc, want+" must be an object")
			return false
		}
		return true
	}
	return false
}

// issue is diag kept out of line: validate reports from some forty places,
// and the WebAssembly module grows by more for each inlined copy than the
// call costs.
//
//go:noinline
func (s *state) issue(sev Severity, code DiagnosticCode, loc, msg string) {
	s.diag(sev, code, loc, msg)
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
		s.issue(SeverityError, DiagPrivacyRevealing, loc, "privacy-revealing code "+l.code+" must not be in a Bundle's high-water mark")
	case l.set == vocab.SetSensitivity && s.opts.EnvelopeSensitivity != "union":
		s.issue(SeverityError, DiagPrivacyRevealing, loc, "sensitivity code "+l.code+" on a Bundle reveals what it protects; keep it on the entries")
	}
}

// validateEnvelope compares a Bundle's confidentiality (and a document's
// Composition.confidentiality) with the high-water mark of its entries.
func (s *state) validateEnvelope(d *jsonx.Doc, b jsonx.Node, loc string) {
	// Compute the mark on scratch state so no edits or marks leak out.
	saveEdits, saveMarks, saveDiags, saveInline := len(s.edits), s.report.Marks, s.diags, s.mayHaveInline
	s.mayHaveInline = true
	labels, _ := s.hwmBundle(d, b, loc) // validate read every entry first
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
		s.issue(SeverityError, DiagHWMBelowEntry, loc+".meta.security", "the Bundle's confidentiality "+vocab.ConfidentialityCode(have)+
			" is below its most confidential entry ("+vocab.ConfidentialityCode(want)+")")
	}
	if d.Str(d.Get(b, "type")) == "document" {
		comp := d.Get(d.Index(d.Get(b, "entry"), 0), "resource")
		if c := d.Get(comp, "confidentiality"); d.IsStr(c) && vocab.Rank(d.Str(c)) >= 0 && vocab.Rank(d.Str(c)) < want {
			s.issue(SeverityError, DiagHWMBelowEntry, loc+".entry[0].resource.confidentiality", "Composition.confidentiality "+d.Str(c)+
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
		w.KV("code", issueTypes[string(d.Code)])
		w.Key("details")
		w.BeginObject()
		w.Key("coding")
		w.BeginArray()
		w.BeginObject()
		w.KV("system", diagnosticSystem)
		w.KV("code", string(d.Code))
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

// issueTypes maps diagnostic codes to FHIR IssueType codes (a string of
// pairs: a map literal would cost the module code per entry).
var issueTypes = wordPairs(`unlabeled=informational
confidentiality-missing=business-rule confidentiality-multiple=business-rule
code-unknown=code-invalid code-retired=code-invalid code-abstract=code-invalid
code-wrong-system=code-invalid label-unknown-system=not-supported
label-duplicate=duplicate coding-invalid=structure policy-multiple=business-rule
contained-labels=invariant inline-without-flag=business-rule
flag-without-inline=business-rule privacy-revealing=security
extension-value-type=structure basis-multiple=structure legacy-url=informational
legacy-system=informational hwm-below-entry=business-rule
hwm-below-inline=business-rule security-malformed=structure
purpose-of-use-conflict=conflict label-code-case=code-invalid
label-system-case=code-invalid label-system-missing=required
label-lookalike=code-invalid label-display-mismatch=code-invalid
label-valueset-system=code-invalid label-shape=structure
resource-misplaced=structure label-in-tag=structure text-not-read=incomplete`)

// inlineValidator checks the inline labels and extensions a walk finds.
type inlineValidator struct {
	s     *state
	count int // inline labels seen
	// The highest inline confidentiality (-1 for none) and where the first
	// label of that level is.
	maxConf int
	maxLoc  string
}

func (iv *inlineValidator) extension(w *walker, x jsonx.Node) {
	s, d := iv.s, w.d
	switch d.Str(d.Get(x, "url")) {
	case extInline:
		iv.count++
		xl := string(w.path)
		if s.checkValue(d, x, xl, "valueCoding") {
			c := d.Get(x, "valueCoding")
			// A misspelt confidentiality is an error already; it does not
			// count here as the V that labeling fails closed to.
			if l, ok := s.checkCoding(d, c, xl+".valueCoding"); ok && l.system == confidentialityCS && vocab.Rank(l.code) > iv.maxConf {
				iv.maxConf, iv.maxLoc = vocab.Rank(l.code), xl
			}
			s.checkLabelExtensions(d, c, xl+".valueCoding")
		}
	case extMustDisplay, extHasInline, extDisplay:
		s.issue(SeverityError, DiagExtensionValueType, string(w.path), "this DS4P extension belongs on Resource.meta")
	}
}

func (iv *inlineValidator) containedMeta(w *walker, m jsonx.Node) {
	if w.d.Count(w.d.Get(m, "security")) > 0 {
		iv.s.issue(SeverityError, DiagContainedLabels, string(w.path)+".security", "a contained resource must not carry security labels (dom-5); label the container or use inline labels")
	}
}

func (iv *inlineValidator) containedLabel(*walker, jsonx.Node) {}

// runValidate, writeValidateReport and readValidateReport are validate's
// entry in the table of operations (ops.go).
func runValidate(s *state, d *jsonx.Doc, n jsonx.Node, typ string, res *Result) error {
	if err := s.validate(d, n, typ); err != nil {
		return err
	}
	if s.opts.OperationOutcome {
		res.Outcome = outcome(s.diags)
	}
	for _, dg := range s.diags {
		switch dg.Severity {
		case SeverityError:
			s.report.Errors++
		case SeverityWarning:
			s.report.Warnings++
		default:
			s.report.Information++
		}
	}
	return nil
}

func writeValidateReport(w *jsonx.Writer, r *Report) {
	w.Key("errors")
	w.Int(r.Errors)
	w.Key("warnings")
	w.Int(r.Warnings)
	w.Key("information")
	w.Int(r.Information)
}

func readValidateReport(d *jsonx.Doc, rep jsonx.Node, r *Report) {
	r.Errors, r.Warnings, r.Information = num(d, rep, "errors"), num(d, rep, "warnings"), num(d, rep, "information")
}
