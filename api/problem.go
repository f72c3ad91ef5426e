package api

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/leerpad/leerpad/domain"
	"github.com/leerpad/leerpad/usecase"
)

// The error kinds the API raises itself, next to the domain's kinds. Each
// becomes one status in statusOf.
var (
	errUnauthenticated      = errors.New("unauthenticated")          // 401
	errRequestTimeout       = errors.New("request timeout")          // 408
	errPreconditionFailed   = errors.New("precondition failed")      // 412
	errBodyTooLarge         = errors.New("request body too large")   // 413
	errUnsupportedMediaType = errors.New("unsupported media type")   // 415
	errPreconditionRequired = errors.New("precondition required")    // 428
	errTooManyRequests      = errors.New("too many requests")        // 429
	errHeaderTooLarge       = errors.New("request header too large") // 431
	errNoRoute              = errors.New("no such resource")         // 404
	errNotReady             = errors.New("not ready")                // 503
	errUnprocessable        = errors.New("unprocessable content")    // 422
)

// statusOf is the only place where error kinds become HTTP statuses.
func statusOf(err error) int {
	var he *echo.HTTPError
	switch {
	case errors.Is(err, errUnauthenticated):
		return http.StatusUnauthorized
	case errors.Is(err, errRequestTimeout):
		return http.StatusRequestTimeout
	case errors.Is(err, errPreconditionFailed), errors.Is(err, usecase.ErrPreconditionFailed):
		return http.StatusPreconditionFailed
	case errors.Is(err, errBodyTooLarge):
		return http.StatusRequestEntityTooLarge
	case errors.Is(err, errUnsupportedMediaType):
		return http.StatusUnsupportedMediaType
	case errors.Is(err, errPreconditionRequired):
		return http.StatusPreconditionRequired
	case errors.Is(err, errTooManyRequests):
		return http.StatusTooManyRequests
	case errors.Is(err, errHeaderTooLarge):
		return http.StatusRequestHeaderFieldsTooLarge
	case errors.Is(err, errUnprocessable):
		return http.StatusUnprocessableEntity
	case errors.Is(err, errNoRoute):
		return http.StatusNotFound
	case errors.Is(err, errNotReady), errors.Is(err, usecase.ErrUnavailable), errors.As(err, new(*usecase.NotCaughtUpError)):
		return http.StatusServiceUnavailable
	case errors.Is(err, domain.ErrInvalid):
		return http.StatusBadRequest
	case errors.Is(err, domain.ErrNotFound):
		return http.StatusNotFound
	case errors.Is(err, domain.ErrConflict):
		return http.StatusConflict
	case errors.Is(err, domain.ErrForbidden):
		return http.StatusForbidden
	case errors.As(err, &he) && he.Code >= 400 && he.Code < 600:
		return he.Code // echo's own: 404 no route, 405 wrong method
	}
	return http.StatusInternalServerError
}

// clientError is an error whose text is written for the client. It unwraps
// to its kind, so statusOf decides its status.
type clientError struct {
	kind   error
	detail string
}

func (e *clientError) Error() string { return e.detail }
func (e *clientError) Unwrap() error { return e.kind }

// problemf returns an error of kind whose detail the client reads.
func problemf(kind error, format string, args ...any) error {
	return &clientError{kind: kind, detail: fmt.Sprintf(format, args...)}
}

// problem is an RFC 9457 problem details object, written as
// application/problem+json. Type is always "about:blank": the status and
// title say what happened; detail and invalidParams say why.
type problem struct {
	Type          string         `json:"type"`
	Title         string         `json:"title"`
	Status        int            `json:"status"`
	Detail        string         `json:"detail"`
	InvalidParams []invalidParam `json:"invalidParams,omitempty"`
	CorrelationID string         `json:"correlationId,omitempty"`
}

// invalidParam names one invalid field of a request (NL GOV ADR problem extension).
type invalidParam struct {
	Name   string `json:"name"`
	Reason string `json:"reason"`
}

const mimeProblemJSON = "application/problem+json"

// internalDetail is all a client learns about a 5xx.
const internalDetail = "internal error"

