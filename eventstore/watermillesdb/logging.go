package watermillesdb

import (
	"fmt"

	"github.com/EventStore/EventStore-Client-Go/v4/esdb"
	"github.com/ThreeDotsLabs/watermill"
)

// ClientLogger routes the official client's log lines to a watermill logger,
// for esdb.Configuration.Logger. The client logs every error status it maps
// (a consumer group that already exists, every subscription closed on
// purpose) at error level, so everything it says goes to Debug: the
// Publisher and Subscriber log what matters themselves. Pass
// esdb.NoopLogging() instead to silence the client completely.
func ClientLogger(logger watermill.LoggerAdapter) esdb.LoggingFunc {
	if logger == nil {
		logger = watermill.NopLogger{}
	}
	return func(level esdb.LogLevel, format string, args ...any) {
		// The client passes its arguments as one slice (args...) in some
		// places and spread in others; Sprintf copes with both.
		if len(args) == 1 {
			if inner, ok := args[0].([]any); ok {
				args = inner
			}
		}
		logger.Debug("esdb client: "+fmt.Sprintf(format, args...), watermill.LogFields{"esdb_level": string(level)})
	}
}
