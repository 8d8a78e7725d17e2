package engine

import (
	"strconv"
	"strings"

	"github.com/seclabel/seclabel/engine/internal/r4"
	"github.com/seclabel/seclabel/engine/internal/vocab"
	"github.com/seclabel/seclabel/internal/jsonx"
)

const resourceTypesCS = "http://hl7.org/fhir/resource-types"

// Reasons a resource is withheld, besides the access decisions.
const (
	whyUnreadable = "unreadable-label"
	whyRequired   = "required-element"
	whyModifier   = "modifier-element"
	whyContainer  = "container"
	// A Binary is only content: it goes with the resource that stands
	// for its sensitivity (R4 Binary.securityContext), and with withheld
	// content that holds it as an attachment.
	whySecurityContext = "securityContext"
	whyAttachment      = "attachment"
	// A resource is withheld in every version and copy: references to
	// its Type/id are masked whatever their version or base.
	whySameResource = "same-resource"
	// A Provenance whose every target is withheld tells only of them.
	whyProvenance = "provenance"
	// A resource that references a withheld one along an inherit element
	// repeats what it holds (a report its results, an order its drug).
	whyInherit = "inherit"
	// A place or a practitioner that only withheld resources reference
	// tells of them: the addiction treatment center an Encounter was at.
	whyDirectory = "directory"
)

// access is a validated AccessContext.
type access struct {
	clearance    int
	pou          string
	compartments map[string]bool
	deny         codeList
	denyTypes    map[string]bool
	allow        *codeList
	releaseOnly  []codeList
	ignore       map[string]bool // "system" and "system|code", systems canonical where known
	withheldRefs []string
}

func ctxErr(field, msg string) *Error {
	return errorf(ErrInvalidContext, "context "+field+": "+msg)
}

func (c AccessContext) resolve() (*access, error) {
	a := &access{compartments: map[string]bool{}, denyTypes: map[string]bool{}, ignore: map[string]bool{}}
	if c.Clearance == "" {
		c.Clearance = "N"
	}
	if a.clearance = vocab.Rank(c.Clearance); a.clearance < 0 {
		return nil, ctxErr("clearance", "must be one of U, L, M, N, R, V")
	}
	if c.PurposeOfUse != "" {
		if info := vocab.Lookup(vocab.ActReason, c.PurposeOfUse); info == nil || info.Set != vocab.SetPurposeOfUse {
			return nil, ctxErr("purposeOfUse", quote(c.PurposeOfUse)+" is not a v3-ActReason purpose of use"+didYouMean(vocab.ActReason, c.PurposeOfUse))
		}
		a.pou = c.PurposeOfUse
	}
	for i, x := range c.Compartments {
		l, err := contextCode("compartments", i, x)
		if err != nil {
			return nil, err
		}
		if l.set != vocab.SetCompartment {
			return nil, ctxErr("compartments["+strconv.Itoa(i)+"]", quote(x)+" is not a compartment code")
		}
		a.compartments[l.code] = true
	}
	var deny []string
	for i, x := range c.Deny {
		if sys, code, ok := strings.Cut(x, "|"); ok && sys == resourceTypesCS {
			if !r4.Types[code] {
				return nil, ctxErr("deny["+strconv.Itoa(i)+"]", quote(code)+" is not a FHIR R4 resource type")
			}
			a.denyTypes[code] = true
			continue
		}
		deny = append(deny, x)
	}
	var err error
	if a.deny, err = accessList("deny", deny); err != nil {
		return nil, err
	}
	if c.Allow != nil {
		l, err := accessList("allow", c.Allow)
		if err != nil {
			return nil, err
		}
		a.allow = &l
	}
	for _, codes := range c.ReleaseOnly {
		l, err := accessList("exceptAnyOfCodes", codes)
		if err != nil {
			return nil, err
		}
		a.releaseOnly = append(a.releaseOnly, l)
	}
	for i, x := range c.Ignore {
		if x == "" || strings.TrimSpace(x) != x {
			return nil, ctxErr("ignore["+strconv.Itoa(i)+"]", "must be a system or system|code without surrounding white space")
		}
		sys, code, ok := strings.Cut(x, "|")
		if sys == "" || ok && code == "" {
			// "|HIV" or "system|" would name no label: an ignore list
			// matching nothing is a mistake the caller should hear of.
			return nil, ctxErr("ignore["+strconv.Itoa(i)+"]", "must be a system or system|code, with neither part empty")
		}
		if canon, known := vocab.Canonical(sys); known {
			sys = canon
		}
		if ok {
			a.ignore[sys+"|"+code] = true
		} else {
			a.ignore[sys] = true
		}
	}
	for i, x := range c.WithheldReferences {
		if x == "" {
			return nil, ctxErr("withheldReferences["+strconv.Itoa(i)+"]", "must be a non-empty reference")
		}
		a.withheldRefs = append(a.withheldRefs, x)
	}
	return a, nil
}

