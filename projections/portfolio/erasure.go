package portfolio

import (
	"context"
	"slices"
	"time"

	"github.com/leerpad/leerpad/domain"
	"github.com/leerpad/leerpad/domain/feedback"
	"github.com/leerpad/leerpad/domain/journey"
	view "github.com/leerpad/leerpad/domain/portfolio"
	"github.com/leerpad/leerpad/domain/privacy"
)

// An erasure leaves nothing of the person in this read model, nor in its
// next snapshot (which holds the entries):
//
//   - journey.erased drops the journey, its entries and every index that
//     leads to it: its portfolio is not found any more, also "as of" a past
//     moment;
//   - feedback.rater_erased takes the rater's name, e-mail address and
//     comments out of the entries of the round's journey; their answers
//     stay, without anything that names them, so that the participant's
//     scores stay as they were;
//   - erasure.person_erased of a manager replaces their id by domain.Erased
//     in the entries of the journeys they managed before (a manager who
//     manages a journey now is not erased: the use case refuses).

// all is a moment after every entry: a fold up to it is the live folio.
var all = time.Date(9999, 12, 31, 0, 0, 0, 0, time.UTC)

// onJourneyErased drops journey id.
func (m *ReadModel) onJourneyErased(id string) {
	r, ok := m.journeys[id]
	if !ok {
		return
	}
	f := r.live
	delete(m.journeys, id)
	m.ofParticipant[f.participantID] = slices.DeleteFunc(m.ofParticipant[f.participantID], func(j string) bool { return j == id })
	if len(m.ofParticipant[f.participantID]) == 0 {
		delete(m.ofParticipant, f.participantID)
	}
	m.manage(id, f.managerID, "")
	k := member{f.cohortID, f.participantID}
	if m.enrolments[k] == id {
		delete(m.enrolments, k)
	}
	delete(m.pending, k)
	for round, j := range m.roundJourney {
		if j == id {
			delete(m.roundJourney, round)
		}
	}
}

// onRaterErased takes what names the rater, and their comments, out of
// the entries of the round's journey, and folds its live folio again.
func (m *ReadModel) onRaterErased(ctx context.Context, e feedback.RaterErased) {
	id, ok := m.roundJourney[e.RoundID]
	if !ok {
		return
	}
	r, ok := m.journeys[id]
	if !ok {
		return
	}
	changed := false
	for i, en := range r.entries {
		switch x := en.e.(type) {
		case feedback.RaterNominated:
			if x.RoundID == e.RoundID && x.RaterID == e.RaterID && (x.Name != "" || x.Email != "") {
				x.Name, x.Email = "", ""
				r.entries[i].e, changed = x, true
			}
		case feedback.ResponseSubmitted:
			if x.RoundID == e.RoundID && x.RaterID == e.RaterID && x.Comments != nil {
				x.Comments = nil
				r.entries[i].e, changed = x, true
			}
		}
	}
	if changed {
		r.live = fold(ctx, id, r.entries, all)
	}
}

// onPersonErased replaces an erased manager's id in the journeys they
// managed before. A participant's journeys and a rater's rounds have
// events of their own (journey.erased, feedback.rater_erased).
func (m *ReadModel) onPersonErased(ctx context.Context, e privacy.PersonErased) {
	if !slices.Contains(e.Roles, privacy.RoleManager) {
		return
	}
	for id, r := range m.journeys {
		changed := false
		for i, en := range r.entries {
			if x, ok := withoutManager(en.e, e.PersonID); ok {
				r.entries[i].e, changed = x, true
			}
		}
		if changed {
			r.live = fold(ctx, id, r.entries, all)
		}
	}
	delete(m.ofManager, e.PersonID)
}

