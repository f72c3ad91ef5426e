package feedback

// Invariants of a round:
//   - a round is opened once, for an enrolled journey that is still active,
//     with a published instrument that is not retired;
//   - raters are nominated, approved, rejected and answer only while the round
//     is open; a closed round stays closed;
//   - a rater id is nominated once; a round has at most one self rater; a
//     rater other than self has a name and an e-mail address;
//   - where the programme asks for it, every rater but self needs the
//     approval of the manager the round was opened with before answering; only
//     that manager approves or rejects, and only a rater still awaiting a
//     decision;
//   - a rater answers once, every item of the instrument exactly once, each
//     with a point of the scale or as not observed;
//   - the participant's self-assessment nominates them as the self rater
//     (rater id = participant id) and records their answers in one decision:
//     both or neither, so refused answers leave no nomination behind;
//   - a rater link is issued only while the round is open, for a nominated
//     rater other than self (self answers with their own sign-in) who was
//     not rejected and has not answered yet, with a hex SHA-256 token hash
//     and an expiry after the issue; a link may be issued while approval is
//     pending, because the invitation goes out at nomination: approval is
//     checked when the rater answers. A later link of the same rater
//     replaces the earlier one.

import (
	"fmt"
	"time"

	"github.com/leerpad/leerpad/domain"
	"github.com/leerpad/leerpad/domain/journey"
)

// Errors of rounds.
var (
	ErrRoundExists         = fmt.Errorf("round already opened: %w", domain.ErrConflict)
	ErrRoundNotFound       = fmt.Errorf("round not opened: %w", domain.ErrNotFound)
	ErrRoundClosed         = fmt.Errorf("round is closed: %w", domain.ErrConflict)
	ErrRaterExists         = fmt.Errorf("rater already nominated: %w", domain.ErrConflict)
	ErrSecondSelfRater     = fmt.Errorf("a round has one self rater: %w", domain.ErrConflict)
	ErrRaterNotFound       = fmt.Errorf("rater not nominated in the round: %w", domain.ErrNotFound)
	ErrApprovalNotRequired = fmt.Errorf("the programme does not ask for rater approval: %w", domain.ErrConflict)
	ErrAlreadyDecided      = fmt.Errorf("rater already approved or rejected: %w", domain.ErrConflict)
	ErrNotTheManager       = fmt.Errorf("only the participant's manager decides on raters: %w", domain.ErrForbidden)
	ErrRaterNotApproved    = fmt.Errorf("rater not approved by the manager: %w", domain.ErrForbidden)
	ErrRaterRejected       = fmt.Errorf("rater rejected by the manager: %w", domain.ErrForbidden)
	ErrAlreadyAnswered     = fmt.Errorf("rater already answered: %w", domain.ErrConflict)
	ErrNoLinkForSelf       = fmt.Errorf("the self rater answers signed in, not through a link: %w", domain.ErrConflict)
	ErrNotTheParticipant   = fmt.Errorf("only the round's participant assesses themselves: %w", domain.ErrForbidden)
)

// OpenRound opens a 360 round for a journey.
type OpenRound struct {
	RoundID      string
	JourneyID    string
	InstrumentID string
	Kind         RoundKind
	At           time.Time
	domain.Envelope
}

// NominateRater nominates a rater for a round.
type NominateRater struct {
	RoundID string
	RaterID string
	Group   RaterGroup
	Name    string // required except for the self rater
	Email   string // required except for the self rater
	At      time.Time
	domain.Envelope
}

// ApproveRater approves a nominated rater.
type ApproveRater struct {
	RoundID   string
	RaterID   string
	ManagerID string // who approves: must be the journey's current manager
	At        time.Time
	domain.Envelope
}

// RejectRater turns a nominated rater down.
type RejectRater struct {
	RoundID   string
	RaterID   string
	ManagerID string // who rejects: must be the journey's current manager
	At        time.Time
	domain.Envelope
}

// SubmitResponse records a rater's answers.
type SubmitResponse struct {
	RoundID  string
	RaterID  string
	Answers  []Answer
	Comments []Comment
	At       time.Time
	domain.Envelope
}

