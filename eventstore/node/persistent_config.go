package node

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"github.com/EventStore/EventStore-Client-Go/v4/protos/persistent"
	"google.golang.org/grpc/codes"
)

// System streams of the persistent subscription subsystem, named as on the
// real server. The log is their only store: the in-memory groups are rebuilt
// from them when the node starts.
const (
	// psConfigStream holds snapshots of every group's configuration; the
	// last event is the current set.
	psConfigStream = "$persistentSubscriptionConfig"
	// psConfigEventType is the type of a configuration snapshot.
	psConfigEventType = "$PersistentConfig"
	// psStreamPrefix starts the checkpoint and parked-message streams:
	// "$persistentsubscription-<stream>::<group>-checkpoint" and "…-parked".
	psStreamPrefix = "$persistentsubscription-"
	// psCheckpointEventType is the type of a checkpoint event.
	psCheckpointEventType = "$SubscriptionCheckpoint"
	// psLinkEventType is the type of a parked-message record: a link to the
	// original event ("<revision>@<stream>").
	psLinkEventType = "$>"
	// psAllStream is how $all groups are named in keys and infos.
	psAllStream = "$all"
)

// Consumer strategies as the client names them.
const (
	psRoundRobin          = "RoundRobin"
	psDispatchToSingle    = "DispatchToSingle"
	psPinned              = "Pinned"
	psPinnedByCorrelation = "PinnedByCorrelation"
)

// psConfig is one group's configuration as stored in the config stream.
// Field names are stored: never rename the JSON tags.
type psConfig struct {
	Stream string `json:"stream"` // psAllStream for $all groups
	Group  string `json:"group"`
	// StartFrom is the start point as GetInfo reports it: "0" (start), "-1"
	// (end), a revision, or "C:<commit>/P:<prepare>" for $all groups.
	StartFrom string `json:"startFrom"`
	// Start is the first revision (stream) or position ($all) to deliver,
	// inclusive; "end" is resolved when the group is created or updated.
	Start uint64 `json:"start"`

	Filter *psFilterConfig `json:"filter,omitempty"`

	ResolveLinks       bool   `json:"resolveLinks"`
	ExtraStatistics    bool   `json:"extraStatistics"`
	MaxRetryCount      int32  `json:"maxRetryCount"`
	MinCheckpointCount int32  `json:"minCheckpointCount"`
	MaxCheckpointCount int32  `json:"maxCheckpointCount"`
	MaxSubscriberCount int32  `json:"maxSubscriberCount"`
	LiveBufferSize     int32  `json:"liveBufferSize"`
	ReadBatchSize      int32  `json:"readBatchSize"`
	HistoryBufferSize  int32  `json:"historyBufferSize"`
	MessageTimeoutMs   int32  `json:"messageTimeoutMs"`
	CheckpointAfterMs  int32  `json:"checkpointAfterMs"`
	ConsumerStrategy   string `json:"consumerStrategy"`
}

// psFilterConfig is the server-side filter of a $all group.
type psFilterConfig struct {
	OnEventType bool     `json:"onEventType"` // false: on stream name
	Regex       string   `json:"regex,omitempty"`
	Prefixes    []string `json:"prefixes,omitempty"`
	MaxWindow   uint32   `json:"maxWindow,omitempty"`
	Multiplier  uint32   `json:"checkpointIntervalMultiplier,omitempty"`
}

// psConfigSnapshot is the payload of a config event.
type psConfigSnapshot struct {
	Version string     `json:"version"`
	Entries []psConfig `json:"entries"`
}

func (c *psConfig) isAll() bool { return c.Stream == psAllStream }

func (c *psConfig) key() string { return psKey(c.Stream, c.Group) }

func psKey(stream, group string) string { return stream + "::" + group }

func psCheckpointStream(stream, group string) string {
	return psStreamPrefix + psKey(stream, group) + "-checkpoint"
}

func psParkedStream(stream, group string) string {
	return psStreamPrefix + psKey(stream, group) + "-parked"
}

// psOwnStream reports streams the subsystem writes itself. $all groups do
// not receive them, so that a group's own checkpoints and parked records
// never feed back into it (or ping-pong between two $all groups).
func psOwnStream(name string) bool {
	name = strings.TrimPrefix(name, "$$")
	return name == psConfigStream || strings.HasPrefix(name, psStreamPrefix)
}

