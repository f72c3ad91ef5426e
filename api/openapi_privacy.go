package api

import (
	"github.com/leerpad/leerpad/domain/access"
	"github.com/leerpad/leerpad/domain/feedback"
	"github.com/leerpad/leerpad/domain/journey"
	"github.com/leerpad/leerpad/domain/privacy"
	"github.com/leerpad/leerpad/usecase"
)

// privacyOperations lists the routes of registerPrivacyRoutes: erasure,
// export, the read audit, the sharing history and retention.
func privacyOperations() []operation {
	w := matchOptional
	return []operation{
		{method: "POST", path: "/people/{personId}/erasures", id: "createErasure", summary: "Erase a person (the person, programme office)",
			description: "Erases a participant, manager or rater: the person themselves, or the programme office on their request with a reason (subject-request, consent-withdrawn, objection, legal-obligation; retention is the schedule's) and optionally the case number of its own register as reference (no spaces: never a name or a sentence). The erasure is recorded without personal data, the person's key is deleted so that nothing personal of them can be read, every read model drops them (their journeys answer 404; a rater's name and comments go, the scores they counted in stay; a dashboard shows 'gewist' where they were, its counts stay). A manager who still manages a running journey is refused 409 until the programme office records a new manager; the ended journeys they manage lose their manager (it reads nothing of them any more). 201 the first time; a second erasure answers 200 with the same erasure and completes whatever the first left undone.",
			tag:         tagPrivacy, body: erasureRequest{}, success: 201, result: erasureResponse{}, match: w},
		{method: "GET", path: "/people/{personId}/erasures/{erasureId}", id: "getErasure", summary: "A person's erasure (the person, programme office)", description: "The record of the erasure: who asked, why, which roles the person held, when. No personal data.", tag: tagPrivacy, result: erasureResponse{}},
		{method: "GET", path: "/people/{personId}/data", id: "getPersonalData", summary: "Everything Leerpad holds of a person (the person, programme office)",
			description: "GDPR art. 15 and 20: one JSON document, readable without Leerpad (plain field names, ISO 8601 date-times, an about text per section in Dutch and English): enrolments with name and e-mail, every journey whole (portfolio, learning plan, sharing history, who read the portfolio), the 360 rounds they rated in (their own answers only when they ask themselves) and the journeys they manage. Other raters' individual answers about them are never in it.",
			tag:         tagPrivacy, result: personalData{}, minPosition: true},
		{method: "GET", path: "/journeys/{journeyId}/reads", id: "listPortfolioReads", summary: "Who read my portfolio (participant)", description: "Every read of the portfolio by someone other than the participant, oldest first: who, in which role, when, which parts and, for a read of the past, as of when. Never the content. Records older than the programme's read-audit retention have expired. The participant's only.", tag: tagPrivacy, result: portfolioReadList{}},
		{method: "GET", path: "/journeys/{journeyId}/sharing-history", id: "getSharingHistory", summary: "What I shared with my manager, change by change (participant)", description: "The history of consent, oldest first: each section shared (granted) or withdrawn (revoked), and each change of manager, which unshares everything (manager-changed; manager-erased when the manager of an ended journey was erased). A manager's portfolio as of a past moment shows only the sections shared then and still shared now.", tag: tagPrivacy, result: sharingHistory{}, minPosition: true},
		{method: "PUT", path: "/programmes/{programmeId}/retention", id: "putRetention", summary: "Set a programme's retention (programme office)", description: "How many days after a journey ended (completed or withdrawn) it is erased (default 730), and how many days a record of a portfolio read is kept (default 365), each 1 to 3650. The retention run (leerpad retention, or serve's schedule) erases a participant once every journey of theirs is due. Setting the policy it has records nothing.", tag: tagPrivacy, body: retentionRequest{}, result: resourceRef{}, match: w},
		{method: "GET", path: "/programmes/{programmeId}/retention", id: "getRetention", summary: "A programme's retention (programme office)", description: "The programme's retention policy, or the defaults (default true) while none was set; with its ETag once set.", tag: tagPrivacy, result: retentionResponse{}, etag: true},
	}
}

