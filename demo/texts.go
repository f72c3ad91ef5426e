package demo

// Text pools of the data set. Every person is invented; every e-mail address
// is at a reserved .example domain.

var firstNames = []string{
	"Anouk", "Bram", "Charlotte", "Daan", "Elif", "Femke", "Govert", "Hanna", "Ilias", "Jasper",
	"Karima", "Lotte", "Maarten", "Nadia", "Olivier", "Pieter", "Quinten", "Roos", "Sander", "Tess",
	"Umut", "Veerle", "Wouter", "Xander", "Yasmina", "Zoë", "Arne", "Bieke", "Cas", "Dounia",
	"Emma", "Floor", "Gijs", "Hélène", "Ines", "Joris", "Kobe", "Liesbeth", "Mehmet", "Noor",
	"Oona", "Ruben", "Sofie", "Thijs", "Wies", "Youssef", "Jana", "Lars", "Marieke", "Stijn",
}

var lastNames = []string{
	"Aerts", "Bakker", "Claes", "De Backer", "De Groot", "Dekker", "El Amrani", "Goossens", "Hendriks", "Jacobs",
	"Janssens", "Kaya", "Lambrecht", "Maes", "Mertens", "Meijer", "Mulder", "Nijs", "Peeters", "Postma",
	"Smits", "Timmermans", "Van Damme", "Van den Broeck", "Van der Linden", "Verbeke", "Vermeulen", "Visser", "Willems", "Wouters",
	"Yilmaz", "Bos", "Coppens", "De Smet", "Hermans", "Kuipers", "Lemmens", "Martens", "Pauwels", "Stevens",
}

var externalDomains = []string{"partnercity.example", "citizenpanel.example", "regionalnetwork.example", "consultancy.example"}

var whys = []string{
	"I want to make work a place where people grow, because I grew most where someone believed in me.",
	"Public service matters to me: I want citizens to feel that the government works for them, and my team to be proud of that.",
	"I lead because I like to connect people and ideas that would otherwise not meet.",
	"I want to create calm and clarity, so that my colleagues can do their best work.",
	"I took this role to show that you can be demanding and caring at the same time.",
	"What drives me is fairness: everyone in my team should get the same chances and the same honesty.",
	"I want to leave the organisation a little better than I found it, one good conversation at a time.",
	"I believe good policy comes from listening well, to colleagues and to the people it is for.",
}

var values = []string{
	"honesty", "care", "curiosity", "reliability", "courage", "fairness", "openness", "craftsmanship",
	"respect", "ownership", "connection", "learning", "service", "clarity", "trust", "humour",
}

// scenario is an experiment at work: intention, what was tried, outcome,
// reflection and next step.
type scenario struct{ intention, tried, outcome, reflection, next string }

