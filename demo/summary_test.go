package demo

import (
	"bytes"
	"strings"
	"testing"
)

// On a terminal the progress is one bar redrawn in place; elsewhere a line
// per quarter.
func TestProgressBar(t *testing.T) {
	var buf bytes.Buffer
	bar := &ProgressBar{w: &buf, tty: true, quarter: -1}
	for done := 0; done <= 40; done += 10 {
		bar.Update(done, 40)
	}
	bar.Finish()
	if got := buf.String(); !strings.HasPrefix(got, "\rseeding [") || !strings.Contains(got, "100%  40/40 commands") || !strings.HasSuffix(got, "\n") {
		t.Errorf("bar = %q", got)
	}
	plain := &ProgressBar{w: &buf, quarter: -1}
	buf.Reset()
	for done := range 101 {
		plain.Update(done, 100)
	}
	if lines := strings.Count(buf.String(), "\n"); lines != 5 {
		t.Errorf("plain progress wrote %d lines, want 5 (0, 25, 50, 75, 100%%):\n%s", lines, buf.String())
	}
}

// leerpad seed --env prints the Try-it ids as export lines for eval, in
// the names the README's tour uses.
func TestTryItEnv(t *testing.T) {
	out := TryIt{CohortID: "c", ProgrammeID: "pr", TrainerID: "t", ParticipantID: "p", JourneyID: "j", ManagerID: "m", LearningGoalID: "g",
		Shared: []string{"learning-goals", "experiments"}, InstrumentID: "i"}.Env()
	want := "export LEERPAD_COHORT=c\nexport LEERPAD_PROGRAMME=pr\nexport LEERPAD_TRAINER=t\nexport LEERPAD_PARTICIPANT=p\nexport LEERPAD_JOURNEY=j\n" +
		"export LEERPAD_MANAGER=m\nexport LEERPAD_GOAL=g\nexport LEERPAD_SHARED=learning-goals,experiments\nexport LEERPAD_INSTRUMENT=i\n"
	if out != want {
		t.Errorf("Env =\n%s\nwant\n%s", out, want)
	}
	if got := shellQuote("it's a $test"); got != `'it'\''s a $test'` {
		t.Errorf("shellQuote = %s", got)
	}
}
