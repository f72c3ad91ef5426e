package api

import "github.com/leerpad/leerpad/domain/catalogue"

// tagEntities tags the ordering entities and their orders.
const tagEntities = "entities"

// retiredParams are the query parameters of a list of things that retire.
var retiredParams = append([]oasParameter{{Name: "retired", In: "query",
	Description: "false lists only what is on offer, true only what was retired; without it, both.",
	Schema:      map[string]any{"type": "boolean"}}}, pageParams...)

// adminOperations lists the routes of registerOfferRoutes,
// registerEntityRoutes and registerIntervisionGroupRoutes: the programme
// office's (and the trainers') administration beyond resourceOperations.
func adminOperations() []operation {
	w := matchOptional
	return []operation{
		{method: "GET", path: "/modules", id: "listModules", summary: "The catalogue's modules", description: "Every module at its current version, in the order added.", tag: tagCatalogue, query: retiredParams, result: moduleList{}, minPosition: true},
		{method: "POST", path: "/modules/{moduleId}/retirements", id: "createModuleRetirement", summary: "Retire a module", description: "The module stays readable, with its versions; no programme or order takes it any more.", tag: tagCatalogue, body: retirement{}, success: 201, result: resourceRef{}, match: w},
		{method: "GET", path: "/programmes", id: "listProgrammes", summary: "The programmes", description: "Every programme with its modules in order and its emphasis on every theme, in the order designed.", tag: tagCatalogue, query: retiredParams, result: programmeList{}, minPosition: true},
		{method: "DELETE", path: "/programmes/{programmeId}/modules/{moduleId}", id: "deleteProgrammeModule", summary: "Take a module out of a programme", description: "A programme keeps at least one module: 409 for the last.", tag: tagCatalogue, result: resourceRef{}, match: w},
		{method: "PUT", path: "/programmes/{programmeId}/emphases/{theme}", id: "putProgrammeEmphasis", summary: "Set a programme's emphasis on a theme", description: "Setting the emphasis the theme already has records nothing.", tag: tagCatalogue, body: emphasisRequest{}, result: resourceRef{}, match: w},
		{method: "POST", path: "/programmes/{programmeId}/retirements", id: "createProgrammeRetirement", summary: "Retire a programme", description: "Cohorts planned from it run on; no new cohort or order takes it.", tag: tagCatalogue, body: retirement{}, success: 201, result: resourceRef{}, match: w},
		{method: "GET", path: "/instruments", id: "listInstruments", summary: "The 360 instruments", description: "Every instrument, summarised, in the order published.", tag: tagCatalogue, query: retiredParams, result: instrumentList{}, minPosition: true},
		{method: "GET", path: "/instruments/{instrumentId}", id: "getInstrument", summary: "A 360 instrument as published", description: "The instrument's scale and competencies with their items, with its ETag for If-Match.", tag: tagCatalogue, result: instrumentResponse{}, etag: true},
		{method: "POST", path: "/instruments/{instrumentId}/retirements", id: "createInstrumentRetirement", summary: "Retire a 360 instrument", description: "It opens no new rounds; rounds open with it run on.", tag: tagCatalogue, body: retirement{}, success: 201, result: resourceRef{}, match: w},

		{method: "GET", path: "/entities", id: "listEntities", summary: "The ordering entities", description: "Every entity with its orders (cancelled ones too), in the order registered.", tag: tagEntities, query: pageParams, result: entityList{}, minPosition: true},
		{method: "POST", path: "/entities", id: "createEntity", summary: "Register an ordering entity", description: "The programme office registers an organisation that orders modules and programmes.", tag: tagEntities, body: entityRequest{}, success: 201, result: resourceRef{}, match: w},
		{method: "GET", path: "/entities/{entityId}", id: "getEntity", summary: "An ordering entity with its orders", description: "The ordering entity with its orders, cancelled ones too, and its ETag for If-Match.", tag: tagEntities, result: entityResponse{}, etag: true},
		{method: "POST", path: "/entities/{entityId}/orders", id: "createOrder", summary: "Place an order of a module or programme", description: "The module or programme must be on offer (not retired).", tag: tagEntities, body: orderRequest{}, success: 201, result: resourceRef{}, match: w},
		{method: "GET", path: "/entities/{entityId}/orders/{orderId}", id: "getOrder", summary: "An order of an entity", description: "One order of the entity, with the entity's ETag for If-Match.", tag: tagEntities, result: orderEntry{}, etag: true},
		{method: "GET", path: "/entities/{entityId}/key-figures", id: "listKeyFigures", summary: "An ordering entity's key figures by quarter", description: "Level 4 of leerpad.impact/v1: the entity's absenteeism and staff turnover (percentages) per quarter recorded, in the order of the quarters, with the entity's ETag. Descriptive figures as the entity reported them; for the programme office.", tag: tagEntities, result: keyFiguresSeries{}, etag: true},
		{method: "GET", path: "/entities/{entityId}/key-figures/{quarter}", id: "getKeyFigures", summary: "An ordering entity's key figures of a quarter", description: "The figures recorded for the quarter, with the entity's ETag; 404 while none are recorded.", tag: tagEntities, result: quarterFigures{}, etag: true},
		{method: "PUT", path: "/entities/{entityId}/key-figures/{quarter}", id: "putKeyFigures", summary: "Record an ordering entity's key figures of a quarter", description: "The programme office records the entity's absenteeism and staff turnover of a quarter (YYYY-Qn, begun by now), each a percentage from 0 to 100, at least one. They replace what was recorded for the quarter (a figure left out is then unknown); the same figures again record nothing.", tag: tagEntities, body: keyFiguresRequest{}, result: resourceRef{}, match: w},
		{method: "POST", path: "/entities/{entityId}/orders/{orderId}/cancellations", id: "createOrderCancellation", summary: "Cancel an order, once", description: "The order is marked cancelled and stays listed with its entity; a second cancellation is refused 409.", tag: tagEntities, body: cancellation{}, success: 201, result: resourceRef{}, match: w},

		{method: "GET", path: "/cohorts/{cohortId}/intervision-groups/{groupId}", id: "getIntervisionGroup", summary: "An intervision group's members", description: "The group's members, with its ETag for If-Match.", tag: tagCohorts, result: groupResponse{}, etag: true},
		{method: "PUT", path: "/cohorts/{cohortId}/intervision-groups/{groupId}", id: "putIntervisionGroup", summary: "Re-form an intervision group", description: "4 to 6 active participants of the cohort, none in another group.", tag: tagCohorts, body: groupRequest{}, result: resourceRef{}, match: w},
		{method: "DELETE", path: "/cohorts/{cohortId}/intervision-groups/{groupId}", id: "deleteIntervisionGroup", summary: "Dissolve an intervision group", description: "The group is dissolved; its members may form another.", tag: tagCohorts, result: resourceRef{}, match: w},
		{method: "POST", path: "/cohorts/{cohortId}/intervision-groups/{groupId}/sessions", id: "createIntervisionGroupSession", summary: "Record a meeting of an intervision group (trainer, member)", description: "A trainer of the cohort or a member of the group records one meeting, once for the whole group: the day held (not in the future), the members who attended (at least two, all members of the group now), the method, and who brought in a case, with a short summary of it. The summary is confidential to the group.", tag: tagCohorts, body: sessionRequest{}, success: 201, result: resourceRef{}, match: w},
		{method: "GET", path: "/cohorts/{cohortId}/intervision-groups/{groupId}/sessions", id: "listIntervisionGroupSessions", summary: "The meetings of an intervision group (trainer, member)", description: "For the cohort's trainers and the group's members, by the day held: date, attendees, method and who brought in a case. The case summaries are shown to the group's members only (caseSummaryShown); intervision content is confidential to the group.", tag: tagCohorts, result: sessionList{}, etag: true},
		{method: "GET", path: "/cohorts/{cohortId}/intervision-groups/{groupId}/sessions/{sessionId}", id: "getIntervisionGroupSession", summary: "A meeting of an intervision group (trainer, member)", description: "One meeting, as the list shows it: the case summary for the group's members only.", tag: tagCohorts, result: sessionResponse{}, etag: true},
	}
}

// themeSchema is the schema of a {theme} path parameter.
func themeSchema() map[string]any {
	return map[string]any{"type": "string", "enum": names(catalogue.Themes())}
}
