package node

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"syscall"
	"testing"

	"github.com/google/uuid"
)

func TestDatasyncBothWays(t *testing.T) {
	d := newDatasyncer()
	defer d.close()
	if ok, why := d.Async(); !ok {
		t.Skipf("this kernel offers no asynchronous fdatasync (%s); the in-place path is covered by every other test", why)
	}
	f, err := os.Create(filepath.Join(t.TempDir(), "f"))
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = f.Close() }()
	for i, async := range []bool{true, false, true, true} {
		if _, err := f.WriteAt([]byte("durable"), int64(i)*7); err != nil {
			t.Fatal(err)
		}
		if err := d.sync(f, async); err != nil {
			t.Fatalf("sync %d (async %v): %v", i, async, err)
		}
	}
	if d.asyncDone != 3 {
		t.Fatalf("%d syncs completed asynchronously, want 3", d.asyncDone)
	}
	// The wait must go through the runtime poller, which needs the eventfd
	// to stay non-blocking: a blocking read would hold the P again.
	flags, _, errno := syscall.Syscall(syscall.SYS_FCNTL, uintptr(d.efd), syscall.F_GETFL, 0)
	if errno != 0 {
		t.Fatal(errno)
	}
	if flags&syscall.O_NONBLOCK == 0 {
		t.Fatal("the completion eventfd became blocking: waiting for the disk holds a P")
	}
}

// A sync that cannot be done is reported, whichever way it was asked for:
// the committer turns that into a fail-stop.
func TestDatasyncReportsFailure(t *testing.T) {
	d := newDatasyncer()
	defer d.close()
	f, err := os.Create(filepath.Join(t.TempDir(), "f"))
	if err != nil {
		t.Fatal(err)
	}
	// A closed file has no descriptor: both ways must fail.
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	for _, async := range []bool{false, true} {
		if err := d.sync(f, async); err == nil {
			t.Fatalf("sync of a closed descriptor (async %v) reported success", async)
		}
	}
}

// With other appends in flight the committer waits for the disk
// asynchronously; everything acknowledged that way is in the log after a
// reopen, at its revision.
func TestEngineAsyncGroupCommitDurable(t *testing.T) {
	dir := t.TempDir()
	e, err := OpenEngine(dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if ok, why := e.syncer.Async(); !ok {
		_ = e.Close()
		t.Skipf("this kernel offers no asynchronous fdatasync (%s)", why)
	}
	e.appending.Store(1 << 20) // as if many appends were arriving over gRPC
	const writers, each = 16, 25
	var wg sync.WaitGroup
	errs := make(chan error, writers)
	for w := range writers {
		wg.Go(func() {
			x := Expected{Kind: ExpectNoStream}
			for i := range each {
				res, err := e.Append(context.Background(), fmt.Sprintf("s-%d", w), x,
					[]ProposedEvent{{ID: uuid.New(), Type: "t", ContentType: "application/octet-stream", Data: []byte{byte(i)}}})
				if err != nil || !res.Success {
					errs <- fmt.Errorf("writer %d append %d: %w (result %+v)", w, i, err, res)
					return
				}
				x = Expected{Kind: ExpectRevision, Revision: res.Revision}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	if err := e.Close(); err != nil {
		t.Fatal(err)
	}
	if e.syncer.asyncDone == 0 {
		t.Fatal("no group commit waited for the disk asynchronously")
	}
	e = openTestEngine(t, dir, Options{})
	for w := range writers {
		var got []byte
		if err := e.ReadStream(context.Background(), fmt.Sprintf("s-%d", w), 0, false, each+1, func(ev *Event) error {
			got = append(got, ev.Data...)
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		if len(got) != each {
			t.Fatalf("stream s-%d holds %d events after reopen, want %d", w, len(got), each)
		}
		for i, b := range got {
			if int(b) != i {
				t.Fatalf("stream s-%d revision %d holds %d", w, i, b)
			}
		}
	}
}
