package main

import (
	"bytes"
	"context"
	"errors"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/EventStore/EventStore-Client-Go/v4/esdb"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/leerpad/leerpad/demo"
	"github.com/leerpad/leerpad/domain"
	"github.com/leerpad/leerpad/domain/cohort"
	"github.com/leerpad/leerpad/domain/feedback"
	"github.com/leerpad/leerpad/domain/journey"
	"github.com/leerpad/leerpad/eventstore"
	"github.com/leerpad/leerpad/projections"
	"github.com/leerpad/leerpad/projections/portfolio"
)

// smallSeed is a data set small enough for a test, with every kind of
// personal data: enrolments (names, e-mails), journeys (why, reflections),
// 360 rounds (raters' names, answers and comments).
var smallSeed = demo.Options{Seed: 7, Cohorts: 1, Participants: 6}

// readLog returns every domain event of the data directory's log, decoded by
// the codec the store of dir gives (encrypting unless plain).
func readLog(t *testing.T, esf eventStoreFlags, plain bool) []eventstore.Recorded {
	t.Helper()
	ctx := context.Background()
	es, err := openEventStore(ctx, esf, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = es.Close() }()
	codec, err := es.codec()
	if plain {
		codec, err = newCodec()
	}
	if err != nil {
		t.Fatal(err)
	}
	store := eventstore.NewStore(es.client, codec)
	rs, err := es.client.ReadAll(ctx, esdb.ReadAllOptions{From: esdb.Start{}}, ^uint64(0))
	if err != nil {
		t.Fatal(err)
	}
	defer rs.Close()
	var out []eventstore.Recorded
	for {
		ev, err := rs.Recv()
		if errors.Is(err, io.EOF) {
			return out
		}
		if err != nil {
			t.Fatal(err)
		}
		if ev.Event == nil || strings.HasPrefix(ev.Event.StreamID, "$") || !codec.Known(ev.Event.EventType) {
			continue
		}
		r, err := store.Decode(ev.Event)
		if err != nil {
			t.Fatalf("decode %s of %s: %v", ev.Event.EventType, ev.Event.StreamID, err)
		}
		out = append(out, r)
	}
}

// personalTexts returns the texts of the events' personal fields that could
// not turn up in a file by chance: with a space, an @, or 10 characters long.
func personalTexts(recs []eventstore.Recorded) map[string]bool {
	out := map[string]bool{}
	var walk func(v reflect.Value)
	walk = func(v reflect.Value) {
		switch v.Kind() {
		case reflect.String:
			if s := v.String(); !domain.IsErased(s) && (strings.ContainsAny(s, " @") || len(s) >= 10) {
				out[s] = true
			}
		case reflect.Slice:
			for i := range v.Len() {
				walk(v.Index(i))
			}
		case reflect.Struct:
			for i := range v.NumField() {
				if v.Type().Field(i).Name != "ItemID" && v.Type().Field(i).Name != "CompetencyID" {
					walk(v.Field(i))
				}
			}
		default:
		}
	}
	for _, r := range recs {
		v := reflect.ValueOf(r.Event)
		for i := range v.NumField() {
			if _, ok := v.Type().Field(i).Tag.Lookup("personal"); ok {
				walk(v.Field(i))
			}
		}
	}
	// A text that is also in a field that is not personal (a comment quoting
	// an item of the instrument) is not the person's to hide.
	personal := out
	out = map[string]bool{}
	for _, r := range recs {
		v := reflect.ValueOf(r.Event)
		for i := range v.NumField() {
			if _, ok := v.Type().Field(i).Tag.Lookup("personal"); !ok {
				walk(v.Field(i))
			}
		}
	}
	public := out
	out = map[string]bool{}
	for s := range personal {
		if !public[s] {
			out[s] = true
		}
	}
	return out
}

