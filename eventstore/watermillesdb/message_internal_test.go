package watermillesdb

import (
	"maps"
	"testing"
	"time"

	"github.com/EventStore/EventStore-Client-Go/v4/esdb"
	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/google/uuid"
)

// metadataCases are custom metadata as the codec writes it and as other
// tools might: the scanner must give what encoding/json gives.
var metadataCases = []string{
	``,
	`{}`,
	` { } `,
	`{"correlationId":"0000002a-0000-4000-8000-000000000001","actor":"a","schemaVersion":1}`,
	`{ "a" : "b" , "n" : -12 }`,
	"{\n\t\"a\":\"b\"\r\n}",
	`{"a":"b","a":"c"}`,
	`{"a":"b\"c"}`,
	`{"a":"\u00e9"}`,
	`{"a":"é"}`,
	`{"a":1.5}`,
	`{"a":1e3}`,
	`{"a":01}`,
	`{"a":-}`,
	`{"a":true,"b":null}`,
	`{"a":{"b":"c"}}`,
	`{"a":["b"]}`,
	`{"a":"b"} x`,
	`{"a":"b",}`,
	`{"a" "b"}`,
	`{"a":"b"`,
	`["a"]`,
	`"a"`,
	`not json`,
	`{"1":"1","2":"2","3":"3","4":"4","5":"5","6":"6","7":"7","8":"8","9":"9"}`,
	"{\"a\":\"b\x01\"}",
	"{\"a\":\"\xff\"}",
}

func TestSetCustomMetadataMatchesEncodingJSON(t *testing.T) {
	for _, raw := range metadataCases {
		want := message.Metadata(customMetadata([]byte(raw)))
		if want == nil {
			want = message.Metadata{}
		}
		got := message.Metadata{}
		setCustomMetadata(got, []byte(raw))
		if !maps.Equal(got, want) {
			t.Errorf("%q: got %v, want %v", raw, got, want)
		}
	}
}

func FuzzSetCustomMetadata(f *testing.F) {
	for _, raw := range metadataCases {
		f.Add([]byte(raw))
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		want := message.Metadata(customMetadata(raw))
		if want == nil {
			want = message.Metadata{}
		}
		got := message.Metadata{}
		setCustomMetadata(got, raw)
		if !maps.Equal(got, want) {
			t.Errorf("%q: got %v, want %v", raw, got, want)
		}
	})
}

func BenchmarkSetCustomMetadata(b *testing.B) {
	raw := []byte(`{"correlationId":"0000002a-0000-4000-8000-000000000001","actor":"0000002a-0000-4000-8000-000000000001","schemaVersion":1}`)
	b.ReportAllocs()
	for b.Loop() {
		md := make(message.Metadata, 8)
		setCustomMetadata(md, raw)
	}
}

func BenchmarkCustomMetadataJSON(b *testing.B) {
	raw := []byte(`{"correlationId":"0000002a-0000-4000-8000-000000000001","actor":"0000002a-0000-4000-8000-000000000001","schemaVersion":1}`)
	b.ReportAllocs()
	for b.Loop() {
		md := make(message.Metadata, 8)
		for k, v := range customMetadata(raw) {
			md[k] = v
		}
	}
}

func BenchmarkToMessage(b *testing.B) {
	rec := &esdb.RecordedEvent{
		EventID: uuid.New(), EventType: "journey.experiment_logged", StreamID: "journey-" + uuid.NewString(),
		EventNumber: 12, Position: esdb.Position{Commit: 123456789, Prepare: 123456789}, CreatedDate: time.Now(),
		Data:         []byte(`{"participantId":"p"}`),
		UserMetadata: []byte(`{"correlationId":"0000002a-0000-4000-8000-000000000001","actor":"0000002a-0000-4000-8000-000000000001","schemaVersion":1}`),
	}
	b.ReportAllocs()
	for b.Loop() {
		_ = toMessage(rec)
	}
}
