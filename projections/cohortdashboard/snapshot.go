package cohortdashboard

import (
	"encoding/json"
	"fmt"
	"io"
	"time"

	"github.com/leerpad/leerpad/domain"
	"github.com/leerpad/leerpad/domain/cohort"
	view "github.com/leerpad/leerpad/domain/cohortdashboard"
	"github.com/leerpad/leerpad/domain/journey"
	"github.com/leerpad/leerpad/projections"
)

// SnapshotSchema is the version of the read model's snapshot encoding.
const SnapshotSchema = 1

var _ projections.Snapshotter = (*ReadModel)(nil)

// snapshot is the read model's state as a snapshot keeps it: counts and
// dates, as the read model itself.
type snapshot struct {
	Checkpoint projections.CheckpointState `json:"checkpoint"`
	Cohorts    []cohortSnap                `json:"cohorts"`
	JourneyOf  map[string]memberSnap       `json:"journeyOf"` // journey id -> its participant
}

type memberSnap struct {
	CohortID      string `json:"cohortId"`
	ParticipantID string `json:"participantId"`
}

type cohortSnap struct {
	ID           string            `json:"id"`
	ProgrammeID  string            `json:"programmeId,omitempty"`
	EntityID     string            `json:"entityId,omitempty"`
	Title        string            `json:"title,omitempty"`
	ModuleIDs    []string          `json:"moduleIds,omitempty"`
	StartsOn     time.Time         `json:"startsOn"`
	EndsOn       time.Time         `json:"endsOn"`
	Participants []participantSnap `json:"participants"` // in enrolment order
	Deliveries   []deliverySnap    `json:"deliveries,omitempty"`
	Groups       []groupSnap       `json:"groups,omitempty"`
	Evaluations  []evaluationSnap  `json:"evaluations,omitempty"`
}

type participantSnap struct {
	ID           string                    `json:"id"`
	JourneyID    string                    `json:"journeyId,omitempty"`
	EnrolledAt   time.Time                 `json:"enrolledAt"`
	ClosedAt     time.Time                 `json:"closedAt"`
	Status       journey.Status            `json:"status,omitzero"`
	LastActivity time.Time                 `json:"lastActivity"`
	Assignments  map[string]assignmentSnap `json:"assignments,omitempty"`
	Given        int                       `json:"given,omitempty"`
	HandedIn     int                       `json:"handedIn,omitempty"`
	OnTime       int                       `json:"onTime,omitempty"`
	Logged       int                       `json:"logged,omitempty"`
	Tried        int                       `json:"tried,omitempty"`
	Intervision  int                       `json:"intervision,omitempty"`
	Coaching     int                       `json:"coaching,omitempty"`
	Evaluations  int                       `json:"evaluations,omitempty"`
	Weeks        []view.WeekCount          `json:"weeks,omitempty"`
	Erased       bool                      `json:"erased,omitempty"`
}

type assignmentSnap struct {
	ModuleID string    `json:"moduleId"`
	DueOn    time.Time `json:"dueOn"`
	HandedIn bool      `json:"handedIn,omitempty"`
	OnTime   bool      `json:"onTime,omitempty"`
}

type deliverySnap struct {
	view.DeliveryAttendance
	Status map[string]cohort.AttendanceStatus `json:"status,omitempty"`
}

type groupSnap struct {
	ID        string         `json:"id"`
	Members   []string       `json:"members,omitempty"`
	FormedAt  time.Time      `json:"formedAt"`
	Dissolved bool           `json:"dissolved,omitempty"`
	Sessions  []view.Session `json:"sessions,omitempty"`
}

type evaluationSnap struct {
	ModuleID string                   `json:"moduleId"`
	Version  int                      `json:"version"`
	N        int                      `json:"n"`
	Sum      map[journey.Question]int `json:"sum,omitempty"`
	Count    map[journey.Question]int `json:"count,omitempty"`
}

// SnapshotSchema returns SnapshotSchema.
func (m *ReadModel) SnapshotSchema() uint32 { return SnapshotSchema }

// Snapshot copies the counts and the checkpoint under the lock; see
// projections.Snapshotter.
func (m *ReadModel) Snapshot() (uint64, func(io.Writer) error) {
	m.mu.RLock()
	s := snapshot{Checkpoint: projections.CheckpointOf(&m.Frame).State(), Cohorts: make([]cohortSnap, 0, len(m.cohorts)), JourneyOf: make(map[string]memberSnap, len(m.journeyOf))}
	for _, c := range m.cohorts {
		s.Cohorts = append(s.Cohorts, c.snap())
	}
	for id, p := range m.journeyOf {
		s.JourneyOf[id] = memberSnap{CohortID: p.cohort.id, ParticipantID: p.id}
	}
	m.mu.RUnlock()
	return s.Checkpoint.Position, func(w io.Writer) error { return json.NewEncoder(w).Encode(&s) }
}

