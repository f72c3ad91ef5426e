// Package domaintest holds what the domain's tests share: an in-memory
// repository, a hand-written fake that plays the event store's part in service
// tests, and a check of a package's event types against the stored-schema
// conventions. Only tests import it.
package domaintest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/leerpad/leerpad/domain"
)

// Aggregate is what Repo needs of an aggregate.
type Aggregate interface {
	ID() string
	Uncommitted() []domain.Event
}

// Repo is an in-memory repository of the closure style: Create, Update and
// Load behave as the event-store adapter promises, with conflicts injected on
// demand. It is safe for concurrent use.
type Repo[A Aggregate] struct {
	replay func(...domain.Event) A

	mu      sync.Mutex
	streams map[string][]domain.Event
	// Conflicts is how many of the next appends by Update fail with
	// ErrStale, as if another writer appended Concurrent first.
	Conflicts int
	// Concurrent are the events the other writer appends at each injected conflict.
	Concurrent []domain.Event
	// Updates counts the calls of Update.
	Updates int
	// Keys holds the idempotency key of the envelope of every Create and Update call.
	Keys []string
}

// NewRepo returns an empty repository that loads aggregates with replay.
func NewRepo[A Aggregate](replay func(...domain.Event) A) *Repo[A] {
	return &Repo[A]{replay: replay, streams: map[string][]domain.Event{}}
}

// Given stores events as the stream of id.
func (r *Repo[A]) Given(id string, events ...domain.Event) *Repo[A] {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.streams[id] = append([]domain.Event(nil), events...)
	return r
}

// Stream returns the events stored for id.
func (r *Repo[A]) Stream(id string) []domain.Event {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]domain.Event(nil), r.streams[id]...)
}

// Create stores a new aggregate's events; ErrConflict when the stream exists.
func (r *Repo[A]) Create(_ context.Context, a A, env domain.Envelope) (domain.Written, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.Keys = append(r.Keys, env.IdempotencyKey)
	if _, ok := r.streams[a.ID()]; ok {
		return domain.Written{}, fmt.Errorf("create stream %s: %w", a.ID(), domain.ErrConflict)
	}
	r.streams[a.ID()] = append([]domain.Event(nil), a.Uncommitted()...)
	return r.written(a.ID()), nil
}

