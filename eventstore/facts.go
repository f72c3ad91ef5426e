package eventstore

import (
	"context"
	"fmt"

	"github.com/leerpad/leerpad/domain"
	"github.com/leerpad/leerpad/domain/cohort"
	"github.com/leerpad/leerpad/domain/feedback"
)

// Facts answers the access questions that depend on a stream's first
// event, straight from the log: which trainers run a cohort, and whose
// journey a 360 round belongs to. Reading the log (not a read model) means an
// access decision never waits for a projection.
type Facts struct{ store *Store }

// NewFacts returns Facts over store.
func NewFacts(store *Store) Facts { return Facts{store: store} }

func (f Facts) first(ctx context.Context, stream string) (domain.Event, error) {
	recs, err := f.store.Load(ctx, stream)
	if err != nil {
		return nil, err
	}
	return recs[0].Event, nil
}

// CohortTrainers returns the trainers a cohort was planned with
// (domain.ErrNotFound for an unknown cohort).
func (f Facts) CohortTrainers(ctx context.Context, cohortID string) ([]string, error) {
	e, err := f.first(ctx, StreamID("cohort", cohortID))
	if err != nil {
		return nil, err
	}
	if p, ok := e.(cohort.Planned); ok {
		return p.TrainerIDs, nil
	}
	return nil, fmt.Errorf("cohort %s: %w", cohortID, domain.ErrNotFound)
}

// RoundJourney returns the journey a 360 round belongs to
// (domain.ErrNotFound for an unknown round).
func (f Facts) RoundJourney(ctx context.Context, roundID string) (string, error) {
	e, err := f.first(ctx, StreamID("feedback", roundID))
	if err != nil {
		return "", err
	}
	if o, ok := e.(feedback.RoundOpened); ok {
		return o.JourneyID, nil
	}
	return "", fmt.Errorf("round %s: %w", roundID, domain.ErrNotFound)
}
