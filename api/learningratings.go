package api

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/leerpad/leerpad/domain"
	"github.com/leerpad/leerpad/domain/journey"
)

// Level 2 of impact measurement (leerpad.impact/v1 §3, learning): at the end
// of a module the participant rates, per learning goal of the module version
// delivered, where they stood before it (rated afterwards) and where they
// stand now. The routes are registered with the journey's
// (registerJourneyRoutes).

// maxRatings bounds the ratings of one request: a module version has a
// handful of learning goals.
const maxRatings = 50

// learningRatingRequest rates what the participant learnt at a delivery
// they attended.
type learningRatingRequest struct {
	DeliveryID string            `json:"deliveryId"`
	Ratings    []goalRatingInput `json:"ratings"`
}

// goalRatingInput rates one learning goal, before and now, each 1 to 5.
type goalRatingInput struct {
	LearningGoalID string `json:"learningGoalId"`
	Before         int    `json:"before"`
	Now            int    `json:"now"`
}

// validate checks the length of ratings before it is read; what the
// ratings hold is the domain's to check.
func (r *learningRatingRequest) validate() error {
	return domain.Validate(listLimit("ratings", len(r.Ratings), maxRatings))
}

func learningRatingHref(journeyID, deliveryID string) string {
	return journeyHref(journeyID) + "/learning-ratings/" + deliveryID
}

// handleLearningRatingCreate is POST /v1/journeys/{journeyId}/learning-ratings:
// the participant rates what they learnt at a delivery they attended, once.
func (s *Server) handleLearningRatingCreate(c echo.Context) error {
	var req learningRatingRequest
	id, w, err := s.journeyCommand(c, matchOptional, &req)
	if err != nil {
		return err
	}
	ratings := make([]journey.GoalRating, len(req.Ratings))
	for i, r := range req.Ratings {
		ratings[i] = journey.GoalRating{LearningGoalID: r.LearningGoalID, Before: r.Before, Now: r.Now}
	}
	out, err := s.app.RateLearning(c.Request().Context(), w, journey.RateLearning{JourneyID: id, DeliveryID: req.DeliveryID, Ratings: ratings})
	if err != nil {
		return err
	}
	return wrote(c, http.StatusCreated, out, learningRatingHref(id, req.DeliveryID))
}

// learningRatingResponse is the participant's level 2 ratings of a delivery.
type learningRatingResponse struct {
	JourneyID     string             `json:"journeyId"`
	DeliveryID    string             `json:"deliveryId"`
	ModuleID      string             `json:"moduleId"`
	ModuleVersion int                `json:"moduleVersion"`
	Ratings       []goalRatingOutput `json:"ratings"`
	RatedAt       DateTime           `json:"ratedAt"`
	Revision      uint64             `json:"revision"`
}

// goalRatingOutput is the rating of one learning goal, before and now.
type goalRatingOutput struct {
	LearningGoalID string `json:"learningGoalId"`
	Before         int    `json:"before"`
	Now            int    `json:"now"`
}

// handleLearningRatingGet is GET /v1/journeys/{journeyId}/learning-ratings/{deliveryId}:
// the participant's ratings of a delivery, read from the journey's stream,
// with its revision as ETag; for the participant alone.
func (s *Server) handleLearningRatingGet(c echo.Context) error {
	ids, err := pathIDs(c, "journeyId", "deliveryId")
	if err != nil {
		return err
	}
	p, _ := principalOf(c)
	r, err := s.app.LearningRating(c.Request().Context(), p, ids[0], ids[1])
	if err != nil {
		return err
	}
	return withETag(c, r.Revision, true, learningRatingResponse{JourneyID: ids[0], DeliveryID: r.DeliveryID, ModuleID: r.ModuleID,
		ModuleVersion: r.ModuleVersion, RatedAt: dt(r.At), Revision: r.Revision,
		Ratings: mapAll(r.Ratings, func(g journey.GoalRating) goalRatingOutput {
			return goalRatingOutput{LearningGoalID: g.LearningGoalID, Before: g.Before, Now: g.Now}
		})})
}