// plainTextIn returns the texts found in plain text in any file under dir,
// with the file each was found in.
func plainTextIn(t *testing.T, dir string, texts map[string]bool) map[string]string {
	t.Helper()
	found := map[string]string{}
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(path) //nolint:gosec // the test's own temporary directory
		if err != nil {
			return err
		}
		for s := range texts {
			if _, done := found[s]; !done && bytes.Contains(b, []byte(s)) {
				found[s] = path
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return found
}

func checkNoPlainText(t *testing.T, dir string, texts map[string]bool) {
	t.Helper()
	found := plainTextIn(t, dir, texts)
	for s, path := range found {
		t.Errorf("%q in plain text in %s", s, path)
	}
}

// enrolledNames returns the names and e-mail addresses of the enrolments.
func enrolledNames(recs []eventstore.Recorded) (names []string) {
	for _, r := range recs {
		if e, ok := r.Event.(cohort.ParticipantEnrolled); ok {
			names = append(names, e.Name, e.Email)
		}
	}
	return names
}

// The demo data set seeded through leerpad seed leaves no personal data in
// plain text in any file of the data directory: no participant's name or
// e-mail address, no reflection, no rater's comment. The same texts read
// back through the codec, whole.
func TestSeedLeavesNoPersonalDataInPlainText(t *testing.T) {
	if testing.Short() {
		t.Skip("seeds an embedded event-store node")
	}
	t.Parallel()
	dir := filepath.Join(t.TempDir(), "data")
	args := []string{"seed", "--data", dir, "--seed", "7", "--cohorts", "1", "--participants", "6"}
	var out, errOut bytes.Buffer
	if err := run(context.Background(), args, &out, &errOut); err != nil {
		t.Fatalf("leerpad seed: %v\n%s", err, errOut.String())
	}
	// The read models' snapshots too (leerpad rebuild writes them, as serve does).
	if err := run(context.Background(), []string{"rebuild", "--data", dir}, io.Discard, &errOut); err != nil {
		t.Fatalf("leerpad rebuild: %v\n%s", err, errOut.String())
	}
	if snaps, _ := filepath.Glob(filepath.Join(snapshotDir(dir), "*.snap")); len(snaps) < 3 {
		t.Fatalf("snapshots after the rebuild: %v", snaps)
	}
	recs := readLog(t, eventStoreFlags{data: dir}, false)
	texts := personalTexts(recs)
	names := enrolledNames(recs)
	if len(names) < 12 || len(texts) < 50 {
		t.Fatalf("read back %d names and e-mail addresses and %d personal texts; want the data set's", len(names), len(texts))
	}
	for _, n := range names {
		if !texts[n] {
			t.Fatalf("name or e-mail %q is not among the personal texts", n)
		}
	}
	checkNoPlainText(t, dir, texts)
}

// seedPlain seeds smallSeed into dir as Leerpad did before encryption: with a
// codec that writes personal fields as they are.
func seedPlain(t *testing.T, dir string) {
	t.Helper()
	ctx := context.Background()
	es, err := openEventStore(ctx, eventStoreFlags{data: dir}, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = es.Close() }()
	codec, err := newCodec()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := demo.Run(ctx, newServices(eventstore.NewStore(es.client, codec)).forSeed(), smallSeed, nil); err != nil {
		t.Fatal(err)
	}
}

// appendOldResponse appends to the first 360 round of dir a response as
// Leerpad wrote them before responses named their participant.
func appendOldResponse(t *testing.T, dir string) {
	t.Helper()
	var round feedback.RoundOpened
	for _, r := range readLog(t, eventStoreFlags{data: dir}, true) {
		if o, ok := r.Event.(feedback.RoundOpened); ok {
			round = o
			break
		}
	}
	if round.RoundID == "" {
		t.Fatal("the data set has no 360 round")
	}
	ctx := context.Background()
	es, err := openEventStore(ctx, eventStoreFlags{data: dir}, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = es.Close() }()
	old := `{"roundId":"` + round.RoundID + `","raterId":"00000000-0000-4000-8000-0000000000aa","group":"peer",` +
		`"answers":[{"itemId":"i","score":3}],"comments":[{"text":"Een oude opmerking in platte tekst"}],"at":"2025-12-01T09:00:00Z"}`
	if _, err := es.client.AppendToStream(ctx, "feedback-"+round.RoundID, esdb.AppendToStreamOptions{ExpectedRevision: esdb.Any{}},
		esdb.EventData{EventType: "feedback.response_submitted", ContentType: esdb.ContentTypeJson, Data: []byte(old), Metadata: []byte(`{"schemaVersion":1}`)}); err != nil {
		t.Fatal(err)
	}
}

// streamStates names three streams that are not plain: one with $maxCount 1
// over three events, one deleted, one tombstoned.
type streamStates struct{ limited, deleted, tombstoned string }

func writeStreamStates(t *testing.T, dir string) streamStates {
	t.Helper()
	ctx := context.Background()
	es, err := openEventStore(ctx, eventStoreFlags{data: dir}, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = es.Close() }()
	id := strconv.FormatInt(time.Now().UnixNano(), 10)
	s := streamStates{limited: "scratch-limited" + id, deleted: "scratch-deleted" + id, tombstoned: "scratch-tomb" + id}
	for _, stream := range []string{s.limited, s.deleted, s.tombstoned} {
		for i := range 3 {
			if _, err := es.client.AppendToStream(ctx, stream, esdb.AppendToStreamOptions{}, esdb.EventData{EventType: "scratch",
				ContentType: esdb.ContentTypeJson, Data: []byte(`{"i":` + strconv.Itoa(i) + `}`)}); err != nil {
				t.Fatal(err)
			}
		}
	}
	var meta esdb.StreamMetadata
	meta.SetMaxCount(1)
	if _, err := es.client.SetStreamMetadata(ctx, s.limited, esdb.AppendToStreamOptions{}, meta); err != nil {
		t.Fatal(err)
	}
	if _, err := es.client.DeleteStream(ctx, s.deleted, esdb.DeleteStreamOptions{}); err != nil {
		t.Fatal(err)
	}
	if _, err := es.client.TombstoneStream(ctx, s.tombstoned, esdb.TombstoneStreamOptions{}); err != nil {
		t.Fatal(err)
	}
	return s
}

func checkStreamStates(t *testing.T, dir string, s streamStates) {
	t.Helper()
	ctx := context.Background()
	es, err := openEventStore(ctx, eventStoreFlags{data: dir}, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = es.Close() }()
	count := func(stream string) (int, error) {
		rs, err := es.client.ReadStream(ctx, stream, esdb.ReadStreamOptions{}, 100)
		if err != nil {
			return 0, err
		}
		defer rs.Close()
		n := 0
		for {
			if _, err := rs.Recv(); errors.Is(err, io.EOF) {
				return n, nil
			} else if err != nil {
				return n, err
			}
			n++
		}
	}
	if n, err := count(s.limited); err != nil || n != 1 {
		t.Errorf("stream with $maxCount 1 after the migration: %d events, %v; want 1", n, err)
	}
	if n, err := count(s.deleted); err == nil && n > 0 {
		t.Errorf("deleted stream after the migration: %d events", n)
	}
	if n, err := count(s.tombstoned); err == nil && n > 0 {
		t.Errorf("tombstoned stream after the migration: %d events", n)
	}
	if _, err := es.client.AppendToStream(ctx, s.tombstoned, esdb.AppendToStreamOptions{}, esdb.EventData{EventType: "scratch",
		ContentType: esdb.ContentTypeJson, Data: []byte(`{}`)}); err == nil {
		t.Errorf("tombstoned stream takes an append after the migration")
	}
}

// leerpad migrate encrypt turns a data directory written in plain text (by
// the old writer) into one where a byte search finds none of its personal
// texts, and every event reads back as it was (a 360 response with its
// participant named).
func TestMigrateEncryptsAPlainDataDirectory(t *testing.T) {
	if testing.Short() {
		t.Skip("seeds an embedded event-store node")
	}
	t.Parallel()
	dir := filepath.Join(t.TempDir(), "data")
	seedPlain(t, dir)
	appendOldResponse(t, dir)
	streams := writeStreamStates(t, dir)
	before := readLog(t, eventStoreFlags{data: dir}, true)
	texts := personalTexts(before)
	if found := plainTextIn(t, dir, texts); len(found) < len(texts)/2 {
		t.Fatalf("only %d of %d personal texts found in the plain data directory: the search does not work", len(found), len(texts))
	}

	var out, errOut bytes.Buffer
	if err := run(context.Background(), []string{"migrate", "encrypt", "--data", dir, "--remove-plain"}, &out, &errOut); err != nil {
		t.Fatalf("leerpad migrate encrypt: %v\n%s", err, errOut.String())
	}
	if !strings.Contains(out.String(), "with personal data written encrypted") {
		t.Errorf("report = %q", out.String())
	}
	checkNoPlainText(t, filepath.Dir(dir), texts) // the data directory, the key store, and no plain copy left

	checkStreamStates(t, dir, streams)
	after := readLog(t, eventStoreFlags{data: dir}, false)
	if len(after) != len(before) {
		t.Fatalf("%d events after the migration, %d before", len(after), len(before))
	}
	for i := range before {
		b, a := before[i], after[i]
		if r, ok := a.Event.(feedback.ResponseSubmitted); ok {
			if r.ParticipantID == "" {
				t.Fatalf("response %d names no participant after the migration", i)
			}
			old := b.Event.(feedback.ResponseSubmitted)
			if old.ParticipantID != "" && old.ParticipantID != r.ParticipantID {
				t.Fatalf("response %d: participant %s after the migration, %s before", i, r.ParticipantID, old.ParticipantID)
			}
			r.ParticipantID, old.ParticipantID = "", ""
			a.Event, b.Event = r, old
		}
		if b.ID != a.ID || !reflect.DeepEqual(b.Event, a.Event) || b.Metadata.Actor != a.Metadata.Actor {
			t.Fatalf("event %d after the migration:\n got %s %#v\nwant %s %#v", i, a.ID, a.Event, b.ID, b.Event)
		}
	}
}

// A backup of the data directory taken before a person was erased, restored
// and started with today's key store, shows the person erased: the key store
// is not in the data directory, so the backup brings no key back.
func TestRestoredBackupShowsTheErasedPersonErased(t *testing.T) {
	if testing.Short() {
		t.Skip("seeds an embedded event-store node")
	}
	t.Parallel()
	dir := filepath.Join(t.TempDir(), "data")
	if err := run(context.Background(), []string{"seed", "--data", dir, "--seed", "7", "--cohorts", "1", "--participants", "4"}, io.Discard, io.Discard); err != nil {
		t.Fatal(err)
	}
	if err := run(context.Background(), []string{"rebuild", "--data", dir}, io.Discard, io.Discard); err != nil { // snapshots
		t.Fatal(err)
	}
	backup := dir + ".backup"
	if out, err := exec.Command("cp", "-a", dir, backup).CombinedOutput(); err != nil { // a backup keeps the modes
		t.Fatalf("cp -a: %v: %s", err, out)
	}
	recs := readLog(t, eventStoreFlags{data: dir}, false)
	var erased cohort.ParticipantEnrolled
	for _, r := range recs {
		if e, ok := r.Event.(cohort.ParticipantEnrolled); ok {
			erased = e
			break
		}
	}
	keys, err := openKeys(eventStoreFlags{data: dir})
	if err != nil {
		t.Fatal(err)
	}
	// As the Shredder does: the person's key, then the snapshots' key.
	if err := keys.Forget(erased.ParticipantID); err != nil {
		t.Fatal(err)
	}
	if err := keys.RotateSnapshotKey(); err != nil {
		t.Fatal(err)
	}
	// The data directory is lost and restored from the backup.
	if err := os.RemoveAll(dir); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(backup, dir); err != nil {
		t.Fatal(err)
	}
	// The backup's snapshots, which hold the person in plain text inside,
	// no longer open: the read models are rebuilt from the log.
	_, err = projections.ReadSealedSnapshot(snapshotDir(dir), portfolio.New(portfolio.Config{}), ^uint64(0), keys)
	if se := (*projections.SnapshotError)(nil); !errors.As(err, &se) || se.Reason != projections.ReasonSealed {
		t.Errorf("the backup's portfolio snapshot: err = %v, want it sealed with a key that is gone", err)
	}
	others := 0
	for _, r := range readLog(t, eventStoreFlags{data: dir}, false) {
		e, ok := r.Event.(cohort.ParticipantEnrolled)
		switch {
		case !ok:
		case e.ParticipantID == erased.ParticipantID:
			if !domain.IsErased(e.Name) || !domain.IsErased(e.Email) {
				t.Errorf("the erased participant after the restore: %#v", e)
			}
		default:
			others++
			if domain.IsErased(e.Name) {
				t.Errorf("another participant erased: %#v", e)
			}
		}
	}
	if others != 3 {
		t.Errorf("%d other participants after the restore, want 3", others)
	}
}

// Two Leerpad processes over one event store decrypt alike when they share
// the key store and the KEK; a replica started with its own KEK (its own
// default) is refused at start rather than showing everyone erased; and a
// person forgotten by one is erased for the other.
func TestReplicasShareTheKeyStore(t *testing.T) {
	if testing.Short() {
		t.Skip("starts an embedded event-store node")
	}
	t.Parallel()
	ctx := context.Background()
	log := slog.New(slog.DiscardHandler)
	dir := filepath.Join(t.TempDir(), "data")
	first, err := openEventStore(ctx, eventStoreFlags{data: dir}, log)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = first.Close() }()
	keysDir, kek, err := eventStoreFlags{data: dir}.keyStorePaths()
	if err != nil {
		t.Fatal(err)
	}
	replica := eventStoreFlags{connection: first.node.ConnectionString(), data: filepath.Join(t.TempDir(), "replica")}
	if _, err := openEventStore(ctx, replica, log); err == nil {
		t.Fatal("a replica of an external event store started with a key store of its own")
	}
	replica.keystore, replica.kek = keysDir, filepath.Join(replica.data, "keys", "keystore.kek")
	if _, err := openEventStore(ctx, replica, log); err == nil {
		t.Fatal("a replica with its own KEK opened the shared key store")
	}
	replica.kek = kek
	second, err := openEventStore(ctx, replica, log)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = second.Close() }()

	c1, err := first.codec()
	if err != nil {
		t.Fatal(err)
	}
	c2, err := second.codec()
	if err != nil {
		t.Fatal(err)
	}
	participant := "3f6c1d2e-8a4b-4c5d-9e6f-7a8b9c0d1e2f"
	enrolled := cohort.ParticipantEnrolled{CohortID: "0c1d2e3f-4a5b-4c6d-8e7f-8091a2b3c4d5", ParticipantID: participant,
		Name: "Noor Visser", Email: "noor.visser@example.org"}
	name, payload, version, err := c1.Encode(enrolled)
	if err != nil {
		t.Fatal(err)
	}
	got, err := c2.Decode(name, version, payload)
	if err != nil || got.(cohort.ParticipantEnrolled).Name != "Noor Visser" {
		t.Fatalf("the replica decodes %#v, %v", got, err)
	}
	if err := first.keys.Forget(participant); err != nil {
		t.Fatal(err)
	}
	// The replica notices within its recheck interval (500 ms).
	deadline := time.Now().Add(5 * time.Second)
	for {
		got, err := c2.Decode(name, version, payload)
		if err != nil {
			t.Fatal(err)
		}
		if domain.IsErased(got.(cohort.ParticipantEnrolled).Name) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the replica still reads the person 5 s after they were forgotten")
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// serve schedules the embedded node's scavenges daily unless told otherwise,
// 0 turns them off, and a negative interval is refused naming the flag.
func TestServeSchedulesScavenges(t *testing.T) {
	for _, tc := range []struct {
		args    []string
		want    time.Duration
		wantErr string
	}{
		{nil, 24 * time.Hour, ""},
		{[]string{"--scavenge-every", "1h"}, time.Hour, ""},
		{[]string{"--scavenge-every", "0"}, 0, ""},
		{[]string{"--scavenge-every", "-1s"}, 0, "-scavenge-every"},
	} {
		f, err := parseServeFlags(tc.args, io.Discard)
		switch {
		case tc.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tc.wantErr)):
			t.Errorf("%v: err = %v, want one naming %s", tc.args, err, tc.wantErr)
		case tc.wantErr == "" && (err != nil || f.store.scavengeEvery != tc.want):
			t.Errorf("%v: scavenge every %s, %v; want %s", tc.args, f.store.scavengeEvery, err, tc.want)
		}
	}
}