// withoutManager returns ev with manager id replaced by domain.Erased, and
// whether it named them.
func withoutManager(ev domain.Event, id string) (domain.Event, bool) {
	switch x := ev.(type) {
	case journey.Enrolled:
		if x.ManagerID == id {
			x.ManagerID = domain.Erased
			return x, true
		}
	case journey.ManagerChanged:
		if x.ManagerID == id {
			x.ManagerID = domain.Erased
			return x, true
		}
	case journey.SharingGranted:
		if x.ManagerID == id {
			x.ManagerID = domain.Erased
			return x, true
		}
	case journey.ConversationConfirmed:
		if x.ConfirmedBy == id {
			x.ConfirmedBy = domain.Erased
			return x, true
		}
	case feedback.RoundOpened:
		if x.ManagerID == id {
			x.ManagerID = domain.Erased
			return x, true
		}
	case feedback.RaterApproved:
		if x.ApprovedBy == id {
			x.ApprovedBy = domain.Erased
			return x, true
		}
	case feedback.RaterRejected:
		if x.RejectedBy == id {
			x.RejectedBy = domain.Erased
			return x, true
		}
	}
	return ev, false
}

// Traces returns what the read model holds of person id (see
// view.Traces). It reads every journey: it serves erasures and exports,
// which are rare.
func (m *ReadModel) Traces(id string) view.Traces {
	m.mu.RLock()
	defer m.mu.RUnlock()
	t := view.Traces{PersonID: id, Journeys: slices.Clone(m.ofParticipant[id]), Managed: slices.Clone(m.ofManager[id])}
	ids := make([]string, 0, len(m.journeys))
	for jid := range m.journeys {
		ids = append(ids, jid)
	}
	slices.Sort(ids)
	for _, jid := range ids {
		r := m.journeys[jid]
		former := false
		var rated []view.RatedRound
		for _, en := range r.entries {
			switch x := en.e.(type) {
			case journey.Enrolled:
				former = former || x.ManagerID == id
			case journey.ManagerChanged:
				former = former || x.ManagerID == id
			case feedback.RaterNominated:
				if x.RaterID == id && r.live.participantID != id {
					rated = append(rated, view.RatedRound{RoundID: x.RoundID, JourneyID: jid, Group: x.Group, NominatedAt: x.At})
				}
			case feedback.ResponseSubmitted:
				if x.RaterID == id {
					for i := range rated {
						if rated[i].RoundID == x.RoundID {
							resp := x
							resp.Answers, resp.Comments = slices.Clone(x.Answers), slices.Clone(x.Comments)
							rated[i].Response = &resp
						}
					}
				}
			}
		}
		if former && !slices.Contains(t.Managed, jid) {
			t.FormerlyManaged = append(t.FormerlyManaged, jid)
		}
		t.Rated = append(t.Rated, rated...)
	}
	return t
}

// SharingHistory returns the history of what the journey's participant
// shared with their manager, oldest first: each section granted or
// revoked, and each change of manager (which unshares everything). It
// returns an error wrapping domain.ErrNotFound for an unknown journey.
func (m *ReadModel) SharingHistory(journeyID string) ([]view.SharingChange, error) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	r, err := m.enrolled(journeyID)
	if err != nil {
		return nil, err
	}
	out := []view.SharingChange{}
	manager := ""
	for _, en := range r.entries {
		switch x := en.e.(type) {
		case journey.Enrolled:
			manager = x.ManagerID
		case journey.SharingGranted:
			out = append(out, view.SharingChange{At: x.At, Change: "granted", Section: x.Section, ManagerID: x.ManagerID})
		case journey.SharingRevoked:
			out = append(out, view.SharingChange{At: x.At, Change: "revoked", Section: x.Section, ManagerID: manager})
		case journey.ManagerChanged:
			manager = x.ManagerID
			out = append(out, view.SharingChange{At: x.At, Change: "manager-changed", ManagerID: x.ManagerID})
		case journey.ManagerErased:
			manager = domain.Erased
			out = append(out, view.SharingChange{At: x.At, Change: "manager-erased", ManagerID: domain.Erased})
		}
	}
	return out, nil
}
