package demo

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// Written counts what a run appended to the event log, as the event store
// reports it: the events and, per stream category, the streams they went to.
type Written struct {
	Events  int
	Streams map[string]int // category -> streams written to
}

// Summary says what a run of o did and what the data set holds: r is the
// run's report, w what it appended, elapsed how long it took and at where
// (the event store, without credentials).
func Summary(o Options, r Report, w Written, elapsed time.Duration, at string) string {
	out := &strings.Builder{}
	set := fmt.Sprintf("data set of seed %d (%d cohorts of %d participants)", o.Seed, o.Cohorts, o.Participants)
	elapsed = elapsed.Round(time.Millisecond)
	switch {
	case w.Events == 0:
		fmt.Fprintf(out, "The %s is already complete in %s: nothing written (%d commands checked in %s).\n", set, at, r.Commands, elapsed)
	case r.Finished > 0:
		fmt.Fprintf(out, "Completed the %s in %s, which an earlier run had begun, in %s.\n", set, at, elapsed)
	default:
		fmt.Fprintf(out, "Seeded the %s into %s in %s.\n", set, at, elapsed)
	}
	fmt.Fprintf(out, "  catalogue:  %d programmes, %d modules, %d ordering entities, %d 360 instrument\n",
		r.Programmes, r.Modules, r.Entities, r.Instruments)
	ref := ReferenceDate.Format(time.DateOnly)
	fmt.Fprintf(out, "  cohorts:    %d cohorts, %d intervision groups, %d module deliveries (%d after %s)\n", r.Cohorts, r.Groups, r.Deliveries, r.Upcoming, ref)
	fmt.Fprintf(out, "  journeys:   %d (%d completed, %d withdrawn, %d in progress on %s), %d experiments\n",
		r.Journeys, r.Completed, r.Withdrawn, r.InProgress, ref, r.Experiments)
	fmt.Fprintf(out, "  360:        %d rounds, %d raters nominated, %d responses\n", r.Rounds, r.Raters, r.Responses)
	fmt.Fprintf(out, "  impact:     %d cohorts' measurement closed, %d level 2 ratings, %d quarters of entity key figures\n",
		r.Closed, r.Ratings, r.KeyFigures)
	cats := make([]string, 0, len(w.Streams))
	streams := 0
	for c, n := range w.Streams {
		cats = append(cats, fmt.Sprintf("%s %d", c, n))
		streams += n
	}
	slices.Sort(cats)
	fmt.Fprintf(out, "  written:    %d events to %d streams", w.Events, streams)
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

// Vars are the Try-it ids as the shell variables of leerpad seed --env,
// which the README's tour uses.
func (t TryIt) Vars() [][2]string {
	return [][2]string{
		{"LEERPAD_COHORT", t.CohortID},
		{"LEERPAD_PROGRAMME", t.ProgrammeID},
		{"LEERPAD_TRAINER", t.TrainerID},
		{"LEERPAD_PARTICIPANT", t.ParticipantID},
		{"LEERPAD_JOURNEY", t.JourneyID},
		{"LEERPAD_MANAGER", t.ManagerID},
		{"LEERPAD_GOAL", t.LearningGoalID},
		{"LEERPAD_SHARED", strings.Join(t.Shared, ",")},
		{"LEERPAD_INSTRUMENT", t.InstrumentID},
	}
}

// Env prints the Try-it ids as export lines for a POSIX shell.
func (t TryIt) Env() string {
	out := &strings.Builder{}
	for _, v := range t.Vars() {
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

// Text tells a new user which ids to paste: the running cohort, a trainer,
// and a participant in progress with their journey, manager and a learning
// goal to log an experiment for. It is empty when there is no such journey.
func (t TryIt) Text() string {
	if t.JourneyID == "" {
		return ""
	}
	out := &strings.Builder{}
	fmt.Fprintf(out, "Try it: the cohort %s is running on %s. As shell variables for the README's tour: add --env and eval the output.\n",
		t.CohortTitle, ReferenceDate.Format(time.DateOnly))
	fmt.Fprintf(out, "  cohort:         %s  (LEERPAD_COHORT)\n", t.CohortID)
	fmt.Fprintf(out, "  programme:      %s  (LEERPAD_PROGRAMME), with impact figures\n", t.ProgrammeID)
	fmt.Fprintf(out, "  trainer:        %s  (LEERPAD_TRAINER)\n", t.TrainerID)
	fmt.Fprintf(out, "  participant:    %s  (LEERPAD_PARTICIPANT), in progress\n", t.ParticipantID)
	fmt.Fprintf(out, "  journey:        %s  (LEERPAD_JOURNEY), %d experiments open\n", t.JourneyID, t.OpenExperiments)
	fmt.Fprintf(out, "  manager:        %s  (LEERPAD_MANAGER), sees %s\n", t.ManagerID, strings.Join(t.Shared, ", "))
	fmt.Fprintf(out, "  learning goal:  %s  (LEERPAD_GOAL), for a new experiment\n", t.LearningGoalID)
	fmt.Fprintf(out, "  360 instrument: %s  (LEERPAD_INSTRUMENT), for a new round\n", t.InstrumentID)
	return out.String()
}
