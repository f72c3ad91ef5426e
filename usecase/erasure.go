package usecase

import (
	"context"
	"errors"
	"fmt"

	"github.com/leerpad/leerpad/domain"
	"github.com/leerpad/leerpad/domain/access"
	"github.com/leerpad/leerpad/domain/cohort"
	"github.com/leerpad/leerpad/domain/feedback"
	"github.com/leerpad/leerpad/domain/journey"
	"github.com/leerpad/leerpad/domain/portfolio"
	"github.com/leerpad/leerpad/domain/privacy"
)

// EraseRequest is what an erasure asks: whom, why (required when the
// programme office asks; a person who asks themselves gives
// subject-request) and the office's case number, if any.
type EraseRequest struct {
	PersonID  string
	Reason    string
	Reference string
	// Min, when not 0, is a log position the read models must have passed
	// before the person's traces are looked up (read-your-writes).
	Min uint64
}

// ErasureResult is a person's erasure as recorded, what was written, and
// whether this request recorded it (false: an earlier one did, and this one
// completed what it had left undone, if anything).
type ErasureResult struct {
	Erasure privacy.PersonErased
	Written Written
	Created bool
}

// ErrStillManaging is the erasure of a manager who still manages a journey
// that is running: the programme office records a new manager first. The
// journeys they manage that ended lose their manager with the erasure.
var ErrStillManaging = fmt.Errorf("the person still manages a participant's journey; record a new manager first: %w", domain.ErrConflict)

// Erase erases a person (participant, manager or rater): the person
// themselves, or the programme office on their request with a reason. It
// records the erasure (erasure-<person id>), records on each journey of the
// participant that it is erased and on each 360 round they were a rater in
// that they are, so that every read model drops them; then the Shredder
// deletes their key. It is idempotent: a second erasure answers with the
// first and completes whatever the first left undone.
func (a *App) Erase(ctx context.Context, w Write, req EraseRequest) (ErasureResult, error) {
	return a.erase(ctx, w, req, privacy.Requester{})
}

// erase is Erase; by, when set, is who asks (the retention schedule),
// otherwise the principal decides.
func (a *App) erase(ctx context.Context, w Write, req EraseRequest, by privacy.Requester) (ErasureResult, error) {
	if a.deps.Privacy == nil || a.deps.ErasureView == nil {
		return ErasureResult{}, unavailable("the record of erasures")
	}
	if a.deps.Portfolios == nil {
		return ErasureResult{}, unavailable("the portfolio read model")
	}
	if err := domain.Validate(domain.RequireID("personId", req.PersonID)); err != nil {
		return ErasureResult{}, err
	}
	p := w.Actor
	r := access.Resource{Kind: access.KindErasure, PersonID: req.PersonID}
	if by != privacy.RequesterRetention {
		if err := a.authorize(ctx, p, access.ActionWrite, r); err != nil {
			return ErasureResult{}, err
		}
		by = privacy.RequesterProgrammeOffice
		if p.Subject == req.PersonID && !p.Has(access.RoleProgrammeOffice) {
			by = privacy.RequesterSelf
		}
	}
	reason, err := erasureReason(req.Reason, by)
	if err != nil {
		return ErasureResult{}, err
	}
	if err := domain.Validate(privacy.OptionalReference("reference", req.Reference)); err != nil {
		return ErasureResult{}, err
	}

	if err := a.caughtUp(ctx, req.Min, a.deps.Portfolios.Name()); err != nil {
		return ErasureResult{}, err
	}
	o := op{w: w, name: "erase", target: req.PersonID}
	traces := a.deps.Portfolios.Traces(req.PersonID)
	rec, found, err := a.erasure(ctx, req.PersonID)
	if err != nil {
		return ErasureResult{}, err
	}
	out := ErasureResult{Erasure: rec}
	if !found {
		if traces.Empty() {
			return ErasureResult{}, fmt.Errorf("person %s not found (no participant, manager or rater Leerpad knows): %w", req.PersonID, domain.ErrNotFound)
		}
		for _, id := range traces.Managed {
			if v, err := a.deps.Portfolios.Current(id); err == nil && v.Status == journey.StatusActive {
				return ErasureResult{}, ErrStillManaging
			}
		}
		actor := p.Subject
		if by == privacy.RequesterRetention {
			actor = ""
		}
		c := privacy.Erase{ErasureID: o.newID(a.ids, "erasure"), PersonID: req.PersonID, Roles: rolesOf(traces),
			RequestedBy: by, ActorID: actor, Reason: reason, Reference: req.Reference, At: a.now(), Envelope: o.envelope("erasure", domain.Revision{})}
		wr, err := a.deps.Privacy.Erase(ctx, c)
		switch {
		case errors.Is(err, privacy.ErrAlreadyErased):
			// Another request got there first: answer with its record.
			if out.Erasure, _, err = a.erasure(ctx, req.PersonID); err != nil {
				return ErasureResult{}, err
			}
		case err != nil:
			return ErasureResult{}, err
		default:
			out.Erasure, out.Created = privacy.PersonErased{ErasureID: c.ErasureID, PersonID: c.PersonID, Roles: c.Roles,
				RequestedBy: c.RequestedBy, ActorID: c.ActorID, Reason: c.Reason, Reference: c.Reference, At: c.At}, true
			out.Written = written(c.ErasureID, wr)
		}
	}
	out.Written.ID = out.Erasure.ErasureID
	last, err := a.eraseTraces(ctx, o, out.Erasure.ErasureID, req.PersonID, traces)
	if err != nil {
		return ErasureResult{}, err
	}
	if last.Position > out.Written.Position {
		out.Written.Position = last.Position
	}
	if err := a.freezeReleased(ctx, o, traces.Journeys, out.Written.Position); err != nil {
		return ErasureResult{}, err
	}
	if a.deps.Shredder != nil {
		if err := a.deps.Shredder.Forget(ctx, req.PersonID); err != nil {
			return ErasureResult{}, fmt.Errorf("forget the key of %s: %w", req.PersonID, err)
		}
	}
	return out, nil
}

