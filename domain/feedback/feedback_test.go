package feedback_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/leerpad/leerpad/domain"
	"github.com/leerpad/leerpad/domain/domaintest"
	"github.com/leerpad/leerpad/domain/feedback"
	"github.com/leerpad/leerpad/domain/journey"
)

func id(n int) string { return fmt.Sprintf("00000000-0000-4000-8000-%012d", n) }

var (
	at          = time.Date(2025, 2, 17, 9, 0, 0, 0, time.UTC)
	later       = at.Add(7 * 24 * time.Hour)
	instrument  = id(1)
	round       = id(2)
	journeyID   = id(3)
	participant = id(4)
	manager     = id(5)
	comp1       = id(10)
	item1       = id(11)
	item2       = id(12)
	comp2       = id(20)
	item3       = id(21)
	selfRater   = id(30)
	peer        = id(31)
	report      = id(32)
)

func competencies() []feedback.Competency {
	return []feedback.Competency{
		{ID: comp1, Name: "Coaching", Items: []feedback.Item{{ID: item1, Text: "Asks questions before giving advice"}, {ID: item2, Text: "Gives feedback on behaviour, not on the person"}}},
		{ID: comp2, Name: "Networking", Items: []feedback.Item{{ID: item3, Text: "Seeks allies outside their own team"}}},
	}
}

func published() feedback.InstrumentPublished {
	return feedback.InstrumentPublished{InstrumentID: instrument, Title: "Public leadership 360",
		Scale: feedback.Scale{Points: 5, Labels: []string{"never", "seldom", "sometimes", "often", "always"}}, Competencies: competencies(), At: at}
}

func instrumentAgg() *feedback.Instrument { return feedback.ReplayInstrument(published()) }

func journeyAgg(approval bool, more ...domain.Event) *journey.Journey {
	return journey.Replay(append([]domain.Event{journey.Enrolled{JourneyID: journeyID, ParticipantID: participant, CohortID: id(6),
		ProgrammeID: id(7), EntityID: id(8), Role: journey.RoleBeginningManager, ManagerID: manager, RaterApproval: approval, At: at}}, more...)...)
}

func opened(approval bool) feedback.RoundOpened {
	return feedback.RoundOpened{RoundID: round, JourneyID: journeyID, ParticipantID: participant, ManagerID: manager,
		InstrumentID: instrument, Kind: feedback.RoundPre, RaterApproval: approval, At: at}
}

func nominated(rater string, g feedback.RaterGroup) feedback.RaterNominated {
	e := feedback.RaterNominated{RoundID: round, RaterID: rater, Group: g, At: at}
	if g != feedback.GroupSelf {
		e.Name, e.Email = "Rater "+rater[len(rater)-2:], "r"+rater[len(rater)-2:]+"@example.org"
	}
	return e
}

func answers() []feedback.Answer {
	return []feedback.Answer{{ItemID: item1, Score: 4}, {ItemID: item2, NotObserved: true}, {ItemID: item3, Score: 2}}
}

// given returns a stream with no spare capacity, so that appending to it never
// changes another case's stream.
func given(es ...domain.Event) []domain.Event { return slices.Clip(es) }

