package main

import (
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/seclabel/seclabel/engine"
)

const rulesUsage = `Usage: seclabel rules --describe [--rules FILE]... [--pack NAME]...

Prints what the active rule packs cover: the embedded US-realm default pack,
or the packs given with --rules and --pack, chosen as label chooses them. For each rule: its id, the labels it adds
(and the policy they cite, the confidentiality it sets, the resource types or
element it is limited to), then per code system how many codes, prefixes,
ranges and ingredient entries (words matched in RxNorm displays) it matches,
and how many text patterns it has. Then the totals per category, that is per
sensitivity label: a rule with two sensitivity labels (OPIOIDUD and SUD)
counts in both.

Flags:
  --describe     describe the packs
  --rules FILE   describe this rule pack instead of the default one (repeatable):
                 seclabel format, LEAP-CDS / SHARES JSON, or a FHIR ValueSet or
                 Bundle of ValueSets
  --pack NAME    add an embedded pack (repeatable): us-default, or us-broad
                 (what only a wider policy treats as sensitive); without
                 --rules, --pack us-broad describes us-default and us-broad
  -h, --help     print this help

Examples:
  seclabel rules --describe
  seclabel rules --describe --pack us-broad
  seclabel rules --describe --rules my-pack.json --rules shares-rules.json
`

// systemNames are the short names of the canonical code systems.
var systemNames = map[string]string{
	"http://hl7.org/fhir/sid/icd-10-cm":                        "ICD-10-CM",
	"http://hl7.org/fhir/sid/icd-10":                           "ICD-10",
	"http://hl7.org/fhir/sid/icd-9-cm":                         "ICD-9-CM",
	"http://www.cms.gov/Medicare/Coding/ICD10PCS":              "ICD-10-PCS",
	"http://www.cms.gov/Medicare/Coding/ICD9":                  "ICD-9-CM proc.",
	"http://snomed.info/sct":                                   "SNOMED CT",
	"http://loinc.org":                                         "LOINC",
	"http://www.nlm.nih.gov/research/umls/rxnorm":              "RxNorm",
	"http://www.ama-assn.org/go/cpt":                           "CPT",
	"https://www.cms.gov/Medicare/Coding/HCPCSReleaseCodeSets": "HCPCS",
	"https://www.cms.gov/Medicare/Medicare-Fee-for-Service-Payment/AcuteInpatientPPS/MS-DRG-Classifications-and-Software": "MS-DRG",
	"http://hl7.org/fhir/sid/cvx": "CVX",
	"http://hl7.org/fhir/sid/ndc": "NDC",
}

// systemName is the short name of a canonical system, or the system itself.
func systemName(uri string) string {
	if n := systemNames[uri]; n != "" {
		return n
	}
	return uri
}

// rulesCmd runs "seclabel rules".
func rulesCmd(args []string, stdout, stderr io.Writer) int {
	describe := false
	var cfg config
	for i := 0; i < len(args); i++ {
		a := args[i]
		name, val, inline := strings.Cut(a, "=")
		switch {
		case a == "-h" || a == "--help":
			fmt.Fprint(stdout, rulesUsage)
			return exitOK
		case a == "--describe":
			describe = true
		case name == "--rules" || name == "--pack":
			if !inline {
				if i+1 >= len(args) {
					fmt.Fprintf(stderr, "seclabel rules: %s needs a value\n", name)
					return exitUsage
				}
				i++
				val = args[i]
			}
			if name == "--rules" {
				cfg.packs = append(cfg.packs, packSource{file: val})
				break
			}
			if _, ok := engine.EmbeddedPack(val); !ok {
				fmt.Fprintf(stderr, "seclabel rules: --pack is us-default or us-broad, not %q\n", val)
				return exitUsage
			}
			cfg.packs = append(cfg.packs, packSource{embedded: val})
		default:
			fmt.Fprintf(stderr, "seclabel rules: unknown argument %q; run \"seclabel rules --help\"\n", a)
			return exitUsage
		}
	}
	if !describe {
		fmt.Fprint(stderr, "seclabel rules: say what to do (--describe)\n\n"+rulesUsage)
		return exitUsage
	}
	if _, code := loadPacks(&cfg, stderr); code != exitOK {
		return code
	}
	r := cfg.engineOpts.Rules
	if r == nil {
		r = engine.DefaultRules()
	}
	if err := describeRules(stdout, r); err != nil {
		return writeError("standard output", err).report(stderr)
	}
	return exitOK
}

