// Package portfolio is the portfolio read model: per journey, the coherent
// picture of a participant's development that the participant curates and
// the development conversation with the manager is based on. It shows the
// timeline, the why and values, behaviour choices, learning goals with the
// experiments, assignments and reflections behind each, coaching,
// evaluations, measurements, module and intervision participation,
// development conversations and their agreements, and the 360 results of
// each round per competency and rater group, with the self-other gap and the
// change from before to after.
//
// # As of a past moment
//
// Every journey keeps the events that shape its portfolio, with the time each
// happened (the payload's At, which stays the same when events are copied to
// another store, unlike the recorded time). AsOf folds them again up to the
// asked moment with the very function that keeps the live portfolio, so the
// portfolio on the day of a development conversation is exactly what it
// showed then. Catalogue facts (which module a module learning goal belongs
// to) and instruments do not change and are not folded.
//
// # Sharing and anonymity
//
// The view (the domain's portfolio.View) is organised in parts
// (portfolio.Part); most are sections the participant can share with their
// manager, and the view says which are shared. The read
// model applies no access rule: the API keeps the parts a reader may see.
// What the read model does enforce, because nobody may see it, is the 360
// anonymity rule (see the threesixty package): single answers never leave
// it, peers, direct reports and others appear only with at least MinRaters
// raters and are never merged into another group, comments follow the same
// rule, and a round's results appear only once it is closed. Intervision
// cases are confidential to the group and are left out.
package portfolio

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/leerpad/leerpad/domain"
	"github.com/leerpad/leerpad/domain/catalogue"
	"github.com/leerpad/leerpad/domain/cohort"
	"github.com/leerpad/leerpad/domain/feedback"
	"github.com/leerpad/leerpad/domain/journey"
	view "github.com/leerpad/leerpad/domain/portfolio"
	"github.com/leerpad/leerpad/domain/privacy"
	"github.com/leerpad/leerpad/projections"
	"github.com/leerpad/leerpad/projections/internal/threesixty"
)

// Name is the read model's stable name; it keys its checkpoint.
const Name = "portfolio"

// MinRaters is the default least number of peers, direct reports or others
// whose 360 results are shown.
const MinRaters = threesixty.MinRaters

// Config configures the read model.
type Config struct {
	// MinRaters is the anonymity threshold for peers, direct reports and
	// others; MinRaters when zero. It cannot be set below MinRaters.
	MinRaters int
	// GapThreshold is the self-other gap, in points of a 5-point scale, at
	// which a competency of a closed round is flagged a blind spot or a
	// hidden strength (the rule: domain/portfolio Classify); for a scale of
	// other length it is scaled by the scale's span (GapThreshold of
	// domain/portfolio). view.DefaultGapThreshold (1 point) when zero or
	// negative.
	GapThreshold float64
}

// ReadModel is the portfolio read model. It is safe for concurrent use:
// queries run concurrently with each other and with Handle.
type ReadModel struct {
	projections.Frame

	minRaters    int
	gapThreshold float64

	// mu guards the fields below and the Frame's checkpoint together.
	mu            sync.RWMutex
	journeys      map[string]*record // journey id
	roundJourney  map[string]string  // round id -> journey id
	enrolments    map[member]string  // (cohort, participant) -> journey id
	ofParticipant map[string][]string
	ofManager     map[string][]string // manager -> the journeys they manage now, in the order they took them on
	pending       map[member][]entry  // attendance recorded before the journey was enrolled
	deliveries    map[string][]cohort.DeliveryScheduled
	instruments   map[string]*threesixty.Instrument
	moduleOfGoal  map[string]string
}

type member struct{ cohortID, participantID string }

// record is one journey: its entries and its live folio.
type record struct {
	entries []entry
	live    *folio
}

var _ projections.Projection = (*ReadModel)(nil)

// New returns an empty read model.
func New(cfg Config) *ReadModel {
	m := &ReadModel{
		minRaters:     max(cfg.MinRaters, MinRaters),
		gapThreshold:  view.DefaultGapThreshold,
		journeys:      map[string]*record{},
		roundJourney:  map[string]string{},
		enrolments:    map[member]string{},
		ofParticipant: map[string][]string{},
		ofManager:     map[string][]string{},
		pending:       map[member][]entry{},
		deliveries:    map[string][]cohort.DeliveryScheduled{},
		instruments:   map[string]*threesixty.Instrument{},
		moduleOfGoal:  map[string]string{},
	}
	if cfg.GapThreshold > 0 {
		m.gapThreshold = cfg.GapThreshold
	}
	m.Frame = projections.NewFrame(Name, &m.mu)
	return m
}

