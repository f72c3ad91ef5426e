package eventstore

import (
	"encoding"
	"encoding/json"
	"reflect"
	"strconv"
	"strings"
	"time"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/leerpad/leerpad/domain"
	"github.com/leerpad/leerpad/domain/feedback"
)

// fastDecoder decodes the payload of one event type at its current schema
// version without encoding/json, or reports false.
type fastDecoder func(payload []byte) (domain.Event, bool)

// fastDecoderOf returns the decoder the codec tries first for payloads of t
// at t's current schema version, or nil. encoding/json decodes a payload
// for a rebuild at about 20-40 MB/s; these decoders read only the JSON the
// codec writes (the type's own keys, each at most once; strings, numbers,
// booleans, arrays and objects as encoding/json writes them) and report
// false for anything else, so that the codec then decodes with
// encoding/json and the result is always encoding/json's (checked by
// TestFastDecodersMatchEncodingJSON and FuzzFastDecoders). The largest and
// most frequent payload of a rebuild, feedback.response_submitted, has a
// hand-written decoder; every other type a plan built by reflection.
func fastDecoderOf(t domain.EventType) fastDecoder {
	if t.Name == (feedback.ResponseSubmitted{}).EventName() {
		return decodeResponseSubmitted
	}
	zero, err := t.Decode(t.Version, []byte("{}"))
	if err != nil || zero == nil {
		return nil
	}
	typ := reflect.TypeOf(zero)
	p := newPlan(typ, map[reflect.Type]bool{})
	if p == nil {
		return nil
	}
	return func(payload []byte) (domain.Event, bool) {
		s := scanner{b: payload}
		v := reflect.New(typ).Elem()
		p.decode(&s, v)
		if !s.end() {
			return nil, false
		}
		e, ok := v.Interface().(domain.Event)
		return e, ok
	}
}

func decodeResponseSubmitted(p []byte) (domain.Event, bool) {
	var e feedback.ResponseSubmitted
	s := scanner{b: p}
	var seen uint8
	for first := true; s.member('{', '}', &first); {
		key := s.key()
		var bit uint8
		switch string(key) {
		case "roundId":
			bit, e.RoundID = 1, s.str()
		case "raterId":
			bit, e.RaterID = 2, s.str()
		case "group":
			bit = 4
			if g, _ := s.text(); !s.bad && e.Group.UnmarshalText(g) != nil {
				s.bad = true
			}
		case "answers":
			bit, e.Answers = 8, decodeAnswers(&s)
		case "comments":
			bit, e.Comments = 16, decodeComments(&s)
		case "at":
			bit, e.At = 32, s.time()
		default:
			return nil, false
		}
		if seen&bit != 0 {
			return nil, false
		}
		seen |= bit
	}
	if !s.end() {
		return nil, false
	}
	return e, true
}

// A plan decodes JSON into one struct type without encoding/json, for the
// simple structs domain events are made of: exported, named fields (no
// embedding, no ",string", no "-") of kinds string, bool, int, float, of
// types decoding themselves from a JSON string with UnmarshalText (closed
// sets), time.Time, structs of the same kind, and slices of these. A type
// with anything else has no plan.
type plan struct {
	fields []fieldPlan
}

type fieldPlan struct {
	name  string // the JSON key
	index int
	dec   valueDecoder
}

// valueDecoder reads one JSON value into v (settable), or sets s.bad.
type valueDecoder func(s *scanner, v reflect.Value)

var (
	textUnmarshalerType = reflect.TypeFor[encoding.TextUnmarshaler]()
	jsonUnmarshalerType = reflect.TypeFor[json.Unmarshaler]()
	timeType            = reflect.TypeFor[time.Time]()
)

// newPlan returns the plan of struct type t, or nil when t is not simple
// enough. building holds the types whose plans are being built (recursive
// types have none).
func newPlan(t reflect.Type, building map[reflect.Type]bool) *plan {
	if t.Kind() != reflect.Struct || building[t] {
		return nil
	}
	building[t] = true
	defer delete(building, t)
	p := &plan{}
	if t.NumField() > 64 {
		return nil // seen is a uint64
	}
	names := map[string]bool{}
	for i := range t.NumField() {
		f := t.Field(i)
		if f.Anonymous || !f.IsExported() {
			return nil
		}
		name, opts, _ := strings.Cut(f.Tag.Get("json"), ",")
		if name == "-" || strings.Contains(","+opts+",", ",string,") {
			return nil
		}
		if name == "" {
			name = f.Name
		}
		if !plainKey(name) || names[name] {
			return nil
		}
		names[name] = true
		dec := decoderFor(f.Type, building)
		if dec == nil {
			return nil
		}
		p.fields = append(p.fields, fieldPlan{name: name, index: i, dec: dec})
	}
	return p
}

