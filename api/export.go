package api

import (
	"encoding/json"
	"net/http"

	"github.com/labstack/echo/v4"
	"github.com/leerpad/leerpad/domain/feedback"
	"github.com/leerpad/leerpad/domain/portfolio"
	"github.com/leerpad/leerpad/usecase"
)

// about explains a section of the export in Dutch and English, so that it
// is readable without Leerpad.
type about struct {
	NL string `json:"nl"`
	EN string `json:"en"`
}

// personalData is everything Leerpad holds of a person (GDPR art. 15 and
// 20): plain field names, ISO 8601 date-times, and an about text per section.
type personalData struct {
	Format     string   `json:"format"`
	PersonID   string   `json:"personId"`
	ExportedAt DateTime `json:"exportedAt"`
	About      about    `json:"about"`

	Enrolments exportEnrolments `json:"enrolments"`
	Journeys   exportJourneys   `json:"journeys"`
	AsRater    exportRated      `json:"asRater"`
	AsManager  exportManaged    `json:"asManager"`
	Erasure    *exportErasure   `json:"erasure,omitempty"`
}

type exportEnrolments struct {
	About about             `json:"about"`
	Items []exportEnrolment `json:"items"`
}

type exportEnrolment struct {
	CohortID    string    `json:"cohortId"`
	ProgrammeID string    `json:"programmeId"`
	JourneyID   string    `json:"journeyId"`
	Name        string    `json:"name"`
	Email       string    `json:"email"`
	EnrolledAt  DateTime  `json:"enrolledAt"`
	WithdrawnAt *DateTime `json:"withdrawnAt,omitempty"`
}

type exportJourneys struct {
	About about           `json:"about"`
	Items []exportJourney `json:"items"`
}

// exportJourney is one journey whole: the portfolio with every part, the
// learning plan with its SMART fields, the reason of a withdrawal, the
// history of sharing and who read the portfolio.
type exportJourney struct {
	Portfolio      portfolioResponse  `json:"portfolio"`
	LearningPlan   []learningPlanGoal `json:"learningPlan"`
	Withdrawal     *exportWithdrawal  `json:"withdrawal,omitempty"`
	SharingHistory []sharingChangeDTO `json:"sharingHistory"`
	Reads          []portfolioReadDTO `json:"reads"`
}

type exportWithdrawal struct {
	Reason string   `json:"reason,omitempty"`
	At     DateTime `json:"at"`
}

type exportRated struct {
	About           about         `json:"about"`
	AnswersWithheld bool          `json:"answersWithheld"`
	Items           []exportRound `json:"items"`
}

type exportRound struct {
	RoundID     string         `json:"roundId"`
	JourneyID   string         `json:"journeyId"`
	Group       string         `json:"group"`
	NominatedAt DateTime       `json:"nominatedAt"`
	AnsweredAt  *DateTime      `json:"answeredAt,omitempty"`
	Answers     []answerInput  `json:"answers,omitempty"`
	Comments    []commentInput `json:"comments,omitempty"`
}

type exportManaged struct {
	About           about    `json:"about"`
	Managed         []string `json:"managedJourneyIds"`
	FormerlyManaged []string `json:"formerlyManagedJourneyIds"`
}

type exportErasure struct {
	About   about           `json:"about"`
	Erasure erasureResponse `json:"record"`
}

// The about texts of the export.
var (
	aboutExport = about{
		NL: "Alles wat Leerpad over u bewaart (AVG art. 15 en 20). Data en tijden zijn ISO 8601 (RFC 3339) met tijdzone. Id's zijn willekeurige kenmerken (UUID's) die Leerpad gebruikt in plaats van namen.",
		EN: "Everything Leerpad holds about you (GDPR art. 15 and 20). Dates and times are ISO 8601 (RFC 3339) with a time zone. Ids are random identifiers (UUIDs) Leerpad uses instead of names.",
	}
	aboutEnrolments = about{
		NL: "De leergangen waarin u bent ingeschreven, met de naam en het e-mailadres waarmee het programmabureau u inschreef.",
		EN: "The cohorts you were enrolled in, with the name and e-mail address the programme office enrolled you with.",
	}
	aboutJourneys = about{
		NL: "Uw leertrajecten, elk volledig: het portfolio (tijdlijn, waarom en waarden, gedragskeuzes, leerdoelen, experimenten, reflecties, praktijkopdrachten, coaching, evaluaties, metingen, 360-resultaten per beoordelaarsgroep, modules, intervisie, ontwikkelgesprekken), het leerplan, de geschiedenis van wat u met uw leidinggevende deelde (sharingHistory) en wie uw portfolio las (reads: wie, wanneer, welke delen; nooit de inhoud). Afzonderlijke 360-antwoorden van anderen over u staan er niet in: die toont Leerpad aan niemand.",
		EN: "Your journeys, each whole: the portfolio (timeline, why and values, behaviour choices, learning goals, experiments, reflections, practice assignments, coaching, evaluations, measurements, 360 results per rater group, modules, intervision, development conversations), the learning plan, the history of what you shared with your manager (sharingHistory) and who read your portfolio (reads: who, when, which parts; never the content). Other raters' individual 360 answers about you are not in it: Leerpad shows them to nobody.",
	}
	aboutRated = about{
		NL: "De 360-feedbackrondes van anderen waarin u beoordelaar was: de groep, wanneer u werd voorgedragen en wat u antwoordde en schreef. Uw antwoorden staan er alleen in als u de export zelf opvraagt (answersWithheld is dan false); het programmabureau krijgt ze niet.",
		EN: "The 360 rounds of others you were a rater in: the group, when you were nominated and what you answered and wrote. Your answers are included only when you ask for the export yourself (answersWithheld is then false); the programme office does not get them.",
	}
	aboutManaged = about{
		NL: "De leertrajecten waarvan u de leidinggevende bent of was, alleen als kenmerk: de inhoud is van de deelnemer.",
		EN: "The journeys you manage or managed, as ids only: their content is the participant's.",
	}
	aboutErasure = about{
		NL: "U bent gewist: uw sleutel is verwijderd, zodat niets persoonlijks van u meer leesbaar is. Dit is het verslag daarvan; het bevat geen persoonsgegevens.",
		EN: "You were erased: your key was deleted, so nothing personal of yours can be read any more. This is its record; it holds no personal data.",
	}
)

