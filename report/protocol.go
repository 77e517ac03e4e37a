package report

import (
	"bytes"
	"encoding/json"
	"fmt"

	"vitadv/model/cell"
	"vitadv/sweep"
)

// Labels of the evaluation protocol of a file's robust-error brackets
// (bracketProtocol).
const (
	protoCascade   = "cascade"
	protoNoSignals = "signal-free cascade"
	protoCheap     = "no cascade"
	protoUnrecord  = "no cascade: sidecar predates -eval-cascade"
	protoEvalField = "eval_cascade"
)

// ProtocolError reports a results file whose sidecar and CSV disagree on
// the evaluation protocol, or whose sidecar's "eval" is not a protocol.
type ProtocolError struct {
	Path, Reason string
}

func (e *ProtocolError) Error() string { return e.Path + ": " + e.Reason }

// bracketProtocol says, by one rule on the sidecar of the results file
// csv, whether its robust-error brackets used the cascade (the strong
// attack on the points the cheap attacks neither broke nor the
// certificate proved robust; cell.Protocol.Cascade, issue 18):
//
//	"cascade"     the sidecar's "eval" records "cascade": true
//	"signal-free cascade"
//	              it also records "no_signals": true (data without
//	              signal tokens, MNIST: no midpoint attack, no midpoint
//	              start; cell.Protocol.NoSignals)
//	"no cascade"  it records an "eval" without it
//	"no cascade: sidecar predates -eval-cascade"
//	              it has no "eval": written before the protocol was
//	              recorded, when the cascade had no flag and was off
//
// The CSV must agree: its column eval_cascade (written only when the
// cascade is on) is present, and 1, exactly when the sidecar says
// "cascade"; otherwise a *ProtocolError.
func bracketProtocol(csv string, meta sweep.Meta, t *sweep.Table) (string, error) {
	label, cascade := protoUnrecord, false
	if len(meta.Eval) > 0 {
		var p cell.Protocol
		dec := json.NewDecoder(bytes.NewReader(meta.Eval))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&p); err != nil {
			return "", &ProtocolError{Path: csv, Reason: fmt.Sprintf("sidecar \"eval\" %s is not an evaluation protocol: %v", meta.Eval, err)}
		}
		label, cascade = protoCheap, p.Cascade
		if cascade {
			label = protoCascade
			if p.NoSignals {
				label = protoNoSignals
			}
		}
	}
	col := t.Has(protoEvalField)
	switch {
	case col && cascade:
		for i, v := range t.Col(protoEvalField) {
			if v != 1 {
				return "", &ProtocolError{Path: csv, Reason: fmt.Sprintf("row %d has eval_cascade = %g while the sidecar records the cascade", i+1, v)}
			}
		}
	case col:
		return "", &ProtocolError{Path: csv, Reason: "the CSV has the column eval_cascade while the sidecar records no cascade"}
	case cascade:
		return "", &ProtocolError{Path: csv, Reason: "the sidecar records the cascade while the CSV has no eval_cascade column"}
	}
	return label, nil
}
