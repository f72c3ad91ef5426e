// Package impact is the impact read model: the figures of leerpad.impact/v2
// (IMPACT.md) for a cohort, a programme, an ordering entity and an entity
// within a programme, as of any log position, and a participant's own change
// with their reliable-change index.
//
// Release and freeze. A cohort's figures exist only once the programme
// office closed its measurement (cohort.measurement_closed at log position
// P). At that event the read model freezes what the cohort contributes: the
// journeys of the participants the event lists (not withdrawn at P), each as
// it stood at P, reduced to per-cell blocks of numbers (release.go). Later
// events to those journeys change nothing released. A population asked as of
// a position Q is the union of the cohorts released at positions up to Q, so
// the same question gives the same bytes whatever is written afterwards.
//
// k-anonymity that holds under differencing. Every population is a union of
// released cohorts, and a cohort's block of a cell (a competency and rater
// group, a module version and question, a learning goal) counts towards any
// population only when at least impact.K people are behind it. So any two
// populations, and any one at two moments, differ per cell by a union of
// blocks of at least K people or by none: no subtraction of allowed figures
// singles out fewer than K people. On top, a cell is shown only with n ≥ K,
// and an entity within a programme only where its complement in the
// programme (and in the entity) is 0 or at least K (IMPACT.md §4). See
// docs/decisions/0012-impact-read-model.md.
//
// Everything is derived from events, so resetting the checkpoint rebuilds it.
package impact

import (
	"context"
	"slices"
	"sync"
	"sync/atomic"

	"github.com/leerpad/leerpad/domain/catalogue"
	"github.com/leerpad/leerpad/domain/cohort"
	"github.com/leerpad/leerpad/domain/feedback"
	"github.com/leerpad/leerpad/domain/journey"
	"github.com/leerpad/leerpad/projections"
	"github.com/leerpad/leerpad/projections/internal/threesixty"
)

// Name is the read model's stable name; it keys its checkpoint.
const Name = "impact"

// ReadModel is the impact read model. It is safe for concurrent use: queries
// run concurrently with each other and with Handle.
type ReadModel struct {
	projections.Frame

	// mu guards the state and the Frame's checkpoint together.
	mu sync.RWMutex
	s  state
	// derived from s, rebuilt on restore
	instruments map[string]*instrument
	byProgramme map[string][]*release
	byEntity    map[string][]*release

	// cache holds computed populations (levels 1 to 3); see population.go.
	cacheMu sync.Mutex
	cache   map[cacheKey]*computed
	// warm is set once Warm has filled the cache: from then on a release
	// refreshes every population it touches, asked before or not.
	warm atomic.Bool
}

// state is everything the read model keeps; a snapshot is its JSON.
type state struct {
	Instruments map[string]feedback.InstrumentPublished `json:"instruments"`
	Rounds      map[string]*roundState                  `json:"rounds"`
	Journeys    map[string]*journeyState                `json:"journeys"`
	Cohorts     map[string]*cohortState                 `json:"cohorts"`
	// Releases are the released cohorts in log order.
	Releases []*release `json:"releases"`
	// Figures are the key figures recorded, per entity, in log order.
	Figures map[string][]figure `json:"figures"`
}

type roundState struct {
	ID           string                       `json:"id"`
	JourneyID    string                       `json:"journeyId"`
	InstrumentID string                       `json:"instrumentId"`
	Kind         feedback.RoundKind           `json:"kind,omitzero"`
	Closed       bool                         `json:"closed,omitempty"`
	Responses    []threesixty.Response        `json:"responses,omitempty"` // while open, or closed before its instrument
	Result       []threesixty.CompetencyScore `json:"result,omitempty"`
	// Rows are a closed pre round's listwise complete rater responses per
	// competency: the input of the reliability (IMPACT.md §2).
	Rows map[string][]row `json:"rows,omitempty"`
}

// row is one rater's answers to every item of a competency, in item order.
type row struct {
	Group int       `json:"g"` // index into feedback.RaterGroups
	Items []float64 `json:"i"`
}

