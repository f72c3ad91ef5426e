package api

import (
	"fmt"
	"net/http"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"unicode"

	"github.com/leerpad/leerpad/domain/journey"
	"github.com/leerpad/leerpad/usecase"
)

// The resource operations of the OpenAPI document. Request and response
// schemas are derived from the DTO types by reflection (schemaFor), so the
// document cannot drift from what the handlers bind and write; the shared
// headers and problem responses come from the helpers in openapi.go.

// Tags of the resource operations.
const (
	tagJourneys  = "journeys"
	tagFeedback  = "feedback"
	tagCohorts   = "cohorts"
	tagCatalogue = "catalogue"
	mimeCSV      = "text/csv"
)

// operation describes one resource route.
type operation struct {
	method, path, id, summary, description, tag string
	rater                                       bool // behind a rater link, not a bearer token
	query                                       []oasParameter
	body                                        any     // a DTO value, or csvBody
	success                                     int     // 200 or 201
	result                                      any     // a DTO value, or csvBody
	match                                       ifMatch // writes: optional or required If-Match
	etag                                        bool    // the response carries an ETag
	deprecated                                  bool    // kept for existing clients; the description names the successor
	minPosition                                 bool    // a read-model read that can wait
	errors                                      []int   // beyond the defaults
}

// csvBody marks a text/csv body.
type csvBody struct{}

var pageParams = []oasParameter{
	{Name: "limit", In: "query", Description: "Items per page, 1 to 100; default 20.", Schema: map[string]any{"type": "integer", "format": "int32", "minimum": 1, "maximum": maxLimit, "default": defaultLimit}},
	{Name: "cursor", In: "query", Description: "The nextCursor of the previous page, as given (opaque).", Schema: map[string]any{"type": "string"}},
}

