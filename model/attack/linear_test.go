package attack

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"pgregory.net/rapid"

	"vitadv/model/vit"
)

// TestLinearOutputMatchesUniformModel: with W_Q = W_K = 0 every attention
// weight is exactly 1/M, so the ViT is f_lin.
func TestLinearOutputMatchesUniformModel(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		in := drawInstance(t, true)
		f := margins(in.m, in.x, ones(in.n), in.n, in.M)
		S := in.M * in.m.D
		for i := 0; i < in.n; i++ {
			want := LinearOutput(in.m, sample(in.x, i, S))
			if !(math.Abs(f[i]-want) <= tolTight*math.Max(1, math.Abs(want))) {
				t.Fatalf("f(X_%d) = %.17g, want LinearOutput = %.17g", i, f[i], want)
			}
		}
	})
}

func ones(n int) []float64 {
	y := make([]float64, n)
	for i := range y {
		y[i] = 1
	}
	return y
}

// TestLinearWorstMarginIsLowerBound: no point of the set has a smaller
// margin than the closed form. Points are drawn relative to the worst
// direction (Δ* blended with a random point of the ball), so that many land
// near the minimizer, where a wrong constant would show.
func TestLinearWorstMarginIsLowerBound(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		in := drawInstance(t, true)
		set := rapid.SampledFrom(Sets()).Draw(t, "set")
		tau := drawTau(t, "tau")
		w := float64(rapid.IntRange(0, 8).Draw(t, "blend8ths")) / 8
		r := rand.New(rand.NewPCG(rapid.Uint64().Draw(t, "seed"), 4))
		S := in.M * in.m.D
		for i := 0; i < in.n; i++ {
			xi := sample(in.x, i, S)
			star := LinearWorstDeltaTo(make([]float64, S), in.m, in.y[i], set, tau)
			q := set.RandomTo(make([]float64, S), in.M, tau, r)
			d := make([]float64, S)
			for j := range d {
				d[j] = w*star[j] + (1-w)*q[j] // convex: stays in the set
			}
			xp := make([]float64, S)
			for j := range xp {
				xp[j] = xi[j] + d[j]
			}
			got := in.y[i] * LinearOutput(in.m, xp)
			lo := LinearWorstMargin(in.m, xi, in.y[i], set, tau)
			if !(got >= lo-tolTight*(math.Abs(lo)+1)) {
				t.Fatalf("set=%s: y·f_lin(X+Δ) = %.17g below LinearWorstMargin = %.17g", set, got, lo)
			}
		}
	})
}

// TestLinearWorstDeltaTight: Δ* lies in the set (on its boundary) and
// attains the closed-form margin, through the ViT's own forward pass.
func TestLinearWorstDeltaTight(t *testing.T) {
	for ci, in := range linearCases() {
		for _, set := range Sets() {
			for _, tau := range []float64{0, 0.25, 1.5} {
				name := fmt.Sprintf("case=%d M=%d set=%s tau=%g", ci, in.M, set, tau)
				got, want, norm := tightGap(in, set, tau, LinearWorstMargin)
				for i := range got {
					if !(math.Abs(got[i]-want[i]) <= tolTight*math.Max(1, math.Abs(want[i]))) {
						t.Errorf("%s: y·f(X+Δ*) = %.17g, want LinearWorstMargin = %.17g", name, got[i], want[i])
					}
					if !(math.Abs(norm[i]-tau) <= tolTight*math.Max(tau, 1)) {
						t.Errorf("%s: %s.Norm(Δ*) = %.17g, want τ = %g", name, set, norm[i], tau)
					}
				}
			}
		}
	}
}

// tightGap evaluates y·f(X+Δ*) with the ViT forward pass, the closed form
// margin(·) and the set norm of Δ*, per sample.
func tightGap(in instance, set Set, tau float64, margin func(*vit.Model, []float64, float64, Set, float64) float64) (got, want, norm []float64) {
	S := in.M * in.m.D
	xp := make([]float64, len(in.x))
	for i := 0; i < in.n; i++ {
		star := LinearWorstDeltaTo(make([]float64, S), in.m, in.y[i], set, tau)
		norm = append(norm, set.Norm(star, in.M))
		xi := sample(in.x, i, S)
		for j := range star {
			xp[i*S+j] = xi[j] + star[j]
		}
		want = append(want, margin(in.m, xi, in.y[i], set, tau))
	}
	return margins(in.m, xp, in.y, in.n, in.M), want, norm
}

// TestLinearWorstMarginControl: the tightness check rejects a closed form
// with a wrong constant (Frobenius with /M instead of /√M, and so on).
func TestLinearWorstMarginControl(t *testing.T) {
	in := linearCases()[0] // M = 5
	const tau = 1.0
	wrong := func(m *vit.Model, x []float64, y float64, set Set, tau float64) float64 {
		u := m.ValueVector(make([]float64, m.D))
		M := float64(len(x) / m.D)
		base := y * LinearOutput(m, x)
		switch set {
		case Frobenius:
			return base - tau*norm2(u)/M
		case PerToken:
			return base - tau*norm2(u)/math.Sqrt(M)
		case SignalToken:
			return base - tau*norm2(u)/math.Sqrt(M)
		default:
			return base - tau*norm2(u)
		}
	}
	for _, set := range Sets() {
		got, want, _ := tightGap(in, set, tau, wrong)
		failed := false
		for i := range got {
			failed = failed || math.Abs(got[i]-want[i]) > tolTight*math.Max(1, math.Abs(want[i]))
		}
		if !failed {
			t.Errorf("set=%s: a wrong constant passed the tightness check (y·f(X+Δ*) = %v, wrong closed form %v)", set, got, want)
		}
	}
}
