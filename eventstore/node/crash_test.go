package node

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"os/exec"
	"sort"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/EventStore/EventStore-Client-Go/v4/esdb"
	"github.com/google/uuid"
)

// Crash tests: a node in a child process is killed with SIGKILL while
// writers append concurrently; a node restarted on the same directory must
// hold every acknowledged append exactly once, at its revision and position,
// each append all-or-nothing, revisions contiguous, $all order unchanged.

// crashChildEnv names the data directory of the child node; only the child
// process has it set.
const crashChildEnv = "LEERPAD_CRASH_CHILD_DIR"

// crashAddrPrefix marks the line on which the child prints its address.
const crashAddrPrefix = "LEERPAD_CRASH_CHILD_ADDR="

// TestCrashChild is the child process of TestCrashRecovery, not a test of
// its own: it serves a node on the directory in LEERPAD_CRASH_CHILD_DIR,
// prints its address and runs until it is killed (or its parent goes away,
// which closes its stdin).
func TestCrashChild(t *testing.T) {
	dir := os.Getenv(crashChildEnv)
	if dir == "" {
		t.Skip("child process of TestCrashRecovery; runs only with " + crashChildEnv + " set")
	}
	n, err := Start(context.Background(), Config{DataDir: dir, Listen: "127.0.0.1:0"})
	if err != nil {
		fmt.Fprintf(os.Stderr, "crash child: start node: %v\n", err)
		os.Exit(2)
	}
	fmt.Printf("%s%s\n", crashAddrPrefix, n.Addr())
	_, _ = io.Copy(io.Discard, os.Stdin)
	// The parent is gone: stop without a graceful close, like a crash.
	os.Exit(3)
}

// crashChild is a running child node process.
type crashChild struct {
	cmd    *exec.Cmd
	addr   string
	stdin  *os.File // closing it tells the child its parent is gone
	output *lockedBuffer
}

type lockedBuffer struct {
	mu   sync.Mutex
	buf  bytes.Buffer
	addr chan string
	sent bool
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.buf.Write(p)
	if !b.sent {
		s := b.buf.String()
		if i := strings.Index(s, crashAddrPrefix); i >= 0 {
			if j := strings.IndexByte(s[i:], '\n'); j >= 0 {
				b.addr <- s[i+len(crashAddrPrefix) : i+j]
				b.sent = true
			}
		}
	}
	return len(p), nil
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// startCrashChild re-executes the test binary as a node on dir.
func startCrashChild(tb testing.TB, dir string) *crashChild {
	tb.Helper()
	r, w, err := os.Pipe()
	if err != nil {
		tb.Fatalf("pipe: %v", err)
	}
	out := &lockedBuffer{addr: make(chan string, 1)}
	cmd := exec.Command(os.Args[0], "-test.run=^TestCrashChild$", "-test.count=1")
	cmd.Env = append(os.Environ(), crashChildEnv+"="+dir)
	cmd.Stdin = r
	cmd.Stdout = out
	cmd.Stderr = out
	if err := cmd.Start(); err != nil {
		tb.Fatalf("start child node: %v", err)
	}
	_ = r.Close()
	c := &crashChild{cmd: cmd, stdin: w, output: out}
	tb.Cleanup(func() {
		if c.cmd.ProcessState == nil {
			_ = c.cmd.Process.Kill()
			_ = c.cmd.Wait()
		}
		_ = c.stdin.Close()
	})
	select {
	case c.addr = <-out.addr:
	case <-time.After(30 * time.Second):
		tb.Fatalf("child node printed no address in 30 s; output:\n%s", out.String())
	}
	return c
}

// kill sends SIGKILL and waits for the process to be gone.
func (c *crashChild) kill(tb testing.TB) {
	tb.Helper()
	if err := c.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		tb.Fatalf("kill child node: %v", err)
	}
	err := c.cmd.Wait()
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.Sys().(syscall.WaitStatus).Signal() != syscall.SIGKILL {
		tb.Fatalf("child node ended with %v, not by SIGKILL; output:\n%s", err, c.output.String())
	}
	_ = c.stdin.Close()
}

