package portfolio

import (
	"slices"
	"time"

	"github.com/leerpad/leerpad/domain/cohort"
	"github.com/leerpad/leerpad/domain/feedback"
	"github.com/leerpad/leerpad/domain/journey"
	view "github.com/leerpad/leerpad/domain/portfolio"
	"github.com/leerpad/leerpad/projections/internal/threesixty"
)

// lookups are the facts outside a journey that its view needs: instruments,
// the modules of module learning goals, and its cohort's deliveries.
type lookups struct {
	instruments  map[string]*threesixty.Instrument
	moduleOfGoal map[string]string
	deliveries   []cohort.DeliveryScheduled
	minRaters    int
	gapThreshold float64 // on a 5-point scale; see Config
}

// view builds the caller's own copy of the folio's view. With asOf set, the
// cohort's deliveries scheduled after it are left out too.
func (f *folio) view(lk lookups, asOf *time.Time) view.View {
	v := view.View{
		JourneyID: f.journeyID, ParticipantID: f.participantID, CohortID: f.cohortID, ProgrammeID: f.programmeID,
		EntityID: f.entityID, Role: f.role, Status: f.status, ManagerID: f.managerID, EnrolledAt: f.enrolledAt,
		AsOf: asOf, Shared: []journey.Section{}, Timeline: slices.Clone(f.timeline),
		BehaviourChoices: make([]view.BehaviourChoice, 0, len(f.choices)),
		LearningGoals:    make([]view.LearningGoal, 0, len(f.goals)),
		Experiments:      make([]view.Experiment, 0, len(f.experiments)),
		Assignments:      make([]view.Assignment, 0, len(f.assignments)),
		Coaching:         slices.Clone(f.coaching),
		Evaluations:      make([]view.Evaluation, 0, len(f.evaluations)),
		Measurements:     make([]view.Measurement, 0, len(f.measurements)),
		FeedbackRounds:   make([]view.FeedbackRound, 0, len(f.rounds)),
		FeedbackChange:   []view.CompetencyChange{},
		Modules:          []view.ModuleDelivery{},
		Intervision:      slices.Clone(f.intervision),
		Conversations:    make([]view.Conversation, 0, len(f.conversations)),
	}
	if v.Timeline == nil {
		v.Timeline = []view.TimelineEntry{}
	}
	slices.SortStableFunc(v.Timeline, func(a, b view.TimelineEntry) int { return a.At.Compare(b.At) })
	if v.Coaching == nil {
		v.Coaching = []view.CoachingSession{}
	}
	if v.Intervision == nil {
		v.Intervision = []view.IntervisionVisit{}
	}
	if !f.closedAt.IsZero() {
		at := f.closedAt
		v.ClosedAt = &at
	}
	for _, s := range journey.Sections() {
		if f.shared[s] {
			v.Shared = append(v.Shared, s)
		}
	}
	if f.why != nil {
		w := *f.why
		w.Values = slices.Clone(w.Values)
		v.WhyAndValues = &w
	}
	if f.withdrawal != nil {
		w := *f.withdrawal
		v.Withdrawal = &w
	}
	for _, c := range f.choices {
		cc := *c
		cc.Earlier = slices.Clone(c.Earlier)
		v.BehaviourChoices = append(v.BehaviourChoices, cc)
	}

	// Goals, and what stands behind each: experiments by their goal,
	// assignments by the modules whose learning goals the goal links to.
	goalsOfModule := map[string][]string{}
	for _, g := range f.goals {
		gg := *g
		gg.CompetencyIDs, gg.ModuleGoalIDs = cloneOrEmpty(g.CompetencyIDs), cloneOrEmpty(g.ModuleGoalIDs)
		gg.DueOn, gg.RevisedAt, gg.ClosedAt = copyTime(g.DueOn), copyTime(g.RevisedAt), copyTime(g.ClosedAt)
		gg.ModuleIDs, gg.ExperimentIDs, gg.AssignmentIDs = []string{}, []string{}, []string{}
		for _, mg := range g.ModuleGoalIDs {
			if m, ok := lk.moduleOfGoal[mg]; ok && !slices.Contains(gg.ModuleIDs, m) {
				gg.ModuleIDs = append(gg.ModuleIDs, m)
				goalsOfModule[m] = append(goalsOfModule[m], g.GoalID)
			}
		}
		for _, x := range f.experiments {
			if x.LearningGoalID == g.GoalID {
				gg.ExperimentIDs = append(gg.ExperimentIDs, x.ExperimentID)
			}
		}
		for _, a := range f.assignments {
			if slices.Contains(gg.ModuleIDs, a.ModuleID) {
				gg.AssignmentIDs = append(gg.AssignmentIDs, a.AssignmentID)
			}
		}
		v.LearningGoals = append(v.LearningGoals, gg)
	}
	for _, x := range f.experiments {
		xx := *x
		xx.TriedOn, xx.ReflectedAt, xx.ConcludedAt = copyTime(x.TriedOn), copyTime(x.ReflectedAt), copyTime(x.ConcludedAt)
		v.Experiments = append(v.Experiments, xx)
	}
	for _, a := range f.assignments {
		aa := *a
		aa.HandedInAt = copyTime(a.HandedInAt)
		aa.LearningGoalIDs = cloneOrEmpty(goalsOfModule[a.ModuleID])
		v.Assignments = append(v.Assignments, aa)
	}
	for _, e := range f.evaluations {
		v.Evaluations = append(v.Evaluations, view.Evaluation{DeliveryID: e.DeliveryID, ModuleID: e.ModuleID, ModuleVersion: e.ModuleVersion,
			Scores: slices.Clone(e.Scores), Comments: e.Comments, At: e.At})
	}
	for _, m := range f.measurements {
		v.Measurements = append(v.Measurements, view.Measurement{MeasurementID: m.MeasurementID, Kind: m.Kind, Instrument: m.Instrument, Result: m.Result, TakenOn: m.TakenOn})
	}
	for _, c := range f.conversations {
		cc := *c
		cc.Agreements, cc.NextQuestions = cloneOrEmpty(c.Agreements), cloneOrEmpty(c.NextQuestions)
		cc.ConfirmedBy, cc.FinalisedAt = slices.Clone(c.ConfirmedBy), copyTime(c.FinalisedAt)
		if cc.ConfirmedBy == nil {
			cc.ConfirmedBy = []journey.Party{}
		}
		v.Conversations = append(v.Conversations, cc)
	}

	// Module participation: every delivery of the cohort scheduled by then.
	for _, d := range lk.deliveries {
		if asOf != nil && d.At.After(*asOf) {
			continue
		}
		md := view.ModuleDelivery{DeliveryID: d.DeliveryID, ModuleID: d.ModuleID, ModuleVersion: d.ModuleVersion, StartsAt: d.StartsAt,
			EndsAt: d.EndsAt, Attendance: f.attendance[d.DeliveryID]}
		md.Evaluated = slices.ContainsFunc(f.evaluations, func(e journey.ModuleEvaluated) bool { return e.DeliveryID == d.DeliveryID })
		for _, a := range f.assignments {
			if a.ModuleID == d.ModuleID {
				md.AssignmentsGiven++
				if a.HandedInAt != nil {
					md.AssignmentsHandedIn++
				}
			}
		}
		v.Modules = append(v.Modules, md)
	}

	pre, post := -1, -1
	for i, r := range f.rounds {
		v.FeedbackRounds = append(v.FeedbackRounds, r.view(lk))
		switch {
		case !r.closed:
		case r.kind == feedback.RoundPre && pre < 0:
			pre = i
		case r.kind == feedback.RoundPost:
			post = i
		}
	}
	if pre >= 0 && post >= 0 {
		v.FeedbackChange = change(v.FeedbackRounds[pre], v.FeedbackRounds[post])
	}
	return v
}

