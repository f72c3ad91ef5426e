// Package impact is the impact measurement of leerpad.impact/v2 as the read
// side answers it: a population's figures of the four Kirkpatrick levels
// (Population) and a participant's own change with their reliable-change
// index (OwnChange), which only the participant sees.
//
// It is a port of the read side, and plain data: the impact read model
// (package projections/impact) builds these values from the events, and the
// API maps them onto its own response DTOs, so that neither imports the
// other. The JSON tags give the values one stable encoding, the one the read
// model's tests compare byte for byte.
package impact

// Definition names the definitions every figure here follows:
// docs/impact/v2.md, which is leerpad.impact/v1 (docs/impact/v1.md) with
// the k rule applied to each released cohort's part of a cell, so that no
// difference of allowed questions singles anybody out.
const Definition = "leerpad.impact/v2"

// K is the least number of people behind any cell that is shown (IMPACT.md
// §4): a cell of a competency and rater group, of a module version and
// question, or of a learning goal.
const K = 5

// Others is the group of the others composite (IMPACT.md §1): every rater
// but self, in the groups that count.
const Others = "others"

// Kind is the kind of a population.
type Kind string

// The kinds of population (IMPACT.md §2).
const (
	KindCohort            Kind = "cohort"
	KindProgramme         Kind = "programme"
	KindEntity            Kind = "entity"
	KindEntityInProgramme Kind = "entity-in-programme"
	// KindModule is a module across every released cohort that delivered
	// it: its reaction and learning per version (levels 1 and 2) only.
	KindModule Kind = "module"
)

// Interval is a closed interval [Lo, Hi].
type Interval struct {
	Lo float64 `json:"lo"`
	Hi float64 `json:"hi"`
}

// Population is what may be shown of one population as of a log position:
// the union of the cohorts whose measurement was closed (released) at or
// before Position, each with its journeys as they stood at its release.
type Population struct {
	Definition  string `json:"definition"`
	Kind        Kind   `json:"kind"`
	CohortID    string `json:"cohortId,omitempty"`
	ProgrammeID string `json:"programmeId,omitempty"`
	EntityID    string `json:"entityId,omitempty"`
	ModuleID    string `json:"moduleId,omitempty"`
	// Position is the log position the figures are as of: every event up to
	// and including it is counted.
	Position uint64 `json:"position"`
	// Released is false while no cohort of the population is released; then
	// there are no figures at all.
	Released bool `json:"released"`
	// Cohorts are the released cohorts counted, in the order released.
	Cohorts []string `json:"cohorts"`
	// Journeys is how many journeys the released cohorts contribute.
	Journeys int `json:"journeys"`
	// SuppressedCells counts the cells left out because too few people are
	// behind them; nothing is said about their n.
	SuppressedCells int `json:"suppressedCells"`

	Reaction  []ReactionCell  `json:"reaction"`
	Learning  []LearningCell  `json:"learning"`
	Behaviour []BehaviourCell `json:"behaviour"`
	Practice  []PracticeCell  `json:"practice"`
	Results   []EntityResults `json:"results"`
}

// ReactionCell is level 1: one question of the evaluations of one module
// version.
type ReactionCell struct {
	ModuleID      string    `json:"moduleId"`
	ModuleVersion int       `json:"moduleVersion"`
	QuestionID    string    `json:"questionId"`
	N             int       `json:"n"`
	Mean          float64   `json:"mean"`
	SD            float64   `json:"sd"`
	MeanCI        *Interval `json:"meanCi"`
	// ResponseRate is evaluations of the version over the participants who
	// attended a delivery of it.
	ResponseRate *float64 `json:"responseRate"`
}

// LearningCell is level 2: the retrospective (then-test) ratings of one
// learning goal of a module version, before and now.
type LearningCell struct {
	ModuleID       string    `json:"moduleId"`
	ModuleVersion  int       `json:"moduleVersion"`
	LearningGoalID string    `json:"learningGoalId"`
	N              int       `json:"n"`
	MeanBefore     float64   `json:"meanBefore"`
	MeanNow        float64   `json:"meanNow"`
	MeanChange     float64   `json:"meanChange"`
	MeanChangeCI   *Interval `json:"meanChangeCi"`
	DZ             *float64  `json:"dz"`
	DZCI           *Interval `json:"dzCi"`
}

// BehaviourCell is level 3 for one competency and rater group: every field
// of IMPACT.md §2, named as there.
type BehaviourCell struct {
	CompetencyID         string    `json:"competencyId"`
	Name                 string    `json:"name"`
	Group                string    `json:"group"` // a rater group, or Others
	N                    int       `json:"n"`
	MeanPre              float64   `json:"meanPre"`
	MeanPost             float64   `json:"meanPost"`
	MeanChange           float64   `json:"meanChange"`
	SDPre                float64   `json:"sdPre"`
	SDPost               float64   `json:"sdPost"`
	SDChange             float64   `json:"sdChange"`
	R                    *float64  `json:"r"`
	MeanChangeCI         *Interval `json:"meanChangeCi"`
	T                    *float64  `json:"t"`
	P                    *float64  `json:"p"`
	DZ                   *float64  `json:"dz"`
	DZCI                 *Interval `json:"dzCi"`
	DAV                  *float64  `json:"dav"`
	DAVCI                *Interval `json:"davCi"`
	GAV                  *float64  `json:"gav"`
	Reliability          *float64  `json:"reliability"`
	SDiff                *float64  `json:"sdiff"`
	ReliablyImproved     *int      `json:"reliablyImproved"`
	ReliablyDeteriorated *int      `json:"reliablyDeteriorated"`
	NoReliableChange     *int      `json:"noReliableChange"`
}

// PracticeCell is the practice part of level 3 for one learning goal of the
// catalogue: of the N participants with a learning goal of their own linked
// to it, the share with at least one experiment on such a goal both tried
// and reflected on.
type PracticeCell struct {
	LearningGoalID string  `json:"learningGoalId"`
	N              int     `json:"n"`
	Share          float64 `json:"share"`
}

// EntityResults is level 4 for one ordering entity: its key figures per
// quarter, descriptive only.
type EntityResults struct {
	EntityID string    `json:"entityId"`
	Quarters []Quarter `json:"quarters"`
}

// Quarter is an entity's key figures of one quarter, and the population's
// cohorts that ran in it (the periods marked).
type Quarter struct {
	Quarter        string   `json:"quarter"` // "2025-Q3"
	AbsenteeismPct *float64 `json:"absenteeismPct"`
	TurnoverPct    *float64 `json:"turnoverPct"`
	CohortIDs      []string `json:"cohortIds"`
}

// OwnChange is a participant's own change on a competency by one rater
// group, with their reliable-change index against their released cohort's
// cell. Only the participant may see it (IMPACT.md §4).
type OwnChange struct {
	CompetencyID string  `json:"competencyId"`
	Name         string  `json:"name"`
	Group        string  `json:"group"`
	Pre          float64 `json:"pre"`
	Post         float64 `json:"post"`
	Change       float64 `json:"change"`
	// RC is Change over the cohort cell's sdiff; null while the cohort is
	// not released or its cell has no sdiff.
	RC *float64 `json:"rc"`
	// Reliable is whether |RC| exceeds 1.96; null when RC is.
	Reliable *bool `json:"reliable"`
}
