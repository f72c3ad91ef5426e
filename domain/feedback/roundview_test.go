package feedback_test

import (
	"reflect"
	"testing"
	"time"

	"github.com/leerpad/leerpad/domain"
	"github.com/leerpad/leerpad/domain/feedback"
)

// TestRoundShowsRatersNotWhoAnswered: the round's raters carry their
// approval, never whether they answered; the responses are counts per group.
func TestRoundShowsRatersNotWhoAnswered(t *testing.T) {
	peer1, peer2, peer3, other := id(31), id(32), id(33), id(34)
	opened := func(approval bool) domain.Event {
		return feedback.RoundOpened{RoundID: round, JourneyID: journeyID, ParticipantID: participant, ManagerID: manager,
			InstrumentID: instrument, Kind: feedback.RoundPre, RaterApproval: approval, At: at}
	}
	nominated := func(rater string, g feedback.RaterGroup, m int) domain.Event {
		return feedback.RaterNominated{RoundID: round, RaterID: rater, Group: g, Name: "N", Email: "n@example.org", At: at.Add(time.Duration(m) * time.Minute)}
	}
	answered := func(rater string, g feedback.RaterGroup) domain.Event {
		return feedback.ResponseSubmitted{RoundID: round, RaterID: rater, ParticipantID: participant, Group: g, At: later}
	}
	rater := func(r string, g feedback.RaterGroup, m int, a feedback.Approval) feedback.NominatedRater {
		return feedback.NominatedRater{RaterID: r, Group: g, NominatedAt: at.Add(time.Duration(m) * time.Minute), Approval: a}
	}
	for _, tc := range []struct {
		name         string
		given        []domain.Event
		wantRaters   []feedback.NominatedRater
		wantAwaiting []feedback.NominatedRater
		wantPeers    int
	}{
		{"with approval: answered reads approved, like approved",
			[]domain.Event{opened(true), nominated(peer1, feedback.GroupPeer, 3), nominated(peer2, feedback.GroupPeer, 1), nominated(peer3, feedback.GroupPeer, 2),
				nominated(participant, feedback.GroupSelf, 4), nominated(other, feedback.GroupOther, 5),
				feedback.RaterApproved{RoundID: round, RaterID: peer1, ApprovedBy: manager, At: later},
				feedback.RaterApproved{RoundID: round, RaterID: peer2, ApprovedBy: manager, At: later},
				feedback.RaterRejected{RoundID: round, RaterID: peer3, RejectedBy: manager, At: later},
				answered(peer2, feedback.GroupPeer), answered(participant, feedback.GroupSelf)},
			// In the order nominated (the log's), whatever the times say.
			[]feedback.NominatedRater{rater(peer1, feedback.GroupPeer, 3, feedback.ApprovalApproved), rater(peer2, feedback.GroupPeer, 1, feedback.ApprovalApproved),
				rater(peer3, feedback.GroupPeer, 2, feedback.ApprovalRejected), rater(participant, feedback.GroupSelf, 4, feedback.ApprovalNotRequired),
				rater(other, feedback.GroupOther, 5, feedback.ApprovalPending)},
			[]feedback.NominatedRater{rater(other, feedback.GroupOther, 5, feedback.ApprovalPending)}, 1},
		{"without approval: nobody awaits",
			[]domain.Event{opened(false), nominated(peer1, feedback.GroupPeer, 1), answered(peer1, feedback.GroupPeer)},
			[]feedback.NominatedRater{rater(peer1, feedback.GroupPeer, 1, feedback.ApprovalNotRequired)}, []feedback.NominatedRater{}, 1},
		{"closed: no decision left to take",
			[]domain.Event{opened(true), nominated(peer1, feedback.GroupPeer, 1), feedback.RoundClosed{RoundID: round, At: later}},
			[]feedback.NominatedRater{rater(peer1, feedback.GroupPeer, 1, feedback.ApprovalPending)}, []feedback.NominatedRater{}, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := feedback.ReplayRound(tc.given...)
			if got := r.Raters(); !reflect.DeepEqual(got, tc.wantRaters) {
				t.Errorf("raters = %+v\nwant %+v", got, tc.wantRaters)
			}
			if got := r.Awaiting(); !reflect.DeepEqual(got, tc.wantAwaiting) {
				t.Errorf("awaiting = %+v\nwant %+v", got, tc.wantAwaiting)
			}
			if got := r.ResponsesOf(feedback.GroupPeer); got != tc.wantPeers {
				t.Errorf("peer responses = %d, want %d", got, tc.wantPeers)
			}
			if r.Kind() != feedback.RoundPre || !r.OpenedAt().Equal(at) || r.ParticipantID() != participant {
				t.Errorf("round kind %v opened %v participant %s", r.Kind(), r.OpenedAt(), r.ParticipantID())
			}
		})
	}
}
