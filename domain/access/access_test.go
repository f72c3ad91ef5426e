package access_test

import (
	"bytes"
	"crypto/rand"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/leerpad/leerpad/domain/access"
)

// The cast. Everyone with a 1 is related to the resource; everyone with a 2 is not.
const (
	participant1 = "11111111-1111-4111-8111-111111111111"
	participant2 = "22222222-2222-4222-8222-222222222222"
	manager1     = "33333333-3333-4333-8333-333333333333"
	manager2     = "44444444-4444-4444-8444-444444444444"
	trainer1     = "55555555-5555-4555-8555-555555555555"
	trainer2     = "66666666-6666-4666-8666-666666666666"
	office1      = "77777777-7777-4777-8777-777777777777"
	office2      = "88888888-8888-4888-8888-888888888888"
	rater1       = "99999999-9999-4999-8999-999999999999"
	rater2       = "aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa"
	cohort1      = "bbbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbbbb"
	round1       = "cccccccc-cccc-4ccc-8ccc-cccccccccccc"
	round2       = "dddddddd-dddd-4ddd-8ddd-dddddddddddd"
)

var now = time.Date(2025, 3, 14, 9, 30, 0, 0, time.UTC)

// facts describes a resource of participant1 (managed by manager1, section
// shared), in cohort1 (trained by trainer1), in 360 round1; an erasure or
// export is about participant1.
func facts(k access.Kind) access.Resource {
	return access.Resource{
		Kind: k, ParticipantID: participant1, ManagerID: manager1, Shared: true,
		CohortID: cohort1, CohortTrainerIDs: []string{trainer1}, RoundID: round1, GroupMemberIDs: []string{participant1},
		PersonID: participant1,
	}
}

func token(subject string, roles ...access.Role) access.Principal {
	return access.Principal{Subject: subject, Roles: roles}
}

func link(rater, round string, expires time.Time) access.Principal {
	return access.RaterLink{RoundID: round, RaterID: rater, ExpiresAt: expires}.Principal()
}

// related and unrelated are the principals of the matrix, in the column order
// of its masks: participant, manager, trainer, programme office, rater.
var (
	related = []access.Principal{
		token(participant1, access.RoleParticipant), token(manager1, access.RoleManager),
		token(trainer1, access.RoleTrainer), token(office1, access.RoleProgrammeOffice),
		link(rater1, round1, now.Add(time.Hour)),
	}
	unrelated = []access.Principal{
		token(participant2, access.RoleParticipant), token(manager2, access.RoleManager),
		token(trainer2, access.RoleTrainer), token(office2, access.RoleProgrammeOffice),
		link(rater2, round2, now.Add(time.Hour)),
	}
)