// plainKey reports whether name is made of letters, digits and underscores
// only: a key encoding/json takes as it is.
func plainKey(name string) bool {
	for _, c := range name {
		letter := c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
		if !letter && c != '_' && (c < '0' || c > '9') {
			return false
		}
	}
	return name != ""
}

// decoderFor returns the decoder of values of type t, or nil.
func decoderFor(t reflect.Type, building map[reflect.Type]bool) valueDecoder {
	if t == timeType {
		return decodeTime
	}
	pt := reflect.PointerTo(t)
	if t.Implements(jsonUnmarshalerType) || pt.Implements(jsonUnmarshalerType) {
		return nil
	}
	if pt.Implements(textUnmarshalerType) {
		if t.Implements(textUnmarshalerType) {
			return nil // a value receiver: encoding/json's rules differ
		}
		return decodeText
	}
	switch t.Kind() {
	case reflect.String:
		return decodeString
	case reflect.Bool:
		return decodeBool
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return decodeInt
	case reflect.Float32, reflect.Float64:
		return decodeFloat
	case reflect.Struct:
		p := newPlan(t, building)
		if p == nil {
			return nil
		}
		return p.decode
	case reflect.Slice:
		elem := decoderFor(t.Elem(), building)
		if elem == nil || t.Elem().Kind() == reflect.Uint8 { // []byte is base64
			return nil
		}
		return func(s *scanner, v reflect.Value) { decodeSlice(s, v, elem) }
	default:
		return nil // maps, pointers, interfaces, unsigned integers...: encoding/json's
	}
}

// decode reads a JSON object into v, a fresh (zero) struct of the plan's
// type: each key of the plan at most once, no other key.
func (p *plan) decode(s *scanner, v reflect.Value) {
	var seen uint64
	for first := true; s.member('{', '}', &first); {
		key := s.key()
		f := p.field(key)
		if f < 0 || seen&(1<<f) != 0 {
			s.bad = true
			return
		}
		seen |= 1 << f
		fp := &p.fields[f]
		fp.dec(s, v.Field(fp.index))
	}
}

func (p *plan) field(key []byte) int {
	for i := range p.fields {
		if p.fields[i].name == string(key) {
			return i
		}
	}
	return -1
}

func decodeString(s *scanner, v reflect.Value) { v.SetString(s.str()) }

func decodeBool(s *scanner, v reflect.Value) { v.SetBool(s.boolean()) }

func decodeInt(s *scanner, v reflect.Value) {
	n := int64(s.int())
	if !s.bad && v.OverflowInt(n) {
		s.bad = true
		return
	}
	v.SetInt(n)
}

func decodeFloat(s *scanner, v reflect.Value) {
	lit := s.number()
	if s.bad {
		return
	}
	f, err := strconv.ParseFloat(string(lit), v.Type().Bits())
	if err != nil || v.OverflowFloat(f) {
		s.bad = true
		return
	}
	v.SetFloat(f)
}

func decodeTime(s *scanner, v reflect.Value) {
	t := s.time()
	if !s.bad {
		*v.Addr().Interface().(*time.Time) = t
	}
}

// decodeText reads a string into a value that decodes itself from text, as
// encoding/json does: unescaped, then UnmarshalText.
func decodeText(s *scanner, v reflect.Value) {
	b, _ := s.text()
	if s.bad {
		return
	}
	if err := v.Addr().Interface().(encoding.TextUnmarshaler).UnmarshalText(b); err != nil {
		s.bad = true
	}
}

// decodeSlice reads an array, or null (a nil slice), as encoding/json does:
// an empty array is an empty slice, not nil.
func decodeSlice(s *scanner, v reflect.Value, elem valueDecoder) {
	if s.null() {
		v.SetZero()
		return
	}
	if !s.open('[') {
		return
	}
	if v.IsNil() {
		v.Set(reflect.MakeSlice(v.Type(), 0, 4))
	}
	n := 0
	for first := true; s.member(0, ']', &first); n++ {
		if n == v.Cap() {
			grown := reflect.MakeSlice(v.Type(), n, 2*n)
			reflect.Copy(grown, v)
			v.Set(grown)
		}
		v.SetLen(n + 1)
		elem(s, v.Index(n))
	}
	v.SetLen(n)
}

