// Package node is Leerpad's embedded event store: a single insecure node that
// speaks the EventStoreDB gRPC protocol, so the official client works against
// it exactly as against a KurrentDB cluster. The log in the data directory is
// the only source of truth; every index is derived from it.
package node

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/EventStore/EventStore-Client-Go/v4/protos/persistent"
	"github.com/EventStore/EventStore-Client-Go/v4/protos/serverfeatures"
	"github.com/EventStore/EventStore-Client-Go/v4/protos/streams"
	"google.golang.org/grpc"
	"google.golang.org/grpc/keepalive"
)

// Config configures a node. Zero values take the documented defaults.
type Config struct {
	// DataDir holds the log (default "./data").
	DataDir string
	// Listen is the gRPC address (default "127.0.0.1:2113"; port 0 picks one).
	Listen string
	// MaxAppendSize bounds one append (default 16 MiB).
	MaxAppendSize int
	// Logger receives operational messages (default: discard).
	Logger *slog.Logger
	// ScavengeEvery runs a scavenge of the sealed segments at this interval
	// (scavenge.go); 0, the default, never does.
	ScavengeEvery time.Duration

	engineOptions Options // fault injection in tests
}

// Node is a running event-store node.
type Node struct {
	cfg        Config
	engine     *Engine
	server     *grpc.Server
	lis        net.Listener
	lock       *os.File
	persistent *persistentService
	served     chan error
	// scavengeStop and scavengeDone stop and await the scheduled scavenge.
	scavengeStop chan struct{}
	scavengeDone chan struct{}
}

// ErrDataDirInUse is returned when another running node holds the data
// directory's lock.
var ErrDataDirInUse = errors.New("data directory is in use by another running node")

