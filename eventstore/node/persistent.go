package node

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"slices"
	"sort"
	"sync"
	"time"

	"github.com/EventStore/EventStore-Client-Go/v4/protos/persistent"
	"github.com/EventStore/EventStore-Client-Go/v4/protos/shared"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/peer"
	"google.golang.org/grpc/status"
)

// persistentService serves persistent subscriptions (competing consumers)
// over the EventStoreDB gRPC protocol.
//
// Groups are configured by snapshots in $persistentSubscriptionConfig; each
// group checkpoints to "$persistentsubscription-<stream>::<group>-checkpoint"
// and parks messages as links in "…-parked". newPersistentService rebuilds
// every group from those streams, so groups, checkpoints and parked
// messages survive a restart.
type persistentService struct {
	persistent.UnimplementedPersistentSubscriptionsServer

	e   *Engine
	log *slog.Logger

	mu     sync.Mutex // guards the fields below; taken before any group's mu
	groups map[string]*psGroup
	cfgRev int64 // last revision of the config stream, -1 if none
	closed bool
	loops  sync.WaitGroup // group loops
	conns  sync.WaitGroup // consumer receive loops
}

// connDrainTimeout bounds how long Close waits for consumer connections to
// end. A handler blocked in Send on a consumer that stopped reading ends
// only when the gRPC server stops the stream.
const connDrainTimeout = 2 * time.Second

// newPersistentService loads the configured groups from the log and starts
// them.
func newPersistentService(e *Engine, logger *slog.Logger) (*persistentService, error) {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	p := &persistentService{e: e, log: logger, groups: make(map[string]*psGroup)}
	if err := p.load(context.Background()); err != nil {
		p.Close()
		return nil, fmt.Errorf("start persistent subscriptions: %w", err)
	}
	return p, nil
}

// load reads the configuration and starts every group. Caller holds p.mu or
// is the constructor.
func (p *persistentService) load(ctx context.Context) error {
	entries, rev, err := p.loadConfig(ctx)
	if err != nil {
		return err
	}
	p.cfgRev = rev
	for _, cfg := range entries {
		if _, err := p.startGroup(ctx, cfg); err != nil {
			return err
		}
	}
	return nil
}

// startGroup builds a group's runtime from its config and persisted state
// and starts its loop. Caller holds p.mu (or is the constructor).
func (p *persistentService) startGroup(ctx context.Context, cfg psConfig) (*psGroup, error) {
	g, err := newPSGroup(ctx, p, cfg)
	if err != nil {
		return nil, fmt.Errorf("load group %s: %w", cfg.key(), err)
	}
	p.groups[cfg.key()] = g
	p.loops.Add(1)
	go func() {
		defer p.loops.Done()
		g.run()
	}()
	return g, nil
}

