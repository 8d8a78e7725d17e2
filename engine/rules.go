package engine

import (
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/seclabel/seclabel/engine/internal/grow"
	"github.com/seclabel/seclabel/engine/internal/pattern"
	"github.com/seclabel/seclabel/engine/internal/r4"
	"github.com/seclabel/seclabel/engine/internal/vocab"
	"github.com/seclabel/seclabel/engine/internal/words"
	"github.com/seclabel/seclabel/internal/jsonx"
)

// rule is one compiled rule.
type rule struct {
	id            string
	labels        []label
	basis         *label
	confidential  string // confidentiality the rule sets, or ""
	resourceTypes map[string]bool
	path          []string // element path below the resource type, or nil
	inline        bool
	positive      bool   // only on an Observation whose result says positive (positiveResult)
	cutoff        cutoff // the least positive value of a scored instrument (atLeast)
	// screeningBroad: the rule's category treats screening as broad, so a
	// term after "screening for" in a text is hypothetical (words.Term).
	screeningBroad bool
	// family: a relative's finding is the category's information about the
	// patient too (familyHistory; words.Term).
	family   bool
	from, to string // period in which the rule's codes mean what it says (ISO dates), or ""
}

type hit struct {
	rule       int32
	confidence uint32 // in 1/confScale
}

type codeRange struct {
	from, to string
	hit      hit
}

type textRule struct {
	re         *pattern.Pattern
	rule       int
	confidence uint32 // in 1/confScale
	// lits are the lower-cased words of a pattern made only of letters,
	// digits and spaces: a text containing none of them cannot match, so
	// the regular expression runs only when one is present.
	lits []string
}

// ingredient is one entry of a rule's ingredients: words that must all
// appear in the display of an RxNorm coding, beside the one it is indexed
// by, and words that must not. Words are lower case.
type ingredient struct {
	rule    int32
	with    []string
	without []string
}

// compileRules is CompilePacks on packs nobody changes while the Rules are
// in use: the index keeps strings that alias them.
func compileRules(packs []Pack) (*Rules, error) {
	c := &compiler{r: &Rules{bySystem: map[string]*systemIndex{}, conf: map[string]string{}}}
	for i, p := range packs {
		var d jsonx.Doc
		c.name = p.Name
		if c.name == "" {
			c.name = "pack " + strconv.Itoa(i+1)
		}
		c.d = &d
		if err := d.Parse(p.JSON, 256); err != nil {
			// Parse returns its errors as they are: a type assertion, not
			// errors.As, which would bring reflection into the module.
			if se, ok := err.(*jsonx.SyntaxError); ok {
				return nil, errorf(ErrInvalidRules, c.name+":"+lineCol(p.JSON, se.Offset)+": malformed JSON: "+se.Msg)
			}
			return nil, errorf(ErrInvalidRules, c.name+": JSON "+err.Error())
		}
		c.pc = packConf{name: c.name}
		rules := len(c.r.rules)
		var err error
		switch {
		case d.Kind(0) != jsonx.Object:
			err = c.fail(0, "", "a rule pack is a JSON object")
		case d.IsStr(d.Get(0, "resourceType")):
			err = c.valueSets(0)
		case isShares(&d):
			err = c.shares()
		default:
			err = c.native()
		}
		if err != nil {
			return nil, err
		}
		if len(c.r.rules) == rules && !c.pc.set {
			c.warn("", "the pack has no rules")
		}
		c.confs = append(c.confs, c.pc)
	}
	c.combineConfidentiality()
	for _, x := range c.r.bySystem {
		seen := map[int]bool{}
		for p := range x.prefixes {
			seen[len(p)] = true
		}
		for n := range seen {
			x.preLens = append(x.preLens, n)
		}
		lens := x.preLens // a handful: insertion sort, longest first
		for i := 1; i < len(lens); i++ {
			for j := i; j > 0 && lens[j] > lens[j-1]; j-- {
				lens[j], lens[j-1] = lens[j-1], lens[j]
			}
		}
	}
	for _, ru := range c.r.rules {
		c.r.periods = c.r.periods || ru.from != "" || ru.to != ""
	}
	if len(c.terms) > 0 {
		for i := range c.terms {
			ru := &c.r.rules[c.r.termInfo[i].rule]
			c.terms[i].ScreeningBroad, c.terms[i].Family = ru.screeningBroad, ru.family
		}
		lex, err := words.Compile(c.terms)
		if err != nil {
			return nil, errorf(ErrInvalidRules, "text: "+err.Error())
		}
		c.r.lexicon = lex
	}
	for _, sc := range sharedCodes {
		if to := c.r.bySystem[sc[1]]; to != nil {
			c.system(sc[0]).also = to
		}
	}
	return c.r, nil
}

// lineCol turns a byte offset of src into "line:column", both from 1; the
// column counts characters.
func lineCol(src []byte, off int) string {
	off = min(max(off, 0), len(src))
	line, start := 1, 0
	for i, b := range src[:off] {
		if b == '\n' {
			line, start = line+1, i+1
		}
	}
	return strconv.Itoa(line) + ":" + strconv.Itoa(utf8.RuneCount(src[start:off])+1)
}