// scenarios per competency (in the order of competencies).
var scenarios = [][]scenario{
	{ // self-awareness
		{"Ask two colleagues for feedback on how I chair the weekly meeting.",
			"Asked two colleagues after the meeting what helped and what did not.",
			"Both said I close discussions too early; one said the agenda was much clearer than before.",
			"I was surprised how easily they answered once I asked a specific question.",
			"Ask for feedback after every meeting this month, each time on one point."},
		{"Pause for a moment before I react when a deadline is at risk.",
			"Counted to five and asked a question before taking over a late report.",
			"The colleague came up with a solution herself; the report was one day late instead of three.",
			"My urge to take over is strong; pausing felt uncomfortable but worked.",
			"Keep a short log of moments when I want to take over and what I do instead."},
		{"Share a mistake I made with the team and what I learned from it.",
			"Told the team how I misjudged the planning of the last project.",
			"Two colleagues shared their own mistakes afterwards; the mood was open.",
			"Being vulnerable costs less than I feared and opens the conversation.",
			"Make a short lessons-learned round part of each project closure."},
	},
	{ // coaching
		{"Ask three open questions before I give advice in one-to-ones.",
			"Used three open questions in the one-to-one with a new employee.",
			"She came up with two options I had not thought of.",
			"Holding back my advice is hard; the questions gave her ownership.",
			"Try the same with an experienced employee who usually asks me for answers."},
		{"Agree a development goal with each employee.",
			"Held development conversations with three employees using the 5R model.",
			"Two clear goals agreed; the third conversation needs a follow-up.",
			"Giving room and direction at the same time takes preparation.",
			"Prepare the follow-up conversation with a question about what the employee needs from me."},
		{"Give specific appreciative feedback at least twice a week.",
			"Wrote down specific moments and gave feedback the same day.",
			"People reacted warmly; one asked for more feedback on his reports.",
			"Specific praise lands better than a general thank you.",
			"Add corrective feedback in the same specific way."},
	},
	{ // conversation
		{"Raise the late deliveries with a colleague this week instead of waiting.",
			"Had the conversation on Tuesday, using facts and asking for her view.",
			"She explained a workload problem I did not know about; we agreed on priorities.",
			"Waiting would have made it bigger; the facts kept it calm.",
			"Check in after two weeks on the agreed priorities."},
		{"Summarise what I heard before I respond in the team meeting.",
			"Summarised each point of view before giving mine in two meetings.",
			"Fewer repetitions; a colleague said she felt heard for the first time.",
			"Summarising slows me down in a good way.",
			"Ask a colleague to observe whether I keep doing it."},
		{"Explain the reasons behind the reorganisation decision to the team.",
			"Prepared a short explanation with the reasons and the open questions.",
			"The team still disagreed but accepted the decision better.",
			"People can live with a decision they understand.",
			"Do the same for the next budget decision."},
	},
	{ // leading the team
		{"Draft a team plan with three priorities together with the team.",
			"Organised a two-hour session where the team chose and worded the priorities.",
			"Three priorities agreed; one colleague remains sceptical.",
			"The team owns the plan more than any plan I wrote alone.",
			"Review the plan in the monthly team meeting."},
		{"Name tension in the team in the next team meeting.",
			"Named the tension between two sub-teams and asked what they needed.",
			"An uneasy silence, then a frank discussion; we agreed on a shared handover.",
			"Naming it was scarier than the conversation itself.",
			"Follow up individually with the two coordinators."},
		{"Involve the team in the planning of the summer period.",
			"Let the team make the summer roster themselves within clear limits.",
			"Roster ready in one week, with fewer complaints than last year.",
			"Clear limits make it easier to hand over a decision.",
			"Use the same approach for the division of the new tasks."},
	},
	{ // trust and inclusion
		{"Invite the quieter colleagues to speak before decisions.",
			"Did a round in which everyone spoke before we decided.",
			"A new idea came from a colleague who rarely speaks.",
			"The round takes time but improves decisions.",
			"Alternate between rounds and written input."},
		{"Keep every agreement I make this month, or renegotiate it in time.",
			"Kept a list of my agreements and checked it each Friday.",
			"Kept all but one, which I renegotiated in time.",
			"I make more agreements than I realised.",
			"Make fewer but clearer agreements."},
		{"Discuss a mistake openly to show mistakes may be made.",
			"Shared a wrong estimate of mine in the team meeting.",
			"A colleague later told me about a mistake of hers early, instead of hiding it.",
			"Safety starts with what I show myself.",
			"Ask the team what else makes it hard to speak up."},
	},
	{ // ownership
		{"Delegate one file completely, mandate included.",
			"Handed over the procurement file with a clear mandate and two check-in moments.",
			"The colleague took decisions I would have taken differently, but they worked.",
			"Letting go of the how is harder than letting go of the what.",
			"Delegate a second file with the same structure."},
		{"Give every agreement in one-to-ones an owner and a date.",
			"Ended each one-to-one by reading back owners and dates.",
			"Fewer loose ends after two weeks.",
			"A small habit with a clear effect.",
			"Apply it to the team meeting as well."},
		{"Set clear result expectations for the new project.",
			"Wrote down the expected result and discussed it with the project team.",
			"The team asked sharper questions about scope.",
			"Clarity up front saves discussions later.",
			"Check the expectations halfway the project."},
	},
	{ // political sensitivity
		{"Map the stakeholders before the next steering meeting.",
			"Made a stakeholder map with interests and influence for the steering meeting.",
			"I anticipated an objection from the finance department and prepared an answer.",
			"Preparing the political side made me calmer in the meeting.",
			"Share the map with my manager before the next meeting."},
		{"Build a relation with a counterpart in another organisation.",
			"Invited a counterpart from a partner agency for coffee without an agenda.",
			"We found a shared problem and agreed to meet monthly.",
			"Investing in relations before you need them pays off.",
			"Introduce a colleague from my team to the same counterpart."},
		{"Look for allies before proposing the new working method.",
			"Discussed the proposal with two influential colleagues beforehand.",
			"Both supported it in the meeting; the proposal was adopted.",
			"Coalitions are built before the meeting, not in it.",
			"Use the same approach for the next proposal to the board."},
	},
	{ // rules and systems
		{"Solve the open HR cases with my HR contact within a month.",
			"Scheduled a session with my HR contact and went through all open cases.",
			"Four of five cases solved; one needs legal advice.",
			"The systems work for me once I know whom to ask.",
			"Plan a quarterly session with HR and finance."},
		{"Check a data request against the privacy rules before sharing it.",
			"Asked the privacy officer to review the data request with me.",
			"We shared less data than asked, with a clear explanation.",
			"The rules protect people; explaining them helps the requester too.",
			"Share the checklist with the team."},
		{"Find out the intention behind the new approval procedure.",
			"Asked the owner of the procedure what problem it solves.",
			"Found a lighter way for small purchases within the same rules.",
			"Asking about the purpose opens room within the rules.",
			"Propose the lighter route to the department."},
	},
}