// crashAppend is one append attempt of a writer.
type crashAppend struct {
	stream string
	first  uint64 // revision its first event must get
	ids    []uuid.UUID
	sent   time.Time
	acked  bool
	acks   time.Time
	pos    uint64 // acknowledged position of its last event
	round  int
}

func newCrashClient(tb testing.TB, addr string) *esdb.Client {
	tb.Helper()
	settings, err := esdb.ParseConnectionString("esdb://" + addr + "?tls=false&maxDiscoverAttempts=2&discoveryInterval=50")
	if err != nil {
		tb.Fatalf("parse connection string: %v", err)
	}
	settings.Logger = esdb.NoopLogging()
	c, err := esdb.NewClient(settings)
	if err != nil {
		tb.Fatalf("new client: %v", err)
	}
	return c
}

// crashWriter appends 1 to 5 events at a time to its own stream, with the
// exact expected revision, until an append fails (the node was killed).
func crashWriter(ctx context.Context, c *esdb.Client, stream string, last int64, round int, rng *rand.Rand) ([]crashAppend, error) {
	var out []crashAppend
	for ctx.Err() == nil {
		k := 1 + rng.IntN(5)
		a := crashAppend{stream: stream, first: uint64(last + 1), round: round}
		evs := make([]esdb.EventData, k)
		for i := range evs {
			id := uuid.New()
			a.ids = append(a.ids, id)
			evs[i] = esdb.EventData{EventID: id, EventType: "crash.appended", ContentType: esdb.ContentTypeBinary,
				Data: bytes.Repeat([]byte{byte(i)}, 100+rng.IntN(900))}
		}
		var x esdb.ExpectedRevision = esdb.NoStream{}
		if last >= 0 {
			x = esdb.Revision(uint64(last))
		}
		a.sent = time.Now()
		actx, cancel := context.WithTimeout(ctx, 10*time.Second)
		res, err := c.AppendToStream(actx, stream, esdb.AppendToStreamOptions{ExpectedRevision: x}, evs...)
		cancel()
		if err != nil {
			out = append(out, a) // outcome unknown: the node may have synced it before dying
			var ee *esdb.Error
			if errors.As(err, &ee) && ee.IsErrorCode(esdb.ErrorCodeWrongExpectedVersion) {
				return out, fmt.Errorf("append to %s after revision %d: %w", stream, last, err)
			}
			return out, nil
		}
		a.acked, a.acks, a.pos = true, time.Now(), res.CommitPosition
		last += int64(k)
		if res.NextExpectedVersion != uint64(last) {
			return append(out, a), fmt.Errorf("append to %s acknowledged revision %d, want %d", stream, res.NextExpectedVersion, last)
		}
		out = append(out, a)
	}
	return out, nil
}