// systemIndex is everything that can match a code of one system, found
// with one lookup per coding.
type systemIndex struct {
	style    codeStyle
	exact    map[string][]hit // normalised code -> rules
	prefixes map[string][]hit // normalised prefix -> rules
	preLens  []int            // prefix lengths present, longest first
	wild     []wildPrefix     // prefixes with "?" for any one character, tried in turn
	ranges   []codeRange
	also     *systemIndex // a system whose codes this one also carries (sharedCodes)
}

// sharedCodes maps a system to one whose codes it carries with the same
// meaning, so rules written for the second also match codings of the
// first: HCPCS Level I is CPT (claims data files CPT codes under the
// HCPCS system), systems that file every procedure code under CPT's URI
// send HCPCS Level II codes there (H0020, methadone administration; no
// CPT code starts with a letter), and at the level the packs list them
// (three-character categories and their subdivisions) WHO ICD-10 codes
// mean what the ICD-10-CM codes of the same letters do.
var sharedCodes = [][2]string{
	{"https://www.cms.gov/Medicare/Coding/HCPCSReleaseCodeSets", "http://www.ama-assn.org/go/cpt"},
	{"http://www.ama-assn.org/go/cpt", "https://www.cms.gov/Medicare/Coding/HCPCSReleaseCodeSets"},
	{"http://hl7.org/fhir/sid/icd-10", "http://hl7.org/fhir/sid/icd-10-cm"},
}

// system returns the index of a canonical system, made on first use.
func (c *compiler) system(sys string) *systemIndex {
	x := c.r.bySystem[sys]
	if x == nil {
		x = &systemIndex{style: systemStyles[sys]}
		c.r.bySystem[sys] = x
	}
	return x
}

type compiler struct {
	r       *Rules
	d       *jsonx.Doc
	name    string     // the pack's name in messages
	pc      packConf   // the pack's confidentiality map
	confs   []packConf // every pack's, in order
	entries int        // codes, prefixes, ranges and patterns indexed so far
	// terms are the literal text entries, compiled into the lexicon at the
	// end. The Rules do not keep them: tens of thousands of strings the
	// collector would otherwise mark on every cycle of every call.
	terms []words.Term
}

// packConf is a pack's confidentiality map; without one (set false) the
// pack stands for the built-in mapping.
type packConf struct {
	name    string
	set     bool
	entries []confEntry
}

type confEntry struct {
	code, level string
	at          string // where the pack says it
}

// fail reports a malformed pack: where (the line and column of node n, the
// member path at) and what.
func (c *compiler) fail(n jsonx.Node, at, msg string) error {
	start := 0
	if n >= 0 && n < c.d.Len() {
		start, _ = c.d.Span(n)
	}
	loc := c.name + ":" + lineCol(c.d.Src, start)
	if at != "" {
		loc += ": " + at
	}
	return errorf(ErrInvalidRules, loc+": "+msg)
}

// warn records something a pack's author should hear of.
func (c *compiler) warn(at, msg string) {
	w := c.name + ": "
	if at != "" {
		w += at + ": "
	}
	c.r.warnings = append(c.r.warnings, w+msg)
}

// member is the path of a map member: at["key"].
func member(at, key string) string { return at + "[" + quote(key) + "]" }

// ruleAt names a rule in warnings: rules[3] (its-id).
func ruleAt(at, id string) string {
	if id == "" {
		return at
	}
	return at + " (" + id + ")"
}

// builtinConfidentiality is the mapping of a pack without a confidentiality
// map: every sensitivity of the active-information branch (HIV, SUD,
// mental health, ...) to R, as THO's examples of R do.
var builtinConfidentiality = func() []confEntry {
	var es []confEntry
	for _, code := range strings.Fields(`ETH GDIS HIV MST PREGNANT SCA SDV SEX SPI BH COGN DVD
		EMOTDIS MH PSY PSYTHPN SUD ETHUD OPIOIDUD STD TBOO VIO`) {
		es = append(es, confEntry{code: code, level: "R"})
	}
	return es
}()

// combineConfidentiality makes the sensitivity -> confidentiality mapping
// of the packs together: the highest level any pack gives a sensitivity,
// a pack without a map giving the built-in levels. A level a pack wrote
// that another raises is reported.
func (c *compiler) combineConfidentiality() {
	from := map[string]int{} // code -> the pack whose level counts
	for i, pc := range c.confs {
		es := pc.entries
		if !pc.set {
			es = builtinConfidentiality
		}
		for _, e := range es {
			if cur, ok := c.r.conf[e.code]; !ok || vocab.Rank(e.level) > vocab.Rank(cur) {
				c.r.conf[e.code], from[e.code] = e.level, i
			}
		}
	}
	for _, pc := range c.confs {
		for _, e := range pc.entries {
			top := c.r.conf[e.code]
			if vocab.Rank(e.level) >= vocab.Rank(top) {
				continue
			}
			by := c.confs[from[e.code]]
			why := "the level " + by.name + " gives " + e.code
			if !by.set {
				why = "the built-in level, which " + by.name + " brings (it has no confidentiality map)"
			}
			c.r.warnings = append(c.r.warnings, pc.name+": "+e.at+": "+e.level+" is raised to "+top+", "+why+"; combined packs keep the highest level")
		}
	}
}

