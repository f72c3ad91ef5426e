package eventstore

import (
	"container/list"
	"sync"
)

// streamCache is a bounded LRU of decoded stream histories. A nil
// *streamCache caches nothing.
type streamCache struct {
	mu    sync.Mutex
	gen   uint64 // raised by clear: histories read before it are not kept
	max   int
	order *list.List // front: most recently used; values are *cachedStream
	items map[string]*list.Element
}

type cachedStream struct {
	stream string
	recs   []Recorded
}

func newStreamCache(max int) *streamCache {
	return &streamCache{max: max, order: list.New(), items: make(map[string]*list.Element)}
}

func (c *streamCache) get(stream string) []Recorded {
	if c == nil {
		return nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	el, ok := c.items[stream]
	if !ok {
		return nil
	}
	c.order.MoveToFront(el)
	return el.Value.(*cachedStream).recs
}

// put stores recs, read when the cache was at generation gen, unless the
// cache already holds a longer history of the stream (a concurrent Load may
// have read further) or was cleared since.
func (c *streamCache) put(stream string, recs []Recorded, gen uint64) {
	if c == nil {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if gen != c.gen {
		return
	}
	if el, ok := c.items[stream]; ok {
		cs := el.Value.(*cachedStream)
		if len(recs) >= len(cs.recs) {
			cs.recs = recs
		}
		c.order.MoveToFront(el)
		return
	}
	c.items[stream] = c.order.PushFront(&cachedStream{stream: stream, recs: recs})
	for c.order.Len() > c.max {
		oldest := c.order.Back()
		c.order.Remove(oldest)
		delete(c.items, oldest.Value.(*cachedStream).stream)
	}
}

func (c *streamCache) drop(stream string) {
	if c == nil {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if el, ok := c.items[stream]; ok {
		c.order.Remove(el)
		delete(c.items, stream)
	}
}

// generation returns the cache's generation, before a read.
func (c *streamCache) generation() uint64 {
	if c == nil {
		return 0
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.gen
}

// clear drops every history, and refuses those being read now.
func (c *streamCache) clear() {
	if c == nil {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.gen++
	c.order.Init()
	clear(c.items)
}
