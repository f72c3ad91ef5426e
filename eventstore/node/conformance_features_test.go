package node

import (
	"context"
	"errors"
	"io"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/EventStore/EventStore-Client-Go/v4/protos/serverfeatures"
	"github.com/EventStore/EventStore-Client-Go/v4/protos/shared"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

func TestConformanceServerFeatures(t *testing.T) {
	t.Parallel()
	n, c := startTestNode(t)

	// The client's discovery parses the version; a failure would close it.
	v, err := c.GetServerVersion()
	if err != nil {
		t.Fatalf("server version: %v", err)
	}
	if v.Major != 24 || v.Minor != 10 || v.Patch != 0 {
		t.Fatalf("server version = %+v, want 24.10.0", *v)
	}

	_, conn := rawStreams(t, n)
	resp, err := serverfeatures.NewServerFeaturesClient(conn).GetSupportedMethods(context.Background(), &shared.Empty{})
	if err != nil {
		t.Fatalf("GetSupportedMethods: %v", err)
	}
	if resp.GetEventStoreServerVersion() != ServerVersion {
		t.Fatalf("version = %q, want %q", resp.GetEventStoreServerVersion(), ServerVersion)
	}
	listed := map[string]bool{}
	for _, m := range resp.GetMethods() {
		key := m.GetServiceName() + "/" + m.GetMethodName()
		if key != strings.ToLower(key) {
			t.Errorf("method %s is not lower-case as the client expects", key)
		}
		if listed[key] {
			t.Errorf("method %s listed twice", key)
		}
		listed[key] = true
	}

	// What the node really hosts, as the gRPC server registered it.
	type method struct {
		path string // "/Service/Method" as on the wire
		key  string // as ServerFeatures spells it
	}
	var registered []method
	for svc, info := range n.server.GetServiceInfo() {
		for _, m := range info.Methods {
			registered = append(registered, method{
				path: "/" + svc + "/" + m.Name,
				key:  strings.ToLower(svc + "/" + m.Name),
			})
		}
	}
	sort.Slice(registered, func(i, j int) bool { return registered[i].path < registered[j].path })
	hosted := map[string]bool{}
	for _, m := range registered {
		hosted[m.key] = true
	}
	for key := range listed {
		if !hosted[key] {
			t.Errorf("method %s is advertised but no service hosts it", key)
		}
	}

	// Every registered method is advertised unless it answers
	// Unimplemented, and every advertised one answers something else.
	for _, m := range registered {
		code := probeMethod(t, conn, m.path)
		switch {
		case !listed[m.key] && code != codes.Unimplemented:
			t.Errorf("%s answers %v but is not advertised", m.path, code)
		case listed[m.key] && code == codes.Unimplemented:
			t.Errorf("%s is advertised but answers Unimplemented", m.path)
		}
	}
}

// probeMethod calls a method with an empty request over a generic stream (the
// wire format of unary and streaming calls is the same) and returns the
// status code it ends with.
func probeMethod(tb testing.TB, conn *grpc.ClientConn, path string) codes.Code {
	tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	cs, err := conn.NewStream(ctx, &grpc.StreamDesc{ClientStreams: true, ServerStreams: true}, path)
	if err != nil {
		return status.Code(err)
	}
	if err := cs.SendMsg(&shared.Empty{}); err != nil && !errors.Is(err, io.EOF) {
		return status.Code(err)
	}
	if err := cs.CloseSend(); err != nil {
		return status.Code(err)
	}
	for {
		if err := cs.RecvMsg(&shared.Empty{}); err != nil {
			if errors.Is(err, io.EOF) {
				return codes.OK
			}
			return status.Code(err)
		}
	}
}
