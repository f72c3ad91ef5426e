// Package journey holds a participant's journey through one cohort (stream
// journey-<uuid>): enrolment with role and own manager, sharing of portfolio
// sections with that manager, the personal why and values, behaviour choices,
// learning goals and questions, practice assignments, experiments, intervision
// and coaching, module evaluations, development conversations, measurements,
// and completion or withdrawal.
//
// Facts of other streams. Attendance is recorded in the cohort, so a module
// evaluation needs the cohort's answer: the Service reads it through the
// Cohorts port (implemented by *cohort.Service) inside the decision, and
// passes it to Journey.EvaluateModule, which decides with it. The evaluation
// takes the module version from the cohort's delivery, so it stays attached
// to the version delivered. Enrolment reads the participant's cohort
// enrolment the same way.
//
// Personal data: every free text of the participant (why and values,
// behaviours, goals, reflections, cases, notes, agreements, measurement
// results, withdrawal reason) is tagged personal, with the participant as
// subject; those events carry ParticipantID for that reason. Evaluation scores
// are not personal; evaluation comments are.
package journey
