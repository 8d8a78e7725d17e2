package engine

import (
	"strings"
	"testing"
)

const ingredientPack = `{"name": "t", "rules": [
	{"id": "arv", "labels": ["HIV"], "ingredients": ["emtricitabine", "ritonavir !nirmatrelvir", "Dolutegravir  lamivudine"]},
	{"id": "moud", "labels": ["OPIOIDUD"], "ingredients": ["buprenorphine naloxone"]},
	{"id": "mab", "labels": ["HIV"], "ingredients": ["ibalizumab"]},
	{"id": "dmpa", "labels": ["SEX"], "ingredients": ["depo-subq"]}]}`

// matchIngredients runs the ingredient match of one display and returns
// the rules that fired.
func matchIngredients(t *testing.T, r *Rules, display string) []string {
	t.Helper()
	var p plan
	sc := &scanner{s: &state{}, r: r, p: &p}
	sc.ingredients(display, "1", "MedicationRequest", 0, false)
	var ids []string
	for _, m := range p.matches {
		ids = append(ids, r.rules[m.rule].id)
	}
	return ids
}

func TestIngredientMatch(t *testing.T) {
	r, err := CompileRules([]byte(ingredientPack))
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		display string
		want    string
	}{
		{"emtricitabine 200 MG / tenofovir alafenamide 25 MG Oral Tablet [Descovy]", "arv"},
		{"EMTRICITABINE 200 MG Oral Capsule", "arv"},
		{"ritonavir 100 MG Oral Tablet [Norvir]", "arv"},
		{"nirmatrelvir 150 MG / ritonavir 100 MG Dose Pack [Paxlovid]", ""},
		{"lamivudine 300 MG / dolutegravir 50 MG Oral Tablet [Dovato]", "arv"},
		{"lamivudine 150 MG Oral Tablet", ""},
		{"buprenorphine 8 MG / naloxone 2 MG Sublingual Film [Suboxone]", "moud"},
		{"buprenorphine 8 MG Sublingual Tablet", ""},
		{"buprenorphine-naloxone", ""}, // one word: neither word stands alone
		{"emtricitabinex 200 MG", ""},  // whole words only
		{"(ritonavir)", "arv"},
		{"ritonavir\u00a0100 MG", "arv"},                                  // a non-ASCII byte separates words
		{"ibalizumab-uiyk 200 MG in 1.33 ML Injection [Trogarzo]", "mab"}, // a biologic's suffix
		{"IBALIZUMAB-UIYK", "mab"},
		{"ibalizumab-uiy 200 MG", ""},   // not four letters
		{"ibalizumab-uiyk2 200 MG", ""}, // nor letters only
		{"ibalizumab-uiykx 200 MG", ""},
		{"xibalizumab-uiyk", ""},
		{"Depo-SubQ Provera 104 0.65 ML Prefilled Syringe", "dmpa"}, // a word with such a suffix, written whole
		{"", ""},
	} {
		got := strings.Join(matchIngredients(t, r, c.display), ",")
		if got != c.want {
			t.Errorf("%q: fired %q, want %q", c.display, got, c.want)
		}
	}
}

func TestIngredientMatchDoesNotAllocate(t *testing.T) {
	r, err := CompileRules([]byte(ingredientPack))
	if err != nil {
		t.Fatal(err)
	}
	var p plan
	sc := &scanner{s: &state{}, r: r, p: &p, lower: make([]byte, 0, 256)}
	for _, display := range []string{
		"nirmatrelvir 150 MG / ritonavir 100 MG Dose Pack [Paxlovid]", // an entry found, then excluded
		"buprenorphine 8 MG Sublingual Tablet",                        // an entry found, a word missing
		"acetaminophen 325 MG Oral Tablet",
		"adalimumab-aaty 40 MG Injection", // a biologic's name looked up without its suffix
	} {
		if n := testing.AllocsPerRun(100, func() { sc.ingredients(display, "1", "MedicationRequest", 0, false) }); n != 0 {
			t.Errorf("%q: %v allocations", display, n)
		}
	}
	if len(p.matches) != 0 {
		t.Errorf("matches %v, want none", p.matches)
	}
}

func TestIngredientEntriesRejected(t *testing.T) {
	for _, c := range []struct{ entries, msg string }{
		{`[""]`, `rules[0].ingredients[0]: an ingredient entry needs a word`},
		{`["emtricitabine", "  "]`, `rules[0].ingredients[1]: an ingredient entry needs a word`},
		{`["!nirmatrelvir"]`, `rules[0].ingredients[0]: an ingredient entry needs a word that must appear`},
		{`["ritonavir !"]`, `rules[0].ingredients[0]: "!" must be followed by a word`},
		{`["tenofovir/emtricitabine"]`, `rules[0].ingredients[0]: "tenofovir/emtricitabine": an ingredient word holds only letters, digits, hyphens and a point between digits`},
		{`["abacavir", "lamivudine, zidovudine"]`, `rules[0].ingredients[1]: "lamivudine,"`},
		{`["r\u00e9gime"]`, `rules[0].ingredients[0]: "régime"`},
		{`["ritonavir !Ritonavir"]`, `rules[0].ingredients[0]: "ritonavir" is both required and excluded`},
		{`"emtricitabine"`, `rules[0].ingredients: must be an array of strings`},
		{`[7]`, `rules[0].ingredients[0]: must be a string`},
	} {
		pack := `{"rules": [{"id": "x", "labels": ["HIV"], "ingredients": ` + c.entries + `}]}`
		_, err := CompileRules([]byte(pack))
		e, ok := err.(*Error)
		if !ok || e.Code != ErrInvalidRules || !strings.Contains(e.Message, c.msg) {
			t.Errorf("%s: got %v, want invalid_rules with %q", c.entries, err, c.msg)
		}
	}
}
