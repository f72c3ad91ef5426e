package node

import (
	"context"
	"reflect"
	"sync/atomic"
	"testing"
	"time"

	"github.com/EventStore/EventStore-Client-Go/v4/esdb"
)

func setMeta(tb testing.TB, c *esdb.Client, stream string, expected esdb.ExpectedRevision, meta esdb.StreamMetadata) *esdb.WriteResult {
	tb.Helper()
	res, err := c.SetStreamMetadata(context.Background(), stream, esdb.AppendToStreamOptions{ExpectedRevision: expected}, meta)
	if err != nil {
		tb.Fatalf("set metadata of %s: %v", stream, err)
	}
	return res
}

func getMeta(tb testing.TB, c *esdb.Client, stream string) *esdb.StreamMetadata {
	tb.Helper()
	meta, err := c.GetStreamMetadata(context.Background(), stream, esdb.ReadStreamOptions{})
	if err != nil {
		tb.Fatalf("get metadata of %s: %v", stream, err)
	}
	return meta
}

func TestConformanceStreamMetadata(t *testing.T) {
	t.Parallel()
	_, c := startTestNode(t)

	t.Run("round trip", func(t *testing.T) {
		t.Parallel()
		acl := esdb.Acl{}
		acl.AddReadRoles("admin")
		acl.AddWriteRoles("ops")
		acl.AddDeleteRoles("$admins")
		acl.AddMetaReadRoles("auditor")
		acl.AddMetaWriteRoles("ops")
		var meta esdb.StreamMetadata
		meta.SetMaxAge(2 * time.Hour)
		meta.SetMaxCount(100)
		meta.SetTruncateBefore(3)
		meta.SetCacheControl(30 * time.Second)
		meta.SetAcl(acl)
		meta.AddCustomProperty("owner", "learning-team")
		meta.AddCustomProperty("weight", 1.5)
		meta.AddCustomProperty("nested", map[string]any{"a": "b"})
		stream := newStreamID("meta")
		mustAppend(t, c, stream, esdb.NoStream{}, jsonEvent("E", 0))
		setMeta(t, c, stream, esdb.NoStream{}, meta)
		if got := getMeta(t, c, stream); !reflect.DeepEqual(*got, meta) {
			t.Fatalf("metadata = %+v, want %+v", *got, meta)
		}

		var sys esdb.StreamMetadata
		sys.SetAcl(esdb.UserStreamAcl)
		setMeta(t, c, stream, esdb.Revision(0), sys)
		if got := getMeta(t, c, stream); !got.IsUserStreamAcl() || !reflect.DeepEqual(*got, sys) {
			t.Fatalf("metadata = %+v, want %+v", *got, sys)
		}
	})

	t.Run("get returns the latest", func(t *testing.T) {
		t.Parallel()
		stream := newStreamID("meta")
		for i := range uint64(4) {
			var meta esdb.StreamMetadata
			meta.SetMaxCount(10 + i)
			setMeta(t, c, stream, esdb.Any{}, meta)
			if got := getMeta(t, c, stream).MaxCount(); got == nil || *got != 10+i {
				t.Fatalf("after write %d max count = %v, want %d", i, got, 10+i)
			}
		}
		// The $$ stream exposes only its latest event.
		for _, opts := range []esdb.ReadStreamOptions{{}, {Direction: esdb.Backwards, From: esdb.End{}}} {
			requireRevs(t, mustReadStream(t, c, "$$"+stream, opts, 10), revRange(3, 3))
		}
	})

	t.Run("expected revision applies to the metadata stream", func(t *testing.T) {
		t.Parallel()
		stream := newStreamID("meta")
		mustAppend(t, c, stream, esdb.NoStream{}, jsonEvents("E", 0, 5)...)
		var meta esdb.StreamMetadata
		meta.SetMaxCount(3)
		for _, x := range []esdb.ExpectedRevision{esdb.Revision(4), esdb.StreamExists{}, esdb.Revision(0)} {
			_, err := c.SetStreamMetadata(context.Background(), stream, esdb.AppendToStreamOptions{ExpectedRevision: x}, meta)
			requireCode(t, err, esdb.ErrorCodeWrongExpectedVersion)
		}
		if res := setMeta(t, c, stream, esdb.NoStream{}, meta); res.NextExpectedVersion != 0 {
			t.Fatalf("first metadata write at %d, want 0", res.NextExpectedVersion)
		}
		if res := setMeta(t, c, stream, esdb.Revision(0), meta); res.NextExpectedVersion != 1 {
			t.Fatalf("second metadata write at %d, want 1", res.NextExpectedVersion)
		}
		setMeta(t, c, stream, esdb.StreamExists{}, meta)
		_, err := c.SetStreamMetadata(context.Background(), stream, esdb.AppendToStreamOptions{ExpectedRevision: esdb.NoStream{}}, meta)
		requireCode(t, err, esdb.ErrorCodeWrongExpectedVersion)
		// The stream itself is untouched by metadata writes.
		mustAppend(t, c, stream, esdb.Revision(4), jsonEvent("E", 5))
	})

	t.Run("missing metadata", func(t *testing.T) {
		t.Parallel()
		existing := newStreamID("meta")
		mustAppend(t, c, existing, esdb.NoStream{}, jsonEvent("E", 0))
		for _, stream := range []string{existing, newStreamID("never")} {
			_, err := c.GetStreamMetadata(context.Background(), stream, esdb.ReadStreamOptions{})
			requireCode(t, err, esdb.ErrorCodeResourceNotFound)
		}
		// Metadata alone does not make a stream exist.
		metaOnly := newStreamID("meta")
		var meta esdb.StreamMetadata
		meta.SetMaxCount(2)
		setMeta(t, c, metaOnly, esdb.NoStream{}, meta)
		if got := getMeta(t, c, metaOnly).MaxCount(); got == nil || *got != 2 {
			t.Fatalf("max count = %v, want 2", got)
		}
		_, err := readStream(t, c, metaOnly, esdb.ReadStreamOptions{}, 10)
		requireCode(t, err, esdb.ErrorCodeResourceNotFound)
		mustAppend(t, c, metaOnly, esdb.NoStream{}, jsonEvents("E", 0, 3)...)
		requireRevs(t, mustReadStream(t, c, metaOnly, esdb.ReadStreamOptions{}, 10), revRange(1, 2))
	})
}

