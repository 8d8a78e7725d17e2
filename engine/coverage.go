package engine

import (
	"slices"
	"strings"

	"github.com/seclabel/seclabel/engine/internal/vocab"
)

// RuleCoverage is what one compiled rule matches: the labels it adds and,
// per code system, how many codes, prefixes, ranges and ingredient entries
// it indexes, with its text patterns. Rules.Coverage returns one per rule,
// in pack order; describing a pack (seclabel rules --describe) needs nothing
// else.
type RuleCoverage struct {
	ID              string
	Labels          []string         // the codes of the labels the rule adds, in order
	Sensitivity     []string         // those of them that are sensitivity codes (the categories), in order
	Basis           string           // the policy code its labels cite, or ""
	Confidentiality string           // the confidentiality code it sets, or ""
	ResourceTypes   []string         // the resource types it is limited to, sorted; nil for all
	Path            string           // the element path below the resource type it is limited to, or ""
	Systems         []SystemCoverage // sorted by system
	Text            int              // text patterns
}

// SystemCoverage counts a rule's entries in one code system.
type SystemCoverage struct {
	System      string // the canonical URI
	Codes       int    // exact codes
	Prefixes    int    // codes matched by their start
	Ranges      int    // FROM-TO ranges
	Ingredients int    // ingredient entries matched in RxNorm displays (ingredient rules)
}

// Coverage describes every rule of r, in the order the packs list them.
func (r *Rules) Coverage() []RuleCoverage {
	out := make([]RuleCoverage, len(r.rules))
	per := make([]map[string]*SystemCoverage, len(r.rules))
	at := func(rule int32, sys string) *SystemCoverage {
		if per[rule] == nil {
			per[rule] = map[string]*SystemCoverage{}
		}
		s := per[rule][sys]
		if s == nil {
			s = &SystemCoverage{System: sys}
			per[rule][sys] = s
		}
		return s
	}
	// each calls f once per rule among hits (a code listed twice by one rule
	// counts once).
	each := func(hs []hit, f func(rule int32)) {
		for i, h := range hs {
			dup := false
			for _, p := range hs[:i] {
				dup = dup || p.rule == h.rule
			}
			if !dup {
				f(h.rule)
			}
		}
	}
	for sys, x := range r.bySystem {
		for _, hs := range x.exact {
			each(hs, func(ru int32) { at(ru, sys).Codes++ })
		}
		for _, hs := range x.prefixes {
			each(hs, func(ru int32) { at(ru, sys).Prefixes++ })
		}
		for _, rg := range x.ranges {
			at(rg.hit.rule, sys).Ranges++
		}
	}
	for _, ins := range r.ingredients {
		for _, in := range ins {
			at(in.rule, rxnormSystem).Ingredients++
		}
	}
	for _, t := range r.text {
		out[t.rule].Text++
	}
	for i := range r.rules {
		ru := &r.rules[i]
		c := &out[i]
		c.ID = ru.id
		for _, l := range ru.labels {
			c.Labels = append(c.Labels, l.code)
			if l.set == vocab.SetSensitivity {
				c.Sensitivity = append(c.Sensitivity, l.code)
			}
		}
		if ru.basis != nil {
			c.Basis = ru.basis.code
		}
		c.Confidentiality = ru.confidential
		for t := range ru.resourceTypes {
			c.ResourceTypes = append(c.ResourceTypes, t)
		}
		slices.Sort(c.ResourceTypes)
		c.Path = strings.Join(ru.path, ".")
		for _, s := range per[i] {
			c.Systems = append(c.Systems, *s)
		}
		slices.SortFunc(c.Systems, func(a, b SystemCoverage) int { return strings.Compare(a.System, b.System) })
	}
	return out
}