func decodeAnswers(s *scanner) []feedback.Answer {
	if s.null() || !s.open('[') {
		return nil
	}
	out := make([]feedback.Answer, 0, 32)
	for first := true; s.member(0, ']', &first); {
		var a feedback.Answer
		var seen uint8
		for firstKey := true; s.member('{', '}', &firstKey); {
			key := s.key()
			var bit uint8
			switch string(key) {
			case "itemId":
				bit, a.ItemID = 1, s.str()
			case "score":
				bit, a.Score = 2, s.int()
			case "notObserved":
				bit, a.NotObserved = 4, s.boolean()
			default:
				s.bad = true
			}
			if seen&bit != 0 {
				s.bad = true
			}
			seen |= bit
		}
		if s.bad {
			return nil
		}
		out = append(out, a)
	}
	return out
}

func decodeComments(s *scanner) []feedback.Comment {
	if s.null() || !s.open('[') {
		return nil
	}
	out := make([]feedback.Comment, 0, 4)
	for first := true; s.member(0, ']', &first); {
		var c feedback.Comment
		var seen uint8
		for firstKey := true; s.member('{', '}', &firstKey); {
			key := s.key()
			var bit uint8
			switch string(key) {
			case "competencyId":
				bit, c.CompetencyID = 1, s.str()
			case "text":
				bit, c.Text = 2, s.str()
			default:
				s.bad = true
			}
			if seen&bit != 0 {
				s.bad = true
			}
			seen |= bit
		}
		if s.bad {
			return nil
		}
		out = append(out, c)
	}
	return out
}

// scanner reads JSON as the codec writes it. Once something is not as
// expected it sets bad, every later call returns a zero value, and the
// caller gives up.
type scanner struct {
	b   []byte
	i   int
	bad bool
}

func (s *scanner) space() {
	for s.i < len(s.b) {
		switch s.b[s.i] {
		case ' ', '\t', '\n', '\r':
			s.i++
		default:
			return
		}
	}
}

// open reads the byte c, after white space.
func (s *scanner) open(c byte) bool {
	if s.bad {
		return false
	}
	s.space()
	if s.i >= len(s.b) || s.b[s.i] != c {
		s.bad = true
		return false
	}
	s.i++
	return true
}

// member reads up to the next member of an object or element of an array:
// the opening byte (when not 0) before the first, a comma before the others.
// It reports false at the closing byte, which it consumes, and when bad.
func (s *scanner) member(open, close byte, first *bool) bool {
	if s.bad {
		return false
	}
	if *first && open != 0 && !s.open(open) {
		return false
	}
	s.space()
	if s.i < len(s.b) && s.b[s.i] == close {
		s.i++
		return false
	}
	if !*first && !s.open(',') {
		return false
	}
	*first = false
	return true
}

// key reads an object key and the colon after it.
func (s *scanner) key() []byte {
	k, _ := s.text()
	if !s.open(':') {
		return nil
	}
	return k
}

// text reads a string in valid UTF-8 and returns its bytes, unescaped as
// encoding/json does, and whether it held escapes. Escaped UTF-16
// surrogates, which encoding/json pairs or replaces, are left to it.
func (s *scanner) text() (t []byte, escaped bool) {
	if !s.open('"') {
		return nil, false
	}
	start := s.i
	ascii := true
	for ; s.i < len(s.b); s.i++ {
		switch c := s.b[s.i]; {
		case c == '"':
			t = s.b[start:s.i]
			s.i++
			if !ascii && !utf8.Valid(t) {
				s.bad = true // encoding/json replaces invalid bytes
				return nil, false
			}
			return t, false
		case c == '\\':
			return s.unescape(start), true
		case c < 0x20:
			s.bad = true
			return nil, false
		case c >= utf8.RuneSelf:
			ascii = false
		}
	}
	s.bad = true
	return nil, false
}

