package node

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"sync"
	"time"

	"github.com/EventStore/EventStore-Client-Go/v4/protos/persistent"
)

// A group's runtime. One goroutine per group (run) owns the source cursor
// and does every read of the source and every write of the group's streams
// (parked messages, checkpoints); gRPC handlers change the in-memory state
// under g.mu and wake it. Sends to a consumer happen in its Read handler,
// never under g.mu.
//
// Delivery is at least once. A source event stays in the window, in source
// order, until it is acked, skipped or parked; the checkpoint is the
// source position of the last event of the longest finished prefix of the
// window, so a restart resumes right after it.

// psMsg is one event a group delivers.
type psMsg struct {
	ev         Event    // the event delivered (the target of a resolved link)
	link       *Event   // the link, when one was resolved
	id         [16]byte // what consumers ack: the link's id when there is one
	src        int64    // revision (stream group) or position ($all) in the source
	fromSource bool     // false for replayed parked messages (not in the window)
	parkedRev  int64    // revision of the parked record it was replayed from; -1: none
	retry      int32
	conn       *psConn   // consumer it is in flight on
	deadline   time.Time // message timeout while in flight
	done       bool
	reason     string // why it is parked
}

func (m *psMsg) original() *Event {
	if m.link != nil {
		return m.link
	}
	return &m.ev
}

// psConn is one consumer connection (one Read call).
type psConn struct {
	id         string
	from       string
	capacity   int
	uuidString bool
	inflight   map[[16]byte]*psMsg // guarded by the group's mu
	out        []*persistent.ReadResp
	total      int64
	notify     chan struct{} // capacity 1: out has messages
	done       chan struct{} // closed by close
	closeOnce  sync.Once
	err        error // why it ended; nil = normal end (written before done closes)
}

func (c *psConn) close(err error) {
	c.closeOnce.Do(func() {
		c.err = err
		close(c.done)
	})
}

func (c *psConn) free() int { return c.capacity - len(c.inflight) }

// psReplay asks the group loop to replay parked messages.
type psReplay struct {
	stopAt int64 // replay parked records with revision < stopAt; -1: all
	reply  chan error
}

// psGroup is the runtime of one subscription group.
type psGroup struct {
	p       *persistentService
	cfg     psConfig
	filter  AllFilter
	timeout time.Duration
	every   time.Duration // checkpoint_after

	wake     chan struct{} // capacity 1
	replayCh chan psReplay
	stop     chan struct{}
	stopOnce sync.Once
	stopped  chan struct{}
	// finalCheckpoint says whether stopping writes the checkpoint first
	// (not when the group is deleted). Set before stop is closed.
	finalCheckpoint bool

	mu       sync.Mutex
	conns    []*psConn
	rr       int
	nextConn int
	window   []*psMsg // source events not yet finished, in source order
	ready    []*psMsg // source events not yet sent
	retry    []*psMsg // redeliveries, sent before ready
	toPark   []*psMsg
	stopping bool

	startCursor  int64 // cursor before the first event to deliver
	cursor       int64 // last source revision/position read; -1: none
	lastKnown    int64 // last source event loaded; -1: none
	ackedThrough int64 // all source events up to here are finished
	checkpoint   int64 // persisted checkpoint; -1: none
	cpBase       int64 // checkpoint, or startCursor when there is none
	processed    int   // source events finished since the last checkpoint
	lastCpAt     time.Time
	parked       int64 // parked messages not yet replayed

	// Replayed parked messages, in parked-stream order. A parked record is
	// truncated from the parked stream ($tb) only once its replay finished,
	// so a crash mid-replay leaves it parked.
	replayWindow []*psMsg
	replayCursor int64 // last parked revision queued for replay; -1: none
	replayDone   int64 // parked records up to here are finished
	replayTB     int64 // $tb last written to the parked stream
	totalItems   int64
}

// maxScanAll bounds one scan of $all so a filtered group yields regularly.
const maxScanAll = 4096

