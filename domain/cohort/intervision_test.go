package cohort_test

import (
	"testing"
	"time"

	"github.com/leerpad/leerpad/domain"
	"github.com/leerpad/leerpad/domain/cohort"
	"github.com/leerpad/leerpad/domain/domaintest"
)

func TestIntervisionSessions(t *testing.T) {
	session := id(20)
	heldOn := at.Add(-2 * time.Hour)
	cmd := func(f func(*cohort.RecordIntervisionSession)) func(*cohort.Cohort) error {
		return func(c *cohort.Cohort) error {
			r := cohort.RecordIntervisionSession{CohortID: cohortID, GroupID: g1, SessionID: session, HeldOn: heldOn,
				AttendeeIDs: []string{p[2], p[0], p[1]}, CaseBroughtBy: p[1], Method: "incident method", CaseSummary: "A conflict in my team", At: at}
			f(&r)
			return c.RecordSession(r)
		}
	}
	same := func(*cohort.RecordIntervisionSession) {}
	held := cohort.IntervisionSessionHeld{CohortID: cohortID, GroupID: g1, SessionID: session, HeldOn: heldOn,
		AttendeeIDs: []string{p[0], p[1], p[2]}, CaseBroughtBy: p[1], Method: "incident method", CaseSummary: "A conflict in my team", At: at}
	group1 := formed(g1, p[0:5]...)
	withdrawn := cohort.ParticipantWithdrawn{CohortID: cohortID, ParticipantID: p[2], At: at}
	domaintest.Run(t, cohort.Replay, []domaintest.Case[*cohort.Cohort]{
		{Name: "one meeting of three members is one session, attendees sorted", Given: withParticipants(9, group1), When: cmd(same),
			Want: []domain.Event{held}},
		{Name: "a session without a case", Given: withParticipants(9, group1),
			When: cmd(func(r *cohort.RecordIntervisionSession) { r.CaseBroughtBy, r.CaseSummary = "", "" }),
			Want: []domain.Event{cohort.IntervisionSessionHeld{CohortID: cohortID, GroupID: g1, SessionID: session, HeldOn: heldOn,
				AttendeeIDs: []string{p[0], p[1], p[2]}, Method: "incident method", At: at}}},
		{Name: "recorded twice", Given: withParticipants(9, group1, held), When: cmd(same), WantErr: cohort.ErrSessionExists},
		{Name: "of a group never formed", Given: withParticipants(9, group1),
			When: cmd(func(r *cohort.RecordIntervisionSession) { r.GroupID = g2 }), WantErr: cohort.ErrGroupNotFound},
		{Name: "with an attendee of another group", Given: withParticipants(9, group1, formed(g2, p[5:9]...)),
			When:    cmd(func(r *cohort.RecordIntervisionSession) { r.AttendeeIDs = []string{p[0], p[6]}; r.CaseBroughtBy = p[0] }),
			WantErr: domain.ErrInvalid, WantField: "attendeeIds[1]"},
		{Name: "with an attendee who withdrew", Given: withParticipants(9, group1, withdrawn), When: cmd(same),
			WantErr: domain.ErrInvalid, WantField: "attendeeIds[0]"},
		{Name: "with one attendee", Given: withParticipants(9, group1),
			When:    cmd(func(r *cohort.RecordIntervisionSession) { r.AttendeeIDs = []string{p[1]} }),
			WantErr: domain.ErrInvalid, WantField: "attendeeIds"},
		{Name: "held in the future", Given: withParticipants(9, group1),
			When:    cmd(func(r *cohort.RecordIntervisionSession) { r.HeldOn = at.Add(time.Hour) }),
			WantErr: domain.ErrInvalid, WantField: "heldOn"},
		{Name: "without a date", Given: withParticipants(9, group1),
			When:    cmd(func(r *cohort.RecordIntervisionSession) { r.HeldOn = time.Time{} }),
			WantErr: domain.ErrInvalid, WantField: "heldOn"},
		{Name: "a case brought by someone absent", Given: withParticipants(9, group1),
			When:    cmd(func(r *cohort.RecordIntervisionSession) { r.CaseBroughtBy = p[3] }),
			WantErr: domain.ErrInvalid, WantField: "caseBroughtBy"},
		{Name: "a case summary without anyone bringing a case", Given: withParticipants(9, group1),
			When:    cmd(func(r *cohort.RecordIntervisionSession) { r.CaseBroughtBy = "" }),
			WantErr: domain.ErrInvalid, WantField: "caseSummary"},
		{Name: "in a cohort never planned", When: cmd(same), WantErr: cohort.ErrCohortNotFound},
	})
}

func TestIntervisionSessionReads(t *testing.T) {
	first := cohort.IntervisionSessionHeld{CohortID: cohortID, GroupID: g1, SessionID: id(21), HeldOn: at.AddDate(0, 0, 14),
		AttendeeIDs: p[0:3], At: at.AddDate(0, 0, 14)}
	earlier := cohort.IntervisionSessionHeld{CohortID: cohortID, GroupID: g1, SessionID: id(22), HeldOn: at,
		AttendeeIDs: p[0:4], CaseBroughtBy: p[3], CaseSummary: "case", At: at.AddDate(0, 0, 15)}
	c := cohort.Replay(withParticipants(9, formed(g1, p[0:5]...), first, earlier,
		cohort.ParticipantWithdrawn{CohortID: cohortID, ParticipantID: p[0], At: at})...)
	ss := c.IntervisionSessions(g1)
	if len(ss) != 2 || ss[0].ID != id(22) || ss[1].ID != id(21) || ss[0].CaseSummary != "case" {
		t.Fatalf("sessions = %+v, want the earlier one first", ss)
	}
	if _, err := c.IntervisionSession(g2, id(21)); err == nil {
		t.Fatal("a session read through another group")
	}
	if c.InGroup(g1, p[0]) || !c.InGroup(g1, p[1]) {
		t.Fatal("the withdrawn member is still in the group, or a member is not")
	}
}
