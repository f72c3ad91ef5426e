package usecase

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/leerpad/leerpad/domain"
	"github.com/leerpad/leerpad/domain/access"
	"github.com/leerpad/leerpad/domain/behaviourchange"
	"github.com/leerpad/leerpad/domain/catalogue"
	"github.com/leerpad/leerpad/domain/cohort"
	"github.com/leerpad/leerpad/domain/cohortdashboard"
	"github.com/leerpad/leerpad/domain/feedback"
	"github.com/leerpad/leerpad/domain/journey"
	"github.com/leerpad/leerpad/domain/offer"
	"github.com/leerpad/leerpad/domain/portfolio"
	"github.com/leerpad/leerpad/domain/privacy"
)

// Deps are what the use cases stand on: the domain services, the
// repositories' views of the aggregates, the read models, the clock and the
// maker of ids. Every field is required, except the read models and rater
// links, without which the use cases that need them answer ErrUnavailable.
type Deps struct {
	Clock Clock
	IDs   IDs
	// Log receives access denials (kind, action, reason: never a person).
	Log *slog.Logger

	Journeys    JourneyCommands
	Cohorts     CohortCommands
	Modules     ModuleCommands
	Programmes  ProgrammeCommands
	Entities    EntityCommands
	Instruments InstrumentCommands
	Rounds      RoundCommands

	JourneyView    Viewer[*journey.Journey]
	CohortView     Viewer[*cohort.Cohort]
	ModuleView     Viewer[*catalogue.Module]
	ProgrammeView  Viewer[*catalogue.Programme]
	EntityView     Viewer[*catalogue.Entity]
	InstrumentView Viewer[*feedback.Instrument]
	RoundView      Viewer[*feedback.Round]

	// Privacy records erasures and retention policies, ErasureView and
	// RetentionView read them; Shredder forgets an erased person's key and
	// ReadAudit keeps who read a portfolio. Without them the use cases of
	// people's control of their data answer ErrUnavailable (Shredder: an
	// erasure is recorded and every read model drops the person, but no
	// key is deleted; the crypto-shredding codec provides one).
	Privacy       PrivacyCommands
	ErasureView   Viewer[*privacy.Erasure]
	RetentionView Viewer[*privacy.Retention]
	Shredder      Shredder
	ReadAudit     ReadAudit

	Portfolios         Portfolios
	Dashboards         Dashboards
	ChangeMeasurements ChangeMeasurements
	Offer              Offer
	ReadYourWrites     ReadYourWrites
	RaterLinks         RaterLinkIndex
	Impact             Impacts
}

// Portfolios is the portfolio read model.
type Portfolios interface {
	// Name is the read model's name, the one ReadYourWrites waits for.
	Name() string
	Current(journeyID string) (portfolio.View, error)
	AsOf(ctx context.Context, journeyID string, t time.Time) (portfolio.View, error)
	// AtConversation is the portfolio as it stood when a development
	// conversation was held; an error wrapping domain.ErrNotFound for an
	// unknown journey or conversation.
	AtConversation(ctx context.Context, journeyID, conversationID string) (portfolio.View, error)
	Journeys(participantID string) []string
	// Managed returns the ids of the journeys a manager manages now.
	Managed(managerID string) []string
	// Traces is what the read model holds of a person: their journeys, the
	// journeys they manage or managed, the rounds they rated in.
	Traces(personID string) portfolio.Traces
	// SharingHistory is what the participant shared with their manager,
	// change by change (ErrNotFound for an unknown journey).
	SharingHistory(journeyID string) ([]portfolio.SharingChange, error)
}

// Dashboards is the cohort dashboard read model.
type Dashboards interface {
	Name() string
	Dashboard(cohortID string, now time.Time) (cohortdashboard.View, error)
	// DashboardAtRisk is Dashboard with weeks of inactivity after which an
	// active participant is at risk (the configured number when weeks is
	// not positive).
	DashboardAtRisk(cohortID string, now time.Time, weeks int) (cohortdashboard.View, error)
	// Cohorts returns the ids of every cohort the read model has seen.
	Cohorts() []string
}

// ChangeMeasurements is the behaviour-change read model.
type ChangeMeasurements interface {
	Name() string
	Cohort(cohortID string) (behaviourchange.Cohort, error)
}