// resourceOperations lists every resource route of register*Routes.
func resourceOperations() []operation {
	w, wr := matchOptional, matchRequired
	return []operation{
		{method: "GET", path: "/journeys", id: "listJourneys", summary: "The caller's journeys", description: "The journeys of the caller as participant, a page at a time.", tag: tagJourneys, query: pageParams, result: journeyList{}, minPosition: true},
		{method: "GET", path: "/journeys/{journeyId}", id: "getJourney", summary: "A journey as its stream holds it", description: "The journey's participant, cohort, programme, manager, role, status and shared sections, with its ETag for If-Match.", tag: tagJourneys, result: journeySummary{}, etag: true},
		{method: "PUT", path: "/journeys/{journeyId}/why-and-values", id: "putWhyAndValues", summary: "State the personal why and values", description: "The participant states (or restates) their personal why and values. If-Match is required.", tag: tagJourneys, body: whyAndValuesRequest{}, result: resourceRef{}, match: wr},
		{method: "POST", path: "/journeys/{journeyId}/behaviour-choices", id: "createBehaviourChoice", summary: "Choose what to do with a behaviour", description: "The participant chooses, for a behaviour of a competency, to continue, develop, dose or let go of it.", tag: tagJourneys, body: behaviourChoiceRequest{}, success: 201, result: resourceRef{}, match: w},
		{method: "PUT", path: "/journeys/{journeyId}/behaviour-choices/{choiceId}", id: "putBehaviourChoice", summary: "Revise a behaviour choice", description: "The participant changes what they chose for a behaviour. If-Match is required.", tag: tagJourneys, body: choiceRevision{}, result: resourceRef{}, match: wr},
		{method: "POST", path: "/journeys/{journeyId}/learning-goals", id: "createLearningGoal", summary: "Formulate a learning goal or question", description: "The participant formulates a learning goal or a learning question (what, and optionally how they will see it and by when), linked to competencies of the published 360 instruments and to learning goals of the modules of the journey's programme; an id that is neither is refused 400, naming competencyIds[i] or moduleGoalIds[i].", tag: tagJourneys, body: learningGoalRequest{}, success: 201, result: resourceRef{}, match: w},
		{method: "GET", path: "/journeys/{journeyId}/learning-goals", id: "getLearningPlan", summary: "The learning plan", description: "The journey's learning goals in the order formulated, each with its SMART fields, state and links, and the experiments and practice assignments behind it. For the participant; for their manager only while the learning-goals section is shared, with experiments and assignments only where those sections are shared too. The ETag is the journey's.", tag: tagJourneys, result: learningPlan{}, etag: true, minPosition: true},
		{method: "GET", path: "/journeys/{journeyId}/learning-goals/{goalId}", id: "getLearningGoal", summary: "A learning goal of the plan", description: "One learning goal as the learning plan shows it, to the same readers. The ETag is the journey's, for If-Match on a revision.", tag: tagJourneys, result: learningPlanGoal{}, etag: true, minPosition: true},
		{method: "PUT", path: "/journeys/{journeyId}/learning-goals/{goalId}", id: "putLearningGoal", summary: "Revise a learning goal", description: "The participant rewords an open learning goal: text, successCriteria and dueOn replace the ones before (one left out is no more); kind and links stay. A closed goal is refused 409. If-Match is required.", tag: tagJourneys, body: goalRevision{}, result: resourceRef{}, match: wr},
		{method: "POST", path: "/journeys/{journeyId}/learning-goals/{goalId}/closures", id: "createLearningGoalClosure", summary: "Close a learning goal", description: "The participant closes an open learning goal, achieved or dropped, with an optional reflection. A closed goal takes no new experiment and is not revised; a second closure is refused 409.", tag: tagJourneys, body: goalClosure{}, success: 201, result: resourceRef{}, match: w},
		{method: "POST", path: "/journeys/{journeyId}/experiments", id: "createExperiment", summary: "Log an experiment", description: "The participant logs an experiment for one of their learning goals: what they intend to try, and when.", tag: tagJourneys, body: experimentRequest{}, success: 201, result: resourceRef{}, match: w},
		{method: "POST", path: "/journeys/{journeyId}/experiments/{experimentId}/steps", id: "createExperimentStep", summary: "Record the next step of an experiment", description: "step is tried (whatWasTried, triedOn), reflected (outcome, reflection) or concluded (nextStep).", tag: tagJourneys, body: experimentStepRequest{}, success: 201, result: resourceRef{}, match: w},
		{method: "POST", path: "/journeys/{journeyId}/assignments/{assignmentId}/hand-ins", id: "createHandIn", summary: "Hand a practice assignment in", description: "The participant hands in a practice assignment given to them, with a reflection.", tag: tagJourneys, body: handInRequest{}, success: 201, result: resourceRef{}, match: w},
		{method: "POST", path: "/journeys/{journeyId}/module-evaluations", id: "createModuleEvaluation", summary: "Evaluate a delivery attended", description: "The participant evaluates a delivery they attended: a score per question and an optional comment.", tag: tagJourneys, body: evaluationRequest{}, success: 201, result: resourceRef{}, match: w},
		{method: "POST", path: "/journeys/{journeyId}/learning-ratings", id: "createLearningRating", summary: "Rate what was learnt at a delivery attended (participant)", description: "Level 2 of leerpad.impact/v2: at the end of a module the participant rates, per learning goal of the module version the delivery delivered, where they stood before the module (a retrospective rating, made afterwards) and where they stand now, each 1 to 5. Goals may be left out; each goal at most once; a delivery of the journey's cohort the participant attended (403 otherwise), rated once (409 the second time). Only the participant rates; others see ratings only aggregated.", tag: tagJourneys, body: learningRatingRequest{}, success: 201, result: resourceRef{}, match: w},
		{method: "GET", path: "/journeys/{journeyId}/learning-ratings/{deliveryId}", id: "getLearningRating", summary: "The participant's ratings of what they learnt at a delivery", description: "For the participant alone: their level 2 ratings of a delivery, per learning goal before and now, with the module version they are attached to; read from the journey's stream, with its ETag. 404 while the delivery is not rated.", tag: tagJourneys, result: learningRatingResponse{}, etag: true},
		{method: "GET", path: "/journeys/{journeyId}/shared-sections", id: "listSharedSections", summary: "The sections shared with the manager", description: "The sections of the portfolio the participant shares with their manager now, with the journey's ETag for If-Match.", tag: tagJourneys, result: sharedSections{}, etag: true},
		{method: "PUT", path: "/journeys/{journeyId}/shared-sections/{section}", id: "putSharedSection", summary: "Share a section with the manager", description: "The participant shares a section of their portfolio with their manager, who can read it from then on.", tag: tagJourneys, result: resourceRef{}, match: w},
		{method: "DELETE", path: "/journeys/{journeyId}/shared-sections/{section}", id: "deleteSharedSection", summary: "Stop sharing a section", description: "The manager's access ends at once.", tag: tagJourneys, result: resourceRef{}, match: w},
		{method: "GET", path: "/journeys/{journeyId}/portfolio", id: "getPortfolio", summary: "The portfolio", description: "Whole for the participant; for their manager only the sections shared now and the conversations they hold. asOf gives it as it stood then. The feedback-results part is the 360 report: per closed round and competency the score and raters counted of each group that reaches its threshold, the self-other gap (self minus the others composite) flagged blind-spot when it is at least the round's gapThreshold (1 point on a 5-point scale by default) or hidden-strength when it is at most minus that (no flag when self or a composite of at least 3 raters is missing), and the comments of the groups that reach their threshold, in an order that carries no rater identity.",
			tag: tagJourneys, query: []oasParameter{{Name: "asOf", In: "query", Description: "An RFC 3339 date-time with a time zone.", Schema: map[string]any{"type": "string", "format": "date-time"}}}, result: portfolioResponse{}, minPosition: true},
		{method: "GET", path: "/journeys/{journeyId}/why-and-values", id: "getWhyAndValues", summary: "The personal why and values", description: "The participant's why and values; their manager's while the why-and-values section is shared with them. 404 until stated.", tag: tagJourneys, result: whyAndValuesDTO{}, minPosition: true},
		{method: "GET", path: "/journeys/{journeyId}/behaviour-choices/{choiceId}", id: "getBehaviourChoice", summary: "A behaviour choice", description: "The participant's; their manager's while the behaviour-choices section is shared with them.", tag: tagJourneys, result: behaviourChoiceDTO{}, minPosition: true},
		{method: "GET", path: "/journeys/{journeyId}/experiments/{experimentId}", id: "getExperiment", summary: "An experiment and its steps", description: "The intention, when it was planned, what was tried, the outcome, the reflection, the next step and the step reached. The participant's; their manager's while the experiments section is shared with them.", tag: tagJourneys, result: experimentDTO{}, minPosition: true},
		{method: "GET", path: "/journeys/{journeyId}/assignments/{assignmentId}", id: "getAssignment", summary: "A practice assignment and its hand-in", description: "The participant's; their manager's while the assignments section is shared with them; a trainer's of the cohort, without the participant's reflection.", tag: tagJourneys, result: assignmentDTO{}, minPosition: true},
		{method: "GET", path: "/journeys/{journeyId}/module-evaluations/{deliveryId}", id: "getModuleEvaluation", summary: "The evaluation of a delivery", description: "The participant's evaluation of a delivery they attended; their manager's while the evaluations section is shared with them.", tag: tagJourneys, result: evaluationDTO{}, minPosition: true},
		{method: "GET", path: "/journeys/{journeyId}/measurements/{measurementId}", id: "getMeasurement", summary: "An instrument's result", description: "The participant's; their manager's while the measurements section is shared with them; a trainer's of the cohort.", tag: tagJourneys, result: measurementDTO{}, minPosition: true},
		{method: "GET", path: "/journeys/{journeyId}/coaching-sessions/{sessionId}", id: "getCoachingSession", summary: "A coaching session", description: "The participant's; their manager's while the coaching section is shared with them; a trainer's of the cohort.", tag: tagJourneys, result: coachingDTO{}, minPosition: true},
		{method: "GET", path: "/journeys/{journeyId}/shared-sections/{section}", id: "getSharedSection", summary: "Whether a section is shared with the manager", description: "For the participant and their manager: whether the section is shared now, with the journey's ETag.", tag: tagJourneys, result: sharedSectionResponse{}, etag: true},
		{method: "GET", path: "/journeys/{journeyId}/development-conversations", id: "listDevelopmentConversations", summary: "The development conversations", description: "In the order held, for the participant and their manager, whatever the participant shares: the conversation is theirs both.", tag: tagJourneys, result: conversationList{}, minPosition: true},
		{method: "GET", path: "/journeys/{journeyId}/development-conversations/{conversationId}", id: "getDevelopmentConversation", summary: "A development conversation and the portfolio it was held on", description: "The agreements, next questions and confirmations, for the participant and their manager whatever is shared; with the portfolio as it stood on the day it was held: whole for the participant, for the manager the sections shared then and still shared now. The portfolio is absent for a conversation held before the journey began.", tag: tagJourneys, result: conversationResponse{}, minPosition: true},
		{method: "POST", path: "/journeys/{journeyId}/development-conversations", id: "createDevelopmentConversation", summary: "Record a development conversation (manager)", description: "The participant's manager records a development conversation: when, the agreements and the questions for next time. Both confirm it afterwards.", tag: tagJourneys, body: conversationRequest{}, success: 201, result: resourceRef{}, match: w},
		{method: "PUT", path: "/journeys/{journeyId}/development-conversations/{conversationId}", id: "putDevelopmentConversation", summary: "Revise a development conversation (manager)", description: "The participant's manager revises a development conversation: its agreements and next questions; the date stays. If-Match is required.", tag: tagJourneys, body: conversationRequest{}, result: resourceRef{}, match: wr},
		{method: "POST", path: "/journeys/{journeyId}/development-conversations/{conversationId}/confirmations", id: "createConversationConfirmation", summary: "Confirm a development conversation", description: "The participant or their manager confirms a development conversation; once both did, it is final.", tag: tagJourneys, success: 201, result: resourceRef{}, match: w},
		{method: "POST", path: "/journeys/{journeyId}/assignments", id: "createAssignment", summary: "Give a practice assignment (trainer)", description: "A trainer of the cohort gives the participant a practice assignment for a module.", tag: tagJourneys, body: assignmentRequest{}, success: 201, result: resourceRef{}, match: w},
		{method: "POST", path: "/journeys/{journeyId}/intervision-sessions", id: "createIntervisionSession", summary: "Record an intervision session attended (trainer; deprecated)", description: "Deprecated: record a meeting once for the whole group with POST /cohorts/{cohortId}/intervision-groups/{groupId}/sessions. This route records one participant's attendance, so a meeting recorded for several members counts several times; it stays for existing clients, and what it recorded stays counted. A trainer of the cohort records that the participant attended a session of their intervision group (groupId must be the participant's group now), and whether they brought in a case.", tag: tagJourneys, body: intervisionRequest{}, success: 201, result: resourceRef{}, match: w, deprecated: true},
		{method: "POST", path: "/journeys/{journeyId}/completions", id: "createCompletion", summary: "Complete a journey (programme office)", description: "Nothing is logged on the journey after that, except that the participant can still stop sharing. A second completion, or one of a withdrawn journey, is refused 409. Location and href are the participant's enrolment in the cohort (the programme office reads no journey).", tag: tagJourneys, body: completionRequest{}, success: 201, result: resourceRef{}, match: w},
		{method: "POST", path: "/journeys/{journeyId}/withdrawals", id: "createWithdrawal", summary: "Withdraw from a journey and its cohort (participant, programme office)", description: "The journey is withdrawn first, then the participant leaves the cohort. Both steps derive their event ids from the journey, so if the request fails between them, sending it again (with or without the same Idempotency-Key) completes the withdrawal and records nothing twice; a repeat of a finished withdrawal answers as the first, and the first reason stands. A completed journey is refused 409. Location and href are the journey for its participant, and the participant's enrolment in the cohort for the programme office.", tag: tagJourneys, body: withdrawalRequest{}, success: 201, result: resourceRef{}, match: w},
		{method: "PUT", path: "/journeys/{journeyId}/manager", id: "putManager", summary: "Record the participant's new manager (programme office)", description: "The former manager's access ends at once. Sharing does not carry over: the new manager sees no section until the participant shares it again. The same manager again is refused 409. The href is the participant's enrolment in the cohort (the programme office reads no journey).", tag: tagJourneys, body: managerRequest{}, result: resourceRef{}, match: w},
		{method: "POST", path: "/journeys/{journeyId}/measurements", id: "createMeasurement", summary: "Record an instrument's result (participant, trainer)", description: "A leadership style, team-role profile, skills measurement or other instrument, and when it was taken (not after it is recorded). It shows in the portfolio's measurements section.", tag: tagJourneys, body: measurementRequest{}, success: 201, result: resourceRef{}, match: w},
		{method: "GET", path: "/managed-journeys", id: "listManagedJourneys", summary: "The journeys of the participants the caller manages (manager)", description: "Per journey: participant, cohort, programme, status and the names of the sections shared with the caller; their content is in the portfolio (portfolioHref, present once a section is shared), per shared section.", tag: tagJourneys, query: pageParams, result: managedJourneyList{}, minPosition: true},
		{method: "POST", path: "/journeys/{journeyId}/coaching-sessions", id: "createCoachingSession", summary: "Record a coaching session (trainer)", description: "A trainer of the cohort records a coaching session they held with the participant.", tag: tagJourneys, body: coachingRequest{}, success: 201, result: resourceRef{}, match: w},

		{method: "GET", path: "/journeys/{journeyId}/feedback-rounds", id: "listFeedbackRounds", summary: "The 360 rounds of a journey (participant, manager)", description: "The journey's 360 rounds in the order they were opened, each as getFeedbackRound shows it to the caller: whole for the participant, the raters awaiting their decision for the manager.", tag: tagFeedback, result: feedbackRoundList{}, minPosition: true},
		{method: "GET", path: "/journeys/{journeyId}/feedback-rounds/{roundId}", id: "getFeedbackRound", summary: "A 360 round (participant, manager)", description: "For the participant: the round's state, the raters nominated with their approval and the responses counted per group, never who answered (a rater's approval reads the same whether they answered or not). For the participant's manager: the round's state and the raters awaiting their decision, nothing of the responses. Anyone else is refused.", tag: tagFeedback, result: feedbackRoundState{}, etag: true},
		{method: "POST", path: "/journeys/{journeyId}/feedback-rounds", id: "createFeedbackRound", summary: "Open a 360 round", description: "The participant opens a 360 round (pre, post or extra) with a published instrument; raters are nominated next.", tag: tagFeedback, body: roundRequest{}, success: 201, result: resourceRef{}, match: w},
		{method: "POST", path: "/journeys/{journeyId}/feedback-rounds/{roundId}/raters", id: "createRater", summary: "Nominate a rater and issue their link", description: "The link's token is in this response only; it is stored as a hash. A retry with the same Idempotency-Key issues a new token, which replaces the first.", tag: tagFeedback, body: raterRequest{}, success: 201, result: raterLinkResponse{}, match: w},
		{method: "POST", path: "/journeys/{journeyId}/feedback-rounds/{roundId}/raters/{raterId}/links", id: "createRaterLink", summary: "Issue a new link for a rater", description: "The earlier link stops working.", tag: tagFeedback, body: linkRequest{}, success: 201, result: raterLinkResponse{}, match: w},
		{method: "POST", path: "/journeys/{journeyId}/feedback-rounds/{roundId}/raters/{raterId}/decisions", id: "createRaterDecision", summary: "Approve or reject a rater (manager)", description: "In a programme where the manager approves raters, the participant's manager approves or rejects a rater the participant nominated.", tag: tagFeedback, body: raterDecision{}, success: 201, result: resourceRef{}, match: w},
		{method: "GET", path: "/rater-decisions", id: "listRaterDecisions", summary: "The decisions on raters the caller has to take (manager)", description: "Every rater awaiting the caller's approval in the open 360 rounds of the journeys they manage now: journey, participant, round, rater, group, when nominated, and where to post the decision. Managers only.", tag: tagFeedback, result: raterDecisionList{}, minPosition: true},
		{method: "POST", path: "/journeys/{journeyId}/feedback-rounds/{roundId}/closures", id: "createRoundClosure", summary: "Close a 360 round (participant)", description: "The participant closes their 360 round: no rater answers after that, the links stop working, and the results appear in the portfolio where enough raters answered.", tag: tagFeedback, body: roundClosure{}, success: 201, result: resourceRef{}, match: w},
		{method: "POST", path: "/journeys/{journeyId}/feedback-rounds/{roundId}/self-assessments", id: "createSelfAssessment", summary: "Answer the round as self", description: "The first self-assessment nominates the participant as the self rater and records the answers in one step: answers that are refused record nothing. A second one is refused 409.", tag: tagFeedback, body: answersRequest{}, success: 201, result: resourceRef{}, match: w},
		{method: "GET", path: "/rater-forms/{roundId}", id: "getRaterForm", summary: "The rater form a link opens", description: "The questions of the round's instrument, for the rater whose link token is the bearer; closed once the participant closed the round.", tag: tagFeedback, rater: true, result: raterForm{}},
		{method: "POST", path: "/rater-forms/{roundId}/responses", id: "createRaterResponse", summary: "Answer the round, once", description: "The rater whose link token is the bearer answers the round: every item of the instrument once; a second response is refused 409.", tag: tagFeedback, rater: true, body: answersRequest{}, success: 201, result: resourceRef{}, match: w},

		{method: "POST", path: "/cohorts", id: "createCohort", summary: "Plan a cohort", description: "The programme office plans a cohort of a programme for an ordering entity, with its trainers and dates.", tag: tagCohorts, body: cohortRequest{}, success: 201, result: resourceRef{}, match: w},
		{method: "GET", path: "/cohorts", id: "listCohorts", summary: "The cohorts (programme office, trainer)", description: "The cohorts in the order planned, a page at a time: every cohort for the programme office, the cohorts they train for a trainer. Per cohort its programme, entity, title, dates, trainers and size (participants enrolled and not withdrawn).", tag: tagCohorts, query: pageParams, result: cohortList{}, minPosition: true},
		{method: "GET", path: "/cohorts/{cohortId}", id: "getCohort", summary: "A cohort as its stream holds it", description: "For the programme office and the cohort's trainers: the cohort's programme, entity, title, modules, trainers, dates, size (participants enrolled and not withdrawn) and its deliveries with the module version each delivers, with its ETag for If-Match.", tag: tagCohorts, result: cohortResponse{}, etag: true},
		{method: "POST", path: "/cohorts/{cohortId}/deliveries", id: "createDelivery", summary: "Schedule a delivery of a module version", description: "The programme office schedules a delivery of a version of one of the programme's modules in the cohort.", tag: tagCohorts, body: deliveryRequest{}, success: 201, result: resourceRef{}, match: w},
		{method: "GET", path: "/cohorts/{cohortId}/deliveries/{deliveryId}", id: "getDelivery", summary: "A delivery of the cohort", description: "For the programme office and the cohort's trainers: the module version delivered and when, with the cohort's ETag.", tag: tagCohorts, result: deliveryResponse{}, etag: true},
		{method: "GET", path: "/cohorts/{cohortId}/deliveries/{deliveryId}/attendances/{participantId}", id: "getAttendance", summary: "A participant's attendance at a delivery (trainer)", description: "For the cohort's trainers: the attendance as recorded, with the cohort's ETag; 404 while none is recorded.", tag: tagCohorts, result: attendanceResponse{}, etag: true},
		{method: "PUT", path: "/cohorts/{cohortId}/deliveries/{deliveryId}/attendances/{participantId}", id: "putAttendance", summary: "Record attendance (trainer)", description: "A trainer of the cohort records whether a participant was present, absent or excused at a delivery.", tag: tagCohorts, body: attendanceRequest{}, result: resourceRef{}, match: w},
		{method: "POST", path: "/cohorts/{cohortId}/intervision-groups", id: "createIntervisionGroup", summary: "Form an intervision group", description: "A trainer of the cohort or the programme office forms an intervision group of 4 to 6 active participants, none in another group.", tag: tagCohorts, body: groupRequest{}, success: 201, result: resourceRef{}, match: w},
		{method: "POST", path: "/cohorts/{cohortId}/measurement-closures", id: "createMeasurementClosure", summary: "Close the cohort's impact measurement (programme office)", description: "Releases the cohort's impact figures (leerpad.impact/v2 §4) and freezes the participants it contributes: those enrolled and not withdrawn at this moment; a withdrawal afterwards does not change them, and the cohort enrols nobody after it (409). Not before the cohort's first day (409); once (a second closure is refused 409). Location and href are the cohort, whose measurementClosedAt says when.", tag: tagCohorts, body: measurementClosure{}, success: 201, result: resourceRef{}, match: w},
		{method: "GET", path: "/cohorts/{cohortId}/enrolments", id: "listEnrolments", summary: "The cohort's participants", description: "The cohort's participants with the state of their journeys, in the order enrolled, a page at a time.", tag: tagCohorts, query: pageParams, result: enrolmentList{}, minPosition: true},
		{method: "GET", path: "/cohorts/{cohortId}/enrolments/{participantId}", id: "getEnrolment", summary: "A participant's enrolment (programme office, trainer)", description: "For the programme office and the cohort's trainers: the participant's enrolment in the cohort, their journey, role and manager, how the journey stands (active, completed, withdrawn) and when they enrolled and withdrew; nothing the participant recorded. The programme office, which reads no journey, follows here what it wrote on a journey: an enrolment, a completion, a change of manager, a withdrawal. Read from the log.", tag: tagCohorts, result: enrolmentResponse{}},
		{method: "POST", path: "/cohorts/{cohortId}/enrolments", id: "createEnrolment", summary: "Enrol a participant", description: "The programme office enrols a participant in the cohort, which starts their journey; Location and href are the participant's enrolment.", tag: tagCohorts, body: enrolmentRequest{}, success: 201, result: enrolmentResult{}, match: w},
		{method: "POST", path: "/cohorts/{cohortId}/enrolment-uploads", id: "createEnrolmentUpload", summary: "Enrol participants from a CSV file",
			description: "text/csv, UTF-8 (a byte-order mark is allowed), comma or semicolon separated, header row participantId,name,email,role,managerId, at most 1000 rows. All or nothing: every bad row is reported in invalidParams as rows[<row number>].<column> (the header is row 1) and nothing is enrolled. A retry of an upload that stopped half-way completes it.",
			tag:         tagCohorts, body: csvBody{}, success: 201, result: enrolmentUploadResult{}, match: w},
		{method: "GET", path: "/cohorts/{cohortId}/dashboard", id: "getCohortDashboard", summary: "The cohort dashboard", description: "For the programme office and the cohort's trainers: enrolment, attendance, assignments, activity with experiments per participant per ISO week, intervision rhythm (one session per meeting of a group) and evaluation means, counts only. asOf judges inactivity (at risk) and intervision recency at that time instead of now (the counts are of everything recorded); atRiskWeeks sets how many weeks without activity put an active participant at risk.",
			tag: tagCohorts, query: dashboardParams, result: dashboardResponse{}, minPosition: true},
		{method: "GET", path: "/cohorts/{cohortId}/change-measurement", id: "getChangeMeasurement", summary: "The cohort's behaviour change (aggregates)", description: "Only competency and rater-group combinations with at least minParticipants participants are shown.", tag: tagCohorts, result: changeMeasurement{}, minPosition: true},
		{method: "GET", path: "/cohorts/{cohortId}/exports/participation", id: "exportParticipation", summary: "Participation as CSV", description: "The cohort's participation per participant, as the dashboard counts it, for a spreadsheet; cells that a spreadsheet would read as a formula are escaped.", tag: tagCohorts, query: []oasParameter{bomParam}, result: csvBody{}, minPosition: true},
		{method: "GET", path: "/cohorts/{cohortId}/exports/behaviour-change", id: "exportBehaviourChange", summary: "Behaviour change as CSV", description: "The cohort's behaviour change per competency and rater group, as the change measurement shows it, for a spreadsheet.", tag: tagCohorts, query: []oasParameter{bomParam}, result: csvBody{}, minPosition: true},

		{method: "POST", path: "/modules", id: "createModule", summary: "Add a module to the catalogue", description: "The programme office adds a module at version 1.", tag: tagCatalogue, body: moduleRequest{}, success: 201, result: resourceRef{}, match: w},
		{method: "GET", path: "/modules/{moduleId}", id: "getModule", summary: "A module's current version", description: "The module's content at its current version, with its ETag for If-Match.", tag: tagCatalogue, result: moduleResponse{}, etag: true},
		{method: "GET", path: "/modules/{moduleId}/versions", id: "listModuleVersions", summary: "Every version of a module", description: "Every version of the module as it was made, from version 1 to the current one, also of a retired module, with the module's ETag.", tag: tagCatalogue, result: moduleVersionList{}, etag: true},
		{method: "GET", path: "/modules/{moduleId}/versions/{version}", id: "getModuleVersion", summary: "One version of a module, as it was made", description: "An earlier version reads as it was when made: deliveries and evaluations refer to it. With the module's ETag.", tag: tagCatalogue, result: moduleVersionResponse{}, etag: true},
		{method: "POST", path: "/modules/{moduleId}/versions", id: "createModuleVersion", summary: "Make the next version of a module", description: "The programme office makes the next version of a module; cohorts keep the version they scheduled. If-Match is required.", tag: tagCatalogue, body: moduleRequest{}, success: 201, result: resourceRef{}, match: wr},
		{method: "POST", path: "/programmes", id: "createProgramme", summary: "Design a programme", description: "The programme office designs a programme of modules in order.", tag: tagCatalogue, body: programmeRequest{}, success: 201, result: resourceRef{}, match: w},
		{method: "GET", path: "/programmes/{programmeId}", id: "getProgramme", summary: "A programme", description: "The programme with its modules in order, and its ETag for If-Match.", tag: tagCatalogue, result: programmeResponse{}, etag: true},
		{method: "POST", path: "/programmes/{programmeId}/modules", id: "createProgrammeModule", summary: "Put a module into a programme", description: "The programme office puts a module on offer into a programme, at a position.", tag: tagCatalogue, body: programmeModuleRequest{}, success: 201, result: resourceRef{}, match: w},
		{method: "POST", path: "/instruments", id: "createInstrument", summary: "Publish a 360 instrument", description: "The programme office publishes a 360 instrument: a scale and competencies with their items.", tag: tagCatalogue, body: instrumentRequest{}, success: 201, result: resourceRef{}, match: w},
	}
}

