// Package cohortdashboard is the cohort dashboard as the read side answers
// it, for trainers and the programme office: a cohort's enrolment,
// attendance, practice assignments, experiments per ISO week, intervision
// rhythm, module evaluation scores, participants at risk and completion
// (View). It holds counts, rates and dates only: no reflection, comment,
// case or other free text.
//
// It is a port of the read side, and plain data: the cohort dashboard read
// model (package projections/cohortdashboard) builds these values from the
// events, and the API maps them onto its own response DTOs, so that neither
// imports the other. It is a package of its own rather than part of package
// cohort because a dashboard holds journey facts (status, evaluation
// questions), and journey already imports cohort. The read model's snapshots
// keep some of these values (deliveries, weeks, sessions), so their JSON
// field names are part of the snapshot encoding: change them only with the
// read model's SnapshotSchema.
package cohortdashboard
