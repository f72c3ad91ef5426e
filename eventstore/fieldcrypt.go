package eventstore

import (
	"bytes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"strings"

	gojson "github.com/goccy/go-json"

	"github.com/leerpad/leerpad/domain"
	"github.com/leerpad/leerpad/eventstore/keystore"
)

// Keys is what the codec needs of the key store (keystore.Store): the data
// key of a person, made on first use when encoding; keystore.ErrErased for a
// person who was forgotten, keystore.ErrNoKey for one without a key.
type Keys interface {
	KeyOrCreate(subject string) (cipher.AEAD, error)
	Key(subject string) (cipher.AEAD, error)
}

// ErrTampered is wrapped by Decode for an encrypted field that does not open
// with its person's key in its place: its bytes were changed, or it was
// moved from another event, field or person. It wraps domain.ErrInvalid.
var ErrTampered = fmt.Errorf("encrypted personal field does not open in its place: %w", domain.ErrInvalid)

// encVersion names the layout of an encrypted field (docs/decisions/0014).
const encVersion = "v1"

// encKey is in the JSON of every encrypted field (an object with the key
// "enc") and in no plain-text string: a string holding these characters is
// stored with its quotes escaped, so a payload without it has nothing to
// decrypt.
var encKey = []byte(`"enc":`)

// envelope is an encrypted personal field as stored in a payload, in place of
// the field's JSON value: {"enc":"v1","kid":<person's id>,"ct":<base64 of the
// 96-bit nonce then the AES-256-GCM ciphertext and tag>}.
type envelope struct {
	Enc string `json:"enc"`
	Kid string `json:"kid"`
	CT  string `json:"ct"`
}

// personalField is a field of an event type tagged personal.
type personalField struct {
	json string       // its JSON name
	role string       // the tag's value: domain.SubjectRole or another role
	kind reflect.Type // its Go type, for the marker of an erased person
}

var (
	stringType  = reflect.TypeOf("")
	stringsType = reflect.TypeOf([]string(nil))
)

// personalFieldsOf returns the fields of t's events tagged personal, by JSON
// name; nil for an event type without any.
func personalFieldsOf(t domain.EventType) map[string]personalField {
	zero, err := t.Decode(t.Version, []byte("{}"))
	if err != nil || zero == nil {
		return nil
	}
	typ := reflect.TypeOf(zero)
	if typ.Kind() != reflect.Struct {
		return nil
	}
	var out map[string]personalField
	for i := 0; i < typ.NumField(); i++ {
		f := typ.Field(i)
		role, ok := f.Tag.Lookup("personal")
		if !ok {
			continue
		}
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if name == "" {
			name = f.Name
		}
		if out == nil {
			out = map[string]personalField{}
		}
		out[name] = personalField{json: name, role: role, kind: f.Type}
	}
	return out
}

// additionalData binds a field's ciphertext to its place: the event name, the
// field and the person. A ciphertext moved to another event type or field, or
// given another kid, does not open; one moved with its kid to another
// person's event opens but is refused by checkOpened.
func additionalData(event, field, subject string) []byte {
	return []byte("leerpad/" + encVersion + "\x00" + event + "\x00" + field + "\x00" + subject)
}

// seal replaces each personal field of payload (the JSON of e) by its
// envelope, encrypted with the key of the field's person.
func (c *Codec) seal(e domain.Event, fields map[string]personalField, payload []byte) ([]byte, error) {
	pd, ok := e.(domain.PersonalData)
	if !ok {
		return nil, fmt.Errorf("%s has personal fields but does not name their person (domain.PersonalData): %w", e.EventName(), domain.ErrInvalid)
	}
	var m map[string]json.RawMessage
	if err := gojson.Unmarshal(payload, &m); err != nil {
		return nil, err
	}
	for name, f := range fields {
		raw, ok := m[name]
		if !ok || bytes.Equal(raw, []byte("null")) {
			continue
		}
		subject := domain.PersonalDataSubjectOf(pd, f.role)
		if subject == "" {
			return nil, fmt.Errorf("field %s belongs to the %s, whom the event does not name: %w", name, f.role, domain.ErrInvalid)
		}
		key, err := c.keys.KeyOrCreate(subject)
		if err != nil {
			return nil, fmt.Errorf("field %s: %w", name, err)
		}
		nonce := make([]byte, key.NonceSize(), key.NonceSize()+len(raw)+key.Overhead())
		if _, err := rand.Read(nonce); err != nil {
			return nil, err
		}
		ct := key.Seal(nonce, nonce, raw, additionalData(e.EventName(), name, subject))
		env, err := json.Marshal(envelope{Enc: encVersion, Kid: subject, CT: base64.StdEncoding.EncodeToString(ct)})
		if err != nil {
			return nil, err
		}
		m[name] = env
	}
	return gojson.Marshal(m)
}

// opened is a field decrypted by open, to check against the decoded event.
type opened struct {
	field, subject string
}

// envelopeStart is how an encrypted field's value starts after its key, as
// seal writes it; inside a JSON string its quotes would be escaped.
var envelopeStart = []byte(`":{"enc":`)

// open replaces each envelope in payload by the field's plain JSON, or by the
// marker of an erased person (domain.Erased) when the person's key is gone.
// It splices the payload where it finds the envelopes as seal writes them,
// and decodes it as a map of fields only when something else is there.
func (c *Codec) open(name string, fields map[string]personalField, payload []byte) ([]byte, []opened, error) {
	if out, done, ok, err := c.openInPlace(name, fields, payload); ok || err != nil {
		return out, done, err
	}
	return c.openFields(name, fields, payload)
}

