package usecase

import (
	"strconv"
	"strings"

	"github.com/leerpad/leerpad/domain/impact"
)

// ImpactNoteTexts are the notes every impact response carries with its
// levels (Dutch first, then English).
type ImpactNoteTexts struct {
	Learning, Behaviour, Results string
}

// ImpactNotes are the notes of leerpad.impact/v1.
var ImpactNotes = ImpactNoteTexts{
	Learning: "Retrospectief (then-test): deelnemers scoren na de module waar ze vóór de module stonden; geen gemeten voormeting. / " +
		"Retrospective (then-test): participants rate after the module where they stood before it; not a measured pre-test.",
	Behaviour: "Betrouwbare verandering (reliablyImproved, reliablyDeteriorated, noReliableChange) rust op de interne consistentie van één beoordelaar en negeert verschillen tussen beoordelaars: de aantallen zijn indicatief. / " +
		"Reliable-change counts rest on the internal consistency of single raters and ignore disagreement between raters: they are indicative.",
	Results: "Beschrijvend: kerncijfers van de entiteit met de perioden van haar groepen gemarkeerd; geen causale schatting. / " +
		"Descriptive only: the entity's key figures with the periods of its cohorts marked; no causal estimate.",
}

// ImpactRows lays a population's impact out as CSV rows, as the API's and
// the pages' exports write it: the definition and
// the position first, then the population, then one section per level,
// each with its header row (its first cell "level"); every number as in
// the JSON (shortest exact decimal), a null as an empty cell.
func ImpactRows(v Impact, notes ImpactNoteTexts) [][]string {
	f := func(x float64) string { return strconv.FormatFloat(x, 'g', -1, 64) }
	pf := func(x *float64) string {
		if x == nil {
			return ""
		}
		return f(*x)
	}
	pi := func(x *int) string {
		if x == nil {
			return ""
		}
		return strconv.Itoa(*x)
	}
	iv := func(x *impact.Interval) []string {
		if x == nil {
			return []string{"", ""}
		}
		return []string{f(x.Lo), f(x.Hi)}
	}
	rows := [][]string{
		{"definition", v.Definition},
		{"position", strconv.FormatUint(v.Position, 10)},
		{"kind", string(v.Kind), "cohortId", v.CohortID, "programmeId", v.ProgrammeID, "entityId", v.EntityID, "moduleId", v.ModuleID},
		{"released", strconv.FormatBool(v.Released), "population", strconv.Itoa(v.Journeys), "k", strconv.Itoa(impact.K), "suppressedCells", strconv.Itoa(v.SuppressedCells)},
		{"levels", strings.Join(v.Levels, " ")},
		{"note", "learning", notes.Learning},
		{"note", "behaviour", notes.Behaviour},
		{"note", "results", notes.Results},
		{"level", "moduleId", "moduleVersion", "questionId", "n", "mean", "sd", "meanCiLo", "meanCiHi", "responseRate"},
	}
	for _, c := range v.Reaction {
		rows = append(rows, append(append([]string{"reaction", c.ModuleID, strconv.Itoa(c.ModuleVersion), c.QuestionID, strconv.Itoa(c.N), f(c.Mean), f(c.SD)},
			iv(c.MeanCI)...), pf(c.ResponseRate)))
	}
	rows = append(rows, []string{"level", "moduleId", "moduleVersion", "learningGoalId", "measure", "n", "meanBefore", "meanNow", "meanChange",
		"meanChangeCiLo", "meanChangeCiHi", "dz", "dzCiLo", "dzCiHi"})
	for _, c := range v.Learning {
		r := []string{"learning", c.ModuleID, strconv.Itoa(c.ModuleVersion), c.LearningGoalID, "retrospective", strconv.Itoa(c.N), f(c.MeanBefore), f(c.MeanNow), f(c.MeanChange)}
		r = append(append(append(r, iv(c.MeanChangeCI)...), pf(c.DZ)), iv(c.DZCI)...)
		rows = append(rows, r)
	}
	rows = append(rows, []string{"level", "competencyId", "name", "group", "n", "meanPre", "meanPost", "meanChange", "sdPre", "sdPost", "sdChange", "r",
		"meanChangeCiLo", "meanChangeCiHi", "t", "p", "dz", "dzCiLo", "dzCiHi", "dav", "davCiLo", "davCiHi", "gav", "reliability", "sdiff",
		"reliablyImproved", "reliablyDeteriorated", "noReliableChange"})
	for _, c := range v.Behaviour {
		r := []string{"behaviour", c.CompetencyID, c.Name, c.Group, strconv.Itoa(c.N), f(c.MeanPre), f(c.MeanPost), f(c.MeanChange), f(c.SDPre), f(c.SDPost),
			f(c.SDChange), pf(c.R)}
		r = append(append(r, iv(c.MeanChangeCI)...), pf(c.T), pf(c.P), pf(c.DZ))
		r = append(append(r, iv(c.DZCI)...), pf(c.DAV))
		r = append(append(r, iv(c.DAVCI)...), pf(c.GAV), pf(c.Reliability), pf(c.SDiff), pi(c.ReliablyImproved), pi(c.ReliablyDeteriorated), pi(c.NoReliableChange))
		rows = append(rows, r)
	}
	rows = append(rows, []string{"level", "learningGoalId", "n", "share"})
	for _, c := range v.Practice {
		rows = append(rows, []string{"practice", c.LearningGoalID, strconv.Itoa(c.N), f(c.Share)})
	}
	rows = append(rows, []string{"level", "entityId", "quarter", "absenteeismPct", "turnoverPct", "cohortIds"})
	for _, e := range v.Results {
		for _, q := range e.Quarters {
			rows = append(rows, []string{"results", e.EntityID, q.Quarter, pf(q.AbsenteeismPct), pf(q.TurnoverPct), strings.Join(q.CohortIDs, " ")})
		}
	}
	// Every row as wide as the widest, so that a reader that expects a
	// rectangle (most CSV libraries) reads it.
	width := 0
	for _, r := range rows {
		width = max(width, len(r))
	}
	for i, r := range rows {
		rows[i] = append(r, make([]string, width-len(r))...)
	}
	return rows
}