func TestConformanceMetadataTruncation(t *testing.T) {
	t.Parallel()
	_, c := startTestNode(t)
	fwd := esdb.ReadStreamOptions{}
	bwd := esdb.ReadStreamOptions{Direction: esdb.Backwards, From: esdb.End{}}
	meta := func(maxCount, tb uint64) esdb.StreamMetadata {
		var m esdb.StreamMetadata
		if maxCount > 0 {
			m.SetMaxCount(maxCount)
		}
		if tb > 0 {
			m.SetTruncateBefore(tb)
		}
		return m
	}
	for _, tc := range []struct {
		name  string
		meta  esdb.StreamMetadata
		first uint64 // first visible revision of 0..9; > 9: none
	}{
		{"$maxCount", meta(3, 0), 7},
		{"$tb", meta(0, 4), 4},
		{"$maxCount wins over a lower $tb", meta(5, 2), 5},
		{"$tb wins over a larger $maxCount", meta(5, 7), 7},
		{"$tb past the end", meta(0, 100), 100},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			stream := newStreamID("trunc")
			appendMany(t, c, stream, "E", 10)
			setMeta(t, c, stream, esdb.NoStream{}, tc.meta)
			var want, wantBack []uint64
			if tc.first < 10 {
				want, wantBack = revRange(tc.first, 9), revRange(9, tc.first)
			}
			// All hidden is zero events and EOF, not not-found.
			requireRevs(t, mustReadStream(t, c, stream, fwd, 100), want)
			requireRevs(t, mustReadStream(t, c, stream, bwd, 100), wantBack)
			requireRevs(t, mustReadStream(t, c, stream, esdb.ReadStreamOptions{From: esdb.Revision(1)}, 100), want)
			if len(want) > 0 {
				requireRevs(t, mustReadStream(t, c, stream, fwd, 1), want[:1])
			}
			sub := subscribeStream(t, c, stream, esdb.Start{})
			requireRecordedRevs(t, sub.untilCaughtUp(t), want)
			mustAppend(t, c, stream, esdb.Revision(9), jsonEvent("Live", 0))
			if tc.first > 10 {
				sub.quiet(t, 50*time.Millisecond) // $tb hides revision 10 too
				return
			}
			if ev := sub.nextEvent(t); ev.EventNumber != 10 {
				t.Fatalf("live event at %d, want 10", ev.EventNumber)
			}
		})
	}
}

func TestConformanceMetadataMaxAge(t *testing.T) {
	t.Parallel()
	var skew atomic.Int64 // added to the node's clock
	_, c := startNodeWith(t, Options{Now: func() time.Time { return time.Now().Add(time.Duration(skew.Load())) }})

	// Events written two hours "ago" and a stream with nothing else.
	skew.Store(int64(-2 * time.Hour))
	mixed, old := newStreamID("aged"), newStreamID("aged")
	mustAppend(t, c, mixed, esdb.NoStream{}, jsonEvents("Old", 0, 3)...)
	mustAppend(t, c, old, esdb.NoStream{}, jsonEvents("Old", 0, 2)...)
	skew.Store(0)
	mustAppend(t, c, mixed, esdb.Revision(2), jsonEvents("New", 3, 2)...)
	var meta esdb.StreamMetadata
	meta.SetMaxAge(time.Hour)
	setMeta(t, c, mixed, esdb.NoStream{}, meta)
	setMeta(t, c, old, esdb.NoStream{}, meta)

	requireRevs(t, mustReadStream(t, c, mixed, esdb.ReadStreamOptions{}, 100), revRange(3, 4))
	requireRevs(t, mustReadStream(t, c, mixed, esdb.ReadStreamOptions{Direction: esdb.Backwards, From: esdb.End{}}, 100), revRange(4, 3))
	requireRevs(t, mustReadStream(t, c, mixed, esdb.ReadStreamOptions{}, 1), revRange(3, 3))
	requireRevs(t, mustReadStream(t, c, old, esdb.ReadStreamOptions{}, 100), nil)
	requireRevs(t, mustReadStream(t, c, old, esdb.ReadStreamOptions{Direction: esdb.Backwards, From: esdb.End{}}, 100), nil)

	sub := subscribeStream(t, c, mixed, esdb.Start{})
	requireRecordedRevs(t, sub.untilCaughtUp(t), revRange(3, 4))
	subOld := subscribeStream(t, c, old, esdb.Start{})
	requireRecordedRevs(t, subOld.untilCaughtUp(t), nil)
	mustAppend(t, c, old, esdb.Revision(1), jsonEvent("New", 2))
	if ev := subOld.nextEvent(t); ev.EventNumber != 2 {
		t.Fatalf("live event at %d, want 2", ev.EventNumber)
	}
}
