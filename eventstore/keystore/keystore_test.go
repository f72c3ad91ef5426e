package keystore_test

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/leerpad/leerpad/eventstore/keystore"
)

func kek(tb testing.TB) []byte {
	tb.Helper()
	k, err := keystore.LoadOrCreateKEK(filepath.Join(tb.TempDir(), "secrets", "kek"))
	if err != nil {
		tb.Fatal(err)
	}
	return k
}

func open(tb testing.TB, cfg keystore.Config) *keystore.Store {
	tb.Helper()
	s, err := keystore.Open(cfg)
	if err != nil {
		tb.Fatal(err)
	}
	return s
}

// roundTrip checks that a key of one store opens what the other sealed.
func sameKey(tb testing.TB, a, b *keystore.Store, subject string) {
	tb.Helper()
	ka, err := a.KeyOrCreate(subject)
	if err != nil {
		tb.Fatal(err)
	}
	kb, err := b.Key(subject)
	if err != nil {
		tb.Fatal(err)
	}
	nonce := make([]byte, ka.NonceSize())
	if _, err := kb.Open(nil, nonce, ka.Seal(nil, nonce, []byte("x"), nil), nil); err != nil {
		tb.Fatalf("the two stores hold different keys of %s: %v", subject, err)
	}
}

// The KEK file and the key files are the owner's alone (0600 in 0700
// directories); a KEK file or a key store open to others is refused.
func TestFilesAreTheOwnersAlone(t *testing.T) {
	dir := t.TempDir()
	kekPath := filepath.Join(dir, "secrets", "kek")
	k, err := keystore.LoadOrCreateKEK(kekPath)
	if err != nil {
		t.Fatal(err)
	}
	keys := filepath.Join(dir, "keys")
	s := open(t, keystore.Config{Dir: keys, KEK: k})
	subject := uuid.NewString()
	if _, err := s.KeyOrCreate(subject); err != nil {
		t.Fatal(err)
	}
	for path, want := range map[string]os.FileMode{
		kekPath: 0o600, filepath.Dir(kekPath): 0o700, keys: 0o700, filepath.Join(keys, subject+".key"): 0o600,
	} {
		fi, err := os.Stat(path)
		if err != nil {
			t.Fatal(err)
		}
		if got := fi.Mode().Perm(); got != want {
			t.Errorf("%s: mode %04o, want %04o", filepath.Base(path), got, want)
		}
	}
	if err := os.Chmod(kekPath, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := keystore.LoadOrCreateKEK(kekPath); err == nil {
		t.Error("a KEK file readable by others was accepted")
	}
	if err := os.Chmod(keys, 0o755); err != nil {
		t.Fatal(err)
	}
	if _, err := keystore.Open(keystore.Config{Dir: keys, KEK: k}); err == nil {
		t.Error("a key store open to others was accepted")
	}
}

// A store made with one KEK refuses another (a replica started with its own
// default KEK), at start.
func TestOpenRefusesAnotherKEK(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "keys")
	open(t, keystore.Config{Dir: dir, KEK: kek(t)})
	if _, err := keystore.Open(keystore.Config{Dir: dir, KEK: kek(t)}); err == nil {
		t.Fatal("a key store opened with another KEK")
	}
}

