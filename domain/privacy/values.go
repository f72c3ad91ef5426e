package privacy

import (
	"fmt"
	"regexp"
	"time"

	"github.com/leerpad/leerpad/domain"
)

// Reason is why a person is erased: the ground of GDPR art. 17(1) it rests
// on. A closed set, so that no free text (and no personal data) enters the
// erasure record.
type Reason struct{ name string }

// The reasons of an erasure.
var (
	// ReasonSubjectRequest: the person asked for it (themselves, or
	// through the programme office).
	ReasonSubjectRequest = Reason{"subject-request"}
	// ReasonConsentWithdrawn: the person withdrew their consent.
	ReasonConsentWithdrawn = Reason{"consent-withdrawn"}
	// ReasonObjection: the person objected to the processing.
	ReasonObjection = Reason{"objection"}
	// ReasonRetention: the programme's retention period ended.
	ReasonRetention = Reason{"retention"}
	// ReasonLegalObligation: a law or a court requires it.
	ReasonLegalObligation = Reason{"legal-obligation"}
)

// Reasons returns every reason.
func Reasons() []Reason {
	return []Reason{ReasonSubjectRequest, ReasonConsentWithdrawn, ReasonObjection, ReasonRetention, ReasonLegalObligation}
}

// ParseReason returns the reason named s.
func ParseReason(s string) (Reason, error) { return domain.ParseOneOf("reason", s, Reasons()) }

// String returns the reason's name.
func (r Reason) String() string { return r.name }

// IsZero reports whether r is unset.
func (r Reason) IsZero() bool { return r == Reason{} }

// MarshalText returns the reason's name.
func (r Reason) MarshalText() ([]byte, error) { return []byte(r.name), nil }

// UnmarshalText sets r to the reason named b.
func (r *Reason) UnmarshalText(b []byte) error {
	return domain.UnmarshalOneOf(r, "reason", b, Reasons())
}

// Requester is who asked for an erasure. A closed set.
type Requester struct{ name string }

// The requesters of an erasure.
var (
	// RequesterSelf: the person themselves.
	RequesterSelf = Requester{"self"}
	// RequesterProgrammeOffice: the programme office, on the person's
	// request or on another ground it records.
	RequesterProgrammeOffice = Requester{"programme-office"}
	// RequesterRetention: the retention schedule (RetentionDue).
	RequesterRetention = Requester{"retention"}
)

// Requesters returns every requester.
func Requesters() []Requester {
	return []Requester{RequesterSelf, RequesterProgrammeOffice, RequesterRetention}
}

// String returns the requester's name.
func (r Requester) String() string { return r.name }

// MarshalText returns the requester's name.
func (r Requester) MarshalText() ([]byte, error) { return []byte(r.name), nil }

// UnmarshalText sets r to the requester named b.
func (r *Requester) UnmarshalText(b []byte) error {
	return domain.UnmarshalOneOf(r, "requestedBy", b, Requesters())
}

// PersonRole is a role a person held in Leerpad whose traces an erasure
// removes. A closed set.
type PersonRole struct{ name string }

// The roles of an erased person.
var (
	RoleParticipant = PersonRole{"participant"}
	RoleManager     = PersonRole{"manager"}
	RoleRater       = PersonRole{"rater"}
)

// PersonRoles returns every role.
func PersonRoles() []PersonRole { return []PersonRole{RoleParticipant, RoleManager, RoleRater} }

// String returns the role's name.
func (r PersonRole) String() string { return r.name }

// MarshalText returns the role's name.
func (r PersonRole) MarshalText() ([]byte, error) { return []byte(r.name), nil }

// UnmarshalText sets r to the role named b.
func (r *PersonRole) UnmarshalText(b []byte) error {
	return domain.UnmarshalOneOf(r, "roles", b, PersonRoles())
}

// reference is the shape of an erasure's reference: a case number of the
// programme office's own register, without spaces, so that it cannot hold a
// sentence or a full name.
var reference = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._/-]{0,63}$`)

// OptionalReference checks an erasure's reference.
func OptionalReference(field, s string) *domain.FieldError {
	if s == "" || reference.MatchString(s) {
		return nil
	}
	return domain.Invalid(field, "must be a case number of at most 64 letters, digits and . _ / - (no spaces, no names)")
}

// Retention defaults and limits, in days.
const (
	// DefaultJourneyDays is how long a journey is kept after it was
	// completed or withdrawn when the programme sets nothing: two years.
	DefaultJourneyDays = 730
	// DefaultReadAuditDays is how long a record of a portfolio read is kept
	// when the programme sets nothing: one year.
	DefaultReadAuditDays = 365
	// MinDays and MaxDays bound both periods.
	MinDays = 1
	MaxDays = 3650
)

// Days is a retention period in whole days.
func Days(n int) time.Duration { return time.Duration(n) * 24 * time.Hour }

func checkDays(field string, n int) *domain.FieldError {
	if n < MinDays || n > MaxDays {
		return domain.Invalid(field, "must be between %d and %d days", MinDays, MaxDays)
	}
	return nil
}

// ErrAlreadyErased is a second erasure of the same person: the use case
// answers it with the first.
var ErrAlreadyErased = fmt.Errorf("person already erased: %w", domain.ErrConflict)
