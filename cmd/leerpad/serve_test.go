package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/leerpad/leerpad/api"
)

// Bad serve flags are refused with a usage error that names the flag, before
// anything touches the data directory.
func TestServeRefusesBadFlags(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--stream-cache", "-1"}, "-stream-cache"},
		{[]string{"--log-level", "loud"}, "-log-level"},
		{[]string{"--snapshot-interval", "-1s"}, "-snapshot-interval"},
		{[]string{"--snapshot-events", "-5"}, "-snapshot-events"},
		{[]string{"--bogus"}, "bogus"},
	} {
		dir := filepath.Join(t.TempDir(), "data")
		err := run(context.Background(), append([]string{"serve", "--data", dir}, tc.args...), io.Discard, io.Discard)
		var ue *usageError
		if !errors.As(err, &ue) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("serve %v: err = %v, want a usage error naming %s", tc.args, err, tc.want)
		}
		if _, statErr := os.Stat(dir); !errors.Is(statErr, os.ErrNotExist) {
			t.Errorf("serve %v: the data directory was created before the flags were checked", tc.args)
		}
	}
}

// A serve whose port is taken exits with an error (exit code 1) that names
// the port, the flag and, on Linux, the process holding it: here this test.
func TestServeNamesTheHolderOfATakenPort(t *testing.T) {
	if testing.Short() {
		t.Skip("starts an embedded event-store node")
	}
	t.Parallel()
	taken, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = taken.Close() }()
	_, port, _ := net.SplitHostPort(taken.Addr().String())

	for _, tc := range []struct{ flag, other string }{{"-listen", "-admin-listen"}, {"-admin-listen", "-listen"}} {
		args := []string{"serve", "--data", t.TempDir(), tc.flag, taken.Addr().String(), tc.other, "127.0.0.1:0"}
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		err := run(ctx, args, io.Discard, io.Discard)
		cancel()
		if err == nil || exitCode(err) != 1 {
			t.Fatalf("serve %s on a taken port: err = %v, want an error with exit code 1", tc.flag, err)
		}
		for _, want := range []string{"port " + port + " is already in use", "(" + tc.flag + ")"} {
			if !strings.Contains(err.Error(), want) {
				t.Errorf("serve %s on a taken port: %q lacks %q", tc.flag, err, want)
			}
		}
		if _, statErr := os.Stat("/proc/net/tcp"); statErr == nil {
			if want := fmt.Sprintf("by pid %d (", os.Getpid()); !strings.Contains(err.Error(), want) {
				t.Errorf("serve %s on a taken port: %q does not name this process (%s)", tc.flag, err, want)
			}
		}
	}
}

// When nothing can be found about the holder, the message says so.
func TestPortHolderUnknown(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	_, port, _ := net.SplitHostPort(l.Addr().String())
	_ = l.Close() // nobody listens there now
	if got := portHolder(port); !strings.Contains(got, "cannot be told") {
		t.Errorf("portHolder(%s) = %q, want that it cannot be told", port, got)
	}
	if got := portHolder("http"); !strings.Contains(got, "cannot be told") {
		t.Errorf("portHolder(http) = %q", got)
	}
}

// On serve's own listener, headers above the API's limit get the API's 431
// problem+json, not net/http's plain-text 431: the server's limit is above
// the API's.
func TestServeAnswersOversizedHeadersWithAProblem(t *testing.T) {
	srv, err := api.NewServer(api.Config{}, api.Deps{Registry: prometheus.NewRegistry(), Verifier: refuseAll{}})
	if err != nil {
		t.Fatal(err)
	}
	hs, addr, err := listenHTTP(context.Background(), "-listen", "127.0.0.1:0", srv.Handler())
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = hs.Close() }()
	req, err := http.NewRequest("GET", "http://"+addr+"/v1/me", nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("X-Filler", strings.Repeat("x", 2*api.MaxHeaderBytes))
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = res.Body.Close() }()
	b, _ := io.ReadAll(res.Body)
	if res.StatusCode != http.StatusRequestHeaderFieldsTooLarge || res.Header.Get("Content-Type") != "application/problem+json" {
		t.Errorf("oversized headers: %d %s %s, want 431 problem+json", res.StatusCode, res.Header.Get("Content-Type"), b)
	}
}