// contextCode reads one code of an access context list: "code" (in any
// security system) or "system|code". Only codes the vocabulary knows are
// accepted: an item nobody's labels can match would let content through
// silently.
func contextCode(field string, i int, item string) (label, error) {
	at := field + "[" + strconv.Itoa(i) + "]"
	if item == "" || strings.TrimSpace(item) != item {
		return label{}, ctxErr(at, quote(item)+" must be a code or system|code without surrounding white space")
	}
	sys, code, ok := strings.Cut(item, "|")
	if !ok {
		found := vocab.LookupAny(item)
		for _, c := range found {
			if c.Set != vocab.SetUnknown {
				return label{system: "", code: c.Code, set: c.Set, info: c}, nil
			}
		}
		if len(found) > 0 {
			return label{code: item, set: vocab.SetUnknown, info: found[0]}, nil
		}
		return label{}, ctxErr(at, quote(item)+" is not a security label code"+didYouMean("", item))
	}
	canon, known := vocab.Canonical(sys)
	if !known {
		return label{}, ctxErr(at, quote(sys)+" is not a security label system the engine knows")
	}
	info := vocab.Lookup(canon, code)
	if info == nil {
		return label{}, ctxErr(at, quote(code)+" is not a code of "+canon+didYouMean(canon, code))
	}
	return label{system: canon, code: code, set: info.Set, info: info}, nil
}

func didYouMean(system, code string) string {
	if f := vocab.FoldCode(system, code); f != "" {
		return "; did you mean " + quote(f) + "?"
	}
	return ""
}

// accessList validates a context list of codes and compiles it, each code
// with its synonyms.
func accessList(field string, items []string) (codeList, error) {
	var l codeList
	for i, it := range items {
		lb, err := contextCode(field, i, it)
		if err != nil {
			return l, err
		}
		l.add(lb.system, lb.code)
		if lb.system == "" {
			for _, sys := range vocab.Systems {
				for _, syn := range vocab.Synonyms(sys, lb.code) {
					l.add("", syn[1])
				}
			}
			continue
		}
		for _, syn := range vocab.Synonyms(lb.system, lb.code) {
			l.add(syn[0], syn[1])
		}
	}
	return l, nil
}

// ignores reports whether the recipient ignores an unreadable label.
func (a *access) ignores(l *label) bool {
	if len(a.ignore) == 0 || l.system == "" {
		return false
	}
	return a.ignore[l.system] || a.ignore[l.system+"|"+l.code]
}

// covers reports whether the list names the label, a code above it, or a
// code above one of its synonyms: ETH says what SUD says, so a list that
// names SPI, above SUD, covers ETH too.
func (l *codeList) covers(lb *label) bool {
	if l.coversCode(lb.system, lb.code) {
		return true
	}
	for _, syn := range vocab.Synonyms(lb.system, lb.code) {
		if l.coversCode(syn[0], syn[1]) {
			return true
		}
	}
	return false
}

// coversCode reports whether the list names (system, code) or a code
// above it.
func (l *codeList) coversCode(system, code string) bool {
	if l.has(system, code) {
		return true
	}
	for c := range l.anySystem {
		if vocab.Descends(system, code, c) {
			return true
		}
	}
	for k := range l.exact {
		if k[0] == system && vocab.Descends(system, code, k[1]) {
			return true
		}
	}
	return false
}

// coversSome reports whether the list covers one of these v3-ActCode
// codes (what a label implies) or what they imply in turn.
func (l *codeList) coversSome(codes []string) bool {
	for _, c := range codes {
		if l.covers(&label{system: vocab.ActCode, code: c}) || l.coversSome(vocab.Implies(vocab.ActCode, c)) {
			return true
		}
	}
	return false
}

// coversAll reports whether the list covers every one of these v3-ActCode
// codes: a law's content is released under an allow-list only when each
// sensitivity the law protects is allowed.
func (l *codeList) coversAll(codes []string) bool {
	for _, c := range codes {
		if !l.covers(&label{system: vocab.ActCode, code: c}) {
			return false
		}
	}
	return true
}

// judge returns the labels that forbid content carrying ls (effective
// labels) to the recipient, and why; nil when it may be released. Labels
// the engine cannot read forbid it unless the recipient ignores them;
// purpose-of-use restrictions hold level by level (a research-only element
// of a treatment resource is research-only).
func (s *state) judge(ls []label, typ string) ([]label, string) {
	return s.judgeAs(ls, typ, true)
}

// judgeEnvelope judges a Bundle's own labels: its confidentiality is the
// mark of its entries, judged one by one (bundle decides when it counts
// for the whole).
func (s *state) judgeEnvelope(ls []label) ([]label, string) {
	return s.judgeAs(ls, "Bundle", false)
}

