package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"path/filepath"

	"github.com/EventStore/EventStore-Client-Go/v4/esdb"
	"github.com/google/uuid"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/leerpad/leerpad/domain/catalogue"
	"github.com/leerpad/leerpad/domain/cohort"
	"github.com/leerpad/leerpad/domain/feedback"
	"github.com/leerpad/leerpad/domain/journey"
	"github.com/leerpad/leerpad/domain/registry"
	"github.com/leerpad/leerpad/eventstore"
	"github.com/leerpad/leerpad/eventstore/node"
	"github.com/leerpad/leerpad/eventstore/projectionlog"
	"github.com/leerpad/leerpad/projections"
	"github.com/leerpad/leerpad/projections/behaviourchange"
	"github.com/leerpad/leerpad/projections/cohortdashboard"
	"github.com/leerpad/leerpad/projections/impact"
	"github.com/leerpad/leerpad/projections/offer"
	"github.com/leerpad/leerpad/projections/portfolio"
	"github.com/leerpad/leerpad/projections/raterlinks"
	"github.com/leerpad/leerpad/usecase"
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
		_ = es.Close() // the parse error is the one to report
		return nil, &usageError{msg: fmt.Sprintf("-eventstore: %v", err)}
	}
	settings.Logger = esdb.NoopLogging()
	es.client, err = esdb.NewClient(settings)
	if err != nil {
		_ = es.Close() // the connect error is the one to report
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
	return eventstore.NewCodec(registry.EventTypes())
}

// cachedAggregates is how many decided aggregates each repository keeps in
// memory by default (serve's --stream-cache), so that a command on a long
// stream costs what it costs on a short one (eventstore.Repository).
const cachedAggregates = 2048

// services are the domain services over the event store, with the
// repositories they stand on.
type services struct {
	usecase.Services
	Repositories usecase.Repositories
}

// newServices builds the repositories of every aggregate over store, each
// keeping cachedAggregates decided aggregates, and the domain services over
// them.
func newServices(store *eventstore.Store) *services {
	return newServicesKeeping(store, cachedAggregates)
}

// newServicesKeeping is newServices with each repository keeping up to
// kept decided aggregates (0: none).
func newServicesKeeping(store *eventstore.Store, kept int) *services {
	r := usecase.Repositories{
		Modules:     eventstore.NewRepository(store, catalogue.ModuleCategory, catalogue.ReplayModule, kept),
		Programmes:  eventstore.NewRepository(store, catalogue.ProgrammeCategory, catalogue.ReplayProgramme, kept),
		Entities:    eventstore.NewRepository(store, catalogue.EntityCategory, catalogue.ReplayEntity, kept),
		Cohorts:     eventstore.NewRepository(store, cohort.StreamCategory, cohort.Replay, kept),
		Journeys:    eventstore.NewRepository(store, journey.StreamCategory, journey.Replay, kept),
		Instruments: eventstore.NewRepository(store, feedback.InstrumentCategory, feedback.ReplayInstrument, kept),
		Rounds:      eventstore.NewRepository(store, feedback.RoundCategory, feedback.ReplayRound, kept),
	}
	return &services{Services: usecase.NewServices(r), Repositories: r}
}

// newApp builds the use cases over the services and the read models.
func newApp(svc *services, models *readModels, log *slog.Logger, clock usecase.Clock) (*usecase.App, error) {
	return usecase.New(usecase.Deps{
		Clock: clock, IDs: uuid.NewString, Log: log,
		Portfolios:         models.Portfolio,
		Dashboards:         models.CohortDashboard,
		ChangeMeasurements: models.BehaviourChange,
		Offer:              models.Offer,
		ReadYourWrites:     models.Runner,
		RaterLinks:         raterLinkIndex{models.RaterLinks},
		Impact:             models.Impact,
	}.Over(svc.Repositories))
}

// projectionsConfig shapes the read models and their runner; zero values
// take the packages' defaults.
type projectionsConfig struct {
	Portfolio       portfolio.Config
	CohortDashboard cohortdashboard.Config
	BehaviourChange behaviourchange.Config
	Retry           projections.RetryConfig
	Snapshots       projections.SnapshotConfig
}

// snapshotDir is where the read models' snapshots live: in the data
// directory, also with an external event store (each replica its own).
func snapshotDir(data string) string { return filepath.Join(data, "readmodels") }

// readModels are the read models and the runner that keeps them.
type readModels struct {
	Runner          *projections.Runner
	Portfolio       *portfolio.ReadModel
	CohortDashboard *cohortdashboard.ReadModel
	BehaviourChange *behaviourchange.ReadModel
	RaterLinks      *raterlinks.ReadModel
	Offer           *offer.ReadModel
	Impact          *impact.ReadModel
	poison          *projectionlog.PoisonQueue
}

// Close releases the poison queue's publisher (the runner stops with the
// context given to Run).
func (m *readModels) Close() error { return m.poison.Close() }

// newProjections is the one place where the read side is wired: the read
// models (in memory, empty until the runner restores their snapshots), the log they are built from ($all filtered by
// Leerpad's stream prefixes, through the event store's watermill
// Subscriber), their poison queues (streams poison-<name>) and the runner,
// with its metrics in reg. serve and rebuild both use it.
func newProjections(es *eventStore, codec *eventstore.Codec, reg prometheus.Registerer, log *slog.Logger, cfg projectionsConfig) (*readModels, error) {
	dash, err := cohortdashboard.New(cfg.CohortDashboard)
	if err != nil {
		return nil, fmt.Errorf("cohort dashboard: %w", err)
	}
	m := &readModels{
		Portfolio:       portfolio.New(cfg.Portfolio),
		CohortDashboard: dash,
		BehaviourChange: behaviourchange.New(cfg.BehaviourChange),
		RaterLinks:      raterlinks.New(),
		Offer:           offer.New(),
		Impact:          impact.New(),
	}
	src, err := projectionlog.NewSource(projectionlog.Config{Client: es.client, Codec: codec, Logger: log})
	if err != nil {
		return nil, err
	}
	if m.poison, err = projectionlog.NewPoisonQueue(es.client, log); err != nil {
		return nil, err
	}
	m.Runner, err = projections.NewRunner(projections.RunnerConfig{
		Projections: []projections.Projection{m.Portfolio, m.CohortDashboard, m.BehaviourChange, m.RaterLinks, m.Offer, m.Impact},
		Source:      src,
		Poison:      m.poison,
		Registerer:  reg,
		Logger:      log,
		Retry:       cfg.Retry,
		Snapshots:   cfg.Snapshots,
	})
	if err != nil {
		_ = m.poison.Close()
		return nil, err
	}
	return m, nil
}
