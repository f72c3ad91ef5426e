package node

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// scavengeChildEnv names the data directory of the child scavenge; only
// the child process has it set.
const scavengeChildEnv = "LEERPAD_SCAVENGE_CHILD_DIR"

// TestScavengeCrashChild is the child process of TestScavengeCrash, not a
// test of its own: it scavenges the directory in LEERPAD_SCAVENGE_CHILD_DIR
// slowly (pausing between the steps of each segment's rewrite) and exits 0.
func TestScavengeCrashChild(t *testing.T) {
	dir := os.Getenv(scavengeChildEnv)
	if dir == "" {
		t.Skip("child process of TestScavengeCrash; runs only with " + scavengeChildEnv + " set")
	}
	e, err := OpenEngine(dir, Options{SegmentSize: 8 << 10, scavengeHook: func(string) {
		time.Sleep(time.Duration(rand.IntN(3000)) * time.Microsecond)
	}})
	if err != nil {
		fmt.Fprintf(os.Stderr, "scavenge child: open: %v\n", err)
		os.Exit(2)
	}
	if _, err := e.Scavenge(context.Background(), ScavengeOptions{SealActive: true}); err != nil {
		fmt.Fprintf(os.Stderr, "scavenge child: %v\n", err)
		os.Exit(2)
	}
	if err := e.Close(); err != nil {
		os.Exit(2)
	}
	os.Exit(0)
}

// engineEvent is an event as the engine answers it.
type engineEvent struct {
	stream string
	rev    uint64
	pos    Position
	id     [16]byte
	typ    string
	data   string
}

func readEngine(tb testing.TB, e *Engine) []engineEvent {
	tb.Helper()
	var out []engineEvent
	err := e.ReadAll(context.Background(), 0, false, ^uint64(0), func(ev *Event) error {
		out = append(out, engineEvent{ev.Stream, ev.Revision, ev.Position, ev.ID, ev.Type, string(ev.Data)})
		return nil
	})
	if err != nil {
		tb.Fatalf("read $all: %v", err)
	}
	return out
}

// Crash test: a child process scavenges a directory of many small segments
// and is killed with SIGKILL at a random moment, again and again, until one
// run finishes (the 13th at the latest). After every kill the directory
// verifies, opens, and answers for every event that is not garbage exactly
// what it answered before; garbage events are either unchanged or gone.
func TestScavengeCrash(t *testing.T) {
	if testing.Short() {
		t.Skip("spawns processes and kills them with SIGKILL; skipped with -short")
	}
	seed := time.Now().UnixNano()
	t.Logf("seed %d", seed)
	rng := rand.New(rand.NewPCG(uint64(seed), 2))
	dir := t.TempDir()
	e := openTestEngine(t, dir, Options{SegmentSize: 8 << 10})
	ctx := context.Background()
	garbageStream := map[string]bool{}
	for i := 0; i < 120; i++ {
		stream := fmt.Sprintf("person-%d", i)
		marker := "KEEP"
		if i%2 == 0 {
			marker = "FORGET"
			garbageStream[stream] = true
		}
		evs := proposed(t, 6, 200)
		for j := range evs {
			evs[j].Data = []byte(fmt.Sprintf("%s-%d-%d-%s", marker, i, j, evs[j].Data))
		}
		appendAcked(t, e, stream, -1, evs)
	}
	for i := 0; i < 120; i += 2 {
		stream := fmt.Sprintf("person-%d", i)
		var err error
		if i%4 == 0 {
			_, err = e.Delete(ctx, stream, Expected{Kind: ExpectAny})
		} else {
			_, err = e.Tombstone(ctx, stream, Expected{Kind: ExpectAny})
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	before := readEngine(t, e)
	mayGo := func(ev engineEvent) bool {
		return garbageStream[ev.stream] && ev.typ != "$streamDeleted" || strings.HasPrefix(ev.stream, "$$")
	}
	if err := e.Close(); err != nil {
		t.Fatal(err)
	}

	check := func(round int) {
		t.Helper()
		if rep, err := Verify(dir); err != nil || !rep.OK() {
			t.Fatalf("round %d: verify after SIGKILL: %v\n%s", round, err, rep)
		}
		e, err := OpenEngine(dir, Options{SegmentSize: 8 << 10})
		if err != nil {
			t.Fatalf("round %d: open after SIGKILL: %v", round, err)
		}
		defer func() { _ = e.Close() }()
		if left, _ := filepath.Glob(filepath.Join(dir, "*"+scavengeSuffix)); len(left) > 0 {
			t.Fatalf("round %d: recovery left %v", round, left)
		}
		after := readEngine(t, e)
		i := 0
		for _, ev := range before {
			if i < len(after) && after[i] == ev {
				i++
				continue
			}
			if !mayGo(ev) {
				t.Fatalf("round %d: %s@%d at %d is missing or changed", round, ev.stream, ev.rev, ev.pos)
			}
		}
		if i != len(after) {
			t.Fatalf("round %d: $all holds %d events, %d of them from before", round, len(after), i)
		}
		for s := range garbageStream {
			if last, _ := e.LastRevision(s); last != 5 {
				t.Fatalf("round %d: %s has last revision %d, want 5", round, s, last)
			}
		}
	}

	kills := 0
	for round := 0; ; round++ {
		// Up to 12 runs are killed (fewer if one finishes first, as on a
		// fast machine); the last runs to its end, however slow (-race).
		killAfter := time.Duration(10+rng.IntN(150)) * time.Millisecond
		if round >= 12 {
			killAfter = time.Hour
		}
		var out bytes.Buffer
		cmd := exec.Command(os.Args[0], "-test.run=^TestScavengeCrashChild$", "-test.count=1")
		cmd.Env = append(os.Environ(), scavengeChildEnv+"="+dir)
		cmd.Stdout, cmd.Stderr = &out, &out
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		exited := make(chan error, 1)
		go func() { exited <- cmd.Wait() }()
		var err error
		select {
		case err = <-exited:
		case <-time.After(killAfter):
			_ = cmd.Process.Signal(syscall.SIGKILL)
			err = <-exited
		}
		var ee *exec.ExitError
		switch {
		case err == nil:
			check(round)
			t.Logf("the scavenge finished in run %d after %d kills", round, kills)
			if dirContains(t, dir, []byte("FORGET-")) {
				t.Fatal("a deleted stream's data is still on disk after the scavenge finished")
			}
			if !dirContains(t, dir, []byte("KEEP-119-5")) {
				t.Fatal("a kept stream's data is gone")
			}
			return
		case errors.As(err, &ee) && ee.Sys().(syscall.WaitStatus).Signal() == syscall.SIGKILL:
			kills++
			check(round)
		default:
			t.Fatalf("child scavenge failed: %v\n%s", err, out.String())
		}
	}
}
