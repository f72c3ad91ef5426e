package demo

import "testing"

// TestPeopleOfNamesTheTryItParticipantFirst: the demo sign-in lists the
// Try-it participant first, with their manager, and every person once.
func TestPeopleOfNamesTheTryItParticipantFirst(t *testing.T) {
	o := Options{Seed: 1}
	people, err := PeopleOf(o)
	if err != nil {
		t.Fatal(err)
	}
	tryIt := build(Services{}, o.withDefaults()).report.TryIt
	if len(people.Participants) == 0 || people.Participants[0].Subject != tryIt.ParticipantID || people.Participants[0].JourneyID != tryIt.JourneyID {
		t.Fatalf("first participant %+v, want the Try-it participant %s", people.Participants, tryIt.ParticipantID)
	}
	if len(people.Managers) == 0 || people.Managers[0].Subject != tryIt.ManagerID {
		t.Fatalf("managers %+v, want %s first", people.Managers, tryIt.ManagerID)
	}
	seen := map[string]bool{}
	for _, ps := range [][]Person{people.Participants, people.Managers, people.Trainers, people.ProgrammeOffice} {
		if len(ps) == 0 {
			t.Fatalf("a role without people: %+v", people)
		}
		for _, p := range ps {
			if p.Name == "" || seen[p.Subject] {
				t.Fatalf("person %+v without a name or listed twice", p)
			}
			seen[p.Subject] = true
		}
	}
}
