package api

import (
	"context"
	"errors"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/leerpad/leerpad/api/precondition"
	"github.com/leerpad/leerpad/domain"
	"github.com/leerpad/leerpad/domain/access"
	"github.com/leerpad/leerpad/domain/journey"
)

// Limits of request fields beyond the domain's own text limits.
const (
	maxListItems = 50   // agreements, values, ids in one request
	maxAnswers   = 200  // 360 answers in one response
	maxCSVRows   = 1000 // rows of one enrolment upload
)

// resourceRef is the answer to a write: the id of what it created or changed and
// where to read it.
type resourceRef struct {
	ID   string `json:"id"`
	Href string `json:"href"`
}

// loadJourney loads a journey for its access facts and revision.
func (s *Server) loadJourney(ctx context.Context, id string) (*journey.Journey, error) {
	if s.d.JourneyLog == nil {
		return nil, unavailable("journeys")
	}
	return s.d.JourneyLog.Load(ctx, id)
}

// journeyFacts are the access facts of a journey for kind.
func (s *Server) journeyFacts(ctx context.Context, kind access.Kind, j *journey.Journey) (access.Resource, error) {
	r := access.Resource{Kind: kind, ParticipantID: j.ParticipantID(), ManagerID: j.ManagerID(), CohortID: j.CohortID()}
	switch kind {
	case access.KindAssignment, access.KindIntervisionSession, access.KindCoachingSession, access.KindAttendance, access.KindMeasurement:
		ts, err := s.cohortTrainers(ctx, j.CohortID())
		if err != nil {
			return r, err
		}
		r.CohortTrainerIDs = ts
	}
	return r, nil
}

func (s *Server) cohortTrainers(ctx context.Context, cohortID string) ([]string, error) {
	if s.d.Facts == nil {
		return nil, unavailable("the cohorts' trainers")
	}
	return s.d.Facts.CohortTrainers(ctx, cohortID)
}

// journeyWrite is the shape of every command on a journey: read the
// journey id, load the journey, authorize, bind and check the body (when
// body is not nil), run the command with the write's context and the time
// now, and answer status with ref.
type journeyWrite struct {
	kind   access.Kind
	action access.Action
	match  ifMatch
	body   any
	status int
	run    func(ctx context.Context, j *journey.Journey, at time.Time) (resourceRef, error)
}

func (s *Server) doJourneyWrite(c echo.Context, w journeyWrite) error {
	if s.d.Journeys == nil {
		return unavailable("journeys")
	}
	id, err := pathID(c, "journeyId")
	if err != nil {
		return err
	}
	j, err := s.loadJourney(c.Request().Context(), id)
	if err != nil {
		return err
	}
	r, err := s.journeyFacts(c.Request().Context(), w.kind, j)
	if err != nil {
		return err
	}
	if err := s.authorize(c, w.action, r); err != nil {
		return err
	}
	if w.body != nil {
		if err := bindJSON(c, w.body); err != nil {
			return err
		}
	}
	wr, err := s.beginWrite(c, w.match)
	if err != nil {
		return err
	}
	out, err := w.run(wr.ctx, j, s.now())
	if err != nil {
		return err
	}
	wr.finish(c)
	if w.status < 0 {
		return nil // the handler answers itself
	}
	status := w.status
	if status == 0 {
		status = http.StatusOK
	}
	if status == http.StatusCreated {
		return created(c, out.Href, out)
	}
	return c.JSON(status, out)
}

// journeyHref is where a journey is read.
func journeyHref(id string) string { return "/v1/journeys/" + id }

// revisionOf returns the ETag revision of an aggregate.
func revisionOf(a precondition.Aggregate) (uint64, bool) { return precondition.Revision(a) }

// errAs is errors.As returning the target.
func errAs[T error](err error) (T, bool) {
	var t T
	ok := errors.As(err, &t)
	return t, ok
}

// validationOf wraps a single field error so that the 400 names it.
func validationOf(err error) error {
	if fe, ok := errAs[*domain.FieldError](err); ok {
		return domain.Validate(fe)
	}
	return err
}
