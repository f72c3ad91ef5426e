package feedback

import (
	"time"

	"github.com/leerpad/leerpad/domain"
)

// The categories of 360 feedback's streams, "<category>-<uuid>". They are
// stored in every stream name; never change them.
const (
	// RoundCategory is the category of a feedback round's stream.
	RoundCategory = "feedback"
	// InstrumentCategory is the category of an instrument's stream.
	InstrumentCategory = "instrument"
)

// EventTypes returns the type of every event of 360 feedback, for the event
// store's codec.
func EventTypes() []domain.EventType {
	return []domain.EventType{
		domain.NewEventType[InstrumentPublished](),
		domain.NewEventType[InstrumentRetired](),
		domain.NewEventType[RoundOpened](),
		domain.NewEventType[RaterNominated](),
		domain.NewEventType[RaterApproved](),
		domain.NewEventType[RaterRejected](),
		domain.NewEventType[ResponseSubmitted](),
		domain.NewEventType[RoundClosed](),
		domain.NewEventType[RaterLinkIssued](),
		domain.NewEventType[RaterErased](),
	}
}

// Scale is a frequency scale from 1 (never) to Points (always). Every item can
// also be answered "not observed", which is no point of the scale.
type Scale struct {
	Points int      `json:"points"`
	Labels []string `json:"labels,omitempty"` // one per point when given, e.g. "never" ... "always"
}

// Item is a behaviour a rater scores.
type Item struct {
	ID   string `json:"id"`
	Text string `json:"text"`
}

// Competency groups the behaviour items of one competency.
type Competency struct {
	ID    string `json:"id"`
	Name  string `json:"name"`
	Items []Item `json:"items"`
}

// InstrumentPublished records a 360 instrument. A published instrument does
// not change; a new version is a new instrument.
type InstrumentPublished struct {
	InstrumentID string       `json:"instrumentId"`
	Title        string       `json:"title"`
	Scale        Scale        `json:"scale"`
	Competencies []Competency `json:"competencies"`
	At           time.Time    `json:"at"`
}

// EventName returns "feedback.instrument_published".
func (InstrumentPublished) EventName() string { return "feedback.instrument_published" }

// InstrumentRetired records that an instrument opens no more rounds.
type InstrumentRetired struct {
	InstrumentID string    `json:"instrumentId"`
	At           time.Time `json:"at"`
}

// EventName returns "feedback.instrument_retired".
func (InstrumentRetired) EventName() string { return "feedback.instrument_retired" }

// RoundOpened records a 360 round for a journey. ParticipantID, ManagerID and
// RaterApproval are the journey's when the round opened.
type RoundOpened struct {
	RoundID       string    `json:"roundId"`
	JourneyID     string    `json:"journeyId"`
	ParticipantID string    `json:"participantId"`
	ManagerID     string    `json:"managerId"`
	InstrumentID  string    `json:"instrumentId"`
	Kind          RoundKind `json:"kind"`
	RaterApproval bool      `json:"raterApproval"`
	At            time.Time `json:"at"`
}

// EventName returns "feedback.round_opened".
func (RoundOpened) EventName() string { return "feedback.round_opened" }

// RaterNominated records a rater invited to answer in a round.
type RaterNominated struct {
	RoundID string     `json:"roundId"`
	RaterID string     `json:"raterId"`
	Group   RaterGroup `json:"group"`
	Name    string     `json:"name,omitempty" personal:"subject"`
	Email   string     `json:"email,omitempty" personal:"subject"`
	At      time.Time  `json:"at"`
}

// EventName returns "feedback.rater_nominated".
func (RaterNominated) EventName() string { return "feedback.rater_nominated" }

// PersonalDataSubject returns the rater.
func (e RaterNominated) PersonalDataSubject() string { return e.RaterID }

// RaterApproved records the manager's approval of a nominated rater.
type RaterApproved struct {
	RoundID    string    `json:"roundId"`
	RaterID    string    `json:"raterId"`
	ApprovedBy string    `json:"approvedBy"`
	At         time.Time `json:"at"`
}

