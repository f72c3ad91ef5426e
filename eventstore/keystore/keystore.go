// Package keystore keeps the data keys that encrypt each person's personal
// data (crypto-shredding): one small file per person in a directory that every
// replica shares, each key wrapped (AES-256-GCM) with a key-encryption key
// (KEK) that is not in that directory. Forgetting a person deletes their key
// file for good and leaves a tombstone, so that no replica makes them a new
// key. See docs/decisions/0013-key-store.md.
package keystore

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/leerpad/leerpad/domain"
)

// ErrErased is returned for a person whose key was deleted by Forget: their
// data cannot be read, and no new key is made for them (so a command writing
// new data of theirs fails with it; it wraps domain.ErrConflict).
var ErrErased = fmt.Errorf("person erased: their key is deleted: %w", domain.ErrConflict)

// ErrNoKey is returned by Key for a person who has no key in the store and was
// not erased either: nothing was ever encrypted for them with this store (or
// it is not the store the data was written with).
var ErrNoKey = errors.New("no key for this person in the key store")

// KeySize is the size of data keys and of the KEK: 256 bits, for AES-256-GCM.
const KeySize = 32

// DefaultRecheck is how long a key read from its file is used before the file
// is looked at again (Config.Recheck).
const DefaultRecheck = 500 * time.Millisecond

// Config configures a Store.
type Config struct {
	// Dir is the key store's directory, shared by every replica (created
	// with mode 0700). Never put it inside the event store's data directory:
	// a backup of that directory must not bring an erased person's key back.
	Dir string
	// KEK is the key-encryption key (KeySize bytes), e.g. from LoadOrCreateKEK.
	KEK []byte
	// Recheck is how long a key once read is used without looking at its
	// file again; after that a stat tells whether another replica deleted
	// it. It bounds how late a replica notices a Forget of another process.
	// Zero means DefaultRecheck; negative means no cache (every use reads
	// the file).
	Recheck time.Duration
	// Now is the clock of the cache; nil means time.Now.
	Now func() time.Time
}

// Store is the key store over a directory. It is safe for concurrent use, and
// several processes (replicas) may use one directory at once: files appear
// whole or not at all (a hard link of a synced temporary file) and are
// never rewritten.
type Store struct {
	dir     string
	kek     cipher.AEAD
	recheck time.Duration
	now     func() time.Time

	mu     sync.Mutex
	cache  map[string]cachedKey
	erased map[string]bool // tombstones seen: an erasure is for good
}

type cachedKey struct {
	aead    cipher.AEAD
	checked time.Time
}

// keyFile is what a key file holds: the data key of Subject, sealed with the
// KEK (nonce then ciphertext), bound to Subject so that a file copied to
// another person's name does not open.
type keyFile struct {
	Version int    `json:"v"`
	Subject string `json:"subject"`
	Wrapped string `json:"wrapped"`
}

const (
	keySuffix      = ".key"
	erasedSuffix   = ".erased"
	checkFile      = "kek-check"
	checkPlaintext = "leerpad key store: the key-encryption key is right"
	wrapAD         = "leerpad keystore v1 data key\x00"
	checkAD        = "leerpad keystore v1 kek check"
)

