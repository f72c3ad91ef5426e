package api

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/leerpad/leerpad/api/precondition"
	"github.com/leerpad/leerpad/domain"
	"github.com/leerpad/leerpad/domain/access"
	"github.com/leerpad/leerpad/domain/cohort"
	"github.com/leerpad/leerpad/domain/journey"
)

// registerJourneyCourseRoutes registers how a journey runs its course: the
// programme office completes it and records a new manager, the participant
// (or the programme office for them) withdraws, the participant or a trainer
// of the cohort records the result of an instrument, and a manager lists the
// journeys of the participants they manage.
func (s *Server) registerJourneyCourseRoutes(g *echo.Group) {
	g.POST("/journeys/:journeyId/completions", s.handleCompletionCreate, s.requireUser, s.idempotent)
	g.POST("/journeys/:journeyId/withdrawals", s.handleWithdrawalCreate, s.requireUser, s.idempotent)
	g.PUT("/journeys/:journeyId/manager", s.handleManagerPut, s.requireUser)
	g.POST("/journeys/:journeyId/measurements", s.handleMeasurementCreate, s.requireUser, s.idempotent)
	g.GET("/managed-journeys", s.handleManagedJourneyList, s.requireUser)
}

// completionRequest completes a journey; it has no fields.
type completionRequest struct{}

func (completionRequest) validate() error { return nil }

// handleCompletionCreate is POST /v1/journeys/{journeyId}/completions: the
// programme office completes a journey. Nothing is logged on it after that,
// except that the participant can still stop sharing; a second completion,
// or the completion of a withdrawn journey, is refused (409).
func (s *Server) handleCompletionCreate(c echo.Context) error {
	var req completionRequest
	return s.doJourneyWrite(c, journeyWrite{kind: access.KindCompletion, action: access.ActionWrite, body: &req, status: http.StatusCreated,
		run: func(ctx context.Context, j *journey.Journey, at time.Time) (resourceRef, error) {
			err := s.d.Journeys.Complete(ctx, journey.Complete{JourneyID: j.ID(), At: at, IdempotencyKey: s.commandKey(c, "")})
			return resourceRef{ID: j.ID(), Href: journeyHref(j.ID())}, err
		}})
}

// withdrawalRequest withdraws a participant from a journey and its cohort.
type withdrawalRequest struct {
	Reason string `json:"reason,omitempty"`
}

func (r *withdrawalRequest) validate() error {
	return domain.Validate(domain.OptionalText("reason", r.Reason, domain.MaxText))
}

// withdrawalKey is the idempotency key of both commands of a journey's
// withdrawal. It derives from the journey alone, not from the request: a
// journey is withdrawn once, so every attempt (a retry with the same
// Idempotency-Key, a repeat without one, another caller finishing what the
// first began) writes the same event ids, and the repository skips a command
// whose events are already in its stream.
func withdrawalKey(journeyID string) string { return "withdraw/" + journeyID }