func newPSGroup(ctx context.Context, p *persistentService, cfg psConfig) (*psGroup, error) {
	g := &psGroup{
		p: p, cfg: cfg,
		timeout:   time.Duration(cfg.MessageTimeoutMs) * time.Millisecond,
		every:     time.Duration(cfg.CheckpointAfterMs) * time.Millisecond,
		wake:      make(chan struct{}, 1),
		replayCh:  make(chan psReplay),
		stop:      make(chan struct{}),
		stopped:   make(chan struct{}),
		lastCpAt:  time.Now(),
		lastKnown: -1, checkpoint: -1, replayCursor: -1, replayDone: -1,
	}
	if cfg.isAll() {
		f, err := cfg.allFilter()
		if err != nil {
			return nil, fmt.Errorf("group %s: %w", cfg.key(), err)
		}
		g.filter = f
	}
	if cfg.Start == 0 {
		g.startCursor = -1
	} else {
		g.startCursor = int64(cfg.Start) - 1
	}
	cp, err := g.loadCheckpoint(ctx)
	if err != nil {
		return nil, err
	}
	g.checkpoint = cp
	g.cursor = g.startCursor
	if cp >= 0 {
		g.cursor = cp
	}
	g.cpBase, g.ackedThrough = g.cursor, g.cursor
	n, err := g.countParked()
	if err != nil {
		return nil, err
	}
	g.parked = n
	return g, nil
}

func (g *psGroup) checkpointStream() string { return psCheckpointStream(g.cfg.Stream, g.cfg.Group) }
func (g *psGroup) parkedStream() string     { return psParkedStream(g.cfg.Stream, g.cfg.Group) }

// loadCheckpoint reads the last persisted checkpoint, -1 if none.
func (g *psGroup) loadCheckpoint(ctx context.Context) (int64, error) {
	cp := int64(-1)
	err := g.p.e.ReadStream(ctx, g.checkpointStream(), RevisionEnd, true, 1, func(ev *Event) error {
		v, err := g.parseCheckpoint(ev.Data)
		if err != nil {
			return fmt.Errorf("checkpoint of group %s at revision %d: %w", g.cfg.key(), ev.Revision, err)
		}
		cp = v
		return nil
	})
	if err != nil && !errors.Is(err, ErrStreamNotFound) {
		return -1, fmt.Errorf("load checkpoint: %w", err)
	}
	return cp, nil
}

// Checkpoint payloads are JSON: the revision as a number for stream groups,
// the position as "C:<commit>/P:<prepare>" for $all groups.
func (g *psGroup) encodeCheckpoint(v int64) []byte {
	if g.cfg.isAll() {
		b, _ := json.Marshal(formatAllPosition(uint64(v)))
		return b
	}
	return []byte(strconv.FormatInt(v, 10))
}

func (g *psGroup) parseCheckpoint(data []byte) (int64, error) {
	if !g.cfg.isAll() {
		return strconv.ParseInt(string(data), 10, 64)
	}
	var s string
	if err := json.Unmarshal(data, &s); err != nil {
		return 0, err
	}
	var c, p int64
	if _, err := fmt.Sscanf(s, "C:%d/P:%d", &c, &p); err != nil {
		return 0, fmt.Errorf("parse position %q: %w", s, err)
	}
	return c, nil
}

// countParked counts the parked records not yet replayed: those after the
// $tb the replay writes to the parked stream's metadata.
func (g *psGroup) countParked() (int64, error) {
	last, _ := g.p.e.LastRevision(g.parkedStream())
	if last < 0 {
		return 0, nil
	}
	first := int64(-1)
	err := g.p.e.ReadStream(context.Background(), g.parkedStream(), 0, false, 1, func(ev *Event) error {
		first = int64(ev.Revision)
		return nil
	})
	switch {
	case errors.Is(err, ErrStreamNotFound):
		return 0, nil
	case err != nil:
		return 0, fmt.Errorf("count parked messages of %s: %w", g.cfg.key(), err)
	case first < 0:
		return 0, nil // all replayed
	}
	return last - first + 1, nil
}

func (g *psGroup) signal() {
	select {
	case g.wake <- struct{}{}:
	default:
	}
}

