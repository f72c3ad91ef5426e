package feedback_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/leerpad/leerpad/domain"
	"github.com/leerpad/leerpad/domain/domaintest"
	"github.com/leerpad/leerpad/domain/feedback"
	"github.com/leerpad/leerpad/domain/journey"
)

var (
	_ feedback.InstrumentRepository = (*domaintest.Repo[*feedback.Instrument])(nil)
	_ feedback.RoundRepository      = (*domaintest.Repo[*feedback.Round])(nil)
	_ feedback.Journeys             = (journey.Repository)(nil)
)

func TestServices(t *testing.T) {
	ctx := context.Background()
	instruments := domaintest.NewRepo(feedback.ReplayInstrument)
	rounds := domaintest.NewRepo(feedback.ReplayRound)
	journeys := domaintest.NewRepo(journey.Replay).Given(journeyID, journey.Enrolled{JourneyID: journeyID, ParticipantID: participant,
		CohortID: id(6), ProgrammeID: id(7), EntityID: id(8), Role: journey.RoleBeginningManager, ManagerID: manager, RaterApproval: true, At: at})
	is := feedback.NewInstrumentService(instruments)
	rs := feedback.NewRoundService(rounds, instruments, journeys)

	p := published()
	if _, err := is.PublishInstrument(ctx, feedback.PublishInstrument{InstrumentID: instrument, Title: p.Title, Scale: p.Scale,
		Competencies: competencies(), At: at, Envelope: domain.Envelope{IdempotencyKey: "pub"}}); err != nil {
		t.Fatal(err)
	}
	open := feedback.OpenRound{RoundID: round, JourneyID: journeyID, InstrumentID: instrument, Kind: feedback.RoundPre, At: at}
	unknown := open
	unknown.JourneyID = id(90)
	if _, err := rs.OpenRound(ctx, unknown); !errors.Is(err, domain.ErrNotFound) {
		t.Errorf("open for an unknown journey: err = %v, want not found", err)
	}
	steps := []func() error{
		func() error { return domaintest.Err(rs.OpenRound(ctx, open)) },
		func() error {
			return domaintest.Err(rs.NominateRater(ctx, feedback.NominateRater{RoundID: round, RaterID: peer, Group: feedback.GroupPeer, Name: "Pat", Email: "pat@example.org", At: at}))
		},
		func() error {
			return domaintest.Err(rs.NominateRater(ctx, feedback.NominateRater{RoundID: round, RaterID: report, Group: feedback.GroupDirectReport, Name: "Rik", Email: "rik@example.org", At: at}))
		},
		func() error {
			return domaintest.Err(rs.ApproveRater(ctx, feedback.ApproveRater{RoundID: round, RaterID: peer, ManagerID: manager, At: at}))
		},
		func() error {
			return domaintest.Err(rs.RejectRater(ctx, feedback.RejectRater{RoundID: round, RaterID: report, ManagerID: manager, At: at}))
		},
		func() error {
			return domaintest.Err(rs.IssueRaterLink(ctx, feedback.IssueRaterLink{RoundID: round, RaterID: peer, TokenHash: strings.Repeat("a1", 32), ExpiresAt: later.Add(time.Hour), At: at}))
		},
		func() error {
			return domaintest.Err(rs.SubmitResponse(ctx, feedback.SubmitResponse{RoundID: round, RaterID: peer, Answers: answers(), At: later, Envelope: domain.Envelope{IdempotencyKey: "resp"}}))
		},
		func() error {
			return domaintest.Err(rs.CloseRound(ctx, feedback.CloseRound{RoundID: round, At: later}))
		},
	}
	for i, step := range steps {
		if err := step(); err != nil {
			t.Fatalf("step %d: %v", i, err)
		}
	}
	if got := len(rounds.Stream(round)); got != len(steps) {
		t.Errorf("round stream holds %d events, want %d", got, len(steps))
	}
	if _, err := rs.SubmitResponse(ctx, feedback.SubmitResponse{RoundID: round, RaterID: peer, Answers: answers(), At: later}); !errors.Is(err, feedback.ErrRoundClosed) {
		t.Errorf("answer after close: err = %v, want %v", err, feedback.ErrRoundClosed)
	}
	if _, err := is.RetireInstrument(ctx, feedback.RetireInstrument{InstrumentID: instrument, At: later}); err != nil {
		t.Fatal(err)
	}
	second := open
	second.RoundID, second.Kind = id(91), feedback.RoundPost
	if _, err := rs.OpenRound(ctx, second); !errors.Is(err, feedback.ErrInstrumentRetired) {
		t.Errorf("open with a retired instrument: err = %v, want %v", err, feedback.ErrInstrumentRetired)
	}
}

