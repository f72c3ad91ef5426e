package api

import (
	"bytes"
	"encoding"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"mime"
	"net"
	"net/http"
	"os"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/labstack/echo/v4"

	"github.com/leerpad/leerpad/domain"
)

// DateTime is a point in time on the wire: RFC 3339 with a time zone
// ("2025-03-14T09:30:00+01:00" or "...Z"), as the design rules require.
// A date-time without a zone is refused, never guessed.
type DateTime struct{ time.Time }

// MarshalJSON writes the time in RFC 3339 with its offset.
func (d DateTime) MarshalJSON() ([]byte, error) {
	return []byte(strconv.Quote(d.Format(time.RFC3339Nano))), nil
}

// UnmarshalJSON reads an RFC 3339 date-time with a time zone.
func (d *DateTime) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return errors.New("must be a date-time string")
	}
	t, reason := parseDateTime(s)
	if reason != "" {
		return errors.New(reason)
	}
	d.Time = t
	return nil
}

// parseDateTime parses an RFC 3339 date-time with a time zone, or says why not.
func parseDateTime(s string) (time.Time, string) {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return time.Time{}, "must be an RFC 3339 date-time with a time zone, e.g. 2025-03-14T09:30:00+01:00"
	}
	return t, ""
}

// dateTimeParam parses a query or path parameter holding a date-time (such
// as a portfolio's "asOf"), and names it in the 400 when it is not RFC 3339
// with a time zone.
func dateTimeParam(name, value string) (time.Time, error) {
	t, reason := parseDateTime(value)
	if reason != "" {
		return time.Time{}, domain.Invalid(name, "%s", reason)
	}
	return t, nil
}

// shaped is implemented by request DTOs that check their own shape after
// binding (lengths, required fields, closed sets). It returns a
// *domain.ValidationError (domain.Validate) naming every invalid field.
type shaped interface {
	validate() error
}

// bindJSON reads the body as one JSON object into dst. It answers 415 for a
// body that is not application/json, 413 above the body limit, 408 when the
// body does not arrive within the server's read timeout, 400 for a body that
// is not valid UTF-8 (encoding/json would silently turn such bytes, and
// unpaired surrogate escapes, into U+FFFD), and 400 with every unknown field,
// every value of the wrong type and every date-time without a zone named by
// its path (e.g. "steps[2].at"); then, when dst checks its shape, 400 with
// every field it names.
func bindJSON(c echo.Context, dst any) error {
	req := c.Request()
	ct := req.Header.Get(echo.HeaderContentType)
	mt, params, err := mime.ParseMediaType(ct)
	if err != nil || mt != echo.MIMEApplicationJSON || (params["charset"] != "" && !strings.EqualFold(params["charset"], "utf-8")) {
		return problemf(errUnsupportedMediaType, "Send the body as application/json (UTF-8).")
	}
	body, err := io.ReadAll(req.Body)
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return tooLarge(mbe.Limit)
		}
		// The http.Server's ReadTimeout ran out while the body trickled in:
		// the connection's read deadline passed, which the client caused.
		var ne net.Error
		if errors.Is(err, os.ErrDeadlineExceeded) || errors.As(err, &ne) && ne.Timeout() {
			return problemf(errRequestTimeout, "The request body did not arrive in time; send it without pausing.")
		}
		return fmt.Errorf("read request body: %w", err)
	}
	if !utf8.Valid(body) {
		return domain.Validate(domain.Invalid("body", "is not valid UTF-8: invalid byte at offset %d", invalidUTF8At(body)))
	}
	var doc any
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	if err := dec.Decode(&doc); err != nil {
		return domain.Validate(domain.Invalid("body", "is not valid JSON: %s", jsonSyntaxReason(err)))
	}
	if _, err := dec.Token(); err != io.EOF {
		return domain.Validate(domain.Invalid("body", "holds more than one JSON value"))
	}
	if _, ok := doc.(map[string]any); !ok {
		return domain.Validate(domain.Invalid("body", "must be a JSON object"))
	}
	if at := unpairedSurrogate(body); at >= 0 {
		return domain.Validate(domain.Invalid("body", "is not valid UTF-8: the escape at byte %d is half of a surrogate pair", at))
	}
	var problems []*domain.FieldError
	checkShape(reflect.TypeOf(dst), doc, "", &problems)
	if len(problems) > 0 {
		return domain.Validate(problems...)
	}
	strict := json.NewDecoder(bytes.NewReader(body))
	strict.DisallowUnknownFields()
	if err := strict.Decode(dst); err != nil {
		// checkShape found nothing, so this is a value a custom decoder
		// refused; name the field when the decoder does.
		var ute *json.UnmarshalTypeError
		if errors.As(err, &ute) && ute.Field != "" {
			return domain.Validate(domain.Invalid(ute.Field, "has the wrong type"))
		}
		return domain.Validate(domain.Invalid("body", "%s", strings.TrimPrefix(err.Error(), "json: ")))
	}
	if s, ok := dst.(shaped); ok {
		return s.validate()
	}
	return nil
}

// invalidUTF8At returns the offset of the first byte of b that is not part
// of valid UTF-8, or -1.
func invalidUTF8At(b []byte) int {
	for i := 0; i < len(b); {
		r, n := utf8.DecodeRune(b[i:])
		if r == utf8.RuneError && n <= 1 {
			return i
		}
		i += n
	}
	return -1
}

