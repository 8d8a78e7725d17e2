package engine_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math/rand"
	"net/url"
	"strings"
	"testing"

	"github.com/seclabel/seclabel/engine"
	"github.com/seclabel/seclabel/internal/testenv"
	"github.com/valyala/fastjson"
)

// An independent reading of who may see what, written only for tests: its
// own small vocabulary, hierarchies and rules (PROTOCOL.md, "redact"),
// checked on what redaction released and on what it left out.

var (
	parentOf = map[string]string{"OPIOIDUD": "SUD", "ETHUD": "SUD", "SUD": "SPI", "MH": "SPI", "PSY": "SPI", "PSYTHPN": "SPI",
		"BH": "SPI", "ETREAT": "TREAT", "BTG": "ETREAT", "COC": "TREAT", "POPHLTH": "TREAT", "COVERAGE": "HPAYMT", "CLMATTCH": "HPAYMT"}
	// the codes that name one sensitivity twice
	sameAs = map[string]string{"ETH": "SUD", "SUD": "ETH", "VIP": "CEL", "CEL": "VIP", "MH": "PSY", "PSY": "MH"}
	// what a label stands for beyond the tree: the sensitivities a privacy
	// law protects (42 CFR 2.11, 45 CFR 164.501, 38 U.S.C. 7332), and a
	// psychotherapy note is mental health information
	standsFor = map[string][]string{"PSYTHPN": {"MH"}, "42CFRPart2": {"SUD"}, "HIPAAPsyNotes": {"PSYTHPN"}, "Title38Section7332": {"SUD", "HIV", "SCA"}}
	// every code of the sensitivity tree (HL7 Terminology 5.1.0, v3-ActCode
	// _InformationSensitivityPolicy)
	sensitivity  = map[string]bool{"_InformationSensitivityPolicy": true, "_ActInformationSensitivityPolicy": true, "ETH": true, "GDIS": true, "HIV": true, "MST": true, "PREGNANT": true, "SCA": true, "SDV": true, "SEX": true, "SPI": true, "BH": true, "COGN": true, "DVD": true, "EMOTDIS": true, "MH": true, "PSY": true, "PSYTHPN": true, "SUD": true, "ETHUD": true, "OPIOIDUD": true, "STD": true, "TBOO": true, "VIO": true, "IDS": true, "SICKLE": true, "_EntitySensitivityPolicyType": true, "DEMO": true, "DOB": true, "GENDER": true, "LIVARG": true, "MARST": true, "PATLOC": true, "RACE": true, "REL": true, "_RoleInformationSensitivityPolicy": true, "B": true, "EMPL": true, "LOCIS": true, "SSP": true, "ADOL": true, "CEL": true, "VIP": true, "DIA": true, "DRGIS": true, "EMP": true, "PDS": true, "PHY": true, "PRS": true}
	compartments = map[string]bool{"COMPT": true, "ACOCOMPT": true, "CDSSCOMPT": true, "CTCOMPT": true, "FMCOMPT": true, "HRCOMPT": true,
		"LRCOMPT": true, "PACOMPT": true, "RESCOMPT": true, "RMGTCOMPT": true}
	// other v3-ActCode security codes the inputs use
	// the v3-ActCode, v3-ActReason and v3-ObservationValue security codes
	// HL7 Terminology 5.1.0 lists (the policy list is partial)
	otherActCodes = "42CFRPart2 ACOCOMPT ADOL ANONY AOD AUDIT AUDTR B BH CDSSCOMPT CEL COGN COMPT CONTROLLED COPYMark CPLYCC " +
		"CPLYCD CPLYCUI CPLYJPP CPLYJSP CPLYOPP CPLYOSP CPLYPOL CTCOMPT CUI CUIHLTH CUIHLTHP CUIMark CUIP CUIPRVCY " +
		"CUIPRVCYP CUISP-HLTH CUISP-HLTHP CUISP-PRVCY CUISP-PRVCYP CommonRule ConfidentialMark " +
		"ControlledUnclassifiedInformation DECLASSIFYLABEL DEID DELAU DELEPOL DEMO DIA DOB DOWNGRDLABEL DRAFTMark " +
		"DRGIS DRIVLABEL DVD DeliverToAddresseeOnlyMark EMOTDIS EMP EMPL EMRGONLY ENCRYPT ENCRYPTR ENCRYPTT ENCRYPTU " +
		"ETH ETHUD FMCOMPT GDIS GDPRCONSENT GENDER GRANTORCHOICE HIPAAAuth HIPAAConsent HIPAANOPP HIPAAPsyNotes " +
		"HIPAAROA HIPAASelfPay HIV HRCOMPT HUAPRV IDS IMPLIED IMPLIEDD INFOREDACT LABEL LIVARG LOCIS LRCOMPT MARST " +
		"MASK MH MINEC MST NOAUTH NOCOLLECT NOCONSENT NODSCLCD NODSCLCDS NOINTEGRATE NOLIST NOMOU NOORGPOL NOPAT " +
		"NOPERSISTP NOPP NORDSCLCD NORDSCLCDS NORDSCLW NORDSLCD NORELINK NOREUSE NOVIP OPIOIDUD OPTIN OPTINR OPTOUT " +
		"OPTOUTE ORCON ObligationPolicy PACOMPT PATLOC PDS PERSISTLABEL PHY PREGNANT PRIVMARK PROCESSINLINELABEL PRS " +
		"PSEUD PSY PSYTHPN PrivacyMark RACE REDACT REL RESCOMPT RMGTCOMPT RedisclosureProhibitionMark RefrainPolicy " +
		"RestrictedConfidentialityMark SCA SDV SEX SICKLE SPI SSP STD SUD SecurityLabelMark TBOO Title38Section7332 " +
		"UPGRDLABEL UUI VIO VIP _ActConsentDirective _ActGDPRPrivacyLaw _ActInformationSensitivityPolicy " +
		"_ActPrivacyLaw _ActUSPrivacyLaw _EntitySensitivityPolicyType _InformationSensitivityPolicy " +
		"_RoleInformationSensitivityPolicy "
	purposes = "BIORCH BTG CAREMGT CLINTRCH CLINTRCHNPC CLINTRCHPC CLINTRL CLMATTCH COC COVAUTH COVERAGE DISASTER DONAT DSRCH " +
		"ELIGDTRM ELIGVER ENROLLM ERTREAT ETREAT FAMRQT FRAUD GOV HACCRED HCOMPL HDECD HDIRECT HDM HLEGAL HMARKT " +
		"HOPERAT HOUTCOMS HPAYMT HPRGRP HQUALIMP HRESCH HSYSADMIN HTEST LABELING MEMADMIN METAMGT MILCDM MILDCRG " +
		"MLTRAINING PATADMIN PATRQT PATSFTY PERFMSR PMTDS POARCH POPHLTH PRECLINTRCH PUBHLTH PWATRNY PurposeOfUse " +
		"RECORDMGT REMITADV SUPNWK SYSDEV THREAT TRAIN TRANSRCH TREAT TREATDS "
	observationCodes = "ABSTRED AGGRED AIAST ANONYED CLINAST CLINRPT CRYTOHASH DEVAST DEVRPT DICTAST DIGSIG HCPAST HCPRPT HRELIABLE " +
		"LOAAN LOAAN1 LOAAN2 LOAAN3 LOAAN4 LOAAP LOAAP1 LOAAP2 LOAAP3 LOAAP4 LOAAS LOAAS1 LOAAS2 LOAAS3 LOAAS4 LOACM " +
		"LOACM1 LOACM2 LOACM3 LOACM4 LOAID LOAID1 LOAID2 LOAID3 LOAID4 LOANR LOANR1 LOANR2 LOANR3 LOANR4 LOARA LOARA1 " +
		"LOARA2 LOARA3 LOARA4 LOATK LOATK1 LOATK2 LOATK3 LOATK4 MAPPED MASKED PACQAST PACQRPT PATAST PATRPT PAYAST " +
		"PAYRPT PROAST PRORPT PSEUDED REDACTED RELIABLE SDMAST SDMRPT SECTRSTOBV SUBSETTED SYNTAC TRSLT TRSTACCRDOBV " +
		"TRSTAGREOBV TRSTCERTOBV TRSTFWKOBV TRSTLOAOBV TRSTMECOBV UNCERTREL UNRELIABLE VERSIONED _SECALTINTOBV " +
		"_SECDATINTOBV _SECINTCONOBV _SECINTOBV _SECINTPRVABOBV _SECINTPRVOBV _SECINTPRVRBOBV _SECINTSTOBV "
	retiredConf = map[string]bool{"B": true, "D": true, "I": true, "ETH": true, "HIV": true, "PSY": true, "SDV": true, "C": true, "S": true, "T": true}
)

const (
	sysConf = "http://terminology.hl7.org/CodeSystem/v3-Confidentiality"
	sysAct  = "http://terminology.hl7.org/CodeSystem/v3-ActCode"
	sysObs  = "http://terminology.hl7.org/CodeSystem/v3-ObservationValue"
	sysPOU  = "http://terminology.hl7.org/CodeSystem/v3-ActReason"
)

var systemSpellings = map[string]string{
	sysConf: sysConf, "http://hl7.org/fhir/v3/Confidentiality": sysConf, "urn:oid:2.16.840.1.113883.5.25": sysConf,
	sysAct: sysAct, "http://hl7.org/fhir/v3/ActCode": sysAct, "urn:oid:2.16.840.1.113883.5.4": sysAct,
	sysObs: sysObs, "http://hl7.org/fhir/v3/ObservationValue": sysObs, "urn:oid:2.16.840.1.113883.5.1063": sysObs,
	sysPOU: sysPOU, "http://hl7.org/fhir/v3/ActReason": sysPOU, "urn:oid:2.16.840.1.113883.5.8": sysPOU,
	"http://terminology.hl7.org/CodeSystem/v3-PurposeOfUse": sysPOU, "http://hl7.org/fhir/v3/PurposeOfUse": sysPOU,
}

// known says whether a (canonical system, code) is a label the checker can read.
func known(sys, code string) bool {
	switch sys {
	case "http://hl7.org/fhir/uv/security-label-ds4p/CodeSystem/codesystem-inline-labels":
		return code == "HAS-INLINE-SEC-LABELS" // the ballot-era PROCESSINLINELABEL
	case sysConf:
		_, ok := confRank[code]
		return ok || retiredConf[code]
	case sysAct:
		return sensitivity[code] || compartments[code] || strings.Contains(" "+otherActCodes+" ", " "+code+" ")
	case sysPOU:
		return strings.Contains(" "+purposes+" ", " "+code+" ")
	case sysObs:
		return strings.Contains(" "+observationCodes+" ", " "+code+" ")
	}
	return false
}

// reaches reports whether a v3-ActCode label falls under a denied code, by
// the tree or by what it stands for.
func reaches(code, root string) bool {
	if below(code, root) {
		return true
	}
	for _, c := range standsFor[code] {
		if reaches(c, root) {
			return true
		}
	}
	return false
}

