package usecase

import (
	"context"

	"github.com/leerpad/leerpad/domain/access"
	"github.com/leerpad/leerpad/domain/behaviourchange"
	"github.com/leerpad/leerpad/domain/cohortdashboard"
)

// What a cohort's dashboard and its behaviour-change measurement show, and
// the exports of both: counts, rates, dates and aggregates, never what a
// participant wrote. Each query takes min, a log position its read model
// must have reached (read-your-writes; 0: none).

// dashboard is cohort id's dashboard as of now, if the policy lets p read
// kind of the cohort.
func (a *App) dashboard(ctx context.Context, p access.Principal, id string, kind access.Kind, min uint64) (cohortdashboard.View, error) {
	if _, err := a.cohortAccess(ctx, p, id, kind, access.ActionRead, nil); err != nil {
		return cohortdashboard.View{}, err
	}
	if a.deps.Dashboards == nil {
		return cohortdashboard.View{}, unavailable("the cohort dashboard read model")
	}
	if err := a.caughtUp(ctx, min, a.deps.Dashboards.Name()); err != nil {
		return cohortdashboard.View{}, err
	}
	return a.deps.Dashboards.Dashboard(id, a.now())
}

// Dashboard is a cohort's dashboard: enrolment, attendance, assignments,
// activity per participant, intervision rhythm, evaluations per module
// version and participants at risk (the programme office and the cohort's
// trainers).
func (a *App) Dashboard(ctx context.Context, p access.Principal, cohortID string, min uint64) (cohortdashboard.View, error) {
	return a.dashboard(ctx, p, cohortID, access.KindCohortDashboard, min)
}

// Enrolments are a cohort's participants in the order enrolled: the window
// page of them, and how many there are (the programme office and the
// cohort's trainers).
func (a *App) Enrolments(ctx context.Context, p access.Principal, cohortID string, page Page, min uint64) ([]cohortdashboard.Participant, int, error) {
	v, err := a.dashboard(ctx, p, cohortID, access.KindEnrolment, min)
	if err != nil {
		return nil, 0, err
	}
	ps, total := window(v.Participants, page)
	return ps, total, nil
}

// ParticipationExport is the dashboard a cohort's participation export is
// written from (the programme office).
func (a *App) ParticipationExport(ctx context.Context, p access.Principal, cohortID string, min uint64) (cohortdashboard.View, error) {
	return a.dashboard(ctx, p, cohortID, access.KindExport, min)
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
