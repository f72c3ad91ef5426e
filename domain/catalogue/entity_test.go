package catalogue_test

import (
	"reflect"
	"testing"

	"github.com/leerpad/leerpad/domain"
	"github.com/leerpad/leerpad/domain/catalogue"
	"github.com/leerpad/leerpad/domain/domaintest"
)

var (
	entity = id(3)
	order1 = id(31)
)

func TestEntity(t *testing.T) {
	registered := catalogue.EntityRegistered{EntityID: entity, Name: "Agency for Roads and Traffic", At: at}
	placed := catalogue.OrderPlaced{EntityID: entity, OrderID: order1, Kind: catalogue.OrderProgramme, ItemID: programme, Seats: 20, At: at}
	cancelled := catalogue.OrderCancelled{EntityID: entity, OrderID: order1, At: later}
	register := func(name string) func(*catalogue.Entity) error {
		return func(en *catalogue.Entity) error {
			return en.Register(catalogue.RegisterEntity{EntityID: entity, Name: name, At: at})
		}
	}
	place := func(f func(*catalogue.PlaceOrder)) func(*catalogue.Entity) error {
		return func(en *catalogue.Entity) error {
			c := catalogue.PlaceOrder{EntityID: entity, OrderID: order1, Kind: catalogue.OrderProgramme, ItemID: programme, Seats: 20, At: at}
			f(&c)
			return en.PlaceOrder(c)
		}
	}
	cancel := func(en *catalogue.Entity) error {
		return en.CancelOrder(catalogue.CancelOrder{EntityID: entity, OrderID: order1, At: later})
	}
	domaintest.Run(t, catalogue.ReplayEntity, []domaintest.Case[*catalogue.Entity]{
		{Name: "register", When: register(registered.Name), Want: []domain.Event{registered}},
		{Name: "register twice", Given: []domain.Event{registered}, When: register(registered.Name), WantErr: catalogue.ErrEntityExists},
		{Name: "register without name", When: register(""), WantErr: domain.ErrInvalid, WantField: "name"},
		{Name: "place an order", Given: []domain.Event{registered}, When: place(func(*catalogue.PlaceOrder) {}), Want: []domain.Event{placed}},
		{Name: "place an order twice", Given: []domain.Event{registered, placed}, When: place(func(*catalogue.PlaceOrder) {}),
			WantErr: catalogue.ErrOrderExists},
		{Name: "place an order for an unknown entity", When: place(func(*catalogue.PlaceOrder) {}), WantErr: catalogue.ErrEntityNotFound},
		{Name: "place an order without seats", Given: []domain.Event{registered}, When: place(func(c *catalogue.PlaceOrder) { c.Seats = 0 }),
			WantErr: domain.ErrInvalid, WantField: "seats"},
		{Name: "place an order without kind", Given: []domain.Event{registered}, When: place(func(c *catalogue.PlaceOrder) { c.Kind = catalogue.OrderKind{} }),
			WantErr: domain.ErrInvalid, WantField: "kind"},
		{Name: "cancel an order", Given: []domain.Event{registered, placed}, When: cancel, Want: []domain.Event{cancelled}},
		{Name: "cancel an order twice", Given: []domain.Event{registered, placed, cancelled}, When: cancel, WantErr: catalogue.ErrOrderCancelled},
		{Name: "cancel an order never placed", Given: []domain.Event{registered}, When: cancel, WantErr: catalogue.ErrOrderNotFound},
	})
}

func TestEntityOrders(t *testing.T) {
	order2 := id(32)
	en := catalogue.ReplayEntity(
		catalogue.EntityRegistered{EntityID: entity, Name: "Agency for Roads and Traffic", At: at},
		catalogue.OrderPlaced{EntityID: entity, OrderID: order2, Kind: catalogue.OrderModule, ItemID: programme, Seats: 3, At: at},
		catalogue.OrderPlaced{EntityID: entity, OrderID: order1, Kind: catalogue.OrderProgramme, ItemID: programme, Seats: 20, At: at},
		catalogue.OrderCancelled{EntityID: entity, OrderID: order2, At: later},
	)
	want := []catalogue.Order{
		{OrderID: order2, Kind: catalogue.OrderModule, ItemID: programme, Seats: 3, Cancelled: true},
		{OrderID: order1, Kind: catalogue.OrderProgramme, ItemID: programme, Seats: 20},
	}
	if got := en.Orders(); !reflect.DeepEqual(got, want) {
		t.Fatalf("orders = %+v, want %+v (in the order placed)", got, want)
	}
	if got := catalogue.ReplayEntity().Orders(); len(got) != 0 {
		t.Fatalf("orders of an unregistered entity = %+v", got)
	}
}