// SubmitSelfAssessment records the participant's own answers as the rater
// group self. The first time it also nominates the participant as the self
// rater (rater id = participant id), in the same decision as the answers.
type SubmitSelfAssessment struct {
	RoundID       string
	ParticipantID string // who answers: must be the round's participant
	Answers       []Answer
	Comments      []Comment
	At            time.Time
	domain.Envelope
}

// IssueRaterLink records a personal link for a nominated rater: the hash of
// its token (never the token), valid until ExpiresAt. It replaces the rater's
// earlier link, whose hash then stops working.
type IssueRaterLink struct {
	RoundID   string
	RaterID   string
	TokenHash string // hex SHA-256 of the link's random token: 64 hex digits
	ExpiresAt time.Time
	At        time.Time
	domain.Envelope
}

// EraseRater records that a rater of the round was erased.
type EraseRater struct {
	RoundID   string
	RaterID   string
	ErasureID string
	At        time.Time
	domain.Envelope
}

// CloseRound closes a round.
type CloseRound struct {
	RoundID string
	At      time.Time
	domain.Envelope
}

type raterState int

const (
	awaiting raterState = iota // nominated, approval pending where required
	approved
	rejected
	answered
)

type rater struct {
	group       RaterGroup
	state       raterState
	erased      bool
	nominatedAt time.Time
	seq         int // the order of nomination
}

// Round is one 360 round of a journey. It knows who answered, never what.
type Round struct {
	id            string
	journeyID     string
	participantID string
	managerID     string
	instrumentID  string
	kind          RoundKind
	raterApproval bool
	openedAt      time.Time
	closed        bool
	closedAt      time.Time
	raters        map[string]*rater

	loaded  int
	changes []domain.Event
}

// ReplayRound rebuilds a round from its stream. With no events it returns a
// round that is yet to be opened.
func ReplayRound(events ...domain.Event) *Round {
	r := &Round{raters: map[string]*rater{}}
	for _, e := range events {
		r.apply(e)
	}
	r.loaded = len(events)
	return r
}

// ID returns the round's id.
func (r *Round) ID() string { return r.id }

// Version returns the number of events loaded from the stream.
func (r *Round) Version() int { return r.loaded }

// Uncommitted returns the events recorded since the round was loaded.
func (r *Round) Uncommitted() []domain.Event { return r.changes }

// CatchUp applies events stored after the ones the round was loaded from
// (another writer's), as Replay would have; nothing may be recorded yet.
func (r *Round) CatchUp(events ...domain.Event) {
	for _, e := range events {
		r.apply(e)
	}
	r.loaded += len(events)
}

// Committed marks the events recorded since the load as stored: the
// repository calls it after their append, so that the round can decide the
// next command without being loaded again.
func (r *Round) Committed() {
	r.loaded += len(r.changes)
	r.changes = nil
}

// JourneyID returns the journey the round belongs to.
func (r *Round) JourneyID() string { return r.journeyID }

// InstrumentID returns the instrument the round uses.
func (r *Round) InstrumentID() string { return r.instrumentID }

// Closed reports whether the round was closed.
func (r *Round) Closed() bool { return r.closed }

// Responses returns how many raters answered.
func (r *Round) Responses() int {
	n := 0
	for _, rt := range r.raters {
		if rt.state == answered {
			n++
		}
	}
	return n
}

// Open opens the round for journey j with instrument in; either is nil when
// it does not exist.
func (r *Round) Open(c OpenRound, j *journey.Journey, in *Instrument) error {
	ps := []*domain.FieldError{
		domain.RequireID("roundId", c.RoundID),
		domain.RequireID("journeyId", c.JourneyID),
		domain.RequireID("instrumentId", c.InstrumentID),
		domain.RequireTime("at", c.At),
	}
	if c.Kind.IsZero() {
		ps = append(ps, domain.Required("kind"))
	}
	if err := domain.Validate(ps...); err != nil {
		return fmt.Errorf("open round: %w", err)
	}
	if r.id != "" {
		return fmt.Errorf("open round %s: %w", c.RoundID, ErrRoundExists)
	}
	switch {
	case j == nil || j.ID() != c.JourneyID:
		return fmt.Errorf("open round for journey %s: %w", c.JourneyID, journey.ErrNotEnrolled)
	case j.Status() != journey.StatusActive:
		return fmt.Errorf("open round for journey %s: %w", c.JourneyID, journey.ErrJourneyClosed)
	case in == nil || in.ID() != c.InstrumentID:
		return fmt.Errorf("open round with instrument %s: %w", c.InstrumentID, ErrInstrumentNotFound)
	case in.Retired():
		return fmt.Errorf("open round with instrument %s: %w", c.InstrumentID, ErrInstrumentRetired)
	}
	r.record(RoundOpened{RoundID: c.RoundID, JourneyID: c.JourneyID, ParticipantID: j.ParticipantID(), ManagerID: j.ManagerID(),
		InstrumentID: c.InstrumentID, Kind: c.Kind, RaterApproval: j.RaterApproval(), At: c.At})
	return nil
}

