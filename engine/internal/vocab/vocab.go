// Package vocab holds the security-label vocabulary compiled into the
// engine: canonical code systems, the tag set of every code, the
// confidentiality order and the purpose-of-use hierarchy.
package vocab

import (
	"slices"
	"strings"
	"sync"
)

// Canonical code system URLs; the engine emits only these.
const (
	Confidentiality  = "http://terminology.hl7.org/CodeSystem/v3-Confidentiality"
	ActCode          = "http://terminology.hl7.org/CodeSystem/v3-ActCode"
	ObservationValue = "http://terminology.hl7.org/CodeSystem/v3-ObservationValue"
	ActReason        = "http://terminology.hl7.org/CodeSystem/v3-ActReason"
)

// Other systems the engine recognises.
const (
	// ActUSPrivacyLaw is deprecated in THO: its codes live in v3-ActCode.
	ActUSPrivacyLaw = "http://terminology.hl7.org/CodeSystem/v3-ActUSPrivacyLaw"
	// InlineLabelsCS is the unpublished interim code system whose
	// HAS-INLINE-SEC-LABELS preceded PROCESSINLINELABEL.
	InlineLabelsCS = "http://hl7.org/fhir/uv/security-label-ds4p/CodeSystem/codesystem-inline-labels"
)

// TagSet is the named tag set a security label belongs to. The numeric order
// is the order labels are written in.
type TagSet uint8

const (
	SetConfidentiality TagSet = iota
	SetSensitivity
	SetPolicy
	SetCompartment
	SetIntegrity
	SetProvenance
	SetTrust
	SetPurposeOfUse
	SetObligation
	SetRefrain
	SetMark
	SetAuthorization
	SetUnknown
)

var setNames = [...]string{
	"confidentiality", "sensitivity", "policy", "compartment", "integrity", "provenance", "trust",
	"purposeOfUse", "obligation", "refrain", "mark", "authorization", "unknown",
}

// String is the tag set's name as used in reports.
func (s TagSet) String() string { return setNames[s] }

// Code is what the vocabulary knows of one (system, code).
type Code struct {
	System   string // canonical system URL
	Code     string
	Display  string
	Set      TagSet
	Abstract bool // not selectable: not to be used as a label
	Retired  bool
	General  bool // one of the nine GeneralPurposeOfUse codes
	parents  []string
	synonyms [][2]string // what Synonyms returns, set at start
}

type key struct{ system, code string }

var (
	codes    = map[key]*Code{}
	bySystem = map[string]bool{}
)

var systemURL = map[string]string{
	"Confidentiality":  Confidentiality,
	"ActCode":          ActCode,
	"ObservationValue": ObservationValue,
	"ActReason":        ActReason,
}

// aliases maps accepted input spellings of a system to its canonical URL.
var aliases = func() map[string]string {
	m := map[string]string{}
	// A slice of constants is data; a map literal would be code per entry.
	for _, p := range [][2]string{
		{Confidentiality, Confidentiality},
		{ActCode, ActCode},
		{ObservationValue, ObservationValue},
		{ActReason, ActReason},
		{"http://hl7.org/fhir/v3/Confidentiality", Confidentiality},
		{"http://hl7.org/fhir/v3/ActCode", ActCode},
		{"http://hl7.org/fhir/v3/ObservationValue", ObservationValue},
		{"http://hl7.org/fhir/v3/ActReason", ActReason},
		{"http://hl7.org/fhir/v3/PurposeOfUse", ActReason},
		{"http://terminology.hl7.org/CodeSystem/v3-PurposeOfUse", ActReason},
		{"urn:oid:2.16.840.1.113883.5.25", Confidentiality},
		{"urn:oid:2.16.840.1.113883.5.4", ActCode},
		{"urn:oid:2.16.840.1.113883.5.1063", ObservationValue},
		{"urn:oid:2.16.840.1.113883.5.8", ActReason},
	} {
		m[p[0]] = p[1]
	}
	return m
}()

var generalPOU = []string{"COVERAGE", "ETREAT", "HMARKT", "HOPERAT", "HPAYMT", "HRESCH", "PATRQT", "PUBHLTH", "TREAT"}

func init() {
	for _, r := range rows {
		c := &Code{System: systemURL[r[0]], Code: r[1], Display: r[2]}
		if r[3] != "" {
			c.parents = strings.Split(r[3], ",")
		}
		c.Abstract = strings.Contains(r[4], "abstract")
		c.Retired = strings.Contains(r[4], "retired")
		codes[key{c.System, c.Code}] = c
		bySystem[c.System] = true
	}
	for _, g := range generalPOU {
		codes[key{ActReason, g}].General = true
	}
	for _, c := range codes {
		c.Set = classify(c)
	}
	for r, c := range confOrder {
		confCodes[r] = codes[key{Confidentiality, c}]
	}
	for _, p := range synonyms {
		for _, k := range p {
			if c := codes[k]; c != nil && c.synonyms == nil {
				c.synonyms = synonymClosure(k)
			}
		}
	}
}

