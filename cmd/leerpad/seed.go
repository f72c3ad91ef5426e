package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/EventStore/EventStore-Client-Go/v4/esdb"

	"github.com/leerpad/leerpad/demo"
	"github.com/leerpad/leerpad/eventstore"
)

// runSeed writes the demo data set through the domain services and prints
// what it wrote, with the ids to try the API with. Running it again with the
// same flags writes nothing twice. With --env it prints those ids as shell
// export lines instead, and the summary on stderr.
func runSeed(ctx context.Context, args []string, stdout, stderr io.Writer) (err error) {
	fs := newFlagSet("leerpad seed", stderr)
	var esf eventStoreFlags
	esf.register(fs)
	value := fs.Uint64("seed", 1, "`value` the data set is derived from: the same value gives the same data set")
	cohorts := fs.Int("cohorts", demo.DefaultCohorts, "number of `cohorts` (BLG, SMEC, BLG, masterclass, ...)")
	participants := fs.Int("participants", demo.DefaultParticipants, "`participants` per cohort")
	concurrency := fs.Int("concurrency", demo.DefaultConcurrency, "commands in flight at once (`n`); the data set does not depend on it")
	env := fs.Bool("env", false, "print the Try-it ids as shell export lines (export LEERPAD_COHORT=...) on stdout, for eval; the summary goes to stderr")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	for name, v := range map[string]int{"cohorts": *cohorts, "participants": *participants, "concurrency": *concurrency} {
		if v < 1 {
			return &usageError{msg: fmt.Sprintf("leerpad seed: -%s must be at least 1, got %d", name, v)}
		}
	}
	opts := demo.Options{Seed: *value, Cohorts: *cohorts, Participants: *participants, Concurrency: *concurrency}
	if err := opts.Validate(); err != nil {
		return &usageError{msg: "leerpad seed: " + err.Error()}
	}

	es, err := openEventStore(ctx, esf, newLogger(stderr, slog.LevelWarn))
	if err != nil {
		return err
	}
	defer func() { err = errors.Join(err, es.Close()) }()
	codec, err := newCodec()
	if err != nil {
		return err
	}
	svc := newServices(eventstore.NewStore(es.client, codec))

	head, err := headOfAll(ctx, es.client)
	if err != nil {
		return fmt.Errorf("read the end of the event log: %w", err)
	}
	started := time.Now()
	bar := newProgressBar(stderr, started)
	rep, err := demo.Run(ctx, svc.forSeed(), opts, bar.update)
	bar.finish()
	if err != nil {
		if ctx.Err() != nil {
			return fmt.Errorf("seed %d interrupted; the same command completes the data set: %w", opts.Seed, err)
		}
		return fmt.Errorf("seed %d: %w", opts.Seed, err)
	}
	elapsed := time.Since(started)
	w, err := writtenSince(ctx, es.client, head)
	if err != nil {
		return fmt.Errorf("count the events written: %w", err)
	}
	if *env {
		if _, err := io.WriteString(stderr, summary(opts, rep, w, elapsed, where(esf))); err != nil {
			return err
		}
		_, err = io.WriteString(stdout, tryItEnv(rep.TryIt))
		return err
	}
	_, err = io.WriteString(stdout, summary(opts, rep, w, elapsed, where(esf))+tryItBlock(rep.TryIt))
	return err
}

// tryItVars are the Try-it ids as the shell variables of leerpad seed --env,
// which the README's tour uses.
func tryItVars(t demo.TryIt) [][2]string {
	return [][2]string{
		{"LEERPAD_COHORT", t.CohortID},
		{"LEERPAD_TRAINER", t.TrainerID},
		{"LEERPAD_PARTICIPANT", t.ParticipantID},
		{"LEERPAD_JOURNEY", t.JourneyID},
		{"LEERPAD_MANAGER", t.ManagerID},
		{"LEERPAD_GOAL", t.LearningGoalID},
		{"LEERPAD_SHARED", strings.Join(t.Shared, ",")},
	}
}

// tryItEnv prints the Try-it ids as export lines for a POSIX shell.
func tryItEnv(t demo.TryIt) string {
	out := &strings.Builder{}
	for _, v := range tryItVars(t) {
		fmt.Fprintf(out, "export %s=%s\n", v[0], shellQuote(v[1]))
	}
	return out.String()
}

