package demo

import (
	"slices"
	"time"

	"github.com/leerpad/leerpad/domain/journey"
)

// TryIt names ids of the cohort still running at the reference date, for a
// new user to try the API with: a trainer of the cohort, and a participant
// in progress with their journey, their manager, the sections they share
// with that manager and a learning goal to log a new experiment for, and
// the 360 instrument to open a round with. It follows from the options alone.
type TryIt struct {
	CohortID       string
	CohortTitle    string
	ProgrammeID    string // the cohort's programme, which has a cohort with a closed measurement
	TrainerID      string
	InstrumentID   string
	ParticipantID  string
	JourneyID      string
	ManagerID      string
	LearningGoalID string
	// Shared are the sections the participant shares with the manager, in
	// the order of journey.Sections; the manager sees only these.
	Shared []string
	// OpenExperiments are the participant's experiments not concluded by
	// the reference date.
	OpenExperiments int
}

// candidate is a participant of the running cohort as it stands at the
// reference date.
type candidate struct {
	p          *participant
	inProgress bool
	manager    string
	shared     []journey.Section
	goal       string // of an open experiment when there is one
	open       int
}

// candidate judges p at the reference date, by what the data set holds:
// nothing after that date, nor after a withdrawal.
func (b *cohortBuilder) candidate(p *participant) candidate {
	c := candidate{p: p, inProgress: afterReference(p.closing)}
	limit := ReferenceDate
	if !p.withdrawAt.IsZero() && p.withdrawAt.Before(limit) {
		limit = p.withdrawAt
	}
	var since time.Time
	for _, t := range p.managers {
		if t.from.Before(limit) {
			c.manager, since = t.id, t.from
		}
	}
	shared := map[journey.Section]bool{}
	for _, g := range p.grants {
		// A new manager sees only what was shared after they came.
		if g.at.Before(limit) && !g.at.Before(since) {
			shared[g.section] = true
		}
	}
	for _, s := range journey.Sections() {
		if shared[s] {
			c.shared = append(c.shared, s)
		}
	}
	for _, g := range p.goals {
		if g.at.Before(limit) && c.goal == "" {
			c.goal = g.id
		}
	}
	for _, e := range p.planned {
		if e.logged.Before(limit) && (e.concluded.IsZero() || !e.concluded.Before(limit)) {
			if c.open == 0 {
				c.goal = e.goal
			}
			c.open++
		}
	}
	return c
}

// score ranks a candidate: in progress first, then sharing learning goals
// and experiments (so that the manager sees the experiment a new user logs),
// then with an open experiment, then sharing anything at all.
func (c candidate) score() int {
	s := 0
	if c.inProgress && c.goal != "" {
		s += 8
	}
	if slices.Contains(c.shared, journey.SectionLearningGoals) && slices.Contains(c.shared, journey.SectionExperiments) {
		s += 4
	}
	if c.open > 0 {
		s += 2
	}
	if len(c.shared) > 0 {
		s++
	}
	return s
}

// tryIt chooses the Try-it ids of the cohort: its first trainer, and the
// first participant with the best score.
func (b *cohortBuilder) tryIt() TryIt {
	t := TryIt{CohortID: b.cohortID, CohortTitle: b.title(), ProgrammeID: b.pid.id, TrainerID: b.trainers[0], InstrumentID: b.ids.instrument}
	best := candidate{}
	for _, p := range b.people {
		if c := b.candidate(p); best.p == nil || c.score() > best.score() {
			best = c
		}
	}
	if best.p == nil {
		return t
	}
	t.ParticipantID, t.JourneyID, t.ManagerID, t.LearningGoalID = best.p.id, best.p.journeyID, best.manager, best.goal
	t.OpenExperiments = best.open
	for _, s := range best.shared {
		t.Shared = append(t.Shared, s.String())
	}
	return t
}