// Offer is the read model behind the catalogue's lists and the list of
// cohorts. Each list is in the order its items entered the log and only
// grows at its end, retired and cancelled items included.
type Offer interface {
	Name() string
	Modules() []offer.Module
	Programmes() []offer.Programme
	Instruments() []offer.Instrument
	Entities() []offer.Entity
	Cohorts() []offer.Cohort
}

// ReadYourWrites waits until a read model has handled the event at a global
// position; the projections runner is one. WaitFor returns ctx's error when
// ctx ends first.
type ReadYourWrites interface {
	WaitFor(ctx context.Context, name string, pos uint64) error
}

// App holds every use case: one file per area (journeys.go, cohorts.go,
// catalogue.go, feedback.go, ...), one method per command or query.
type App struct {
	now  Clock
	ids  IDs
	log  *slog.Logger
	deps Deps

	journeys Viewer[*journey.Journey]
	cohorts  Viewer[*cohort.Cohort]
	rounds   Viewer[*feedback.Round]
}

// New returns the use cases over deps.
func New(deps Deps) (*App, error) {
	switch {
	case deps.Clock == nil:
		return nil, errors.New("usecase: no clock")
	case deps.IDs == nil:
		return nil, errors.New("usecase: no id maker")
	case deps.JourneyView == nil || deps.CohortView == nil || deps.RoundView == nil:
		return nil, errors.New("usecase: the views of journeys, cohorts and rounds are required")
	}
	log := deps.Log
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &App{now: deps.Clock, ids: deps.IDs, log: log, deps: deps,
		journeys: deps.JourneyView, cohorts: deps.CohortView, rounds: deps.RoundView}, nil
}

// ErrUnavailable means this Leerpad runs without what a use case needs (a
// read model, the rater-link store). It wraps no domain kind.
var ErrUnavailable = errors.New("not available on this Leerpad")

func unavailable(what string) error { return fmt.Errorf("%s: %w", what, ErrUnavailable) }

// DeniedError is a refusal by the access policy. Reason names the rule,
// never a person; it may be shown to the caller. It wraps domain.ErrForbidden.
type DeniedError struct{ Reason string }

func (e *DeniedError) Error() string { return "Access denied: " + e.Reason + "." }

// Unwrap returns domain.ErrForbidden.
func (e *DeniedError) Unwrap() error { return domain.ErrForbidden }

// authorize asks the one policy whether p may do act on r now.
func (a *App) authorize(ctx context.Context, p access.Principal, act access.Action, r access.Resource) error {
	d := access.Decide(p, act, r, a.now())
	if !d.Allowed {
		a.log.InfoContext(ctx, "access denied", "kind", r.Kind.String(), "action", act.String(), "reason", d.Reason)
		return &DeniedError{Reason: d.Reason}
	}
	return nil
}

// allowed reports whether p may do act on r now, without logging a denial:
// for reads that show what is allowed and leave out the rest.
func (a *App) allowed(p access.Principal, act access.Action, r access.Resource) bool {
	return access.Decide(p, act, r, a.now()).Allowed
}

// NotCaughtUpError means a read model has not reached the position a read
// asked for within its wait.
type NotCaughtUpError struct {
	ReadModel string
	Position  uint64
}

func (e *NotCaughtUpError) Error() string {
	return fmt.Sprintf("The %s read model has not reached position %d yet; retry shortly.", e.ReadModel, e.Position)
}

// caughtUp waits, when min is not 0, until each named read model has handled
// position min, as long as ctx lasts.
func (a *App) caughtUp(ctx context.Context, min uint64, names ...string) error {
	if min == 0 {
		return nil
	}
	if a.deps.ReadYourWrites == nil {
		return unavailable("a read-model runner to wait for")
	}
	for _, name := range names {
		if err := a.deps.ReadYourWrites.WaitFor(ctx, name, min); err != nil {
			if errors.Is(err, context.Canceled) {
				return err
			}
			return &NotCaughtUpError{ReadModel: name, Position: min}
		}
	}
	return nil
}

// Page is a window of a list: Offset items skipped, at most Limit returned.
type Page struct {
	Offset, Limit int
}

// window returns the items of p, and the total.
func window[T any](items []T, p Page) ([]T, int) {
	off := min(max(p.Offset, 0), len(items))
	end := min(off+max(p.Limit, 0), len(items))
	return items[off:end:end], len(items)
}