// below reports whether code, or the code it is the same as (ETH is SUD),
// is root or under it.
func below(code, root string) bool {
	for _, start := range [...]string{code, sameAs[code]} {
		for c := start; c != ""; c = parentOf[c] {
			if c == root || sameAs[c] == root {
				return true
			}
		}
	}
	return false
}

type recipient struct {
	clearance    int
	pou          string
	deny, allow  []string
	compartments map[string]bool
	allowSet     bool
	ignore       []string
	releaseOnly  [][]string
	// withheldRefs name what another call withheld: Type/id, URLs and
	// Type?identifier=system|value.
	withheldRefs []string
}

// lab is one label as the checker reads it; bad when it cannot be read.
type lab struct {
	system, code string
	bad          bool
}

// level is the labels read at one place: a resource, an element.
type level []lab

func readLab(c *fastjson.Value) lab {
	if c == nil || c.Type() != fastjson.TypeObject {
		return lab{bad: true}
	}
	sv, cv := c.Get("system"), c.Get("code")
	if sv != nil && sv.Type() != fastjson.TypeString || cv == nil || cv.Type() != fastjson.TypeString || len(cv.GetStringBytes()) == 0 {
		l := lab{bad: true}
		if sv != nil && sv.Type() == fastjson.TypeString {
			l.system = string(sv.GetStringBytes())
		}
		return l
	}
	raw := string(sv.GetStringBytes())
	sys, ok := systemSpellings[strings.TrimSpace(raw)]
	if !ok {
		sys = raw
	}
	code := string(cv.GetStringBytes())
	return lab{system: sys, code: code, bad: !known(sys, code)}
}

func codingsOf(v *fastjson.Value) level {
	if v == nil {
		return nil
	}
	if v.Type() != fastjson.TypeArray {
		return level{{bad: true}}
	}
	var out level
	for _, c := range v.GetArray() {
		out = append(out, readLab(c))
	}
	return out
}

// tagLabsOf are the labels put in meta.tag: the sensitivity and
// compartment codes among its readable codings, and the confidentiality
// codes above N, the default, which only restrict (the other codes of the
// vocabulary are tags there, and so is anything unreadable).
func tagLabsOf(v *fastjson.Value) level {
	var out level
	for _, l := range codingsOf(v) {
		rank, ordered := confRank[l.code]
		if !l.bad && (l.system == sysConf && (!ordered || rank > confRank["N"]) || l.system == sysAct && (sensitivity[l.code] || compartments[l.code])) {
			out = append(out, l)
		}
	}
	return out
}

// resourceLabelsOf are the labels a whole resource carries; in a document
// the Composition's confidentiality is left to the container rules.
func resourceLabelsOf(v *fastjson.Value, inDocument bool) level {
	var ls level
	if m := v.Get("meta"); m != nil && m.Type() != fastjson.TypeObject {
		ls = append(ls, lab{bad: true})
	} else {
		ls = append(ls, codingsOf(v.Get("meta", "security"))...)
		ls = append(ls, tagLabsOf(v.Get("meta", "tag"))...)
		// Inline labels on the resource itself and anywhere in its meta
		// are the resource's.
		ls = append(ls, inlineOf(v)...)
		ls = append(ls, inlineBelow(m)...)
	}
	switch string(v.GetStringBytes("resourceType")) {
	case "DocumentReference":
		if sl := v.Get("securityLabel"); sl != nil {
			if sl.Type() != fastjson.TypeArray {
				ls = append(ls, lab{bad: true})
			}
			for _, cc := range v.GetArray("securityLabel") {
				if cc.Type() != fastjson.TypeObject {
					ls = append(ls, lab{bad: true})
					continue
				}
				ls = append(ls, codingsOf(cc.Get("coding"))...)
			}
		}
	case "Composition":
		if c := v.Get("confidentiality"); c != nil && !inDocument {
			if c.Type() != fastjson.TypeString {
				ls = append(ls, lab{bad: true})
			} else {
				code := string(c.GetStringBytes())
				ls = append(ls, lab{sysConf, code, !known(sysConf, code)})
			}
		}
	}
	if c := v.Get("contained"); c != nil && c.Type() != fastjson.TypeArray {
		ls = append(ls, lab{bad: true})
	}
	if holdsMisplaced(v) {
		ls = append(ls, lab{bad: true})
	}
	return ls
}

// holdsMisplaced reports whether the resource v holds, in itself or its
// contained resources, an object with a resourceType where R4 holds no
// resource (its labels cannot be placed).
func holdsMisplaced(v *fastjson.Value) bool { return len(misplacedOf(v, nil)) > 0 }

// misplacedOf appends the objects with a resourceType that the resource v
// holds, in itself or its contained resources, where R4 holds no resource,
// and every one inside those.
func misplacedOf(v *fastjson.Value, out []*fastjson.Value) []*fastjson.Value {
	o, err := v.Object()
	if err != nil {
		return out
	}
	typ := string(v.GetStringBytes("resourceType"))
	o.Visit(func(k []byte, x *fastjson.Value) {
		switch name := string(k); {
		case name == "resourceType":
		// contained or entry not an array, or an item of either not an
		// object, is unreadable by a rule of its own.
		case name == "contained":
			for _, c := range x.GetArray() {
				if c.Type() == fastjson.TypeObject {
					out = misplacedOf(c, out)
				}
			}
		case typ == "Bundle" && name == "entry":
			for _, e := range x.GetArray() {
				if e.Type() == fastjson.TypeObject {
					out = resourcesBut(e, "resource", out, func(name string, y *fastjson.Value, out []*fastjson.Value) []*fastjson.Value {
						if name == "response" {
							return resourcesBut(y, "outcome", out, nil)
						}
						return resourcesIn(y, out)
					})
				}
			}
		case typ == "Parameters" && name == "parameter":
			out = paramsMisplaced(x, out)
		case typ == "ExampleScenario" && name == "instance":
			for _, in := range x.GetArray() {
				out = resourcesBut(in, "resourceType", out, nil)
			}
			if x.Type() != fastjson.TypeArray {
				out = resourcesIn(x, out)
			}
		default:
			out = resourcesIn(x, out)
		}
	})
	return out
}

func paramsMisplaced(x *fastjson.Value, out []*fastjson.Value) []*fastjson.Value {
	if x.Type() != fastjson.TypeArray {
		return resourcesIn(x, out)
	}
	for _, p := range x.GetArray() {
		out = resourcesBut(p, "resource", out, func(name string, y *fastjson.Value, out []*fastjson.Value) []*fastjson.Value {
			if name == "part" {
				return paramsMisplaced(y, out)
			}
			return resourcesIn(y, out)
		})
	}
	return out
}

// resourcesBut is resourcesIn over the members of v but skip, with every
// member read by each when it is not nil.
func resourcesBut(v *fastjson.Value, skip string, out []*fastjson.Value, each func(name string, y *fastjson.Value, out []*fastjson.Value) []*fastjson.Value) []*fastjson.Value {
	o, err := v.Object()
	if err != nil {
		return resourcesIn(v, out)
	}
	o.Visit(func(k []byte, y *fastjson.Value) {
		switch name := string(k); {
		case name == skip:
		case each != nil:
			out = each(name, y, out)
		default:
			out = resourcesIn(y, out)
		}
	})
	return out
}

// resourcesIn appends v and everything in it that is an object with a
// resourceType.
func resourcesIn(v *fastjson.Value, out []*fastjson.Value) []*fastjson.Value {
	switch v.Type() {
	case fastjson.TypeObject:
		if v.Get("resourceType") != nil {
			out = append(out, v)
		}
		o, _ := v.Object()
		o.Visit(func(_ []byte, y *fastjson.Value) { out = resourcesIn(y, out) })
	case fastjson.TypeArray:
		for _, y := range v.GetArray() {
			out = resourcesIn(y, out)
		}
	}
	return out
}

// inlineOf are the inline labels of an element object; an extension member
// that is not an array of objects, or an inline label without a readable
// valueCoding, cannot be read.
func inlineOf(v *fastjson.Value) level {
	if v == nil || v.Type() != fastjson.TypeObject {
		return nil
	}
	var out level
	for _, name := range []string{"extension", "modifierExtension"} {
		x := v.Get(name)
		if x == nil {
			continue
		}
		// Malformed extensions hide an inline label only when they hold one.
		holds := strings.Contains(string(x.MarshalTo(nil)), inlineURL)
		if x.Type() != fastjson.TypeArray {
			if holds {
				out = append(out, lab{bad: true})
			}
			continue
		}
		for _, it := range x.GetArray() {
			if it.Type() != fastjson.TypeObject {
				if strings.Contains(string(it.MarshalTo(nil)), inlineURL) {
					out = append(out, lab{bad: true})
				}
			} else if string(it.GetStringBytes("url")) == inlineURL {
				out = append(out, readLab(it.Get("valueCoding")))
			}
		}
	}
	return out
}

// inlineBelow is every inline label in v, at any depth.
func inlineBelow(v *fastjson.Value) level {
	var out level
	switch {
	case v == nil:
	case v.Type() == fastjson.TypeObject:
		out = append(out, inlineOf(v)...)
		o, _ := v.Object()
		o.Visit(func(_ []byte, c *fastjson.Value) { out = append(out, inlineBelow(c)...) })
	case v.Type() == fastjson.TypeArray:
		for _, it := range v.GetArray() {
			out = append(out, inlineBelow(it)...)
		}
	}
	return out
}

// siblingOf reads a _x sibling of any shape.
func siblingOf(v *fastjson.Value) level {
	if v == nil {
		return nil
	}
	switch v.Type() {
	case fastjson.TypeNull:
		return nil
	case fastjson.TypeObject:
		return inlineOf(v)
	case fastjson.TypeArray:
		var out level
		for _, it := range v.GetArray() {
			out = append(out, siblingOf(it)...)
		}
		return out
	}
	return level{{bad: true}}
}

func (r *recipient) deniesType(typ string) bool {
	for _, d := range r.deny {
		if d == "http://hl7.org/fhir/resource-types|"+typ {
			return true
		}
	}
	return false
}

func (r *recipient) ignored(l lab) bool {
	for _, x := range r.ignore {
		if x == l.system || x == l.system+"|"+l.code {
			return true
		}
	}
	return false
}

