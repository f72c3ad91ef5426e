// Package cohortdashboard is the cohort dashboard read model, for trainers
// and the programme office: per cohort the enrolment and withdrawals,
// attendance per delivery, practice assignments handed in, experiments per
// participant per ISO week, the rhythm of each intervision group, the module
// evaluation scores per module version, participants at risk and completion.
// It keeps counts and dates only; no reflection, comment or case enters it.
//
// Weeks are ISO 8601 weeks in Europe/Amsterdam, the time zone of the
// programmes, so an experiment logged late on a Sunday evening counts in the
// week it was logged there, across daylight-saving changes and year ends
// (the time zone database is embedded, so the binary needs none installed).
//
// A participant is at risk when they are active (enrolled, neither completed
// nor withdrawn) and have shown no activity for a configurable number of
// weeks before the query time. Activity is what the participant does: stating
// their why, choosing behaviours, formulating goals, handing in assignments,
// every step of an experiment, intervision and coaching, evaluations,
// measurements, development conversations, and being present at a delivery
// (at its start). Enrolment counts as the first activity.
package cohortdashboard

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"sync"
	"time"
	_ "time/tzdata" // Europe/Amsterdam without a system time zone database

	"github.com/leerpad/leerpad/domain"
	"github.com/leerpad/leerpad/domain/cohort"
	view "github.com/leerpad/leerpad/domain/cohortdashboard"
	"github.com/leerpad/leerpad/domain/journey"
	"github.com/leerpad/leerpad/projections"
)

// Name is the read model's stable name; it keys its checkpoint.
const Name = "cohort-dashboard"

// DefaultAtRiskWeeks is the number of weeks without activity after which an
// active participant is at risk, unless configured otherwise.
const DefaultAtRiskWeeks = 3

// Zone is the time zone of ISO weeks.
const Zone = "Europe/Amsterdam"

// Config configures the read model.
type Config struct {
	// AtRiskWeeks is the number of weeks without activity after which an
	// active participant is at risk; DefaultAtRiskWeeks when zero.
	AtRiskWeeks int
}

// ReadModel is the cohort dashboard read model. It is safe for concurrent
// use: queries run concurrently with each other and with Handle.
type ReadModel struct {
	projections.Frame

	atRiskWeeks int
	loc         *time.Location

	// mu guards the fields below and the Frame's checkpoint together.
	mu        sync.RWMutex
	cohorts   map[string]*cohortState
	journeyOf map[string]*participant // journey id -> participant
}

type cohortState struct {
	id, programmeID, entityID, title string
	moduleIDs                        []string
	startsOn, endsOn                 time.Time
	participants                     map[string]*participant
	order                            []*participant // by enrolment
	deliveries                       []*delivery
	groups                           []*group
	evaluations                      []*evaluation
}

type participant struct {
	cohort                  *cohortState
	id, journeyID           string
	enrolledAt, closedAt    time.Time
	status                  journey.Status
	lastActivity            time.Time // from the journey; attendance is added at query time
	assignments             map[string]assignment
	given, handedIn, onTime int
	logged, tried           int
	intervision, coaching   int
	evaluations             int
	weeks                   map[view.Week]*view.WeekCount
	// erased: the participant was erased (journey.erased). Their counts
	// stay in the cohort's figures; their row shows domain.Erased, and
	// they are never "at risk".
	erased bool
}

type assignment struct {
	moduleID string
	dueOn    time.Time
	handedIn bool
	onTime   bool
}

type delivery struct {
	view.DeliveryAttendance
	status map[string]cohort.AttendanceStatus
}

type group struct {
	id        string
	members   []string
	formedAt  time.Time
	dissolved bool
	sessions  map[string]*view.Session
}

type evaluation struct {
	moduleID string
	version  int
	n        int
	sum      map[journey.Question]int
	count    map[journey.Question]int
}

var _ projections.Projection = (*ReadModel)(nil)

// New returns an empty read model. It fails only when the Europe/Amsterdam
// time zone cannot be loaded, which the embedded database prevents.
func New(cfg Config) (*ReadModel, error) {
	loc, err := time.LoadLocation(Zone)
	if err != nil {
		return nil, fmt.Errorf("%s: load time zone: %w", Name, err)
	}
	weeks := cfg.AtRiskWeeks
	if weeks <= 0 {
		weeks = DefaultAtRiskWeeks
	}
	m := &ReadModel{atRiskWeeks: weeks, loc: loc, cohorts: map[string]*cohortState{}, journeyOf: map[string]*participant{}}
	m.Frame = projections.NewFrame(Name, &m.mu)
	return m, nil
}

