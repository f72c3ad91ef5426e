package node

import (
	"encoding/binary"
	"fmt"
	"strconv"

	"google.golang.org/grpc/encoding"
	"google.golang.org/grpc/mem"
	"google.golang.org/protobuf/encoding/protowire"

	// Registers the proto codec that nodeCodec delegates to.
	_ "google.golang.org/grpc/encoding/proto"
)

// Reads and subscriptions send one message per event, and generic protobuf
// marshalling (reflection, the metadata map, a size pass before the encode
// pass) was the largest cost of a replay on the node's side. So the event
// responses are written straight to wire format here, and a server codec
// passes such pre-encoded messages through unchanged; every other message
// goes through the standard proto codec. The encoding is checked against the
// generated types in wire_test.go.

// preEncoded is a message already in protobuf wire format.
type preEncoded struct{ buf mem.Buffer }

// nodeCodec is the proto codec, except that it sends a *preEncoded as is
// and hands an *appendRequest its message undecoded.
type nodeCodec struct{ proto encoding.CodecV2 }

func newNodeCodec() (nodeCodec, error) {
	c := encoding.GetCodecV2("proto")
	if c == nil {
		return nodeCodec{}, fmt.Errorf("the gRPC proto codec is not registered")
	}
	return nodeCodec{proto: c}, nil
}

func (c nodeCodec) Marshal(v any) (mem.BufferSlice, error) {
	if p, ok := v.(*preEncoded); ok {
		return mem.BufferSlice{p.buf}, nil
	}
	return c.proto.Marshal(v)
}

func (c nodeCodec) Unmarshal(data mem.BufferSlice, v any) error {
	if r, ok := v.(*appendRequest); ok {
		r.b = data.Materialize() //nolint:misspell // grpc's name; the handler's own copy, payloads stay slices of it
		return nil
	}
	return c.proto.Unmarshal(data, v)
}

func (nodeCodec) Name() string { return "proto" }

// Field numbers of streams.proto and shared.proto.
const (
	fReadRespEvent        = 1 // ReadResp.event
	fReadEventEvent       = 1 // ReadResp.ReadEvent.event
	fReadEventCommit      = 3 // ReadResp.ReadEvent.commit_position (oneof position)
	fRecID                = 1 // RecordedEvent.id
	fRecStream            = 2 // RecordedEvent.stream_identifier
	fRecRevision          = 3
	fRecPrepare           = 4
	fRecCommit            = 5
	fRecMetadata          = 6 // map<string, string>
	fRecCustomMetadata    = 7
	fRecData              = 8
	fUUIDStructured       = 1 // UUID.structured (oneof value)
	fUUIDString           = 2 // UUID.string (oneof value)
	fStructuredMost       = 1
	fStructuredLeast      = 2
	fStreamIdentifierName = 3
	fMapKey, fMapValue    = 1, 2
)

// eventEncoder writes ReadResp{event} messages; its scratch buffer is reused
// from event to event (only the final, pooled buffer leaves it).
type eventEncoder struct {
	asString bool
	scratch  []byte
	created  []byte
	pool     mem.BufferPool
}

func newEventEncoder(asString bool) *eventEncoder {
	return &eventEncoder{asString: asString, pool: mem.DefaultBufferPool()}
}

// encode returns the wire form of ReadResp{event: ReadEvent{event: ev,
// commit_position: ev.Position}}.
func (x *eventEncoder) encode(ev *Event) *preEncoded {
	rec := x.recorded(x.scratch[:0], ev)
	x.scratch = rec
	readEventLen := protowire.SizeTag(fReadEventEvent) + protowire.SizeBytes(len(rec)) +
		protowire.SizeTag(fReadEventCommit) + protowire.SizeVarint(ev.Position)
	total := protowire.SizeTag(fReadRespEvent) + protowire.SizeBytes(readEventLen)
	bp := x.pool.Get(total)
	b := (*bp)[:0]
	b = protowire.AppendTag(b, fReadRespEvent, protowire.BytesType)
	b = protowire.AppendVarint(b, uint64(readEventLen))
	b = protowire.AppendTag(b, fReadEventEvent, protowire.BytesType)
	b = protowire.AppendBytes(b, rec)
	// A oneof member is written even when zero.
	b = protowire.AppendTag(b, fReadEventCommit, protowire.VarintType)
	b = protowire.AppendVarint(b, ev.Position)
	*bp = b
	return &preEncoded{buf: mem.NewBuffer(bp, x.pool)}
}

