// Package feedback holds 360-degree feedback: instruments (stream
// instrument-<uuid>) of competencies with behaviour items on a frequency
// scale, and rounds (stream feedback-<round uuid>) in which raters of a
// participant's journey, nominated per rater group, answer once while the
// round is open.
//
// Where responses live. A rater's answers and comments are stored in the
// round's own stream, in feedback.response_submitted, with every answer and
// comment field tagged personal and the rater (RaterID) as the personal-data
// subject; the nomination's name and e-mail address are tagged the same way.
// Encrypting per rater (crypto-shredding) then lets one rater's data be erased
// on its own: deleting that rater's key leaves the round, the other raters and
// the counts intact, and projections rebuilt afterwards simply lack that
// rater. Keeping responses in the round stream, rather than a stream per
// response, keeps the round's rules in one consistency boundary: a rater
// answers once and only while the round is open is decided by one aggregate
// with one expected revision, with no cross-stream race against closing.
// Erasing a participant erases their rounds too: everything in a round is
// about them, so the erasure deletes the round streams of their journeys or
// the keys of all their raters.
//
// Rater links live in the round stream too, in feedback.rater_link_issued:
// only the SHA-256 of the link's random token, with its expiry, so that every
// replica recognises a link and a restart loses none. The hash is not
// personal data (it names nobody), yet it stays in the payload, never in
// metadata or a stream name.
//
// Individual answers are never exposed: the Round aggregate keeps only who
// answered, and projections compute rater-group aggregates large enough to
// stay anonymous.
package feedback
