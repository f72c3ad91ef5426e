package usecase

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/leerpad/leerpad/domain"
)

// EnrolmentColumns are the columns of an enrolment upload, named in its
// header row.
var EnrolmentColumns = []string{"participantId", "name", "email", "role", "managerId"}

// ReadEnrolmentCSV reads an enrolment upload (UTF-8, an optional
// byte-order mark, comma or semicolon separated, a header row naming
// EnrolmentColumns) into its rows, each naming its fields by its row number
// (the header is row 1) as rows[<n>].<column>, for Enrol. It checks the
// file's structure only: the rows are Enrol's to check. Both the API's
// upload and the pages' upload form read files with it.
func ReadEnrolmentCSV(body []byte, maxRows int) ([]Enrolee, error) {
	body = bytes.TrimPrefix(body, []byte("\uFEFF"))
	if !utf8.Valid(body) {
		return nil, domain.Validate(domain.Invalid("body", "is not UTF-8: save the file as CSV UTF-8"))
	}
	first, _, _ := bytes.Cut(body, []byte("\n"))
	r := csv.NewReader(bytes.NewReader(body))
	if bytes.Count(first, []byte(";")) > bytes.Count(first, []byte(",")) {
		r.Comma = ';' // spreadsheets in Dutch locales write semicolons
	}
	r.FieldsPerRecord = -1
	records, err := r.ReadAll()
	if err != nil {
		var pe *csv.ParseError
		if errors.As(err, &pe) {
			return nil, domain.Validate(domain.Invalid(fmt.Sprintf("rows[%d]", pe.StartLine), "is not valid CSV: %v", pe.Err))
		}
		return nil, domain.Validate(domain.Invalid("body", "is not valid CSV"))
	}
	if len(records) == 0 {
		return nil, domain.Validate(domain.Invalid("body", "is empty: a header row and at least one row are required"))
	}
	col := map[string]int{}
	var ps []*domain.FieldError
	for i, h := range records[0] {
		col[strings.TrimSpace(h)] = i
	}
	for _, name := range EnrolmentColumns {
		if _, ok := col[name]; !ok {
			ps = append(ps, domain.Invalid("rows[1]."+name, "the header row lacks the column %q", name))
		}
	}
	switch n := len(records) - 1; {
	case n == 0:
		ps = append(ps, domain.Invalid("body", "holds no rows after the header"))
	case n > maxRows:
		ps = append(ps, domain.Invalid("body", "holds %d rows, at most %d are allowed", n, maxRows))
	}
	if err := domain.Validate(ps...); err != nil {
		return nil, err
	}
	get := func(rec []string, name string) string {
		if i := col[name]; i < len(rec) {
			return strings.TrimSpace(rec[i])
		}
		return ""
	}
	rows := make([]Enrolee, 0, len(records)-1)
	for i, rec := range records[1:] {
		rows = append(rows, Enrolee{Field: fmt.Sprintf("rows[%d].", i+2), ParticipantID: get(rec, "participantId"), Name: get(rec, "name"),
			Email: get(rec, "email"), Role: get(rec, "role"), ManagerID: get(rec, "managerId")})
	}
	return rows, nil
}
