package main

import (
	"fmt"
	"io"
	"os"
	"time"
)

// progress draws a one-line progress bar on stderr while a stream is
// processed, only when stderr is a terminal, at most ten times a second.
type progress struct {
	w           io.Writer
	on          bool
	total       int64 // input size in bytes, or -1 when unknown
	start, last time.Time
	lines       int
	drawn       bool
}

func newProgress(w io.Writer, total int64) *progress {
	p := &progress{w: w, total: total, start: time.Now()}
	if f, ok := w.(*os.File); ok {
		if st, err := f.Stat(); err == nil && st.Mode()&os.ModeCharDevice != 0 {
			p.on = true
		}
	}
	return p
}

func (p *progress) update(lines int, done int64) {
	p.lines = lines
	if !p.on || time.Since(p.last) < 100*time.Millisecond {
		return
	}
	p.last = time.Now()
	p.draw(done)
}

func (p *progress) draw(done int64) {
	secs := time.Since(p.start).Seconds()
	rate := float64(done) / (1 << 20) / max(secs, 1e-3)
	if p.total > 0 {
		frac := min(float64(done)/float64(p.total), 1)
		const width = 30
		filled := int(frac * width)
		bar := make([]byte, width)
		for i := range bar {
			bar[i] = '-'
			if i < filled {
				bar[i] = '#'
			}
		}
		fmt.Fprintf(p.w, "\r[%s] %3.0f%%  %d resources  %.1f MB/s ", bar, frac*100, p.lines, rate)
	} else {
		fmt.Fprintf(p.w, "\r%d resources  %.1f MB/s ", p.lines, rate)
	}
	p.drawn = true
}

// clear takes the bar off its line so that a message can be written there.
func (p *progress) clear() {
	if p.on && p.drawn {
		fmt.Fprint(p.w, "\r\033[K")
	}
}

func (p *progress) finish() {
	if p.on && p.drawn {
		fmt.Fprintf(p.w, "\r\033[K%d resources in %.1fs\n", p.lines, time.Since(p.start).Seconds())
	}
}