var dashboardParams = []oasParameter{
	{Name: "asOf", In: "query", Description: "An RFC 3339 date-time with a time zone: the time at which inactivity and intervision recency are judged; default now.", Schema: map[string]any{"type": "string", "format": "date-time"}},
	{Name: "atRiskWeeks", In: "query", Description: "Weeks without activity after which an active participant is at risk, 1 to 52; default the server's setting (3 unless configured).", Schema: map[string]any{"type": "integer", "format": "int32", "minimum": 1, "maximum": usecase.MaxAtRiskWeeks}},
}

var bomParam = oasParameter{Name: "bom", In: "query", Description: "true adds a UTF-8 byte-order mark, for spreadsheets.", Schema: map[string]any{"type": "boolean", "default": false}}

var pathParam = regexp.MustCompile(`\{([^}]+)\}`)

// addResourceOperations adds every resource operation to d, with the
// schemas of its DTOs.
func addResourceOperations(d *oasDocument) {
	d.Tags = append(d.Tags,
		oasTag{Name: tagJourneys, Description: "A participant's journey, portfolio and development conversations; trainers' entries on it."},
		oasTag{Name: tagFeedback, Description: "360 rounds, raters and the rater form."},
		oasTag{Name: tagCohorts, Description: "Cohorts, enrolment, attendance, dashboards, change measurements and exports."},
		oasTag{Name: tagCatalogue, Description: "Modules, programmes and 360 instruments."},
		oasTag{Name: tagEntities, Description: "Ordering entities and their orders."},
		oasTag{Name: tagImpact, Description: "Impact measurement (leerpad.impact/v2): figures of released cohorts, k-anonymous."},
	)
	sg := schemaGen{schemas: d.Components.Schemas, types: map[string]reflect.Type{}, sets: closedSets()}
	for k, v := range resourceHeaders() {
		d.Components.Headers[k] = v
	}
	for _, o := range append(append(resourceOperations(), adminOperations()...), impactOperations()...) {
		item := d.Paths[o.path]
		if item == nil {
			item = &oasPathItem{}
			d.Paths[o.path] = item
		}
		op := &oasOperation{OperationID: o.id, Summary: o.summary, Description: o.description, Deprecated: o.deprecated, Tags: []string{o.tag}, Security: bearerOnly()}
		if o.rater {
			op.Security = []map[string][]string{{schemeRaterLink: {}}}
		}
		for _, m := range pathParam.FindAllStringSubmatch(o.path, -1) {
			schema := map[string]any{"type": "string", "format": "uuid"}
			if m[1] == "section" {
				schema = map[string]any{"type": "string", "enum": names(journey.Sections())}
			}
			if m[1] == "theme" {
				schema = themeSchema()
			}
			if m[1] == "version" {
				schema = map[string]any{"type": "integer", "format": "int32", "minimum": 1}
			}
			if m[1] == "quarter" {
				schema = map[string]any{"type": "string", "pattern": "^[0-9]{4}-Q[1-4]$", "examples": []string{"2025-Q3"}}
			}
			op.Parameters = append(op.Parameters, oasParameter{Name: m[1], In: "path", Required: true, Description: "The " + m[1] + ".", Schema: schema})
		}
		op.Parameters = append(op.Parameters, o.query...)
		errs := []int{http.StatusBadRequest, http.StatusUnauthorized, http.StatusForbidden, http.StatusNotFound, http.StatusInternalServerError, http.StatusServiceUnavailable}
		write := o.method != "GET"
		if write {
			errs = append(errs, http.StatusConflict, http.StatusPreconditionFailed)
			op.Parameters = append(op.Parameters, oasParameter{Name: "If-Match", In: "header", Required: o.match == matchRequired,
				Description: ifMatchDescription(o.match), Schema: map[string]any{"type": "string"}})
			if o.match == matchRequired {
				errs = append(errs, http.StatusPreconditionRequired)
			}
		}
		if o.method == "POST" {
			errs = append(errs, http.StatusUnprocessableEntity)
			op.Parameters = append(op.Parameters, oasParameter{Name: headerIdempotencyKey, In: "header", Description: "A key (e.g. a UUID) that makes a retry return the first response and record nothing twice; the same key with another body is refused 422.",
				Schema: map[string]any{"type": "string", "maxLength": maxIdempotencyKey}})
		}
		if o.minPosition {
			op.Parameters = append(op.Parameters, oasParameter{Name: headerMinPosition, In: "header", Description: "Wait (at most a few seconds) until the read model has reached this global position, from a write's Leerpad-Position; 503 with Retry-After if it does not.",
				Schema: map[string]any{"type": "integer", "format": "int64", "minimum": 0}})
		}
		if o.body != nil {
			errs = append(errs, http.StatusRequestEntityTooLarge, http.StatusUnsupportedMediaType)
			media := map[string]oasMedia{mimeJSON: {Schema: sg.schemaFor(reflect.TypeOf(o.body))}}
			if _, ok := o.body.(csvBody); ok {
				media = map[string]oasMedia{mimeCSV: {Schema: map[string]any{"type": "string"}}}
			}
			op.RequestBody = &oasRequestBody{Required: true, Content: media}
		}
		code := o.success
		if code == 0 {
			code = http.StatusOK
		}
		succ := success{code: code, description: o.summary + ": done.", schema: sg.schemaFor(reflect.TypeOf(o.result))}
		op.Responses = responses(succ, append(errs, o.errors...)...)
		r := op.Responses[strconv.Itoa(code)]
		if _, ok := o.result.(csvBody); ok {
			r.Content = map[string]oasMedia{mimeCSV: {Schema: map[string]any{"type": "string"}}}
		}
		if o.etag || write {
			r.Headers[headerETag] = map[string]any{"$ref": headerRefPrefix + headerETag}
		}
		if write {
			r.Headers[headerPosition] = map[string]any{"$ref": headerRefPrefix + headerPosition}
		}
		if code == http.StatusCreated {
			r.Headers["Location"] = map[string]any{"$ref": headerRefPrefix + "Location"}
		}
		op.Responses[strconv.Itoa(code)] = r
		switch o.method {
		case "GET":
			item.Get = op
		case "POST":
			item.Post = op
		case "PUT":
			item.Put = op
		case "DELETE":
			item.Delete = op
		}
	}
}

