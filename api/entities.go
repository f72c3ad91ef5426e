package api

import (
	"fmt"
	"net/http"
	"slices"

	"github.com/labstack/echo/v4"

	"github.com/leerpad/leerpad/domain"
	"github.com/leerpad/leerpad/domain/access"
	"github.com/leerpad/leerpad/domain/catalogue"
	"github.com/leerpad/leerpad/domain/offer"
)

// registerEntityRoutes registers the ordering entities (the departments and
// agencies that order modules or whole programmes for their people) and
// their orders; the programme office keeps them. A cancelled order stays,
// marked cancelled: cancelling is a sub-resource, as a round's closure is.
func (s *Server) registerEntityRoutes(g *echo.Group) {
	g.GET("/entities", s.handleEntityList, s.requireUser)
	g.POST("/entities", s.handleEntityCreate, s.requireUser, s.idempotent)
	g.GET("/entities/:entityId", s.handleEntityGet, s.requireUser)
	g.POST("/entities/:entityId/orders", s.handleOrderCreate, s.requireUser, s.idempotent)
	g.GET("/entities/:entityId/orders/:orderId", s.handleOrderGet, s.requireUser)
	g.POST("/entities/:entityId/orders/:orderId/cancellations", s.handleOrderCancellationCreate, s.requireUser, s.idempotent)
}

func entityHref(id string) string { return "/v1/entities/" + id }

func orderHref(entityID, orderID string) string { return entityHref(entityID) + "/orders/" + orderID }

// entityRequest registers an ordering entity.
type entityRequest struct {
	Name string `json:"name"`
}

func (r *entityRequest) validate() error {
	return domain.Validate(domain.RequireText("name", r.Name, domain.MaxTitle))
}

// handleEntityCreate is POST /v1/entities: the programme office registers
// an ordering entity.
func (s *Server) handleEntityCreate(c echo.Context) error {
	if s.d.Entities == nil {
		return unavailable("ordering entities")
	}
	var req entityRequest
	w, err := s.catalogueWrite(c, access.KindEntity, &req, matchOptional)
	if err != nil {
		return err
	}
	id := s.newID(c, "entity")
	if err := s.d.Entities.RegisterEntity(w.ctx, catalogue.RegisterEntity{EntityID: id, Name: req.Name, At: s.now(), IdempotencyKey: s.commandKey(c, "")}); err != nil {
		return err
	}
	w.finish(c)
	return created(c, entityHref(id), resourceRef{ID: id, Href: entityHref(id)})
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
	items, next, err := offerList(s, c, access.KindEntity, "entities", Offer.Entities, nil, func(en offer.Entity) entitySummary {
		return entitySummary{ID: en.EntityID, Href: entityHref(en.EntityID), Name: en.Name, RegisteredAt: dt(en.RegisteredAt),
			Orders: mapAll(en.Orders, func(o offer.Order) orderEntry {
				e := orderEntry{ID: o.OrderID, Kind: o.Kind.String(), ItemID: o.ItemID, Seats: o.Seats, Cancelled: o.Cancelled, PlacedAt: &DateTime{o.PlacedAt}}
				if o.Cancelled {
					e.CancelledAt = &DateTime{o.CancelledAt}
				}
				return e
			})}
	})
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, entityList{Items: items, NextCursor: next})
}

// entityResponse is an ordering entity as its stream holds it.
type entityResponse struct {
	ID       string       `json:"id"`
	Name     string       `json:"name"`
	Orders   []orderEntry `json:"orders"`
	Revision uint64       `json:"revision"`
}

// loadEntity reads the entity id of the path, authorises reading it and
// loads it from its stream.
func (s *Server) loadEntity(c echo.Context) (*catalogue.Entity, error) {
	id, err := pathID(c, "entityId")
	if err != nil {
		return nil, err
	}
	if err := s.authorize(c, access.ActionRead, access.Resource{Kind: access.KindEntity}); err != nil {
		return nil, err
	}
	if s.d.EntityLog == nil {
		return nil, unavailable("ordering entities")
	}
	return s.d.EntityLog.Load(c.Request().Context(), id)
}

func orderOf(o catalogue.Order) orderEntry {
	return orderEntry{ID: o.OrderID, Kind: o.Kind.String(), ItemID: o.ItemID, Seats: o.Seats, Cancelled: o.Cancelled}
}

// handleEntityGet is GET /v1/entities/{entityId}: an ordering entity with
// its orders, with its stream revision as ETag.
func (s *Server) handleEntityGet(c echo.Context) error {
	en, err := s.loadEntity(c)
	if err != nil {
		return err
	}
	rev, ok := revisionOf(en)
	return withETag(c, rev, ok, entityResponse{ID: en.ID(), Name: en.Name(), Revision: rev, Orders: mapAll(en.Orders(), orderOf)})
}

// handleOrderGet is GET /v1/entities/{entityId}/orders/{orderId}: one order
// of an entity, with the entity's stream revision as ETag.
func (s *Server) handleOrderGet(c echo.Context) error {
	orderID, err := pathID(c, "orderId")
	if err != nil {
		return err
	}
	en, err := s.loadEntity(c)
	if err != nil {
		return err
	}
	i := slices.IndexFunc(en.Orders(), func(o catalogue.Order) bool { return o.OrderID == orderID })
	if i < 0 {
		return fmt.Errorf("order %s of entity %s: %w", orderID, en.ID(), catalogue.ErrOrderNotFound)
	}
	rev, ok := revisionOf(en)
	return withETag(c, rev, ok, orderOf(en.Orders()[i]))
}

// orderRequest orders a module or a programme for an entity's people.
type orderRequest struct {
	Kind   string `json:"kind"`
	ItemID string `json:"itemId"`
	Seats  int    `json:"seats"`
}

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
	var orderID string
	return s.offerWrite(c, "entityId", access.KindEntity, s.d.Entities, "ordering entities", &req, http.StatusCreated,
		func(id string) resourceRef { return resourceRef{ID: orderID, Href: orderHref(id, orderID)} },
		func(w *write, id string) error {
			orderID = s.newID(c, "order")
			k, _ := catalogue.ParseOrderKind(req.Kind)
			return s.d.Entities.PlaceOrder(w.ctx, catalogue.PlaceOrder{EntityID: id, OrderID: orderID, Kind: k, ItemID: req.ItemID, Seats: req.Seats,
				At: s.now(), IdempotencyKey: s.commandKey(c, "")})
		})
}

// cancellation cancels an order; it has no fields.
type cancellation struct{}

func (cancellation) validate() error { return nil }

// handleOrderCancellationCreate is POST /v1/entities/{entityId}/orders/{orderId}/cancellations:
// the programme office cancels an entity's order, once.
func (s *Server) handleOrderCancellationCreate(c echo.Context) error {
	var orderID string
	return s.offerWrite(c, "entityId", access.KindEntity, s.d.Entities, "ordering entities", &cancellation{}, http.StatusCreated,
		func(id string) resourceRef { return resourceRef{ID: orderID, Href: orderHref(id, orderID)} },
		func(w *write, id string) error {
			var err error
			if orderID, err = pathID(c, "orderId"); err != nil {
				return err
			}
			return s.d.Entities.CancelOrder(w.ctx, catalogue.CancelOrder{EntityID: id, OrderID: orderID, At: s.now(), IdempotencyKey: s.commandKey(c, "")})
		})
}
