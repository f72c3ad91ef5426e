package eventstore_test

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"reflect"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/leerpad/leerpad/domain"
	"github.com/leerpad/leerpad/domain/cohort"
	"github.com/leerpad/leerpad/domain/feedback"
	"github.com/leerpad/leerpad/domain/journey"
	"github.com/leerpad/leerpad/domain/registry"
	"github.com/leerpad/leerpad/eventstore"
	"github.com/leerpad/leerpad/eventstore/keystore"
)

// newKeys opens a key store on a temporary directory with a fresh KEK.
func newKeys(tb testing.TB, dir string) *keystore.Store {
	tb.Helper()
	kek, err := keystore.LoadOrCreateKEK(dir + "-kek/kek")
	if err != nil {
		tb.Fatal(err)
	}
	ks, err := keystore.Open(keystore.Config{Dir: dir, KEK: kek})
	if err != nil {
		tb.Fatal(err)
	}
	return ks
}

func encryptingCodec(tb testing.TB) (*eventstore.Codec, *keystore.Store) {
	tb.Helper()
	plain, err := eventstore.NewCodec(registry.EventTypes())
	if err != nil {
		tb.Fatal(err)
	}
	ks := newKeys(tb, tb.TempDir()+"/keys")
	return plain.WithKeys(ks), ks
}

// encode returns the payload of e; the tests' events are all at version 1
// but experiment_logged, which decode knows.
func encode(tb testing.TB, c *eventstore.Codec, e domain.Event) []byte {
	tb.Helper()
	_, payload, _, err := c.Encode(e)
	if err != nil {
		tb.Fatalf("encode %s: %v", e.EventName(), err)
	}
	return payload
}

func decode(tb testing.TB, c *eventstore.Codec, name string, payload []byte) domain.Event {
	tb.Helper()
	e, err := c.Decode(name, c.Versions()[name], payload)
	if err != nil {
		tb.Fatalf("decode %s: %v", name, err)
	}
	return e
}

var at = time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)

func enrolled(participant string) cohort.ParticipantEnrolled {
	return cohort.ParticipantEnrolled{CohortID: uuid.NewString(), ParticipantID: participant,
		Name: "Fatima el Amrani", Email: "fatima.elamrani@example.org", At: at}
}

func response(rater, participant string) feedback.ResponseSubmitted {
	return feedback.ResponseSubmitted{RoundID: uuid.NewString(), RaterID: rater, ParticipantID: participant, Group: feedback.GroupPeer,
		Answers:  []feedback.Answer{{ItemID: "item-1", Score: 4}, {ItemID: "item-2", NotObserved: true}},
		Comments: []feedback.Comment{{Text: "Luistert goed naar het team"}}, At: at}
}

// The personal fields are stored encrypted (none of their text is in the
// payload), everything else as it was, and the event decodes as it was.
func TestCodecEncryptsPersonalFieldsAndDecodesThem(t *testing.T) {
	c, _ := encryptingCodec(t)
	participant := uuid.NewString()
	for _, e := range []domain.Event{
		enrolled(participant),
		journey.WhyStated{ParticipantID: participant, Why: "Ik wil mensen laten groeien", Values: []string{"eerlijkheid", "moed"}, At: at},
		response(uuid.NewString(), participant),
	} {
		payload := encode(t, c, e)
		for _, secret := range []string{"Fatima", "fatima.elamrani", "groeien", "eerlijkheid", "Luistert", "item-1"} {
			if bytes.Contains(payload, []byte(secret)) {
				t.Errorf("%s: payload holds %q in plain text: %s", e.EventName(), secret, payload)
			}
		}
		if !bytes.Contains(payload, []byte(participant)) {
			t.Errorf("%s: the participant's id is not in the payload: %s", e.EventName(), payload)
		}
		if got := decode(t, c, e.EventName(), payload); !reflect.DeepEqual(got, e) {
			t.Errorf("%s after encode and decode:\n got %#v\nwant %#v", e.EventName(), got, e)
		}
	}
}

