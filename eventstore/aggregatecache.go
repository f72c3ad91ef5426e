package eventstore

import (
	"container/list"
	"sync"

	"github.com/google/uuid"

	"github.com/leerpad/leerpad/domain"
)

// entry is an aggregate as the repository keeps it: up to date with its
// stream's revision, with the id and commit position of each event, so that
// a retried command is recognised by its deterministic event ids without
// reading the stream again.
type entry[A Aggregate] struct {
	agg       A
	base      uint64 // the revision of the first event held (0 unless the stream's start was deleted)
	ids       []uuid.UUID
	positions []uint64
	gen       uint64 // the cache's generation when the entry's first events were read
}

// revision is the revision of the stream's last event (an entry always
// holds at least one event).
func (e *entry[A]) revision() uint64 { return e.base + uint64(len(e.ids)-1) }

// catchUp applies recorded events that follow the entry's last one.
func (e *entry[A]) catchUp(recs []Recorded) {
	if len(recs) == 0 {
		return
	}
	if len(e.ids) == 0 {
		e.base = recs[0].Revision
	}
	events := make([]domain.Event, len(recs))
	for i, rec := range recs {
		events[i] = rec.Event
		e.ids = append(e.ids, rec.ID)
		e.positions = append(e.positions, rec.Position)
	}
	e.agg.CatchUp(events...)
}

// add notes n events appended at position pos, with ids (nil: random ids,
// which no retry can name, so they are kept as the zero id).
func (e *entry[A]) add(ids []uuid.UUID, n int, pos uint64) {
	for i := range n {
		id := uuid.Nil
		if ids != nil {
			id = ids[i]
		}
		e.ids = append(e.ids, id)
		e.positions = append(e.positions, pos)
	}
}

// applied reports whether the command with idempotency key was stored
// before, and what it wrote then: the revision and position of its last
// event.
func (e *entry[A]) applied(stream, key string) (domain.Written, bool) {
	if key == "" {
		return domain.Written{}, false
	}
	first := deterministicID(stream, key, 0)
	for i := len(e.ids) - 1; i >= 0; i-- {
		if e.ids[i] != first {
			continue
		}
		n := 1
		for i+n < len(e.ids) && e.ids[i+n] == deterministicID(stream, key, n) {
			n++
		}
		last := i + n - 1
		return domain.Written{Revision: e.base + uint64(last), Position: e.positions[last]}, true
	}
	return domain.Written{}, false
}

// has reports whether the command with idempotency key is in the entry.
func (e *entry[A]) has(stream, key string) bool {
	_, ok := e.applied(stream, key)
	return ok
}

// aggregateCache is a bounded LRU of decided aggregates by stream. An
// aggregate is taken out while a command or a view uses it, so that no two
// callers share one; a nil cache (or one of size 0) keeps nothing.
type aggregateCache[A Aggregate] struct {
	mu    sync.Mutex
	gen   uint64 // raised by clear: an entry of an older generation is not kept
	max   int
	order *list.List // front: most recently used; values are *cached[A]
	items map[string]*list.Element
}

type cached[A Aggregate] struct {
	stream string
	e      *entry[A]
}

func newAggregateCache[A Aggregate](max int) *aggregateCache[A] {
	if max <= 0 {
		return nil
	}
	return &aggregateCache[A]{max: max, order: list.New(), items: make(map[string]*list.Element)}
}

// take removes and returns the entry of stream, or nil.
func (c *aggregateCache[A]) take(stream string) *entry[A] {
	if c == nil {
		return nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	el, ok := c.items[stream]
	if !ok {
		return nil
	}
	c.order.Remove(el)
	delete(c.items, stream)
	return el.Value.(*cached[A]).e
}

// put keeps e as the entry of stream, unless the cache holds a later one
// (a concurrent caller put it back first).
func (c *aggregateCache[A]) put(stream string, e *entry[A]) {
	if c == nil || e == nil {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if e.gen != c.gen {
		return // read before a clear: it may hold what the clear forgot
	}
	if el, ok := c.items[stream]; ok {
		have := el.Value.(*cached[A])
		if e.revision() > have.e.revision() {
			have.e = e
		}
		c.order.MoveToFront(el)
		return
	}
	c.items[stream] = c.order.PushFront(&cached[A]{stream: stream, e: e})
	for c.order.Len() > c.max {
		oldest := c.order.Back()
		c.order.Remove(oldest)
		delete(c.items, oldest.Value.(*cached[A]).stream)
	}
}

// generation returns the cache's generation, to stamp an entry whose events
// are about to be read.
func (c *aggregateCache[A]) generation() uint64 {
	if c == nil {
		return 0
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.gen
}

// clear drops every entry, and refuses those taken out now when they are put
// back: they were decoded before the clear.
func (c *aggregateCache[A]) clear() {
	if c == nil {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.gen++
	c.order.Init()
	clear(c.items)
}