// view returns what may be shown of the round.
func (r *round) view(lk lookups) view.FeedbackRound {
	fr := view.FeedbackRound{RoundID: r.id, Kind: r.kind, InstrumentID: r.instrumentID, OpenedAt: r.openedAt, Raters: []view.RaterCount{}}
	in := lk.instruments[r.instrumentID]
	if in != nil {
		fr.InstrumentTitle, fr.Points = in.Title, in.Points
	}
	counts := make([]view.RaterCount, threesixty.Groups)
	for i, g := range feedback.RaterGroups() {
		counts[i].Group = g
	}
	for id, g := range r.nominated {
		if i := threesixty.GroupIndex(g); i >= 0 {
			counts[i].Nominated++
			if r.rejected[id] {
				counts[i].Rejected++
			}
		}
	}
	for i, n := range threesixty.Respondents(r.responses) {
		counts[i].Responded = n
	}
	for _, c := range counts {
		if c.Nominated > 0 || c.Responded > 0 {
			fr.Raters = append(fr.Raters, c)
		}
	}
	if !r.closed {
		return fr
	}
	at := r.closedAt
	fr.ClosedAt = &at
	if in == nil {
		return fr
	}
	fr.GapThreshold = view.GapThreshold(lk.gapThreshold, in.Points)
	for _, cs := range threesixty.Score(in, r.responses, threesixty.ThresholdsOf(lk.minRaters)) {
		cr := view.CompetencyResult{CompetencyID: cs.CompetencyID, Name: cs.Name, Groups: make([]view.GroupResult, 0, len(cs.Groups))}
		for _, g := range cs.Groups {
			gr := view.GroupResult{Group: g.Group, Suppressed: g.Suppressed}
			if !g.Suppressed {
				m := g.Mean
				gr.Raters, gr.Mean = g.Raters, &m
			}
			cr.Groups = append(cr.Groups, gr)
		}
		if cs.Gap != nil {
			cr.Gap = &view.SelfOtherGap{Self: cs.Gap.Self, Others: cs.Gap.Others, OtherRaters: cs.Gap.OtherRaters, Gap: cs.Gap.Gap}
			cr.Gap.Flag = view.Classify(cr.Gap, fr.GapThreshold)
		}
		fr.Competencies = append(fr.Competencies, cr)
	}
	for _, c := range threesixty.Comments(r.responses, threesixty.ThresholdsOf(lk.minRaters)) {
		fr.Comments = append(fr.Comments, view.FeedbackComment{Group: c.Group, CompetencyID: c.CompetencyID, Text: c.Text})
	}
	return fr
}

// change compares the shown group means of two closed rounds per competency.
func change(pre, post view.FeedbackRound) []view.CompetencyChange {
	out := []view.CompetencyChange{}
	for _, pc := range post.Competencies {
		i := slices.IndexFunc(pre.Competencies, func(c view.CompetencyResult) bool { return c.CompetencyID == pc.CompetencyID })
		if i < 0 {
			continue
		}
		for _, pg := range pc.Groups {
			j := slices.IndexFunc(pre.Competencies[i].Groups, func(g view.GroupResult) bool { return g.Group == pg.Group })
			if j < 0 || pg.Mean == nil || pre.Competencies[i].Groups[j].Mean == nil {
				continue
			}
			before, after := *pre.Competencies[i].Groups[j].Mean, *pg.Mean
			out = append(out, view.CompetencyChange{CompetencyID: pc.CompetencyID, Name: pc.Name, Group: pg.Group, Pre: before, Post: after, Change: after - before})
		}
	}
	return out
}

func cloneOrEmpty(s []string) []string {
	if len(s) == 0 {
		return []string{}
	}
	return slices.Clone(s)
}

func copyTime(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	c := *t
	return &c
}
