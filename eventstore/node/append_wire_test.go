package node

import (
	"bytes"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/EventStore/EventStore-Client-Go/v4/protos/shared"
	"github.com/EventStore/EventStore-Client-Go/v4/protos/streams"
	"google.golang.org/protobuf/proto"
)

// decoded is what the append handler takes from one AppendReq, in a form
// both decoders can be compared in.
type decoded struct {
	Options, Proposed bool
	Stream            string // "<missing>" when the identifier or its name is absent
	Expected          Expected
	Event             ProposedEvent
	EventErr          string
	PayloadSize       int
}

// fromGenerated reads m as the handler did before it decoded the wire format
// itself: through the generated types.
func fromGenerated(m *streams.AppendReq) decoded {
	var d decoded
	if o := m.GetOptions(); o != nil {
		d.Options = true
		d.Stream = "<missing>"
		if n := o.GetStreamIdentifier().GetStreamName(); len(n) > 0 {
			d.Stream = string(n)
		}
		switch v := o.GetExpectedStreamRevision().(type) {
		case *streams.AppendReq_Options_Revision:
			d.Expected = Expected{Kind: ExpectRevision, Revision: v.Revision}
		case *streams.AppendReq_Options_NoStream:
			d.Expected = Expected{Kind: ExpectNoStream}
		case *streams.AppendReq_Options_StreamExists:
			d.Expected = Expected{Kind: ExpectStreamExists}
		default:
			d.Expected = Expected{Kind: ExpectAny}
		}
	}
	if pm := m.GetProposedMessage(); pm != nil {
		d.Proposed = true
		d.PayloadSize = len(pm.GetData()) + len(pm.GetCustomMetadata())
		ev, err := generatedEvent(pm)
		if err != nil {
			d.EventErr = err.Error()
		} else {
			d.Event = ev
		}
	}
	return d
}

func generatedEvent(pm *streams.AppendReq_ProposedMessage) (ProposedEvent, error) {
	var id [16]byte
	u := pm.GetId()
	switch {
	case u == nil:
		return ProposedEvent{}, fmt.Errorf("event id is missing")
	case u.GetStructured() != nil:
		binary.BigEndian.PutUint64(id[:8], uint64(u.GetStructured().GetMostSignificantBits()))
		binary.BigEndian.PutUint64(id[8:], uint64(u.GetStructured().GetLeastSignificantBits()))
	default:
		s := strings.ReplaceAll(u.GetString_(), "-", "")
		if len(s) != 32 {
			return ProposedEvent{}, fmt.Errorf("event id %q is not a UUID", u.GetString_())
		}
		if _, err := hex.Decode(id[:], []byte(s)); err != nil {
			return ProposedEvent{}, fmt.Errorf("event id %q is not a UUID", u.GetString_())
		}
	}
	md := pm.GetMetadata()
	if typ, ok := md["type"]; !ok || typ == "" {
		return ProposedEvent{}, &missingMetadataError{key: "type"}
	}
	if ct, ok := md["content-type"]; !ok || ct == "" {
		return ProposedEvent{}, &missingMetadataError{key: "content-type"}
	}
	return ProposedEvent{ID: id, Type: md["type"], ContentType: md["content-type"], CustomMetadata: pm.GetCustomMetadata(), Data: pm.GetData()}, nil
}

func fromWire(t *testing.T, b []byte) (decoded, error) {
	t.Helper()
	p, err := decodeAppendReq(b)
	if err != nil {
		return decoded{}, err
	}
	d := decoded{Options: p.options, Proposed: p.proposed, PayloadSize: len(p.data) + len(p.custom)}
	if p.options {
		d.Stream = "<missing>"
		if len(p.stream) > 0 {
			d.Stream = string(p.stream)
		}
		d.Expected = p.expected
	}
	if p.proposed {
		ev, err := p.event(0)
		if err != nil {
			d.EventErr = err.Error()
		} else {
			d.Event = ev
		}
	}
	return d, nil
}

