package journey_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/leerpad/leerpad/domain"
	"github.com/leerpad/leerpad/domain/cohort"
	"github.com/leerpad/leerpad/domain/domaintest"
	"github.com/leerpad/leerpad/domain/journey"
)

// versionGoals are the learning goals of the version of module that the
// tests' delivery delivers (version 3); otherGoal is a goal of another version.
var (
	versionGoals = []string{moduleGoal, id(22)}
	otherGoal    = id(23)
)

func rate(rs []journey.GoalRating, a cohort.Attendance) func(*journey.Journey) error {
	return rateWith(rs, journey.RatedDelivery{Attendance: a, LearningGoalIDs: versionGoals})
}

func rateWith(rs []journey.GoalRating, d journey.RatedDelivery) func(*journey.Journey) error {
	return func(j *journey.Journey) error {
		return j.RateLearning(journey.RateLearning{JourneyID: journeyID, DeliveryID: delivery, Ratings: rs, At: later}, d)
	}
}

// TestLearningRatings: only for an attended delivery of the journey's
// cohort, once, per learning goal of the version delivered, each goal once,
// both scores within the scale.
func TestLearningRatings(t *testing.T) {
	both := []journey.GoalRating{{LearningGoalID: moduleGoal, Before: journey.MinScore, Now: journey.MaxScore}, {LearningGoalID: id(22), Before: 3, Now: 3}}
	rated := journey.LearningRated{ParticipantID: participant, DeliveryID: delivery, ModuleID: module, ModuleVersion: 3, Ratings: both, At: at}
	one := func(before, now int) []journey.GoalRating {
		return []journey.GoalRating{{LearningGoalID: moduleGoal, Before: before, Now: now}}
	}
	otherCohort := attendance(cohort.Present)
	otherCohort.CohortID = id(98)
	someoneElse := attendance(cohort.Present)
	someoneElse.ParticipantID = id(97)
	startsLater := attendance(cohort.Present)
	startsLater.StartsAt = later.Add(time.Hour)
	domaintest.Run(t, journey.Replay, []journeyCase{
		{Name: "every goal of the version, the ends of the scale", Given: active(), When: rate(both, attendance(cohort.Present)),
			Want: []domain.Event{journey.LearningRated{ParticipantID: participant, DeliveryID: delivery, ModuleID: module, ModuleVersion: 3, Ratings: both, At: later}}},
		{Name: "twice", Given: active(rated), When: rate(one(2, 4), attendance(cohort.Present)), WantErr: journey.ErrAlreadyRated},
		{Name: "absent", Given: active(), When: rate(one(2, 4), attendance(cohort.Absent)), WantErr: journey.ErrNotAttended},
		{Name: "attendance not recorded", Given: active(), When: rate(one(2, 4), attendance(cohort.AttendanceStatus{})), WantErr: journey.ErrNotAttended},
		{Name: "unknown delivery", Given: active(), When: rate(one(2, 4), cohort.Attendance{}), WantErr: domain.ErrInvalid, WantField: "deliveryId"},
		{Name: "a delivery of another cohort", Given: active(), When: rate(one(2, 4), otherCohort), WantErr: journey.ErrDeliveryNotFound},
		{Name: "someone else's attendance", Given: active(), When: rate(one(2, 4), someoneElse), WantErr: journey.ErrDeliveryNotFound},
		{Name: "before the delivery starts", Given: active(), When: rate(one(2, 4), startsLater), WantErr: domain.ErrInvalid, WantField: "at"},
		{Name: "a goal of another version", Given: active(), WantErr: domain.ErrInvalid, WantField: "ratings[1].learningGoalId",
			When: rate([]journey.GoalRating{{LearningGoalID: moduleGoal, Before: 2, Now: 3}, {LearningGoalID: otherGoal, Before: 2, Now: 3}}, attendance(cohort.Present))},
		{Name: "no goals known of the version", Given: active(), WantErr: domain.ErrInvalid, WantField: "ratings[0].learningGoalId",
			When: rateWith(one(2, 4), journey.RatedDelivery{Attendance: attendance(cohort.Present)})},
		{Name: "a goal twice", Given: active(), WantErr: domain.ErrInvalid, WantField: "ratings[1].learningGoalId",
			When: rate([]journey.GoalRating{{LearningGoalID: moduleGoal, Before: 2, Now: 3}, {LearningGoalID: moduleGoal, Before: 3, Now: 4}}, attendance(cohort.Present))},
		{Name: "a goal that is no id", Given: active(), WantErr: domain.ErrInvalid, WantField: "ratings[0].learningGoalId",
			When: rate([]journey.GoalRating{{LearningGoalID: "g1", Before: 2, Now: 3}}, attendance(cohort.Present))},
		{Name: "before above the scale", Given: active(), WantErr: domain.ErrInvalid, WantField: "ratings[0].before",
			When: rate(one(6, 4), attendance(cohort.Present))},
		{Name: "now below the scale", Given: active(), WantErr: domain.ErrInvalid, WantField: "ratings[0].now",
			When: rate(one(2, 0), attendance(cohort.Present))},
		{Name: "no ratings", Given: active(), WantErr: domain.ErrInvalid, WantField: "ratings",
			When: rate(nil, attendance(cohort.Present))},
		{Name: "bad input is refused before the delivery is looked at", Given: active(), WantErr: domain.ErrInvalid, WantField: "ratings[0].now",
			When: rate(one(2, 9), cohort.Attendance{})},
	})
}

