//go:build unix

package main

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestInterruptPrintsResume: on SIGINT the handler of onInterrupt prints
// its message (the resume command) and exits with status 130. The test
// binary reruns itself as the interrupted process.
func TestInterruptPrintsResume(t *testing.T) {
	if os.Getenv("VITADV_INTERRUPT_CHILD") == "1" {
		onInterrupt(os.Stderr, func() string { return "resume with: go run ./cmd/vitadv all -preset smoke" })
		syscall.Kill(os.Getpid(), syscall.SIGINT)
		time.Sleep(10 * time.Second)
		os.Exit(0) // not reached unless the handler failed
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestInterruptPrintsResume$")
	cmd.Env = append(os.Environ(), "VITADV_INTERRUPT_CHILD=1")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	err := cmd.Run()
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() != 130 {
		t.Errorf("interrupted child: err = %v, want exit status 130", err)
	}
	if !strings.Contains(stderr.String(), "resume with: go run ./cmd/vitadv all -preset smoke") {
		t.Errorf("interrupted child printed %q, want the resume command", stderr.String())
	}
}
