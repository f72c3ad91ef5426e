// Package behaviourchange is the read model behind the behaviour-change
// measurement: per participant, competency and rater group, the score before
// (the first closed pre round of 360 feedback) and after (the last closed
// post round), and per cohort the mean change per competency and rater group.
// The statistics (effect sizes, reliable change, evaluation levels) build on
// it; they are not computed here.
//
// The scores are those of IMPACT.md §1, computed by the threesixty package
// as for the portfolio: a rater's score is the mean of their answered items
// of the competency ("not observed" is no answer), a group's score the mean
// of its raters' scores, each rater weighted equally. Peers, direct reports
// and others count only with at least MinRaters raters with a score in the
// round, a suppressed group is left out and never merged into another, and
// only closed rounds count. A cohort's mean
// change on a competency for a group is shown only when at least
// MinParticipants participants contribute both a before and an after score;
// smaller groups are not shown at all.
//
// Everything is derived from events, so resetting the checkpoint rebuilds it.
package behaviourchange

import (
	"cmp"
	"context"
	"fmt"
	"math"
	"slices"
	"sync"
	"time"

	"github.com/leerpad/leerpad/domain"
	view "github.com/leerpad/leerpad/domain/behaviourchange"
	"github.com/leerpad/leerpad/domain/feedback"
	"github.com/leerpad/leerpad/domain/journey"
	"github.com/leerpad/leerpad/projections"
	"github.com/leerpad/leerpad/projections/internal/threesixty"
)

// Name is the read model's stable name; it keys its checkpoint.
const Name = "behaviour-change"

// MinRaters is the default least number of peers, direct reports or others
// whose scores count.
const MinRaters = threesixty.MinRaters

// MinParticipants is the default least number of participants behind a
// cohort mean that is shown.
const MinParticipants = 5

// Config configures the read model. Neither threshold can be set below its
// default.
type Config struct {
	MinRaters       int // MinRaters when lower
	MinParticipants int // MinParticipants when lower
}

// ReadModel is the behaviour-change read model. It is safe for concurrent
// use: queries run concurrently with each other and with Handle.
type ReadModel struct {
	projections.Frame

	minRaters, minParticipants int

	// mu guards the fields below and the Frame's checkpoint together.
	mu          sync.RWMutex
	instruments map[string]*threesixty.Instrument
	journeys    map[string]*journeyState
	rounds      map[string]*round
	ofCohort    map[string][]*journeyState
}

type journeyState struct {
	journeyID, participantID, cohortID, programmeID, entityID string
	enrolled                                                  bool
	rounds                                                    []*round
	// data is the journey's measurement data, refreshed whenever an event
	// changes it (enrolment, a round closing), so queries only read it.
	data Participant
}

// round is what the read model keeps of a 360 round: the responses while it
// is open, and once it is closed only its result (which no longer changes),
// so that single answers are not kept longer than needed.
type round struct {
	journey          *journeyState
	id, instrumentID string
	kind             feedback.RoundKind
	openedAt         time.Time
	closed           bool
	responses        []threesixty.Response
	result           []threesixty.CompetencyScore // set once closed and scored
}

var _ projections.Projection = (*ReadModel)(nil)

// New returns an empty read model.
func New(cfg Config) *ReadModel {
	m := &ReadModel{
		minRaters:       max(cfg.MinRaters, MinRaters),
		minParticipants: max(cfg.MinParticipants, MinParticipants),
		instruments:     map[string]*threesixty.Instrument{},
		journeys:        map[string]*journeyState{},
		rounds:          map[string]*round{},
		ofCohort:        map[string][]*journeyState{},
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
		case feedback.InstrumentPublished:
			m.onInstrumentPublished(ctx, e)
		case feedback.RoundOpened:
			m.onRoundOpened(ctx, e)
		case feedback.ResponseSubmitted:
			m.onResponseSubmitted(ctx, e)
		case feedback.RoundClosed:
			m.onRoundClosed(ctx, e)
		default:
			return false
		}
		return true
	})
}

func (m *ReadModel) journey(id string) *journeyState {
	j, ok := m.journeys[id]
	if !ok {
		j = &journeyState{journeyID: id}
		m.journeys[id] = j
	}
	return j
}

func (m *ReadModel) onEnrolled(_ context.Context, ev projections.Event, e journey.Enrolled) {
	id := e.JourneyID
	if _, sid, ok := projections.ParseStream(ev.Stream); ok && id == "" {
		id = sid
	}
	j := m.journey(id)
	j.participantID, j.cohortID, j.programmeID, j.entityID, j.enrolled = e.ParticipantID, e.CohortID, e.ProgrammeID, e.EntityID, true
	m.ofCohort[e.CohortID] = append(m.ofCohort[e.CohortID], j)
	j.data = m.scores(j)
}

