package api

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// liveServer serves ts through a real net/http server, configured by
// configure before it starts.
func liveServer(t *testing.T, ts *testServer, configure func(*http.Server)) *httptest.Server {
	t.Helper()
	srv := httptest.NewUnstartedServer(ts.Handler())
	if configure != nil {
		configure(srv.Config)
	}
	srv.Start()
	t.Cleanup(srv.Close)
	return srv
}

// readProblem asserts a problem+json response of status and returns it.
func readProblem(t *testing.T, res *http.Response, status int) problem {
	t.Helper()
	defer func() { _ = res.Body.Close() }()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	if res.StatusCode != status || res.Header.Get("Content-Type") != mimeProblemJSON {
		t.Fatalf("status %d, Content-Type %q, want %d problem+json: %s", res.StatusCode, res.Header.Get("Content-Type"), status, b)
	}
	var p problem
	if err := json.Unmarshal(b, &p); err != nil || p.Status != status {
		t.Fatalf("problem %s: %v", b, err)
	}
	return p
}

// Invalid UTF-8 in a JSON body, as raw bytes or as half a surrogate pair
// in an escape, is a 400 naming the body, never a U+FFFD in stored text.
func TestBindJSONRefusesInvalidUTF8(t *testing.T) {
	ts := newTestServer(t)
	ts.addShapeRoute()
	srv := liveServer(t, ts, nil)
	for _, tc := range []struct{ name, body, reason string }{
		{"a raw byte that is no UTF-8", "{\"title\":\"caf\xe9\",\"score\":3,\"at\":\"2025-03-14T09:30:00Z\"}", "offset 13"},
		{"a truncated sequence in a key", "{\"ti\xc3tle\":\"t\",\"score\":3,\"at\":\"2025-03-14T09:30:00Z\"}", "offset 4"},
		{"a lone high surrogate escape", `{"title":"a\ud800b","score":3,"at":"2025-03-14T09:30:00Z"}`, "surrogate"},
		{"a lone low surrogate escape", `{"title":"\udc00","score":3,"at":"2025-03-14T09:30:00Z"}`, "surrogate"},
		{"a high surrogate followed by no low one", `{"title":"\ud83d\u0041","score":3,"at":"2025-03-14T09:30:00Z"}`, "surrogate"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res, err := http.Post(srv.URL+"/v1/shapes", "application/json", strings.NewReader(tc.body))
			if err != nil {
				t.Fatal(err)
			}
			defer func() { _ = res.Body.Close() }()
			p := readProblem(t, res, http.StatusBadRequest)
			if len(p.InvalidParams) != 1 || p.InvalidParams[0].Name != "body" || !strings.Contains(p.InvalidParams[0].Reason, "UTF-8") ||
				!strings.Contains(p.InvalidParams[0].Reason, tc.reason) {
				t.Errorf("invalidParams %+v, want the body, not valid UTF-8 (%s)", p.InvalidParams, tc.reason)
			}
		})
	}
	// Escaped backslashes, a paired surrogate and a literal U+FFFD are text.
	res, err := http.Post(srv.URL+"/v1/shapes", "application/json",
		strings.NewReader(`{"title":"\\ud800 \ud83d\ude00 �","score":3,"at":"2025-03-14T09:30:00Z"}`))
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = res.Body.Close() }()
	b, _ := io.ReadAll(res.Body)
	if res.StatusCode != http.StatusCreated || !strings.Contains(string(b), `"title":"\\ud800 😀 �"`) {
		t.Errorf("valid text: %d %s", res.StatusCode, b)
	}
}

// A body that trickles in beyond the server's ReadTimeout is a 408
// problem, not a 500.
func TestSlowBodyIs408(t *testing.T) {
	ts := newTestServer(t)
	ts.addShapeRoute()
	srv := liveServer(t, ts, func(s *http.Server) { s.ReadTimeout = 300 * time.Millisecond })
	conn, err := net.Dial("tcp", srv.Listener.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = conn.Close() }()
	body := `{"title":"t","score":3,"at":"2025-03-14T09:30:00Z"}`
	_, err = fmt.Fprintf(conn, "POST /v1/shapes HTTP/1.1\r\nHost: leerpad.test\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n%s",
		len(body), body[:10])
	if err != nil {
		t.Fatal(err)
	}
	_ = conn.SetReadDeadline(time.Now().Add(10 * time.Second))
	res, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatalf("no response to a slow body: %v", err)
	}
	defer func() { _ = res.Body.Close() }()
	p := readProblem(t, res, http.StatusRequestTimeout)
	if p.Detail == "" || p.Detail == internalDetail {
		t.Errorf("408 detail %q", p.Detail)
	}
	if strings.Contains(ts.logs.String(), `"level":"ERROR"`) {
		t.Errorf("a slow client is logged as a server error:\n%s", ts.logs)
	}
}

// Headers above MaxHeaderBytes are a 431 problem, on a server whose own
// limit is ServerMaxHeaderBytes, as leerpad serve sets it; a request just
// under the limit passes.
func TestOversizedHeadersAre431Problems(t *testing.T) {
	ts := newTestServer(t)
	ts.addShapeRoute()
	srv := liveServer(t, ts, func(s *http.Server) { s.MaxHeaderBytes = ServerMaxHeaderBytes })
	send := func(filler int) *http.Response {
		t.Helper()
		req, err := http.NewRequest("POST", srv.URL+"/v1/shapes", strings.NewReader(`{"title":"t","score":3,"at":"2025-03-14T09:30:00Z"}`))
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("X-Filler", strings.Repeat("x", filler))
		res, err := http.DefaultClient.Do(req) //nolint:bodyclose // the caller closes it (readProblem, or below)
		if err != nil {
			t.Fatal(err)
		}
		return res
	}
	p := readProblem(t, send(MaxHeaderBytes), http.StatusRequestHeaderFieldsTooLarge) //nolint:bodyclose // readProblem closes it
	if !strings.Contains(p.Detail, fmt.Sprint(MaxHeaderBytes)) {
		t.Errorf("431 detail %q does not name the limit", p.Detail)
	}
	res := send(MaxHeaderBytes - 1024)
	_ = res.Body.Close()
	if res.StatusCode != http.StatusCreated {
		t.Errorf("headers under the limit: %d, want 201", res.StatusCode)
	}
}
