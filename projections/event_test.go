package projections_test

import (
	"errors"
	"testing"
	"time"

	"github.com/leerpad/leerpad/domain"
	"github.com/leerpad/leerpad/domain/catalogue"
	"github.com/leerpad/leerpad/domain/journey"
	"github.com/leerpad/leerpad/projections"
)

type foreign struct{}

func (foreign) EventName() string { return "billing.invoice_sent" }

func TestCheckpoint(t *testing.T) {
	at := time.Date(2025, 3, 3, 9, 0, 0, 0, time.UTC)
	c := projections.NewCheckpoint()
	ev := func(stream string, rev, pos uint64, e domain.Event) projections.Event {
		return projections.Event{Stream: stream, Revision: rev, Position: pos, Recorded: at, Data: e}
	}
	done := journey.Completed{At: at}
	steps := []struct {
		name     string
		ev       projections.Event
		fresh    bool
		skip     bool
		position uint64
		unknown  uint64
	}{
		{"first event of a stream", ev(journey.StreamCategory+"-a", 0, 100, done), true, false, 100, 0},
		{"same revision again", ev(journey.StreamCategory+"-a", 0, 100, done), false, false, 100, 0},
		{"another stream", ev(journey.StreamCategory+"-b", 0, 200, done), true, false, 200, 0},
		{"lower revision", ev(journey.StreamCategory+"-b", 0, 150, done), false, false, 200, 0},
		{"next revision", ev(journey.StreamCategory+"-a", 1, 300, done), true, false, 300, 0},
		{"unknown event type", ev(journey.StreamCategory+"-a", 2, 400, projections.UnknownEvent{Name: "journey.levelled_up"}), true, true, 400, 1},
		{"type from outside the domain", ev("invoice-x", 0, 500, foreign{}), true, true, 500, 2},
		{"domain event the model has no use for", ev(catalogue.ModuleCategory+"-m", 0, 600, catalogue.ModuleRetired{ModuleID: "m", At: at}), true, true, 600, 2},
	}
	for _, s := range steps {
		called := false
		if err := c.Apply("test", s.ev, func() bool { called = true; return !s.skip }); err != nil {
			t.Fatalf("%s: Apply: %v", s.name, err)
		}
		if called != s.fresh {
			t.Fatalf("%s: handled = %v, want %v", s.name, called, s.fresh)
		}
		if c.Position() != s.position || c.Unknown() != s.unknown {
			t.Fatalf("%s: position %d unknown %d, want %d and %d", s.name, c.Position(), c.Unknown(), s.position, s.unknown)
		}
	}
	for _, bad := range []projections.Event{{Data: done}, {Stream: journey.StreamCategory + "-a", Revision: 9}} {
		err := c.Apply("test", bad, func() bool { t.Fatalf("handled a bad envelope %+v", bad); return true })
		if !errors.Is(err, domain.ErrInvalid) {
			t.Fatalf("Apply(%+v) = %v, want ErrInvalid", bad, err)
		}
	}
}

func TestParseStream(t *testing.T) {
	cat, id, ok := projections.ParseStream(journey.StreamCategory + "-3f2a6c1e-8b7d-4c2a-9e1f-0a1b2c3d4e5f")
	if !ok || cat != journey.StreamCategory || id != "3f2a6c1e-8b7d-4c2a-9e1f-0a1b2c3d4e5f" {
		t.Fatalf("ParseStream = %q %q %v", cat, id, ok)
	}
	for _, s := range []string{"", journey.StreamCategory, "-x", journey.StreamCategory + "-"} {
		if _, _, ok := projections.ParseStream(s); ok {
			t.Fatalf("ParseStream(%q) ok", s)
		}
	}
}
