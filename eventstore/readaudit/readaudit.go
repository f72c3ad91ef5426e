// Package readaudit keeps the record of who read a portfolio: one stream
// per journey, portfolioreads-<journey id>, whose $maxAge is the programme's
// read-audit retention, so that the event store expires old records by
// itself (and a scavenge reclaims their space).
//
// A portfolio read must not wait for a write: Record only queues the
// record, in memory, and returns. Run appends what is queued in batches, one
// append per journey with all its queued reads, every Interval and as soon
// as MaxBatch reads are queued; Close appends what is left. A record still
// queued is lost if the process dies before the next flush (at most
// Interval of reads); Reads shows queued records beside the stored ones, so
// a participant sees a read the moment it happened.
package readaudit

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"slices"
	"sync"
	"time"

	"github.com/EventStore/EventStore-Client-Go/v4/esdb"
	"github.com/google/uuid"

	"github.com/leerpad/leerpad/domain/privacy"
	"github.com/leerpad/leerpad/eventstore"
)

// Defaults of Config.
const (
	DefaultInterval = 250 * time.Millisecond
	DefaultMaxBatch = 512
	// MaxQueued bounds the queue while the store does not take appends;
	// beyond it the oldest records are dropped (and counted).
	MaxQueued = 100_000
)

// Config configures an Auditor.
type Config struct {
	// Store is where the records are appended and read.
	Store *eventstore.Store
	// Interval between flushes (DefaultInterval when 0).
	Interval time.Duration
	// MaxBatch queued reads start a flush before the interval ends
	// (DefaultMaxBatch when 0).
	MaxBatch int
	// ReadAuditDays returns a programme's read-audit retention in days;
	// nil, or an error, means privacy.DefaultReadAuditDays.
	ReadAuditDays func(ctx context.Context, programmeID string) (int, error)
	// Logger receives failed flushes (never a person: stream names hold ids).
	Logger *slog.Logger
}

// daysTTL is how long a programme's looked-up retention is used before it
// is looked up again: a change reaches new records within it.
const daysTTL = time.Minute

type cachedDays struct {
	days int
	at   time.Time
}

type queued struct {
	read        privacy.PortfolioRead
	programmeID string
}

// Auditor queues portfolio reads and appends them in batches. It is safe
// for concurrent use.
type Auditor struct {
	cfg  Config
	kick chan struct{}

	mu      sync.Mutex
	queue   []queued
	dropped uint64
	maxAge  map[string]time.Duration // stream -> the $maxAge set on it by this process
	days    map[string]cachedDays    // programme -> its read-audit retention, as looked up

	flushing sync.Mutex // one flush at a time
}

// New returns an Auditor; Run flushes it.
func New(cfg Config) (*Auditor, error) {
	if cfg.Store == nil {
		return nil, errors.New("readaudit: no store")
	}
	if cfg.Interval <= 0 {
		cfg.Interval = DefaultInterval
	}
	if cfg.MaxBatch <= 0 {
		cfg.MaxBatch = DefaultMaxBatch
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	return &Auditor{cfg: cfg, kick: make(chan struct{}, 1), maxAge: map[string]time.Duration{}, days: map[string]cachedDays{}}, nil
}

// Record queues r, a read of a journey of programme programmeID.
func (a *Auditor) Record(r privacy.PortfolioRead, programmeID string) {
	a.mu.Lock()
	a.queue = append(a.queue, queued{read: r, programmeID: programmeID})
	if over := len(a.queue) - MaxQueued; over > 0 {
		a.queue = slices.Delete(a.queue, 0, over)
		a.dropped += uint64(over)
	}
	full := len(a.queue) >= a.cfg.MaxBatch
	a.mu.Unlock()
	if full {
		select {
		case a.kick <- struct{}{}:
		default:
		}
	}
}

// Queued returns how many reads wait for the next flush.
func (a *Auditor) Queued() int {
	a.mu.Lock()
	defer a.mu.Unlock()
	return len(a.queue)
}

// Run flushes every Interval and whenever a batch is full, until ctx ends;
// then it flushes what is left (with its own short deadline) and returns.
func (a *Auditor) Run(ctx context.Context) error {
	t := time.NewTicker(a.cfg.Interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return a.Close()
		case <-t.C:
		case <-a.kick:
		}
		if err := a.Flush(ctx); err != nil && ctx.Err() == nil {
			a.cfg.Logger.WarnContext(ctx, "read audit: flush failed; the reads stay queued", "err", err)
		}
	}
}

// Close appends what is still queued, within 5 seconds.
func (a *Auditor) Close() error {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	return a.Flush(ctx)
}

// Flush appends every queued read now: one append per journey. Reads whose
// append failed are queued again, in front of newer ones.
func (a *Auditor) Flush(ctx context.Context) error {
	a.flushing.Lock()
	defer a.flushing.Unlock()
	a.mu.Lock()
	batch := a.queue
	a.queue = nil
	a.mu.Unlock()
	if len(batch) == 0 {
		return nil
	}
	var order []string
	byStream := map[string][]queued{}
	for _, q := range batch {
		s := eventstore.StreamID(privacy.ReadAuditCategory, q.read.JourneyID)
		if _, ok := byStream[s]; !ok {
			order = append(order, s)
		}
		byStream[s] = append(byStream[s], q)
	}
	var failed []queued
	var errs []error
	for _, s := range order {
		qs := byStream[s]
		if err := a.append(ctx, s, qs); err != nil {
			failed = append(failed, qs...)
			errs = append(errs, err)
		}
	}
	if len(failed) > 0 {
		a.mu.Lock()
		a.queue = append(failed, a.queue...)
		a.mu.Unlock()
	}
	return errors.Join(errs...)
}