// native reads a pack in the seclabel format.
func (c *compiler) native() error {
	d := c.d
	var err error
	d.Members(0, func(k, v jsonx.Node) bool {
		switch name := d.Str(k); {
		case name == "name":
			c.r.names = append(c.r.names, d.Str(v))
		case among(name, "version description sources $schema "):
		case name == "confidentiality":
			c.pc.set = true
			if d.Kind(v) != jsonx.Object {
				err = c.fail(v, name, "must map sensitivity codes to U, L, M, N, R or V")
				return false
			}
			d.Members(v, func(ck, cv jsonx.Node) bool {
				code, here := d.Str(ck), member(name, d.Str(ck))
				if !d.IsStr(cv) || vocab.Rank(d.Str(cv)) < 0 {
					err = c.fail(cv, here, "must be one of U, L, M, N, R, V")
					return false
				}
				if !isSensitivity(code) {
					c.warn(here, code+" is not a sensitivity code; the entry has no effect")
				}
				c.pc.entries = append(c.pc.entries, confEntry{code: code, level: d.Str(cv), at: here})
				return true
			})
		case name == "rules":
			if d.Kind(v) != jsonx.Array {
				err = c.fail(v, name, "must be an array")
				return false
			}
			d.Items(v, func(i int, r jsonx.Node) bool {
				err = c.nativeRule(r, "rules["+strconv.Itoa(i)+"]")
				return err == nil
			})
		default:
			err = c.fail(k, name, "unknown member")
		}
		return err == nil
	})
	return err
}

// isSensitivity reports whether code is a sensitivity code of some
// security system.
func isSensitivity(code string) bool {
	for _, x := range vocab.LookupAny(code) {
		if x.Set == vocab.SetSensitivity {
			return true
		}
	}
	return false
}

