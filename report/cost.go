package report

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"vitadv/theorems"
)

// ProtocolCostFile is the committed output of BenchmarkEvalProtocol
// (model/cell): the cost per test point of the cheap and the cascade
// evaluation protocols on cells of the ci τ sweep, relative to the
// results root.
const ProtocolCostFile = "bench/eval-protocol.txt"

// protocolCost is one sub-benchmark of BenchmarkEvalProtocol: the budget,
// the protocol and the medians over its result lines of CPU seconds per
// test point and of the bracket's ends.
type protocolCost struct {
	tau, protocol string
	cpu, lb, ub   []float64
}

// readProtocolCost parses a go test -bench output of BenchmarkEvalProtocol:
// lines "BenchmarkEvalProtocol/tau=T/protocol=P-n  iters  v unit  v unit …"
// with the units cpu-s/point, lb and ub; a "command: " line names the
// command. It returns the sub-benchmarks in file order.
func readProtocolCost(path string) ([]*protocolCost, string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, "", err
	}
	defer f.Close()
	var out []*protocolCost
	command := ""
	sc := bufio.NewScanner(f)
	line := 0
	for sc.Scan() {
		line++
		text := sc.Text()
		if c, ok := strings.CutPrefix(text, "command: "); ok {
			command = c
			continue
		}
		if !strings.HasPrefix(text, "BenchmarkEvalProtocol/") {
			continue
		}
		fs := strings.Fields(text)
		name := fs[0]
		if i := strings.LastIndexByte(name, '-'); i > 0 {
			name = name[:i]
		}
		var tau, proto string
		for _, part := range strings.Split(name, "/")[1:] {
			k, v, _ := strings.Cut(part, "=")
			switch k {
			case "tau":
				tau = v
			case "protocol":
				proto = v
			}
		}
		if tau == "" || proto == "" || len(fs) < 4 || len(fs)%2 != 0 {
			return nil, "", fmt.Errorf("%s:%d: not a BenchmarkEvalProtocol/tau=…/protocol=… result line", path, line)
		}
		i := slices.IndexFunc(out, func(c *protocolCost) bool { return c.tau == tau && c.protocol == proto })
		if i < 0 {
			out = append(out, &protocolCost{tau: tau, protocol: proto})
			i = len(out) - 1
		}
		c := out[i]
		got := 0
		for k := 2; k+1 < len(fs); k += 2 {
			v, err := strconv.ParseFloat(fs[k], 64)
			if err != nil {
				return nil, "", fmt.Errorf("%s:%d: %q is not a number", path, line, fs[k])
			}
			switch fs[k+1] {
			case "cpu-s/point":
				c.cpu, got = append(c.cpu, v), got+1
			case "lb":
				c.lb, got = append(c.lb, v), got+1
			case "ub":
				c.ub, got = append(c.ub, v), got+1
			}
		}
		if got != 3 {
			return nil, "", fmt.Errorf("%s:%d: want the metrics cpu-s/point, lb and ub", path, line)
		}
	}
	return out, command, sc.Err()
}

// writeProtocolCost writes the section "Protocol cost" from root's
// ProtocolCostFile (nothing when the root has none): per budget, the CPU
// seconds per test point of the cheap protocol and of the cascade (medians
// over the file's runs), their ratio and the brackets, and the mean over
// the budgets.
func writeProtocolCost(w io.Writer, root string) error {
	path := filepath.Join(root, ProtocolCostFile)
	costs, command, err := readProtocolCost(path)
	if os.IsNotExist(err) {
		return nil
	}
	if err != nil {
		return err
	}
	med := func(v []float64) float64 { return theorems.Quantile(slices.Clone(v), 0.5) }
	find := func(tau, proto string) *protocolCost {
		k := slices.IndexFunc(costs, func(o *protocolCost) bool { return o.tau == tau && o.protocol == proto })
		if k < 0 {
			return nil
		}
		return costs[k]
	}
	// The joint certificate's column (protocol=cascade-joint) is there when
	// the file has it, for every budget.
	joint := slices.ContainsFunc(costs, func(o *protocolCost) bool { return o.protocol == protoCostJoint })
	var rows []string
	var sumCheap, sumCasc, sumJoint float64
	n := 0
	for _, c := range costs {
		if c.protocol != "cheap" {
			continue
		}
		o := find(c.tau, "cascade")
		if o == nil {
			return fmt.Errorf("%s: τ/‖μ‖ = %s has a cheap result and no cascade result", path, c.tau)
		}
		ch, ca := med(c.cpu), med(o.cpu)
		sumCheap, sumCasc, n = sumCheap+ch, sumCasc+ca, n+1
		row := fmt.Sprintf("| %s | %.2g | %.2g | %.1f× | [%.3f, %.3f] | [%.3f, %.3f] |", c.tau, ch, ca, ca/ch, med(c.lb), med(c.ub), med(o.lb), med(o.ub))
		if joint {
			j := find(c.tau, protoCostJoint)
			if j == nil {
				return fmt.Errorf("%s: τ/‖μ‖ = %s has no %s result while other budgets have one", path, c.tau, protoCostJoint)
			}
			cj := med(j.cpu)
			sumJoint += cj
			row += fmt.Sprintf(" %.2g | %.1f× | [%.3f, %.3f] |", cj, cj/ch, med(j.lb), med(j.ub))
		}
		rows = append(rows, row)
	}
	if n == 0 {
		return fmt.Errorf("%s: no BenchmarkEvalProtocol result", path)
	}
	fmt.Fprintf(w, "\n### Protocol cost\n\n")
	fmt.Fprintf(w, "CPU seconds (user + system, every thread) per test point of one robust evaluation of a cell of the ci τ sweep (`tau/ci`, replicate 0: d = 128, M = 8, 200 test points, Frobenius ball), certificate included in every protocol: _cheap_ (PGD-10 × 1, APGD-50, midpoint, erase; the interval certificate), _cascade_ (the same, then the strong attack on the points neither broken nor certified) and, where the file has it, the cascade with the joint certificate (`-cert-joint`, the committed ci files' protocol; the strong attack then runs on the fewer points it leaves). Measured by `BenchmarkEvalProtocol` (model/cell) into `results/%s`", ProtocolCostFile)
	if command != "" {
		fmt.Fprintf(w, " (`%s`)", command)
	}
	fmt.Fprintf(w, ", medians over its runs (the file records the commit and the load average of the shared machine):\n\n")
	head, rule, mean := "| τ/‖μ‖ | cheap: CPU s / point | cascade: CPU s / point | cascade ÷ cheap | bracket, cheap | bracket, cascade |", "|---|---|---|---|---|---|",
		fmt.Sprintf("| mean over these budgets | %.2g | %.2g | %.1f× | | |", sumCheap/float64(n), sumCasc/float64(n), sumCasc/sumCheap)
	if joint {
		head += " cascade, joint certificate: CPU s / point | ÷ cheap | bracket, cascade, joint certificate |"
		rule += "---|---|---|"
		mean += fmt.Sprintf(" %.2g | %.1f× | |", sumJoint/float64(n), sumJoint/sumCheap)
	}
	fmt.Fprintf(w, "%s\n%s\n%s\n%s\n", head, rule, strings.Join(rows, "\n"), mean)
	return nil
}

// protoCostJoint is BenchmarkEvalProtocol's name of the cascade with the
// joint certificate (the committed ci files' protocol).
const protoCostJoint = "cascade-joint"
