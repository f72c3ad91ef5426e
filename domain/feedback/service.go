package feedback

import (
	"context"
	"errors"
	"fmt"

	"github.com/leerpad/leerpad/domain"
	"github.com/leerpad/leerpad/domain/journey"
)

// InstrumentRepository persists instruments as streams instrument-<uuid>.
//
// Create appends a new instrument's events to a stream that must not exist
// yet and returns domain.ErrConflict when it does. Update loads the stream,
// runs decide and appends what decide recorded, expecting the revision it
// loaded; it returns domain.ErrNotFound for a missing stream,
// domain.ErrConflict when another writer appended since the load, and
// decide's own error unchanged. Load returns domain.ErrNotFound for a missing
// stream.
//
// Both take the command's domain.Envelope: its idempotency key gives each
// event a deterministic id (a retried command records nothing twice), its
// actor and correlation id go into the events' metadata, and its Expected
// revision, when set, is the revision the decision must be made on
// (domain.ErrStale otherwise). Both return what they wrote.
type InstrumentRepository interface {
	Create(ctx context.Context, in *Instrument, env domain.Envelope) (domain.Written, error)
	Update(ctx context.Context, id string, env domain.Envelope, decide func(in *Instrument) error) (domain.Written, error)
	Load(ctx context.Context, id string) (*Instrument, error)
}

// RoundRepository persists rounds as streams feedback-<round uuid>, with the
// contract of InstrumentRepository but without Load.
type RoundRepository interface {
	Create(ctx context.Context, r *Round, env domain.Envelope) (domain.Written, error)
	Update(ctx context.Context, id string, env domain.Envelope, decide func(r *Round) error) (domain.Written, error)
}

// Journeys loads journeys; journey.Repository is one.
type Journeys interface {
	Load(ctx context.Context, id string) (*journey.Journey, error)
}

// InstrumentService runs the commands on instruments.
type InstrumentService struct {
	instruments InstrumentRepository
}

// NewInstrumentService returns an InstrumentService storing instruments in instruments.
func NewInstrumentService(instruments InstrumentRepository) *InstrumentService {
	return &InstrumentService{instruments: instruments}
}

// PublishInstrument publishes an instrument.
func (s *InstrumentService) PublishInstrument(ctx context.Context, c PublishInstrument) (domain.Written, error) {
	in := ReplayInstrument()
	if err := in.Publish(c); err != nil {
		return domain.Written{}, err
	}
	w, err := s.instruments.Create(ctx, in, c.Envelope)
	if err != nil {
		return w, fmt.Errorf("publish instrument %s: %w", c.InstrumentID, err)
	}
	return w, nil
}

// RetireInstrument retires an instrument.
func (s *InstrumentService) RetireInstrument(ctx context.Context, c RetireInstrument) (domain.Written, error) {
	return s.instruments.Update(ctx, c.InstrumentID, c.Envelope,
		func(in *Instrument) error { return in.Retire(c) })
}

// RoundService runs the commands on rounds. It reads the journey when a round
// opens and the instrument when a rater answers.
type RoundService struct {
	rounds      RoundRepository
	instruments InstrumentRepository
	journeys    Journeys
}

// NewRoundService returns a RoundService storing rounds in rounds.
func NewRoundService(rounds RoundRepository, instruments InstrumentRepository, journeys Journeys) *RoundService {
	return &RoundService{rounds: rounds, instruments: instruments, journeys: journeys}
}

// OpenRound opens a round for an active journey with a published instrument.
func (s *RoundService) OpenRound(ctx context.Context, c OpenRound) (domain.Written, error) {
	var (
		j   *journey.Journey
		in  *Instrument
		err error
	)
	// A missing journey or instrument stays nil: Open reports it after checking the input.
	if domain.RequireID("journeyId", c.JourneyID) == nil {
		if j, err = s.journeys.Load(ctx, c.JourneyID); err != nil && !errors.Is(err, domain.ErrNotFound) {
			return domain.Written{}, fmt.Errorf("open round %s: %w", c.RoundID, err)
		}
	}
	if domain.RequireID("instrumentId", c.InstrumentID) == nil {
		if in, err = s.instruments.Load(ctx, c.InstrumentID); err != nil && !errors.Is(err, domain.ErrNotFound) {
			return domain.Written{}, fmt.Errorf("open round %s: %w", c.RoundID, err)
		}
	}
	r := ReplayRound()
	if err := r.Open(c, j, in); err != nil {
		return domain.Written{}, err
	}
	w, err := s.rounds.Create(ctx, r, c.Envelope)
	if err != nil {
		return w, fmt.Errorf("open round %s: %w", c.RoundID, err)
	}
	return w, nil
}

