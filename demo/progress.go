package demo

import (
	"fmt"
	"io"
	"strings"
	"time"
)

// ProgressBar shows a run's progress: a bar redrawn in place on a terminal,
// a line per quarter otherwise (logs, CI). Its Update is a Progress.
type ProgressBar struct {
	w       io.Writer
	tty     bool
	started time.Time
	drawn   time.Time
	quarter int
}

// NewProgressBar draws on w, as a bar when tty is true; elapsed times count
// from started.
func NewProgressBar(w io.Writer, tty bool, started time.Time) *ProgressBar {
	return &ProgressBar{w: w, tty: tty, started: started, quarter: -1}
}

// Update shows that done of total commands are done.
func (p *ProgressBar) Update(done, total int) {
	if total <= 0 {
		return
	}
	elapsed := time.Since(p.started).Round(100 * time.Millisecond)
	pct := 100 * done / total
	if p.tty {
		now := time.Now()
		if done < total && now.Sub(p.drawn) < 100*time.Millisecond {
			return
		}
		p.drawn = now
		const width = 30
		filled := width * done / total
		_, _ = fmt.Fprintf(p.w, "\rseeding [%s%s] %3d%%  %d/%d commands  %s ", strings.Repeat("=", filled), strings.Repeat(" ", width-filled),
			pct, done, total, elapsed)
		return
	}
	if q := pct / 25; q > p.quarter {
		p.quarter = q
		_, _ = fmt.Fprintf(p.w, "seed: %d%% (%d of %d commands, %s)\n", pct, done, total, elapsed)
	}
}

// Finish ends the bar's line on a terminal.
func (p *ProgressBar) Finish() {
	if p.tty && !p.drawn.IsZero() {
		_, _ = fmt.Fprintln(p.w)
	}
}
