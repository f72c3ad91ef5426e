package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"path/filepath"
	"time"

	"github.com/EventStore/EventStore-Client-Go/v4/esdb"
	"github.com/google/uuid"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/leerpad/leerpad/domain/catalogue"
	"github.com/leerpad/leerpad/domain/cohort"
	"github.com/leerpad/leerpad/domain/feedback"
	"github.com/leerpad/leerpad/domain/journey"
	"github.com/leerpad/leerpad/domain/privacy"
	"github.com/leerpad/leerpad/domain/registry"
	"github.com/leerpad/leerpad/eventstore"
	"github.com/leerpad/leerpad/eventstore/keystore"
	"github.com/leerpad/leerpad/eventstore/node"
	"github.com/leerpad/leerpad/eventstore/projectionlog"
	"github.com/leerpad/leerpad/eventstore/readaudit"
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
	keystore   string // "": <data>-keys
	kek        string // "": <data>/keys/keystore.kek
	// scavengeEvery schedules the embedded node's scavenges (serve only; 0: never).
	scavengeEvery time.Duration
}

func (f *eventStoreFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&f.data, "data", "./data", "data `directory` of the embedded event-store node")
	fs.StringVar(&f.connection, "eventstore", "", "connection `string` of an external node or KurrentDB cluster (esdb://...); when set, no embedded node is started")
	fs.StringVar(&f.keystore, "keystore", "", "`directory` of the people's data keys (docs/decisions/0013), shared by every replica and never inside the data directory; required with -eventstore (default <data>-keys)")
	fs.StringVar(&f.kek, "kek-file", "", "`file` of the key-encryption key that wraps the data keys, the same for every replica; required with -eventstore (default <data>/keys/keystore.kek, made on first use)")
}

// keyStorePaths returns the key store's directory and KEK file from the
// flags and their defaults.
func (f eventStoreFlags) keyStorePaths() (dir, kek string, err error) {
	dir, kek = f.keystore, f.kek
	if f.connection != "" && (dir == "" || kek == "") {
		// Replicas of an external event store share one key store: a
		// default per data directory would give each its own, empty.
		return "", "", &usageError{msg: "with -eventstore, name the key store every replica shares with -keystore and its KEK with -kek-file"}
	}
	if dir == "" && f.data != "" {
		dir = filepath.Clean(f.data) + "-keys"
	}
	if kek == "" && f.data != "" {
		kek = filepath.Join(f.data, "keys", "keystore.kek")
	}
	if dir == "" || kek == "" {
		return "", "", &usageError{msg: "name the key store with -keystore and -kek-file (or a -data directory to derive them from)"}
	}
	return dir, kek, nil
}

// eventStore is an open connection to the event store, with the embedded
// node when Leerpad runs one, and the key store of the people's data keys.
type eventStore struct {
	node   *node.Node // nil with an external event store
	client *esdb.Client
	keys   *keystore.Store
}

// openKeys opens the key store the flags name, making its KEK on first use.
func openKeys(f eventStoreFlags) (*keystore.Store, error) {
	dir, kekPath, err := f.keyStorePaths()
	if err != nil {
		return nil, err
	}
	kek, err := keystore.LoadOrCreateKEK(kekPath)
	if err != nil {
		return nil, err
	}
	return keystore.Open(keystore.Config{Dir: dir, KEK: kek})
}

// openEventStore starts the embedded node (unless an external one is named)
// and connects the official client to it.
func openEventStore(ctx context.Context, f eventStoreFlags, log *slog.Logger) (*eventStore, error) {
	keys, err := openKeys(f)
	if err != nil {
		return nil, err
	}
	es := &eventStore{keys: keys}
	conn := f.connection
	if conn == "" {
		n, err := node.Start(ctx, node.Config{DataDir: f.data, Listen: "127.0.0.1:0", Logger: log, ScavengeEvery: f.scavengeEvery})
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
// It writes personal fields as they are: only the migration (reading old
// data) and tests that make data of before encryption use it; everything
// else uses eventStore.codec.
func newCodec() (*eventstore.Codec, error) {
	return eventstore.NewCodec(registry.EventTypes())
}

// codec returns the process's codec, which encrypts personal fields with the
// key store's keys.
func (es *eventStore) codec() (*eventstore.Codec, error) {
	c, err := newCodec()
	if err != nil {
		return nil, err
	}
	return c.WithKeys(es.keys), nil
}

// cachedAggregates is how many decided aggregates each repository keeps in
// memory by default (serve's --stream-cache), so that a command on a long
// stream costs what it costs on a short one (eventstore.Repository).
const cachedAggregates = 2048

// The Shredder is what the erasure use case forgets people through.
var _ usecase.Shredder = (*eventstore.Shredder)(nil)

// services are the domain services over the event store, with the
// repositories they stand on.
type services struct {
	usecase.Services
	Repositories usecase.Repositories
	// Shredder forgets a person (usecase.Shredder): their key, and what
	// the repositories and the store keep of them; nil when the store's
	// codec does not encrypt.
	Shredder *eventstore.Shredder
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
		Erasures:    eventstore.NewRepository(store, privacy.ErasureCategory, privacy.ReplayErasure, kept),
		Retention:   eventstore.NewRepository(store, privacy.RetentionCategory, privacy.ReplayRetention, kept),
	}
	svc := &services{Services: usecase.NewServices(r), Repositories: r}
	if keys, ok := store.Codec().Keys().(eventstore.Forgetter); ok {
		var kept []eventstore.KeptDropper
		for _, repo := range []any{r.Modules, r.Programmes, r.Entities, r.Cohorts, r.Journeys, r.Instruments, r.Rounds} {
			if k, ok := repo.(eventstore.KeptDropper); ok {
				kept = append(kept, k)
			}
		}
		svc.Shredder = eventstore.NewShredder(keys, store, kept...)
		if snaps, ok := keys.(interface{ RotateSnapshotKey() error }); ok {
			svc.Shredder.After(snaps.RotateSnapshotKey) // no snapshot of before the erasure opens again
		}
	}
	return svc
}

// newApp builds the use cases over the services and the read models; audit,
// when not nil, keeps who read a portfolio.
func newApp(svc *services, models *readModels, log *slog.Logger, clock usecase.Clock, audit *readaudit.Auditor) (*usecase.App, error) {
	deps := usecase.Deps{
		Clock: clock, IDs: uuid.NewString, Log: log,
		Portfolios:         models.Portfolio,
		Dashboards:         models.CohortDashboard,
		ChangeMeasurements: models.BehaviourChange,
		Offer:              models.Offer,
		ReadYourWrites:     models.Runner,
		RaterLinks:         raterLinkIndex{models.RaterLinks},
		Impact:             models.Impact,
	}.Over(svc.Repositories)
	if svc.Shredder != nil {
		deps.Shredder = svc.Shredder
	}
	if audit != nil {
		deps.ReadAudit = audit
	}
	return usecase.New(deps)
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
	if cfg.Snapshots.Sealer == nil && es.keys != nil {
		// Snapshots hold people's data in plain text: sealed with a key
		// that forgetting a person forgets (docs/decisions/0013).
		cfg.Snapshots.Sealer = es.keys
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
