package offer_test

import (
	"context"
	"errors"
	"reflect"
	"sync"
	"testing"
	"time"

	"github.com/leerpad/leerpad/domain"
	"github.com/leerpad/leerpad/domain/catalogue"
	"github.com/leerpad/leerpad/domain/cohort"
	"github.com/leerpad/leerpad/domain/feedback"
	view "github.com/leerpad/leerpad/domain/offer"
	"github.com/leerpad/leerpad/projections"
	"github.com/leerpad/leerpad/projections/internal/fixture"
	"github.com/leerpad/leerpad/projections/offer"
)

var at = time.Date(2025, 1, 6, 9, 0, 0, 0, time.UTC)

func feed(tb testing.TB, m projections.Projection, events []projections.Event) {
	tb.Helper()
	for _, ev := range events {
		if err := m.Handle(context.Background(), ev); err != nil {
			tb.Fatalf("handle %s@%d: %v", ev.Stream, ev.Revision, err)
		}
	}
}

// state is everything the read model answers.
func state(m *offer.ReadModel) map[string]any {
	return map[string]any{"modules": m.Modules(), "programmes": m.Programmes(), "instruments": m.Instruments(),
		"entities": m.Entities(), "cohorts": m.Cohorts(), "position": m.Position(), "unknown": m.Unknown()}
}

func content(title string, goal string) catalogue.Content {
	return catalogue.Content{Title: title, Theme: catalogue.ThemeSelf, Forms: []catalogue.DidacticForm{catalogue.FormGroupTraining}, Hours: 8,
		LearningGoals: []catalogue.LearningGoal{{ID: goal, Behaviour: "Asks for feedback"}}}
}

