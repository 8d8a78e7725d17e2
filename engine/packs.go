package engine

import (
	_ "embed"
	"sync"
)

// defaultPack is the embedded US-realm rule pack (sources in NOTICE).
//
//go:embed packs/us-default.json
var defaultPack []byte

// broadPack is the embedded opt-in US-realm pack: content that only a
// wider policy treats as sensitive, meant to be added to the default pack.
//
//go:embed packs/us-broad.json
var broadPack []byte

// embeddedPacks are the packs EmbeddedPack and the request's rules know by
// name.
var embeddedPacks = map[string][]byte{"us-default": defaultPack, "us-broad": broadPack}

var (
	defaultOnce     sync.Once
	defaultCompiled *Rules
)

// DefaultRules returns the compiled embedded US-realm pack: HIV, substance
// use disorder (with 42 CFR Part 2 and the redisclosure refrain), mental
// health, psychotherapy notes, sexual and reproductive health, STD, sexual or
// domestic violence and genetic disease. It is compiled once, on first use.
func DefaultRules() *Rules {
	defaultOnce.Do(func() {
		r, err := compileRules([]Pack{{Name: "us-default", JSON: defaultPack}}) // embedded, never written: no copy
		if err != nil {
			panic("engine: the embedded rule pack does not compile: " + err.Error())
		}
		defaultCompiled = r
	})
	return defaultCompiled
}

// DefaultPack returns the JSON of the embedded US-realm pack.
func DefaultPack() []byte { return append([]byte(nil), defaultPack...) }

// EmbeddedPack returns the JSON of an embedded pack by name, and whether
// there is one: "us-default" (the default pack, used when no rules are
// given) or "us-broad" (opt-in: content that only a wider policy treats as
// sensitive, such as routine prenatal care, meant to be added to
// us-default). The JSON is the caller's.
func EmbeddedPack(name string) ([]byte, bool) {
	b, ok := embeddedPacks[name]
	if !ok {
		return nil, false
	}
	return append([]byte(nil), b...), true
}

func defaultRules() *Rules { return DefaultRules() }