// EventName returns "feedback.rater_approved".
func (RaterApproved) EventName() string { return "feedback.rater_approved" }

// RaterRejected records that the manager turned a nominated rater down.
type RaterRejected struct {
	RoundID    string    `json:"roundId"`
	RaterID    string    `json:"raterId"`
	RejectedBy string    `json:"rejectedBy"`
	At         time.Time `json:"at"`
}

// EventName returns "feedback.rater_rejected".
func (RaterRejected) EventName() string { return "feedback.rater_rejected" }

// Answer is a rater's answer to one item: a point of the scale, or not observed.
type Answer struct {
	ItemID      string `json:"itemId"`
	Score       int    `json:"score,omitempty"` // 1 to the scale's points; 0 when not observed
	NotObserved bool   `json:"notObserved,omitempty"`
}

// Comment is an open comment, on one competency or (CompetencyID empty) in general.
type Comment struct {
	CompetencyID string `json:"competencyId,omitempty"`
	Text         string `json:"text"`
}

// ResponseSubmitted records one rater's answers to every item of the
// instrument. It holds the data of two people: the comments are the rater's
// (their words), the answers (scores) are about the participant and are the
// participant's, so erasing either person makes their part unreadable and
// leaves the other's. ParticipantID is the round's participant; responses
// written before it existed lack it (the codec stores them as they were; the
// migration to encrypted payloads fills it in from the round's opening).
type ResponseSubmitted struct {
	RoundID       string     `json:"roundId"`
	RaterID       string     `json:"raterId"`
	ParticipantID string     `json:"participantId,omitempty"`
	Group         RaterGroup `json:"group"`
	Answers       []Answer   `json:"answers" personal:"participant"`
	Comments      []Comment  `json:"comments,omitempty" personal:"subject"`
	At            time.Time  `json:"at"`
}

// EventName returns "feedback.response_submitted".
func (ResponseSubmitted) EventName() string { return "feedback.response_submitted" }

// PersonalDataSubject returns the rater, whose comments these are.
func (e ResponseSubmitted) PersonalDataSubject() string { return e.RaterID }

// PersonalDataSubjectOf returns the participant for the answers (role
// "participant"), about whom they are.
func (e ResponseSubmitted) PersonalDataSubjectOf(role string) string {
	if role == "participant" {
		return e.ParticipantID
	}
	return ""
}

// RaterLinkIssued records a rater's personal link to answer the round. It
// holds the SHA-256 of the link's token, never the token: the hash of 256
// random bits names nobody and opens nothing, so it is not personal data, but
// it stays in the payload only (never in metadata or a stream name). A later
// link of the same rater replaces this one; closing the round ends both.
type RaterLinkIssued struct {
	RoundID   string    `json:"roundId"`
	RaterID   string    `json:"raterId"`
	TokenHash string    `json:"tokenHash"`
	ExpiresAt time.Time `json:"expiresAt"`
	At        time.Time `json:"at"`
}

// EventName returns "feedback.rater_link_issued".
func (RaterLinkIssued) EventName() string { return "feedback.rater_link_issued" }

// RoundClosed records that a round takes no more nominations or responses.
type RoundClosed struct {
	RoundID string    `json:"roundId"`
	At      time.Time `json:"at"`
}

// EventName returns "feedback.round_closed".
func (RoundClosed) EventName() string { return "feedback.round_closed" }

// RaterErased records that a rater of the round was erased (the erasure
// record is the stream erasure-<rater id>): their key is deleted, so their
// name, e-mail address, answers and comments can no longer be read; read
// models drop their comments and name and keep the scores already counted.
// Their link stops working and they answer no more.
type RaterErased struct {
	RoundID   string    `json:"roundId"`
	RaterID   string    `json:"raterId"`
	ErasureID string    `json:"erasureId"`
	At        time.Time `json:"at"`
}

// EventName returns "feedback.rater_erased".
func (RaterErased) EventName() string { return "feedback.rater_erased" }
