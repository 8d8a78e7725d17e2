//go:build wasm

package engine

import "sync"

// statePool keeps one state between calls. The module runs one call at a
// time, so one spare serves as well as a sync.Pool, whose per-processor
// machinery would cost the module 24 KB of code (6 KB gzip).
type statePool struct {
	mu    sync.Mutex
	spare *state
}

func (p *statePool) get() *state {
	p.mu.Lock()
	s := p.spare
	p.spare = nil
	p.mu.Unlock()
	if s == nil {
		s = &state{}
	}
	return s
}

func (p *statePool) put(s *state) {
	p.mu.Lock()
	p.spare = s
	p.mu.Unlock()
}
