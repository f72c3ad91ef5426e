package demo

import (
	"fmt"
	"slices"
)

// Person is one of the demo data set's people, as a demo sign-in lists
// them: their subject id (what a token of theirs carries) and a name for
// the list. The names are made up by the data set, like everything in it.
type Person struct {
	Subject string
	Name    string
	// JourneyID is the participant's journey in the running cohort; empty
	// for everyone else.
	JourneyID string
}

// People are the people of the running cohort by role, to sign in as on a
// demo: participants in progress (the Try-it participant first, see TryIt),
// their managers at the reference date, the cohort's trainers, and a
// programme office. Raters have no sign-in: they answer through the
// personal link a participant's nomination issues.
type People struct {
	Participants    []Person
	Managers        []Person
	Trainers        []Person
	ProgrammeOffice []Person
}

// demoParticipants is how many participants People lists at most.
const demoParticipants = 5

// ProgrammeOfficeID is the subject id of the demo's programme office for
// seed: the data set has no event naming one (the programme office acts on
// cohorts, not as a party of them), so it is a name-based id like every
// other id of the data set.
func ProgrammeOfficeID(seed uint64) string {
	n := &namer{scope: fmt.Sprintf("seed/%d/programme-office", seed)}
	return n.id("programme-office")
}

// PeopleOf returns the people of the data set of o (see People). It follows
// from the options alone and writes nothing.
func PeopleOf(o Options) (People, error) {
	if err := o.Validate(); err != nil {
		return People{}, err
	}
	return build(Services{}, o.withDefaults()).people, nil
}

// demoPeople lists the people of the running cohort: the participants in
// progress at the reference date ranked as the Try-it participant is chosen,
// each manager once.
func (b *cohortBuilder) demoPeople(seed uint64) People {
	var out People
	cands := make([]candidate, 0, len(b.people))
	for _, p := range b.people {
		if c := b.candidate(p); c.inProgress && c.manager != "" {
			cands = append(cands, c)
		}
	}
	// Best first; among equals the order of enrolment (a stable sort).
	slices.SortStableFunc(cands, func(x, y candidate) int { return y.score() - x.score() })
	managers := map[string]bool{}
	for _, c := range cands {
		if len(out.Participants) == demoParticipants {
			break
		}
		out.Participants = append(out.Participants, Person{Subject: c.p.id, Name: b.names[c.p.id], JourneyID: c.p.journeyID})
		if !managers[c.manager] {
			managers[c.manager] = true
			out.Managers = append(out.Managers, Person{Subject: c.manager, Name: b.names[c.manager]})
		}
	}
	for i, t := range b.trainers {
		out.Trainers = append(out.Trainers, Person{Subject: t, Name: fmt.Sprintf("Trainer %d", i+1)})
	}
	out.ProgrammeOffice = []Person{{Subject: ProgrammeOfficeID(seed), Name: "Programmabureau"}}
	return out
}
