package api

import (
	"github.com/leerpad/leerpad/domain/catalogue"
	"github.com/leerpad/leerpad/domain/cohort"
	"github.com/leerpad/leerpad/domain/feedback"
	"github.com/leerpad/leerpad/domain/journey"
	"github.com/leerpad/leerpad/domain/portfolio"
	"github.com/leerpad/leerpad/usecase"
)

// What the reflection in schemaFor cannot see in a DTO type: what the
// schema is for, and which string fields hold a closed set. Both are keyed
// by schema name; TestOpenAPISchemasAreDescribed fails when a schema has no
// description or a closed set names a property that does not exist.

// schemaDescriptions describes each schema derived from a DTO.
var schemaDescriptions = map[string]string{
	"AnswerInput":            "One item's answer: a score on the instrument's scale, or notObserved.",
	"AnswersRequest":         "A rater's or the participant's answers to a 360 round: every item of the instrument once, and optional comments.",
	"Assignment":             "A practice assignment given to the participant, and their hand-in when there is one.",
	"AssignmentCounts":       "How many practice assignments of the cohort were given, handed in and handed in on time.",
	"AssignmentRequest":      "A practice assignment a trainer gives, for a module, with an optional due date.",
	"AtRiskEntry":            "A participant of the cohort who has been inactive for a while: when they were last active and for how many days not.",
	"AttendanceResponse":     "A participant's attendance at a delivery, as recorded.",
	"AttendanceRequest":      "The attendance of one participant at a delivery.",
	"BehaviourChoice":        "What the participant chose to do with a behaviour of a competency.",
	"BehaviourChoiceRequest": "A behaviour of a competency and what the participant chooses to do with it.",
	"Cancellation":           "The cancellation of an order: an empty object.",
	"ChangeMeasurement":      "A cohort's behaviour change: per competency and rater group, the mean scores before and after, shown only for groups of at least minParticipants participants.",
	"ChoiceRevision":         "The new choice for a behaviour chosen before.",
	"Coaching":               "A coaching session a trainer held with the participant.",
	"CoachingRequest":        "A coaching session held with the participant: when, and optional notes.",
	"CohortDelivery":         "A delivery of a module version in the cohort; the version as it was made is read at moduleVersionHref.",
	"CohortList":             "A page of the cohorts the caller may read.",
	"CohortSummary":          "A cohort as listed: its programme, entity, title, dates, trainers and size (participants enrolled and not withdrawn).",
	"CohortCompetencyChange": "The cohort's mean change on one competency for one rater group: the means before and after, their difference and its standard deviation, over the participants with both.",
	"CohortRequest":          "A cohort to plan: its programme, ordering entity, title, trainers and dates.",
	"CohortResponse":         "A cohort as its stream holds it: what it was planned with, its size (participants enrolled and not withdrawn) and its deliveries.",
	"CommentInput":           "A free-text comment with the answers, optionally on one competency.",
	"CompetencyChange":       "The participant's own change on one competency for one rater group: the score of the first closed pre round, of the last closed post round, and the difference.",
	"CompetencyInput":        "A competency of a 360 instrument, with its items.",
	"CompetencyResult":       "The result of one competency in a closed 360 round, per rater group.",
	"CompletionRequest":      "The completion of a journey: an empty object.",
	"Conversation":           "A development conversation between the participant and their manager, and who confirmed it.",
	"ConversationList":       "The development conversations of a journey, in the order held.",
	"ConversationResponse":   "A development conversation: its record, who confirmed it, and the portfolio as it stood when it was held, with the parts the reader may see.",
	"ConversationRequest":    "A development conversation: when it was held (not revisable), the agreements and the questions for next time.",
	"DashboardResponse":      "The cohort dashboard: counts and means, no text a participant wrote.",
	"ExperimentWeek":         "A participant's experiments in one ISO week (Europe/Amsterdam): logged that week and tried that week.",
	"DeliveryAttendance":     "The attendance counts of one delivery.",
	"DeliveryResponse":       "A delivery of a module version in the cohort; the version as it was made is read at moduleVersionHref.",
	"DeliveryRequest":        "A delivery to schedule: a module version and when it runs.",
	"EmphasisRequest":        "A programme's emphasis on a theme.",
	"EnrolmentCounts":        "How many participants of the cohort are enrolled, active, completed and withdrawn, and the completion rate.",
	"EnrolmentEntry":         "A participant of the cohort and the state of their journey.",
	"EnrolmentList":          "A page of the cohort's participants.",
	"EnrolmentRequest":       "A participant to enrol, with their role and manager.",
	"EnrolmentResponse":      "A participant's enrolment in the cohort and how their journey stands; journeyId, role and managerId are absent while no journey is started.",
	"EnrolmentResult":        "The journey an enrolment started; href is the participant's enrolment.",
	"EnrolmentUploadResult":  "The journeys an enrolment upload started, in the order of its rows.",
	"EntityList":             "A page of the ordering entities.",
	"EntityRequest":          "An ordering entity to register.",
	"EntityResponse":         "An ordering entity with its orders.",
	"EntitySummary":          "An ordering entity with its orders, as listed.",
	"Evaluation":             "The participant's evaluation of a delivery they attended.",
	"LearningRatingRequest":  "The participant's level 2 ratings of a delivery they attended: per learning goal of the module version delivered, before (rated afterwards) and now.",
	"GoalRatingInput":        "A rating of one learning goal of the module version delivered: where the participant stood before the module (rated afterwards) and where they stand now, each 1 to 5.",
	"LearningRatingResponse": "The participant's level 2 ratings of a delivery, attached to the module version delivered.",
	"GoalRatingOutput":       "The rating of one learning goal: before (retrospective) and now, each 1 to 5.",
	"MeasurementClosure":     "The closure of a cohort's impact measurement: an empty object.",
	"KeyFiguresRequest":      "An ordering entity's key figures of a quarter: absenteeism and staff turnover, percentages from 0 to 100, at least one.",
	"QuarterFigures":         "An ordering entity's key figures of one quarter, as last recorded; a figure not given is absent.",
	"KeyFiguresSeries":       "An ordering entity's key figures, a quarter each, in the order of the quarters.",
	"EvaluationRequest":      "An evaluation of a delivery attended: a score per question and an optional comment.",
	"Experiment":             "An experiment of the participant: the intention and the steps taken so far.",
	"ExperimentRequest":      "An experiment to log for a learning goal: the intention and when it is planned.",
	"ExperimentStepRequest":  "The next step of an experiment; the fields that go with each step are in the operation's description.",
	"AwaitingRater":          "A rater awaiting the manager's decision, and where the decision is posted.",
	"FeedbackRoundList":      "The 360 rounds of a journey, in the order they were opened, as the caller may see them.",
	"FeedbackRoundState":     "A 360 round as the caller may see it: for the participant its raters with their approval and the responses counted per group (never who answered); for the manager only the raters awaiting their decision.",
	"GroupResponses":         "How many raters of a group were nominated (rejected ones included) and have answered.",
	"NominatedRater":         "A rater of a 360 round, their group, when nominated and their approval; not whether they answered.",
	"PendingRaterDecision":   "A rater awaiting the calling manager's decision: journey, participant, round, rater, group, since when, and where to post the decision.",
	"RaterDecisionList":      "The decisions on raters the calling manager has to take.",
	"FeedbackComment":        "An open comment of a rater group that reaches its anonymity threshold (self and manager always; peers, direct reports and others with at least 3 raters). It names no rater; a round's comments are ordered by group, competency and text, never by rater or time of writing.",
	"FeedbackRound":          "A 360 round of the participant, its report: the raters per group and, once closed, per competency and group the score and raters counted, the self-other gap with its flag, and the comments of the groups that may be shown.",
	"FormCompetency":         "A competency on the rater form, with its items.",
	"FormItem":               "An item on the rater form: what the rater scores.",
	"FormScale":              "The scale of the rater form.",
	"GroupRequest":           "The members of an intervision group: 4 to 6 active participants of the cohort.",
	"GroupResponse":          "An intervision group and its members.",
	"GroupResult":            "The result of one rater group on a competency; suppressed when too few raters answered.",
	"GroupRhythm":            "How often an intervision group met: its members, sessions and the days between them.",
	"HandInRequest":          "The hand-in of a practice assignment: the participant's reflection.",
	"InstrumentList":         "A page of the 360 instruments.",
	"InstrumentRequest":      "A 360 instrument to publish: its scale and its competencies with their items.",
	"InstrumentResponse":     "A 360 instrument as published.",
	"InstrumentSummary":      "A 360 instrument, summarised, as listed.",
	"SessionRequest":         "One meeting of an intervision group: when, the members who attended, the method, who brought in a case and its summary.",
	"SessionResponse":        "One meeting of an intervision group; the case summary only for the group's members.",
	"SessionList":            "The meetings of an intervision group by the day held, and whether the reader sees the case summaries.",
	"IntervisionRequest":     "An intervision session of the participant's group: when, the method, and the case when the participant brought one in.",
	"IntervisionVisit":       "An intervision session the participant attended.",
	"ItemInput":              "An item of a competency of a 360 instrument.",
	"JourneyList":            "A page of the caller's journeys.",
	"JourneySummary":         "A journey as its stream holds it.",
	"LearningGoal":           "A learning goal or question of the participant, with what is linked to it.",
	"LearningGoalRequest":    "A learning goal or question to formulate: what (text), how the participant will see it (successCriteria) and by when (dueOn), with the competencies and module goals it serves.",
	"LearningPlan":           "A journey's learning goals, in the order formulated.",
	"LearningPlanGoal":       "A learning goal of the plan: what, how the participant will see it and by when; open, achieved or dropped; its links; the experiments and practice assignments behind it.",
	"GoalExperiment":         "An experiment behind a learning goal: its step, and when the participant reflected on it.",
	"GoalAssignment":         "A practice assignment behind a learning goal (of a module the goal links to), and when it was handed in with a reflection.",
	"GoalRevision":           "A new wording of a learning goal: text, successCriteria and dueOn replace the ones before.",
	"GoalClosure":            "How a learning goal is closed: achieved or dropped, with an optional reflection.",
	"LinkRequest":            "A new link for a rater, with an optional expiry.",
	"ManagedJourney":         "A journey of a participant the caller manages, and the sections shared with the caller.",
	"ManagedJourneyList":     "A page of the journeys of the participants the caller manages.",
	"ManagerRequest":         "The participant's new manager.",
	"Measurement":            "The result of an instrument the participant took.",
	"MeasurementRequest":     "The result of an instrument the participant took, and when.",
	"ModuleContent":          "What a version of a module holds: title, theme, didactic forms, hours and learning goals.",
	"ModuleDelivery":         "A delivery of a module in the participant's cohort, their attendance and whether they evaluated it.",
	"ModuleEvaluationMean":   "The mean evaluation scores of a module's deliveries in the cohort.",
	"ModuleGoalContent":      "A learning goal of a module: the behaviour it aims at.",
	"ModuleList":             "A page of the catalogue's modules.",
	"ModuleRequest":          "A module's content, for the first version or the next, and why it changed.",
	"ModuleResponse":         "A module at its current version.",
	"ModuleVersionEntry":     "One version of a module as it was made, and why it was made (none for version 1).",
	"ModuleVersionList":      "Every version of a module, from version 1 to the current one.",
	"ModuleVersionResponse":  "One version of a module as it was made, and why it was made (none for version 1).",
	"ModuleSummary":          "A module at its current version, as listed.",
	"OrderEntry":             "An order of a module or programme by an entity.",
	"OrderRequest":           "An order to place: a module or programme on offer, and the seats.",
	"ParticipantActivity":    "A participant's activity in the cohort: counts and when they were last active.",
	"PortfolioResponse":      "A journey's portfolio with the parts the reader may see; parts lists which are present.",
	"ProgrammeList":          "A page of the programmes.",
	"ProgrammeModuleRequest": "A module to put into a programme, and its position.",
	"ProgrammeRequest":       "A programme to design: its code, title, modules in order and whether the manager approves 360 raters.",
	"ProgrammeResponse":      "A programme with its modules in order.",
	"ProgrammeSummary":       "A programme with its modules and emphases, as listed.",
	"QuestionMean":           "The mean score of one evaluation question.",
	"RaterCount":             "How many raters of one group were nominated and answered.",
	"RaterDecision":          "The manager's decision on a rater the participant nominated.",
	"RaterForm":              "The 360 answer form a rater link opens: the instrument's questions, and whether the round is closed.",
	"RaterLinkResponse":      "A rater's personal link: the token is in this response only.",
	"RaterRequest":           "A rater to nominate for a 360 round (not self: the participant answers as self with a self-assessment).",
	"ResourceRef":            "What a write recorded or changed: its id and where it is read.",
	"Retirement":             "The retirement of a module, programme or instrument: an empty object.",
	"RoundClosure":           "The closure of a 360 round: an empty object.",
	"RoundRequest":           "A 360 round to open: the instrument and the kind of round.",
	"ScaleInput":             "The scale of a 360 instrument: the number of points and optional labels.",
	"ScoreInput":             "A score on one evaluation question.",
	"ScoreOutput":            "A score on one evaluation question.",
	"SelfOtherGap":           "Self minus the others composite on a competency (the others: every shown group but self), and its flag by the blind-spot rule: blind-spot when self minus others is at least the round's gapThreshold (the participant rates themselves higher than others do), hidden-strength when others minus self is at least it; no flag when the difference is smaller, or when the composite rests on fewer than 3 raters. The threshold is 1 point on a 5-point scale by default (configurable), scaled by the scale's span, (points - 1) / 4, for other scales.",
	"SharedSectionResponse":  "Whether a section of the portfolio is shared with the manager now.",
	"SharedSections":         "The sections of the portfolio the participant shares with their manager.",
	"ThemeEmphasis":          "A programme's emphasis on one theme.",
	"Timeline":               "One entry of the portfolio's timeline: what happened, when, in which part.",
	"WhyAndValues":           "The participant's personal why and values.",
	"WhyAndValuesRequest":    "The participant's personal why and values.",
	"WithdrawalRequest":      "The withdrawal from a journey, with an optional reason.",
}

