package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/EventStore/EventStore-Client-Go/v4/esdb"

	"github.com/leerpad/leerpad/domain/feedback"
	"github.com/leerpad/leerpad/eventstore"
	"github.com/leerpad/leerpad/eventstore/keystore"
)

// runMigrate dispatches the migrations; today there is one, encrypt.
func runMigrate(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] != "encrypt" {
		return &usageError{msg: "leerpad migrate: the one migration is \"encrypt\" (leerpad migrate encrypt -data DIR)"}
	}
	return runMigrateEncrypt(ctx, args[1:], stdout, stderr)
}

// runMigrateEncrypt rewrites the event log of a stopped embedded node so that
// no personal data is left in plain text (docs/decisions/0014): the data
// directory is moved aside to <data>.plain, a fresh log is written in <data>
// with every event of the old one, in the same order, streams and event ids,
// each personal field encrypted with its person's key, and the old copy is
// removed when asked (-remove-plain). Read-model snapshots are not copied
// (they hold plain text): serve rebuilds them.
func runMigrateEncrypt(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("leerpad migrate encrypt", stderr)
	var esf eventStoreFlags
	esf.register(fs)
	removePlain := fs.Bool("remove-plain", false, "remove the plain-text copy <data>.plain once the encrypted log is written and checked")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if esf.connection != "" {
		return &usageError{msg: "leerpad migrate encrypt: works on the data directory of a stopped embedded node (-data), not on an external event store"}
	}
	log := newLogger(stderr, slog.LevelWarn)
	rep, plainDir, err := migrateDataDir(ctx, esf, log)
	if err != nil {
		return err
	}
	msg := rep.String()
	if *removePlain {
		if err := os.RemoveAll(plainDir); err != nil {
			return fmt.Errorf("remove the plain-text copy %s: %w", plainDir, err)
		}
		msg += fmt.Sprintf("the plain-text copy %s is removed\n", plainDir)
	} else {
		msg += fmt.Sprintf("the old log, in plain text, is in %s: remove it (it holds personal data) once you have checked the new one\n", plainDir)
	}
	_, err = io.WriteString(stdout, msg)
	return err
}

// migrateDataDir moves esf.data aside to <data>.plain and writes the
// encrypted copy in esf.data; it returns the report and the plain copy's
// directory. On an error the operator restores the old state by removing
// esf.data and moving <data>.plain back, as the error says.
func migrateDataDir(ctx context.Context, esf eventStoreFlags, log *slog.Logger) (migrateReport, string, error) {
	data := filepath.Clean(esf.data)
	plainDir := data + ".plain"
	if fi, err := os.Stat(data); err != nil || !fi.IsDir() {
		return migrateReport{}, "", fmt.Errorf("migrate: no data directory %s", data)
	}
	if _, err := os.Stat(plainDir); !errors.Is(err, fs.ErrNotExist) {
		return migrateReport{}, "", fmt.Errorf("migrate: %s exists (an earlier migration?): remove it or move it back first", plainDir)
	}
	if err := os.Rename(data, plainDir); err != nil {
		return migrateReport{}, "", fmt.Errorf("migrate: move the data directory aside: %w", err)
	}
	undo := fmt.Sprintf("to go back: rm -r %s && mv %s %s", data, plainDir, data)
	if err := os.MkdirAll(data, 0o700); err != nil {
		return migrateReport{}, plainDir, fmt.Errorf("migrate: %w (%s)", err, undo)
	}
	// The keys (the token-signing key, the KEK) stay with the data directory.
	if err := copyDir(filepath.Join(plainDir, "keys"), filepath.Join(data, "keys")); err != nil {
		return migrateReport{}, plainDir, fmt.Errorf("migrate: copy the keys: %w (%s)", err, undo)
	}
	from, err := openEventStore(ctx, eventStoreFlags{data: plainDir, keystore: esf.keystoreDir(), kek: esf.kekFile()}, log)
	if err != nil {
		return migrateReport{}, plainDir, fmt.Errorf("migrate: open the old log: %w (%s)", err, undo)
	}
	defer func() { _ = from.Close() }()
	to, err := openEventStore(ctx, esf, log)
	if err != nil {
		return migrateReport{}, plainDir, fmt.Errorf("migrate: open the new log: %w (%s)", err, undo)
	}
	defer func() { _ = to.Close() }()
	codec, err := to.codec()
	if err != nil {
		return migrateReport{}, plainDir, err
	}
	rep, err := migrateEncrypt(ctx, from.client, to.client, codec)
	if err != nil {
		return rep, plainDir, fmt.Errorf("migrate: %w (%s)", err, undo)
	}
	return rep, plainDir, nil
}