// TestMatrix asserts every cell of role × resource kind × action, once for
// principals related to the resource (own participant, own cohort, own round)
// and once for principals who are not. A mask has one letter per role, in the
// order P(articipant) M(anager) T(rainer) O(ffice) R(ater); "-" is deny.
func TestMatrix(t *testing.T) {
	type cell struct{ related, unrelated string }
	deny := cell{"-----", "-----"}
	matrix := []struct {
		kind                 access.Kind
		read, write, confirm cell
	}{
		{access.KindJourney, cell{"P----", "-----"}, cell{"P----", "-----"}, deny},
		{access.KindPortfolio, cell{"P----", "-----"}, deny, deny},
		{access.KindPortfolioSection, cell{"PM---", "-----"}, deny, deny},
		{access.KindReflection, cell{"P----", "-----"}, cell{"P----", "-----"}, deny},
		{access.KindDevelopmentConversation, cell{"PM---", "-----"}, cell{"-M---", "-----"}, cell{"PM---", "-----"}},
		{access.KindCompletion, deny, cell{"---O-", "---O-"}, deny},
		{access.KindWithdrawal, deny, cell{"P--O-", "---O-"}, deny},
		{access.KindManagerChange, deny, cell{"---O-", "---O-"}, deny},
		{access.KindMeasurement, cell{"--T--", "-----"}, cell{"P-T--", "-----"}, deny},
		{access.KindJourneySummary, cell{"PM---", "-----"}, deny, deny},
		{access.KindFeedbackRound, cell{"P----", "-----"}, cell{"P----", "-----"}, cell{"-M---", "-----"}},
		{access.KindRaterDecision, cell{"-M---", "-----"}, deny, deny},
		{access.KindSelfAssessment, cell{"P----", "-----"}, cell{"P----", "-----"}, deny},
		{access.KindFeedbackAnswers, deny, deny, deny},
		{access.KindRaterForm, cell{"----R", "-----"}, cell{"----R", "-----"}, deny},
		{access.KindAttendance, cell{"--T--", "-----"}, cell{"--T--", "-----"}, deny},
		{access.KindAssignment, cell{"--T--", "-----"}, cell{"--T--", "-----"}, deny},
		{access.KindIntervisionSession, cell{"P-T--", "-----"}, cell{"P-T--", "-----"}, deny},
		{access.KindIntervisionCase, cell{"P----", "-----"}, deny, deny},
		{access.KindCoachingSession, cell{"--T--", "-----"}, cell{"--T--", "-----"}, deny},
		{access.KindCohortDashboard, cell{"--TO-", "---O-"}, deny, deny},
		{access.KindChangeMeasurement, cell{"---O-", "---O-"}, deny, deny},
		{access.KindExport, cell{"---O-", "---O-"}, deny, deny},
		{access.KindCatalogue, cell{"PMTO-", "PMTO-"}, cell{"---O-", "---O-"}, deny},
		{access.KindProgramme, cell{"PMTO-", "PMTO-"}, cell{"---O-", "---O-"}, deny},
		{access.KindCohort, cell{"--TO-", "---O-"}, cell{"---O-", "---O-"}, deny},
		{access.KindCohortList, cell{"--TO-", "--TO-"}, deny, deny},
		{access.KindEnrolment, cell{"--TO-", "---O-"}, cell{"---O-", "---O-"}, deny},
		{access.KindIntervisionGroup, cell{"--TO-", "---O-"}, cell{"--TO-", "---O-"}, deny},
		{access.KindEntity, cell{"---O-", "---O-"}, cell{"---O-", "---O-"}, deny},
		{access.KindImpact, cell{"---O-", "---O-"}, deny, deny},
		{access.KindCohortImpact, cell{"--TO-", "---O-"}, deny, deny},
		{access.KindReliableChange, cell{"P----", "-----"}, deny, deny},
		{access.KindMeasurementClosure, deny, cell{"---O-", "---O-"}, deny},
		{access.KindLearningRating, cell{"P----", "-----"}, cell{"P----", "-----"}, deny},
		{access.KindErasure, cell{"P--O-", "---O-"}, cell{"P--O-", "---O-"}, deny},
		{access.KindPersonalData, cell{"P--O-", "---O-"}, deny, deny},
		{access.KindReadAudit, cell{"P----", "-----"}, deny, deny},
		{access.KindRetention, cell{"---O-", "---O-"}, cell{"---O-", "---O-"}, deny},
	}
	if len(matrix) != len(access.Kinds()) {
		t.Fatalf("matrix has %d kinds, access.Kinds() has %d: add the new kind's row", len(matrix), len(access.Kinds()))
	}
	roles := access.Roles()
	cells := 0
	for _, row := range matrix {
		for _, ac := range []struct {
			action access.Action
			cell   cell
		}{{access.ActionRead, row.read}, {access.ActionWrite, row.write}, {access.ActionConfirm, row.confirm}} {
			for _, sc := range []struct {
				name       string
				principals []access.Principal
				mask       string
			}{{"related", related, ac.cell.related}, {"unrelated", unrelated, ac.cell.unrelated}} {
				for i, p := range sc.principals {
					want := sc.mask[i] != '-'
					name := sc.name + "/" + roles[i].String() + "/" + ac.action.String() + "/" + row.kind.String()
					t.Run(name, func(t *testing.T) {
						d := access.Decide(p, ac.action, facts(row.kind), now)
						if d.Allowed != want {
							t.Errorf("allowed = %v, want %v (reason %q)", d.Allowed, want, d.Reason)
						}
						if d.Reason == "" {
							t.Errorf("no reason given")
						}
					})
					cells++
				}
			}
		}
	}
	if want := len(access.Kinds()) * len(access.Actions()) * len(access.Roles()) * 2; cells != want {
		t.Fatalf("asserted %d cells, want %d", cells, want)
	}
}