// entries lists the configurations in key order. Caller holds p.mu.
func (p *persistentService) entries() []psConfig {
	keys := make([]string, 0, len(p.groups))
	for k := range p.groups {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	out := make([]psConfig, len(keys))
	for i, k := range keys {
		out[i] = p.groups[k].cfg
	}
	return out
}

// Close stops every subscription connection and background loop. Groups
// write their checkpoint first, so consumers resume where they were.
func (p *persistentService) Close() {
	p.mu.Lock()
	if p.closed {
		p.mu.Unlock()
		p.loops.Wait()
		return
	}
	p.closed = true
	groups := make([]*psGroup, 0, len(p.groups))
	for _, g := range p.groups {
		groups = append(groups, g)
	}
	p.mu.Unlock()
	for _, g := range groups {
		g.halt(errPSClosed, true)
	}
	p.loops.Wait()
	drained := make(chan struct{})
	go func() {
		p.conns.Wait()
		close(drained)
	}()
	select {
	case <-drained:
	case <-time.After(connDrainTimeout):
		p.log.Warn("persistent subscription consumers still connected at shutdown; they end when the gRPC server stops")
	}
}

// psDropped is what consumers of a deleted, updated or restarted group get.
func psDropped(stream, group string) error {
	return &psError{code: codes.Canceled,
		msg: fmt.Sprintf("subscription group %q on stream %q was dropped", group, stream)}
}

// Create creates a subscription group.
func (p *persistentService) Create(ctx context.Context, req *persistent.CreateReq) (*persistent.CreateResp, error) {
	return &persistent.CreateResp{}, unaryStatus(ctx, p.create(ctx, req))
}

func (p *persistentService) create(ctx context.Context, req *persistent.CreateReq) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		return errPSClosed
	}
	cfg, err := p.configFromCreate(req)
	if err != nil {
		return err
	}
	if _, ok := p.groups[cfg.key()]; ok {
		return psExists(cfg.Stream, cfg.Group)
	}
	// A group with this name may have existed: start from a clean slate.
	if err := p.resetGroupStreams(ctx, cfg.Stream, cfg.Group); err != nil {
		return err
	}
	if err := p.saveConfig(ctx, append(p.entries(), cfg)); err != nil {
		return fmt.Errorf("create group %s: %w", cfg.key(), err)
	}
	if _, err := p.startGroup(ctx, cfg); err != nil {
		return err
	}
	return nil
}

// resetGroupStreams soft-deletes a group's checkpoint and parked streams.
func (p *persistentService) resetGroupStreams(ctx context.Context, stream, group string) error {
	for _, s := range []string{psCheckpointStream(stream, group), psParkedStream(stream, group)} {
		err := p.e.ReadStream(ctx, s, RevisionEnd, true, 1, func(*Event) error { return nil })
		if errors.Is(err, ErrStreamNotFound) {
			continue
		}
		if err == nil {
			_, err = p.e.Delete(ctx, s, Expected{Kind: ExpectAny})
		}
		if err != nil {
			return fmt.Errorf("reset %s: %w", s, err)
		}
	}
	return nil
}

// Update changes a group's settings. Its consumers are dropped and the group
// restarts from its checkpoint, as on the real server.
func (p *persistentService) Update(ctx context.Context, req *persistent.UpdateReq) (*persistent.UpdateResp, error) {
	return &persistent.UpdateResp{}, unaryStatus(ctx, p.update(ctx, req))
}

func (p *persistentService) update(ctx context.Context, req *persistent.UpdateReq) error {
	stream, group, err := updateTarget(req)
	if err != nil {
		return err
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		return errPSClosed
	}
	g, ok := p.groups[psKey(stream, group)]
	if !ok {
		return psNotFound(stream, group)
	}
	cfg, err := p.configFromUpdate(req, g.cfg)
	if err != nil {
		return err
	}
	entries := p.entries()
	for i := range entries {
		if entries[i].key() == cfg.key() {
			entries[i] = cfg
		}
	}
	if err := p.saveConfig(ctx, entries); err != nil {
		return fmt.Errorf("update group %s: %w", cfg.key(), err)
	}
	g.halt(psDropped(stream, group), true)
	delete(p.groups, cfg.key())
	if _, err := p.startGroup(ctx, cfg); err != nil {
		return err
	}
	return nil
}

// Delete removes a group, its checkpoint and its parked messages, and drops
// its consumers.
func (p *persistentService) Delete(ctx context.Context, req *persistent.DeleteReq) (*persistent.DeleteResp, error) {
	return &persistent.DeleteResp{}, unaryStatus(ctx, p.delete(ctx, req))
}

func (p *persistentService) delete(ctx context.Context, req *persistent.DeleteReq) error {
	o := req.GetOptions()
	stream, err := psTarget(o.GetStreamIdentifier(), o.GetAll())
	if err != nil {
		return err
	}
	group := o.GetGroupName()
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		return errPSClosed
	}
	key := psKey(stream, group)
	g, ok := p.groups[key]
	if !ok {
		return psNotFound(stream, group)
	}
	entries := slices.DeleteFunc(p.entries(), func(c psConfig) bool { return c.key() == key })
	if err := p.saveConfig(ctx, entries); err != nil {
		return fmt.Errorf("delete group %s: %w", key, err)
	}
	delete(p.groups, key)
	g.halt(psDropped(stream, group), false)
	return p.resetGroupStreams(ctx, stream, group)
}