// After the Shredder forgets a participant, the read models rebuilt from the
// log show them erased ("[gewist]") where their words were, hold no 360 score
// about them, count them as before, and show everyone else as they were,
// scores computed from the decrypted answers: nothing fails to decode.
func TestReadModelsShowAForgottenPersonErased(t *testing.T) {
	if testing.Short() {
		t.Skip("seeds an embedded event-store node")
	}
	t.Parallel()
	ctx := context.Background()
	dir := filepath.Join(t.TempDir(), "data")
	if err := run(ctx, []string{"seed", "--data", dir, "--seed", "7", "--cohorts", "1", "--participants", "4"}, io.Discard, io.Discard); err != nil {
		t.Fatal(err)
	}
	whys := map[string]journey.WhyStated{} // each participant's last why
	for _, r := range readLog(t, eventStoreFlags{data: dir}, false) {
		if w, ok := r.Event.(journey.WhyStated); ok {
			whys[w.ParticipantID] = w
		}
	}
	log := slog.New(slog.DiscardHandler)
	es, err := openEventStore(ctx, eventStoreFlags{data: dir}, log)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = es.Close() })
	codec, err := es.codec()
	if err != nil {
		t.Fatal(err)
	}

	// Before: pick a participant with a why and 360 scores.
	before := portfolios(t, es, codec, whys)
	erased := ""
	for p, v := range before {
		if v.means > 0 && erased == "" {
			erased = p
		}
	}
	if erased == "" || len(before) < 2 {
		t.Fatalf("portfolios before the erasure: %+v; want two or more, one with 360 scores", before)
	}

	svc := newServices(eventstore.NewStore(es.client, codec))
	if svc.Shredder == nil {
		t.Fatal("no Shredder with an encrypting codec")
	}
	if err := svc.Shredder.Forget(ctx, erased); err != nil {
		t.Fatal(err)
	}
	after := portfolios(t, es, codec, whys)
	for p, v := range after {
		if p == erased {
			if !domain.IsErased(v.why.Why) || !domain.AnyErased(v.why.Values) {
				t.Errorf("the forgotten participant's why: %+v, want %q", v.why, domain.Erased)
			}
			if v.means > 0 {
				t.Errorf("the forgotten participant's 360 results still hold %d scores: the answers about them are theirs", v.means)
			}
			continue
		}
		if v.why.Why != whys[p].Why || v.means != before[p].means {
			t.Errorf("another participant after the erasure: why %q, %d scores; before: %q, %d", v.why.Why, v.means, whys[p].Why, before[p].means)
		}
	}
	if after[erased].enrolled != 4 {
		t.Errorf("dashboard after the erasure: %d enrolled, want the 4 still counted", after[erased].enrolled)
	}
}

