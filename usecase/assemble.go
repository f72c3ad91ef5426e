package usecase

import (
	"github.com/leerpad/leerpad/domain/catalogue"
	"github.com/leerpad/leerpad/domain/cohort"
	"github.com/leerpad/leerpad/domain/feedback"
	"github.com/leerpad/leerpad/domain/journey"
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
}

// NewServices builds the domain services over r.
func NewServices(r Repositories) Services {
	cohorts := cohort.NewService(r.Cohorts, r.Programmes, r.Modules)
	return Services{
		Journeys:    journey.NewService(r.Journeys, cohorts),
		Cohorts:     cohorts,
		Modules:     catalogue.NewModuleService(r.Modules),
		Programmes:  catalogue.NewProgrammeService(r.Programmes, r.Modules),
		Entities:    catalogue.NewEntityService(r.Entities, r.Modules, r.Programmes),
		Instruments: feedback.NewInstrumentService(r.Instruments),
		Rounds:      feedback.NewRoundService(r.Rounds, r.Instruments, r.Journeys),
	}
}

// Over returns d with the domain services built over r (NewServices) and
// the views of r.
func (d Deps) Over(r Repositories) Deps {
	s := NewServices(r)
	d.Journeys, d.Cohorts, d.Modules, d.Programmes, d.Entities, d.Instruments, d.Rounds =
		s.Journeys, s.Cohorts, s.Modules, s.Programmes, s.Entities, s.Instruments, s.Rounds
	d.JourneyView, d.CohortView, d.ModuleView, d.ProgrammeView, d.EntityView, d.InstrumentView, d.RoundView =
		r.Journeys, r.Cohorts, r.Modules, r.Programmes, r.Entities, r.Instruments, r.Rounds
	return d
}