func TestInstrument(t *testing.T) {
	publish := func(f func(*feedback.PublishInstrument)) func(*feedback.Instrument) error {
		return func(in *feedback.Instrument) error {
			p := published()
			c := feedback.PublishInstrument{InstrumentID: instrument, Title: p.Title, Scale: p.Scale, Competencies: competencies(), At: at}
			f(&c)
			return in.Publish(c)
		}
	}
	same := func(*feedback.PublishInstrument) {}
	retired := feedback.InstrumentRetired{InstrumentID: instrument, At: later}
	retire := func(in *feedback.Instrument) error {
		return in.Retire(feedback.RetireInstrument{InstrumentID: instrument, At: later})
	}
	domaintest.Run(t, feedback.ReplayInstrument, []domaintest.Case[*feedback.Instrument]{
		{Name: "publish", When: publish(same), Want: []domain.Event{published()}},
		{Name: "publish twice", Given: given(published()), When: publish(same), WantErr: feedback.ErrInstrumentExists},
		{Name: "a scale of 1 point", When: publish(func(c *feedback.PublishInstrument) { c.Scale = feedback.Scale{Points: 1} }),
			WantErr: domain.ErrInvalid, WantField: "scale.points"},
		{Name: "a scale of 2 points", When: publish(func(c *feedback.PublishInstrument) { c.Scale = feedback.Scale{Points: 2} }),
			Want: []domain.Event{func() feedback.InstrumentPublished { e := published(); e.Scale = feedback.Scale{Points: 2}; return e }()}},
		{Name: "a scale of 10 points", When: publish(func(c *feedback.PublishInstrument) { c.Scale = feedback.Scale{Points: 10} }),
			Want: []domain.Event{func() feedback.InstrumentPublished { e := published(); e.Scale = feedback.Scale{Points: 10}; return e }()}},
		{Name: "a scale of 11 points", When: publish(func(c *feedback.PublishInstrument) { c.Scale = feedback.Scale{Points: 11} }),
			WantErr: domain.ErrInvalid, WantField: "scale.points"},
		{Name: "a line break in a scale label", When: publish(func(c *feedback.PublishInstrument) { c.Scale.Labels[4] = "al\nways" }),
			WantErr: domain.ErrInvalid, WantField: "scale.labels[4]"},
		{Name: "a tab in an item", When: publish(func(c *feedback.PublishInstrument) { c.Competencies[0].Items[1].Text = "Gives\tfeedback" }),
			WantErr: domain.ErrInvalid, WantField: "competencies[0].items[1].text"},
		{Name: "an override in a competency name", When: publish(func(c *feedback.PublishInstrument) { c.Competencies[1].Name = "\u202Egnikrowten" }),
			WantErr: domain.ErrInvalid, WantField: "competencies[1].name"},
		{Name: "labels not one per point", When: publish(func(c *feedback.PublishInstrument) { c.Scale.Labels = c.Scale.Labels[:3] }),
			WantErr: domain.ErrInvalid, WantField: "scale.labels"},
		{Name: "no competencies", When: publish(func(c *feedback.PublishInstrument) { c.Competencies = nil }),
			WantErr: domain.ErrInvalid, WantField: "competencies"},
		{Name: "a competency without items", When: publish(func(c *feedback.PublishInstrument) { c.Competencies[1].Items = nil }),
			WantErr: domain.ErrInvalid, WantField: "competencies[1].items"},
		{Name: "an item id twice", When: publish(func(c *feedback.PublishInstrument) { c.Competencies[1].Items[0].ID = item1 }),
			WantErr: domain.ErrInvalid, WantField: "competencies[1].items[0].id"},
		{Name: "an item without text", When: publish(func(c *feedback.PublishInstrument) { c.Competencies[0].Items[1].Text = "" }),
			WantErr: domain.ErrInvalid, WantField: "competencies[0].items[1].text"},
		{Name: "retire", Given: given(published()), When: retire, Want: []domain.Event{retired}},
		{Name: "retire twice", Given: given(published(), retired), When: retire, WantErr: feedback.ErrInstrumentRetired},
		{Name: "retire unknown", When: retire, WantErr: feedback.ErrInstrumentNotFound},
	})
}