// Open opens the key store in cfg.Dir, creating it (mode 0700) when missing.
// It refuses a directory that group or others may read, and a KEK other
// than the one the store was created with (checked against its kek-check
// file), and finishes any Forget a crash interrupted.
func Open(cfg Config) (*Store, error) {
	if cfg.Dir == "" {
		return nil, errors.New("key store: no directory")
	}
	if len(cfg.KEK) != KeySize {
		return nil, fmt.Errorf("key store: the key-encryption key has %d bytes, want %d", len(cfg.KEK), KeySize)
	}
	kek, err := newAEAD(cfg.KEK)
	if err != nil {
		return nil, fmt.Errorf("key store: %w", err)
	}
	if err := os.MkdirAll(cfg.Dir, 0o700); err != nil {
		return nil, fmt.Errorf("key store: %w", err)
	}
	fi, err := os.Stat(cfg.Dir)
	if err != nil {
		return nil, fmt.Errorf("key store: %w", err)
	}
	if !fi.IsDir() {
		return nil, fmt.Errorf("key store %s is not a directory", cfg.Dir)
	}
	if perm := fi.Mode().Perm(); perm&0o077 != 0 {
		return nil, fmt.Errorf("key store %s is open to others (mode %04o): run chmod 700 on it", cfg.Dir, perm)
	}
	s := &Store{dir: cfg.Dir, kek: kek, recheck: cfg.Recheck, now: cfg.Now, cache: map[string]cachedKey{}, erased: map[string]bool{}}
	if s.recheck == 0 {
		s.recheck = DefaultRecheck
	}
	if s.now == nil {
		s.now = time.Now
	}
	if err := s.checkKEK(); err != nil {
		return nil, err
	}
	if err := s.finishForgets(); err != nil {
		return nil, err
	}
	return s, nil
}

// Dir returns the key store's directory.
func (s *Store) Dir() string { return s.dir }

// checkKEK creates the kek-check file of a new store, or opens the one there
// with the KEK given: a wrong KEK (another replica's default, a lost file)
// is refused here, at start, instead of showing every person as erased.
func (s *Store) checkKEK() error {
	path := filepath.Join(s.dir, checkFile)
	b, err := os.ReadFile(path) //nolint:gosec // a file of the operator's key store
	if errors.Is(err, fs.ErrNotExist) {
		sealed, serr := s.seal([]byte(checkPlaintext), []byte(checkAD))
		if serr != nil {
			return fmt.Errorf("key store: %w", serr)
		}
		if err := writeOnce(s.dir, checkFile, []byte(sealed+"\n")); err != nil && !errors.Is(err, fs.ErrExist) {
			return fmt.Errorf("key store: %w", err)
		}
		b, err = os.ReadFile(path) //nolint:gosec // as above
	}
	if err != nil {
		return fmt.Errorf("key store: %w", err)
	}
	plain, err := s.open(strings.TrimSpace(string(b)), []byte(checkAD))
	if err != nil || string(plain) != checkPlaintext {
		return fmt.Errorf("key store %s was made with another key-encryption key: give the KEK file it was made with (every replica needs the same one); "+
			"if its data directory was removed to start afresh, remove the key store too (make clean-data does both for the embedded default)", s.dir)
	}
	return nil
}

// finishForgets deletes the key of every person with a tombstone: a crash
// between the tombstone and the unlink left both.
func (s *Store) finishForgets() error {
	tombs, err := filepath.Glob(filepath.Join(s.dir, "*"+erasedSuffix))
	if err != nil {
		return fmt.Errorf("key store: %w", err)
	}
	for _, t := range tombs {
		subject := strings.TrimSuffix(filepath.Base(t), erasedSuffix)
		if err := os.Remove(s.keyPath(subject)); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("key store: finish forgetting %s: %w", subject, err)
		}
	}
	// A crash while writing a file leaves its temporary file; one of a key
	// would keep a wrapped key past its person's Forget. Those older than a
	// minute are no other process's write under way.
	tmps, _ := filepath.Glob(filepath.Join(s.dir, ".tmp-*"))
	for _, t := range tmps {
		if fi, err := os.Stat(t); err == nil && s.now().Sub(fi.ModTime()) > time.Minute {
			_ = os.Remove(t)
		}
	}
	if len(tombs) > 0 {
		return syncDir(s.dir)
	}
	return nil
}

func (s *Store) keyPath(subject string) string    { return filepath.Join(s.dir, subject+keySuffix) }
func (s *Store) erasedPath(subject string) string { return filepath.Join(s.dir, subject+erasedSuffix) }

