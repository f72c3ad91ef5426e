package api

import (
	"errors"

	"github.com/leerpad/leerpad/domain"
)

// Limits of request fields beyond the domain's own text limits.
const (
	maxListItems = 50   // agreements, values, ids in one request
	maxAnswers   = 200  // 360 answers in one response
	maxCSVRows   = 1000 // rows of one enrolment upload
)

// resourceRef is the answer to a write: the id of what it created or changed and
// where to read it.
type resourceRef struct {
	ID   string `json:"id"`
	Href string `json:"href"`
}

// journeyHref is where a journey is read.
func journeyHref(id string) string { return "/v1/journeys/" + id }

// errAs is errors.As returning the target.
func errAs[T error](err error) (T, bool) {
	var t T
	ok := errors.As(err, &t)
	return t, ok
}

// validationOf wraps a single field error so that the 400 names it.
func validationOf(err error) error {
	if fe, ok := errAs[*domain.FieldError](err); ok {
		return domain.Validate(fe)
	}
	return err
}