// equalDecoded compares two decodings; nil and empty payloads are alike.
func equalDecoded(a, b decoded) bool {
	ae, be := a.Event, b.Event
	if !bytes.Equal(ae.Data, be.Data) || !bytes.Equal(ae.CustomMetadata, be.CustomMetadata) {
		return false
	}
	ae.Data, be.Data, ae.CustomMetadata, be.CustomMetadata = nil, nil, nil, nil
	a.Event, b.Event = ae, be
	// Error texts differ only in the index the handler adds.
	a.EventErr, b.EventErr = strings.Replace(a.EventErr, "event 0: ", "", 1), strings.Replace(b.EventErr, "event 0: ", "", 1)
	return reflect.DeepEqual(a, b)
}

func appendReqCases() []*streams.AppendReq {
	opts := func(name []byte, x any) *streams.AppendReq {
		o := &streams.AppendReq_Options{}
		switch x := x.(type) { // the oneof's interface type is unexported
		case *streams.AppendReq_Options_Revision:
			o.ExpectedStreamRevision = x
		case *streams.AppendReq_Options_NoStream:
			o.ExpectedStreamRevision = x
		case *streams.AppendReq_Options_Any:
			o.ExpectedStreamRevision = x
		case *streams.AppendReq_Options_StreamExists:
			o.ExpectedStreamRevision = x
		}
		if name != nil {
			o.StreamIdentifier = &shared.StreamIdentifier{StreamName: name}
		}
		return &streams.AppendReq{Content: &streams.AppendReq_Options_{Options: o}}
	}
	proposed := func(id *shared.UUID, md map[string]string, custom, data []byte) *streams.AppendReq {
		return &streams.AppendReq{Content: &streams.AppendReq_ProposedMessage_{ProposedMessage: &streams.AppendReq_ProposedMessage{
			Id: id, Metadata: md, CustomMetadata: custom, Data: data}}}
	}
	structured := &shared.UUID{Value: &shared.UUID_Structured_{Structured: &shared.UUID_Structured{MostSignificantBits: -1234567890123, LeastSignificantBits: 987654321}}}
	str := func(s string) *shared.UUID { return &shared.UUID{Value: &shared.UUID_String_{String_: s}} }
	good := map[string]string{"type": "journey.experiment_logged", "content-type": "application/json", "other": "x"}
	return []*streams.AppendReq{
		{},
		opts([]byte("journey-1"), nil),
		opts([]byte("journey-1"), &streams.AppendReq_Options_Revision{Revision: 0}),
		opts([]byte("journey-1"), &streams.AppendReq_Options_Revision{Revision: 1<<63 + 5}),
		opts([]byte("journey-1"), &streams.AppendReq_Options_NoStream{NoStream: &shared.Empty{}}),
		opts([]byte("journey-1"), &streams.AppendReq_Options_Any{Any: &shared.Empty{}}),
		opts([]byte("journey-1"), &streams.AppendReq_Options_StreamExists{StreamExists: &shared.Empty{}}),
		opts([]byte{}, nil),
		opts(nil, &streams.AppendReq_Options_NoStream{NoStream: &shared.Empty{}}),
		opts([]byte("a\x00\xffbinary stream name"), nil),
		proposed(structured, good, []byte(`{"c":1}`), []byte(`{"d":2}`)),
		proposed(structured, good, nil, nil),
		proposed(str("0b6e5fa4-5c3c-4a8e-9d0b-8f2f6a7f4c11"), good, nil, []byte("x")),
		proposed(str("0B6E5FA45C3C4A8E9D0B8F2F6A7F4C11"), good, nil, []byte("x")),
		proposed(str("not-a-uuid"), good, nil, nil),
		proposed(str(""), good, nil, nil),
		proposed(&shared.UUID{}, good, nil, nil),
		proposed(nil, good, nil, nil),
		proposed(structured, map[string]string{"content-type": "application/json"}, nil, nil),
		proposed(structured, map[string]string{"type": "", "content-type": "application/json"}, nil, nil),
		proposed(structured, map[string]string{"type": "t"}, nil, nil),
		proposed(structured, map[string]string{"type": "t", "content-type": ""}, nil, nil),
		proposed(structured, nil, bytes.Repeat([]byte{7}, 5000), bytes.Repeat([]byte{0}, 70000)),
	}
}

