package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"

	"github.com/leerpad/leerpad/api"
	"github.com/leerpad/leerpad/api/auth"
	"github.com/leerpad/leerpad/eventstore"
	"github.com/leerpad/leerpad/eventstore/readaudit"
	"github.com/leerpad/leerpad/projections"
	"github.com/leerpad/leerpad/usecase"
)

// serveFlags are the flags of leerpad serve, with their defaults.
type serveFlags struct {
	store        eventStoreFlags
	listen       string
	adminListen  string
	issuer       string
	audience     string
	jwksURL      string
	roleClaim    string
	subjectClaim string
	logLevel     string
	streamCache  int
	snapEvery    time.Duration
	snapEvents   int
	// auditEvery is how often the read audit appends what it queued;
	// retentionEvery how often the retention run erases what is due (0: never).
	auditEvery     time.Duration
	retentionEvery time.Duration
	pages          pagesFlags
	oidcSignIn     oidcSignInFlags
}

func parseServeFlags(args []string, stderr io.Writer) (serveFlags, error) {
	var f serveFlags
	fs := newFlagSet("leerpad serve", stderr)
	f.store.register(fs)
	fs.StringVar(&f.listen, "listen", "127.0.0.1:8080", "API listen `address`")
	fs.StringVar(&f.adminListen, "admin-listen", "127.0.0.1:9090", "admin listen `address` for /metrics, /healthz and /readyz")
	fs.StringVar(&f.issuer, "oidc-issuer", auth.DefaultIssuer, "required `iss` claim of bearer tokens")
	fs.StringVar(&f.audience, "oidc-audience", auth.DefaultAudience, "required `aud` claim of bearer tokens")
	fs.StringVar(&f.jwksURL, "oidc-jwks-url", "", "JSON Web Key Set `URL` of the identity provider; empty: the local key in <data>/keys (see leerpad token)")
	fs.StringVar(&f.roleClaim, "oidc-role-claim", "roles", "`claim` holding the roles (dotted path allowed, e.g. realm_access.roles)")
	fs.StringVar(&f.subjectClaim, "oidc-subject-claim", "sub", "`claim` holding the subject id")
	fs.StringVar(&f.logLevel, "log-level", "info", "log `level`: debug, info, warn or error")
	fs.IntVar(&f.streamCache, "stream-cache", cachedAggregates, "aggregates (and decoded streams) kept in `memory` per kind, so that access checks and commands read only new events and a command costs the same on a long journey as on a short one (0: none)")
	fs.DurationVar(&f.snapEvery, "snapshot-interval", 5*time.Minute, "how often, at most, a live read model that changed is snapshotted to <data>/readmodels, so that a restart resumes instead of rebuilding (0: not on time; also after a rebuild and at shutdown)")
	fs.IntVar(&f.snapEvents, "snapshot-events", 100000, "handled events after which a live read model is snapshotted, whatever the interval (0: not on count)")
	fs.DurationVar(&f.store.scavengeEvery, "scavenge-every", 24*time.Hour, "how often the embedded node scavenges its sealed segments, giving back the space of deleted and expired events (0: never; an external event store schedules its own)")
	fs.DurationVar(&f.auditEvery, "read-audit-interval", readaudit.DefaultInterval, "how often the record of who read a portfolio is appended to the event store, in batches (a read never waits for it; at most this much is lost if the process dies)")
	fs.DurationVar(&f.retentionEvery, "retention-every", 24*time.Hour, "how often the retention run erases the participants whose journeys have all passed their programme's retention, as leerpad retention does (0: never)")
	f.pages.register(fs)
	f.oidcSignIn.register(fs)
	if err := parseFlags(fs, args); err != nil {
		return f, err
	}
	if err := f.oidcSignIn.check(f.issuer, f.pages.demoSignIn); err != nil {
		return f, err
	}
	if err := f.pages.check(f); err != nil {
		return f, err
	}
	if f.auditEvery <= 0 {
		return f, &usageError{msg: fmt.Sprintf("-read-audit-interval must be more than 0, got %s", f.auditEvery)}
	}
	if f.retentionEvery < 0 {
		return f, &usageError{msg: fmt.Sprintf("-retention-every must be 0 or more, got %s", f.retentionEvery)}
	}
	if f.streamCache < 0 {
		return f, &usageError{msg: fmt.Sprintf("-stream-cache must be 0 or more, got %d", f.streamCache)}
	}
	if f.snapEvery < 0 {
		return f, &usageError{msg: fmt.Sprintf("-snapshot-interval must be 0 or more, got %s", f.snapEvery)}
	}
	if f.snapEvents < 0 {
		return f, &usageError{msg: fmt.Sprintf("-snapshot-events must be 0 or more, got %d", f.snapEvents)}
	}
	if f.store.scavengeEvery < 0 {
		return f, &usageError{msg: fmt.Sprintf("-scavenge-every must be 0 or more, got %s", f.store.scavengeEvery)}
	}
	return f, nil
}