// Every event of the registry's stories survives the encrypting codec: this
// is the path every event takes to and from the log.
func TestCodecRoundTripsEveryEventType(t *testing.T) {
	c, _ := encryptingCodec(t)
	for _, e := range []domain.Event{
		journey.ExperimentLogged{ParticipantID: uuid.NewString(), ExperimentID: uuid.NewString(), Intention: "Elke week feedback vragen", At: at},
		journey.ConversationRecorded{ParticipantID: uuid.NewString(), Agreements: []string{"a"}, NextQuestions: nil, At: at},
		feedback.RaterNominated{RoundID: uuid.NewString(), RaterID: uuid.NewString(), Group: feedback.GroupPeer, Name: "Jan", Email: "jan@example.org", At: at},
		feedback.RaterNominated{RoundID: uuid.NewString(), RaterID: uuid.NewString(), Group: feedback.GroupSelf, At: at}, // no name: omitted, nothing to encrypt
	} {
		if got := decode(t, c, e.EventName(), encode(t, c, e)); !reflect.DeepEqual(got, e) {
			t.Errorf("%s after encode and decode:\n got %#v\nwant %#v", e.EventName(), got, e)
		}
	}
}

// A payload written before encryption (plain text) still decodes.
func TestCodecReadsPlainTextPayloads(t *testing.T) {
	plain, err := eventstore.NewCodec(registry.EventTypes())
	if err != nil {
		t.Fatal(err)
	}
	c, _ := encryptingCodec(t)
	e := enrolled(uuid.NewString())
	if got := decode(t, c, e.EventName(), encode(t, plain, e)); !reflect.DeepEqual(got, e) {
		t.Errorf("got %#v, want %#v", got, e)
	}
}

// A field whose bytes were changed does not decode: it is not silently wrong.
func TestCodecRefusesATamperedField(t *testing.T) {
	c, _ := encryptingCodec(t)
	e := enrolled(uuid.NewString())
	m := fields(t, encode(t, c, e))
	env := envelopeOf(t, m["name"])
	ct, _ := base64.StdEncoding.DecodeString(env["ct"])
	ct[len(ct)-1] ^= 1
	env["ct"] = base64.StdEncoding.EncodeToString(ct)
	m["name"] = marshal(t, env)
	if _, err := c.Decode(e.EventName(), 0, marshal(t, m)); !errors.Is(err, eventstore.ErrTampered) || !errors.Is(err, domain.ErrInvalid) {
		t.Fatalf("err = %v, want ErrTampered (ErrInvalid)", err)
	}
}

// A ciphertext cannot be moved: not to another field, not to another person
// (by changing its kid, or with its kid into another person's event), not to
// another event type.
func TestCodecRefusesAMovedCiphertext(t *testing.T) {
	c, _ := encryptingCodec(t)
	alice, bob := uuid.NewString(), uuid.NewString()
	a := fields(t, encode(t, c, enrolled(alice)))
	b := fields(t, encode(t, c, enrolled(bob)))
	name := cohort.ParticipantEnrolled{}.EventName()

	t.Run("to another field", func(t *testing.T) {
		m := fields(t, marshal(t, a))
		m["email"] = a["name"]
		if _, err := c.Decode(name, 0, marshal(t, m)); !errors.Is(err, eventstore.ErrTampered) {
			t.Fatalf("err = %v, want ErrTampered", err)
		}
	})
	t.Run("to another person, kid changed", func(t *testing.T) {
		env := envelopeOf(t, a["name"])
		env["kid"] = bob
		m := fields(t, marshal(t, b))
		m["name"] = marshal(t, env)
		if _, err := c.Decode(name, 0, marshal(t, m)); !errors.Is(err, eventstore.ErrTampered) {
			t.Fatalf("err = %v, want ErrTampered", err)
		}
	})
	t.Run("to another person's event with its kid", func(t *testing.T) {
		m := fields(t, marshal(t, b))
		m["name"] = a["name"]
		if _, err := c.Decode(name, 0, marshal(t, m)); !errors.Is(err, eventstore.ErrTampered) {
			t.Fatalf("err = %v, want ErrTampered", err)
		}
	})
	t.Run("to another event type", func(t *testing.T) {
		why := fields(t, encode(t, c, journey.WhyStated{ParticipantID: alice, Why: "x", Values: []string{"y"}, At: at}))
		why["why"] = a["name"]
		if _, err := c.Decode(journey.WhyStated{}.EventName(), 0, marshal(t, why)); !errors.Is(err, eventstore.ErrTampered) {
			t.Fatalf("err = %v, want ErrTampered", err)
		}
	})
}