// TestRulesThatProtectPeople names the cases of shared/DOMAIN.md one by one.
func TestRulesThatProtectPeople(t *testing.T) {
	section := facts(access.KindPortfolioSection)
	revoked := section
	revoked.Shared = false
	newManager := section
	newManager.ManagerID = manager2
	// changed describes a journey of participant1 whose manager changed from
	// manager1 to manager2: the domain unshares every section at the change.
	changed := func(k access.Kind) access.Resource {
		r := facts(k)
		r.ManagerID, r.Shared = manager2, false
		return r
	}
	// notShared describes a resource of participant1, managed by manager1,
	// who sees no section: sharing is off. Conversations, rounds and the
	// summary do not depend on sharing.
	notShared := func(k access.Kind) access.Resource {
		r := facts(k)
		r.Shared = false
		return r
	}
	// leftGroup describes participant1's intervision group after they
	// withdrew or were re-formed out of it.
	leftGroup := func(k access.Kind) access.Resource {
		r := facts(k)
		r.GroupMemberIDs = []string{participant2}
		return r
	}
	sharedAnew := changed(access.KindPortfolioSection)
	sharedAnew.Shared = true
	otherCohort := facts(access.KindCohortDashboard)
	otherCohort.CohortID, otherCohort.CohortTrainerIDs = "eeeeeeee-eeee-4eee-8eee-eeeeeeeeeeee", []string{trainer2}
	for _, tc := range []struct {
		name      string
		p         access.Principal
		action    access.Action
		r         access.Resource
		at        time.Time
		allowed   bool
		reasonHas string
	}{
		{"manager reads a shared section", related[1], access.ActionRead, section, now, true, "shares"},
		{"manager after revoke", related[1], access.ActionRead, revoked, now, false, "revoked"},
		{"former manager after a change of manager", related[1], access.ActionRead, newManager, now, false, "own participants"},
		{"manager of another participant", unrelated[1], access.ActionRead, section, now, false, "own participants"},
		{"manager never reads the whole portfolio", related[1], access.ActionRead, facts(access.KindPortfolio), now, false, "shares with them"},
		{"manager never reads a participant's reliable change, shared or not", related[1], access.ActionRead, facts(access.KindReliableChange), now, false, "nobody but the participant"},
		{"the programme office never reads a participant's reliable change", related[3], access.ActionRead, facts(access.KindReliableChange), now, false, "nobody but the participant"},
		{"a trainer never reads a participant's reliable change", related[2], access.ActionRead, facts(access.KindReliableChange), now, false, "nobody but the participant"},
		{"another participant never reads one's reliable change", unrelated[0], access.ActionRead, facts(access.KindReliableChange), now, false, "own journeys"},
		{"a trainer reads their cohort's reaction and behaviour figures", related[2], access.ActionRead, facts(access.KindCohortImpact), now, true, "own cohorts"},
		{"a trainer never reads every impact level", related[2], access.ActionRead, facts(access.KindImpact), now, false, "no rule"},
		{"manager never reads intervision", related[1], access.ActionRead, facts(access.KindIntervisionSession), now, false, "confidential"},
		{"trainer never reads the case of an intervision session", related[2], access.ActionRead, facts(access.KindIntervisionCase), now, false, "confidential"},
		{"programme office never reads the case of an intervision session", related[3], access.ActionRead, facts(access.KindIntervisionCase), now, false, "confidential"},
		{"member reads the case of their group's session", related[0], access.ActionRead, facts(access.KindIntervisionCase), now, true, "confidential to the group"},
		{"member records a session of their group", related[0], access.ActionWrite, facts(access.KindIntervisionSession), now, true, "members record"},
		{"former member no longer reads the case", related[0], access.ActionRead, leftGroup(access.KindIntervisionCase), now, false, "members of the group"},
		{"former member no longer records sessions", related[0], access.ActionWrite, leftGroup(access.KindIntervisionSession), now, false, "members of the group"},
		{"manager never reads reflections", related[1], access.ActionRead, facts(access.KindReflection), now, false, "belong to the participant"},
		{"manager records a conversation with own participant", related[1], access.ActionWrite, facts(access.KindDevelopmentConversation), now, true, "record"},
		{"manager records a conversation with another participant", unrelated[1], access.ActionWrite, facts(access.KindDevelopmentConversation), now, false, "own participants"},
		{"participant on another's journey", unrelated[0], access.ActionWrite, facts(access.KindJourney), now, false, "own journeys"},
		{"manager lists a journey they manage", related[1], access.ActionRead, facts(access.KindJourneySummary), now, true, "never what is not shared"},
		{"former manager after a change of manager: no summary", related[1], access.ActionRead, changed(access.KindJourneySummary), now, false, "own participants"},
		{"former manager after a change of manager: no conversation", related[1], access.ActionWrite, changed(access.KindDevelopmentConversation), now, false, "own participants"},
		{"former manager after a change of manager: no rater approval", related[1], access.ActionConfirm, changed(access.KindFeedbackRound), now, false, "own participants"},
		{"new manager after a change of manager: the summary", unrelated[1], access.ActionRead, changed(access.KindJourneySummary), now, true, "never what is not shared"},
		{"new manager after a change of manager: conversations", unrelated[1], access.ActionWrite, changed(access.KindDevelopmentConversation), now, true, "record"},
		{"new manager after a change of manager: no section until shared anew", unrelated[1], access.ActionRead, changed(access.KindPortfolioSection), now, false, "revoked"},
		{"new manager after a change of manager: a section shared anew", unrelated[1], access.ActionRead, sharedAnew, now, true, "shares"},
		{"new manager never reads the whole portfolio", unrelated[1], access.ActionRead, changed(access.KindPortfolio), now, false, "shares with them"},
		{"manager does not change the manager", related[1], access.ActionWrite, facts(access.KindManagerChange), now, false, "no rule"},
		{"participant does not change their manager", related[0], access.ActionWrite, facts(access.KindManagerChange), now, false, "no rule"},
		{"participant withdraws", related[0], access.ActionWrite, facts(access.KindWithdrawal), now, true, "withdraw"},
		{"participant withdraws another", unrelated[0], access.ActionWrite, facts(access.KindWithdrawal), now, false, "own journeys"},
		{"participant does not complete their own journey", related[0], access.ActionWrite, facts(access.KindCompletion), now, false, "no rule"},
		{"trainer of another cohort records no measurement", unrelated[2], access.ActionWrite, facts(access.KindMeasurement), now, false, "own cohorts"},
		{"trainer reads the instrument results of their cohort", related[2], access.ActionRead, facts(access.KindMeasurement), now, true, "instruments taken in their cohorts"},
		{"trainer of another cohort reads no measurement", unrelated[2], access.ActionRead, facts(access.KindMeasurement), now, false, "own cohorts"},
		{"manager reads measurements only as a shared section", related[1], access.ActionRead, facts(access.KindMeasurement), now, false, "no rule"},
		{"programme office reads no journey summary", related[3], access.ActionRead, facts(access.KindJourneySummary), now, false, "no rule"},
		{"programme office reads no journey, so it follows its writes on one at the enrolment", related[3], access.ActionRead, facts(access.KindJourney), now, false, "no rule"},
		{"programme office reads a participant's enrolment", related[3], access.ActionRead, facts(access.KindEnrolment), now, true, "enrols participants"},
		{"trainer reads the enrolment of a participant of their cohort", related[2], access.ActionRead, facts(access.KindEnrolment), now, true, "enrolment of their cohorts"},
		{"trainer of another cohort reads no enrolment", unrelated[2], access.ActionRead, facts(access.KindEnrolment), now, false, "own cohorts"},
		{"participant reads no enrolment, not even their own", related[0], access.ActionRead, facts(access.KindEnrolment), now, false, "no rule"},
		{"manager reads no enrolment of their participant", related[1], access.ActionRead, facts(access.KindEnrolment), now, false, "no rule"},
		{"trainer of another cohort", related[2], access.ActionRead, otherCohort, now, false, "own cohorts"},
		{"trainer of the cohort", related[2], access.ActionRead, facts(access.KindCohortDashboard), now, true, "dashboards"},
		{"trainer re-forms an intervision group of another cohort", related[2], access.ActionWrite, func() access.Resource {
			r := otherCohort
			r.Kind = access.KindIntervisionGroup
			return r
		}(), now, false, "own cohorts"},
		{"trainer lists cohorts, but reads only their own in it", related[2], access.ActionRead,
			access.Resource{Kind: access.KindCohortList}, now, true, "the cohorts they train"},
		{"trainer does not read another trainer's cohort from the list", related[2], access.ActionRead, func() access.Resource {
			r := otherCohort
			r.Kind = access.KindCohort
			return r
		}(), now, false, "own cohorts"},
		{"participant lists no cohorts", related[0], access.ActionRead, access.Resource{Kind: access.KindCohortList}, now, false, "no rule"},
		{"participant rates their own learning", related[0], access.ActionWrite, facts(access.KindLearningRating), now, true, "rate what they learnt"},
		{"participant rates no one else's learning", unrelated[0], access.ActionWrite, facts(access.KindLearningRating), now, false, "own journeys"},
		{"programme office rates no participant's learning", related[3], access.ActionWrite, facts(access.KindLearningRating), now, false, "only aggregated"},
		{"trainer rates no participant's learning", related[2], access.ActionWrite, facts(access.KindLearningRating), now, false, "participant's own"},
		{"programme office closes a cohort's measurement", related[3], access.ActionWrite, facts(access.KindMeasurementClosure), now, true, "closes the impact measurement"},
		{"trainer of the cohort does not close its measurement", related[2], access.ActionWrite, facts(access.KindMeasurementClosure), now, false, "no rule"},
		{"participant on an ordering entity", related[0], access.ActionRead, facts(access.KindEntity), now, false, "no rule"},
		{"programme office on reflections", related[3], access.ActionRead, facts(access.KindReflection), now, false, "never a named participant's reflections"},
		{"programme office on individual 360 answers", related[3], access.ActionRead, facts(access.KindFeedbackAnswers), now, false, "never shown"},
		{"programme office on a portfolio", related[3], access.ActionRead, facts(access.KindPortfolio), now, false, "aggregates"},
		{"programme office on a portfolio section", related[3], access.ActionRead, facts(access.KindPortfolioSection), now, false, "aggregates"},
		{"participant on own individual 360 answers", related[0], access.ActionRead, facts(access.KindFeedbackAnswers), now, false, "never shown"},
		{"rater on own round", related[4], access.ActionWrite, facts(access.KindRaterForm), now, true, "answer form"},
		{"rater link expired", link(rater1, round1, now.Add(-time.Second)), access.ActionWrite, facts(access.KindRaterForm), now, false, "expired"},
		{"rater link at the instant it expires", link(rater1, round1, now), access.ActionRead, facts(access.KindRaterForm), now, false, "expired"},
		{"rater link of another round", unrelated[4], access.ActionWrite, facts(access.KindRaterForm), now, false, "own round"},
		{"rater on anything else", related[4], access.ActionRead, facts(access.KindPortfolioSection), now, false, "nothing else"},
		{"rater on individual answers", related[4], access.ActionRead, facts(access.KindFeedbackAnswers), now, false, "never shown"},
		{"rater link with another role added", access.Principal{Subject: rater1, Roles: []access.Role{access.RoleRater, access.RoleProgrammeOffice}, RoundID: round1, LinkExpiresAt: now.Add(time.Hour)}, access.ActionRead, facts(access.KindExport), now, false, "no other role"},
		{"two roles give the union: trainer part", token(trainer1, access.RoleManager, access.RoleTrainer), access.ActionWrite, facts(access.KindAttendance), now, true, "attendance"},
		{"two roles give the union: manager part", token(manager1, access.RoleManager, access.RoleTrainer), access.ActionRead, section, now, true, "shares"},
		{"missing facts never grant", token(participant1, access.RoleParticipant), access.ActionRead, access.Resource{Kind: access.KindJourney}, now, false, "own journeys"},
		{"missing facts never grant: a manager with no participant fact", related[1], access.ActionRead,
			access.Resource{Kind: access.KindJourneySummary, ManagerID: manager1}, now, false, "own participants"},
		{"missing facts never grant: a manager with no participant fact, section shared", related[1], access.ActionRead,
			access.Resource{Kind: access.KindPortfolioSection, ManagerID: manager1, Shared: true}, now, false, "own participants"},
		{"missing facts never grant: a manager with no manager fact", related[1], access.ActionWrite,
			access.Resource{Kind: access.KindDevelopmentConversation, ParticipantID: participant1}, now, false, "own participants"},
		{"missing facts never grant: a trainer with no cohort fact", related[2], access.ActionWrite,
			access.Resource{Kind: access.KindAttendance, CohortTrainerIDs: []string{trainer1}}, now, false, "own cohorts"},
		{"missing facts never grant: a trainer with no trainer facts", related[2], access.ActionRead,
			access.Resource{Kind: access.KindCohortDashboard, CohortID: cohort1}, now, false, "own cohorts"},
		{"missing facts never grant: a rater link with no round fact", related[4], access.ActionRead,
			access.Resource{Kind: access.KindRaterForm}, now, false, "own round"},
		{"missing facts never grant: a rater link without round", link(rater1, "", now.Add(time.Hour)), access.ActionRead,
			access.Resource{Kind: access.KindRaterForm}, now, false, "own round"},
		{"missing facts never grant: a rater link without expiry", link(rater1, round1, time.Time{}), access.ActionRead,
			facts(access.KindRaterForm), now, false, "expired"},
		{"a rater link just before it expires", link(rater1, round1, now.Add(time.Nanosecond)), access.ActionRead,
			facts(access.KindRaterForm), now, true, "answer form"},
		{"a rater link that is also a token", access.Principal{Subject: rater1, Roles: []access.Role{access.RoleRater, access.RoleRater}, RoundID: round1,
			LinkExpiresAt: now.Add(time.Hour)}, access.ActionRead, facts(access.KindRaterForm), now, false, "no other role"},
		{"sharing off: manager still reads their conversations", related[1], access.ActionRead, notShared(access.KindDevelopmentConversation), now, true, "conversations"},
		{"sharing off: manager still records their conversations", related[1], access.ActionWrite, notShared(access.KindDevelopmentConversation), now, true, "record"},
		{"sharing off: manager still confirms their conversations", related[1], access.ActionConfirm, notShared(access.KindDevelopmentConversation), now, true, "confirm"},
		{"sharing off: manager still sees the raters awaiting their decision", related[1], access.ActionRead, notShared(access.KindRaterDecision), now, true, "awaiting"},
		{"a manager never reads the round itself", related[1], access.ActionRead, facts(access.KindFeedbackRound), now, false, "never the responses"},
		{"former manager after a change of manager: no raters awaiting", related[1], access.ActionRead, changed(access.KindRaterDecision), now, false, "own participants"},
		{"sharing off: manager still approves raters", related[1], access.ActionConfirm, notShared(access.KindFeedbackRound), now, true, "approve"},
		{"sharing off: manager still sees the summary", related[1], access.ActionRead, notShared(access.KindJourneySummary), now, true, "never what is not shared"},
		{"sharing off: another manager sees no rater awaiting", unrelated[1], access.ActionRead, notShared(access.KindRaterDecision), now, false, "own participants"},
		{"sharing off: another manager approves no rater", unrelated[1], access.ActionConfirm, notShared(access.KindFeedbackRound), now, false, "own participants"},
		{"sharing off: another manager reads no conversation", unrelated[1], access.ActionRead, notShared(access.KindDevelopmentConversation), now, false, "own participants"},
		{"no rule names every role held", token(manager1, access.RoleManager, access.RoleTrainer), access.ActionWrite, facts(access.KindExport), now, false,
			"no rule lets any of manager trainer write a export"},
		{"no rule names the one role held", token(manager1, access.RoleManager), access.ActionWrite, facts(access.KindExport), now, false,
			"no rule lets a manager write a export"},
		{"empty subject never matches empty facts", token("", access.RoleManager), access.ActionRead, access.Resource{Kind: access.KindPortfolioSection, Shared: true}, now, false, "no subject"},
		{"no role", access.Principal{Subject: participant1}, access.ActionRead, facts(access.KindJourney), now, false, "no role"},
		{"unknown kind", related[3], access.ActionRead, access.Resource{}, now, false, "unknown resource kind"},
		{"unknown action", related[3], access.Action{}, facts(access.KindExport), now, false, "unknown action"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d := access.Decide(tc.p, tc.action, tc.r, tc.at)
			if d.Allowed != tc.allowed || !strings.Contains(d.Reason, tc.reasonHas) {
				t.Fatalf("Decide = %+v, want allowed %v with a reason containing %q", d, tc.allowed, tc.reasonHas)
			}
		})
	}
}

