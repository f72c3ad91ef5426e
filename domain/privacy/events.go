package privacy

import (
	"time"

	"github.com/leerpad/leerpad/domain"
)

// Stream categories. They are stored in stream names; never change them.
const (
	// ErasureCategory is the category of a person's erasure record,
	// "erasure-<person id>": one stream per person, so that a person is
	// erased once.
	ErasureCategory = "erasure"
	// RetentionCategory is the category of a programme's retention policy,
	// "retention-<programme id>".
	RetentionCategory = "retention"
	// ReadAuditCategory is the category of the reads of one journey's
	// portfolio, "portfolioreads-<journey id>". Its $maxAge is the
	// programme's read-audit retention.
	ReadAuditCategory = "portfolioreads"
)

// EventTypes returns the type of every event of this package, for the codec.
func EventTypes() []domain.EventType {
	return []domain.EventType{
		domain.NewEventType[PersonErased](),
		domain.NewEventType[RetentionSet](),
		domain.NewEventType[PortfolioRead](),
	}
}

// PersonErased records that a person was erased: their key is deleted, so
// every field encrypted with it is unreadable, and every read model drops
// them. It holds no personal data: ids, a reason from a closed set and an
// optional case number.
type PersonErased struct {
	ErasureID string       `json:"erasureId"`
	PersonID  string       `json:"personId"`
	Roles     []PersonRole `json:"roles"`
	// RequestedBy is who asked; ActorID is their id (the person's own for
	// "self", the programme office member's, or empty for the retention
	// schedule).
	RequestedBy Requester `json:"requestedBy"`
	ActorID     string    `json:"actorId,omitempty"`
	Reason      Reason    `json:"reason"`
	Reference   string    `json:"reference,omitempty"`
	At          time.Time `json:"at"`
}

// EventName returns "erasure.person_erased".
func (PersonErased) EventName() string { return "erasure.person_erased" }

// RetentionSet records a programme's retention policy: how many days after
// a journey ended (completed or withdrawn) it is erased, and how many days a
// record of a portfolio read is kept.
type RetentionSet struct {
	ProgrammeID   string    `json:"programmeId"`
	JourneyDays   int       `json:"journeyDays"`
	ReadAuditDays int       `json:"readAuditDays"`
	At            time.Time `json:"at"`
}

// EventName returns "retention.set".
func (RetentionSet) EventName() string { return "retention.set" }

// PortfolioRead records that someone other than its participant read a
// journey's portfolio: who (id and role), when, which parts and, for a read
// "as of" a past moment, which. Never the content.
type PortfolioRead struct {
	JourneyID  string     `json:"journeyId"`
	ReaderID   string     `json:"readerId"`
	ReaderRole string     `json:"readerRole"`
	Parts      []string   `json:"parts"`
	AsOf       *time.Time `json:"asOf,omitempty"`
	At         time.Time  `json:"at"`
}

// EventName returns "readaudit.portfolio_read".
func (PortfolioRead) EventName() string { return "readaudit.portfolio_read" }
