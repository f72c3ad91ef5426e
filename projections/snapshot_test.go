package projections_test

import (
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/leerpad/leerpad/domain/feedback"
	"github.com/leerpad/leerpad/projections"
	"github.com/leerpad/leerpad/projections/internal/fixture"
	"github.com/leerpad/leerpad/projections/raterlinks"
)

// linkLog is a short history for the rater-link read model.
func linkLog() *fixture.Log {
	l := fixture.NewLog(21)
	round := l.ID()
	at := time.Date(2025, 3, 3, 9, 0, 0, 0, time.UTC)
	for i := range 5 {
		l.Append(fixture.RoundStream(round), feedback.RaterLinkIssued{RoundID: round, RaterID: l.ID(),
			TokenHash: strings.Repeat(string(rune('a'+i)), 64), ExpiresAt: at.AddDate(0, 0, 7), At: at})
	}
	return l
}

func filled(t *testing.T) (*raterlinks.ReadModel, *fixture.Log) {
	t.Helper()
	l := linkLog()
	m := raterlinks.New()
	for _, ev := range l.Events {
		if err := m.Handle(context.Background(), ev); err != nil {
			t.Fatal(err)
		}
	}
	return m, l
}

// otherSchema is a read model whose snapshot schema moved on.
type otherSchema struct{ *raterlinks.ReadModel }

func (otherSchema) SnapshotSchema() uint32 { return raterlinks.SnapshotSchema + 1 }

// TestReadSnapshotRefuses checks every reason a snapshot is not restored:
// the read model stays empty (and is rebuilt), and the error names the file
// and the reason.
func TestReadSnapshotRefuses(t *testing.T) {
	for _, tc := range []struct {
		name   string
		damage func(t *testing.T, path string) // nil: leave the file alone
		into   func() projections.Snapshotter
		head   func(l *fixture.Log) uint64
		reason string
		detail string
	}{
		{name: "missing", damage: func(t *testing.T, path string) { must(t, os.Remove(path)) }, reason: projections.ReasonMissing},
		{name: "flipped byte in the payload", damage: func(t *testing.T, path string) { flip(t, path, -40) },
			reason: projections.ReasonCorrupt, detail: "checksum mismatch"},
		{name: "flipped byte in the header", damage: func(t *testing.T, path string) { flip(t, path, 30) },
			reason: projections.ReasonCorrupt, detail: "checksum mismatch"},
		{name: "truncated", damage: func(t *testing.T, path string) { truncate(t, path, -100) },
			reason: projections.ReasonCorrupt, detail: "checksum mismatch"},
		{name: "truncated to a few bytes", damage: func(t *testing.T, path string) { truncate(t, path, 10) },
			reason: projections.ReasonCorrupt, detail: "truncated"},
		{name: "empty file", damage: func(t *testing.T, path string) { truncate(t, path, 0) },
			reason: projections.ReasonCorrupt, detail: "truncated"},
		{name: "not a snapshot", damage: func(t *testing.T, path string) { must(t, os.WriteFile(path, []byte(strings.Repeat("x", 200)), 0o600)) },
			reason: projections.ReasonCorrupt, detail: "wrong magic"},
		{name: "other file format", damage: func(t *testing.T, path string) { setByte(t, path, len("LEERPAD-SNAPSHOT")+1, 9) },
			reason: projections.ReasonFormat, detail: "file format 9"},
		{name: "schema changed", into: func() projections.Snapshotter { return otherSchema{raterlinks.New()} },
			reason: projections.ReasonSchema, detail: "written at schema 1, the read model is at schema 2"},
		{name: "checkpoint beyond the head", head: func(l *fixture.Log) uint64 { return l.Events[2].Position },
			reason: projections.ReasonAhead, detail: "older backup"},
		{name: "empty log", head: func(*fixture.Log) uint64 { return 0 }, reason: projections.ReasonAhead},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m, l := filled(t)
			dir := t.TempDir()
			info, err := projections.WriteSnapshot(dir, m)
			if err != nil {
				t.Fatal(err)
			}
			if tc.damage != nil {
				tc.damage(t, info.Path)
			}
			var into projections.Snapshotter = raterlinks.New()
			if tc.into != nil {
				into = tc.into()
			}
			head := l.Events[len(l.Events)-1].Position
			if tc.head != nil {
				head = tc.head(l)
			}
			_, err = projections.ReadSnapshot(dir, into, head)
			var se *projections.SnapshotError
			if !errors.As(err, &se) {
				t.Fatalf("err = %v, want a *SnapshotError", err)
			}
			if se.Reason != tc.reason || !strings.Contains(err.Error(), tc.detail) || !strings.Contains(err.Error(), info.Path) {
				t.Fatalf("err = %q (reason %q), want reason %q, %q and the file's name", err, se.Reason, tc.reason, tc.detail)
			}
			if into.Position() != 0 {
				t.Fatalf("the read model was changed: at position %d", into.Position())
			}
		})
	}
}