// forbidden reports whether content carrying these levels may not reach
// the recipient. bundle leaves confidentiality to the container rules.
func (r *recipient) forbidden(levels []level, bundle bool) bool {
	conf := -1
	for _, lv := range levels {
		var pous []string
		for _, l := range lv {
			if l.bad {
				if !r.ignored(l) {
					return true
				}
				continue
			}
			if l.system == sysConf {
				x, ok := confRank[l.code]
				if !ok {
					x = 5
				}
				conf = max(conf, x)
			}
			if l.system == sysPOU {
				pous = append(pous, l.code)
			}
			for _, d := range r.deny {
				sys, code, scoped := strings.Cut(d, "|")
				if !scoped {
					code = d
				}
				if l.system == sysConf && retiredConf[l.code] && (!scoped || systemSpellings[sys] == sysAct || systemSpellings[sys] == sysConf) && below(l.code, code) {
					return true // a retired confidentiality code is the sensitivity of its name
				}
				if scoped && systemSpellings[sys] != l.system {
					continue
				}
				if l.code == code || sameAs[l.code] == code || l.system == sysAct && reaches(l.code, code) {
					return true
				}
			}
			if l.system == sysAct {
				if compartments[l.code] && !r.compartments[l.code] {
					return true
				}
				if r.allowSet && sensitivity[l.code] {
					ok := false
					for _, a := range r.allow {
						ok = ok || below(l.code, a)
					}
					if !ok {
						return true
					}
				}
				if r.allowSet && !sensitivity[l.code] {
					for _, c := range standsFor[l.code] { // a law's content needs each of its sensitivities allowed
						ok := false
						for _, a := range r.allow {
							ok = ok || below(c, a)
						}
						if !ok {
							return true
						}
					}
				}
			}
		}
		if pous != nil {
			ok := false
			for _, p := range pous {
				ok = ok || r.pou != "" && below(r.pou, p)
			}
			if !ok {
				return true // each level that restricts the purpose must permit it
			}
		}
	}
	if conf < 0 {
		conf = 3
	}
	return conf > r.clearance && !bundle
}

// releaseOnlyFails: a resource sent must carry a label of each obligation's list.
func (r *recipient) releaseOnlyFails(levels []level) bool {
	for _, list := range r.releaseOnly {
		ok := false
		for _, lv := range levels {
			for _, l := range lv {
				for _, c := range list {
					ok = ok || !l.bad && (l.code == c || below(l.code, c))
				}
			}
		}
		if !ok {
			return true
		}
	}
	return false
}

func (r *recipient) request() engine.AccessContext {
	c := engine.AccessContext{Clearance: string("ULMNRV"[r.clearance]), PurposeOfUse: r.pou, Deny: r.deny, Ignore: r.ignore, ReleaseOnly: r.releaseOnly}
	for k := range r.compartments {
		c.Compartments = append(c.Compartments, k)
	}
	if r.allowSet {
		c.Allow = append([]string{}, r.allow...)
	}
	return c
}

func randomRecipient(rng *rand.Rand) *recipient {
	pick := func(from []string) []string {
		var out []string
		for _, x := range from {
			if rng.Intn(3) == 0 {
				out = append(out, x)
			}
		}
		return out
	}
	r := &recipient{clearance: rng.Intn(6), compartments: map[string]bool{}}
	r.pou = []string{"", "TREAT", "ETREAT", "HPAYMT", "COVERAGE", "HRESCH"}[rng.Intn(6)]
	r.deny = pick([]string{"HIV", "SUD", "OPIOIDUD", "MH", "ETH", "SEX", "STD", "DEMO", "SPI", sysAct + "|SUD", sysConf + "|R",
		"http://hl7.org/fhir/resource-types|Observation"})
	for _, c := range pick([]string{"CTCOMPT", "RESCOMPT"}) {
		r.compartments[c] = true
	}
	if rng.Intn(4) == 0 {
		r.allowSet = true
		r.allow = pick([]string{"HIV", "SUD", "MH", "SEX", "SPI"})
	}
	if rng.Intn(4) == 0 {
		r.ignore = pick([]string{"http://example.org/x", "http://example.org/labels", "http://example.org/local-labels|X1"})
	}
	if rng.Intn(8) == 0 {
		r.releaseOnly = append(r.releaseOnly, pick([]string{"HIV", "SUD", "42CFRPart2", "DELAU", "N", "R"}))
		if rng.Intn(2) == 0 {
			r.releaseOnly = append(r.releaseOnly, pick([]string{"DELAU", "N", "R", "V"}))
		}
	}
	return r
}

// modifiers are the top-level elements of R4 resources that change the
// meaning of the rest (isModifier), as far as the inputs use them.
var modifiers = map[string]bool{"status": true, "doNotPerform": true, "verificationStatus": true, "clinicalStatus": true,
	"modifierExtension": true, "implicitRules": true, "active": true, "intent": true, "negated": true}

// primitiveTypes are the R4 primitive types, as a choice element's name ends.
var primitiveTypes = "Base64Binary Boolean Canonical Code Date DateTime Decimal Id Instant Integer Markdown Oid PositiveInt String Time UnsignedInt Uri Url Uuid"

// key identifies a resource by every form of reference to it.
func keysOf(fullURL string, res *fastjson.Value) []string {
	var out []string
	if fullURL != "" {
		out = append(out, strings.SplitN(fullURL, "/_history", 2)[0])
	}
	if id := res.GetStringBytes("id"); len(id) > 0 {
		out = append(out, string(res.GetStringBytes("resourceType"))+"/"+string(id))
	}
	if u := res.GetStringBytes("url"); len(u) > 0 && len(res.GetStringBytes("resourceType")) > 0 {
		out = append(out, string(u)) // a canonical resource's
	}
	return out
}

// refKey reduces a reference to Type/id (or itself) for comparing.
func refKey(ref string) string {
	ref = strings.SplitN(ref, "/_history", 2)[0]
	if i := strings.LastIndexByte(ref, '|'); i > 0 {
		ref = ref[:i] // a canonical's version
	}
	parts := strings.Split(ref, "/")
	if len(parts) >= 2 && parts[len(parts)-2] != "" && parts[len(parts)-2][0] >= 'A' && parts[len(parts)-2][0] <= 'Z' {
		return parts[len(parts)-2] + "/" + parts[len(parts)-1]
	}
	return ref
}

// pointerItems are, by resource type, the backbone arrays whose items each
// point at one resource by the member named: such an item goes whole with
// what it points at (PROTOCOL.md).
var pointerItems = map[string]map[string]string{
	"List": {"entry": "item"}, "AuditEvent": {"entity": "what"}, "Provenance": {"entity": "what"},
	"Task": {"input": "valueReference", "output": "valueReference"}, "Group": {"member": "entity"},
	"Communication": {"payload": "contentReference"}, "CommunicationRequest": {"payload": "contentReference"},
	"Encounter": {"diagnosis": "condition"}, "EpisodeOfCare": {"diagnosis": "condition"},
	"ClinicalImpression": {"finding": "itemReference"}, "CarePlan": {"activity": "reference"},
	"DocumentReference": {"relatesTo": "target"}, "DiagnosticReport": {"media": "link"}, "Immunization": {"reaction": "detail"},
	"Claim":                {"diagnosis": "diagnosisReference", "procedure": "procedureReference"},
	"ExplanationOfBenefit": {"diagnosis": "diagnosisReference", "procedure": "procedureReference"},
}

// check is one redaction under scrutiny.
type check struct {
	r        *recipient
	withheld map[string]bool // input resources absent from the output, by refKey
	// Their identifiers: "system|value", and every value under "\x00value".
	withheldIDs map[string]bool
	empties     bool // the input itself has empty objects or arrays
	bareParams  bool // the input itself has parameters without a value
	// classifiedParams: a Parameters in the input has a confidentiality of
	// its own, which redaction keeps.
	classifiedParams bool
	// documents: the input holds a document, whose sections may classify
	// the resources they list (inline labels that cover them).
	documents bool
	// The member names the input has anywhere: a shape it brought in is
	// not one the redaction made.
	inputNames map[string]bool
	// Attachment urls (by refKey) the input has more often than the
	// output: removed with what held them. A Binary they name is content
	// of something withheld.
	attachedGone map[string]bool
	// searches: an entry's request in the input searches by code or words,
	// which redaction labels with the rules (redact_query.go) and this
	// check, judging labels alone, cannot: an entry may be withheld for it
	// (and what goes with it), never released against the labels.
	searches bool
}

// hasSearch reports whether an entry's request in v searches by a code
// (system|code, a parameter that takes codes) or by words.
func hasSearch(v *fastjson.Value) bool {
	return anyObject(v, func(o *fastjson.Value) bool {
		req := o.Get("request")
		if req == nil || o.Get("fullUrl") == nil && o.Get("resource") == nil && req.Get("method") == nil {
			return false
		}
		for _, q := range []string{string(req.GetStringBytes("url")), "?" + string(req.GetStringBytes("ifNoneExist"))} {
			_, query, _ := strings.Cut(q, "?")
			for _, param := range strings.Split(query, "&") {
				name, val, _ := strings.Cut(param, "=")
				if strings.HasSuffix(name, "identifier") || name == "_id" || val == "" {
					continue // a record's identifier, which redaction does not read
				}
				if strings.Contains(val, "|") || strings.Contains(val, "%7C") || strings.Contains(name, "code") ||
					strings.Contains(name, "concept") || strings.Contains(name, "text") || name == "_content" {
					return true
				}
			}
		}
		return false
	})
}

// attachmentURLs counts, by refKey, the url of every object in v but
// extensions (an Attachment's: content it names).
func attachmentURLs(v *fastjson.Value, ext bool, into map[string]int) map[string]int {
	switch v.Type() {
	case fastjson.TypeArray:
		for _, x := range v.GetArray() {
			attachmentURLs(x, ext, into)
		}
	case fastjson.TypeObject:
		o, _ := v.Object()
		o.Visit(func(k []byte, x *fastjson.Value) {
			if string(k) == "url" && !ext && x.Type() == fastjson.TypeString {
				into[refKey(string(x.GetStringBytes()))]++
				return
			}
			attachmentURLs(x, string(k) == "extension" || string(k) == "modifierExtension", into)
		})
	}
	return into
}

// directoryOrphans returns the entries of a place or a practitioner that
// go with withheld entries (gone): an entry that gone ones reference and
// no staying one does, where a staying referrer is an entry that stays
// and is no such place itself. It is found again as entries go, until
// nothing more does. References by Type/id or fullUrl count.
func directoryOrphans(entries []*fastjson.Value, gone []bool) map[int]bool {
	dir := map[string]bool{"Organization": true, "Location": true, "HealthcareService": true,
		"OrganizationAffiliation": true, "Practitioner": true, "PractitionerRole": true}
	at := map[string]int{}
	isDir := make([]bool, len(entries))
	for i, e := range entries {
		res := e.Get("resource")
		if res == nil || !dir[string(res.GetStringBytes("resourceType"))] {
			continue
		}
		isDir[i] = true
		for _, k := range keysOf(string(e.GetStringBytes("fullUrl")), res) {
			at[refKey(k)] = i
		}
	}
	refs := make([]map[int]bool, len(entries))
	for i, e := range entries {
		refs[i] = map[int]bool{}
		var walk func(v *fastjson.Value)
		walk = func(v *fastjson.Value) {
			switch v.Type() {
			case fastjson.TypeArray:
				for _, x := range v.GetArray() {
					walk(x)
				}
			case fastjson.TypeObject:
				v.GetObject().Visit(func(k []byte, x *fastjson.Value) {
					if ref := string(x.GetStringBytes()); string(k) == "reference" && x.Type() == fastjson.TypeString && !strings.HasPrefix(ref, "#") {
						if j, ok := at[refKey(ref)]; ok && j != i {
							refs[i][j] = true
						}
					}
					walk(x)
				})
			}
		}
		if res := e.Get("resource"); res != nil {
			walk(res)
		}
	}
	out := map[int]bool{}
	for changed := true; changed; {
		changed = false
		goes := func(i int) bool { return gone[i] || out[i] }
		// Candidates: what a going entry references and no staying entry
		// of another kind does.
		cand := map[int]bool{}
		for j := range entries {
			if !isDir[j] || goes(j) {
				continue
			}
			byGone, byKept := false, false
			for i := range entries {
				if refs[i][j] {
					byGone = byGone || goes(i)
					byKept = byKept || !goes(i) && !isDir[i]
				}
			}
			cand[j] = byGone && !byKept
		}
		// A place that stays refers as any staying entry does.
		for j := range cand {
			if !cand[j] {
				continue
			}
			kept := false
			for i := range entries {
				kept = kept || refs[i][j] && isDir[i] && !goes(i) && !cand[i]
			}
			if !kept {
				out[j], changed = true, true
			}
		}
	}
	return out
}

