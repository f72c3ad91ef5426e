package catalogue

import (
	"fmt"
	"reflect"
	"testing"
	"time"

	"github.com/leerpad/leerpad/domain"
	"github.com/leerpad/leerpad/domain/domaintest"
)

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func uuid(n int) string { return fmt.Sprintf("00000000-0000-4000-8000-%012d", n) }

// TestReplay tells a story through every command, then checks that replaying
// the stored stream (through the codec) rebuilds the same state, and that the
// events follow the stored-schema conventions.
func TestReplay(t *testing.T) {
	at := time.Date(2025, 1, 6, 9, 0, 0, 0, time.UTC)
	c := Content{Title: "Me and my team", Theme: ThemeTeam, Forms: []DidacticForm{FormGroupTraining}, Hours: 7,
		LearningGoals: []LearningGoal{{ID: uuid(10), Behaviour: "Draws up a team plan with the team"}}}

	m := ReplayModule()
	must(t, m.Add(AddModule{ModuleID: uuid(1), Content: c, At: at}))
	c2 := c
	c2.LearningGoals = append(c2.LearningGoals, LearningGoal{ID: uuid(11), Behaviour: "Names trust issues in the team"})
	must(t, m.Revise(ReviseModule{ModuleID: uuid(1), Content: c2, Reason: "trust deserved its own goal", At: at.AddDate(0, 2, 0)}))
	must(t, m.Retire(RetireModule{ModuleID: uuid(1), At: at.AddDate(1, 0, 0)}))

	p := ReplayProgramme()
	must(t, p.Design(DesignProgramme{ProgrammeID: uuid(2), Code: "SMEC", Title: "Coordinators", ModuleIDs: []string{uuid(1), uuid(3)},
		Emphasis: []ThemeEmphasis{{Theme: ThemeOther, Emphasis: EmphasisStrong}}, At: at}))
	must(t, p.AddModule(AddProgrammeModule{ProgrammeID: uuid(2), ModuleID: uuid(4), Position: 2, At: at}))
	must(t, p.RemoveModule(RemoveProgrammeModule{ProgrammeID: uuid(2), ModuleID: uuid(3), At: at}))
	must(t, p.SetEmphasis(SetEmphasis{ProgrammeID: uuid(2), Theme: ThemeSystems, Emphasis: EmphasisLight, At: at}))
	must(t, p.Retire(RetireProgramme{ProgrammeID: uuid(2), At: at}))

	en := ReplayEntity()
	must(t, en.Register(RegisterEntity{EntityID: uuid(5), Name: "Department of Finance", At: at}))
	must(t, en.PlaceOrder(PlaceOrder{EntityID: uuid(5), OrderID: uuid(6), Kind: OrderModule, ItemID: uuid(1), Seats: 12, At: at}))
	must(t, en.PlaceOrder(PlaceOrder{EntityID: uuid(5), OrderID: uuid(7), Kind: OrderProgramme, ItemID: uuid(2), Seats: 20, At: at}))
	must(t, en.CancelOrder(CancelOrder{EntityID: uuid(5), OrderID: uuid(6), At: at}))
	absent, turnover := 5.4, 8.25
	must(t, en.RecordKeyFigures(RecordKeyFigures{EntityID: uuid(5), Quarter: "2024-Q3", AbsenteeismPct: &absent, TurnoverPct: &turnover, At: at}))
	must(t, en.RecordKeyFigures(RecordKeyFigures{EntityID: uuid(5), Quarter: "2024-Q3", TurnoverPct: &turnover, At: at}))

	var all []domain.Event
	all = append(append(append(all, m.Uncommitted()...), p.Uncommitted()...), en.Uncommitted()...)
	domaintest.CheckEventTypes(t, EventTypes(), all, "module", "programme", "entity")

	rm := ReplayModule(domaintest.RoundTrip(t, EventTypes(), m.Uncommitted())...)
	m.changes, rm.loaded = nil, 0
	if !reflect.DeepEqual(rm, m) {
		t.Errorf("replayed module:\n got %#v\nwant %#v", rm, m)
	}
	rp := ReplayProgramme(domaintest.RoundTrip(t, EventTypes(), p.Uncommitted())...)
	if rp.Version() != 5 {
		t.Errorf("replayed programme version = %d, want 5", rp.Version())
	}
	p.changes, rp.loaded = nil, 0
	if !reflect.DeepEqual(rp, p) {
		t.Errorf("replayed programme:\n got %#v\nwant %#v", rp, p)
	}
	ren := ReplayEntity(domaintest.RoundTrip(t, EventTypes(), en.Uncommitted())...)
	en.changes, ren.loaded = nil, 0
	if !reflect.DeepEqual(ren, en) {
		t.Errorf("replayed entity:\n got %#v\nwant %#v", ren, en)
	}
}
