package eventstore

import (
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/leerpad/leerpad/domain"
	"github.com/leerpad/leerpad/domain/feedback"
)

// sampleResponse is a feedback.response_submitted as the domain records it,
// every field set but the optional ones left out at random.
func sampleResponse(rng *rand.Rand) feedback.ResponseSubmitted {
	groups := feedback.RaterGroups()
	e := feedback.ResponseSubmitted{
		RoundID: fmt.Sprintf("%08x-0000-4000-8000-%012x", rng.Uint32(), rng.Uint64()>>16),
		RaterID: fmt.Sprintf("%08x-0000-4000-8000-%012x", rng.Uint32(), rng.Uint64()>>16),
		Group:   groups[rng.IntN(len(groups))],
		Answers: []feedback.Answer{},
		At:      time.Date(2025, 2, 6, 9, 0, 0, rng.IntN(1e9), time.UTC).Add(time.Duration(rng.IntN(1e6)) * time.Minute),
	}
	for i := range rng.IntN(40) {
		a := feedback.Answer{ItemID: fmt.Sprintf("item-%d", i), Score: 1 + rng.IntN(5)}
		if rng.IntN(6) == 0 {
			a = feedback.Answer{ItemID: a.ItemID, NotObserved: true}
		}
		e.Answers = append(e.Answers, a)
	}
	texts := []string{"Luistert goed", "geeft ruimte, ook als het spannend wordt", "Zegt wat ze denkt — en doet het 😀", "reageert \"direct\"", "tab\there", ""}
	for range rng.IntN(4) {
		c := feedback.Comment{Text: texts[rng.IntN(len(texts))]}
		if rng.IntN(2) == 0 {
			c.CompetencyID = fmt.Sprintf("competency-%d", rng.IntN(6))
		}
		e.Comments = append(e.Comments, c)
	}
	if rng.IntN(10) == 0 {
		e.At = e.At.In(time.FixedZone("CET", 3600))
	}
	return e
}

// checkFast fails when the hand-written decoder of name accepts payload and
// its result is not what encoding/json makes of it. It reports whether the
// decoder accepted the payload.
func checkFast(t testing.TB, name string, payload []byte) bool {
	t.Helper()
	fast := fastDecoders()[name]
	got, ok := fast(payload)
	if !ok {
		return false
	}
	var typ domain.EventType
	for _, et := range feedback.EventTypes() {
		if et.Name == name {
			typ = et
		}
	}
	want, err := typ.Decode(typ.Version, payload)
	if err != nil {
		t.Fatalf("the fast decoder accepted %q, which encoding/json refuses: %v", payload, err)
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("the fast decoder read %q as\n%#v\nencoding/json as\n%#v", payload, got, want)
	}
	return true
}

// TestFastDecodersMatchEncodingJSON: the hand-written decoders read every
// payload the codec writes, with exactly encoding/json's result, and leave
// everything else to encoding/json (or give its result).
func TestFastDecodersMatchEncodingJSON(t *testing.T) {
	name := feedback.ResponseSubmitted{}.EventName()
	rng := rand.New(rand.NewPCG(1, 2))
	var canonical [][]byte
	for range 300 {
		e := sampleResponse(rng)
		payload, err := json.Marshal(e)
		if err != nil {
			t.Fatal(err)
		}
		canonical = append(canonical, payload)
		if !checkFast(t, name, payload) {
			t.Fatalf("the fast decoder does not read what the codec writes: %s", payload)
		}
		indented, _ := json.MarshalIndent(e, " ", "\t")
		if !checkFast(t, name, indented) {
			t.Fatalf("the fast decoder does not read white space: %s", indented)
		}
	}

	// Every prefix and every one-byte change of a payload: never a result
	// that differs from encoding/json's.
	p := canonical[0]
	for i := range p {
		checkFast(t, name, p[:i])
		for _, b := range []byte{' ', '"', '\\', ',', ':', '{', '}', '[', ']', '0', '9', '-', '.', 'e', 'x', 0x01, 0xff} {
			q := []byte(string(p))
			q[i] = b
			checkFast(t, name, q)
		}
	}

	base := `{"roundId":"r","raterId":"x","group":"peer","answers":[{"itemId":"i","score":3},{"itemId":"j","notObserved":true}],"at":"2025-02-06T09:00:00Z"}`
	for _, tc := range []struct {
		payload string
		fast    bool // whether the fast decoder should read it itself
	}{
		{base, true},
		{`{}`, true},
		{`{"answers":[]}`, true},
		{`{"answers":[{}]}`, true},
		{`{"comments":[{"text":"é ü ✓"}]}`, true},
		{`{"score":-0}`, false},
		{`{"answers":[{"score":-0}]}`, true},
		{`{"answers":[{"score":-12}]}`, true},
		{strings.Replace(base, `"roundId"`, `"RoundID"`, 1), false},                     // keys match case-insensitively
		{strings.Replace(base, `"roundId":"r",`, ``, 1) + ` `, true},                    // a key left out
		{strings.Replace(base, `"r"`, `"\u0072\u00e9\u2028\"\\\/\b\f\n\r\t"`, 1), true}, // escapes
		{strings.Replace(base, `"r"`, `"\ud83d\ude00"`, 1), false},                      // a surrogate pair
		{strings.Replace(base, `"r"`, `"\ud83d"`, 1), false},                            // half of one
		{strings.Replace(base, `"r"`, `"\x"`, 1), false},
		{strings.Replace(base, `"r"`, `"\u00g0"`, 1), false},
		{strings.Replace(base, `"peer"`, `"p\u0065er"`, 1), true},
		{strings.Replace(base, `2025-02-06T09:00:00Z`, `2025-02-06T09:00:00\u005a`, 1), false},
		{strings.Replace(base, `"raterId"`, `"roundId":"s","raterId"`, 1), false}, // a key twice
		{strings.Replace(base, `"score":3`, `"score":3,"score":4`, 1), false},
		{strings.Replace(base, `"group":"peer",`, `"extra":{"a":[1,2]},"group":"peer",`, 1), false},
		{strings.Replace(base, `"peer"`, `"friends"`, 1), false},
		{strings.Replace(base, `"peer"`, `""`, 1), true},
		{strings.Replace(base, `"score":3`, `"score":3.0`, 1), false},
		{strings.Replace(base, `"score":3`, `"score":3e0`, 1), false},
		{strings.Replace(base, `"score":3`, `"score":03`, 1), false},
		{strings.Replace(base, `"score":3`, `"score":99999999999999999999`, 1), false},
		{strings.Replace(base, `"score":3`, `"score":"3"`, 1), false},
		{strings.Replace(base, `"score":3`, `"score":null`, 1), false},
		{strings.Replace(base, `"notObserved":true`, `"notObserved":1`, 1), false},
		{strings.Replace(base, `true`, `tru`, 1), false},
		{strings.Replace(base, `"answers":[`, `"answers":null,"x":[`, 1), false},
		{strings.Replace(base, `}],"at"`, `},],"at"`, 1), false}, // trailing comma
		{strings.Replace(base, `2025-02-06T09:00:00Z`, `2025-02-06 09:00:00`, 1), false},
		{strings.Replace(base, `2025-02-06T09:00:00Z`, `2025-02-06T09:00:00+01:00`, 1), true},
		{base + `x`, false},
		{base + ` {}`, false},
		{`[]`, false},
		{`null`, false},
		{"\xef\xbb\xbf" + base, false},
		{strings.Replace(base, `"x"`, "\"\xff\"", 1), false}, // invalid UTF-8
		{strings.Replace(base, `"x"`, "\"a\x01\"", 1), false},
	} {
		if got := checkFast(t, name, []byte(tc.payload)); got != tc.fast {
			t.Errorf("fast decoder read %q: %v, want %v", tc.payload, got, tc.fast)
		}
	}
}

