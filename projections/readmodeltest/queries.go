package readmodeltest

import (
	"context"
	"fmt"

	"github.com/leerpad/leerpad/projections/behaviourchange"
	"github.com/leerpad/leerpad/projections/cohortdashboard"
	"github.com/leerpad/leerpad/projections/impact"
	"github.com/leerpad/leerpad/projections/offer"
	"github.com/leerpad/leerpad/projections/portfolio"
	"github.com/leerpad/leerpad/projections/raterlinks"
)

// Each function below enumerates one read model's queries, by method name;
// Uncovered checks the names against the read model's method set.

// atRiskWeeks are the windows the dashboard is asked with: 0 is the
// configured one.
var atRiskWeeks = []int{0, 1, 4}

func portfolioQueries(m *portfolio.ReadModel) map[string]Query {
	return map[string]Query{
		"Current": func(_ context.Context, d DataSet, ask Ask) {
			for _, j := range d.IDs("journeyId") {
				v, err := m.Current(j)
				ask(j, v, err)
			}
		},
		"AsOf": func(ctx context.Context, d DataSet, ask Ask) {
			for _, j := range d.IDs("journeyId") {
				for _, t := range d.Moments {
					v, err := m.AsOf(ctx, j, t)
					ask(fmt.Sprint(j, ", ", t), v, err)
				}
			}
		},
		"AtConversation": func(ctx context.Context, d DataSet, ask Ask) {
			for _, p := range d.Pairs("journeyId", "conversationId") {
				v, err := m.AtConversation(ctx, p[0], p[1])
				ask(p[0]+", "+p[1], v, err)
			}
		},
		"Sharing": func(_ context.Context, d DataSet, ask Ask) {
			for _, j := range d.IDs("journeyId") {
				v, err := m.Sharing(j)
				ask(j, v, err)
			}
		},
		"Journeys": func(_ context.Context, d DataSet, ask Ask) {
			for _, p := range d.IDs("participantId") {
				ask(p, m.Journeys(p), nil)
			}
		},
		"Managed": func(_ context.Context, d DataSet, ask Ask) {
			for _, p := range d.IDs("managerId") {
				ask(p, m.Managed(p), nil)
			}
		},
		"SharingHistory": func(_ context.Context, d DataSet, ask Ask) {
			for _, j := range d.IDs("journeyId") {
				v, err := m.SharingHistory(j)
				ask(j, v, err)
			}
		},
		"Traces": func(_ context.Context, d DataSet, ask Ask) {
			for _, k := range []string{"participantId", "managerId", "raterId"} {
				for _, p := range d.IDs(k) {
					ask(k+" "+p, m.Traces(p), nil)
				}
			}
		},
	}
}

func cohortDashboardQueries(m *cohortdashboard.ReadModel) map[string]Query {
	return map[string]Query{
		"Cohorts": func(_ context.Context, _ DataSet, ask Ask) {
			ask("", m.Cohorts(), nil)
		},
		"Dashboard": func(_ context.Context, d DataSet, ask Ask) {
			for _, c := range d.IDs("cohortId") {
				for _, t := range d.Moments {
					v, err := m.Dashboard(c, t)
					ask(fmt.Sprint(c, ", ", t), v, err)
				}
			}
		},
		"DashboardAtRisk": func(_ context.Context, d DataSet, ask Ask) {
			for _, c := range d.IDs("cohortId") {
				for _, t := range d.Moments {
					for _, w := range atRiskWeeks {
						v, err := m.DashboardAtRisk(c, t, w)
						ask(fmt.Sprint(c, ", ", t, ", ", w), v, err)
					}
				}
			}
		},
		"AtRiskParticipants": func(_ context.Context, d DataSet, ask Ask) {
			for _, c := range d.IDs("cohortId") {
				for _, t := range d.Moments {
					for _, w := range atRiskWeeks {
						v, err := m.AtRiskParticipants(c, t, w)
						ask(fmt.Sprint(c, ", ", t, ", ", w), v, err)
					}
				}
			}
		},
	}
}