// shellQuote leaves ids and section lists bare and single-quotes anything else.
func shellQuote(s string) string {
	if s != "" && strings.Trim(s, "abcdefghijklmnopqrstuvwxyz0123456789-,") == "" {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// tryItBlock tells a new user which ids to paste: the running cohort, a
// trainer, and a participant in progress with their journey, manager and a
// learning goal to log an experiment for.
func tryItBlock(t demo.TryIt) string {
	if t.JourneyID == "" {
		return ""
	}
	out := &strings.Builder{}
	fmt.Fprintf(out, "Try it: the cohort %s is running on %s. As shell variables for the README's tour: add --env and eval the output.\n",
		t.CohortTitle, demo.ReferenceDate.Format(time.DateOnly))
	fmt.Fprintf(out, "  cohort:         %s  (LEERPAD_COHORT)\n", t.CohortID)
	fmt.Fprintf(out, "  trainer:        %s  (LEERPAD_TRAINER)\n", t.TrainerID)
	fmt.Fprintf(out, "  participant:    %s  (LEERPAD_PARTICIPANT), in progress\n", t.ParticipantID)
	fmt.Fprintf(out, "  journey:        %s  (LEERPAD_JOURNEY), %d experiments open\n", t.JourneyID, t.OpenExperiments)
	fmt.Fprintf(out, "  manager:        %s  (LEERPAD_MANAGER), sees %s\n", t.ManagerID, strings.Join(t.Shared, ", "))
	fmt.Fprintf(out, "  learning goal:  %s  (LEERPAD_GOAL), for a new experiment\n", t.LearningGoalID)
	return out.String()
}

// forSeed returns the services as the seed sees them.
func (s *services) forSeed() demo.Services {
	return demo.Services{
		Modules: s.Modules, Programmes: s.Programmes, Entities: s.Entities, Cohorts: s.Cohorts,
		Journeys: s.Journeys, Instruments: s.Instruments, Rounds: s.Rounds, JourneyLog: s.JourneyLog,
	}
}

// where names the event store for the summary, without credentials.
func where(f eventStoreFlags) string {
	if f.connection == "" {
		return "data directory " + f.data
	}
	if u, err := url.Parse(f.connection); err == nil && u.User != nil {
		u.User = nil
		return u.String()
	}
	return f.connection
}

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

// written counts the events appended after a position, per stream category.
type written struct {
	events  int
	streams map[string]map[string]bool // category -> stream names
}

func writtenSince(ctx context.Context, c *esdb.Client, from position) (written, error) {
	w := written{streams: map[string]map[string]bool{}}
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
		if w.streams[cat] == nil {
			w.streams[cat] = map[string]bool{}
		}
		w.streams[cat][e.StreamID] = true
		w.events++
	}
}

// summary says what the run did and what the data set holds.
func summary(o demo.Options, r demo.Report, w written, elapsed time.Duration, at string) string {
	out := &strings.Builder{}
	set := fmt.Sprintf("data set of seed %d (%d cohorts of %d participants)", o.Seed, o.Cohorts, o.Participants)
	elapsed = elapsed.Round(time.Millisecond)
	switch {
	case w.events == 0:
		fmt.Fprintf(out, "The %s is already complete in %s: nothing written (%d commands checked in %s).\n", set, at, r.Commands, elapsed)
	case r.Finished > 0:
		fmt.Fprintf(out, "Completed the %s in %s, which an earlier run had begun, in %s.\n", set, at, elapsed)
	default:
		fmt.Fprintf(out, "Seeded the %s into %s in %s.\n", set, at, elapsed)
	}
	fmt.Fprintf(out, "  catalogue:  %d programmes, %d modules, %d ordering entities, %d 360 instrument\n",
		r.Programmes, r.Modules, r.Entities, r.Instruments)
	ref := demo.ReferenceDate.Format(time.DateOnly)
	fmt.Fprintf(out, "  cohorts:    %d cohorts, %d intervision groups, %d module deliveries (%d after %s)\n", r.Cohorts, r.Groups, r.Deliveries, r.Upcoming, ref)
	fmt.Fprintf(out, "  journeys:   %d (%d completed, %d withdrawn, %d in progress on %s), %d experiments\n",
		r.Journeys, r.Completed, r.Withdrawn, r.InProgress, ref, r.Experiments)
	fmt.Fprintf(out, "  360:        %d rounds, %d raters nominated, %d responses\n", r.Rounds, r.Raters, r.Responses)
	cats := make([]string, 0, len(w.streams))
	streams := 0
	for c, s := range w.streams {
		cats = append(cats, fmt.Sprintf("%s %d", c, len(s)))
		streams += len(s)
	}
	slices.Sort(cats)
	fmt.Fprintf(out, "  written:    %d events to %d streams", w.events, streams)
	if len(cats) > 0 {
		fmt.Fprintf(out, " (%s)", strings.Join(cats, ", "))
	}
	fmt.Fprintf(out, " by %d commands", r.Commands)
	if r.Skipped > 0 {
		fmt.Fprintf(out, "; %d commands of %d journeys finished before were skipped", r.Skipped, r.Finished)
	}
	fmt.Fprintln(out)
	return out.String()
}

// progressBar draws a bar on a terminal and writes a line per quarter
// otherwise (logs, CI).
type progressBar struct {
	w       io.Writer
	tty     bool
	started time.Time
	drawn   time.Time
	quarter int
}

func newProgressBar(w io.Writer, started time.Time) *progressBar {
	return &progressBar{w: w, tty: isTerminal(w), started: started, quarter: -1}
}

// isTerminal reports whether w is a character device, such as a terminal.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}

func (p *progressBar) update(done, total int) {
	if total <= 0 {
		return
	}
	elapsed := time.Since(p.started).Round(100 * time.Millisecond)
	pct := 100 * done / total
	if p.tty {
		now := time.Now()
		if done < total && now.Sub(p.drawn) < 100*time.Millisecond {
			return
		}
		p.drawn = now
		const width = 30
		filled := width * done / total
		_, _ = fmt.Fprintf(p.w, "\rseeding [%s%s] %3d%%  %d/%d commands  %s ", strings.Repeat("=", filled), strings.Repeat(" ", width-filled),
			pct, done, total, elapsed)
		return
	}
	if q := pct / 25; q > p.quarter {
		p.quarter = q
		_, _ = fmt.Fprintf(p.w, "seed: %d%% (%d of %d commands, %s)\n", pct, done, total, elapsed)
	}
}

func (p *progressBar) finish() {
	if p.tty && !p.drawn.IsZero() {
		_, _ = fmt.Fprintln(p.w)
	}
}