// CheckSubject returns an error when subject cannot name a person in the
// store: ids are UUIDs (or other ids of letters, digits, '-' and '_').
func CheckSubject(subject string) error {
	ok := len(subject) > 0 && len(subject) <= 128 && subject[0] != '-' && subject[0] != '_'
	for i := 0; ok && i < len(subject); i++ {
		c := subject[i]
		ok = c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_'
	}
	if !ok {
		return fmt.Errorf("key store: %q is not a person's id", subject)
	}
	return nil
}

// Key returns the AEAD of subject's data key. It returns ErrErased for a
// person who was forgotten and ErrNoKey for one who has no key.
func (s *Store) Key(subject string) (cipher.AEAD, error) {
	if err := CheckSubject(subject); err != nil {
		return nil, err
	}
	s.mu.Lock()
	gone := s.erased[subject]
	s.mu.Unlock()
	if gone { // checked first: a read racing with Forget may have cached the key
		return nil, fmt.Errorf("key of %s: %w", subject, ErrErased)
	}
	if k, ok := s.cached(subject); ok {
		return k, nil
	}
	k, err := s.read(subject)
	if errors.Is(err, fs.ErrNotExist) {
		if s.Erased(subject) {
			s.mu.Lock()
			s.erased[subject] = true
			s.mu.Unlock()
			return nil, fmt.Errorf("key of %s: %w", subject, ErrErased)
		}
		return nil, fmt.Errorf("key of %s: %w", subject, ErrNoKey)
	}
	return k, err
}

// KeyOrCreate returns the AEAD of subject's data key, making the key when the
// person has none. It returns ErrErased for a person who was forgotten: their
// new data is refused, not written readable under a fresh key.
func (s *Store) KeyOrCreate(subject string) (cipher.AEAD, error) {
	k, err := s.Key(subject)
	if !errors.Is(err, ErrNoKey) {
		return k, err
	}
	if err := s.create(subject); err != nil && !errors.Is(err, fs.ErrExist) {
		return nil, fmt.Errorf("create key of %s: %w", subject, err)
	}
	return s.Key(subject)
}

// Forget deletes subject's key for good: it writes a tombstone (so that no
// replica makes the person a new key), removes the key file and syncs the
// directory, so that the deletion survives a crash once Forget returns.
// Forgetting a person twice, or one who never had a key, succeeds. The
// person's data, wherever it is copied, can no longer be decrypted by any
// process using this store (another process notices within its Recheck).
func (s *Store) Forget(subject string) error {
	if err := CheckSubject(subject); err != nil {
		return err
	}
	s.mu.Lock()
	delete(s.cache, subject)
	s.mu.Unlock()
	stamp := []byte(s.now().UTC().Format(time.RFC3339) + "\n")
	if err := writeOnce(s.dir, subject+erasedSuffix, stamp); err != nil && !errors.Is(err, fs.ErrExist) {
		return fmt.Errorf("forget %s: %w", subject, err)
	}
	if err := os.Remove(s.keyPath(subject)); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("forget %s: %w", subject, err)
	}
	if err := syncDir(s.dir); err != nil {
		return fmt.Errorf("forget %s: sync the key store: %w", subject, err)
	}
	s.mu.Lock()
	delete(s.cache, subject) // a Key racing with Forget may have put it back
	s.erased[subject] = true
	s.mu.Unlock()
	return nil
}

// Erased reports whether subject was forgotten.
func (s *Store) Erased(subject string) bool {
	if CheckSubject(subject) != nil {
		return false
	}
	_, err := os.Stat(s.erasedPath(subject))
	return err == nil
}

// cached returns subject's key from the cache when it was checked within
// Recheck, or after a stat shows its file is still there.
func (s *Store) cached(subject string) (cipher.AEAD, bool) {
	if s.recheck < 0 {
		return nil, false
	}
	s.mu.Lock()
	c, ok := s.cache[subject]
	s.mu.Unlock()
	if !ok {
		return nil, false
	}
	now := s.now()
	if now.Sub(c.checked) < s.recheck {
		return c.aead, true
	}
	if _, err := os.Stat(s.keyPath(subject)); err != nil {
		s.mu.Lock()
		delete(s.cache, subject)
		s.mu.Unlock()
		return nil, false
	}
	s.mu.Lock()
	s.cache[subject] = cachedKey{aead: c.aead, checked: now}
	s.mu.Unlock()
	return c.aead, true
}

