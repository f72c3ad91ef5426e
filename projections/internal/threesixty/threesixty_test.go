package threesixty_test

import (
	"fmt"
	"math"
	"testing"
	"time"

	"github.com/leerpad/leerpad/domain/feedback"
	"github.com/leerpad/leerpad/projections/internal/threesixty"
)

// instrument has competency a with items a1, a2, a3 and competency b with
// item b1.
func instrument() *threesixty.Instrument {
	return threesixty.NewInstrument(feedback.InstrumentPublished{InstrumentID: "i", Title: "360", Scale: feedback.Scale{Points: 5},
		Competencies: []feedback.Competency{
			{ID: "a", Name: "Coachen", Items: []feedback.Item{{ID: "a1", Text: "Stelt open vragen"}, {ID: "a2", Text: "Luistert"}, {ID: "a3", Text: "Vat samen"}}},
			{ID: "b", Name: "Sturen", Items: []feedback.Item{{ID: "b1", Text: "Maakt afspraken"}}},
		}, At: time.Date(2025, 1, 6, 9, 0, 0, 0, time.UTC)})
}

// Raters of each group. a(...) are the scores on a1, a2, a3 in order, 0 for
// "not observed"; b is the score on b1, 0 for not observed.
var (
	self   = rater(feedback.GroupSelf)
	mgr    = rater(feedback.GroupManager)
	peer   = rater(feedback.GroupPeer)
	report = rater(feedback.GroupDirectReport)
	other  = rater(feedback.GroupOther)
)

func rater(g feedback.RaterGroup) func(b int, a ...int) threesixty.Response {
	return func(b int, a ...int) threesixty.Response {
		r := threesixty.Response{Group: g}
		answer := func(item string, score int) {
			if score == 0 {
				r.Answers = append(r.Answers, feedback.Answer{ItemID: item, NotObserved: true})
				return
			}
			r.Answers = append(r.Answers, feedback.Answer{ItemID: item, Score: score})
		}
		for i, s := range a {
			answer(fmt.Sprintf("a%d", i+1), s)
		}
		answer("b1", b)
		return r
	}
}

func shown(g feedback.RaterGroup, raters, answers int, mean float64) threesixty.GroupScore {
	return threesixty.GroupScore{Group: g, Raters: raters, Answers: answers, Mean: mean}
}

func suppressed(g feedback.RaterGroup) threesixty.GroupScore {
	return threesixty.GroupScore{Group: g, Suppressed: true}
}

func others(mean float64, raters int) *threesixty.Composite {
	return &threesixty.Composite{Mean: mean, Raters: raters}
}

func gap(s, o float64, raters int) *threesixty.Gap {
	return &threesixty.Gap{Self: s, Others: o, OtherRaters: raters, Gap: s - o}
}

// result is what a case expects of one competency.
type result struct {
	groups []threesixty.GroupScore
	others *threesixty.Composite
	gap    *threesixty.Gap
}

func near(a, b float64) bool { return !math.IsNaN(a) && !math.IsNaN(b) && math.Abs(a-b) <= 1e-12 }

// check fails unless got is want, means to 1e-12 and never NaN.
func check(tb testing.TB, name string, got threesixty.CompetencyScore, want result) {
	tb.Helper()
	if len(got.Groups) != len(want.groups) {
		tb.Fatalf("%s: groups = %+v, want %+v", name, got.Groups, want.groups)
	}
	for i, g := range got.Groups {
		w := want.groups[i]
		if g.Group != w.Group || g.Raters != w.Raters || g.Answers != w.Answers || g.Suppressed != w.Suppressed || !near(g.Mean, w.Mean) {
			tb.Fatalf("%s: groups = %+v, want %+v", name, got.Groups, want.groups)
		}
	}
	switch {
	case (got.Others == nil) != (want.others == nil):
		tb.Fatalf("%s: others = %+v, want %+v", name, got.Others, want.others)
	case got.Others != nil && (got.Others.Raters != want.others.Raters || !near(got.Others.Mean, want.others.Mean)):
		tb.Fatalf("%s: others = %+v, want %+v", name, *got.Others, *want.others)
	}
	switch g, w := got.Gap, want.gap; {
	case (g == nil) != (w == nil):
		tb.Fatalf("%s: gap = %+v, want %+v", name, g, w)
	case g != nil && (g.OtherRaters != w.OtherRaters || !near(g.Self, w.Self) || !near(g.Others, w.Others) || !near(g.Gap, w.Gap)):
		tb.Fatalf("%s: gap = %+v, want %+v", name, *g, *w)
	}
}

