package api

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/leerpad/leerpad/domain"
	"github.com/leerpad/leerpad/domain/catalogue"
	"github.com/leerpad/leerpad/domain/offer"
)

// registerEntityRoutes registers the ordering entities (the departments and
// agencies that order modules or whole programmes for their people) and
// their orders; the programme office keeps them. A cancelled order stays,
// marked cancelled: cancelling is a sub-resource, as a round's closure is.
// Their key figures per quarter (keyfigures.go) are put per quarter.
func (s *Server) registerEntityRoutes(g *echo.Group) {
	g.GET("/entities", s.handleEntityList, s.requireUser)
	g.POST("/entities", s.handleEntityCreate, s.requireUser, s.idempotent)
	g.GET("/entities/:entityId", s.handleEntityGet, s.requireUser)
	g.POST("/entities/:entityId/orders", s.handleOrderCreate, s.requireUser, s.idempotent)
	g.GET("/entities/:entityId/orders/:orderId", s.handleOrderGet, s.requireUser)
	g.POST("/entities/:entityId/orders/:orderId/cancellations", s.handleOrderCancellationCreate, s.requireUser, s.idempotent)
	g.GET("/entities/:entityId/key-figures", s.handleKeyFiguresList, s.requireUser)
	g.GET("/entities/:entityId/key-figures/:quarter", s.handleKeyFiguresGet, s.requireUser)
	g.PUT("/entities/:entityId/key-figures/:quarter", s.handleKeyFiguresPut, s.requireUser)
}

func entityHref(id string) string { return "/v1/entities/" + id }

func orderHref(entityID, orderID string) string { return entityHref(entityID) + "/orders/" + orderID }

// entityRequest registers an ordering entity.
type entityRequest struct {
	Name string `json:"name"`
}

// handleEntityCreate is POST /v1/entities: the programme office registers
// an ordering entity.
func (s *Server) handleEntityCreate(c echo.Context) error {
	var req entityRequest
	w, err := writeOf(c, matchOptional)
	if err != nil {
		return err
	}
	if err := bindJSON(c, &req); err != nil {
		return err
	}
	out, err := s.app.RegisterEntity(c.Request().Context(), w, catalogue.RegisterEntity{Name: req.Name})
	if err != nil {
		return err
	}
	return wrote(c, http.StatusCreated, out, entityHref(out.ID))
}

// orderEntry is one order of an entity.
type orderEntry struct {
	ID          string    `json:"id"`
	Kind        string    `json:"kind"`
	ItemID      string    `json:"itemId"`
	Seats       int       `json:"seats"`
	Cancelled   bool      `json:"cancelled"`
	PlacedAt    *DateTime `json:"placedAt,omitempty"`
	CancelledAt *DateTime `json:"cancelledAt,omitempty"`
}

// entitySummary is an ordering entity of the list, with all its orders.
type entitySummary struct {
	ID           string       `json:"id"`
	Href         string       `json:"href"`
	Name         string       `json:"name"`
	RegisteredAt DateTime     `json:"registeredAt"`
	Orders       []orderEntry `json:"orders"`
}

// entityList is a page of ordering entities.
type entityList struct {
	Items      []entitySummary `json:"items"`
	NextCursor string          `json:"nextCursor,omitempty"`
}

// handleEntityList is GET /v1/entities: the ordering entities in the order
// registered, each with its orders (cancelled ones too), a page at a time.
func (s *Server) handleEntityList(c echo.Context) error {
	r, err := offerListRequest(c, "entities", false)
	if err != nil {
		return err
	}
	p, _ := principalOf(c)
	ctx, cancel := s.readContext(c)
	defer cancel()
	ens, total, err := s.app.Entities(ctx, p, r.page, r.min)
	if err != nil {
		return err
	}
	return listed(c, entityList{NextCursor: nextCursor(r.list, r.page, total), Items: mapAll(ens, func(en offer.Entity) entitySummary {
		return entitySummary{ID: en.EntityID, Href: entityHref(en.EntityID), Name: en.Name, RegisteredAt: dt(en.RegisteredAt),
			Orders: mapAll(en.Orders, func(o offer.Order) orderEntry {
				e := orderEntry{ID: o.OrderID, Kind: o.Kind.String(), ItemID: o.ItemID, Seats: o.Seats, Cancelled: o.Cancelled, PlacedAt: &DateTime{o.PlacedAt}}
				if o.Cancelled {
					e.CancelledAt = &DateTime{o.CancelledAt}
				}
				return e
			})}
	})})
}

