// Package demo writes Leerpad's demo data set: a catalogue of leadership
// programmes, an ordering entity per cohort, a 360 instrument, and cohorts of
// participants whose journeys run through months of modules, experiments,
// intervision, evaluations, development conversations and pre and post 360
// rounds.
//
// Everything goes through the domain services, as commands a user could have
// given; nothing is appended around them. The data set is a function of the
// options alone: ids are name-based UUIDs of the seed and a counter, texts and
// scores come from a PCG generator seeded with the seed, and times from fixed
// dates in 2025 and 2026 (never the clock).
//
// The data set describes one moment, ReferenceDate: nothing after it is
// written. The last cohort is still running then, its journeys in progress,
// so that a new user can log on them; Report.TryIt names the ids to start
// with.
//
// Every command carries an idempotency key made of the seed, the scale and a
// counter, so a second run with the same options on the same event store
// writes nothing twice: commands already applied are recognised by the
// repositories and succeed without recording, and the journeys a previous run
// finished are skipped. A run that was interrupted is completed by running it
// again.
package demo

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/leerpad/leerpad/domain"
	"github.com/leerpad/leerpad/domain/catalogue"
	"github.com/leerpad/leerpad/domain/cohort"
	"github.com/leerpad/leerpad/domain/feedback"
	"github.com/leerpad/leerpad/domain/journey"
)

// JourneyReader loads journeys; the journey repository is one. Load returns
// an error wrapping domain.ErrNotFound for a journey not enrolled yet.
type JourneyReader interface {
	Load(ctx context.Context, id string) (*journey.Journey, error)
}

// Services are the domain services the seed writes through, and the journey
// reader that tells which journeys an earlier run finished.
type Services struct {
	Modules     *catalogue.ModuleService
	Programmes  *catalogue.ProgrammeService
	Entities    *catalogue.EntityService
	Cohorts     *cohort.Service
	Journeys    *journey.Service
	Instruments *feedback.InstrumentService
	Rounds      *feedback.RoundService
	JourneyLog  JourneyReader
}

// Options choose the data set. The same options give the same data set.
type Options struct {
	// Seed selects the data set; every id, text, score and time follows from it.
	Seed uint64
	// Cohorts is the number of cohorts (default 3). They run BLG, SMEC, BLG,
	// the masterclass, and so on, from February 2025; the last starts in
	// January 2026 and is still running at the reference date.
	Cohorts int
	// Participants is the number of participants per cohort (default 20).
	Participants int
	// Concurrency is how many commands may be in flight at once (default 32).
	// It changes the speed, never the data: every stream receives its
	// commands in the same order.
	Concurrency int
}

// Defaults of Options.
const (
	DefaultCohorts      = 3
	DefaultParticipants = 20
	DefaultConcurrency  = 32
	MaxCohorts          = 50
	MaxParticipants     = 200
)

func (o Options) withDefaults() Options {
	if o.Cohorts == 0 {
		o.Cohorts = DefaultCohorts
	}
	if o.Participants == 0 {
		o.Participants = DefaultParticipants
	}
	if o.Concurrency == 0 {
		o.Concurrency = DefaultConcurrency
	}
	return o
}

// Validate reports options outside what the seed can generate, as an error
// wrapping domain.ErrInvalid.
func (o Options) Validate() error {
	o = o.withDefaults()
	switch {
	case o.Cohorts < 1 || o.Cohorts > MaxCohorts:
		return fmt.Errorf("cohorts must be from 1 to %d, got %d: %w", MaxCohorts, o.Cohorts, domain.ErrInvalid)
	case o.Participants < 1 || o.Participants > MaxParticipants:
		return fmt.Errorf("participants must be from 1 to %d, got %d: %w", MaxParticipants, o.Participants, domain.ErrInvalid)
	case o.Concurrency < 1:
		return fmt.Errorf("concurrency must be at least 1, got %d: %w", o.Concurrency, domain.ErrInvalid)
	}
	return nil
}

// Progress is told how many of the data set's commands are done. Calls are
// serialised; done grows up to total.
type Progress func(done, total int)

