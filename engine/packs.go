package engine

import (
	_ "embed"
	"sync"
)

// defaultPack is the embedded US-realm rule pack (sources in NOTICE).
//
//go:embed packs/us-default.json
var defaultPack []byte

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
		r, err := compileRules([][]byte{defaultPack}) // embedded, never written: no copy
		if err != nil {
			panic("engine: the embedded rule pack does not compile: " + err.Error())
		}
		defaultCompiled = r
	})
	return defaultCompiled
}

// DefaultPack returns the JSON of the embedded US-realm pack.
func DefaultPack() []byte { return append([]byte(nil), defaultPack...) }

func defaultRules() *Rules { return DefaultRules() }
