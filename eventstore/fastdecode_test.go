package eventstore

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"math/rand/v2"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/leerpad/leerpad/domain"
	"github.com/leerpad/leerpad/domain/catalogue"
	"github.com/leerpad/leerpad/domain/cohort"
	"github.com/leerpad/leerpad/domain/feedback"
	"github.com/leerpad/leerpad/domain/journey"
	"github.com/leerpad/leerpad/domain/privacy"
	"github.com/leerpad/leerpad/domain/registry"
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

// eventTypes returns every domain event type by name.
func eventTypes() map[string]domain.EventType {
	out := map[string]domain.EventType{}
	for _, t := range registry.EventTypes() {
		out[t.Name] = t
	}
	return out
}

// checkFast fails when the fast decoder of the event type called name
// accepts payload and its result is not what encoding/json makes of it. It
// reports whether the decoder accepted the payload.
func checkFast(t testing.TB, name string, payload []byte) bool {
	t.Helper()
	typ := eventTypes()[name]
	fast := fastDecoderOf(typ)
	if fast == nil {
		t.Fatalf("%s has no fast decoder", name)
	}
	got, ok := fast(payload)
	if !ok {
		return false
	}
	want, err := typ.Decode(typ.Version, payload)
	if err != nil {
		t.Fatalf("%s: the fast decoder accepted %q, which encoding/json refuses: %v", name, payload, err)
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("%s: the fast decoder read %q as\n%#v\nencoding/json as\n%#v", name, payload, got, want)
	}
	return true
}

// closedSets are the valid values of the domain's closed sets.
func closedSets() map[reflect.Type][]any {
	out := map[reflect.Type][]any{}
	add := func(vals any) {
		v := reflect.ValueOf(vals)
		for i := range v.Len() {
			out[v.Type().Elem()] = append(out[v.Type().Elem()], v.Index(i).Interface())
		}
	}
	add(catalogue.Themes())
	add(catalogue.DidacticForms())
	add(catalogue.Emphases())
	add(catalogue.OrderKinds())
	add(cohort.AttendanceStatuses())
	add(feedback.RoundKinds())
	add(feedback.RaterGroups())
	add(journey.Roles())
	add(journey.Statuses())
	add(journey.Sections())
	add(journey.Choices())
	add(journey.GoalKinds())
	add(journey.Steps())
	add(journey.GoalOutcomes())
	add(journey.Parties())
	add(journey.MeasurementKinds())
	add(journey.Questions())
	add(privacy.Reasons())
	add(privacy.Requesters())
	add(privacy.PersonRoles())
	return out
}

// randomValue fills v with random content: every field set, text with
// characters encoding/json escapes, numbers of every shape, slices nil,
// empty or full.
func randomValue(tb testing.TB, rng *rand.Rand, v reflect.Value, sets map[reflect.Type][]any) {
	tb.Helper()
	if vals, ok := sets[v.Type()]; ok {
		v.Set(reflect.ValueOf(vals[rng.IntN(len(vals))]))
		return
	}
	if v.Type() == reflect.TypeFor[json.RawMessage]() { // JSON kept as it is (cohort.figures_frozen)
		docs := []string{`{}`, `{"journeys":3,"behaviour":[{"n":5,"pre":[1.5,2],"post":[3,4.25]}]}`, `{"a":"é\u2028","b":[null,true,1e21]}`}
		v.Set(reflect.ValueOf(json.RawMessage(docs[rng.IntN(len(docs))])))
		return
	}
	if v.Type() == reflect.TypeFor[time.Time]() {
		t := time.Date(2020+rng.IntN(8), time.Month(1+rng.IntN(12)), 1+rng.IntN(28), rng.IntN(24), rng.IntN(60), rng.IntN(60), 0, time.UTC)
		if rng.IntN(2) == 0 {
			t = t.Add(time.Duration(rng.IntN(1e9)))
		}
		if rng.IntN(4) == 0 {
			t = t.In(time.FixedZone("", 3600*(rng.IntN(25)-12)))
		}
		v.Set(reflect.ValueOf(t))
		return
	}
	switch v.Kind() {
	case reflect.String:
		pieces := []string{"deelnemer", "e\u0301", "é", "ë", "<b>&amp;</b>", `"quoted"`, `back\slash`, "tab\tnew\nline", "\u2028", "😀", " ", "000003ea-0000-4000-8000-00000000001a", ""}
		var b strings.Builder
		for range rng.IntN(6) {
			b.WriteString(pieces[rng.IntN(len(pieces))])
		}
		v.SetString(b.String())
	case reflect.Bool:
		v.SetBool(rng.IntN(2) == 0)
	case reflect.Int, reflect.Int64, reflect.Int32:
		v.SetInt(int64(rng.IntN(2001) - 1000))
	case reflect.Float64, reflect.Float32:
		fs := []float64{0, 1, 12.5, 0.25, -3, 1e-7, 123456789.125, 1e21}
		v.SetFloat(fs[rng.IntN(len(fs))])
	case reflect.Struct:
		for i := range v.NumField() {
			randomValue(tb, rng, v.Field(i), sets)
		}
	case reflect.Pointer: // optional: absent or set
		if rng.IntN(2) == 0 {
			v.SetZero()
			return
		}
		p := reflect.New(v.Type().Elem())
		randomValue(tb, rng, p.Elem(), sets)
		v.Set(p)
	case reflect.Slice:
		switch n := rng.IntN(5); n {
		case 0:
			v.SetZero()
		default:
			v.Set(reflect.MakeSlice(v.Type(), n-1, n-1))
			for i := range n - 1 {
				randomValue(tb, rng, v.Index(i), sets)
			}
		}
	default:
		tb.Fatalf("no random values of %s", v.Type())
	}
}

