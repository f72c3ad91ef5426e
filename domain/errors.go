package domain

import (
	"errors"
	"fmt"
	"strings"
)

// The error kinds. Every error the domain returns wraps exactly one of them, so
// callers (the API's error mapping above all) decide with errors.Is alone.
var (
	// ErrInvalid means the input breaks a rule of shape: a missing field, an
	// unknown value of a closed set, a score outside its scale.
	ErrInvalid = errors.New("invalid")
	// ErrNotFound means a stream or an entity inside an aggregate does not exist.
	ErrNotFound = errors.New("not found")
	// ErrConflict means the command does not fit the current state (already
	// done, out of order, closed), or another writer appended first.
	ErrConflict = errors.New("conflict")
	// ErrForbidden means the actor named in the command may not do this.
	ErrForbidden = errors.New("forbidden")
)

// FieldError names one invalid field of a command and why it is invalid. It
// unwraps to ErrInvalid.
type FieldError struct {
	Field  string // the field as the API names it, e.g. "learningGoalId"
	Reason string // what is wrong, e.g. "is required"
}

// Error returns "invalid <field>: <reason>".
func (e *FieldError) Error() string { return "invalid " + e.Field + ": " + e.Reason }

// Unwrap returns ErrInvalid, the kind of every field error.
func (e *FieldError) Unwrap() error { return ErrInvalid }

// Invalid returns a *FieldError for field with a formatted reason.
func Invalid(field, format string, args ...any) *FieldError {
	return &FieldError{Field: field, Reason: fmt.Sprintf(format, args...)}
}

// ValidationError holds every invalid field of one command, so that the API can
// report them all at once (errors.As into *ValidationError). It unwraps to its
// field errors, and through them to ErrInvalid.
type ValidationError struct {
	Fields []*FieldError
}

// Error lists the invalid fields, separated by semicolons.
func (e *ValidationError) Error() string {
	parts := make([]string, len(e.Fields))
	for i, f := range e.Fields {
		parts[i] = f.Error()
	}
	return strings.Join(parts, "; ")
}

// Unwrap returns the field errors.
func (e *ValidationError) Unwrap() []error {
	errs := make([]error, len(e.Fields))
	for i, f := range e.Fields {
		errs[i] = f
	}
	return errs
}

// Validate returns nil when every problem is nil, and otherwise a
// *ValidationError holding the problems that are not nil, in order.
func Validate(problems ...*FieldError) error {
	var v ValidationError
	for _, p := range problems {
		if p != nil {
			v.Fields = append(v.Fields, p)
		}
	}
	if len(v.Fields) == 0 {
		return nil
	}
	return &v
}