// halt stops the loop (writing a final checkpoint if asked) and ends every
// consumer connection with connErr.
func (g *psGroup) halt(connErr error, checkpoint bool) {
	g.mu.Lock()
	g.stopping = true
	conns := append([]*psConn(nil), g.conns...)
	g.mu.Unlock()
	for _, c := range conns {
		c.close(connErr)
	}
	g.stopOnce.Do(func() {
		g.finalCheckpoint = checkpoint
		close(g.stop)
	})
	<-g.stopped
}

// connect registers a consumer.
func (g *psGroup) connect(from string, size int, uuidString bool) (*psConn, error) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.stopping {
		return nil, errPSClosed
	}
	if g.cfg.MaxSubscriberCount > 0 && len(g.conns) >= int(g.cfg.MaxSubscriberCount) {
		return nil, psMaxSubscribers(g.cfg.Stream, g.cfg.Group)
	}
	g.nextConn++
	c := &psConn{
		id: fmt.Sprintf("%s#%d", g.cfg.key(), g.nextConn), from: from, capacity: size, uuidString: uuidString,
		inflight: make(map[[16]byte]*psMsg), notify: make(chan struct{}, 1), done: make(chan struct{}),
	}
	g.conns = append(g.conns, c)
	g.signal()
	return c, nil
}

// disconnect removes a consumer; its unacknowledged messages are retried.
func (g *psGroup) disconnect(c *psConn) {
	g.mu.Lock()
	for i, x := range g.conns {
		if x == c {
			g.conns = append(g.conns[:i], g.conns[i+1:]...)
			break
		}
	}
	msgs := make([]*psMsg, 0, len(c.inflight))
	for _, m := range c.inflight {
		msgs = append(msgs, m)
	}
	sortMsgs(msgs)
	clear(c.inflight)
	c.out = nil
	for _, m := range msgs {
		m.conn = nil
		g.retryLocked(m, "consumer disconnected")
	}
	g.mu.Unlock()
	g.signal()
}

func sortMsgs(msgs []*psMsg) {
	sort.Slice(msgs, func(i, j int) bool {
		if msgs[i].fromSource != msgs[j].fromSource {
			return !msgs[i].fromSource // replayed first, as they were queued first
		}
		return msgs[i].src < msgs[j].src
	})
}

// takeOut hands the Read handler what it must send.
func (g *psGroup) takeOut(c *psConn) []*persistent.ReadResp {
	g.mu.Lock()
	defer g.mu.Unlock()
	out := c.out
	c.out = nil
	return out
}

// ack finishes the messages with the given ids.
func (g *psGroup) ack(c *psConn, ids [][16]byte) {
	g.mu.Lock()
	for _, id := range ids {
		if m := c.inflight[id]; m != nil {
			delete(c.inflight, id)
			g.finishLocked(m)
			continue
		}
		// A late ack for a message that timed out and waits for redelivery.
		for _, m := range g.retry {
			if !m.done && m.conn == nil && m.id == id {
				g.finishLocked(m)
				break
			}
		}
	}
	g.mu.Unlock()
	g.signal()
}

// nack applies a negative acknowledgement; it reports whether the consumer
// asked to stop.
func (g *psGroup) nack(c *psConn, ids [][16]byte, action persistent.ReadReq_Nack_Action, reason string) bool {
	g.mu.Lock()
	for _, id := range ids {
		m := c.inflight[id]
		if m == nil {
			continue
		}
		delete(c.inflight, id)
		m.conn = nil
		switch action {
		case persistent.ReadReq_Nack_Park:
			m.reason = reason
			g.toPark = append(g.toPark, m)
		case persistent.ReadReq_Nack_Skip:
			g.finishLocked(m)
		default: // Retry, Unknown, Stop: deliver again
			g.retryLocked(m, reason)
		}
	}
	g.mu.Unlock()
	g.signal()
	return action == persistent.ReadReq_Nack_Stop
}

// retryLocked queues a message for redelivery, or parks it once it has
// been retried max_retry_count times (as the real server does).
func (g *psGroup) retryLocked(m *psMsg, reason string) {
	if m.retry >= g.cfg.MaxRetryCount {
		m.reason = "max retry count reached: " + reason
		g.toPark = append(g.toPark, m)
		return
	}
	m.retry++
	g.retry = append(g.retry, m)
}

