package eventstore

import (
	"time"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/leerpad/leerpad/domain"
	"github.com/leerpad/leerpad/domain/feedback"
)

// fastDecoders are hand-written decoders for the payloads that cost a
// rebuild the most with encoding/json (see "Read side" in
// docs/benchmarks.md), by stored event name. Each reads only the JSON the
// codec writes for the type's current schema version: the type's own keys,
// each at most once, strings without escapes, integers without fraction or
// exponent. For anything else it reports false and the codec decodes with
// encoding/json, so the result is always encoding/json's (checked by
// TestFastDecodersMatchEncodingJSON and FuzzFastDecoders).
func fastDecoders() map[string]func([]byte) (domain.Event, bool) {
	return map[string]func([]byte) (domain.Event, bool){
		feedback.ResponseSubmitted{}.EventName(): decodeResponseSubmitted,
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

func decodeAnswers(s *scanner) []feedback.Answer {
	if !s.open('[') {
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
	if !s.open('[') {
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