type journeyState struct {
	ID            string `json:"id"`
	ParticipantID string `json:"participantId"`
	CohortID      string `json:"cohortId"`
	ProgrammeID   string `json:"programmeId"`
	EntityID      string `json:"entityId"`
	Enrolled      bool   `json:"enrolled,omitempty"`
	Withdrawn     bool   `json:"withdrawn,omitempty"`
	// Rounds are the journey's 360 rounds in the order opened.
	Rounds      []string                       `json:"rounds,omitempty"`
	Evaluations []journey.ModuleEvaluated      `json:"evaluations,omitempty"` // in log order
	Ratings     []journey.LearningRated        `json:"ratings,omitempty"`     // in log order
	Goals       map[string][]string            `json:"goals,omitempty"`       // goal id -> module learning goal ids
	Experiments map[string]*experimentProgress `json:"experiments,omitempty"`
}

type experimentProgress struct {
	GoalID    string `json:"goalId"`
	Tried     bool   `json:"tried,omitempty"`
	Reflected bool   `json:"reflected,omitempty"`
}

type delivery struct {
	ModuleID string `json:"moduleId"`
	Version  int    `json:"version"`
}

type cohortState struct {
	ID          string                       `json:"id"`
	Planned     bool                         `json:"planned,omitempty"`
	ProgrammeID string                       `json:"programmeId"`
	EntityID    string                       `json:"entityId"`
	StartsOn    string                       `json:"startsOn"` // RFC 3339
	EndsOn      string                       `json:"endsOn"`
	Deliveries  map[string]delivery          `json:"deliveries,omitempty"`
	Attendance  map[string]map[string]string `json:"attendance,omitempty"` // delivery -> participant -> status
	Journeys    []string                     `json:"journeys,omitempty"`   // in the order enrolled
	Released    bool                         `json:"released,omitempty"`
}

type figure struct {
	Position       uint64   `json:"position"`
	Quarter        string   `json:"quarter"`
	AbsenteeismPct *float64 `json:"absenteeismPct,omitempty"`
	TurnoverPct    *float64 `json:"turnoverPct,omitempty"`
}

var _ projections.Projection = (*ReadModel)(nil)

// New returns an empty read model.
func New() *ReadModel {
	m := &ReadModel{s: state{
		Instruments: map[string]feedback.InstrumentPublished{}, Rounds: map[string]*roundState{},
		Journeys: map[string]*journeyState{}, Cohorts: map[string]*cohortState{}, Figures: map[string][]figure{},
	}}
	m.derive()
	m.Frame = projections.NewFrame(Name, &m.mu)
	return m
}

// derive rebuilds the indexes of the state.
func (m *ReadModel) derive() {
	m.instruments = map[string]*instrument{}
	for id, e := range m.s.Instruments {
		m.instruments[id] = newInstrument(e)
	}
	m.byProgramme, m.byEntity = map[string][]*release{}, map[string][]*release{}
	for _, r := range m.s.Releases {
		m.index(r)
	}
	m.cache = map[cacheKey]*computed{}
}

func (m *ReadModel) index(r *release) {
	m.byProgramme[r.ProgrammeID] = append(m.byProgramme[r.ProgrammeID], r)
	m.byEntity[r.EntityID] = append(m.byEntity[r.EntityID], r)
}

