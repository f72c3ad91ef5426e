package node

import (
	"bytes"
	"context"
	"errors"
	"io"
	"strings"
	"testing"

	"github.com/EventStore/EventStore-Client-Go/v4/esdb"
	"github.com/EventStore/EventStore-Client-Go/v4/protos/shared"
	"github.com/EventStore/EventStore-Client-Go/v4/protos/streams"
	"github.com/google/uuid"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/mem"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"
)

func TestConformanceAppendTooLarge(t *testing.T) {
	t.Parallel()
	n, c := startTestNode(t)
	big := func(size int) esdb.EventData {
		return esdb.EventData{EventID: uuid.New(), EventType: "Big", ContentType: esdb.ContentTypeBinary, Data: bytes.Repeat([]byte{'x'}, size)}
	}
	for _, tc := range []struct {
		name   string
		events []esdb.EventData
	}{
		// Each event fits a gRPC message; together they exceed 16 MiB.
		{"events adding up to more than 16 MiB", []esdb.EventData{big(9 << 20), big(9 << 20)}},
		// One event larger than the gRPC receive limit.
		{"one event of 18 MiB", []esdb.EventData{big(18 << 20)}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			stream := newStreamID("big")
			_, err := c.AppendToStream(context.Background(), stream, esdb.AppendToStreamOptions{}, tc.events...)
			// Real server: InvalidArgument, which the client leaves unmapped.
			requireCode(t, err, esdb.ErrorCodeUnknown)
			_, err = readStream(t, c, stream, esdb.ReadStreamOptions{}, 10)
			requireCode(t, err, esdb.ErrorCodeResourceNotFound)
		})
	}

	t.Run("status and trailers", func(t *testing.T) {
		raw, _ := rawStreams(t, n)
		stream := newStreamID("big")
		st, md := rawAppend(t, raw, stream, rawEvent("Big", "application/octet-stream", 9<<20), rawEvent("Big", "application/octet-stream", 9<<20))
		if st.Code() != codes.InvalidArgument || trailer(md, "exception") != "maximum-append-size-exceeded" || trailer(md, "maximum-append-size") != "16777216" {
			t.Fatalf("status %v, trailers %v; want InvalidArgument, maximum-append-size-exceeded, 16777216", st, md)
		}
	})

	// Exactly at the limit is accepted, and the node keeps serving.
	stream := newStreamID("big")
	mustAppend(t, c, stream, esdb.NoStream{}, big(8<<20), big(8<<20))
	requireRevs(t, mustReadStream(t, c, stream, esdb.ReadStreamOptions{}, 10), revRange(0, 1))
}