// allFilter builds the engine filter of a $all group.
func (c *psConfig) allFilter() (AllFilter, error) {
	var match func(string) bool
	if f := c.Filter; f != nil {
		switch {
		case f.Regex != "":
			re, err := regexp.Compile(f.Regex)
			if err != nil {
				return AllFilter{}, fmt.Errorf("compile filter %q: %w", f.Regex, err)
			}
			match = re.MatchString
		case len(f.Prefixes) > 0:
			prefixes := append([]string(nil), f.Prefixes...)
			match = func(s string) bool {
				for _, p := range prefixes {
					if strings.HasPrefix(s, p) {
						return true
					}
				}
				return false
			}
		}
	}
	onType := c.Filter != nil && c.Filter.OnEventType
	return AllFilter{
		Stream: func(name string) bool {
			if psOwnStream(name) {
				return false
			}
			return match == nil || onType || match(name)
		},
		Type: func(typ string) bool { return match == nil || !onType || match(typ) },
	}, nil
}

// psSettings is the part shared by CreateReq and UpdateReq settings.
type psSettings interface {
	GetResolveLinks() bool
	GetExtraStatistics() bool
	GetMaxRetryCount() int32
	GetMinCheckpointCount() int32
	GetMaxCheckpointCount() int32
	GetMaxSubscriberCount() int32
	GetLiveBufferSize() int32
	GetReadBatchSize() int32
	GetHistoryBufferSize() int32
	GetMessageTimeoutTicks() int64
	GetMessageTimeoutMs() int32
	GetCheckpointAfterTicks() int64
	GetCheckpointAfterMs() int32
}

// ticksPerMs is the number of .NET ticks (100 ns) in a millisecond.
const ticksPerMs = 10_000

// applySettings copies and validates settings into c. strategy is the
// consumer strategy name already taken from the request.
func (c *psConfig) applySettings(s psSettings, strategy string) error {
	if s == nil {
		return psInvalid("settings are required")
	}
	c.ResolveLinks = s.GetResolveLinks()
	c.ExtraStatistics = s.GetExtraStatistics()
	c.MaxRetryCount = s.GetMaxRetryCount()
	c.MinCheckpointCount = s.GetMinCheckpointCount()
	c.MaxCheckpointCount = s.GetMaxCheckpointCount()
	c.MaxSubscriberCount = s.GetMaxSubscriberCount()
	c.LiveBufferSize = s.GetLiveBufferSize()
	c.ReadBatchSize = s.GetReadBatchSize()
	c.HistoryBufferSize = s.GetHistoryBufferSize()
	c.MessageTimeoutMs = s.GetMessageTimeoutMs()
	if t := s.GetMessageTimeoutTicks(); t != 0 {
		c.MessageTimeoutMs = int32(t / ticksPerMs)
	}
	c.CheckpointAfterMs = s.GetCheckpointAfterMs()
	if t := s.GetCheckpointAfterTicks(); t != 0 {
		c.CheckpointAfterMs = int32(t / ticksPerMs)
	}
	c.ConsumerStrategy = strategy
	for _, v := range []struct {
		name string
		n    int32
	}{
		{"max_retry_count", c.MaxRetryCount}, {"min_checkpoint_count", c.MinCheckpointCount},
		{"max_checkpoint_count", c.MaxCheckpointCount}, {"max_subscriber_count", c.MaxSubscriberCount},
		{"live_buffer_size", c.LiveBufferSize}, {"read_batch_size", c.ReadBatchSize},
		{"history_buffer_size", c.HistoryBufferSize}, {"message_timeout", c.MessageTimeoutMs},
		{"checkpoint_after", c.CheckpointAfterMs},
	} {
		if v.n < 0 {
			return psInvalid(fmt.Sprintf("%s must not be negative", v.name))
		}
	}
	if c.MaxCheckpointCount > 0 && c.MinCheckpointCount > c.MaxCheckpointCount {
		return psInvalid("min_checkpoint_count must not exceed max_checkpoint_count")
	}
	return nil
}

func strategyFromEnum(v int32) (string, error) {
	// CreateReq and UpdateReq share the numbering.
	switch v {
	case int32(persistent.CreateReq_DispatchToSingle):
		return psDispatchToSingle, nil
	case int32(persistent.CreateReq_RoundRobin):
		return psRoundRobin, nil
	case int32(persistent.CreateReq_Pinned):
		return psPinned, nil
	}
	return "", psInvalid(fmt.Sprintf("unknown consumer strategy %d", v))
}

