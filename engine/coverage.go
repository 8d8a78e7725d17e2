package engine

import (
	"sort"
	"strings"

	"github.com/seclabel/seclabel/engine/internal/vocab"
)

// coverage is Coverage (api.go).
func (r *Rules) coverage() []RuleCoverage {
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
		for _, w := range x.wild {
			at(w.hit.rule, sys).Prefixes++
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
	for _, h := range r.termInfo {
		out[h.rule].Text++
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
		sort.Stable(sort.StringSlice(c.ResourceTypes))
		c.Path = strings.Join(ru.path, ".")
		for _, s := range per[i] {
			c.Systems = append(c.Systems, *s)
		}
		sort.Stable(bySystem(c.Systems))
	}
	return out
}

// bySystem orders coverage by system (sort.Stable).
type bySystem []SystemCoverage

func (s bySystem) Len() int           { return len(s) }
func (s bySystem) Less(i, j int) bool { return s[i].System < s[j].System }
func (s bySystem) Swap(i, j int)      { s[i], s[j] = s[j], s[i] }