// goesWith reports whether a resource goes with something withheld: a
// Provenance whose every target is, a Binary that stands for or is the
// content of something withheld.
func (c *check) goesWith(res *fastjson.Value, keys []string) bool {
	typ := string(res.GetStringBytes("resourceType"))
	// What references a withheld resource along an inherit element
	// repeats it (the default inherit elements: a report's results).
	for _, p := range engine.DefaultInherit() {
		if path := strings.Split(p, "."); path[0] == typ && c.namesAlong(res, path[1:]) {
			return true
		}
	}
	switch typ {
	case "Provenance":
		ts := res.GetArray("target")
		for _, t := range ts {
			if !c.names(string(t.GetStringBytes("reference"))) && !c.logicallyNamesWithheld(t) {
				return false
			}
		}
		return len(ts) > 0
	case "Binary":
		return c.binaryGoes(res, keys)
	}
	return false
}

// namesAlong reports whether a Reference at path below v names something
// withheld.
func (c *check) namesAlong(v *fastjson.Value, path []string) bool {
	switch {
	case v == nil:
		return false
	case v.Type() == fastjson.TypeArray:
		for _, x := range v.GetArray() {
			if c.namesAlong(x, path) {
				return true
			}
		}
		return false
	case len(path) > 0:
		return c.namesAlong(v.Get(path[0]), path[1:])
	}
	return c.names(string(v.GetStringBytes("reference"))) || c.logicallyNamesWithheld(v)
}

// binaryGoes reports whether a Binary stands for, or is the content of,
// something withheld: its securityContext names a withheld resource, or
// an Attachment taken out with withheld content names it.
func (c *check) binaryGoes(res *fastjson.Value, keys []string) bool {
	if sc := res.Get("securityContext"); sc != nil && (c.names(string(sc.GetStringBytes("reference"))) || c.logicallyNamesWithheld(sc)) {
		return true
	}
	for _, k := range keys {
		if c.attachedGone[refKey(k)] {
			return true
		}
	}
	return false
}

// memberNames adds the member names of every object in v to into.
func memberNames(v *fastjson.Value, into map[string]bool) map[string]bool {
	switch v.Type() {
	case fastjson.TypeObject:
		o, _ := v.Object()
		o.Visit(func(k []byte, x *fastjson.Value) {
			into[string(k)] = true
			memberNames(x, into)
		})
	case fastjson.TypeArray:
		for _, it := range v.GetArray() {
			memberNames(it, into)
		}
	}
	return into
}

// releasedHeldRank is the highest confidentiality of the resources a
// released Parameters holds (in parameters and parts, at any depth), each
// at N without one of its own; -1 when it holds none. Those with an inline
// confidentiality on the way to them (on the Parameters, a parameter or a
// part, or outside: on >= 0) are left out: such a label classifies what
// it covers, and the rule for that is the mark's own (released).
func releasedHeldRank(params *fastjson.Value, on int) int {
	if max(on, confOf(inlineOf(params)), confOf(inlineBelow(params.Get("meta")))) >= 0 {
		return -1
	}
	var via func(ps []*fastjson.Value) int
	via = func(ps []*fastjson.Value) int {
		best := -1
		for _, p := range ps {
			if confOf(inlineOf(p)) >= 0 {
				continue
			}
			if r := p.Get("resource"); r != nil && r.Type() == fastjson.TypeObject && (string(r.GetStringBytes("resourceType")) != "Bundle" || len(r.GetArray("entry")) > 0) {
				// (A Bundle left empty holds nothing.)
				x := entryRank(r)
				if x < 0 {
					x = confRank["N"]
				}
				best = max(best, x)
				if string(r.GetStringBytes("resourceType")) == "Parameters" {
					best = max(best, releasedHeldRank(r, -1))
				}
			}
			best = max(best, via(p.GetArray("part")))
		}
		return best
	}
	return via(params.GetArray("parameter"))
}

// confOf is the highest readable confidentiality among ls, -1 without one.
func confOf(ls level) int {
	best := -1
	for _, l := range ls {
		if x, ok := confRank[l.code]; ok && l.system == sysConf && !l.bad {
			best = max(best, x)
		}
	}
	return best
}

// signedData returns where a Signature within v (at) keeps its data, or
// "": Provenance's, a Contract signer's, a VerificationResult's
// attestations, in v and its contained resources.
func signedData(v *fastjson.Value, at string) string {
	switch v.Type() {
	case fastjson.TypeArray:
		for i, it := range v.GetArray() {
			if p := signedData(it, fmt.Sprintf("%s[%d]", at, i)); p != "" {
				return p
			}
		}
	case fastjson.TypeObject:
		found := ""
		v.GetObject().Visit(func(k []byte, x *fastjson.Value) {
			name := string(k)
			switch {
			case found != "" || name == "resource":
			case name == "signature" || name == "proxySignature" || name == "sourceSignature" || name == "attestationSignature":
				sigs := []*fastjson.Value{x}
				if x.Type() == fastjson.TypeArray {
					sigs = x.GetArray()
				}
				for _, sg := range sigs {
					if sg.Get("data") != nil {
						found = at + "." + name + ".data"
					}
				}
			default:
				found = signedData(x, at+"."+name)
			}
		})
		return found
	}
	return ""
}

// redacted reports whether a resource carries REDACTED.
func redacted(v *fastjson.Value) bool {
	for _, l := range codingsOf(v.Get("meta", "security")) {
		if l.code == "REDACTED" {
			return true
		}
	}
	return false
}

// anyObject reports whether f holds for an object anywhere in v.
func anyObject(v *fastjson.Value, f func(o *fastjson.Value) bool) bool {
	switch v.Type() {
	case fastjson.TypeObject:
		if f(v) {
			return true
		}
		o, _ := v.Object()
		found := false
		o.Visit(func(_ []byte, x *fastjson.Value) { found = found || anyObject(x, f) })
		return found
	case fastjson.TypeArray:
		for _, it := range v.GetArray() {
			if anyObject(it, f) {
				return true
			}
		}
	}
	return false
}

// hasClassifiedParameters reports whether a Parameters anywhere in v has a
// confidentiality in its meta.security.
func hasClassifiedParameters(v *fastjson.Value) bool {
	return anyObject(v, func(o *fastjson.Value) bool {
		if string(o.GetStringBytes("resourceType")) != "Parameters" {
			return false
		}
		for _, l := range codingsOf(o.Get("meta", "security")) {
			if l.system == sysConf {
				return true
			}
		}
		return false
	})
}

// hasBareParameter reports whether a Parameters anywhere in v has a
// parameter bareParameter finds.
func hasBareParameter(v *fastjson.Value) bool {
	return anyObject(v, func(o *fastjson.Value) bool {
		return string(o.GetStringBytes("resourceType")) == "Parameters" && bareParameter(o.Get("parameter"), "") != nil
	})
}

func hasEmpty(v *fastjson.Value) bool {
	switch v.Type() {
	case fastjson.TypeObject:
		o, _ := v.Object()
		found := o.Len() == 0
		o.Visit(func(_ []byte, x *fastjson.Value) { found = found || hasEmpty(x) })
		return found
	case fastjson.TypeArray:
		if len(v.GetArray()) == 0 {
			return true
		}
		for _, it := range v.GetArray() {
			if hasEmpty(it) {
				return true
			}
		}
	}
	return false
}

// checkRedaction asserts the security property of one redaction, that the
// output is sound FHIR, and that what the recipient may see is still there.
func checkRedaction(r *recipient, in, out []byte) error {
	iv, err := fastjson.ParseBytes(in)
	if err != nil {
		return nil
	}
	c := &check{r: r, withheld: map[string]bool{}, empties: hasEmpty(iv), bareParams: hasBareParameter(iv), classifiedParams: hasClassifiedParameters(iv), documents: anyObject(iv, func(o *fastjson.Value) bool { return string(o.GetStringBytes("type")) == "document" }), inputNames: memberNames(iv, map[string]bool{}), searches: hasSearch(iv)}
	inKeys, outKeys := map[string]bool{}, map[string]bool{}
	collectKeys(iv, "", inKeys)
	var ov *fastjson.Value
	if out != nil {
		if ov, err = fastjson.ParseBytes(out); err != nil {
			return fmt.Errorf("output is not JSON: %v", err)
		}
		collectKeys(ov, "", outKeys)
	}
	inURLs, outURLs := attachmentURLs(iv, false, map[string]int{}), map[string]int{}
	if ov != nil {
		attachmentURLs(ov, false, outURLs)
	}
	c.attachedGone = map[string]bool{}
	for k, n := range inURLs {
		if n > outURLs[k] {
			c.attachedGone[k] = true
		}
	}
	for k := range inKeys {
		if !outKeys[k] {
			c.withheld[k] = true
		}
	}
	c.withheldIDs = map[string]bool{}
	for _, ref := range r.withheldRefs {
		if _, q, ok := strings.Cut(ref, "?"); ok {
			vs, _ := url.ParseQuery(q)
			for _, tok := range vs["identifier"] {
				sys, val, _ := strings.Cut(tok, "|")
				c.withheldIDs[sys+"|"+val] = true
				c.withheldIDs["\x00"+val] = true
			}
			continue
		}
		c.withheld[refKey(ref)] = true
	}
	identifiersOf(iv, "", func(key, sys, value string) {
		if c.withheld[key] {
			c.withheldIDs[sys+"|"+value] = true
			c.withheldIDs["\x00"+value] = true
		}
	})
	if ov == nil {
		if c.mayAll(iv, nil, true) && !c.goesWith(iv, keysOf("", iv)) {
			return fmt.Errorf("a resource the recipient may see was withheld whole: %.300s", in)
		}
		return nil
	}
	if c.goesWith(iv, keysOf("", iv)) {
		return fmt.Errorf("a resource that goes with something withheld was released")
	}
	if err := c.released(iv, ov, nil, true, false, "resource"); err != nil {
		return err
	}
	return c.sound(ov, "resource", false, true)
}