func ifMatchDescription(m ifMatch) string {
	if m == matchRequired {
		return "Required: the ETag of the resource as read; 412 when it changed since, 428 without it."
	}
	return "Optional: the ETag of the journey, cohort, module or programme as read; 412 when it changed since."
}

func resourceHeaders() map[string]any {
	return map[string]any{
		headerETag:     map[string]any{"description": "The revision of the resource's stream, for If-Match.", "schema": map[string]any{"type": "string"}},
		headerPosition: map[string]any{"description": "The global position of the write's last event: send it as Leerpad-Min-Position to read your write.", "schema": map[string]any{"type": "integer", "format": "int64"}},
		"Location":     map[string]any{"description": "Where the resource is read.", "schema": map[string]any{"type": "string", "format": "uri-reference"}},
	}
}

// schemaGen derives JSON schemas from DTO types into components. types
// remembers which Go type made each schema, so that two types of one name
// cannot share a schema: the second would be documented as the first.
type schemaGen struct {
	schemas map[string]any
	types   map[string]reflect.Type
	sets    map[string][]string // closedSets
}

func (g schemaGen) schemaFor(t reflect.Type) any {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch {
	case t == dateTimeType || t == timeType:
		return map[string]any{"type": "string", "format": "date-time"}
	case t == reflect.TypeOf(csvBody{}):
		return map[string]any{"type": "string"}
	}
	switch t.Kind() {
	case reflect.String:
		return map[string]any{"type": "string"}
	case reflect.Bool:
		return map[string]any{"type": "boolean"}
	case reflect.Int, reflect.Int32, reflect.Int64, reflect.Uint64:
		return map[string]any{"type": "integer", "format": "int64"}
	case reflect.Float64, reflect.Float32:
		return map[string]any{"type": "number", "format": "double"}
	case reflect.Slice:
		return map[string]any{"type": "array", "items": g.schemaFor(t.Elem())}
	case reflect.Struct:
		name := schemaName(t)
		if other, ok := g.types[name]; ok && other != t {
			panic(fmt.Sprintf("openapi: schema %s would describe both %s and %s: name one in schemaNames", name, other, t))
		}
		g.types[name] = t
		if _, ok := g.schemas[name]; !ok {
			g.schemas[name] = map[string]any{} // guards recursion
			props := map[string]any{}
			required := []string{}
			for i := range t.NumField() {
				f := t.Field(i)
				tag := f.Tag.Get("json")
				fname, opts, _ := strings.Cut(tag, ",")
				if fname == "" || fname == "-" {
					continue
				}
				props[fname] = g.schemaFor(f.Type)
				if f.Tag.Get("nullable") == "true" {
					props[fname] = nullable(props[fname])
				}
				if !strings.Contains(opts, "omitempty") && f.Type.Kind() != reflect.Pointer {
					required = append(required, fname)
				}
			}
			schema := map[string]any{"type": "object", "properties": props, "required": required}
			describe(name, schema, g.sets)
			g.schemas[name] = schema
		}
		return ref(name)
	case reflect.Pointer:
		return g.schemaFor(t.Elem())
	case reflect.Map:
		return map[string]any{"type": "object", "additionalProperties": g.schemaFor(t.Elem())}
	case reflect.Interface:
		return map[string]any{} // any JSON value
	default:
		panic(fmt.Sprintf("openapi: no schema for Go type %s", t))
	}
}