func TestOffer(t *testing.T) {
	l := fixture.NewLog(11)
	m1, m2, m3 := l.ID(), l.ID(), l.ID()
	p1, p2 := l.ID(), l.ID()
	i1, i2 := l.ID(), l.ID()
	e1, e2 := l.ID(), l.ID()
	o1, o2 := l.ID(), l.ID()
	goal := l.ID()
	day := func(n int) time.Time { return at.AddDate(0, 0, n) }

	l.Append(catalogue.ModuleCategory+"-"+m1, catalogue.ModuleAdded{ModuleID: m1, Content: content("Me and myself", goal), At: day(0)})
	l.Append(catalogue.ModuleCategory+"-"+m2, catalogue.ModuleAdded{ModuleID: m2, Content: content("Me and my team", goal), At: day(1)})
	l.Append(catalogue.ProgrammeCategory+"-"+p1, catalogue.ProgrammeDesigned{ProgrammeID: p1, Code: "BLG", Title: "Beginning managers", ModuleIDs: []string{m1, m2},
		Emphasis: []catalogue.ThemeEmphasis{{Theme: catalogue.ThemeTeam, Emphasis: catalogue.EmphasisStrong}}, RaterApproval: true, At: day(2)})
	revised := content("Me and myself", goal)
	revised.Hours = 12
	l.Append(catalogue.ModuleCategory+"-"+m1, catalogue.ModuleRevised{ModuleID: m1, Version: 2, Content: revised, Reason: "longer", At: day(3)})
	l.Append(catalogue.ModuleCategory+"-"+m3, catalogue.ModuleAdded{ModuleID: m3, Content: content("Me and the systems", goal), At: day(3)})
	l.Append(catalogue.ProgrammeCategory+"-"+p1, catalogue.ProgrammeModuleAdded{ProgrammeID: p1, ModuleID: m3, Position: 2, At: day(4)})
	l.Append(catalogue.ProgrammeCategory+"-"+p1, catalogue.ProgrammeModuleRemoved{ProgrammeID: p1, ModuleID: m1, At: day(5)})
	l.Append(catalogue.ProgrammeCategory+"-"+p1, catalogue.ProgrammeEmphasisSet{ProgrammeID: p1, Theme: catalogue.ThemeSelf, Emphasis: catalogue.EmphasisLight, At: day(5)})
	l.Append(catalogue.ProgrammeCategory+"-"+p2, catalogue.ProgrammeDesigned{ProgrammeID: p2, Code: "SMEC", Title: "Coordinators", ModuleIDs: []string{m2}, At: day(6)})
	l.Append(catalogue.ProgrammeCategory+"-"+p2, catalogue.ProgrammeRetired{ProgrammeID: p2, At: day(7)})
	l.Append(catalogue.ModuleCategory+"-"+m2, catalogue.ModuleRetired{ModuleID: m2, At: day(8)})
	l.Append(feedback.InstrumentCategory+"-"+i1, feedback.InstrumentPublished{InstrumentID: i1, Title: "Leadership 360", Scale: feedback.Scale{Points: 5},
		Competencies: []feedback.Competency{{ID: l.ID(), Name: "Feedback", Items: []feedback.Item{{ID: l.ID(), Text: "a"}, {ID: l.ID(), Text: "b"}}},
			{ID: l.ID(), Name: "Trust", Items: []feedback.Item{{ID: l.ID(), Text: "c"}}}}, At: day(1)})
	l.Append(feedback.InstrumentCategory+"-"+i2, feedback.InstrumentPublished{InstrumentID: i2, Title: "Team roles", Scale: feedback.Scale{Points: 4},
		Competencies: []feedback.Competency{{ID: l.ID(), Name: "Roles", Items: []feedback.Item{{ID: l.ID(), Text: "d"}}}}, At: day(2)})
	l.Append(feedback.InstrumentCategory+"-"+i1, feedback.InstrumentRetired{InstrumentID: i1, At: day(9)})
	l.Append(catalogue.EntityCategory+"-"+e1, catalogue.EntityRegistered{EntityID: e1, Name: "Agency for Roads", At: day(2)})
	l.Append(catalogue.EntityCategory+"-"+e2, catalogue.EntityRegistered{EntityID: e2, Name: "Tax Office", At: day(3)})
	l.Append(catalogue.EntityCategory+"-"+e1, catalogue.OrderPlaced{EntityID: e1, OrderID: o1, Kind: catalogue.OrderProgramme, ItemID: p1, Seats: 20, At: day(4)})
	l.Append(catalogue.EntityCategory+"-"+e1, catalogue.OrderPlaced{EntityID: e1, OrderID: o2, Kind: catalogue.OrderModule, ItemID: m3, Seats: 2, At: day(5)})
	l.Append(catalogue.EntityCategory+"-"+e1, catalogue.OrderCancelled{EntityID: e1, OrderID: o1, At: day(6)})
	// Events the read model has no use for, and one from newer code.
	l.Append(cohort.StreamCategory+"-"+l.ID(), projections.UnknownEvent{Name: "cohort.from_the_future"})
	l.Append(feedback.RoundCategory+"-"+l.ID(), feedback.RoundOpened{RoundID: l.ID(), JourneyID: l.ID(), InstrumentID: i2, Kind: feedback.RoundPre, At: day(9)})

	m := offer.New()
	if m.Name() != offer.Name || offer.Name != "offer" {
		t.Fatalf("name %q", m.Name())
	}
	feed(t, m, l.Events)

	wantModules := []view.Module{
		{ModuleID: m1, Version: 2, Content: revised, AddedAt: day(0), ChangedAt: day(3)},
		{ModuleID: m2, Version: 1, Content: content("Me and my team", goal), Retired: true, AddedAt: day(1), ChangedAt: day(8)},
		{ModuleID: m3, Version: 1, Content: content("Me and the systems", goal), AddedAt: day(3), ChangedAt: day(3)},
	}
	if got := m.Modules(); !reflect.DeepEqual(got, wantModules) {
		t.Errorf("modules\n got %+v\nwant %+v", got, wantModules)
	}
	emphasis := func(self, team catalogue.Emphasis) []catalogue.ThemeEmphasis {
		n := catalogue.EmphasisNormal
		return []catalogue.ThemeEmphasis{{Theme: catalogue.ThemeSelf, Emphasis: self}, {Theme: catalogue.ThemeOther, Emphasis: n},
			{Theme: catalogue.ThemeTeam, Emphasis: team}, {Theme: catalogue.ThemeSystems, Emphasis: n}, {Theme: catalogue.ThemeEnvironment, Emphasis: n}}
	}
	wantProgrammes := []view.Programme{
		{ProgrammeID: p1, Code: "BLG", Title: "Beginning managers", ModuleIDs: []string{m3, m2}, Emphasis: emphasis(catalogue.EmphasisLight, catalogue.EmphasisStrong),
			RaterApproval: true, DesignedAt: day(2), ChangedAt: day(5)},
		{ProgrammeID: p2, Code: "SMEC", Title: "Coordinators", ModuleIDs: []string{m2}, Emphasis: emphasis(catalogue.EmphasisNormal, catalogue.EmphasisNormal),
			Retired: true, DesignedAt: day(6), ChangedAt: day(7)},
	}
	if got := m.Programmes(); !reflect.DeepEqual(got, wantProgrammes) {
		t.Errorf("programmes\n got %+v\nwant %+v", got, wantProgrammes)
	}
	wantInstruments := []view.Instrument{
		{InstrumentID: i1, Title: "Leadership 360", Points: 5, Competencies: 2, Items: 3, Retired: true, PublishedAt: day(1)},
		{InstrumentID: i2, Title: "Team roles", Points: 4, Competencies: 1, Items: 1, PublishedAt: day(2)},
	}
	if got := m.Instruments(); !reflect.DeepEqual(got, wantInstruments) {
		t.Errorf("instruments\n got %+v\nwant %+v", got, wantInstruments)
	}
	wantEntities := []view.Entity{
		{EntityID: e1, Name: "Agency for Roads", RegisteredAt: day(2), Orders: []view.Order{
			{OrderID: o1, Kind: catalogue.OrderProgramme, ItemID: p1, Seats: 20, PlacedAt: day(4), Cancelled: true, CancelledAt: day(6)},
			{OrderID: o2, Kind: catalogue.OrderModule, ItemID: m3, Seats: 2, PlacedAt: day(5)},
		}},
		{EntityID: e2, Name: "Tax Office", RegisteredAt: day(3)},
	}
	if got := m.Entities(); !reflect.DeepEqual(got, wantEntities) {
		t.Errorf("entities\n got %+v\nwant %+v", got, wantEntities)
	}
	if m.Unknown() != 1 || m.Position() != l.Events[len(l.Events)-1].Position {
		t.Errorf("unknown %d, position %d", m.Unknown(), m.Position())
	}

	// What the lists return is a copy: changing it changes nothing inside.
	ms, ps, es := m.Modules(), m.Programmes(), m.Entities()
	ms[0].Content.LearningGoals[0].Behaviour = "changed"
	ps[0].ModuleIDs[0], ps[0].Emphasis[0].Emphasis = "changed", catalogue.EmphasisStrong
	es[0].Orders[0].Seats = 999
	if got := state(m); !reflect.DeepEqual(got["modules"], wantModules) || !reflect.DeepEqual(got["programmes"], wantProgrammes) ||
		!reflect.DeepEqual(got["entities"], wantEntities) {
		t.Error("changing a returned list changed the read model")
	}

	// Fed again, nothing changes.
	before := state(m)
	feed(t, m, l.Events)
	if after := state(m); !reflect.DeepEqual(after, before) {
		t.Errorf("fed twice:\n got %v\nwant %v", after, before)
	}

	// An event handled after the replay lands at the end of its list.
	e3 := l.ID()
	more := []projections.Event{l.Append(catalogue.EntityCategory+"-"+e3, catalogue.EntityRegistered{EntityID: e3, Name: "Water Board", At: day(10)})}
	feed(t, m, more)
	if es := m.Entities(); len(es) != 3 || es[2].EntityID != e3 || es[2].Orders != nil {
		t.Errorf("after a new entity: %+v", es)
	}

	// A rebuild from the whole log gives the same answers.
	rebuilt := offer.New()
	feed(t, rebuilt, l.Events)
	if got, want := state(rebuilt), state(m); !reflect.DeepEqual(got, want) {
		t.Errorf("rebuilt:\n got %v\nwant %v", got, want)
	}
}