// finishLocked marks a message processed and advances the finished prefix.
func (g *psGroup) finishLocked(m *psMsg) {
	m.done, m.conn = true, nil
	if !m.fromSource {
		if m.parkedRev >= 0 {
			n := 0
			for n < len(g.replayWindow) && g.replayWindow[n].done {
				g.replayDone = g.replayWindow[n].parkedRev
				g.replayWindow[n] = nil
				n++
			}
			g.replayWindow = g.replayWindow[n:]
		}
		return
	}
	n := 0
	for n < len(g.window) && g.window[n].done {
		g.ackedThrough = g.window[n].src
		g.window[n] = nil
		n++
	}
	g.window = g.window[n:]
	g.processed += n
	if len(g.window) == 0 && g.cursor > g.ackedThrough {
		g.ackedThrough = g.cursor
	}
}

// expireLocked retries in-flight messages whose timeout passed.
func (g *psGroup) expireLocked(now time.Time) {
	if g.timeout <= 0 {
		return
	}
	var expired []*psMsg
	for _, c := range g.conns {
		for id, m := range c.inflight {
			if !m.deadline.After(now) {
				delete(c.inflight, id)
				m.conn = nil
				expired = append(expired, m)
			}
		}
	}
	sortMsgs(expired)
	for _, m := range expired {
		g.retryLocked(m, "message timeout")
	}
}

// windowCap bounds how many source events a group holds in memory.
func (g *psGroup) windowCap() int {
	return max(int(g.cfg.HistoryBufferSize)+int(g.cfg.LiveBufferSize)+int(g.cfg.ReadBatchSize), 1024)
}

// demandLocked is how many more source events the consumers can take.
func (g *psGroup) demandLocked() int {
	free := 0
	for _, c := range g.conns {
		free += max(c.free(), 0)
	}
	if free == 0 || len(g.window) >= g.windowCap() {
		return 0
	}
	return free - len(g.ready) - len(g.retry)
}