func (c *compiler) nativeRule(n jsonx.Node, at string) error {
	d := c.d
	if d.Kind(n) != jsonx.Object {
		return c.fail(n, at, "a rule is an object")
	}
	r := rule{id: d.Str(d.Get(n, "id"))}
	if r.id == "" {
		at := at + ".id"
		if id := d.Get(n, "id"); id >= 0 {
			return c.fail(id, at, "must be a non-empty string")
		}
		return c.fail(n, at, "every rule needs an id")
	}
	idx := len(c.r.rules)
	entries := c.entries
	criteria := 0
	var err error
	d.Members(n, func(k, v jsonx.Node) bool {
		name := d.Str(k)
		here := at + "." + name
		switch name {
		case "id", "description":
		case "labels":
			if d.Kind(v) != jsonx.Array || d.Count(v) == 0 {
				err = c.fail(v, here, "must be a non-empty array")
				return false
			}
			d.Items(v, func(i int, l jsonx.Node) bool {
				var lb label
				lb, err = c.securityLabel(l, here+"["+strconv.Itoa(i)+"]")
				r.labels = append(r.labels, lb)
				return err == nil
			})
		case "basis":
			var b label
			if b, err = c.securityLabel(v, here); err == nil {
				if b.set != vocab.SetPolicy {
					err = c.fail(v, here, b.code+" is not a policy code")
				}
				r.basis = &b
			}
		case "confidentiality":
			r.confidential = d.Str(v)
			if !d.IsStr(v) || vocab.Rank(r.confidential) < 0 {
				err = c.fail(v, here, "must be one of U, L, M, N, R, V")
			}
		case "resourceTypes":
			r.resourceTypes = map[string]bool{}
			err = c.strings(v, here, func(s string, sn jsonx.Node, at string) error {
				if !r4.Types[s] {
					return c.fail(sn, at, quote(s)+" is not a FHIR R4 resource type")
				}
				r.resourceTypes[s] = true
				return nil
			})
		case "path":
			p := strings.Split(d.Str(v), ".")
			if !d.IsStr(v) || len(p) < 2 || !r4.Types[p[0]] {
				err = c.fail(v, here, `must be an element path such as "Observation.code"`)
				return false
			}
			r.path = p[1:]
			if r.resourceTypes == nil {
				r.resourceTypes = map[string]bool{}
			}
			r.resourceTypes[p[0]] = true
		case "inline":
			r.inline = d.Bool(v)
		case "positiveResult":
			if k := d.Kind(v); k != jsonx.True && k != jsonx.False {
				err = c.fail(v, here, "must be true or false")
				return false
			}
			r.positive = d.Bool(v)
		case "atLeast":
			raw := string(d.Raw(v))
			if d.Kind(v) != jsonx.Number || !digits(raw) || len(raw) > 18 || len(raw) > 1 && raw[0] == '0' {
				err = c.fail(v, here, "must be a whole number, zero or more: the least score of a positive result")
				return false
			}
			r.cutoff = cutoff{set: true, min: raw}
		case "period":
			r.from, r.to = d.Str(d.Get(v, "start")), d.Str(d.Get(v, "end"))
			if d.Kind(v) != jsonx.Object || (r.from == "" && r.to == "") || !isDate(r.from) || !isDate(r.to) {
				err = c.fail(v, here, `must be {"start": "YYYY-MM-DD", "end": "YYYY-MM-DD"} (either may be left out)`)
			}
		case "codes":
			criteria++
			err = c.systemMap(v, here, func(sys, code string, _ jsonx.Node, _ string) error {
				c.addExact(sys, code, hit{rule: int32(idx), confidence: confScale})
				return nil
			})
		case "prefixes":
			criteria++
			err = c.systemMap(v, here, func(sys, code string, cn jsonx.Node, at string) error {
				if strings.Trim(code, "? ") == "" {
					// "?" for any one character: a prefix of nothing else
					// would match every code of the system.
					return c.fail(cn, at, "must hold a character other than ?")
				}
				c.addPrefix(sys, code, hit{rule: int32(idx), confidence: confScale})
				return nil
			})
		case "ranges":
			criteria++
			err = c.systemMap(v, here, func(sys, rg string, rn jsonx.Node, at string) error {
				from, to, ok := strings.Cut(rg, "-")
				from, to = normCode(sys, from), normCode(sys, to)
				if !ok || from == "" || to == "" || from > to[:min(len(from), len(to))] {
					return c.fail(rn, at, `a range is "FROM-TO", e.g. "F10-F19"`)
				}
				x := c.system(sys)
				x.ranges = append(x.ranges, codeRange{from: from, to: to, hit: hit{rule: int32(idx), confidence: confScale}})
				c.r.codes++
				c.entries++
				return nil
			})
		case "valueSets":
			criteria++
			if d.Kind(v) != jsonx.Array {
				err = c.fail(v, here, "must be an array of ValueSets")
				return false
			}
			d.Items(v, func(i int, vs jsonx.Node) bool {
				err = c.valueSetCodes(vs, here+"["+strconv.Itoa(i)+"]", hit{rule: int32(idx), confidence: confScale})
				return err == nil
			})
		case "ingredients":
			criteria++
			if d.Kind(v) != jsonx.Array {
				err = c.fail(v, here, "must be an array of strings")
				return false
			}
			d.Items(v, func(i int, s jsonx.Node) bool {
				at := here + "[" + strconv.Itoa(i) + "]"
				if !d.IsStr(s) {
					err = c.fail(s, at, "must be a string")
					return false
				}
				err = c.addIngredient(d.Str(s), int32(idx), s, at)
				return err == nil
			})
		case "text":
			criteria++
			err = c.textEntries(v, here, idx)
		case "screeningBroad":
			if k := d.Kind(v); k != jsonx.True && k != jsonx.False {
				err = c.fail(v, here, "must be true or false")
				return false
			}
			r.screeningBroad = d.Bool(v)
		case "familyHistory":
			if k := d.Kind(v); k != jsonx.True && k != jsonx.False {
				err = c.fail(v, here, "must be true or false")
				return false
			}
			r.family = d.Bool(v)
		default:
			err = c.fail(k, here, "unknown member")
		}
		return err == nil
	})
	if err != nil {
		return err
	}
	if len(r.labels) == 0 && r.confidential == "" {
		return c.fail(n, at+".labels", "a rule needs labels or a confidentiality")
	}
	if r.inline && r.path == nil {
		return c.fail(d.Get(n, "inline"), at+".inline", "inline labels need a path")
	}
	if r.cutoff.set && !r.positive {
		return c.fail(d.Get(n, "atLeast"), at+".atLeast", "a cut-off applies to positive results: set positiveResult to true")
	}
	if criteria == 0 {
		if r.resourceTypes == nil {
			return c.fail(n, at, "a rule needs codes, prefixes, ranges, valueSets, ingredients, text, resourceTypes or a path")
		}
		c.r.always = append(c.r.always, idx)
	}
	switch {
	case criteria > 0 && c.entries == entries:
		c.warn(ruleAt(at, r.id), "the rule lists no codes, prefixes, ranges or text; it never matches")
	case r.resourceTypes != nil && len(r.resourceTypes) == 0:
		c.warn(ruleAt(at, r.id), "resourceTypes is empty; the rule never matches")
	}
	c.r.rules = append(c.r.rules, r)
	return nil
}