// TestCohorts lists the cohorts in the order planned, with their programme's
// title and their size: enrolled and not withdrawn.
func TestCohorts(t *testing.T) {
	l := fixture.NewLog(13)
	p1, p3, c1, c2, c3, e1, t1, t2 := l.ID(), l.ID(), l.ID(), l.ID(), l.ID(), l.ID(), l.ID(), l.ID()
	pp := []string{l.ID(), l.ID(), l.ID()}
	day := func(n int) time.Time { return at.AddDate(0, 0, n) }
	planned := func(c, programme, title string, trainers ...string) cohort.Planned {
		return cohort.Planned{CohortID: c, ProgrammeID: programme, EntityID: e1, Title: title, TrainerIDs: trainers,
			StartsOn: day(10), EndsOn: day(300), At: day(1)}
	}
	l.Append(catalogue.ProgrammeCategory+"-"+p1, catalogue.ProgrammeDesigned{ProgrammeID: p1, Code: "BLG", Title: "Beginning managers", ModuleIDs: []string{l.ID()}, At: day(0)})
	l.Append(cohort.StreamCategory+"-"+c2, planned(c2, p1, "BLG autumn", t2))
	l.Append(cohort.StreamCategory+"-"+c1, planned(c1, p1, "BLG spring", t1, t2))
	for _, p := range pp {
		l.Append(cohort.StreamCategory+"-"+c1, cohort.ParticipantEnrolled{CohortID: c1, ParticipantID: p, Name: "A", Email: "a@example.org", At: day(2)})
	}
	l.Append(cohort.StreamCategory+"-"+c1, cohort.ParticipantWithdrawn{CohortID: c1, ParticipantID: pp[1], At: day(3)})
	// A programme the read model never saw designed: no title.
	l.Append(cohort.StreamCategory+"-"+c3, planned(c3, p3, "Masterclass", t1))
	// Events of a cohort never planned change nothing.
	orphan := l.ID()
	l.Append(cohort.StreamCategory+"-"+orphan, cohort.ParticipantEnrolled{CohortID: orphan, ParticipantID: pp[0], Name: "A", Email: "a@example.org", At: day(2)})

	m := offer.New()
	feed(t, m, l.Events)
	want := []view.Cohort{
		{CohortID: c2, ProgrammeID: p1, ProgrammeTitle: "Beginning managers", EntityID: e1, Title: "BLG autumn", TrainerIDs: []string{t2},
			StartsOn: day(10), EndsOn: day(300), PlannedAt: day(1)},
		{CohortID: c1, ProgrammeID: p1, ProgrammeTitle: "Beginning managers", EntityID: e1, Title: "BLG spring", TrainerIDs: []string{t1, t2},
			StartsOn: day(10), EndsOn: day(300), Size: 2, PlannedAt: day(1)},
		{CohortID: c3, ProgrammeID: p3, EntityID: e1, Title: "Masterclass", TrainerIDs: []string{t1},
			StartsOn: day(10), EndsOn: day(300), PlannedAt: day(1)},
	}
	if got := m.Cohorts(); !reflect.DeepEqual(got, want) {
		t.Fatalf("cohorts\n got %+v\nwant %+v", got, want)
	}
	m.Cohorts()[0].TrainerIDs[0] = "changed"
	if got := m.Cohorts(); !reflect.DeepEqual(got, want) {
		t.Error("changing a returned list changed the read model")
	}
	feed(t, m, l.Events)
	if got := m.Cohorts(); !reflect.DeepEqual(got, want) {
		t.Errorf("fed twice:\n got %+v\nwant %+v", got, want)
	}
}