func TestOpenRound(t *testing.T) {
	open := func(kind feedback.RoundKind, j *journey.Journey, in *feedback.Instrument) func(*feedback.Round) error {
		return func(r *feedback.Round) error {
			return r.Open(feedback.OpenRound{RoundID: round, JourneyID: journeyID, InstrumentID: instrument, Kind: kind, At: at}, j, in)
		}
	}
	retired := feedback.ReplayInstrument(published(), feedback.InstrumentRetired{InstrumentID: instrument, At: at})
	domaintest.Run(t, feedback.ReplayRound, []domaintest.Case[*feedback.Round]{
		{Name: "open takes participant, manager and approval from the journey", When: open(feedback.RoundPre, journeyAgg(true), instrumentAgg()),
			Want: []domain.Event{opened(true)}},
		{Name: "open twice", Given: given(opened(true)), When: open(feedback.RoundPre, journeyAgg(true), instrumentAgg()), WantErr: feedback.ErrRoundExists},
		{Name: "open without kind", When: open(feedback.RoundKind{}, journeyAgg(true), instrumentAgg()), WantErr: domain.ErrInvalid, WantField: "kind"},
		{Name: "open for an unknown journey", When: open(feedback.RoundPre, nil, instrumentAgg()), WantErr: journey.ErrNotEnrolled},
		{Name: "open for a completed journey", When: open(feedback.RoundPost, journeyAgg(true, journey.Completed{At: at}), instrumentAgg()),
			WantErr: journey.ErrJourneyClosed},
		{Name: "open for a withdrawn journey", When: open(feedback.RoundPost, journeyAgg(true, journey.Withdrawn{ParticipantID: participant, At: at}), instrumentAgg()),
			WantErr: journey.ErrJourneyClosed},
		{Name: "open with an unknown instrument", When: open(feedback.RoundPre, journeyAgg(true), nil), WantErr: feedback.ErrInstrumentNotFound},
		{Name: "open with a retired instrument", When: open(feedback.RoundPre, journeyAgg(true), retired), WantErr: feedback.ErrInstrumentRetired},
	})
}

