package main

import (
	"fmt"
	"io"
	"os"
	"time"
)

// progress draws a one-line status on a terminal and nothing elsewhere, so that
// cron mail and pipes get only the summary.
type progress struct {
	w    io.Writer
	on   bool
	last time.Time
	wide int
}

func newProgress(w io.Writer) *progress {
	p := &progress{w: w}
	if f, ok := w.(*os.File); ok {
		if fi, err := f.Stat(); err == nil && fi.Mode()&os.ModeCharDevice != 0 {
			p.on = true
		}
	}
	return p
}

// update redraws the line at most ten times a second.
func (p *progress) update(format string, args ...any) {
	if !p.on || time.Since(p.last) < 100*time.Millisecond {
		return
	}
	p.last = time.Now()
	s := fmt.Sprintf(format, args...)
	if len(s) > 100 {
		s = s[:97] + "..."
	}
	pad := max(p.wide-len(s), 0)
	p.wide = len(s)
	fmt.Fprintf(p.w, "\r%s%*s", s, pad, "")
}

// step redraws the line now: each call is a step worth seeing, however fast.
func (p *progress) step(format string, args ...any) {
	p.last = time.Time{}
	p.update(format, args...)
}

// done clears the line.
func (p *progress) done() {
	if p.on && p.wide > 0 {
		fmt.Fprintf(p.w, "\r%*s\r", p.wide, "")
		p.wide = 0
	}
}
