package usecase

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/leerpad/leerpad/domain"
	"github.com/leerpad/leerpad/domain/access"
	"github.com/leerpad/leerpad/domain/catalogue"
	"github.com/leerpad/leerpad/domain/journey"
	"github.com/leerpad/leerpad/domain/privacy"
)

// RetentionPolicy is a programme's retention: how many days after it
// ended a journey is kept, how many days a record of a portfolio read is
// kept, and when it was set (zero: the defaults, never set).
type RetentionPolicy struct {
	ProgrammeID   string
	JourneyDays   int
	ReadAuditDays int
	SetAt         time.Time
	Revision      uint64
}

// SetRetention sets a programme's retention (the programme office).
func (a *App) SetRetention(ctx context.Context, w Write, programmeID string, journeyDays, readAuditDays int) (Written, error) {
	if a.deps.Privacy == nil {
		return Written{}, unavailable("the retention policies")
	}
	if err := a.authorize(ctx, w.Actor, access.ActionWrite, access.Resource{Kind: access.KindRetention}); err != nil {
		return Written{}, err
	}
	if err := domain.Validate(domain.RequireID("programmeId", programmeID)); err != nil {
		return Written{}, err
	}
	if a.deps.ProgrammeView != nil {
		if _, err := a.deps.ProgrammeView.View(ctx, programmeID, func(*catalogue.Programme) {}); err != nil {
			return Written{}, notFound("programme", programmeID, err)
		}
	}
	o := op{w: w, name: "set-retention", target: programmeID}
	out, err := a.deps.Privacy.SetRetention(ctx, privacy.SetRetention{ProgrammeID: programmeID, JourneyDays: journeyDays,
		ReadAuditDays: readAuditDays, At: a.now(), Envelope: o.envelope("retention", domain.Revision{})})
	if err != nil {
		return Written{}, err
	}
	return written(programmeID, out), nil
}

// Retention is a programme's retention policy (the programme office); the
// defaults when none was set.
func (a *App) Retention(ctx context.Context, p access.Principal, programmeID string) (RetentionPolicy, error) {
	if err := a.authorize(ctx, p, access.ActionRead, access.Resource{Kind: access.KindRetention}); err != nil {
		return RetentionPolicy{}, err
	}
	if err := domain.Validate(domain.RequireID("programmeId", programmeID)); err != nil {
		return RetentionPolicy{}, err
	}
	if a.deps.ProgrammeView != nil {
		if _, err := a.deps.ProgrammeView.View(ctx, programmeID, func(*catalogue.Programme) {}); err != nil {
			return RetentionPolicy{}, notFound("programme", programmeID, err)
		}
	}
	return a.retention(ctx, programmeID)
}

// retention reads a programme's policy: the defaults when none was set.
func (a *App) retention(ctx context.Context, programmeID string) (RetentionPolicy, error) {
	out := RetentionPolicy{ProgrammeID: programmeID, JourneyDays: privacy.DefaultJourneyDays, ReadAuditDays: privacy.DefaultReadAuditDays}
	if a.deps.RetentionView == nil {
		return out, nil
	}
	rev, err := a.deps.RetentionView.View(ctx, programmeID, func(r *privacy.Retention) {
		out.JourneyDays, out.ReadAuditDays, out.SetAt = r.JourneyDays(), r.ReadAuditDays(), r.SetAt()
	})
	switch {
	case errors.Is(err, domain.ErrNotFound):
		return out, nil
	case err != nil:
		return out, err
	}
	out.Revision = rev
	return out, nil
}

// ReadAuditDays is the read-audit retention of a programme, in days, for
// the read audit's $maxAge.
func (a *App) ReadAuditDays(ctx context.Context, programmeID string) (int, error) {
	r, err := a.retention(ctx, programmeID)
	return r.ReadAuditDays, err
}

// RetentionCandidate is a participant some journey of whom has passed its
// programme's retention: erased by the retention run when every journey of
// theirs has (Erase), kept otherwise, with Why in both cases.
type RetentionCandidate struct {
	ParticipantID string
	JourneyIDs    []string
	Erase         bool
	Why           string
}