// Report counts what the data set holds and what the run did.
type Report struct {
	Programmes  int
	Modules     int
	Entities    int
	Instruments int
	Cohorts     int
	Journeys    int
	Completed   int // journeys completed by the reference date
	Withdrawn   int // journeys withdrawn by the reference date
	InProgress  int // journeys still running at the reference date
	Groups      int // intervision groups
	Deliveries  int // module deliveries scheduled
	Upcoming    int // of those, deliveries after the reference date
	Rounds      int // 360 rounds
	Raters      int // nominations over all rounds
	Responses   int
	Experiments int
	Ratings     int // level 2 ratings of deliveries
	Closed      int // cohorts whose impact measurement is closed
	KeyFigures  int // quarters of key figures recorded, over all entities
	Commands    int // commands in the data set
	Skipped     int // commands of journeys a previous run had finished
	Finished    int // journeys a previous run had finished

	// TryIt names ids of the running cohort to try the API with.
	TryIt TryIt
}

// Run writes the data set of o through s, reporting progress to p (which may
// be nil). It stops at the first command that fails, naming it.
func Run(ctx context.Context, s Services, o Options, p Progress) (Report, error) {
	if err := o.Validate(); err != nil {
		return Report{}, err
	}
	o = o.withDefaults()
	if p == nil {
		p = func(int, int) {}
	}
	pl := build(s, o)
	rep := pl.report

	finished := make(map[string]bool)
	for _, c := range pl.cohorts {
		for _, jid := range c.journeyIDs {
			j, err := s.JourneyLog.Load(ctx, jid)
			switch {
			case errors.Is(err, domain.ErrNotFound):
			case err != nil:
				return rep, fmt.Errorf("look for journeys seeded before: %w", err)
			case j.Status() == journey.StatusCompleted || j.Status() == journey.StatusWithdrawn:
				finished[jid] = true
			}
		}
	}
	rep.Finished = len(finished)

	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	x := &executor{sem: make(chan struct{}, o.Concurrency), total: rep.Commands, progress: p}
	p(0, x.total)
	for _, st := range pl.catalogue {
		if err := x.exec(ctx, st); err != nil {
			return rep, err
		}
	}
	var wg sync.WaitGroup
	for _, c := range pl.cohorts {
		wg.Go(func() {
			if err := x.cohort(ctx, c, finished); err != nil {
				cancel(err)
			}
		})
	}
	wg.Wait()
	rep.Skipped = x.skipped
	if err := context.Cause(ctx); err != nil {
		return rep, err
	}
	return rep, nil
}

// step is one command of the data set.
type step struct {
	at    time.Time
	cutAt time.Time // when set, the step is part of the data set only if this lies before the reference date
	phase int       // set after building, from at unless fixed
	fixed bool      // phase was chosen, not derived from at
	tally *int      // what the step adds to the report, if anything
	what  string    // for error messages: which command of which stream
	key   string
	do    func(ctx context.Context, key string) error
}

type executor struct {
	sem      chan struct{}
	mu       sync.Mutex
	done     int
	total    int
	skipped  int
	progress Progress
}

func (x *executor) exec(ctx context.Context, st *step) error {
	select {
	case x.sem <- struct{}{}:
	case <-ctx.Done():
		return context.Cause(ctx)
	}
	err := st.do(ctx, st.key)
	<-x.sem
	if err != nil {
		if cause := context.Cause(ctx); cause != nil {
			return cause
		}
		return fmt.Errorf("seed: %s: %w", st.what, err)
	}
	x.advance(1, 0)
	return nil
}

func (x *executor) advance(done, skipped int) {
	x.mu.Lock()
	defer x.mu.Unlock()
	x.done += done
	x.skipped += skipped
	x.progress(x.done, x.total)
}

// cohort runs a cohort phase by phase: first the cohort's own commands in
// order, then every journey's commands of the phase, journeys side by side.
// A journey's commands of a phase may need the cohort's of the same phase
// (attendance before evaluation), never the reverse.
func (x *executor) cohort(ctx context.Context, c *cohortPlan, finished map[string]bool) error {
	for _, ph := range c.phases {
		for _, st := range ph.cohort {
			if err := x.exec(ctx, st); err != nil {
				return err
			}
		}
		var (
			wg    sync.WaitGroup
			once  sync.Once
			first error
		)
		for i, steps := range ph.journeys {
			if finished[c.journeyIDs[i]] {
				x.advance(len(steps), len(steps))
				continue
			}
			wg.Go(func() {
				for _, st := range steps {
					if err := x.exec(ctx, st); err != nil {
						once.Do(func() { first = err })
						return
					}
				}
			})
		}
		wg.Wait()
		if first != nil {
			return first
		}
	}
	return nil
}

// errOf is the error of a command: the demo data needs no more of what it wrote.
func errOf(_ domain.Written, err error) error { return err }
