package report

import (
	"fmt"
	"strings"

	"vitadv/theorems"
)

// Rows of the by-scale table that are not a claim ID.
const (
	RowP9Region = "P9 region"     // theorems.CheckP9Region across phase diagrams
	RowCb       = "C_b"           // fitted boundary constant N·SNR₂² (theorems.CbOf)
	RowSlope    = "slope"         // fitted boundary slope d ln‖μ‖*/d ln N (P2's measurement)
	RowTauShift = "τ* shift (P7)" // calibrate's τ*(d_h) ratio against 1/log d_h
)

// Estimate is a fitted quantity of one source at one scale (no decision of
// its own): a clean phase diagram's C_b and boundary slope, a calibrated
// constant.
type Estimate struct {
	Row, Scale, Source string
	Text               string // value and interval as the report prints them
}

// ByScaleRow is one claim of the by-scale table: per scale label, the
// decisions at that scale with their sources ("—": nothing run).
type ByScaleRow struct {
	Claim string
	Cells map[string]string
}

// ByScale is the table of each claim's verdict by scale.
type ByScale struct {
	Columns []string // scale labels, from the smallest; "other (…)" last
	Headers []string // the columns as printed: "ci (d = 128)"
	Rows    []ByScaleRow
}

// ByScaleNote explains the by-scale table; REPORT.md and README print it
// above the table.
const ByScaleNote = "Each cell: the decisions of package `theorems` at that scale with their sources (results files as in the summary of the checks, \"calibrate\" for the calibration sweep), then the counterexample hunts of the statements behind the claim (`hunt X: holds n/n` counts the checks inside the hypotheses; `**fails** f/n` with its recorded counterexamples); estimates (C_b, slope, τ* shift) are printed with their 95% intervals. \"—\": nothing run at that scale. A claim decided one way at a small scale and the other way at a larger one is a finite-size effect.\n"

// claimLabel names a claim ID of the results checks in the by-scale table.
var claimLabel = map[string]string{"P5": "P5 = Thm 4.2(i)", "P6": "P6 = Thm 4.2(ii)", "P9": "P9 (monotone in τ)"}

// byScale builds the by-scale table from the same checks, tallies and fits
// as every other table: rows (a check's scale is its source's), the
// calibration (its P2 check and fits at their recorded scales), the hunt
// tallies (per statement and scale) and the estimates.
func (ss scaleSet) byScale(columns []string, rows []ClaimRow, cal Calibration, hunt *Hunt, est []Estimate) ByScale {
	bs := ByScale{Columns: columns}
	for _, c := range columns {
		h := c
		if sc, ok := ss.named(c); ok {
			h = fmt.Sprintf("%s (d = %d)", c, sc.D)
		}
		bs.Headers = append(bs.Headers, h)
	}
	add := func(claim string, cell func(scale string) []string) {
		r := ByScaleRow{Claim: claim, Cells: map[string]string{}}
		any := false
		for _, col := range columns {
			parts := cell(col)
			if len(parts) == 0 {
				r.Cells[col] = "—"
				continue
			}
			any = true
			r.Cells[col] = strings.Join(parts, "; ")
		}
		if any {
			bs.Rows = append(bs.Rows, r)
		}
	}
	huntParts := func(ids []string, scale string) []string {
		var out []string
		for _, id := range ids {
			if t := hunt.Tally(id, scale); t != nil {
				out = append(out, "hunt "+id+": "+huntStatus(id, scale, t))
			}
		}
		return out
	}
	stmtsOf := func(claim string) []string {
		var ids []string
		for _, st := range theorems.All() {
			for _, r := range reportIDs()[st.ID] {
				if r == claim {
					ids = append(ids, st.ID)
				}
			}
		}
		return ids
	}
	for _, id := range claimOrder {
		label := id
		if l, ok := claimLabel[id]; ok {
			label = l
		}
		add(label, func(scale string) []string {
			var sel []ClaimRow
			for _, r := range rows {
				if r.ID == id && r.Row == "" && r.Scale == scale {
					sel = append(sel, r)
				}
			}
			var parts []string
			if len(sel) > 0 {
				parts = append(parts, resultsCell(sel, id))
			}
			if id == "P2" && cal.Command != "" && cal.PhaseScale == scale {
				parts = append(parts, "calibrate: "+boldUnlessReproduced(cal.P2.Status))
			}
			return append(parts, huntParts(stmtsOf(id), scale)...)
		})
		if id == "P9" {
			add(RowP9Region, func(scale string) []string {
				var sel []ClaimRow
				for _, r := range rows {
					if r.Row == RowP9Region && r.Scale == scale {
						sel = append(sel, r)
					}
				}
				if len(sel) == 0 {
					return nil
				}
				return []string{resultsCell(sel, sel[0].ID)}
			})
		}
	}
	for _, st := range theorems.All() {
		if _, ok := reportIDs()[st.ID]; ok {
			continue
		}
		add(st.ID, func(scale string) []string { return huntParts([]string{st.ID}, scale) })
	}
	for _, row := range []string{RowCb, RowSlope, RowTauShift} {
		add(row, func(scale string) []string {
			var parts []string
			for _, e := range est {
				if e.Row == row && e.Scale == scale {
					parts = append(parts, fmt.Sprintf("%s (%s)", e.Text, sourceCell(e.Source)))
				}
			}
			return parts
		})
	}
	return bs
}

// Markdown prints the table.
func (b ByScale) Markdown() string {
	var sb strings.Builder
	sb.WriteString("\n| claim |")
	sep := "|---|"
	for _, h := range b.Headers {
		sb.WriteString(" " + cellText(h) + " |")
		sep += "---|"
	}
	sb.WriteString("\n" + sep + "\n")
	for _, r := range b.Rows {
		sb.WriteString("| " + cellText(r.Claim) + " |")
		for _, c := range b.Columns {
			sb.WriteString(" " + cellText(r.Cells[c]) + " |")
		}
		sb.WriteString("\n")
	}
	return sb.String() + "\n"
}

// Cell returns the cell of claim at scale, and false when the table has
// no such row or column.
func (b ByScale) Cell(claim, scale string) (string, bool) {
	for _, r := range b.Rows {
		if r.Claim == claim {
			c, ok := r.Cells[scale]
			return c, ok
		}
	}
	return "", false
}