func TestParseRole(t *testing.T) {
	for _, r := range access.TokenRoles() {
		got, err := access.ParseRole(r.String())
		if err != nil || got != r {
			t.Errorf("ParseRole(%q) = %v, %v", r, got, err)
		}
	}
	for _, s := range []string{"rater", "", "Manager", "admin"} {
		if _, err := access.ParseRole(s); err == nil {
			t.Errorf("ParseRole(%q) accepted", s)
		}
	}
}

func TestRaterLink(t *testing.T) {
	expires := now.Add(14 * 24 * time.Hour)
	tok, l, err := access.NewRaterLink(rand.Reader, round1, rater1, expires)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(tok, access.RaterTokenPrefix) || len(tok) != len(access.RaterTokenPrefix)+43 || !access.IsRaterToken(tok) {
		t.Fatalf("token %q is not prefix + 43 base64url characters", tok)
	}
	if strings.Contains(l.TokenHash, tok) || len(l.TokenHash) != 64 {
		t.Fatalf("stored hash %q", l.TokenHash)
	}
	if h, err := access.HashRaterToken(tok); err != nil || h != l.TokenHash {
		t.Fatalf("HashRaterToken = %q, %v; want the stored hash", h, err)
	}
	tok2, l2, err := access.NewRaterLink(rand.Reader, round1, rater1, expires)
	if err != nil || tok2 == tok || l2.TokenHash == l.TokenHash {
		t.Fatalf("two links share a token or hash (err %v)", err)
	}
	p := l.Principal()
	if p.Subject != rater1 || p.RoundID != round1 || !p.LinkExpiresAt.Equal(expires) || len(p.Roles) != 1 || !p.Has(access.RoleRater) {
		t.Fatalf("principal %+v", p)
	}
	if l.Expired(now) || !l.Expired(expires) {
		t.Fatal("Expired is wrong at the edges")
	}
	for _, bad := range []string{"", "lprl_", tok + "A", tok[:len(tok)-1], strings.Replace(tok, "lprl_", "lprX_", 1), "lprl_" + strings.Repeat("!", 43), "eyJhbGciOiJFZERTQSJ9.e30.sig"} {
		if _, err := access.HashRaterToken(bad); !errors.Is(err, access.ErrNotRaterToken) {
			t.Errorf("HashRaterToken(%q) err = %v, want ErrNotRaterToken", bad, err)
		}
	}
	if _, _, err := access.NewRaterLink(bytes.NewReader(make([]byte, 5)), round1, rater1, expires); err == nil {
		t.Error("a short random source was accepted")
	}
	if _, _, err := access.NewRaterLink(rand.Reader, round1, rater1, time.Time{}); err == nil {
		t.Error("a link without expiry was accepted")
	}
}