func (m *ReadModel) onInstrumentPublished(_ context.Context, e feedback.InstrumentPublished) {
	m.instruments[e.InstrumentID] = threesixty.NewInstrument(e)
	// A round cannot open before its instrument is published; should the
	// log say otherwise, rounds closed in the meantime are scored now.
	for _, r := range m.rounds {
		if r.instrumentID == e.InstrumentID {
			m.score(r)
		}
	}
}

// score computes the result of a closed round once its instrument is known,
// and lets go of the single responses.
func (m *ReadModel) score(r *round) {
	in := m.instruments[r.instrumentID]
	if !r.closed || r.result != nil || in == nil {
		return
	}
	r.result = threesixty.Score(in, r.responses, threesixty.ThresholdsOf(m.minRaters))
	r.responses = nil
	r.journey.data = m.scores(r.journey)
}

func (m *ReadModel) onRoundOpened(_ context.Context, e feedback.RoundOpened) {
	j := m.journey(e.JourneyID)
	r := &round{id: e.RoundID, journey: j, instrumentID: e.InstrumentID, kind: e.Kind, openedAt: e.At}
	m.rounds[e.RoundID] = r
	j.rounds = append(j.rounds, r)
}

func (m *ReadModel) onResponseSubmitted(_ context.Context, e feedback.ResponseSubmitted) {
	r, ok := m.rounds[e.RoundID]
	if !ok || r.closed {
		return // a closed round takes no responses
	}
	resp := threesixty.Response{RaterID: e.RaterID, Group: e.Group, Answers: e.Answers, At: e.At}
	if i := slices.IndexFunc(r.responses, func(x threesixty.Response) bool { return x.RaterID == e.RaterID }); i >= 0 {
		r.responses[i] = resp
		return
	}
	r.responses = append(r.responses, resp)
}

func (m *ReadModel) onRoundClosed(_ context.Context, e feedback.RoundClosed) {
	if r, ok := m.rounds[e.RoundID]; ok {
		r.closed = true
		m.score(r)
	}
}

// Measure is a group's score on a competency in one round.
type Measure struct {
	Mean    float64 `json:"mean"`    // of the raters' scores, each rater weighted equally
	Raters  int     `json:"raters"`  // raters with a score
	Answers int     `json:"answers"` // item scores those raters gave
}

// Score is one participant's before and after score on a competency by one
// rater group. Pre or Post is nil when the group gave no score in that round
// or was suppressed there (then PreSuppressed or PostSuppressed is set).
type Score struct {
	CompetencyID   string              `json:"competencyId"`
	Name           string              `json:"name"`
	Group          feedback.RaterGroup `json:"group"`
	Pre            *Measure            `json:"pre,omitempty"`
	Post           *Measure            `json:"post,omitempty"`
	PreSuppressed  bool                `json:"preSuppressed,omitempty"`
	PostSuppressed bool                `json:"postSuppressed,omitempty"`
	// Change is Post minus Pre, when both are there.
	Change *float64 `json:"change,omitempty"`
}

// Participant is the measurement data of one participant's journey.
type Participant struct {
	JourneyID     string `json:"journeyId"`
	ParticipantID string `json:"participantId"`
	CohortID      string `json:"cohortId"`
	ProgrammeID   string `json:"programmeId"`
	EntityID      string `json:"entityId"`
	PreRoundID    string `json:"preRoundId,omitempty"`
	PostRoundID   string `json:"postRoundId,omitempty"`
	// Scores are ordered by competency (as in the post instrument, else the
	// pre one) and rater group.
	Scores []Score `json:"scores"`
}

// scores folds a journey's rounds into its measurement data.
func (m *ReadModel) scores(j *journeyState) Participant {
	p := Participant{JourneyID: j.journeyID, ParticipantID: j.participantID, CohortID: j.cohortID, ProgrammeID: j.programmeID,
		EntityID: j.entityID, Scores: []Score{}}
	var pre, post *round
	for _, r := range j.rounds {
		switch {
		case r.result == nil:
		case r.kind == feedback.RoundPre && pre == nil:
			pre = r
		case r.kind == feedback.RoundPost:
			post = r
		}
	}
	type key struct {
		competency string
		group      int
	}
	index := map[key]int{}
	var order []string
	add := func(r *round, isPost bool) {
		if r == nil {
			return
		}
		for _, cs := range r.result {
			if !slices.Contains(order, cs.CompetencyID) {
				order = append(order, cs.CompetencyID)
			}
			for _, g := range cs.Groups {
				k := key{cs.CompetencyID, threesixty.GroupIndex(g.Group)}
				i, ok := index[k]
				if !ok {
					i = len(p.Scores)
					index[k] = i
					p.Scores = append(p.Scores, Score{CompetencyID: cs.CompetencyID, Name: cs.Name, Group: g.Group})
				}
				s := &p.Scores[i]
				var ms *Measure
				if !g.Suppressed {
					ms = &Measure{Mean: g.Mean, Raters: g.Raters, Answers: g.Answers}
				}
				if isPost {
					s.Post, s.PostSuppressed, s.Name = ms, g.Suppressed, cs.Name
				} else {
					s.Pre, s.PreSuppressed = ms, g.Suppressed
				}
			}
		}
	}
	if post != nil {
		p.PostRoundID = post.id
	}
	if pre != nil {
		p.PreRoundID = pre.id
	}
	// The post instrument orders the competencies when there is one.
	add(post, true)
	add(pre, false)
	for i := range p.Scores {
		s := &p.Scores[i]
		if s.Pre != nil && s.Post != nil {
			c := s.Post.Mean - s.Pre.Mean
			s.Change = &c
		}
	}
	slices.SortStableFunc(p.Scores, func(a, b Score) int {
		return cmp.Or(cmp.Compare(slices.Index(order, a.CompetencyID), slices.Index(order, b.CompetencyID)),
			cmp.Compare(threesixty.GroupIndex(a.Group), threesixty.GroupIndex(b.Group)))
	})
	return p
}

