package engine

import (
	"strings"

	"github.com/seclabel/seclabel/internal/jsonx"
)

// positiveResult reports whether resource n is an Observation whose result
// says the substance or finding was there. Rules with positiveResult use
// it: a drug screen ordered reveals little, a positive one is a substance
// use finding (DESIGN.md, "What the default packs know").
//
// The interpretation decides when it names one (positive, detected,
// abnormal, high); else the value does: a code or text meaning positive,
// detected, present or reactive, true, or a quantity or integer above zero
// that no "<" comparator qualifies (a measured level of what the test
// looks for). A scored instrument's rule sets a cut-off instead (rule
// member atLeast): its total is positive at the cut-off or above, as a
// PHQ-9 of 10 is a probable depression and a PHQ-9 of 4 is not. A
// component of a panel counts like the Observation's own value.
func positiveResult(d *jsonx.Doc, n jsonx.Node, cut cutoff) bool {
	if d.Str(d.Get(n, "resourceType")) != "Observation" {
		return false
	}
	if positiveValue(d, n, cut) {
		return true
	}
	found := false
	d.Items(d.Get(n, "component"), func(_ int, c jsonx.Node) bool {
		found = positiveValue(d, c, cut)
		return !found
	})
	return found
}

// positiveAnswer reports whether an answer of questionnaire item v says
// what a positive value of an Observation would (positiveValue): a count
// at the cut-off, a frequency above "not at all", a yes.
func positiveAnswer(d *jsonx.Doc, v jsonx.Node, cut cutoff) bool {
	found := false
	d.Items(d.Get(v, "answer"), func(_ int, a jsonx.Node) bool {
		found = positiveValue(d, a, cut)
		return !found
	})
	return found
}

// cutoff is the least value a positive result has, when set (a whole
// number, in decimal digits); otherwise any value above zero is positive.
type cutoff struct {
	set   bool
	min   string
	words bool // no number is positive: the cut of a question's answer
}

// answerCut judges the answer to a question: a number answers none yes
// ("How many times ...?" answered 2).
var answerCut = cutoff{words: true}

// positive judges a number of a result, raw JSON, with the comparator that
// qualifies it ("" for none).
func (c cutoff) positive(raw []byte, comparator string) bool {
	if c.words || comparator == "<" || comparator == "<=" || len(raw) == 0 {
		return false
	}
	if !c.set {
		return raw[0] != '-' && strings.Trim(string(raw), "0.eE+") != ""
	}
	return wholeAtLeast(raw, c.min)
}

// positiveValue judges the value[x] and interpretation of an Observation
// or one of its components.
func positiveValue(d *jsonx.Doc, n jsonx.Node, cut cutoff) bool {
	said, pos := false, false
	d.Items(d.Get(n, "interpretation"), func(_ int, cc jsonx.Node) bool {
		d.Items(d.Get(cc, "coding"), func(_ int, c jsonx.Node) bool {
			switch code := d.Str(d.Get(c, "code")); {
			case among(code, "POS DET A AA H HH HU > "):
				said, pos = true, true
			case among(code, "NEG ND N L LL LU < "):
				said = true
			}
			return !pos
		})
		return !pos
	})
	if said {
		return pos
	}
	if v := d.Get(n, "valueCodeableConcept"); v >= 0 {
		d.Items(d.Get(v, "coding"), func(_ int, c jsonx.Node) bool {
			pos = positiveCodes[d.Str(d.Get(c, "code"))] || positiveWord(d.Str(d.Get(c, "display")))
			return !pos
		})
		return pos || positiveWord(d.Str(d.Get(v, "text")))
	}
	if c := d.Get(n, "valueCoding"); c >= 0 { // a questionnaire's answer
		return positiveCodes[d.Str(d.Get(c, "code"))] || positiveWord(d.Str(d.Get(c, "display")))
	}
	if v := d.Get(n, "valueString"); v >= 0 {
		return positiveWord(d.Str(v))
	}
	if v := d.Get(n, "valueBoolean"); v >= 0 {
		return d.Bool(v)
	}
	// A number: a quantity's value, which a comparator may qualify, an
	// integer, or a decimal (a questionnaire's answer).
	num, comparator := d.Get(n, "valueInteger"), ""
	if q := d.Get(n, "valueQuantity"); q >= 0 {
		num, comparator = d.Get(q, "value"), d.Str(d.Get(q, "comparator"))
	} else if num < 0 {
		num = d.Get(n, "valueDecimal")
	}
	return num >= 0 && d.Kind(num) == jsonx.Number && cut.positive(d.Raw(num), comparator)
}

// positiveCodes are the answer codes that mean positive, detected, present
// or reactive, or yes to a question that asks whether it happened:
// SNOMED CT qualifiers 10828004, 260373001, 52101004, 11214006, 373066001
// (yes); LOINC answers LA6576-8, LA11882-0, LA9633-4, LA33-6 (yes), and
// the PHQ frequencies above "not at all" (LA6568-5): LA6569-3 several
// days, LA6570-1 more than half the days, LA6571-9 nearly every day (the
// symptom an item asks about was there), and the HITS frequencies above
// "never" (LA6270-8): LA10066-1 rarely, LA10082-8 sometimes, LA16644-9
// fairly often, LA6482-9 frequently (what it asks about happened);
// v2-0078 and v3-ObservationInterpretation POS and DET; v2-0136's Y (yes).
var positiveCodes = wordSet(`10828004 260373001 52101004 11214006 373066001
	LA6576-8 LA11882-0 LA9633-4 LA33-6 LA6569-3 LA6570-1 LA6571-9
	LA10066-1 LA10082-8 LA16644-9 LA6482-9 POS DET Y`)

// positiveWord reads a result written as a word, or as two where the
// first qualifies a positive one: a presumptive (screen) positive is what
// a drug immunoassay reports before confirmation, and says as much; or a
// written yes, or a frequency above "not at all" (saysYes).
func positiveWord(s string) bool {
	if saysYes(s) {
		return true
	}
	// One word or two, read in place: results are written by the
	// thousand, and a copy of each in lower case would be garbage.
	var w [2]string
	n := 0
	for {
		s = strings.TrimLeft(s, " \t\r\n")
		if s == "" {
			break
		}
		if n == len(w) {
			return false
		}
		end := strings.IndexAny(s, " \t\r\n")
		if end < 0 {
			end = len(s)
		}
		w[n], s = s[:end], s[end:]
		n++
	}
	switch n {
	case 1:
		return amongFold(w[0], "positive pos detected present reactive yes ")
	case 2:
		return amongFold(w[0], "presumptive presumptively preliminary preliminarily weakly weak confirmed screen ") &&
			amongFold(w[1], "positive detected reactive ") ||
			strings.EqualFold(w[0], "positive") && strings.EqualFold(w[1], "screen")
	}
	return false
}