// TestScore: the scores of IMPACT.md §1, case by case, on competencies a and
// b, under the default thresholds unless a case sets them.
func TestScore(t *testing.T) {
	S, M, P, D, O := feedback.GroupSelf, feedback.GroupManager, feedback.GroupPeer, feedback.GroupDirectReport, feedback.GroupOther
	for _, tc := range []struct {
		name       string
		thresholds threesixty.Thresholds
		rs         []threesixty.Response
		a, b       result
	}{
		{
			// Pooled item scores would give (5+5+5+2+2)/5 = 3.8.
			name: "each rater weighted equally, however many items they answered",
			rs:   []threesixty.Response{peer(3, 5, 5, 5), peer(3, 2, 0, 0), peer(3, 0, 2, 0)},
			a:    result{groups: []threesixty.GroupScore{shown(P, 3, 5, 3)}, others: others(3, 3)},
			b:    result{groups: []threesixty.GroupScore{shown(P, 3, 3, 3)}, others: others(3, 3)},
		},
		{
			name: "a rater's score is the mean of their answered items; not observed is no answer",
			rs:   []threesixty.Response{self(0, 4, 0, 5), mgr(2, 1, 2, 0)},
			a:    result{groups: []threesixty.GroupScore{shown(S, 1, 2, 4.5), shown(M, 1, 2, 1.5)}},
			b:    result{groups: []threesixty.GroupScore{shown(M, 1, 1, 2)}},
		},
		{
			name: "a score of 0 is no answer",
			rs:   []threesixty.Response{{Group: M, Answers: []feedback.Answer{{ItemID: "a1", Score: 0}, {ItemID: "a2", Score: 4}, {ItemID: "b1", Score: 0}}}},
			a:    result{groups: []threesixty.GroupScore{shown(M, 1, 1, 4)}},
		},
		{
			// Counting raters per answered item would make six peers.
			name: "raters are counted, not answered items: two peers who answered three items each are suppressed",
			rs:   []threesixty.Response{peer(0, 4, 4, 4), peer(0, 2, 2, 2)},
			a:    result{groups: []threesixty.GroupScore{suppressed(P)}},
		},
		{
			name: "two peers are suppressed",
			rs:   []threesixty.Response{self(3, 3), peer(4, 4), peer(4, 4)},
			a:    result{groups: []threesixty.GroupScore{shown(S, 1, 1, 3), suppressed(P)}},
			b:    result{groups: []threesixty.GroupScore{shown(S, 1, 1, 3), suppressed(P)}},
		},
		{
			name: "three peers are shown",
			rs:   []threesixty.Response{self(3, 3), peer(4, 4), peer(4, 4), peer(1, 1)},
			a:    result{groups: []threesixty.GroupScore{shown(S, 1, 1, 3), shown(P, 3, 3, 3)}, others: others(3, 3), gap: gap(3, 3, 3)},
			b:    result{groups: []threesixty.GroupScore{shown(S, 1, 1, 3), shown(P, 3, 3, 3)}, others: others(3, 3), gap: gap(3, 3, 3)},
		},
		{
			name: "two direct reports are suppressed like peers",
			rs:   []threesixty.Response{report(2, 2), report(2, 2)},
			a:    result{groups: []threesixty.GroupScore{suppressed(D)}},
			b:    result{groups: []threesixty.GroupScore{suppressed(D)}},
		},
		{
			name: "two others are suppressed like peers",
			rs:   []threesixty.Response{other(2, 2), other(2, 2)},
			a:    result{groups: []threesixty.GroupScore{suppressed(O)}},
			b:    result{groups: []threesixty.GroupScore{suppressed(O)}},
		},
		{
			name: "three direct reports and three others are shown",
			rs:   []threesixty.Response{report(1, 1), report(2, 2), report(3, 3), other(5, 5), other(5, 5), other(2, 2)},
			a:    result{groups: []threesixty.GroupScore{shown(D, 3, 3, 2), shown(O, 3, 3, 4)}, others: others(3, 6)},
			b:    result{groups: []threesixty.GroupScore{shown(D, 3, 3, 2), shown(O, 3, 3, 4)}, others: others(3, 6)},
		},
		{
			// On a, the third peer answered no item: no score, so two
			// peers remain and are suppressed; on b all three count.
			name: "a rater who answered none of a competency's items has no score and does not count",
			rs:   []threesixty.Response{peer(3, 4, 4), peer(3, 2, 2), peer(3, 0, 0, 0)},
			a:    result{groups: []threesixty.GroupScore{suppressed(P)}},
			b:    result{groups: []threesixty.GroupScore{shown(P, 3, 3, 3)}, others: others(3, 3)},
		},
		{
			name: "an erased rater (no answers) counts for nothing",
			rs:   []threesixty.Response{peer(3, 4), peer(3, 2), {Group: P}},
			a:    result{groups: []threesixty.GroupScore{suppressed(P)}},
			b:    result{groups: []threesixty.GroupScore{suppressed(P)}},
		},
		{
			name: "a response of no known group, and answers to unknown items, count for nothing",
			rs: []threesixty.Response{mgr(0, 2), {Group: feedback.RaterGroup{}, Answers: []feedback.Answer{{ItemID: "a1", Score: 5}}},
				{Group: M, Answers: []feedback.Answer{{ItemID: "zz", Score: 5}}}},
			a: result{groups: []threesixty.GroupScore{shown(M, 1, 1, 2)}},
		},
		{
			// Pooling the suppressed peers (5, 5) into the composite would
			// give 3 over six raters and a gap of 1.
			name: "a suppressed group is never merged into the others composite or the gap",
			rs:   []threesixty.Response{self(0, 4), mgr(0, 2), report(0, 2), report(0, 2), report(0, 2), peer(0, 5), peer(0, 5)},
			a: result{groups: []threesixty.GroupScore{shown(S, 1, 1, 4), shown(M, 1, 1, 2), suppressed(P), shown(D, 3, 3, 2)},
				others: others(2, 4), gap: gap(4, 2, 4)},
		},
		{
			// The composite weights raters, not groups: (1 + 3·4) / 4, not
			// the mean of the group means (1 + 4) / 2.
			name: "the others composite weights each rater equally across groups",
			rs:   []threesixty.Response{self(0, 2), mgr(0, 1), peer(0, 4), peer(0, 4), peer(0, 4)},
			a: result{groups: []threesixty.GroupScore{shown(S, 1, 1, 2), shown(M, 1, 1, 1), shown(P, 3, 3, 4)},
				others: others(13.0/4, 4), gap: gap(2, 13.0/4, 4)},
		},
		{
			name: "no composite and no gap over a manager alone",
			rs:   []threesixty.Response{self(3, 4), mgr(5, 2)},
			a:    result{groups: []threesixty.GroupScore{shown(S, 1, 1, 4), shown(M, 1, 1, 2)}},
			b:    result{groups: []threesixty.GroupScore{shown(S, 1, 1, 3), shown(M, 1, 1, 5)}},
		},
		{
			name: "no composite over two raters",
			rs:   []threesixty.Response{self(0, 4), mgr(0, 2), mgr(0, 3)},
			a:    result{groups: []threesixty.GroupScore{shown(S, 1, 1, 4), shown(M, 2, 2, 2.5)}},
		},
		{
			name: "a composite over three raters",
			rs:   []threesixty.Response{self(0, 4), mgr(0, 2), mgr(0, 3), mgr(0, 1)},
			a:    result{groups: []threesixty.GroupScore{shown(S, 1, 1, 4), shown(M, 3, 3, 2)}, others: others(2, 3), gap: gap(4, 2, 3)},
		},
		{
			// Were the gap computed over an empty composite it would be NaN.
			name: "no gap when every other group is suppressed",
			rs:   []threesixty.Response{self(4, 4), peer(2, 2), peer(2, 2), other(3, 3), report(1, 1), report(1, 1)},
			a:    result{groups: []threesixty.GroupScore{shown(S, 1, 1, 4), suppressed(P), suppressed(D), suppressed(O)}},
			b:    result{groups: []threesixty.GroupScore{shown(S, 1, 1, 4), suppressed(P), suppressed(D), suppressed(O)}},
		},
		{
			name: "no gap without a self score; the composite stands on its own",
			rs:   []threesixty.Response{self(4, 0), mgr(2, 2), peer(2, 2), peer(2, 2), peer(4, 4)},
			a:    result{groups: []threesixty.GroupScore{shown(M, 1, 1, 2), shown(P, 3, 3, 8.0/3)}, others: others(2.5, 4)},
			b: result{groups: []threesixty.GroupScore{shown(S, 1, 1, 4), shown(M, 1, 1, 2), shown(P, 3, 3, 8.0/3)},
				others: others(2.5, 4), gap: gap(4, 2.5, 4)},
		},
		{
			name:       "a threshold configured below its default is raised to it",
			thresholds: threesixty.Thresholds{0, 0, 2, 1, 0},
			rs:         []threesixty.Response{peer(0, 4), peer(0, 4), report(0, 3), other(0, 5), other(0, 5)},
			a:          result{groups: []threesixty.GroupScore{suppressed(P), suppressed(D), suppressed(O)}},
		},
		{
			name:       "a threshold configured above its default applies",
			thresholds: threesixty.ThresholdsOf(4),
			rs:         []threesixty.Response{mgr(0, 1), peer(0, 4), peer(0, 4), peer(0, 4), report(0, 2), report(0, 2), report(0, 2), report(0, 2)},
			a:          result{groups: []threesixty.GroupScore{shown(M, 1, 1, 1), suppressed(P), shown(D, 4, 4, 2)}, others: others(9.0/5, 5)},
		},
		{
			name:       "the manager's threshold can be raised too",
			thresholds: threesixty.Thresholds{1, 2},
			rs:         []threesixty.Response{self(0, 4), mgr(0, 1), peer(0, 4), peer(0, 4), peer(0, 1)},
			a:          result{groups: []threesixty.GroupScore{shown(S, 1, 1, 4), suppressed(M), shown(P, 3, 3, 3)}, others: others(3, 3), gap: gap(4, 3, 3)},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := threesixty.Score(instrument(), tc.rs, tc.thresholds)
			if len(got) != 2 || got[0].CompetencyID != "a" || got[0].Name != "Coachen" || got[1].CompetencyID != "b" || got[1].Name != "Sturen" {
				t.Fatalf("competencies = %+v", got)
			}
			check(t, "a", got[0], tc.a)
			check(t, "b", got[1], tc.b)
		})
	}
}

