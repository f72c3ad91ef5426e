package main

// The whole service for the browser tests (e2e_test.go): leerpad seed on a
// temporary data directory, then leerpad serve in-process on free loopback
// ports, as `make run` starts it.

import (
	"bufio"
	"bytes"
	"context"
	"io"
	"net/http"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/leerpad/leerpad/internal/browsertest"
)

func TestMain(m *testing.M) {
	code := m.Run()
	browsertest.CloseShared()
	os.Exit(code)
}

// service is a running leerpad serve over a seeded data directory.
type service struct {
	// base is the pages' and the API's address, http://127.0.0.1:<port>.
	base string
	// env are the Try-it ids of leerpad seed --env (LEERPAD_JOURNEY, ...).
	env  map[string]string
	dir  string
	log  *syncBuffer
	stop func()
}

// syncBuffer is a bytes.Buffer safe for the serve goroutine and the test.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// seedDemo writes the demo data set into a fresh directory and returns it
// with the Try-it ids. It is the default data set, the one whose people
// serve --demo-signin lists (as make run has it).
func seedDemo(t *testing.T, ctx context.Context) (string, map[string]string) {
	t.Helper()
	dir := t.TempDir()
	var out, errs bytes.Buffer
	if err := run(ctx, []string{"seed", "--data", dir, "--env"}, &out, &errs); err != nil {
		t.Fatalf("leerpad seed: %v\n%s", err, errs.String())
	}
	env := map[string]string{}
	sc := bufio.NewScanner(&out)
	for sc.Scan() {
		name, value, ok := strings.Cut(strings.TrimPrefix(sc.Text(), "export "), "=")
		if ok {
			env[name] = strings.Trim(value, "'")
		}
	}
	return dir, env
}

// startServe runs leerpad serve on dir with args added (later flags win),
// until the test ends, and waits until it is ready. pagesNow, when not nil,
// is the pages' clock.
func startServe(t *testing.T, ctx context.Context, dir string, env map[string]string, pagesNow func() time.Time, args ...string) *service {
	t.Helper()
	ctx, cancel := context.WithCancel(ctx)
	s := &service{env: env, dir: dir, log: &syncBuffer{}}
	addrs := make(chan [2]string, 1)
	done := make(chan error, 1)
	argv := append([]string{"--data", dir, "--listen", "127.0.0.1:0", "--admin-listen", "127.0.0.1:0"}, args...)
	go func() {
		done <- serveWith(ctx, argv, s.log, serveHooks{listening: func(api, admin string) { addrs <- [2]string{api, admin} }, pagesNow: pagesNow})
	}()
	var admin string
	select {
	case a := <-addrs:
		s.base, admin = "http://"+a[0], "http://"+a[1]
	case err := <-done:
		cancel()
		t.Fatalf("leerpad serve %v: %v\n%s", argv, err, s.log.String())
	case <-time.After(2 * time.Minute):
		cancel()
		t.Fatalf("leerpad serve did not listen within 2 minutes\n%s", s.log.String())
	}
	var once sync.Once
	s.stop = func() {
		once.Do(func() {
			cancel()
			if err := <-done; err != nil {
				t.Errorf("leerpad serve ended with %v\n%s", err, s.log.String())
			}
		})
	}
	t.Cleanup(s.stop)
	client := &http.Client{Timeout: 5 * time.Second}
	deadline := time.Now().Add(2 * time.Minute)
	for {
		resp, err := client.Get(admin + "/readyz")
		if err == nil {
			_, _ = io.Copy(io.Discard, resp.Body)
			_ = resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return s
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("leerpad serve not ready within 2 minutes\n%s", s.log.String())
		}
		time.Sleep(100 * time.Millisecond)
	}
}
