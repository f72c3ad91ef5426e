package portfolio_test

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/leerpad/leerpad/domain/cohort"
	"github.com/leerpad/leerpad/projections/internal/fixture"
	"github.com/leerpad/leerpad/projections/portfolio"
)

// TestGroupSessionInThePortfolio checks that a meeting recorded once for
// the group shows in the portfolio of each attendee who attended it, with
// whether they brought the case, never the case itself; and that the
// sessions recorded on the journey the deprecated way still show.
func TestGroupSessionInThePortfolio(t *testing.T) {
	s := newScene()
	s.journeyEvents() // holds one journey.intervision_attended
	l, cs := s.l, fixture.CohortStream(s.cohortID)
	other := l.ID()
	l.Append(cs, cohort.ParticipantEnrolled{CohortID: s.cohortID, ParticipantID: other, Name: "Bram", Email: "bram@example.org", At: day(2)})
	group, session := l.ID(), l.ID()
	l.Append(cs, cohort.IntervisionSessionHeld{CohortID: s.cohortID, GroupID: group, SessionID: session, HeldOn: day(20), AttendeeIDs: []string{s.participantID, other},
		CaseBroughtBy: other, Method: "balintmethode", CaseSummary: "Een geheim van de groep", At: day(20).Add(time.Hour)})

	m := portfolio.New(portfolio.Config{})
	feed(t, m, l.Events)
	v, err := m.Current(s.journeyID)
	if err != nil {
		t.Fatal(err)
	}
	if len(v.Intervision) != 2 {
		t.Fatalf("intervision = %+v, want the deprecated record and the group's session", v.Intervision)
	}
	got := v.Intervision[1]
	if got.SessionID != session || got.GroupID != group || !got.HeldOn.Equal(day(20)) || got.Method != "balintmethode" || got.CaseBroughtIn {
		t.Fatalf("group session = %+v", got)
	}
	b, _ := json.Marshal(v)
	if strings.Contains(string(b), "geheim") {
		t.Fatal("the case summary reached the portfolio")
	}
	asOf, err := m.AsOf(t.Context(), s.journeyID, day(19))
	if err != nil {
		t.Fatal(err)
	}
	for _, x := range asOf.Intervision {
		if x.SessionID == session {
			t.Fatal("the portfolio as of before the session holds it")
		}
	}
}
