package engine_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math/rand"
	"strings"
	"testing"

	"github.com/seclabel/seclabel/engine"
	"github.com/seclabel/seclabel/internal/testenv"
	"github.com/valyala/fastjson"
)

// An independent reading of who may see what, written only for tests: its
// own small copies of the hierarchies the random contexts use.
var (
	parentOf = map[string]string{"OPIOIDUD": "SUD", "ETHUD": "SUD", "SUD": "SPI", "MH": "SPI", "PSY": "SPI", "PSYTHPN": "SPI",
		"BH": "SPI", "ETREAT": "TREAT", "BTG": "ETREAT", "COC": "TREAT", "POPHLTH": "TREAT", "COVERAGE": "HPAYMT", "CLMATTCH": "HPAYMT"}
	// every code of the sensitivity tree (ds4p-spec.md §4.2)
	sensitivity  = map[string]bool{"_InformationSensitivityPolicy": true, "_ActInformationSensitivityPolicy": true, "ETH": true, "GDIS": true, "HIV": true, "MST": true, "PREGNANT": true, "SCA": true, "SDV": true, "SEX": true, "SPI": true, "BH": true, "COGN": true, "DVD": true, "EMOTDIS": true, "MH": true, "PSY": true, "PSYTHPN": true, "SUD": true, "ETHUD": true, "OPIOIDUD": true, "STD": true, "TBOO": true, "VIO": true, "IDS": true, "SICKLE": true, "_EntitySensitivityPolicyType": true, "DEMO": true, "DOB": true, "GENDER": true, "LIVARG": true, "MARST": true, "PATLOC": true, "RACE": true, "REL": true, "_RoleInformationSensitivityPolicy": true, "B": true, "EMPL": true, "LOCIS": true, "SSP": true, "ADOL": true, "CEL": true, "VIP": true, "DIA": true, "DRGIS": true, "EMP": true, "PDS": true, "PHY": true, "PRS": true}
	compartments = map[string]bool{"COMPT": true, "ACOCOMPT": true, "CDSSCOMPT": true, "CTCOMPT": true, "FMCOMPT": true, "HRCOMPT": true,
		"LRCOMPT": true, "PACOMPT": true, "RESCOMPT": true, "RMGTCOMPT": true}
)

var (
	pouSystems = map[string]bool{"http://terminology.hl7.org/CodeSystem/v3-ActReason": true, "http://hl7.org/fhir/v3/ActReason": true,
		"urn:oid:2.16.840.1.113883.5.8": true, "http://terminology.hl7.org/CodeSystem/v3-PurposeOfUse": true, "http://hl7.org/fhir/v3/PurposeOfUse": true}
	actCodeSystems = map[string]bool{"http://terminology.hl7.org/CodeSystem/v3-ActCode": true, "http://hl7.org/fhir/v3/ActCode": true,
		"urn:oid:2.16.840.1.113883.5.4": true}
)

