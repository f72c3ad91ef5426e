package node

import (
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"strings"
	"unicode/utf8"

	"google.golang.org/grpc/mem"
	"google.golang.org/protobuf/encoding/protowire"
)

// Appends are the node's hot path, and generic protobuf decoding of
// AppendReq (reflection, the generated structs, a map for two metadata
// values, a copy of every payload) was its largest cost in the node's own
// code. So the append handler receives each AppendReq as bytes and decodes
// the fields it uses itself, with the semantics of the generated code (the
// last member of a oneof wins, unknown fields are skipped, strings must be
// UTF-8); payloads stay slices of the received message. The success answer
// is written straight to wire format too. append_wire_test.go checks both
// against the generated types.

// appendRequest is one AppendReq in wire format, as nodeCodec hands it over.
type appendRequest struct{ b []byte }

// Field numbers of streams.proto (AppendReq, AppendResp) and shared.proto.
const (
	fAppendOptions       = 1 // AppendReq.options (oneof content)
	fAppendProposed      = 2 // AppendReq.proposed_message (oneof content)
	fOptionsStream       = 1 // Options.stream_identifier
	fOptionsRevision     = 2 // Options.revision (oneof expected_stream_revision)
	fOptionsNoStream     = 3
	fOptionsAny          = 4
	fOptionsStreamExists = 5
	fProposedID          = 1
	fProposedMetadata    = 2 // map<string, string>
	fProposedCustom      = 3
	fProposedData        = 4
	fRespSuccess         = 1 // AppendResp.success
	fSuccessRevision     = 1 // Success.current_revision (oneof)
	fSuccessNoStream     = 2 // Success.no_stream (oneof)
	fSuccessPosition     = 3 // Success.position (oneof)
	fSuccessNoPosition   = 4 // Success.no_position (oneof)
	fPositionCommit      = 1
	fPositionPrepare     = 2
)

// appendPart is what one AppendReq carries: options, a proposed event, or
// (an empty message) neither.
type appendPart struct {
	options  bool
	stream   []byte // options: the stream name; nil if the identifier is missing
	expected Expected

	proposed    bool
	idSet       bool   // the id field is present
	idKind      idKind // which member of the UUID's oneof was set
	most, least uint64 // structured id
	idString    string // string id
	typ, ctype  string
	hasType     bool
	hasCType    bool
	custom      []byte
	data        []byte
}

// idKind is the member of shared.UUID's oneof a proposed event's id used.
type idKind int

const (
	idNeither idKind = iota
	idStructured
	idText
)

var errMalformedAppend = &InvalidError{Reason: "malformed append request"}

// decodeAppendReq decodes one AppendReq. Like the generated code, it merges
// repeated occurrences of a message field, and a oneof member replaces the
// other.
func decodeAppendReq(b []byte) (appendPart, error) {
	var p appendPart
	err := eachField(b, func(num protowire.Number, typ protowire.Type, v []byte, _ uint64) error {
		if typ != protowire.BytesType {
			return nil
		}
		switch int(num) { // a field number, not an enumeration
		case fAppendOptions:
			if !p.options {
				p = appendPart{options: true, expected: Expected{Kind: ExpectAny}}
			}
			return decodeAppendOptions(v, &p)
		case fAppendProposed:
			if !p.proposed {
				p = appendPart{proposed: true}
			}
			return decodeProposed(v, &p)
		}
		return nil
	})
	return p, err
}

func decodeAppendOptions(b []byte, p *appendPart) error {
	return eachField(b, func(num protowire.Number, typ protowire.Type, v []byte, x uint64) error {
		switch {
		case num == fOptionsStream && typ == protowire.BytesType:
			if p.stream == nil {
				p.stream = []byte{} // present, possibly with an empty name
			}
			return eachField(v, func(num protowire.Number, typ protowire.Type, v []byte, _ uint64) error {
				if num == fStreamIdentifierName && typ == protowire.BytesType {
					p.stream = v
				}
				return nil
			})
		case num == fOptionsRevision && typ == protowire.VarintType:
			p.expected = Expected{Kind: ExpectRevision, Revision: x}
		case num == fOptionsNoStream && typ == protowire.BytesType:
			p.expected = Expected{Kind: ExpectNoStream}
		case num == fOptionsAny && typ == protowire.BytesType:
			p.expected = Expected{Kind: ExpectAny}
		case num == fOptionsStreamExists && typ == protowire.BytesType:
			p.expected = Expected{Kind: ExpectStreamExists}
		}
		return nil
	})
}

func decodeProposed(b []byte, p *appendPart) error {
	return eachField(b, func(num protowire.Number, typ protowire.Type, v []byte, _ uint64) error {
		if typ != protowire.BytesType {
			return nil
		}
		switch int(num) {
		case fProposedID:
			return decodeUUID(v, p)
		case fProposedMetadata:
			var key, val []byte
			if err := eachField(v, func(num protowire.Number, typ protowire.Type, v []byte, _ uint64) error {
				switch {
				case num == fMapKey && typ == protowire.BytesType:
					key = v
				case num == fMapValue && typ == protowire.BytesType:
					val = v
				}
				return nil
			}); err != nil {
				return err
			}
			if !utf8.Valid(key) || !utf8.Valid(val) {
				return errMalformedAppend
			}
			switch string(key) {
			case "type":
				p.typ, p.hasType = string(val), true
			case "content-type":
				p.ctype, p.hasCType = string(val), true
			}
		case fProposedCustom:
			p.custom = v
		case fProposedData:
			p.data = v
		}
		return nil
	})
}

