// Package usecase is Leerpad's application layer: every command and query a
// person can give, whatever way they come in (the REST API, the web pages,
// the command line). A use case takes an explicit command: the actor, the
// ids, and how it is to be written (Write: idempotency key, the revision the
// client read, correlation id). It decides access once, through the one
// policy (domain/access), with facts read from one named place (facts.go);
// calls the domain; and returns what was written (Written: id, revision, log
// position).
//
// The layer owns what is neither a rule of one aggregate nor a matter of
// transport: workflows across aggregates (enrolment of a batch, withdrawal),
// the derivation of ids and idempotency keys, the retry of a command that
// lost a race with another writer, the time a command happened (the domain
// never reads the clock), and waiting for a read model to catch up with a
// write (read-your-writes).
//
// Transports bind input, call one use case and map its answer; they hold no
// rule of their own. The use cases know the event store and the read models
// only through ports: the repositories' View (aggregates as their streams
// hold them now) and the read-side ports of the domain packages.
package usecase