// TestPeopleControlTheirData: a manager erases and exports their own data
// as a participant does, nobody erases or exports another person but the
// programme office, and nobody but the participant sees who read their
// portfolio.
func TestPeopleControlTheirData(t *testing.T) {
	about := func(k access.Kind, person string) access.Resource {
		r := facts(k)
		r.PersonID = person
		return r
	}
	for _, tc := range []struct {
		name  string
		p     access.Principal
		act   access.Action
		r     access.Resource
		allow bool
	}{
		{"a manager erases themselves", token(manager1, access.RoleManager), access.ActionWrite, about(access.KindErasure, manager1), true},
		{"a manager exports their own data", token(manager1, access.RoleManager), access.ActionRead, about(access.KindPersonalData, manager1), true},
		{"a manager does not erase their participant", token(manager1, access.RoleManager), access.ActionWrite, about(access.KindErasure, participant1), false},
		{"a participant does not erase another", token(participant2, access.RoleParticipant), access.ActionWrite, about(access.KindErasure, participant1), false},
		{"a trainer does not erase a participant of theirs", token(trainer1, access.RoleTrainer), access.ActionWrite, about(access.KindErasure, participant1), false},
		{"a rater link erases nobody", link(rater1, round1, now.Add(time.Hour)), access.ActionWrite, about(access.KindErasure, rater1), false},
		{"no person, no erasure", token(participant1, access.RoleParticipant), access.ActionWrite, about(access.KindErasure, ""), false},
		{"the manager does not see who read the portfolio", token(manager1, access.RoleManager), access.ActionRead, facts(access.KindReadAudit), false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if d := access.Decide(tc.p, tc.act, tc.r, now); d.Allowed != tc.allow || d.Reason == "" {
				t.Fatalf("allowed = %v (%q), want %v", d.Allowed, d.Reason, tc.allow)
			}
		})
	}
}
