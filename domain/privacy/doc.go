// Package privacy holds what lets people keep control of their data: the
// erasure of a person (stream erasure-<person id>), the retention policy of
// a programme (stream retention-<programme id>) and the read audit of a
// portfolio (stream portfolioreads-<journey id>, one per journey, so that
// the event store's $maxAge expires it).
//
// None of these events holds personal data: they name people by their
// pseudonymous ids only, and the reason of an erasure is a closed set with an
// optional reference of the office's own register, which allows no spaces
// and so holds no name or sentence (decision record 0015).
package privacy
