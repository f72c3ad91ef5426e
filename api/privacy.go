package api

import (
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"github.com/leerpad/leerpad/domain/portfolio"
	"github.com/leerpad/leerpad/domain/privacy"
	"github.com/leerpad/leerpad/usecase"
)

// tagPrivacy tags what lets people keep control of their data.
const tagPrivacy = "privacy"

// registerPrivacyRoutes registers erasure, export, the read audit, the
// sharing history and retention.
func (s *Server) registerPrivacyRoutes(g *echo.Group) {
	g.POST("/people/:personId/erasures", s.handleErasureCreate, s.requireUser, s.idempotent)
	g.GET("/people/:personId/erasures/:erasureId", s.handleErasureGet, s.requireUser)
	g.GET("/people/:personId/data", s.handlePersonalDataGet, s.requireUser)
	g.GET("/journeys/:journeyId/reads", s.handlePortfolioReadsGet, s.requireUser)
	g.GET("/journeys/:journeyId/sharing-history", s.handleSharingHistoryGet, s.requireUser)
	g.PUT("/programmes/:programmeId/retention", s.handleRetentionPut, s.requireUser)
	g.GET("/programmes/:programmeId/retention", s.handleRetentionGet, s.requireUser)
}

// erasureRequest asks for an erasure.
type erasureRequest struct {
	// Reason is required from the programme office; a person who asks
	// themselves may leave it out (subject-request).
	Reason string `json:"reason,omitempty"`
	// Reference is the case number in the programme office's own register:
	// letters, digits and . _ / -, no spaces, so never a name or a sentence.
	Reference string `json:"reference,omitempty"`
}

// erasureResponse is a person's erasure as recorded: no personal data.
type erasureResponse struct {
	ErasureID   string   `json:"erasureId"`
	PersonID    string   `json:"personId"`
	Href        string   `json:"href"`
	Roles       []string `json:"roles"`
	RequestedBy string   `json:"requestedBy"`
	Reason      string   `json:"reason"`
	Reference   string   `json:"reference,omitempty"`
	At          DateTime `json:"at"`
}

func erasureHref(personID, erasureID string) string {
	return "/v1/people/" + personID + "/erasures/" + erasureID
}

func erasureOf(e privacy.PersonErased) erasureResponse {
	return erasureResponse{ErasureID: e.ErasureID, PersonID: e.PersonID, Href: erasureHref(e.PersonID, e.ErasureID),
		Roles: names(e.Roles), RequestedBy: e.RequestedBy.String(), Reason: e.Reason.String(), Reference: e.Reference, At: dt(e.At)}
}

// handleErasureCreate is POST /v1/people/{personId}/erasures: the person
// themselves, or the programme office on their request with a reason,
// erases a participant, manager or rater. 201 with the erasure the first
// time; 200 with the same erasure after.
func (s *Server) handleErasureCreate(c echo.Context) error {
	id, err := pathID(c, "personId")
	if err != nil {
		return err
	}
	var body erasureRequest
	if err := bindJSON(c, &body); err != nil {
		return err
	}
	w, err := writeOf(c, matchOptional)
	if err != nil {
		return err
	}
	min, err := minPosition(c)
	if err != nil {
		return err
	}
	ctx, cancel := s.readContext(c)
	defer cancel()
	out, err := s.app.Erase(ctx, w, usecase.EraseRequest{PersonID: id, Reason: body.Reason, Reference: body.Reference, Min: min})
	if err != nil {
		return err
	}
	h := c.Response().Header()
	if out.Written.Position > 0 {
		h.Set(headerPosition, strconv.FormatUint(out.Written.Position, 10))
	}
	h.Set(headerETag, etag(0))
	h.Set("Cache-Control", "no-store")
	href := erasureHref(id, out.Erasure.ErasureID)
	h.Set(echo.HeaderLocation, href)
	if out.Created {
		return c.JSON(http.StatusCreated, erasureOf(out.Erasure))
	}
	return c.JSON(http.StatusOK, erasureOf(out.Erasure))
}

// handleErasureGet is GET /v1/people/{personId}/erasures/{erasureId}: the
// record of a person's erasure, for them and the programme office.
func (s *Server) handleErasureGet(c echo.Context) error {
	ids, err := pathIDs(c, "personId", "erasureId")
	if err != nil {
		return err
	}
	p, _ := principalOf(c)
	e, err := s.app.Erasure(c.Request().Context(), p, ids[0], ids[1])
	if err != nil {
		return err
	}
	c.Response().Header().Set("Cache-Control", "no-store")
	return c.JSON(http.StatusOK, erasureOf(e))
}

// portfolioReadDTO is one read of a portfolio by someone other than its participant.
type portfolioReadDTO struct {
	ReaderID   string    `json:"readerId"`
	ReaderRole string    `json:"readerRole"`
	At         DateTime  `json:"at"`
	Parts      []string  `json:"parts"`
	AsOf       *DateTime `json:"asOf,omitempty"`
}

// portfolioReadList is who read a journey's portfolio, oldest first.
type portfolioReadList struct {
	JourneyID string             `json:"journeyId"`
	Items     []portfolioReadDTO `json:"items"`
}

