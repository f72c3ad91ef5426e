package main

import (
	"github.com/leerpad/leerpad/domain/access"
	"github.com/leerpad/leerpad/projections/raterlinks"
	"github.com/leerpad/leerpad/usecase"
)

// raterLinkIndex is the rater-links read model as the use cases see it.
type raterLinkIndex struct{ m *raterlinks.ReadModel }

var _ usecase.RaterLinkIndex = raterLinkIndex{}

// Name is the read model's name.
func (x raterLinkIndex) Name() string { return x.m.Name() }

// ByHash returns the link whose token hashes to hash (domain.ErrNotFound: none).
func (x raterLinkIndex) ByHash(hash string) (access.RaterLink, error) {
	l, err := x.m.ByHash(hash)
	return linkOf(l), err
}

// Of returns the current link of a rater in a round (domain.ErrNotFound: none).
func (x raterLinkIndex) Of(roundID, raterID string) (access.RaterLink, error) {
	l, err := x.m.Of(roundID, raterID)
	return linkOf(l), err
}

func linkOf(l raterlinks.Link) access.RaterLink {
	return access.RaterLink{RoundID: l.RoundID, RaterID: l.RaterID, TokenHash: l.TokenHash, ExpiresAt: l.ExpiresAt}
}