var handInReflections = []string{
	"Doing the assignment made me see how often I answer questions for others. The conversation went better than expected once I held back.",
	"I found it hard to find time for this, but the result gave me a clearer picture of what my team needs from me.",
	"The assignment confronted me with an old habit. I discussed it with my intervision group and got two useful tips.",
	"I learned that preparation makes the difference. Next time I will involve a colleague earlier.",
	"This went differently than planned: the situation changed halfway. Adapting was the real lesson.",
	"It took courage to do this in front of my team, and it paid off. I will repeat it next quarter.",
}

var intervisionMethods = []string{"incident method", "success analysis", "five-step problem solving", "Socratic dialogue", "balint method"}

var intervisionCases = []string{
	"An experienced employee ignores agreements and I hesitate to address it.",
	"My former peers now report to me and test the boundaries.",
	"The director asks me to push a decision my team does not support.",
	"A colleague on long-term sick leave is returning and the team is divided.",
	"Two partners in the project contradict each other and both expect my support.",
	"I take on too much work myself because delegating feels slower.",
	"A member of my team raised a complaint about social safety in another team.",
}

var coachingNotes = []string{
	"Worked on the pattern of taking over under pressure; agreed to try pausing and asking one question first.",
	"Explored the tension between loyalty to the team and to the management line.",
	"Prepared the development conversation with the manager; clarified what support to ask for.",
	"Discussed the 360 results; chose to focus on giving room instead of more control.",
	"Reflected on the first months in the role and on the energy it costs.",
	"",
}

var agreements = []string{
	"I focus on giving my employees more room in their files; my manager checks in monthly on how that goes.",
	"My manager involves me in the preparation of the next steering meeting.",
	"I take two days to work on the team plan with the team.",
	"We review the progress on my learning goals in our regular one-to-one every six weeks.",
	"I take part in the network meetings of the department to build relations.",
	"My manager gives me feedback after meetings in which I chair a difficult discussion.",
	"I hand over the coordination of the small procurement files to a colleague.",
}

var nextQuestions = []string{
	"How do I keep giving room when deadlines are tight?",
	"How do I build a network outside my own directorate?",
	"How do I lead a team that works mostly from home?",
	"How do I handle resistance from experienced colleagues?",
	"How do I make the team plan part of daily work?",
}

var evaluationComments = []string{
	"Very practical; I used the conversation model the next week.",
	"The exercises with real cases were the most valuable part.",
	"Too much theory on the second day; more practice please.",
	"The trainer created a safe atmosphere in which we could share real situations.",
	"Good content, but the online part was too long.",
	"Inspiring guest speaker; I would have liked more time for questions.",
	"The link with my daily work could be stronger.",
}

var raterComments = []string{
	"Listens well and gives people room; could be clearer about what is expected.",
	"Very reliable; sometimes takes on too much alone.",
	"Since the start of the programme I see more open questions in our meetings.",
	"Could involve the team earlier in decisions.",
	"Handles conflict calmly and fairly.",
	"Strong network outside the team; could share it more with colleagues.",
	"Gives specific and useful feedback.",
	"Under pressure, tends to go into the details of our work.",
}

var withdrawalReasons = []string{
	"Moved to a position in another organisation.",
	"Long-term leave; will join a later cohort.",
	"The workload in the team does not allow the time investment at the moment.",
	"Role changed: no longer leading a team.",
}

var conversationRevisions = []string{
	"My manager asked to make the agreement about delegating more specific: which files, and by when.",
	"We added the support my manager will give.",
}