func strategyFromName(name string) (string, error) {
	switch name {
	case psRoundRobin, psDispatchToSingle, psPinned, psPinnedByCorrelation:
		return name, nil
	}
	return "", psInvalid(fmt.Sprintf("unknown consumer strategy %q", name))
}

// formatAllPosition renders a $all position as the client parses it.
func formatAllPosition(p uint64) string { return fmt.Sprintf("C:%d/P:%d", p, p) }

// psStartFromStream renders a stream group's start revision for GetInfo.
func psStartFromStream(rev uint64) string {
	if rev == RevisionEnd {
		return "-1"
	}
	return strconv.FormatUint(rev, 10)
}

// configFromCreate validates a CreateReq and resolves its start point.
func (p *persistentService) configFromCreate(req *persistent.CreateReq) (psConfig, error) {
	o := req.GetOptions()
	if o == nil {
		return psConfig{}, psInvalid("options are required")
	}
	c := psConfig{Group: o.GetGroupName()}
	if c.Group == "" {
		return c, psInvalid("group name is required")
	}
	strategy := o.GetSettings().GetConsumerStrategy()
	var err error
	if strategy == "" {
		strategy, err = strategyFromEnum(int32(o.GetSettings().GetNamedConsumerStrategy()))
	} else {
		strategy, err = strategyFromName(strategy)
	}
	if err != nil {
		return c, err
	}
	if err := c.applySettings(o.GetSettings(), strategy); err != nil {
		return c, err
	}
	switch so := o.GetStreamOption().(type) {
	case *persistent.CreateReq_Options_Stream:
		c.Stream = string(so.Stream.GetStreamIdentifier().GetStreamName())
		if err := p.resolveStreamStart(&c, so.Stream.GetRevisionOption() == nil, so.Stream.GetStart() != nil,
			so.Stream.GetEnd() != nil, so.Stream.GetRevision()); err != nil {
			return c, err
		}
	case *persistent.CreateReq_Options_All:
		c.Stream = psAllStream
		all := so.All
		if err := p.resolveAllStart(&c, all.GetStart() != nil, all.GetEnd() != nil, all.GetPosition()); err != nil {
			return c, err
		}
		if f := all.GetFilter(); f != nil {
			fc := &psFilterConfig{MaxWindow: f.GetMax(), Multiplier: f.GetCheckpointIntervalMultiplier()}
			var ex *persistent.CreateReq_AllOptions_FilterOptions_Expression
			if t := f.GetEventType(); t != nil {
				fc.OnEventType, ex = true, t
			} else {
				ex = f.GetStreamIdentifier()
			}
			if ex == nil || (ex.GetRegex() == "" && len(ex.GetPrefix()) == 0) {
				return c, psInvalid("a filter needs a regex or prefixes")
			}
			if ex.GetRegex() != "" && len(ex.GetPrefix()) > 0 {
				return c, psInvalid("a filter takes a regex or prefixes, not both")
			}
			fc.Regex, fc.Prefixes = ex.GetRegex(), ex.GetPrefix()
			c.Filter = fc
			if _, err := c.allFilter(); err != nil {
				return c, psInvalid(err.Error())
			}
		}
	case nil:
		// Pre-21 clients: deprecated stream identifier plus settings.revision.
		c.Stream = string(o.GetStreamIdentifier().GetStreamName())
		rev := o.GetSettings().GetRevision()
		if err := p.resolveStreamStart(&c, false, false, rev == RevisionEnd, rev); err != nil {
			return c, err
		}
	}
	return c, nil
}

// configFromUpdate validates an UpdateReq into a copy of the current config.
func (p *persistentService) configFromUpdate(req *persistent.UpdateReq, cur psConfig) (psConfig, error) {
	o := req.GetOptions()
	c := cur
	strategy, err := strategyFromEnum(int32(o.GetSettings().GetNamedConsumerStrategy()))
	if err != nil {
		return c, err
	}
	if err := c.applySettings(o.GetSettings(), strategy); err != nil {
		return c, err
	}
	switch so := o.GetStreamOption().(type) {
	case *persistent.UpdateReq_Options_Stream:
		err = p.resolveStreamStart(&c, so.Stream.GetRevisionOption() == nil, so.Stream.GetStart() != nil,
			so.Stream.GetEnd() != nil, so.Stream.GetRevision())
	case *persistent.UpdateReq_Options_All:
		all := so.All
		var pos *persistent.CreateReq_Position
		if ap := all.GetPosition(); ap != nil {
			pos = &persistent.CreateReq_Position{CommitPosition: ap.GetCommitPosition(), PreparePosition: ap.GetPreparePosition()}
		}
		if all.GetAllOption() == nil {
			return c, nil // keep the start point
		}
		err = p.resolveAllStart(&c, all.GetStart() != nil, all.GetEnd() != nil, pos)
	case nil:
		rev := o.GetSettings().GetRevision()
		err = p.resolveStreamStart(&c, false, false, rev == RevisionEnd, rev)
	}
	return c, err
}