// ISOWeek returns the ISO week of t in loc.
func ISOWeek(t time.Time, loc *time.Location) view.Week {
	y, w := t.In(loc).ISOWeek()
	return view.Week{Year: y, Week: w}
}

// Handle applies e once; see projections.Projection.
func (m *ReadModel) Handle(ctx context.Context, ev projections.Event) error {
	return projections.Apply(&m.Frame, ev, func() bool {
		return m.apply(ctx, ev)
	})
}

// apply routes ev to its handler and reports whether the read model handles
// its type.
func (m *ReadModel) apply(ctx context.Context, ev projections.Event) bool {
	switch e := ev.Data.(type) {
	case cohort.Planned:
		m.onPlanned(ctx, e)
	case cohort.ParticipantEnrolled:
		m.onParticipantEnrolled(ctx, e)
	case cohort.ParticipantWithdrawn:
		m.onParticipantWithdrawn(ctx, e)
	case cohort.IntervisionGroupFormed:
		m.onIntervisionGroupFormed(ctx, e)
	case cohort.IntervisionGroupReformed:
		m.onIntervisionGroupReformed(ctx, e)
	case cohort.IntervisionGroupDissolved:
		m.onIntervisionGroupDissolved(ctx, e)
	case cohort.DeliveryScheduled:
		m.onDeliveryScheduled(ctx, e)
	case cohort.AttendanceRecorded:
		m.onAttendanceRecorded(ctx, e)
	case cohort.IntervisionSessionHeld:
		m.onIntervisionSessionHeld(ctx, e)
	case journey.Enrolled:
		m.onEnrolled(ctx, ev, e)
	default:
		// Other journey events belong to the journey of their stream; one
		// before its enrolment cannot happen, since enrolment opens it.
		cat, id, _ := projections.ParseStream(ev.Stream)
		if p := m.journeyOf[id]; p != nil && cat == journey.StreamCategory {
			return m.applyJourney(ctx, p, ev.Data)
		}
		return false
	}
	return true
}

func (m *ReadModel) applyJourney(ctx context.Context, p *participant, e domain.Event) bool {
	switch e := e.(type) {
	case journey.WhyStated:
		m.onWhyStated(ctx, p, e)
	case journey.BehaviourChosen:
		m.onBehaviourChosen(ctx, p, e)
	case journey.BehaviourChoiceRevised:
		m.onBehaviourChoiceRevised(ctx, p, e)
	case journey.LearningGoalFormulated:
		m.onLearningGoalFormulated(ctx, p, e)
	case journey.AssignmentGiven:
		m.onAssignmentGiven(ctx, p, e)
	case journey.AssignmentHandedIn:
		m.onAssignmentHandedIn(ctx, p, e)
	case journey.ExperimentLogged:
		m.onExperimentLogged(ctx, p, e)
	case journey.ExperimentTried:
		m.onExperimentTried(ctx, p, e)
	case journey.ExperimentReflected:
		m.onExperimentReflected(ctx, p, e)
	case journey.ExperimentConcluded:
		m.onExperimentConcluded(ctx, p, e)
	case journey.IntervisionAttended:
		m.onIntervisionAttended(ctx, p, e)
	case journey.CoachingSessionHeld:
		m.onCoachingSessionHeld(ctx, p, e)
	case journey.ModuleEvaluated:
		m.onModuleEvaluated(ctx, p, e)
	case journey.ConversationRecorded:
		m.onConversationRecorded(ctx, p, e)
	case journey.ConversationRevised:
		m.onConversationRevised(ctx, p, e)
	case journey.ConversationConfirmed:
		m.onConversationConfirmed(ctx, p, e)
	case journey.MeasurementRecorded:
		m.onMeasurementRecorded(ctx, p, e)
	case journey.Completed:
		m.onCompleted(ctx, p, e)
	case journey.Withdrawn:
		m.onWithdrawn(ctx, p, e)
	case journey.Erased:
		p.erased = true
	default:
		return false // e.g. sharing: no activity, nothing to count
	}
	return true
}

