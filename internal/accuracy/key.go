package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/valyala/fastjson"
)

// The scored categories and the sensitivity labels that count for each.
var categories = []string{"HIV", "SUD", "MH", "SEX", "STD", "SDV", "GDIS"}

var labelCategory = map[string]string{
	"HIV": "HIV",
	"SUD": "SUD", "ETHUD": "SUD", "OPIOIDUD": "SUD",
	"MH": "MH", "PSY": "MH", "PSYTHPN": "MH",
	"SEX": "SEX", "STD": "STD", "SDV": "SDV", "GDIS": "GDIS",
}

func isCategory(s string) bool {
	for _, c := range categories {
		if c == s {
			return true
		}
	}
	return false
}

// expect is what one resource is expected to carry.
type expect struct {
	Core  []string `json:"core"`
	Broad []string `json:"broad"`
}

// key is {bundle file: {"Type/id": expectation}}.
type key map[string]map[string]expect

func readKey(path string) (key, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var k key
	if err := json.Unmarshal(b, &k); err != nil {
		return nil, fmt.Errorf("%s: %v", path, err)
	}
	for bundle, rs := range k {
		for id, e := range rs {
			for _, c := range append(append([]string(nil), e.Core...), e.Broad...) {
				if !isCategory(c) {
					return nil, fmt.Errorf("%s: %s %s: unknown category %q", path, bundle, id, c)
				}
			}
		}
	}
	return k, nil
}

func writeJSON(path string, v any) error {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(path, append(b, '\n'), 0o644)
}

// entry is one resource of a Bundle.
type entry struct {
	Index    int    // in Bundle.entry
	ID       string // Type/id
	FullURL  string
	Type     string
	Resource *fastjson.Value
}

type namedBundle struct {
	Name    string
	Data    []byte
	Entries []entry
	byRef   map[string]int
}

func parseBundle(name string, data []byte) (namedBundle, error) {
	v, err := fastjson.ParseBytes(data)
	if err != nil {
		return namedBundle{}, fmt.Errorf("%s: %v", name, err)
	}
	b := namedBundle{Name: name, Data: data, byRef: map[string]int{}}
	for i, e := range v.GetArray("entry") {
		r := e.Get("resource")
		if r == nil {
			continue
		}
		t, id := str(r.Get("resourceType")), str(r.Get("id"))
		if t == "" || id == "" {
			return b, fmt.Errorf("%s: entry[%d] has no resourceType or id", name, i)
		}
		en := entry{Index: i, ID: t + "/" + id, FullURL: str(e.Get("fullUrl")), Type: t, Resource: r}
		if _, dup := b.byRef[en.ID]; dup {
			return b, fmt.Errorf("%s: %s twice", name, en.ID)
		}
		b.byRef[en.ID] = len(b.Entries)
		if en.FullURL != "" {
			b.byRef[en.FullURL] = len(b.Entries)
		}
		b.Entries = append(b.Entries, en)
	}
	return b, nil
}

// resolve finds the entry a reference names: its fullUrl, Type/id, or an
// absolute URL ending in Type/id.
func (b *namedBundle) resolve(ref string) (int, bool) {
	if i, ok := b.byRef[ref]; ok {
		return i, true
	}
	if strings.Contains(ref, "://") {
		p := strings.Split(strings.TrimRight(ref, "/"), "/")
		if len(p) >= 2 {
			if i, ok := b.byRef[p[len(p)-2]+"/"+p[len(p)-1]]; ok {
				return i, true
			}
		}
		if len(p) >= 4 && p[len(p)-2] == "_history" {
			if i, ok := b.byRef[p[len(p)-4]+"/"+p[len(p)-3]]; ok {
				return i, true
			}
		}
	}
	return 0, false
}

// transfers lists, per resource type, the reference elements along which a
// resource carries the categories of what it references (the key's rules,
// written from the spec, not from the engine's options).
var transfers = map[string][][]string{
	"Claim": {{"item", "encounter"}, {"diagnosis", "diagnosisReference"},
		{"procedure", "procedureReference"}, {"prescription"}},
	"ExplanationOfBenefit": {{"item", "encounter"}, {"diagnosis", "diagnosisReference"},
		{"procedure", "procedureReference"}, {"prescription"}, {"claim"}},
	"DiagnosticReport":         {{"result"}},
	"MedicationRequest":        {{"medicationReference"}},
	"MedicationDispense":       {{"medicationReference"}},
	"MedicationAdministration": {{"medicationReference"}},
	"MedicationStatement":      {{"medicationReference"}},
}

// references returns the reference strings at path under v (arrays are
// walked at every step).
func references(v *fastjson.Value, path []string) []string {
	if v == nil {
		return nil
	}
	if v.Type() == fastjson.TypeArray {
		var out []string
		for _, x := range v.GetArray() {
			out = append(out, references(x, path)...)
		}
		return out
	}
	if len(path) == 0 {
		if r := str(v.Get("reference")); r != "" {
			return []string{r}
		}
		return nil
	}
	return references(v.Get(path[0]), path[1:])
}