func TestBadEnvelope(t *testing.T) {
	m := offer.New()
	for _, ev := range []projections.Event{{Data: catalogue.ModuleRetired{}}, {Stream: catalogue.ModuleCategory + "-x"}} {
		if err := m.Handle(context.Background(), ev); !errors.Is(err, domain.ErrInvalid) {
			t.Errorf("Handle(%+v): err = %v, want invalid", ev, err)
		}
	}
}

// TestConcurrentReads reads the lists while events are handled; the race
// detector checks the locking.
func TestConcurrentReads(t *testing.T) {
	l := fixture.NewLog(12)
	for i := range 200 {
		id := l.ID()
		l.Append(catalogue.ModuleCategory+"-"+id, catalogue.ModuleAdded{ModuleID: id, Content: content("Module", l.ID()), At: at.Add(time.Duration(i) * time.Minute)})
	}
	m := offer.New()
	var wg sync.WaitGroup
	stop := make(chan struct{})
	for range 2 {
		wg.Go(func() {
			for {
				select {
				case <-stop:
					return
				default:
					_ = m.Modules()
					_ = m.Position()
				}
			}
		})
	}
	feed(t, m, l.Events)
	close(stop)
	wg.Wait()
	if n := len(m.Modules()); n != 200 {
		t.Fatalf("%d modules", n)
	}
}
