package journey

// Invariants of level 2 ratings (leerpad.impact/v1 §3, learning):
//   - a participant rates what they learnt at a delivery of the journey's
//     cohort that they attended, not before it started (as a module
//     evaluation), and once per delivery;
//   - every rating names a learning goal of the module version that
//     delivery delivered, each goal at most once, with a retrospective
//     "before" and a "now", each from 1 to 5; goals may be left unrated.

import (
	"fmt"
	"slices"
	"time"

	"github.com/leerpad/leerpad/domain"
	"github.com/leerpad/leerpad/domain/cohort"
)

// ErrAlreadyRated refuses a second rating of one delivery.
var ErrAlreadyRated = fmt.Errorf("learning already rated for this delivery: %w", domain.ErrConflict)

// RateLearning records the participant's level 2 ratings of a delivery of
// their cohort: per learning goal of the module version delivered, where
// they stood before the module (rated afterwards) and where they stand now.
// The Service looks up the attendance in the cohort and the learning goals
// in the catalogue.
type RateLearning struct {
	JourneyID  string
	DeliveryID string
	Ratings    []GoalRating
	At         time.Time
	domain.Envelope
}

// RatedDelivery is what a journey needs to know of a delivery to record
// ratings of it, from other streams: the participant's attendance as the
// journey's cohort knows it (the zero Attendance when the cohort does not
// know the delivery), and the ids of the learning goals of the module
// version it delivered, as the catalogue holds that version.
type RatedDelivery struct {
	Attendance      cohort.Attendance
	LearningGoalIDs []string
}

// RateLearning records the participant's ratings of what they learnt at a
// delivery, d.
func (j *Journey) RateLearning(c RateLearning, d RatedDelivery) error {
	ps := []*domain.FieldError{domain.RequireID("deliveryId", c.DeliveryID)}
	if len(c.Ratings) == 0 {
		ps = append(ps, domain.Invalid("ratings", "must hold at least one learning goal's rating"))
	}
	rated := map[string]bool{}
	for i, r := range c.Ratings {
		field := fmt.Sprintf("ratings[%d]", i)
		if p := domain.RequireID(field+".learningGoalId", r.LearningGoalID); p != nil {
			ps = append(ps, p)
		} else if rated[r.LearningGoalID] {
			ps = append(ps, domain.Invalid(field+".learningGoalId", "%s is rated twice", r.LearningGoalID))
		}
		rated[r.LearningGoalID] = true
		for _, s := range []struct {
			name  string
			score int
		}{{"before", r.Before}, {"now", r.Now}} {
			if s.score < MinScore || s.score > MaxScore {
				ps = append(ps, domain.Invalid(field+"."+s.name, "%d is outside the scale %d to %d", s.score, MinScore, MaxScore))
			}
		}
	}
	if err := j.check("rate learning", c.JourneyID, c.At, ps...); err != nil {
		return err
	}
	a := d.Attendance
	if a.CohortID != j.cohortID || a.DeliveryID != c.DeliveryID || a.ParticipantID != j.participantID {
		return fmt.Errorf("rate learning at delivery %s: %w", c.DeliveryID, ErrDeliveryNotFound)
	}
	if !a.Attended() {
		return fmt.Errorf("rate learning at delivery %s: %w", c.DeliveryID, ErrNotAttended)
	}
	if c.At.Before(a.StartsAt) {
		return fmt.Errorf("rate learning at delivery %s: %w", c.DeliveryID,
			domain.Invalid("at", "learning at a delivery cannot be rated before it starts at %s", a.StartsAt.Format(time.RFC3339)))
	}
	ps = nil
	for i, r := range c.Ratings {
		if !slices.Contains(d.LearningGoalIDs, r.LearningGoalID) {
			ps = append(ps, domain.Invalid(fmt.Sprintf("ratings[%d].learningGoalId", i),
				"names no learning goal of module %s version %d, which the delivery delivered", a.ModuleID, a.ModuleVersion))
		}
	}
	if err := domain.Validate(ps...); err != nil {
		return fmt.Errorf("rate learning at delivery %s: %w", c.DeliveryID, err)
	}
	if _, ok := j.rated[c.DeliveryID]; ok {
		return fmt.Errorf("rate learning at delivery %s: %w", c.DeliveryID, ErrAlreadyRated)
	}
	j.record(LearningRated{ParticipantID: j.participantID, DeliveryID: c.DeliveryID, ModuleID: a.ModuleID, ModuleVersion: a.ModuleVersion,
		Ratings: slices.Clone(c.Ratings), At: c.At})
	return nil
}

// LearningRating returns the participant's level 2 ratings of a delivery,
// and whether they rated it; the result is a copy.
func (j *Journey) LearningRating(deliveryID string) (LearningRated, bool) {
	r, ok := j.rated[deliveryID]
	r.Ratings = slices.Clone(r.Ratings)
	return r, ok
}