// randomPayload returns the payload of a random event of type et, as the
// codec writes it.
func randomPayload(tb testing.TB, rng *rand.Rand, et domain.EventType, sets map[reflect.Type][]any) []byte {
	tb.Helper()
	zero, err := et.Decode(et.Version, []byte("{}"))
	if err != nil {
		tb.Fatal(err)
	}
	v := reflect.New(reflect.TypeOf(zero)).Elem()
	randomValue(tb, rng, v, sets)
	c, err := NewCodec([]domain.EventType{et})
	if err != nil {
		tb.Fatal(err)
	}
	_, payload, _, err := c.Encode(v.Interface().(domain.Event))
	if err != nil {
		tb.Fatal(err)
	}
	return payload
}

// TestEveryEventTypeHasAFastDecoder: every domain event type is decoded by
// go-json first (a type left out would fall back to encoding/json silently,
// and rebuilds would be slower).
func TestEveryEventTypeHasAFastDecoder(t *testing.T) {
	for name, et := range eventTypes() {
		if fastDecoderOf(et) == nil {
			t.Errorf("%s has no fast decoder", name)
		}
	}
}

// TestFastDecodersReadWhatTheCodecWrites: for random events of every type
// (every field set, text that needs escapes, numbers of every shape), the
// fast decoder reads the codec's payload, also indented, with exactly
// encoding/json's result; and no prefix or one-byte change of a payload
// gives anything but encoding/json's result.
func TestFastDecodersReadWhatTheCodecWrites(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 10))
	sets := closedSets()
	for name, et := range eventTypes() {
		for i := range 40 {
			payload := randomPayload(t, rng, et, sets)
			if !checkFast(t, name, payload) {
				t.Fatalf("%s: the fast decoder does not read what the codec writes: %s", name, payload)
			}
			var indented bytes.Buffer
			if err := json.Indent(&indented, payload, " ", "\t"); err != nil {
				t.Fatal(err)
			}
			if !checkFast(t, name, indented.Bytes()) {
				t.Fatalf("%s: the fast decoder does not read white space: %s", name, indented.Bytes())
			}
			if i > 0 {
				continue
			}
			for j := range payload {
				checkFast(t, name, payload[:j])
				for _, b := range []byte{' ', '"', '\\', ',', ':', '{', '}', '[', ']', '0', '9', '-', '+', '.', 'e', 'n', 'x', 0x01, 0xff} {
					q := bytes.Clone(payload)
					q[j] = b
					checkFast(t, name, q)
				}
			}
		}
	}
}

// TestFastDecodersMatchEncodingJSON: the fast decoder of the largest
// payload reads every payload the codec writes, with exactly encoding/json's
// result; whatever else it accepts (odd numbers, other key case, repeated
// keys, invalid UTF-8, null) it reads as encoding/json does, and the rest it
// leaves to encoding/json.
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
		fast    bool // valid, so the fast decoder must read it itself
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
		if got := checkFast(t, name, []byte(tc.payload)); tc.fast && !got {
			t.Errorf("the fast decoder left %q to encoding/json", tc.payload)
		}
	}
}

// TestCodecDecodesWithTheFastDecoders: the codec uses the fast
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

