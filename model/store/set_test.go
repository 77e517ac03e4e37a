package store

import (
	"errors"
	"math"
	"os"
	"testing"

	"vitadv/model/data"
	"vitadv/model/valid"
)

func TestSetRoundTrip(t *testing.T) {
	cfg := testConfig
	cfg.FlipP = 0.4 // so that y and y_clean differ in some seed's draw
	for seed := uint64(1); seed <= 3; seed++ {
		train, test, err := data.Draw(cfg, seed)
		if err != nil {
			t.Fatal(err)
		}
		for _, want := range []*data.Set{train, test} {
			path := tempPath(t, "set.npz")
			if err := SaveSet(path, want); err != nil {
				t.Fatal(err)
			}
			got, err := LoadSet(path)
			if err != nil {
				t.Fatal(err)
			}
			if !sameSet(got, want) {
				t.Errorf("seed=%d N=%d: LoadSet(SaveSet(s)) differs from s", seed, want.N)
			}
		}
	}
}

func setEntries(s *data.Set) map[string]entry {
	es := map[string]entry{
		nameX:      {name: nameX, descr: dtypeF8, shape: []int{s.N, s.M, s.D}, f8: s.X},
		nameY:      {name: nameY, descr: dtypeF8, shape: []int{s.N}, f8: s.Y},
		nameYClean: {name: nameYClean, descr: dtypeF8, shape: []int{s.N}, f8: s.Clean},
	}
	if s.Mu > 0 {
		es[nameMu] = entry{name: nameMu, descr: dtypeF8, shape: []int{}, f8: []float64{s.Mu}}
	}
	return es
}

// TestSetMu: a drawn set records ‖μ‖, SaveSet stores it as the 0-d array
// mu_norm, LoadSet restores it, and Signals from the loaded set equals
// SignalsOf the configuration. A file in the older layout (no mu_norm)
// still loads, with Mu = 0, and its Signals is a *valid.Error on Mu.
func TestSetMu(t *testing.T) {
	s := newSet(t)
	if s.Mu != testConfig.Mu() {
		t.Fatalf("drawn set: Mu = %v, want Config.Mu() = %v", s.Mu, testConfig.Mu())
	}
	path := tempPath(t, "set.npz")
	if err := SaveSet(path, s); err != nil {
		t.Fatal(err)
	}
	got, err := LoadSet(path)
	if err != nil {
		t.Fatal(err)
	}
	if got.Mu != s.Mu {
		t.Fatalf("loaded Mu = %v, want %v", got.Mu, s.Mu)
	}
	sig, err := got.Signals()
	if err != nil {
		t.Fatal(err)
	}
	want := data.SignalsOf(testConfig)
	if !sameBits(sig.Plus, want.Plus) || !sameBits(sig.Minus, want.Minus) {
		t.Errorf("Signals of the loaded set differ from SignalsOf(config)")
	}

	old := setEntries(s)
	delete(old, nameMu)
	oldPath := tempPath(t, "old.npz")
	writeEntries(t, oldPath, old)
	got, err = LoadSet(oldPath)
	if err != nil {
		t.Fatalf("a set file without mu_norm no longer loads: %v", err)
	}
	if got.Mu != 0 {
		t.Errorf("old layout: Mu = %v, want 0 (unknown)", got.Mu)
	}
	var ve *valid.Error
	if _, err := got.Signals(); !errors.As(err, &ve) || ve.Field != "Mu" {
		t.Errorf("Signals without ‖μ‖: error %v, want *valid.Error on Mu", err)
	}
	// Saving a set with unknown ‖μ‖ writes the old layout: no mu_norm.
	again := tempPath(t, "again.npz")
	if err := SaveSet(again, got); err != nil {
		t.Fatal(err)
	}
	if back, err := LoadSet(again); err != nil || back.Mu != 0 {
		t.Errorf("round trip of Mu = 0: Mu %v, error %v", back.Mu, err)
	}
}

// TestLoadSetBadMu: a mu_norm that is not a finite positive 0-d '<f8' is a
// *FormatError naming it.
func TestLoadSetBadMu(t *testing.T) {
	s := newSet(t)
	for _, c := range []struct {
		name string
		e    entry
	}{
		{"zero", entry{name: nameMu, descr: dtypeF8, shape: []int{}, f8: []float64{0}}},
		{"negative", entry{name: nameMu, descr: dtypeF8, shape: []int{}, f8: []float64{-1}}},
		{"NaN", entry{name: nameMu, descr: dtypeF8, shape: []int{}, f8: []float64{math.NaN()}}},
		{"+Inf", entry{name: nameMu, descr: dtypeF8, shape: []int{}, f8: []float64{math.Inf(1)}}},
		{"shape (1,)", entry{name: nameMu, descr: dtypeF8, shape: []int{1}, f8: []float64{3}}},
		{"shape (0,)", entry{name: nameMu, descr: dtypeF8, shape: []int{0}}},
		{"<i8", entry{name: nameMu, descr: "<i8", shape: []int{}, raw: make([]byte, 8)}},
	} {
		t.Run(c.name, func(t *testing.T) {
			es := setEntries(s)
			es[nameMu] = c.e
			path := tempPath(t, "set.npz")
			writeEntries(t, path, es)
			got, err := LoadSet(path)
			if got != nil {
				t.Errorf("LoadSet returned a set with error %v", err)
			}
			wantFormatError(t, err, nameMu)
		})
	}
}

