package offer_test

import (
	"bytes"
	"errors"
	"reflect"
	"testing"

	"github.com/leerpad/leerpad/domain"
	"github.com/leerpad/leerpad/domain/catalogue"
	"github.com/leerpad/leerpad/domain/cohort"
	"github.com/leerpad/leerpad/domain/feedback"
	"github.com/leerpad/leerpad/projections"
	"github.com/leerpad/leerpad/projections/internal/fixture"
	"github.com/leerpad/leerpad/projections/offer"
	"github.com/leerpad/leerpad/projections/readmodeltest"
)

// TestSnapshotRestoreEqualsReplay snapshots the read model after every
// event of a history that uses every handler, restores it into a fresh one,
// feeds the whole history (what it has is skipped), and checks that it
// answers every query (readmodeltest enumerates them) as a read model that
// replayed it all; and that a restore into a read model that has handled
// events is refused and changes nothing.
func TestSnapshotRestoreEqualsReplay(t *testing.T) {
	l := fixture.NewLog(12)
	m1, m2, p1, i1, e1, o1, o2, goal := l.ID(), l.ID(), l.ID(), l.ID(), l.ID(), l.ID(), l.ID(), l.ID()
	l.Append(catalogue.ModuleCategory+"-"+m1, catalogue.ModuleAdded{ModuleID: m1, Content: content("Me and myself", goal), At: at})
	l.Append(catalogue.ProgrammeCategory+"-"+p1, catalogue.ProgrammeDesigned{ProgrammeID: p1, Code: "BLG", Title: "Beginning managers", ModuleIDs: []string{m1},
		Emphasis: []catalogue.ThemeEmphasis{{Theme: catalogue.ThemeTeam, Emphasis: catalogue.EmphasisStrong}}, At: at})
	l.Append(catalogue.ModuleCategory+"-"+m2, catalogue.ModuleAdded{ModuleID: m2, Content: content("Me and my team", goal), At: at})
	l.Append(catalogue.ProgrammeCategory+"-"+p1, catalogue.ProgrammeModuleAdded{ProgrammeID: p1, ModuleID: m2, Position: 1, At: at})
	l.Append(catalogue.ProgrammeCategory+"-"+p1, catalogue.ProgrammeEmphasisSet{ProgrammeID: p1, Theme: catalogue.ThemeSelf, Emphasis: catalogue.EmphasisLight, At: at})
	l.Append(catalogue.ModuleCategory+"-"+m1, catalogue.ModuleRevised{ModuleID: m1, Version: 2, Content: content("Me, myself", goal), Reason: "title", At: at})
	l.Append(feedback.InstrumentCategory+"-"+i1, feedback.InstrumentPublished{InstrumentID: i1, Title: "Leadership 360", Scale: feedback.Scale{Points: 5},
		Competencies: []feedback.Competency{{ID: l.ID(), Name: "Feedback", Items: []feedback.Item{{ID: l.ID(), Text: "a"}}}}, At: at})
	l.Append(catalogue.EntityCategory+"-"+e1, catalogue.EntityRegistered{EntityID: e1, Name: "Agency for Roads", At: at})
	l.Append(catalogue.EntityCategory+"-"+e1, catalogue.OrderPlaced{EntityID: e1, OrderID: o1, Kind: catalogue.OrderProgramme, ItemID: p1, Seats: 20, At: at})
	l.Append(cohort.StreamCategory+"-"+l.ID(), projections.UnknownEvent{Name: "cohort.from_the_future"})
	l.Append(catalogue.EntityCategory+"-"+e1, catalogue.OrderPlaced{EntityID: e1, OrderID: o2, Kind: catalogue.OrderModule, ItemID: m2, Seats: 2, At: at})
	l.Append(catalogue.EntityCategory+"-"+e1, catalogue.OrderCancelled{EntityID: e1, OrderID: o1, At: at})
	l.Append(catalogue.ProgrammeCategory+"-"+p1, catalogue.ProgrammeModuleRemoved{ProgrammeID: p1, ModuleID: m1, At: at})
	l.Append(catalogue.ProgrammeCategory+"-"+p1, catalogue.ProgrammeEmphasisSet{ProgrammeID: p1, Theme: catalogue.ThemeTeam, Emphasis: catalogue.EmphasisNormal, At: at})
	l.Append(catalogue.ModuleCategory+"-"+m1, catalogue.ModuleRetired{ModuleID: m1, At: at})
	l.Append(catalogue.ProgrammeCategory+"-"+p1, catalogue.ProgrammeRetired{ProgrammeID: p1, At: at})
	l.Append(feedback.InstrumentCategory+"-"+i1, feedback.InstrumentRetired{InstrumentID: i1, At: at})
	c1, c2, p1x, p2x := l.ID(), l.ID(), l.ID(), l.ID()
	l.Append(cohort.StreamCategory+"-"+c1, cohort.Planned{CohortID: c1, ProgrammeID: p1, EntityID: e1, Title: "BLG spring", TrainerIDs: []string{l.ID()},
		StartsOn: at, EndsOn: at.AddDate(0, 6, 0), At: at})
	l.Append(cohort.StreamCategory+"-"+c1, cohort.ParticipantEnrolled{CohortID: c1, ParticipantID: p1x, Name: "A", Email: "a@example.org", At: at})
	l.Append(cohort.StreamCategory+"-"+c2, cohort.Planned{CohortID: c2, ProgrammeID: l.ID(), EntityID: e1, Title: "Masterclass", TrainerIDs: []string{l.ID()},
		StartsOn: at, EndsOn: at.AddDate(0, 6, 0), At: at})
	l.Append(cohort.StreamCategory+"-"+c1, cohort.ParticipantEnrolled{CohortID: c1, ParticipantID: p2x, Name: "B", Email: "b@example.org", At: at})
	l.Append(cohort.StreamCategory+"-"+c1, cohort.ParticipantWithdrawn{CohortID: c1, ParticipantID: p1x, At: at})
	evs := l.Events

	cuts := make([]int, len(evs))
	for i := range cuts {
		cuts[i] = i + 1
	}
	readmodeltest.RestoreEqualsReplay(t, func() projections.Snapshotter { return offer.New() }, evs, cuts)

	full := offer.New()
	feed(t, full, evs)
	want := state(full)
	_, encode := offer.New().Snapshot()
	var empty bytes.Buffer
	if err := encode(&empty); err != nil {
		t.Fatal(err)
	}
	if err := full.Restore(&empty); !errors.Is(err, domain.ErrConflict) {
		t.Fatalf("restore into a read model that has handled events: %v, want a conflict", err)
	}
	if got := state(full); !reflect.DeepEqual(got, want) {
		t.Fatal("a refused restore changed the read model")
	}
}
