package threesixty_test

import (
	"testing"
	"time"

	"github.com/leerpad/leerpad/domain/feedback"
	"github.com/leerpad/leerpad/projections/internal/threesixty"
)

func TestErasedRaterCountsForNothing(t *testing.T) {
	in := threesixty.NewInstrument(feedback.InstrumentPublished{InstrumentID: "i", Title: "360", Scale: feedback.Scale{Points: 5},
		Competencies: []feedback.Competency{{ID: "c", Name: "Coachen", Items: []feedback.Item{{ID: "x", Text: "Stelt open vragen"}}}}, At: time.Date(2025, 1, 6, 9, 0, 0, 0, time.UTC)})
	peer := func(score int, comment string) threesixty.Response {
		return threesixty.Response{Group: feedback.GroupPeer, Answers: []feedback.Answer{{ItemID: "x", Score: score}},
			Comments: []feedback.Comment{{Text: comment}}}
	}
	// Three peers responded, but one was erased (crypto-shredding leaves no
	// answers and no comments): two remain, so the peers are suppressed.
	rs := []threesixty.Response{peer(4, "b"), peer(2, "a"), {Group: feedback.GroupPeer}}
	got := threesixty.Score(in, rs, threesixty.MinRaters)
	if g := got[0].Groups; len(g) != 1 || !g[0].Suppressed || g[0].Mean != 0 || g[0].Raters != 0 {
		t.Fatalf("groups = %+v", g)
	}
	if c := threesixty.Comments(rs, threesixty.MinRaters); len(c) != 0 {
		t.Fatalf("comments = %+v", c)
	}
	// With a third peer they show, comments sorted by text, not by response.
	rs[2] = peer(3, "c")
	got = threesixty.Score(in, rs, threesixty.MinRaters)
	if g := got[0].Groups[0]; g.Suppressed || g.Raters != 3 || g.Mean != 3 || got[0].Gap != nil {
		t.Fatalf("group = %+v, gap %+v", g, got[0].Gap)
	}
	c := threesixty.Comments(rs, threesixty.MinRaters)
	if len(c) != 3 || c[0].Text != "a" || c[1].Text != "b" || c[2].Text != "c" {
		t.Fatalf("comments = %+v", c)
	}
	if threesixty.Shown(feedback.GroupManager, 0, 3) || !threesixty.Shown(feedback.GroupManager, 1, 3) || threesixty.Shown(feedback.GroupOther, 2, 3) {
		t.Fatal("Shown")
	}
}