// confCodes are the confidentiality codes by rank: a labeled resource's
// confidentiality is looked up once per resource.
var confCodes [len(confOrder)]*Code

// ConfidentialityOf returns the confidentiality code of rank r.
func ConfidentialityOf(r int) *Code { return confCodes[r] }

// classify places a code in its tag set by its most specific subtree.
func classify(c *Code) TagSet {
	switch c.System {
	case Confidentiality:
		if Rank(c.Code) >= 0 {
			return SetConfidentiality
		}
		return SetUnknown
	case ActReason:
		if isA(c, "PurposeOfUse") {
			return SetPurposeOfUse
		}
	case ObservationValue:
		switch {
		case isA(c, "_SECINTPRVOBV"):
			return SetProvenance
		case isA(c, "_SECINTOBV"):
			return SetIntegrity
		case isA(c, "SECTRSTOBV"):
			return SetTrust
		}
	case ActCode:
		switch {
		case isA(c, "_InformationSensitivityPolicy"):
			return SetSensitivity
		case isA(c, "COMPT"):
			return SetCompartment
		case isA(c, "ObligationPolicy"):
			return SetObligation
		case isA(c, "RefrainPolicy"):
			return SetRefrain
		case isA(c, "PrivacyMark"):
			return SetMark
		case isA(c, "AUTHPOL"), isA(c, "DELEPOL"), isA(c, "_ActInformationActionPolicy"):
			return SetAuthorization
		case isA(c, "_ActPolicyType"):
			return SetPolicy
		}
	}
	return SetUnknown
}

// isA reports whether c is root or a descendant of it in c's system.
func isA(c *Code, root string) bool {
	if c.Code == root {
		return true
	}
	for _, p := range c.parents {
		if pc := codes[key{c.System, p}]; pc != nil && isA(pc, root) {
			return true
		}
	}
	return false
}

// Canonical returns the canonical URL for an accepted spelling of a security
// code system (surrounding white space ignored), and whether it was one. A
// system the engine does not know comes back unchanged with false.
func Canonical(system string) (string, bool) {
	if c, ok := aliases[system]; ok {
		return c, true
	}
	if t := strings.TrimSpace(system); t != system {
		if c, ok := aliases[t]; ok {
			return c, true
		}
	}
	return system, false
}

// IsLegacySystem reports whether system is an accepted but non-canonical
// spelling (legacy URI, OID, v3-PurposeOfUse).
func IsLegacySystem(system string) bool {
	c, ok := Canonical(system)
	return ok && c != system
}

// KnownSystem reports whether the engine knows the codes of this
// (canonical) system.
func KnownSystem(system string) bool { return bySystem[system] }

// Lookup returns what the vocabulary knows of (system, code); system may be
// any accepted spelling. It returns nil for a code it does not know.
func Lookup(system, code string) *Code {
	if c, ok := Canonical(system); ok {
		system = c
	}
	return codes[key{system, code}]
}

// byDisplay maps a canonical system and a display, in lower case, to the
// first code of the system that shows it; built on first use, as only
// validation asks.
var (
	byDisplay     map[key]*Code
	byDisplayOnce sync.Once
)

// Named returns the code of a (canonical) system whose display is
// display, in any case and without surrounding white space, or nil.
func Named(system, display string) *Code {
	byDisplayOnce.Do(func() {
		byDisplay = make(map[key]*Code, len(rows))
		for _, r := range rows {
			k := key{systemURL[r[0]], strings.ToLower(r[2])}
			if _, dup := byDisplay[k]; !dup {
				byDisplay[k] = codes[key{k.system, r[1]}]
			}
		}
	})
	return byDisplay[key{system, strings.ToLower(strings.TrimSpace(display))}]
}

// Classify returns the tag set of (system, code); unknown codes are SetUnknown.
func Classify(system, code string) TagSet {
	if c := Lookup(system, code); c != nil {
		return c.Set
	}
	return SetUnknown
}

// FindElsewhere returns a known code with the same code value in another
// security system, for hints about codes given under the wrong system.
func FindElsewhere(system, code string) *Code {
	for _, s := range []string{Confidentiality, ActCode, ObservationValue, ActReason} {
		if s == system {
			continue
		}
		if c := codes[key{s, code}]; c != nil && c.Set != SetUnknown {
			return c
		}
	}
	return nil
}

var confOrder = [...]string{"U", "L", "M", "N", "R", "V"}

// Rank is the position of a confidentiality code in U<L<M<N<R<V, or -1.
func Rank(code string) int {
	for i, c := range confOrder {
		if c == code {
			return i
		}
	}
	return -1
}

// ConfidentialityCode returns the code of rank r.
func ConfidentialityCode(r int) string { return confOrder[r] }

// IsProcessInline reports whether (system, code) is PROCESSINLINELABEL or its
// ballot-era synonym HAS-INLINE-SEC-LABELS.
func IsProcessInline(system, code string) bool {
	if code == "PROCESSINLINELABEL" {
		s, _ := Canonical(system)
		return s == ActCode
	}
	return code == "HAS-INLINE-SEC-LABELS" && strings.TrimSpace(system) == InlineLabelsCS
}