// TestReadSnapshotRestores is the good case, with the leftovers of an
// interrupted write cleaned up.
func TestReadSnapshotRestores(t *testing.T) {
	m, l := filled(t)
	dir := t.TempDir()
	if _, err := projections.WriteSnapshot(dir, m); err != nil {
		t.Fatal(err)
	}
	// A second write replaces the first.
	info, err := projections.WriteSnapshot(dir, m)
	if err != nil {
		t.Fatal(err)
	}
	leftover := filepath.Join(dir, raterlinks.Name+".snap.tmp-123")
	must(t, os.WriteFile(leftover, []byte("half"), 0o600))
	r := raterlinks.New()
	got, err := projections.ReadSnapshot(dir, r, l.Events[len(l.Events)-1].Position)
	if err != nil {
		t.Fatal(err)
	}
	if got.Position != info.Position || r.Position() != m.Position() || r.Len() != m.Len() || r.Len() != 5 {
		t.Fatalf("restored %d links at %d (info %d), want %d at %d", r.Len(), r.Position(), got.Position, m.Len(), m.Position())
	}
	if _, err := os.Stat(leftover); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("leftover temporary file: %v", err)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Fatalf("%d files in the snapshot directory, want 1", len(entries))
	}
}

// TestReadSnapshotOfAnotherReadModel checks that a snapshot copied under
// another read model's name is refused.
func TestReadSnapshotOfAnotherReadModel(t *testing.T) {
	m, l := filled(t)
	dir := t.TempDir()
	info, err := projections.WriteSnapshot(dir, m)
	if err != nil {
		t.Fatal(err)
	}
	must(t, os.Rename(info.Path, projections.SnapshotPath(dir, "portfolio")))
	_, err = projections.ReadSnapshot(dir, renamed{raterlinks.New()}, l.Events[len(l.Events)-1].Position)
	var se *projections.SnapshotError
	if !errors.As(err, &se) || se.Reason != projections.ReasonCorrupt || !strings.Contains(err.Error(), `holds read model "rater-links"`) {
		t.Fatalf("err = %v", err)
	}
}

type renamed struct{ *raterlinks.ReadModel }

func (renamed) Name() string { return "portfolio" }

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// flip inverts the byte at off (from the end when negative).
func flip(t *testing.T, path string, off int) {
	t.Helper()
	b, err := os.ReadFile(path)
	must(t, err)
	if off < 0 {
		off += len(b)
	}
	b[off] ^= 0xff
	must(t, os.WriteFile(path, b, 0o600))
}

func setByte(t *testing.T, path string, off int, v byte) {
	t.Helper()
	b, err := os.ReadFile(path)
	must(t, err)
	b[off] = v
	must(t, os.WriteFile(path, b, 0o600))
}

// truncate cuts the file to n bytes (n from the end when negative).
func truncate(t *testing.T, path string, n int64) {
	t.Helper()
	st, err := os.Stat(path)
	must(t, err)
	if n < 0 {
		n += st.Size()
	}
	must(t, os.Truncate(path, n))
}

// garbage writes a payload that is whole (its checksum matches) but does
// not decode, as a snapshot written by a buggy or different build would.
type garbage struct{ *raterlinks.ReadModel }

func (g garbage) Snapshot() (uint64, func(io.Writer) error) {
	pos, _ := g.ReadModel.Snapshot()
	return pos, func(w io.Writer) error { _, err := io.WriteString(w, `{"checkpoint": [1, 2`); return err }
}

func TestReadSnapshotPayloadDoesNotDecode(t *testing.T) {
	m, l := filled(t)
	dir := t.TempDir()
	if _, err := projections.WriteSnapshot(dir, garbage{m}); err != nil {
		t.Fatal(err)
	}
	r := raterlinks.New()
	_, err := projections.ReadSnapshot(dir, r, l.Events[len(l.Events)-1].Position)
	var se *projections.SnapshotError
	if !errors.As(err, &se) || se.Reason != projections.ReasonCorrupt || !strings.Contains(err.Error(), "payload does not decode") {
		t.Fatalf("err = %v", err)
	}
	if r.Position() != 0 || r.Len() != 0 {
		t.Fatal("the read model was changed")
	}
}