// Nominate nominates a rater.
func (r *Round) Nominate(c NominateRater) error {
	ps := []*domain.FieldError{domain.RequireID("raterId", c.RaterID)}
	switch {
	case c.Group.IsZero():
		ps = append(ps, domain.Required("group"))
	case c.Group == GroupSelf:
		ps = append(ps, domain.OptionalLine("name", c.Name, domain.MaxTitle), domain.OptionalLine("email", c.Email, 254))
	default:
		ps = append(ps, domain.RequireLine("name", c.Name, domain.MaxTitle), domain.RequireEmail("email", c.Email))
	}
	if err := r.check("nominate rater", c.RoundID, c.At, ps...); err != nil {
		return err
	}
	if _, ok := r.raters[c.RaterID]; ok {
		return fmt.Errorf("nominate rater %s: %w", c.RaterID, ErrRaterExists)
	}
	if c.Group == GroupSelf {
		for _, rt := range r.raters {
			if rt.group == GroupSelf {
				return fmt.Errorf("nominate rater %s: %w", c.RaterID, ErrSecondSelfRater)
			}
		}
	}
	r.record(RaterNominated{RoundID: r.id, RaterID: c.RaterID, Group: c.Group, Name: c.Name, Email: c.Email, At: c.At})
	return nil
}

// Approve approves a nominated rater. j is the round's journey as it is
// now: its current manager decides, also after a change of manager while
// the round is open.
func (r *Round) Approve(c ApproveRater, j *journey.Journey) error {
	if err := r.decide("approve rater", c.RoundID, c.RaterID, c.ManagerID, j, c.At); err != nil {
		return err
	}
	r.record(RaterApproved{RoundID: r.id, RaterID: c.RaterID, ApprovedBy: c.ManagerID, At: c.At})
	return nil
}

// Reject turns a nominated rater down; j as for Approve.
func (r *Round) Reject(c RejectRater, j *journey.Journey) error {
	if err := r.decide("reject rater", c.RoundID, c.RaterID, c.ManagerID, j, c.At); err != nil {
		return err
	}
	r.record(RaterRejected{RoundID: r.id, RaterID: c.RaterID, RejectedBy: c.ManagerID, At: c.At})
	return nil
}

// currentManager is the manager of the round's journey now (j, when it is
// that journey), else the manager the round was opened with.
func (r *Round) currentManager(j *journey.Journey) string {
	if j != nil && j.ID() == r.journeyID && j.ManagerID() != "" {
		return j.ManagerID()
	}
	return r.managerID
}

func (r *Round) decide(doing, roundID, raterID, managerID string, j *journey.Journey, at time.Time) error {
	if err := r.check(doing, roundID, at, domain.RequireID("raterId", raterID), domain.RequireID("managerId", managerID)); err != nil {
		return err
	}
	rt, ok := r.raters[raterID]
	switch {
	case !r.raterApproval:
		return fmt.Errorf("%s %s: %w", doing, raterID, ErrApprovalNotRequired)
	case managerID != r.currentManager(j):
		return fmt.Errorf("%s %s: %w", doing, raterID, ErrNotTheManager)
	case !ok || rt.erased:
		return fmt.Errorf("%s %s: %w", doing, raterID, ErrRaterNotFound)
	case rt.state != awaiting || rt.group == GroupSelf:
		return fmt.Errorf("%s %s: %w", doing, raterID, ErrAlreadyDecided)
	}
	return nil
}

