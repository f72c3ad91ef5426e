package projections

import (
	"bufio"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"hash"
	"hash/crc32"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/leerpad/leerpad/domain"
	"github.com/leerpad/leerpad/domain/registry"
)

// Snapshotter is a read model whose state can be saved with its checkpoint
// and restored, so that a restart resumes after the checkpoint instead of
// replaying the whole log. See docs/decisions/0004-read-model-snapshots.md.
type Snapshotter interface {
	Projection
	// SnapshotSchema is the version of the read model's snapshot encoding.
	// Raise it whenever the encoding or the meaning of the saved state
	// changes (a handler that now keeps something else counts): a snapshot
	// of another schema is not restored, the read model is rebuilt.
	SnapshotSchema() uint32
	// Snapshot captures the state and its checkpoint at one moment, under the
	// read model's lock and quickly (copies, no encoding), and returns the
	// position of that checkpoint and a function that encodes what was
	// captured. encode runs outside the lock, concurrently with Handle and
	// the queries, and may be called once.
	Snapshot() (position uint64, encode func(w io.Writer) error)
	// Restore replaces the state of a read model that has handled nothing
	// with the one encoded in r (by encode, at SnapshotSchema). It changes
	// nothing when it fails. It returns an error wrapping domain.ErrInvalid
	// for a payload it cannot decode, and domain.ErrConflict when the read
	// model has handled events already.
	Restore(r io.Reader) error
}

// CheckpointState is a Checkpoint as a snapshot keeps it.
type CheckpointState struct {
	Position  uint64            `json:"position"`
	Unknown   uint64            `json:"unknown"`
	Revisions map[string]uint64 `json:"revisions"`
}

// State returns a copy of the checkpoint, for a snapshot. Like every method of
// Checkpoint it runs under the read model's lock.
func (c *Checkpoint) State() CheckpointState {
	revs := make(map[string]uint64, len(c.revisions))
	for k, v := range c.revisions {
		revs[k] = v
	}
	return CheckpointState{Position: c.position, Unknown: c.unknown, Revisions: revs}
}

// RestoreCheckpoint returns the checkpoint s describes.
func RestoreCheckpoint(s CheckpointState) *Checkpoint {
	c := NewCheckpoint()
	c.position, c.unknown = s.Position, s.Unknown
	for k, v := range s.Revisions {
		c.revisions[k] = v
	}
	return c
}

// domainTypes returns the domain's event registry (registry.EventTypes, the
// list the event store's codec registers) by name. It is built once, the
// first time it is needed, and only ever read: the checkpoints tell domain
// events from others by it, and the snapshots encode and decode by it.
var domainTypes = sync.OnceValue(func() map[string]domain.EventType {
	types := registry.EventTypes()
	out := make(map[string]domain.EventType, len(types))
	for _, t := range types {
		out[t.Name] = t
	}
	return out
})

// EventCodec encodes domain events for snapshots the way the log stores them:
// by their stored name, as the JSON of their payload. The stored names and
// JSON field names are permanent (the events are the schema), so a snapshot
// survives renamed Go identifiers; each payload is decoded, and upcast when
// its schema version is older, by the domain's event types.
type EventCodec struct {
	types map[string]domain.EventType // domainTypes(), read only
}

// NewEventCodec returns the codec of every domain event type: those of the
// domain's registry (registry.EventTypes), which the event store's codec
// registers too.
func NewEventCodec() *EventCodec { return &EventCodec{types: domainTypes()} }

// Versions returns the schema version written today of every event type, by
// name, for a snapshot to keep next to its payloads.
func (c *EventCodec) Versions() map[string]int {
	out := make(map[string]int, len(c.types))
	for n, t := range c.types {
		out[n] = t.Version
	}
	return out
}

// Encode returns the payload of e. It returns an error wrapping
// domain.ErrInvalid for an event that is not a domain event type.
func (c *EventCodec) Encode(e domain.Event) ([]byte, error) {
	if _, ok := c.types[e.EventName()]; !ok {
		return nil, domain.Invalid("event", "%q is not a domain event type", e.EventName())
	}
	b, err := json.Marshal(e)
	if err != nil {
		return nil, fmt.Errorf("encode %s: %w", e.EventName(), err)
	}
	return b, nil
}