// Handle applies e once; see projections.Projection.
func (m *ReadModel) Handle(ctx context.Context, ev projections.Event) error {
	return projections.Apply(&m.Frame, ev, func() bool {
		switch e := ev.Data.(type) {
		case journey.Enrolled:
			m.onEnrolled(ctx, ev, e)
		case cohort.AttendanceRecorded:
			m.onAttendanceRecorded(ctx, e)
		case cohort.IntervisionSessionHeld:
			m.onIntervisionSessionHeld(ctx, e)
		case cohort.DeliveryScheduled:
			m.onDeliveryScheduled(ctx, e)
		case feedback.InstrumentPublished:
			m.onInstrumentPublished(ctx, e)
		case feedback.RoundOpened:
			m.onRoundOpened(ctx, e)
		case feedback.RaterNominated:
			m.toRound(ctx, e.RoundID, e.At, e)
		case feedback.RaterRejected:
			m.toRound(ctx, e.RoundID, e.At, e)
		case feedback.ResponseSubmitted:
			m.toRound(ctx, e.RoundID, e.At, e)
		case feedback.RoundClosed:
			m.toRound(ctx, e.RoundID, e.At, e)
		case feedback.RaterErased:
			m.onRaterErased(ctx, e)
		case privacy.PersonErased:
			m.onPersonErased(ctx, e)
		case journey.Erased:
			if cat, id, ok := projections.ParseStream(ev.Stream); ok && cat == journey.StreamCategory {
				m.onJourneyErased(id)
			}
		case journey.ManagerChanged:
			m.onManagerChanged(ctx, ev, e)
		case catalogue.ModuleAdded:
			m.onModuleAdded(ctx, e)
		case catalogue.ModuleRevised:
			m.onModuleRevised(ctx, e)
		default:
			if cat, id, ok := projections.ParseStream(ev.Stream); ok && cat == journey.StreamCategory && handles(ev.Data) {
				m.toJourney(ctx, id, at(ev), ev.Data)
			} else {
				return false
			}
		}
		return true
	})
}

// at returns when a journey event happened: its At, or when it was
// recorded for an event without one.
func at(ev projections.Event) time.Time {
	switch e := ev.Data.(type) {
	case journey.ManagerChanged:
		return e.At
	case journey.SharingGranted:
		return e.At
	case journey.SharingRevoked:
		return e.At
	case journey.WhyStated:
		return e.At
	case journey.BehaviourChosen:
		return e.At
	case journey.BehaviourChoiceRevised:
		return e.At
	case journey.LearningGoalFormulated:
		return e.At
	case journey.LearningGoalRevised:
		return e.At
	case journey.LearningGoalClosed:
		return e.At
	case journey.AssignmentGiven:
		return e.At
	case journey.AssignmentHandedIn:
		return e.At
	case journey.ExperimentLogged:
		return e.At
	case journey.ExperimentTried:
		return e.At
	case journey.ExperimentReflected:
		return e.At
	case journey.ExperimentConcluded:
		return e.At
	case journey.IntervisionAttended:
		return e.At
	case journey.CoachingSessionHeld:
		return e.At
	case journey.ModuleEvaluated:
		return e.At
	case journey.ConversationRecorded:
		return e.At
	case journey.ConversationRevised:
		return e.At
	case journey.ConversationConfirmed:
		return e.At
	case journey.ConversationFinalised:
		return e.At
	case journey.MeasurementRecorded:
		return e.At
	case journey.Completed:
		return e.At
	case journey.Withdrawn:
		return e.At
	case journey.ManagerErased:
		return e.At
	}
	return ev.Recorded
}

func (m *ReadModel) journey(id string) *record {
	r, ok := m.journeys[id]
	if !ok {
		r = &record{live: newFolio(id)}
		m.journeys[id] = r
	}
	return r
}