// portfolioFacts is what TestReadModelsShowAForgottenPersonErased reads of a
// participant's portfolio, and the cohort's enrolment count.
type portfolioFacts struct {
	why      portfolioWhy
	means    int
	enrolled int
}

type portfolioWhy struct {
	Why    string
	Values []string
}

// portfolios rebuilds the read models from the log and returns the facts of
// each participant of whys.
func portfolios(t *testing.T, es *eventStore, codec *eventstore.Codec, whys map[string]journey.WhyStated) map[string]portfolioFacts {
	t.Helper()
	models, err := newProjections(es, codec, prometheus.NewRegistry(), slog.New(slog.DiscardHandler), projectionsConfig{})
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = models.Close() }()
	runCtx, stop := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- models.Runner.Run(runCtx) }()
	defer func() {
		stop()
		if err := <-done; err != nil {
			t.Errorf("runner: %v", err)
		}
	}()
	for deadline := time.Now().Add(30 * time.Second); !models.Runner.CaughtUp(); time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("the read models did not catch up")
		}
	}
	dash, err := models.CohortDashboard.Dashboard(models.CohortDashboard.Cohorts()[0], time.Now())
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]portfolioFacts{}
	for p := range whys {
		journeys := models.Portfolio.Journeys(p)
		if len(journeys) != 1 {
			t.Fatalf("journeys of %s: %v", p, journeys)
		}
		v, err := models.Portfolio.Current(journeys[0])
		if err != nil || v.WhyAndValues == nil {
			t.Fatalf("portfolio of %s: %+v, %v", p, v.WhyAndValues, err)
		}
		f := portfolioFacts{why: portfolioWhy{v.WhyAndValues.Why, v.WhyAndValues.Values}, enrolled: dash.Enrolment.Enrolled}
		for _, r := range v.FeedbackRounds {
			for _, c := range r.Competencies {
				for _, g := range c.Groups {
					if g.Mean != nil {
						f.means++
					}
				}
			}
		}
		out[p] = f
	}
	return out
}