// TestThresholds: the defaults are self 1, manager 1 and 3 for the others;
// a configured threshold only ever raises them.
func TestThresholds(t *testing.T) {
	for _, tc := range []struct {
		name string
		t    threesixty.Thresholds
		want threesixty.Thresholds
	}{
		{"zero is the defaults", threesixty.Thresholds{}, threesixty.Thresholds{1, 1, 3, 3, 3}},
		{"lower is raised", threesixty.Thresholds{-1, 0, 2, 1, 0}, threesixty.Thresholds{1, 1, 3, 3, 3}},
		{"higher is kept", threesixty.Thresholds{2, 3, 4, 5, 6}, threesixty.Thresholds{2, 3, 4, 5, 6}},
		{"ThresholdsOf(2) is the defaults", threesixty.ThresholdsOf(2), threesixty.Thresholds{1, 1, 3, 3, 3}},
		{"ThresholdsOf(3) is the defaults", threesixty.ThresholdsOf(3), threesixty.Thresholds{1, 1, 3, 3, 3}},
		{"ThresholdsOf(5) raises peer, direct report and other", threesixty.ThresholdsOf(5), threesixty.Thresholds{1, 1, 5, 5, 5}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.t.Raised(); got != tc.want {
				t.Fatalf("raised = %v, want %v", got, tc.want)
			}
		})
	}
	var d threesixty.Thresholds
	for _, tc := range []struct {
		g      feedback.RaterGroup
		raters int
		want   bool
	}{
		{feedback.GroupSelf, 0, false}, {feedback.GroupSelf, 1, true},
		{feedback.GroupManager, 0, false}, {feedback.GroupManager, 1, true},
		{feedback.GroupPeer, 2, false}, {feedback.GroupPeer, 3, true},
		{feedback.GroupDirectReport, 2, false}, {feedback.GroupDirectReport, 3, true},
		{feedback.GroupOther, 2, false}, {feedback.GroupOther, 3, true},
		{feedback.RaterGroup{}, 10, false},
	} {
		if got := d.Shown(tc.g, tc.raters); got != tc.want {
			t.Errorf("Shown(%s, %d) = %v, want %v", tc.g, tc.raters, got, tc.want)
		}
	}
}

