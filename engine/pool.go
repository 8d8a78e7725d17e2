//go:build !wasm

package engine

import "sync"

// statePool keeps states between calls: a sync.Pool, which lets them go
// when the collector runs.
type statePool struct{ p sync.Pool }

func (p *statePool) get() *state {
	if s, _ := p.p.Get().(*state); s != nil {
		return s
	}
	return &state{}
}

func (p *statePool) put(s *state) { p.p.Put(s) }