// Decode returns the event called name from its payload, written at schema
// version (0 is taken as 1). It returns an error wrapping domain.ErrInvalid
// for an unknown name or a payload that does not decode.
func (c *EventCodec) Decode(name string, version int, payload []byte) (domain.Event, error) {
	t, ok := c.types[name]
	if !ok {
		return nil, domain.Invalid("event", "%q is not a domain event type", name)
	}
	return t.Decode(version, payload)
}

// SnapshotFormat is the version of the snapshot file's layout (header,
// payload, trailer), independent of the read models' own schemas.
const SnapshotFormat = 1

// snapshotMagic opens every snapshot file.
const snapshotMagic = "LEERPAD-SNAPSHOT"

// trailerSize is the payload's length (8 bytes) and the CRC-32C (4 bytes).
const trailerSize = 12

// maxName bounds the read model's name in a header.
const maxName = 255

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// SnapshotPath returns the file of the snapshot of the read model called name
// in dir.
func SnapshotPath(dir, name string) string { return filepath.Join(dir, name+".snap") }

// SnapshotInfo describes a snapshot written or read.
type SnapshotInfo struct {
	Name     string
	Schema   uint32
	Position uint64
	Written  time.Time
	Bytes    int64
	Path     string
}

// Why a snapshot was not restored (SnapshotError.Reason).
const (
	ReasonMissing = "missing"
	ReasonCorrupt = "corrupt"
	ReasonFormat  = "format changed"
	ReasonSchema  = "schema changed"
	ReasonAhead   = "checkpoint beyond the head of the log"
	ReasonSealed  = "sealed with a key that is gone"
)

// SnapshotError says why a snapshot was not restored: its Reason (one of the
// Reason constants), the file, and the details.
type SnapshotError struct {
	Reason string
	Path   string
	Detail string
	Err    error
}

func (e *SnapshotError) Error() string {
	msg := fmt.Sprintf("snapshot %s: %s", e.Path, e.Reason)
	if e.Detail != "" {
		msg += ": " + e.Detail
	}
	if e.Err != nil {
		msg += ": " + e.Err.Error()
	}
	return msg
}

// Unwrap returns the underlying error, if any.
func (e *SnapshotError) Unwrap() error { return e.Err }

// WriteSnapshot writes the snapshot of s to SnapshotPath(dir, s.Name()),
// atomically: to a temporary file in dir (mode 0600: read models hold
// personal data), synced, renamed over the previous snapshot, and the
// directory synced, so that a crash leaves either the old snapshot or the new
// one. dir is created (mode 0700) when missing. The state is captured by
// s.Snapshot and encoded outside the read model's lock.
func WriteSnapshot(dir string, s Snapshotter) (SnapshotInfo, error) {
	return WriteSealedSnapshot(dir, s, nil)
}

// SnapshotSealer encrypts the payloads of snapshots (read models hold
// people's data in plain text) with a key it can forget: when a person is
// erased the key is forgotten, so that no snapshot written before (in the
// data directory or its backups) can bring them back; a read model whose
// snapshot no longer opens is rebuilt from the log, where the person is
// erased. The key store implements it (keystore.Store).
type SnapshotSealer interface {
	// SealWriter returns a writer that encrypts what is written to it into
	// w; Close writes the end of the sealed stream (not closing w).
	SealWriter(w io.Writer) (io.WriteCloser, error)
	// OpenReader returns a reader of what SealWriter encrypted into r; an
	// error, now or from Read, when it does not open (its key is
	// forgotten, or the bytes were changed).
	OpenReader(r io.Reader) (io.Reader, error)
}