func comment(g feedback.RaterGroup, competency, text string) threesixty.Comment {
	return threesixty.Comment{Group: g, CompetencyID: competency, Text: text}
}

// TestComments: a group's comments are shown under the same thresholds as
// its scores, counting the raters who responded with answers, and sorted by
// group, competency and text, not by response.
func TestComments(t *testing.T) {
	with := func(r threesixty.Response, comp, text string) threesixty.Response {
		r.Comments = []feedback.Comment{{CompetencyID: comp, Text: text}}
		return r
	}
	erased := threesixty.Response{Group: feedback.GroupPeer, Comments: []feedback.Comment{{Text: "gewist"}}}
	for _, tc := range []struct {
		name       string
		thresholds threesixty.Thresholds
		rs         []threesixty.Response
		want       []threesixty.Comment
	}{
		{"two peers and an erased one are suppressed", threesixty.Thresholds{},
			[]threesixty.Response{with(peer(3, 4), "", "b"), with(peer(3, 2), "", "a"), erased}, nil},
		{"three peers are shown, sorted by text", threesixty.Thresholds{},
			[]threesixty.Response{with(peer(3, 4), "", "b"), with(peer(3, 2), "", "a"), with(peer(3, 1), "", "c"), erased},
			[]threesixty.Comment{comment(feedback.GroupPeer, "", "a"), comment(feedback.GroupPeer, "", "b"), comment(feedback.GroupPeer, "", "c")}},
		{"two direct reports are suppressed, the manager and self shown, by group then competency", threesixty.Thresholds{},
			[]threesixty.Response{with(report(3, 4), "", "r1"), with(report(3, 2), "", "r2"), with(mgr(2, 2), "b", "m"), with(self(3, 3), "a", "s"),
				with(mgr(2, 2), "a", "n"), with(mgr(2, 2), "a", "")},
			[]threesixty.Comment{comment(feedback.GroupSelf, "a", "s"), comment(feedback.GroupManager, "a", "n"), comment(feedback.GroupManager, "b", "m")}},
		{"a raised threshold suppresses three others", threesixty.ThresholdsOf(4),
			[]threesixty.Response{with(other(3, 4), "", "o"), with(other(3, 4), "", "p"), with(other(3, 4), "", "q")}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := threesixty.Comments(tc.rs, tc.thresholds)
			if fmt.Sprint(got) != fmt.Sprint(tc.want) {
				t.Fatalf("comments = %+v, want %+v", got, tc.want)
			}
		})
	}
	if n := threesixty.Respondents([]threesixty.Response{peer(1), erased, self(1), {Group: feedback.RaterGroup{}, Answers: peer(1).Answers}}); n != [threesixty.Groups]int{1, 0, 1} {
		t.Fatalf("respondents = %v", n)
	}
}