func TestRaters(t *testing.T) {
	closed := feedback.RoundClosed{RoundID: round, At: later}
	nominate := func(rater string, g feedback.RaterGroup, name, email string) func(*feedback.Round) error {
		return func(r *feedback.Round) error {
			return r.Nominate(feedback.NominateRater{RoundID: round, RaterID: rater, Group: g, Name: name, Email: email, At: at})
		}
	}
	approve := func(rater, by string) func(*feedback.Round) error {
		return func(r *feedback.Round) error {
			return r.Approve(feedback.ApproveRater{RoundID: round, RaterID: rater, ManagerID: by, At: at}, journeyAgg(true))
		}
	}
	reject := func(rater, by string) func(*feedback.Round) error {
		return func(r *feedback.Round) error {
			return r.Reject(feedback.RejectRater{RoundID: round, RaterID: rater, ManagerID: by, At: at}, journeyAgg(true))
		}
	}
	approvedPeer := feedback.RaterApproved{RoundID: round, RaterID: peer, ApprovedBy: manager, At: at}
	newManager := id(40)
	managerChanged := journeyAgg(true, journey.ManagerChanged{ManagerID: newManager, At: at})
	domaintest.Run(t, feedback.ReplayRound, []domaintest.Case[*feedback.Round]{
		{Name: "nominate a peer", Given: given(opened(true)), When: nominate(peer, feedback.GroupPeer, "Rater 31", "r31@example.org"),
			Want: []domain.Event{nominated(peer, feedback.GroupPeer)}},
		{Name: "nominate self without name", Given: given(opened(true)), When: nominate(selfRater, feedback.GroupSelf, "", ""),
			Want: []domain.Event{nominated(selfRater, feedback.GroupSelf)}},
		{Name: "a second self rater", Given: given(opened(true), nominated(selfRater, feedback.GroupSelf)),
			When: nominate(id(33), feedback.GroupSelf, "", ""), WantErr: feedback.ErrSecondSelfRater},
		{Name: "nominate a rater twice", Given: given(opened(true), nominated(peer, feedback.GroupPeer)),
			When: nominate(peer, feedback.GroupOther, "X", "x@example.org"), WantErr: feedback.ErrRaterExists},
		{Name: "a line break in a rater's name", Given: given(opened(true)), When: nominate(peer, feedback.GroupPeer, "Rater\nBcc: x@y.example", "r31@example.org"),
			WantErr: domain.ErrInvalid, WantField: "name"},
		{Name: "a NUL in the self rater's optional name", Given: given(opened(true)), When: nominate(selfRater, feedback.GroupSelf, "Me\x00", ""),
			WantErr: domain.ErrInvalid, WantField: "name"},
		{Name: "a peer without e-mail", Given: given(opened(true)), When: nominate(peer, feedback.GroupPeer, "Rater", ""),
			WantErr: domain.ErrInvalid, WantField: "email"},
		{Name: "without group", Given: given(opened(true)), When: nominate(peer, feedback.RaterGroup{}, "Rater", "r@example.org"),
			WantErr: domain.ErrInvalid, WantField: "group"},
		{Name: "nominate in a closed round", Given: given(opened(true), closed), When: nominate(peer, feedback.GroupPeer, "R", "r@example.org"),
			WantErr: feedback.ErrRoundClosed},
		{Name: "nominate in an unknown round", When: nominate(peer, feedback.GroupPeer, "R", "r@example.org"), WantErr: feedback.ErrRoundNotFound},
		{Name: "approve", Given: given(opened(true), nominated(peer, feedback.GroupPeer)), When: approve(peer, manager),
			Want: []domain.Event{approvedPeer}},
		{Name: "reject", Given: given(opened(true), nominated(peer, feedback.GroupPeer)), When: reject(peer, manager),
			Want: []domain.Event{feedback.RaterRejected{RoundID: round, RaterID: peer, RejectedBy: manager, At: at}}},
		{Name: "approve by someone else", Given: given(opened(true), nominated(peer, feedback.GroupPeer)), When: approve(peer, participant),
			WantErr: feedback.ErrNotTheManager},
		{Name: "approve by the new manager after a change of manager", Given: given(opened(true), nominated(peer, feedback.GroupPeer)),
			When: func(r *feedback.Round) error {
				return r.Approve(feedback.ApproveRater{RoundID: round, RaterID: peer, ManagerID: newManager, At: at}, managerChanged)
			},
			Want: []domain.Event{feedback.RaterApproved{RoundID: round, RaterID: peer, ApprovedBy: newManager, At: at}}},
		{Name: "reject by the former manager after a change of manager", Given: given(opened(true), nominated(peer, feedback.GroupPeer)),
			When: func(r *feedback.Round) error {
				return r.Reject(feedback.RejectRater{RoundID: round, RaterID: peer, ManagerID: manager, At: at}, managerChanged)
			},
			WantErr: feedback.ErrNotTheManager},
		{Name: "approve twice", Given: given(opened(true), nominated(peer, feedback.GroupPeer), approvedPeer), When: approve(peer, manager),
			WantErr: feedback.ErrAlreadyDecided},
		{Name: "reject after approval", Given: given(opened(true), nominated(peer, feedback.GroupPeer), approvedPeer), When: reject(peer, manager),
			WantErr: feedback.ErrAlreadyDecided},
		{Name: "approve self", Given: given(opened(true), nominated(selfRater, feedback.GroupSelf)), When: approve(selfRater, manager),
			WantErr: feedback.ErrAlreadyDecided},
		{Name: "approve an unknown rater", Given: given(opened(true)), When: approve(peer, manager), WantErr: feedback.ErrRaterNotFound},
		{Name: "approve where the programme does not ask for it", Given: given(opened(false), nominated(peer, feedback.GroupPeer)),
			When: approve(peer, manager), WantErr: feedback.ErrApprovalNotRequired},
		{Name: "approve in a closed round", Given: given(opened(true), nominated(peer, feedback.GroupPeer), closed),
			When: approve(peer, manager), WantErr: feedback.ErrRoundClosed},
	})
}