// Forget is durable: the key file is gone from the directory, a store opened
// afresh (a restart) finds the person erased and makes them no new key.
func TestForgetIsDurable(t *testing.T) {
	dir, k := filepath.Join(t.TempDir(), "keys"), kek(t)
	s := open(t, keystore.Config{Dir: dir, KEK: k})
	subject, other := uuid.NewString(), uuid.NewString()
	for _, id := range []string{subject, other} {
		if _, err := s.KeyOrCreate(id); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.Forget(subject); err != nil {
		t.Fatal(err)
	}
	if err := s.Forget(subject); err != nil {
		t.Fatalf("forget twice: %v", err)
	}
	if _, err := os.Stat(filepath.Join(dir, subject+".key")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("key file after Forget: %v", err)
	}
	again := open(t, keystore.Config{Dir: dir, KEK: k})
	if _, err := again.Key(subject); !errors.Is(err, keystore.ErrErased) {
		t.Errorf("Key after a restart: err = %v, want ErrErased", err)
	}
	if _, err := again.KeyOrCreate(subject); !errors.Is(err, keystore.ErrErased) {
		t.Errorf("KeyOrCreate of an erased person: err = %v, want ErrErased", err)
	}
	if _, err := again.Key(other); err != nil {
		t.Errorf("another person's key after Forget: %v", err)
	}
	if _, err := again.Key(uuid.NewString()); !errors.Is(err, keystore.ErrNoKey) {
		t.Errorf("Key of a stranger: err = %v, want ErrNoKey", err)
	}
}

// Two processes (replicas) over one directory hold the same keys, also when
// they make a person's key at once, and one notices the other's Forget within
// its recheck interval.
func TestTwoStoresOverOneDirectory(t *testing.T) {
	dir, k := filepath.Join(t.TempDir(), "keys"), kek(t)
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	var mu sync.Mutex
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	a := open(t, keystore.Config{Dir: dir, KEK: k})
	b := open(t, keystore.Config{Dir: dir, KEK: k, Recheck: time.Second, Now: clock})

	subject := uuid.NewString()
	var wg sync.WaitGroup
	for _, s := range []*keystore.Store{a, b, a, b} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := s.KeyOrCreate(subject); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	sameKey(t, a, b, subject)
	sameKey(t, b, a, subject)

	if err := a.Forget(subject); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	now = now.Add(time.Second)
	mu.Unlock()
	if _, err := b.Key(subject); !errors.Is(err, keystore.ErrErased) {
		t.Fatalf("the other store after its recheck interval: err = %v, want ErrErased", err)
	}
}

// A store without a cache sees another's Forget at once.
func TestNoCacheSeesForgetAtOnce(t *testing.T) {
	dir, k := filepath.Join(t.TempDir(), "keys"), kek(t)
	a := open(t, keystore.Config{Dir: dir, KEK: k})
	b := open(t, keystore.Config{Dir: dir, KEK: k, Recheck: -1})
	subject := uuid.NewString()
	sameKey(t, a, b, subject)
	if err := a.Forget(subject); err != nil {
		t.Fatal(err)
	}
	if _, err := b.Key(subject); !errors.Is(err, keystore.ErrErased) {
		t.Fatalf("err = %v, want ErrErased", err)
	}
}

// A key file copied to another person's name does not open.
func TestAKeyFileIsBoundToItsPerson(t *testing.T) {
	dir, k := filepath.Join(t.TempDir(), "keys"), kek(t)
	s := open(t, keystore.Config{Dir: dir, KEK: k, Recheck: -1})
	alice, bob := uuid.NewString(), uuid.NewString()
	if _, err := s.KeyOrCreate(alice); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(filepath.Join(dir, alice+".key"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, bob+".key"), b, 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Key(bob); err == nil {
		t.Fatal("alice's key file opened as bob's")
	}
}

// Ids that could name another file are refused.
func TestSubjectsCannotNameOtherFiles(t *testing.T) {
	s := open(t, keystore.Config{Dir: filepath.Join(t.TempDir(), "keys"), KEK: kek(t)})
	for _, bad := range []string{"", "../kek", "a/b", ".hidden", "kek-check\x00"} {
		if _, err := s.KeyOrCreate(bad); err == nil {
			t.Errorf("KeyOrCreate(%q) succeeded", bad)
		}
		if err := s.Forget(bad); err == nil {
			t.Errorf("Forget(%q) succeeded", bad)
		}
	}
}

// A crash between the tombstone and the removal of the key leaves both; the
// next Open finishes the Forget.
func TestOpenFinishesAnInterruptedForget(t *testing.T) {
	dir, k := filepath.Join(t.TempDir(), "keys"), kek(t)
	s := open(t, keystore.Config{Dir: dir, KEK: k})
	subject := uuid.NewString()
	if _, err := s.KeyOrCreate(subject); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, subject+".erased"), []byte("2026-01-01T00:00:00Z\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	again := open(t, keystore.Config{Dir: dir, KEK: k})
	if _, err := again.Key(subject); !errors.Is(err, keystore.ErrErased) {
		t.Fatalf("err = %v, want ErrErased", err)
	}
	if _, err := os.Stat(filepath.Join(dir, subject+".key")); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("key file after Open: %v", err)
	}
}

// A process killed (SIGKILL) in the middle of forgetting people leaves each
// of them either whole (a key that opens) or erased once the store is opened
// again: never a damaged key file, never a readable key with a tombstone.
func TestForgetSurvivesKill9(t *testing.T) {
	if testing.Short() {
		t.Skip("starts child processes")
	}
	if dir := os.Getenv("KEYSTORE_CRASH_DIR"); dir != "" {
		crashChild(dir)
		return
	}
	dir := filepath.Join(t.TempDir(), "keys")
	kekPath := filepath.Join(t.TempDir(), "kek")
	k, err := keystore.LoadOrCreateKEK(kekPath)
	if err != nil {
		t.Fatal(err)
	}
	open(t, keystore.Config{Dir: dir, KEK: k})
	for run := range 5 {
		cmd := exec.Command(os.Args[0], "-test.run=^TestForgetSurvivesKill9$") //nolint:gosec // the test binary itself
		cmd.Env = append(os.Environ(), "KEYSTORE_CRASH_DIR="+dir, "KEYSTORE_CRASH_KEK="+kekPath)
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		// Kill it once it has written a few more files, at a moment of its own.
		before := countFiles(t, dir)
		for deadline := time.Now().Add(30 * time.Second); countFiles(t, dir) < before+10+run*7 && time.Now().Before(deadline); {
			time.Sleep(time.Millisecond)
		}
		_ = cmd.Process.Signal(syscall.SIGKILL)
		_ = cmd.Wait()

		s := open(t, keystore.Config{Dir: dir, KEK: k, Recheck: -1})
		entries, err := os.ReadDir(dir)
		if err != nil {
			t.Fatal(err)
		}
		people := 0
		for _, e := range entries {
			name := e.Name()
			if subject, isTomb := cutSuffix(name, ".erased"); isTomb {
				if _, err := s.Key(subject); !errors.Is(err, keystore.ErrErased) {
					t.Errorf("run %d: key of erased %s after the crash: err = %v, want ErrErased", run, subject, err)
				}
				continue
			}
			subject, isKey := cutSuffix(name, ".key")
			if !isKey {
				continue
			}
			people++
			if _, err := s.Key(subject); err != nil {
				t.Errorf("run %d: key of %s after the crash: %v", run, subject, err)
			}
			if s.Erased(subject) {
				t.Errorf("run %d: %s has a key and a tombstone after Open", run, subject)
			}
		}
		t.Logf("run %d: %d keys, %d files", run, people, len(entries))
	}
}

func countFiles(tb testing.TB, dir string) int {
	tb.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		tb.Fatal(err)
	}
	return len(entries)
}