// SubmitResponse records a rater's answers to instrument in, the round's instrument.
func (r *Round) SubmitResponse(c SubmitResponse, in *Instrument) error {
	if err := r.check("submit response", c.RoundID, c.At, domain.RequireID("raterId", c.RaterID)); err != nil {
		return err
	}
	if in == nil || in.ID() != r.instrumentID {
		return fmt.Errorf("submit response: instrument %s: %w", r.instrumentID, ErrInstrumentNotFound)
	}
	if err := domain.Validate(in.checkAnswers(c.Answers, c.Comments)...); err != nil {
		return fmt.Errorf("submit response: %w", err)
	}
	rt, ok := r.raters[c.RaterID]
	switch {
	case !ok || rt.erased:
		return fmt.Errorf("submit response of %s: %w", c.RaterID, ErrRaterNotFound)
	case rt.state == answered:
		return fmt.Errorf("submit response of %s: %w", c.RaterID, ErrAlreadyAnswered)
	case rt.state == rejected:
		return fmt.Errorf("submit response of %s: %w", c.RaterID, ErrRaterRejected)
	case rt.state == awaiting && r.raterApproval && rt.group != GroupSelf:
		return fmt.Errorf("submit response of %s: %w", c.RaterID, ErrRaterNotApproved)
	}
	r.record(ResponseSubmitted{RoundID: r.id, RaterID: c.RaterID, ParticipantID: r.participantID, Group: rt.group, Answers: c.Answers, Comments: c.Comments, At: c.At})
	return nil
}

// SubmitSelfAssessment records the participant's own answers to instrument
// in, the round's instrument: it nominates the participant as the self rater
// unless they are already, then records the answers. Everything is checked
// before anything is recorded, so a refusal records neither.
func (r *Round) SubmitSelfAssessment(c SubmitSelfAssessment, in *Instrument) error {
	if err := r.check("submit self-assessment", c.RoundID, c.At, domain.RequireID("participantId", c.ParticipantID)); err != nil {
		return err
	}
	if c.ParticipantID != r.participantID {
		return fmt.Errorf("submit self-assessment of %s: %w", c.ParticipantID, ErrNotTheParticipant)
	}
	if in == nil || in.ID() != r.instrumentID {
		return fmt.Errorf("submit self-assessment: instrument %s: %w", r.instrumentID, ErrInstrumentNotFound)
	}
	if err := domain.Validate(in.checkAnswers(c.Answers, c.Comments)...); err != nil {
		return fmt.Errorf("submit self-assessment: %w", err)
	}
	rt, ok := r.raters[c.ParticipantID]
	switch {
	case ok && rt.group != GroupSelf:
		return fmt.Errorf("submit self-assessment of %s: nominated as %s: %w", c.ParticipantID, rt.group, ErrRaterExists)
	case ok && rt.state == answered:
		return fmt.Errorf("submit self-assessment of %s: %w", c.ParticipantID, ErrAlreadyAnswered)
	case !ok:
		for _, other := range r.raters {
			if other.group == GroupSelf {
				return fmt.Errorf("submit self-assessment of %s: %w", c.ParticipantID, ErrSecondSelfRater)
			}
		}
		r.record(RaterNominated{RoundID: r.id, RaterID: c.ParticipantID, Group: GroupSelf, At: c.At})
	}
	r.record(ResponseSubmitted{RoundID: r.id, RaterID: c.ParticipantID, ParticipantID: r.participantID, Group: GroupSelf, Answers: c.Answers, Comments: c.Comments, At: c.At})
	return nil
}

// IssueRaterLink issues a rater's link; see the invariants above.
func (r *Round) IssueRaterLink(c IssueRaterLink) error {
	ps := []*domain.FieldError{domain.RequireID("raterId", c.RaterID), requireTokenHash("tokenHash", c.TokenHash)}
	if p := domain.RequireTime("expiresAt", c.ExpiresAt); p != nil {
		ps = append(ps, p)
	} else if !c.At.IsZero() && !c.ExpiresAt.After(c.At) {
		ps = append(ps, domain.Invalid("expiresAt", "must be after the time of issue"))
	}
	if err := r.check("issue rater link", c.RoundID, c.At, ps...); err != nil {
		return err
	}
	rt, ok := r.raters[c.RaterID]
	switch {
	case !ok || rt.erased:
		return fmt.Errorf("issue rater link for %s: %w", c.RaterID, ErrRaterNotFound)
	case rt.group == GroupSelf:
		return fmt.Errorf("issue rater link for %s: %w", c.RaterID, ErrNoLinkForSelf)
	case rt.state == rejected:
		return fmt.Errorf("issue rater link for %s: %w", c.RaterID, ErrRaterRejected)
	case rt.state == answered:
		return fmt.Errorf("issue rater link for %s: %w", c.RaterID, ErrAlreadyAnswered)
	}
	r.record(RaterLinkIssued{RoundID: r.id, RaterID: c.RaterID, TokenHash: c.TokenHash, ExpiresAt: c.ExpiresAt, At: c.At})
	return nil
}

