package eventstore_test

import (
	"testing"

	"github.com/google/uuid"

	"github.com/leerpad/leerpad/domain"
	"github.com/leerpad/leerpad/domain/feedback"
	"github.com/leerpad/leerpad/domain/journey"
	"github.com/leerpad/leerpad/domain/registry"
	"github.com/leerpad/leerpad/eventstore"
)

// BenchmarkCodec measures the codec's cost per event, with and without the
// encryption of personal fields (docs/decisions/0014): "personal" is an
// experiment's reflection (two personal text fields), "none" an event
// without personal data, which encryption does not touch. The key store's
// cache is on, as in serve.
func BenchmarkCodec(b *testing.B) {
	plain, err := eventstore.NewCodec(registry.EventTypes())
	if err != nil {
		b.Fatal(err)
	}
	ks := newKeys(b, b.TempDir()+"/keys")
	participant := uuid.NewString()
	events := map[string]domain.Event{
		"personal": journey.ExperimentReflected{ParticipantID: participant, ExperimentID: uuid.NewString(),
			Outcome:    "Both said I close discussions too early; one said the agenda was much clearer than before.",
			Reflection: "I was surprised how easily they answered once I asked a specific question.", At: at},
		"none": feedback.RoundClosed{RoundID: uuid.NewString(), At: at},
	}
	for _, kind := range []string{"personal", "none"} {
		e := events[kind]
		for _, c := range []struct {
			name  string
			codec *eventstore.Codec
		}{{"plain", plain}, {"encrypted", plain.WithKeys(ks)}} {
			name, payload, version, err := c.codec.Encode(e)
			if err != nil {
				b.Fatal(err)
			}
			b.Run(kind+"/"+c.name+"/encode", func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					if _, _, _, err := c.codec.Encode(e); err != nil {
						b.Fatal(err)
					}
				}
			})
			b.Run(kind+"/"+c.name+"/decode", func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					if _, err := c.codec.Decode(name, version, payload); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}
