package engine_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/seclabel/seclabel/engine"
	"github.com/seclabel/seclabel/internal/testenv"
	"github.com/valyala/fastjson"
)

// What redaction releases to a recipient denied a category, labeling
// finds none of: every golden input, labeled first and redacted for a
// recipient cleared for everything but one category, is labeled again,
// and no resource of the output may carry that category. A leak of this
// kind is content the labeler reads that redaction left in place: an
// element kept whole, a reference's display, an attachment, a narrative.
func TestRedactedOutputRelabelsClean(t *testing.T) {
	if n := relabelClean(t, goldenResources(t)); n < 1000 {
		t.Fatalf("only %d redacted outputs checked", n)
	}
}

// The same on the Synthea bundles, when the shared data is present.
func TestRedactedOutputRelabelsCleanSynthea(t *testing.T) {
	var inputs [][]byte
	for _, f := range testenv.Synthea(t) {
		inputs = append(inputs, f.Data)
	}
	relabelClean(t, inputs)
}

// relabelClean redacts each input for a recipient denied each category in
// turn and labels what was released; it returns how many outputs it
// checked.
func relabelClean(t *testing.T, inputs [][]byte) int {
	t.Helper()
	ctx := context.Background()
	redactor, err := engine.New(engine.Options{LabelFirst: true})
	if err != nil {
		t.Fatal(err)
	}
	labeler, _ := engine.New(engine.Options{})
	kin := map[string][]string{
		"HIV": {"HIV"}, "SUD": {"SUD", "ETH", "ETHUD", "OPIOIDUD"}, "MH": {"MH", "PSY", "PSYTHPN"},
		"SEX": {"SEX"}, "STD": {"STD"}, "SDV": {"SDV"}, "GDIS": {"GDIS"},
	}
	checked := 0
	for i, in := range inputs {
		for _, category := range []string{"HIV", "SUD", "MH", "SEX", "STD", "SDV", "GDIS"} {
			res, err := redactor.Redact(ctx, in, engine.AccessContext{Clearance: "V", Deny: []string{category}})
			if err != nil || res.Resource == nil {
				continue // refused or withheld whole: nothing released
			}
			again, err := labeler.Label(ctx, res.Resource)
			if err != nil {
				t.Fatalf("input %d: the redacted output does not label: %v", i, err)
			}
			checked++
			if where := carries(again.Resource, kin[category]); where != "" {
				t.Errorf("input %d, denied %s: the output releases %s, which labeling marks %s\ninput: %.600s\noutput: %.600s", i, category, where, category, in, res.Resource)
			}
		}
	}
	return checked
}

// carries returns the resource (or Bundle entry) of doc whose meta.security
// holds one of codes, or "".
func carries(doc []byte, codes []string) string {
	v, err := fastjson.ParseBytes(doc)
	if err != nil {
		return "unparsable output"
	}
	var walk func(r *fastjson.Value, at string) string
	walk = func(r *fastjson.Value, at string) string {
		for _, s := range r.GetArray("meta", "security") {
			for _, c := range codes {
				if string(s.GetStringBytes("code")) == c {
					return fmt.Sprintf("%s (%s/%s)", at, r.GetStringBytes("resourceType"), r.GetStringBytes("id"))
				}
			}
		}
		for i, e := range r.GetArray("entry") {
			if inner := e.Get("resource"); inner != nil {
				if w := walk(inner, fmt.Sprintf("%s.entry[%d]", at, i)); w != "" {
					return w
				}
			}
		}
		return ""
	}
	return walk(v, "the root")
}
