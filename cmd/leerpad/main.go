// Command leerpad is Leerpad's single binary: the event-store node, the demo
// data set, and the service and tooling as they arrive.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout, os.Stderr); err != nil {
		if !errors.Is(err, flag.ErrHelp) {
			fmt.Fprintln(os.Stderr, "leerpad:", err)
		}
		os.Exit(exitCode(err))
	}
}

// usageError marks mistakes in how the command was called (exit code 2).
type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }

func exitCode(err error) int {
	var ue *usageError
	if errors.As(err, &ue) || errors.Is(err, flag.ErrHelp) {
		return 2
	}
	return 1
}

const usage = `leerpad: an event-sourced learning-journey tracker

Usage:
  leerpad serve [flags]         run Leerpad: API, read models and the embedded event-store node
  leerpad node [flags]          run the embedded event-store node alone
  leerpad node verify [flags]   check a data directory offline
  leerpad node scavenge [flags] reclaim the space of deleted and expired events of a stopped node
  leerpad token [flags]         print a bearer token signed with the data directory's local key
  leerpad seed [flags]          write the demo data set (deterministic from --seed; safe to run again)
  leerpad rebuild [flags]       rebuild the read models from the event log, with progress and a summary
  leerpad erase [flags]         erase a person on their request (--person, --reason), as the programme office
  leerpad export [flags]        print everything Leerpad holds of a person (--person) as JSON
  leerpad retention [flags]     erase what the programmes' retention makes due (--dry-run: list it and why)
  leerpad migrate encrypt [flags] rewrite a stopped node's log with every personal field encrypted
  leerpad keys rotate-kek [flags] wrap the key store's keys with a new key-encryption key (all stopped)

Run "leerpad <command> -h" for the flags of a command.
`

// run dispatches a subcommand. Wiring only: each command builds its
// dependencies from flags and runs until ctx ends.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		_, _ = fmt.Fprint(stderr, usage)
		return &usageError{msg: "no command given"}
	}
	switch args[0] {
	case "node":
		if len(args) > 1 && args[1] == "verify" {
			return runVerify(args[2:], stdout, stderr)
		}
		if len(args) > 1 && args[1] == "scavenge" {
			return runScavenge(ctx, args[2:], stdout, stderr)
		}
		return runNode(ctx, args[1:], stderr)
	case "serve":
		return runServe(ctx, args[1:], stderr)
	case "seed":
		return runSeed(ctx, args[1:], stdout, stderr)
	case "rebuild":
		return runRebuild(ctx, args[1:], stdout, stderr)
	case "token":
		return runToken(args[1:], stdout, stderr)
	case "erase":
		return runErase(ctx, args[1:], stdout, stderr)
	case "export":
		return runExport(ctx, args[1:], stdout, stderr)
	case "retention":
		return runRetention(ctx, args[1:], stdout, stderr)
	case "migrate":
		return runMigrate(ctx, args[1:], stdout, stderr)
	case "keys":
		return runKeys(ctx, args[1:], stdout, stderr)
	case "-h", "-help", "--help", "help":
		_, err := fmt.Fprint(stdout, usage)
		return err
	}
	_, _ = fmt.Fprint(stderr, usage)
	return &usageError{msg: fmt.Sprintf("unknown command %q", args[0])}
}

func newLogger(w io.Writer, level slog.Level) *slog.Logger {
	return slog.New(slog.NewJSONHandler(w, &slog.HandlerOptions{Level: level}))
}
