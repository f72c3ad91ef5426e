package keystore

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// RotateKEK wraps every data key of the store in dir, and its kek-check,
// anew with newKEK instead of oldKEK, and returns how many keys it wrapped
// anew. Destroying the old KEK afterwards makes every remnant of a deleted
// key file that the file system or the disk still holds unreadable (see
// docs/decisions/0013). Every process using the store must be stopped. Each
// file is replaced whole (a synced temporary file renamed over it); a
// rotation a crash interrupted is finished by running it again with the same
// two KEKs, which recognises the files already done. The kek-check is
// replaced last, so until the rotation is finished the store opens with the
// old KEK and refuses the new one.
func RotateKEK(dir string, oldKEK, newKEK []byte) (int, error) {
	if len(oldKEK) != KeySize || len(newKEK) != KeySize {
		return 0, fmt.Errorf("rotate the key-encryption key: each must have %d bytes", KeySize)
	}
	if bytes.Equal(oldKEK, newKEK) {
		return 0, errors.New("rotate the key-encryption key: the new one is the old one")
	}
	oldAEAD, err := newAEAD(oldKEK)
	if err != nil {
		return 0, err
	}
	newAEAD, err := newAEAD(newKEK)
	if err != nil {
		return 0, err
	}
	from := &Store{dir: dir, kek: oldAEAD}
	to := &Store{dir: dir, kek: newAEAD}
	check, err := os.ReadFile(filepath.Join(dir, checkFile)) //nolint:gosec // a file of the operator's key store
	if err != nil {
		return 0, fmt.Errorf("rotate the key-encryption key: %w", err)
	}
	sealed := strings.TrimSpace(string(check))
	if _, err := to.open(sealed, []byte(checkAD)); err == nil {
		return 0, nil // finished before
	}
	if plain, err := from.open(sealed, []byte(checkAD)); err != nil || string(plain) != checkPlaintext {
		return 0, fmt.Errorf("key store %s was not made with the old key-encryption key given", dir)
	}
	files, err := filepath.Glob(filepath.Join(dir, "*"+keySuffix))
	if err != nil {
		return 0, err
	}
	n := 0
	for _, path := range files {
		subject := strings.TrimSuffix(filepath.Base(path), keySuffix)
		b, err := os.ReadFile(path) //nolint:gosec // as above
		if err != nil {
			return n, fmt.Errorf("rotate %s: %w", path, err)
		}
		var kf keyFile
		if err := json.Unmarshal(b, &kf); err != nil || kf.Subject != subject {
			return n, fmt.Errorf("rotate %s: damaged or not %s's", path, subject)
		}
		ad := []byte(wrapAD + subject)
		if _, err := to.open(kf.Wrapped, ad); err == nil {
			continue // wrapped anew by an interrupted rotation
		}
		raw, err := from.open(kf.Wrapped, ad)
		if err != nil {
			return n, fmt.Errorf("rotate %s: it opens with neither key-encryption key", path)
		}
		if kf.Wrapped, err = to.seal(raw, ad); err != nil {
			return n, err
		}
		out, err := json.Marshal(kf)
		if err != nil {
			return n, err
		}
		if err := replace(dir, filepath.Base(path), append(out, '\n')); err != nil {
			return n, fmt.Errorf("rotate %s: %w", path, err)
		}
		n++
	}
	newCheck, err := to.seal([]byte(checkPlaintext), []byte(checkAD))
	if err != nil {
		return n, err
	}
	if err := replace(dir, checkFile, []byte(newCheck+"\n")); err != nil {
		return n, fmt.Errorf("rotate the kek-check: %w", err)
	}
	return n, syncDir(dir)
}

// replace writes b as dir/name over what is there, whole or not at all.
func replace(dir, name string, b []byte) error {
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
	return os.Rename(tmp.Name(), filepath.Join(dir, name))
}