// closedSets returns the allowed values of each string property (or array
// of strings) that holds a closed set, by "Schema.property", from the
// domain's own lists.
func closedSets() map[string][]string {
	choices := names(journey.Choices())
	groups := names(feedback.RaterGroups())
	statuses := names(journey.Statuses())
	roles := names(journey.Roles())
	sections := names(journey.Sections())
	all := usecase.Parts()
	parts := make([]string, len(all))
	for i, p := range all {
		parts[i] = string(p)
	}
	var nominated []string // the rater groups one nominates: self answers by self-assessment
	for _, g := range feedback.RaterGroups() {
		if g != feedback.GroupSelf {
			nominated = append(nominated, g.String())
		}
	}
	var stepsAfterPlanning []string // the planned step is the experiment's logging
	for _, s := range journey.Steps() {
		if s != journey.StepPlanned {
			stepsAfterPlanning = append(stepsAfterPlanning, s.String())
		}
	}
	attendance := names(cohort.AttendanceStatuses())
	emphases := names(catalogue.Emphases())
	themes := names(catalogue.Themes())
	orderKinds := names(catalogue.OrderKinds())
	roundKinds := names(feedback.RoundKinds())
	goalKinds := names(journey.GoalKinds())
	measurementKinds := names(journey.MeasurementKinds())
	questions := names(journey.Questions())
	return map[string][]string{
		"AttendanceResponse.status":        attendance,
		"AttendanceRequest.status":         attendance,
		"BehaviourChoice.choice":           choices,
		"BehaviourChoiceRequest.choice":    choices,
		"ChoiceRevision.choice":            choices,
		"CohortCompetencyChange.group":     groups,
		"CompetencyChange.group":           groups,
		"Conversation.confirmedBy":         names(journey.Parties()),
		"ConversationResponse.confirmedBy": names(journey.Parties()),
		"SharedSectionResponse.section":    sections,
		"EmphasisRequest.emphasis":         emphases,
		"EnrolmentEntry.status":            statuses,
		"EnrolmentResponse.role":           roles,
		"EnrolmentResponse.status":         statuses,
		"EnrolmentRequest.role":            roles,
		"Experiment.step":                  names(journey.Steps()),
		"ExperimentStepRequest.step":       stepsAfterPlanning,
		"FeedbackRound.kind":               roundKinds,
		"GroupResult.group":                groups,
		"JourneySummary.role":              roles,
		"JourneySummary.sharedSections":    sections,
		"JourneySummary.status":            statuses,
		"LearningGoal.kind":                goalKinds,
		"LearningGoalRequest.kind":         goalKinds,
		"LearningPlanGoal.kind":            goalKinds,
		"LearningPlanGoal.state":           goalStates(),
		"GoalExperiment.step":              names(journey.Steps()),
		"GoalClosure.outcome":              names(journey.GoalOutcomes()),
		"ManagedJourney.sharedSections":    sections,
		"ManagedJourney.status":            statuses,
		"Measurement.kind":                 measurementKinds,
		"MeasurementRequest.kind":          measurementKinds,
		"ModuleContent.forms":              names(catalogue.DidacticForms()),
		"ModuleContent.theme":              themes,
		"ModuleDelivery.attendance":        attendance,
		"OrderEntry.kind":                  orderKinds,
		"OrderRequest.kind":                orderKinds,
		"ParticipantActivity.status":       statuses,
		"PortfolioResponse.parts":          parts,
		"PortfolioResponse.role":           roles,
		"PortfolioResponse.sharedSections": sections,
		"PortfolioResponse.status":         statuses,
		"QuestionMean.questionId":          questions,
		"RaterCount.group":                 groups,
		"FeedbackComment.group":            groups,
		"AwaitingRater.group":              groups,
		"FeedbackRoundState.kind":          roundKinds,
		"FeedbackRoundState.status":        {"open", "closed"},
		"GroupResponses.group":             groups,
		"NominatedRater.group":             groups,
		"NominatedRater.approval":          names(feedback.Approvals()),
		"PendingRaterDecision.group":       groups,
		"SelfOtherGap.flag":                names(portfolio.GapFlags()),
		"RaterDecision.decision":           {"approved", "rejected"},
		"RaterRequest.group":               nominated,
		"RoundRequest.kind":                roundKinds,
		"ScoreInput.questionId":            questions,
		"ScoreOutput.questionId":           questions,
		"SharedSections.sections":          sections,
		"ThemeEmphasis.emphasis":           emphases,
		"ThemeEmphasis.theme":              themes,
		"Timeline.part":                    parts,
	}
}

// describe adds to the derived schema of name its description and the
// enums of its closed sets.
func describe(name string, schema map[string]any, sets map[string][]string) {
	if d, ok := schemaDescriptions[name]; ok {
		schema["description"] = d
	}
	props, _ := schema["properties"].(map[string]any)
	for prop, p := range props {
		values, ok := sets[name+"."+prop]
		if !ok || len(values) == 0 {
			continue
		}
		ps := p.(map[string]any)
		if items, ok := ps["items"].(map[string]any); ok && ps["type"] == "array" {
			items["enum"] = values
			continue
		}
		ps["enum"] = values
	}
}
