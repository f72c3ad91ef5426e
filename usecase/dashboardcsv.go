package usecase

import (
	"strconv"
	"time"

	"github.com/leerpad/leerpad/domain/cohortdashboard"
)

// ParticipationRows lays a cohort's participation out as CSV rows, a header
// and one row per participant, as every way in exports it (the API's
// exportParticipation and the pages' participation.csv). Cells are as they
// are: the caller defuses what a spreadsheet would read as a formula.
func ParticipationRows(v cohortdashboard.View) [][]string {
	rows := [][]string{{"cohortId", "cohortTitle", "participantId", "status", "lastActivity", "atRisk", "present", "assignmentsGiven",
		"assignmentsHandedIn", "experimentsLogged", "experimentsTried", "intervision", "coaching", "evaluations"}}
	for _, p := range v.Participants {
		rows = append(rows, []string{v.CohortID, v.Title, p.ParticipantID, p.Status.String(), p.LastActivity.Format(time.RFC3339), strconv.FormatBool(p.AtRisk),
			strconv.Itoa(p.Present), strconv.Itoa(p.AssignmentsGiven), strconv.Itoa(p.AssignmentsHandedIn), strconv.Itoa(p.ExperimentsLogged),
			strconv.Itoa(p.ExperimentsTried), strconv.Itoa(p.Intervision), strconv.Itoa(p.Coaching), strconv.Itoa(p.Evaluations)})
	}
	return rows
}
