package cohort

// Invariants of an intervision session:
//   - a session is one meeting of one intervision group that exists now,
//     recorded once, with its date (not after it is recorded), the group's
//     members who attended (at least two: intervision is peer consultation),
//     the method, and who brought in a case, if anyone: one of the attendees;
//   - the case summary is written only when someone brought a case; it is
//     personal data of the one who brought it, and confidential to the group.

import (
	"fmt"
	"slices"
	"time"

	"github.com/leerpad/leerpad/domain"
)

// Errors of intervision sessions.
var (
	ErrSessionExists   = fmt.Errorf("intervision session already recorded: %w", domain.ErrConflict)
	ErrSessionNotFound = fmt.Errorf("intervision session not recorded: %w", domain.ErrNotFound)
)

// MinSessionAttendees is the least number of members at an intervision session.
const MinSessionAttendees = 2

// RecordIntervisionSession records one meeting of an intervision group.
type RecordIntervisionSession struct {
	CohortID    string
	GroupID     string
	SessionID   string
	HeldOn      time.Time
	AttendeeIDs []string
	// CaseBroughtBy is the attendee who brought in a case; empty when nobody did.
	CaseBroughtBy string
	Method        string // e.g. "incident method"
	// CaseSummary is the case in a few lines; only with CaseBroughtBy.
	CaseSummary string
	At          time.Time
	domain.Envelope
}

// IntervisionSession is one meeting of an intervision group as the cohort
// holds it. CaseSummary is confidential to the group.
type IntervisionSession struct {
	ID            string
	GroupID       string
	HeldOn        time.Time
	AttendeeIDs   []string
	CaseBroughtBy string
	Method        string
	CaseSummary   string
	RecordedAt    time.Time
}

// RecordSession records a meeting of an intervision group.
func (c *Cohort) RecordSession(cmd RecordIntervisionSession) error {
	ps := []*domain.FieldError{
		domain.RequireID("cohortId", cmd.CohortID),
		domain.RequireID("groupId", cmd.GroupID),
		domain.RequireID("sessionId", cmd.SessionID),
		domain.RequireTime("heldOn", cmd.HeldOn),
		domain.RequireIDs("attendeeIds", cmd.AttendeeIDs, MinSessionAttendees),
		domain.OptionalID("caseBroughtBy", cmd.CaseBroughtBy),
		domain.OptionalLine("method", cmd.Method, domain.MaxTitle),
		domain.OptionalText("caseSummary", cmd.CaseSummary, domain.MaxText),
		domain.RequireTime("at", cmd.At),
	}
	if !cmd.HeldOn.IsZero() && !cmd.At.IsZero() && cmd.HeldOn.After(cmd.At) {
		ps = append(ps, domain.Invalid("heldOn", "must not be after the time it is recorded (%s): it cannot have happened yet", cmd.At.Format(time.RFC3339)))
	}
	if cmd.CaseBroughtBy != "" && !slices.Contains(cmd.AttendeeIDs, cmd.CaseBroughtBy) {
		ps = append(ps, domain.Invalid("caseBroughtBy", "must be one of the attendees"))
	}
	if cmd.CaseSummary != "" && cmd.CaseBroughtBy == "" {
		ps = append(ps, domain.Invalid("caseSummary", "must be empty when nobody brought in a case"))
	}
	if err := domain.Validate(ps...); err != nil {
		return fmt.Errorf("record intervision session: %w", err)
	}
	if err := c.planned(cmd.CohortID); err != nil {
		return fmt.Errorf("record intervision session: %w", err)
	}
	members, ok := c.groups[cmd.GroupID]
	if !ok {
		return fmt.Errorf("record intervision session of group %s: %w", cmd.GroupID, ErrGroupNotFound)
	}
	var strangers []*domain.FieldError
	for i, a := range cmd.AttendeeIDs {
		if !slices.Contains(members, a) {
			strangers = append(strangers, domain.Invalid(fmt.Sprintf("attendeeIds[%d]", i), "is not a member of intervision group %s", cmd.GroupID))
		}
	}
	if err := domain.Validate(strangers...); err != nil {
		return fmt.Errorf("record intervision session of group %s: %w", cmd.GroupID, err)
	}
	if _, dup := c.sessions[cmd.SessionID]; dup {
		return fmt.Errorf("record intervision session %s: %w", cmd.SessionID, ErrSessionExists)
	}
	c.record(IntervisionSessionHeld{CohortID: c.id, GroupID: cmd.GroupID, SessionID: cmd.SessionID, HeldOn: cmd.HeldOn,
		AttendeeIDs: sorted(cmd.AttendeeIDs), CaseBroughtBy: cmd.CaseBroughtBy, Method: cmd.Method, CaseSummary: cmd.CaseSummary, At: cmd.At})
	return nil
}

// IntervisionSessions returns the sessions recorded for a group, by the
// day they were held, also of a group since dissolved.
func (c *Cohort) IntervisionSessions(groupID string) []IntervisionSession {
	var out []IntervisionSession
	for _, s := range c.sessionOrder {
		if s.GroupID == groupID {
			out = append(out, s.clone())
		}
	}
	slices.SortStableFunc(out, func(a, b IntervisionSession) int { return a.HeldOn.Compare(b.HeldOn) })
	return out
}

// IntervisionSession returns one session of a group, or ErrSessionNotFound.
func (c *Cohort) IntervisionSession(groupID, sessionID string) (IntervisionSession, error) {
	s, ok := c.sessions[sessionID]
	if !ok || s.GroupID != groupID {
		return IntervisionSession{}, fmt.Errorf("intervision session %s of group %s: %w", sessionID, groupID, ErrSessionNotFound)
	}
	return s.clone(), nil
}

// CheckAttendee returns a *domain.FieldError naming field unless the
// participant is a member of intervision group groupID now: what a session
// recorded on a participant's journey (journey.intervision_attended) must hold.
func (c *Cohort) CheckAttendee(field, groupID, participantID string) *domain.FieldError {
	if _, ok := c.groups[groupID]; !ok {
		return domain.Invalid(field, "is not an intervision group of cohort %s", c.id)
	}
	if !c.InGroup(groupID, participantID) {
		return domain.Invalid(field, "is not the participant's intervision group")
	}
	return nil
}

// InGroup reports whether a participant is a member of an intervision group now.
func (c *Cohort) InGroup(groupID, participantID string) bool {
	return slices.Contains(c.groups[groupID], participantID)
}

func (s *IntervisionSession) clone() IntervisionSession {
	out := *s
	out.AttendeeIDs = slices.Clone(s.AttendeeIDs)
	return out
}

func (c *Cohort) applySession(e IntervisionSessionHeld) {
	if _, dup := c.sessions[e.SessionID]; dup {
		return
	}
	s := &IntervisionSession{ID: e.SessionID, GroupID: e.GroupID, HeldOn: e.HeldOn, AttendeeIDs: slices.Clone(e.AttendeeIDs),
		CaseBroughtBy: e.CaseBroughtBy, Method: e.Method, CaseSummary: e.CaseSummary, RecordedAt: e.At}
	c.sessions[e.SessionID] = s
	c.sessionOrder = append(c.sessionOrder, s)
}
