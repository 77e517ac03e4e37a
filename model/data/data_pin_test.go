package data

import "testing"

// TestTestLabelsNeverFlippedPin pins Config.FlipP's scope ("Test labels
// are never flipped"): with FlipP = 0.4 the test set's observed labels equal
// its clean labels and alternate +1, −1, …, while the training set does
// have flips (the control that FlipP is in force).
func TestTestLabelsNeverFlippedPin(t *testing.T) {
	c := small()
	c.N, c.NTest, c.FlipP = 200, 200, 0.4
	tr, te, err := Draw(c, 4)
	if err != nil {
		t.Fatal(err)
	}
	for i := range te.Y {
		want := 1.0
		if i%2 == 1 {
			want = -1
		}
		if te.Y[i] != want || te.Clean[i] != want {
			t.Fatalf("test label %d = %g (clean %g), want %g", i, te.Y[i], te.Clean[i], want)
		}
	}
	flips := 0
	for i := range tr.Y {
		if tr.Y[i] != tr.Clean[i] {
			flips++
		}
	}
	// Binomial(200, 0.4) has mean 80 and std ≈ 7: zero flips is impossible
	// in practice (and the draw is fixed by the seed).
	if flips == 0 {
		t.Error("no training label flipped at FlipP = 0.4")
	}
}