// requireTokenHash checks that s is a hex SHA-256: 64 lower-case hex digits.
func requireTokenHash(field, s string) *domain.FieldError {
	if s == "" {
		return domain.Required(field)
	}
	if len(s) != 64 {
		return domain.Invalid(field, "must be a SHA-256 in 64 hex digits")
	}
	for _, ch := range s {
		if (ch < '0' || ch > '9') && (ch < 'a' || ch > 'f') {
			return domain.Invalid(field, "must be a SHA-256 in 64 lower-case hex digits")
		}
	}
	return nil
}

// Close closes the round.
func (r *Round) EraseRater(c EraseRater) error {
	if err := domain.Validate(domain.RequireID("roundId", c.RoundID), domain.RequireID("raterId", c.RaterID),
		domain.RequireID("erasureId", c.ErasureID), domain.RequireTime("at", c.At)); err != nil {
		return fmt.Errorf("erase rater: %w", err)
	}
	rt, ok := r.raters[c.RaterID]
	switch {
	case r.id == "":
		return fmt.Errorf("erase rater: round %s: %w", c.RoundID, ErrRoundNotFound)
	case !ok:
		return fmt.Errorf("erase rater %s: %w", c.RaterID, ErrRaterNotFound)
	case rt.erased:
		return nil
	}
	r.record(RaterErased{RoundID: r.id, RaterID: c.RaterID, ErasureID: c.ErasureID, At: c.At})
	return nil
}

// Close closes the round.
func (r *Round) Close(c CloseRound) error {
	if err := r.check("close round", c.RoundID, c.At); err != nil {
		return err
	}
	r.record(RoundClosed{RoundID: r.id, At: c.At})
	return nil
}

// check validates the common fields and the command's own problems, then that
// the round is open.
func (r *Round) check(doing, roundID string, at time.Time, problems ...*domain.FieldError) error {
	ps := append([]*domain.FieldError{domain.RequireID("roundId", roundID), domain.RequireTime("at", at)}, problems...)
	if err := domain.Validate(ps...); err != nil {
		return fmt.Errorf("%s: %w", doing, err)
	}
	switch {
	case r.id == "":
		return fmt.Errorf("%s: round %s: %w", doing, roundID, ErrRoundNotFound)
	case r.closed:
		return fmt.Errorf("%s: round %s: %w", doing, r.id, ErrRoundClosed)
	}
	return nil
}

func (r *Round) record(e domain.Event) {
	r.changes = append(r.changes, e)
	r.apply(e)
}

func (r *Round) apply(e domain.Event) {
	switch e := e.(type) {
	case RoundOpened:
		r.id, r.journeyID, r.managerID, r.instrumentID, r.raterApproval = e.RoundID, e.JourneyID, e.ManagerID, e.InstrumentID, e.RaterApproval
		r.participantID, r.kind, r.openedAt = e.ParticipantID, e.Kind, e.At
	case RaterNominated:
		r.raters[e.RaterID] = &rater{group: e.Group, nominatedAt: e.At, seq: len(r.raters)}
	case RaterApproved:
		if rt, ok := r.raters[e.RaterID]; ok {
			rt.state = approved
		}
	case RaterRejected:
		if rt, ok := r.raters[e.RaterID]; ok {
			rt.state = rejected
		}
	case ResponseSubmitted:
		if rt, ok := r.raters[e.RaterID]; ok {
			rt.state = answered
		}
	case RoundClosed:
		r.closed, r.closedAt = true, e.At
	case RaterErased:
		if rt, ok := r.raters[e.RaterID]; ok {
			rt.erased = true
		}
	}
}
