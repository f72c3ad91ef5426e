package feedback

import (
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/leerpad/leerpad/domain"
	"github.com/leerpad/leerpad/domain/domaintest"
	"github.com/leerpad/leerpad/domain/journey"
)

func uuid(n int) string { return fmt.Sprintf("00000000-0000-4000-8000-%012d", n) }

// TestReplay runs every command, then checks that replaying the stored streams
// (through the codec) rebuilds the same instrument and round, and that the
// events follow the stored-schema conventions.
func TestReplay(t *testing.T) {
	at := time.Date(2025, 1, 6, 9, 0, 0, 0, time.UTC)
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	in := ReplayInstrument()
	must(in.Publish(PublishInstrument{InstrumentID: uuid(1), Title: "360", Scale: Scale{Points: 4},
		Competencies: []Competency{{ID: uuid(2), Name: "Trust", Items: []Item{{ID: uuid(3), Text: "Keeps promises"}, {ID: uuid(4), Text: "Admits mistakes"}}}}, At: at}))
	j := journey.Replay(journey.Enrolled{JourneyID: uuid(5), ParticipantID: uuid(6), CohortID: uuid(7), Role: journey.RoleCoordinator,
		ManagerID: uuid(8), RaterApproval: true, At: at})
	r := ReplayRound()
	must(r.Open(OpenRound{RoundID: uuid(9), JourneyID: uuid(5), InstrumentID: uuid(1), Kind: RoundPost, At: at}, j, in))
	must(r.Nominate(NominateRater{RoundID: uuid(9), RaterID: uuid(10), Group: GroupSelf, At: at}))
	must(r.Nominate(NominateRater{RoundID: uuid(9), RaterID: uuid(11), Group: GroupManager, Name: "Mia", Email: "mia@example.org", At: at}))
	must(r.Nominate(NominateRater{RoundID: uuid(9), RaterID: uuid(12), Group: GroupOther, Name: "Ole", Email: "ole@example.org", At: at}))
	must(r.Approve(ApproveRater{RoundID: uuid(9), RaterID: uuid(11), ManagerID: uuid(8), At: at}, nil))
	must(r.IssueRaterLink(IssueRaterLink{RoundID: uuid(9), RaterID: uuid(11), TokenHash: strings.Repeat("5e", 32), ExpiresAt: at.Add(time.Hour), At: at}))
	must(r.Reject(RejectRater{RoundID: uuid(9), RaterID: uuid(12), ManagerID: uuid(8), At: at}, nil))
	must(r.SubmitResponse(SubmitResponse{RoundID: uuid(9), RaterID: uuid(10), Answers: []Answer{{ItemID: uuid(3), Score: 3}, {ItemID: uuid(4), Score: 2}}, At: at}, in))
	must(r.SubmitResponse(SubmitResponse{RoundID: uuid(9), RaterID: uuid(11), Answers: []Answer{{ItemID: uuid(3), Score: 4}, {ItemID: uuid(4), NotObserved: true}},
		Comments: []Comment{{CompetencyID: uuid(2), Text: "Very reliable"}}, At: at}, in))
	must(r.Close(CloseRound{RoundID: uuid(9), At: at}))
	must(r.EraseRater(EraseRater{RoundID: uuid(9), RaterID: uuid(11), ErasureID: uuid(13), At: at}))
	must(r.EraseRater(EraseRater{RoundID: uuid(9), RaterID: uuid(11), ErasureID: uuid(14), At: at})) // again: nothing
	must(in.Retire(RetireInstrument{InstrumentID: uuid(1), At: at}))

	domaintest.CheckEventTypes(t, EventTypes(), append(append([]domain.Event(nil), in.Uncommitted()...), r.Uncommitted()...), "feedback")
	rin := ReplayInstrument(domaintest.RoundTrip(t, EventTypes(), in.Uncommitted())...)
	in.changes, rin.loaded = nil, 0
	if !reflect.DeepEqual(rin, in) {
		t.Errorf("replayed instrument:\n got %#v\nwant %#v", rin, in)
	}
	rr := ReplayRound(domaintest.RoundTrip(t, EventTypes(), r.Uncommitted())...)
	if rr.Version() != 11 || rr.Responses() != 2 || !rr.Closed() || rr.Raters()[1].RaterID != domain.Erased {
		t.Errorf("replayed round: version %d, responses %d, closed %v", rr.Version(), rr.Responses(), rr.Closed())
	}
	r.changes, rr.loaded = nil, 0
	if !reflect.DeepEqual(rr, r) {
		t.Errorf("replayed round:\n got %#v\nwant %#v", rr, r)
	}
}