// TestInstrument: items map to their competency, and a snapshot restores it.
func TestInstrument(t *testing.T) {
	in := instrument()
	if in.CompetencyOf("a3") != 0 || in.CompetencyOf("b1") != 1 || in.CompetencyOf("zz") != -1 {
		t.Fatal("CompetencyOf")
	}
	if in.IndexOf("b") != 1 || in.IndexOf("zz") != -1 {
		t.Fatal("IndexOf")
	}
	r := threesixty.RestoreInstrument(in.State())
	if r.ID != "i" || r.Title != "360" || r.Points != 5 || len(r.Competencies) != 2 || r.Competencies[0].Items != 3 || r.CompetencyOf("a2") != 0 {
		t.Fatalf("restored = %+v", r)
	}
	if e := threesixty.RestoreInstrument(threesixty.InstrumentState{ID: "e"}); e.CompetencyOf("a1") != -1 {
		t.Fatal("an instrument restored without items")
	}
	for i, g := range feedback.RaterGroups() {
		if threesixty.GroupIndex(g) != i {
			t.Fatalf("GroupIndex(%s) = %d", g, threesixty.GroupIndex(g))
		}
	}
	if threesixty.GroupIndex(feedback.RaterGroup{}) != -1 {
		t.Fatal("GroupIndex of an unknown group")
	}
}
