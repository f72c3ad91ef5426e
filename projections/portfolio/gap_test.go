package portfolio_test

import (
	"fmt"
	"reflect"
	"slices"
	"testing"

	"github.com/leerpad/leerpad/domain/feedback"
	view "github.com/leerpad/leerpad/domain/portfolio"
	"github.com/leerpad/leerpad/projections/portfolio"
)

// hiddenStrength is a round where self scores A at 2 and five others at 4
// (manager and three peers): a gap of −2 over four other raters. On B
// everyone agrees.
var hiddenStrength = []response{
	{feedback.GroupSelf, 2, 2, 4, 4, "Ik twijfel aan mezelf"},
	{feedback.GroupManager, 4, 4, 4, 4, ""},
	{feedback.GroupPeer, 4, 4, 4, 4, "Sterk in gesprekken"},
	{feedback.GroupPeer, 4, 4, 4, 4, "Altijd bereikbaar"},
	{feedback.GroupPeer, 4, 4, 4, 4, ""},
}

// TestGapFlags: each closed round's competencies carry the gap's flag by the
// blind-spot rule with the configured threshold; a gap over fewer than three
// other raters is never flagged.
func TestGapFlags(t *testing.T) {
	for _, tc := range []struct {
		name          string
		rs            []response
		threshold     float64
		wantA, wantB  view.GapFlag
		wantThreshold float64
	}{
		{"blind spot at the default threshold of 1", mainRound, 0, view.FlagBlindSpot, view.GapFlag{}, 1},
		{"a gap of 1 stays below a threshold of 1.5", mainRound, 1.5, view.GapFlag{}, view.GapFlag{}, 1.5},
		// B's gap of −1 rests on the manager alone: no composite, no flag.
		{"too few other raters are never flagged", mainRound, 0.5, view.FlagBlindSpot, view.GapFlag{}, 0.5},
		{"hidden strength", hiddenStrength, 0, view.FlagHiddenStrength, view.GapFlag{}, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := newScene()
			s.round(feedback.RoundPre, day(3), tc.rs)
			m := portfolio.New(portfolio.Config{GapThreshold: tc.threshold})
			feed(t, m, s.l.Events)
			v, err := m.Current(s.journeyID)
			if err != nil {
				t.Fatal(err)
			}
			r := v.FeedbackRounds[0]
			if r.Points != 5 || !near(r.GapThreshold, tc.wantThreshold) {
				t.Fatalf("points %d, threshold %v, want 5 and %v", r.Points, r.GapThreshold, tc.wantThreshold)
			}
			a, b := r.Competencies[0], r.Competencies[1]
			if a.Gap == nil || a.Gap.Flag != tc.wantA {
				t.Fatalf("gap on A = %+v, want flag %q", a.Gap, tc.wantA)
			}
			if b.Gap != nil && b.Gap.Flag != tc.wantB {
				t.Fatalf("gap on B = %+v, want flag %q", b.Gap, tc.wantB)
			}
		})
	}
}

// TestScoresWeightRatersNotItems: the portfolio's 360 results weigh each
// rater equally (IMPACT §1), where pooling the item scores would weigh a rater
// by how many items they answered. On A the first peer answered both items
// (5, 5), the other two one each (2, the other not observed):
//
//   - peers: (5 + 2 + 2) / 3 = 3 by rater; pooled (5+5+2+2) / 4 = 3.5;
//   - others composite, with the manager (3, 3): (3 + 5 + 2 + 2) / 4 = 3
//     by rater; pooled (3+3+5+5+2+2) / 6 ≈ 3.33;
//   - so the self-other gap of self (4, 4) is 1, a blind spot at the default
//     threshold, where pooling gives 0.67 and no flag.
func TestScoresWeightRatersNotItems(t *testing.T) {
	s := newScene()
	s.round(feedback.RoundPre, day(3), []response{
		{feedback.GroupSelf, 4, 4, 4, 4, ""},
		{feedback.GroupManager, 3, 3, 4, 4, ""},
		{feedback.GroupPeer, 5, 5, 4, 4, ""},
		{feedback.GroupPeer, 2, 0, 4, 4, ""},
		{feedback.GroupPeer, 0, 2, 4, 4, ""},
	})
	m := portfolio.New(portfolio.Config{})
	feed(t, m, s.l.Events)
	v, err := m.Current(s.journeyID)
	if err != nil {
		t.Fatal(err)
	}
	a := v.FeedbackRounds[0].Competencies[0]
	if peer := group(t, a, feedback.GroupPeer); peer.Mean == nil || peer.Raters != 3 || !near(*peer.Mean, 3) {
		mean := "none"
		if peer.Mean != nil {
			mean = fmt.Sprint(*peer.Mean)
		}
		t.Fatalf("peers on A: %d raters, mean %s; want 3 raters, mean 3 by rater (pooled: 3.5)", peer.Raters, mean)
	}
	if g := a.Gap; g == nil || !near(g.Self, 4) || !near(g.Others, 3) || g.OtherRaters != 4 || !near(g.Gap, 1) || g.Flag != view.FlagBlindSpot {
		t.Fatalf("gap on A = %+v, want self 4 − others 3 over 4 raters = 1, a blind spot (pooled: 4 − 3.33, no flag)", g)
	}
}

// TestCommentOrderCarriesNoIdentity: the comments of a round come in the
// same order whoever wrote them and in whatever order they were submitted.
func TestCommentOrderCarriesNoIdentity(t *testing.T) {
	comments := func(rs []response) []view.FeedbackComment {
		s := newScene()
		s.round(feedback.RoundPre, day(3), rs)
		m := portfolio.New(portfolio.Config{})
		feed(t, m, s.l.Events)
		v, err := m.Current(s.journeyID)
		if err != nil {
			t.Fatal(err)
		}
		return v.FeedbackRounds[0].Comments
	}
	first := comments(hiddenStrength)
	reversed := slices.Clone(hiddenStrength)
	slices.Reverse(reversed)
	if second := comments(reversed); !reflect.DeepEqual(first, second) {
		t.Fatalf("comments in submission order %q, reversed %q", first, second)
	}
	var peers []string
	for _, c := range first {
		if c.Group == feedback.GroupPeer {
			peers = append(peers, c.Text)
		}
	}
	if want := []string{"Altijd bereikbaar", "Sterk in gesprekken"}; !reflect.DeepEqual(peers, want) {
		t.Fatalf("peer comments = %q, want %q", peers, want)
	}
}