func (s *state) judgeAs(ls []label, typ string, clearance bool) ([]label, string) {
	a := s.access
	var why []label
	for i := range ls {
		if ls[i].bad != 0 && !a.ignores(&ls[i]) {
			why = append(why, ls[i])
		}
	}
	if why != nil {
		return why, whyUnreadable
	}
	conf, confLabel := -1, label{}
	for i := range ls {
		if ls[i].bad != 0 {
			continue
		}
		if r := ls[i].rank(); r > conf {
			conf, confLabel = r, ls[i]
		}
	}
	if conf < 0 {
		conf = vocab.Rank(s.opts.DefaultConfidentiality)
		confLabel = label{system: confidentialityCS, code: s.opts.DefaultConfidentiality}
	}
	if conf > a.clearance && clearance {
		return append(s.labelSlab.take(1), confLabel), "clearance"
	}
	if a.denyTypes[typ] {
		return []label{{system: resourceTypesCS, code: typ}}, "deny"
	}
	for i := range ls {
		if ls[i].bad == 0 && (a.deny.covers(&ls[i]) || a.deny.coversSome(vocab.Implies(ls[i].system, ls[i].code))) {
			why = append(why, ls[i])
		}
	}
	if why != nil {
		return why, "deny"
	}
	for i := range ls {
		if ls[i].bad == 0 && ls[i].set == vocab.SetCompartment && !a.compartments[ls[i].code] {
			why = append(why, ls[i])
		}
	}
	if why != nil {
		return why, "compartment"
	}
	if why = s.purposeFails(ls); why != nil {
		return why, "purposeOfUse"
	}
	if a.allow != nil {
		for i := range ls {
			if ls[i].bad == 0 && (ls[i].set == vocab.SetSensitivity && !a.allow.covers(&ls[i]) ||
				ls[i].set != vocab.SetSensitivity && !a.allow.coversAll(vocab.Implies(ls[i].system, ls[i].code))) {
				why = append(why, ls[i])
			}
		}
		if why != nil {
			return why, "allow"
		}
	}
	return nil, ""
}

// purposeFails returns the purpose-of-use labels of the first level whose
// purposes do not permit the request's: within a level any one permits,
// across levels each must.
func (s *state) purposeFails(ls []label) []label {
	for i := range ls {
		if ls[i].bad != 0 || ls[i].set != vocab.SetPurposeOfUse {
			continue
		}
		lvl, permitted, earlier := ls[i].lvl, false, false
		for j := range ls {
			if ls[j].bad == 0 && ls[j].set == vocab.SetPurposeOfUse && ls[j].lvl == lvl {
				earlier = earlier || j < i
				permitted = permitted || s.access.pou != "" && vocab.Subsumes(ls[j].code, s.access.pou)
			}
		}
		if earlier || permitted {
			continue
		}
		var why []label
		for j := range ls {
			if ls[j].bad == 0 && ls[j].set == vocab.SetPurposeOfUse && ls[j].lvl == lvl {
				why = append(why, ls[j])
			}
		}
		return why
	}
	return nil
}

// releaseOnlyFails reports whether a resource lacks, for some
// exceptAnyOfCodes obligation, every label it names.
func (s *state) releaseOnlyFails(ls []label) bool {
	for k := range s.access.releaseOnly {
		ok := false
		for i := range ls {
			if ls[i].bad == 0 && s.access.releaseOnly[k].covers(&ls[i]) {
				ok = true
				break
			}
		}
		if !ok {
			return true
		}
	}
	return false
}

// render appends node n with the actions applied.
func (r *redactor) render(dst []byte, n jsonx.Node) []byte {
	d := r.d
	if !r.dirty.has(n) {
		return append(dst, d.Raw(n)...)
	}
	if a := r.acts[n]; a.kind == actReplace {
		return append(dst, a.text...)
	}
	first, end := d.Range(n)
	switch d.Kind(n) {
	case jsonx.Object:
		dst = append(dst, '{')
		sep := false
		member := func(key string, text []byte) {
			if sep {
				dst = append(dst, ',')
			}
			sep = true
			dst = jsonx.AppendString(dst, key)
			dst = append(dst, ':')
			dst = append(dst, text...)
		}
		// An added meta goes after id (or resourceType), where FHIR writers put it.
		metaAt := -1
		for k := first; k < end; k = d.Skip(k + 1) {
			if d.KeyIs(k, "id") || d.KeyIs(k, "resourceType") && metaAt < 0 {
				metaAt = k
			}
		}
		for k := first; k < end; k = d.Skip(k + 1) {
			if r.act(k+1).kind != actRemove {
				if sep {
					dst = append(dst, ',')
				}
				sep = true
				dst = append(dst, d.Raw(k)...)
				dst = append(dst, ':')
				dst = r.render(dst, k+1)
			}
			if k == metaAt {
				for _, m := range r.adds[n] {
					if m.key == "meta" {
						member(m.key, m.text)
					}
				}
			}
		}
		for _, m := range r.adds[n] {
			if m.key != "meta" || metaAt < 0 {
				member(m.key, m.text)
			}
		}
		return append(dst, '}')
	case jsonx.Array:
		dst = append(dst, '[')
		sep := false
		for it := first; it < end; it = d.Skip(it) {
			if r.act(it).kind == actRemove {
				continue
			}
			if sep {
				dst = append(dst, ',')
			}
			sep = true
			dst = r.render(dst, it)
		}
		return append(dst, ']')
	}
	return append(dst, d.Raw(n)...)
}