func TestConformanceBadAppend(t *testing.T) {
	t.Parallel()
	n, c := startTestNode(t)
	raw, _ := rawStreams(t, n)
	good := rawEvent("Good", "application/json", 2)
	withMeta := func(md map[string]string) *streams.AppendReq {
		ev := rawEvent("", "", 2)
		ev.GetProposedMessage().Metadata = md
		return ev
	}
	withID := func(id *shared.UUID) *streams.AppendReq {
		ev := rawEvent("Good", "application/json", 2)
		ev.GetProposedMessage().Id = id
		return ev
	}
	for _, tc := range []struct {
		name      string
		stream    string // "" → a fresh stream name
		msgs      []*streams.AppendReq
		exception string // trailer expected, if any
	}{
		{"missing type", "", []*streams.AppendReq{withMeta(map[string]string{"content-type": "application/json"})}, "missing-required-metadata-property"},
		{"empty type", "", []*streams.AppendReq{withMeta(map[string]string{"type": "", "content-type": "application/json"})}, "missing-required-metadata-property"},
		{"missing content type", "", []*streams.AppendReq{withMeta(map[string]string{"type": "T"})}, "missing-required-metadata-property"},
		{"bad event after a good one", "", []*streams.AppendReq{good, withMeta(map[string]string{"type": "T"})}, "missing-required-metadata-property"},
		{"malformed string id", "", []*streams.AppendReq{withID(&shared.UUID{Value: &shared.UUID_String_{String_: "not-a-uuid"}})}, ""},
		{"string id of wrong length", "", []*streams.AppendReq{withID(&shared.UUID{Value: &shared.UUID_String_{String_: "0123456789abcdef"}})}, ""},
		{"missing id", "", []*streams.AppendReq{withID(nil)}, ""},
		{"options twice", "", []*streams.AppendReq{good, appendOptions(newStreamID("x"))}, ""},
		{"$all as a stream name", "$all", []*streams.AppendReq{good}, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			stream := tc.stream
			if stream == "" {
				stream = newStreamID("bad")
			}
			st, md := rawAppend(t, raw, stream, tc.msgs...)
			if st.Code() != codes.InvalidArgument {
				t.Fatalf("status = %v, want InvalidArgument", st)
			}
			if tc.exception != "" && trailer(md, "exception") != tc.exception {
				t.Fatalf("trailers = %v, want exception %s", md, tc.exception)
			}
			if stream != "$all" {
				_, err := readStream(t, c, stream, esdb.ReadStreamOptions{}, 10)
				requireCode(t, err, esdb.ErrorCodeResourceNotFound)
			}
		})
	}

	t.Run("no options", func(t *testing.T) {
		t.Parallel()
		call, err := raw.Append(context.Background())
		if err != nil {
			t.Fatalf("append: %v", err)
		}
		if err := call.Send(good); err != nil {
			t.Fatalf("send: %v", err)
		}
		_, err = call.CloseAndRecv()
		if status.Code(err) != codes.InvalidArgument {
			t.Fatalf("err = %v, want InvalidArgument", err)
		}
	})

	t.Run("empty stream name", func(t *testing.T) {
		t.Parallel()
		st, _ := rawAppend(t, raw, "", good)
		if st.Code() != codes.InvalidArgument {
			t.Fatalf("status = %v, want InvalidArgument", st)
		}
	})

	t.Run("string id is accepted", func(t *testing.T) {
		t.Parallel()
		stream := newStreamID("bad")
		id := uuid.New()
		st, _ := rawAppend(t, raw, stream, withID(&shared.UUID{Value: &shared.UUID_String_{String_: id.String()}}))
		if st.Code() != codes.OK {
			t.Fatalf("status = %v, want OK", st)
		}
		evs := mustReadStream(t, c, stream, esdb.ReadStreamOptions{}, 10)
		if len(evs) != 1 || evs[0].OriginalEvent().EventID != id {
			t.Fatalf("read back %d events, want one with id %s", len(evs), id)
		}
	})

	t.Run("malformed message", func(t *testing.T) {
		t.Parallel()
		_, conn := rawStreams(t, n)
		stream := newStreamID("bad")
		opts, err := proto.Marshal(appendOptions(stream))
		if err != nil {
			t.Fatal(err)
		}
		desc := &grpc.StreamDesc{StreamName: "Append", ClientStreams: true}
		call, err := conn.NewStream(context.Background(), desc, "/event_store.client.streams.Streams/Append", grpc.ForceCodecV2(bytesCodec{}))
		if err != nil {
			t.Fatal(err)
		}
		// Options, then a proposed message whose length runs past its end.
		for _, m := range [][]byte{opts, {0x12, 0x40, 0x0a}} {
			if err := call.SendMsg(m); err != nil && !errors.Is(err, io.EOF) {
				t.Fatal(err)
			}
		}
		if err := call.CloseSend(); err != nil {
			t.Fatal(err)
		}
		var resp []byte
		err = call.RecvMsg(&resp)
		if st := status.Convert(err); st.Code() != codes.InvalidArgument || !strings.Contains(st.Message(), "malformed") {
			t.Fatalf("status = %v, want InvalidArgument naming a malformed request", st)
		}
		_, err = readStream(t, c, stream, esdb.ReadStreamOptions{}, 10)
		requireCode(t, err, esdb.ErrorCodeResourceNotFound)
	})

	// The node keeps serving.
	stream := newStreamID("after")
	mustAppend(t, c, stream, esdb.NoStream{}, jsonEvent("E", 0))
	requireRevs(t, mustReadStream(t, c, stream, esdb.ReadStreamOptions{}, 10), revRange(0, 0))
}

