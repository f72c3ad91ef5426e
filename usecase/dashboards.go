package usecase

import (
	"context"
	"time"

	"github.com/leerpad/leerpad/domain"
	"github.com/leerpad/leerpad/domain/access"
	"github.com/leerpad/leerpad/domain/behaviourchange"
	"github.com/leerpad/leerpad/domain/cohortdashboard"
)

// What a cohort's dashboard and its behaviour-change measurement show, and
// the exports of both: counts, rates, dates and aggregates, never what a
// participant wrote. Each query takes min, a log position its read model
// must have reached (read-your-writes; 0: none).

// DashboardQuery is what a reader of a dashboard may choose: the time
// against which inactivity (at risk) and intervision recency are judged,
// and the weeks without activity after which an active participant is at
// risk. Zero values mean now and the configured number of weeks.
type DashboardQuery struct {
	AsOf        time.Time
	AtRiskWeeks int
}

// MaxAtRiskWeeks is the longest at-risk window a dashboard can be asked for.
const MaxAtRiskWeeks = 52

// dashboard is cohort id's dashboard judged at q.AsOf (now when zero), if
// the policy lets p read kind of the cohort.
func (a *App) dashboard(ctx context.Context, p access.Principal, id string, kind access.Kind, q DashboardQuery, min uint64) (cohortdashboard.View, error) {
	if _, err := a.cohortAccess(ctx, p, id, kind, access.ActionRead, nil); err != nil {
		return cohortdashboard.View{}, err
	}
	if q.AtRiskWeeks < 0 || q.AtRiskWeeks > MaxAtRiskWeeks {
		return cohortdashboard.View{}, domain.Validate(domain.Invalid("atRiskWeeks", "must be a whole number from 1 to %d", MaxAtRiskWeeks))
	}
	if a.deps.Dashboards == nil {
		return cohortdashboard.View{}, unavailable("the cohort dashboard read model")
	}
	if err := a.caughtUp(ctx, min, a.deps.Dashboards.Name()); err != nil {
		return cohortdashboard.View{}, err
	}
	at := q.AsOf
	if at.IsZero() {
		at = a.now()
	}
	return a.deps.Dashboards.DashboardAtRisk(id, at, q.AtRiskWeeks)
}

// Dashboard is a cohort's dashboard: enrolment, attendance, assignments,
// activity per participant (experiments per ISO week included), the rhythm
// of the intervision groups, evaluations per module version and
// participants at risk, judged as q asks (the programme office and the
// cohort's trainers).
func (a *App) Dashboard(ctx context.Context, p access.Principal, cohortID string, q DashboardQuery, min uint64) (cohortdashboard.View, error) {
	return a.dashboard(ctx, p, cohortID, access.KindCohortDashboard, q, min)
}

// Enrolments are a cohort's participants in the order enrolled: the window
// page of them, and how many there are (the programme office and the
// cohort's trainers).
func (a *App) Enrolments(ctx context.Context, p access.Principal, cohortID string, page Page, min uint64) ([]cohortdashboard.Participant, int, error) {
	v, err := a.dashboard(ctx, p, cohortID, access.KindEnrolment, DashboardQuery{}, min)
	if err != nil {
		return nil, 0, err
	}
	ps, total := window(v.Participants, page)
	return ps, total, nil
}

// ParticipationExport is the dashboard a cohort's participation export is
// written from (the programme office).
func (a *App) ParticipationExport(ctx context.Context, p access.Principal, cohortID string, min uint64) (cohortdashboard.View, error) {
	return a.dashboard(ctx, p, cohortID, access.KindExport, DashboardQuery{}, min)
}

// changeMeasurement is cohort id's behaviour change, if the policy lets p
// read kind of the cohort: per competency and rater group, only where at
// least MinParticipants participants have a score before and after.
func (a *App) changeMeasurement(ctx context.Context, p access.Principal, id string, kind access.Kind, min uint64) (behaviourchange.Cohort, error) {
	if _, err := a.cohortAccess(ctx, p, id, kind, access.ActionRead, nil); err != nil {
		return behaviourchange.Cohort{}, err
	}
	if a.deps.ChangeMeasurements == nil {
		return behaviourchange.Cohort{}, unavailable("the behaviour-change read model")
	}
	if err := a.caughtUp(ctx, min, a.deps.ChangeMeasurements.Name()); err != nil {
		return behaviourchange.Cohort{}, err
	}
	v, err := a.deps.ChangeMeasurements.Cohort(id)
	if err != nil {
		return behaviourchange.Cohort{}, err
	}
	shown := make([]behaviourchange.CompetencyChange, 0, len(v.Competencies))
	for _, cc := range v.Competencies {
		if cc.Participants < v.MinParticipants {
			continue // the read model leaves them out; never show one that slipped through
		}
		shown = append(shown, cc)
	}
	v.Competencies = shown
	return v, nil
}

// ChangeMeasurement is a cohort's behaviour change, aggregates only; a
// competency and rater group with fewer participants than the minimum is
// not shown at all (the programme office).
func (a *App) ChangeMeasurement(ctx context.Context, p access.Principal, cohortID string, min uint64) (behaviourchange.Cohort, error) {
	return a.changeMeasurement(ctx, p, cohortID, access.KindChangeMeasurement, min)
}

// BehaviourChangeExport is the behaviour change a cohort's export is
// written from, as ChangeMeasurement shows it (the programme office).
func (a *App) BehaviourChangeExport(ctx context.Context, p access.Principal, cohortID string, min uint64) (behaviourchange.Cohort, error) {
	return a.changeMeasurement(ctx, p, cohortID, access.KindExport, min)
}