// securityLabel reads a label: a Coding, or a bare code of the security
// vocabulary. Only known security codes are accepted, so a pack cannot put
// local grouping codes into meta.security.
func (c *compiler) securityLabel(n jsonx.Node, at string) (label, error) {
	d := c.d
	var system, code string
	switch d.Kind(n) {
	case jsonx.String:
		code = d.Str(n)
		for _, s := range []string{vocab.ActCode, vocab.Confidentiality, vocab.ObservationValue, vocab.ActReason} {
			if info := vocab.Lookup(s, code); info != nil && info.Set != vocab.SetUnknown {
				system = s
				break
			}
		}
	case jsonx.Object:
		system, code = d.Str(d.Get(n, "system")), d.Str(d.Get(n, "code"))
	default:
		return label{}, c.fail(n, at, "a label is a code or a Coding")
	}
	info := vocab.Lookup(system, code)
	if info == nil || info.Set == vocab.SetUnknown || info.Abstract {
		return label{}, c.fail(n, at, quote(code)+" is not a selectable security label code")
	}
	if info.Set == vocab.SetConfidentiality {
		return label{}, c.fail(n, at, "set confidentiality with the rule's confidentiality, not as a label")
	}
	return label{system: info.System, code: info.Code, display: info.Display, set: info.Set, info: info, node: -1}, nil
}

// strings reads an array of non-empty strings, calling f with each, its
// node and its path.
func (c *compiler) strings(n jsonx.Node, at string, f func(s string, sn jsonx.Node, at string) error) error {
	d := c.d
	if d.Kind(n) != jsonx.Array {
		return c.fail(n, at, "must be an array of strings")
	}
	var err error
	d.Items(n, func(i int, s jsonx.Node) bool {
		here := at + "[" + strconv.Itoa(i) + "]"
		if !d.IsStr(s) || d.Str(s) == "" {
			err = c.fail(s, here, "must be a non-empty string")
			return false
		}
		err = f(d.Str(s), s, here)
		return err == nil
	})
	return err
}

// maxExpand bounds the texts one pattern may stand for in the lexicon.
const maxExpand = 4096

// textEntries reads a rule's text: each entry a string, or an object
// {"text": ..., "confidence": 0..1, "medication": true}. Literal terms go
// to the lexicon, which matches them all in one pass with their context;
// anything else is a pattern, matched on its own.
func (c *compiler) textEntries(n jsonx.Node, at string, idx int) error {
	d := c.d
	if d.Kind(n) != jsonx.Array {
		return c.fail(n, at, "must be an array of strings or {\"text\", \"confidence\", \"medication\"} objects")
	}
	var err error
	d.Items(n, func(i int, e jsonx.Node) bool {
		// The entry's path, built only for an error message: a pack has
		// tens of thousands of entries.
		here := func(member string) string { return at + "[" + strconv.Itoa(i) + "]" + member }
		conf := uint32(confScale)
		s, textAt, medication := e, "", false
		if d.Kind(e) == jsonx.Object {
			s, textAt = d.Get(e, "text"), ".text"
			if cv := d.Get(e, "confidence"); cv >= 0 {
				f, ok := parseUnit(d.Raw(cv), false)
				if d.Kind(cv) != jsonx.Number || !ok {
					err = c.fail(cv, here(".confidence"), "must be a number from 0 to 1")
					return false
				}
				conf = f
			}
			if mv := d.Get(e, "medication"); mv >= 0 {
				if k := d.Kind(mv); k != jsonx.True && k != jsonx.False {
					err = c.fail(mv, here(".medication"), "must be true or false")
					return false
				}
				medication = d.Kind(mv) == jsonx.True
			}
			var bad bool
			d.Members(e, func(k, _ jsonx.Node) bool {
				bad = !d.KeyIs(k, "text") && !d.KeyIs(k, "confidence") && !d.KeyIs(k, "medication")
				if bad {
					err = c.fail(k, here("."+d.Str(k)), "unknown member")
				}
				return !bad
			})
			if bad {
				return false
			}
		}
		if !d.IsStr(s) || d.Str(s) == "" {
			err = c.fail(s, here(textAt), "must be a non-empty string")
			return false
		}
		t := d.Str(s)
		// A pattern with few texts (alternatives, optional parts) joins
		// the lexicon as those texts: matched at once, and in context.
		if words.IsTerm(t) {
			c.term(t, idx, conf, medication)
		} else if texts, ok := pattern.Expand(t, maxExpand); ok && allTerms(texts) {
			for _, x := range texts {
				c.term(x, idx, conf, medication)
			}
		} else {
			re, e := pattern.Compile(t)
			if e != nil {
				err = c.fail(s, here(textAt), "bad pattern: "+e.Error())
				return false
			}
			c.r.text = append(c.r.text, textRule{re: re, rule: idx, confidence: conf, lits: literalWords(t)})
		}
		c.entries++
		return true
	})
	return err
}

// term adds text to the lexicon as a term of rule idx.
func (c *compiler) term(text string, idx int, conf uint32, medication bool) {
	c.terms = grow.Push(c.terms, words.Term{Text: text, ID: int32(len(c.r.termInfo)), Medication: medication})
	c.r.termInfo = grow.Push(c.r.termInfo, hit{rule: int32(idx), confidence: conf})
}

// allTerms reports whether every text is a term of the lexicon.
func allTerms(texts []string) bool {
	for _, x := range texts {
		if !words.IsTerm(x) {
			return false
		}
	}
	return true
}

