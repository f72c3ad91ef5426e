package catalogue

// Invariants of an ordering entity:
//   - an entity is registered once, with a name;
//   - an order has its own id, names a module or a programme, and 1 to 1000 seats;
//   - an order is cancelled at most once, and only an order the entity placed;
//   - key figures are recorded per quarter (keyfigures.go).

import (
	"fmt"
	"time"

	"github.com/leerpad/leerpad/domain"
)

// Errors of ordering entities.
var (
	ErrEntityExists   = fmt.Errorf("entity already registered: %w", domain.ErrConflict)
	ErrEntityNotFound = fmt.Errorf("entity not registered: %w", domain.ErrNotFound)
	ErrOrderExists    = fmt.Errorf("order already placed: %w", domain.ErrConflict)
	ErrOrderNotFound  = fmt.Errorf("order not placed by the entity: %w", domain.ErrNotFound)
	ErrOrderCancelled = fmt.Errorf("order already cancelled: %w", domain.ErrConflict)
)

// RegisterEntity registers a department or agency that orders from the catalogue.
type RegisterEntity struct {
	EntityID string
	Name     string
	At       time.Time
	domain.Envelope
}

// PlaceOrder orders a module or a programme for an entity's people.
type PlaceOrder struct {
	EntityID string
	OrderID  string
	Kind     OrderKind
	ItemID   string // the module or programme ordered
	Seats    int
	At       time.Time
	domain.Envelope
}

// CancelOrder cancels an order.
type CancelOrder struct {
	EntityID string
	OrderID  string
	At       time.Time
	domain.Envelope
}

// Entity is an ordering entity (entiteit): a department or agency ordering
// modules or whole trajectories.
type Entity struct {
	id     string
	name   string
	orders map[string]*order
	placed []string // order ids in the order they were placed
	// figures are the key figures by quarter (keyfigures.go).
	figures map[string]KeyFigures

	loaded  int
	changes []domain.Event
}

type order struct {
	kind      OrderKind
	itemID    string
	seats     int
	cancelled bool
}

// ReplayEntity rebuilds an entity from its stream. With no events it returns
// an entity that is yet to be registered.
func ReplayEntity(events ...domain.Event) *Entity {
	en := &Entity{orders: map[string]*order{}, figures: map[string]KeyFigures{}}
	for _, e := range events {
		en.apply(e)
	}
	en.loaded = len(events)
	return en
}

// ID returns the entity's id.
func (en *Entity) ID() string { return en.id }

// Version returns the number of events loaded from the stream.
func (en *Entity) Version() int { return en.loaded }

// Uncommitted returns the events recorded since the entity was loaded.
func (en *Entity) Uncommitted() []domain.Event { return en.changes }

// CatchUp applies events stored after the ones the entity was loaded from
// (another writer's), as Replay would have; nothing may be recorded yet.
func (en *Entity) CatchUp(events ...domain.Event) {
	for _, e := range events {
		en.apply(e)
	}
	en.loaded += len(events)
}

// Committed marks the events recorded since the load as stored: the
// repository calls it after their append, so that the entity can decide the
// next command without being loaded again.
func (en *Entity) Committed() {
	en.loaded += len(en.changes)
	en.changes = nil
}

// Register records the entity.
func (en *Entity) Register(c RegisterEntity) error {
	if err := domain.Validate(
		domain.RequireID("entityId", c.EntityID),
		domain.RequireLine("name", c.Name, domain.MaxTitle),
		domain.RequireTime("at", c.At),
	); err != nil {
		return fmt.Errorf("register entity: %w", err)
	}
	if en.id != "" {
		return fmt.Errorf("register entity %s: %w", c.EntityID, ErrEntityExists)
	}
	en.record(EntityRegistered{EntityID: c.EntityID, Name: c.Name, At: c.At})
	return nil
}

// PlaceOrder records an order.
func (en *Entity) PlaceOrder(c PlaceOrder) error {
	ps := []*domain.FieldError{
		domain.RequireID("entityId", c.EntityID),
		domain.RequireID("orderId", c.OrderID),
		domain.RequireID("itemId", c.ItemID),
		domain.RequireTime("at", c.At),
	}
	if c.Kind.IsZero() {
		ps = append(ps, domain.Required("kind"))
	}
	if c.Seats < 1 || c.Seats > 1000 {
		ps = append(ps, domain.Invalid("seats", "must be from 1 to 1000"))
	}
	if err := domain.Validate(ps...); err != nil {
		return fmt.Errorf("place order: %w", err)
	}
	if en.id == "" {
		return fmt.Errorf("place order for entity %s: %w", c.EntityID, ErrEntityNotFound)
	}
	if _, ok := en.orders[c.OrderID]; ok {
		return fmt.Errorf("place order %s: %w", c.OrderID, ErrOrderExists)
	}
	en.record(OrderPlaced{EntityID: en.id, OrderID: c.OrderID, Kind: c.Kind, ItemID: c.ItemID, Seats: c.Seats, At: c.At})
	return nil
}

// CancelOrder cancels one of the entity's orders.
func (en *Entity) CancelOrder(c CancelOrder) error {
	if err := domain.Validate(
		domain.RequireID("entityId", c.EntityID),
		domain.RequireID("orderId", c.OrderID),
		domain.RequireTime("at", c.At),
	); err != nil {
		return fmt.Errorf("cancel order: %w", err)
	}
	if en.id == "" {
		return fmt.Errorf("cancel order for entity %s: %w", c.EntityID, ErrEntityNotFound)
	}
	o, ok := en.orders[c.OrderID]
	switch {
	case !ok:
		return fmt.Errorf("cancel order %s: %w", c.OrderID, ErrOrderNotFound)
	case o.cancelled:
		return fmt.Errorf("cancel order %s: %w", c.OrderID, ErrOrderCancelled)
	}
	en.record(OrderCancelled{EntityID: en.id, OrderID: c.OrderID, At: c.At})
	return nil
}

func (en *Entity) record(e domain.Event) {
	en.changes = append(en.changes, e)
	en.apply(e)
}

func (en *Entity) apply(e domain.Event) {
	switch e := e.(type) {
	case EntityRegistered:
		en.id, en.name = e.EntityID, e.Name
	case OrderPlaced:
		if _, ok := en.orders[e.OrderID]; !ok {
			en.placed = append(en.placed, e.OrderID)
		}
		en.orders[e.OrderID] = &order{kind: e.Kind, itemID: e.ItemID, seats: e.Seats}
	case OrderCancelled:
		if o, ok := en.orders[e.OrderID]; ok {
			o.cancelled = true
		}
	case KeyFiguresRecorded:
		en.applyKeyFigures(e)
	}
}

// Name returns the entity's name.
func (en *Entity) Name() string { return en.name }

// Order is one of an entity's orders as it stands.
type Order struct {
	OrderID   string
	Kind      OrderKind
	ItemID    string // the module or programme ordered
	Seats     int
	Cancelled bool
}

// Orders returns the entity's orders in the order they were placed,
// cancelled ones included.
func (en *Entity) Orders() []Order {
	out := make([]Order, 0, len(en.placed))
	for _, id := range en.placed {
		o := en.orders[id]
		out = append(out, Order{OrderID: id, Kind: o.kind, ItemID: o.itemID, Seats: o.seats, Cancelled: o.cancelled})
	}
	return out
}