// derivation is how one resource's expectation came about, for -v.
type derivation struct {
	expect
	Basis []string // what the resource's own categories rest on: codings or text units
	Via   []string // the resources it carries categories from
}

// ownFunc classifies what one resource says by itself: its core and broad
// categories and what they rest on.
type ownFunc func(e entry) (core, broad map[string]bool, basis []string)

// propagate computes each resource's expectation from what it says by
// itself (own) and the transfer rules; resources expected to carry nothing
// are left out.
func propagate(b *namedBundle, own ownFunc) map[string]derivation {
	memo := make([]*derivation, len(b.Entries))
	busy := make([]bool, len(b.Entries))
	var get func(i int) *derivation
	get = func(i int) *derivation {
		if memo[i] != nil {
			return memo[i]
		}
		if busy[i] {
			return &derivation{} // a cycle adds nothing more
		}
		busy[i] = true
		defer func() { busy[i] = false }()
		e := b.Entries[i]
		core, broad, basis := own(e)
		d := &derivation{Basis: basis}
		for _, p := range transfers[e.Type] {
			for _, ref := range references(e.Resource, p) {
				j, ok := b.resolve(ref)
				if !ok {
					continue
				}
				t := get(j)
				if len(t.Core) == 0 && len(t.Broad) == 0 {
					continue
				}
				addAll(core, t.Core)
				addAll(broad, t.Broad)
				d.Via = append(d.Via, b.Entries[j].ID)
			}
		}
		d.Core = sorted(core, nil)
		d.Broad = sorted(broad, core)
		memo[i] = d
		return d
	}
	out := map[string]derivation{}
	for i, e := range b.Entries {
		d := get(i)
		if len(d.Core) > 0 || len(d.Broad) > 0 {
			out[e.ID] = *d
		}
	}
	return out
}

func addAll(set map[string]bool, xs []string) {
	for _, x := range xs {
		set[x] = true
	}
}

// listed is what a hand classification lists: a coding or a text unit.
type listed interface {
	comparable
	String() string
}

// union classifies a resource by the listed things it holds: the union of
// their categories and, as its basis, the distinct things that carry any.
// A thing classified gives false is appended to missing.
func union[K listed](things []K, classified func(K) (class, bool), missing *[]K) (core, broad map[string]bool, basis []string) {
	core, broad = map[string]bool{}, map[string]bool{}
	seen := map[K]bool{}
	for _, x := range things {
		cl, ok := classified(x)
		if !ok {
			*missing = append(*missing, x)
			continue
		}
		addAll(core, cl.Core)
		addAll(broad, cl.Broad)
		if (len(cl.Core) > 0 || len(cl.Broad) > 0) && !seen[x] {
			seen[x] = true
			basis = append(basis, x.String())
		}
	}
	return core, broad, basis
}

// relist makes a table of the distinct things found, keeping the
// classification old gives them; new ones get an empty class.
func relist[K comparable](found []K, old map[K]class) (table map[K]class, added, kept int) {
	table = map[K]class{}
	for _, x := range found {
		if _, ok := table[x]; ok {
			continue
		}
		if cl, ok := old[x]; ok {
			table[x] = cl
			kept++
		} else {
			table[x] = class{}
			added++
		}
	}
	return table, added, kept
}

// derive computes each resource's expectation from the classified codings
// and the transfer rules; it fails when a coding is not classified.
func derive(b *namedBundle, table map[coding]class) (map[string]derivation, error) {
	var missing []coding
	lookup := func(c coding) (class, bool) { cl, ok := table[c]; return cl, ok }
	out := propagate(b, func(e entry) (map[string]bool, map[string]bool, []string) {
		return union(codings(e.Resource), lookup, &missing)
	})
	if len(missing) > 0 {
		return out, fmt.Errorf("%s: %d codings not in codes.tsv (run -extract), first %v", b.Name, len(missing), missing[0])
	}
	return out, nil
}

// sorted returns the set's members in category order, leaving out those in
// not.
func sorted(set, not map[string]bool) []string {
	out := []string{}
	for _, c := range categories {
		if set[c] && !not[c] {
			out = append(out, c)
		}
	}
	return out
}

// deriveKey derives the Synthea key from codes.tsv.
func deriveKey(bundles []namedBundle, table map[coding]class) (key, error) {
	return keyOf(bundles, func(b *namedBundle) (map[string]derivation, error) { return derive(b, table) })
}

// syntheaKeyOf derives the Synthea key from the committed codes.tsv.
func syntheaKeyOf(root string, bundles []namedBundle) (key, error) {
	table, _, err := readCodes(filepath.Join(root, codesTSV))
	if err != nil {
		return nil, err
	}
	return deriveKey(bundles, table)
}

// keyOf makes a key of each bundle's derivations.
func keyOf(bundles []namedBundle, derive func(*namedBundle) (map[string]derivation, error)) (key, error) {
	k := key{}
	for i := range bundles {
		d, err := derive(&bundles[i])
		if err != nil {
			return nil, err
		}
		rs := map[string]expect{}
		for id, x := range d {
			rs[id] = x.expect
		}
		k[bundles[i].Name] = rs
	}
	return k, nil
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
