package api

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/google/uuid"
	"github.com/labstack/echo/v4"

	"github.com/leerpad/leerpad/api/precondition"
	"github.com/leerpad/leerpad/domain"
)

// Headers of the resource endpoints.
const (
	headerIdempotencyKey = "Idempotency-Key"
	headerPosition       = "Leerpad-Position"
	headerMinPosition    = "Leerpad-Min-Position"
	headerReplayed       = "Idempotent-Replayed"
	headerETag           = "ETag"
)

// ifMatch says whether a write takes If-Match.
type ifMatch int

const (
	// matchOptional checks If-Match when it is sent.
	matchOptional ifMatch = iota
	// matchRequired answers 428 without If-Match: writes that replace what
	// the client has seen (why and values, a behaviour choice, a
	// conversation's record, a module's content).
	matchRequired
)

// write is one write request under way: its context and what it reports.
type write struct {
	ctx      context.Context
	position func() uint64
	written  *precondition.Written
}

// beginWrite prepares the context of a write request: correlation id and
// actor for the event metadata, the global position it reaches, the
// expected revision of If-Match, and the revision written.
func (s *Server) beginWrite(c echo.Context, m ifMatch) (*write, error) {
	ctx := c.Request().Context()
	if s.d.WriteContext == nil {
		return nil, unavailable("the event store")
	}
	h := c.Request().Header.Get("If-Match")
	switch {
	case h == "" && m == matchRequired:
		return nil, problemf(errPreconditionRequired, "This write replaces what you have read: send If-Match with the ETag of the resource you read.")
	case h != "" && strings.TrimSpace(h) != "*":
		rev, ok := parseETag(h)
		if !ok {
			return nil, problemf(errPreconditionFailed, "If-Match %q matches no revision of this resource.", h)
		}
		ctx = precondition.Expect(ctx, rev)
	}
	p, _ := principalOf(c)
	ctx, pos := s.d.WriteContext(ctx, correlationID(ctx), p.Subject)
	ctx, w := precondition.Track(ctx)
	return &write{ctx: ctx, position: pos, written: w}, nil
}

// finish sets the response headers of a write that succeeded: the global
// position of its last event, and the ETag of the stream it wrote.
func (w *write) finish(c echo.Context) {
	h := c.Response().Header()
	if p := w.position(); p > 0 {
		h.Set(headerPosition, strconv.FormatUint(p, 10))
	}
	if w.written.Known {
		h.Set(headerETag, etag(w.written.Revision))
	}
	h.Set("Cache-Control", "no-store")
}

// etag writes a stream revision as a strong entity tag.
func etag(revision uint64) string { return `"` + strconv.FormatUint(revision, 10) + `"` }

// parseETag reads the first entity tag of an If-Match header as a revision.
func parseETag(h string) (uint64, bool) {
	first, _, _ := strings.Cut(h, ",")
	first = strings.TrimSpace(first)
	if !strings.HasPrefix(first, `"`) || !strings.HasSuffix(first, `"`) || len(first) < 3 {
		return 0, false
	}
	rev, err := strconv.ParseUint(first[1:len(first)-1], 10, 64)
	return rev, err == nil
}

// unavailable is the error of a resource whose dependency this server lacks.
func unavailable(what string) error {
	return problemf(errNotReady, "This Leerpad runs without %s; the resource is not available.", what)
}

// commandKey is the idempotency key of one command of the request: empty
// without an Idempotency-Key header, else derived from the caller, the
// route, the header and part, so that keys of different callers or routes
// never meet, and each command of a request that writes more than once has
// its own.
func (s *Server) commandKey(c echo.Context, part string) string {
	k := c.Request().Header.Get(headerIdempotencyKey)
	if k == "" {
		return ""
	}
	p, _ := principalOf(c)
	sum := sha256.Sum256([]byte(p.Subject + "\x00" + c.Request().Method + "\x00" + c.Request().URL.Path + "\x00" + k + "\x00" + part))
	return hex.EncodeToString(sum[:16])
}

// idNamespace scopes the ids the API derives from idempotency keys.
var idNamespace = uuid.MustParse("b0f3c7a2-5d1e-4f6a-8c9b-2e7d4a1f3c50")

// newID returns the id of a resource the request creates: derived from the
// idempotency key when there is one (a retry creates the same resource), a
// fresh UUID otherwise.
func (s *Server) newID(c echo.Context, part string) string {
	if k := s.commandKey(c, "id:"+part); k != "" {
		return uuid.NewSHA1(idNamespace, []byte(k)).String()
	}
	return s.d.NewID()
}