// TestResponses: a rater answers once, only while the round is open, and
// only when approved where that is asked; scores stay within the scale.
func TestResponses(t *testing.T) {
	submit := func(rater string, as []feedback.Answer, cs []feedback.Comment, in *feedback.Instrument) func(*feedback.Round) error {
		return func(r *feedback.Round) error {
			return r.SubmitResponse(feedback.SubmitResponse{RoundID: round, RaterID: rater, Answers: as, Comments: cs, At: later}, in)
		}
	}
	comments := []feedback.Comment{{CompetencyID: comp1, Text: "Listens well"}, {Text: "A pleasure to work with"}}
	response := func(rater string, g feedback.RaterGroup) feedback.ResponseSubmitted {
		return feedback.ResponseSubmitted{RoundID: round, RaterID: rater, ParticipantID: participant, Group: g, Answers: answers(), Comments: comments, At: later}
	}
	approvedPeer := feedback.RaterApproved{RoundID: round, RaterID: peer, ApprovedBy: manager, At: at}
	ready := given(opened(true), nominated(selfRater, feedback.GroupSelf), nominated(peer, feedback.GroupPeer), approvedPeer,
		nominated(report, feedback.GroupDirectReport))
	closed := feedback.RoundClosed{RoundID: round, At: later}
	with := func(f func([]feedback.Answer)) []feedback.Answer {
		as := answers()
		f(as)
		return as
	}
	domaintest.Run(t, feedback.ReplayRound, []domaintest.Case[*feedback.Round]{
		{Name: "an approved peer answers", Given: ready, When: submit(peer, answers(), comments, instrumentAgg()),
			Want: []domain.Event{response(peer, feedback.GroupPeer)}},
		{Name: "self answers without approval", Given: ready, When: submit(selfRater, answers(), comments, instrumentAgg()),
			Want: []domain.Event{response(selfRater, feedback.GroupSelf)}},
		{Name: "a rater awaiting approval", Given: ready, When: submit(report, answers(), nil, instrumentAgg()), WantErr: feedback.ErrRaterNotApproved},
		{Name: "no approval needed where the programme does not ask",
			Given: given(opened(false), nominated(report, feedback.GroupDirectReport)), When: submit(report, answers(), comments, instrumentAgg()),
			Want: []domain.Event{response(report, feedback.GroupDirectReport)}},
		{Name: "a rejected rater", Given: append(ready, feedback.RaterRejected{RoundID: round, RaterID: report, RejectedBy: manager, At: at}),
			When: submit(report, answers(), nil, instrumentAgg()), WantErr: feedback.ErrRaterRejected},
		{Name: "answer twice", Given: append(ready, response(peer, feedback.GroupPeer)), When: submit(peer, answers(), nil, instrumentAgg()),
			WantErr: feedback.ErrAlreadyAnswered},
		{Name: "answer after the round closed", Given: append(ready, closed), When: submit(peer, answers(), nil, instrumentAgg()),
			WantErr: feedback.ErrRoundClosed},
		{Name: "an unknown rater", Given: ready, When: submit(id(39), answers(), nil, instrumentAgg()), WantErr: feedback.ErrRaterNotFound},
		{Name: "a score above the scale", Given: ready, When: submit(peer, with(func(as []feedback.Answer) { as[0].Score = 6 }), nil, instrumentAgg()),
			WantErr: domain.ErrInvalid, WantField: "answers[0].score"},
		{Name: "the lowest and the top point of the scale", Given: ready,
			When: submit(peer, with(func(as []feedback.Answer) { as[0].Score, as[2].Score = 1, 5 }), nil, instrumentAgg()),
			Want: []domain.Event{feedback.ResponseSubmitted{RoundID: round, RaterID: peer, ParticipantID: participant, Group: feedback.GroupPeer,
				Answers: with(func(as []feedback.Answer) { as[0].Score, as[2].Score = 1, 5 }), At: later}}},
		{Name: "a NUL in a comment", Given: ready, When: submit(peer, answers(), []feedback.Comment{{Text: "Fine\x00"}}, instrumentAgg()),
			WantErr: domain.ErrInvalid, WantField: "comments[0].text"},
		{Name: "a score of 0", Given: ready, When: submit(peer, with(func(as []feedback.Answer) { as[2].Score = 0 }), nil, instrumentAgg()),
			WantErr: domain.ErrInvalid, WantField: "answers[2].score"},
		{Name: "a score and not observed", Given: ready, When: submit(peer, with(func(as []feedback.Answer) { as[1].Score = 3 }), nil, instrumentAgg()),
			WantErr: domain.ErrInvalid, WantField: "answers[1].score"},
		{Name: "an item not in the instrument", Given: ready, When: submit(peer, with(func(as []feedback.Answer) { as[0].ItemID = id(99) }), nil, instrumentAgg()),
			WantErr: domain.ErrInvalid, WantField: "answers[0].itemId"},
		{Name: "an item answered twice", Given: ready, When: submit(peer, with(func(as []feedback.Answer) { as[2].ItemID = item1 }), nil, instrumentAgg()),
			WantErr: domain.ErrInvalid, WantField: "answers[2].itemId"},
		{Name: "an item unanswered", Given: ready, When: submit(peer, answers()[:2], nil, instrumentAgg()),
			WantErr: domain.ErrInvalid, WantField: "answers"},
		{Name: "a comment on an unknown competency", Given: ready,
			When:    submit(peer, answers(), []feedback.Comment{{CompetencyID: id(98), Text: "x"}}, instrumentAgg()),
			WantErr: domain.ErrInvalid, WantField: "comments[0].competencyId"},
		{Name: "an empty comment", Given: ready, When: submit(peer, answers(), []feedback.Comment{{Text: " "}}, instrumentAgg()),
			WantErr: domain.ErrInvalid, WantField: "comments[0].text"},
		{Name: "close", Given: ready, When: func(r *feedback.Round) error { return r.Close(feedback.CloseRound{RoundID: round, At: later}) },
			Want: []domain.Event{closed}},
		{Name: "close twice", Given: append(ready, closed), WantErr: feedback.ErrRoundClosed,
			When: func(r *feedback.Round) error { return r.Close(feedback.CloseRound{RoundID: round, At: later}) }},
	})
}