// leerpad keys rotate-kek: the seeded data reads back the same with the new
// KEK, and the old one no longer opens the key store.
func TestKeysRotateKEKCommand(t *testing.T) {
	if testing.Short() {
		t.Skip("seeds an embedded event-store node")
	}
	t.Parallel()
	ctx := context.Background()
	dir := filepath.Join(t.TempDir(), "data")
	if err := run(ctx, []string{"seed", "--data", dir, "--seed", "7", "--cohorts", "1", "--participants", "2"}, io.Discard, io.Discard); err != nil {
		t.Fatal(err)
	}
	before := enrolledNames(readLog(t, eventStoreFlags{data: dir}, false))
	keys, oldKEK, err := eventStoreFlags{data: dir}.keyStorePaths()
	if err != nil {
		t.Fatal(err)
	}
	newKEK := filepath.Join(t.TempDir(), "secrets", "new.kek")
	var out bytes.Buffer
	if err := run(ctx, []string{"keys", "rotate-kek", "--keystore", keys, "--kek-file", oldKEK, "--new-kek-file", newKEK}, &out, io.Discard); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "wrapped ") {
		t.Errorf("output %q", out.String())
	}
	if _, err := openKeys(eventStoreFlags{data: dir}); err == nil {
		t.Error("the old KEK still opens the key store")
	}
	after := enrolledNames(readLog(t, eventStoreFlags{data: dir, kek: newKEK}, false))
	if !reflect.DeepEqual(after, before) || len(after) == 0 {
		t.Errorf("names after the rotation %v, before %v", after, before)
	}
	if err := run(ctx, []string{"keys", "rotate-kek", "--keystore", keys}, io.Discard, io.Discard); exitCode(err) != 2 {
		t.Errorf("rotate-kek without the KEK files: %v, want a usage error", err)
	}
}