// keystoreDir and kekFile are the key store's paths as the flags give them,
// for opening the old log with the same keys.
func (f eventStoreFlags) keystoreDir() string {
	dir, _, _ := f.keyStorePaths()
	return dir
}

func (f eventStoreFlags) kekFile() string {
	_, kek, _ := f.keyStorePaths()
	return kek
}

// migrateReport counts what a migration did.
type migrateReport struct {
	Events, Encrypted, Copied, System, Streams int
	Elapsed                                    time.Duration
}

func (r migrateReport) String() string {
	return fmt.Sprintf("migrated %d events in %s: %d with personal data written encrypted, %d copied as they were, %d of the node's own streams left for the node to make again\n",
		r.Events, r.Elapsed.Round(time.Millisecond), r.Encrypted, r.Copied, r.System)
}

// maxBatch bounds the events of one append of the copy.
const maxBatch = 500

// migrateEncrypt copies every event of from's log into to, in the log's
// order, with its stream, event id, type and metadata: an event with personal
// data in plain text is decoded and encoded again by codec (encrypted); any
// other event (without personal data, already encrypted, of an erased person,
// not a domain event) is copied byte for byte. Stream metadata ($$streams)
// and tombstones are copied too, so a deleted stream stays deleted; the
// node's own streams ($...) are not. A 360 response written before
// responses named their participant gets the participant of its round.
func migrateEncrypt(ctx context.Context, from, to *esdb.Client, codec *eventstore.Codec) (migrateReport, error) {
	started := time.Now()
	var rep migrateReport
	rs, err := from.ReadAll(ctx, esdb.ReadAllOptions{From: esdb.Start{}}, ^uint64(0))
	if err != nil {
		return rep, fmt.Errorf("read the old log: %w", err)
	}
	defer rs.Close()
	rounds := map[string]string{} // round id → participant id
	var (
		batch  []esdb.EventData
		stream string
	)
	flush := func() error {
		if len(batch) == 0 {
			return nil
		}
		if _, err := to.AppendToStream(ctx, stream, esdb.AppendToStreamOptions{ExpectedRevision: esdb.Any{}}, batch...); err != nil {
			return fmt.Errorf("append to %s: %w", stream, err)
		}
		batch = batch[:0]
		return nil
	}
	streams := map[string]bool{}
	for {
		res, err := rs.Recv()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return rep, fmt.Errorf("read the old log: %w", err)
		}
		ev := res.Event
		if ev == nil {
			continue
		}
		if strings.HasPrefix(ev.StreamID, "$") && !strings.HasPrefix(ev.StreamID, "$$") {
			rep.System++
			continue
		}
		if ev.EventType == "$streamDeleted" {
			if err := flush(); err != nil {
				return rep, err
			}
			if _, err := to.TombstoneStream(ctx, ev.StreamID, esdb.TombstoneStreamOptions{ExpectedRevision: esdb.Any{}}); err != nil {
				return rep, fmt.Errorf("tombstone %s: %w", ev.StreamID, err)
			}
			rep.Events++
			continue
		}
		data, meta, encrypted, err := migrateEvent(codec, ev, rounds)
		if err != nil {
			return rep, fmt.Errorf("event %s of %s: %w", ev.EventID, ev.StreamID, err)
		}
		if ev.StreamID != stream || len(batch) >= maxBatch {
			if err := flush(); err != nil {
				return rep, err
			}
			stream = ev.StreamID
		}
		ct := esdb.ContentTypeBinary
		if ev.ContentType == "application/json" {
			ct = esdb.ContentTypeJson
		}
		batch = append(batch, esdb.EventData{EventID: ev.EventID, EventType: ev.EventType, ContentType: ct, Data: data, Metadata: meta})
		rep.Events++
		if encrypted {
			rep.Encrypted++
		} else {
			rep.Copied++
		}
		streams[ev.StreamID] = true
	}
	if err := flush(); err != nil {
		return rep, err
	}
	rep.Streams = len(streams)
	rep.Elapsed = time.Since(started)
	return rep, nil
}