// TestSelfAssessment: the participant's self-assessment nominates them as
// the self rater and records their answers in one decision; whatever is
// refused records neither.
func TestSelfAssessment(t *testing.T) {
	assess := func(who string, as []feedback.Answer, in *feedback.Instrument) func(*feedback.Round) error {
		return func(r *feedback.Round) error {
			return r.SubmitSelfAssessment(feedback.SubmitSelfAssessment{RoundID: round, ParticipantID: who, Answers: as, At: later}, in)
		}
	}
	selfNominated := feedback.RaterNominated{RoundID: round, RaterID: participant, Group: feedback.GroupSelf, At: later}
	selfAnswered := feedback.ResponseSubmitted{RoundID: round, RaterID: participant, ParticipantID: participant, Group: feedback.GroupSelf, Answers: answers(), At: later}
	earlierSelf := feedback.RaterNominated{RoundID: round, RaterID: participant, Group: feedback.GroupSelf, At: at}
	bad := answers()
	bad[0].Score = 6
	domaintest.Run(t, feedback.ReplayRound, []domaintest.Case[*feedback.Round]{
		{Name: "first self-assessment nominates and answers", Given: given(opened(true)), When: assess(participant, answers(), instrumentAgg()),
			Want: []domain.Event{selfNominated, selfAnswered}},
		{Name: "no approval needed where the programme asks for it", Given: given(opened(true), nominated(peer, feedback.GroupPeer)),
			When: assess(participant, answers(), instrumentAgg()), Want: []domain.Event{selfNominated, selfAnswered}},
		{Name: "already nominated as self: answers only", Given: given(opened(false), earlierSelf), When: assess(participant, answers(), instrumentAgg()),
			Want: []domain.Event{selfAnswered}},
		{Name: "a refused answer leaves no nomination", Given: given(opened(true)), When: assess(participant, bad, instrumentAgg()),
			WantErr: domain.ErrInvalid, WantField: "answers[0].score"},
		{Name: "an unanswered item leaves no nomination", Given: given(opened(true)), When: assess(participant, answers()[:2], instrumentAgg()),
			WantErr: domain.ErrInvalid, WantField: "answers"},
		{Name: "twice", Given: given(opened(true), selfNominated, selfAnswered), When: assess(participant, answers(), instrumentAgg()),
			WantErr: feedback.ErrAlreadyAnswered},
		{Name: "someone else", Given: given(opened(true)), When: assess(peer, answers(), instrumentAgg()), WantErr: feedback.ErrNotTheParticipant},
		{Name: "without participant", Given: given(opened(true)), When: assess("", answers(), instrumentAgg()),
			WantErr: domain.ErrInvalid, WantField: "participantId"},
		{Name: "another self rater answers for the round", Given: given(opened(true), nominated(selfRater, feedback.GroupSelf)),
			When: assess(participant, answers(), instrumentAgg()), WantErr: feedback.ErrSecondSelfRater},
		{Name: "the participant nominated as a peer of their own round", Given: given(opened(false), nominated(participant, feedback.GroupPeer)),
			When: assess(participant, answers(), instrumentAgg()), WantErr: feedback.ErrRaterExists},
		{Name: "a closed round", Given: given(opened(true), feedback.RoundClosed{RoundID: round, At: later}),
			When: assess(participant, answers(), instrumentAgg()), WantErr: feedback.ErrRoundClosed},
		{Name: "an unknown round", When: assess(participant, answers(), instrumentAgg()), WantErr: feedback.ErrRoundNotFound},
		{Name: "the instrument missing", Given: given(opened(true)), When: assess(participant, answers(), nil), WantErr: feedback.ErrInstrumentNotFound},
	})
}