// updateTarget names the group an UpdateReq is for.
func updateTarget(req *persistent.UpdateReq) (stream, group string, err error) {
	o := req.GetOptions()
	if o == nil {
		return "", "", psInvalid("options are required")
	}
	switch so := o.GetStreamOption().(type) {
	case *persistent.UpdateReq_Options_Stream:
		stream = string(so.Stream.GetStreamIdentifier().GetStreamName())
	case *persistent.UpdateReq_Options_All:
		stream = psAllStream
	default:
		stream = string(o.GetStreamIdentifier().GetStreamName())
	}
	if stream == "" || o.GetGroupName() == "" {
		return "", "", psInvalid("stream and group name are required")
	}
	return stream, o.GetGroupName(), nil
}

func (p *persistentService) resolveStreamStart(c *psConfig, unset, start, end bool, rev uint64) error {
	if c.Stream == "" {
		return psInvalid("stream name is required")
	}
	if c.Stream == psAllStream {
		return psInvalid("use the all option for $all groups")
	}
	switch {
	case unset, start:
		c.Start, c.StartFrom = 0, "0"
	case end:
		last, _ := p.e.LastRevision(c.Stream)
		c.Start, c.StartFrom = uint64(last+1), "-1"
	default:
		c.Start, c.StartFrom = rev, psStartFromStream(rev)
	}
	return nil
}

func (p *persistentService) resolveAllStart(c *psConfig, start, end bool, pos *persistent.CreateReq_Position) error {
	switch {
	case end:
		c.Start, c.StartFrom = p.e.HeadPosition()+1, "C:-1/P:-1"
	case pos != nil && !start:
		if pos.GetCommitPosition() < pos.GetPreparePosition() {
			return psInvalid("commit position is before prepare position")
		}
		c.Start, c.StartFrom = pos.GetCommitPosition(), formatAllPosition(pos.GetCommitPosition())
		if c.Start == 0 {
			c.StartFrom = "C:0/P:0"
		}
	default:
		c.Start, c.StartFrom = 0, "C:0/P:0"
	}
	return nil
}

// loadConfig reads the latest configuration snapshot from the log.
func (p *persistentService) loadConfig(ctx context.Context) ([]psConfig, int64, error) {
	rev, _ := p.e.LastRevision(psConfigStream)
	var snap psConfigSnapshot
	var found bool
	err := p.e.ReadStream(ctx, psConfigStream, RevisionEnd, true, 1, func(ev *Event) error {
		found = true
		if err := json.Unmarshal(ev.Data, &snap); err != nil {
			return fmt.Errorf("decode %s event %d: %w", psConfigStream, ev.Revision, err)
		}
		return nil
	})
	if err != nil && !errors.Is(err, ErrStreamNotFound) {
		return nil, rev, fmt.Errorf("read persistent subscription config: %w", err)
	}
	if !found {
		return nil, rev, nil
	}
	return snap.Entries, rev, nil
}

// saveConfig appends a snapshot of all configurations after the expected
// revision of the config stream. Caller holds p.mu.
func (p *persistentService) saveConfig(ctx context.Context, entries []psConfig) error {
	data, err := json.Marshal(psConfigSnapshot{Version: "2", Entries: entries})
	if err != nil {
		return fmt.Errorf("encode persistent subscription config: %w", err)
	}
	exp := Expected{Kind: ExpectNoStream}
	if p.cfgRev >= 0 {
		exp = Expected{Kind: ExpectRevision, Revision: uint64(p.cfgRev)}
	}
	res, err := p.e.Append(ctx, psConfigStream, exp, []ProposedEvent{{
		ID: psEventID(), Type: psConfigEventType, ContentType: "application/json", Data: data,
	}})
	if err != nil {
		return fmt.Errorf("write persistent subscription config: %w", err)
	}
	if !res.Success {
		return &psError{code: codes.Aborted, msg: "persistent subscription config was changed concurrently"}
	}
	p.cfgRev = int64(res.Revision)
	return nil
}
