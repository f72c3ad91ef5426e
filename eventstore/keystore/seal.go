package keystore

import (
	"bufio"
	"crypto/cipher"
	"crypto/rand"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"strconv"
	"strings"
)

// The read models' snapshots are sealed with a key of the store that is not a
// person's: "snapshots-<n>", a new n each time the key is forgotten. Forgetting
// a person forgets it too (RotateSnapshotKey), so that a snapshot written
// before an erasure, in the data directory or in a backup of it, no longer
// opens and its read model is rebuilt from the log, where the person is
// erased.

const (
	snapshotKeyPrefix = "snapshots-"
	sealMagic         = "LPSEAL01"
	sealChunk         = 64 << 10
	finalFlag         = 1 << 31
)

// snapshotGeneration returns the highest generation of snapshot key the
// store has seen (kept or forgotten), and whether its key is still there.
func (s *Store) snapshotGeneration() (n int, live bool, err error) {
	for _, suffix := range []string{keySuffix, erasedSuffix} {
		files, err := filepath.Glob(filepath.Join(s.dir, snapshotKeyPrefix+"*"+suffix))
		if err != nil {
			return 0, false, err
		}
		for _, f := range files {
			g, err := strconv.Atoi(strings.TrimSuffix(strings.TrimPrefix(filepath.Base(f), snapshotKeyPrefix), suffix))
			if err != nil {
				continue
			}
			if g > n || g == n && suffix == keySuffix {
				n, live = g, suffix == keySuffix
			}
		}
	}
	if live && s.Erased(snapshotKeyPrefix+strconv.Itoa(n)) {
		live = false // a Forget a crash interrupted
	}
	return n, live, nil
}

// snapshotKey returns the id and AEAD of the current snapshot key, making a
// new generation when the current one was forgotten.
func (s *Store) snapshotKey() (string, cipher.AEAD, error) {
	for range 3 { // another process may forget the generation just made
		n, live, err := s.snapshotGeneration()
		if err != nil {
			return "", nil, err
		}
		if !live {
			n++
		}
		kid := snapshotKeyPrefix + strconv.Itoa(n)
		k, err := s.KeyOrCreate(kid)
		if errors.Is(err, ErrErased) {
			continue
		}
		return kid, k, err
	}
	return "", nil, errors.New("snapshot key: forgotten as fast as it is made")
}

// RotateSnapshotKey forgets every snapshot key: no snapshot sealed so far
// opens any more; the next one is sealed with a new key.
func (s *Store) RotateSnapshotKey() error {
	files, err := filepath.Glob(filepath.Join(s.dir, snapshotKeyPrefix+"*"+keySuffix))
	if err != nil {
		return err
	}
	for _, f := range files {
		if err := s.Forget(strings.TrimSuffix(filepath.Base(f), keySuffix)); err != nil {
			return fmt.Errorf("rotate the snapshot key: %w", err)
		}
	}
	return nil
}

// SealWriter returns a writer that encrypts what is written to it into w
// with the current snapshot key, in chunks of 64 KiB (AES-256-GCM, each
// bound to its place and the last one marked, so that chunks cannot be
// reordered, dropped or cut off). Close writes the last chunk.
func (s *Store) SealWriter(w io.Writer) (io.WriteCloser, error) {
	kid, k, err := s.snapshotKey()
	if err != nil {
		return nil, err
	}
	sw := &sealWriter{w: w, aead: k, kid: kid, buf: make([]byte, 0, sealChunk)}
	if _, err := rand.Read(sw.prefix[:]); err != nil {
		return nil, err
	}
	hdr := append([]byte(sealMagic), byte(len(kid)))
	hdr = append(append(hdr, kid...), sw.prefix[:]...)
	if _, err := w.Write(hdr); err != nil {
		return nil, err
	}
	return sw, nil
}

type sealWriter struct {
	w      io.Writer
	aead   cipher.AEAD
	kid    string
	prefix [8]byte
	n      uint32
	buf    []byte
	closed bool
}

func chunkNonce(prefix [8]byte, n uint32) []byte {
	return binary.BigEndian.AppendUint32(append([]byte(nil), prefix[:]...), n)
}

