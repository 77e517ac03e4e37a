// Command mutate runs the mutation-testing catalogue: each catalogued bug
// is planted alone in a scratch copy of the module and go test decides
// whether the suite notices. It prints the killed ratio and the survivors
// and, on a run of the whole catalogue, writes the report.
//
//	go run ./cmd/mutate [-catalogue mutate/catalogue.txt] [-run REGEX] [-j 1] [-timeout 6m] [-out results/mutate/REPORT.txt]
//
// It exits non-zero when a mutant survives or is invalid.
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := run(ctx, os.Stdout, os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "mutate:", err)
		os.Exit(1)
	}
}
