package certify

import (
	"math"
	"math/big"
	"math/rand/v2"
	"testing"

	"pgregory.net/rapid"
)

// TestUpDnMatchNextafter: up and dn agree with math.Nextafter towards ±∞
// on every float64 bit pattern class (zeros, subnormals, normals, the
// largest finite, infinities). The special values and the random bit
// patterns are two subtests: rapid.Check refuses (panics on) a *testing.T
// that has already failed, which would abort the package's other tests.
func TestUpDnMatchNextafter(t *testing.T) {
	t.Run("special", func(t *testing.T) {
		special := []float64{0, math.Copysign(0, -1), 0x1p-1074, -0x1p-1074, 1, -1, math.MaxFloat64, -math.MaxFloat64, math.Inf(1), math.Inf(-1)}
		for _, x := range special {
			if u, w := up(x), math.Nextafter(x, math.Inf(1)); u != w && !(x == 0 && u == w) {
				t.Errorf("up(%v) = %v, want %v", x, u, w)
			}
			if d, w := dn(x), math.Nextafter(x, math.Inf(-1)); d != w {
				t.Errorf("dn(%v) = %v, want %v", x, d, w)
			}
		}
		if !math.IsNaN(up(math.NaN())) || !math.IsNaN(dn(math.NaN())) {
			t.Error("up/dn of NaN is not NaN")
		}
	})
	t.Run("bits", func(t *testing.T) {
		rapid.Check(t, func(t *rapid.T) {
			x := math.Float64frombits(rapid.Uint64().Draw(t, "bits"))
			if math.IsNaN(x) {
				return
			}
			if u, w := up(x), math.Nextafter(x, math.Inf(1)); u != w {
				t.Fatalf("up(%v) = %v, want %v", x, u, w)
			}
			if d, w := dn(x), math.Nextafter(x, math.Inf(-1)); d != w {
				t.Fatalf("dn(%v) = %v, want %v", x, d, w)
			}
		})
	})
}

// TestFrobA: frobA bounds ‖W_Q W_Kᵀ‖_F (formed explicitly, d×d) from above
// and exceeds it, in the square, by at most its own rounding allowance
// 4(D + d_h² + 4)ε·‖W_Q‖_F²‖W_K‖_F² (the error terms scale with the
// absolute products, so a cancelling product may be bounded by ~ε, not
// 0) plus the floor of a few times tiny = 2⁻⁵⁰⁰ under the square root.
func TestFrobA(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		D, dh := rapid.IntRange(1, 12).Draw(t, "D"), rapid.IntRange(1, 6).Draw(t, "dh")
		sc := math.Ldexp(1, rapid.IntRange(-20, 20).Draw(t, "log2scale"))
		wq := make([]float64, D*dh)
		wk := make([]float64, D*dh)
		for i := range wq {
			wq[i] = sc * rapid.Float64Range(-1, 1).Draw(t, "q")
			wk[i] = rapid.Float64Range(-1, 1).Draw(t, "k")
		}
		ss := 0.0
		for a := 0; a < D; a++ {
			for b := 0; b < D; b++ {
				v := 0.0
				for i := 0; i < dh; i++ {
					v += wq[a*dh+i] * wk[b*dh+i]
				}
				ss += v * v
			}
		}
		want := math.Sqrt(ss)
		got := frobA(wq, wk, D, dh)
		nq, nk := 0.0, 0.0
		for i := range wq {
			nq += wq[i] * wq[i]
			nk += wk[i] * wk[i]
		}
		allow := 4*float64(D+dh*dh+4)*eps*nq*nk + 8*tiny
		if !(got >= want*(1-1e-12)) || !(got*got <= (want*want+allow)*(1+1e-12)+tiny) {
			t.Fatalf("frobA = %v, ‖W_Q W_Kᵀ‖_F = %v", got, want)
		}
	})
}

// TestExpEnclosureContainsExp: expDn(x) ≤ e^x ≤ expUp(x), checked against a
// faithful reference: math.Exp errs by < 1 ulp, so the exact e^x lies in
// [dn(math.Exp(x)), up(math.Exp(x))] and the enclosure must contain that
// whole window. Over 200 000 arguments in [−700, 709] this also exercises
// the points where linalg.Exp and math.Exp differ by an ulp, which one
// outward step does not cover (the package comment's three steps do).
// It kills mutants m2-cert-up-wrong-way, m2-cert-expdn-rounds-up and m2-cert-expup-one-step of mutate/catalogue.txt.
func TestExpEnclosureContainsExp(t *testing.T) {
	r := rand.New(rand.NewPCG(8, 2))
	xs := []float64{0, 1, -1, 0.5, -0.5, 1e-300, -1e-300, 709, 708.5, -700, -745 + 45, math.Ln2, -math.Ln2}
	for range 200000 {
		xs = append(xs, -700+1409*r.Float64())
	}
	bad := 0
	for _, x := range xs {
		e := math.Exp(x)
		lo, hi := dn(e), up(e)
		d, u := expDn(x), expUp(x)
		if !(d <= lo) || !(u >= hi) || !(d >= 0) {
			if bad < 5 {
				t.Errorf("x = %v: [expDn, expUp] = [%v, %v] does not contain [dn, up](math.Exp) = [%v, %v]", x, d, u, lo, hi)
			}
			bad++
		}
	}
	if bad > 0 {
		t.Errorf("%d of %d arguments not enclosed", bad, len(xs))
	}
	// Negative control: one outward step from linalg.Exp is not enough on
	// this sample (the checker can fail).
	short := 0
	for _, x := range xs {
		e := math.Exp(x)
		if !(up(expUp(x)) >= up(e)) {
			continue
		}
		if one := dn(dn(expUp(x))); !(one >= up(e)) { // = up(linalg.Exp(x))
			short++
		}
	}
	if short == 0 {
		t.Error("negative control: up(linalg.Exp(x)) covered up(math.Exp(x)) on every argument; the enclosure check cannot tell one step from three")
	}
}

