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

// embeddedPack returns the pack EmbeddedPack and the request's rules know
// by name.
func embeddedPack(name string) ([]byte, bool) {
	switch name {
	case "us-default":
		return defaultPack, true
	case "us-broad":
		return broadPack, true
	}
	return nil, false
}

var (
	defaultOnce     sync.Once
	defaultCompiled *Rules
)

func defaultRules() *Rules { return DefaultRules() }
