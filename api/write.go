package api

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/leerpad/leerpad/domain"
	"github.com/leerpad/leerpad/domain/access"
	"github.com/leerpad/leerpad/usecase"
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

// writeOf is the usecase.Write of the request's command: its actor,
// correlation id, Idempotency-Key and If-Match (required with matchRequired:
// 428 without it).
func writeOf(c echo.Context, m ifMatch) (usecase.Write, error) {
	p, _ := principalOf(c)
	w := usecase.Write{Actor: p, CorrelationID: correlationID(c.Request().Context()), IdempotencyKey: c.Request().Header.Get(headerIdempotencyKey)}
	h := c.Request().Header.Get("If-Match")
	switch {
	case h == "" && m == matchRequired:
		return w, problemf(errPreconditionRequired, "This write replaces what you have read: send If-Match with the ETag of the resource you read.")
	case h != "" && strings.TrimSpace(h) != "*":
		rev, ok := parseETag(h)
		if !ok {
			return w, problemf(errPreconditionFailed, "If-Match %q matches no revision of this resource.", h)
		}
		w.IfMatch = domain.AtRevision(rev)
	}
	return w, nil
}

// wrote answers a write that succeeded: the global position of its last
// event (Leerpad-Position), the ETag of the resource it wrote, and with 201
// the Location of what it created. The body names the resource and where to
// read it.
func wrote(c echo.Context, status int, w usecase.Written, href string) error {
	h := c.Response().Header()
	if w.Position > 0 {
		h.Set(headerPosition, strconv.FormatUint(w.Position, 10))
	}
	h.Set(headerETag, etag(w.Revision))
	h.Set("Cache-Control", "no-store")
	body := resourceRef{ID: w.ID, Href: href}
	if status == http.StatusCreated {
		return created(c, href, body)
	}
	return c.JSON(status, body)
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

// minPosition reads Leerpad-Min-Position: the global position (from a
// write's Leerpad-Position) a read must include, 0 when not sent. The use
// case waits for it at most as long as the request's context, which
// readYourWrites bounds by Config.ReadYourWritesTimeout.
func minPosition(c echo.Context) (uint64, error) {
	h := c.Request().Header.Get(headerMinPosition)
	if h == "" {
		return 0, nil
	}
	pos, err := strconv.ParseUint(h, 10, 64)
	if err != nil {
		return 0, domain.Validate(domain.Invalid(headerMinPosition, "must be a global position (a whole number) from a Leerpad-Position header"))
	}
	return pos, nil
}

// readContext is the context of a read that may wait for a read model
// (Leerpad-Min-Position): the request's, bounded by
// Config.ReadYourWritesTimeout.
func (s *Server) readContext(c echo.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeout(c.Request().Context(), s.cfg.ReadYourWritesTimeout)
}

// pageOfRequest reads limit and cursor of a list over list into a usecase.Page.
func pageOfRequest(c echo.Context, list string) (usecase.Page, error) {
	offset, limit, err := page(c, list)
	return usecase.Page{Offset: offset, Limit: limit}, err
}

// nextCursor is the cursor of the page after p of a list of total items, ""
// at its end.
func nextCursor(list string, p usecase.Page, total int) string {
	end := p.Offset + p.Limit
	if end >= total {
		return ""
	}
	b, _ := json.Marshal(cursor{List: listPrint(list), Offset: end})
	return base64.RawURLEncoding.EncodeToString(b)
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

// journeyRead is what every read of a journey starts with: the journey id
// of the path, the caller, the log position the read must include
// (Leerpad-Min-Position) and the context that bounds its wait for it.
type journeyRead struct {
	id        string
	principal access.Principal
	min       uint64
	ctx       context.Context
	cancel    context.CancelFunc
}

// journeyRead reads the journeyRead of the request; cancel ends its context.
func (s *Server) journeyRead(c echo.Context) (journeyRead, error) {
	id, err := pathID(c, "journeyId")
	if err != nil {
		return journeyRead{}, err
	}
	min, err := minPosition(c)
	if err != nil {
		return journeyRead{}, err
	}
	p, _ := principalOf(c)
	ctx, cancel := s.readContext(c)
	return journeyRead{id: id, principal: p, min: min, ctx: ctx, cancel: cancel}, nil
}