// snapshots is the runner's snapshot configuration from the flags (0 turns a
// trigger off).
func (f serveFlags) snapshots() projections.SnapshotConfig {
	c := projections.SnapshotConfig{Dir: snapshotDir(f.store.data), Interval: f.snapEvery, Events: f.snapEvents}
	if c.Interval == 0 {
		c.Interval = -1
	}
	if c.Events == 0 {
		c.Events = -1
	}
	return c
}

func parseLevel(s string) (slog.Level, error) {
	var l slog.Level
	if err := l.UnmarshalText([]byte(s)); err != nil {
		return 0, &usageError{msg: fmt.Sprintf("-log-level: %q is not one of debug, info, warn, error", s)}
	}
	return l, nil
}

// serveHooks let code in this package (tests, benchmarks) follow a running
// serve; the zero value changes nothing.
type serveHooks struct {
	// listening, when set, is called with the bound API and admin addresses
	// (host:port) once both listeners accept connections, e.g. after
	// --listen 127.0.0.1:0.
	listening func(apiAddr, adminAddr string)
	// pagesNow, when set, is the clock of the web pages' sessions, so that
	// a browser test can let a session expire.
	pagesNow func() time.Time
}

// runServe runs the whole service in one process until ctx ends: the event
// store (embedded node unless --eventstore), the domain services, the read
// models on their runner, the API and the admin listener.
func runServe(ctx context.Context, args []string, stderr io.Writer) error {
	return serveWith(ctx, args, stderr, serveHooks{})
}

// serveWith is runServe with hooks.
func serveWith(ctx context.Context, args []string, stderr io.Writer, hooks serveHooks) (err error) {
	f, err := parseServeFlags(args, stderr)
	if err != nil {
		return err
	}
	level, err := parseLevel(f.logLevel)
	if err != nil {
		return err
	}
	log := newLogger(stderr, level)

	es, err := openEventStore(ctx, f.store, log)
	if err != nil {
		return err
	}
	defer func() { err = errors.Join(err, es.Close()) }()
	codec, err := es.codec()
	if err != nil {
		return err
	}
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	store := eventstore.NewStore(es.client, codec)
	store.EnableStreamCache(f.streamCache)
	if err := store.RegisterMetrics(reg); err != nil {
		return err
	}
	svc := newServicesKeeping(store, f.streamCache)
	models, err := newProjections(es, codec, reg, log, projectionsConfig{Snapshots: f.snapshots()})
	if err != nil {
		return err
	}
	defer func() { err = errors.Join(err, models.Close()) }()

	authCfg := auth.Config{Issuer: f.issuer, Audience: f.audience, JWKSURL: f.jwksURL,
		RoleClaim: f.roleClaim, SubjectClaim: f.subjectClaim}
	if f.jwksURL == "" {
		authCfg.KeyFile = auth.KeyPath(f.store.data)
	}
	verifier, err := auth.NewVerifier(ctx, authCfg)
	if err != nil {
		return fmt.Errorf("token verification: %w", err)
	}
	var app *usecase.App // set below; the read audit asks it each programme's retention
	audit, err := readaudit.New(readaudit.Config{Store: store, Interval: f.auditEvery, Logger: log,
		ReadAuditDays: func(ctx context.Context, programmeID string) (int, error) { return app.ReadAuditDays(ctx, programmeID) }})
	if err != nil {
		return err
	}
	deps, err := apiDepsAudited(svc, models, verifier, reg, log, time.Now, audit)
	if err != nil {
		return err
	}
	app = deps.App
	pagesNow := time.Now
	if hooks.pagesNow != nil {
		pagesNow = hooks.pagesNow
	}
	if deps.Pages, err = newPages(f, deps.App, log, pagesNow); err != nil {
		return err
	}
	server, err := api.NewServer(api.Config{}, deps)
	if err != nil {
		return err
	}

	// The ports first: a port that cannot be bound ends serve before the
	// read models start (nothing is left running against a closed client),
	// and /readyz answers 503 until the runner below has caught up.
	apiSrv, apiAddr, err := listenHTTP(ctx, "-listen", f.listen, server.Handler())
	if err != nil {
		return err
	}
	adminSrv, adminAddr, err := listenHTTP(ctx, "-admin-listen", f.adminListen, server.AdminHandler())
	if err != nil {
		_ = apiSrv.Close()
		return err
	}

	runCtx, stop := context.WithCancel(ctx)
	defer stop()
	ran := make(chan error, 1)
	go func() { ran <- models.Runner.Run(runCtx) }()
	audited := make(chan error, 1)
	go func() { audited <- audit.Run(runCtx) }() // appends what is left when runCtx ends
	retained := make(chan struct{})
	go func() { defer close(retained); scheduleRetention(runCtx, app, models.Runner, f.retentionEvery, log) }()
	log.Info("leerpad serving", "pages", "http://"+apiAddr+"/", "api", "http://"+apiAddr+"/v1", "admin", "http://"+adminAddr, "eventstore", where(f.store))
	if hooks.listening != nil {
		hooks.listening(apiAddr, adminAddr)
	}

	select {
	case <-ctx.Done():
	case err = <-ran:
		if err == nil {
			err = errors.New("read models stopped")
		}
		log.Error("read models stopped; shutting down", "err", err)
	}
	log.Info("stopping leerpad")
	shutCtx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	err = errors.Join(err, apiSrv.Shutdown(shutCtx), adminSrv.Shutdown(shutCtx))
	stop()
	if runErr := <-ran; runErr != nil && !errors.Is(runErr, context.Canceled) {
		err = errors.Join(err, runErr)
	}
	<-retained
	if auditErr := <-audited; auditErr != nil {
		err = errors.Join(err, fmt.Errorf("read audit: %w", auditErr))
	}
	return err
}

