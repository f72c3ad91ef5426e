package eventstore

import (
	"reflect"

	gojson "github.com/goccy/go-json"

	"github.com/leerpad/leerpad/domain"
)

// fastDecoder decodes the payload of one event type at its current schema
// version, or reports false.
type fastDecoder func(payload []byte) (domain.Event, bool)

// fastDecoderOf returns the decoder the codec tries first for payloads of t
// at t's current schema version, or nil. encoding/json decodes a payload at
// about 20-40 MB/s, a third of a rebuild's CPU; github.com/goccy/go-json,
// a drop-in replacement that compiles a decoder per type, is about six
// times faster on the domain's events (docs/decisions/0006). On an error
// the codec decodes with encoding/json after all, so a payload is refused,
// and its error worded, by encoding/json alone; TestFastDecodersReadWhatTheCodecWrites,
// TestFastDecodersMatchEncodingJSON and FuzzFastDecoders check that
// whatever go-json accepts it reads as encoding/json does.
func fastDecoderOf(t domain.EventType) fastDecoder {
	zero, err := t.Decode(t.Version, []byte("{}"))
	if err != nil || zero == nil {
		return nil
	}
	typ := reflect.TypeOf(zero)
	return func(payload []byte) (domain.Event, bool) {
		v := reflect.New(typ)
		if err := gojson.Unmarshal(payload, v.Interface()); err != nil {
			return nil, false
		}
		e, ok := v.Elem().Interface().(domain.Event)
		return e, ok
	}
}
