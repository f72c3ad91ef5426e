package api

import (
	"bytes"
	"crypto/sha256"
	"errors"
	"io"
	"net/http"
	"sync"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/leerpad/leerpad/domain"
)

// Idempotency-Key on POST, in two layers:
//
//   - the commands carry a key derived from the header (commandKey), from
//     which the event store's repositories derive the event ids: a retried
//     command is recorded once, whatever this process remembers;
//   - this cache replays the first successful (2xx) response, status,
//     headers and body, for a retry with the same key by the same caller on
//     the same route, for Config.IdempotencyTTL, at most
//     Config.IdempotencyEntries entries (the oldest go first). The same key
//     with another body is refused 422; a retry while the first request is
//     still running is refused 409. Failed requests are not remembered, so
//     the client can correct and retry with the same key.
//
// The cache is in memory and per process: behind a load balancer, or after
// a restart, a retry is answered by running the command again, which the
// event ids make a no-op (the response then says what the state is now).

const maxIdempotencyKey = 255

// noReplayKey marks a response that must not be kept for replay, because it
// holds a secret shown once (a rater link's token). A retry runs the
// command again: the domain records it once, and a new token replaces the
// first.
const noReplayKey = "leerpad.noReplay"

// replayedHeaders are the response headers a replay repeats.
var replayedHeaders = []string{echo.HeaderContentType, echo.HeaderLocation, headerETag, headerPosition}

type idempotencyEntry struct {
	bodyHash [32]byte
	status   int
	header   http.Header
	body     []byte
	expires  time.Time
	stored   bool
}

type idempotencyCache struct {
	mu      sync.Mutex
	max     int
	ttl     time.Duration
	entries map[[32]byte]*idempotencyEntry
	order   [][32]byte // insertion order, for eviction
}

func newIdempotencyCache(max int, ttl time.Duration) *idempotencyCache {
	return &idempotencyCache{max: max, ttl: ttl, entries: map[[32]byte]*idempotencyEntry{}}
}

// claim returns the entry of key: an earlier one, or a new in-flight one
// that the caller must complete or release.
func (ic *idempotencyCache) claim(key, bodyHash [32]byte, now time.Time) (e *idempotencyEntry, fresh bool) {
	ic.mu.Lock()
	defer ic.mu.Unlock()
	// Drop from the oldest end what expired, and what is over the bound.
	for len(ic.order) > 0 {
		head := ic.entries[ic.order[0]]
		over := len(ic.order) >= ic.max
		if head != nil && !over && (!head.stored || now.Before(head.expires)) {
			break
		}
		if head != nil {
			delete(ic.entries, ic.order[0])
		}
		ic.order = ic.order[1:]
	}
	if e, ok := ic.entries[key]; ok && (!e.stored || now.Before(e.expires)) {
		return e, false
	}
	e = &idempotencyEntry{bodyHash: bodyHash}
	ic.entries[key] = e
	ic.order = append(ic.order, key)
	return e, true
}

func (ic *idempotencyCache) complete(e *idempotencyEntry, status int, h http.Header, body []byte, now time.Time) {
	ic.mu.Lock()
	defer ic.mu.Unlock()
	e.status, e.header, e.body, e.expires, e.stored = status, h, body, now.Add(ic.ttl), true
}

func (ic *idempotencyCache) release(key [32]byte, e *idempotencyEntry) {
	ic.mu.Lock()
	defer ic.mu.Unlock()
	if ic.entries[key] == e {
		delete(ic.entries, key)
	}
}

// teeWriter copies what the handler writes.
type teeWriter struct {
	http.ResponseWriter
	buf bytes.Buffer
}

func (w *teeWriter) Write(b []byte) (int, error) {
	w.buf.Write(b)
	return w.ResponseWriter.Write(b)
}

// idempotent is the middleware of every POST route: see above.
func (s *Server) idempotent(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		req := c.Request()
		k := req.Header.Get(headerIdempotencyKey)
		if k == "" {
			return next(c)
		}
		if len(k) > maxIdempotencyKey || !printable(k) {
			return domain.Validate(domain.Invalid(headerIdempotencyKey, "must be 1 to %d printable ASCII characters, e.g. a UUID", maxIdempotencyKey))
		}
		body, err := io.ReadAll(req.Body)
		if err != nil {
			var mbe *http.MaxBytesError
			if errors.As(err, &mbe) {
				return tooLarge(mbe.Limit)
			}
			return err
		}
		req.Body = io.NopCloser(bytes.NewReader(body))
		p, _ := principalOf(c)
		key := sha256.Sum256([]byte(p.Subject + "\x00" + req.Method + "\x00" + req.URL.Path + "\x00" + k))
		bodyHash := sha256.Sum256(append([]byte(req.Header.Get(echo.HeaderContentType)+"\x00"), body...))
		e, fresh := s.idem.claim(key, bodyHash, s.now())
		if !fresh {
			switch {
			case e.bodyHash != bodyHash:
				return problemf(errUnprocessable, "This Idempotency-Key was used with another request body; use a new key for a new request.")
			case !e.stored:
				return problemf(domain.ErrConflict, "A request with this Idempotency-Key is still being answered; retry shortly.")
			}
			h := c.Response().Header()
			for _, name := range replayedHeaders {
				if v := e.header.Get(name); v != "" {
					h.Set(name, v)
				}
			}
			h.Set(headerReplayed, "true")
			h.Set("Cache-Control", "no-store")
			c.Response().WriteHeader(e.status)
			_, err := c.Response().Write(e.body)
			return err
		}
		tee := &teeWriter{ResponseWriter: c.Response().Writer}
		c.Response().Writer = tee
		err = next(c)
		c.Response().Writer = tee.ResponseWriter
		if status := c.Response().Status; err != nil || status < 200 || status > 299 || c.Get(noReplayKey) != nil {
			s.idem.release(key, e)
			return err
		}
		h := http.Header{}
		for _, name := range replayedHeaders {
			if v := c.Response().Header().Get(name); v != "" {
				h.Set(name, v)
			}
		}
		s.idem.complete(e, c.Response().Status, h, bytes.Clone(tee.buf.Bytes()), s.now())
		return nil
	}
}

func printable(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < 0x21 || s[i] > 0x7e {
			return false
		}
	}
	return true
}
