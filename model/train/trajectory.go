package train

import (
	"bufio"
	"fmt"
	"io"
	"strconv"

	"vitadv/model/store"
)

// Trajectory is the sequence of probe records of one training run.
type Trajectory []Record

// Arrays returns the trajectory as one float64 column per field of Record,
// named as in Columns (e.g. "a1", "rho_median"), each of shape (len(tr),):
// np.load(path)["a1"] is the attention on the signal token at every logged
// step, np.load(path)["step"] the update count at which it was logged.
func (tr Trajectory) Arrays() map[string]store.Array {
	names := Columns()
	out := make(map[string]store.Array, len(names))
	cols := make([][]float64, len(names))
	for _, r := range tr {
		for j, v := range r.Floats() {
			cols[j] = append(cols[j], v)
		}
	}
	for j, name := range names {
		if cols[j] == nil {
			cols[j] = []float64{}
		}
		out[name] = store.Array{Shape: []int{len(tr)}, Data: cols[j]}
	}
	return out
}

// SaveNPZ writes the trajectory atomically as an .npz file of columns.
func (tr Trajectory) SaveNPZ(path string) error { return store.SaveArrays(path, tr.Arrays()) }

// WriteCSV writes a header line of Columns and one line per record, floats
// in the shortest form that reads back to the same bits ('g', -1); NaN is
// written as "NaN", which NumPy's loadtxt and pandas read.
func (tr Trajectory) WriteCSV(w io.Writer) error {
	bw := bufio.NewWriter(w)
	for j, name := range Columns() {
		if j > 0 {
			bw.WriteByte(',')
		}
		bw.WriteString(name)
	}
	bw.WriteByte('\n')
	var buf []byte
	for _, r := range tr {
		for j, v := range r.Floats() {
			if j > 0 {
				bw.WriteByte(',')
			}
			buf = strconv.AppendFloat(buf[:0], v, 'g', -1, 64)
			bw.Write(buf)
		}
		bw.WriteByte('\n')
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("train: writing trajectory CSV: %w", err)
	}
	return nil
}

// SaveCSV writes the trajectory atomically as CSV.
func (tr Trajectory) SaveCSV(path string) error {
	return store.WriteFileAtomic(path, tr.WriteCSV)
}