// psTarget names the source of a request: a stream or $all.
func psTarget(id *shared.StreamIdentifier, all *shared.Empty) (string, error) {
	if all != nil {
		return psAllStream, nil
	}
	name := string(id.GetStreamName())
	if name == "" {
		return "", psInvalid("stream name is required")
	}
	return name, nil
}

// lookup finds a group. Caller holds p.mu.
func (p *persistentService) lookup(stream, group string) (*psGroup, error) {
	if p.closed {
		return nil, errPSClosed
	}
	g, ok := p.groups[psKey(stream, group)]
	if !ok {
		return nil, psNotFound(stream, group)
	}
	return g, nil
}

// GetInfo describes one group.
func (p *persistentService) GetInfo(ctx context.Context, req *persistent.GetInfoReq) (*persistent.GetInfoResp, error) {
	o := req.GetOptions()
	stream, err := psTarget(o.GetStreamIdentifier(), o.GetAll())
	if err != nil {
		return nil, unaryStatus(ctx, err)
	}
	p.mu.Lock()
	g, err := p.lookup(stream, o.GetGroupName())
	p.mu.Unlock()
	if err != nil {
		return nil, unaryStatus(ctx, err)
	}
	return &persistent.GetInfoResp{SubscriptionInfo: g.info()}, nil
}

// List describes all groups, or those of one stream or of $all.
func (p *persistentService) List(ctx context.Context, req *persistent.ListReq) (*persistent.ListResp, error) {
	o := req.GetOptions()
	filter := ""
	if fs := o.GetListForStream(); fs != nil {
		var err error
		if filter, err = psTarget(fs.GetStream(), fs.GetAll()); err != nil {
			return nil, unaryStatus(ctx, err)
		}
	} else if o.GetListAllSubscriptions() == nil {
		return nil, unaryStatus(ctx, psInvalid("a list option is required"))
	}
	p.mu.Lock()
	if p.closed {
		p.mu.Unlock()
		return nil, unaryStatus(ctx, errPSClosed)
	}
	var groups []*psGroup
	for _, cfg := range p.entries() {
		if filter == "" || cfg.Stream == filter {
			groups = append(groups, p.groups[cfg.key()])
		}
	}
	p.mu.Unlock()
	if filter != "" && len(groups) == 0 {
		// The real server reports a stream without groups as not found.
		return nil, unaryStatus(ctx, psNotFound(filter, ""))
	}
	resp := &persistent.ListResp{Subscriptions: make([]*persistent.SubscriptionInfo, len(groups))}
	for i, g := range groups {
		resp.Subscriptions[i] = g.info()
	}
	return resp, nil
}

// ReplayParked redelivers a group's parked messages.
func (p *persistentService) ReplayParked(ctx context.Context, req *persistent.ReplayParkedReq) (*persistent.ReplayParkedResp, error) {
	o := req.GetOptions()
	stream, err := psTarget(o.GetStreamIdentifier(), o.GetAll())
	if err != nil {
		return nil, unaryStatus(ctx, err)
	}
	stopAt := int64(-1)
	if _, ok := o.GetStopAtOption().(*persistent.ReplayParkedReq_Options_StopAt); ok {
		if stopAt = o.GetStopAt(); stopAt < 0 {
			return nil, unaryStatus(ctx, psInvalid("stop_at must not be negative"))
		}
	}
	p.mu.Lock()
	g, err := p.lookup(stream, o.GetGroupName())
	p.mu.Unlock()
	if err != nil {
		return nil, unaryStatus(ctx, err)
	}
	if err := g.requestReplay(ctx, stopAt); err != nil {
		return nil, unaryStatus(ctx, fmt.Errorf("replay parked messages: %w", err))
	}
	return &persistent.ReplayParkedResp{}, nil
}

