// Package domain holds what every part of Leerpad's domain shares: the error
// kinds, the event and event-type contract with the event store's codec, the
// input rules of commands, and how services run a command. Its subpackages
// are the aggregates: catalogue (modules, programmes, ordering entities),
// cohort, journey and feedback (360 instruments and rounds); and the ports of
// the read side: portfolio, cohortdashboard, behaviourchange and offer hold,
// as plain data, what the read models answer and the API shows, so that
// projections and api never import each other. The domain imports only the
// standard library and itself; it never reads the clock or makes ids.
//
// # Streams and events
//
// Each aggregate is a stream named "<category>-<uuid>": module-, programme-,
// entity-, cohort-, journey-, instrument- and feedback- (one per 360 round).
// Every id in a command is a UUID (RequireID), so a stream name parses at its
// first hyphen. Event names are dotted, lower case and past tense
// ("journey.experiment_logged"); they and the JSON field names of payloads are
// permanent. Each subpackage lists its events in EventTypes, which the
// codec registers by name; aggregates replay events as values.
//
// # Versions and upcasting
//
// A payload's schema version travels in the event's metadata, not in its
// name, so subscriptions and projections keep one name per fact. An EventType
// has the Version written today; for an older payload its Upcast turns the
// JSON into today's shape before decoding (EventType.Decode). The first
// example is journey.experiment_logged, at version 2 (journey.UpcastExperimentLogged).
//
// # Personal data
//
// Names, e-mail addresses and free text written by or about a person
// (reflections, comments, the why and values, cases, agreements, answers of
// raters) are personal data. They never appear in stream names, event names
// or metadata: only in payload fields of the event itself (never inside a
// nested value), which carry the struct tag
//
//	personal:"subject"
//
// An event with such fields implements PersonalData, whose
// PersonalDataSubject returns the id of the person whose key encrypts them:
// the participant for journey and cohort events, the rater for a 360
// nomination. An event that holds the data of two people tags the other
// person's fields with their role, e.g. `personal:"participant"`, and
// implements PersonalDataOfOthers, whose PersonalDataSubjectOf(role) names
// that person: a 360 response's comments are the rater's, its answers (the
// scores, which are about the participant) the participant's.
//
// The event store's codec encrypts every tagged field with a key of its
// person (AES-256-GCM, bound to the person, the event name and the field;
// docs/decisions/0014-field-encryption.md) and keeps the keys outside the
// log (0013-key-store.md), so that erasing a person deletes their key
// (crypto-shredding): their fields can no longer be read anywhere, in the
// log, its copies or its backups. An event whose person was erased still
// decodes: each of their text fields holds Erased ("[gewist]"), each list
// of texts []string{Erased}, any other personal field its zero value (no
// answers); IsErased tells a read model so. Ids are not personal data: they
// are random UUIDs that mean nothing once the person's data is unreadable.
// The domaintest package checks that every event follows this convention.
//
// # Commands, repositories and idempotency
//
// Commands are structs carrying their ids, their time (At) and an Envelope:
// the actor and correlation id (event metadata), an optional idempotency key
// and an optional expected revision. A service runs each command as one
// repository call: Create for the first event of a stream, otherwise Update
// with a decide function on the aggregate as its stream holds it, and
// returns what it wrote (Written). The repository derives event ids from the
// key, so a command retried with the same key never records twice; a command
// that lost the race with another writer fails with ErrStale, and the use
// case (package usecase) decides it again on the fresh stream.
package domain