// append appends the reads qs to stream s, after setting its $maxAge when
// this process has not set it to the programme's retention yet.
func (a *Auditor) append(ctx context.Context, s string, qs []queued) error {
	if err := a.expire(ctx, s, privacy.Days(a.retention(ctx, qs[0].programmeID))); err != nil {
		return err
	}
	codec := a.cfg.Store.Codec()
	data := make([]esdb.EventData, len(qs))
	for i, q := range qs {
		name, payload, version, err := codec.Encode(q.read)
		if err != nil {
			return err
		}
		meta, err := json.Marshal(eventstore.Metadata{Actor: q.read.ReaderID, SchemaVersion: version})
		if err != nil {
			return err
		}
		data[i] = esdb.EventData{EventID: uuid.New(), EventType: name, ContentType: esdb.ContentTypeJson, Data: payload, Metadata: meta}
	}
	if _, err := a.cfg.Store.Client().AppendToStream(ctx, s, esdb.AppendToStreamOptions{ExpectedRevision: esdb.Any{}}, data...); err != nil {
		return fmt.Errorf("append %d reads to %s: %w", len(qs), s, err)
	}
	return nil
}

// expire sets the $maxAge of stream s to d, unless this process did.
func (a *Auditor) expire(ctx context.Context, s string, d time.Duration) error {
	a.mu.Lock()
	done := a.maxAge[s] == d
	a.mu.Unlock()
	if done {
		return nil
	}
	if err := SetMaxAge(ctx, a.cfg.Store.Client(), s, d); err != nil {
		return err
	}
	a.mu.Lock()
	a.maxAge[s] = d
	a.mu.Unlock()
	return nil
}

// SetMaxAge sets the $maxAge of stream s to d, keeping its other metadata.
func SetMaxAge(ctx context.Context, c *esdb.Client, s string, d time.Duration) error {
	meta, err := c.GetStreamMetadata(ctx, s, esdb.ReadStreamOptions{})
	var ee *esdb.Error
	if errors.As(err, &ee) && ee.IsErrorCode(esdb.ErrorCodeResourceNotFound) {
		meta, err = &esdb.StreamMetadata{}, nil
	}
	if err != nil {
		return fmt.Errorf("read the metadata of %s: %w", s, err)
	}
	if old := meta.MaxAge(); old != nil && *old == d {
		return nil
	}
	meta.SetMaxAge(d)
	if _, err := c.SetStreamMetadata(ctx, s, esdb.AppendToStreamOptions{ExpectedRevision: esdb.Any{}}, *meta); err != nil {
		return fmt.Errorf("set the $maxAge of %s: %w", s, err)
	}
	return nil
}

// Reads returns the reads of a journey's portfolio, oldest first: those
// stored (and not expired) and those still queued.
func (a *Auditor) Reads(ctx context.Context, journeyID string) ([]privacy.PortfolioRead, error) {
	out, err := a.stored(ctx, eventstore.StreamID(privacy.ReadAuditCategory, journeyID))
	if err != nil {
		return nil, err
	}
	a.mu.Lock()
	for _, q := range a.queue {
		if q.read.JourneyID == journeyID {
			out = append(out, q.read)
		}
	}
	a.mu.Unlock()
	return out, nil
}

// Dropped returns how many reads were dropped because the queue was full.
func (a *Auditor) Dropped() uint64 {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.dropped
}

// stored reads the records of stream s straight from the store (not
// through the store's stream cache, which would keep records the store
// has expired).
func (a *Auditor) stored(ctx context.Context, s string) ([]privacy.PortfolioRead, error) {
	out := []privacy.PortfolioRead{}
	rs, err := a.cfg.Store.Client().ReadStream(ctx, s, esdb.ReadStreamOptions{From: esdb.Start{}}, ^uint64(0))
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", s, err)
	}
	defer rs.Close()
	for {
		ev, err := rs.Recv()
		var ee *esdb.Error
		switch {
		case errors.Is(err, io.EOF):
			return out, nil
		case errors.As(err, &ee) && (ee.IsErrorCode(esdb.ErrorCodeResourceNotFound) || ee.IsErrorCode(esdb.ErrorCodeStreamDeleted)):
			return out, nil
		case err != nil:
			return nil, fmt.Errorf("read %s: %w", s, err)
		}
		rec, err := a.cfg.Store.Decode(ev.Event)
		if err != nil {
			return nil, fmt.Errorf("read %s: %w", s, err)
		}
		if pr, ok := rec.Event.(privacy.PortfolioRead); ok {
			out = append(out, pr)
		}
	}
}

// retention returns the read-audit retention of a programme in days,
// looked up at most once per daysTTL.
func (a *Auditor) retention(ctx context.Context, programmeID string) int {
	now := time.Now()
	a.mu.Lock()
	c, ok := a.days[programmeID]
	a.mu.Unlock()
	if ok && now.Sub(c.at) < daysTTL {
		return c.days
	}
	days := privacy.DefaultReadAuditDays
	if a.cfg.ReadAuditDays != nil && programmeID != "" {
		if d, err := a.cfg.ReadAuditDays(ctx, programmeID); err == nil && d > 0 {
			days = d
		}
	}
	a.mu.Lock()
	a.days[programmeID] = cachedDays{days: days, at: now}
	a.mu.Unlock()
	return days
}
