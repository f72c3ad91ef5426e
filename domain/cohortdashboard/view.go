package cohortdashboard

import (
	"fmt"
	"time"

	"github.com/leerpad/leerpad/domain/journey"
)

// View is a cohort's dashboard at a query time. It holds counts, rates and
// dates only: no reflections, comments, cases or other free text.
type View struct {
	CohortID    string    `json:"cohortId"`
	ProgrammeID string    `json:"programmeId"`
	EntityID    string    `json:"entityId"`
	Title       string    `json:"title"`
	ModuleIDs   []string  `json:"moduleIds"`
	StartsOn    time.Time `json:"startsOn"`
	EndsOn      time.Time `json:"endsOn"`
	// Now is the query time against which risk and intervision recency are judged.
	Now         time.Time `json:"now"`
	AtRiskWeeks int       `json:"atRiskWeeks"`

	Enrolment    Enrolment            `json:"enrolment"`
	Deliveries   []DeliveryAttendance `json:"deliveries"`
	Assignments  AssignmentSummary    `json:"assignments"`
	Participants []Participant        `json:"participants"`
	Intervision  []GroupRhythm        `json:"intervision"`
	Evaluations  []ModuleEvaluation   `json:"evaluations"`
	AtRisk       []AtRisk             `json:"atRisk"`
}

// Enrolment counts the cohort's participants by where they stand.
type Enrolment struct {
	Enrolled  int `json:"enrolled"` // ever enrolled
	Active    int `json:"active"`
	Completed int `json:"completed"`
	Withdrawn int `json:"withdrawn"`
	// CompletionRate is Completed / Enrolled, 0 without participants.
	CompletionRate float64 `json:"completionRate"`
}

// DeliveryAttendance is the attendance at one delivery of a module.
type DeliveryAttendance struct {
	DeliveryID    string    `json:"deliveryId"`
	ModuleID      string    `json:"moduleId"`
	ModuleVersion int       `json:"moduleVersion"`
	StartsAt      time.Time `json:"startsAt"`
	EndsAt        time.Time `json:"endsAt"`
	Present       int       `json:"present"`
	Absent        int       `json:"absent"`
	Excused       int       `json:"excused"`
	// NotRecorded counts participants not withdrawn before the delivery
	// started whose attendance is not recorded.
	NotRecorded int `json:"notRecorded"`
	// AttendanceRate is Present over every participant counted above.
	AttendanceRate float64 `json:"attendanceRate"`
}

// AssignmentSummary counts practice assignments, for the cohort and per module.
type AssignmentSummary struct {
	Given     int                 `json:"given"`
	HandedIn  int                 `json:"handedIn"`
	OnTime    int                 `json:"onTime"`
	PerModule []ModuleAssignments `json:"perModule"`
}

// ModuleAssignments counts the practice assignments of one module.
type ModuleAssignments struct {
	ModuleID string `json:"moduleId"`
	Given    int    `json:"given"`
	HandedIn int    `json:"handedIn"`
	OnTime   int    `json:"onTime"`
}

// Participant is one participant's row: counts and dates only.
type Participant struct {
	ParticipantID       string         `json:"participantId"`
	JourneyID           string         `json:"journeyId,omitempty"`
	Status              journey.Status `json:"status"`
	EnrolledAt          time.Time      `json:"enrolledAt"`
	ClosedAt            *time.Time     `json:"closedAt,omitempty"` // completed or withdrawn
	LastActivity        time.Time      `json:"lastActivity"`
	AtRisk              bool           `json:"atRisk"`
	Present             int            `json:"present"` // deliveries attended
	AssignmentsGiven    int            `json:"assignmentsGiven"`
	AssignmentsHandedIn int            `json:"assignmentsHandedIn"`
	ExperimentsLogged   int            `json:"experimentsLogged"`
	ExperimentsTried    int            `json:"experimentsTried"`
	Intervision         int            `json:"intervision"` // sessions attended
	Coaching            int            `json:"coaching"`    // sessions held
	Evaluations         int            `json:"evaluations"`
	// Weeks counts experiments per ISO week in Europe/Amsterdam, oldest
	// week first; only weeks with an experiment appear.
	Weeks []WeekCount `json:"weeks"`
}

// Week is an ISO 8601 week.
type Week struct {
	Year int `json:"year"`
	Week int `json:"week"`
}

// String returns the week as "2025-W07".
func (w Week) String() string { return fmt.Sprintf("%04d-W%02d", w.Year, w.Week) }

// Before reports whether w comes before x.
func (w Week) Before(x Week) bool { return w.Year < x.Year || w.Year == x.Year && w.Week < x.Week }

// WeekCount counts a participant's experiments in one ISO week: logged that
// week (by when they were logged) and tried that week (by the day tried).
type WeekCount struct {
	Week   Week `json:"week"`
	Logged int  `json:"logged"`
	Tried  int  `json:"tried"`
}

// GroupRhythm is the rhythm of one intervision group: its sessions, one per
// meeting recorded for the group (cohort.intervision_session_held), and the
// members it has now (withdrawn participants leave it). Sessions recorded
// per participant on their journeys (journey.intervision_attended, the
// deprecated way) count one per record, as they always did.
type GroupRhythm struct {
	GroupID   string    `json:"groupId"`
	Members   int       `json:"members"`
	FormedAt  time.Time `json:"formedAt"`
	Dissolved bool      `json:"dissolved"`
	Sessions  []Session `json:"sessions"` // by date
	// MeanDaysBetween is the mean number of calendar days (in
	// Europe/Amsterdam) between consecutive sessions, and MaxDaysBetween the
	// longest gap; 0 with fewer than two.
	MeanDaysBetween float64 `json:"meanDaysBetween"`
	MaxDaysBetween  float64 `json:"maxDaysBetween"`
	// DaysSinceLast is the number of calendar days from the last session
	// held at or before Now to Now; nil without one.
	DaysSinceLast *float64 `json:"daysSinceLast,omitempty"`
}

// Session is one intervision session of a group.
type Session struct {
	SessionID string    `json:"sessionId"`
	HeldOn    time.Time `json:"heldOn"`
	Attendees int       `json:"attendees"`
	Cases     int       `json:"cases"` // cases brought in
}

// ModuleEvaluation is the evaluation of one version of a module by the
// cohort's participants.
type ModuleEvaluation struct {
	ModuleID      string          `json:"moduleId"`
	ModuleVersion int             `json:"moduleVersion"`
	Evaluations   int             `json:"evaluations"`
	Questions     []QuestionScore `json:"questions"`
}

// QuestionScore is the mean score of one evaluation question.
type QuestionScore struct {
	Question journey.Question `json:"question"`
	N        int              `json:"n"`
	Mean     float64          `json:"mean"`
}

// AtRisk is an active participant without activity for the configured
// number of weeks before the query time.
type AtRisk struct {
	ParticipantID string    `json:"participantId"`
	JourneyID     string    `json:"journeyId,omitempty"`
	LastActivity  time.Time `json:"lastActivity"`
	DaysInactive  float64   `json:"daysInactive"`
}