// toJourney records e in the journey's entries and folds it into its live folio.
func (m *ReadModel) toJourney(ctx context.Context, journeyID string, at time.Time, e domain.Event) {
	r := m.journey(journeyID)
	r.entries = append(r.entries, entry{at: at, e: e})
	r.live.apply(ctx, e)
}

func (m *ReadModel) onEnrolled(ctx context.Context, ev projections.Event, e journey.Enrolled) {
	id := e.JourneyID
	if _, sid, ok := projections.ParseStream(ev.Stream); ok && id == "" {
		id = sid
	}
	k := member{e.CohortID, e.ParticipantID}
	m.enrolments[k] = id
	m.ofParticipant[e.ParticipantID] = append(m.ofParticipant[e.ParticipantID], id)
	m.manage(id, "", e.ManagerID)
	m.toJourney(ctx, id, e.At, e)
	for _, en := range m.pending[k] {
		m.toJourney(ctx, id, en.at, en.e)
	}
	delete(m.pending, k)
}

// onManagerChanged moves the journey from the former manager's list to the
// new manager's, then records the change in the journey.
func (m *ReadModel) onManagerChanged(ctx context.Context, ev projections.Event, e journey.ManagerChanged) {
	cat, id, ok := projections.ParseStream(ev.Stream)
	if !ok || cat != journey.StreamCategory {
		projections.CheckpointOf(&m.Frame).Skip(ev)
		return
	}
	former := ""
	if r, ok := m.journeys[id]; ok {
		former = r.live.managerID
	}
	m.manage(id, former, e.ManagerID)
	m.toJourney(ctx, id, e.At, e)
}

// manage moves journeyID from the list of manager former (none when empty)
// to the end of the list of manager next.
func (m *ReadModel) manage(journeyID, former, next string) {
	if former == next {
		return
	}
	if former != "" {
		m.ofManager[former] = slices.DeleteFunc(m.ofManager[former], func(id string) bool { return id == journeyID })
		if len(m.ofManager[former]) == 0 {
			delete(m.ofManager, former)
		}
	}
	if next != "" && !slices.Contains(m.ofManager[next], journeyID) {
		m.ofManager[next] = append(m.ofManager[next], journeyID)
	}
}

func (m *ReadModel) onAttendanceRecorded(ctx context.Context, e cohort.AttendanceRecorded) {
	k := member{e.CohortID, e.ParticipantID}
	if id, ok := m.enrolments[k]; ok {
		m.toJourney(ctx, id, e.At, e)
		return
	}
	m.pending[k] = append(m.pending[k], entry{at: e.At, e: e})
}

// onIntervisionSessionHeld records a meeting of a group in the journey of
// each attendee, without the case summary: what was said is confidential
// to the group, and not part of anyone's portfolio.
func (m *ReadModel) onIntervisionSessionHeld(ctx context.Context, e cohort.IntervisionSessionHeld) {
	e.CaseSummary = ""
	for _, p := range e.AttendeeIDs {
		k := member{e.CohortID, p}
		if id, ok := m.enrolments[k]; ok {
			m.toJourney(ctx, id, e.At, e)
			continue
		}
		m.pending[k] = append(m.pending[k], entry{at: e.At, e: e})
	}
}

func (m *ReadModel) onDeliveryScheduled(_ context.Context, e cohort.DeliveryScheduled) {
	m.deliveries[e.CohortID] = append(m.deliveries[e.CohortID], e)
}

func (m *ReadModel) onInstrumentPublished(_ context.Context, e feedback.InstrumentPublished) {
	m.instruments[e.InstrumentID] = threesixty.NewInstrument(e)
}

func (m *ReadModel) onRoundOpened(ctx context.Context, e feedback.RoundOpened) {
	m.roundJourney[e.RoundID] = e.JourneyID
	m.toJourney(ctx, e.JourneyID, e.At, e)
}

// toRound records an event of a round in the round's journey.
func (m *ReadModel) toRound(ctx context.Context, roundID string, at time.Time, e domain.Event) {
	if id, ok := m.roundJourney[roundID]; ok {
		m.toJourney(ctx, id, at, e)
	}
}

func (m *ReadModel) onModuleAdded(_ context.Context, e catalogue.ModuleAdded) {
	for _, g := range e.Content.LearningGoals {
		m.moduleOfGoal[g.ID] = e.ModuleID
	}
}