// TestNormUpBoundsExactNorm: normUp and norm1Up bound ‖v‖₂ and ‖v‖₁ from above,
// checked in exact arithmetic (math/big at 2000 bits: normUp(v)² ≥ Σ v²,
// norm1Up(v) ≥ Σ|v|) on long vectors built so that the float sums lose a
// lot: every square rounds down (a systematic deficit of about n/4 ulps
// of Σ v², far beyond the one ulp a final outward step covers), and sums
// of many terms of mixed magnitude. The (1 + γ_{n+1}) enlargement is what
// makes them bounds. Negative control: the unenlarged up(√Σ) and up(Σ)
// fall below the exact values on these vectors.
// It kills mutants m2-cert-normup-no-gamma and m2-cert-norm1up-no-gamma of mutate/catalogue.txt.
func TestNormUpBoundsExactNorm(t *testing.T) {
	r := rand.New(rand.NewPCG(8, 3))
	exactSq := func(v []float64) *big.Float {
		s := new(big.Float).SetPrec(2000)
		for _, x := range v {
			b := new(big.Float).SetPrec(2000).SetFloat64(x)
			s.Add(s, b.Mul(b, b))
		}
		return s
	}
	exactAbs := func(v []float64) *big.Float {
		s := new(big.Float).SetPrec(2000)
		for _, x := range v {
			s.Add(s, new(big.Float).SetPrec(2000).SetFloat64(math.Abs(x)))
		}
		return s
	}
	sq := func(x float64) *big.Float {
		b := new(big.Float).SetPrec(2000).SetFloat64(x)
		return b.Mul(b, b)
	}
	below2, below1 := 0, 0
	for trial := 0; trial < 40; trial++ {
		n := 256 << (trial % 5)
		v := make([]float64, 0, n)
		for len(v) < n {
			x := (1 + r.Float64()) * math.Ldexp(1, r.IntN(8)-4)
			if trial%2 == 0 {
				// keep x only if fl(x·x) < x² (the square rounds down)
				if new(big.Float).SetFloat64(x*x).Cmp(sq(x)) >= 0 {
					continue
				}
			}
			v = append(v, x)
		}
		if got := normUp(v); sq(got).Cmp(exactSq(v)) < 0 {
			t.Errorf("trial %d (n %d): normUp = %v, its square below the exact Σ v²", trial, n, got)
		}
		if got := norm1Up(v); new(big.Float).SetPrec(2000).SetFloat64(got).Cmp(exactAbs(v)) < 0 {
			t.Errorf("trial %d (n %d): norm1Up = %v below the exact Σ|v|", trial, n, got)
		}
		ss, s1 := 0.0, 0.0
		for _, x := range v {
			ss += x * x
			s1 += math.Abs(x)
		}
		if sq(up(math.Sqrt(ss))).Cmp(exactSq(v)) < 0 {
			below2++
		}
		if new(big.Float).SetPrec(2000).SetFloat64(up(s1)).Cmp(exactAbs(v)) < 0 {
			below1++
		}
	}
	if below2 == 0 || below1 == 0 {
		t.Errorf("negative control: the unenlarged bounds were below the exact norms on %d (ℓ₂) and %d (ℓ₁) of 40 vectors; want some of each", below2, below1)
	}
	t.Logf("unenlarged bounds too small on %d (ℓ₂), %d (ℓ₁) of 40 vectors", below2, below1)
}

// TestSqrtUpSquaresToAtLeastX: sqrtUp(x)² ≥ x exactly (math/big) for x ≥ 0 — the
// correctly rounded √ is below √x for about half the arguments, so the
// outward step is needed; negative control: math.Sqrt alone is below on
// some of them.
// It kills mutant m2-cert-sqrtup-nearest of mutate/catalogue.txt.
func TestSqrtUpSquaresToAtLeastX(t *testing.T) {
	r := rand.New(rand.NewPCG(8, 5))
	below := 0
	sq := func(x float64) *big.Float {
		b := new(big.Float).SetPrec(300).SetFloat64(x)
		return b.Mul(b, b)
	}
	for i := 0; i < 20000; i++ {
		x := math.Ldexp(1+r.Float64(), r.IntN(200)-100)
		bx := new(big.Float).SetPrec(300).SetFloat64(x)
		if got := sqrtUp(x); sq(got).Cmp(bx) < 0 {
			t.Fatalf("sqrtUp(%v) = %v: square below x", x, got)
		}
		if sq(math.Sqrt(x)).Cmp(bx) < 0 {
			below++
		}
	}
	if sqrtUp(0) < 0 || sqrtUp(-1) < 0 {
		t.Error("sqrtUp of 0 or a negative is negative")
	}
	if below == 0 {
		t.Error("negative control: math.Sqrt was never below √x; the check cannot fail")
	}
}
