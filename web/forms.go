package web

import (
	"errors"
	"net/http"
	"regexp"
	"strings"

	"github.com/leerpad/leerpad/domain"
)

// form is a form shown again after the use case refused its input: which
// form of the page (ID), what was entered, and the errors, each tied to its
// field by the field's name as the use case names it (the API's name,
// e.g. "learningGoalId"), or General when no field is named.
type form struct {
	ID      string
	Values  map[string]string
	Errors  []fieldError
	General string
}

type fieldError struct {
	Field  string // the field's name
	Reason string // as the use case gives it
}

// fieldState is what a template needs to draw one field of a form: its id,
// its value, its error and the ids that describe it.
type fieldState struct {
	ID        string
	Name      string
	Value     string
	Error     string
	ErrorID   string
	HintID    string
	Described string
}

// Field is the state of field name of form formID on the page: the value
// entered and the error when that form is the one shown again.
func (p *page) Field(formID, name string) fieldState {
	id := formID + "-" + name
	st := fieldState{ID: id, Name: name, HintID: id + "-hint"}
	if p.Form != nil && p.Form.ID == formID {
		st.Value = p.Form.Values[name]
		for _, e := range p.Form.Errors {
			if e.Field == name {
				st.Error = p.reason(e)
				st.ErrorID = id + "-error"
				break
			}
		}
	}
	st.Described = strings.TrimSpace(st.HintID + " " + st.ErrorID)
	return st
}

// FormErrors are the form's errors with the ids of their fields, for the
// error summary.
func (p *page) FormErrors() []fieldState {
	if p.Form == nil {
		return nil
	}
	var out []fieldState
	for _, e := range p.Form.Errors {
		out = append(out, fieldState{ID: p.Form.ID + "-" + e.Field, Name: e.Field, Error: p.T("field."+e.Field) + ": " + p.reason(e)})
	}
	return out
}

// reasonPatterns are the domain's reasons that carry numbers (domain/input.go),
// each with the message key that says it with the same numbers.
var reasonPatterns = []struct {
	re  *regexp.Regexp
	key string
}{
	{regexp.MustCompile(`^holds (\d+) characters, at most (\d+) are allowed$`), "reason.toolong"},
	{regexp.MustCompile(`^must hold at least (\d+) id\(s\)$`), "reason.atleast"},
}

// reason is e's reason in the page's language where the catalogue knows
// it, else as the use case gave it.
func (p *page) reason(e fieldError) string {
	key := "reason." + e.Reason
	if t := p.T(key); t != key {
		return t
	}
	for _, rp := range reasonPatterns {
		if m := rp.re.FindStringSubmatch(e.Reason); m != nil {
			args := make([]any, len(m)-1)
			for i, a := range m[1:] {
				args[i] = a
			}
			return p.T(rp.key, args...)
		}
	}
	return e.Reason
}

// refused turns a use case's refusal of input into the form to show again:
// its field errors (or the error itself as General, for a conflict such as
// a step taken twice). ok is false for any other error, which is the
// page's error.
func refused(err error, id string, values map[string]string) (*form, bool) {
	f := &form{ID: id, Values: values}
	var ve *domain.ValidationError
	var fe *domain.FieldError
	switch {
	case errors.As(err, &ve):
		for _, x := range ve.Fields {
			f.Errors = append(f.Errors, fieldError{Field: x.Field, Reason: x.Reason})
		}
	case errors.As(err, &fe):
		f.Errors = append(f.Errors, fieldError{Field: fe.Field, Reason: fe.Reason})
	case errors.Is(err, domain.ErrInvalid), errors.Is(err, domain.ErrConflict):
		f.General = err.Error()
	default:
		return nil, false
	}
	return f, true
}

// formStatus is the status of a page shown again with a refused form.
func formStatus(f *form) int {
	if len(f.Errors) == 0 && f.General != "" {
		return http.StatusConflict
	}
	return http.StatusBadRequest
}