// freezeReleased records in the log the impact figures of every released
// cohort of the journeys, as the impact read model computed them at the
// release, where they are not recorded yet; before the key of their
// participant is deleted. Afterwards the 360 answers about the participant
// no longer decrypt, and a read model that reads the log again would count
// the release without them; with the figures in the log, released figures
// never change (leerpad.impact/v2 §4; the k rule keeps them anonymous). It
// waits until the impact read model has passed position, which is after
// every release it could need.
func (a *App) freezeReleased(ctx context.Context, o op, journeys []string, position uint64) error {
	if a.deps.Impact == nil {
		return nil // this Leerpad keeps no impact figures
	}
	waited := false
	for _, id := range journeys {
		var cohortID string
		if _, err := a.deps.JourneyView.View(ctx, id, func(j *journey.Journey) { cohortID = j.CohortID() }); err != nil || cohortID == "" {
			continue // not a journey of this log (an erasure completed before)
		}
		var m cohort.Measurement
		if _, err := a.deps.CohortView.View(ctx, cohortID, func(c *cohort.Cohort) { m = c.Measurement() }); err != nil {
			return fmt.Errorf("the measurement of cohort %s: %w", cohortID, err)
		}
		if !m.Closed || m.FiguresFrozen {
			continue
		}
		if !waited {
			if err := a.caughtUp(ctx, position, a.deps.Impact.Name()); err != nil {
				return err
			}
			waited = true
		}
		figures, err := a.deps.Impact.Frozen(cohortID)
		if errors.Is(err, domain.ErrNotFound) {
			// The cohort is released in its stream, not yet in the read
			// model (it is catching up after a start): ask again later.
			return unavailable("the impact read model, still catching up with the release of cohort " + cohortID)
		}
		if err != nil {
			return fmt.Errorf("the released figures of cohort %s: %w", cohortID, err)
		}
		_, err = a.deps.Cohorts.FreezeFigures(ctx, cohort.FreezeFigures{CohortID: cohortID, Figures: figures, At: a.now(),
			Envelope: o.envelope("freeze:"+cohortID, domain.Revision{})})
		if err != nil && !errors.Is(err, cohort.ErrFiguresFrozen) {
			return fmt.Errorf("freeze the figures of cohort %s: %w", cohortID, err)
		}
	}
	return nil
}