func (c *cohortState) snap() cohortSnap {
	cs := cohortSnap{ID: c.id, ProgrammeID: c.programmeID, EntityID: c.entityID, Title: c.title, ModuleIDs: c.moduleIDs,
		StartsOn: c.startsOn, EndsOn: c.endsOn, Participants: make([]participantSnap, 0, len(c.order))}
	for _, p := range c.order {
		ps := participantSnap{ID: p.id, JourneyID: p.journeyID, EnrolledAt: p.enrolledAt, ClosedAt: p.closedAt, Status: p.status,
			LastActivity: p.lastActivity, Given: p.given, HandedIn: p.handedIn, OnTime: p.onTime, Logged: p.logged, Tried: p.tried,
			Intervision: p.intervision, Coaching: p.coaching, Evaluations: p.evaluations, Erased: p.erased}
		if len(p.assignments) > 0 {
			ps.Assignments = make(map[string]assignmentSnap, len(p.assignments))
			for id, a := range p.assignments {
				ps.Assignments[id] = assignmentSnap{ModuleID: a.moduleID, DueOn: a.dueOn, HandedIn: a.handedIn, OnTime: a.onTime}
			}
		}
		for _, w := range p.weeks {
			ps.Weeks = append(ps.Weeks, *w)
		}
		cs.Participants = append(cs.Participants, ps)
	}
	for _, d := range c.deliveries {
		ds := deliverySnap{DeliveryAttendance: d.DeliveryAttendance, Status: make(map[string]cohort.AttendanceStatus, len(d.status))}
		for k, v := range d.status {
			ds.Status[k] = v
		}
		cs.Deliveries = append(cs.Deliveries, ds)
	}
	for _, g := range c.groups {
		gs := groupSnap{ID: g.id, Members: g.members, FormedAt: g.formedAt, Dissolved: g.dissolved}
		for _, x := range g.sessions {
			gs.Sessions = append(gs.Sessions, *x)
		}
		cs.Groups = append(cs.Groups, gs)
	}
	for _, e := range c.evaluations {
		es := evaluationSnap{ModuleID: e.moduleID, Version: e.version, N: e.n, Sum: make(map[journey.Question]int, len(e.sum)),
			Count: make(map[journey.Question]int, len(e.count))}
		for k, v := range e.sum {
			es.Sum[k] = v
		}
		for k, v := range e.count {
			es.Count[k] = v
		}
		cs.Evaluations = append(cs.Evaluations, es)
	}
	return cs
}

// Restore replaces the state of an empty read model with a snapshot's; see
// projections.Snapshotter.
func (m *ReadModel) Restore(r io.Reader) error {
	var s snapshot
	if err := json.NewDecoder(r).Decode(&s); err != nil {
		return fmt.Errorf("%s: restore: %w: %w", Name, domain.ErrInvalid, err)
	}
	cohorts := make(map[string]*cohortState, len(s.Cohorts))
	for _, cs := range s.Cohorts {
		cohorts[cs.ID] = restoreCohort(cs)
	}
	journeyOf := make(map[string]*participant, len(s.JourneyOf))
	for id, ms := range s.JourneyOf {
		var p *participant
		if c := cohorts[ms.CohortID]; c != nil {
			p = c.participants[ms.ParticipantID]
		}
		if p == nil {
			return fmt.Errorf("%s: restore: %w", Name, domain.Invalid("snapshot", "journey %s of unknown participant %s in cohort %s", id, ms.ParticipantID, ms.CohortID))
		}
		journeyOf[id] = p
	}
	return projections.RestoreFrame(&m.Frame, s.Checkpoint, func() { m.cohorts, m.journeyOf = cohorts, journeyOf })
}

func restoreCohort(cs cohortSnap) *cohortState {
	c := &cohortState{id: cs.ID, programmeID: cs.ProgrammeID, entityID: cs.EntityID, title: cs.Title, moduleIDs: cs.ModuleIDs,
		startsOn: cs.StartsOn, endsOn: cs.EndsOn, participants: make(map[string]*participant, len(cs.Participants))}
	for _, ps := range cs.Participants {
		p := &participant{cohort: c, id: ps.ID, journeyID: ps.JourneyID, enrolledAt: ps.EnrolledAt, closedAt: ps.ClosedAt, status: ps.Status,
			lastActivity: ps.LastActivity, assignments: make(map[string]assignment, len(ps.Assignments)), given: ps.Given, handedIn: ps.HandedIn,
			onTime: ps.OnTime, logged: ps.Logged, tried: ps.Tried, intervision: ps.Intervision, coaching: ps.Coaching, evaluations: ps.Evaluations,
			weeks: make(map[view.Week]*view.WeekCount, len(ps.Weeks)), erased: ps.Erased}
		for id, a := range ps.Assignments {
			p.assignments[id] = assignment{moduleID: a.ModuleID, dueOn: a.DueOn, handedIn: a.HandedIn, onTime: a.OnTime}
		}
		for _, w := range ps.Weeks {
			p.weeks[w.Week] = &w
		}
		c.participants[p.id] = p
		c.order = append(c.order, p)
	}
	for _, ds := range cs.Deliveries {
		d := &delivery{DeliveryAttendance: ds.DeliveryAttendance, status: ds.Status}
		if d.status == nil {
			d.status = map[string]cohort.AttendanceStatus{}
		}
		c.deliveries = append(c.deliveries, d)
	}
	for _, gs := range cs.Groups {
		g := &group{id: gs.ID, members: gs.Members, formedAt: gs.FormedAt, dissolved: gs.Dissolved, sessions: make(map[string]*view.Session, len(gs.Sessions))}
		for _, x := range gs.Sessions {
			g.sessions[x.SessionID] = &x
		}
		c.groups = append(c.groups, g)
	}
	for _, es := range cs.Evaluations {
		e := &evaluation{moduleID: es.ModuleID, version: es.Version, n: es.N, sum: es.Sum, count: es.Count}
		if e.sum == nil {
			e.sum = map[journey.Question]int{}
		}
		if e.count == nil {
			e.count = map[journey.Question]int{}
		}
		c.evaluations = append(c.evaluations, e)
	}
	return c
}
