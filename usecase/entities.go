package usecase

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/leerpad/leerpad/domain"
	"github.com/leerpad/leerpad/domain/access"
	"github.com/leerpad/leerpad/domain/catalogue"
	"github.com/leerpad/leerpad/domain/offer"
)

// The ordering entities (the departments and agencies that order modules or
// whole programmes for their people) and their orders. The programme office
// keeps them, and it alone reads them.

// EntitySummary is an ordering entity with its orders, cancelled ones
// included, as its stream holds it now.
type EntitySummary struct {
	ID       string
	Name     string
	Orders   []catalogue.Order
	Revision uint64
}

// OrderSummary is one order of an entity, with the revision of the entity's
// stream.
type OrderSummary struct {
	EntityID string
	Order    catalogue.Order
	Revision uint64
}

// Entities are the ordering entities in the order registered, each with its
// orders: the window page of them, and how many there are. min, when not 0,
// is a log position the list must include.
func (a *App) Entities(ctx context.Context, p access.Principal, page Page, min uint64) ([]offer.Entity, int, error) {
	return offerList(ctx, a, p, access.KindEntity, Offer.Entities, nil, nil, page, min) // entities do not retire
}

// Entity is an ordering entity with its orders, as its stream holds it now.
func (a *App) Entity(ctx context.Context, p access.Principal, id string) (EntitySummary, error) {
	s := EntitySummary{ID: id}
	if err := a.authorize(ctx, p, access.ActionRead, access.Resource{Kind: access.KindEntity}); err != nil {
		return s, err
	}
	if a.deps.EntityView == nil {
		return s, unavailable("ordering entities")
	}
	rev, err := a.deps.EntityView.View(ctx, id, func(en *catalogue.Entity) { s.Name, s.Orders = en.Name(), en.Orders() })
	if err != nil {
		return s, notFound("ordering entity", id, err)
	}
	s.Revision = rev
	return s, nil
}

// Order is one order of an entity, as the entity's stream holds it now.
func (a *App) Order(ctx context.Context, p access.Principal, entityID, orderID string) (OrderSummary, error) {
	en, err := a.Entity(ctx, p, entityID)
	if err != nil {
		return OrderSummary{}, err
	}
	i := slices.IndexFunc(en.Orders, func(o catalogue.Order) bool { return o.OrderID == orderID })
	if i < 0 {
		return OrderSummary{}, fmt.Errorf("order %s of entity %s: %w", orderID, entityID, catalogue.ErrOrderNotFound)
	}
	return OrderSummary{EntityID: entityID, Order: en.Orders[i], Revision: en.Revision}, nil
}

// entityWrite decides whether the actor may write ordering entities.
func (a *App) entityWrite(ctx context.Context, w Write) error {
	if a.deps.Entities == nil || a.deps.EntityView == nil {
		return unavailable("ordering entities")
	}
	return a.authorize(ctx, w.Actor, access.ActionWrite, access.Resource{Kind: access.KindEntity})
}

// RegisterEntity registers an ordering entity (the programme office); it
// creates the entity's id.
func (a *App) RegisterEntity(ctx context.Context, w Write, c catalogue.RegisterEntity) (Written, error) {
	if err := a.entityWrite(ctx, w); err != nil {
		return Written{}, err
	}
	o := op{w: w, name: "register-entity"}
	c.EntityID = o.newID(a.ids, "entity")
	c.Envelope, c.At = o.envelope("", domain.Revision{}), a.now()
	dw, err := a.deps.Entities.RegisterEntity(ctx, c)
	return written(c.EntityID, dw), err
}

// onEntity runs a command of operation name on entity id, which the
// programme office writes.
func (a *App) onEntity(ctx context.Context, w Write, name, id string, run func(env domain.Envelope, at time.Time) (domain.Written, error)) (domain.Written, error) {
	if err := a.entityWrite(ctx, w); err != nil {
		return domain.Written{}, err
	}
	return onCatalogue(ctx, a, op{w: w, name: name, target: id}, a.deps.EntityView, "ordering entity", run)
}

// PlaceOrder records an entity's order of a module or a programme on offer
// (the programme office); it creates the order's id.
func (a *App) PlaceOrder(ctx context.Context, w Write, c catalogue.PlaceOrder) (Written, error) {
	o := op{w: w, name: "place-order", target: c.EntityID}
	c.OrderID = o.newID(a.ids, "order")
	dw, err := a.onEntity(ctx, w, o.name, c.EntityID, func(env domain.Envelope, at time.Time) (domain.Written, error) {
		c.Envelope, c.At = env, at
		return a.deps.Entities.PlaceOrder(ctx, c)
	})
	return written(c.OrderID, dw), err
}

// CancelOrder cancels an entity's order, once (the programme office).
func (a *App) CancelOrder(ctx context.Context, w Write, c catalogue.CancelOrder) (Written, error) {
	dw, err := a.onEntity(ctx, w, "cancel-order:"+c.OrderID, c.EntityID, func(env domain.Envelope, at time.Time) (domain.Written, error) {
		c.Envelope, c.At = env, at
		return a.deps.Entities.CancelOrder(ctx, c)
	})
	return written(c.OrderID, dw), err
}

// RecordKeyFigures records an entity's key figures of a quarter (the
// programme office), replacing what was recorded for it: an idempotent put.
// Figures recorded as they already are record nothing, and answer with the
// entity's revision.
func (a *App) RecordKeyFigures(ctx context.Context, w Write, c catalogue.RecordKeyFigures) (Written, error) {
	dw, err := a.onEntity(ctx, w, "key-figures:"+c.Quarter, c.EntityID, func(env domain.Envelope, at time.Time) (domain.Written, error) {
		c.Envelope, c.At = env, at
		dw, err := a.deps.Entities.RecordKeyFigures(ctx, c)
		if errors.Is(err, catalogue.ErrKeyFiguresUnchanged) {
			rev, _ := env.Expected.Get()
			return domain.Written{Revision: rev}, nil
		}
		return dw, err
	})
	return written(c.Quarter, dw), err
}

// EntityKeyFigures are an entity's key figures, one per quarter recorded, in
// the order of the quarters, as its stream holds them now, with the
// stream's revision.
type EntityKeyFigures struct {
	EntityID string
	Figures  []catalogue.KeyFigures
	Revision uint64
}

// KeyFigures are an ordering entity's key figures by quarter (the programme
// office), read from the entity's stream.
func (a *App) KeyFigures(ctx context.Context, p access.Principal, entityID string) (EntityKeyFigures, error) {
	k := EntityKeyFigures{EntityID: entityID}
	if err := a.authorize(ctx, p, access.ActionRead, access.Resource{Kind: access.KindEntity}); err != nil {
		return k, err
	}
	if a.deps.EntityView == nil {
		return k, unavailable("ordering entities")
	}
	rev, err := a.deps.EntityView.View(ctx, entityID, func(en *catalogue.Entity) { k.Figures = en.KeyFigures() })
	if err != nil {
		return k, notFound("ordering entity", entityID, err)
	}
	k.Revision = rev
	return k, nil
}