// Update loads id, runs decide and appends what it recorded; ErrNotFound for
// a missing stream, ErrStale when env expects another revision, ErrConflict
// while Conflicts lasts.
func (r *Repo[A]) Update(_ context.Context, id string, env domain.Envelope, decide func(A) error) (domain.Written, error) {
	r.mu.Lock()
	r.Updates++
	r.Keys = append(r.Keys, env.IdempotencyKey)
	stream, ok := r.streams[id]
	r.mu.Unlock()
	if !ok {
		return domain.Written{}, fmt.Errorf("load stream %s: %w", id, domain.ErrNotFound)
	}
	if want, set := env.Expected.Get(); set && want != uint64(len(stream)-1) {
		return domain.Written{}, fmt.Errorf("stream %s: %w", id, domain.ErrStale)
	}
	a := r.replay(stream...)
	if err := decide(a); err != nil {
		return domain.Written{}, err
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.Conflicts > 0 {
		r.Conflicts--
		r.streams[id] = append(r.streams[id], r.Concurrent...)
		return domain.Written{}, fmt.Errorf("append to stream %s: %w", id, domain.ErrStale)
	}
	r.streams[id] = append(r.streams[id], a.Uncommitted()...)
	return r.written(id), nil
}

// written reports the stream's last revision; the position is the count of
// events in the stream, as a stand-in for a global position.
func (r *Repo[A]) written(id string) domain.Written {
	n := uint64(len(r.streams[id]))
	return domain.Written{Revision: n - 1, Position: n}
}

// Load replays the stream of id; ErrNotFound when there is none.
func (r *Repo[A]) Load(_ context.Context, id string) (A, error) {
	r.mu.Lock()
	stream, ok := r.streams[id]
	r.mu.Unlock()
	if !ok {
		var zero A
		return zero, fmt.Errorf("load stream %s: %w", id, domain.ErrNotFound)
	}
	return r.replay(stream...), nil
}

var eventName = regexp.MustCompile(`^[a-z]+\.[a-z]+(_[a-z]+)*$`)

// CheckEventTypes checks a package's event types against the conventions of
// the stored schema, using events, a story that should hold at least one event
// of every type: names are dotted, lower case, unique and start with one of
// prefixes and a dot;
// every event survives the codec's path (JSON, then EventType.Decode) unchanged;
// fields tagged personal are fields of the event itself, tagged
// `personal:"subject"` (the event's PersonalDataSubject) or `personal:"<role>"`
// (PersonalDataSubjectOf(role), for an event of two people), and only in
// events that implement domain.PersonalData and name a person in each role.
func CheckEventTypes(tb testing.TB, types []domain.EventType, events []domain.Event, prefixes ...string) {
	tb.Helper()
	byName := map[string]domain.EventType{}
	for _, t := range types {
		category, _, _ := strings.Cut(t.Name, ".")
		if !eventName.MatchString(t.Name) || !slices.Contains(prefixes, category) {
			tb.Errorf("event name %q: want one of %v, a dot, then past tense in snake case", t.Name, prefixes)
		}
		if _, dup := byName[t.Name]; dup {
			tb.Errorf("event name %q registered twice", t.Name)
		}
		if t.Version < 1 || t.Version > 1 && t.Upcast == nil {
			tb.Errorf("event %q: version %d without an upcast", t.Name, t.Version)
		}
		byName[t.Name] = t
	}
	seen := map[string]bool{}
	for _, e := range events {
		t, ok := byName[e.EventName()]
		if !ok {
			tb.Errorf("event %q (%T) is not in EventTypes", e.EventName(), e)
			continue
		}
		seen[t.Name] = true
		payload, err := json.Marshal(e)
		if err != nil {
			tb.Fatalf("marshal %s: %v", t.Name, err)
		}
		got, err := t.Decode(t.Version, payload)
		if err != nil {
			tb.Fatalf("decode %s: %v", t.Name, err)
		}
		if !reflect.DeepEqual(got, e) {
			tb.Errorf("%s after encode and decode:\n got %#v\nwant %#v", t.Name, got, e)
		}
		checkPersonal(tb, t.Name, e)
	}
	for _, t := range types {
		if !seen[t.Name] {
			tb.Errorf("no event %s in the story: every event type needs one", t.Name)
		}
	}
}

// checkPersonal checks the personal tags of e: they sit on fields of the
// event itself (the codec encrypts whole top-level fields, so a tag inside a
// nested struct would be stored in plain text), each names a role of
// lower-case letters, the event implements domain.PersonalData when it has
// any, domain.PersonalDataOfOthers when a role is not "subject", and every
// role names a person in e.
func checkPersonal(tb testing.TB, name string, e domain.Event) {
	tb.Helper()
	typ := reflect.TypeOf(e)
	roles := map[string][]string{}
	for i := 0; i < typ.NumField(); i++ {
		f := typ.Field(i)
		role, ok := f.Tag.Lookup("personal")
		if !ok {
			for _, nested := range nestedPersonal(f.Type, f.Name+".") {
				tb.Errorf("%s: field %s is tagged personal inside a nested value: tag the event's own field %s instead", name, nested, f.Name)
			}
			continue
		}
		if !personalRole.MatchString(role) {
			tb.Errorf("%s: field %s: personal tag %q, want \"subject\" or another role in lower case", name, f.Name, role)
		}
		if tag := f.Tag.Get("json"); tag == "" || tag == "-" {
			tb.Errorf("%s: personal field %s has no JSON name", name, f.Name)
		}
		roles[role] = append(roles[role], f.Name)
	}
	pd, isPD := e.(domain.PersonalData) //nolint:errorlint // not an error
	switch {
	case len(roles) > 0 && !isPD:
		tb.Errorf("%s has personal fields %v but does not implement domain.PersonalData", name, roles)
		return
	case len(roles) == 0 && isPD:
		tb.Errorf("%s implements domain.PersonalData but tags no field personal", name)
		return
	case !isPD:
		return
	}
	if pd.PersonalDataSubject() == "" {
		tb.Errorf("%s has an empty personal data subject", name)
	}
	for role, fields := range roles {
		if _, others := e.(domain.PersonalDataOfOthers); role != domain.SubjectRole && !others { //nolint:errorlint // not an error
			tb.Errorf("%s: fields %v are tagged personal:%q but %s does not implement domain.PersonalDataOfOthers", name, fields, role, name)
			continue
		}
		if domain.PersonalDataSubjectOf(pd, role) == "" {
			tb.Errorf("%s: fields %v are tagged personal:%q but the event names no %s", name, fields, role, role)
		}
	}
}

var personalRole = regexp.MustCompile(`^[a-z]+$`)

// nestedPersonal returns the fields tagged personal inside t (a field's type).
func nestedPersonal(t reflect.Type, path string) []string {
	for t.Kind() == reflect.Slice || t.Kind() == reflect.Map || t.Kind() == reflect.Pointer || t.Kind() == reflect.Array {
		t = t.Elem()
	}
	if t.Kind() != reflect.Struct || t.PkgPath() == "time" {
		return nil
	}
	var out []string
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		if _, ok := f.Tag.Lookup("personal"); ok {
			out = append(out, path+f.Name)
			continue
		}
		out = append(out, nestedPersonal(f.Type, path+f.Name+".")...)
	}
	return out
}

