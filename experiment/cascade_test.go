package experiment

import (
	"slices"
	"testing"

	"vitadv/model/cell"
)

// TestCascadeProtocol: Setup.Cascade reaches every cell's evaluation
// protocol (Spec.Eval.Cascade), the job's sidecar protocol (Job.Eval) and
// the CSV (column eval_cascade = 1, after apgd_steps); without it the
// columns are those of the files written before the cascade existed. The
// ci τ sweep and adversarial phase diagram evaluate with it (issue 18:
// the committed ci brackets use the strong protocol), and so do the
// smoke preset's (CI compares its CSVs across kernel paths); the clean
// phase diagram, the dynamics, MNIST and the paper preset do not. MNIST
// with the cascade validates and evaluates with the signal-free cascade
// (cell.Protocol{Cascade, NoSignals}, APGD of the setup) and adds the
// columns apgd_steps and eval_cascade after its own; without it, the
// PGD alone and the columns of the committed files.
func TestCascadeProtocol(t *testing.T) {
	for _, on := range []bool{false, true} {
		c := TauPreset(Smoke)
		c.Cascade = on
		job := c.Job("x")
		if p, ok := job.Eval.(cell.Protocol); !ok || p.Cascade != on {
			t.Errorf("cascade %v: Job.Eval = %#v", on, job.Eval)
		}
		spec := c.Spec(c.Data(c.N, c.MuFor(c.N, c.C)), 0.1, 1)
		if spec.Eval.Cascade != on {
			t.Errorf("cascade %v: Spec.Eval.Cascade = %v", on, spec.Eval.Cascade)
		}
		k := slices.Index(job.Params, "eval_cascade")
		if (k >= 0) != on {
			t.Fatalf("cascade %v: columns %v", on, job.Params)
		}
		if on {
			if job.Params[k-1] != "apgd_steps" {
				t.Errorf("eval_cascade after %s, want after apgd_steps", job.Params[k-1])
			}
			for _, cl := range job.Cells {
				if cl.Param[k] != "1" {
					t.Errorf("cell %d: eval_cascade = %s, want 1", cl.Index, cl.Param[k])
				}
			}
		} else if !slices.Equal(job.Params[len(gridParams):len(gridParams)+len(setupParams)], setupParams) {
			t.Errorf("without the cascade the columns changed: %v", job.Params)
		}
	}
	for _, c := range []struct {
		name string
		got  bool
		want bool
	}{
		{"ci tau", TauPreset(CI).Cascade, true},
		{"ci phase AT", PhasePreset(CI, 0.1).Cascade, true},
		{"ci phase clean", PhasePreset(CI, 0).Cascade, false},
		{"ci dynamics", DynamicsPreset(CI).Cascade, false},
		{"ci mnist", MNISTPreset(CI).Cascade, false},
		{"paper tau", TauPreset(Paper).Cascade, false},
		{"smoke tau", TauPreset(Smoke).Cascade, true},
		{"smoke phase AT", PhasePreset(Smoke, 0.25).Cascade, true},
		{"paper phase AT", PhasePreset(Paper, 0.1).Cascade, false},
	} {
		if c.got != c.want {
			t.Errorf("%s: Cascade = %v, want %v", c.name, c.got, c.want)
		}
	}
	m := MNISTPreset(Smoke)
	if p := m.protocol(); !p.PGDOnly || p.Cascade || p.NoSignals {
		t.Errorf("mnist without the cascade: protocol %+v, want the PGD alone", p)
	}
	if !slices.Equal(m.paramNames(), mnistParams) {
		t.Errorf("mnist without the cascade: columns %v, want %v", m.paramNames(), mnistParams)
	}
	m.Cascade = true
	if err := m.Validate(); err != nil {
		t.Errorf("mnist with the cascade: Validate() = %v, want nil", err)
	}
	want := cell.Protocol{PGDSteps: m.EvalSteps, PGDRestarts: m.EvalRestarts, APGDSteps: m.APGDSteps, Cascade: true, NoSignals: true}
	if p := m.protocol(); p != want {
		t.Errorf("mnist with the cascade: protocol %+v, want %+v", p, want)
	}
	if got := m.paramNames(); !slices.Equal(got, slices.Concat(mnistParams, []string{"apgd_steps", "eval_cascade"})) {
		t.Errorf("mnist with the cascade: columns %v", got)
	}
}

// TestJointProtocol: Setup.Joint reaches every cell's evaluation protocol
// (Spec.Eval.Joint), the job's sidecar protocol (Job.Eval) and the CSV
// (column cert_joint = 1, last); without it the columns are those of the
// files written before it existed. The presets that evaluate with the
// cascade certify with the joint bounds (the committed ci files), the
// others do not; MNIST with Joint certifies with them and adds the column
// after its own (and after the cascade's).
func TestJointProtocol(t *testing.T) {
	for _, on := range []bool{false, true} {
		c := TauPreset(Smoke)
		c.Joint = on
		job := c.Job("x")
		if p, ok := job.Eval.(cell.Protocol); !ok || p.Joint != on {
			t.Errorf("joint %v: Job.Eval = %#v", on, job.Eval)
		}
		if spec := c.Spec(c.Data(c.N, c.MuFor(c.N, c.C)), 0.1, 1); spec.Eval.Joint != on {
			t.Errorf("joint %v: Spec.Eval.Joint = %v", on, spec.Eval.Joint)
		}
		k := slices.Index(job.Params, "cert_joint")
		if (k >= 0) != on {
			t.Fatalf("joint %v: columns %v", on, job.Params)
		}
		if on {
			if job.Params[k-1] != "eval_cascade" {
				t.Errorf("cert_joint after %s, want after eval_cascade", job.Params[k-1])
			}
			for _, cl := range job.Cells {
				if cl.Param[k] != "1" {
					t.Errorf("cell %d: cert_joint = %s, want 1", cl.Index, cl.Param[k])
				}
			}
		}
	}
	for _, c := range []struct {
		name string
		got  bool
		want bool
	}{
		{"ci tau", TauPreset(CI).Joint, true},
		{"ci phase AT", PhasePreset(CI, 0.1).Joint, true},
		{"ci phase clean", PhasePreset(CI, 0).Joint, false},
		{"ci dynamics", DynamicsPreset(CI).Joint, false},
		{"ci mnist", MNISTPreset(CI).Joint, false},
		{"paper tau", TauPreset(Paper).Joint, false},
		{"smoke tau", TauPreset(Smoke).Joint, true},
		{"paper phase AT", PhasePreset(Paper, 0.1).Joint, false},
	} {
		if c.got != c.want {
			t.Errorf("%s: Joint = %v, want %v", c.name, c.got, c.want)
		}
	}
	m := MNISTPreset(Smoke)
	m.Cascade, m.Joint = true, true
	if p := m.protocol(); !p.Joint || !p.Cascade {
		t.Errorf("mnist with the cascade and the joint bounds: protocol %+v", p)
	}
	if got := m.paramNames(); !slices.Equal(got, slices.Concat(mnistParams, []string{"apgd_steps", "eval_cascade", "cert_joint"})) {
		t.Errorf("mnist with the joint bounds: columns %v", got)
	}
}