// decodeUUID reads a shared.UUID: structured (two int64) or a string.
func decodeUUID(b []byte, p *appendPart) error {
	p.idSet = true
	return eachField(b, func(num protowire.Number, typ protowire.Type, v []byte, _ uint64) error {
		if typ != protowire.BytesType {
			return nil
		}
		switch int(num) {
		case fUUIDStructured:
			if p.idKind != idStructured {
				p.idKind, p.most, p.least = idStructured, 0, 0
			}
			return eachField(v, func(num protowire.Number, typ protowire.Type, _ []byte, x uint64) error {
				switch {
				case num == fStructuredMost && typ == protowire.VarintType:
					p.most = x
				case num == fStructuredLeast && typ == protowire.VarintType:
					p.least = x
				}
				return nil
			})
		case fUUIDString:
			if !utf8.Valid(v) {
				return errMalformedAppend
			}
			p.idKind, p.idString = idText, string(v)
		}
		return nil
	})
}

// uuidFromString parses a UUID in its usual text form (dashes optional).
func uuidFromString(s string) ([16]byte, error) {
	var id [16]byte
	h := strings.ReplaceAll(s, "-", "")
	if len(h) != 32 {
		return id, &InvalidError{Reason: fmt.Sprintf("event id %q is not a UUID", s)}
	}
	if _, err := hex.Decode(id[:], []byte(h)); err != nil {
		return id, &InvalidError{Reason: fmt.Sprintf("event id %q is not a UUID", s)}
	}
	return id, nil
}

// event returns the proposed event, the i-th of its append, or why it is
// refused.
func (p *appendPart) event(i int) (ProposedEvent, error) {
	var id [16]byte
	switch {
	case !p.idSet:
		return ProposedEvent{}, &InvalidError{Reason: "event id is missing"}
	case p.idKind == idStructured:
		binary.BigEndian.PutUint64(id[:8], p.most)
		binary.BigEndian.PutUint64(id[8:], p.least)
	default:
		var err error
		if id, err = uuidFromString(p.idString); err != nil {
			return ProposedEvent{}, err
		}
	}
	if !p.hasType || p.typ == "" {
		return ProposedEvent{}, &missingMetadataError{key: "type", index: i}
	}
	if !p.hasCType || p.ctype == "" {
		return ProposedEvent{}, &missingMetadataError{key: "content-type", index: i}
	}
	return ProposedEvent{ID: id, Type: p.typ, ContentType: p.ctype, CustomMetadata: p.custom, Data: p.data}, nil
}

// eachField calls fn for every field of the message b, with its value:
// the bytes of a length-delimited field, the number of a varint or fixed
// one. Groups are skipped. Malformed input is errMalformedAppend.
func eachField(b []byte, fn func(num protowire.Number, typ protowire.Type, v []byte, x uint64) error) error {
	for len(b) > 0 {
		num, typ, n := protowire.ConsumeTag(b)
		if n < 0 {
			return errMalformedAppend
		}
		b = b[n:]
		var v []byte
		var x uint64
		switch typ {
		case protowire.VarintType:
			x, n = protowire.ConsumeVarint(b)
		case protowire.Fixed32Type:
			var x32 uint32
			x32, n = protowire.ConsumeFixed32(b)
			x = uint64(x32)
		case protowire.Fixed64Type:
			x, n = protowire.ConsumeFixed64(b)
		case protowire.BytesType:
			v, n = protowire.ConsumeBytes(b)
		default:
			n = protowire.ConsumeFieldValue(num, typ, b)
		}
		if n < 0 {
			return errMalformedAppend
		}
		b = b[n:]
		if err := fn(num, typ, v, x); err != nil {
			return err
		}
	}
	return nil
}

// encodeAppendSuccess writes AppendResp{success} for res.
func encodeAppendSuccess(res WriteResult) *preEncoded {
	var s []byte
	if res.NoStream {
		s = protowire.AppendTag(s, fSuccessNoStream, protowire.BytesType)
		s = protowire.AppendVarint(s, 0)
	} else {
		s = protowire.AppendTag(s, fSuccessRevision, protowire.VarintType)
		s = protowire.AppendVarint(s, res.Revision)
	}
	if res.Position > 0 {
		var pos []byte
		pos = protowire.AppendTag(pos, fPositionCommit, protowire.VarintType)
		pos = protowire.AppendVarint(pos, uint64(res.Position))
		pos = protowire.AppendTag(pos, fPositionPrepare, protowire.VarintType)
		pos = protowire.AppendVarint(pos, uint64(res.Position))
		s = protowire.AppendTag(s, fSuccessPosition, protowire.BytesType)
		s = protowire.AppendBytes(s, pos)
	} else {
		s = protowire.AppendTag(s, fSuccessNoPosition, protowire.BytesType)
		s = protowire.AppendVarint(s, 0)
	}
	out := make([]byte, 0, len(s)+4)
	out = protowire.AppendTag(out, fRespSuccess, protowire.BytesType)
	out = protowire.AppendBytes(out, s)
	return &preEncoded{buf: mem.SliceBuffer(out)}
}