func cutSuffix(s, suffix string) (string, bool) {
	if len(s) > len(suffix) && s[len(s)-len(suffix):] == suffix {
		return s[:len(s)-len(suffix)], true
	}
	return s, false
}

// crashChild makes and forgets keys until it is killed.
func crashChild(dir string) {
	k, err := keystore.LoadKEK(os.Getenv("KEYSTORE_CRASH_KEK"))
	if err != nil {
		panic(err)
	}
	s, err := keystore.Open(keystore.Config{Dir: dir, KEK: k})
	if err != nil {
		panic(err)
	}
	for i := 0; ; i++ {
		subject := fmt.Sprintf("p%d-%s", os.Getpid(), strconv.Itoa(i))
		if _, err := s.KeyOrCreate(subject); err != nil {
			panic(err)
		}
		if i%2 == 0 {
			if err := s.Forget(subject); err != nil {
				panic(err)
			}
		}
	}
}

// A sealed payload reads back whole across chunks; changed bytes or a cut
// off end do not read; after RotateSnapshotKey nothing sealed before opens,
// and what is sealed next does.
func TestSealedSnapshots(t *testing.T) {
	s := open(t, keystore.Config{Dir: filepath.Join(t.TempDir(), "keys"), KEK: kek(t)})
	plain := bytes.Repeat([]byte("Anouk Aerts schreef over haar week. "), 5000) // three chunks
	seal := func() []byte {
		t.Helper()
		var buf bytes.Buffer
		w, err := s.SealWriter(&buf)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.Write(plain); err != nil {
			t.Fatal(err)
		}
		if err := w.Close(); err != nil {
			t.Fatal(err)
		}
		return buf.Bytes()
	}
	read := func(sealed []byte) ([]byte, error) {
		r, err := s.OpenReader(bytes.NewReader(sealed))
		if err != nil {
			return nil, err
		}
		return io.ReadAll(r)
	}
	sealed := seal()
	if bytes.Contains(sealed, []byte("Anouk")) {
		t.Fatal("the sealed payload holds plain text")
	}
	if got, err := read(sealed); err != nil || !bytes.Equal(got, plain) {
		t.Fatalf("read back %d bytes, %v; want %d", len(got), err, len(plain))
	}
	changed := bytes.Clone(sealed)
	changed[len(changed)/2] ^= 1
	if _, err := read(changed); err == nil {
		t.Error("a changed payload read")
	}
	if _, err := read(sealed[:len(sealed)-100]); err == nil {
		t.Error("a cut-off payload read")
	}
	if err := s.RotateSnapshotKey(); err != nil {
		t.Fatal(err)
	}
	if _, err := read(sealed); !errors.Is(err, keystore.ErrErased) {
		t.Errorf("a payload sealed before the rotation: err = %v, want ErrErased", err)
	}
	if got, err := read(seal()); err != nil || !bytes.Equal(got, plain) {
		t.Errorf("sealed after the rotation: %d bytes, %v", len(got), err)
	}
}