// TestServiceRateLearningReadsTheDeliveryAndItsVersion: the service gives
// the journey the attendance the cohort holds and the goals of the module
// version the delivery delivered.
func TestServiceRateLearningReadsTheDeliveryAndItsVersion(t *testing.T) {
	ctx := context.Background()
	broken := errors.New("catalogue unavailable")
	for _, tc := range []struct {
		name      string
		delivery  string
		goal      string
		catalogue catalogueLinks
		wantErr   error
		wantField string
	}{
		{"attended, a goal of version 3", delivery, id(22), catalogueLinks{}, nil, ""},
		{"a goal of the module's current version only", delivery, otherGoal, catalogueLinks{}, domain.ErrInvalid, "ratings[0].learningGoalId"},
		{"absent", id(51), moduleGoal, catalogueLinks{}, journey.ErrNotAttended, ""},
		{"unknown delivery", id(52), moduleGoal, catalogueLinks{}, domain.ErrInvalid, "deliveryId"},
		{"the catalogue fails", delivery, moduleGoal, catalogueLinks{err: broken}, broken, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, journeys := newServiceWith(tc.catalogue)
			journeys.Given(journeyID, enrolled())
			_, err := s.RateLearning(ctx, journey.RateLearning{JourneyID: journeyID, DeliveryID: tc.delivery,
				Ratings: []journey.GoalRating{{LearningGoalID: tc.goal, Before: 2, Now: 4}}, At: later})
			if tc.wantErr == nil && err != nil || !errors.Is(err, tc.wantErr) {
				t.Fatalf("err = %v, want %v", err, tc.wantErr)
			}
			if tc.wantField != "" && !fieldNamed(err, tc.wantField) {
				t.Fatalf("err = %v, want it to name %s", err, tc.wantField)
			}
			want := 1
			if tc.wantErr == nil {
				want = 2
			}
			if got := len(journeys.Stream(journeyID)); got != want {
				t.Fatalf("stream holds %d events, want %d", got, want)
			}
		})
	}
}

func fieldNamed(err error, field string) bool {
	var v *domain.ValidationError
	if errors.As(err, &v) {
		for _, f := range v.Fields {
			if f.Field == field {
				return true
			}
		}
		return false
	}
	var f *domain.FieldError
	return errors.As(err, &f) && f.Field == field
}
