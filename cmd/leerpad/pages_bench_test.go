package main

import (
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/leerpad/leerpad/demo"
)

// The web pages under load (issue 14): the server time of the main pages,
// participant home (their journey's timeline) and the manager's list of
// people, p99 at most 50 ms with 100 users at once, on the embedded default
// with the seeded data set.
//
// BenchmarkPagesLoad seeds the default data set into a temp data directory,
// starts the whole service as make run does (serveWith with --demo-signin),
// and signs in pagesUsers browsers through the demo sign-in (each its own
// session cookie): as the demo's participants and managers in turn. Each
// user then asks for their page, waits a think time of 0.5 to 1.5 s, and
// asks again (a closed loop, as people use pages), for pagesRun after
// pagesWarmup. A request's latency runs from its send to the end of its
// body, on loopback; the figures are the server's time and the client's.
// Any answer but 200 fails the benchmark.
const (
	pagesUsers  = 100
	pagesWarmup = 2 * time.Second
	pagesRun    = 15 * time.Second
)

func BenchmarkPagesLoad(b *testing.B) {
	if testing.Short() {
		b.Skip("seeds, starts the whole service and loads its pages for about a minute")
	}
	ctx, cancel := context.WithCancel(b.Context())
	defer cancel()
	dir := b.TempDir()
	if err := run(ctx, []string{"seed", "--data", dir}, io.Discard, io.Discard); err != nil {
		b.Fatalf("seed: %v", err)
	}
	people, err := demo.PeopleOf(demo.Options{Seed: 1})
	if err != nil {
		b.Fatal(err)
	}
	srv := startLoadServer(b, ctx, dir, "--demo-signin")
	base := "http://" + srv.api
	transport := &http.Transport{MaxIdleConns: 1024, MaxIdleConnsPerHost: 1024, IdleConnTimeout: time.Minute}
	defer transport.CloseIdleConnections()

	for _, sc := range []struct {
		name   string
		people []demo.Person
		role   string
		page   func(p demo.Person) string
	}{
		{"participant-home", people.Participants, "participant", func(p demo.Person) string { return "/journeys/" + p.JourneyID }},
		{"manager-people", people.Managers, "manager", func(demo.Person) string { return "/people" }},
	} {
		b.Run(sc.name, func(b *testing.B) {
			users := make([]*pageUser, pagesUsers)
			for i := range users {
				p := sc.people[i%len(sc.people)]
				u, err := signInPageUser(ctx, base, transport, p, sc.role)
				if err != nil {
					b.Fatalf("sign in user %d: %v", i, err)
				}
				u.path = sc.page(p)
				users[i] = u
			}
			lat, errs := runPageUsers(ctx, users, pagesWarmup, pagesRun)
			reportPages(b, lat, errs)
		})
	}
}

// pageUser is one signed-in browser.
type pageUser struct {
	base, path string
	http       *http.Client
}

var csrfInPage = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

// signInPageUser signs a new browser in as p in role through the demo sign-in.
func signInPageUser(ctx context.Context, base string, t http.RoundTripper, p demo.Person, role string) (*pageUser, error) {
	jar, err := cookiejar.New(nil)
	if err != nil {
		return nil, err
	}
	c := &http.Client{Transport: t, Jar: jar, Timeout: 10 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, base+"/signin", nil)
	if err != nil {
		return nil, err
	}
	res, err := c.Do(req)
	if err != nil {
		return nil, err
	}
	body, err := io.ReadAll(res.Body)
	_ = res.Body.Close()
	if err != nil {
		return nil, err
	}
	m := csrfInPage.FindSubmatch(body)
	if m == nil {
		return nil, fmt.Errorf("no CSRF token on the sign-in page (%d)", res.StatusCode)
	}
	form := url.Values{"csrf": {string(m[1])}, "subject": {p.Subject}, "role": {role}, "next": {"/"}}
	req, err = http.NewRequestWithContext(ctx, http.MethodPost, base+"/signin/callback", strings.NewReader(form.Encode()))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	res, err = c.Do(req)
	if err != nil {
		return nil, err
	}
	_, _ = io.Copy(io.Discard, res.Body)
	_ = res.Body.Close()
	if res.StatusCode != http.StatusSeeOther {
		return nil, fmt.Errorf("sign-in answered %d", res.StatusCode)
	}
	return &pageUser{base: base, http: c}, nil
}

// runPageUsers lets every user ask for their page, think, and ask again,
// recording the latencies after the warm-up until the run ends.
func runPageUsers(ctx context.Context, users []*pageUser, warmup, run time.Duration) ([]time.Duration, []string) {
	start := time.Now()
	record, end := start.Add(warmup), start.Add(warmup+run)
	var mu sync.Mutex
	var lat []time.Duration
	var errs []string
	var wg sync.WaitGroup
	for i, u := range users {
		rng := rand.New(rand.NewPCG(uint64(i), 14)) //nolint:gosec // think times, not security
		wg.Go(func() {
			// Users arrive spread over the first second.
			time.Sleep(time.Duration(rng.Int64N(int64(time.Second))))
			for time.Now().Before(end) && ctx.Err() == nil {
				sent := time.Now()
				err := u.get(ctx)
				took := time.Since(sent)
				if sent.After(record) {
					mu.Lock()
					lat = append(lat, took)
					if err != nil {
						errs = append(errs, err.Error())
					}
					mu.Unlock()
				}
				time.Sleep(500*time.Millisecond + time.Duration(rng.Int64N(int64(time.Second))))
			}
		})
	}
	wg.Wait()
	return lat, errs
}

func (u *pageUser) get(ctx context.Context) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.base+u.path, nil)
	if err != nil {
		return err
	}
	res, err := u.http.Do(req)
	if err != nil {
		return err
	}
	defer func() { _ = res.Body.Close() }()
	if _, err := io.Copy(io.Discard, res.Body); err != nil {
		return err
	}
	if res.StatusCode != http.StatusOK {
		return fmt.Errorf("GET %s: %d", u.path, res.StatusCode)
	}
	return nil
}

// reportPages reports the latency percentiles and fails on any error.
func reportPages(b *testing.B, lat []time.Duration, errs []string) {
	if len(lat) == 0 {
		b.Fatal("no requests were recorded")
	}
	slices.Sort(lat)
	ms := func(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
	b.ReportMetric(0, "ns/op")
	b.ReportMetric(float64(len(lat))/pagesRun.Seconds(), "req/s")
	b.ReportMetric(ms(loadPct(lat, 50)), "p50-ms")
	b.ReportMetric(ms(loadPct(lat, 99)), "p99-ms")
	b.ReportMetric(ms(lat[len(lat)-1]), "max-ms")
	b.ReportMetric(float64(len(errs)), "errors")
	b.Logf("%d users, %d requests in %s: p50 %.2f ms, p99 %.2f ms, max %.2f ms, %d errors",
		pagesUsers, len(lat), pagesRun, ms(loadPct(lat, 50)), ms(loadPct(lat, 99)), ms(lat[len(lat)-1]), len(errs))
	if len(errs) > 0 {
		b.Errorf("%d of %d requests failed; first: %s", len(errs), len(lat), errs[0])
	}
}