// privacySchemaDescriptions describes the schemas of the privacy routes
// (kept here, beside them, rather than in schemaDescriptions).
var privacySchemaDescriptions = map[string]string{
	"About":             "What a section of the export holds, in Dutch (nl) and English (en).",
	"ErasureRequest":    "Why a person is erased (required from the programme office) and the case number of the office's own register.",
	"ErasureResponse":   "A person's erasure as recorded: who asked, why, the roles they held and when; no personal data.",
	"ExportEnrolment":   "A cohort the person was enrolled in, with the name and e-mail address they were enrolled with.",
	"ExportEnrolments":  "The enrolments section of the export.",
	"ExportErasure":     "The erasure section of the export, present once the person was erased.",
	"ExportJourney":     "One journey of the person, whole: portfolio, learning plan, withdrawal, sharing history and reads.",
	"ExportJourneys":    "The journeys section of the export.",
	"ExportManaged":     "The journeys the person manages or managed, as ids.",
	"ExportRated":       "The 360 rounds of others the person rated in.",
	"ExportRound":       "A 360 round of another participant the person was a rater in, with their own answers and comments when they asked themselves.",
	"ExportWithdrawal":  "The withdrawal from a journey and its reason.",
	"PersonalData":      "Everything Leerpad holds of a person (GDPR art. 15 and 20), section by section, each with an about text.",
	"PortfolioRead":     "One read of the portfolio by someone other than the participant: who, in which role, when, which parts; never the content.",
	"PortfolioReadList": "Who read a journey's portfolio, oldest first.",
	"RetentionRequest":  "A programme's retention: days a journey is kept after it ended, and days a record of a portfolio read is kept.",
	"RetentionResponse": "A programme's retention policy, or the defaults.",
	"SharingChange":     "One change in what the participant shares with their manager: a section granted or revoked, or a change of manager.",
	"SharingHistory":    "What the participant shared with their manager, change by change, oldest first.",
}

// privacySets are the closed sets of the privacy schemas.
func privacySets() map[string][]string {
	reasons := names(privacy.Reasons())
	parts := make([]string, 0, len(usecase.Parts()))
	for _, p := range usecase.Parts() {
		parts = append(parts, string(p))
	}
	return map[string][]string{
		"ErasureRequest.reason":       reasons,
		"ErasureResponse.reason":      reasons,
		"ErasureResponse.roles":       names(privacy.PersonRoles()),
		"ErasureResponse.requestedBy": names(privacy.Requesters()),
		"SharingChange.change":        {"granted", "revoked", "manager-changed", "manager-erased"},
		"SharingChange.section":       names(journey.Sections()),
		"PortfolioRead.parts":         parts,
		"PortfolioRead.readerRole":    names(access.TokenRoles()),
		"ExportRound.group":           names(feedback.RaterGroups()),
	}
}

// addPrivacyTag describes the privacy tag and schemas; a repeated erasure
// answers 200 beside the 201 of the first.
func addPrivacyTag(d *oasDocument) {
	d.Tags = append(d.Tags, oasTag{Name: tagPrivacy, Description: "People in control of their data: erasure, export, who read a portfolio, the history of sharing, retention."})
	sets := privacySets()
	for name, desc := range privacySchemaDescriptions {
		if s, ok := d.Components.Schemas[name].(map[string]any); ok {
			describe(name, s, sets)
			s["description"] = desc
		}
	}
	if item := d.Paths["/people/{personId}/erasures"]; item != nil && item.Post != nil {
		r := item.Post.Responses["201"]
		again := oasResponse{Description: "The person was erased before: the same erasure.", Content: r.Content, Headers: map[string]any{}}
		for k, v := range r.Headers {
			again.Headers[k] = v
		}
		item.Post.Responses["200"] = again
	}
}
