// Package catalogue holds what the programme office offers: modules with their
// versions and learning goals (stream module-<uuid>), programmes that order
// modules into a trajectory with an emphasis per theme (programme-<uuid>), and
// the ordering entities that order a module or a programme (entity-<uuid>).
//
// A module's version number counts its revisions. A cohort's delivery names the
// version it delivered, so evaluations stay attached to that version however
// the module changes afterwards; versions are never rewritten.
//
// Nothing in the catalogue is personal data: module texts, programme names and
// entity names describe the offer and the organisations, not people.
package catalogue
