package web

import (
	"errors"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/leerpad/leerpad/domain"
	"github.com/leerpad/leerpad/domain/access"
	"github.com/leerpad/leerpad/domain/feedback"
	"github.com/leerpad/leerpad/usecase"
)

// The rater's pages: a rater signs in with the key of their personal link
// (pasted into a form, never put in a URL), which gives the principal the
// API's rater-link check gives (api requireRaterLink: the link's round and
// expiry, the rater role); then the round's questionnaire, answered once
// (RaterForm, SubmitResponse). The session ends when the link expires.

// handleRaterStart is GET /rate: the form to enter the key.
func (s *Server) handleRaterStart(c echo.Context) error {
	if p, ok := principalOf(c); ok && p.Has(access.RoleRater) {
		return c.Redirect(http.StatusSeeOther, "/rate/form")
	}
	return s.render(c, http.StatusOK, "rate", s.page(c, "rate.title"))
}

// handleRaterKey is POST /rate: the key of a stored, unexpired link signs
// the rater in for its round.
func (s *Server) handleRaterKey(c echo.Context) error {
	token := strings.TrimSpace(c.FormValue("key"))
	refuse := func() error {
		pg := s.page(c, "rate.title")
		pg.Form = &form{ID: "rate", Errors: []fieldError{{Field: "key", Reason: "rate.invalid"}}}
		return s.render(c, http.StatusUnauthorized, "rate", pg)
	}
	hash, err := access.HashRaterToken(token)
	if err != nil {
		return refuse()
	}
	l, err := s.app.RaterLink(c.Request().Context(), hash)
	switch {
	case errors.Is(err, domain.ErrNotFound):
		return refuse()
	case err != nil:
		return err
	case l.Expired(s.now()):
		return refuse()
	}
	p := l.Principal()
	ss := s.sessions.fresh(access.Principal{Subject: p.Subject})
	ss.Round, ss.LinkExpires = p.RoundID, p.LinkExpiresAt.Unix()
	if err := s.sessions.write(c, ss); err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/rate/form")
}

// raterPage is the round's questionnaire for a rater.
type raterPage struct {
	Form   usecase.RaterForm
	Points []int
	Done   bool
}

// handleRaterForm is GET /rate/form: RaterForm.
func (s *Server) handleRaterForm(c echo.Context) error {
	return s.showRaterForm(c, http.StatusOK, nil)
}

func (s *Server) showRaterForm(c echo.Context, status int, f *form) error {
	p, _ := principalOf(c)
	rf, err := s.app.RaterForm(c.Request().Context(), p, p.RoundID)
	if err != nil {
		return err
	}
	data := raterPage{Form: rf, Done: c.QueryParam("saved") != ""}
	for i := 1; i <= rf.Scale.Points; i++ {
		data.Points = append(data.Points, i)
	}
	pg := s.page(c, "rate.title")
	pg.Data, pg.Form = data, f
	return s.render(c, status, "rater", pg)
}

// handleRaterSubmit is POST /rate/form: SubmitResponse, once.
func (s *Server) handleRaterSubmit(c echo.Context) error {
	p, _ := principalOf(c)
	answers, comments, vals, err := answersOf(c)
	if err != nil {
		return err
	}
	if _, err := s.app.SubmitResponse(c.Request().Context(), writeOf(c, p), feedback.SubmitResponse{RoundID: p.RoundID, Answers: answers, Comments: comments}); err != nil {
		if f, ok := refused(err, "rater", vals); ok {
			f.General, f.Errors = err.Error(), nil
			return s.showRaterForm(c, formStatus(f), f)
		}
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/rate/form?saved=1")
}

// answersOf reads a questionnaire's form: an answer per item ("item-<id>":
// a score, or "0" for not observed) and the open comment.
func answersOf(c echo.Context) ([]feedback.Answer, []feedback.Comment, map[string]string, error) {
	form, err := c.FormParams()
	if err != nil {
		return nil, nil, nil, err
	}
	var answers []feedback.Answer
	vals := map[string]string{}
	for name, v := range form {
		item, ok := strings.CutPrefix(name, "item-")
		if !ok || len(v) == 0 {
			continue
		}
		vals[name] = v[0]
		score, err := strconv.Atoi(v[0])
		if err != nil {
			continue
		}
		answers = append(answers, feedback.Answer{ItemID: item, Score: score, NotObserved: score == 0})
	}
	slices.SortFunc(answers, func(a, b feedback.Answer) int { return strings.Compare(a.ItemID, b.ItemID) })
	var comments []feedback.Comment
	if t := strings.TrimSpace(c.FormValue("comment")); t != "" {
		comments = append(comments, feedback.Comment{Text: t})
		vals["comment"] = t
	}
	return answers, comments, vals, nil
}
