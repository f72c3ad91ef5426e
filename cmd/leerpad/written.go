package main

import (
	"context"
	"errors"
	"io"
	"strings"

	"github.com/EventStore/EventStore-Client-Go/v4/esdb"

	"github.com/leerpad/leerpad/demo"
	"github.com/leerpad/leerpad/eventstore"
)

// position is a place in $all; ok is false for an empty log.
type position struct {
	commit uint64
	ok     bool
}

// headOfAll returns the position of the last event in $all.
func headOfAll(ctx context.Context, c *esdb.Client) (position, error) {
	rs, err := c.ReadAll(ctx, esdb.ReadAllOptions{Direction: esdb.Backwards, From: esdb.End{}}, 1)
	if err != nil {
		return position{}, err
	}
	defer rs.Close()
	ev, err := rs.Recv()
	if errors.Is(err, io.EOF) {
		return position{}, nil
	}
	if err != nil {
		return position{}, err
	}
	return position{commit: ev.OriginalEvent().Position.Commit, ok: true}, nil
}

// writtenSince counts the events appended after a position, and the streams
// they went to per stream category, for the seed's summary.
func writtenSince(ctx context.Context, c *esdb.Client, from position) (demo.Written, error) {
	streams := map[string]map[string]bool{} // category -> stream names
	w := demo.Written{Streams: map[string]int{}}
	opts := esdb.ReadAllOptions{From: esdb.Start{}}
	if from.ok {
		opts.From = esdb.Position{Commit: from.commit, Prepare: from.commit}
	}
	rs, err := c.ReadAll(ctx, opts, ^uint64(0))
	if err != nil {
		return w, err
	}
	defer rs.Close()
	for {
		ev, err := rs.Recv()
		if errors.Is(err, io.EOF) {
			return w, nil
		}
		if err != nil {
			return w, err
		}
		e := ev.OriginalEvent()
		if from.ok && e.Position.Commit <= from.commit || strings.HasPrefix(e.StreamID, "$") {
			continue
		}
		cat, _, _ := eventstore.ParseStreamID(e.StreamID)
		if streams[cat] == nil {
			streams[cat] = map[string]bool{}
		}
		if !streams[cat][e.StreamID] {
			streams[cat][e.StreamID] = true
			w.Streams[cat]++
		}
		w.Events++
	}
}
