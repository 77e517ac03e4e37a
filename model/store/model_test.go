package store

import (
	"errors"
	"os"
	"testing"

	"vitadv/model/valid"
	"vitadv/model/vit"
)

func TestModelRoundTrip(t *testing.T) {
	for _, a := range []vit.Arch{testArch, {D: 5, Dh: 2, Dv: 7, ScaleScores: true, TrainWo: true}} {
		want, err := vit.NewInit(a, vit.Init{Law: vit.TorchUniform, Shrink: 32}, 7)
		if err != nil {
			t.Fatal(err)
		}
		path := tempPath(t, "model.npz")
		if err := SaveModel(path, want); err != nil {
			t.Fatal(err)
		}
		got, err := LoadModel(path)
		if err != nil {
			t.Fatal(err)
		}
		if !sameModel(got, want) {
			t.Errorf("arch=%+v: LoadModel(SaveModel(m)) differs from m", a)
		}
	}
}

// modelEntries returns the entries SaveModel writes for m, for tests that
// write a deliberately broken variant.
func modelEntries(m *vit.Model) map[string]entry {
	wq, wk := m.SplitQK()
	return map[string]entry{
		nameWq:   {name: nameWq, descr: dtypeF8, shape: []int{m.D, m.Dh}, f8: wq},
		nameWk:   {name: nameWk, descr: dtypeF8, shape: []int{m.D, m.Dh}, f8: wk},
		nameWv:   {name: nameWv, descr: dtypeF8, shape: []int{m.D, m.Dv}, f8: m.Wv},
		nameWo:   {name: nameWo, descr: dtypeF8, shape: []int{m.Dv}, f8: m.Wo},
		nameArch: archEntry(`{"d":8,"d_h":4,"d_v":3,"scale_scores":false,"train_wo":false}`),
	}
}

func archEntry(text string) entry {
	b, n := encodeUnicode(text)
	return entry{name: nameArch, descr: unicodeDescr(n), shape: []int{}, raw: b}
}

func writeEntries(t *testing.T, path string, es map[string]entry) {
	t.Helper()
	var list []entry
	for _, e := range es {
		list = append(list, e)
	}
	if err := writeNPZ(path, list); err != nil {
		t.Fatal(err)
	}
}

// TestLoadModelBad: each way a model file can break gives a *FormatError
// naming the array at fault. The unmodified entries must load (premise).
func TestLoadModelBad(t *testing.T) {
	m := newModel(t)
	path := tempPath(t, "model.npz")
	writeEntries(t, path, modelEntries(m))
	if got, err := LoadModel(path); err != nil || !sameModel(got, m) {
		t.Fatalf("premise: unmodified entries do not load back: %v", err)
	}

	f32 := func(e entry) entry { e.descr = "<f4"; e.f8 = e.f8[:len(e.f8)/2]; return e }
	for _, c := range []struct {
		name  string
		edit  func(es map[string]entry)
		array string
		valid bool // whether a *valid.Error is wrapped
	}{
		{"missing W_K", func(es map[string]entry) { delete(es, nameWk) }, nameWk, false},
		{"missing arch_json", func(es map[string]entry) { delete(es, nameArch) }, nameArch, false},
		{"extra array", func(es map[string]entry) {
			es["b_V"] = entry{name: "b_V", descr: dtypeF8, shape: []int{1}, f8: []float64{0}}
		}, "b_V", false},
		{"dtype <f4", func(es map[string]entry) { es[nameWv] = f32(es[nameWv]) }, nameWv, false},
		{"W_Q 1-D", func(es map[string]entry) { e := es[nameWq]; e.shape = []int{m.D * m.Dh}; es[nameWq] = e }, nameWq, false},
		{"W_K transposed", func(es map[string]entry) { e := es[nameWk]; e.shape = []int{m.Dh, m.D}; es[nameWk] = e }, nameWk, false},
		{"W_V rows != W_Q rows", func(es map[string]entry) {
			es[nameWv] = entry{name: nameWv, descr: dtypeF8, shape: []int{m.D - 1, m.Dv}, f8: m.Wv[:(m.D-1)*m.Dv]}
		}, nameWv, false},
		{"w_O length != W_V cols", func(es map[string]entry) {
			es[nameWo] = entry{name: nameWo, descr: dtypeF8, shape: []int{m.Dv + 1}, f8: append(append([]float64{}, m.Wo...), 0)}
		}, nameWo, false},
		{"arch disagrees", func(es map[string]entry) { es[nameArch] = archEntry(`{"d":8,"d_h":3,"d_v":4}`) }, nameArch, false},
		{"arch unknown field", func(es map[string]entry) { es[nameArch] = archEntry(`{"d":8,"d_h":4,"d_v":3,"heads":2}`) }, nameArch, false},
		{"arch not JSON", func(es map[string]entry) { es[nameArch] = archEntry(`d=8`) }, nameArch, false},
		{"arch invalid", func(es map[string]entry) {
			es[nameWq] = entry{name: nameWq, descr: dtypeF8, shape: []int{8, 0}}
			es[nameWk] = entry{name: nameWk, descr: dtypeF8, shape: []int{8, 0}}
			es[nameArch] = archEntry(`{"d":8,"d_h":0,"d_v":3}`)
		}, nameArch, true},
		{"arch as <f8", func(es map[string]entry) {
			es[nameArch] = entry{name: nameArch, descr: dtypeF8, shape: []int{3}, f8: []float64{8, 4, 3}}
		}, nameArch, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			es := modelEntries(m)
			c.edit(es)
			path := tempPath(t, "model.npz")
			writeEntries(t, path, es)
			got, err := LoadModel(path)
			if got != nil {
				t.Errorf("LoadModel returned a model with error %v", err)
			}
			fe := wantFormatError(t, err, c.array)
			if fe.Path != path {
				t.Errorf("FormatError.Path = %q, want %q", fe.Path, path)
			}
			var ve *valid.Error
			if errors.As(err, &ve) != c.valid {
				t.Errorf("errors.As(%v, *valid.Error) = %v, want %v", err, !c.valid, c.valid)
			}
		})
	}
}

func TestLoadModelMissingFile(t *testing.T) {
	if _, err := LoadModel(tempPath(t, "none.npz")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("LoadModel(missing) = %v, want fs.ErrNotExist", err)
	}
}

// TestSaveModelBad: a model whose slices disagree with its Arch is not
// written.
func TestSaveModelBad(t *testing.T) {
	m := newModel(t)
	m.Wo = m.Wo[:1]
	path := tempPath(t, "model.npz")
	wantFormatError(t, SaveModel(path, m), nameWo)
	if _, err := os.Stat(path); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("SaveModel(bad) left a file (stat: %v)", err)
	}
}