// recorded appends the RecordedEvent message body of ev to b. Scalar fields
// at their zero value are omitted, as proto3 does.
func (x *eventEncoder) recorded(b []byte, ev *Event) []byte {
	b = protowire.AppendTag(b, fRecID, protowire.BytesType)
	if x.asString {
		id := formatUUID(ev.ID)
		b = protowire.AppendVarint(b, uint64(protowire.SizeTag(fUUIDString)+protowire.SizeBytes(len(id))))
		b = protowire.AppendTag(b, fUUIDString, protowire.BytesType)
		b = protowire.AppendString(b, id)
	} else {
		most := binary.BigEndian.Uint64(ev.ID[:8])
		least := binary.BigEndian.Uint64(ev.ID[8:])
		inner := 0
		if most != 0 {
			inner += protowire.SizeTag(fStructuredMost) + protowire.SizeVarint(most)
		}
		if least != 0 {
			inner += protowire.SizeTag(fStructuredLeast) + protowire.SizeVarint(least)
		}
		b = protowire.AppendVarint(b, uint64(protowire.SizeTag(fUUIDStructured)+protowire.SizeBytes(inner)))
		b = protowire.AppendTag(b, fUUIDStructured, protowire.BytesType)
		b = protowire.AppendVarint(b, uint64(inner))
		if most != 0 {
			b = protowire.AppendTag(b, fStructuredMost, protowire.VarintType)
			b = protowire.AppendVarint(b, most) // int64 is encoded as its two's-complement uint64
		}
		if least != 0 {
			b = protowire.AppendTag(b, fStructuredLeast, protowire.VarintType)
			b = protowire.AppendVarint(b, least)
		}
	}
	b = protowire.AppendTag(b, fRecStream, protowire.BytesType)
	if ev.Stream == "" {
		b = protowire.AppendVarint(b, 0)
	} else {
		b = protowire.AppendVarint(b, uint64(protowire.SizeTag(fStreamIdentifierName)+protowire.SizeBytes(len(ev.Stream))))
		b = protowire.AppendTag(b, fStreamIdentifierName, protowire.BytesType)
		b = protowire.AppendString(b, ev.Stream)
	}
	if ev.Revision != 0 {
		b = protowire.AppendTag(b, fRecRevision, protowire.VarintType)
		b = protowire.AppendVarint(b, ev.Revision)
	}
	if ev.Position != 0 {
		b = protowire.AppendTag(b, fRecPrepare, protowire.VarintType)
		b = protowire.AppendVarint(b, ev.Position)
		b = protowire.AppendTag(b, fRecCommit, protowire.VarintType)
		b = protowire.AppendVarint(b, ev.Position)
	}
	// created: .NET ticks since the Unix epoch; the client log.Fatals on
	// anything that is not an integer.
	x.created = strconv.AppendInt(x.created[:0], ev.Created, 10)
	b = appendMapEntry(b, "content-type", []byte(ev.ContentType))
	b = appendMapEntry(b, "created", x.created)
	b = appendMapEntry(b, "type", []byte(ev.Type))
	if len(ev.CustomMetadata) > 0 {
		b = protowire.AppendTag(b, fRecCustomMetadata, protowire.BytesType)
		b = protowire.AppendBytes(b, ev.CustomMetadata)
	}
	if len(ev.Data) > 0 {
		b = protowire.AppendTag(b, fRecData, protowire.BytesType)
		b = protowire.AppendBytes(b, ev.Data)
	}
	return b
}

// appendMapEntry appends one entry of the metadata map. Map entries always
// carry both key and value, as the generated code writes them.
func appendMapEntry(b []byte, key string, value []byte) []byte {
	b = protowire.AppendTag(b, fRecMetadata, protowire.BytesType)
	b = protowire.AppendVarint(b, uint64(protowire.SizeTag(fMapKey)+protowire.SizeBytes(len(key))+
		protowire.SizeTag(fMapValue)+protowire.SizeBytes(len(value))))
	b = protowire.AppendTag(b, fMapKey, protowire.BytesType)
	b = protowire.AppendString(b, key)
	b = protowire.AppendTag(b, fMapValue, protowire.BytesType)
	return protowire.AppendBytes(b, value)
}
