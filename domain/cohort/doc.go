// Package cohort holds one run of a programme (stream cohort-<uuid>): planned
// for an ordering entity with dates and trainers, participants enrolled and
// withdrawn, intervision groups formed and re-formed, module deliveries
// scheduled with the module version they deliver, and attendance per delivery.
//
// The cohort is where attendance is recorded, so it answers the journey's
// question whether a participant attended a delivery (Service.Attendance):
// a participant evaluates only a delivery they attended.
//
// Personal data: a participant's name and e-mail address, in
// ParticipantEnrolled, tagged personal with the participant as subject.
package cohort