func TestConformanceBadRead(t *testing.T) {
	t.Parallel()
	n, c := startTestNode(t)
	raw, _ := rawStreams(t, n)
	stream := newStreamID("read")
	mustAppend(t, c, stream, esdb.NoStream{}, jsonEvent("E", 0))
	streamOpt := &streams.ReadReq_Options_Stream{Stream: &streams.ReadReq_Options_StreamOptions{
		StreamIdentifier: &shared.StreamIdentifier{StreamName: []byte(stream)},
		RevisionOption:   &streams.ReadReq_Options_StreamOptions_Start{Start: &shared.Empty{}},
	}}
	count := &streams.ReadReq_Options_Count{Count: 10}
	for _, tc := range []struct {
		name string
		req  *streams.ReadReq
	}{
		{"no options", &streams.ReadReq{}},
		{"unknown read direction", &streams.ReadReq{Options: &streams.ReadReq_Options{
			StreamOption: streamOpt, CountOption: count, ReadDirection: 7}}},
		{"neither stream nor $all", &streams.ReadReq{Options: &streams.ReadReq_Options{CountOption: count}}},
		{"empty stream name", &streams.ReadReq{Options: &streams.ReadReq_Options{CountOption: count,
			StreamOption: &streams.ReadReq_Options_Stream{Stream: &streams.ReadReq_Options_StreamOptions{}}}}},
		{"backwards subscription", &streams.ReadReq{Options: &streams.ReadReq_Options{StreamOption: streamOpt,
			ReadDirection: streams.ReadReq_Options_Backwards,
			CountOption:   &streams.ReadReq_Options_Subscription{Subscription: &streams.ReadReq_Options_SubscriptionOptions{}}}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			call, err := raw.Read(context.Background(), tc.req)
			if err != nil {
				t.Fatalf("read: %v", err)
			}
			for {
				msg, err := call.Recv()
				if err != nil {
					if status.Code(err) != codes.InvalidArgument {
						t.Fatalf("err = %v, want InvalidArgument", err)
					}
					return
				}
				t.Fatalf("got %v before the error", msg)
			}
		})
	}
	requireRevs(t, mustReadStream(t, c, stream, esdb.ReadStreamOptions{}, 10), revRange(0, 0))
}

func rawEvent(typ, contentType string, size int) *streams.AppendReq {
	id := uuid.New()
	md := map[string]string{}
	if typ != "" {
		md["type"] = typ
	}
	if contentType != "" {
		md["content-type"] = contentType
	}
	return &streams.AppendReq{Content: &streams.AppendReq_ProposedMessage_{ProposedMessage: &streams.AppendReq_ProposedMessage{
		Id:       &shared.UUID{Value: &shared.UUID_String_{String_: id.String()}},
		Metadata: md,
		Data:     bytes.Repeat([]byte{'1'}, size),
	}}}
}

func appendOptions(stream string) *streams.AppendReq {
	return &streams.AppendReq{Content: &streams.AppendReq_Options_{Options: &streams.AppendReq_Options{
		StreamIdentifier:       &shared.StreamIdentifier{StreamName: []byte(stream)},
		ExpectedStreamRevision: &streams.AppendReq_Options_Any{Any: &shared.Empty{}},
	}}}
}

// rawAppend sends options for stream, then msgs, and returns the final
// status and trailers.
func rawAppend(tb testing.TB, raw streams.StreamsClient, stream string, msgs ...*streams.AppendReq) (*status.Status, metadata.MD) {
	tb.Helper()
	call, err := raw.Append(context.Background())
	if err != nil {
		tb.Fatalf("append: %v", err)
	}
	for _, m := range append([]*streams.AppendReq{appendOptions(stream)}, msgs...) {
		if err := call.Send(m); err != nil {
			if errors.Is(err, io.EOF) {
				break // the status comes from CloseAndRecv
			}
			tb.Fatalf("send: %v", err)
		}
	}
	_, err = call.CloseAndRecv()
	return status.Convert(err), call.Trailer()
}

func trailer(md metadata.MD, key string) string {
	if v := md.Get(key); len(v) > 0 {
		return v[0]
	}
	return ""
}

// bytesCodec sends and receives messages as raw bytes, to put malformed
// protobuf on the wire.
type bytesCodec struct{}

func (bytesCodec) Marshal(v any) (mem.BufferSlice, error) {
	return mem.BufferSlice{mem.SliceBuffer(v.([]byte))}, nil
}

func (bytesCodec) Unmarshal(data mem.BufferSlice, v any) error {
	*v.(*[]byte) = data.Materialize() //nolint:misspell // grpc's name
	return nil
}

func (bytesCodec) Name() string { return "proto" }