func (m *ReadModel) cohort(id string) *cohortState {
	c, ok := m.cohorts[id]
	if !ok {
		c = &cohortState{id: id, participants: map[string]*participant{}}
		m.cohorts[id] = c
	}
	return c
}

func (c *cohortState) participant(id string, at time.Time) *participant {
	p, ok := c.participants[id]
	if !ok {
		p = &participant{cohort: c, id: id, enrolledAt: at, lastActivity: at, status: journey.StatusActive,
			assignments: map[string]assignment{}, weeks: map[view.Week]*view.WeekCount{}}
		c.participants[id] = p
		c.order = append(c.order, p)
	}
	return p
}

func (p *participant) active(at time.Time) {
	if at.After(p.lastActivity) {
		p.lastActivity = at
	}
}

func (m *ReadModel) onPlanned(_ context.Context, e cohort.Planned) {
	c := m.cohort(e.CohortID)
	c.programmeID, c.entityID, c.title, c.moduleIDs = e.ProgrammeID, e.EntityID, e.Title, e.ModuleIDs
	c.startsOn, c.endsOn = e.StartsOn, e.EndsOn
}

func (m *ReadModel) onParticipantEnrolled(_ context.Context, e cohort.ParticipantEnrolled) {
	m.cohort(e.CohortID).participant(e.ParticipantID, e.At)
}

// onParticipantWithdrawn closes the participant's row and takes them out
// of their intervision group, as the cohort does: a group's members are
// those who still meet.
func (m *ReadModel) onParticipantWithdrawn(_ context.Context, e cohort.ParticipantWithdrawn) {
	c := m.cohort(e.CohortID)
	p := c.participant(e.ParticipantID, e.At)
	if p.status == journey.StatusActive {
		p.status, p.closedAt = journey.StatusWithdrawn, e.At
	}
	for _, g := range c.groups {
		if slices.Contains(g.members, e.ParticipantID) {
			g.members = slices.DeleteFunc(slices.Clone(g.members), func(id string) bool { return id == e.ParticipantID })
		}
	}
}

func (m *ReadModel) onIntervisionGroupFormed(_ context.Context, e cohort.IntervisionGroupFormed) {
	g := m.cohort(e.CohortID).group(e.GroupID)
	g.members, g.formedAt = e.MemberIDs, e.At
}

func (m *ReadModel) onIntervisionGroupReformed(_ context.Context, e cohort.IntervisionGroupReformed) {
	m.cohort(e.CohortID).group(e.GroupID).members = e.MemberIDs
}

func (m *ReadModel) onIntervisionGroupDissolved(_ context.Context, e cohort.IntervisionGroupDissolved) {
	m.cohort(e.CohortID).group(e.GroupID).dissolved = true
}

func (c *cohortState) group(id string) *group {
	for _, g := range c.groups {
		if g.id == id {
			return g
		}
	}
	g := &group{id: id, sessions: map[string]*view.Session{}}
	c.groups = append(c.groups, g)
	return g
}

func (m *ReadModel) onDeliveryScheduled(_ context.Context, e cohort.DeliveryScheduled) {
	c := m.cohort(e.CohortID)
	c.deliveries = append(c.deliveries, &delivery{DeliveryAttendance: view.DeliveryAttendance{DeliveryID: e.DeliveryID, ModuleID: e.ModuleID,
		ModuleVersion: e.ModuleVersion, StartsAt: e.StartsAt, EndsAt: e.EndsAt}, status: map[string]cohort.AttendanceStatus{}})
}

func (m *ReadModel) onAttendanceRecorded(_ context.Context, e cohort.AttendanceRecorded) {
	c := m.cohort(e.CohortID)
	for _, d := range c.deliveries {
		if d.DeliveryID == e.DeliveryID {
			d.status[e.ParticipantID] = e.Status // a later record corrects an earlier one
			return
		}
	}
}

func (m *ReadModel) onEnrolled(_ context.Context, ev projections.Event, e journey.Enrolled) {
	id := e.JourneyID
	if _, sid, ok := projections.ParseStream(ev.Stream); ok && id == "" {
		id = sid
	}
	p := m.cohort(e.CohortID).participant(e.ParticipantID, e.At)
	p.journeyID = id
	m.journeyOf[id] = p
}

