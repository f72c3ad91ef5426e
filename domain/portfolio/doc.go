// Package portfolio is the portfolio as the read side answers it: a
// journey's coherent picture of development (View), now or as of a past
// moment, organised in parts (Part) that the API shows or leaves out by its
// access rules.
//
// It is a port of the read side, and plain data: the portfolio read model
// (package projections/portfolio) builds these values from the events, and
// the API maps them onto its own response DTOs, so that neither imports the
// other. It is a package of its own rather than part of package journey
// because a portfolio holds facts of journeys, cohorts and 360 feedback, and
// feedback already imports journey. The JSON tags give the values one stable
// encoding, the one the read model's tests compare; the API never serves them
// as they are.
package portfolio