// Participant returns the measurement data of a journey. It returns an error
// wrapping domain.ErrNotFound for a journey it has not seen enrolled.
func (m *ReadModel) Participant(journeyID string) (Participant, error) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	j, ok := m.journeys[journeyID]
	if !ok || !j.enrolled {
		return Participant{}, fmt.Errorf("behaviour change of journey %s: %w", journeyID, domain.ErrNotFound)
	}
	return j.data.clone(), nil
}

// clone returns a deep copy of p, for a caller to own.
func (p Participant) clone() Participant {
	c := p
	c.Scores = make([]Score, len(p.Scores))
	for i, s := range p.Scores {
		s.Pre, s.Post, s.Change = clonePtr(s.Pre), clonePtr(s.Post), clonePtr(s.Change)
		c.Scores[i] = s
	}
	return c
}

func clonePtr[T any](p *T) *T {
	if p == nil {
		return nil
	}
	c := *p
	return &c
}

// Participants returns the measurement data of every journey of a cohort,
// in the order enrolled: the input of the statistics.
func (m *ReadModel) Participants(cohortID string) []Participant {
	m.mu.RLock()
	defer m.mu.RUnlock()
	out := make([]Participant, 0, len(m.ofCohort[cohortID]))
	for _, j := range m.ofCohort[cohortID] {
		out = append(out, j.data.clone())
	}
	return out
}

// Cohort returns a cohort's mean change per competency and rater group,
// only where at least MinParticipants participants have a before and an
// after score. It returns an error wrapping domain.ErrNotFound for a cohort
// without an enrolled journey.
func (m *ReadModel) Cohort(cohortID string) (view.Cohort, error) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	js := m.ofCohort[cohortID]
	if len(js) == 0 {
		return view.Cohort{}, fmt.Errorf("behaviour change of cohort %s: %w", cohortID, domain.ErrNotFound)
	}
	type key struct {
		competency string
		group      int
	}
	type acc struct {
		name           string
		pre, post, chg []float64
	}
	accs := map[key]*acc{}
	var order []key
	for _, j := range js {
		for _, s := range j.data.Scores {
			if s.Change == nil {
				continue
			}
			k := key{s.CompetencyID, threesixty.GroupIndex(s.Group)}
			a, ok := accs[k]
			if !ok {
				a = &acc{name: s.Name}
				accs[k] = a
				order = append(order, k)
			}
			a.pre, a.post, a.chg = append(a.pre, s.Pre.Mean), append(a.post, s.Post.Mean), append(a.chg, *s.Change)
		}
	}
	out := view.Cohort{CohortID: cohortID, MinParticipants: m.minParticipants, Participants: len(js), Competencies: []view.CompetencyChange{}}
	groups := feedback.RaterGroups()
	for _, k := range order {
		a := accs[k]
		if len(a.chg) < m.minParticipants {
			continue // too few participants: not shown at all
		}
		mc := mean(a.chg)
		var ss float64
		for _, c := range a.chg {
			ss += (c - mc) * (c - mc)
		}
		out.Competencies = append(out.Competencies, view.CompetencyChange{CompetencyID: k.competency, Name: a.name, Group: groups[k.group],
			Participants: len(a.chg), MeanPre: mean(a.pre), MeanPost: mean(a.post), MeanChange: mc, SDChange: math.Sqrt(ss / float64(len(a.chg)-1))})
	}
	return out, nil
}

func mean(xs []float64) float64 {
	var s float64
	for _, x := range xs {
		s += x
	}
	return s / float64(len(xs))
}

// Cohorts returns the ids of every cohort with an enrolled journey, sorted.
func (m *ReadModel) Cohorts() []string {
	m.mu.RLock()
	defer m.mu.RUnlock()
	out := make([]string, 0, len(m.ofCohort))
	for id := range m.ofCohort {
		out = append(out, id)
	}
	slices.Sort(out)
	return out
}