func TestParse(t *testing.T) {
	if g, err := feedback.ParseRaterGroup("direct-report"); err != nil || g != feedback.GroupDirectReport {
		t.Errorf("ParseRaterGroup(direct-report) = %v, %v", g, err)
	}
	if _, err := feedback.ParseRoundKind("mid"); err == nil || err.Error() != `invalid kind: "mid" is not one of pre, post, extra` {
		t.Errorf("ParseRoundKind(mid): err = %v", err)
	}
}

// TestRaterLinks: a link is issued only in an open round, to a nominated
// rater other than self who was neither rejected nor has answered; its hash
// is a hex SHA-256 and it expires after it is issued. A rater awaiting
// approval gets a link (the invitation goes out at nomination); a second
// link is recorded and replaces the first.
func TestRaterLinks(t *testing.T) {
	hash1, hash2 := strings.Repeat("ab", 32), strings.Repeat("0f", 32)
	expires := later.Add(14 * 24 * time.Hour)
	issue := func(rater, hash string, expiresAt time.Time) func(*feedback.Round) error {
		return func(r *feedback.Round) error {
			return r.IssueRaterLink(feedback.IssueRaterLink{RoundID: round, RaterID: rater, TokenHash: hash, ExpiresAt: expiresAt, At: later})
		}
	}
	issued := func(rater, hash string) feedback.RaterLinkIssued {
		return feedback.RaterLinkIssued{RoundID: round, RaterID: rater, TokenHash: hash, ExpiresAt: expires, At: later}
	}
	approvedPeer := feedback.RaterApproved{RoundID: round, RaterID: peer, ApprovedBy: manager, At: at}
	ready := given(opened(true), nominated(selfRater, feedback.GroupSelf), nominated(peer, feedback.GroupPeer), approvedPeer,
		nominated(report, feedback.GroupDirectReport))
	domaintest.Run(t, feedback.ReplayRound, []domaintest.Case[*feedback.Round]{
		{Name: "an approved peer", Given: ready, When: issue(peer, hash1, expires), Want: []domain.Event{issued(peer, hash1)}},
		{Name: "a rater awaiting approval", Given: ready, When: issue(report, hash1, expires), Want: []domain.Event{issued(report, hash1)}},
		{Name: "no approval asked", Given: given(opened(false), nominated(report, feedback.GroupDirectReport)), When: issue(report, hash1, expires),
			Want: []domain.Event{issued(report, hash1)}},
		{Name: "a second link replaces the first", Given: append(ready, issued(peer, hash1)), When: issue(peer, hash2, expires),
			Want: []domain.Event{issued(peer, hash2)}},
		{Name: "self", Given: ready, When: issue(selfRater, hash1, expires), WantErr: feedback.ErrNoLinkForSelf},
		{Name: "an unknown rater", Given: ready, When: issue(id(39), hash1, expires), WantErr: feedback.ErrRaterNotFound},
		{Name: "a rejected rater", Given: append(ready, feedback.RaterRejected{RoundID: round, RaterID: report, RejectedBy: manager, At: at}),
			When: issue(report, hash1, expires), WantErr: feedback.ErrRaterRejected},
		{Name: "a rater who answered", Given: append(ready, feedback.ResponseSubmitted{RoundID: round, RaterID: peer, ParticipantID: participant, Group: feedback.GroupPeer, Answers: answers(), At: later}),
			When: issue(peer, hash1, expires), WantErr: feedback.ErrAlreadyAnswered},
		{Name: "a closed round", Given: append(ready, feedback.RoundClosed{RoundID: round, At: later}), When: issue(peer, hash1, expires),
			WantErr: feedback.ErrRoundClosed},
		{Name: "an unknown round", When: issue(peer, hash1, expires), WantErr: feedback.ErrRoundNotFound},
		{Name: "a hash with every hex digit", Given: ready, When: issue(peer, strings.Repeat("0123456789abcdef", 4), expires),
			Want: []domain.Event{issued(peer, strings.Repeat("0123456789abcdef", 4))}},
		{Name: "a hash with the character after 9", Given: ready, When: issue(peer, ":"+hash1[1:], expires), WantErr: domain.ErrInvalid, WantField: "tokenHash"},
		{Name: "a hash with the character before 0", Given: ready, When: issue(peer, "/"+hash1[1:], expires), WantErr: domain.ErrInvalid, WantField: "tokenHash"},
		{Name: "a hash with the character before a", Given: ready, When: issue(peer, "`"+hash1[1:], expires), WantErr: domain.ErrInvalid, WantField: "tokenHash"},
		{Name: "a hash with the letter after f", Given: ready, When: issue(peer, "g"+hash1[1:], expires), WantErr: domain.ErrInvalid, WantField: "tokenHash"},
		{Name: "no hash", Given: ready, When: issue(peer, "", expires), WantErr: domain.ErrInvalid, WantField: "tokenHash"},
		{Name: "a hash too short", Given: ready, When: issue(peer, hash1[:63], expires), WantErr: domain.ErrInvalid, WantField: "tokenHash"},
		{Name: "a hash not hex", Given: ready, When: issue(peer, "zz"+hash1[2:], expires), WantErr: domain.ErrInvalid, WantField: "tokenHash"},
		{Name: "a hash in upper case", Given: ready, When: issue(peer, strings.ToUpper(hash1), expires), WantErr: domain.ErrInvalid, WantField: "tokenHash"},
		{Name: "a token instead of its hash", Given: ready, When: issue(peer, "lprl_"+hash1[:59], expires), WantErr: domain.ErrInvalid, WantField: "tokenHash"},
		{Name: "no expiry", Given: ready, When: issue(peer, hash1, time.Time{}), WantErr: domain.ErrInvalid, WantField: "expiresAt"},
		{Name: "expiring when issued", Given: ready, When: issue(peer, hash1, later), WantErr: domain.ErrInvalid, WantField: "expiresAt"},
		{Name: "expired before issued", Given: ready, When: issue(peer, hash1, at), WantErr: domain.ErrInvalid, WantField: "expiresAt"},
	})
}