// openInPlace is open by splicing: ok is false when the payload holds an
// envelope it does not recognise (the caller decodes it field by field).
func (c *Codec) openInPlace(name string, fields map[string]personalField, payload []byte) (out []byte, done []opened, ok bool, err error) {
	out = make([]byte, 0, len(payload))
	rest := payload
	for {
		i := bytes.Index(rest, envelopeStart)
		if i < 0 {
			break
		}
		k := bytes.LastIndexByte(rest[:i], '"')
		if k < 0 {
			return nil, nil, false, nil
		}
		field := string(rest[k+1 : i])
		f, known := fields[field]
		start := i + 2
		end := bytes.IndexByte(rest[start:], '}')
		if !known || end < 0 {
			return nil, nil, false, nil
		}
		raw := rest[start : start+end+1]
		plain, subject, err := c.openField(name, field, f, raw)
		if err != nil {
			return nil, nil, false, err
		}
		if subject != "" {
			done = append(done, opened{field: field, subject: subject})
		}
		out = append(append(out, rest[:start]...), plain...)
		rest = rest[start+end+1:]
	}
	out = append(out, rest...)
	if bytes.Contains(out, encKey) {
		return nil, nil, false, nil // an envelope written otherwise
	}
	return out, done, true, nil
}

// openField returns the plain JSON of one envelope, and the person it was
// encrypted for; the erased marker and no person when their key is gone.
func (c *Codec) openField(name, field string, f personalField, raw []byte) ([]byte, string, error) {
	env, ok := parseEnvelope(raw)
	if !ok || env.Enc != encVersion || keystore.CheckSubject(env.Kid) != nil {
		return nil, "", fmt.Errorf("field %s: %w", field, ErrTampered)
	}
	if c.keys == nil {
		return nil, "", fmt.Errorf("field %s is encrypted and no key store is configured: %w", field, domain.ErrInvalid)
	}
	key, err := c.keys.Key(env.Kid)
	switch {
	case errors.Is(err, keystore.ErrErased), errors.Is(err, keystore.ErrNoKey):
		return erasedValue(f), "", nil
	case err != nil:
		return nil, "", fmt.Errorf("field %s: %w", field, err)
	}
	ct, err := base64.StdEncoding.DecodeString(env.CT)
	if err != nil || len(ct) < key.NonceSize() {
		return nil, "", fmt.Errorf("field %s: %w", field, ErrTampered)
	}
	plain, err := key.Open(nil, ct[:key.NonceSize()], ct[key.NonceSize():], additionalData(name, field, env.Kid))
	if err != nil {
		return nil, "", fmt.Errorf("field %s: %w", field, ErrTampered)
	}
	return plain, env.Kid, nil
}

var (
	envHead = []byte(`{"enc":"` + encVersion + `","kid":"`)
	envMid  = []byte(`","ct":"`)
	envTail = []byte(`"}`)
)

// parseEnvelope reads an envelope as seal writes it without a JSON decoder
// (its kid and ct hold no character JSON escapes), and any other way with one.
func parseEnvelope(raw []byte) (envelope, bool) {
	if rest, ok := bytes.CutPrefix(raw, envHead); ok {
		if kid, ct, ok := bytes.Cut(rest, envMid); ok && bytes.HasSuffix(ct, envTail) && bytes.IndexByte(kid, '\\') < 0 {
			return envelope{Enc: encVersion, Kid: string(kid), CT: string(ct[:len(ct)-len(envTail)])}, true
		}
	}
	var env envelope
	err := json.Unmarshal(raw, &env)
	return env, err == nil
}

// openFields is open by decoding the payload as a map of fields.
func (c *Codec) openFields(name string, fields map[string]personalField, payload []byte) ([]byte, []opened, error) {
	var m map[string]json.RawMessage
	if err := gojson.Unmarshal(payload, &m); err != nil {
		return nil, nil, fmt.Errorf("%w: %w", domain.ErrInvalid, err)
	}
	var done []opened
	for field, raw := range m {
		if len(raw) == 0 || raw[0] != '{' || !bytes.Contains(raw, encKey) {
			continue
		}
		plain, subject, err := c.openField(name, field, fields[field], raw)
		if err != nil {
			return nil, nil, err
		}
		m[field] = plain
		if subject != "" {
			done = append(done, opened{field: field, subject: subject})
		}
	}
	out, err := gojson.Marshal(m)
	if err != nil {
		return nil, nil, fmt.Errorf("%w: %w", domain.ErrInvalid, err)
	}
	return out, done, nil
}

var (
	erasedString  = []byte(`"` + domain.Erased + `"`)
	erasedStrings = []byte(`["` + domain.Erased + `"]`)
	erasedOther   = []byte(`null`)
)

// erasedValue is the JSON an erased person's field decodes from: Erased for
// text, a list holding Erased for a list of texts, and null (the zero value)
// for anything else, such as scores.
func erasedValue(f personalField) []byte {
	switch f.kind {
	case stringType:
		return erasedString
	case stringsType:
		return erasedStrings
	}
	return erasedOther
}

// checkOpened refuses an event whose decrypted fields were encrypted for
// another person than the one the event names in their role: a whole
// envelope copied, kid and all, from another person's event of the same type.
func checkOpened(e domain.Event, fields map[string]personalField, done []opened) error {
	if len(done) == 0 {
		return nil
	}
	pd, ok := e.(domain.PersonalData)
	if !ok {
		return fmt.Errorf("encrypted fields in an event without a person: %w", ErrTampered)
	}
	for _, o := range done {
		f, ok := fields[o.field]
		if !ok {
			continue // a field an upcast renamed or dropped
		}
		if domain.PersonalDataSubjectOf(pd, f.role) != o.subject {
			return fmt.Errorf("field %s: %w", o.field, ErrTampered)
		}
	}
	return nil
}
