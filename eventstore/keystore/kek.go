package keystore

import (
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// LoadOrCreateKEK reads the key-encryption key at path (KeySize bytes in
// base64 on one line), or creates a fresh one there (directory 0700, file
// 0600) when there is none. A KEK file that group or others may read is
// refused, as ssh refuses such keys. Two processes creating it at once end
// up with the same key: the file appears whole (a hard link of a synced
// temporary file) or not at all.
func LoadOrCreateKEK(path string) ([]byte, error) {
	k, err := LoadKEK(path)
	if !errors.Is(err, fs.ErrNotExist) {
		return k, err
	}
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("create key-encryption key: %w", err)
	}
	raw := make([]byte, KeySize)
	if _, err := rand.Read(raw); err != nil {
		return nil, fmt.Errorf("create key-encryption key: %w", err)
	}
	line := base64.StdEncoding.EncodeToString(raw) + "\n"
	if err := writeOnce(dir, filepath.Base(path), []byte(line)); err != nil && !errors.Is(err, fs.ErrExist) {
		return nil, fmt.Errorf("create key-encryption key: %w", err)
	}
	return LoadKEK(path)
}

// LoadKEK reads the key-encryption key at path; an error wrapping
// fs.ErrNotExist when there is none.
func LoadKEK(path string) ([]byte, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("key-encryption key: %w", err)
	}
	if perm := fi.Mode().Perm(); perm&0o077 != 0 {
		return nil, fmt.Errorf("key-encryption key %s is readable by others (mode %04o): run chmod 600 on it", path, perm)
	}
	b, err := os.ReadFile(path) //nolint:gosec // the path is the operator's own configuration
	if err != nil {
		return nil, fmt.Errorf("key-encryption key: %w", err)
	}
	k, err := base64.StdEncoding.DecodeString(strings.TrimSpace(string(b)))
	if err != nil || len(k) != KeySize {
		return nil, fmt.Errorf("key-encryption key %s: want %d bytes in base64 on one line", path, KeySize)
	}
	return k, nil
}
