package node

import (
	"encoding/binary"
	"math"
	"strconv"
	"testing"

	"github.com/EventStore/EventStore-Client-Go/v4/protos/shared"
	"github.com/EventStore/EventStore-Client-Go/v4/protos/streams"
	"google.golang.org/protobuf/proto"
)

// generatedReadResp builds the response of one event with the generated
// types: what the hand-written encoder must be equivalent to.
func generatedReadResp(ev *Event, asString bool) *streams.ReadResp {
	id := &shared.UUID{Value: &shared.UUID_Structured_{Structured: &shared.UUID_Structured{
		MostSignificantBits:  int64(binary.BigEndian.Uint64(ev.ID[:8])),
		LeastSignificantBits: int64(binary.BigEndian.Uint64(ev.ID[8:])),
	}}}
	if asString {
		id = &shared.UUID{Value: &shared.UUID_String_{String_: formatUUID(ev.ID)}}
	}
	return &streams.ReadResp{Content: &streams.ReadResp_Event{Event: &streams.ReadResp_ReadEvent{
		Event: &streams.ReadResp_ReadEvent_RecordedEvent{
			Id:               id,
			StreamIdentifier: &shared.StreamIdentifier{StreamName: []byte(ev.Stream)},
			StreamRevision:   ev.Revision,
			PreparePosition:  ev.Position,
			CommitPosition:   ev.Position,
			Metadata: map[string]string{"type": ev.Type, "content-type": ev.ContentType,
				"created": strconv.FormatInt(ev.Created, 10)},
			CustomMetadata: ev.CustomMetadata,
			Data:           ev.Data,
		},
		Position: &streams.ReadResp_ReadEvent_CommitPosition{CommitPosition: ev.Position},
	}}}
}

func TestEventEncoderMatchesGeneratedCode(t *testing.T) {
	big := make([]byte, 70000)
	for i := range big {
		big[i] = byte(i)
	}
	var negative [16]byte
	for i := range negative {
		negative[i] = 0xff // both halves negative as int64
	}
	for _, tc := range []struct {
		name string
		ev   Event
	}{
		{"typical", Event{ID: [16]byte{1, 2, 3, 4, 5, 6, 0x47, 8, 0x89, 10, 11, 12, 13, 14, 15, 16}, Stream: "journey-3f2a-b9", Revision: 7,
			Position: 1234567, Type: "journey.experiment_logged", ContentType: "application/json", Created: 638_000_000_000_000_000,
			CustomMetadata: []byte(`{"correlationId":"c"}`), Data: []byte(`{"a":1}`)}},
		{"zero revision, no metadata, no data", Event{ID: [16]byte{9}, Stream: "s", Position: 8, Type: "t", ContentType: "application/octet-stream"}},
		{"zero id halves", Event{Stream: "s", Revision: 1, Position: 9, Type: "t", ContentType: "application/json", Created: -5}},
		{"negative id halves, max revision", Event{ID: negative, Stream: "$$s", Revision: math.MaxInt64, Position: math.MaxUint64 - 1,
			Type: "$metadata", ContentType: "application/json", Data: big}},
		{"utf-8 stream name", Event{ID: [16]byte{7}, Stream: "journey-é€", Position: 1, Type: "t", ContentType: "x"}},
	} {
		for _, asString := range []bool{false, true} {
			t.Run(tc.name+map[bool]string{false: "/structured", true: "/string"}[asString], func(t *testing.T) {
				enc := newEventEncoder(asString)
				var got streams.ReadResp
				for range 2 { // the second use of the encoder reuses its scratch buffer
					p := enc.encode(&tc.ev)
					if err := proto.Unmarshal(p.buf.ReadOnlyData(), &got); err != nil {
						t.Fatalf("our bytes do not parse: %v", err)
					}
					p.buf.Free()
				}
				want := generatedReadResp(&tc.ev, asString)
				if !proto.Equal(&got, want) {
					t.Fatalf("decoded\n%v\nwant\n%v", &got, want)
				}
				wantBytes, err := proto.MarshalOptions{Deterministic: true}.Marshal(want)
				if err != nil {
					t.Fatal(err)
				}
				if p := enc.encode(&tc.ev); string(p.buf.ReadOnlyData()) != string(wantBytes) {
					// Equal messages may differ in map order only; the
					// generated deterministic encoding sorts keys as we do.
					t.Fatalf("bytes differ from the generated deterministic encoding")
				}
			})
		}
	}
}