// personalDataFormat names the export's format and version.
const personalDataFormat = "leerpad.personal-data/v1"

func personalDataOf(d usecase.PersonalData) personalData {
	out := personalData{Format: personalDataFormat, PersonID: d.PersonID, ExportedAt: dt(d.ExportedAt), About: aboutExport,
		Enrolments: exportEnrolments{About: aboutEnrolments, Items: []exportEnrolment{}},
		Journeys:   exportJourneys{About: aboutJourneys, Items: []exportJourney{}},
		AsRater:    exportRated{About: aboutRated, AnswersWithheld: d.AnswersWithheld, Items: []exportRound{}},
		AsManager:  exportManaged{About: aboutManaged, Managed: orEmpty(d.Managed), FormerlyManaged: orEmpty(d.FormerlyManaged)},
	}
	for _, e := range d.Enrolments {
		x := exportEnrolment{CohortID: e.CohortID, ProgrammeID: e.ProgrammeID, JourneyID: e.JourneyID, Name: e.Name, Email: e.Email, EnrolledAt: dt(e.EnrolledAt)}
		if !e.WithdrawnAt.IsZero() {
			t := dt(e.WithdrawnAt)
			x.WithdrawnAt = &t
		}
		out.Enrolments.Items = append(out.Enrolments.Items, x)
	}
	for _, j := range d.Journeys {
		v := j.Portfolio.View
		x := exportJourney{Portfolio: portfolioOf(j.Portfolio), SharingHistory: sharingChangesOf(j.SharingHistory), Reads: portfolioReadsOf(j.Reads),
			LearningPlan: mapAll(v.GoalDetails(), func(g portfolio.GoalDetail) learningPlanGoal { return goalOf(v.JourneyID, g) })}
		if v.Withdrawal != nil {
			x.Withdrawal = &exportWithdrawal{Reason: v.Withdrawal.Reason, At: dt(v.Withdrawal.At)}
		}
		out.Journeys.Items = append(out.Journeys.Items, x)
	}
	for _, r := range d.Rated {
		x := exportRound{RoundID: r.RoundID, JourneyID: r.JourneyID, Group: r.Group.String(), NominatedAt: dt(r.NominatedAt)}
		if r.Response != nil {
			t := dt(r.Response.At)
			x.AnsweredAt = &t
			x.Answers = mapAll(r.Response.Answers, func(a feedback.Answer) answerInput {
				return answerInput{ItemID: a.ItemID, Score: a.Score, NotObserved: a.NotObserved}
			})
			x.Comments = mapAll(r.Response.Comments, func(c feedback.Comment) commentInput {
				return commentInput{CompetencyID: c.CompetencyID, Text: c.Text}
			})
		}
		out.AsRater.Items = append(out.AsRater.Items, x)
	}
	if d.Erasure != nil {
		out.Erasure = &exportErasure{About: aboutErasure, Erasure: erasureOf(*d.Erasure)}
	}
	return out
}

// handlePersonalDataGet is GET /v1/people/{personId}/data: everything
// Leerpad holds of a person, as one JSON document readable without
// Leerpad; for the person themselves and the programme office.
func (s *Server) handlePersonalDataGet(c echo.Context) error {
	id, err := pathID(c, "personId")
	if err != nil {
		return err
	}
	min, err := minPosition(c)
	if err != nil {
		return err
	}
	p, _ := principalOf(c)
	ctx, cancel := s.readContext(c)
	defer cancel()
	d, err := s.app.ExportPersonalData(ctx, p, id, min)
	if err != nil {
		return err
	}
	h := c.Response().Header()
	h.Set("Cache-Control", "no-store")
	h.Set("Content-Disposition", `attachment; filename="leerpad-`+id+`.json"`)
	return c.JSON(http.StatusOK, personalDataOf(d))
}

// MarshalPersonalData writes an export as the API answers it, indented:
// for leerpad export, which goes through the same use case.
func MarshalPersonalData(d usecase.PersonalData) ([]byte, error) {
	return json.MarshalIndent(personalDataOf(d), "", "  ")
}