func (m *ReadModel) onWhyStated(_ context.Context, p *participant, e journey.WhyStated) {
	p.active(e.At)
}

func (m *ReadModel) onBehaviourChosen(_ context.Context, p *participant, e journey.BehaviourChosen) {
	p.active(e.At)
}

func (m *ReadModel) onBehaviourChoiceRevised(_ context.Context, p *participant, e journey.BehaviourChoiceRevised) {
	p.active(e.At)
}

func (m *ReadModel) onLearningGoalFormulated(_ context.Context, p *participant, e journey.LearningGoalFormulated) {
	p.active(e.At)
}

func (m *ReadModel) onAssignmentGiven(_ context.Context, p *participant, e journey.AssignmentGiven) {
	if _, dup := p.assignments[e.AssignmentID]; !dup {
		p.assignments[e.AssignmentID] = assignment{moduleID: e.ModuleID, dueOn: e.DueOn}
		p.given++
	}
}

func (m *ReadModel) onAssignmentHandedIn(_ context.Context, p *participant, e journey.AssignmentHandedIn) {
	p.active(e.At)
	a, ok := p.assignments[e.AssignmentID]
	if !ok || a.handedIn {
		return
	}
	a.handedIn = true
	a.onTime = a.dueOn.IsZero() || !e.At.After(a.dueOn)
	p.assignments[e.AssignmentID] = a
	p.handedIn++
	if a.onTime {
		p.onTime++
	}
}

func (m *ReadModel) week(p *participant, t time.Time) *view.WeekCount {
	w := ISOWeek(t, m.loc)
	wc, ok := p.weeks[w]
	if !ok {
		wc = &view.WeekCount{Week: w}
		p.weeks[w] = wc
	}
	return wc
}

func (m *ReadModel) onExperimentLogged(_ context.Context, p *participant, e journey.ExperimentLogged) {
	p.active(e.At)
	p.logged++
	m.week(p, e.At).Logged++
}

func (m *ReadModel) onExperimentTried(_ context.Context, p *participant, e journey.ExperimentTried) {
	p.active(e.At)
	p.tried++
	tried := e.TriedOn
	if tried.IsZero() {
		tried = e.At
	}
	m.week(p, tried).Tried++
}

func (m *ReadModel) onExperimentReflected(_ context.Context, p *participant, e journey.ExperimentReflected) {
	p.active(e.At)
}

func (m *ReadModel) onExperimentConcluded(_ context.Context, p *participant, e journey.ExperimentConcluded) {
	p.active(e.At)
}

func (m *ReadModel) onIntervisionAttended(_ context.Context, p *participant, e journey.IntervisionAttended) {
	p.active(e.At)
	p.intervision++
	g := p.cohort.group(e.GroupID)
	s, ok := g.sessions[e.SessionID]
	if !ok {
		s = &view.Session{SessionID: e.SessionID, HeldOn: e.HeldOn}
		g.sessions[e.SessionID] = s
	}
	s.Attendees++
	if e.CaseBroughtIn {
		s.Cases++
	}
}

// onIntervisionSessionHeld counts one meeting of a group once, and one
// session attended for each attendee (an activity of theirs).
func (m *ReadModel) onIntervisionSessionHeld(_ context.Context, e cohort.IntervisionSessionHeld) {
	c := m.cohort(e.CohortID)
	g := c.group(e.GroupID)
	if _, dup := g.sessions[e.SessionID]; dup {
		return
	}
	s := &view.Session{SessionID: e.SessionID, HeldOn: e.HeldOn, Attendees: len(e.AttendeeIDs)}
	if e.CaseBroughtBy != "" {
		s.Cases = 1
	}
	g.sessions[e.SessionID] = s
	for _, id := range e.AttendeeIDs {
		if p, ok := c.participants[id]; ok {
			p.active(e.At)
			p.intervision++
		}
	}
}

func (m *ReadModel) onCoachingSessionHeld(_ context.Context, p *participant, e journey.CoachingSessionHeld) {
	p.active(e.At)
	p.coaching++
}

