package usecase

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/leerpad/leerpad/domain"
	"github.com/leerpad/leerpad/domain/access"
)

func TestDecidedRetriesOnlyStaleCommands(t *testing.T) {
	stale := fmt.Errorf("update journey-1: %w", domain.ErrStale)
	refused := fmt.Errorf("journey is completed or withdrawn: %w", domain.ErrConflict)
	for _, tc := range []struct {
		name      string
		ifMatch   bool
		results   []error // what each attempt returns; the last one repeats
		wantErr   error
		wantCalls int
	}{
		{"written at once", false, []error{nil}, nil, 1},
		{"stale, then written", false, []error{stale, stale, nil}, nil, 3},
		{"stale every time: busy", false, []error{stale}, ErrBusy, attempts},
		{"the decision's own conflict is not retried", false, []error{refused}, refused, 1},
		{"bad input is not retried", false, []error{domain.Validate(domain.Required("why"))}, domain.ErrInvalid, 1},
		{"with If-Match a stale command fails at once", true, []error{stale}, ErrPreconditionFailed, 1},
		{"with If-Match and no race it is written", true, []error{nil}, nil, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := Write{Actor: access.Principal{Subject: "p1"}}
			if tc.ifMatch {
				w.IfMatch = domain.AtRevision(3)
			}
			calls := 0
			_, err := op{w: w, name: "test", target: "t1"}.decided(context.Background(), func() (domain.Written, error) {
				r := tc.results[min(calls, len(tc.results)-1)]
				calls++
				return domain.Written{}, r
			})
			if tc.wantErr == nil && err != nil || !errors.Is(err, tc.wantErr) {
				t.Fatalf("err = %v, want %v", err, tc.wantErr)
			}
			if calls != tc.wantCalls {
				t.Fatalf("attempts = %d, want %d", calls, tc.wantCalls)
			}
		})
	}
	if !errors.Is(ErrBusy, domain.ErrConflict) {
		t.Fatal("ErrBusy is not a conflict (409)")
	}
}

func TestDecidedStopsWithItsContext(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	calls := 0
	_, err := op{w: Write{}, name: "test"}.decided(ctx, func() (domain.Written, error) {
		calls++
		cancel()
		return domain.Written{}, domain.ErrStale
	})
	if !errors.Is(err, context.Canceled) || calls != 1 {
		t.Fatalf("err = %v after %d attempts, want context.Canceled after 1", err, calls)
	}
}

func TestExpectAndCheckHonourIfMatch(t *testing.T) {
	o := op{w: Write{IfMatch: domain.AtRevision(4)}}
	// The command is decided on the client's revision, whatever was read:
	// the repository answers a retry of a written command as the first time
	// and refuses anything else as stale.
	if rev, err := o.expect(5); err != nil {
		t.Fatal(err)
	} else if n, set := rev.Get(); !set || n != 4 {
		t.Fatalf("If-Match 4, revision 5 read: expects %v, want 4", rev)
	}
	if err := o.check(5); !errors.Is(err, ErrPreconditionFailed) {
		t.Fatalf("check If-Match 4 on revision 5: err = %v, want ErrPreconditionFailed", err)
	}
	if err := o.check(4); err != nil {
		t.Fatalf("check If-Match 4 on revision 4: %v", err)
	}
	rev, err := op{}.expect(7)
	if n, set := rev.Get(); err != nil || !set || n != 7 {
		t.Fatalf("without If-Match the revision read is expected: %v %v", rev, err)
	}
	if err := (op{}).check(7); err != nil {
		t.Fatalf("check without If-Match: %v", err)
	}
}

func TestKeysAndIDsFollowTheIdempotencyKey(t *testing.T) {
	fresh := 0
	ids := func() string { fresh++; return fmt.Sprintf("fresh-%d", fresh) }
	ann := Write{Actor: access.Principal{Subject: "ann"}, IdempotencyKey: "k1"}
	o := op{w: ann, name: "log-experiment", target: "j1"}
	if k, again := o.key(""), o.key(""); k == "" || k != again {
		t.Fatal("the key of a command with an idempotency key must be set and stable")
	}
	if a, b := o.newID(ids, "experiment"), o.newID(ids, "experiment"); a != b || fresh != 0 {
		t.Fatalf("ids from one key: %s and %s (%d fresh), want the same, derived", a, b, fresh)
	}
	for name, other := range map[string]op{
		"another actor":     {w: Write{Actor: access.Principal{Subject: "bob"}, IdempotencyKey: "k1"}, name: o.name, target: o.target},
		"another operation": {w: ann, name: "formulate-learning-goal", target: o.target},
		"another target":    {w: ann, name: o.name, target: "j2"},
		"another key":       {w: Write{Actor: ann.Actor, IdempotencyKey: "k2"}, name: o.name, target: o.target},
	} {
		if other.key("") == o.key("") {
			t.Errorf("%s gives the same key", name)
		}
	}
	if o.key("a") == o.key("b") {
		t.Error("two parts of one request share a key")
	}
	none := op{w: Write{Actor: ann.Actor}, name: o.name, target: o.target}
	if none.key("") != "" {
		t.Error("a command without an idempotency key got one")
	}
	if a, b := none.newID(ids, "experiment"), none.newID(ids, "experiment"); a == b || fresh != 2 {
		t.Fatalf("ids without a key: %s and %s, want two fresh ones", a, b)
	}
	env := o.envelope("", domain.AtRevision(2))
	if env.Actor != "ann" || env.IdempotencyKey != o.key("") {
		t.Fatalf("envelope = %+v", env)
	}
	if n, set := env.Expected.Get(); !set || n != 2 {
		t.Fatalf("envelope expects %v, want 2", env.Expected)
	}
}
