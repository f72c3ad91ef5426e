package projections

import (
	"log/slog"
	"runtime"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/leerpad/leerpad/domain"
)

// RetryConfig shapes how often and how patiently a failing handler is tried
// again before its event goes to the poison queue.
type RetryConfig struct {
	// MaxRetries is how many times a failed event is tried again after the
	// first attempt (default 3; negative means no retry).
	MaxRetries int
	// InitialInterval is the wait before the first retry (default 100 ms).
	InitialInterval time.Duration
	// MaxInterval caps the wait between retries (default 2 s).
	MaxInterval time.Duration
	// Multiplier grows the wait from one retry to the next (default 2).
	Multiplier float64
}

// RunnerConfig configures a Runner. Zero values take the documented defaults.
type RunnerConfig struct {
	// Projections are the read models to keep; their names must be unique.
	Projections []Projection
	// Source is the log. Required.
	Source Source
	// Poison keeps the events a projection could not handle, one topic per
	// projection (PoisonTopic). Required.
	Poison PoisonQueue
	// Registerer receives the runner's metrics and watermill's. Required:
	// the project passes its one registry in, there are no globals.
	Registerer prometheus.Registerer
	// Logger receives the runner's and the router's logs (default: discard).
	Logger *slog.Logger
	// Retry shapes the retries of a failing handler.
	Retry RetryConfig
	// HeadInterval is how often the head of the log is read for the lag
	// gauges (default 1 s).
	HeadInterval time.Duration
	// NackResendSleep is the wait before a nacked message is delivered to
	// its handler again (default 100 ms). A handler's message is nacked
	// only when even the poison queue failed.
	NackResendSleep time.Duration
	// QueueSize is how many decoded events may wait for each projection
	// (default 4096). A projection that falls this far behind the others
	// holds the shared subscription back.
	QueueSize int
	// MaxBatch is the most events one router message carries to a
	// projection's handler (default 256; 1 gives a message per event).
	MaxBatch int
	// CloseTimeout bounds how long stopping waits for handlers in flight
	// (default 30 s).
	CloseTimeout time.Duration
	// CatchUpGCPercent is the garbage collector's target percentage (see
	// runtime/debug.SetGCPercent) while the runner catches up with the head
	// observed at start, when that is above the process's own setting
	// (default 400; negative leaves the collector alone). A rebuild
	// allocates for every event while the read models grow, so with the
	// default of 100 the collector marks the whole heap again and again; a
	// higher percentage trades a larger heap during the catch-up for fewer
	// cycles. The previous setting is restored once every projection has
	// caught up, or when Run returns, unless something else changed it in
	// the meantime. See "Read side" in docs/benchmarks.md.
	CatchUpGCPercent int
	// Snapshots configures the read models' snapshots (see SnapshotConfig);
	// without a directory there are none and every start rebuilds.
	Snapshots SnapshotConfig
	// CatchUpDecoders is how many goroutines decode the events read in bulk
	// while catching up, when the Source is a BulkSource (default
	// GOMAXPROCS; negative reads the whole log through Subscribe, one
	// message at a time, as when live).
	CatchUpDecoders int
}

func (c *RunnerConfig) setDefaults() {
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	if c.Retry.MaxRetries == 0 {
		c.Retry.MaxRetries = 3
	}
	if c.Retry.MaxRetries < 0 {
		c.Retry.MaxRetries = 0
	}
	if c.Retry.InitialInterval == 0 {
		c.Retry.InitialInterval = 100 * time.Millisecond
	}
	if c.Retry.MaxInterval == 0 {
		c.Retry.MaxInterval = 2 * time.Second
	}
	if c.Retry.Multiplier == 0 {
		c.Retry.Multiplier = 2
	}
	if c.HeadInterval == 0 {
		c.HeadInterval = time.Second
	}
	if c.NackResendSleep == 0 {
		c.NackResendSleep = 100 * time.Millisecond
	}
	if c.QueueSize == 0 {
		c.QueueSize = 4096
	}
	if c.CloseTimeout == 0 {
		c.CloseTimeout = 30 * time.Second
	}
	if c.MaxBatch == 0 {
		c.MaxBatch = 256
	}
	if c.CatchUpGCPercent == 0 {
		c.CatchUpGCPercent = 400
	}
	c.Snapshots.setDefaults()
	if c.CatchUpDecoders == 0 {
		c.CatchUpDecoders = runtime.GOMAXPROCS(0)
	}
}

func (c *RunnerConfig) validate() error {
	switch {
	case len(c.Projections) == 0:
		return domain.Invalid("projections", "at least one is required")
	case c.Source == nil:
		return domain.Invalid("source", "is required")
	case c.Poison == nil:
		return domain.Invalid("poison", "a poison queue is required")
	case c.Registerer == nil:
		return domain.Invalid("registerer", "is required")
	case c.HeadInterval < 0, c.NackResendSleep < 0, c.CloseTimeout < 0, c.Retry.InitialInterval < 0, c.Retry.MaxInterval < 0:
		return domain.Invalid("durations", "must not be negative")
	case c.QueueSize < 0, c.MaxBatch < 0:
		return domain.Invalid("queue size and batch", "must not be negative")
	}
	seen := map[string]bool{}
	for _, p := range c.Projections {
		if p == nil || p.Name() == "" {
			return domain.Invalid("projections", "every projection needs a name")
		}
		if seen[p.Name()] {
			return domain.Invalid("projections", "name %q used twice", p.Name())
		}
		seen[p.Name()] = true
	}
	return nil
}
