package report

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"

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
	protoJoint     = "joint certificate"
	protoJointCol  = "cert_joint"
	protoDeepCol   = "cert_deep"
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
// and, after "; ", "joint certificate" when the "eval" records
// "joint": true (the upper ends certified with the joint bounds as well as
// the interval bound; cell.Protocol.Joint), nothing when it does not (the
// interval bound alone, as every file written before it), then
// "; deep branch-and-bound (N nodes)" when it records "deep_nodes": N > 0
// (the points left undecided certified once more with N bound
// evaluations; cell.Protocol.DeepNodes).
//
// The CSV must agree: its column eval_cascade (written only when the
// cascade is on) is present, and 1, exactly when the sidecar says
// "cascade", and likewise its column cert_joint with "joint", and its
// column cert_deep is present exactly when "deep_nodes" is, with N in
// every row; otherwise a *ProtocolError.
func bracketProtocol(csv string, meta sweep.Meta, t *sweep.Table) (string, error) {
	label, cascade, joint, deep := protoUnrecord, false, false, 0
	if len(meta.Eval) > 0 {
		var p cell.Protocol
		dec := json.NewDecoder(bytes.NewReader(meta.Eval))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&p); err != nil {
			return "", &ProtocolError{Path: csv, Reason: fmt.Sprintf("sidecar \"eval\" %s is not an evaluation protocol: %v", meta.Eval, err)}
		}
		label, cascade, joint, deep = protoCheap, p.Cascade, p.Joint, p.DeepNodes
		if cascade {
			label = protoCascade
			if p.NoSignals {
				label = protoNoSignals
			}
		}
	}
	if err := agree(csv, t, protoEvalField, cascade, "the cascade"); err != nil {
		return "", err
	}
	if err := agree(csv, t, protoJointCol, joint, "the joint certificate"); err != nil {
		return "", err
	}
	if err := agreeDeep(csv, t, deep); err != nil {
		return "", err
	}
	if joint {
		label += "; " + protoJoint
	}
	if deep > 0 {
		label += fmt.Sprintf("; deep branch-and-bound (%d nodes)", deep)
	}
	return label, nil
}

// agree returns a *ProtocolError unless the CSV t has the flag column
// field, with 1 in every row, exactly when the sidecar records what
// (on).
func agree(csv string, t *sweep.Table, field string, on bool, what string) error {
	want := 0.0
	if on {
		want = 1
	}
	return agreeValue(csv, t, field, want, what, strings.TrimPrefix(what, "the "))
}

// agreeDeep returns a *ProtocolError unless the CSV t has the column
// cert_deep exactly when the sidecar records deep_nodes = deep > 0, with
// deep in every row.
func agreeDeep(csv string, t *sweep.Table, deep int) error {
	return agreeValue(csv, t, protoDeepCol, float64(deep), fmt.Sprintf("deep_nodes %d", deep), "deep_nodes")
}

// agreeValue returns a *ProtocolError unless the CSV t has the column
// field exactly when the sidecar records what (want ≠ 0), with want in
// every row; none names the setting in the message for a column the
// sidecar does not record.
func agreeValue(csv string, t *sweep.Table, field string, want float64, what, none string) error {
	col := t.Has(field)
	switch {
	case col && want != 0:
		for i, v := range t.Col(field) {
			if v != want {
				return &ProtocolError{Path: csv, Reason: fmt.Sprintf("row %d has %s = %g while the sidecar records %s", i+1, field, v, what)}
			}
		}
	case col:
		return &ProtocolError{Path: csv, Reason: fmt.Sprintf("the CSV has the column %s while the sidecar records no %s", field, none)}
	case want != 0:
		return &ProtocolError{Path: csv, Reason: fmt.Sprintf("the sidecar records %s while the CSV has no %s column", what, field)}
	}
	return nil
}