func TestAppendReqDecodingMatchesGeneratedCode(t *testing.T) {
	for i, m := range appendReqCases() {
		b, err := proto.Marshal(m)
		if err != nil {
			t.Fatal(err)
		}
		got, err := fromWire(t, b)
		if err != nil {
			t.Fatalf("case %d: %v", i, err)
		}
		if want := fromGenerated(m); !equalDecoded(got, want) {
			t.Fatalf("case %d:\n got %+v\nwant %+v", i, got, want)
		}
	}
}

// Whatever the generated code accepts decodes the same here, and whatever
// this decoder refuses the generated code refuses too. (It may accept a few
// messages the generated code refuses: malformed contents of fields it does
// not use.)
func FuzzAppendReqDecoding(f *testing.F) {
	for _, m := range appendReqCases() {
		b, err := proto.Marshal(m)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	// Repeated fields and oneof members, merged or replaced.
	twice := func(ms ...*streams.AppendReq) []byte {
		var b []byte
		for _, m := range ms {
			mb, err := proto.Marshal(m)
			if err != nil {
				f.Fatal(err)
			}
			b = append(b, mb...)
		}
		return b
	}
	cases := appendReqCases()
	f.Add(twice(cases[2], cases[10]))
	f.Add(twice(cases[10], cases[4]))
	f.Add(twice(cases[10], cases[12]))
	f.Add(twice(cases[8], cases[3]))
	f.Add([]byte{0x0a, 0x80})
	f.Fuzz(func(t *testing.T, b []byte) {
		var m streams.AppendReq
		genErr := proto.Unmarshal(b, &m)
		got, err := fromWire(t, b)
		switch {
		case err != nil && genErr == nil:
			t.Fatalf("refused what the generated code accepts: %v", err)
		case err == nil && genErr == nil:
			if want := fromGenerated(&m); !equalDecoded(got, want) {
				t.Fatalf("\n got %+v\nwant %+v", got, want)
			}
		}
	})
}

func TestAppendSuccessEncodingMatchesGeneratedCode(t *testing.T) {
	for _, res := range []WriteResult{
		{Success: true, Revision: 0, Position: 8},
		{Success: true, Revision: 1<<40 + 3, Position: 1<<50 + 77},
		{Success: true, NoStream: true},
		{Success: true, Revision: 5},
	} {
		success := &streams.AppendResp_Success{}
		if res.NoStream {
			success.CurrentRevisionOption = &streams.AppendResp_Success_NoStream{NoStream: &shared.Empty{}}
		} else {
			success.CurrentRevisionOption = &streams.AppendResp_Success_CurrentRevision{CurrentRevision: res.Revision}
		}
		if res.Position > 0 {
			success.PositionOption = &streams.AppendResp_Success_Position{Position: &streams.AppendResp_Position{
				CommitPosition: uint64(res.Position), PreparePosition: uint64(res.Position)}}
		} else {
			success.PositionOption = &streams.AppendResp_Success_NoPosition{NoPosition: &shared.Empty{}}
		}
		want, err := proto.MarshalOptions{Deterministic: true}.Marshal(&streams.AppendResp{Result: &streams.AppendResp_Success_{Success: success}})
		if err != nil {
			t.Fatal(err)
		}
		if got := encodeAppendSuccess(res).buf.ReadOnlyData(); !bytes.Equal(got, want) {
			t.Fatalf("%+v:\n got %x\nwant %x", res, got, want)
		}
	}
}