// eraseTraces records on each journey of the person that it is erased, on
// each ended journey they manage that its manager is, and in each round
// they rated in that they are; what is erased already records nothing. It
// returns the last write.
func (a *App) eraseTraces(ctx context.Context, o op, erasureID, personID string, t portfolio.Traces) (domain.Written, error) {
	var last domain.Written
	for _, id := range t.Journeys {
		w, err := a.deps.Journeys.Erase(ctx, journey.Erase{JourneyID: id, ErasureID: erasureID, At: a.now(), Envelope: o.envelope("journey:"+id, domain.Revision{})})
		if err != nil && !errors.Is(err, domain.ErrNotFound) {
			return last, fmt.Errorf("erase journey %s: %w", id, err)
		}
		last = last.After(w)
	}
	for _, id := range t.Managed {
		w, err := a.deps.Journeys.EraseManager(ctx, journey.EraseManager{JourneyID: id, ManagerID: personID, ErasureID: erasureID, At: a.now(),
			Envelope: o.envelope("managed:"+id, domain.Revision{})})
		if err != nil && !errors.Is(err, domain.ErrNotFound) {
			return last, fmt.Errorf("erase the manager of journey %s: %w", id, err)
		}
		last = last.After(w)
	}
	for _, rr := range t.Rated {
		w, err := a.deps.Rounds.EraseRater(ctx, feedback.EraseRater{RoundID: rr.RoundID, RaterID: personID, ErasureID: erasureID, At: a.now(),
			Envelope: o.envelope("round:"+rr.RoundID, domain.Revision{})})
		if err != nil && !errors.Is(err, domain.ErrNotFound) {
			return last, fmt.Errorf("erase rater in round %s: %w", rr.RoundID, err)
		}
		last = last.After(w)
	}
	return last, nil
}

// rolesOf names the roles the person held, by what the read model holds.
func rolesOf(t portfolio.Traces) []privacy.PersonRole {
	var out []privacy.PersonRole
	if len(t.Journeys) > 0 {
		out = append(out, privacy.RoleParticipant)
	}
	if len(t.Managed) > 0 || len(t.FormerlyManaged) > 0 {
		out = append(out, privacy.RoleManager)
	}
	if len(t.Rated) > 0 {
		out = append(out, privacy.RoleRater)
	}
	return out
}

// erasureReason is the reason of an erasure asked by by: required from the
// programme office, subject-request when a person asks themselves and
// gives none, retention for the schedule.
func erasureReason(s string, by privacy.Requester) (privacy.Reason, error) {
	switch {
	case by == privacy.RequesterRetention:
		return privacy.ReasonRetention, nil
	case s == "" && by == privacy.RequesterSelf:
		return privacy.ReasonSubjectRequest, nil
	case s == "":
		return privacy.Reason{}, domain.Validate(domain.Invalid("reason", "is required when the programme office erases a person: one of %s", reasonNames()))
	}
	r, err := privacy.ParseReason(s)
	if err != nil {
		return r, domain.Validate(fieldOf(err))
	}
	if r == privacy.ReasonRetention {
		return r, domain.Validate(domain.Invalid("reason", "retention is the schedule's own reason"))
	}
	return r, nil
}

func reasonNames() string {
	var s string
	for i, r := range privacy.Reasons() {
		if i > 0 {
			s += ", "
		}
		s += r.String()
	}
	return s
}

// fieldOf returns the *domain.FieldError err is, or one for reason.
func fieldOf(err error) *domain.FieldError {
	var fe *domain.FieldError
	if errors.As(err, &fe) {
		return fe
	}
	return domain.Invalid("reason", "%s", err.Error())
}

// erasure returns the erasure of a person, and whether there is one.
func (a *App) erasure(ctx context.Context, personID string) (privacy.PersonErased, bool, error) {
	var rec privacy.PersonErased
	var found bool
	_, err := a.deps.ErasureView.View(ctx, personID, func(e *privacy.Erasure) { rec, found = e.Record() })
	if errors.Is(err, domain.ErrNotFound) {
		return rec, false, nil
	}
	return rec, found, err
}

// Erasure is the erasure erasureID of a person: for the person themselves
// and the programme office. ErrNotFound when the person was not erased, or
// not by that erasure.
func (a *App) Erasure(ctx context.Context, p access.Principal, personID, erasureID string) (privacy.PersonErased, error) {
	if a.deps.ErasureView == nil {
		return privacy.PersonErased{}, unavailable("the record of erasures")
	}
	if err := a.authorize(ctx, p, access.ActionRead, access.Resource{Kind: access.KindErasure, PersonID: personID}); err != nil {
		return privacy.PersonErased{}, err
	}
	rec, found, err := a.erasure(ctx, personID)
	if err != nil {
		return rec, err
	}
	if !found || rec.ErasureID != erasureID {
		return privacy.PersonErased{}, fmt.Errorf("erasure %s of person %s not found: %w", erasureID, personID, domain.ErrNotFound)
	}
	return rec, nil
}
