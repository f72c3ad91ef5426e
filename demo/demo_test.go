package demo_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/EventStore/EventStore-Client-Go/v4/esdb"

	"github.com/leerpad/leerpad/demo"
	"github.com/leerpad/leerpad/domain/catalogue"
	"github.com/leerpad/leerpad/domain/cohort"
	"github.com/leerpad/leerpad/domain/feedback"
	"github.com/leerpad/leerpad/domain/journey"
	"github.com/leerpad/leerpad/domain/registry"
	"github.com/leerpad/leerpad/eventstore"
	"github.com/leerpad/leerpad/eventstore/eventstoretest"
	"github.com/leerpad/leerpad/usecase"
)

// The scales of the seed in tests: small has a BLG and a SMEC cohort, large
// enough for every rater group and a withdrawal; tiny has a BLG and a SMEC
// cohort of four, one finished and one running at the reference date.
var (
	small = demo.Options{Seed: 7, Cohorts: 2, Participants: 8}
	tiny  = demo.Options{Seed: 7, Cohorts: 2, Participants: 4}
)

// testNode is an embedded node with a client and the domain services over
// its event store.
type testNode struct {
	client *esdb.Client
	store  *eventstore.Store
	svc    demo.Services
}

func startNode(t *testing.T, dir string) testNode {
	t.Helper()
	n := eventstoretest.StartNodeIn(t, dir)
	client := eventstoretest.Connect(t, n.ConnectionString())
	codec, err := eventstore.NewCodec(registry.EventTypes())
	if err != nil {
		t.Fatal(err)
	}
	store := eventstore.NewStore(client, codec)
	return testNode{client: client, store: store, svc: newServices(store)}
}

// newServices wires the domain services over store as leerpad's newServices
// does (cmd/leerpad/wire.go): usecase.NewServices over the event store's
// repositories.
func newServices(store *eventstore.Store) demo.Services {
	r := usecase.Repositories{
		Modules:     eventstore.NewRepository(store, catalogue.ModuleCategory, catalogue.ReplayModule, 64),
		Programmes:  eventstore.NewRepository(store, catalogue.ProgrammeCategory, catalogue.ReplayProgramme, 64),
		Entities:    eventstore.NewRepository(store, catalogue.EntityCategory, catalogue.ReplayEntity, 64),
		Cohorts:     eventstore.NewRepository(store, cohort.StreamCategory, cohort.Replay, 64),
		Journeys:    eventstore.NewRepository(store, journey.StreamCategory, journey.Replay, 64),
		Instruments: eventstore.NewRepository(store, feedback.InstrumentCategory, feedback.ReplayInstrument, 64),
		Rounds:      eventstore.NewRepository(store, feedback.RoundCategory, feedback.ReplayRound, 64),
	}
	s := usecase.NewServices(r)
	return demo.Services{Modules: s.Modules, Programmes: s.Programmes, Entities: s.Entities, Cohorts: s.Cohorts,
		Journeys: s.Journeys, Instruments: s.Instruments, Rounds: s.Rounds, JourneyLog: r.Journeys}
}

func (n testNode) seed(t *testing.T, ctx context.Context, o demo.Options) (demo.Report, error) {
	t.Helper()
	return demo.Run(ctx, n.svc, o, nil)
}

// stream is a stream's events as read back through the client.
type stream struct {
	types  []string
	events []*esdb.RecordedEvent
}

// streams reads $all and returns every non-system stream with its events in order.
func (n testNode) streams(t *testing.T) map[string]*stream {
	t.Helper()
	rs, err := n.client.ReadAll(context.Background(), esdb.ReadAllOptions{From: esdb.Start{}}, ^uint64(0))
	if err != nil {
		t.Fatal(err)
	}
	defer rs.Close()
	out := map[string]*stream{}
	for {
		ev, err := rs.Recv()
		if errors.Is(err, io.EOF) {
			return out
		}
		if err != nil {
			t.Fatal(err)
		}
		e := ev.OriginalEvent()
		if strings.HasPrefix(e.StreamID, "$") {
			continue
		}
		s := out[e.StreamID]
		if s == nil {
			s = &stream{}
			out[e.StreamID] = s
		}
		s.types = append(s.types, e.EventType)
		s.events = append(s.events, e)
	}
}

// shape is what determinism compares: stream names and event types in order.
func shape(streams map[string]*stream) map[string][]string {
	out := make(map[string][]string, len(streams))
	for name, s := range streams {
		out[name] = s.types
	}
	return out
}