// handleWithdrawalCreate is POST /v1/journeys/{journeyId}/withdrawals: the
// participant withdraws from their journey, or the programme office records
// that they did. The participant leaves the cohort too, so that the
// journey's stream and the cohort's agree.
//
// The two streams cannot change in one append, so the withdrawal is two
// commands, in this order:
//
//  1. the journey (journey.Withdraw): the decision that can be refused for
//     what the journey is (completed, or not active) comes first, so a
//     refusal leaves both streams as they were; a journey stopped half-way
//     is closed to new entries, which is what the participant asked;
//  2. the cohort (cohort.WithdrawParticipant): once the journey is
//     withdrawn this cannot be refused for a reason of its own, save that
//     the participant already left the cohort, which counts as done.
//
// The other order could withdraw a participant from the cohort and then
// find the journey completed, leaving a completed journey whose participant
// left the cohort, which no retry could undo. Both commands carry
// withdrawalKey, so if the request fails between them (a 5xx), sending it
// again, with or without the same Idempotency-Key, completes the cohort's
// side and records nothing twice; a repeat of a finished withdrawal answers
// as the first did, and the reason first given stands.
func (s *Server) handleWithdrawalCreate(c echo.Context) error {
	var req withdrawalRequest
	return s.doJourneyWrite(c, journeyWrite{kind: access.KindWithdrawal, action: access.ActionWrite, body: &req, status: http.StatusCreated,
		run: func(ctx context.Context, j *journey.Journey, at time.Time) (resourceRef, error) {
			if s.d.Cohorts == nil {
				return resourceRef{}, unavailable("cohorts")
			}
			key := withdrawalKey(j.ID())
			err := s.d.Journeys.Withdraw(ctx, journey.Withdraw{JourneyID: j.ID(), Reason: req.Reason, At: at, IdempotencyKey: key})
			switch {
			case err == nil:
			case errors.Is(err, journey.ErrJourneyClosed) && j.Status() == journey.StatusWithdrawn:
				// Withdrawn before, but not through this endpoint (e.g. by
				// leerpad seed): see that the cohort agrees.
			default:
				return resourceRef{}, err
			}
			// The cohort is another stream: the journey's If-Match and ETag
			// are not about it.
			err = s.d.Cohorts.WithdrawParticipant(precondition.Unguarded(ctx), cohort.WithdrawParticipant{CohortID: j.CohortID(),
				ParticipantID: j.ParticipantID(), At: at, IdempotencyKey: key})
			if err != nil && !errors.Is(err, cohort.ErrParticipantWithdrawn) {
				return resourceRef{}, fmt.Errorf("withdraw the participant of journey %s from cohort %s: %w", j.ID(), j.CohortID(), err)
			}
			return resourceRef{ID: j.ID(), Href: journeyHref(j.ID())}, nil
		}})
}

// managerRequest names a participant's new manager.
type managerRequest struct {
	ManagerID string `json:"managerId"`
}

func (r *managerRequest) validate() error {
	return domain.Validate(domain.RequireID("managerId", r.ManagerID))
}

// handleManagerPut is PUT /v1/journeys/{journeyId}/manager: the programme
// office records the participant's new manager. The former manager's access
// ends at once; sharing does not carry over, so the new manager sees no
// section until the participant shares it again. If-Match is optional: the
// programme office does not read the journey itself.
func (s *Server) handleManagerPut(c echo.Context) error {
	var req managerRequest
	return s.doJourneyWrite(c, journeyWrite{kind: access.KindManagerChange, action: access.ActionWrite, body: &req,
		run: func(ctx context.Context, j *journey.Journey, at time.Time) (resourceRef, error) {
			err := s.d.Journeys.ChangeManager(ctx, journey.ChangeManager{JourneyID: j.ID(), ManagerID: strings.ToLower(req.ManagerID), At: at,
				IdempotencyKey: s.commandKey(c, "")})
			return resourceRef{ID: j.ID(), Href: journeyHref(j.ID())}, err
		}})
}

// measurementRequest records the result of an instrument: a leadership
// style, a team-role profile (such as Belbin), a skills measurement or
// another instrument, and when it was taken.
type measurementRequest struct {
	Kind       string    `json:"kind"`
	Instrument string    `json:"instrument"`
	Result     string    `json:"result"`
	TakenOn    *DateTime `json:"takenOn,omitempty"`
}

func (r *measurementRequest) validate() error {
	_, kerr := journey.ParseMeasurementKind(r.Kind)
	ps := []*domain.FieldError{fieldOf(kerr), domain.RequireText("instrument", r.Instrument, domain.MaxTitle),
		domain.RequireText("result", r.Result, domain.MaxText)}
	if r.TakenOn == nil {
		ps = append(ps, domain.Required("takenOn"))
	}
	return domain.Validate(ps...)
}

