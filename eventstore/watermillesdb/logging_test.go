package watermillesdb_test

import (
	"strings"
	"sync"
	"testing"

	"github.com/EventStore/EventStore-Client-Go/v4/esdb"
	"github.com/ThreeDotsLabs/watermill"

	"github.com/leerpad/leerpad/eventstore/watermillesdb"
)

// recordingLogger is a watermill logger that keeps Debug lines.
type recordingLogger struct {
	watermill.NopLogger
	mu    sync.Mutex
	lines []string
}

var _ watermill.LoggerAdapter = (*recordingLogger)(nil)

func (l *recordingLogger) Debug(msg string, fields watermill.LogFields) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.lines = append(l.lines, msg+" "+fields["esdb_level"].(string))
}

func (l *recordingLogger) With(watermill.LogFields) watermill.LoggerAdapter { return l }

func TestClientLoggerRoutesToDebug(t *testing.T) {
	l := &recordingLogger{}
	log := watermillesdb.ClientLogger(l)
	log(esdb.LogError, "subscription has dropped. Reason: %v", "boom")
	log(esdb.LogWarn, "spread %s %d", []any{"x", 2}) // the client sometimes passes its args as one slice
	want := []string{"esdb client: subscription has dropped. Reason: boom error", "esdb client: spread x 2 warn"}
	if strings.Join(l.lines, "|") != strings.Join(want, "|") {
		t.Errorf("lines = %q, want %q", l.lines, want)
	}
}

func esdbReadOptions() esdb.ReadStreamOptions { return esdb.ReadStreamOptions{} }