// TestSubmitRetriesOnce: a response that loses the race against another
// writer fails with domain.ErrStale; run again (as the use cases do), it is
// decided on the fresh stream; if that writer closed the round, the response
// is refused.
func TestSubmitRetriesOnce(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct {
		name       string
		conflicts  int
		concurrent []domain.Event
		wantErr    error
		wantEvents int
	}{
		{"retried", 1, nil, nil, 4},
		{"the round closed meanwhile", 1, []domain.Event{feedback.RoundClosed{RoundID: round, At: at}}, feedback.ErrRoundClosed, 4},
		{"the rater answered meanwhile", 1, []domain.Event{feedback.ResponseSubmitted{RoundID: round, RaterID: peer, ParticipantID: participant, Group: feedback.GroupPeer, Answers: answers(), At: at}},
			feedback.ErrAlreadyAnswered, 4},
		{"conflicts twice", 2, nil, domain.ErrConflict, 3},
	} {
		t.Run(tc.name, func(t *testing.T) {
			instruments := domaintest.NewRepo(feedback.ReplayInstrument).Given(instrument, published())
			rounds := domaintest.NewRepo(feedback.ReplayRound).Given(round, opened(true), nominated(peer, feedback.GroupPeer),
				feedback.RaterApproved{RoundID: round, RaterID: peer, ApprovedBy: manager, At: at})
			rounds.Conflicts, rounds.Concurrent = tc.conflicts, tc.concurrent
			rs := feedback.NewRoundService(rounds, instruments, nil)
			_, err := domaintest.Twice(func() (domain.Written, error) {
				return rs.SubmitResponse(ctx, feedback.SubmitResponse{RoundID: round, RaterID: peer, Answers: answers(), At: later})
			})
			if tc.wantErr == nil && err != nil || !errors.Is(err, tc.wantErr) {
				t.Fatalf("err = %v, want %v", err, tc.wantErr)
			}
			if rounds.Updates != 2 {
				t.Errorf("updates = %d, want 2", rounds.Updates)
			}
			if got := len(rounds.Stream(round)); got != tc.wantEvents {
				t.Errorf("stream holds %d events, want %d", got, tc.wantEvents)
			}
		})
	}
}

// TestSelfAssessmentIsOneAppend: the nomination and the answers of a
// self-assessment are one update of the round's stream, so refused answers
// leave the stream as it was, and the command's key reaches the repository.
func TestSelfAssessmentIsOneAppend(t *testing.T) {
	ctx := context.Background()
	instruments := domaintest.NewRepo(feedback.ReplayInstrument).Given(instrument, published())
	rounds := domaintest.NewRepo(feedback.ReplayRound).Given(round, opened(true))
	rs := feedback.NewRoundService(rounds, instruments, nil)

	bad := answers()
	bad[1].NotObserved, bad[1].Score = false, 0
	_, err := rs.SubmitSelfAssessment(ctx, feedback.SubmitSelfAssessment{RoundID: round, ParticipantID: participant, Answers: bad, At: later})
	if !errors.Is(err, domain.ErrInvalid) {
		t.Fatalf("refused answers: err = %v, want invalid", err)
	}
	if got := rounds.Stream(round); len(got) != 1 {
		t.Fatalf("after refused answers the stream holds %d events, want 1 (just the opening): %#v", len(got), got)
	}
	if _, err := rs.SubmitSelfAssessment(ctx, feedback.SubmitSelfAssessment{RoundID: round, ParticipantID: participant, Answers: answers(), At: later, Envelope: domain.Envelope{IdempotencyKey: "self"}}); err != nil {
		t.Fatal(err)
	}
	got := rounds.Stream(round)
	if len(got) != 3 {
		t.Fatalf("stream holds %d events, want 3", len(got))
	}
	if n, ok := got[1].(feedback.RaterNominated); !ok || n.RaterID != participant || n.Group != feedback.GroupSelf {
		t.Errorf("event 1 = %#v, want the self nomination", got[1])
	}
	if r, ok := got[2].(feedback.ResponseSubmitted); !ok || r.RaterID != participant || r.Group != feedback.GroupSelf {
		t.Errorf("event 2 = %#v, want the self response", got[2])
	}
	if rounds.Updates != 2 || rounds.Keys[len(rounds.Keys)-1] != "self" {
		t.Errorf("updates %d, keys %q: want one update per command, the last with key self", rounds.Updates, rounds.Keys)
	}
}

// TestApprovalByTheManagerOfTheMoment: the round service looks the journey up
// at each decision, so raters are approved by whoever manages the
// participant then: a manager changed after the round opened hands the
// approval over, and the former manager is refused.
func TestApprovalByTheManagerOfTheMoment(t *testing.T) {
	newManager := id(40)
	for _, tc := range []struct {
		name    string
		changed bool // the manager changed after the round opened
		by      string
		wantErr error
	}{
		{"the manager, unchanged", false, manager, nil},
		{"the former manager after a change", true, manager, feedback.ErrNotTheManager},
		{"the new manager after a change", true, newManager, nil},
		{"the new manager before any change", false, newManager, feedback.ErrNotTheManager},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx := context.Background()
			stream := []domain.Event{journey.Enrolled{JourneyID: journeyID, ParticipantID: participant, CohortID: id(6), ProgrammeID: id(7),
				EntityID: id(8), Role: journey.RoleBeginningManager, ManagerID: manager, RaterApproval: true, At: at}}
			if tc.changed {
				stream = append(stream, journey.ManagerChanged{ManagerID: newManager, At: later})
			}
			journeys := domaintest.NewRepo(journey.Replay).Given(journeyID, stream...)
			rounds := domaintest.NewRepo(feedback.ReplayRound).Given(round, opened(true), nominated(peer, feedback.GroupPeer),
				nominated(report, feedback.GroupDirectReport))
			rs := feedback.NewRoundService(rounds, domaintest.NewRepo(feedback.ReplayInstrument), journeys)
			_, err := rs.ApproveRater(ctx, feedback.ApproveRater{RoundID: round, RaterID: peer, ManagerID: tc.by, At: later})
			if tc.wantErr == nil && err != nil || !errors.Is(err, tc.wantErr) {
				t.Fatalf("approve: err = %v, want %v", err, tc.wantErr)
			}
			_, err = rs.RejectRater(ctx, feedback.RejectRater{RoundID: round, RaterID: report, ManagerID: tc.by, At: later})
			if tc.wantErr == nil && err != nil || !errors.Is(err, tc.wantErr) {
				t.Fatalf("reject: err = %v, want %v", err, tc.wantErr)
			}
		})
	}
}