func behaviourChangeQueries(m *behaviourchange.ReadModel) map[string]Query {
	return map[string]Query{
		"Cohorts": func(_ context.Context, _ DataSet, ask Ask) {
			ask("", m.Cohorts(), nil)
		},
		"Cohort": func(_ context.Context, d DataSet, ask Ask) {
			for _, c := range d.IDs("cohortId") {
				v, err := m.Cohort(c)
				ask(c, v, err)
			}
		},
		"Participants": func(_ context.Context, d DataSet, ask Ask) {
			for _, c := range d.IDs("cohortId") {
				ask(c, m.Participants(c), nil)
			}
		},
		"Participant": func(_ context.Context, d DataSet, ask Ask) {
			for _, j := range d.IDs("journeyId") {
				v, err := m.Participant(j)
				ask(j, v, err)
			}
		},
	}
}

func raterLinksQueries(m *raterlinks.ReadModel) map[string]Query {
	return map[string]Query{
		"Len": func(_ context.Context, _ DataSet, ask Ask) {
			ask("", m.Len(), nil)
		},
		"ByHash": func(_ context.Context, d DataSet, ask Ask) {
			for _, h := range d.IDs("tokenHash") {
				v, err := m.ByHash(h)
				ask(h, v, err)
			}
		},
		"Of": func(_ context.Context, d DataSet, ask Ask) {
			for _, p := range d.Pairs("roundId", "raterId") {
				v, err := m.Of(p[0], p[1])
				ask(p[0]+", "+p[1], v, err)
			}
		},
	}
}

func offerQueries(m *offer.ReadModel) map[string]Query {
	return map[string]Query{
		"Modules": func(_ context.Context, _ DataSet, ask Ask) {
			ask("", m.Modules(), nil)
		},
		"Programmes": func(_ context.Context, _ DataSet, ask Ask) {
			ask("", m.Programmes(), nil)
		},
		"Instruments": func(_ context.Context, _ DataSet, ask Ask) {
			ask("", m.Instruments(), nil)
		},
		"Entities": func(_ context.Context, _ DataSet, ask Ask) {
			ask("", m.Entities(), nil)
		},
		"Cohorts": func(_ context.Context, _ DataSet, ask Ask) {
			ask("", m.Cohorts(), nil)
		},
	}
}

// impactPositions are the positions the impact read model is asked as of,
// besides its checkpoint (0): fractions of it, the same for two read models
// at the same checkpoint.
func impactPositions(m *impact.ReadModel) []uint64 {
	pos := m.Position()
	return []uint64{0, pos / 4, pos / 2, pos * 3 / 4, pos}
}

func impactQueries(m *impact.ReadModel) map[string]Query {
	return map[string]Query{
		"Cohort": func(_ context.Context, d DataSet, ask Ask) {
			for _, c := range d.IDs("cohortId") {
				for _, q := range impactPositions(m) {
					v, err := m.Cohort(c, q)
					ask(fmt.Sprint(c, ", ", q), v, err)
				}
			}
		},
		"Programme": func(_ context.Context, d DataSet, ask Ask) {
			for _, p := range d.IDs("programmeId") {
				for _, q := range impactPositions(m) {
					v, err := m.Programme(p, q)
					ask(fmt.Sprint(p, ", ", q), v, err)
				}
			}
		},
		"Entity": func(_ context.Context, d DataSet, ask Ask) {
			programmes := append([]string{""}, d.IDs("programmeId")...)
			for _, e := range d.IDs("entityId") {
				for _, p := range programmes {
					for _, q := range impactPositions(m) {
						v, err := m.Entity(e, p, q)
						ask(fmt.Sprint(e, ", ", p, ", ", q), v, err)
					}
				}
			}
		},
		"Frozen": func(_ context.Context, d DataSet, ask Ask) {
			for _, c := range d.IDs("cohortId") {
				v, err := m.Frozen(c)
				ask(c, string(v), err)
			}
		},
		"Module": func(_ context.Context, d DataSet, ask Ask) {
			for _, id := range d.IDs("moduleId") {
				for _, q := range impactPositions(m) {
					v, err := m.Module(id, q)
					ask(fmt.Sprint(id, ", ", q), v, err)
				}
			}
		},
		"Own": func(_ context.Context, d DataSet, ask Ask) {
			for _, j := range d.IDs("journeyId") {
				v, err := m.Own(j)
				ask(j, v, err)
			}
		},
	}
}