// TestCodecDecodesWithTheFastDecoders: the codec uses the hand-written
// decoder at the current schema version (a payload without one is version
// 1) and gives encoding/json's result and error otherwise.
func TestCodecDecodesWithTheFastDecoders(t *testing.T) {
	c, err := NewCodec(feedback.EventTypes())
	if err != nil {
		t.Fatal(err)
	}
	e := sampleResponse(rand.New(rand.NewPCG(3, 4)))
	payload, _ := json.Marshal(e)
	for _, v := range []int{0, 1} {
		got, err := c.Decode(e.EventName(), v, payload)
		if err != nil || !reflect.DeepEqual(got, e) {
			t.Fatalf("version %d: %#v, %v, want %#v", v, got, err, e)
		}
	}
	if _, err := c.Decode(e.EventName(), 2, payload); err == nil {
		t.Error("a schema version newer than the type's decodes")
	}
	bad := []byte(`{"roundId":"r","group":"friends"}`)
	if _, err := c.Decode(e.EventName(), 1, bad); !errors.Is(err, domain.ErrInvalid) {
		t.Errorf("an unknown rater group: %v, want ErrInvalid", err)
	}
}

// FuzzFastDecoders: whatever the input, a hand-written decoder either
// leaves it to encoding/json or gives encoding/json's result.
func FuzzFastDecoders(f *testing.F) {
	rng := rand.New(rand.NewPCG(5, 6))
	for range 5 {
		p, _ := json.Marshal(sampleResponse(rng))
		f.Add(p)
	}
	f.Add([]byte(`{"answers":[{"itemId":"i","score":3}],"comments":[{"text":"x"}]}`))
	f.Fuzz(func(t *testing.T, payload []byte) {
		checkFast(t, feedback.ResponseSubmitted{}.EventName(), payload)
	})
}

// BenchmarkDecodeResponseSubmitted compares the codec's decoding of a
// feedback.response_submitted of 30 answers with encoding/json's.
func BenchmarkDecodeResponseSubmitted(b *testing.B) {
	e := sampleResponse(rand.New(rand.NewPCG(7, 8)))
	e.Answers, e.Comments = e.Answers[:0], nil
	for i := range 30 {
		e.Answers = append(e.Answers, feedback.Answer{ItemID: fmt.Sprintf("000003ea-0000-4000-8000-%012x", i), Score: 1 + i%5})
	}
	payload, _ := json.Marshal(e)
	c, err := NewCodec(feedback.EventTypes())
	if err != nil {
		b.Fatal(err)
	}
	b.Run("codec", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := c.Decode(e.EventName(), 1, payload); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("encoding-json", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			var v feedback.ResponseSubmitted
			if err := json.Unmarshal(payload, &v); err != nil {
				b.Fatal(err)
			}
		}
	})
}
