package theorems

// Decision is how a claim about a bracketed quantity was decided. Robust
// error is known only as a bracket lb ≤ robust error ≤ ub: lb from the
// strongest attacks (each success is a witness), ub = 1 − certified fraction
// (each certificate a proof). A claim is decided on the side that can prove
// it; a bracket that straddles the threshold decides nothing.
type Decision string

// The three outcomes of a bracketed claim.
const (
	Certified Decision = "certified"           // the proving side of the bracket settles the claim
	Refuted   Decision = "refuted (witness)"   // the other side of the bracket contradicts it
	Undecided Decision = "undecided (bracket)" // the bracket straddles the threshold (or is NaN)
)

// DecideAtMost decides the claim x ≤ max from lb ≤ x ≤ ub: certified when
// ub ≤ max, refuted when lb > max, undecided otherwise (NaN anywhere is
// undecided, never certified).
func DecideAtMost(lb, ub, max float64) Decision {
	switch {
	case ub <= max && lb <= ub:
		return Certified
	case lb > max && lb <= ub:
		return Refuted
	}
	return Undecided
}

// DecideAtLeast decides the claim x ≥ min from lb ≤ x ≤ ub: certified when
// lb ≥ min, refuted when ub < min, undecided otherwise (NaN anywhere is
// undecided).
func DecideAtLeast(lb, ub, min float64) Decision {
	switch {
	case lb >= min && lb <= ub:
		return Certified
	case ub < min && lb <= ub:
		return Refuted
	}
	return Undecided
}