// total counts what some rules match, for the totals of describeRules.
type total struct{ rules, codes, prefixes, ranges, ingredients, text int }

// add counts one rule's matches t in a.
func (a *total) add(t total) {
	a.rules++
	a.codes += t.codes
	a.prefixes += t.prefixes
	a.ranges += t.ranges
	a.ingredients += t.ingredients
	a.text += t.text
}

// describeRules writes the coverage of r: each rule, then totals per category.
func describeRules(out io.Writer, r *engine.Rules) error {
	cov := r.Coverage()
	names := strings.Join(r.Names(), ", ")
	if names == "" {
		names = "(unnamed)"
	}
	var b strings.Builder
	fmt.Fprintf(&b, "Packs: %s\n%d rules; %d codes, prefixes and ranges indexed\n", names, r.RuleCount(), r.CodeCount())
	totals := map[string]*total{}
	var all total
	var order []string
	for _, c := range cov {
		fmt.Fprintf(&b, "\n%s: %s", c.ID, strings.Join(c.Labels, " "))
		var extra []string
		if c.Basis != "" {
			extra = append(extra, "basis "+c.Basis)
		}
		if c.Confidentiality != "" {
			extra = append(extra, "confidentiality "+c.Confidentiality)
		}
		if len(extra) > 0 {
			fmt.Fprintf(&b, " (%s)", strings.Join(extra, ", "))
		}
		b.WriteString("\n")
		tw := tabwriter.NewWriter(&b, 0, 0, 2, ' ', 0)
		if len(c.ResourceTypes) > 0 {
			fmt.Fprintf(tw, "  resource types\t%s\n", strings.Join(c.ResourceTypes, ", "))
		}
		if c.Path != "" {
			fmt.Fprintf(tw, "  element\t%s\n", c.Path)
		}
		var t total
		systems := slices.Clone(c.Systems)
		slices.SortStableFunc(systems, func(a, b engine.SystemCoverage) int {
			return strings.Compare(systemName(a.System), systemName(b.System))
		})
		for _, s := range systems {
			fmt.Fprintf(tw, "  %s\t%s\n", systemName(s.System), counts(
				s.Codes, "code", s.Prefixes, "prefix", s.Ranges, "range", s.Ingredients, "ingredient entry"))
			t.codes += s.Codes
			t.prefixes += s.Prefixes
			t.ranges += s.Ranges
			t.ingredients += s.Ingredients
		}
		if c.Text > 0 {
			fmt.Fprintf(tw, "  text\t%s\n", counts(c.Text, "pattern"))
		}
		if len(c.Systems) == 0 && c.Text == 0 {
			fmt.Fprintf(tw, "  matches\tevery resource of these types (no codes, no text)\n")
		}
		tw.Flush()
		t.text = c.Text
		all.add(t)
		cats := c.Sensitivity
		if len(cats) == 0 {
			cats = []string{"(none)"}
		}
		for _, cat := range cats {
			tt := totals[cat]
			if tt == nil {
				tt = &total{}
				totals[cat] = tt
				order = append(order, cat)
			}
			tt.add(t)
		}
	}
	b.WriteString("\nPer category (sensitivity label; a rule counts in each of its categories):\n")
	w := len("all rules")
	for _, cat := range order {
		w = max(w, len(cat))
	}
	row := func(name string, t *total) {
		fmt.Fprintf(&b, "  %-*s %6d %6d %9d %7d %12d %5d\n", w, name, t.rules, t.codes, t.prefixes, t.ranges, t.ingredients, t.text)
	}
	fmt.Fprintf(&b, "  %-*s %6s %6s %9s %7s %12s %5s\n", w, "category", "rules", "codes", "prefixes", "ranges", "ingredients", "text")
	for _, cat := range order {
		row(cat, totals[cat])
	}
	row("all rules", &all)
	_, err := io.WriteString(out, b.String())
	return err
}

// counts writes "3 codes, 1 prefix" from count, noun pairs, leaving out zeros.
func counts(pairs ...any) string {
	var parts []string
	for i := 0; i+1 < len(pairs); i += 2 {
		n, noun := pairs[i].(int), pairs[i+1].(string)
		if n == 0 {
			continue
		}
		if n != 1 {
			switch {
			case strings.HasSuffix(noun, "entry"):
				noun = strings.TrimSuffix(noun, "entry") + "entries"
			case strings.HasSuffix(noun, "x"):
				noun += "es"
			default:
				noun += "s"
			}
		}
		parts = append(parts, strconv.Itoa(n)+" "+noun)
	}
	return strings.Join(parts, ", ")
}