func chunkAD(kid string, n uint32, final bool) []byte {
	ad := binary.BigEndian.AppendUint32([]byte(kid+"\x00"), n)
	if final {
		return append(ad, 1)
	}
	return append(ad, 0)
}

func (sw *sealWriter) Write(p []byte) (int, error) {
	if sw.closed {
		return 0, errors.New("seal: write after close")
	}
	total := len(p)
	for len(p) > 0 {
		room := sealChunk - len(sw.buf)
		if room > len(p) {
			room = len(p)
		}
		sw.buf = append(sw.buf, p[:room]...)
		p = p[room:]
		if len(sw.buf) == sealChunk && len(p) > 0 {
			if err := sw.flush(false); err != nil {
				return 0, err
			}
		}
	}
	return total, nil
}

func (sw *sealWriter) flush(final bool) error {
	if sw.n == ^uint32(0) {
		return errors.New("seal: too many chunks")
	}
	length := uint32(len(sw.buf)) //nolint:gosec // at most sealChunk
	if final {
		length |= finalFlag
	}
	ct := sw.aead.Seal(nil, chunkNonce(sw.prefix, sw.n), sw.buf, chunkAD(sw.kid, sw.n, final))
	if _, err := sw.w.Write(binary.BigEndian.AppendUint32(nil, length)); err != nil {
		return err
	}
	if _, err := sw.w.Write(ct); err != nil {
		return err
	}
	sw.n++
	sw.buf = sw.buf[:0]
	return nil
}

// Close writes the last chunk (possibly empty).
func (sw *sealWriter) Close() error {
	if sw.closed {
		return nil
	}
	sw.closed = true
	return sw.flush(true)
}

// OpenReader returns a reader of what SealWriter encrypted into r. It fails
// with an error wrapping ErrErased when the snapshot key was forgotten, and
// its Read fails on changed, reordered or missing chunks.
func (s *Store) OpenReader(r io.Reader) (io.Reader, error) {
	br := bufio.NewReader(r)
	hdr := make([]byte, len(sealMagic)+1)
	if _, err := io.ReadFull(br, hdr); err != nil || string(hdr[:len(sealMagic)]) != sealMagic {
		return nil, errors.New("not a sealed payload")
	}
	kid := make([]byte, hdr[len(sealMagic)])
	if _, err := io.ReadFull(br, kid); err != nil {
		return nil, errors.New("not a sealed payload")
	}
	k, err := s.Key(string(kid))
	if err != nil {
		return nil, err
	}
	or := &openReader{r: br, aead: k, kid: string(kid)}
	if _, err := io.ReadFull(br, or.prefix[:]); err != nil {
		return nil, errors.New("not a sealed payload")
	}
	return or, nil
}

type openReader struct {
	r      *bufio.Reader
	aead   cipher.AEAD
	kid    string
	prefix [8]byte
	n      uint32
	plain  []byte
	done   bool
}

func (or *openReader) Read(p []byte) (int, error) {
	for len(or.plain) == 0 {
		if or.done {
			return 0, io.EOF
		}
		if err := or.next(); err != nil {
			return 0, err
		}
	}
	n := copy(p, or.plain)
	or.plain = or.plain[n:]
	return n, nil
}

func (or *openReader) next() error {
	var lb [4]byte
	if _, err := io.ReadFull(or.r, lb[:]); err != nil {
		return fmt.Errorf("sealed payload cut off: %w", io.ErrUnexpectedEOF)
	}
	length := binary.BigEndian.Uint32(lb[:])
	final := length&finalFlag != 0
	length &^= finalFlag
	if length > sealChunk {
		return errors.New("sealed payload: chunk too long")
	}
	ct := make([]byte, int(length)+or.aead.Overhead())
	if _, err := io.ReadFull(or.r, ct); err != nil {
		return fmt.Errorf("sealed payload cut off: %w", io.ErrUnexpectedEOF)
	}
	plain, err := or.aead.Open(ct[:0], chunkNonce(or.prefix, or.n), ct, chunkAD(or.kid, or.n, final))
	if err != nil {
		return errors.New("sealed payload does not open: changed or moved")
	}
	or.n++
	or.plain, or.done = plain, final
	return nil
}
