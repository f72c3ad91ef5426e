package cohort

import (
	"encoding/json"
	"time"

	"github.com/leerpad/leerpad/domain"
)

// StreamCategory is the category of a cohort's stream, "cohort-<uuid>". It is
// stored in every stream name; never change it.
const StreamCategory = "cohort"

// EventTypes returns the type of every event a cohort records, for the event
// store's codec.
func EventTypes() []domain.EventType {
	return []domain.EventType{
		domain.NewEventType[Planned](),
		domain.NewEventType[ParticipantEnrolled](),
		domain.NewEventType[ParticipantWithdrawn](),
		domain.NewEventType[IntervisionGroupFormed](),
		domain.NewEventType[IntervisionGroupReformed](),
		domain.NewEventType[IntervisionGroupDissolved](),
		domain.NewEventType[DeliveryScheduled](),
		domain.NewEventType[AttendanceRecorded](),
		domain.NewEventType[IntervisionSessionHeld](),
		domain.NewEventType[MeasurementClosed](),
		domain.NewEventType[FiguresFrozen](),
	}
}

// Planned records a cohort planned from a programme for an ordering entity.
// ModuleIDs and RaterApproval are the programme's when the cohort was planned.
type Planned struct {
	CohortID      string    `json:"cohortId"`
	ProgrammeID   string    `json:"programmeId"`
	EntityID      string    `json:"entityId"`
	Title         string    `json:"title"` // e.g. "BLG spring 2025"
	ModuleIDs     []string  `json:"moduleIds"`
	RaterApproval bool      `json:"raterApproval"`
	TrainerIDs    []string  `json:"trainerIds"`
	StartsOn      time.Time `json:"startsOn"`
	EndsOn        time.Time `json:"endsOn"`
	At            time.Time `json:"at"`
}

// EventName returns "cohort.planned".
func (Planned) EventName() string { return "cohort.planned" }

// ParticipantEnrolled records a participant joining the cohort.
type ParticipantEnrolled struct {
	CohortID      string    `json:"cohortId"`
	ParticipantID string    `json:"participantId"`
	Name          string    `json:"name" personal:"subject"`
	Email         string    `json:"email" personal:"subject"`
	At            time.Time `json:"at"`
}

// EventName returns "cohort.participant_enrolled".
func (ParticipantEnrolled) EventName() string { return "cohort.participant_enrolled" }

// PersonalDataSubject returns the participant.
func (e ParticipantEnrolled) PersonalDataSubject() string { return e.ParticipantID }

// ParticipantWithdrawn records a participant leaving the cohort. They leave
// their intervision group too.
type ParticipantWithdrawn struct {
	CohortID      string    `json:"cohortId"`
	ParticipantID string    `json:"participantId"`
	At            time.Time `json:"at"`
}

// EventName returns "cohort.participant_withdrawn".
func (ParticipantWithdrawn) EventName() string { return "cohort.participant_withdrawn" }

// IntervisionGroupFormed records a new intervision group of the cohort.
type IntervisionGroupFormed struct {
	CohortID  string    `json:"cohortId"`
	GroupID   string    `json:"groupId"`
	MemberIDs []string  `json:"memberIds"`
	At        time.Time `json:"at"`
}

// EventName returns "cohort.intervision_group_formed".
func (IntervisionGroupFormed) EventName() string { return "cohort.intervision_group_formed" }

// IntervisionGroupReformed records that a group now has MemberIDs as members.
type IntervisionGroupReformed struct {
	CohortID  string    `json:"cohortId"`
	GroupID   string    `json:"groupId"`
	MemberIDs []string  `json:"memberIds"`
	At        time.Time `json:"at"`
}

// EventName returns "cohort.intervision_group_reformed".
func (IntervisionGroupReformed) EventName() string { return "cohort.intervision_group_reformed" }

// IntervisionGroupDissolved records that a group no longer meets; its members
// are free to join another.
type IntervisionGroupDissolved struct {
	CohortID string    `json:"cohortId"`
	GroupID  string    `json:"groupId"`
	At       time.Time `json:"at"`
}

