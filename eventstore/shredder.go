package eventstore

import (
	"context"
	"fmt"

	"github.com/leerpad/leerpad/domain"
	"github.com/leerpad/leerpad/eventstore/keystore"
)

// Forgetter deletes a person's key for good (keystore.Store).
type Forgetter interface {
	Forget(subject string) error
}

// KeptDropper is a repository that keeps decided aggregates (Repository).
type KeptDropper interface {
	DropKept()
}

// Shredder forgets people (crypto-shredding): it deletes a person's key, so
// that every field encrypted with it is unreadable wherever it is stored or
// copied, then drops what this process derived from it in plain text: the
// repositories' kept aggregates and the store's stream cache (all of them:
// see Repository.DropKept). Read models are not its concern: an erasure
// event makes them blank the person (their snapshots are sealed with a key
// the Shredder's after-hooks rotate; docs/decisions/0013).
type Shredder struct {
	keys  Forgetter
	store *Store
	kept  []KeptDropper
	after []func() error
}

// NewShredder returns the Shredder over keys, store and the repositories kept.
func NewShredder(keys Forgetter, store *Store, kept ...KeptDropper) *Shredder {
	return &Shredder{keys: keys, store: store, kept: kept}
}

// After adds f, run by each Forget after the key is deleted and the caches
// dropped (e.g. forgetting the key of the read models' snapshots).
func (s *Shredder) After(f func() error) *Shredder {
	s.after = append(s.after, f)
	return s
}

// Forget deletes subjectID's key and drops the plain-text caches. It returns
// an error wrapping domain.ErrInvalid for an id that names no person, and any
// error of the key store (the person is not forgotten until Forget
// succeeds: call it again). Forgetting someone twice succeeds.
func (s *Shredder) Forget(ctx context.Context, subjectID string) error {
	if err := keystore.CheckSubject(subjectID); err != nil {
		return fmt.Errorf("forget: %w: %w", domain.ErrInvalid, err)
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := s.keys.Forget(subjectID); err != nil {
		return fmt.Errorf("forget %s: %w", subjectID, err)
	}
	for _, k := range s.kept {
		k.DropKept()
	}
	if s.store != nil {
		s.store.DropStreamCache()
	}
	for _, f := range s.after {
		if err := f(); err != nil {
			return fmt.Errorf("forget %s: %w", subjectID, err)
		}
	}
	return nil
}