func (m *ReadModel) onModuleEvaluated(_ context.Context, p *participant, e journey.ModuleEvaluated) {
	p.active(e.At)
	p.evaluations++
	c := p.cohort
	var ev *evaluation
	for _, x := range c.evaluations {
		if x.moduleID == e.ModuleID && x.version == e.ModuleVersion {
			ev = x
			break
		}
	}
	if ev == nil {
		ev = &evaluation{moduleID: e.ModuleID, version: e.ModuleVersion, sum: map[journey.Question]int{}, count: map[journey.Question]int{}}
		c.evaluations = append(c.evaluations, ev)
	}
	ev.n++
	for _, s := range e.Scores {
		ev.sum[s.Question] += s.Score
		ev.count[s.Question]++
	}
}

func (m *ReadModel) onConversationRecorded(_ context.Context, p *participant, e journey.ConversationRecorded) {
	p.active(e.At)
}

func (m *ReadModel) onConversationRevised(_ context.Context, p *participant, e journey.ConversationRevised) {
	p.active(e.At)
}

func (m *ReadModel) onConversationConfirmed(_ context.Context, p *participant, e journey.ConversationConfirmed) {
	if e.Party == journey.PartyParticipant {
		p.active(e.At)
	}
}

func (m *ReadModel) onMeasurementRecorded(_ context.Context, p *participant, e journey.MeasurementRecorded) {
	p.active(e.At)
}

func (m *ReadModel) onCompleted(_ context.Context, p *participant, e journey.Completed) {
	if p.status == journey.StatusActive {
		p.status, p.closedAt = journey.StatusCompleted, e.At
	}
}

func (m *ReadModel) onWithdrawn(_ context.Context, p *participant, e journey.Withdrawn) {
	if p.status == journey.StatusActive {
		p.status, p.closedAt = journey.StatusWithdrawn, e.At
	}
}

// lastActivity is the participant's last activity at or before now, counting
// presence at a delivery from its start.
func (c *cohortState) lastActivity(p *participant, now time.Time) time.Time {
	last := p.lastActivity
	for _, d := range c.deliveries {
		if d.status[p.id] == cohort.Present && d.StartsAt.After(last) && !d.StartsAt.After(now) {
			last = d.StartsAt
		}
	}
	return last
}

func atRisk(p *participant, last, now time.Time, weeks int) bool {
	return !p.erased && p.status == journey.StatusActive && !now.Before(last.Add(time.Duration(weeks)*7*24*time.Hour))
}

// Dashboard returns the dashboard of a cohort: the state after every event
// handled, with inactivity (at risk) and intervision recency judged at query
// time now, using the configured number of weeks for risk. It returns an error wrapping
// domain.ErrNotFound for a cohort it has not seen.
func (m *ReadModel) Dashboard(cohortID string, now time.Time) (view.View, error) {
	return m.DashboardAtRisk(cohortID, now, m.atRiskWeeks)
}

