// Package registry is the one list of every event type the domain stores:
// the event store's codec registers it (built once, in cmd), and the read
// models' snapshots encode and decode their events by it, so that the two
// can never disagree about which events exist and at which schema version.
// It is a package of its own because the domain package cannot import the
// aggregate packages that own the event types.
package registry

import (
	"github.com/leerpad/leerpad/domain"
	"github.com/leerpad/leerpad/domain/catalogue"
	"github.com/leerpad/leerpad/domain/cohort"
	"github.com/leerpad/leerpad/domain/feedback"
	"github.com/leerpad/leerpad/domain/journey"
	"github.com/leerpad/leerpad/domain/privacy"
)

// EventTypes returns the type of every domain event: those of the catalogue,
// cohorts, journeys, 360 feedback and privacy (erasures, retention, the read
// audit), in that order. Each call returns a new
// slice. Every name occurs once (TestEventTypes).
func EventTypes() []domain.EventType {
	var out []domain.EventType
	for _, g := range [][]domain.EventType{catalogue.EventTypes(), cohort.EventTypes(), journey.EventTypes(), feedback.EventTypes(), privacy.EventTypes()} {
		out = append(out, g...)
	}
	return out
}