// Case is one row of a given-when-then table: the events in the stream, the
// command as a call on the aggregate, and the events it must record or the
// error it must return.
type Case[A Aggregate] struct {
	Name  string
	Given []domain.Event
	When  func(A) error
	Want  []domain.Event
	// WantErr is matched with errors.Is: a kind or a specific error.
	WantErr error
	// WantField, when set, is a field the error must name in a *domain.FieldError.
	WantField string
}

// Run runs each case on an aggregate replayed from its given events.
func Run[A Aggregate](t *testing.T, replay func(...domain.Event) A, cases []Case[A]) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.Name, func(t *testing.T) {
			a := replay(tc.Given...)
			err := tc.When(a)
			if tc.WantErr == nil && err != nil || !errors.Is(err, tc.WantErr) {
				t.Fatalf("err = %v, want %v", err, tc.WantErr)
			}
			if tc.WantField != "" && !namesField(err, tc.WantField) {
				t.Errorf("err = %v, want it to name field %q", err, tc.WantField)
			}
			if got := a.Uncommitted(); !reflect.DeepEqual(got, tc.Want) && (len(got) > 0 || len(tc.Want) > 0) {
				t.Fatalf("events:\n got %#v\nwant %#v", got, tc.Want)
			}
		})
	}
}

func namesField(err error, field string) bool {
	var v *domain.ValidationError
	if errors.As(err, &v) {
		for _, f := range v.Fields {
			if f.Field == field {
				return true
			}
		}
		return false
	}
	var f *domain.FieldError
	return errors.As(err, &f) && f.Field == field
}

// RoundTrip returns events as the event store gives them back: each encoded
// to JSON and decoded through its type in types.
func RoundTrip(tb testing.TB, types []domain.EventType, events []domain.Event) []domain.Event {
	tb.Helper()
	byName := map[string]domain.EventType{}
	for _, t := range types {
		byName[t.Name] = t
	}
	out := make([]domain.Event, len(events))
	for i, e := range events {
		t, ok := byName[e.EventName()]
		if !ok {
			tb.Fatalf("event %q is not in the event types", e.EventName())
		}
		payload, err := json.Marshal(e)
		if err != nil {
			tb.Fatalf("marshal %s: %v", t.Name, err)
		}
		if out[i], err = t.Decode(t.Version, payload); err != nil {
			tb.Fatalf("decode %s: %v", t.Name, err)
		}
	}
	return out
}

// Twice runs a command as the use cases do when another writer appended
// first: once more when it fails with domain.ErrStale, at most twice in all.
func Twice(run func() (domain.Written, error)) (domain.Written, error) {
	w, err := run()
	if errors.Is(err, domain.ErrStale) {
		w, err = run()
	}
	return w, err
}

// Err returns the error of a service call, for tests that check only that.
func Err(_ domain.Written, err error) error { return err }