// entityResponse is an ordering entity as its stream holds it.
type entityResponse struct {
	ID       string       `json:"id"`
	Name     string       `json:"name"`
	Orders   []orderEntry `json:"orders"`
	Revision uint64       `json:"revision"`
}

func orderOf(o catalogue.Order) orderEntry {
	return orderEntry{ID: o.OrderID, Kind: o.Kind.String(), ItemID: o.ItemID, Seats: o.Seats, Cancelled: o.Cancelled}
}

// handleEntityGet is GET /v1/entities/{entityId}: an ordering entity with
// its orders, with its stream revision as ETag.
func (s *Server) handleEntityGet(c echo.Context) error {
	id, err := pathID(c, "entityId")
	if err != nil {
		return err
	}
	p, _ := principalOf(c)
	en, err := s.app.Entity(c.Request().Context(), p, id)
	if err != nil {
		return err
	}
	return withETag(c, en.Revision, true, entityResponse{ID: en.ID, Name: en.Name, Revision: en.Revision, Orders: mapAll(en.Orders, orderOf)})
}

// handleOrderGet is GET /v1/entities/{entityId}/orders/{orderId}: one order
// of an entity, with the entity's stream revision as ETag.
func (s *Server) handleOrderGet(c echo.Context) error {
	ids, err := pathIDs(c, "entityId", "orderId")
	if err != nil {
		return err
	}
	p, _ := principalOf(c)
	o, err := s.app.Order(c.Request().Context(), p, ids[0], ids[1])
	if err != nil {
		return err
	}
	return withETag(c, o.Revision, true, orderOf(o.Order))
}

// orderRequest orders a module or a programme for an entity's people.
type orderRequest struct {
	Kind   string `json:"kind"`
	ItemID string `json:"itemId"`
	Seats  int    `json:"seats"`
}

// validate parses the kind and names, with it and in the order of the
// request, every other field that is wrong: one 400 names them all. The
// domain checks itemId and seats again.
func (r *orderRequest) validate() error {
	_, err := catalogue.ParseOrderKind(r.Kind)
	ps := []*domain.FieldError{fieldOf(err), domain.RequireID("itemId", r.ItemID)}
	if r.Seats < 1 || r.Seats > 1000 {
		ps = append(ps, domain.Invalid("seats", "must be from 1 to 1000"))
	}
	return domain.Validate(ps...)
}

// handleOrderCreate is POST /v1/entities/{entityId}/orders: the programme
// office records an entity's order of a module or a programme on offer.
func (s *Server) handleOrderCreate(c echo.Context) error {
	var req orderRequest
	id, w, err := s.catalogueCommand(c, "entityId", matchOptional, &req)
	if err != nil {
		return err
	}
	k, err := catalogue.ParseOrderKind(req.Kind)
	if err != nil {
		return validationOf(err)
	}
	out, err := s.app.PlaceOrder(c.Request().Context(), w, catalogue.PlaceOrder{EntityID: id, Kind: k, ItemID: req.ItemID, Seats: req.Seats})
	if err != nil {
		return err
	}
	return wrote(c, http.StatusCreated, out, orderHref(id, out.ID))
}

// cancellation cancels an order; it has no fields.
type cancellation struct{}

// handleOrderCancellationCreate is POST /v1/entities/{entityId}/orders/{orderId}/cancellations:
// the programme office cancels an entity's order, once.
func (s *Server) handleOrderCancellationCreate(c echo.Context) error {
	id, w, err := s.catalogueCommand(c, "entityId", matchOptional, &cancellation{})
	if err != nil {
		return err
	}
	orderID, err := pathID(c, "orderId")
	if err != nil {
		return err
	}
	out, err := s.app.CancelOrder(c.Request().Context(), w, catalogue.CancelOrder{EntityID: id, OrderID: orderID})
	if err != nil {
		return err
	}
	return wrote(c, http.StatusCreated, out, orderHref(id, orderID))
}
