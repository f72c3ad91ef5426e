package behaviourchange

import "github.com/leerpad/leerpad/domain/feedback"

// CompetencyChange is a cohort's mean change on a competency by one rater
// group, over the participants with a before and an after score.
type CompetencyChange struct {
	CompetencyID string              `json:"competencyId"`
	Name         string              `json:"name"`
	Group        feedback.RaterGroup `json:"group"`
	Participants int                 `json:"participants"`
	MeanPre      float64             `json:"meanPre"`
	MeanPost     float64             `json:"meanPost"`
	MeanChange   float64             `json:"meanChange"`
	// SDChange is the sample standard deviation of the participants' changes.
	SDChange float64 `json:"sdChange"`
}

// Cohort is a cohort's mean change per competency and rater group, only
// where at least MinParticipants participants contribute.
type Cohort struct {
	CohortID        string             `json:"cohortId"`
	MinParticipants int                `json:"minParticipants"`
	Participants    int                `json:"participants"` // journeys enrolled in the cohort
	Competencies    []CompetencyChange `json:"competencies"`
}