// identifiersOf calls f with the first reference key, and each identifier,
// of every resource at any depth that has both.
func identifiersOf(v *fastjson.Value, fullURL string, f func(key, sys, value string)) {
	if v == nil || v.Type() != fastjson.TypeObject {
		return
	}
	if keys := keysOf(fullURL, v); len(v.GetStringBytes("resourceType")) > 0 && len(keys) > 0 {
		ids := v.GetArray("identifier")
		if one := v.Get("identifier"); one != nil && one.Type() == fastjson.TypeObject {
			ids = append(ids, one)
		}
		for _, x := range ids {
			if val := string(x.GetStringBytes("value")); val != "" {
				f(refKey(keys[0]), string(x.GetStringBytes("system")), val)
			}
		}
	}
	eachHeldIn(v, func(res *fastjson.Value, fullURL string) { identifiersOf(res, fullURL, f) })
}

// eachHeldIn calls f for each resource the container v holds itself: a
// Bundle's entry resources (with their fullUrl) and response outcomes, a
// Parameters' resources in its parameters and their parts.
func eachHeldIn(v *fastjson.Value, f func(res *fastjson.Value, fullURL string)) {
	for _, e := range v.GetArray("entry") {
		if e.Type() == fastjson.TypeObject {
			f(e.Get("resource"), string(e.GetStringBytes("fullUrl")))
			f(e.Get("response", "outcome"), "")
		}
	}
	var params func(ps []*fastjson.Value)
	params = func(ps []*fastjson.Value) {
		for _, p := range ps {
			f(p.Get("resource"), "")
			params(p.GetArray("part"))
		}
	}
	if string(v.GetStringBytes("resourceType")) == "Parameters" {
		params(v.GetArray("parameter"))
	}
}

// withheldIdentifier reports whether (sys, val) is a withheld resource's
// identifier: the same system and value, or the same value where either has
// no system.
func (c *check) withheldIdentifier(sys, val string) bool {
	return c.withheldIDs["\x00"+val] && (sys == "" || c.withheldIDs[sys+"|"+val] || c.withheldIDs["|"+val])
}

// logicallyNamesWithheld reports whether v is a Reference (an object of
// Reference's members only) whose identifier is a withheld resource's: the
// same system and value, or the same value where either has no system.
func (c *check) logicallyNamesWithheld(v *fastjson.Value) bool {
	x := v.Get("identifier")
	if x == nil || x.Type() != fastjson.TypeObject {
		return false
	}
	if !c.withheldIdentifier(string(x.GetStringBytes("system")), string(x.GetStringBytes("value"))) {
		return false
	}
	o, _ := v.Object()
	only := true
	o.Visit(func(k []byte, _ *fastjson.Value) {
		switch string(k) {
		case "id", "extension", "reference", "type", "identifier", "display":
		default:
			only = false
		}
	})
	return only
}

// collectKeys gathers the references of every resource at any depth.
func collectKeys(v *fastjson.Value, fullURL string, into map[string]bool) {
	if v == nil || v.Type() != fastjson.TypeObject {
		return
	}
	if len(v.GetStringBytes("resourceType")) > 0 {
		for _, k := range keysOf(fullURL, v) {
			into[refKey(k)] = true
		}
	}
	eachHeldIn(v, func(res *fastjson.Value, fullURL string) { collectKeys(res, fullURL, into) })
}

// ownBeyond are a Bundle's own labels that no entry carries (those judge it
// whole), its confidentiality aside; entriesMax the highest confidentiality
// its entries carry (the default for one without), and the document's
// Composition.confidentiality rank.
func ownBeyond(b *fastjson.Value) (own level, bundleConf, entriesMax, compConf int) {
	carried := map[lab]bool{}
	entriesMax, compConf, bundleConf = -1, -1, -1
	doc := string(b.GetStringBytes("type")) == "document"
	// rankOf is the highest confidentiality of ls (a mark counts a malformed
	// one as V), -1 without one; every label counts as carried.
	rankOf := func(ls level) int {
		rank := -1
		for _, l := range ls {
			carried[lab{l.system, l.code, false}] = true
			if l.system == sysConf {
				x, ok := confRank[l.code]
				if !ok {
					x = 5
				}
				rank = max(rank, x)
			}
		}
		return rank
	}
	for i, e := range b.GetArray("entry") {
		res := e.Get("resource")
		outcome := e.Get("response", "outcome")
		isObj := func(v *fastjson.Value) bool { return v != nil && v.Type() == fastjson.TypeObject }
		if !isObj(res) && !isObj(outcome) {
			continue
		}
		// An entry is everything it holds: each resource nested in it at
		// any depth and its response's outcome count, each at the default
		// (N) without a confidentiality.
		var held []*fastjson.Value
		rank := -1
		if isObj(res) {
			if rank = rankOf(allLabels(res, doc && i == 0)); rank < 0 {
				rank = 3
			}
			held = heldIn(res, held)
		}
		// A label on the entry itself covers it.
		rank = max(rank, rankOf(entryInlineOf(e)))
		if isObj(outcome) {
			held = append(held, outcome)
			held = heldIn(outcome, held)
		}
		for _, h := range held {
			x := rankOf(allLabels(h, false))
			if x < 0 {
				x = 3
			}
			rank = max(rank, x)
		}
		entriesMax = max(entriesMax, rank)
		if doc && i == 0 {
			if cc := res.Get("confidentiality"); cc != nil {
				if x, ok := confRank[string(cc.GetStringBytes())]; ok {
					compConf = x
				}
			}
		}
	}
	if entriesMax < 0 {
		entriesMax = 3
	}
	for _, l := range resourceLabelsOf(b, false) {
		switch {
		case !l.bad && l.system == sysConf:
			x, ok := confRank[l.code]
			if !ok {
				x = 5
			}
			bundleConf = max(bundleConf, x)
		case l.bad || !carried[lab{l.system, l.code, false}]:
			own = append(own, l)
		}
	}
	return own, bundleConf, entriesMax, compConf
}

// heldIn appends every resource the container v holds, at any depth: a
// Bundle's entry resources and response outcomes, a Parameters' resources
// in its parameters and their parts.
func heldIn(v *fastjson.Value, out []*fastjson.Value) []*fastjson.Value {
	add := func(r *fastjson.Value) {
		if r != nil && r.Type() == fastjson.TypeObject {
			out = append(out, r)
			out = heldIn(r, out)
		}
	}
	switch string(v.GetStringBytes("resourceType")) {
	case "Bundle":
		for _, e := range v.GetArray("entry") {
			add(e.Get("resource"))
			add(e.Get("response", "outcome"))
		}
	case "Parameters":
		var params func(ps []*fastjson.Value)
		params = func(ps []*fastjson.Value) {
			for _, p := range ps {
				add(p.Get("resource"))
				params(p.GetArray("part"))
			}
		}
		params(v.GetArray("parameter"))
	}
	return out
}

// allLabels are every label a resource carries anywhere (as hwm reads them):
// its own, its contained resources' meta.security, and inline labels.
func allLabels(res *fastjson.Value, docComp bool) level {
	typ := string(res.GetStringBytes("resourceType"))
	if typ == "Bundle" {
		out := codingsOf(res.Get("meta", "security"))
		for _, e := range res.GetArray("entry") {
			out = append(out, entryInlineOf(e)...)
		}
		return out
	}
	out := resourceLabelsOf(res, docComp)
	// A contained resource, or one out of place, counts as part of what
	// holds it, with the labels in its meta: security, the restricting
	// tags, inline labels there.
	part := func(m *fastjson.Value) {
		out = append(out, codingsOf(m.Get("meta", "security"))...)
		out = append(out, tagLabsOf(m.Get("meta", "tag"))...)
		out = append(out, inlineBelow(m.Get("meta"))...)
	}
	for _, c := range res.GetArray("contained") {
		part(c)
	}
	for _, m := range misplacedOf(res, nil) {
		part(m)
	}
	// The resources a Parameters holds are resources of their own (heldIn).
	var walk func(v *fastjson.Value, param bool)
	walk = func(v *fastjson.Value, param bool) {
		switch v.Type() {
		case fastjson.TypeObject:
			out = append(out, inlineOf(v)...)
			o, _ := v.Object()
			o.Visit(func(k []byte, c *fastjson.Value) {
				switch name := string(k); {
				case name == "meta", param && name == "resource":
				default:
					// Only a parameter (or part) array holds resources
					// in their place: one elsewhere is misplaced, read
					// as part of what holds it.
					arr := c.Type() == fastjson.TypeArray
					walk(c, arr && (param && name == "part" || v == res && typ == "Parameters" && name == "parameter"))
				}
			})
		case fastjson.TypeArray:
			for _, it := range v.GetArray() {
				walk(it, param)
			}
		}
	}
	walk(res, false)
	return out
}

// entryInlineOf are the inline labels on a Bundle entry itself: on it,
// its search, request and response, not in its resource or outcome.
func entryInlineOf(e *fastjson.Value) level {
	o, err := e.Object()
	if err != nil {
		return nil
	}
	out := inlineOf(e)
	o.Visit(func(k []byte, c *fastjson.Value) {
		switch string(k) {
		case "resource":
		case "response":
			out = append(out, inlineOf(c)...)
			if ro, err := c.Object(); err == nil {
				ro.Visit(func(k []byte, x *fastjson.Value) {
					if string(k) != "outcome" {
						out = append(out, inlineBelow(x)...)
					}
				})
			}
		default:
			out = append(out, inlineBelow(c)...)
		}
	})
	return out
}

// containerFails reports whether a Bundle must be withheld as a whole.
func (c *check) containerFails(b *fastjson.Value, eff []level) bool {
	own, bconf, inner, comp := ownBeyond(b)
	if c.r.forbidden(append(append([]level{}, eff...), own), true) {
		return true
	}
	// A confidentiality that covers the Bundle from outside (a label on
	// the entry that holds it) classifies all of it, unlike its own mark.
	outside := -1
	for _, lv := range eff {
		for _, l := range lv {
			if l.system == sysConf && !l.bad {
				x, ok := confRank[l.code]
				if !ok {
					x = 5
				}
				outside = max(outside, x)
			}
		}
	}
	if outside > c.r.clearance {
		return true
	}
	if bconf > inner && bconf > c.r.clearance || comp > inner && comp > c.r.clearance {
		return true
	}
	entries := b.GetArray("entry")
	if len(entries) == 0 {
		return false
	}
	first := entries[0].Get("resource")
	switch string(b.GetStringBytes("type")) {
	case "document", "message":
		// Judged as bundle judges every entry: under what the Bundle
		// carries beyond its entries, which applies to all of it.
		beff := append(append([]level{}, eff...), own, entryLevel(entries[0]))
		if first != nil && first.Type() == fastjson.TypeObject && c.resourceFails(first, beff, string(b.GetStringBytes("type")) == "document", true) {
			return true
		}
	}
	return false
}

