package api

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/leerpad/leerpad/domain/feedback"
)

// TestComponentSelfAssessmentIsAllOrNothing: the self-assessment nominates
// the participant as the self rater and records the answers in one append,
// so refused answers leave the round's stream exactly as it was, and a retry
// with the same Idempotency-Key records nothing twice.
func TestComponentSelfAssessmentIsAllOrNothing(t *testing.T) {
	cp := newComponent(t)
	w := cp.setUp(t, "BLG")
	inst, item1, item2 := cp.instrument(t, w)
	var round resourceRef
	must(t, cp.call(t, call{method: "POST", path: journeyHref(w.journeyID) + "/feedback-rounds", token: w.participant,
		body: fmt.Sprintf(`{"instrumentId":"%s","kind":"pre"}`, inst)}), 201, &round)
	stream := func() []string {
		recs, err := cp.store.Load(context.Background(), "feedback-"+round.ID)
		if err != nil {
			t.Fatal(err)
		}
		names := make([]string, len(recs))
		for i, r := range recs {
			names[i] = r.Event.EventName()
		}
		return names
	}
	before := strings.Join(stream(), ",")

	for _, tc := range []struct{ name, body, field string }{
		{"a score off the scale", fmt.Sprintf(`{"answers":[{"itemId":"%s","score":9},{"itemId":"%s","score":3}]}`, item1, item2), "answers[0].score"},
		{"an item left out", fmt.Sprintf(`{"answers":[{"itemId":"%s","score":4}]}`, item1), "answers"},
		{"an item not in the instrument", fmt.Sprintf(`{"answers":[{"itemId":"%s","score":4},{"itemId":"%s","score":3}]}`, item1, newID()), "answers[1].itemId"},
	} {
		p := decodeProblem(t, cp.call(t, call{method: "POST", path: round.Href + "/self-assessments", token: w.participant, body: tc.body}), 400)
		if got := strings.Join(paramNames(p), ","); got != tc.field {
			t.Errorf("%s: invalid params %s, want %s", tc.name, got, tc.field)
		}
		if got := strings.Join(stream(), ","); got != before {
			t.Fatalf("%s: the round's stream changed: %s -> %s", tc.name, before, got)
		}
	}

	body := fmt.Sprintf(`{"answers":[{"itemId":"%s","score":4},{"itemId":"%s","notObserved":true}],"comments":[{"text":"I listen more than I did"}]}`, item1, item2)
	key := http.Header{headerIdempotencyKey: {"self-assessment-1"}}
	first := cp.call(t, call{method: "POST", path: round.Href + "/self-assessments", token: w.participant, body: body, header: key})
	must(t, first, 201, nil)
	want := before + "," + feedback.RaterNominated{}.EventName() + "," + feedback.ResponseSubmitted{}.EventName()
	if got := strings.Join(stream(), ","); got != want {
		t.Fatalf("stream %s, want %s", got, want)
	}
	// A retry after the response cache is gone (a restart, another replica)
	// records nothing twice.
	cp.idem = newIdempotencyCache(10, cp.cfg.IdempotencyTTL)
	must(t, cp.call(t, call{method: "POST", path: round.Href + "/self-assessments", token: w.participant, body: body, header: key}), 201, nil)
	if got := strings.Join(stream(), ","); got != want {
		t.Fatalf("after a retry: stream %s, want %s", got, want)
	}
	// A second self-assessment is refused, and records nothing.
	decodeProblem(t, cp.call(t, call{method: "POST", path: round.Href + "/self-assessments", token: w.participant, body: body}), 409)
	if got := strings.Join(stream(), ","); got != want {
		t.Fatalf("after a second self-assessment: stream %s, want %s", got, want)
	}
	// The manager does not answer as self.
	decodeProblem(t, cp.call(t, call{method: "POST", path: round.Href + "/self-assessments", token: w.manager, body: body}), 403)
}
