package engine_test

import (
	"bytes"
	"context"
	"fmt"
	"math/rand"
	"strconv"
	"strings"
	"testing"

	"github.com/seclabel/seclabel/engine"
	"github.com/seclabel/seclabel/internal/testenv"
	"github.com/valyala/fastjson"
)

// Redacted output is valid labeled FHIR: validating it finds no error,
// over every golden input and the labeled Synthea bundles, for random
// recipients.
func TestRedactedOutputValidates(t *testing.T) {
	e, _ := engine.New(engine.Options{})
	ctx := context.Background()
	changed := 0
	check := func(name string, in []byte, r *recipient) {
		t.Helper()
		before, err := e.Validate(ctx, in)
		if err != nil || before.Report.Errors > 0 {
			return // invalid input: nothing to hold redaction to
		}
		res, err := e.Redact(ctx, in, r.request())
		if err != nil || res.Resource == nil {
			return
		}
		changed += bytes.Count(res.Resource, []byte(`"code":"REDACTED"`))
		v, err := e.Validate(ctx, res.Resource)
		if err != nil {
			t.Fatalf("%s: validating the redacted output: %v", name, err)
		}
		for _, d := range v.Diagnostics {
			if d.Severity == engine.SeverityError {
				t.Fatalf("%s (%+v): redacted output has a validation error: %s at %s: %s", name, r.request(), d.Code, d.Location, d.Message)
			}
		}
	}
	rng := rand.New(rand.NewSource(3))
	for i, in := range goldenResources(t) {
		for round := 0; round < 3; round++ {
			check(fmt.Sprintf("golden input %d", i), in, randomRecipient(rng))
		}
	}
	t.Run("Synthea", func(t *testing.T) {
		labeler, _ := engine.New(engine.Options{TextMatch: engine.TextAll, BundleHighWaterMark: true})
		n := 0
		for _, f := range testenv.Synthea(t) {
			labeled, err := labeler.Label(ctx, f.Data)
			if err != nil {
				t.Fatal(err)
			}
			for _, r := range []*recipient{{clearance: 3, deny: []string{"HIV", "SUD", "MH"}}, {clearance: 4, pou: "TREAT", deny: []string{"SEX"}}, randomRecipient(rng)} {
				check(f.Name, labeled.Resource, r)
				n++
			}
		}
		t.Logf("%d redactions of labeled Synthea bundles validate with no error; %d resources in them were changed", n, changed)
		if changed == 0 {
			t.Fatal("no redaction changed a resource: the check holds nothing")
		}
	})
}

// Labeled with the default options and redacted for a recipient denied
// mental health and substance use, no released Claim or
// ExplanationOfBenefit still bills something withheld: they inherit the
// labels of what they bill and are withheld with it, rather than released
// with a masked reference and items that describe it.
func TestRedactedClaimsGoWithWhatTheyBill(t *testing.T) {
	files := testenv.Synthea(t)
	ctx := context.Background()
	e, _ := engine.New(engine.Options{})
	access := engine.AccessContext{Clearance: "R", Deny: []string{"MH", "SUD"}}
	withheld := 0
	for _, f := range files {
		labeled, err := e.Label(ctx, f.Data)
		if err != nil {
			t.Fatal(err)
		}
		res, err := e.Redact(ctx, labeled.Resource, access)
		if err != nil || res.Resource == nil {
			t.Fatalf("%s: %v", f.Name, err)
		}
		for _, w := range res.Report.Withheld {
			if w.Type == "Claim" || w.Type == "ExplanationOfBenefit" {
				withheld++
			}
		}
		for _, m := range res.Report.Masked {
			for _, elem := range []string{".item[", ".diagnosis[", ".procedure[", ".claim", ".prescription"} {
				if strings.Contains(m, elem) && claimAt(labeled.Resource, m) {
					t.Errorf("%s: %s was masked in a released claim: it bills something withheld", f.Name, m)
				}
			}
		}
	}
	t.Logf("%d claims and explanations of benefit withheld with what they bill", withheld)
	if withheld == 0 {
		t.Fatal("no claim was withheld: the check holds nothing")
	}
}

// claimAt reports whether the resource at a report location is a Claim or
// an ExplanationOfBenefit.
func claimAt(bundle []byte, loc string) bool {
	v := fastjson.MustParseBytes(bundle)
	i := strings.Index(loc, ".resource")
	var idx int
	if _, err := fmt.Sscanf(loc, "Bundle.entry[%d]", &idx); err != nil || i < 0 {
		return false
	}
	typ := string(v.GetStringBytes("entry", strconv.Itoa(idx), "resource", "resourceType"))
	return typ == "Claim" || typ == "ExplanationOfBenefit"
}
