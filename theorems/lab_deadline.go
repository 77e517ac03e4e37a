package theorems

import (
	"errors"
	"fmt"
	"time"
)

// ErrDeadline is the error every *DeadlineError matches (errors.Is): the
// Lab's deadline passed before the work it was asked for was complete.
var ErrDeadline = errors.New("theorems: the Lab's deadline passed")

// DeadlineError reports work the Lab abandoned at its deadline: a training
// refused (not Started) or stopped after Steps of at most MaxSteps
// updates, or a robust evaluation refused.
type DeadlineError struct {
	What            string // "training" or "robust evaluation"
	Started         bool   // a training was under way and stopped
	Steps, MaxSteps int
}

func (e *DeadlineError) Error() string {
	if e.Started {
		return fmt.Sprintf("%v: training stopped after %d of at most %d updates", ErrDeadline, e.Steps, e.MaxSteps)
	}
	return fmt.Sprintf("%v: %s not started", ErrDeadline, e.What)
}

// Is makes errors.Is(err, ErrDeadline) true.
func (e *DeadlineError) Is(target error) bool { return target == ErrDeadline }

// SetDeadline makes the Lab abandon work at t: trainings under way (started
// under this deadline) stop before their next update, and new trainings
// and robust evaluations are refused, with a *DeadlineError. Memoized
// results stay available past it. The zero time removes the deadline (the
// default). The deadline is the Lab's, shared by all its callers: a caller
// waiting on a training another started shares its fate. cmd/hunt, which
// evaluates one check at a time, sets one per check (its -check-time).
func (l *Lab) SetDeadline(t time.Time) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.deadline = t
}

// Stopped returns the number of trainings the Lab has cut short at a
// deadline so far (each was dropped from the memo).
func (l *Lab) Stopped() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.stopped
}

// expiredLocked reports whether the deadline has passed; l.mu is held.
func (l *Lab) expiredLocked() bool {
	return !l.deadline.IsZero() && !l.now().Before(l.deadline)
}

// stopLocked returns the stop function of a training started now: nil
// without a deadline, else true once the current deadline has passed (a
// training keeps the deadline it started under). l.mu is held; the
// returned function reads only its own copy and allocates nothing.
func (l *Lab) stopLocked() func() bool {
	if l.deadline.IsZero() {
		return nil
	}
	deadline, now := l.deadline, l.now
	return func() bool { return !now().Before(deadline) }
}