// entryLevel are the inline labels of an entry's own parts (not its resources).
func entryLevel(e *fastjson.Value) level {
	var out level
	var walk func(v *fastjson.Value, top bool)
	walk = func(v *fastjson.Value, top bool) {
		switch v.Type() {
		case fastjson.TypeObject:
			out = append(out, inlineOf(v)...)
			o, _ := v.Object()
			o.Visit(func(k []byte, x *fastjson.Value) {
				name := string(k)
				if top && name == "resource" || name == "outcome" {
					return
				}
				if strings.HasPrefix(name, "_") {
					out = append(out, siblingOf(x)...)
					return
				}
				walk(x, false)
			})
		case fastjson.TypeArray:
			for _, it := range v.GetArray() {
				walk(it, false)
			}
		}
	}
	walk(e, true)
	return out
}

// resourceFails reports whether a resource may not be released: its labels
// (with the levels above it), an unreadable or forbidden label on a
// modifier element, or, for a gated resource, the obligations.
func (c *check) resourceFails(res *fastjson.Value, eff []level, docComp, gate bool) bool {
	if string(res.GetStringBytes("resourceType")) == "Bundle" {
		return c.containerFails(res, eff)
	}
	if c.r.deniesType(string(res.GetStringBytes("resourceType"))) {
		return true
	}
	all := append(append([]level{}, eff...), resourceLabelsOf(res, docComp))
	if c.r.forbidden(all, false) || gate && c.r.releaseOnlyFails(all) {
		return true
	}
	o, _ := res.Object()
	fails := false
	o.Visit(func(k []byte, v *fastjson.Value) {
		name := strings.TrimPrefix(string(k), "_")
		if !modifiers[name] {
			return
		}
		if c.anyForbidden(v, all) {
			fails = true
		}
		// A modifier's _x of a shape that holds no extensions is an
		// unreadable label on it.
		if name != string(k) {
			if own := siblingOf(v); len(own) > 0 && c.r.forbidden(append(append([]level{}, all...), own), false) {
				fails = true
			}
		}
	})
	return fails
}

// under returns the levels in force inside object v, and whether its own
// labels forbid it.
func (c *check) under(v *fastjson.Value, eff []level) ([]level, bool) {
	own := inlineOf(v)
	if len(own) == 0 {
		return eff, false
	}
	e := append(append([]level{}, eff...), own)
	return e, c.r.forbidden(e, false)
}

// anyForbidden reports whether anything inside v carries labels that make
// it forbidden.
func (c *check) anyForbidden(v *fastjson.Value, eff []level) bool {
	switch v.Type() {
	case fastjson.TypeObject:
		e, no := c.under(v, eff)
		if no {
			return true
		}
		o, _ := v.Object()
		found := false
		o.Visit(func(_ []byte, x *fastjson.Value) { found = found || c.anyForbidden(x, e) })
		return found
	case fastjson.TypeArray:
		for _, it := range v.GetArray() {
			if c.anyForbidden(it, eff) {
				return true
			}
		}
	}
	return false
}

// mayAll reports whether the recipient may see at least part of what is at
// the top: a resource not withheld whole.
func (c *check) mayAll(res *fastjson.Value, eff []level, gate bool) bool {
	return !c.resourceFails(res, eff, false, gate)
}

// released checks a released resource (at any depth) against its input:
// nothing forbidden is in it, and what may be seen is still there.
func (c *check) released(in, out *fastjson.Value, eff []level, gate, docComp bool, at string) error {
	if string(out.GetStringBytes("resourceType")) == "Bundle" {
		return c.bundle(in, out, eff, at)
	}
	if c.resourceFails(in, eff, docComp, gate) {
		return fmt.Errorf("%s: a resource the recipient may not see was released", at)
	}
	all := append(append([]level{}, eff...), resourceLabelsOf(out, docComp))
	if err := c.elements(out, all, at, true); err != nil {
		return err
	}
	// A resource whose content redaction changed is marked REDACTED and
	// carries a confidentiality (its mark, narrative and nested resources
	// aside).
	if content(out) != content(in) {
		redacted, conf := false, false
		for _, l := range codingsOf(out.Get("meta", "security")) {
			redacted = redacted || l.system == sysObs && l.code == "REDACTED"
			conf = conf || l.system == sysConf
		}
		if !redacted || !conf {
			return fmt.Errorf("%s: a changed resource must carry REDACTED and a confidentiality", at)
		}
		// A signature over it no longer holds, and a JWS carries what
		// it signed.
		if p := signedData(out, at); p != "" {
			return fmt.Errorf("%s: a changed resource keeps a signature's data", p)
		}
		// Its narratives, and its contained resources', told what it had
		// (a List's neutral one aside).
		if t := out.Get("text"); t != nil && in.Get("text") != nil && t.String() == in.Get("text").String() {
			return fmt.Errorf("%s.text: a changed resource keeps its narrative", at)
		}
		for i, x := range out.GetArray("contained") {
			if t := x.Get("text"); t != nil {
				return fmt.Errorf("%s.contained[%d].text: a changed resource's contained resource keeps its narrative", at, i)
			}
		}
	}
	// An item that points at something withheld goes whole.
	for name, member := range pointerItems[string(in.GetStringBytes("resourceType"))] {
		gone := 0
		for _, it := range in.GetArray(name) {
			if p := it.Get(member); p != nil && (c.names(string(p.GetStringBytes("reference"))) || c.logicallyNamesWithheld(p)) {
				gone++
			}
		}
		if gone > 0 && len(out.GetArray(name)) > len(in.GetArray(name))-gone {
			return fmt.Errorf("%s.%s: an item that pointed at withheld content stays, with what describes it", at, name)
		}
	}
	for name := range modifiers {
		if iv := in.Get(name); iv != nil && (out.Get(name) == nil || string(out.Get(name).MarshalTo(nil)) != string(iv.MarshalTo(nil))) {
			return fmt.Errorf("%s.%s: a modifier element was changed", at, name)
		}
	}
	return c.complete(in, out, all, at)
}

// bundle checks a released Bundle, entry by entry.
func (c *check) bundle(in, out *fastjson.Value, eff []level, at string) error {
	if c.containerFails(in, eff) {
		return fmt.Errorf("%s: a Bundle that must be withheld whole was released", at)
	}
	own, _, _, _ := ownBeyond(in)
	beff := append(append([]level{}, eff...), own)
	doc := string(in.GetStringBytes("type")) == "document"
	// Entries pair by fullUrl where they have one (two entries may share a
	// Type/id on different servers), else by Type/id.
	outBy := map[string]*fastjson.Value{}
	entryKey := func(e, res *fastjson.Value) string {
		if fu := string(e.GetStringBytes("fullUrl")); fu != "" {
			return "url " + fu
		}
		if id := res.GetStringBytes("id"); len(id) > 0 {
			return "id " + string(res.GetStringBytes("resourceType")) + "/" + string(id)
		}
		return ""
	}
	for _, e := range out.GetArray("entry") {
		if res := e.Get("resource"); res != nil {
			outBy[entryKey(e, res)] = res
		}
	}
	seen := map[string]int{}
	for _, e := range in.GetArray("entry") {
		if res := e.Get("resource"); e.Type() == fastjson.TypeObject && res != nil {
			seen[entryKey(e, res)]++
		}
	}
	cover := map[string]level{}
	if doc {
		if comp := in.Get("entry", "0", "resource"); comp != nil {
			var walk func(secs []*fastjson.Value, above level)
			walk = func(secs []*fastjson.Value, above level) {
				for _, s := range secs {
					ls := append(append(level{}, above...), inlineOf(s)...)
					for _, ref := range s.GetArray("entry") {
						k := refKey(string(ref.GetStringBytes("reference")))
						cover[k] = append(cover[k], ls...)
					}
					walk(s.GetArray("section"), ls)
				}
			}
			walk(comp.GetArray("section"), nil)
		}
	}
	// A resource goes in every version and copy (the same Type/id) when
	// one must go: the first round finds those, the second judges.
	goneIDs := map[string]bool{}
	for _, ref := range c.r.withheldRefs {
		goneIDs[refKey(ref)] = true
	}
	entries := in.GetArray("entry")
	gone := make([]bool, len(entries))
	var orphans map[int]bool
	for round := 0; round < 2; round++ {
		if round == 1 {
			orphans = directoryOrphans(entries, gone)
		}
		for i, e := range entries {
			here := fmt.Sprintf("%s.entry[%d]", at, i)
			res := e.Get("resource")
			if e.Type() != fastjson.TypeObject || res == nil || res.Type() != fastjson.TypeObject {
				continue
			}
			tid := ""
			if id := res.GetStringBytes("id"); len(id) > 0 {
				tid = string(res.GetStringBytes("resourceType")) + "/" + string(id)
			}
			var keys []string
			for _, k := range keysOf(string(e.GetStringBytes("fullUrl")), res) {
				keys = append(keys, refKey(k))
			}
			if round == 1 && (len(keys) == 0 || seen[entryKey(e, res)] > 1) {
				continue // cannot be told apart from other entries
			}
			got := outBy[entryKey(e, res)]
			var sec level
			for _, k := range keys {
				sec = append(sec, cover[k]...)
			}
			eeff := append(append([]level{}, beff...), entryLevel(e), sec)
			may := !c.resourceFails(res, eeff, doc && i == 0, true)
			if may && c.goesWith(res, keys) {
				may = false
			}
			if round == 0 {
				if !may && tid != "" {
					goneIDs[tid] = true
				}
				gone[i] = !may
				continue
			}
			if orphans[i] {
				may = false
			}
			if goneIDs[tid] {
				may = false
			}
			if may && got == nil && !c.searches {
				return fmt.Errorf("%s: an entry the recipient may see was withheld", here)
			}
			if !may && got != nil {
				return fmt.Errorf("%s: an entry the recipient may not see was released", here)
			}
			if got != nil {
				if err := c.released(res, got, eeff, true, doc && i == 0, here); err != nil {
					return err
				}
			}
		}
	}
	for i, e := range out.GetArray("entry") {
		if e.Type() != fastjson.TypeObject {
			return fmt.Errorf("%s.entry[%d]: an entry that is not an object was released", at, i)
		}
		if res := e.Get("resource"); res != nil && len(res.GetStringBytes("id")) > 0 &&
			goneIDs[string(res.GetStringBytes("resourceType"))+"/"+string(res.GetStringBytes("id"))] {
			return fmt.Errorf("%s.entry[%d]: a version of a resource that must be withheld was released", at, i)
		}
		if o := e.Get("response", "outcome"); o != nil && c.resourceFails(o, append(append([]level{}, beff...), entryLevel(e)), false, false) {
			return fmt.Errorf("%s.entry[%d].response.outcome: an outcome the recipient may not see was released", at, i)
		}
	}
	// The Bundle's own elements (links, identifier, ...) are judged too.
	if err := c.elements(withoutEntries(out), beff, at, true); err != nil {
		return err
	}
	if err := c.total(in, out, at); err != nil {
		return err
	}
	// The mark covers what is released, contained resources included.
	mark := -1
	for _, l := range codingsOf(out.Get("meta", "security")) {
		if l.system == sysConf {
			mark = max(mark, confRank[l.code])
		}
	}
	for i, e := range out.GetArray("entry") {
		res := e.Get("resource")
		if res == nil || string(res.GetStringBytes("resourceType")) == "Bundle" {
			continue
		}
		// (A document's sections may classify what they list, and what
		// holds a nested Bundle its entries: the rule for those is the
		// mark's own, above.)
		if held := releasedHeldRank(res, confOf(entryInlineOf(e))); held > mark && at == "resource" && !doc && string(res.GetStringBytes("resourceType")) == "Parameters" {
			return fmt.Errorf("%s: the released Bundle's confidentiality is below that of a resource entry %d holds", at, i)
		}
		for _, l := range allLabels(res, doc && i == 0) {
			if l.system == sysConf && !l.bad && confRank[l.code] > mark {
				return fmt.Errorf("%s: the released Bundle's confidentiality is below entry %d's", at, i)
			}
		}
	}
	// (Redaction keeps a head it found, and cannot add one that was missing.)
	if doc && string(in.GetStringBytes("entry", "0", "resource", "resourceType")) == "Composition" && len(out.GetArray("entry")) > 0 &&
		string(out.GetStringBytes("entry", "0", "resource", "resourceType")) != "Composition" {
		return fmt.Errorf("%s: a document released without its Composition", at)
	}
	if string(out.GetStringBytes("type")) == "message" && len(out.GetArray("entry")) > 0 &&
		string(in.GetStringBytes("entry", "0", "resource", "resourceType")) == "MessageHeader" &&
		string(out.GetStringBytes("entry", "0", "resource", "resourceType")) != "MessageHeader" {
		return fmt.Errorf("%s: a message released without its MessageHeader", at)
	}
	return nil
}