// migrateEvent returns the payload and metadata ev is copied with, and
// whether its personal data was encrypted.
func migrateEvent(codec *eventstore.Codec, ev *esdb.RecordedEvent, rounds map[string]string) (data, meta []byte, encrypted bool, err error) {
	data, meta = ev.Data, ev.UserMetadata
	if !codec.Known(ev.EventType) {
		return data, meta, false, nil
	}
	var m eventstore.Metadata
	if len(meta) > 0 {
		if err := json.Unmarshal(meta, &m); err != nil {
			return data, meta, false, nil // not Leerpad's metadata: not a domain event's
		}
	}
	if ev.EventType == (feedback.RoundOpened{}).EventName() {
		e, err := codec.Decode(ev.EventType, m.SchemaVersion, data)
		if err != nil {
			return nil, nil, false, err
		}
		o := e.(feedback.RoundOpened) //nolint:errcheck,forcetypeassert // the codec decodes this name to this type
		rounds[o.RoundID] = o.ParticipantID
	}
	if !codec.HasPersonalData(ev.EventType) || eventstore.Encrypted(data) {
		return data, meta, false, nil
	}
	e, err := codec.Decode(ev.EventType, m.SchemaVersion, data)
	if err != nil {
		return nil, nil, false, err
	}
	if r, ok := e.(feedback.ResponseSubmitted); ok && r.ParticipantID == "" {
		r.ParticipantID = rounds[r.RoundID]
		e = r
	}
	_, payload, version, err := codec.Encode(e)
	if errors.Is(err, keystore.ErrErased) {
		return nil, nil, false, fmt.Errorf("%w: its person was erased, yet the old log holds their data in plain text; migrate before erasing", err)
	}
	if err != nil {
		return nil, nil, false, err
	}
	if version != m.SchemaVersion {
		// Decode upcast an older payload: the metadata says today's version.
		var all map[string]json.RawMessage
		if err := json.Unmarshal(meta, &all); err != nil || all == nil {
			all = map[string]json.RawMessage{}
		}
		all["schemaVersion"] = json.RawMessage(fmt.Sprint(version))
		if meta, err = json.Marshal(all); err != nil {
			return nil, nil, false, err
		}
	}
	return payload, meta, true, nil
}

// copyDir copies the files of src (one level: the keys directory) into dst,
// keeping their modes; a missing src copies nothing.
func copyDir(src, dst string) error {
	entries, err := os.ReadDir(src)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	if err := os.MkdirAll(dst, 0o700); err != nil {
		return err
	}
	for _, e := range entries {
		if !e.Type().IsRegular() {
			continue
		}
		fi, err := e.Info()
		if err != nil {
			return err
		}
		b, err := os.ReadFile(filepath.Join(src, e.Name())) //nolint:gosec // the operator's data directory
		if err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(dst, e.Name()), b, fi.Mode().Perm()); err != nil {
			return err
		}
	}
	return nil
}