func TestLoadSetBad(t *testing.T) {
	s := newSet(t)
	path := tempPath(t, "set.npz")
	writeEntries(t, path, setEntries(s))
	if got, err := LoadSet(path); err != nil || !sameSet(got, s) {
		t.Fatalf("premise: unmodified entries do not load back: %v", err)
	}
	modified := func(v []float64, i int, x float64) []float64 {
		v = append([]float64{}, v...)
		v[i] = x
		return v
	}
	for _, c := range []struct {
		name  string
		edit  func(es map[string]entry)
		array string
	}{
		{"missing y_clean", func(es map[string]entry) { delete(es, nameYClean) }, nameYClean},
		{"extra array", func(es map[string]entry) {
			es["w"] = entry{name: "w", descr: dtypeF8, shape: []int{}, f8: []float64{1}}
		}, "w"},
		{"X 2-D", func(es map[string]entry) { e := es[nameX]; e.shape = []int{s.N, s.M * s.D}; es[nameX] = e }, nameX},
		{"y shorter than N", func(es map[string]entry) {
			e := es[nameY]
			e.shape = []int{s.N - 1}
			e.f8 = e.f8[:s.N-1]
			es[nameY] = e
		}, nameY},
		{"y 2-D", func(es map[string]entry) { e := es[nameY]; e.shape = []int{s.N, 1}; es[nameY] = e }, nameY},
		{"y_clean longer than N", func(es map[string]entry) {
			e := es[nameYClean]
			e.shape = []int{s.N + 1}
			e.f8 = append(append([]float64{}, e.f8...), 1)
			es[nameYClean] = e
		}, nameYClean},
		{"label 0", func(es map[string]entry) { e := es[nameY]; e.f8 = modified(e.f8, 2, 0); es[nameY] = e }, nameY},
		{"clean label 2", func(es map[string]entry) { e := es[nameYClean]; e.f8 = modified(e.f8, 0, 2); es[nameYClean] = e }, nameYClean},
		{"X NaN", func(es map[string]entry) { e := es[nameX]; e.f8 = modified(e.f8, 5, math.NaN()); es[nameX] = e }, nameX},
		{"M = 1", func(es map[string]entry) {
			e := es[nameX]
			e.shape = []int{s.N, 1, s.D}
			e.f8 = e.f8[:s.N*s.D]
			es[nameX] = e
		}, nameX},
		{"N = 0", func(es map[string]entry) {
			es[nameX] = entry{name: nameX, descr: dtypeF8, shape: []int{0, s.M, s.D}}
			es[nameY] = entry{name: nameY, descr: dtypeF8, shape: []int{0}}
			es[nameYClean] = entry{name: nameYClean, descr: dtypeF8, shape: []int{0}}
		}, nameX},
		{"y as <i8", func(es map[string]entry) {
			es[nameY] = entry{name: nameY, descr: "<i8", shape: []int{s.N}, raw: make([]byte, 8*s.N)}
		}, nameY},
	} {
		t.Run(c.name, func(t *testing.T) {
			es := setEntries(s)
			c.edit(es)
			path := tempPath(t, "set.npz")
			writeEntries(t, path, es)
			got, err := LoadSet(path)
			if got != nil {
				t.Errorf("LoadSet returned a set with error %v", err)
			}
			wantFormatError(t, err, c.array)
		})
	}
}

// TestSaveSetBad: SaveSet refuses what LoadSet would reject and writes
// nothing.
func TestSaveSetBad(t *testing.T) {
	for _, c := range []struct {
		name  string
		edit  func(s *data.Set)
		array string
	}{
		{"short X", func(s *data.Set) { s.X = s.X[1:] }, nameX},
		{"short y", func(s *data.Set) { s.Y = s.Y[1:] }, nameY},
		{"label 0.5", func(s *data.Set) { s.Clean[1] = 0.5 }, nameYClean},
		{"X +Inf", func(s *data.Set) { s.X[0] = math.Inf(1) }, nameX},
		{"Mu −1", func(s *data.Set) { s.Mu = -1 }, nameMu},
		{"Mu NaN", func(s *data.Set) { s.Mu = math.NaN() }, nameMu},
		{"Mu +Inf", func(s *data.Set) { s.Mu = math.Inf(1) }, nameMu},
	} {
		t.Run(c.name, func(t *testing.T) {
			s := newSet(t)
			c.edit(s)
			path := tempPath(t, "set.npz")
			fe := wantFormatError(t, SaveSet(path, s), c.array)
			if fe.Path != path {
				t.Errorf("FormatError.Path = %q, want %q", fe.Path, path)
			}
			if _, err := os.Stat(path); !errors.Is(err, os.ErrNotExist) {
				t.Errorf("SaveSet(bad) left a file (stat: %v)", err)
			}
		})
	}
}
