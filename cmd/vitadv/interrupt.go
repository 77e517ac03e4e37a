package main

import (
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

// onInterrupt makes SIGINT and SIGTERM print msg() to w and exit with
// status 130 (every finished cell is already fsync'd, so nothing is lost);
// the returned function restores the default behaviour.
func onInterrupt(w io.Writer, msg func() string) (stop func()) {
	ch := make(chan os.Signal, 1)
	signal.Notify(ch, os.Interrupt, syscall.SIGTERM)
	done := make(chan struct{})
	go func() {
		select {
		case <-ch:
			fmt.Fprintf(w, "\n%s\n", msg())
			os.Exit(130)
		case <-done:
		}
	}()
	return func() {
		signal.Stop(ch)
		close(done)
	}
}
