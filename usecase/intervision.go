package usecase

import (
	"context"
	"errors"
	"fmt"

	"github.com/leerpad/leerpad/domain"
	"github.com/leerpad/leerpad/domain/access"
	"github.com/leerpad/leerpad/domain/cohort"
)

// Intervision sessions: one record per meeting of a group, in the cohort's
// stream, recorded by a trainer of the cohort or a member of the group.
// Both read the sessions; what was said (the case summary) only the group's
// members read: intervision content is confidential to the group.

// IntervisionSessions are the sessions of an intervision group, by the day
// held, with the revision of the cohort's stream they were read at. A
// session's CaseSummary is empty unless the reader may read it (CaseShown).
type IntervisionSessions struct {
	CohortID  string
	GroupID   string
	Sessions  []cohort.IntervisionSession
	CaseShown bool
	Revision  uint64
}

// groupAccess reads the facts of kind on an intervision group (see, when
// not nil, reads more of the cohort in the same view) and lets the policy
// decide whether p may do act on it, as cohortAccess does for a cohort.
func (a *App) groupAccess(ctx context.Context, p access.Principal, cohortID, groupID string, kind access.Kind, act access.Action, see func(*cohort.Cohort)) (cohortFacts, error) {
	f, err := a.groupFacts(ctx, cohortID, groupID, kind, see)
	if err != nil && !errors.Is(err, domain.ErrNotFound) {
		return f, err
	}
	if derr := a.authorize(ctx, p, act, f.resource); derr != nil {
		return f, derr
	}
	return f, err
}

// RecordIntervisionSession records one meeting of an intervision group (a
// trainer of the cohort or a member of the group); it creates the
// session's id. The attendees must be members of the group.
func (a *App) RecordIntervisionSession(ctx context.Context, w Write, c cohort.RecordIntervisionSession) (Written, error) {
	o := op{w: w, name: "record-intervision-session", target: c.CohortID + "/" + c.GroupID}
	c.SessionID = o.newID(a.ids, "intervision-session")
	dw, err := o.decided(ctx, func() (domain.Written, error) {
		f, err := a.groupAccess(ctx, w.Actor, c.CohortID, c.GroupID, access.KindIntervisionSession, access.ActionWrite, nil)
		if err != nil {
			return domain.Written{}, err
		}
		// Membership, the fact access rests on, can change with any write
		// to the cohort: decide on the revision read.
		rev, err := o.expect(f.revision)
		if err != nil {
			return domain.Written{}, err
		}
		c.Envelope, c.At = o.envelope("", rev), a.now()
		return a.deps.Cohorts.RecordIntervisionSession(ctx, c)
	})
	return written(c.SessionID, dw), err
}

// intervisionSessions reads the sessions of a group that p may read, and
// shows the case summaries only when p may read them.
func (a *App) intervisionSessions(ctx context.Context, p access.Principal, cohortID, groupID string, read func(*cohort.Cohort) ([]cohort.IntervisionSession, error)) (IntervisionSessions, error) {
	out := IntervisionSessions{CohortID: cohortID, GroupID: groupID}
	var readErr error
	f, err := a.groupAccess(ctx, p, cohortID, groupID, access.KindIntervisionSession, access.ActionRead, func(c *cohort.Cohort) {
		out.Sessions, readErr = read(c)
	})
	if err != nil {
		return IntervisionSessions{}, err
	}
	if readErr != nil {
		return IntervisionSessions{}, readErr
	}
	cr := f.resource
	cr.Kind = access.KindIntervisionCase
	out.CaseShown, out.Revision = a.allowed(p, access.ActionRead, cr), f.revision
	if !out.CaseShown {
		for i := range out.Sessions {
			out.Sessions[i].CaseSummary = ""
		}
	}
	return out, nil
}

// IntervisionSessions lists the sessions of an intervision group, by the
// day held (the cohort's trainers and the group's members; the case
// summaries only for the members).
func (a *App) IntervisionSessions(ctx context.Context, p access.Principal, cohortID, groupID string) (IntervisionSessions, error) {
	return a.intervisionSessions(ctx, p, cohortID, groupID, func(c *cohort.Cohort) ([]cohort.IntervisionSession, error) {
		ss := c.IntervisionSessions(groupID)
		if _, formed := c.Group(groupID); !formed && len(ss) == 0 {
			return nil, fmt.Errorf("intervision group %s of cohort %s: %w", groupID, cohortID, cohort.ErrGroupNotFound)
		}
		return ss, nil
	})
}

// IntervisionSession is one session of an intervision group, as
// IntervisionSessions shows it; ErrNotFound for a session not of the group.
func (a *App) IntervisionSession(ctx context.Context, p access.Principal, cohortID, groupID, sessionID string) (IntervisionSessions, error) {
	return a.intervisionSessions(ctx, p, cohortID, groupID, func(c *cohort.Cohort) ([]cohort.IntervisionSession, error) {
		s, err := c.IntervisionSession(groupID, sessionID)
		if err != nil {
			return nil, err
		}
		return []cohort.IntervisionSession{s}, nil
	})
}
