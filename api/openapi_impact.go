package api

// The impact operations of the OpenAPI document (leerpad.impact/v2).

// tagImpact tags the impact measurement.
const tagImpact = "impact"

var impactParams = []oasParameter{
	{Name: "asOf", In: "query", Description: "A log position (a response's position, or a Leerpad-Position): the figures as of it, the same bytes whatever was written since. " +
		"A position the read model has not reached yet is waited for as with Leerpad-Min-Position (503 with Retry-After when it is not reached in time).",
		Schema: map[string]any{"type": "integer", "format": "int64", "minimum": 1}},
}

var entityImpactParams = append([]oasParameter{
	{Name: "programmeId", In: "query", Description: "Only the entity's cohorts of this programme; a cell is then shown only where its complement in the programme is 0 or at least k people.",
		Schema: map[string]any{"type": "string", "format": "uuid"}},
}, impactParams...)

const impactDescription = " Figures of released cohorts only (a cohort is released when the programme office closes its measurement; what it contributes is frozen then), " +
	"each cell shown only with at least k people behind it and only from cohorts with at least k people in it, so that no two answers differ by fewer than k people; " +
	"suppressed cells are counted, never described. Definitions: leerpad.impact/v2."

// impactOperations lists the impact routes of registerImpactRoutes.
func impactOperations() []operation {
	return []operation{
		{method: "GET", path: "/cohorts/{cohortId}/impact", id: "getCohortImpact", summary: "A cohort's impact (programme office, trainer)",
			description: "Every level for the programme office; reaction and behaviour for the cohort's trainers. released is false, without figures, until the cohort's measurement is closed." + impactDescription,
			tag:         tagImpact, query: impactParams, result: impactResponse{}, minPosition: true},
		{method: "GET", path: "/programmes/{programmeId}/impact", id: "getProgrammeImpact", summary: "A programme's impact (programme office)",
			description: "The union of the programme's released cohorts." + impactDescription, tag: tagImpact, query: impactParams, result: impactResponse{}, minPosition: true},
		{method: "GET", path: "/entities/{entityId}/impact", id: "getEntityImpact", summary: "An ordering entity's impact (programme office)",
			description: "The union of the entity's released cohorts, of one programme with programmeId." + impactDescription, tag: tagImpact, query: entityImpactParams, result: impactResponse{}, minPosition: true},
		{method: "GET", path: "/modules/{moduleId}/impact", id: "getModuleImpact", summary: "A module's reaction and learning per version (programme office)",
			description: "Levels 1 and 2 of the module per version, across every released cohort that delivered it, of every programme." + impactDescription,
			tag:         tagImpact, query: impactParams, result: impactResponse{}, minPosition: true},
		{method: "GET", path: "/cohorts/{cohortId}/exports/impact", id: "exportCohortImpact", summary: "A cohort's impact as CSV",
			description: "getCohortImpact as CSV (UTF-8; cells a spreadsheet would read as a formula are escaped): the definition and the position in its first lines, then one section per level.",
			tag:         tagImpact, query: append([]oasParameter{bomParam}, impactParams...), result: csvBody{}, minPosition: true},
		{method: "GET", path: "/programmes/{programmeId}/exports/impact", id: "exportProgrammeImpact", summary: "A programme's impact as CSV",
			description: "getProgrammeImpact as CSV, laid out as exportCohortImpact.", tag: tagImpact, query: append([]oasParameter{bomParam}, impactParams...), result: csvBody{}, minPosition: true},
		{method: "GET", path: "/modules/{moduleId}/exports/impact", id: "exportModuleImpact", summary: "A module's impact as CSV",
			description: "getModuleImpact as CSV, laid out as exportCohortImpact.", tag: tagImpact, query: append([]oasParameter{bomParam}, impactParams...), result: csvBody{}, minPosition: true},
		{method: "GET", path: "/entities/{entityId}/exports/impact", id: "exportEntityImpact", summary: "An ordering entity's impact as CSV",
			description: "getEntityImpact as CSV, laid out as exportCohortImpact.", tag: tagImpact, query: append([]oasParameter{bomParam}, entityImpactParams...), result: csvBody{}, minPosition: true},
	}
}

// impactSchemaDescriptions describe the schemas of the impact responses.
var impactSchemaDescriptions = map[string]string{
	"ImpactResponse": "A population's impact (leerpad.impact/v2) as of position: the released cohorts counted, how many journeys they contribute, the cells suppressed (counted only), and per level the cells shown to the reader (levels).",
	"ImpactNotes":    "How to read the levels: learning is retrospective (then-test), reliable-change counts are indicative, results are descriptive.",
	"Interval":       "A 95% interval [lo, hi].",
	"ReactionCell":   "Level 1: one question of the evaluations of a module version; responseRate is evaluations over participants who attended a delivery of the version.",
	"LearningCell":   "Level 2: one learning goal of a module version, rated retrospectively: where the participants stood before the module and where they stand now.",
	"BehaviourCell":  "Level 3: one competency and rater group (or the others composite), with every field of IMPACT.md section 2; null where a statistic is not defined.",
	"PracticeCell":   "Level 3, practice: of the n participants with a learning goal linked to a learning goal of the catalogue, the share with an experiment on it both tried and reflected on.",
	"EntityResults":  "Level 4: an ordering entity's key figures per quarter, descriptive only.",
	"Quarter":        "An entity's key figures of one quarter and the population's cohorts that ran in it.",
	"OwnChange":      "The participant's own change on a competency by one rater group, with their reliable-change index against their released cohort (rc, null until released or without an sdiff); shown to the participant alone.",
}
