package demo

import (
	"github.com/leerpad/leerpad/domain/catalogue"
	"github.com/leerpad/leerpad/domain/journey"
)

// The catalogue of the data set, written after the source documents in our
// own words: the programme for beginning managers (BLG), the one for
// coordinators without staff responsibility (SMEC), and a project-based
// masterclass in network leadership.

type moduleDef struct {
	title      string
	theme      catalogue.Theme
	forms      []catalogue.DidacticForm
	hours      float64
	goals      []string // learning goals: behaviour shown afterwards
	assignment string   // the practice assignment given in the module
	quality    float64  // how well deliveries of version 1 are received, 1 to 5
}

type programmeDef struct {
	code          string
	title         string
	role          journey.Role
	modules       []moduleDef
	emphasis      []catalogue.ThemeEmphasis
	raterApproval bool
	weeksApart    int // weeks between module deliveries
	measurements  []measurementDef
}

type measurementDef struct {
	kind       journey.MeasurementKind
	instrument string
	module     int // index of the module in which it is taken
	results    []string
}

var (
	group    = catalogue.FormGroupTraining
	online   = catalogue.FormOnline
	coaching = catalogue.FormCoaching
	intervis = catalogue.FormIntervision
	visit    = catalogue.FormStudyVisit
	project  = catalogue.FormProjectCase
)

func forms(f ...catalogue.DidacticForm) []catalogue.DidacticForm { return f }

var styleResults = []string{
	"Preferred style: coaching, with directing as a second style; delegating is used little.",
	"Preferred style: supporting; under pressure a shift towards directing.",
	"Preferred style: directing; coaching appears in one-to-one conversations only.",
	"Balanced profile with a slight preference for delegating.",
	"Preferred style: supporting and coaching; directing is avoided, even when the situation asks for it.",
}

var teamRoleResults = []string{
	"Primary team roles: implementer and completer-finisher; secondary: monitor evaluator.",
	"Primary team roles: coordinator and resource investigator; secondary: teamworker.",
	"Primary team roles: shaper and plant; secondary: implementer.",
	"Primary team roles: teamworker and coordinator; secondary: specialist.",
	"Primary team roles: monitor evaluator and specialist; secondary: completer-finisher.",
}

var skillsResults = []string{
	"Network skills: strong in connecting parties and framing shared goals; room to grow in handling conflicting mandates.",
	"Network skills: strong in process management; less at ease with political steering and accountability.",
	"Network skills: builds trust quickly; tends to take on the coordinating role alone instead of sharing it.",
	"Network skills: analytical about governance; invests little in informal relations with partners.",
}