func byCategory(streams map[string]*stream, category string) map[string]*stream {
	out := map[string]*stream{}
	for name, s := range streams {
		if c, _, _ := eventstore.ParseStreamID(name); c == category {
			out[name] = s
		}
	}
	return out
}

func count(types []string, name string) int {
	n := 0
	for _, t := range types {
		if t == name {
			n++
		}
	}
	return n
}

// The data set holds what the seed promises, read back through the
// repositories and the client: programmes with their modules, cohorts with
// their participants, and journeys with experiments and 360 rounds that
// have responses from every rater group; nothing after the reference date,
// the last cohort's journeys in progress, and the Try-it ids as they stand.
func TestSeedWritesTheDataSet(t *testing.T) {
	if testing.Short() {
		t.Skip("seeds an embedded event-store node")
	}
	t.Parallel()
	ctx := context.Background()
	n := startNode(t, t.TempDir())
	rep, err := n.seed(t, ctx, small)
	if err != nil {
		t.Fatal(err)
	}
	all := n.streams(t)

	programmes := eventstore.NewRepository(n.store, catalogue.ProgrammeCategory, catalogue.ReplayProgramme, 0)
	modules := map[string]int{}
	for name := range byCategory(all, "programme") {
		_, id, _ := eventstore.ParseStreamID(name)
		p, err := programmes.Load(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		modules[p.Code()] = len(p.ModuleIDs())
	}
	if want := map[string]int{"BLG": 5, "SMEC": 5, "MNL": 6}; !reflect.DeepEqual(modules, want) {
		t.Errorf("modules per programme = %v, want %v", modules, want)
	}
	if got := len(byCategory(all, "module")); got != 16 {
		t.Errorf("%d module streams, want 16", got)
	}

	cohorts := byCategory(all, "cohort")
	if len(cohorts) != small.Cohorts {
		t.Fatalf("%d cohort streams, want %d", len(cohorts), small.Cohorts)
	}
	for name, s := range cohorts {
		if got := count(s.types, "cohort.participant_enrolled"); got != small.Participants {
			t.Errorf("%s enrols %d participants, want %d", name, got, small.Participants)
		}
		if count(s.types, "cohort.intervision_group_formed") == 0 || count(s.types, "cohort.attendance_recorded") == 0 {
			t.Errorf("%s has no intervision groups or no attendance: %v", name, s.types)
		}
		if count(s.types, "cohort.intervision_session_held") == 0 {
			t.Errorf("%s has no intervision session recorded for its groups: %v", name, s.types)
		}
	}

	// Impact measurement: the finished cohort's measurement closed (the
	// running one's not), level 2 ratings, and every entity's key figures,
	// as the report counts them.
	counted := map[string]int{}
	for _, s := range all {
		for _, typ := range []string{"cohort.measurement_closed", "journey.learning_rated", "entity.key_figures_recorded"} {
			counted[typ] += count(s.types, typ)
		}
	}
	if counted["cohort.measurement_closed"] != small.Cohorts-1 || counted["cohort.measurement_closed"] != rep.Closed ||
		counted["journey.learning_rated"] == 0 || counted["journey.learning_rated"] != rep.Ratings ||
		counted["entity.key_figures_recorded"] != 8*rep.Entities || counted["entity.key_figures_recorded"] != rep.KeyFigures {
		t.Errorf("impact events %v; report: %d closed, %d ratings, %d key figures of %d entities", counted, rep.Closed, rep.Ratings, rep.KeyFigures, rep.Entities)
	}

	// Rounds by journey, from the round streams' first event.
	rounds := map[string][]*stream{}
	for name, s := range byCategory(all, "feedback") {
		var opened feedback.RoundOpened
		if err := json.Unmarshal(s.events[0].Data, &opened); err != nil || s.types[0] != "feedback.round_opened" {
			t.Fatalf("%s starts with %s: %v", name, s.types[0], err)
		}
		if s.types[len(s.types)-1] != "feedback.round_closed" {
			t.Errorf("round %s is not closed", name)
		}
		rounds[opened.JourneyID] = append(rounds[opened.JourneyID], s)
	}
	journeys := byCategory(all, "journey")
	if len(journeys) != small.Cohorts*small.Participants || rep.Journeys != len(journeys) {
		t.Fatalf("%d journey streams (report: %d), want %d", len(journeys), rep.Journeys, small.Cohorts*small.Participants)
	}
	for name, s := range all {
		for i, e := range s.events {
			var at struct {
				At time.Time `json:"at"`
			}
			if err := json.Unmarshal(e.Data, &at); err != nil || at.At.IsZero() {
				t.Fatalf("%s event %d (%s) has no time: %v", name, i, s.types[i], err)
			}
			if !at.At.Before(demo.ReferenceDate) {
				t.Errorf("%s event %d (%s) at %s, after the reference date", name, i, s.types[i], at.At)
			}
		}
	}
	completed, inProgress, enoughRaters := 0, 0, 0
	seen := map[feedback.RaterGroup]bool{}
	for name, s := range journeys {
		_, id, _ := eventstore.ParseStreamID(name)
		j, err := n.svc.JourneyLog.Load(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		if count(s.types, "journey.experiment_logged") == 0 {
			t.Errorf("journey %s has no experiments", id)
		}
		if e, err := n.svc.Cohorts.Enrolment(ctx, j.CohortID(), j.ParticipantID()); err != nil || e.Withdrawn != (j.Status() == journey.StatusWithdrawn) {
			t.Errorf("journey %s is %s, its cohort enrolment = %+v (%v)", id, j.Status(), e, err)
		}
		want := 1 // a pre round; a post round too for those who complete
		switch j.Status() {
		case journey.StatusCompleted:
			completed++
			want = 2
		case journey.StatusWithdrawn:
		case journey.StatusActive:
			inProgress++
			if j.CohortID() != rep.TryIt.CohortID {
				t.Errorf("journey %s of cohort %s is in progress; only the last cohort, %s, is still running", id, j.CohortID(), rep.TryIt.CohortID)
			}
		default:
			t.Errorf("journey %s is %s, want completed, withdrawn or (in the last cohort) in progress", id, j.Status())
		}
		if len(rounds[id]) != want {
			t.Errorf("journey %s (%s) has %d rounds, want %d", id, j.Status(), len(rounds[id]), want)
		}
		for _, r := range rounds[id] {
			groups := map[feedback.RaterGroup]int{}
			for i, typ := range r.types {
				if typ == "feedback.response_submitted" {
					var resp feedback.ResponseSubmitted
					if err := json.Unmarshal(r.events[i].Data, &resp); err != nil {
						t.Fatal(err)
					}
					groups[resp.Group]++
				}
			}
			if groups[feedback.GroupSelf] != 1 || groups[feedback.GroupPeer]+groups[feedback.GroupDirectReport] == 0 {
				t.Errorf("round of journey %s: responses per group %v, want self, peers and direct reports", id, groups)
			}
			for g := range groups {
				seen[g] = true
			}
			if groups[feedback.GroupPeer] >= 3 || groups[feedback.GroupDirectReport] >= 3 {
				enoughRaters++
			}
		}
	}
	if len(seen) != len(feedback.RaterGroups()) {
		t.Errorf("responses came from the groups %v, want all five", seen)
	}
	if completed == 0 || completed != rep.Completed {
		t.Errorf("%d journeys completed, report says %d", completed, rep.Completed)
	}
	if inProgress == 0 || inProgress != rep.InProgress {
		t.Errorf("%d journeys in progress, report says %d", inProgress, rep.InProgress)
	}

	// The Try-it journey is in progress, with the manager, the shared
	// sections and the learning goal that the report names.
	ti := rep.TryIt
	j, err := n.svc.JourneyLog.Load(ctx, ti.JourneyID)
	if err != nil {
		t.Fatalf("Try-it journey %s: %v", ti.JourneyID, err)
	}
	if j.Status() != journey.StatusActive || j.ParticipantID() != ti.ParticipantID || j.ManagerID() != ti.ManagerID || j.CohortID() != ti.CohortID {
		t.Errorf("Try-it journey is %s of participant %s, manager %s, cohort %s; report: %+v", j.Status(), j.ParticipantID(), j.ManagerID(), j.CohortID(), ti)
	}
	var shared []string
	for _, sec := range journey.Sections() {
		if j.Shared(sec) {
			shared = append(shared, sec.String())
		}
	}
	if !slices.Equal(shared, ti.Shared) || len(shared) == 0 || len(shared) == len(journey.Sections()) {
		t.Errorf("Try-it journey shares %v, the report says %v; want some sections, not all", shared, ti.Shared)
	}
	goals := 0
	for i, typ := range all["journey-"+ti.JourneyID].types {
		if typ == "journey.learning_goal_formulated" {
			var g journey.LearningGoalFormulated
			if err := json.Unmarshal(all["journey-"+ti.JourneyID].events[i].Data, &g); err != nil {
				t.Fatal(err)
			}
			if g.GoalID == ti.LearningGoalID {
				goals++
			}
		}
	}
	if goals != 1 {
		t.Errorf("Try-it learning goal %s formulated %d times on its journey, want once", ti.LearningGoalID, goals)
	}
	var trainers []string
	_, err = eventstore.NewRepository(n.store, cohort.StreamCategory, cohort.Replay, 0).View(ctx, ti.CohortID,
		func(c *cohort.Cohort) { trainers = slices.Clone(c.TrainerIDs()) })
	if err != nil || !slices.Contains(trainers, ti.TrainerID) {
		t.Errorf("Try-it trainer %s is not a trainer of cohort %s (%v)", ti.TrainerID, ti.CohortID, err)
	}
	if total := len(byCategory(all, "feedback")); enoughRaters < total*3/4 {
		t.Errorf("only %d of %d rounds have three or more peer or direct-report responses", enoughRaters, total)
	}
}

// The same seed gives the same streams with the same event types in the
// same order, however the commands interleave; another seed gives others.
func TestSeedIsDeterministic(t *testing.T) {
	if testing.Short() {
		t.Skip("seeds embedded event-store nodes")
	}
	t.Parallel()
	ctx := context.Background()
	run := func(o demo.Options) map[string][]string {
		n := startNode(t, t.TempDir())
		if _, err := n.seed(t, ctx, o); err != nil {
			t.Fatal(err)
		}
		return shape(n.streams(t))
	}
	first := run(tiny)
	interleaved := tiny
	interleaved.Concurrency = 3 // other interleavings of the streams' commands
	if second := run(interleaved); !reflect.DeepEqual(first, second) {
		t.Fatalf("two runs of seed %d differ:\n%s", tiny.Seed, diff(first, second))
	}
	other := tiny
	other.Seed++
	third := run(other)
	for name := range third {
		if _, ok := first[name]; ok {
			t.Fatalf("seeds %d and %d both wrote stream %s", tiny.Seed, other.Seed, name)
		}
	}
}

func diff(a, b map[string][]string) string {
	var out []string
	for name, types := range a {
		if !slices.Equal(types, b[name]) {
			out = append(out, name+": "+strings.Join(types, ",")+" vs "+strings.Join(b[name], ","))
		}
	}
	for name := range b {
		if _, ok := a[name]; !ok {
			out = append(out, name+": only in the second run")
		}
	}
	slices.Sort(out)
	return strings.Join(out[:min(len(out), 5)], "\n")
}

// A run cut off halfway is completed by running the seed again, and a run
// on a complete data set writes nothing: the result is the data set of one
// uninterrupted run, event for event.
func TestSeedAgainNeverDuplicates(t *testing.T) {
	if testing.Short() {
		t.Skip("seeds embedded event-store nodes")
	}
	t.Parallel()
	ref := startNode(t, t.TempDir())
	if _, err := ref.seed(t, context.Background(), tiny); err != nil {
		t.Fatal(err)
	}
	want := shape(ref.streams(t))

	dir := t.TempDir()
	n := startNode(t, dir)
	ctx, cancel := context.WithCancel(context.Background())
	_, err := demo.Run(ctx, n.svc, tiny, func(done, total int) {
		if done >= total/2 {
			cancel()
		}
	})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("interrupted run: err = %v, want context.Canceled", err)
	}
	if got := shape(n.streams(t)); len(got) == 0 || reflect.DeepEqual(got, want) {
		t.Fatalf("the interrupted run wrote %d streams; want part of the data set", len(got))
	}

	for i := range 2 {
		rep, err := n.seed(t, context.Background(), tiny)
		if err != nil {
			t.Fatalf("run %d after the interruption: %v", i+1, err)
		}
		if got := shape(n.streams(t)); !reflect.DeepEqual(got, want) {
			t.Fatalf("after run %d the data set differs from one uninterrupted run:\n%s", i+1, diff(want, got))
		}
		if i == 1 && (rep.Finished != rep.Completed+rep.Withdrawn || rep.Finished == 0 || rep.InProgress == 0) {
			t.Errorf("second run found %d of %d journeys finished, want the %d completed and withdrawn (and %d in progress)",
				rep.Finished, rep.Journeys, rep.Completed+rep.Withdrawn, rep.InProgress)
		}
	}
}
