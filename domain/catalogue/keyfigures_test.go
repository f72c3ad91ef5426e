package catalogue_test

import (
	"math"
	"reflect"
	"testing"
	"time"

	"github.com/leerpad/leerpad/domain"
	"github.com/leerpad/leerpad/domain/catalogue"
	"github.com/leerpad/leerpad/domain/domaintest"
)

func pct(v float64) *float64 { return &v }

// TestKeyFigures: per quarter YYYY-Qn begun by the time recorded, each
// figure a percentage from 0 to 100, at least one given; a quarter
// recorded again is replaced, and must change.
func TestKeyFigures(t *testing.T) {
	registered := catalogue.EntityRegistered{EntityID: entity, Name: "Agency for Roads and Traffic", At: at}
	record := func(quarter string, absent, turnover *float64, when time.Time) func(*catalogue.Entity) error {
		return func(en *catalogue.Entity) error {
			return en.RecordKeyFigures(catalogue.RecordKeyFigures{EntityID: entity, Quarter: quarter, AbsenteeismPct: absent, TurnoverPct: turnover, At: when})
		}
	}
	recorded := func(quarter string, absent, turnover *float64, when time.Time) catalogue.KeyFiguresRecorded {
		return catalogue.KeyFiguresRecorded{EntityID: entity, Quarter: quarter, AbsenteeismPct: absent, TurnoverPct: turnover, At: when}
	}
	q1 := recorded("2025-Q1", pct(5.5), pct(9), at)
	domaintest.Run(t, catalogue.ReplayEntity, []domaintest.Case[*catalogue.Entity]{
		{Name: "both figures", Given: []domain.Event{registered}, When: record("2025-Q1", pct(5.5), pct(9), at), Want: []domain.Event{q1}},
		{Name: "absenteeism only, the ends of the range", Given: []domain.Event{registered}, When: record("2024-Q4", pct(0), nil, at),
			Want: []domain.Event{recorded("2024-Q4", pct(0), nil, at)}},
		{Name: "turnover only", Given: []domain.Event{registered}, When: record("2024-Q4", nil, pct(100), at),
			Want: []domain.Event{recorded("2024-Q4", nil, pct(100), at)}},
		{Name: "the quarter under way", Given: []domain.Event{registered}, When: record("2025-Q1", pct(5), nil, time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)),
			Want: []domain.Event{recorded("2025-Q1", pct(5), nil, time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC))}},
		{Name: "a quarter not begun", Given: []domain.Event{registered}, When: record("2025-Q2", pct(5), nil, at),
			WantErr: domain.ErrInvalid, WantField: "quarter"},
		{Name: "again, replaced", Given: []domain.Event{registered, q1}, When: record("2025-Q1", nil, pct(9.5), later),
			Want: []domain.Event{recorded("2025-Q1", nil, pct(9.5), later)}},
		{Name: "again as it is", Given: []domain.Event{registered, q1}, When: record("2025-Q1", pct(5.5), pct(9), later),
			WantErr: catalogue.ErrKeyFiguresUnchanged},
		{Name: "neither figure", Given: []domain.Event{registered}, When: record("2025-Q1", nil, nil, at), WantErr: domain.ErrInvalid, WantField: "absenteeismPct"},
		{Name: "absenteeism above 100", Given: []domain.Event{registered}, When: record("2025-Q1", pct(100.5), nil, at), WantErr: domain.ErrInvalid, WantField: "absenteeismPct"},
		{Name: "negative turnover", Given: []domain.Event{registered}, When: record("2025-Q1", nil, pct(-1), at), WantErr: domain.ErrInvalid, WantField: "turnoverPct"},
		{Name: "turnover not a number", Given: []domain.Event{registered}, When: record("2025-Q1", nil, pct(math.NaN()), at), WantErr: domain.ErrInvalid, WantField: "turnoverPct"},
		{Name: "a fifth quarter", Given: []domain.Event{registered}, When: record("2025-Q5", pct(5), nil, at), WantErr: domain.ErrInvalid, WantField: "quarter"},
		{Name: "a quarter in another form", Given: []domain.Event{registered}, When: record("Q1-2025", pct(5), nil, at), WantErr: domain.ErrInvalid, WantField: "quarter"},
		{Name: "a quarter in lower case", Given: []domain.Event{registered}, When: record("2025-q1", pct(5), nil, at), WantErr: domain.ErrInvalid, WantField: "quarter"},
		{Name: "an entity not registered", When: record("2025-Q1", pct(5), nil, at), WantErr: catalogue.ErrEntityNotFound},
	})
}

func TestKeyFiguresAreASeriesByQuarter(t *testing.T) {
	en := catalogue.ReplayEntity(
		catalogue.EntityRegistered{EntityID: entity, Name: "Agency", At: at},
		catalogue.KeyFiguresRecorded{EntityID: entity, Quarter: "2025-Q1", AbsenteeismPct: pct(6), At: at},
		catalogue.KeyFiguresRecorded{EntityID: entity, Quarter: "2024-Q3", AbsenteeismPct: pct(4), TurnoverPct: pct(7), At: at},
		catalogue.KeyFiguresRecorded{EntityID: entity, Quarter: "2024-Q4", TurnoverPct: pct(8), At: at},
		catalogue.KeyFiguresRecorded{EntityID: entity, Quarter: "2024-Q3", TurnoverPct: pct(7.5), At: later},
	)
	got := en.KeyFigures()
	want := []catalogue.KeyFigures{
		{Quarter: "2024-Q3", TurnoverPct: pct(7.5), RecordedAt: later},
		{Quarter: "2024-Q4", TurnoverPct: pct(8), RecordedAt: at},
		{Quarter: "2025-Q1", AbsenteeismPct: pct(6), RecordedAt: at},
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("series %+v, want %+v", got, want)
	}
	*got[0].TurnoverPct = 99
	if *en.KeyFigures()[0].TurnoverPct != 7.5 {
		t.Fatal("the caller changed the entity's figures")
	}
}
