package usecase

import (
	"context"

	"github.com/leerpad/leerpad/domain/access"
)

// RaterLinkIndex is the rater-links read model: the links issued, by the
// hash of their token (never the token) and by round and rater. Both
// lookups return an error wrapping domain.ErrNotFound for no link.
type RaterLinkIndex interface {
	// Name is the read model's name, the one ReadYourWrites waits for.
	Name() string
	ByHash(hash string) (access.RaterLink, error)
	Of(roundID, raterID string) (access.RaterLink, error)
}

// RaterLink returns the link whose token hashes to hash, expired or not
// (the caller tells an expired link apart), or an error wrapping
// domain.ErrNotFound: how a rater holding a link is recognised.
func (a *App) RaterLink(_ context.Context, hash string) (access.RaterLink, error) {
	if a.deps.RaterLinks == nil {
		return access.RaterLink{}, unavailable("the rater-links read model")
	}
	return a.deps.RaterLinks.ByHash(hash)
}
