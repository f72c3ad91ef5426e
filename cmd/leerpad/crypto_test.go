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
	"strings"
	"testing"

	"github.com/EventStore/EventStore-Client-Go/v4/esdb"

	"github.com/leerpad/leerpad/demo"
	"github.com/leerpad/leerpad/domain"
	"github.com/leerpad/leerpad/domain/cohort"
	"github.com/leerpad/leerpad/domain/feedback"
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