// systemMap reads {"system": ["code", ...]}; numbers count as their text, so
// a code such as 522 is the string "522". f gets the canonical system, the
// code, its node and its path.
func (c *compiler) systemMap(n jsonx.Node, at string, f func(system, code string, cn jsonx.Node, at string) error) error {
	d := c.d
	if d.Kind(n) != jsonx.Object {
		return c.fail(n, at, `must map systems to codes: {"http://snomed.info/sct": ["86406008"]}`)
	}
	var err error
	d.Members(n, func(k, v jsonx.Node) bool {
		here := member(at, d.Str(k))
		var sys string
		if sys, err = c.codeSystem(k, here, d.Str(k)); err != nil {
			return false
		}
		if d.Kind(v) != jsonx.Array {
			err = c.fail(v, here, "must be an array of codes")
			return false
		}
		d.Items(v, func(i int, code jsonx.Node) bool {
			var s string
			switch d.Kind(code) {
			case jsonx.String:
				s = d.Str(code)
			case jsonx.Number:
				s = string(d.Raw(code))
			}
			here := here + "[" + strconv.Itoa(i) + "]"
			if strings.TrimSpace(s) == "" {
				err = c.fail(code, here, "must be a non-empty code")
				return false
			}
			err = f(sys, s, code, here)
			return err == nil
		})
		return err == nil
	})
	return err
}

// codeSystem checks a pack's spelling of a clinical code system and
// returns the canonical one: a known alias, URI or OID (codesys.go), or
// another absolute URI, taken as it is. Anything else would make rules
// that never match, so it fails, suggesting the system meant when one is
// near.
func (c *compiler) codeSystem(n jsonx.Node, at, spelling string) (string, error) {
	if sys, ok := knownSystem(spelling); ok {
		return sys, nil
	}
	t := strings.TrimSpace(spelling)
	if t == "" {
		return "", c.fail(n, at, "a code system is needed: an absolute URI such as http://snomed.info/sct, or an alias such as SNOMED")
	}
	near := nearSystem(t)
	switch {
	case near != "":
		return "", c.fail(n, at, "unknown code system "+quote(spelling)+"; did you mean "+quote(near)+"?")
	case isAbsoluteURI(t):
		return t, nil
	}
	return "", c.fail(n, at, "unknown code system "+quote(spelling)+": give an absolute URI (http://..., urn:oid:...) or a known alias (SNOMED, LOINC, RXNORM, ICD10CM, ICD10PCS, CPT, HCPCS, NDC, CVX, ...)")
}

func (c *compiler) addExact(system, code string, h hit) {
	x := c.system(normSystem(system))
	if x.exact == nil {
		x.exact = map[string][]hit{}
	}
	c.add(x.exact, normCodeStyle(x.style, code), h)
}

func (c *compiler) addPrefix(system, code string, h hit) {
	x := c.system(normSystem(system))
	if strings.IndexByte(code, '?') >= 0 {
		x.wild = append(x.wild, wildPrefix{pattern: normCodeStyle(x.style, code), hit: h})
		c.r.codes++
		c.entries++
		return
	}
	if x.prefixes == nil {
		x.prefixes = map[string][]hit{}
	}
	c.add(x.prefixes, normCodeStyle(x.style, code), h)
}

// add indexes a normalised code in one of a system's code indexes.
func (c *compiler) add(index map[string][]hit, code string, h hit) {
	index[code] = append(index[code], h)
	c.r.codes++
	c.entries++
}

// valueSetCodes indexes the codes of a ValueSet: its expansion when it has
// one, else the concepts listed in compose.include.
func (c *compiler) valueSetCodes(vs jsonx.Node, at string, h hit) error {
	d := c.d
	if d.Str(d.Get(vs, "resourceType")) != "ValueSet" {
		return c.fail(vs, at, "must be a ValueSet")
	}
	n := 0
	var err error
	var walk func(arr jsonx.Node, at string)
	walk = func(arr jsonx.Node, at string) {
		d.Items(arr, func(i int, it jsonx.Node) bool {
			here := at + "[" + strconv.Itoa(i) + "]"
			if sn, code := d.Get(it, "system"), d.Str(d.Get(it, "code")); d.Str(sn) != "" && code != "" {
				var sys string
				if sys, err = c.codeSystem(sn, here+".system", d.Str(sn)); err != nil {
					return false
				}
				c.addExact(sys, code, h)
				n++
			}
			walk(d.Get(it, "contains"), here+".contains")
			return err == nil
		})
	}
	if exp := d.Get(vs, "expansion"); exp >= 0 {
		walk(d.Get(exp, "contains"), dot(at, "expansion.contains"))
	} else {
		d.Items(d.Get(d.Get(vs, "compose"), "include"), func(i int, inc jsonx.Node) bool {
			sn := d.Get(inc, "system")
			if d.Str(sn) == "" || d.Get(inc, "concept") < 0 {
				return true
			}
			var sys string
			if sys, err = c.codeSystem(sn, dot(at, "compose.include["+strconv.Itoa(i)+"].system"), d.Str(sn)); err != nil {
				return false
			}
			d.Items(d.Get(inc, "concept"), func(_ int, con jsonx.Node) bool {
				if code := d.Str(d.Get(con, "code")); code != "" {
					c.addExact(sys, code, h)
					n++
				}
				return true
			})
			return true
		})
	}
	if err != nil {
		return err
	}
	if n == 0 {
		return c.fail(vs, at, "the ValueSet lists no codes (an expansion or compose.include.concept is needed; filters are not expanded)")
	}
	return nil
}

