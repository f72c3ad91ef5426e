package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"

	"github.com/leerpad/leerpad/eventstore/node"
)

func newFlagSet(name string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	return fs
}

func parseFlags(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return &usageError{msg: err.Error()}
	}
	if fs.NArg() > 0 {
		return &usageError{msg: fmt.Sprintf("%s: unexpected argument %q", fs.Name(), fs.Arg(0))}
	}
	return nil
}

// runNode serves one insecure event-store node until ctx ends.
func runNode(ctx context.Context, args []string, stderr io.Writer) error {
	fs := newFlagSet("leerpad node", stderr)
	data := fs.String("data", "./data", "data `directory` of the event log")
	listen := fs.String("listen", "127.0.0.1:2113", "gRPC listen `address`")
	maxAppend := fs.Int("max-append-size", 16<<20, "largest append in `bytes`")
	scavengeEvery := fs.Duration("scavenge-every", 0, "scavenge sealed segments at this `interval` (0: never)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *maxAppend <= 0 {
		return &usageError{msg: fmt.Sprintf("-max-append-size must be positive, got %d", *maxAppend)}
	}
	log := newLogger(stderr, slog.LevelInfo)
	if *scavengeEvery < 0 {
		return &usageError{msg: fmt.Sprintf("-scavenge-every must not be negative, got %s", *scavengeEvery)}
	}
	n, err := node.Start(ctx, node.Config{DataDir: *data, Listen: *listen, MaxAppendSize: *maxAppend, Logger: log,
		ScavengeEvery: *scavengeEvery})
	if err != nil {
		return err
	}
	log.Info("connect with the official client", "connection_string", n.ConnectionString())
	<-ctx.Done()
	log.Info("stopping event-store node")
	return n.Close()
}

// runVerify checks a data directory offline and reports what it found.
func runVerify(args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("leerpad node verify", stderr)
	data := fs.String("data", "./data", "data `directory` to check")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	rep, err := node.Verify(*data)
	var corrupt *node.CorruptionError
	if err == nil || errors.As(err, &corrupt) {
		// The report is only meaningful once the directory could be read.
		if _, werr := fmt.Fprintln(stdout, rep.String()); werr != nil && err == nil {
			return werr
		}
	}
	if err != nil {
		return fmt.Errorf("verify %s: %w", *data, err)
	}
	return nil
}

// runScavenge reclaims the space of garbage events in a stopped node's data
// directory and reports what it did.
func runScavenge(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("leerpad node scavenge", stderr)
	data := fs.String("data", "./data", "data `directory` of a stopped node")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	rep, err := node.ScavengeDir(ctx, *data, newLogger(stderr, slog.LevelInfo))
	if err != nil {
		return fmt.Errorf("scavenge %s: %w", *data, err)
	}
	_, err = fmt.Fprintln(stdout, rep.String())
	return err
}
