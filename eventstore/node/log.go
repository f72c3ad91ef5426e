package node

import (
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
)

// The log is the only source of truth. It is a sequence of segment files; a
// segment's name is the logical position of its first byte, so a position is
// simply a byte offset in the concatenation of all segments. Each segment
// starts with an 8-byte magic header, which also makes every position > 0.
//
// A record is [u32 payload length][u32 CRC32C of payload][payload]. One record
// holds one whole commit (an append, a delete, a tombstone), so a commit is
// all-or-nothing on disk: a torn record is simply not there after recovery.
//
// The segment being written is preallocated ahead of its end (fallocate), so
// that an fdatasync rarely has to commit file-system metadata along with the
// data. Beyond the log's end such a file reads as zeros; a record never has
// length zero, so a zero header followed by nothing but zeros is the end.

const (
	segmentMagic      = "LPLOG001"
	segmentHeaderSize = int64(len(segmentMagic))
	recordHeaderSize  = 8
	segmentPrefix     = "segment-"
	segmentSuffix     = ".log"
	// maxRecordSize bounds a single record so that a corrupt length field is
	// recognised as corruption rather than as a request to read gigabytes.
	maxRecordSize = 1 << 30
)

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

func crcOf(b []byte) uint32 { return crc32.Checksum(b, castagnoli) }

// CorruptionError reports a record whose checksum or framing is wrong before
// the tail of the log. The node refuses to start rather than serve or drop it.
type CorruptionError struct {
	File   string
	Offset int64
	Reason string
}

func (e *CorruptionError) Error() string {
	return fmt.Sprintf("corrupt log record in %s at offset %d: %s", e.File, e.Offset, e.Reason)
}

// segment is one file of the log.
type segment struct {
	base int64 // logical position of byte 0 of the file
	path string
	f    *os.File
	size int64 // bytes in the file that belong to the log
	// alloc is the file's size on disk, size plus the preallocated zeros
	// (the segment being written only).
	alloc int64
}

func segmentName(base int64) string {
	return fmt.Sprintf("%s%020d%s", segmentPrefix, base, segmentSuffix)
}

// listSegments returns the segment files of dir ordered by base position.
func listSegments(dir string) ([]*segment, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("list data directory: %w", err)
	}
	var segs []*segment
	for _, e := range entries {
		name := e.Name()
		if e.IsDir() || !strings.HasPrefix(name, segmentPrefix) || !strings.HasSuffix(name, segmentSuffix) {
			continue
		}
		base, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimPrefix(name, segmentPrefix), segmentSuffix), 10, 64)
		if err != nil {
			return nil, fmt.Errorf("segment file %s: name is not a position", name)
		}
		segs = append(segs, &segment{base: base, path: filepath.Join(dir, name)})
	}
	sort.Slice(segs, func(i, j int) bool { return segs[i].base < segs[j].base })
	return segs, nil
}

// recordVisitor receives each valid record during a scan: its logical
// position (of the record header) and payload. The payload slice is only
// valid during the call.
type recordVisitor func(pos int64, payload []byte) error

// scanResult says where the valid part of a segment ends.
type scanResult struct {
	validEnd int64 // file offset just past the last valid record
	torn     bool  // bytes after validEnd form an incomplete final record
	tornEnd  int64 // if torn: the end of those bytes (zeros after it are preallocation)
}

// scanSegment reads every record of one segment, verifying framing and
// checksums. Damage in the last segment that no intact record follows is a
// torn tail (a write that was never acknowledged: an ack waits for the
// fdatasync of every byte written before and with it); damage anywhere else,
// including damage followed by an intact record (a flipped length field, a
// flipped bit in an acknowledged record), is corruption.
func scanSegment(s *segment, last bool, visit recordVisitor) (scanResult, error) {
	f, err := os.Open(s.path)
	if err != nil {
		return scanResult{}, fmt.Errorf("open segment: %w", err)
	}
	defer func() { _ = f.Close() }() // opened read-only
	st, err := f.Stat()
	if err != nil {
		return scanResult{}, fmt.Errorf("stat segment: %w", err)
	}
	size := st.Size()
	name := filepath.Base(s.path)
	// damaged decides between a torn tail and corruption at off.
	damaged := func(off int64, reason string) (scanResult, error) {
		if last {
			end, err := dataEnd(f, off, size)
			if err != nil {
				return scanResult{}, fmt.Errorf("read segment %s after %d: %w", name, off, err)
			}
			found, err := intactRecordAfter(f, off, end, size)
			if err != nil {
				return scanResult{}, fmt.Errorf("read segment %s after %d: %w", name, off, err)
			}
			if !found {
				// The torn bytes end at the last non-zero byte: zeros after
				// it are preallocated space, or pages never written. Less
				// than a record header, or nothing but zeros, is all tail.
				if end <= off || size-off < recordHeaderSize {
					end = size
				}
				return scanResult{validEnd: off, torn: true, tornEnd: end}, nil
			}
		}
		return scanResult{}, &CorruptionError{File: name, Offset: off, Reason: reason}
	}
	head := make([]byte, segmentHeaderSize)
	if _, err := io.ReadFull(f, head); err != nil || string(head) != segmentMagic {
		if last && size < segmentHeaderSize {
			// A segment created but never written: nothing acknowledged lives in it.
			return scanResult{validEnd: 0, torn: size > 0}, nil
		}
		return scanResult{}, &CorruptionError{File: name, Offset: 0, Reason: "bad segment header"}
	}
	r := newBufferedReader(f, 1<<20)
	off := segmentHeaderSize
	var hdr [recordHeaderSize]byte
	var buf []byte
	for off < size {
		remaining := size - off
		if remaining < recordHeaderSize {
			return damaged(off, "truncated record header")
		}
		if _, err := io.ReadFull(r, hdr[:]); err != nil {
			return scanResult{}, fmt.Errorf("read segment %s at %d: %w", name, off, err)
		}
		n := int64(binary.LittleEndian.Uint32(hdr[0:4]))
		sum := binary.LittleEndian.Uint32(hdr[4:8])
		if n == 0 && sum == 0 {
			// Preallocated space, if only zeros follow: the end of the log.
			end, err := dataEnd(f, off, size)
			if err != nil {
				return scanResult{}, fmt.Errorf("read segment %s after %d: %w", name, off, err)
			}
			if end == off {
				return scanResult{validEnd: off}, nil
			}
		}
		if n == 0 || n > maxRecordSize {
			return damaged(off, fmt.Sprintf("impossible record length %d", n))
		}
		if off+recordHeaderSize+n > size {
			return damaged(off, "record runs past the end of the segment")
		}
		if int64(cap(buf)) < n {
			buf = make([]byte, n)
		}
		buf = buf[:n]
		if _, err := io.ReadFull(r, buf); err != nil {
			return scanResult{}, fmt.Errorf("read segment %s at %d: %w", name, off, err)
		}
		if crc32.Checksum(buf, castagnoli) != sum {
			return damaged(off, "checksum mismatch")
		}
		if err := visit(s.base+off, buf); err != nil {
			return scanResult{}, err
		}
		off += recordHeaderSize + n
	}
	return scanResult{validEnd: off}, nil
}