// Handle applies e once; see projections.Projection. After a release it
// computes again, outside the write lock, the populations the release
// touches that were asked before (refresh), so that their next question is
// answered from the cache.
func (m *ReadModel) Handle(_ context.Context, ev projections.Event) error {
	var released *release
	err := projections.Apply(&m.Frame, ev, func() bool {
		_, streamID, _ := projections.ParseStream(ev.Stream)
		switch e := ev.Data.(type) {
		case feedback.InstrumentPublished:
			m.onInstrumentPublished(e)
		case feedback.RoundOpened:
			m.onRoundOpened(e)
		case feedback.ResponseSubmitted:
			m.onResponseSubmitted(e)
		case feedback.RoundClosed:
			m.onRoundClosed(e)
		case journey.Enrolled:
			m.onEnrolled(streamID, e)
		case journey.Withdrawn:
			m.journey(streamID).Withdrawn = true
		case journey.Erased:
			m.onErased(streamID)
		case cohort.FiguresFrozen:
			m.onFiguresFrozen(e)
		case journey.ModuleEvaluated:
			j := m.journey(streamID)
			e.Comments = "" // free text: not kept
			j.Evaluations = append(j.Evaluations, e)
		case journey.LearningRated:
			j := m.journey(streamID)
			j.Ratings = append(j.Ratings, e)
		case journey.LearningGoalFormulated:
			j := m.journey(streamID)
			if j.Goals == nil {
				j.Goals = map[string][]string{}
			}
			j.Goals[e.GoalID] = slices.Clone(e.ModuleGoalIDs)
		case journey.ExperimentLogged:
			j := m.journey(streamID)
			if j.Experiments == nil {
				j.Experiments = map[string]*experimentProgress{}
			}
			j.Experiments[e.ExperimentID] = &experimentProgress{GoalID: e.LearningGoalID}
		case journey.ExperimentTried:
			if x := m.journey(streamID).Experiments[e.ExperimentID]; x != nil {
				x.Tried = true
			}
		case journey.ExperimentReflected:
			if x := m.journey(streamID).Experiments[e.ExperimentID]; x != nil {
				x.Reflected = true
			}
		case cohort.Planned:
			c := m.cohort(e.CohortID)
			c.Planned, c.ProgrammeID, c.EntityID = true, e.ProgrammeID, e.EntityID
			c.StartsOn, c.EndsOn = e.StartsOn.UTC().Format(timeLayout), e.EndsOn.UTC().Format(timeLayout)
		case cohort.DeliveryScheduled:
			c := m.cohort(e.CohortID)
			if c.Deliveries == nil {
				c.Deliveries = map[string]delivery{}
			}
			c.Deliveries[e.DeliveryID] = delivery{ModuleID: e.ModuleID, Version: e.ModuleVersion}
		case cohort.AttendanceRecorded:
			c := m.cohort(e.CohortID)
			if c.Attendance == nil {
				c.Attendance = map[string]map[string]string{}
			}
			if c.Attendance[e.DeliveryID] == nil {
				c.Attendance[e.DeliveryID] = map[string]string{}
			}
			c.Attendance[e.DeliveryID][e.ParticipantID] = e.Status.String()
		case cohort.ParticipantWithdrawn:
			for _, id := range m.cohort(e.CohortID).Journeys {
				if j := m.s.Journeys[id]; j.ParticipantID == e.ParticipantID {
					j.Withdrawn = true
				}
			}
		case cohort.MeasurementClosed:
			released = m.onMeasurementClosed(ev.Position, e)
		case catalogue.KeyFiguresRecorded:
			m.s.Figures[e.EntityID] = append(m.s.Figures[e.EntityID], figure{Position: ev.Position, Quarter: e.Quarter,
				AbsenteeismPct: e.AbsenteeismPct, TurnoverPct: e.TurnoverPct})
		default:
			return false
		}
		return true
	})
	if err == nil && released != nil {
		m.refresh(released)
	}
	return err
}

const timeLayout = "2006-01-02T15:04:05Z07:00"

func (m *ReadModel) journey(id string) *journeyState {
	j, ok := m.s.Journeys[id]
	if !ok {
		j = &journeyState{ID: id}
		m.s.Journeys[id] = j
	}
	return j
}

func (m *ReadModel) cohort(id string) *cohortState {
	c, ok := m.s.Cohorts[id]
	if !ok {
		c = &cohortState{ID: id}
		m.s.Cohorts[id] = c
	}
	return c
}

func (m *ReadModel) onEnrolled(streamID string, e journey.Enrolled) {
	id := e.JourneyID
	if id == "" {
		id = streamID
	}
	j := m.journey(id)
	if j.Enrolled {
		return
	}
	j.ParticipantID, j.CohortID, j.ProgrammeID, j.EntityID, j.Enrolled = e.ParticipantID, e.CohortID, e.ProgrammeID, e.EntityID, true
	c := m.cohort(e.CohortID)
	c.Journeys = append(c.Journeys, id)
	if !c.Planned {
		c.ProgrammeID, c.EntityID = e.ProgrammeID, e.EntityID
	}
}

