package feedback

import (
	"time"

	"github.com/leerpad/leerpad/domain"
)

// What a round shows of itself to those who follow it: its state, the
// raters nominated with their approval, and how many raters of each group
// answered. Never who answered: a rater's approval reads "approved" (or
// "not-required") whether they answered or not, and the answers stay in
// the events, for the read models that apply the anonymity rule.

// Approval is where a nominated rater stands with the manager's approval. A
// closed set.
type Approval struct{ name string }

// The approvals.
var (
	// ApprovalNotRequired: the programme does not ask for approval, or the
	// rater is the participant themselves.
	ApprovalNotRequired = Approval{"not-required"}
	// ApprovalPending: the rater awaits the manager's decision.
	ApprovalPending  = Approval{"pending"}
	ApprovalApproved = Approval{"approved"}
	ApprovalRejected = Approval{"rejected"}
)

// Approvals returns every approval.
func Approvals() []Approval {
	return []Approval{ApprovalNotRequired, ApprovalPending, ApprovalApproved, ApprovalRejected}
}

// String returns the approval's name.
func (a Approval) String() string { return a.name }

// NominatedRater is a rater of a round as the round shows them: id, group,
// when nominated and their approval; not whether they answered.
type NominatedRater struct {
	RaterID     string
	Group       RaterGroup
	NominatedAt time.Time
	Approval    Approval
}

// ParticipantID returns the participant whose round it is.
func (r *Round) ParticipantID() string { return r.participantID }

// Kind returns when in the journey the round measures.
func (r *Round) Kind() RoundKind { return r.kind }

// OpenedAt returns when the round was opened.
func (r *Round) OpenedAt() time.Time { return r.openedAt }

// ClosedAt returns when the round was closed; zero while it is open.
func (r *Round) ClosedAt() time.Time { return r.closedAt }

// RaterApproval reports whether the manager approves the raters of the round.
func (r *Round) RaterApproval() bool { return r.raterApproval }

// Raters returns the nominated raters in the order they were nominated.
func (r *Round) Raters() []NominatedRater {
	out := make([]NominatedRater, len(r.raters))
	for id, rt := range r.raters {
		out[rt.seq] = NominatedRater{RaterID: id, Group: rt.group, NominatedAt: rt.nominatedAt, Approval: r.approval(rt)}
		if rt.erased {
			out[rt.seq].RaterID = domain.Erased
		}
	}
	return out
}

// Awaiting returns the raters awaiting the manager's decision, as Raters
// orders them; none once the round is closed, when no decision can be taken.
func (r *Round) Awaiting() []NominatedRater {
	if r.closed {
		return []NominatedRater{}
	}
	out := []NominatedRater{}
	for _, n := range r.Raters() {
		if n.Approval == ApprovalPending && n.RaterID != domain.Erased {
			out = append(out, n)
		}
	}
	return out
}

// ResponsesOf returns how many raters of group g answered.
func (r *Round) ResponsesOf(g RaterGroup) int {
	n := 0
	for _, rt := range r.raters {
		if rt.group == g && rt.state == answered {
			n++
		}
	}
	return n
}

// approval is rt's approval. An answer needs an approval where one is
// required, so a rater who answered was approved.
func (r *Round) approval(rt *rater) Approval {
	switch {
	case !r.raterApproval || rt.group == GroupSelf:
		return ApprovalNotRequired
	case rt.state == awaiting:
		return ApprovalPending
	case rt.state == rejected:
		return ApprovalRejected
	}
	return ApprovalApproved
}