// dot joins a path and a member: "a" + "b" is "a.b", "" + "b" is "b".
func dot(at, name string) string {
	if at == "" {
		return name
	}
	return at + "." + name
}

// valueSets imports a ValueSet, or a Bundle of them, as rules: the label is
// the security Coding in useContext (code "focus") or in topic.
func (c *compiler) valueSets(n jsonx.Node) error {
	d := c.d
	switch d.Str(d.Get(n, "resourceType")) {
	case "Bundle":
		var err error
		d.Items(d.Get(n, "entry"), func(i int, e jsonx.Node) bool {
			at := "entry[" + strconv.Itoa(i) + "].resource"
			if res := d.Get(e, "resource"); res >= 0 {
				err = c.valueSet(res, at)
			} else {
				err = c.fail(e, at, "a Bundle entry of a rule pack holds a ValueSet")
			}
			return err == nil
		})
		return err
	case "ValueSet":
		return c.valueSet(n, "")
	}
	return c.fail(d.Get(n, "resourceType"), "resourceType", "a FHIR rule pack is a ValueSet or a Bundle of ValueSets")
}

func (c *compiler) valueSet(vs jsonx.Node, at string) error {
	d := c.d
	r := rule{id: d.Str(d.Get(vs, "url"))}
	if r.id == "" {
		r.id = d.Str(d.Get(vs, "id"))
	}
	where := ruleAt(at, r.id)
	if at == "" {
		where = ruleAt("ValueSet", r.id)
	}
	collect := func(cc jsonx.Node) {
		d.Items(d.Get(cc, "coding"), func(_ int, cd jsonx.Node) bool {
			if l, err := c.securityLabel(cd, at); err == nil {
				r.labels = append(r.labels, l)
			} else if code := d.Str(d.Get(cd, "code")); code != "" {
				c.warn(where, "label "+code+" is not a security label code; left out")
			}
			return true
		})
	}
	d.Items(d.Get(vs, "useContext"), func(_ int, uc jsonx.Node) bool {
		if d.Str(d.Get(d.Get(uc, "code"), "code")) == "focus" {
			collect(d.Get(uc, "valueCodeableConcept"))
		}
		return true
	})
	d.Items(d.Get(vs, "topic"), func(_ int, t jsonx.Node) bool { collect(t); return true })
	if len(r.labels) == 0 {
		return c.fail(vs, at, "the ValueSet names no security label in useContext (focus) or topic")
	}
	idx := len(c.r.rules)
	if err := c.valueSetCodes(vs, at, hit{rule: int32(idx), confidence: confScale}); err != nil {
		return err
	}
	c.r.rules = append(c.r.rules, r)
	return nil
}

// addIngredient compiles an ingredient entry: whole words, each of ASCII
// letters, digits, hyphens and points between digits ("0.35"), that must all appear in an RxNorm display
// (in any case and order), and words after "!" that must not. It is indexed
// by its longest required word, the one least likely to appear by chance.
func (c *compiler) addIngredient(entry string, rule int32, n jsonx.Node, at string) error {
	words := strings.Fields(entry)
	if len(words) == 0 {
		return c.fail(n, at, "an ingredient entry needs a word")
	}
	in := ingredient{rule: rule}
	key := ""
	for _, w := range words {
		neg := w[0] == '!'
		if neg {
			w = w[1:]
		}
		if w == "" {
			return c.fail(n, at, `"!" must be followed by a word`)
		}
		for i := 0; i < len(w); i++ {
			if !isIngredientByte(lowerByte(w[i])) && !decimalPoint([]byte(w), i) {
				return c.fail(n, at, quote(w)+": an ingredient word holds only letters, digits, hyphens and a point between digits")
			}
		}
		w = strings.ToLower(w)
		switch {
		case neg:
			in.without = append(in.without, w)
		case len(w) > len(key):
			if key != "" {
				in.with = append(in.with, key)
			}
			key = w
		default:
			in.with = append(in.with, w)
		}
	}
	if key == "" {
		return c.fail(n, at, "an ingredient entry needs a word that must appear, not only !words")
	}
	for _, w := range in.without {
		if w == key || slices.Contains(in.with, w) {
			return c.fail(n, at, quote(w)+" is both required and excluded: the entry can never match")
		}
	}
	if c.r.ingredients == nil {
		c.r.ingredients = map[string][]ingredient{}
	}
	c.r.ingredients[key] = append(c.r.ingredients[key], in)
	c.r.codes++
	return nil
}

