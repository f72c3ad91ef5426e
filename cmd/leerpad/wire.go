package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"

	"github.com/EventStore/EventStore-Client-Go/v4/esdb"

	"github.com/leerpad/leerpad/domain/catalogue"
	"github.com/leerpad/leerpad/domain/cohort"
	"github.com/leerpad/leerpad/domain/feedback"
	"github.com/leerpad/leerpad/domain/journey"
	"github.com/leerpad/leerpad/eventstore"
	"github.com/leerpad/leerpad/eventstore/node"
)

// eventStoreFlags are shared by every command that works on the event
// store: the embedded node on a data directory, or an external node/cluster.
type eventStoreFlags struct {
	data       string
	connection string
}

func (f *eventStoreFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&f.data, "data", "./data", "data `directory` of the embedded event-store node")
	fs.StringVar(&f.connection, "eventstore", "", "connection `string` of an external node or KurrentDB cluster (esdb://...); when set, no embedded node is started")
}

// eventStore is an open connection to the event store, with the embedded
// node when Leerpad runs one.
type eventStore struct {
	node   *node.Node // nil with an external event store
	client *esdb.Client
}

// openEventStore starts the embedded node (unless an external one is named)
// and connects the official client to it.
func openEventStore(ctx context.Context, f eventStoreFlags, log *slog.Logger) (*eventStore, error) {
	es := &eventStore{}
	conn := f.connection
	if conn == "" {
		n, err := node.Start(ctx, node.Config{DataDir: f.data, Listen: "127.0.0.1:0", Logger: log})
		if err != nil {
			return nil, fmt.Errorf("start embedded event-store node: %w", err)
		}
		es.node = n
		conn = n.ConnectionString()
	}
	settings, err := esdb.ParseConnectionString(conn)
	if err != nil {
		es.Close()
		return nil, &usageError{msg: fmt.Sprintf("-eventstore: %v", err)}
	}
	settings.Logger = esdb.NoopLogging()
	es.client, err = esdb.NewClient(settings)
	if err != nil {
		es.Close()
		return nil, fmt.Errorf("connect to the event store: %w", err)
	}
	return es, nil
}

// Close closes the client and stops the embedded node.
func (es *eventStore) Close() error {
	var errs []error
	if es.client != nil {
		errs = append(errs, es.client.Close())
	}
	if es.node != nil {
		errs = append(errs, es.node.Close())
	}
	return errors.Join(errs...)
}

// newCodec registers every domain event type, once, for the whole process.
func newCodec() (*eventstore.Codec, error) {
	return eventstore.NewCodec(catalogue.EventTypes(), cohort.EventTypes(), journey.EventTypes(), feedback.EventTypes())
}

// services are the domain services over the event store.
type services struct {
	Modules     *catalogue.ModuleService
	Programmes  *catalogue.ProgrammeService
	Entities    *catalogue.EntityService
	Cohorts     *cohort.Service
	Journeys    *journey.Service
	Instruments *feedback.InstrumentService
	Rounds      *feedback.RoundService
	// JourneyLog loads journeys, for commands that ask where one stands
	// (seed skips the journeys an earlier run finished).
	JourneyLog *eventstore.Repository[*journey.Journey]
}

// newServices is the one place where repositories and services are wired.
// Stream categories are those of shared/ARCHITECTURE.md.
func newServices(store *eventstore.Store) *services {
	modules := eventstore.NewRepository(store, "module", catalogue.ReplayModule)
	programmes := eventstore.NewRepository(store, "programme", catalogue.ReplayProgramme)
	entities := eventstore.NewRepository(store, "entity", catalogue.ReplayEntity)
	cohorts := eventstore.NewRepository(store, "cohort", cohort.Replay)
	journeys := eventstore.NewRepository(store, "journey", journey.Replay)
	instruments := eventstore.NewRepository(store, "instrument", feedback.ReplayInstrument)
	rounds := eventstore.NewRepository(store, "feedback", feedback.ReplayRound)

	cohortService := cohort.NewService(cohorts, programmes, modules)
	return &services{
		Modules:     catalogue.NewModuleService(modules),
		Programmes:  catalogue.NewProgrammeService(programmes, modules),
		Entities:    catalogue.NewEntityService(entities, modules, programmes),
		Cohorts:     cohortService,
		Journeys:    journey.NewService(journeys, cohortService),
		Instruments: feedback.NewInstrumentService(instruments),
		Rounds:      feedback.NewRoundService(rounds, instruments, journeys),
		JourneyLog:  journeys,
	}
}