// EventName returns "cohort.intervision_group_dissolved".
func (IntervisionGroupDissolved) EventName() string { return "cohort.intervision_group_dissolved" }

// DeliveryScheduled records when the cohort gets a module, and which version
// of it: evaluations of the delivery stay attached to that version.
type DeliveryScheduled struct {
	CohortID      string    `json:"cohortId"`
	DeliveryID    string    `json:"deliveryId"`
	ModuleID      string    `json:"moduleId"`
	ModuleVersion int       `json:"moduleVersion"`
	StartsAt      time.Time `json:"startsAt"`
	EndsAt        time.Time `json:"endsAt"`
	At            time.Time `json:"at"`
}

// EventName returns "cohort.delivery_scheduled".
func (DeliveryScheduled) EventName() string { return "cohort.delivery_scheduled" }

// AttendanceRecorded records whether a participant was at a delivery. A later
// record for the same participant and delivery corrects an earlier one.
type AttendanceRecorded struct {
	CohortID      string           `json:"cohortId"`
	DeliveryID    string           `json:"deliveryId"`
	ParticipantID string           `json:"participantId"`
	Status        AttendanceStatus `json:"status"`
	At            time.Time        `json:"at"`
}

// EventName returns "cohort.attendance_recorded".
func (AttendanceRecorded) EventName() string { return "cohort.attendance_recorded" }

// IntervisionSessionHeld records one meeting of an intervision group: when,
// which members attended, the method and who brought in a case. The case
// summary is personal data of the one who brought it, and confidential to
// the group.
type IntervisionSessionHeld struct {
	CohortID      string    `json:"cohortId"`
	GroupID       string    `json:"groupId"`
	SessionID     string    `json:"sessionId"`
	HeldOn        time.Time `json:"heldOn"`
	AttendeeIDs   []string  `json:"attendeeIds"`
	CaseBroughtBy string    `json:"caseBroughtBy,omitempty"`
	Method        string    `json:"method,omitempty"` // e.g. incident method
	CaseSummary   string    `json:"caseSummary,omitempty" personal:"subject"`
	At            time.Time `json:"at"`
}

// EventName returns "cohort.intervision_session_held".
func (IntervisionSessionHeld) EventName() string { return "cohort.intervision_session_held" }

// PersonalDataSubject returns the participant who brought in the case.
// Without a case there is no personal text to encrypt; the subject is then
// the first attendee, so that it is never empty.
func (e IntervisionSessionHeld) PersonalDataSubject() string {
	if e.CaseBroughtBy != "" || len(e.AttendeeIDs) == 0 {
		return e.CaseBroughtBy
	}
	return e.AttendeeIDs[0]
}

// MeasurementClosed records that the programme office closed the cohort's
// impact measurement (leerpad.impact/v1 §4): from here the cohort's figures
// are released, and the participants it contributes are frozen to
// ParticipantIDs, those enrolled and not withdrawn when it was closed. A
// measurement is closed once.
type MeasurementClosed struct {
	CohortID       string    `json:"cohortId"`
	ParticipantIDs []string  `json:"participantIds"`
	At             time.Time `json:"at"`
}

// EventName returns "cohort.measurement_closed".
func (MeasurementClosed) EventName() string { return "cohort.measurement_closed" }

// FiguresFrozen records a released cohort's impact figures as they were
// computed at its release, so that they never change afterwards, also when
// a person they counted is erased and the log is read again without that
// person's answers (which no longer decrypt). Figures is the impact read
// model's frozen, id-free blocks of the cohort (each part of a cell with at
// least k people, values sorted so that no order links them to a
// participant); the domain keeps them as they are. Recorded at most once,
// after the measurement is closed.
type FiguresFrozen struct {
	CohortID string          `json:"cohortId"`
	Figures  json.RawMessage `json:"figures,omitempty"`
	At       time.Time       `json:"at"`
}

// EventName returns "cohort.figures_frozen".
func (FiguresFrozen) EventName() string { return "cohort.figures_frozen" }
