package node

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"
)

// RecoveryReport says what opening the data directory found.
type RecoveryReport struct {
	Segments    int
	Records     int
	Events      int
	TornBytes   int64  // bytes of an unacknowledged tail that were truncated
	TornSavedAs string // where those bytes were copied before truncation
	Duration    time.Duration
}

func (e *Engine) recover() error {
	if err := removeScavengeLeftovers(e.dir); err != nil {
		return err
	}
	segs, err := listSegments(e.dir)
	if err != nil {
		return err
	}
	rep := &e.recovery
	for i, s := range segs {
		last := i == len(segs)-1
		if i > 0 {
			prev := segs[i-1]
			if prev.base+prev.size != s.base {
				return &CorruptionError{File: filepath.Base(s.path), Offset: 0,
					Reason: fmt.Sprintf("segment starts at %d but the previous one ends at %d", s.base, prev.base+prev.size)}
			}
		}
		res, err := scanSegment(s, last, func(pos int64, payload []byte) error {
			rep.Records++
			return e.applyRecord(pos, payload)
		})
		if err != nil {
			var ce *CorruptionError
			if errors.As(err, &ce) {
				return err
			}
			return fmt.Errorf("recover %s: %w", filepath.Base(s.path), err)
		}
		s.size = res.validEnd
		if res.torn {
			aside, err := preserveTornTail(s, res.validEnd, res.tornEnd)
			if err != nil {
				return fmt.Errorf("save torn tail of %s: %w", filepath.Base(s.path), err)
			}
			rep.TornBytes = res.tornEnd - res.validEnd
			rep.TornSavedAs = filepath.Base(aside)
			if err := os.Truncate(s.path, res.validEnd); err != nil {
				return fmt.Errorf("truncate torn tail of %s: %w", filepath.Base(s.path), err)
			}
			e.log.Warn("truncated an unacknowledged torn tail", "file", filepath.Base(s.path),
				"offset", res.validEnd, "bytes", rep.TornBytes, "saved_as", rep.TornSavedAs)
		}
	}
	rep.Segments = len(segs)
	rep.Events = len(e.entries)
	if len(segs) == 0 || segs[len(segs)-1].size < segmentHeaderSize {
		var base int64
		if len(segs) > 0 {
			// An empty last segment (never written): start it again.
			base = segs[len(segs)-1].base
			segs = segs[:len(segs)-1]
		}
		s, err := createSegment(e.dir, base)
		if err != nil {
			return err
		}
		segs = append(segs, s)
	}
	for i, s := range segs {
		flag := os.O_RDONLY
		if i == len(segs)-1 {
			flag = os.O_RDWR
		}
		f, err := os.OpenFile(s.path, flag, 0)
		if err != nil {
			return fmt.Errorf("open segment: %w", err)
		}
		s.f = f
	}
	last := segs[len(segs)-1]
	st, err := last.f.Stat()
	if err != nil {
		return fmt.Errorf("stat segment: %w", err)
	}
	last.alloc = st.Size()
	e.segs = segs
	return nil
}

// Recovery reports what opening the data directory found.
func (e *Engine) Recovery() RecoveryReport {
	e.mu.RLock()
	defer e.mu.RUnlock()
	return e.recovery
}