// handleMeasurementCreate is POST /v1/journeys/{journeyId}/measurements:
// the participant, or a trainer of their cohort who administered the
// instrument, records its result. It appears in the portfolio's
// measurements section.
func (s *Server) handleMeasurementCreate(c echo.Context) error {
	var req measurementRequest
	return s.doJourneyWrite(c, journeyWrite{kind: access.KindMeasurement, action: access.ActionWrite, body: &req, status: http.StatusCreated,
		run: func(ctx context.Context, j *journey.Journey, at time.Time) (resourceRef, error) {
			id := s.newID(c, "measurement")
			k, _ := journey.ParseMeasurementKind(req.Kind)
			err := s.d.Journeys.RecordMeasurement(ctx, journey.RecordMeasurement{JourneyID: j.ID(), MeasurementID: id, Kind: k, Instrument: req.Instrument,
				Result: req.Result, TakenOn: req.TakenOn.Time, At: at, IdempotencyKey: s.commandKey(c, "")})
			return resourceRef{ID: id, Href: journeyHref(j.ID()) + "/measurements/" + id}, err
		}})
}

// managedJourney is what a manager sees of a journey they manage: whose it
// is, where it runs, how it stands and which sections the participant
// shares with them; none of the content, which the portfolio shows per
// shared section.
type managedJourney struct {
	ID             string   `json:"id"`
	ParticipantID  string   `json:"participantId"`
	CohortID       string   `json:"cohortId"`
	ProgrammeID    string   `json:"programmeId"`
	Status         string   `json:"status"`
	SharedSections []string `json:"sharedSections"`
	PortfolioHref  string   `json:"portfolioHref"`
}

// managedJourneyList is a page of the journeys a manager manages.
type managedJourneyList struct {
	Items      []managedJourney `json:"items"`
	NextCursor string           `json:"nextCursor,omitempty"`
}

// handleManagedJourneyList is GET /v1/managed-journeys: the journeys of the
// participants the caller manages now, in the order they became theirs, a
// page at a time (limit, cursor). Managers only. The list comes from the
// portfolio read model, each item from the journey's stream; a journey the
// read model still lists after a change of manager is left out, so a page
// may then hold fewer than limit items, as it may when a journey was erased.
func (s *Server) handleManagedJourneyList(c echo.Context) error {
	p, _ := principalOf(c)
	if !p.Has(access.RoleManager) {
		return problemf(domain.ErrForbidden, "Access denied: only managers have participants' journeys to list.")
	}
	if s.d.Portfolios == nil {
		return unavailable("the portfolio read model")
	}
	list := "managed-journeys:" + p.Subject
	offset, limit, err := page(c, list)
	if err != nil {
		return err
	}
	if err := s.caughtUp(c, s.d.Portfolios.Name()); err != nil {
		return err
	}
	ids, next := pageOf(s.d.Portfolios.Managed(p.Subject), list, offset, limit)
	out := managedJourneyList{Items: make([]managedJourney, 0, len(ids)), NextCursor: next}
	now := s.now()
	for _, id := range ids {
		j, err := s.loadJourney(c.Request().Context(), id)
		if errors.Is(err, domain.ErrNotFound) {
			continue // erased since the read model listed it
		}
		if err != nil {
			return err
		}
		r := access.Resource{Kind: access.KindJourneySummary, ParticipantID: j.ParticipantID(), ManagerID: j.ManagerID()}
		if !access.Decide(p, access.ActionRead, r, now).Allowed {
			continue // the read model is behind a change of manager
		}
		out.Items = append(out.Items, managedJourney{ID: j.ID(), ParticipantID: j.ParticipantID(), CohortID: j.CohortID(), ProgrammeID: j.ProgrammeID(),
			Status: j.Status().String(), SharedSections: summaryOf(j).SharedWith, PortfolioHref: journeyHref(j.ID()) + "/portfolio"})
	}
	c.Response().Header().Set("Cache-Control", "no-store")
	return c.JSON(http.StatusOK, out)
}