func TestCrashRecovery(t *testing.T) {
	if testing.Short() {
		t.Skip("spawns node processes and kills them with SIGKILL (several seconds); skipped with -short")
	}
	const (
		rounds  = 4
		writers = 16
	)
	dir := t.TempDir()
	seed := time.Now().UnixNano()
	t.Logf("seed %d", seed)
	rng := rand.New(rand.NewPCG(uint64(seed), 1))
	last := make([]int64, writers) // per writer stream: last revision in the log
	for i := range last {
		last[i] = -1
	}
	var history []crashAppend
	for round := 0; round < rounds; round++ {
		child := startCrashChild(t, dir)
		c := newCrashClient(t, child.addr)
		ctx, stop := context.WithCancel(context.Background())
		var wg sync.WaitGroup
		results := make([][]crashAppend, writers)
		errs := make([]error, writers)
		for w := 0; w < writers; w++ {
			wg.Add(1)
			wrng := rand.New(rand.NewPCG(rng.Uint64(), uint64(w)))
			go func() {
				defer wg.Done()
				results[w], errs[w] = crashWriter(ctx, c, fmt.Sprintf("crash-%d", w), last[w], round, wrng)
			}()
		}
		time.Sleep(time.Duration(100+rng.IntN(400)) * time.Millisecond)
		child.kill(t)
		done := make(chan struct{})
		go func() { wg.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(20 * time.Second):
			stop()
			<-done
			t.Fatal("writers still running 20 s after the node was killed")
		}
		stop()
		_ = c.Close()
		acked := 0
		for w := range results {
			if errs[w] != nil {
				t.Fatalf("round %d writer %d: %v", round, w, errs[w])
			}
			for _, a := range results[w] {
				if a.acked {
					acked++
				}
			}
			history = append(history, results[w]...)
		}
		if acked == 0 {
			t.Fatalf("round %d: no append was acknowledged before the kill", round)
		}
		lastRevs, landed := checkAfterCrash(t, dir, history)
		for w := range last {
			// A writer none of whose appends is in the log yet (the kill
			// came before its first one was stored) starts again from no
			// stream, not from revision 0.
			rev, ok := lastRevs[fmt.Sprintf("crash-%d", w)]
			if !ok {
				rev = -1
			}
			last[w] = rev
		}
		rep, err := Verify(dir)
		if err != nil || !rep.OK() {
			t.Fatalf("round %d: verify after recovery: %v\n%s", round, err, rep)
		}
		t.Logf("round %d: %d appends acknowledged before SIGKILL, %d unacknowledged ones stored; log checked",
			round, acked, landed)
	}
}

// loggedEvent is an event as read back through the client.
type loggedEvent struct {
	stream string
	rev    uint64
	pos    uint64
	id     uuid.UUID
}