// fill reads up to need source events (at least a read batch) after the
// cursor. It reports whether the source had no more.
func (g *psGroup) fill(ctx context.Context, need int) (caughtUp bool, err error) {
	g.mu.Lock()
	cursor := g.cursor
	g.mu.Unlock()
	batch := min(max(need, int(g.cfg.ReadBatchSize), 1), 512)
	var evs []Event
	if g.cfg.isAll() {
		var scannedTo Position
		var scanned int
		evs, scannedTo, scanned, err = g.p.e.NextInAll(uint64(max(cursor, 0)), g.filter, batch, maxScanAll)
		if err != nil {
			return true, fmt.Errorf("read $all for group %s: %w", g.cfg.key(), err)
		}
		if scanned > 0 {
			cursor = int64(scannedTo)
		}
		caughtUp = len(evs) < batch && scanned < maxScanAll
	} else {
		evs, err = g.p.e.NextInStream(g.cfg.Stream, cursor, batch)
		if err != nil {
			return true, fmt.Errorf("read stream %q for group %s: %w", g.cfg.Stream, g.cfg.key(), err)
		}
		if len(evs) > 0 {
			cursor = int64(evs[len(evs)-1].Revision)
		}
		caughtUp = len(evs) < batch
	}
	msgs := make([]*psMsg, 0, len(evs))
	for i := range evs {
		ev := evs[i]
		if ev.IsSkip() {
			continue
		}
		src := int64(ev.Revision)
		if g.cfg.isAll() {
			src = int64(ev.Position)
		}
		m := g.newMsg(ctx, ev)
		m.src, m.fromSource = src, true
		msgs = append(msgs, m)
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	g.cursor = cursor
	g.window = append(g.window, msgs...)
	g.ready = append(g.ready, msgs...)
	if len(msgs) > 0 {
		g.lastKnown = msgs[len(msgs)-1].src
	}
	if len(g.window) == 0 && g.cursor > g.ackedThrough {
		g.ackedThrough = g.cursor
	}
	return caughtUp, nil
}

// newMsg wraps an event, resolving it when it is a link and the group
// resolves links.
func (g *psGroup) newMsg(ctx context.Context, ev Event) *psMsg {
	m := &psMsg{ev: ev, id: ev.ID, parkedRev: -1}
	if !g.cfg.ResolveLinks || ev.Type != psLinkEventType {
		return m
	}
	stream, rev, ok := parseLink(ev.Data)
	if !ok {
		return m
	}
	if target, ok := g.readOne(ctx, stream, rev); ok {
		link := ev
		m.ev, m.link = target, &link
	}
	return m
}

// readOne loads one event by stream and revision.
func (g *psGroup) readOne(ctx context.Context, stream string, rev uint64) (Event, bool) {
	var out Event
	found := false
	err := g.p.e.ReadStream(ctx, stream, rev, false, 1, func(ev *Event) error {
		if ev.Revision == rev {
			out, found = *ev, true
		}
		return nil
	})
	return out, err == nil && found
}

// dispatchLocked sends queued messages to consumers with free slots.
func (g *psGroup) dispatchLocked(now time.Time) {
	g.retry = g.dispatchQueue(g.retry, now)
	g.ready = g.dispatchQueue(g.ready, now)
}

func (g *psGroup) dispatchQueue(q []*psMsg, now time.Time) []*psMsg {
	kept := q[:0]
	for i, m := range q {
		if m.done {
			continue
		}
		if c := g.pick(m); c != nil {
			g.sendLocked(c, m, now)
			continue
		}
		kept = append(kept, m)
		if !g.pinned() && g.freeLocked() == 0 {
			kept = append(kept, q[i+1:]...)
			break
		}
	}
	clear(q[len(kept):])
	return kept
}

func (g *psGroup) pinned() bool {
	return g.cfg.ConsumerStrategy == psPinned || g.cfg.ConsumerStrategy == psPinnedByCorrelation
}

func (g *psGroup) freeLocked() int {
	n := 0
	for _, c := range g.conns {
		n += max(c.free(), 0)
	}
	return n
}

// pick chooses the consumer for m by the group's strategy. A consumer never
// has two messages with the same id in flight.
func (g *psGroup) pick(m *psMsg) *psConn {
	n := len(g.conns)
	if n == 0 {
		return nil
	}
	ok := func(c *psConn) bool { return c.free() > 0 && c.inflight[m.id] == nil }
	switch {
	case g.cfg.ConsumerStrategy == psDispatchToSingle:
		for _, c := range g.conns {
			if ok(c) {
				return c
			}
		}
	case g.pinned():
		if c := g.conns[fnv64(m.original().Stream)%uint64(n)]; ok(c) {
			return c
		}
	default: // round robin
		for k := 0; k < n; k++ {
			i := (g.rr + k) % n
			if c := g.conns[i]; ok(c) {
				g.rr = (i + 1) % n
				return c
			}
		}
	}
	return nil
}

func (g *psGroup) sendLocked(c *psConn, m *psMsg, now time.Time) {
	m.conn = c
	m.deadline = time.Time{}
	if g.timeout > 0 {
		m.deadline = now.Add(g.timeout)
	}
	c.inflight[m.id] = m
	re := &persistent.ReadResp_ReadEvent{
		Event:    psRecorded(&m.ev, c.uuidString),
		Position: &persistent.ReadResp_ReadEvent_CommitPosition{CommitPosition: m.original().Position},
		Count:    &persistent.ReadResp_ReadEvent_RetryCount{RetryCount: m.retry},
	}
	if m.link != nil {
		re.Link = psRecorded(m.link, c.uuidString)
	}
	c.out = append(c.out, &persistent.ReadResp{Content: &persistent.ReadResp_Event{Event: re}})
	c.total++
	g.totalItems++
	select {
	case c.notify <- struct{}{}:
	default:
	}
}

// run is the group loop.
func (g *psGroup) run() {
	defer close(g.stopped)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	timer := time.NewTimer(time.Hour)
	defer timer.Stop()
	sourceBroken := false
	finish := func() {
		g.parkPending(ctx)
		if g.finalCheckpoint {
			g.maybeCheckpoint(ctx, true)
			g.truncateReplayed(ctx)
		}
	}
	for {
		select {
		case <-g.stop:
			finish()
			return
		default:
		}
		g.parkPending(ctx)
		g.mu.Lock()
		g.expireLocked(time.Now())
		need := g.demandLocked()
		g.mu.Unlock()

		var live <-chan struct{}
		more := false
		if need > 0 && !sourceBroken {
			ch := g.p.e.Changed()
			caughtUp, err := g.fill(ctx, need)
			switch {
			case err != nil:
				var de *StreamDeletedError
				if errors.As(err, &de) || errors.Is(err, ErrClosed) {
					sourceBroken = true // nothing will ever come
				}
				g.p.log.Warn("persistent subscription cannot read its source", "group", g.cfg.key(), "err", err)
			case caughtUp:
				if !g.p.e.Closed() {
					live = ch
				}
			default:
				more = true
			}
		}

		now := time.Now()
		g.mu.Lock()
		g.dispatchLocked(now)
		wait := g.nextWakeLocked(now)
		pending := len(g.toPark) > 0
		if more && g.demandLocked() <= 0 {
			more = false
		}
		g.mu.Unlock()
		g.maybeCheckpoint(ctx, false)
		g.truncateReplayed(ctx)
		if pending || more {
			continue
		}
		if wait < 0 {
			wait = time.Hour
		}
		timer.Reset(wait)
		select {
		case <-g.stop:
			finish()
			return
		case <-g.wake:
		case <-live:
		case <-timer.C:
		case r := <-g.replayCh:
			g.parkPending(ctx)
			r.reply <- g.replayParked(ctx, r.stopAt)
		}
	}
}

// nextWakeLocked is how long the loop may sleep: until the next message
// timeout or checkpoint; -1 for no deadline.
func (g *psGroup) nextWakeLocked(now time.Time) time.Duration {
	next := time.Time{}
	earlier := func(t time.Time) {
		if next.IsZero() || t.Before(next) {
			next = t
		}
	}
	if g.timeout > 0 {
		for _, c := range g.conns {
			for _, m := range c.inflight {
				earlier(m.deadline)
			}
		}
	}
	if g.ackedThrough > g.cpBase && g.processed >= max(int(g.cfg.MinCheckpointCount), 1) && !g.p.e.Closed() {
		earlier(g.lastCpAt.Add(g.every))
	}
	if next.IsZero() {
		return -1
	}
	return max(next.Sub(now), time.Millisecond)
}

// parkPending writes the messages to park to the parked stream, each as a
// link to the original event, then finishes them.
func (g *psGroup) parkPending(ctx context.Context) {
	g.mu.Lock()
	msgs := g.toPark
	g.toPark = nil
	g.mu.Unlock()
	if len(msgs) == 0 {
		return
	}
	evs := make([]ProposedEvent, len(msgs))
	for i, m := range msgs {
		o := m.original()
		meta, _ := json.Marshal(map[string]any{
			"$o": o.Stream, "$v": o.Revision, "$c": o.Position, "$p": o.Position,
			"reason": m.reason, "retryCount": m.retry,
		})
		evs[i] = ProposedEvent{ID: psEventID(), Type: psLinkEventType, ContentType: "application/octet-stream",
			CustomMetadata: meta, Data: fmt.Appendf(nil, "%d@%s", o.Revision, o.Stream)}
	}
	_, err := g.p.e.Append(context.WithoutCancel(ctx), g.parkedStream(), Expected{Kind: ExpectAny}, evs)
	g.mu.Lock()
	defer g.mu.Unlock()
	if err != nil {
		// Not parked: deliver them again rather than lose them.
		g.logWriteError("persistent subscription could not park messages", "err", err)
		g.retry = append(g.retry, msgs...)
		return
	}
	g.parked += int64(len(msgs))
	for _, m := range msgs {
		g.finishLocked(m)
	}
}

// maybeCheckpoint persists the finished prefix when the checkpoint rules
// (checkpoint_after with min_checkpoint_count, or max_checkpoint_count) or
// force say so.
func (g *psGroup) maybeCheckpoint(ctx context.Context, force bool) {
	now := time.Now()
	g.mu.Lock()
	at, processed := g.ackedThrough, g.processed
	due := at > g.cpBase && (force ||
		processed >= max(int(g.cfg.MaxCheckpointCount), 1) ||
		(processed >= max(int(g.cfg.MinCheckpointCount), 1) && now.Sub(g.lastCpAt) >= g.every))
	g.mu.Unlock()
	if !due || g.p.e.Closed() {
		return
	}
	if err := g.writeCheckpoint(context.WithoutCancel(ctx), at); err != nil {
		g.logWriteError("persistent subscription could not write its checkpoint", "err", err)
		g.mu.Lock()
		g.lastCpAt = now.Add(time.Second) // try again a second after checkpoint_after
		g.mu.Unlock()
		return
	}
	g.mu.Lock()
	g.cpBase, g.checkpoint, g.lastCpAt = at, at, now
	g.processed -= processed
	g.mu.Unlock()
}

func (g *psGroup) writeCheckpoint(ctx context.Context, at int64) error {
	stream := g.checkpointStream()
	if last, _ := g.p.e.LastRevision(stream); last < 0 {
		// Only the latest checkpoint matters, as on the real server.
		if _, err := g.p.e.Append(ctx, "$$"+stream, Expected{Kind: ExpectAny}, []ProposedEvent{{
			ID: psEventID(), Type: "$metadata", ContentType: "application/json", Data: []byte(`{"$maxCount":1}`),
		}}); err != nil {
			return fmt.Errorf("write checkpoint stream metadata: %w", err)
		}
	}
	_, err := g.p.e.Append(ctx, stream, Expected{Kind: ExpectAny}, []ProposedEvent{{
		ID: psEventID(), Type: psCheckpointEventType, ContentType: "application/json", Data: g.encodeCheckpoint(at),
	}})
	if err != nil {
		return fmt.Errorf("write checkpoint: %w", err)
	}
	return nil
}

// replayParked queues the parked messages (records with revision < stopAt,
// or all when stopAt < 0) not yet queued for redelivery.
func (g *psGroup) replayParked(ctx context.Context, stopAt int64) error {
	g.mu.Lock()
	from := g.replayCursor + 1
	g.mu.Unlock()
	var links []Event
	err := g.p.e.ReadStream(ctx, g.parkedStream(), uint64(from), false, RevisionEnd, func(ev *Event) error {
		if stopAt >= 0 && int64(ev.Revision) >= stopAt {
			return errStopReplay
		}
		links = append(links, *ev)
		return nil
	})
	if err != nil && !errors.Is(err, errStopReplay) && !errors.Is(err, ErrStreamNotFound) {
		return fmt.Errorf("read parked messages of %s: %w", g.cfg.key(), err)
	}
	if len(links) == 0 {
		return nil
	}
	msgs := make([]*psMsg, len(links))
	for i, l := range links {
		m := &psMsg{parkedRev: int64(l.Revision), done: true} // a placeholder when the original is gone
		if s, rev, ok := parseLink(l.Data); ok {
			if ev, ok := g.readOne(ctx, s, rev); ok {
				m = g.newMsg(ctx, ev)
				m.src, m.parkedRev = int64(ev.Revision), int64(l.Revision)
			}
		}
		msgs[i] = m
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	g.replayCursor = int64(links[len(links)-1].Revision)
	g.replayWindow = append(g.replayWindow, msgs...)
	for _, m := range msgs {
		if !m.done {
			g.retry = append(g.retry, m)
		}
	}
	g.parked = max(g.parked-int64(len(links)), 0)
	if len(g.replayWindow) > 0 && g.replayWindow[0].done {
		g.finishLocked(g.replayWindow[0]) // trims leading placeholders
	}
	return nil
}

// truncateReplayed hides the parked records whose replay finished by
// writing $tb to the parked stream's metadata.
func (g *psGroup) truncateReplayed(ctx context.Context) {
	g.mu.Lock()
	tb := g.replayDone + 1
	due := tb > g.replayTB
	g.mu.Unlock()
	if !due || g.p.e.Closed() {
		return
	}
	_, err := g.p.e.Append(context.WithoutCancel(ctx), "$$"+g.parkedStream(), Expected{Kind: ExpectAny}, []ProposedEvent{{
		ID: psEventID(), Type: "$metadata", ContentType: "application/json", Data: fmt.Appendf(nil, `{"$tb":%d}`, tb),
	}})
	if err != nil {
		g.logWriteError("persistent subscription could not mark parked messages replayed", "err", err)
		return
	}
	g.mu.Lock()
	g.replayTB = tb
	g.mu.Unlock()
}

var errStopReplay = errors.New("stop replay")

// requestReplay hands a replay to the group loop and waits for it.
func (g *psGroup) requestReplay(ctx context.Context, stopAt int64) error {
	r := psReplay{stopAt: stopAt, reply: make(chan error, 1)}
	select {
	case g.replayCh <- r:
	case <-g.stopped:
		return errPSClosed
	case <-ctx.Done():
		return ctx.Err()
	}
	select {
	case err := <-r.reply:
		return err
	case <-ctx.Done():
		return ctx.Err()
	}
}

// info describes the group for GetInfo and List.
func (g *psGroup) info() *persistent.SubscriptionInfo {
	g.mu.Lock()
	defer g.mu.Unlock()
	pos := func(v int64) string {
		switch {
		case v < 0:
			return ""
		case g.cfg.isAll():
			return formatAllPosition(uint64(v))
		}
		return strconv.FormatInt(v, 10)
	}
	inflight := 0
	conns := make([]*persistent.SubscriptionInfo_ConnectionInfo, 0, len(g.conns))
	for _, c := range g.conns {
		inflight += len(c.inflight)
		conns = append(conns, &persistent.SubscriptionInfo_ConnectionInfo{
			From: c.from, TotalItems: c.total, AvailableSlots: int32(max(c.free(), 0)),
			InFlightMessages: int32(len(c.inflight)), ConnectionName: c.id,
		})
	}
	retry := 0
	for _, m := range g.retry {
		if !m.done {
			retry++
		}
	}
	c := &g.cfg
	return &persistent.SubscriptionInfo{
		EventSource:                   c.Stream,
		GroupName:                     c.Group,
		Status:                        "Live",
		Connections:                   conns,
		TotalItems:                    g.totalItems,
		LastCheckpointedEventPosition: pos(g.checkpoint),
		LastKnownEventPosition:        pos(g.lastKnown),
		ResolveLinkTos:                c.ResolveLinks,
		StartFrom:                     c.StartFrom,
		MessageTimeoutMilliseconds:    c.MessageTimeoutMs,
		ExtraStatistics:               c.ExtraStatistics,
		MaxRetryCount:                 c.MaxRetryCount,
		LiveBufferSize:                c.LiveBufferSize,
		BufferSize:                    c.HistoryBufferSize,
		ReadBatchSize:                 c.ReadBatchSize,
		CheckPointAfterMilliseconds:   c.CheckpointAfterMs,
		MinCheckPointCount:            c.MinCheckpointCount,
		MaxCheckPointCount:            c.MaxCheckpointCount,
		ReadBufferCount:               int32(len(g.ready)),
		RetryBufferCount:              int32(retry),
		TotalInFlightMessages:         int32(inflight),
		OutstandingMessagesCount:      int32(inflight),
		NamedConsumerStrategy:         c.ConsumerStrategy,
		MaxSubscriberCount:            c.MaxSubscriberCount,
		ParkedMessageCount:            g.parked,
	}
}

// logWriteError reports a failed write of the group's own streams; once
// the engine is closing that is expected and only worth a debug line.
func (g *psGroup) logWriteError(msg string, args ...any) {
	args = append(args, "group", g.cfg.key())
	if g.p.e.Closed() {
		g.p.log.Debug(msg, args...)
		return
	}
	g.p.log.Warn(msg, args...)
}