// isIngredientByte reports whether a lower-case byte belongs to an ingredient
// word: a letter, a digit or a hyphen.
func isIngredientByte(c byte) bool {
	return 'a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '-'
}

// lowerByte lower-cases an ASCII letter.
func lowerByte(c byte) byte {
	if 'A' <= c && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}

// literalWords returns the lower-cased pattern when it is plain text, else nil.
func literalWords(p string) []string {
	for _, c := range p {
		if !(c == ' ' || c == '-' || c == '&' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9') {
			return nil
		}
	}
	return []string{strings.ToLower(p)}
}

func isDate(s string) bool {
	if s == "" {
		return true
	}
	if len(s) < 4 {
		return false
	}
	for i, c := range s {
		if !(c >= '0' && c <= '9' || c == '-' && (i == 4 || i == 7)) {
			return false
		}
	}
	return true
}

// isShares recognises the LEAP-CDS / ASU SHARES rules format: rules with
// codeSets.
func isShares(d *jsonx.Doc) bool {
	first := d.Index(d.Get(0, "rules"), 0)
	return d.Get(first, "codeSets") >= 0
}

// shares imports the SHARES format. Its labels may hold local grouping codes
// (MENCAT, DISEASE, ...): those are left out with a warning, because only
// security vocabularies belong in meta.security. Each code keeps its
// confidence, compared with the minConfidence option when labeling.
func (c *compiler) shares() error {
	d := c.d
	if name := d.Str(d.Get(0, "name")); name != "" {
		c.r.names = append(c.r.names, name)
	}
	var err error
	d.Items(d.Get(0, "rules"), func(i int, rn jsonx.Node) bool {
		at := "rules[" + strconv.Itoa(i) + "]"
		r := rule{id: d.Str(d.Get(rn, "id"))}
		if r.id == "" {
			err = c.fail(rn, at+".id", "every rule needs an id")
			return false
		}
		where := ruleAt(at, r.id)
		d.Items(d.Get(rn, "labels"), func(j int, l jsonx.Node) bool {
			lb, e := c.securityLabel(l, at)
			if e != nil {
				code := d.Str(d.Get(l, "code"))
				if code == "" {
					code = string(d.Raw(l))
				}
				c.warn(where, "label "+code+" is not a security label code; left out")
				return true
			}
			r.labels = append(r.labels, lb)
			return true
		})
		if b := d.Get(rn, "basis"); b >= 0 {
			if lb, e := c.securityLabel(b, at+".basis"); e == nil && lb.set == vocab.SetPolicy {
				r.basis = &lb
			}
		}
		if len(r.labels) == 0 {
			c.warn(where, "no security label left; the rule is skipped")
			return true
		}
		idx := len(c.r.rules)
		entries := c.entries
		d.Items(d.Get(rn, "codeSets"), func(j int, cs jsonx.Node) bool {
			d.Items(d.Get(cs, "codes"), func(k int, cd jsonx.Node) bool {
				here := at + ".codeSets[" + strconv.Itoa(j) + "].codes[" + strconv.Itoa(k) + "]"
				sn := d.Get(cd, "system")
				code := d.Str(d.Get(cd, "code"))
				if code == "" && d.Kind(d.Get(cd, "code")) == jsonx.Number {
					code = string(d.Raw(d.Get(cd, "code")))
				}
				if d.Str(sn) == "" || strings.TrimSpace(code) == "" {
					err = c.fail(cd, here, "needs a system and a code")
					return false
				}
				var sys string
				if sys, err = c.codeSystem(sn, here+".system", d.Str(sn)); err != nil {
					return false
				}
				conf := uint32(confScale)
				if cv := d.Get(cd, "confidence"); cv >= 0 {
					f, ok := parseUnit(d.Raw(cv), true)
					if d.Kind(cv) != jsonx.Number || !ok {
						err = c.fail(cv, here+".confidence", "must be a number from 0 to 1")
						return false
					}
					conf = f
				}
				c.addExact(sys, code, hit{rule: int32(idx), confidence: conf})
				return true
			})
			return err == nil
		})
		if err != nil {
			return false
		}
		if c.entries == entries {
			c.warn(where, "the rule lists no codes; it never matches")
		}
		c.r.rules = append(c.r.rules, r)
		return true
	})
	return err
}

// wildPrefix is a prefix with "?" for any one character: ICD-10-CM says the
// intent of a poisoning in a code's sixth character (T39.1X2A, T40.412A:
// intentional self-harm), after a subcategory of one or two characters.
type wildPrefix struct {
	pattern string
	hit     hit
}

// matches reports whether code starts with the pattern.
func (w *wildPrefix) matches(code string) bool {
	if len(code) < len(w.pattern) {
		return false
	}
	for i := 0; i < len(w.pattern); i++ {
		if p := w.pattern[i]; p != '?' && p != code[i] {
			return false
		}
	}
	return true
}