// caughtUp waits, when the request sends Leerpad-Min-Position, until the
// read model name has handled that position, at most
// Config.ReadYourWritesTimeout; then it answers 503 with Retry-After.
func (s *Server) caughtUp(c echo.Context, names ...string) error {
	h := c.Request().Header.Get(headerMinPosition)
	if h == "" {
		return nil
	}
	pos, err := strconv.ParseUint(h, 10, 64)
	if err != nil {
		return domain.Validate(domain.Invalid(headerMinPosition, "must be a global position (a whole number) from a Leerpad-Position header"))
	}
	if s.d.ReadYourWrites == nil {
		return unavailable("a read-model runner to wait for")
	}
	ctx, cancel := context.WithTimeout(c.Request().Context(), s.cfg.ReadYourWritesTimeout)
	defer cancel()
	for _, name := range names {
		if err := s.d.ReadYourWrites.WaitFor(ctx, name, pos); err != nil {
			if errors.Is(err, context.Canceled) && c.Request().Context().Err() != nil {
				return err
			}
			c.Response().Header().Set("Retry-After", "1")
			return problemf(errNotReady, "The %s read model has not reached position %d within %s; retry shortly.", name, pos, s.cfg.ReadYourWritesTimeout)
		}
	}
	return nil
}

// Pagination of list endpoints.
const (
	defaultLimit = 20
	maxLimit     = 100
)

// cursor is the content of an opaque pagination cursor: the offset into
// the list and a fingerprint of the list it belongs to.
type cursor struct {
	List   string `json:"l"`
	Offset int    `json:"o"`
}

// page reads the limit and cursor query parameters of a list endpoint over
// list (a fingerprint of what is listed, e.g. "journeys:<participant>").
func page(c echo.Context, list string) (offset, limit int, err error) {
	var ps []*domain.FieldError
	limit = defaultLimit
	if v := c.QueryParam("limit"); v != "" {
		n, perr := strconv.Atoi(v)
		if perr != nil || n < 1 || n > maxLimit {
			ps = append(ps, domain.Invalid("limit", "must be a whole number from 1 to %d", maxLimit))
		} else {
			limit = n
		}
	}
	if v := c.QueryParam("cursor"); v != "" {
		var cur cursor
		b, derr := base64.RawURLEncoding.DecodeString(v)
		switch {
		case derr != nil || json.Unmarshal(b, &cur) != nil || cur.Offset < 0:
			ps = append(ps, domain.Invalid("cursor", "is not a cursor of this API: pass nextCursor as it was given"))
		case cur.List != listPrint(list):
			ps = append(ps, domain.Invalid("cursor", "belongs to another list"))
		default:
			offset = cur.Offset
		}
	}
	return offset, limit, domain.Validate(ps...)
}

func listPrint(list string) string {
	sum := sha256.Sum256([]byte(list))
	return hex.EncodeToString(sum[:6])
}

// pageOf returns the items of one page and the cursor of the next, "" at the end.
func pageOf[T any](items []T, list string, offset, limit int) ([]T, string) {
	if offset > len(items) {
		offset = len(items)
	}
	end := min(offset+limit, len(items))
	next := ""
	if end < len(items) {
		b, _ := json.Marshal(cursor{List: listPrint(list), Offset: end})
		next = base64.RawURLEncoding.EncodeToString(b)
	}
	out := make([]T, 0, end-offset)
	return append(out, items[offset:end]...), next
}

// created answers 201 with the location of what a write created.
func created(c echo.Context, location string, body any) error {
	c.Response().Header().Set(echo.HeaderLocation, location)
	return c.JSON(http.StatusCreated, body)
}

// withETag answers 200 with body and the ETag of revision.
func withETag(c echo.Context, revision uint64, ok bool, body any) error {
	if ok {
		c.Response().Header().Set(headerETag, etag(revision))
	}
	c.Response().Header().Set("Cache-Control", "no-store")
	return c.JSON(http.StatusOK, body)
}

// pathID reads a path parameter that must be a UUID.
func pathID(c echo.Context, name string) (string, error) {
	v := c.Param(name)
	if p := domain.RequireID(name, v); p != nil {
		return "", domain.Validate(p)
	}
	return strings.ToLower(v), nil
}

// pathIDs reads several UUID path parameters, naming each invalid one.
func pathIDs(c echo.Context, names ...string) ([]string, error) {
	out := make([]string, len(names))
	var ps []*domain.FieldError
	for i, n := range names {
		v := c.Param(n)
		ps = append(ps, domain.RequireID(n, v))
		out[i] = strings.ToLower(v)
	}
	return out, domain.Validate(ps...)
}

// requireBool parses a boolean query parameter.
func boolParam(c echo.Context, name string) (bool, error) {
	switch v := c.QueryParam(name); v {
	case "", "false":
		return false, nil
	case "true":
		return true, nil
	default:
		return false, domain.Validate(domain.Invalid(name, "must be true or false, not %q", v))
	}
}

// listLimit checks the length of a list field of a request.
func listLimit(field string, n, max int) *domain.FieldError {
	if n > max {
		return domain.Invalid(field, "holds %d items, at most %d are allowed", n, max)
	}
	return nil
}

// textsLimit checks a list of texts: at most max items of at most maxLen characters.
func textsLimit(field string, xs []string, max, maxLen int) []*domain.FieldError {
	ps := []*domain.FieldError{listLimit(field, len(xs), max)}
	for i, x := range xs {
		ps = append(ps, domain.OptionalText(fmt.Sprintf("%s[%d]", field, i), x, maxLen))
	}
	return ps
}
