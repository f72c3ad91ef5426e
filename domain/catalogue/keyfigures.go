package catalogue

// Invariants of an ordering entity's key figures (leerpad.impact/v1 §3,
// level 4):
//   - key figures are recorded for a registered entity, per quarter, named
//     "YYYY-Qn" (n from 1 to 4), and not for a quarter that has not begun
//     when they are recorded: nobody has figures of the future;
//   - absenteeism and staff turnover are percentages from 0 to 100; at least
//     one of them is given;
//   - recording a quarter again replaces its figures (a figure not given is
//     then not known), and must change them.

import (
	"fmt"
	"math"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/leerpad/leerpad/domain"
)

// ErrKeyFiguresUnchanged refuses recording a quarter's figures as they are.
var ErrKeyFiguresUnchanged = fmt.Errorf("the quarter already has these key figures: %w", domain.ErrConflict)

// RecordKeyFigures records an ordering entity's key figures of a quarter,
// replacing what was recorded for it before.
type RecordKeyFigures struct {
	EntityID       string
	Quarter        string // "2025-Q3"
	AbsenteeismPct *float64
	TurnoverPct    *float64
	At             time.Time
	domain.Envelope
}

// KeyFigures are an entity's key figures of one quarter, as last recorded;
// a figure not given is nil.
type KeyFigures struct {
	Quarter        string
	AbsenteeismPct *float64
	TurnoverPct    *float64
	RecordedAt     time.Time
}

var quarterPattern = regexp.MustCompile(`^([0-9]{4})-Q([1-4])$`)

// QuarterStart returns the first moment (UTC) of quarter q, named
// "YYYY-Qn", or a *domain.FieldError naming field when q is no quarter.
func QuarterStart(field, q string) (time.Time, *domain.FieldError) {
	m := quarterPattern.FindStringSubmatch(q)
	if m == nil {
		return time.Time{}, domain.Invalid(field, "must be a quarter as YYYY-Qn, n from 1 to 4 (e.g. 2025-Q3)")
	}
	y, _ := strconv.Atoi(m[1])
	n, _ := strconv.Atoi(m[2])
	if y < 1900 {
		return time.Time{}, domain.Invalid(field, "must be a quarter of 1900 or later")
	}
	return time.Date(y, time.Month(3*(n-1)+1), 1, 0, 0, 0, 0, time.UTC), nil
}

func percentage(field string, v *float64) *domain.FieldError {
	if v != nil && (math.IsNaN(*v) || *v < 0 || *v > 100) {
		return domain.Invalid(field, "must be a percentage from 0 to 100")
	}
	return nil
}

// RecordKeyFigures records the entity's key figures of a quarter.
func (en *Entity) RecordKeyFigures(c RecordKeyFigures) error {
	ps := []*domain.FieldError{
		domain.RequireID("entityId", c.EntityID),
		domain.RequireTime("at", c.At),
		percentage("absenteeismPct", c.AbsenteeismPct),
		percentage("turnoverPct", c.TurnoverPct),
	}
	start, qp := QuarterStart("quarter", c.Quarter)
	if qp == nil && !c.At.IsZero() && start.After(c.At) {
		qp = domain.Invalid("quarter", "has not begun yet: key figures are recorded for a quarter under way or past")
	}
	ps = append(ps, qp)
	if c.AbsenteeismPct == nil && c.TurnoverPct == nil {
		ps = append(ps, domain.Invalid("absenteeismPct", "give absenteeismPct, turnoverPct or both"))
	}
	if err := domain.Validate(ps...); err != nil {
		return fmt.Errorf("record key figures: %w", err)
	}
	if en.id == "" {
		return fmt.Errorf("record key figures of entity %s: %w", c.EntityID, ErrEntityNotFound)
	}
	if k, ok := en.figures[c.Quarter]; ok && samePct(k.AbsenteeismPct, c.AbsenteeismPct) && samePct(k.TurnoverPct, c.TurnoverPct) {
		return fmt.Errorf("record key figures of %s: %w", c.Quarter, ErrKeyFiguresUnchanged)
	}
	en.record(KeyFiguresRecorded{EntityID: en.id, Quarter: c.Quarter, AbsenteeismPct: clonePct(c.AbsenteeismPct),
		TurnoverPct: clonePct(c.TurnoverPct), At: c.At})
	return nil
}

func samePct(a, b *float64) bool { return a == nil && b == nil || a != nil && b != nil && *a == *b }

func clonePct(v *float64) *float64 {
	if v == nil {
		return nil
	}
	c := *v
	return &c
}

// KeyFigures returns the entity's key figures, one per quarter recorded, in
// the order of the quarters; the result is a copy.
func (en *Entity) KeyFigures() []KeyFigures {
	out := make([]KeyFigures, 0, len(en.figures))
	for _, k := range en.figures {
		k.AbsenteeismPct, k.TurnoverPct = clonePct(k.AbsenteeismPct), clonePct(k.TurnoverPct)
		out = append(out, k)
	}
	slices.SortFunc(out, func(a, b KeyFigures) int { return strings.Compare(a.Quarter, b.Quarter) })
	return out
}

func (en *Entity) applyKeyFigures(e KeyFiguresRecorded) {
	en.figures[e.Quarter] = KeyFigures{Quarter: e.Quarter, AbsenteeismPct: clonePct(e.AbsenteeismPct), TurnoverPct: clonePct(e.TurnoverPct), RecordedAt: e.At}
}
