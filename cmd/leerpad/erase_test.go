package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/leerpad/leerpad/domain"
	"github.com/leerpad/leerpad/domain/cohort"
	"github.com/leerpad/leerpad/eventstore"
	"github.com/leerpad/leerpad/projections"
	"github.com/leerpad/leerpad/projections/cohortdashboard"
	"github.com/leerpad/leerpad/projections/portfolio"
)

// servedLeerpad is a leerpad serve running on a data directory, for a test.
type servedLeerpad struct {
	api, admin string
	cancel     context.CancelFunc
	done       chan error
	logs       *lockedBuffer
}

// serveData starts leerpad serve on dir and waits until it is ready.
func serveData(t *testing.T, dir string) *servedLeerpad {
	t.Helper()
	s := &servedLeerpad{done: make(chan error, 1), logs: &lockedBuffer{}}
	ctx, cancel := context.WithCancel(context.Background())
	s.cancel = cancel
	addrs := make(chan [2]string, 1)
	go func() {
		s.done <- serveWith(ctx, []string{"--data", dir, "--listen", "127.0.0.1:0", "--admin-listen", "127.0.0.1:0", "--retention-every", "0"}, s.logs,
			serveHooks{listening: func(api, admin string) { addrs <- [2]string{api, admin} }})
	}()
	select {
	case a := <-addrs:
		s.api, s.admin = a[0], a[1]
	case err := <-s.done:
		t.Fatalf("serve: %v\n%s", err, s.logs.String())
	case <-time.After(60 * time.Second):
		t.Fatal("serve did not listen within 60 s")
	}
	deadline := time.Now().Add(60 * time.Second)
	for {
		if code, _ := s.do(t, http.MethodGet, "http://"+s.admin+"/readyz", "", ""); code == http.StatusOK {
			return s
		}
		if time.Now().After(deadline) {
			t.Fatalf("serve not ready within 60 s:\n%s", s.logs.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// stop ends serve, which writes the read models' snapshots.
func (s *servedLeerpad) stop(t *testing.T) {
	t.Helper()
	s.cancel()
	if err := <-s.done; err != nil {
		t.Fatalf("serve: %v\n%s", err, s.logs.String())
	}
}

// do sends a request and returns the status and body.
func (s *servedLeerpad) do(t *testing.T, method, url, token, body string) (int, []byte) {
	t.Helper()
	req, err := http.NewRequestWithContext(context.Background(), method, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, nil
	}
	defer func() { _ = resp.Body.Close() }()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, b
}

// tokenFor is a token signed with dir's local key.
func tokenFor(t *testing.T, dir, subject, role string) string {
	t.Helper()
	var out bytes.Buffer
	if err := run(context.Background(), []string{"token", "--data", dir, "--subject", subject, "--role", role}, &out, io.Discard); err != nil {
		t.Fatal(err)
	}
	return strings.TrimSpace(out.String())
}

// checkSnapshotsHoldNothingOf opens the read models' snapshots in dir with
// the key store and fails when one still holds the person: their traces in
// the portfolio, or any of texts in a snapshot as the read model would
// write it in plain text. A snapshot sealed with a key an erasure forgot
// opens no more and holds nothing readable; fresh ones (after a rebuild)
// must open.
func checkSnapshotsHoldNothingOf(t *testing.T, dir, person string, texts map[string]bool, when string, fresh bool) {
	t.Helper()
	keys, err := openKeys(eventStoreFlags{data: dir})
	if err != nil {
		t.Fatal(err)
	}
	pf := portfolio.New(portfolio.Config{})
	dash, err := cohortdashboard.New(cohortdashboard.Config{})
	if err != nil {
		t.Fatal(err)
	}
	opened := map[string]bool{}
	for _, m := range []projections.Snapshotter{pf, dash} {
		_, err := projections.ReadSealedSnapshot(snapshotDir(dir), m, ^uint64(0), keys)
		if se := (*projections.SnapshotError)(nil); errors.As(err, &se) && se.Reason == projections.ReasonSealed {
			// Written before the erasure and not since: sealed with the
			// snapshot key the erasure forgot, it opens no more (and the
			// next start rebuilds the read model).
			continue
		}
		if err != nil {
			t.Fatalf("%s: the snapshot of %s does not open: %v", when, m.Name(), err)
		}
		opened[m.Name()] = true
		_, write := m.Snapshot()
		var b bytes.Buffer
		if err := write(&b); err != nil {
			t.Fatal(err)
		}
		for s := range texts {
			if bytes.Contains(b.Bytes(), []byte(s)) {
				t.Errorf("%s: the %s snapshot holds %q of the erased participant", when, m.Name(), s)
			}
		}
	}
	if fresh && (!opened[pf.Name()] || !opened[dash.Name()]) {
		t.Errorf("%s: the snapshots written then do not open: %v", when, opened)
	}
	if tr := pf.Traces(person); opened[pf.Name()] && !tr.Empty() {
		t.Errorf("%s: the portfolio snapshot still holds %+v", when, tr)
	}
}

// Erasing the demo participant through the API leaves nothing of them: no
// file of the data directory or the key store holds their name, e-mail
// address or any text they wrote, the log decodes their fields as erased,
// the read models' snapshots (written at shutdown, after a restart and after
// leerpad rebuild) hold none of it, and no API answer shows it.
func TestEraseThroughTheAPILeavesNothingOfThePerson(t *testing.T) {
	if testing.Short() {
		t.Skip("seeds and serves an embedded event-store node")
	}
	dir := filepath.Join(t.TempDir(), "data")
	var seeded bytes.Buffer
	if err := run(context.Background(), []string{"seed", "--data", dir, "--seed", "7", "--cohorts", "1", "--participants", "6", "--env"}, &seeded, io.Discard); err != nil {
		t.Fatal(err)
	}
	// The demo participant of the seed's "try it".
	person := ""
	for _, line := range strings.Split(seeded.String(), "\n") {
		if v, ok := strings.CutPrefix(line, "export LEERPAD_PARTICIPANT="); ok {
			person = strings.Trim(v, `"'`)
		}
	}
	if person == "" {
		t.Fatalf("no LEERPAD_PARTICIPANT in the seed's output:\n%s", seeded.String())
	}
	// Their texts: those of their events' personal fields that no other
	// person wrote too (the demo's texts repeat) and no field that is not
	// personal holds.
	all := readLog(t, eventStoreFlags{data: dir}, false)
	var theirs, others []eventstore.Recorded
	for _, r := range all {
		if pd, ok := r.Event.(domain.PersonalData); ok && pd.PersonalDataSubject() == person {
			theirs = append(theirs, r)
		} else {
			others = append(others, r)
		}
	}
	public, shared := personalTexts(all), personalTexts(others)
	texts := map[string]bool{}
	for x := range personalTexts(theirs) {
		if public[x] && !shared[x] {
			texts[x] = true
		}
	}
	var name string
	for _, r := range theirs {
		if e, ok := r.Event.(cohort.ParticipantEnrolled); ok {
			name = e.Name
		}
	}
	if len(texts) < 3 || !texts[name] {
		t.Fatalf("the demo participant wrote too little to search for: %v", texts)
	}

	s := serveData(t, dir)
	office := tokenFor(t, dir, "7a1d0c3e-0000-4000-8000-00000000aaaa", "programme-office")
	participant := tokenFor(t, dir, person, "participant")
	code, body := s.do(t, http.MethodGet, "http://"+s.api+"/v1/people/"+person+"/data", participant, "")
	if code != http.StatusOK || !bytes.Contains(body, []byte(name)) {
		t.Fatalf("export before the erasure: %d %s", code, body)
	}
	code, body = s.do(t, http.MethodPost, "http://"+s.api+"/v1/people/"+person+"/erasures", office, `{"reason":"subject-request","reference":"DEMO-1"}`)
	if code != http.StatusCreated {
		t.Fatalf("erasure: %d %s", code, body)
	}
	var journeys struct {
		Items []struct {
			JourneyID string `json:"journeyId"`
		} `json:"items"`
	}
	var answers [][]byte
	for _, path := range []string{"/v1/people/" + person + "/data", "/v1/journeys"} {
		code, body = s.do(t, http.MethodGet, "http://"+s.api+path, participant, "")
		if code != http.StatusOK {
			t.Fatalf("GET %s after the erasure: %d %s", path, code, body)
		}
		answers = append(answers, body)
		if path == "/v1/journeys" {
			if err := json.Unmarshal(body, &journeys); err != nil || len(journeys.Items) != 0 {
				t.Fatalf("journeys after the erasure: %s", body)
			}
		}
	}
	s.stop(t)
	for i, a := range answers {
		for x := range texts {
			if bytes.Contains(a, []byte(x)) {
				t.Errorf("answer %d after the erasure holds %q", i, x)
			}
		}
	}

	check := func(when string, fresh bool) {
		t.Helper()
		for _, d := range []string{dir, dir + "-keys"} {
			for x, path := range plainTextIn(t, d, texts) {
				t.Errorf("%s: %q in plain text in %s", when, x, path)
			}
		}
		left := personalTexts(readLog(t, eventStoreFlags{data: dir}, false))
		for x := range texts {
			if left[x] {
				t.Errorf("%s: the log still decodes %q of the erased participant", when, x)
			}
		}
		checkSnapshotsHoldNothingOf(t, dir, person, texts, when, fresh)
	}
	check("after the erasure", false)
	s = serveData(t, dir)
	s.stop(t)
	check("after a restart", false)
	var out bytes.Buffer
	if err := run(context.Background(), []string{"rebuild", "--data", dir}, &out, io.Discard); err != nil {
		t.Fatalf("rebuild: %v\n%s", err, out.String())
	}
	check("after leerpad rebuild", true)
}

// leerpad export, erase and retention --dry-run go through the same use
// cases as the API: the export holds the participant's name, the erasure is
// recorded once (a second answers the first), the export after it holds only
// the erasure, and the dry run lists and erases nothing.
func TestEraseExportAndRetentionCommands(t *testing.T) {
	if testing.Short() {
		t.Skip("seeds an embedded event-store node")
	}
	dir := filepath.Join(t.TempDir(), "data")
	var seeded bytes.Buffer
	if err := run(context.Background(), []string{"seed", "--data", dir, "--seed", "7", "--cohorts", "1", "--participants", "4", "--env"}, &seeded, io.Discard); err != nil {
		t.Fatal(err)
	}
	person := ""
	for _, line := range strings.Split(seeded.String(), "\n") {
		if v, ok := strings.CutPrefix(line, "export LEERPAD_PARTICIPANT="); ok {
			person = strings.Trim(v, `"'`)
		}
	}
	leerpad := func(args ...string) (string, error) { // stdout; stderr is the log
		var out bytes.Buffer
		err := run(context.Background(), append(args, "--data", dir), &out, io.Discard)
		return out.String(), err
	}
	out, err := leerpad("export", "--person", person)
	var doc struct {
		Enrolments struct {
			Items []struct{ Name, Email string }
		}
		Erasure *struct{ Record struct{ Reason string } }
	}
	if err != nil || json.Unmarshal([]byte(out), &doc) != nil || len(doc.Enrolments.Items) != 1 || doc.Enrolments.Items[0].Name == "" || doc.Erasure != nil {
		t.Fatalf("export: %v\n%.500s", err, out)
	}
	if out, err := leerpad("erase", "--person", person); err == nil {
		t.Fatalf("erase without a reason: %s", out)
	}
	if out, err = leerpad("erase", "--person", person, "--reason", "subject-request", "--reference", "PB-1"); err != nil || !strings.HasPrefix(out, "Erased "+person) {
		t.Fatalf("erase: %v\n%s", err, out)
	}
	if out, err = leerpad("erase", "--person", person, "--reason", "subject-request"); err != nil || !strings.HasPrefix(out, "Already erased "+person) {
		t.Fatalf("erase again: %v\n%s", err, out)
	}
	out, err = leerpad("export", "--person", person)
	doc.Enrolments.Items, doc.Erasure = nil, nil
	if err != nil || json.Unmarshal([]byte(out), &doc) != nil || len(doc.Enrolments.Items) != 0 || doc.Erasure == nil || doc.Erasure.Record.Reason != "subject-request" {
		t.Fatalf("export after the erasure: %v\n%s", err, out)
	}
	if out, err = leerpad("retention", "--dry-run"); err != nil || !strings.Contains(out, "(dry run: nothing was erased)") {
		t.Fatalf("retention --dry-run: %v\n%s", err, out)
	}
}