// DashboardAtRisk is Dashboard with weeks as the number of weeks without
// activity after which an active participant is at risk (the configured
// number when weeks is not positive).
func (m *ReadModel) DashboardAtRisk(cohortID string, now time.Time, weeks int) (view.View, error) {
	if weeks <= 0 {
		weeks = m.atRiskWeeks
	}
	m.mu.RLock()
	defer m.mu.RUnlock()
	c, ok := m.cohorts[cohortID]
	if !ok {
		return view.View{}, fmt.Errorf("dashboard of cohort %s: %w", cohortID, domain.ErrNotFound)
	}
	v := view.View{CohortID: c.id, ProgrammeID: c.programmeID, EntityID: c.entityID, Title: c.title, ModuleIDs: slices.Clone(c.moduleIDs),
		StartsOn: c.startsOn, EndsOn: c.endsOn, Now: now, AtRiskWeeks: weeks,
		Deliveries: make([]view.DeliveryAttendance, 0, len(c.deliveries)), Participants: make([]view.Participant, 0, len(c.order)),
		Intervision: make([]view.GroupRhythm, 0, len(c.groups)), Evaluations: make([]view.ModuleEvaluation, 0, len(c.evaluations)),
		AtRisk: []view.AtRisk{}}
	if v.ModuleIDs == nil {
		v.ModuleIDs = []string{}
	}

	perModule := map[string]*view.ModuleAssignments{}
	for _, p := range c.order {
		v.Enrolment.Enrolled++
		switch p.status {
		case journey.StatusCompleted:
			v.Enrolment.Completed++
		case journey.StatusWithdrawn:
			v.Enrolment.Withdrawn++
		default:
			v.Enrolment.Active++
		}
		last := c.lastActivity(p, now)
		row := view.Participant{ParticipantID: p.shownID(), JourneyID: p.shownJourneyID(), Status: p.status, EnrolledAt: p.enrolledAt, LastActivity: last,
			AtRisk: atRisk(p, last, now, weeks), AssignmentsGiven: p.given, AssignmentsHandedIn: p.handedIn, ExperimentsLogged: p.logged,
			ExperimentsTried: p.tried, Intervision: p.intervision, Coaching: p.coaching, Evaluations: p.evaluations,
			Weeks: make([]view.WeekCount, 0, len(p.weeks))}
		if !p.closedAt.IsZero() {
			at := p.closedAt
			row.ClosedAt = &at
		}
		for _, d := range c.deliveries {
			if d.status[p.id] == cohort.Present {
				row.Present++
			}
		}
		for _, w := range p.weeks {
			row.Weeks = append(row.Weeks, *w)
		}
		slices.SortFunc(row.Weeks, func(a, b view.WeekCount) int {
			return cmp.Or(cmp.Compare(a.Week.Year, b.Week.Year), cmp.Compare(a.Week.Week, b.Week.Week))
		})
		if row.AtRisk {
			v.AtRisk = append(v.AtRisk, view.AtRisk{ParticipantID: p.shownID(), JourneyID: p.shownJourneyID(), LastActivity: last, DaysInactive: now.Sub(last).Hours() / 24})
		}
		v.Participants = append(v.Participants, row)

		v.Assignments.Given += p.given
		v.Assignments.HandedIn += p.handedIn
		v.Assignments.OnTime += p.onTime
		for _, a := range p.assignments {
			ma := perModule[a.moduleID]
			if ma == nil {
				ma = &view.ModuleAssignments{ModuleID: a.moduleID}
				perModule[a.moduleID] = ma
			}
			ma.Given++
			if a.handedIn {
				ma.HandedIn++
			}
			if a.onTime {
				ma.OnTime++
			}
		}
	}
	if v.Enrolment.Enrolled > 0 {
		v.Enrolment.CompletionRate = float64(v.Enrolment.Completed) / float64(v.Enrolment.Enrolled)
	}
	v.Assignments.PerModule = moduleOrder(c.moduleIDs, perModule)

	for _, d := range c.deliveries {
		da := d.DeliveryAttendance
		for _, p := range c.order {
			if p.status == journey.StatusWithdrawn && !p.closedAt.After(d.StartsAt) {
				if _, recorded := d.status[p.id]; !recorded {
					continue // withdrawn before the delivery: not expected there
				}
			}
			switch d.status[p.id] {
			case cohort.Present:
				da.Present++
			case cohort.Absent:
				da.Absent++
			case cohort.Excused:
				da.Excused++
			default:
				da.NotRecorded++
			}
		}
		if total := da.Present + da.Absent + da.Excused + da.NotRecorded; total > 0 {
			da.AttendanceRate = float64(da.Present) / float64(total)
		}
		v.Deliveries = append(v.Deliveries, da)
	}
	slices.SortStableFunc(v.Deliveries, func(a, b view.DeliveryAttendance) int { return a.StartsAt.Compare(b.StartsAt) })

	for _, g := range c.groups {
		v.Intervision = append(v.Intervision, g.rhythm(now, m.loc))
	}
	for _, e := range c.evaluations {
		me := view.ModuleEvaluation{ModuleID: e.moduleID, ModuleVersion: e.version, Evaluations: e.n, Questions: []view.QuestionScore{}}
		for _, q := range journey.Questions() {
			if n := e.count[q]; n > 0 {
				me.Questions = append(me.Questions, view.QuestionScore{Question: q, N: n, Mean: float64(e.sum[q]) / float64(n)})
			}
		}
		v.Evaluations = append(v.Evaluations, me)
	}
	slices.SortStableFunc(v.Evaluations, func(a, b view.ModuleEvaluation) int {
		return cmp.Or(cmp.Compare(slices.Index(c.moduleIDs, a.ModuleID), slices.Index(c.moduleIDs, b.ModuleID)),
			cmp.Compare(a.ModuleID, b.ModuleID), cmp.Compare(a.ModuleVersion, b.ModuleVersion))
	})
	return v, nil
}