func portfolioReadsOf(rs []privacy.PortfolioRead) []portfolioReadDTO {
	return mapAll(rs, func(r privacy.PortfolioRead) portfolioReadDTO {
		return portfolioReadDTO{ReaderID: r.ReaderID, ReaderRole: r.ReaderRole, At: dt(r.At), Parts: orEmpty(r.Parts), AsOf: dtp(r.AsOf)}
	})
}

// handlePortfolioReadsGet is GET /v1/journeys/{journeyId}/reads: who read
// the participant's portfolio, when and which parts (never what), for the
// participant only.
func (s *Server) handlePortfolioReadsGet(c echo.Context) error {
	r, err := s.journeyRead(c)
	if err != nil {
		return err
	}
	defer r.cancel()
	rs, err := s.app.PortfolioReads(r.ctx, r.principal, r.id)
	if err != nil {
		return err
	}
	c.Response().Header().Set("Cache-Control", "no-store")
	return c.JSON(http.StatusOK, portfolioReadList{JourneyID: r.id, Items: portfolioReadsOf(rs)})
}

// sharingChangeDTO is one change in what the participant shares with their manager.
type sharingChangeDTO struct {
	At        DateTime `json:"at"`
	Change    string   `json:"change"`
	Section   string   `json:"section,omitempty"`
	ManagerID string   `json:"managerId,omitempty"`
}

// sharingHistory is the history of consent: every change in what the
// participant shares with their manager, oldest first.
type sharingHistory struct {
	JourneyID string             `json:"journeyId"`
	Items     []sharingChangeDTO `json:"items"`
}

func sharingChangesOf(cs []portfolio.SharingChange) []sharingChangeDTO {
	return mapAll(cs, func(x portfolio.SharingChange) sharingChangeDTO {
		sec := ""
		if !x.Section.IsZero() {
			sec = x.Section.String()
		}
		return sharingChangeDTO{At: dt(x.At), Change: x.Change, Section: sec, ManagerID: x.ManagerID}
	})
}

// handleSharingHistoryGet is GET /v1/journeys/{journeyId}/sharing-history:
// every section the participant shared with or withdrew from their manager,
// and each change of manager, oldest first; for the participant.
func (s *Server) handleSharingHistoryGet(c echo.Context) error {
	r, err := s.journeyRead(c)
	if err != nil {
		return err
	}
	defer r.cancel()
	cs, err := s.app.SharingHistory(r.ctx, r.principal, r.id, r.min)
	if err != nil {
		return err
	}
	c.Response().Header().Set("Cache-Control", "no-store")
	return c.JSON(http.StatusOK, sharingHistory{JourneyID: r.id, Items: sharingChangesOf(cs)})
}

// retentionRequest is a programme's retention policy.
type retentionRequest struct {
	// JourneyDays: how many days after a journey ended (completed or
	// withdrawn) it is erased; 1 to 3650.
	JourneyDays int `json:"journeyDays"`
	// ReadAuditDays: how many days a record of a portfolio read is kept; 1 to 3650.
	ReadAuditDays int `json:"readAuditDays"`
}

// retentionResponse is a programme's retention policy; the defaults (730
// and 365 days) while none was set.
type retentionResponse struct {
	ProgrammeID   string    `json:"programmeId"`
	JourneyDays   int       `json:"journeyDays"`
	ReadAuditDays int       `json:"readAuditDays"`
	Default       bool      `json:"default"`
	SetAt         *DateTime `json:"setAt,omitempty"`
}

// handleRetentionPut is PUT /v1/programmes/{programmeId}/retention: the
// programme office sets how long the programme keeps journeys after they
// ended, and records of portfolio reads.
func (s *Server) handleRetentionPut(c echo.Context) error {
	id, err := pathID(c, "programmeId")
	if err != nil {
		return err
	}
	var body retentionRequest
	if err := bindJSON(c, &body); err != nil {
		return err
	}
	w, err := writeOf(c, matchOptional)
	if err != nil {
		return err
	}
	out, err := s.app.SetRetention(c.Request().Context(), w, id, body.JourneyDays, body.ReadAuditDays)
	if err != nil {
		return err
	}
	return wrote(c, http.StatusOK, out, "/v1/programmes/"+id+"/retention")
}

// handleRetentionGet is GET /v1/programmes/{programmeId}/retention: the
// programme's retention policy (the programme office).
func (s *Server) handleRetentionGet(c echo.Context) error {
	id, err := pathID(c, "programmeId")
	if err != nil {
		return err
	}
	p, _ := principalOf(c)
	r, err := s.app.Retention(c.Request().Context(), p, id)
	if err != nil {
		return err
	}
	out := retentionResponse{ProgrammeID: id, JourneyDays: r.JourneyDays, ReadAuditDays: r.ReadAuditDays, Default: r.SetAt.IsZero()}
	if !r.SetAt.IsZero() {
		t := dt(r.SetAt)
		out.SetAt = &t
	}
	return withETag(c, r.Revision, !r.SetAt.IsZero(), out)
}