// unescape reads the rest of a string that started at start and holds an
// escape at s.i, into a new slice.
func (s *scanner) unescape(start int) []byte {
	out := make([]byte, s.i-start, s.i-start+16)
	copy(out, s.b[start:s.i])
	for s.i < len(s.b) {
		c := s.b[s.i]
		switch {
		case c == '"':
			s.i++
			if !utf8.Valid(out) {
				s.bad = true
				return nil
			}
			return out
		case c < 0x20:
			s.bad = true
			return nil
		case c != '\\':
			out = append(out, c)
			s.i++
			continue
		}
		if s.i+1 >= len(s.b) {
			break
		}
		e := s.b[s.i+1]
		s.i += 2
		switch e {
		case '"', '\\', '/':
			out = append(out, e)
		case 'b':
			out = append(out, '\b')
		case 'f':
			out = append(out, '\f')
		case 'n':
			out = append(out, '\n')
		case 'r':
			out = append(out, '\r')
		case 't':
			out = append(out, '\t')
		case 'u':
			r := rune(0)
			for k := 0; k < 4; k++ {
				if s.i >= len(s.b) {
					s.bad = true
					return nil
				}
				h := s.b[s.i]
				s.i++
				switch {
				case h >= '0' && h <= '9':
					h -= '0'
				case h >= 'a' && h <= 'f':
					h -= 'a' - 10
				case h >= 'A' && h <= 'F':
					h -= 'A' - 10
				default:
					s.bad = true
					return nil
				}
				r = r<<4 | rune(h)
			}
			if utf16.IsSurrogate(r) {
				s.bad = true
				return nil
			}
			out = utf8.AppendRune(out, r)
		default:
			s.bad = true
			return nil
		}
	}
	s.bad = true
	return nil
}

func (s *scanner) str() string {
	t, _ := s.text()
	return string(t)
}

// int reads an integer (-?(0|[1-9][0-9]*)) of at most 9 digits, which fits
// an int everywhere.
func (s *scanner) int() int {
	if s.bad {
		return 0
	}
	s.space()
	neg := s.i < len(s.b) && s.b[s.i] == '-'
	if neg {
		s.i++
	}
	start, n := s.i, 0
	for ; s.i < len(s.b) && s.b[s.i] >= '0' && s.b[s.i] <= '9'; s.i++ {
		n = n*10 + int(s.b[s.i]-'0')
	}
	digits := s.i - start
	if digits == 0 || digits > 9 || (s.b[start] == '0' && digits > 1) {
		s.bad = true
		return 0
	}
	if s.i < len(s.b) && (s.b[s.i] == '.' || s.b[s.i] == 'e' || s.b[s.i] == 'E') {
		s.bad = true
		return 0
	}
	if neg {
		return -n
	}
	return n
}

// null reads the literal null, when that comes next.
func (s *scanner) null() bool {
	if s.bad {
		return false
	}
	s.space()
	if len(s.b)-s.i >= 4 && string(s.b[s.i:s.i+4]) == "null" {
		s.i += 4
		return true
	}
	return false
}

// number reads a JSON number and returns its text.
func (s *scanner) number() []byte {
	if s.bad {
		return nil
	}
	s.space()
	start := s.i
	digits := func() int {
		n := 0
		for ; s.i < len(s.b) && s.b[s.i] >= '0' && s.b[s.i] <= '9'; s.i++ {
			n++
		}
		return n
	}
	if s.i < len(s.b) && s.b[s.i] == '-' {
		s.i++
	}
	intStart := s.i
	if n := digits(); n == 0 || (n > 1 && s.b[intStart] == '0') {
		s.bad = true
		return nil
	}
	if s.i < len(s.b) && s.b[s.i] == '.' {
		s.i++
		if digits() == 0 {
			s.bad = true
			return nil
		}
	}
	if s.i < len(s.b) && (s.b[s.i] == 'e' || s.b[s.i] == 'E') {
		s.i++
		if s.i < len(s.b) && (s.b[s.i] == '+' || s.b[s.i] == '-') {
			s.i++
		}
		if digits() == 0 {
			s.bad = true
			return nil
		}
	}
	return s.b[start:s.i]
}

func (s *scanner) boolean() bool {
	if s.bad {
		return false
	}
	s.space()
	rest := s.b[s.i:]
	switch {
	case len(rest) >= 4 && string(rest[:4]) == "true":
		s.i += 4
		return true
	case len(rest) >= 5 && string(rest[:5]) == "false":
		s.i += 5
		return false
	}
	s.bad = true
	return false
}

// time reads a string as time.Time's UnmarshalJSON does (RFC 3339). That
// does not unescape, so a string with escapes is left to it.
func (s *scanner) time() time.Time {
	var t time.Time
	if b, escaped := s.text(); !s.bad && (escaped || t.UnmarshalText(b) != nil) {
		s.bad = true
	}
	return t
}

// end reports whether the input was read without trouble up to its end
// (white space aside).
func (s *scanner) end() bool {
	if s.bad {
		return false
	}
	s.space()
	return s.i == len(s.b)
}