var programmes = []programmeDef{
	{
		code:  "BLG",
		title: "Leadership programme for beginning managers",
		role:  journey.RoleBeginningManager,
		emphasis: []catalogue.ThemeEmphasis{
			{Theme: catalogue.ThemeSelf, Emphasis: catalogue.EmphasisStrong},
			{Theme: catalogue.ThemeOther, Emphasis: catalogue.EmphasisStrong},
			{Theme: catalogue.ThemeSystems, Emphasis: catalogue.EmphasisLight},
		},
		raterApproval: true,
		weeksApart:    5,
		measurements: []measurementDef{
			{journey.MeasurementLeadershipStyle, "Situational leadership style inventory", 0, styleResults},
			{journey.MeasurementTeamRole, "Team-role self-perception inventory", 2, teamRoleResults},
		},
		modules: []moduleDef{
			{
				title: "Me and myself: your strength as a leader", theme: catalogue.ThemeSelf,
				forms: forms(group, coaching, intervis), hours: 24, quality: 4.2,
				assignment: "Turn your 360 results into three behaviours to continue, develop, dose or let go",
				goals: []string{
					"Describes their own behaviour, drivers and patterns, and the effect these have on the people around them.",
					"Translates 360 feedback into concrete behaviour and development actions.",
					"Makes deliberate choices about which leadership behaviour to continue, develop, temper or let go.",
					"Knows their personal why and uses it to guide leadership choices.",
					"Shows leadership behaviour that is consistent and that others can rely on.",
				},
			},
			{
				title: "Me and my employee: an open working relationship", theme: catalogue.ThemeOther,
				forms: forms(group, online, coaching), hours: 20, quality: 3.5,
				assignment: "Hold a development conversation with one employee using the 5R model and reflect on it",
				goals: []string{
					"Holds open, purposeful conversations with employees, giving room, direction, accountability, result and relationship each their place.",
					"Chooses a coaching style that fits the employee and the situation.",
					"Creates a socially safe, inclusive climate in which employees feel heard and valued.",
					"Encourages ownership, growth and performance of employees.",
				},
			},
			{
				title: "Me and my team: the team as a strong base", theme: catalogue.ThemeTeam,
				forms: forms(group, intervis), hours: 20, quality: 4.0,
				assignment: "Draft a team plan with your team and describe one team dynamic you observed",
				goals: []string{
					"Steers the team on shared results with a team plan.",
					"Recognises team dynamics and intervenes on them.",
					"Builds trust and a team culture in which disagreement is productive.",
					"Takes diversity and inclusion into account when composing and leading the team.",
				},
			},
			{
				title: "Me and the systems: letting the systems work for you", theme: catalogue.ThemeSystems,
				forms: forms(online, group), hours: 12, quality: 3.4,
				assignment: "Map the HR, budget and procurement contacts you need and solve one open case with them",
				goals: []string{
					"Finds and applies the rules and systems for staff, budget and procurement.",
					"Handles privacy and open-government rules with care in daily decisions.",
					"Knows where to find support and expertise in the organisation.",
					"Organises hybrid work so that it serves the team's results and well-being.",
				},
			},
			{
				title: "Me and my environment: building a vital network", theme: catalogue.ThemeEnvironment,
				forms: forms(group, visit), hours: 16, quality: 4.1,
				assignment: "Make a stakeholder map of a current file and plan two conversations to strengthen a coalition",
				goals: []string{
					"Shows sensitivity to political and administrative relations in a complex field of forces.",
					"Uses networks, coalitions and alliances to move initiatives forward.",
					"Uses the public-leadership compass to position their own role.",
					"Deals constructively with resistance and counter-pressure.",
				},
			},
		},
	},
	{
		code:  "SMEC",
		title: "Leadership programme for coordinators without staff responsibility",
		role:  journey.RoleCoordinator,
		emphasis: []catalogue.ThemeEmphasis{
			{Theme: catalogue.ThemeEnvironment, Emphasis: catalogue.EmphasisStrong},
			{Theme: catalogue.ThemeTeam, Emphasis: catalogue.EmphasisStrong},
		},
		weeksApart: 5,
		measurements: []measurementDef{
			{journey.MeasurementTeamRole, "Team-role self-perception inventory", 0, teamRoleResults},
			{journey.MeasurementLeadershipStyle, "Situational leadership style inventory", 2, styleResults},
		},
		modules: []moduleDef{
			{
				title: "Me and myself: leading without a formal position", theme: catalogue.ThemeSelf,
				forms: forms(group, coaching, intervis), hours: 20, quality: 4.0,
				assignment: "Describe the impact you want to make as a coordinator and the path you choose towards it",
				goals: []string{
					"Describes their own behaviour, drivers and patterns, and their effect on colleagues.",
					"Translates feedback into concrete behaviour and development actions.",
					"Makes deliberate choices in the way they lead.",
					"Knows their personal why and acts on it.",
				},
			},
			{
				title: "Me and my environment: the political-administrative context", theme: catalogue.ThemeEnvironment,
				forms: forms(group, project), hours: 16, quality: 3.8,
				assignment: "Analyse the roles, interests and tensions around the running case and advise the case owner",
				goals: []string{
					"Shows sensitivity to political and administrative relations, as far as the role requires.",
					"Recognises roles, interests and tensions within government.",
					"Uses networks to build coalitions around a task.",
					"Understands how media and public pressure affect the work.",
				},
			},
			{
				title: "Developing the other", theme: catalogue.ThemeOther,
				forms: forms(group, coaching), hours: 20, quality: 4.4,
				assignment: "Coach a colleague from goal to doing and bring the recording of your practice with the actor",
				goals: []string{
					"Adapts leadership behaviour to the colleague and the situation.",
					"Holds different kinds of conversations effectively.",
					"Coaches on development and performance, from goal to doing.",
					"Uses communication styles flexibly and with purpose.",
				},
			},
			{
				title: "Me and the systems: processes that serve the purpose", theme: catalogue.ThemeSystems,
				forms: forms(online, group), hours: 10, quality: 3.3,
				assignment: "Rework the capacity planning of your team for the coming quarter, hybrid work included",
				goals: []string{
					"Knows the main processes and systems of the organisation.",
					"Uses systems to support coordination and collaboration.",
					"Keeps sight of the intention behind processes and rules.",
					"Plans capacity and hybrid work effectively.",
				},
			},
			{
				title: "Me and the team dynamics", theme: catalogue.ThemeTeam,
				forms: forms(group, intervis), hours: 16, quality: 4.1,
				assignment: "Observe an interaction pattern in your team and try one intervention on it",
				goals: []string{
					"Understands team roles and dynamics.",
					"Recognises and influences interaction patterns in the team.",
					"Builds trust and collaboration actively.",
					"Fosters an inclusive and safe team culture.",
				},
			},
		},
	},
	{
		code:  "MNL",
		title: "Masterclass network leadership",
		role:  journey.RoleSeniorManager,
		emphasis: []catalogue.ThemeEmphasis{
			{Theme: catalogue.ThemeEnvironment, Emphasis: catalogue.EmphasisStrong},
			{Theme: catalogue.ThemeOther, Emphasis: catalogue.EmphasisLight},
		},
		weeksApart: 4,
		measurements: []measurementDef{
			{journey.MeasurementSkills, "Network leadership skills scan", 5, skillsResults},
		},
		modules: []moduleDef{
			{
				title: "Choosing to work in networks", theme: catalogue.ThemeEnvironment,
				forms: forms(group, project), hours: 8, quality: 4.0,
				assignment: "Choose your project case and describe why a network suits (or does not suit) its goal",
				goals: []string{
					"Judges when a network is the right form of coordination and when it is not.",
					"Distinguishes forms of collaboration and what each asks of the partners.",
				},
			},
			{
				title: "Setting up and governing networks", theme: catalogue.ThemeSystems,
				forms: forms(group, project), hours: 8, quality: 3.9,
				assignment: "Describe the governance of your project case and where coordination types collide",
				goals: []string{
					"Designs a governance structure for a cross-cutting project, including the coordination of coordination.",
					"Frames a shared project so that partners can commit to it.",
				},
			},
			{
				title: "Strategy, process management and innovation", theme: catalogue.ThemeTeam,
				forms: forms(group, visit), hours: 12, quality: 4.3,
				assignment: "Interview two stakeholders of your case about their goals and where they meet",
				goals: []string{
					"Builds a shared vision and strategy with network partners.",
					"Keeps stakeholders motivated by investing in trust.",
				},
			},
			{
				title: "Monitoring, evaluation and accountability in networks", theme: catalogue.ThemeSystems,
				forms: forms(group, project), hours: 8, quality: 3.6,
				assignment: "Propose how your project case could monitor its progress and account for it",
				goals: []string{
					"Sets up monitoring, evaluation and accountability that fit a network.",
					"Divides tasks between partners in a way everyone can account for.",
				},
			},
			{
				title: "The network and the home organisation", theme: catalogue.ThemeEnvironment,
				forms: forms(group, project), hours: 8, quality: 3.9,
				assignment: "Name the tensions between the network's tasks and your own organisation's and how you handle them",
				goals: []string{
					"Organises the home organisation to take part in many networks.",
					"Handles dilemmas between network commitments and the organisation's own tasks.",
				},
			},
			{
				title: "Leadership in networks", theme: catalogue.ThemeSelf,
				forms: forms(group, coaching, project), hours: 12, quality: 4.5,
				assignment: "Present your improvement advice to the project coordinator of your case",
				goals: []string{
					"Reflects on their own leadership style and identity as a network leader.",
					"Takes up the leadership role that the context of the network asks for.",
				},
			},
		},
	},
}

