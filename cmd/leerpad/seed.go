package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"time"

	"github.com/leerpad/leerpad/demo"
	"github.com/leerpad/leerpad/eventstore"
)

// runSeed writes the demo data set (package demo) through the domain
// services and prints what it wrote, with the ids to try the API with. Running it again with the
// same flags writes nothing twice. With --env it prints those ids as shell
// export lines instead, and the summary on stderr.
func runSeed(ctx context.Context, args []string, stdout, stderr io.Writer) (err error) {
	fs := newFlagSet("leerpad seed", stderr)
	var esf eventStoreFlags
	esf.register(fs)
	value := fs.Uint64("seed", 1, "`value` the data set is derived from: the same value gives the same data set")
	cohorts := fs.Int("cohorts", demo.DefaultCohorts, "number of `cohorts` (BLG, SMEC, BLG, masterclass, ...)")
	participants := fs.Int("participants", demo.DefaultParticipants, "`participants` per cohort")
	concurrency := fs.Int("concurrency", demo.DefaultConcurrency, "commands in flight at once (`n`); the data set does not depend on it")
	env := fs.Bool("env", false, "print the Try-it ids as shell export lines (export LEERPAD_COHORT=...) on stdout, for eval; the summary goes to stderr")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	for name, v := range map[string]int{"cohorts": *cohorts, "participants": *participants, "concurrency": *concurrency} {
		if v < 1 {
			return &usageError{msg: fmt.Sprintf("leerpad seed: -%s must be at least 1, got %d", name, v)}
		}
	}
	opts := demo.Options{Seed: *value, Cohorts: *cohorts, Participants: *participants, Concurrency: *concurrency}
	if err := opts.Validate(); err != nil {
		return &usageError{msg: "leerpad seed: " + err.Error()}
	}

	es, err := openEventStore(ctx, esf, newLogger(stderr, slog.LevelWarn))
	if err != nil {
		return err
	}
	defer func() { err = errors.Join(err, es.Close()) }()
	codec, err := es.codec()
	if err != nil {
		return err
	}
	svc := newServices(eventstore.NewStore(es.client, codec))

	head, err := headOfAll(ctx, es.client)
	if err != nil {
		return fmt.Errorf("read the end of the event log: %w", err)
	}
	started := time.Now()
	bar := demo.NewProgressBar(stderr, isTerminal(stderr), started)
	rep, err := demo.Run(ctx, svc.forSeed(), opts, bar.Update)
	bar.Finish()
	if err != nil {
		if ctx.Err() != nil {
			return fmt.Errorf("seed %d interrupted; the same command completes the data set: %w", opts.Seed, err)
		}
		return fmt.Errorf("seed %d: %w", opts.Seed, err)
	}
	elapsed := time.Since(started)
	w, err := writtenSince(ctx, es.client, head)
	if err != nil {
		return fmt.Errorf("count the events written: %w", err)
	}
	if *env {
		if _, err := io.WriteString(stderr, demo.Summary(opts, rep, w, elapsed, where(esf))); err != nil {
			return err
		}
		_, err = io.WriteString(stdout, rep.TryIt.Env())
		return err
	}
	_, err = io.WriteString(stdout, demo.Summary(opts, rep, w, elapsed, where(esf))+rep.TryIt.Text())
	return err
}

// forSeed returns the services as the seed sees them.
func (s *services) forSeed() demo.Services {
	return demo.Services{
		Modules: s.Modules, Programmes: s.Programmes, Entities: s.Entities, Cohorts: s.Cohorts,
		Journeys: s.Journeys, Instruments: s.Instruments, Rounds: s.Rounds, JourneyLog: s.Repositories.Journeys,
	}
}