// Once a person is forgotten their events still decode, with the marker of
// an erased person in their fields, and new data of theirs is refused.
func TestCodecDecodesAnErasedPersonWithTheMarker(t *testing.T) {
	c, ks := encryptingCodec(t)
	participant := uuid.NewString()
	why := journey.WhyStated{ParticipantID: participant, Why: "Ik wil mensen laten groeien", Values: []string{"eerlijkheid"}, At: at}
	payloads := [][]byte{encode(t, c, enrolled(participant)), encode(t, c, why)}
	if err := ks.Forget(participant); err != nil {
		t.Fatal(err)
	}
	got := decode(t, c, enrolled("").EventName(), payloads[0]).(cohort.ParticipantEnrolled)
	if !domain.IsErased(got.Name) || !domain.IsErased(got.Email) || got.ParticipantID != participant {
		t.Errorf("enrolment of an erased participant = %#v, want name and e-mail %q", got, domain.Erased)
	}
	gotWhy := decode(t, c, why.EventName(), payloads[1]).(journey.WhyStated)
	if !domain.IsErased(gotWhy.Why) || !domain.AnyErased(gotWhy.Values) || !gotWhy.At.Equal(at) {
		t.Errorf("why of an erased participant = %#v, want the marker", gotWhy)
	}
	if _, _, _, err := c.Encode(why); !errors.Is(err, keystore.ErrErased) {
		t.Errorf("encode new data of an erased person: err = %v, want ErrErased", err)
	}
}

// A 360 response is two people's: erasing the rater erases their comments and
// keeps the scores about the participant; erasing the participant erases the
// scores and keeps the rater's comments.
func TestCodecErasesEachPersonOfAResponseAlone(t *testing.T) {
	c, ks := encryptingCodec(t)
	rater, participant := uuid.NewString(), uuid.NewString()
	first, second := response(rater, participant), response(uuid.NewString(), uuid.NewString())
	p1, p2 := encode(t, c, first), encode(t, c, second)
	if err := ks.Forget(rater); err != nil {
		t.Fatal(err)
	}
	got := decode(t, c, first.EventName(), p1).(feedback.ResponseSubmitted)
	if got.Comments != nil || !reflect.DeepEqual(got.Answers, first.Answers) {
		t.Errorf("rater erased: got comments %v and answers %v, want no comments and the answers", got.Comments, got.Answers)
	}
	if err := ks.Forget(second.ParticipantID); err != nil {
		t.Fatal(err)
	}
	got = decode(t, c, second.EventName(), p2).(feedback.ResponseSubmitted)
	if got.Answers != nil || !reflect.DeepEqual(got.Comments, second.Comments) {
		t.Errorf("participant erased: got answers %v and comments %v, want no answers and the comments", got.Answers, got.Comments)
	}
}

// An event that does not name the person of a personal field is refused, not
// written in plain text.
func TestCodecRefusesAFieldWithoutItsPerson(t *testing.T) {
	c, _ := encryptingCodec(t)
	r := response(uuid.NewString(), "")
	if _, _, _, err := c.Encode(r); !errors.Is(err, domain.ErrInvalid) {
		t.Fatalf("err = %v, want ErrInvalid", err)
	}
}

// A codec without keys cannot read encrypted payloads: it says so.
func TestCodecWithoutKeysRefusesEncryptedPayloads(t *testing.T) {
	c, _ := encryptingCodec(t)
	plain, err := eventstore.NewCodec(registry.EventTypes())
	if err != nil {
		t.Fatal(err)
	}
	e := enrolled(uuid.NewString())
	if _, err := plain.Decode(e.EventName(), 0, encode(t, c, e)); !errors.Is(err, domain.ErrInvalid) {
		t.Fatalf("err = %v, want ErrInvalid", err)
	}
}

func fields(tb testing.TB, payload []byte) map[string]json.RawMessage {
	tb.Helper()
	var m map[string]json.RawMessage
	if err := json.Unmarshal(payload, &m); err != nil {
		tb.Fatal(err)
	}
	return m
}

func envelopeOf(tb testing.TB, raw json.RawMessage) map[string]string {
	tb.Helper()
	var env map[string]string
	if err := json.Unmarshal(raw, &env); err != nil {
		tb.Fatalf("%s is not an encrypted field: %v", raw, err)
	}
	return env
}

func marshal(tb testing.TB, v any) []byte {
	tb.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		tb.Fatal(err)
	}
	return b
}