// revision is the one module revised after a delivery: the evaluations of
// version 1 asked for more practice, so later cohorts get version 2.
var revision = struct {
	programme, module int
	reason            string
	extraGoal         string
	quality           float64
}{
	programme: 0, module: 1,
	reason:    "Evaluations of the first delivery asked for more practice: a half day with a training actor was added.",
	extraGoal: "Practises a difficult conversation with a training actor and adapts their approach to the response.",
	quality:   4.3,
}

type entityDef struct {
	name   string
	domain string // e-mail domain of its people (reserved .example names)
}

// The ordering entities: invented departments and agencies.
var entities = []entityDef{
	{"Agency for Waterways and Coastal Protection", "waterways.example"},
	{"Department of Digital Public Services", "digitalservices.example"},
	{"Regional Office for Spatial Planning and Heritage", "spatialplanning.example"},
	{"Agency for Work and Lifelong Learning", "worklearning.example"},
}

type competencyDef struct {
	name  string
	theme catalogue.Theme
	items []string
	// goals are learning goals participants formulate for the competency.
	goals []string
	// questions are learning questions participants formulate for it.
	questions []string
}

// The 360 instrument: eight competencies, thirty behaviour items.
var instrumentTitle = "Leadership behaviour 360"

var scaleLabels = []string{"never", "rarely", "sometimes", "often", "always"}