// problemOf builds the problem for err; status comes from statusOf.
func problemOf(err error) problem {
	status := statusOf(err)
	p := problem{Type: "about:blank", Title: http.StatusText(status), Status: status}
	var (
		he *echo.HTTPError
		ce *clientError
	)
	switch {
	case status >= 500:
		p.Detail = internalDetail
		var nc *usecase.NotCaughtUpError
		switch {
		case status != http.StatusServiceUnavailable:
		case errors.As(err, &ce):
			p.Detail = ce.detail
		case errors.As(err, &nc):
			p.Detail = nc.Error()
		case errors.Is(err, usecase.ErrUnavailable):
			p.Detail = "This Leerpad runs without " + strings.TrimSuffix(err.Error(), ": "+usecase.ErrUnavailable.Error()) + "; the resource is not available."
		}
	case status == http.StatusBadRequest:
		p.InvalidParams = invalidParamsOf(err)
		p.Detail = err.Error()
		if n := len(p.InvalidParams); n > 0 {
			names := make([]string, n)
			for i, ip := range p.InvalidParams {
				names[i] = ip.Name
			}
			p.Detail = fmt.Sprintf("The request has %d invalid field(s): %s.", n, strings.Join(names, ", "))
		}
	case errors.As(err, &ce):
		p.Detail = ce.detail
	case errors.As(err, &he):
		p.Detail = echoDetail(he)
	case status == http.StatusPreconditionFailed:
		p.Detail = "The resource changed since you read it: read it again, and send If-Match with its new ETag."
	default:
		p.Detail = userText(err)
	}
	return p
}

// userText says what went wrong in the user's words: the message of the
// innermost error of the chain that says more than its kind (a domain rule
// such as "journey is completed or withdrawn", "journey … not found"),
// without the chain of what was being done around it, which names streams
// and revisions.
func userText(err error) string {
	for {
		next := errors.Unwrap(err)
		if next == nil || isKind(next) {
			break
		}
		err = next
	}
	msg := err.Error()
	for _, k := range []error{domain.ErrInvalid, domain.ErrNotFound, domain.ErrConflict, domain.ErrForbidden} {
		msg = strings.TrimSuffix(msg, ": "+k.Error())
	}
	if msg == "" {
		return "The request was refused."
	}
	msg = strings.ToUpper(msg[:1]) + msg[1:]
	if !strings.HasSuffix(msg, ".") {
		msg += "."
	}
	return msg
}

// isKind reports whether err is one of the domain's error kinds itself (not
// an error wrapping one: identity is meant).
func isKind(err error) bool {
	for _, k := range []error{domain.ErrInvalid, domain.ErrNotFound, domain.ErrConflict, domain.ErrForbidden} {
		if err == k { //nolint:errorlint // identity with the kind values is meant, not a wrapped match
			return true
		}
	}
	return false
}

// echoDetail says in a sentence what echo's own errors mean.
func echoDetail(he *echo.HTTPError) string {
	switch he.Code {
	case http.StatusNotFound:
		return "There is no resource at this path."
	case http.StatusMethodNotAllowed:
		return "This resource does not support the method; the Allow header lists those it does."
	}
	return fmt.Sprint(he.Message)
}

// invalidParamsOf lists the invalid fields an error names: every field of a
// *domain.ValidationError, or the one of a *domain.FieldError.
func invalidParamsOf(err error) []invalidParam {
	var ve *domain.ValidationError
	if errors.As(err, &ve) {
		ps := make([]invalidParam, len(ve.Fields))
		for i, f := range ve.Fields {
			ps[i] = invalidParam{Name: f.Field, Reason: f.Reason}
		}
		return ps
	}
	var fe *domain.FieldError
	if errors.As(err, &fe) {
		return []invalidParam{{Name: fe.Field, Reason: fe.Reason}}
	}
	return nil
}

// writeError is echo's HTTPErrorHandler: every error of every request ends
// here and leaves as problem+json. A 5xx is logged with its route and the
// client sees only "internal error"; every error is counted by status.
func (s *Server) writeError(err error, c echo.Context) {
	p := problemOf(err)
	ctx := c.Request().Context()
	p.CorrelationID = correlationID(ctx)
	s.metrics.errors.WithLabelValues(strconv.Itoa(p.Status)).Inc()
	if p.Status >= 500 && !errors.Is(err, errNotReady) { // not ready is logged by the probe
		s.log.ErrorContext(ctx, "request failed", "err", err, "route", s.routeLabel(c), "method", methodLabel(c.Request().Method), "status", p.Status)
	}
	if c.Response().Committed {
		return
	}
	b, merr := json.Marshal(p)
	if merr != nil {
		s.log.ErrorContext(ctx, "encode problem", "err", merr)
		c.Response().WriteHeader(http.StatusInternalServerError)
		return
	}
	h := c.Response().Header()
	h.Set(echo.HeaderContentType, mimeProblemJSON)
	h.Set("Cache-Control", "no-store")
	if errors.As(err, new(*usecase.NotCaughtUpError)) {
		h.Set("Retry-After", "1")
	}
	if c.Request().Method == http.MethodHead {
		c.Response().WriteHeader(p.Status)
		return
	}
	_ = c.Blob(p.Status, mimeProblemJSON, b)
}
