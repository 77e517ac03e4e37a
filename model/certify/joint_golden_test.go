package certify

import (
	"fmt"
	"testing"

	"vitadv/internal/golden"

	"vitadv/model/attack"
	"vitadv/model/data"
	"vitadv/model/vit"
)

// goldenShape is one model shape of the goldens: token dimension D,
// tokens M, head dimension Dh, score scaling, initialization width and
// signal norm.
type goldenShape struct {
	D, M, Dh int
	scale    bool
	shrink   float64
	mu       float64
}

// instance draws the golden model of shape sh, the si-th of its list
// (Gaussian init of seed 40 + si), and 4 test points (data seed 30 + si).
func (sh goldenShape) instance(tb testing.TB, si int) (*vit.Model, *data.Set) {
	return sh.draw(tb, 4, uint64(30+si), uint64(40+si))
}

// draw draws a model of shape sh (Gaussian init of seed initSeed) and
// nTest test points (data seed dataSeed).
func (sh goldenShape) draw(tb testing.TB, nTest int, dataSeed, initSeed uint64) (*vit.Model, *data.Set) {
	dc := data.Config{D: sh.D, M: sh.M, N: 2, NTest: nTest, MuNorm: sh.mu, Sigma2: 4, SigmaW: 0.2, Project: true}
	_, te, err := data.Draw(dc, dataSeed)
	if err != nil {
		tb.Fatal(err)
	}
	m, err := vit.NewInit(vit.Arch{D: sh.D, Dh: sh.Dh, Dv: sh.Dh, ScaleScores: sh.scale}, vit.Init{Law: vit.Gaussian, Shrink: sh.shrink}, initSeed)
	if err != nil {
		tb.Fatal(err)
	}
	return m, te
}

// goldenShapes are the shapes of the certifier's goldens.
var goldenShapes = []goldenShape{
	{32, 3, 16, false, 1, 6},
	{64, 8, 32, true, 0.25, 12},
	{32, 16, 16, false, 4, 10},
}

// jointResults certifies samples of three shapes (M = 3, 8, 16), score
// scales and initialization widths with the joint bounds on, in every set
// at a ladder of budgets and both node budgets of the ci job, plus bisected
// radii, and returns every result in order.
func jointResults(tb testing.TB) *golden.Values {
	var out golden.Values
	for si, sh := range goldenShapes {
		m, te := sh.instance(tb, si)
		c, err := New(m, sh.M)
		if err != nil {
			tb.Fatal(err)
		}
		c.SetJoint(true)
		for _, nodes := range []int{radiusNodesCI, DefaultNodes} {
			c.SetNodes(nodes)
			for _, set := range attack.Sets() {
				for i := 0; i < te.N; i++ {
					x, y := te.Sample(i), te.Y[i]
					key := fmt.Sprintf("shape=%d nodes=%d set=%s i=%d", si, nodes, set, i)
					for _, f := range []float64{0.05, 0.2, 0.7} {
						out.Float(fmt.Sprintf("%s tau=%g·mu joint margin", key, f), c.Margin(x, y, set, f*sh.mu))
					}
					out.Float(key+" joint radius", c.Radius(x, y, set, 2*sh.mu, 12))
				}
			}
		}
	}
	return &out
}

// TestJointGolden: the joint bounds reproduce, bit for bit, the bounds and
// radii of testdata/joint.golden on this build and every other kernel path
// (the committed files certified with -cert-joint, cell.Protocol.Joint, depend on them).
// The file was written from the joint bounds as first committed (its
// values hashed to the fingerprint 0x2c86be22cbc1e585 that pinned them
// before) and rewritten when the Frobenius bounds of relational.go joined
// them: 78 Frobenius lines moved, every one up, no other line changed;
// and again when the top-shift bound (topshift.go) and the row-share
// bound (rowshare.go) joined them: every moved line was a Frobenius
// line and moved up, no other line changed.
// Regenerate only for an intended change:
//
//	go test ./model/certify -run TestJointGolden -update
func TestJointGolden(t *testing.T) {
	golden.Check(t, "joint", jointResults(t).Bytes())
}
