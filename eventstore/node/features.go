package node

import (
	"context"

	"github.com/EventStore/EventStore-Client-Go/v4/protos/serverfeatures"
	"github.com/EventStore/EventStore-Client-Go/v4/protos/shared"
)

// ServerVersion is the protocol version the node reports. The client parses
// the first three dot-separated parts as integers; 24.10 enables every
// feature v4.2.0 knows (caught-up messages, positions on stream reads).
const ServerVersion = "24.10.0"

type featuresService struct {
	serverfeatures.UnimplementedServerFeaturesServer
}

// supportedMethods lists exactly the methods the node implements. Gossip,
// BatchAppend, projections, users and operations answer Unimplemented.
func supportedMethods() []*serverfeatures.SupportedMethod {
	const (
		streamsSvc    = "event_store.client.streams.streams"
		persistentSvc = "event_store.client.persistent_subscriptions.persistentsubscriptions"
		featuresSvc   = "event_store.client.server_features.serverfeatures"
	)
	m := func(svc, name string, features ...string) *serverfeatures.SupportedMethod {
		return &serverfeatures.SupportedMethod{ServiceName: svc, MethodName: name, Features: features}
	}
	return []*serverfeatures.SupportedMethod{
		m(streamsSvc, "read"), m(streamsSvc, "append"), m(streamsSvc, "delete"), m(streamsSvc, "tombstone"),
		m(persistentSvc, "create", "stream", "all"), m(persistentSvc, "update", "stream", "all"),
		m(persistentSvc, "delete", "stream", "all"), m(persistentSvc, "read", "stream", "all"),
		m(persistentSvc, "getinfo", "stream", "all"), m(persistentSvc, "replayparked", "stream", "all"),
		m(persistentSvc, "list", "stream", "all"), m(persistentSvc, "restartsubsystem"),
		m(featuresSvc, "getsupportedmethods"),
	}
}

func (featuresService) GetSupportedMethods(context.Context, *shared.Empty) (*serverfeatures.SupportedMethods, error) {
	return &serverfeatures.SupportedMethods{EventStoreServerVersion: ServerVersion, Methods: supportedMethods()}, nil
}