func below(code, root string) bool {
	for c := code; c != ""; c = parentOf[c] {
		if c == root {
			return true
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
}

type lab struct{ system, code string }

func labelsOf(arr []*fastjson.Value) []lab {
	var out []lab
	for _, c := range arr {
		out = append(out, lab{strings.TrimSpace(string(c.GetStringBytes("system"))), string(c.GetStringBytes("code"))})
	}
	return out
}

// forbidden reports whether content carrying ls may not reach the recipient.
func (r *recipient) forbidden(ls []lab) bool {
	conf := -1
	var pous []string
	for _, l := range ls {
		if confSystems[l.system] {
			x, ok := confRank[l.code]
			if !ok {
				x = 5
			}
			conf = max(conf, x)
		}
		if pouSystems[l.system] {
			pous = append(pous, l.code)
		}
		for _, d := range r.deny {
			if l.code == d { // a plain code denies it in any system
				return true
			}
		}
		if actCodeSystems[l.system] {
			for _, d := range r.deny {
				if below(l.code, d) {
					return true
				}
			}
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
		}
	}
	if conf < 0 {
		conf = 3
	}
	if conf > r.clearance {
		return true
	}
	if pous != nil {
		for _, p := range pous {
			if r.pou != "" && below(r.pou, p) {
				return false
			}
		}
		return true
	}
	return false
}

func (r *recipient) request() engine.AccessContext {
	c := engine.AccessContext{Clearance: string("ULMNRV"[r.clearance]), PurposeOfUse: r.pou, Deny: r.deny}
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
	r.pou = []string{"", "TREAT", "ETREAT", "HPAYMT", "COVERAGE"}[rng.Intn(5)]
	r.deny = pick([]string{"HIV", "SUD", "OPIOIDUD", "MH", "ETH", "SEX", "STD", "DEMO"})
	for _, c := range pick([]string{"CTCOMPT", "RESCOMPT"}) {
		r.compartments[c] = true
	}
	if rng.Intn(4) == 0 {
		r.allowSet = true
		r.allow = pick([]string{"HIV", "SUD", "MH", "SEX"})
	}
	return r
}

// resourceLabels are the labels a whole resource carries (not in a document,
// where Composition.confidentiality is the document's mark).
func resourceLabelsOf(v *fastjson.Value, inDocument bool) []lab {
	ls := labelsOf(v.GetArray("meta", "security"))
	switch string(v.GetStringBytes("resourceType")) {
	case "DocumentReference":
		for _, cc := range v.GetArray("securityLabel") {
			ls = append(ls, labelsOf(cc.GetArray("coding"))...)
		}
	case "Composition":
		if c := v.Get("confidentiality"); c != nil && !inDocument {
			ls = append(ls, lab{"http://terminology.hl7.org/CodeSystem/v3-Confidentiality", string(c.GetStringBytes())})
		}
	}
	return ls
}

// inlineLabels are the inline labels on an element (its extension, or for
// primitives the _x sibling's).
func inlineLabelsOf(v *fastjson.Value) []lab {
	var out []lab
	if v == nil || v.Type() != fastjson.TypeObject {
		return nil
	}
	for _, x := range v.GetArray("extension") {
		if string(x.GetStringBytes("url")) == inlineURL {
			c := x.Get("valueCoding")
			if c == nil || len(c.GetStringBytes("code")) == 0 {
				out = append(out, lab{"http://terminology.hl7.org/CodeSystem/v3-Confidentiality", "malformed"})
				continue
			}
			out = append(out, lab{string(c.GetStringBytes("system")), string(c.GetStringBytes("code"))})
		}
	}
	return out
}

// checkReleased walks a released resource: nothing in it may carry
// labels the recipient may not see. It counts the inline-labeled elements.
func checkReleased(r *recipient, res *fastjson.Value, inDocument bool, where string) error {
	base := resourceLabelsOf(res, inDocument)
	if r.forbidden(base) {
		return fmt.Errorf("%s: released resource carries forbidden labels %v", where, base)
	}
	var walk func(v *fastjson.Value, eff []lab, at string) error
	walk = func(v *fastjson.Value, eff []lab, at string) error {
		switch v.Type() {
		case fastjson.TypeObject:
			o, _ := v.Object()
			var err error
			o.Visit(func(k []byte, c *fastjson.Value) {
				name := string(k)
				if err != nil || name == "meta" || name == "extension" {
					return
				}
				own := inlineLabelsOf(c)
				if sib := v.Get("_" + name); sib != nil && c.Type() != fastjson.TypeArray {
					own = append(own, inlineLabelsOf(sib)...)
				}
				e := append(append([]lab{}, eff...), own...)
				if len(own) > 0 && r.forbidden(e) {
					err = fmt.Errorf("%s.%s: released element carries forbidden labels %v", at, name, own)
					return
				}
				if c.Type() == fastjson.TypeArray {
					sib := v.GetArray("_" + name)
					for i, it := range c.GetArray() {
						o2 := inlineLabelsOf(it)
						if i < len(sib) {
							o2 = append(o2, inlineLabelsOf(sib[i])...)
						}
						e2 := append(append([]lab{}, e...), o2...)
						if len(o2) > 0 && r.forbidden(e2) {
							err = fmt.Errorf("%s.%s[%d]: released item carries forbidden labels %v", at, name, i, o2)
							return
						}
						if name == "contained" {
							e2 = append(e2, labelsOf(it.GetArray("meta", "security"))...)
							if r.forbidden(e2) {
								err = fmt.Errorf("%s.contained[%d]: released contained resource is forbidden", at, i)
								return
							}
						}
						if name != "entry" {
							if err = walk(it, e2, fmt.Sprintf("%s.%s[%d]", at, name, i)); err != nil {
								return
							}
						}
					}
					return
				}
				err = walk(c, e, at+"."+name)
			})
			return err
		}
		return nil
	}
	return walk(res, base, where)
}

// checkRedaction asserts the security property of one redaction, and that
// what the recipient may see is still there.
func checkRedaction(r *recipient, in, out []byte) error {
	iv, err := fastjson.ParseBytes(in)
	if err != nil {
		return nil
	}
	if out == nil {
		if string(iv.GetStringBytes("resourceType")) != "Bundle" && !r.forbidden(resourceLabelsOf(iv, false)) {
			// Withheld whole: only right when the resource is forbidden or
			// holds a required element that cannot be masked.
			return fmt.Errorf("a resource the recipient may see was withheld: %.200s", in)
		}
		return nil
	}
	ov, err := fastjson.ParseBytes(out)
	if err != nil {
		return fmt.Errorf("output is not JSON: %v", err)
	}
	var bundle func(ib, ob *fastjson.Value, at string) error
	bundle = func(ib, ob *fastjson.Value, at string) error {
		doc := string(ob.GetStringBytes("type")) == "document"
		outByKey := map[string]*fastjson.Value{}
		for i, e := range ob.GetArray("entry") {
			res := e.Get("resource")
			if res == nil {
				continue
			}
			if string(res.GetStringBytes("resourceType")) == "Bundle" {
				outByKey[entryKey(e)] = res
				continue
			}
			if err := checkReleased(r, res, doc && i == 0, fmt.Sprintf("%s.entry[%d]", at, i)); err != nil {
				return err
			}
			if k := entryKey(e); k != "" {
				outByKey[k] = res
			}
		}
		compWithheld := false
		for i, e := range ib.GetArray("entry") {
			res := e.Get("resource")
			if res == nil {
				continue
			}
			if doc && i == 0 && r.forbidden(resourceLabelsOf(res, true)) {
				compWithheld = true
			}
			key := entryKey(e)
			got, ok := outByKey[key]
			if key == "" {
				continue // cannot be told apart from other entries
			}
			if string(res.GetStringBytes("resourceType")) == "Bundle" {
				if ok {
					if err := bundle(res, got, fmt.Sprintf("%s.entry[%d]", at, i)); err != nil {
						return err
					}
				}
				continue
			}
			may := !r.forbidden(resourceLabelsOf(res, doc && i == 0))
			if doc && i == 0 && !may {
				compWithheld = true
			}
			if may && !ok && !compWithheld {
				return fmt.Errorf("%s.entry[%d]: an entry the recipient may see was withheld", at, i)
			}
			if ok && may {
				if err := sameAllowedInline(r, res, got, fmt.Sprintf("%s.entry[%d]", at, i)); err != nil {
					return err
				}
			}
		}
		return nil
	}
	if string(ov.GetStringBytes("resourceType")) == "Bundle" {
		return bundle(iv, ov, "Bundle")
	}
	if err := checkReleased(r, ov, false, "resource"); err != nil {
		return err
	}
	return sameAllowedInline(r, iv, ov, "resource")
}

// entryKey identifies an entry by fullUrl or Type/id; "" when it has neither.
func entryKey(e *fastjson.Value) string {
	if fu := e.GetStringBytes("fullUrl"); len(fu) > 0 {
		return string(fu)
	}
	r := e.Get("resource")
	if id := r.GetStringBytes("id"); len(id) > 0 {
		return string(r.GetStringBytes("resourceType")) + "/" + string(id)
	}
	return ""
}

// sameAllowedInline: every top-level element of a released resource that
// carries no forbidden inline label is still present (as itself or, when
// masked, as data-absent-reason), and has as many items as before minus the
// forbidden ones.
func sameAllowedInline(r *recipient, in, out *fastjson.Value, at string) error {
	base := resourceLabelsOf(in, false)
	o, _ := in.Object()
	var err error
	o.Visit(func(k []byte, c *fastjson.Value) {
		name := string(k)
		if err != nil || name == "meta" || name == "text" || strings.HasPrefix(name, "_") || name == "contained" || name == "confidentiality" {
			return
		}
		own := inlineLabelsOf(c)
		if sib := in.Get("_" + name); sib != nil && c.Type() != fastjson.TypeArray {
			own = append(own, inlineLabelsOf(sib)...)
		}
		if len(own) > 0 && r.forbidden(append(append([]lab{}, base...), own...)) {
			return
		}
		if c.Type() == fastjson.TypeArray {
			keep := 0
			sib := in.GetArray("_" + name)
			for i, it := range c.GetArray() {
				o2 := inlineLabelsOf(it)
				if i < len(sib) {
					o2 = append(o2, inlineLabelsOf(sib[i])...)
				}
				if len(o2) == 0 || !r.forbidden(append(append([]lab{}, base...), o2...)) {
					keep++
				}
			}
			got := out.Get(name)
			if keep > 0 && (got == nil || len(got.GetArray()) != keep) {
				err = fmt.Errorf("%s.%s: %d items may be seen, output has %v", at, name, keep, got)
			}
			return
		}
		if out.Get(name) == nil && out.Get("_"+name) == nil {
			err = fmt.Errorf("%s.%s: an element the recipient may see is gone", at, name)
		}
	})
	return err
}

func redactChecked(t *testing.T, e *engine.Engine, r *recipient, name string, in []byte) {
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
		t.Fatalf("%s (clearance %c, pou %q, deny %v, allow %v/%v, compartments %v): %v", name, "ULMNRV"[r.clearance], r.pou, r.deny, r.allowSet, r.allow, r.compartments, err)
	}
	if res.Resource != nil {
		again, err := e.Redact(context.Background(), res.Resource, r.request())
		if err != nil || !bytes.Equal(again.Resource, res.Resource) {
			t.Fatalf("%s: redaction is not idempotent (%v)", name, err)
		}
	}
}

func TestRedactionSecurityProperty(t *testing.T) {
	e, _ := engine.New(engine.Options{})
	rng := rand.New(rand.NewSource(1))
	inputs := goldenResources(t)
	for round := 0; round < 20; round++ {
		r := randomRecipient(rng)
		for i, in := range inputs {
			redactChecked(t, e, r, fmt.Sprintf("golden input %d", i), in)
		}
	}
}

func TestRedactionSecurityPropertySynthea(t *testing.T) {
	files := testenv.Synthea(t)
	labeler, _ := engine.New(engine.Options{TextMatch: true, BundleHighWaterMark: true})
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