// dataEnd returns the offset just past the last non-zero byte of f in
// [from, size), or from if that range holds only zeros.
func dataEnd(f *os.File, from, size int64) (int64, error) {
	const chunk = 1 << 20
	buf := make([]byte, chunk)
	for end := size; end > from; {
		start := max(from, end-chunk)
		b := buf[:end-start]
		if _, err := f.ReadAt(b, start); err != nil && !errors.Is(err, io.EOF) {
			return 0, err
		}
		for i := len(b) - 1; i >= 0; i-- {
			if b[i] != 0 {
				return start + int64(i) + 1, nil
			}
		}
		end = start
	}
	return from, nil
}

// intactRecordAfter reports whether an intact record (plausible length,
// commit kind, matching checksum) starts anywhere after the damaged record
// at from and before to (past which the file holds only zeros, up to size).
// If one does, the damage is not an unfinished final write but corruption of
// data that was already durable.
func intactRecordAfter(f *os.File, from, to, size int64) (bool, error) {
	const window = 1 << 20
	buf := make([]byte, window+recordHeaderSize+1)
	var payload []byte
	for start := from + 1; start+recordHeaderSize < size && start < to; start += window {
		n := int64(len(buf))
		if size-start < n {
			n = size - start
		}
		if _, err := f.ReadAt(buf[:n], start); err != nil && !errors.Is(err, io.EOF) {
			return false, err
		}
		for i := int64(0); i < window && i+recordHeaderSize < n && start+i < to; i++ {
			at := start + i
			length := int64(binary.LittleEndian.Uint32(buf[i:]))
			if length < 3 || length > maxRecordSize || at+recordHeaderSize+length > size || buf[i+recordHeaderSize] != recordCommit {
				continue
			}
			if int64(cap(payload)) < length {
				payload = make([]byte, length)
			}
			payload = payload[:length]
			if _, err := f.ReadAt(payload, at+recordHeaderSize); err != nil {
				return false, err
			}
			if crc32.Checksum(payload, castagnoli) == binary.LittleEndian.Uint32(buf[i+4:]) {
				return true, nil
			}
		}
	}
	return false, nil
}

// bufferedReader is a minimal sequential reader with a large buffer.
type bufferedReader struct {
	r   io.Reader
	buf []byte
	i   int
	n   int
}

func newBufferedReader(r io.Reader, size int) *bufferedReader {
	return &bufferedReader{r: r, buf: make([]byte, size)}
}

func (b *bufferedReader) Read(p []byte) (int, error) {
	if b.i == b.n {
		if len(p) >= len(b.buf) {
			return b.r.Read(p)
		}
		n, err := b.r.Read(b.buf)
		if n == 0 {
			if err == nil {
				err = io.ErrNoProgress
			}
			return 0, err
		}
		b.i, b.n = 0, n
	}
	n := copy(p, b.buf[b.i:b.n])
	b.i += n
	return n, nil
}

// preserveTornTail copies the bytes [from, to) of a torn tail aside before the segment is
// truncated, so nothing that was ever on disk is destroyed by recovery.
func preserveTornTail(s *segment, from, to int64) (string, error) {
	f, err := os.Open(s.path)
	if err != nil {
		return "", err
	}
	defer func() { _ = f.Close() }() // opened read-only
	if to <= from {
		return "", nil
	}
	aside := fmt.Sprintf("%s.torn-%d", s.path, from)
	out, err := os.OpenFile(aside, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o600)
	if err != nil {
		return "", err
	}
	if _, err := io.Copy(out, io.NewSectionReader(f, from, to-from)); err != nil {
		_ = out.Close()
		return "", err
	}
	if err := out.Sync(); err != nil {
		_ = out.Close()
		return "", err
	}
	return aside, out.Close()
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	if err := d.Sync(); err != nil {
		_ = d.Close()
		return err
	}
	return d.Close()
}
