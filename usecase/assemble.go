package usecase

import (
	"github.com/leerpad/leerpad/domain/catalogue"
	"github.com/leerpad/leerpad/domain/cohort"
	"github.com/leerpad/leerpad/domain/feedback"
	"github.com/leerpad/leerpad/domain/journey"
	"github.com/leerpad/leerpad/domain/privacy"
)

// Repositories are the repositories of every aggregate: each persists its
// aggregates (the domain's closure-style repository) and views them as
// their streams hold them now. The event store's repositories are all of
// these; cmd builds them.
type Repositories struct {
	Journeys interface {
		journey.Repository
		Viewer[*journey.Journey]
	}
	Cohorts interface {
		cohort.Repository
		Viewer[*cohort.Cohort]
	}
	Modules interface {
		catalogue.ModuleRepository
		Viewer[*catalogue.Module]
	}
	Programmes interface {
		catalogue.ProgrammeRepository
		Viewer[*catalogue.Programme]
	}
	Entities interface {
		catalogue.EntityRepository
		Viewer[*catalogue.Entity]
	}
	Instruments interface {
		feedback.InstrumentRepository
		Viewer[*feedback.Instrument]
	}
	Rounds interface {
		feedback.RoundRepository
		Viewer[*feedback.Round]
	}
	// Erasures and Retention may be nil: the privacy service is then not built.
	Erasures interface {
		privacy.ErasureRepository
		Viewer[*privacy.Erasure]
	}
	Retention interface {
		privacy.RetentionRepository
		Viewer[*privacy.Retention]
	}
}

// Services are the domain services over a set of repositories: the one
// place where they are built, for the use cases and for the demo data.
type Services struct {
	Journeys    *journey.Service
	Cohorts     *cohort.Service
	Modules     *catalogue.ModuleService
	Programmes  *catalogue.ProgrammeService
	Entities    *catalogue.EntityService
	Instruments *feedback.InstrumentService
	Rounds      *feedback.RoundService
	Privacy     *privacy.Service // nil without the repositories of erasures and retention
}

// NewServices builds the domain services over r. The journey service checks
// the module learning goals a learning goal links to, not its competencies:
// those need the list of published instruments (servicesOver).
func NewServices(r Repositories) Services { return servicesOver(r, nil) }

// servicesOver builds the domain services over r; published, when not nil,
// lists the published 360 instruments, whose competencies the learning
// goals of journeys may link to (catalogueLinks).
func servicesOver(r Repositories, published func() []string) Services {
	cohorts := cohort.NewService(r.Cohorts, r.Programmes, r.Modules)
	links := catalogueLinks{programmes: r.Programmes, modules: r.Modules, instruments: r.Instruments, published: published}
	return Services{
		Journeys:    journey.NewService(r.Journeys, cohorts, links),
		Cohorts:     cohorts,
		Modules:     catalogue.NewModuleService(r.Modules),
		Programmes:  catalogue.NewProgrammeService(r.Programmes, r.Modules),
		Entities:    catalogue.NewEntityService(r.Entities, r.Modules, r.Programmes),
		Instruments: feedback.NewInstrumentService(r.Instruments),
		Rounds:      feedback.NewRoundService(r.Rounds, r.Instruments, r.Journeys),
		Privacy:     privacyService(r),
	}
}

// Over returns d with the domain services built over r (NewServices, with
// the instruments of d.Offer for the links of learning goals) and the views
// of r.
func (d Deps) Over(r Repositories) Deps {
	s := servicesOver(r, publishedInstruments(d.Offer))
	d.Journeys, d.Cohorts, d.Modules, d.Programmes, d.Entities, d.Instruments, d.Rounds =
		s.Journeys, s.Cohorts, s.Modules, s.Programmes, s.Entities, s.Instruments, s.Rounds
	if s.Privacy != nil {
		d.Privacy, d.ErasureView, d.RetentionView = s.Privacy, r.Erasures, r.Retention
	}
	d.JourneyView, d.CohortView, d.ModuleView, d.ProgrammeView, d.EntityView, d.InstrumentView, d.RoundView =
		r.Journeys, r.Cohorts, r.Modules, r.Programmes, r.Entities, r.Instruments, r.Rounds
	return d
}

// privacyService is the privacy service over r's erasures and retention,
// or nil when r has not both.
func privacyService(r Repositories) *privacy.Service {
	if r.Erasures == nil || r.Retention == nil {
		return nil
	}
	return privacy.NewService(r.Erasures, r.Retention)
}
