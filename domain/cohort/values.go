package cohort

import "github.com/leerpad/leerpad/domain"

// AttendanceStatus is whether a participant was at a delivery.
type AttendanceStatus struct{ name string }

// The attendance statuses.
var (
	Present = AttendanceStatus{"present"}
	Absent  = AttendanceStatus{"absent"}
	Excused = AttendanceStatus{"excused"} // absent with a reason the trainer accepted
)

// AttendanceStatuses returns every attendance status.
func AttendanceStatuses() []AttendanceStatus { return []AttendanceStatus{Present, Absent, Excused} }

// ParseAttendanceStatus returns the status named s, or an ErrInvalid naming the allowed ones.
func ParseAttendanceStatus(s string) (AttendanceStatus, error) {
	return domain.ParseOneOf("status", s, AttendanceStatuses())
}

// String returns the stored name of the status.
func (s AttendanceStatus) String() string { return s.name }

// IsZero reports whether s is no status: attendance not recorded.
func (s AttendanceStatus) IsZero() bool { return s == AttendanceStatus{} }

// MarshalText stores the status by name.
func (s AttendanceStatus) MarshalText() ([]byte, error) { return []byte(s.name), nil }

// UnmarshalText reads a stored status name.
func (s *AttendanceStatus) UnmarshalText(b []byte) error {
	return domain.UnmarshalOneOf(s, "status", b, AttendanceStatuses())
}
