package dedupe

import "strconv"

// String names the state for logs and metric labels.
func (s State) String() string {
	switch s {
	case Acquired:
		return "acquired"
	case Done:
		return "done"
	case Held:
		return "held"
	default:
		return "State(" + strconv.Itoa(int(s)) + ")"
	}
}