// nullable is schema that also admits null: a field the API sends as null
// rather than leaving it out (tagged nullable:"true").
func nullable(schema any) any {
	m, ok := schema.(map[string]any)
	if !ok {
		return schema
	}
	if t, ok := m["type"].(string); ok {
		c := map[string]any{}
		for k, v := range m {
			c[k] = v
		}
		c["type"] = []any{t, "null"}
		return c
	}
	return map[string]any{"anyOf": []any{m, map[string]any{"type": "null"}}}
}

// schemaNames names the schemas of DTOs whose derived name another DTO
// already has.
var schemaNames = map[reflect.Type]string{
	// A cohort's mean change per competency and rater group; a
	// participant's own change (competencyChangeDTO, in the portfolio) is
	// CompetencyChange.
	reflect.TypeFor[competencyChange](): "CohortCompetencyChange",
}

// schemaName is a DTO's schema name: its Go name in UpperCamelCase, with
// the API's vocabulary (…Request and …DTO trimmed where clear), unless
// schemaNames names it.
func schemaName(t reflect.Type) string {
	if n, ok := schemaNames[t]; ok {
		return n
	}
	n := strings.TrimSuffix(t.Name(), "DTO")
	r := []rune(n)
	r[0] = unicode.ToUpper(r[0])
	return string(r)
}