// Start opens the data directory (recovering it), and serves the gRPC
// protocol on cfg.Listen until Close.
func Start(ctx context.Context, cfg Config) (*Node, error) {
	if cfg.DataDir == "" {
		cfg.DataDir = "./data"
	}
	if cfg.Listen == "" {
		cfg.Listen = "127.0.0.1:2113"
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	opts := cfg.engineOptions
	opts.MaxAppendSize = cfg.MaxAppendSize
	opts.Logger = cfg.Logger
	opts.setDefaults()
	cfg.MaxAppendSize = opts.MaxAppendSize

	if err := os.MkdirAll(cfg.DataDir, 0o750); err != nil {
		return nil, fmt.Errorf("create data directory: %w", err)
	}
	lock, err := lockDataDir(cfg.DataDir)
	if err != nil {
		return nil, err
	}
	n := &Node{cfg: cfg, lock: lock, served: make(chan error, 1)}
	n.engine, err = OpenEngine(cfg.DataDir, opts)
	if err != nil {
		n.unlock()
		return nil, err
	}
	n.persistent, err = newPersistentService(n.engine, cfg.Logger)
	if err != nil {
		_ = n.engine.Close() // the start error is the one to report
		n.unlock()
		return nil, fmt.Errorf("start persistent subscriptions: %w", err)
	}
	var lc net.ListenConfig
	n.lis, err = lc.Listen(ctx, "tcp", cfg.Listen)
	if err != nil {
		n.persistent.Close()
		_ = n.engine.Close() // the listen error is the one to report
		n.unlock()
		return nil, fmt.Errorf("listen on %s: %w", cfg.Listen, err)
	}
	codec, err := newNodeCodec()
	if err != nil {
		_ = n.lis.Close()
		n.persistent.Close()
		_ = n.engine.Close()
		n.unlock()
		return nil, err
	}
	n.server = grpc.NewServer(append(transportOptions(cfg.MaxAppendSize), grpc.ForceServerCodecV2(codec))...)
	streams.RegisterStreamsServer(n.server, &streamsService{engine: n.engine, log: cfg.Logger, maxAppend: cfg.MaxAppendSize})
	persistent.RegisterPersistentSubscriptionsServer(n.server, n.persistent)
	serverfeatures.RegisterServerFeaturesServer(n.server, featuresService{})
	go func() { n.served <- n.server.Serve(n.lis) }()
	if cfg.ScavengeEvery > 0 {
		n.scavengeStop, n.scavengeDone = make(chan struct{}), make(chan struct{})
		go n.scavengeLoop(n.scavengeStop, n.scavengeDone) //nolint:gosec // lives as long as the node, not as Start's context
	}
	rep := n.engine.Recovery()
	cfg.Logger.Info("event-store node started", "listen", n.Addr(), "events", rep.Events,
		"segments", rep.Segments, "recovery_ms", rep.Duration.Milliseconds(), "torn_bytes", rep.TornBytes)
	return n, nil
}

// transportOptions are the node's gRPC server settings apart from its
// codec; the benchmarks' stub server uses them too, so that its ceiling is
// measured on the same transport.
func transportOptions(maxAppendSize int) []grpc.ServerOption {
	return []grpc.ServerOption{
		// The client pings every 10 s, also with no stream open; grpc-go's
		// default enforcement (5 min) would answer with GOAWAY and drop every
		// live subscription.
		grpc.KeepaliveEnforcementPolicy(keepalive.EnforcementPolicy{MinTime: 5 * time.Second, PermitWithoutStream: true}),
		grpc.KeepaliveParams(keepalive.ServerParameters{Time: 30 * time.Second, Timeout: 10 * time.Second}),
		grpc.MaxRecvMsgSize(maxAppendSize + 1<<20),
		grpc.MaxSendMsgSize(maxAppendSize + 1<<20),
		// Calls run on a pool of goroutines whose stacks have already grown
		// (grpc-go starts a goroutine per call otherwise, and falls back to
		// that when every worker is busy, so a long subscription never
		// blocks another call). Measured: 1 writer 662 -> 579 µs per
		// append, 64 writers 12.3k -> 13.6k appends/s (medians of 5
		// alternating runs, docs/benchmarks.md).
		grpc.NumStreamWorkers(uint32(runtime.GOMAXPROCS(0))),
	}
}

// Addr is the address the node listens on (host:port).
func (n *Node) Addr() string { return n.lis.Addr().String() }

// ConnectionString is the official client's connection string for the node.
func (n *Node) ConnectionString() string { return "esdb://" + n.Addr() + "?tls=false" }

// Engine gives in-process access to the storage engine (for tools such as
// verify and for benchmarks of the disk path).
func (n *Node) Engine() *Engine { return n.engine }

// Close stops serving, closes the log and releases the data directory.
func (n *Node) Close() error {
	// Persistent groups first, while the engine still writes: they save
	// their last checkpoints and park what is due. Then wake live
	// subscriptions so the graceful stop need not wait for them; files stay
	// open until the last call has returned.
	if n.scavengeStop != nil {
		close(n.scavengeStop)
		<-n.scavengeDone
		n.scavengeStop = nil
	}
	n.persistent.Close()
	n.engine.stop()
	stopped := make(chan struct{})
	go func() { n.server.GracefulStop(); close(stopped) }()
	select {
	case <-stopped:
	case <-time.After(2 * time.Second):
		n.server.Stop() // subscriptions stay open forever otherwise
		<-stopped
	}
	err := n.engine.Close()
	n.unlock()
	return err
}

func lockDataDir(dir string) (*os.File, error) {
	path := filepath.Join(dir, "LOCK")
	f, err := os.OpenFile(path, os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		return nil, fmt.Errorf("open lock file: %w", err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		holder, _ := os.ReadFile(path)
		_ = f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			return nil, fmt.Errorf("%w: %s (held by pid %s)", ErrDataDirInUse, dir, strings.TrimSpace(string(holder)))
		}
		return nil, fmt.Errorf("lock data directory: %w", err)
	}
	if err := f.Truncate(0); err == nil {
		_, _ = f.WriteAt([]byte(strconv.Itoa(os.Getpid())+"\n"), 0)
	}
	return f, nil
}

func (n *Node) unlock() {
	if n.lock != nil {
		_ = syscall.Flock(int(n.lock.Fd()), syscall.LOCK_UN)
		_ = n.lock.Close() // unlocked already; nothing was written through it
		n.lock = nil
	}
}