// RestartSubsystem drops every consumer and reloads all groups from the log.
func (p *persistentService) RestartSubsystem(ctx context.Context, _ *shared.Empty) (*shared.Empty, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		return nil, unaryStatus(ctx, errPSClosed)
	}
	for key, g := range p.groups {
		g.halt(psDropped(g.cfg.Stream, g.cfg.Group), true)
		delete(p.groups, key)
	}
	if err := p.load(ctx); err != nil {
		return nil, unaryStatus(ctx, fmt.Errorf("restart persistent subscriptions: %w", err))
	}
	return &shared.Empty{}, nil
}

// Read connects a consumer to a group: a confirmation, then events as the
// consumer's buffer allows, while it acks and nacks on the same stream.
func (p *persistentService) Read(stream persistent.PersistentSubscriptions_ReadServer) error {
	setTrailer := stream.SetTrailer
	first, err := stream.Recv()
	if err != nil {
		if errors.Is(err, io.EOF) {
			return nil
		}
		return err
	}
	o := first.GetOptions()
	if o == nil {
		return psStatus(setTrailer, psInvalid("the first message must carry options"))
	}
	var name string
	switch so := o.GetStreamOption().(type) {
	case *persistent.ReadReq_Options_StreamIdentifier:
		name = string(so.StreamIdentifier.GetStreamName())
	case *persistent.ReadReq_Options_All:
		name = psAllStream
	}
	if name == "" || o.GetGroupName() == "" {
		return psStatus(setTrailer, psInvalid("stream and group name are required"))
	}
	size := int(o.GetBufferSize())
	if size <= 0 {
		size = 10
	}
	from := ""
	if pr, ok := peer.FromContext(stream.Context()); ok && pr.Addr != nil {
		from = pr.Addr.String()
	}

	p.mu.Lock()
	g, err := p.lookup(name, o.GetGroupName())
	var c *psConn
	if err == nil {
		c, err = g.connect(from, size, o.GetUuidOption().GetString_() != nil)
	}
	if err != nil {
		p.mu.Unlock()
		return psStatus(setTrailer, err)
	}
	p.conns.Add(1)
	p.mu.Unlock()
	defer g.disconnect(c)
	go func() {
		defer p.conns.Done()
		p.receive(stream, g, c)
	}()

	err = stream.Send(&persistent.ReadResp{Content: &persistent.ReadResp_SubscriptionConfirmation_{
		SubscriptionConfirmation: &persistent.ReadResp_SubscriptionConfirmation{SubscriptionId: g.cfg.key()},
	}})
	if err != nil {
		return err
	}
	ctx := stream.Context()
	for {
		select {
		case <-c.notify:
			for _, r := range g.takeOut(c) {
				if err := stream.Send(r); err != nil {
					return err
				}
			}
		case <-c.done:
			return psStatus(setTrailer, c.err)
		case <-ctx.Done():
			return status.FromContextError(ctx.Err()).Err()
		}
	}
}

// receive applies a consumer's acks and nacks until its stream ends.
func (p *persistentService) receive(stream persistent.PersistentSubscriptions_ReadServer, g *psGroup, c *psConn) {
	for {
		req, err := stream.Recv()
		if err != nil {
			c.close(nil)
			return
		}
		switch {
		case req.GetAck() != nil:
			g.ack(c, psIDs(req.GetAck().GetIds()))
		case req.GetNack() != nil:
			n := req.GetNack()
			if g.nack(c, psIDs(n.GetIds()), n.GetAction(), n.GetReason()) {
				c.close(nil)
				return
			}
		}
	}
}

func psIDs(ids []*shared.UUID) [][16]byte {
	out := make([][16]byte, 0, len(ids))
	for _, u := range ids {
		if id, ok := psIDFromProto(u); ok {
			out = append(out, id)
		}
	}
	return out
}
