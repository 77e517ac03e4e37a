package theorems

// Started returns the number of distinct trainings the Lab holds (finished
// or running; a training cut short at a deadline is dropped, see Train):
// progress for long statement evaluations (cmd/hunt's replay prints it
// against the instance count of the file it replays).
func (l *Lab) Started() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.runs)
}