func (m *ReadModel) onModuleRevised(_ context.Context, e catalogue.ModuleRevised) {
	for _, g := range e.Content.LearningGoals {
		m.moduleOfGoal[g.ID] = e.ModuleID
	}
}

func (m *ReadModel) lookups(f *folio) lookups {
	return lookups{instruments: m.instruments, moduleOfGoal: m.moduleOfGoal, deliveries: m.deliveries[f.cohortID], minRaters: m.minRaters,
		gapThreshold: m.gapThreshold}
}

// enrolled returns the journey's record, or an error wrapping
// domain.ErrNotFound when no enrolment of it was handled.
func (m *ReadModel) enrolled(journeyID string) (*record, error) {
	r, ok := m.journeys[journeyID]
	if !ok || r.live.enrolledAt.IsZero() {
		return nil, fmt.Errorf("portfolio of journey %s: %w", journeyID, domain.ErrNotFound)
	}
	return r, nil
}

// Current returns the portfolio of a journey as it stands. It returns an
// error wrapping domain.ErrNotFound for a journey it has not seen enrolled.
func (m *ReadModel) Current(journeyID string) (view.View, error) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	r, err := m.enrolled(journeyID)
	if err != nil {
		return view.View{}, err
	}
	return r.live.view(m.lookups(r.live), nil), nil
}

// AsOf returns the portfolio of a journey as it stood at t: only what had
// happened at or before t. It returns an error wrapping domain.ErrNotFound
// for a journey it has not seen enrolled, or not yet enrolled at t.
func (m *ReadModel) AsOf(ctx context.Context, journeyID string, t time.Time) (view.View, error) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	r, err := m.enrolled(journeyID)
	if err != nil {
		return view.View{}, err
	}
	f := fold(ctx, journeyID, r.entries, t)
	if f.enrolledAt.IsZero() {
		return view.View{}, fmt.Errorf("portfolio of journey %s as of %s: not yet enrolled: %w", journeyID, t.Format(time.RFC3339), domain.ErrNotFound)
	}
	return f.view(m.lookups(f), &t), nil
}

// AtConversation returns the portfolio as it stood when a development
// conversation was held (its HeldOn): what the participant and the manager
// had before them. It returns an error wrapping domain.ErrNotFound for an
// unknown journey or conversation.
func (m *ReadModel) AtConversation(ctx context.Context, journeyID, conversationID string) (view.View, error) {
	m.mu.RLock()
	r, err := m.enrolled(journeyID)
	var held time.Time
	if err == nil {
		if c := r.live.conversation(conversationID); c != nil {
			held = c.HeldOn
		}
	}
	m.mu.RUnlock()
	if err != nil {
		return view.View{}, err
	}
	if held.IsZero() {
		return view.View{}, fmt.Errorf("conversation %s of journey %s: %w", conversationID, journeyID, domain.ErrNotFound)
	}
	return m.AsOf(ctx, journeyID, held)
}

// Sharing returns who the journey's portfolio is shared with and which
// sections, as it stands. It returns an error wrapping domain.ErrNotFound for
// an unknown journey.
func (m *ReadModel) Sharing(journeyID string) (view.Sharing, error) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	r, err := m.enrolled(journeyID)
	if err != nil {
		return view.Sharing{}, err
	}
	s := view.Sharing{JourneyID: journeyID, ParticipantID: r.live.participantID, ManagerID: r.live.managerID, Sections: []journey.Section{}}
	for _, sec := range journey.Sections() {
		if r.live.shared[sec] {
			s.Sections = append(s.Sections, sec)
		}
	}
	return s, nil
}

// Journeys returns the ids of the journeys of a participant, in the order
// they were enrolled.
func (m *ReadModel) Journeys(participantID string) []string {
	m.mu.RLock()
	defer m.mu.RUnlock()
	return append([]string{}, m.ofParticipant[participantID]...)
}

// Managed returns the ids of the journeys a manager manages now: enrolled
// with them as the manager, or moved to them by a change of manager, and not
// moved to another manager since; in the order they became theirs.
func (m *ReadModel) Managed(managerID string) []string {
	m.mu.RLock()
	defer m.mu.RUnlock()
	return append([]string{}, m.ofManager[managerID]...)
}