// TestFastDecodersEdgeCases: edge cases of nested objects, arrays of
// objects and of closed sets, null and numbers, each read as encoding/json
// reads it or left to it.
func TestFastDecodersEdgeCases(t *testing.T) {
	added := `{"moduleId":"m","content":{"title":"Ik en mezelf","theme":"self","forms":["group-training","intervision"],"hours":14,"learningGoals":[{"id":"g","behaviour":"b"}]},"at":"2024-12-03T09:00:00Z"}`
	evaluated := `{"participantId":"p","deliveryId":"d","moduleId":"m","moduleVersion":1,"scores":[{"questionId":"relevance","score":3}],"comments":"c","at":"2025-02-04T18:00:00Z"}`
	for _, tc := range []struct {
		name, payload string
		fast          bool // valid, so the fast decoder must read it itself
	}{
		{"module.added", added, true},
		{"module.added", strings.Replace(added, `14`, `14.5`, 1), true},
		{"module.added", strings.Replace(added, `14`, `-0.25e+2`, 1), true},
		{"module.added", strings.Replace(added, `14`, `1E3`, 1), true},
		{"module.added", strings.Replace(added, `14`, `1e400`, 1), false},
		{"module.added", strings.Replace(added, `14`, `014`, 1), false},
		{"module.added", strings.Replace(added, `14`, `14.`, 1), false},
		{"module.added", strings.Replace(added, `14`, `.5`, 1), false},
		{"module.added", strings.Replace(added, `14`, `1e`, 1), false},
		{"module.added", strings.Replace(added, `14`, `"14"`, 1), false},
		{"module.added", strings.Replace(added, `"forms":["group-training","intervision"]`, `"forms":null`, 1), true},
		{"module.added", strings.Replace(added, `"forms":["group-training","intervision"]`, `"forms":[]`, 1), true},
		{"module.added", strings.Replace(added, `"intervision"`, `"golf"`, 1), false},
		{"module.added", strings.Replace(added, `"intervision"`, `null`, 1), false},
		{"module.added", strings.Replace(added, `"content":{`, `"content":null,"x":{`, 1), false},
		{"module.added", strings.Replace(added, `{"id":"g","behaviour":"b"}`, `{"id":"g","behaviour":"b"},{},{"id":"h"}`, 1), true},
		{"module.added", strings.Replace(added, `{"id":"g","behaviour":"b"}`, `{"id":"g","id":"h"}`, 1), false},
		{"module.added", strings.Replace(added, `"learningGoals"`, `"LearningGoals"`, 1), false},
		{"module.added", strings.Replace(added, `"at"`, `"at":"2024-12-03T09:00:00Z","at"`, 1), false},
		{"journey.module_evaluated", evaluated, true},
		{"journey.module_evaluated", strings.Replace(evaluated, `"moduleVersion":1`, `"moduleVersion":-7`, 1), true},
		{"journey.module_evaluated", strings.Replace(evaluated, `"moduleVersion":1`, `"moduleVersion":1.0`, 1), false},
		{"journey.module_evaluated", strings.Replace(evaluated, `"moduleVersion":1`, `"moduleVersion":null`, 1), false},
		{"journey.module_evaluated", strings.Replace(evaluated, `"score":3`, `"score":3}, {"questionId":"overall","score":5`, 1), true},
		{"journey.module_evaluated", strings.Replace(evaluated, `"scores":[`, `"scores":[ `, 1) + "\n", true},
		{"journey.module_evaluated", strings.Replace(evaluated, `"scores":[{`, `"scores":[,{`, 1), false},
		{"journey.module_evaluated", strings.Replace(evaluated, `"c"`, `"\u00e9\n"`, 1), true},
		{"journey.module_evaluated", strings.Replace(evaluated, `"relevance"`, `"rel\u0065vance"`, 1), true},
		{"journey.completed", `{"at":"2025-08-03T09:00:00Z"}`, true},
		{"journey.completed", `{"at":null}`, false},
	} {
		if got := checkFast(t, tc.name, []byte(tc.payload)); tc.fast && !got {
			t.Errorf("%s: the fast decoder left %q to encoding/json", tc.name, tc.payload)
		}
	}
}

// FuzzFastDecoders: whatever the input, a fast decoder either leaves it to
// encoding/json or gives encoding/json's result. The first byte picks the
// event type.
func FuzzFastDecoders(f *testing.F) {
	types := eventTypes()
	names := slices.Sorted(maps.Keys(types))
	rng := rand.New(rand.NewPCG(5, 6))
	sets := closedSets()
	for i, name := range names {
		f.Add(append([]byte{byte(i)}, randomPayload(f, rng, types[name], sets)...))
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		if len(in) == 0 {
			return
		}
		checkFast(t, names[int(in[0])%len(names)], in[1:])
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