func (m *ReadModel) onInstrumentPublished(e feedback.InstrumentPublished) {
	m.s.Instruments[e.InstrumentID] = e
	m.instruments[e.InstrumentID] = newInstrument(e)
	// A round cannot open before its instrument is published; should the
	// log say otherwise, rounds closed in the meantime are scored now.
	for _, r := range m.s.Rounds {
		if r.InstrumentID == e.InstrumentID {
			m.score(r)
		}
	}
}

func (m *ReadModel) onRoundOpened(e feedback.RoundOpened) {
	if _, ok := m.s.Rounds[e.RoundID]; ok {
		return
	}
	m.s.Rounds[e.RoundID] = &roundState{ID: e.RoundID, JourneyID: e.JourneyID, InstrumentID: e.InstrumentID, Kind: e.Kind}
	j := m.journey(e.JourneyID)
	j.Rounds = append(j.Rounds, e.RoundID)
}

func (m *ReadModel) onResponseSubmitted(e feedback.ResponseSubmitted) {
	r, ok := m.s.Rounds[e.RoundID]
	if !ok || r.Closed {
		return // a closed round takes no responses
	}
	resp := threesixty.Response{RaterID: e.RaterID, Group: e.Group, Answers: e.Answers, At: e.At}
	if i := slices.IndexFunc(r.Responses, func(x threesixty.Response) bool { return x.RaterID == e.RaterID }); i >= 0 {
		r.Responses[i] = resp
		return
	}
	r.Responses = append(r.Responses, resp)
}

func (m *ReadModel) onRoundClosed(e feedback.RoundClosed) {
	if r, ok := m.s.Rounds[e.RoundID]; ok && !r.Closed {
		r.Closed = true
		m.score(r)
	}
}

// score computes the result of a closed round once its instrument is known
// (and, for a pre round, the rows of the reliability), and lets go of the
// single responses.
func (m *ReadModel) score(r *roundState) {
	in := m.instruments[r.InstrumentID]
	if !r.Closed || r.Result != nil || in == nil {
		return
	}
	r.Result = threesixty.Score(in.Instrument, r.Responses, threesixty.Thresholds{})
	if r.Kind == feedback.RoundPre {
		r.Rows = in.rows(r.Responses)
	}
	r.Responses = nil
}

// instrument is what the read model needs of a published instrument: the
// scoring's view, and each item's place within its competency.
type instrument struct {
	*threesixty.Instrument
	place map[string][2]int // item id -> competency index, item index
}

func newInstrument(e feedback.InstrumentPublished) *instrument {
	in := &instrument{Instrument: threesixty.NewInstrument(e), place: map[string][2]int{}}
	for c, comp := range e.Competencies {
		for i, it := range comp.Items {
			in.place[it.ID] = [2]int{c, i}
		}
	}
	return in
}

// rows returns per competency id the responses that answered every item of
// it (listwise complete), in the order given.
func (in *instrument) rows(responses []threesixty.Response) map[string][]row {
	out := map[string][]row{}
	for _, r := range responses {
		g := threesixty.GroupIndex(r.Group)
		if g < 0 {
			continue
		}
		vals := make([][]float64, len(in.Competencies))
		seen := make([]int, len(in.Competencies))
		for c, comp := range in.Competencies {
			vals[c] = make([]float64, comp.Items)
		}
		for _, a := range r.Answers {
			p, ok := in.place[a.ItemID]
			if !ok || a.NotObserved || a.Score <= 0 || vals[p[0]][p[1]] != 0 {
				continue
			}
			vals[p[0]][p[1]] = float64(a.Score)
			seen[p[0]]++
		}
		for c, comp := range in.Competencies {
			if comp.Items > 0 && seen[c] == comp.Items {
				out[comp.ID] = append(out[comp.ID], row{Group: g, Items: vals[c]})
			}
		}
	}
	return out
}