// NominateRater nominates a rater.
func (s *RoundService) NominateRater(ctx context.Context, c NominateRater) (domain.Written, error) {
	return s.rounds.Update(ctx, c.RoundID, c.Envelope,
		func(r *Round) error { return r.Nominate(c) })
}

// ApproveRater approves a nominated rater.
func (s *RoundService) ApproveRater(ctx context.Context, c ApproveRater) (domain.Written, error) {
	return s.rounds.Update(ctx, c.RoundID, c.Envelope, func(r *Round) error {
		j, err := s.journeyOf(ctx, r)
		if err != nil {
			return fmt.Errorf("approve rater %s: %w", c.RaterID, err)
		}
		return r.Approve(c, j)
	})
}

// RejectRater turns a nominated rater down.
func (s *RoundService) RejectRater(ctx context.Context, c RejectRater) (domain.Written, error) {
	return s.rounds.Update(ctx, c.RoundID, c.Envelope, func(r *Round) error {
		j, err := s.journeyOf(ctx, r)
		if err != nil {
			return fmt.Errorf("reject rater %s: %w", c.RaterID, err)
		}
		return r.Reject(c, j)
	})
}

// journeyOf loads the journey of a round as it is now, for the decisions
// its current manager takes; nil for a round not opened or a journey gone.
func (s *RoundService) journeyOf(ctx context.Context, r *Round) (*journey.Journey, error) {
	if r.journeyID == "" {
		return nil, nil
	}
	j, err := s.journeys.Load(ctx, r.journeyID)
	if errors.Is(err, domain.ErrNotFound) {
		return nil, nil
	}
	return j, err
}

// SubmitResponse records a rater's answers. The round's instrument is read
// within the decision; instruments do not change once published.
func (s *RoundService) SubmitResponse(ctx context.Context, c SubmitResponse) (domain.Written, error) {
	return s.rounds.Update(ctx, c.RoundID, c.Envelope, func(r *Round) error {
		var in *Instrument
		if r.InstrumentID() != "" {
			var err error
			if in, err = s.instruments.Load(ctx, r.InstrumentID()); err != nil && !errors.Is(err, domain.ErrNotFound) {
				return fmt.Errorf("submit response: %w", err)
			}
		}
		return r.SubmitResponse(c, in)
	})
}

// SubmitSelfAssessment records the participant's own answers, nominating
// them as the self rater the first time, in one append: a refused answer set
// leaves the round's stream as it was.
func (s *RoundService) SubmitSelfAssessment(ctx context.Context, c SubmitSelfAssessment) (domain.Written, error) {
	return s.rounds.Update(ctx, c.RoundID, c.Envelope, func(r *Round) error {
		var in *Instrument
		if r.InstrumentID() != "" {
			var err error
			if in, err = s.instruments.Load(ctx, r.InstrumentID()); err != nil && !errors.Is(err, domain.ErrNotFound) {
				return fmt.Errorf("submit self-assessment: %w", err)
			}
		}
		return r.SubmitSelfAssessment(c, in)
	})
}

// IssueRaterLink records a rater's link, replacing the rater's earlier one.
func (s *RoundService) IssueRaterLink(ctx context.Context, c IssueRaterLink) (domain.Written, error) {
	return s.rounds.Update(ctx, c.RoundID, c.Envelope,
		func(r *Round) error { return r.IssueRaterLink(c) })
}

// EraseRater records that a rater of a round was erased; again, nothing.
func (s *RoundService) EraseRater(ctx context.Context, c EraseRater) (domain.Written, error) {
	return s.rounds.Update(ctx, c.RoundID, c.Envelope,
		func(r *Round) error { return r.EraseRater(c) })
}

// CloseRound closes a round.
func (s *RoundService) CloseRound(ctx context.Context, c CloseRound) (domain.Written, error) {
	return s.rounds.Update(ctx, c.RoundID, c.Envelope,
		func(r *Round) error { return r.Close(c) })
}