// WriteSealedSnapshot is WriteSnapshot with the payload encrypted by
// sealer (none when nil).
func WriteSealedSnapshot(dir string, s Snapshotter, sealer SnapshotSealer) (SnapshotInfo, error) {
	pos, encode := s.Snapshot()
	if sealer != nil {
		plain := encode
		encode = func(w io.Writer) error {
			sw, err := sealer.SealWriter(w)
			if err != nil {
				return fmt.Errorf("seal: %w", err)
			}
			if err := plain(sw); err != nil {
				return err
			}
			return sw.Close()
		}
	}
	return writeSnapshot(dir, s.Name(), s.SnapshotSchema(), pos, encode)
}

func writeSnapshot(dir, name string, schema uint32, pos uint64, encode func(io.Writer) error) (info SnapshotInfo, err error) {
	if name == "" || len(name) > maxName || strings.ContainsAny(name, `/\`) {
		return info, domain.Invalid("snapshot name", "%q cannot name a file", name)
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return info, fmt.Errorf("snapshot of %s: %w", name, err)
	}
	tmp, err := os.CreateTemp(dir, name+".snap.tmp-*") // mode 0600
	if err != nil {
		return info, fmt.Errorf("snapshot of %s: %w", name, err)
	}
	defer func() {
		if err != nil {
			_ = tmp.Close()
			_ = os.Remove(tmp.Name())
		}
	}()
	if err := tmp.Chmod(0o600); err != nil {
		return info, fmt.Errorf("snapshot of %s: %w", name, err)
	}
	now := time.Now().UTC()
	crc := crc32.New(castagnoli)
	bw := bufio.NewWriterSize(io.MultiWriter(tmp, crc), 1<<20)
	var hdr []byte
	hdr = append(hdr, snapshotMagic...)
	hdr = binary.BigEndian.AppendUint16(hdr, SnapshotFormat)
	hdr = binary.BigEndian.AppendUint16(hdr, uint16(len(name)))
	hdr = append(hdr, name...)
	hdr = binary.BigEndian.AppendUint32(hdr, schema)
	hdr = binary.BigEndian.AppendUint64(hdr, pos)
	hdr = binary.BigEndian.AppendUint64(hdr, uint64(now.UnixNano()))
	if _, err := bw.Write(hdr); err != nil {
		return info, fmt.Errorf("snapshot of %s: %w", name, err)
	}
	cw := &countingWriter{w: bw}
	if err := encode(cw); err != nil {
		return info, fmt.Errorf("snapshot of %s: encode: %w", name, err)
	}
	if _, err := bw.Write(binary.BigEndian.AppendUint64(nil, cw.n)); err != nil {
		return info, fmt.Errorf("snapshot of %s: %w", name, err)
	}
	if err := bw.Flush(); err != nil {
		return info, fmt.Errorf("snapshot of %s: %w", name, err)
	}
	if _, err := tmp.Write(binary.BigEndian.AppendUint32(nil, crc.Sum32())); err != nil {
		return info, fmt.Errorf("snapshot of %s: %w", name, err)
	}
	if err := tmp.Sync(); err != nil {
		return info, fmt.Errorf("snapshot of %s: sync: %w", name, err)
	}
	if err := tmp.Close(); err != nil {
		return info, fmt.Errorf("snapshot of %s: %w", name, err)
	}
	path := SnapshotPath(dir, name)
	if err := os.Rename(tmp.Name(), path); err != nil {
		return info, fmt.Errorf("snapshot of %s: %w", name, err)
	}
	if err := syncDir(dir); err != nil {
		return info, fmt.Errorf("snapshot of %s: sync directory: %w", name, err)
	}
	return SnapshotInfo{Name: name, Schema: schema, Position: pos, Written: now, Bytes: int64(len(hdr)) + int64(cw.n) + trailerSize, Path: path}, nil
}

func syncDir(dir string) error {
	d, err := os.Open(dir) //nolint:gosec // the data directory is the operator's choice
	if err != nil {
		return err
	}
	err = d.Sync()
	return errors.Join(err, d.Close())
}

type countingWriter struct {
	w io.Writer
	n uint64
}

func (c *countingWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += uint64(n)
	return n, err
}

// ReadSnapshot restores s, which must not have handled any event, from its
// snapshot in dir, when that snapshot is valid for a log whose head is head:
// the file is whole (its CRC-32C matches), of this layout, of the read
// model's name and SnapshotSchema, and its checkpoint is not beyond the head
// (a data directory restored from an older backup holds a shorter log than
// the snapshot saw). Otherwise it returns a *SnapshotError saying why
// (Reason), and s is unchanged. Leftover temporary files of an interrupted
// write are removed.
func ReadSnapshot(dir string, s Snapshotter, head uint64) (SnapshotInfo, error) {
	return ReadSealedSnapshot(dir, s, head, nil)
}

// ReadSealedSnapshot is ReadSnapshot of a snapshot written by
// WriteSealedSnapshot with sealer (none when nil). A payload that does not
// open (its key was forgotten when a person was erased; or it was written
// unsealed) is not restored: Reason is ReasonSealed.
func ReadSealedSnapshot(dir string, s Snapshotter, head uint64, sealer SnapshotSealer) (SnapshotInfo, error) {
	name := s.Name()
	path := SnapshotPath(dir, name)
	removeTemps(dir, name)
	info, payload, closeFile, err := openSnapshot(path, name)
	if err != nil {
		return info, err
	}
	defer closeFile()
	if info.Schema != s.SnapshotSchema() {
		return info, &SnapshotError{Reason: ReasonSchema, Path: path,
			Detail: fmt.Sprintf("written at schema %d, the read model is at schema %d", info.Schema, s.SnapshotSchema())}
	}
	if info.Position > head {
		return info, &SnapshotError{Reason: ReasonAhead, Path: path,
			Detail: fmt.Sprintf("checkpoint at position %d, the log ends at position %d (was the event store restored from an older backup?)", info.Position, head)}
	}
	if sealer != nil {
		opened, err := sealer.OpenReader(payload)
		if err != nil {
			return info, &SnapshotError{Reason: ReasonSealed, Path: path, Detail: "payload does not open", Err: err}
		}
		payload = &openedReader{r: opened}
	}
	if err := s.Restore(payload); err != nil {
		if errors.Is(err, domain.ErrConflict) {
			return info, fmt.Errorf("restore %s: %w", name, err)
		}
		if o, ok := payload.(*openedReader); ok && o.err != nil {
			return info, &SnapshotError{Reason: ReasonSealed, Path: path, Detail: "payload does not open", Err: o.err}
		}
		return info, &SnapshotError{Reason: ReasonCorrupt, Path: path, Detail: "payload does not decode", Err: err}
	}
	if got := s.Position(); got != info.Position {
		return info, fmt.Errorf("restore %s: the snapshot's header says position %d, its payload %d: %w", name, info.Position, got, domain.ErrInvalid)
	}
	return info, nil
}

// openedReader remembers the error of a sealed payload's reader, so that a
// payload that stops opening half-way is reported as such.
type openedReader struct {
	r   io.Reader
	err error
}

func (o *openedReader) Read(p []byte) (int, error) {
	n, err := o.r.Read(p)
	if err != nil && !errors.Is(err, io.EOF) {
		o.err = err
	}
	return n, err
}

// openSnapshot checks the file at path whole and returns its header and a
// reader of its payload.
func openSnapshot(path, name string) (info SnapshotInfo, payload io.Reader, closeFile func(), err error) {
	info.Path, info.Name = path, name
	f, err := os.Open(path) //nolint:gosec // a file of our own in the data directory
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return info, nil, nil, &SnapshotError{Reason: ReasonMissing, Path: path, Detail: "no snapshot file"}
		}
		return info, nil, nil, &SnapshotError{Reason: ReasonCorrupt, Path: path, Detail: "cannot open", Err: err}
	}
	ok := false
	defer func() {
		if !ok {
			_ = f.Close()
		}
	}()
	corrupt := func(detail string, err error) error {
		return &SnapshotError{Reason: ReasonCorrupt, Path: path, Detail: detail, Err: err}
	}
	st, err := f.Stat()
	if err != nil {
		return info, nil, nil, corrupt("cannot stat", err)
	}
	size := st.Size()
	info.Bytes = size
	br := bufio.NewReaderSize(f, 1<<20)
	fixed := len(snapshotMagic) + 2 + 2
	head := make([]byte, fixed)
	if _, err := io.ReadFull(br, head); err != nil {
		return info, nil, nil, corrupt(fmt.Sprintf("truncated: %d bytes, shorter than a header", size), nil)
	}
	if string(head[:len(snapshotMagic)]) != snapshotMagic {
		return info, nil, nil, corrupt("not a snapshot file (wrong magic)", nil)
	}
	if v := binary.BigEndian.Uint16(head[len(snapshotMagic):]); v != SnapshotFormat {
		return info, nil, nil, &SnapshotError{Reason: ReasonFormat, Path: path, Detail: fmt.Sprintf("file format %d, this leerpad reads format %d", v, SnapshotFormat)}
	}
	nameLen := int(binary.BigEndian.Uint16(head[len(snapshotMagic)+2:]))
	hdrLen := fixed + nameLen + 4 + 8 + 8
	if size < int64(hdrLen)+trailerSize {
		return info, nil, nil, corrupt(fmt.Sprintf("truncated: %d bytes, shorter than its header and trailer", size), nil)
	}
	// The whole file is checked before anything in it is believed.
	crc := crc32.New(castagnoli)
	if _, err := crc.Write(head); err != nil {
		return info, nil, nil, corrupt("checksum", err)
	}
	payloadLen, err := checkTail(br, crc, size-int64(fixed))
	if err != nil {
		return info, nil, nil, corrupt("", err)
	}
	if want := size - int64(hdrLen) - trailerSize; payloadLen != uint64(want) { //nolint:gosec // want >= 0, checked above
		return info, nil, nil, corrupt(fmt.Sprintf("the trailer says %d bytes of payload, the file holds %d", payloadLen, want), nil)
	}
	if _, err := f.Seek(int64(fixed), io.SeekStart); err != nil {
		return info, nil, nil, corrupt("cannot seek", err)
	}
	br.Reset(f)
	rest := make([]byte, hdrLen-fixed)
	if _, err := io.ReadFull(br, rest); err != nil {
		return info, nil, nil, corrupt("header", err)
	}
	if got := string(rest[:nameLen]); got != name {
		return info, nil, nil, corrupt(fmt.Sprintf("holds read model %q, not %q", got, name), nil)
	}
	rest = rest[nameLen:]
	info.Schema = binary.BigEndian.Uint32(rest)
	info.Position = binary.BigEndian.Uint64(rest[4:])
	info.Written = time.Unix(0, int64(binary.BigEndian.Uint64(rest[12:]))).UTC() //nolint:gosec // a time stamp we wrote
	ok = true
	return info, io.LimitReader(br, size-int64(hdrLen)-trailerSize), func() { _ = f.Close() }, nil
}

// checkTail reads the rest of a snapshot file (n bytes) through crc, and
// checks its trailer: the payload's length and the checksum of everything
// before the checksum.
func checkTail(r io.Reader, crc hash.Hash32, n int64) (payloadLen uint64, err error) {
	if _, err := io.CopyN(crc, r, n-trailerSize); err != nil {
		return 0, fmt.Errorf("read: %w", err)
	}
	var tail [trailerSize]byte
	if _, err := io.ReadFull(r, tail[:]); err != nil {
		return 0, fmt.Errorf("read trailer: %w", err)
	}
	_, _ = crc.Write(tail[:8])
	if want, got := binary.BigEndian.Uint32(tail[8:]), crc.Sum32(); want != got {
		return 0, fmt.Errorf("checksum mismatch (CRC-32C %08x, the file says %08x): truncated or damaged", got, want)
	}
	return binary.BigEndian.Uint64(tail[:8]), nil
}

// removeTemps removes what interrupted writes of name's snapshot left in dir.
func removeTemps(dir, name string) {
	tmps, _ := filepath.Glob(filepath.Join(dir, name+".snap.tmp-*"))
	for _, t := range tmps {
		_ = os.Remove(t)
	}
}