// Descends reports whether code is root or lies below it in system's
// hierarchy (any accepted spelling of the system).
func Descends(system, code, root string) bool {
	if code == root {
		return true
	}
	c := Lookup(system, code)
	return c != nil && isA(c, root)
}

// Subsumes reports whether purpose of use a is b or an ancestor of b
// (codes of v3-ActReason). Unknown codes subsume only themselves.
func Subsumes(a, b string) bool {
	if a == b {
		return true
	}
	c := codes[key{ActReason, b}]
	return c != nil && c.Code != a && isA(c, a)
}

// synonyms pairs codes that name one sensitivity in two places: the older
// ETH ("substance abuse") beside SUD, MH ("mental health") beside PSY
// ("psychiatry disorder", which the default pack does not write but
// consents name), VIP beside CEL (one display in THO),
// and the retired v3-Confidentiality codes beside the v3-ActCode
// sensitivities that replaced them. A recipient denied one is denied the
// other: THO keeps them apart, but consents and data use both.
var synonyms = [][2]key{
	{{ActCode, "ETH"}, {ActCode, "SUD"}},
	{{ActCode, "MH"}, {ActCode, "PSY"}},
	{{ActCode, "CEL"}, {ActCode, "VIP"}},
	{{Confidentiality, "ETH"}, {ActCode, "ETH"}},
	{{Confidentiality, "HIV"}, {ActCode, "HIV"}},
	{{Confidentiality, "PSY"}, {ActCode, "PSY"}},
	{{Confidentiality, "SDV"}, {ActCode, "SDV"}},
	{{Confidentiality, "T"}, {ActCode, "TBOO"}},
	{{Confidentiality, "C"}, {ActCode, "CEL"}},
	{{Confidentiality, "B"}, {ActCode, "B"}},
}

// implies holds what a label says beyond its place in THO's hierarchy, for
// redaction to fail closed on: content under a privacy law is content of
// the sensitivities the law protects, and a psychotherapy note is mental
// health information (PSYTHPN is MH's sibling in THO). The laws: 42 CFR
// Part 2 protects substance use disorder patient records (42 CFR 2.11);
// HIPAA's psychotherapy notes are defined in 45 CFR 164.501; 38 U.S.C.
// 7332 protects records of drug abuse, alcoholism or alcohol abuse, HIV
// infection and sickle cell anemia.
var implies = [...]struct {
	code string // v3-ActCode
	to   []string
}{
	{"PSYTHPN", []string{"MH"}},
	{"42CFRPart2", []string{"SUD"}},
	{"HIPAAPsyNotes", []string{"PSYTHPN"}},
	{"Title38Section7332", []string{"SUD", "HIV", "SCA"}},
}

// Implies returns the v3-ActCode sensitivities (system, code) also stands
// for, nil for most codes; they may imply more in turn (HIPAAPsyNotes,
// PSYTHPN, MH). A recipient denied any of them is denied it. system must
// be canonical.
func Implies(system, code string) []string {
	if system == ActCode {
		for _, x := range implies {
			if x.code == code {
				return x.to
			}
		}
	}
	return nil
}

// Synonyms returns the (system, code) pairs that name the same sensitivity
// as (system, code), itself excluded, following chains (SUD, ETH and
// v3-Confidentiality ETH are one); nil for most codes. system must be
// canonical. The caller must not change the slice: redaction asks it of
// every label it judges.
func Synonyms(system, code string) [][2]string {
	if c := codes[key{system, code}]; c != nil {
		return c.synonyms
	}
	return nil
}

// synonymClosure follows the pairs of synonyms from k.
func synonymClosure(k key) [][2]string {
	seen := []key{k}
	var out [][2]string
	for i := 0; i < len(seen); i++ {
		for _, p := range synonyms {
			for j := range p {
				if p[j] == seen[i] && !slices.Contains(seen, p[1-j]) {
					seen = append(seen, p[1-j])
					out = append(out, [2]string{p[1-j].system, p[1-j].code})
				}
			}
		}
	}
	return out
}

// Systems lists the canonical security code systems the vocabulary holds.
var Systems = [...]string{Confidentiality, ActCode, ObservationValue, ActReason}

// LookupAny returns the known codes with this exact code in any of the
// security systems, in the order of Systems.
func LookupAny(code string) []*Code {
	var out []*Code
	for _, s := range Systems {
		if c := codes[key{s, code}]; c != nil {
			out = append(out, c)
		}
	}
	return out
}

// FoldCode returns the known code of system (canonical; "" for any) that
// equals code but for case, when there is exactly one; for messages.
func FoldCode(system, code string) string {
	found := ""
	for _, s := range Systems {
		if system != "" && s != system {
			continue
		}
		if k := codeIn(s, code); k != "" && k != code {
			if found != "" && found != k {
				return ""
			}
			found = k
		}
	}
	return found
}