// moduleOrder lists the per-module counts in the order of the cohort's
// modules, then any other module by id.
func moduleOrder(order []string, per map[string]*view.ModuleAssignments) []view.ModuleAssignments {
	out := make([]view.ModuleAssignments, 0, len(per))
	for _, id := range order {
		if ma, ok := per[id]; ok {
			out = append(out, *ma)
		}
	}
	var rest []view.ModuleAssignments
	for id, ma := range per {
		if !slices.Contains(order, id) {
			rest = append(rest, *ma)
		}
	}
	slices.SortFunc(rest, func(a, b view.ModuleAssignments) int { return cmp.Compare(a.ModuleID, b.ModuleID) })
	return append(out, rest...)
}

// days returns the number of calendar days in loc from a to b.
func days(a, b time.Time, loc *time.Location) float64 {
	ya, ma, da := a.In(loc).Date()
	yb, mb, db := b.In(loc).Date()
	return time.Date(yb, mb, db, 0, 0, 0, 0, time.UTC).Sub(time.Date(ya, ma, da, 0, 0, 0, 0, time.UTC)).Hours() / 24
}

// rhythm summarises a group's sessions, counting calendar days in loc.
func (g *group) rhythm(now time.Time, loc *time.Location) view.GroupRhythm {
	r := view.GroupRhythm{GroupID: g.id, Members: len(g.members), FormedAt: g.formedAt, Dissolved: g.dissolved, Sessions: make([]view.Session, 0, len(g.sessions))}
	for _, s := range g.sessions {
		r.Sessions = append(r.Sessions, *s)
	}
	slices.SortFunc(r.Sessions, func(a, b view.Session) int {
		return cmp.Or(a.HeldOn.Compare(b.HeldOn), cmp.Compare(a.SessionID, b.SessionID))
	})
	var last *time.Time
	for i, s := range r.Sessions {
		if !s.HeldOn.After(now) {
			held := s.HeldOn
			last = &held
		}
		if i == 0 {
			continue
		}
		gap := days(r.Sessions[i-1].HeldOn, s.HeldOn, loc)
		r.MeanDaysBetween += gap
		r.MaxDaysBetween = max(r.MaxDaysBetween, gap)
	}
	if n := len(r.Sessions); n > 1 {
		r.MeanDaysBetween /= float64(n - 1)
	}
	if last != nil {
		d := days(*last, now, loc)
		r.DaysSinceLast = &d
	}
	return r
}

// AtRiskParticipants returns the active participants of a cohort without
// activity for weeks weeks before now (the configured number when weeks is
// not positive), longest inactive first. It returns an error wrapping
// domain.ErrNotFound for a cohort it has not seen.
func (m *ReadModel) AtRiskParticipants(cohortID string, now time.Time, weeks int) ([]view.AtRisk, error) {
	if weeks <= 0 {
		weeks = m.atRiskWeeks
	}
	m.mu.RLock()
	defer m.mu.RUnlock()
	c, ok := m.cohorts[cohortID]
	if !ok {
		return nil, fmt.Errorf("participants at risk in cohort %s: %w", cohortID, domain.ErrNotFound)
	}
	out := []view.AtRisk{}
	for _, p := range c.order {
		if last := c.lastActivity(p, now); atRisk(p, last, now, weeks) {
			out = append(out, view.AtRisk{ParticipantID: p.shownID(), JourneyID: p.shownJourneyID(), LastActivity: last, DaysInactive: now.Sub(last).Hours() / 24})
		}
	}
	slices.SortStableFunc(out, func(a, b view.AtRisk) int { return a.LastActivity.Compare(b.LastActivity) })
	return out, nil
}

// Cohorts returns the ids of every cohort seen, sorted.
func (m *ReadModel) Cohorts() []string {
	m.mu.RLock()
	defer m.mu.RUnlock()
	out := make([]string, 0, len(m.cohorts))
	for id := range m.cohorts {
		out = append(out, id)
	}
	slices.Sort(out)
	return out
}

// shownID is the participant's id as a reader sees it: domain.Erased once
// they were erased.
func (p *participant) shownID() string {
	if p.erased {
		return domain.Erased
	}
	return p.id
}

// shownJourneyID is the participant's journey as a reader sees it: none
// once they were erased.
func (p *participant) shownJourneyID() string {
	if p.erased {
		return ""
	}
	return p.journeyID
}