// content is a resource's JSON without what redaction may rewrite without
// taking content away: meta, narrative, a document's confidentiality, and
// nested resources (which are judged on their own).
func content(v *fastjson.Value) string {
	var a fastjson.Arena
	o := a.NewObject()
	vo, _ := v.Object()
	vo.Visit(func(k []byte, x *fastjson.Value) {
		switch string(k) {
		case "meta", "text", "confidentiality", "parameter":
		default:
			o.Set(string(k), x)
		}
	})
	return string(o.MarshalTo(nil))
}

// withoutEntries is a Bundle's own part: everything but its entries.
func withoutEntries(b *fastjson.Value) *fastjson.Value {
	var a fastjson.Arena
	o := a.NewObject()
	bo, _ := b.Object()
	bo.Visit(func(k []byte, x *fastjson.Value) {
		if string(k) != "entry" {
			o.Set(string(k), x)
		}
	})
	return o
}

// total checks that a released searchset's total counts what was withheld.
func (c *check) total(in, out *fastjson.Value, at string) error {
	t := in.Get("total")
	if t == nil {
		return nil
	}
	n, ok := 0, false
	switch t.Type() {
	case fastjson.TypeNumber:
		f := t.GetFloat64()
		n, ok = int(f), f == float64(int(f)) && f >= 0
	case fastjson.TypeString:
		_, err := fmt.Sscanf(string(t.GetStringBytes()), "%d", &n)
		ok = err == nil && fmt.Sprint(n) == string(t.GetStringBytes())
	}
	// Entries are removed whole and never added, so what is gone is the
	// difference of the counted entries (matches, and entries that are not
	// objects), whether or not a resource has an id to find it by.
	counted := func(b *fastjson.Value) int {
		k := 0
		for _, e := range b.GetArray("entry") {
			mode := string(e.GetStringBytes("search", "mode"))
			if e.Type() != fastjson.TypeObject || e.Get("resource") != nil && (mode == "" || mode == "match") {
				k++
			}
		}
		return k
	}
	gone := counted(in) - counted(out)
	ot := out.Get("total")
	switch {
	case gone == 0:
	case !ok && ot != nil:
		return fmt.Errorf("%s.total: a total that cannot be read was released uncorrected", at)
	case ok && (ot == nil || ot.Type() != fastjson.TypeNumber || ot.GetInt() != max(n-gone, 0)):
		return fmt.Errorf("%s.total: %d matches withheld from %s, output total %v", at, gone, t, ot)
	}
	return nil
}

// elements walks a released resource: no element carries labels the
// recipient may not see; nested resources are judged as resources.
func (c *check) elements(v *fastjson.Value, eff []level, at string, top bool) error {
	o, _ := v.Object()
	var err error
	o.Visit(func(k []byte, x *fastjson.Value) {
		name := string(k)
		if err != nil || name == "meta" {
			return
		}
		here := at + "." + name
		switch {
		case name == "contained" && top:
			for i, it := range x.GetArray() {
				ce := append(append([]level{}, eff...), append(inlineOf(it), codingsOf(it.Get("meta", "security"))...))
				if c.r.forbidden(ce, false) || c.r.deniesType(string(it.GetStringBytes("resourceType"))) {
					err = fmt.Errorf("%s[%d]: a contained resource the recipient may not see was released", here, i)
					return
				}
				if err = c.elements(it, ce, fmt.Sprintf("%s[%d]", here, i), true); err != nil {
					return
				}
			}
			return
		case name == "resource" && x.Type() == fastjson.TypeObject && len(x.GetStringBytes("resourceType")) > 0 && strings.Contains(at, "parameter"):
			// A resource where R4 puts one in Parameters (parameter and part).
			if c.resourceFails(x, eff, false, false) {
				err = fmt.Errorf("%s: a nested resource the recipient may not see was released", here)
			}
			return
		}
		own := inlineOf(x)
		if sib := v.Get("_" + name); sib != nil && (x.Type() != fastjson.TypeArray || sib.Type() != fastjson.TypeArray) {
			own = append(own, siblingOf(sib)...)
		}
		if strings.HasPrefix(name, "_") && v.Get(name[1:]) == nil {
			own = append(own, siblingOf(x)...)
		}
		e := eff
		if len(own) > 0 {
			e = append(append([]level{}, eff...), own)
			if c.r.forbidden(e, false) {
				err = fmt.Errorf("%s: a released element carries labels the recipient may not see", here)
				return
			}
		}
		switch x.Type() {
		case fastjson.TypeObject:
			err = c.elements(x, e, here, false)
		case fastjson.TypeArray:
			sib := v.GetArray("_" + name)
			for i, it := range x.GetArray() {
				o2 := inlineOf(it)
				if i < len(sib) && v.Get("_"+name).Type() == fastjson.TypeArray {
					o2 = append(o2, siblingOf(sib[i])...)
				}
				e2 := e
				if len(o2) > 0 {
					e2 = append(append([]level{}, e...), o2)
					if c.r.forbidden(e2, false) {
						err = fmt.Errorf("%s[%d]: a released item carries labels the recipient may not see", here, i)
						return
					}
				}
				if it.Type() == fastjson.TypeObject {
					if err = c.elements(it, e2, fmt.Sprintf("%s[%d]", here, i), false); err != nil {
						return
					}
				}
			}
		}
	})
	return err
}

// survives reports whether any part of v the recipient may see is left.
func (c *check) survives(v *fastjson.Value, eff []level) bool {
	switch v.Type() {
	case fastjson.TypeObject:
		e, no := c.under(v, eff)
		if no {
			return false
		}
		o, _ := v.Object()
		left := false
		o.Visit(func(k []byte, x *fastjson.Value) {
			name := string(k)
			if name == "id" || name == "url" || name == "extension" && allInline(x) {
				return
			}
			if strings.HasPrefix(name, "_") {
				return
			}
			// A primitive array's _x that is no array cannot be read item
			// by item: its labels cover the whole array.
			if sib := v.Get("_" + name); sib != nil && (x.Type() != fastjson.TypeArray || sib.Type() != fastjson.TypeArray) {
				if s := siblingOf(sib); len(s) > 0 && c.r.forbidden(append(append([]level{}, e...), s), false) {
					return
				}
			}
			left = left || c.survives(x, e)
		})
		return left
	case fastjson.TypeArray:
		for _, it := range v.GetArray() {
			if c.survives(it, eff) {
				return true
			}
		}
		return false
	}
	return true
}

func allInline(x *fastjson.Value) bool {
	for _, it := range x.GetArray() {
		if string(it.GetStringBytes("url")) != inlineURL {
			return false
		}
	}
	return true
}

// complete: every top-level element of a released resource whose content
// the recipient may see is still there (as itself or masked).
func (c *check) complete(in, out *fastjson.Value, eff []level, at string) error {
	o, _ := in.Object()
	var err error
	o.Visit(func(k []byte, x *fastjson.Value) {
		name := string(k)
		if err != nil || name == "meta" || name == "text" || strings.HasPrefix(name, "_") || name == "contained" || name == "confidentiality" || name == "section" || name == "entry" || name == "parameter" {
			return
		}
		// A List emptied by redaction loses what named what went; an item
		// that pointed at something withheld goes whole.
		if _, ok := pointerItems[string(in.GetStringBytes("resourceType"))][name]; ok {
			return
		}
		if (name == "title" || name == "code") && string(out.GetStringBytes("emptyReason", "coding", "0", "code")) == "withheld" {
			return
		}
		own := inlineOf(x)
		if sib := in.Get("_" + name); sib != nil {
			own = append(own, siblingOf(sib)...)
		}
		e := eff
		if len(own) > 0 {
			e = append(append([]level{}, eff...), own)
			if c.r.forbidden(e, false) {
				return
			}
		}
		if x.Type() != fastjson.TypeObject && x.Type() != fastjson.TypeArray || !c.survives(x, e) {
			return
		}
		if out.Get(name) == nil && out.Get("_"+name) == nil {
			err = fmt.Errorf("%s.%s: an element the recipient may see is gone", at, name)
		}
	})
	return err
}

// bareParameter finds a parameter (or part) with neither a value, a
// resource nor parts, which Parameters' inv-1 forbids.
func bareParameter(arr *fastjson.Value, at string) error {
	for i, p := range arr.GetArray() {
		o, err := p.Object()
		if err != nil {
			continue
		}
		has := false
		o.Visit(func(k []byte, _ *fastjson.Value) {
			name := strings.TrimPrefix(string(k), "_")
			has = has || name == "resource" || name == "part" || strings.HasPrefix(name, "value")
		})
		here := fmt.Sprintf("%s[%d]", at, i)
		if !has {
			return fmt.Errorf("%s: a parameter with neither a value, a resource nor parts", here)
		}
		if err := bareParameter(p.Get("part"), here+".part"); err != nil {
			return err
		}
	}
	return nil
}