// checkAfterCrash restarts a node on dir and checks the log against every
// append attempt so far. It returns the last revision of each stream and
// how many unacknowledged appends of the last round were stored.
func checkAfterCrash(tb testing.TB, dir string, history []crashAppend) (lastRevs map[string]int64, landed int) {
	tb.Helper()
	n, err := Start(context.Background(), Config{DataDir: dir, Listen: "127.0.0.1:0"})
	if err != nil {
		tb.Fatalf("restart after SIGKILL: %v", err)
	}
	defer func() { _ = n.Close() }()
	c := newCrashClient(tb, n.Addr())
	defer func() { _ = c.Close() }()
	ctx := context.Background()

	// $all: positions strictly increasing, each id once.
	all := readAllLogged(tb, c)
	at := make(map[uuid.UUID]int, len(all))
	streams := map[string][]loggedEvent{}
	for i, ev := range all {
		if i > 0 && ev.pos <= all[i-1].pos {
			tb.Fatalf("$all position %d at index %d does not follow %d", ev.pos, i, all[i-1].pos)
		}
		if j, dup := at[ev.id]; dup {
			tb.Fatalf("event %s stored twice: %v and %v", ev.id, all[j], ev)
		}
		at[ev.id] = i
		streams[ev.stream] = append(streams[ev.stream], ev)
	}
	// Revisions contiguous per stream, and reading the stream agrees with $all.
	lastRevs = map[string]int64{}
	for name, evs := range streams {
		for i, ev := range evs {
			if ev.rev != uint64(i) {
				tb.Fatalf("stream %s: event %d of $all has revision %d", name, i, ev.rev)
			}
		}
		lastRevs[name] = int64(len(evs)) - 1
		rs, err := c.ReadStream(ctx, name, esdb.ReadStreamOptions{}, ^uint64(0))
		if err != nil {
			tb.Fatalf("read %s: %v", name, err)
		}
		i := 0
		for {
			re, err := rs.Recv()
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				tb.Fatalf("read %s: %v", name, err)
			}
			ev := re.Event
			if i >= len(evs) || ev.EventID != evs[i].id || ev.EventNumber != evs[i].rev || ev.Position.Commit != evs[i].pos {
				tb.Fatalf("stream %s event %d (%s@%d pos %d) differs from $all", name, i, ev.EventID, ev.EventNumber, ev.Position.Commit)
			}
			i++
		}
		rs.Close()
		if i != len(evs) {
			tb.Fatalf("stream %s read %d events, $all holds %d", name, i, len(evs))
		}
	}

	// Every append all-or-nothing, acknowledged ones present at their
	// revisions and positions; nothing stored that nobody appended.
	claimed := 0
	for _, a := range history {
		present := 0
		for _, id := range a.ids {
			if _, ok := at[id]; ok {
				present++
			}
		}
		switch {
		case present == 0 && a.acked:
			tb.Fatalf("acknowledged append of %d events to %s at revision %d (round %d) is lost", len(a.ids), a.stream, a.first, a.round)
		case present == 0:
			continue
		case present != len(a.ids):
			tb.Fatalf("append to %s at revision %d (round %d, acked %v) is partly stored: %d of %d events", a.stream, a.first, a.round, a.acked, present, len(a.ids))
		}
		claimed += present
		if !a.acked && a.round == history[len(history)-1].round {
			landed++
		}
		first := at[a.ids[0]]
		for i, id := range a.ids {
			ev := all[at[id]]
			if at[id] != first+i || ev.stream != a.stream || ev.rev != a.first+uint64(i) {
				tb.Fatalf("append to %s at revision %d (round %d): event %d stored as %s@%d at $all index %d, want %s@%d at index %d",
					a.stream, a.first, a.round, i, ev.stream, ev.rev, at[id], a.stream, a.first+uint64(i), first+i)
			}
		}
		if a.acked && all[at[a.ids[len(a.ids)-1]]].pos != a.pos {
			tb.Fatalf("append to %s at revision %d was acknowledged at position %d, stored at %d", a.stream, a.first, a.pos, all[at[a.ids[len(a.ids)-1]]].pos)
		}
	}
	if claimed != len(all) {
		tb.Fatalf("$all holds %d events, the appends account for %d", len(all), claimed)
	}
	// $all order respects real time: an append sent after another was
	// acknowledged is stored after it.
	var acked []crashAppend
	for _, a := range history {
		if a.acked {
			acked = append(acked, a)
		}
	}
	byAck := append([]crashAppend(nil), acked...)
	sort.Slice(byAck, func(i, j int) bool { return byAck[i].acks.Before(byAck[j].acks) })
	sort.Slice(acked, func(i, j int) bool { return acked[i].sent.Before(acked[j].sent) })
	var maxPos uint64
	var maxOf crashAppend
	k := 0
	for _, b := range acked {
		for k < len(byAck) && byAck[k].acks.Before(b.sent) {
			if byAck[k].pos > maxPos {
				maxPos, maxOf = byAck[k].pos, byAck[k]
			}
			k++
		}
		if b.pos <= maxPos {
			tb.Fatalf("append to %s@%d sent after %s@%d was acknowledged is stored before it (%d <= %d)",
				b.stream, b.first, maxOf.stream, maxOf.first, b.pos, maxPos)
		}
	}
	return lastRevs, landed
}

func readAllLogged(tb testing.TB, c *esdb.Client) []loggedEvent {
	tb.Helper()
	rs, err := c.ReadAll(context.Background(), esdb.ReadAllOptions{}, ^uint64(0))
	if err != nil {
		tb.Fatalf("read $all: %v", err)
	}
	defer rs.Close()
	var out []loggedEvent
	for {
		re, err := rs.Recv()
		if errors.Is(err, io.EOF) {
			return out
		}
		if err != nil {
			tb.Fatalf("read $all: %v", err)
		}
		ev := re.Event
		out = append(out, loggedEvent{stream: ev.StreamID, rev: ev.EventNumber, pos: ev.Position.Commit, id: ev.EventID})
	}
}
