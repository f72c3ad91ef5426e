package privacy

import (
	"errors"
	"fmt"
	"reflect"
	"testing"
	"time"

	"github.com/leerpad/leerpad/domain"
	"github.com/leerpad/leerpad/domain/domaintest"
)

func uuid(n int) string { return fmt.Sprintf("00000000-0000-4000-8000-%012d", n) }

// TestReplay records an erasure, a retention policy set twice and a
// portfolio read, replays them through the codec, and checks the stored
// schema's conventions (no personal data in any of them).
func TestReplay(t *testing.T) {
	at := time.Date(2025, 1, 6, 9, 0, 0, 0, time.UTC)
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	e := ReplayErasure()
	must(e.Erase(Erase{ErasureID: uuid(1), PersonID: uuid(2), Roles: []PersonRole{RoleParticipant, RoleRater},
		RequestedBy: RequesterProgrammeOffice, ActorID: uuid(3), Reason: ReasonSubjectRequest, Reference: "PB-2025/017", At: at}))
	if err := e.Erase(Erase{ErasureID: uuid(4), PersonID: uuid(2), Roles: []PersonRole{RoleParticipant},
		RequestedBy: RequesterSelf, ActorID: uuid(2), Reason: ReasonSubjectRequest, At: at}); !errors.Is(err, ErrAlreadyErased) {
		t.Fatalf("second erasure: %v", err)
	}
	r := ReplayRetention()
	must(r.Set(SetRetention{ProgrammeID: uuid(5), JourneyDays: 365, ReadAuditDays: 90, At: at}))
	must(r.Set(SetRetention{ProgrammeID: uuid(5), JourneyDays: 365, ReadAuditDays: 90, At: at})) // unchanged: nothing
	must(r.Set(SetRetention{ProgrammeID: uuid(5), JourneyDays: 730, ReadAuditDays: 90, At: at}))
	asOf := at.Add(-time.Hour)
	read := PortfolioRead{JourneyID: uuid(6), ReaderID: uuid(7), ReaderRole: "manager", Parts: []string{"journey", "learning-goals"}, AsOf: &asOf, At: at}

	events := append(append(append([]domain.Event(nil), e.Uncommitted()...), r.Uncommitted()...), read)
	domaintest.CheckEventTypes(t, EventTypes(), events, "erasure", "retention", "readaudit")
	re := ReplayErasure(domaintest.RoundTrip(t, EventTypes(), e.Uncommitted())...)
	e.changes, re.loaded = nil, 0
	if !reflect.DeepEqual(re, e) {
		t.Errorf("replayed erasure:\n got %#v\nwant %#v", re, e)
	}
	rr := ReplayRetention(domaintest.RoundTrip(t, EventTypes(), r.Uncommitted())...)
	if rr.Version() != 2 || rr.JourneyDays() != 730 || rr.ReadAuditDays() != 90 {
		t.Errorf("replayed retention: version %d, %d and %d days", rr.Version(), rr.JourneyDays(), rr.ReadAuditDays())
	}
}

// TestErase names what is wrong with an erasure.
func TestErase(t *testing.T) {
	at := time.Date(2025, 1, 6, 9, 0, 0, 0, time.UTC)
	ok := Erase{ErasureID: uuid(1), PersonID: uuid(2), Roles: []PersonRole{RoleRater}, RequestedBy: RequesterProgrammeOffice,
		ActorID: uuid(3), Reason: ReasonObjection, At: at}
	for _, tc := range []struct {
		name  string
		edit  func(c *Erase)
		field string
	}{
		{"nobody known", func(c *Erase) { c.Roles = nil }, "personId"},
		{"someone else by themselves", func(c *Erase) { c.RequestedBy = RequesterSelf }, "personId"},
		{"no reason", func(c *Erase) { c.Reason = Reason{} }, "reason"},
		{"a sentence as reference", func(c *Erase) { c.Reference = "asked by Jan de Vries" }, "reference"},
		{"no person", func(c *Erase) { c.PersonID = "" }, "personId"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := ok
			tc.edit(&c)
			err := ReplayErasure().Erase(c)
			var fe *domain.FieldError
			if !errors.As(err, &fe) || fe.Field != tc.field {
				t.Fatalf("err = %v, want a problem with %s", err, tc.field)
			}
		})
	}
	if err := ReplayErasure().Erase(ok); err != nil {
		t.Fatal(err)
	}
}

// TestRetentionDue: a journey is due the day its period has passed.
func TestRetentionDue(t *testing.T) {
	ended := time.Date(2025, 1, 6, 9, 0, 0, 0, time.UTC)
	r := ReplayRetention()
	if r.Due(ended, ended.AddDate(0, 0, DefaultJourneyDays-1)) || !r.Due(ended, ended.AddDate(0, 0, DefaultJourneyDays)) || r.Due(time.Time{}, ended) {
		t.Fatal("default retention: due at the wrong moment")
	}
	if err := r.Set(SetRetention{ProgrammeID: uuid(1), JourneyDays: 0, ReadAuditDays: 90, At: ended}); err == nil {
		t.Fatal("0 days accepted")
	}
}