// sound checks released output for what must never be in it: a string
// naming a withheld resource, a masked reference that still identifies its
// target, a changed resource without a confidentiality, an empty object or
// array, or a complex choice element masked as a primitive.
func (c *check) sound(v *fastjson.Value, at string, inMeta, resource bool) error {
	switch v.Type() {
	case fastjson.TypeObject:
		o, _ := v.Object()
		if o.Len() == 0 && !c.empties {
			return fmt.Errorf("%s: an empty object", at)
		}
		if masked(v) {
			for _, k := range []string{"reference", "display", "identifier", "type"} {
				if v.Get(k) != nil {
					return fmt.Errorf("%s: a masked reference keeps its %s", at, k)
				}
			}
			for _, x := range v.GetArray("extension") {
				if u := string(x.GetStringBytes("url")); u != inlineURL && u != "http://hl7.org/fhir/StructureDefinition/data-absent-reason" {
					return fmt.Errorf("%s: a masked element keeps the extension %s, which may describe what it named", at, u)
				}
			}
		}
		if string(v.GetStringBytes("emptyReason", "coding", "0", "code")) == "withheld" && !c.inputNames["emptyReason"] &&
			(v.Get("title") != nil || v.Get("code") != nil) {
			return fmt.Errorf("%s: a section or List emptied by redaction keeps the title or code of what went", at)
		}
		if !inMeta && !resource && c.logicallyNamesWithheld(v) {
			return fmt.Errorf("%s: a reference by identifier to a withheld resource was released", at)
		}
		if resource && string(v.GetStringBytes("resourceType")) == "Parameters" {
			if err := bareParameter(v.Get("parameter"), at+".parameter"); err != nil && !c.bareParams {
				return err
			}
			// A Parameters that redaction changed, and so gave the
			// confidentiality it lacked, covers the resources it releases
			// (those an inline label on the way classifies aside: checked
			// on the top resource, where nothing is on the way to it).
			if at == "resource" && redacted(v) && !c.classifiedParams && !c.documents {
				if have, want := entryRank(v), releasedHeldRank(v, -1); have < want {
					return fmt.Errorf("%s: a redacted Parameters' confidentiality rank %d is below its resources' %d", at, have, want)
				}
			}
		}
		if resource && !inMeta {
			if div := string(v.GetStringBytes("text", "div")); div != "" {
				for k := range c.withheld {
					if strings.Contains(div, `"`+k+`"`) {
						return fmt.Errorf("%s.text: the narrative links to withheld %s", at, k)
					}
				}
				if c.names(div) {
					return fmt.Errorf("%s.text: the narrative names a withheld resource", at)
				}
			}
		}
		var err error
		o.Visit(func(k []byte, x *fastjson.Value) {
			name := string(k)
			if err != nil {
				return
			}
			if strings.HasPrefix(name, "_value") && len(name) > 6 && !strings.Contains(" "+primitiveTypes+" ", " "+name[6:]+" ") && !c.inputNames[name] {
				err = fmt.Errorf("%s.%s: a complex choice element written as a primitive", at, name)
				return
			}
			for _, t := range complexTypes {
				if strings.HasPrefix(name, "_") && strings.HasSuffix(name, t) && len(name) > len(t)+1 && name[len(name)-len(t)-1] >= 'a' && name[len(name)-len(t)-1] <= 'z' && !c.inputNames[name] {
					err = fmt.Errorf("%s.%s: a complex choice element written as a primitive", at, name)
					return
				}
			}
			if x.Type() == fastjson.TypeString && !inMeta && name != "fullUrl" && name != "id" && name != "system" && !(name == "url" && isExtension(v)) {
				if s := string(x.GetStringBytes()); c.names(s) {
					err = fmt.Errorf("%s.%s: %q names a withheld resource", at, name, s)
					return
				}
			}
			err = c.sound(x, at+"."+name, inMeta || name == "meta", name == "resource" || name == "outcome")
		})
		return err
	case fastjson.TypeArray:
		if len(v.GetArray()) == 0 && !c.empties {
			return fmt.Errorf("%s: an empty array", at)
		}
		for i, it := range v.GetArray() {
			if it.Type() == fastjson.TypeString && !inMeta {
				if s := string(it.GetStringBytes()); c.names(s) {
					return fmt.Errorf("%s[%d]: %q names a withheld resource", at, i, s)
				}
			}
			if err := c.sound(it, fmt.Sprintf("%s[%d]", at, i), inMeta, strings.HasSuffix(at, ".contained")); err != nil {
				return err
			}
		}
	}
	return nil
}

// names reports whether a string is a reference to a withheld resource or
// mentions one in its text: a Type/id (its type capitalised, not inside a
// word) or a urn:, with or without final full stops.
func (c *check) names(s string) bool {
	// A reference may escape any character of its URL (Condition/%63%31).
	if strings.Contains(s, "%") {
		if u, err := url.PathUnescape(s); err == nil && u != s && c.names(u) {
			return true
		}
	}
	if (strings.Contains(s, "/") || strings.HasPrefix(s, "urn:")) && c.withheld[refKey(s)] {
		return true
	}
	// A conditional reference by identifier (Type?identifier=system|value).
	if _, q, ok := strings.Cut(s, "?"); ok && len(c.withheldIDs) > 0 {
		if vs, err := url.ParseQuery(q); err == nil {
			for _, tok := range vs["identifier"] {
				sys, val, hasSys := strings.Cut(tok, "|")
				if !hasSys {
					sys, val = "", tok
				}
				if c.withheldIdentifier(sys, val) {
					return true
				}
			}
		}
	}
	if len(c.withheld) == 0 {
		return false
	}
	// Scanned by hand, not by a regular expression: this runs on every
	// string released, and the race detector makes a regexp minutes slower.
	letter := func(b byte) bool { return b >= 'A' && b <= 'Z' || b >= 'a' && b <= 'z' }
	idByte := func(b byte) bool { return letter(b) || b >= '0' && b <= '9' || b == '.' || b == '-' }
	found := func(ref string) bool {
		for ; ref != ""; ref = ref[:len(ref)-1] {
			if c.withheld[ref] {
				return true
			}
			if !strings.HasSuffix(ref, ".") {
				return false
			}
		}
		return false
	}
	for i := 0; i < len(s); i++ {
		switch {
		case s[i] == '/':
			j := i
			for j > 0 && letter(s[j-1]) {
				j--
			}
			k := i + 1
			for k < len(s) && idByte(s[k]) {
				k++
			}
			if j < i && s[j] >= 'A' && s[j] <= 'Z' && k > i+1 && found(s[j:k]) {
				return true
			}
		case strings.HasPrefix(s[i:], "urn:") && (i == 0 || !letter(s[i-1])):
			k := i + 4
			for k < len(s) && !strings.ContainsRune(" \t\n\r\"'<>,;)]}", rune(s[k])) {
				k++
			}
			if found(s[i:k]) {
				return true
			}
		}
	}
	return false
}

// isExtension tells an extension (whose url is its definition) from other
// objects with a url.
func isExtension(v *fastjson.Value) bool {
	o, _ := v.Object()
	ext := false
	o.Visit(func(k []byte, _ *fastjson.Value) {
		ext = ext || strings.HasPrefix(string(k), "value") || string(k) == "extension" && o.Len() == 2
	})
	return ext && v.Get("url") != nil
}

// complexTypes are the R4 complex datatypes a choice element's name may end in.
var complexTypes = strings.Fields("Address Age Annotation Attachment CodeableConcept Coding ContactDetail ContactPoint Contributor Count " +
	"DataRequirement Distance Dosage Duration Expression HumanName Identifier Meta Money ParameterDefinition Period Quantity Range Ratio " +
	"Reference RelatedArtifact SampledData Signature Timing TriggerDefinition UsageContext")

func masked(v *fastjson.Value) bool {
	for _, x := range v.GetArray("extension") {
		if string(x.GetStringBytes("url")) == "http://hl7.org/fhir/StructureDefinition/data-absent-reason" && string(x.GetStringBytes("valueCode")) == "masked" {
			return true
		}
	}
	return false
}

func redactChecked(t *testing.T, e *engine.Engine, r *recipient, name string, in []byte) {
	t.Helper()
	res, err := e.Redact(context.Background(), in, r.request())
	if err != nil {
		var ee *engine.Error
		if !errors.As(err, &ee) || ee.Code == engine.ErrInternal {
			t.Fatalf("%s: redact failed without a proper code: %v", name, err)
		}
		return
	}
	if res.Resource != nil && fastjson.ValidateBytes(res.Resource) != nil {
		t.Fatalf("%s: output is not valid JSON", name)
	}
	if err := checkRedaction(r, in, res.Resource); err != nil {
		t.Logf("report: %+v", res.Report.Withheld)
		t.Fatalf("%s (clearance %c, pou %q, deny %v, allow %v/%v, compartments %v, ignore %v, exceptAnyOfCodes %v): %v\ninput: %s", name, "ULMNRV"[r.clearance], r.pou, r.deny, r.allowSet, r.allow, r.compartments, r.ignore, r.releaseOnly, err, in)
	}
	if res.Resource != nil {
		again, err := e.Redact(context.Background(), res.Resource, r.request())
		if err != nil || !bytes.Equal(again.Resource, res.Resource) {
			t.Fatalf("%s: redaction is not idempotent (%v)\n once: %.400s\ntwice: %.400s", name, err, res.Resource, again.Resource)
		}
	}
}

func TestRedactionSecurityProperty(t *testing.T) {
	e, _ := engine.New(engine.Options{})
	rng := rand.New(rand.NewSource(1))
	inputs := goldenResources(t)
	for round := 0; round < 30; round++ {
		r := randomRecipient(rng)
		for i, in := range inputs {
			redactChecked(t, e, r, fmt.Sprintf("golden input %d", i), in)
		}
	}
}

func TestRedactionSecurityPropertySynthea(t *testing.T) {
	files := testenv.Synthea(t)
	labeler, _ := engine.New(engine.Options{TextMatch: engine.TextAll, BundleHighWaterMark: true})
	e, _ := engine.New(engine.Options{})
	rng := rand.New(rand.NewSource(2))
	for _, f := range files {
		labeled, err := labeler.Label(context.Background(), f.Data)
		if err != nil {
			t.Fatal(err)
		}
		for round := 0; round < 4; round++ {
			redactChecked(t, e, randomRecipient(rng), f.Name, labeled.Resource)
		}
	}
}

func FuzzRedact(f *testing.F) {
	for _, r := range goldenResources(f) {
		f.Add(r, int64(1))
	}
	e, _ := engine.New(engine.Options{MaxDepth: 64})
	f.Fuzz(func(t *testing.T, in []byte, seed int64) {
		r := randomRecipient(rand.New(rand.NewSource(seed)))
		if fastjson.ValidateBytes(in) != nil {
			if _, err := e.Redact(context.Background(), in, r.request()); err == nil {
				t.Fatalf("invalid JSON accepted")
			}
			return
		}
		redactChecked(t, e, r, "fuzz", in)
	})
}
