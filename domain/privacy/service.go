package privacy

import (
	"context"
	"errors"
	"fmt"

	"github.com/leerpad/leerpad/domain"
)

// ErasureRepository persists erasures as streams erasure-<person id>;
// Create returns domain.ErrConflict when the person's stream exists.
type ErasureRepository interface {
	Create(ctx context.Context, e *Erasure, env domain.Envelope) (domain.Written, error)
}

// RetentionRepository persists retention policies as streams
// retention-<programme id>. Update returns domain.ErrNotFound for a missing
// stream.
type RetentionRepository interface {
	Create(ctx context.Context, r *Retention, env domain.Envelope) (domain.Written, error)
	Update(ctx context.Context, id string, env domain.Envelope, decide func(r *Retention) error) (domain.Written, error)
}

// Service runs the commands of this package.
type Service struct {
	erasures  ErasureRepository
	retention RetentionRepository
}

// NewService returns a Service over its repositories.
func NewService(erasures ErasureRepository, retention RetentionRepository) *Service {
	return &Service{erasures: erasures, retention: retention}
}

// Erase records a person's erasure; ErrAlreadyErased when there is one.
func (s *Service) Erase(ctx context.Context, c Erase) (domain.Written, error) {
	e := ReplayErasure()
	if err := e.Erase(c); err != nil {
		return domain.Written{}, err
	}
	w, err := s.erasures.Create(ctx, e, c.Envelope)
	if errors.Is(err, domain.ErrConflict) {
		return w, fmt.Errorf("erase %s: %w", c.PersonID, ErrAlreadyErased)
	}
	if err != nil {
		return w, fmt.Errorf("erase %s: %w", c.PersonID, err)
	}
	return w, nil
}

// SetRetention sets a programme's retention policy.
func (s *Service) SetRetention(ctx context.Context, c SetRetention) (domain.Written, error) {
	w, err := s.retention.Update(ctx, c.ProgrammeID, c.Envelope, func(r *Retention) error { return r.Set(c) })
	if !errors.Is(err, domain.ErrNotFound) {
		if err != nil {
			return w, fmt.Errorf("set retention of %s: %w", c.ProgrammeID, err)
		}
		return w, nil
	}
	r := ReplayRetention()
	if err := r.Set(c); err != nil {
		return domain.Written{}, err
	}
	if w, err = s.retention.Create(ctx, r, c.Envelope); err != nil {
		return w, fmt.Errorf("set retention of %s: %w", c.ProgrammeID, err)
	}
	return w, nil
}
