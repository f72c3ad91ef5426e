package journey

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/leerpad/leerpad/domain"
)

// experimentLoggedV1 is the payload of journey.experiment_logged as the first
// release stored it. Version 2 renamed goalId to learningGoalId (module
// learning goals had appeared, and "goal" became ambiguous), renamed
// description to intention (the later steps have their own fields), and turned
// the plannedOn date ("2006-01-02") into the instant plannedFor.
type experimentLoggedV1 struct {
	ParticipantID string    `json:"participantId"`
	ExperimentID  string    `json:"experimentId"`
	GoalID        string    `json:"goalId"`
	Description   string    `json:"description"`
	PlannedOn     string    `json:"plannedOn"`
	At            time.Time `json:"at"`
}

// UpcastExperimentLogged turns a stored journey.experiment_logged payload of
// schema version from into version 2, the shape of ExperimentLogged. The
// event store's codec calls it through the event type; it is pure, and
// returns an error wrapping domain.ErrInvalid for a payload it cannot read.
// A version 1 plannedOn date becomes midnight UTC of that day.
func UpcastExperimentLogged(from int, payload []byte) ([]byte, error) {
	if from != 1 {
		return nil, fmt.Errorf("upcast journey.experiment_logged from version %d: %w", from, domain.ErrInvalid)
	}
	var v1 experimentLoggedV1
	if err := json.Unmarshal(payload, &v1); err != nil {
		return nil, fmt.Errorf("read version 1: %w: %w", domain.ErrInvalid, err)
	}
	var planned time.Time
	if v1.PlannedOn != "" {
		var err error
		if planned, err = time.Parse(time.DateOnly, v1.PlannedOn); err != nil {
			return nil, fmt.Errorf("read version 1 plannedOn: %w: %w", domain.ErrInvalid, err)
		}
	}
	return json.Marshal(ExperimentLogged{
		ParticipantID:  v1.ParticipantID,
		ExperimentID:   v1.ExperimentID,
		LearningGoalID: v1.GoalID,
		Intention:      v1.Description,
		PlannedFor:     planned,
		At:             v1.At,
	})
}