// apiDeps hands the API what it needs: the use cases over the services and
// the read models, and the readiness of the read models.
func apiDeps(svc *services, models *readModels, verifier *auth.Verifier, reg *prometheus.Registry, log *slog.Logger, clock usecase.Clock) (api.Deps, error) {
	return apiDepsAudited(svc, models, verifier, reg, log, clock, nil)
}

// apiDepsAudited is apiDeps with the read audit (none when nil).
func apiDepsAudited(svc *services, models *readModels, verifier *auth.Verifier, reg *prometheus.Registry, log *slog.Logger, clock usecase.Clock, audit *readaudit.Auditor) (api.Deps, error) {
	app, err := newApp(svc, models, log, clock, audit)
	if err != nil {
		return api.Deps{}, err
	}
	return api.Deps{
		Logger:   log,
		Registry: reg,
		Verifier: verifier,
		Ready: func(context.Context) error {
			if !models.Runner.CaughtUp() {
				return errors.New("read models are catching up with the event store")
			}
			return nil
		},
		App:        app,
		RaterLinks: app,
		Now:        clock,
	}, nil
}

// listenHTTP serves h on addr, set by flag, with time-outs that bound slow
// clients. A port already in use is an error naming the process holding
// it, where that can be found.
func listenHTTP(ctx context.Context, flag, addr string, h http.Handler) (*http.Server, string, error) {
	var lc net.ListenConfig
	lis, err := lc.Listen(ctx, "tcp", addr)
	if err != nil {
		return nil, "", listenError(flag, addr, err)
	}
	srv := &http.Server{
		Handler: h,
		// Headers must arrive within ReadHeaderTimeout (net/http closes the
		// connection otherwise), the whole request within ReadTimeout: a
		// body still trickling in then fails to read with a deadline error,
		// which the API answers 408 as problem+json.
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       120 * time.Second,
		// Well above api.MaxHeaderBytes, which the API enforces itself so that
		// its 431 is problem+json; net/http's own 431 is plain text.
		MaxHeaderBytes: api.ServerMaxHeaderBytes,
	}
	go func() { _ = srv.Serve(lis) }()
	return srv, lis.Addr().String(), nil
}