// unpairedSurrogate returns the offset of the first \u escape in the JSON
// text b that encodes half of a UTF-16 surrogate pair without the other
// half, or -1. Such an escape names no character; encoding/json would
// decode it as U+FFFD. b is valid JSON, so a backslash appears only inside
// strings and always starts an escape.
func unpairedSurrogate(b []byte) int {
	hex4 := func(i int) (rune, bool) {
		if i+6 > len(b) || b[i] != '\\' || b[i+1] != 'u' {
			return 0, false
		}
		v, err := strconv.ParseUint(string(b[i+2:i+6]), 16, 16)
		return rune(v), err == nil
	}
	for i := 0; i < len(b); i++ {
		if b[i] != '\\' {
			continue
		}
		r, ok := hex4(i)
		if !ok {
			i++ // a two-character escape such as \\ or \"
			continue
		}
		switch {
		case r >= 0xD800 && r < 0xDC00: // high half: a low half must follow
			if lo, ok := hex4(i + 6); !ok || lo < 0xDC00 || lo > 0xDFFF {
				return i
			}
			i += 11
		case r >= 0xDC00 && r <= 0xDFFF: // a low half alone
			return i
		default:
			i += 5
		}
	}
	return -1
}

func jsonSyntaxReason(err error) string {
	var se *json.SyntaxError
	if errors.As(err, &se) {
		return fmt.Sprintf("%s at byte %d", se.Error(), se.Offset)
	}
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return "it ends too early"
	}
	return err.Error()
}

var (
	timeType            = reflect.TypeFor[time.Time]()
	dateTimeType        = reflect.TypeFor[DateTime]()
	jsonUnmarshalerType = reflect.TypeFor[json.Unmarshaler]()
	textUnmarshalerType = reflect.TypeFor[encoding.TextUnmarshaler]()
)

// checkShape walks a decoded JSON value v against the Go type t it will be
// decoded into, and adds a problem for every unknown field and every value
// of the wrong kind, each named by its path. encoding/json stops at the first
// of these; the client should learn all of them at once.
func checkShape(t reflect.Type, v any, path string, problems *[]*domain.FieldError) {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if v == nil {
		return // null leaves the field at its zero value; shape checks decide if that is allowed
	}
	add := func(format string, args ...any) {
		name := path
		if name == "" {
			name = "body"
		}
		*problems = append(*problems, domain.Invalid(name, format, args...))
	}
	switch {
	case t == timeType || t == dateTimeType:
		s, ok := v.(string)
		if !ok {
			add("must be a date-time string")
			return
		}
		if _, reason := parseDateTime(s); reason != "" {
			add("%s", reason)
		}
		return
	case reflect.PointerTo(t).Implements(jsonUnmarshalerType) || t.Implements(jsonUnmarshalerType):
		return // it checks itself while decoding
	case reflect.PointerTo(t).Implements(textUnmarshalerType) || t.Implements(textUnmarshalerType):
		if _, ok := v.(string); !ok {
			add("must be a string")
		}
		return
	}
	switch t.Kind() {
	case reflect.Struct:
		obj, ok := v.(map[string]any)
		if !ok {
			add("must be an object")
			return
		}
		fields := jsonFields(t)
		for _, name := range sortedKeys(obj) {
			ft, ok := fields[name]
			if !ok {
				*problems = append(*problems, domain.Invalid(join(path, name), "is not a known field"))
				continue
			}
			checkShape(ft, obj[name], join(path, name), problems)
		}
	case reflect.Map:
		obj, ok := v.(map[string]any)
		if !ok {
			add("must be an object")
			return
		}
		for _, k := range sortedKeys(obj) {
			checkShape(t.Elem(), obj[k], join(path, k), problems)
		}
	case reflect.Slice, reflect.Array:
		arr, ok := v.([]any)
		if !ok {
			add("must be an array")
			return
		}
		for i, e := range arr {
			checkShape(t.Elem(), e, fmt.Sprintf("%s[%d]", path, i), problems)
		}
	case reflect.String:
		if _, ok := v.(string); !ok {
			add("must be a string")
		}
	case reflect.Bool:
		if _, ok := v.(bool); !ok {
			add("must be true or false")
		}
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		n, ok := v.(json.Number)
		if !ok {
			add("must be an integer")
			return
		}
		if _, err := strconv.ParseInt(n.String(), 10, t.Bits()); err != nil {
			add("must be an integer within range")
		}
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		n, ok := v.(json.Number)
		if !ok {
			add("must be a whole number")
			return
		}
		if _, err := strconv.ParseUint(n.String(), 10, t.Bits()); err != nil {
			add("must be a whole number within range")
		}
	case reflect.Float32, reflect.Float64:
		n, ok := v.(json.Number)
		if !ok {
			add("must be a number")
			return
		}
		if f, err := strconv.ParseFloat(n.String(), t.Bits()); err != nil || math.IsInf(f, 0) {
			add("must be a number within range")
		}
	case reflect.Interface:
		// any value will do
	default:
		add("cannot be set through JSON")
	}
}

// jsonFields maps the JSON names of a struct's fields to their types, as
// encoding/json sees them (tags, "-", embedded structs).
func jsonFields(t reflect.Type) map[string]reflect.Type {
	fields := map[string]reflect.Type{}
	for i := range t.NumField() {
		f := t.Field(i)
		tag := f.Tag.Get("json")
		if tag == "-" {
			continue
		}
		name, _, _ := strings.Cut(tag, ",")
		if f.Anonymous && name == "" {
			et := f.Type
			if et.Kind() == reflect.Pointer {
				et = et.Elem()
			}
			if et.Kind() == reflect.Struct {
				for n, ft := range jsonFields(et) {
					if _, taken := fields[n]; !taken {
						fields[n] = ft
					}
				}
				continue
			}
		}
		if !f.IsExported() {
			continue
		}
		if name == "" {
			name = f.Name
		}
		fields[name] = f.Type
	}
	return fields
}

func join(path, name string) string {
	if path == "" {
		return name
	}
	return path + "." + name
}

func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
