// Package behaviourchange is the behaviour-change measurement as the read
// side answers it to the programme office: a cohort's mean change from
// before to after (pre and post 360 rounds) per competency and rater group
// (Cohort), aggregates only, and only where enough participants contribute
// for none of them to be recognised.
//
// It is a port of the read side, and plain data: the behaviour-change read
// model (package projections/behaviourchange) builds these values from the
// events, and the API maps them onto its own response DTOs, so that neither
// imports the other. It is a package of its own rather than part of package
// cohort because the results name 360 rater groups, and feedback imports
// journey, which imports cohort. The JSON tags give the values one stable
// encoding, the one the read model's tests compare; the API never serves
// them as they are.
package behaviourchange