// RetentionDue lists, without erasing anything, whom the retention run
// would erase now and why, and whom it keeps although a journey of theirs
// is due (the programme office).
func (a *App) RetentionDue(ctx context.Context, p access.Principal) ([]RetentionCandidate, error) {
	if err := a.authorize(ctx, p, access.ActionRead, access.Resource{Kind: access.KindRetention}); err != nil {
		return nil, err
	}
	return a.retentionDue(ctx)
}

func (a *App) retentionDue(ctx context.Context) ([]RetentionCandidate, error) {
	if a.deps.Dashboards == nil || a.deps.Portfolios == nil {
		return nil, unavailable("the read models the retention reads")
	}
	now := a.now()
	policies := map[string]RetentionPolicy{}
	policy := func(programmeID string) (RetentionPolicy, error) {
		if r, ok := policies[programmeID]; ok {
			return r, nil
		}
		r, err := a.retention(ctx, programmeID)
		policies[programmeID] = r
		return r, err
	}
	// Every participant with a journey that ended, by cohort dashboard.
	var order []string
	seen := map[string]bool{}
	for _, c := range a.deps.Dashboards.Cohorts() {
		v, err := a.deps.Dashboards.Dashboard(c, now)
		if err != nil {
			continue
		}
		for _, row := range v.Participants {
			if row.ClosedAt != nil && row.JourneyID != "" && !seen[row.ParticipantID] {
				seen[row.ParticipantID] = true
				order = append(order, row.ParticipantID)
			}
		}
	}
	slices.Sort(order)
	var out []RetentionCandidate
	for _, pid := range order {
		var due, kept []string
		var why, keep string
		for _, jid := range a.deps.Portfolios.Journeys(pid) {
			v, err := a.deps.Portfolios.Current(jid)
			if err != nil {
				continue
			}
			r, err := policy(v.ProgrammeID)
			if err != nil {
				return nil, err
			}
			if v.ClosedAt == nil || v.Status == journey.StatusActive {
				kept = append(kept, jid)
				keep = fmt.Sprintf("journey %s is still active", jid)
				continue
			}
			until := v.ClosedAt.Add(privacy.Days(r.JourneyDays))
			if now.Before(until) {
				kept = append(kept, jid)
				keep = fmt.Sprintf("journey %s is kept until %s (%d days after it ended)", jid, until.Format(time.DateOnly), r.JourneyDays)
				continue
			}
			due = append(due, jid)
			why = fmt.Sprintf("journey %s of programme %s ended on %s (%s); the programme keeps journeys %d days, so it was due on %s",
				jid, v.ProgrammeID, v.ClosedAt.Format(time.DateOnly), v.Status, r.JourneyDays, until.Format(time.DateOnly))
		}
		if len(due) == 0 {
			continue
		}
		c := RetentionCandidate{ParticipantID: pid, JourneyIDs: due, Erase: len(kept) == 0, Why: why}
		if !c.Erase {
			c.Why = why + "; kept, for " + keep
		}
		out = append(out, c)
	}
	return out, nil
}

// RetentionOutcome is what the retention run did with one candidate.
type RetentionOutcome struct {
	RetentionCandidate
	Erasure privacy.PersonErased
	Written Written
	Err     error
}

// ApplyRetention erases, through the erasure use case (reason retention),
// every participant RetentionDue would erase (the programme office, or the
// schedule in serve). A failure of one erasure is reported in its outcome
// and does not stop the others.
func (a *App) ApplyRetention(ctx context.Context, w Write) ([]RetentionOutcome, error) {
	if err := a.authorize(ctx, w.Actor, access.ActionWrite, access.Resource{Kind: access.KindRetention}); err != nil {
		return nil, err
	}
	due, err := a.retentionDue(ctx)
	if err != nil {
		return nil, err
	}
	var out []RetentionOutcome
	for _, c := range due {
		if !c.Erase {
			continue
		}
		r, err := a.erase(ctx, Write{Actor: w.Actor, CorrelationID: w.CorrelationID}, EraseRequest{PersonID: c.ParticipantID}, privacy.RequesterRetention)
		out = append(out, RetentionOutcome{RetentionCandidate: c, Erasure: r.Erasure, Written: r.Written, Err: err})
	}
	return out, nil
}