// A rotated KEK opens the same keys, the old one opens the store no more, a
// forgotten person stays forgotten, and a second run finds nothing to do.
func TestRotateKEK(t *testing.T) {
	dir, oldKEK, newKEK := filepath.Join(t.TempDir(), "keys"), kek(t), kek(t)
	s := open(t, keystore.Config{Dir: dir, KEK: oldKEK})
	alice, bob := uuid.NewString(), uuid.NewString()
	ka, err := s.KeyOrCreate(alice)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.KeyOrCreate(bob); err != nil {
		t.Fatal(err)
	}
	if err := s.Forget(bob); err != nil {
		t.Fatal(err)
	}
	nonce := make([]byte, ka.NonceSize())
	sealed := ka.Seal(nil, nonce, []byte("Anouk"), nil)

	if n, err := keystore.RotateKEK(dir, oldKEK, newKEK); err != nil || n != 1 {
		t.Fatalf("rotate: %d keys, %v; want 1", n, err)
	}
	if _, err := keystore.Open(keystore.Config{Dir: dir, KEK: oldKEK}); err == nil {
		t.Error("the store opens with the old KEK after the rotation")
	}
	rotated := open(t, keystore.Config{Dir: dir, KEK: newKEK})
	k, err := rotated.Key(alice)
	if err != nil {
		t.Fatal(err)
	}
	if got, err := k.Open(nil, nonce, sealed, nil); err != nil || string(got) != "Anouk" {
		t.Errorf("alice's key after the rotation: %q, %v", got, err)
	}
	if _, err := rotated.Key(bob); !errors.Is(err, keystore.ErrErased) {
		t.Errorf("bob after the rotation: %v, want ErrErased", err)
	}
	if n, err := keystore.RotateKEK(dir, oldKEK, newKEK); err != nil || n != 0 {
		t.Errorf("second rotation: %d keys, %v; want nothing to do", n, err)
	}
}