func (s *Store) read(subject string) (cipher.AEAD, error) {
	path := s.keyPath(subject)
	fi, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	if perm := fi.Mode().Perm(); perm&0o077 != 0 {
		return nil, fmt.Errorf("key file %s is readable by others (mode %04o): run chmod 600 on it", path, perm)
	}
	b, err := os.ReadFile(path) //nolint:gosec // a file of the operator's key store, its name checked
	if err != nil {
		return nil, err
	}
	var kf keyFile
	if err := json.Unmarshal(b, &kf); err != nil || kf.Version != 1 || kf.Subject != subject {
		return nil, fmt.Errorf("key file %s is damaged or not %s's", path, subject)
	}
	raw, err := s.open(kf.Wrapped, []byte(wrapAD+subject))
	if err != nil {
		return nil, fmt.Errorf("key file %s does not open with the key-encryption key: %w", path, err)
	}
	k, err := newAEAD(raw)
	if err != nil {
		return nil, err
	}
	if s.recheck >= 0 {
		s.mu.Lock()
		s.cache[subject] = cachedKey{aead: k, checked: s.now()}
		s.mu.Unlock()
	}
	return k, nil
}

func (s *Store) create(subject string) error {
	if s.Erased(subject) {
		return ErrErased
	}
	raw := make([]byte, KeySize)
	if _, err := rand.Read(raw); err != nil {
		return err
	}
	wrapped, err := s.seal(raw, []byte(wrapAD+subject))
	if err != nil {
		return err
	}
	b, err := json.Marshal(keyFile{Version: 1, Subject: subject, Wrapped: wrapped})
	if err != nil {
		return err
	}
	return writeOnce(s.dir, subject+keySuffix, append(b, '\n'))
}

// seal encrypts plain with the KEK under a random nonce, as base64 of nonce
// then ciphertext.
func (s *Store) seal(plain, ad []byte) (string, error) {
	nonce := make([]byte, s.kek.NonceSize(), s.kek.NonceSize()+len(plain)+s.kek.Overhead())
	if _, err := rand.Read(nonce); err != nil {
		return "", err
	}
	return base64.StdEncoding.EncodeToString(s.kek.Seal(nonce, nonce, plain, ad)), nil
}

func (s *Store) open(sealed string, ad []byte) ([]byte, error) {
	b, err := base64.StdEncoding.DecodeString(sealed)
	if err != nil {
		return nil, err
	}
	if len(b) < s.kek.NonceSize() {
		return nil, errors.New("too short")
	}
	return s.kek.Open(nil, b[:s.kek.NonceSize()], b[s.kek.NonceSize():], ad)
}

func newAEAD(key []byte) (cipher.AEAD, error) {
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	return cipher.NewGCM(block)
}

// writeOnce writes b as dir/name, whole or not at all: a synced temporary
// file (mode 0600) hard-linked to name, then the directory synced. It
// returns an error wrapping fs.ErrExist when name exists, so that of two
// processes writing at once the first wins and the second reads its file.
func writeOnce(dir, name string, b []byte) (err error) {
	tmp, err := os.CreateTemp(dir, ".tmp-*") // mode 0600
	if err != nil {
		return err
	}
	defer func() { _ = os.Remove(tmp.Name()) }()
	_, err = tmp.Write(b)
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return err
	}
	if err := os.Link(tmp.Name(), filepath.Join(dir, name)); err != nil {
		return err
	}
	return syncDir(dir)
}

func syncDir(dir string) error {
	d, err := os.Open(dir) //nolint:gosec // the operator's key store
	if err != nil {
		return err
	}
	err = d.Sync()
	return errors.Join(err, d.Close())
}
