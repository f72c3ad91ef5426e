// Package offer is what the programme office offers and who orders it, as
// the read side answers it for the catalogue's lists: the modules at their
// current version, the programmes with their emphasis per theme, the 360
// instruments, the ordering entities with their orders, and the cohorts
// run for them (programme, entity, dates, trainers, size). Each list is in
// the order its items entered the log; retired and cancelled items stay in
// it, marked.
//
// It is a port of the read side, and plain data: the offer read model
// (package projections/offer) builds these values from the events, and the
// API maps them onto its own response DTOs, so that neither imports the
// other. It is a package of its own rather than part of package catalogue
// because catalogue's aggregates already bear these names (Module,
// Programme, Entity, Order) and an instrument belongs to feedback. The read
// model's snapshots keep these values, encoded by their field names, so
// renaming a field changes the snapshot encoding: do it only with the read
// model's SnapshotSchema.
package offer