var competencies = []competencyDef{
	{
		name: "Self-awareness and reflection", theme: catalogue.ThemeSelf,
		items: []string{
			"Asks others for feedback on their own behaviour.",
			"Names their own mistakes and what they learned from them.",
			"Stays calm and focused under pressure.",
			"Acts in line with the values they express.",
		},
		goals: []string{
			"By the end of the programme I ask at least two colleagues a month for feedback on one concrete behaviour.",
			"I notice when stress makes me take over, and I pause before I act.",
		},
		questions: []string{
			"How do I keep my own patterns in view when the pressure rises?",
		},
	},
	{
		name: "Coaching and developing others", theme: catalogue.ThemeOther,
		items: []string{
			"Asks open questions before giving advice.",
			"Agrees development goals with employees.",
			"Gives specific feedback, both appreciative and corrective.",
			"Gives people room to solve problems themselves.",
		},
		goals: []string{
			"In every one-to-one I ask at least three open questions before I give my view.",
			"Each employee has a development goal agreed with me before the summer.",
		},
		questions: []string{
			"How do I give room to solve problems without dropping people in it?",
		},
	},
	{
		name: "Conversation and communication", theme: catalogue.ThemeOther,
		items: []string{
			"Listens without interrupting and checks understanding.",
			"Explains decisions and the reasons behind them.",
			"Raises difficult issues in time.",
			"Adapts their message to the audience.",
		},
		goals: []string{
			"I raise a difficult issue within a week instead of waiting for the annual review.",
			"In meetings I summarise what I heard before I respond.",
		},
		questions: []string{
			"What keeps me from starting the difficult conversation, and what helps me start it?",
		},
	},
	{
		name: "Leading the team", theme: catalogue.ThemeTeam,
		items: []string{
			"Translates goals into clear team priorities.",
			"Involves the team in decisions that affect them.",
			"Addresses conflict in the team openly.",
			"Celebrates results together with the team.",
		},
		goals: []string{
			"Together with the team I draft a team plan with three priorities and review it every month.",
			"When tension arises in the team I name it in the next team meeting.",
		},
		questions: []string{
			"How do I involve the team in decisions without losing speed?",
		},
	},
	{
		name: "Trust and inclusion", theme: catalogue.ThemeTeam,
		items: []string{
			"Makes sure every voice in a meeting is heard.",
			"Treats people fairly, whatever their background.",
			"Keeps agreements.",
			"Leaves room to make mistakes.",
		},
		goals: []string{
			"In team meetings I invite the quieter colleagues to speak before a decision is taken.",
			"I discuss a mistake of my own in the team to show that mistakes may be made.",
		},
		questions: []string{
			"Whose perspective is missing when my team decides, and how do I bring it in?",
		},
	},
	{
		name: "Ownership and results", theme: catalogue.ThemeOther,
		items: []string{
			"Sets clear expectations about results.",
			"Follows up on agreements.",
			"Delegates responsibility along with the task.",
		},
		goals: []string{
			"I delegate two files completely, mandate included, and follow up only at agreed moments.",
			"Every agreement in my one-to-ones has an owner and a date.",
		},
		questions: []string{
			"Where do I keep responsibility that belongs to others?",
		},
	},
	{
		name: "Political and administrative sensitivity", theme: catalogue.ThemeEnvironment,
		items: []string{
			"Anticipates how stakeholders will react.",
			"Builds relations across organisational boundaries.",
			"Places the team's work in the wider policy context.",
			"Seeks allies to move initiatives forward.",
		},
		goals: []string{
			"Before each steering meeting I map the stakeholders and their interests.",
			"I build a relation with two counterparts outside my own organisation this half year.",
		},
		questions: []string{
			"How do I read the political side of a file without losing my professional judgement?",
		},
	},
	{
		name: "Working with rules and systems", theme: catalogue.ThemeSystems,
		items: []string{
			"Finds their way in staff, budget and procurement procedures.",
			"Applies privacy and transparency rules with care.",
			"Uses procedures to serve the purpose rather than the other way round.",
		},
		goals: []string{
			"I know my contact for HR, budget and procurement and solve open cases with them within a month.",
		},
		questions: []string{
			"When does a procedure help my team, and when does it get in the way of the purpose?",
		},
	},
}
