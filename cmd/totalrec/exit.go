package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/totalrec/totalrec/recordings"
	"github.com/totalrec/totalrec/recordings/catalog"
)

// Exit codes, as docs/architecture.md promises them to scripts and cron.
const (
	exitOK      = 0
	exitError   = 1
	exitUsage   = 2
	exitPartial = 3 // done, but some items failed
	exitRefused = 4 // refused for safety
)

// usageError marks a mistake in how the command was called.
type usageError struct{ err error }

func (e usageError) Error() string { return e.err.Error() }
func (e usageError) Unwrap() error { return e.err }

func usagef(format string, args ...any) error { return usageError{fmt.Errorf(format, args...)} }

// partialError reports a job that finished with some per-item failures; the summary
// has already been printed.
type partialError struct{ failed int }

func (e partialError) Error() string { return fmt.Sprintf("%d items failed", e.failed) }

// problemsError reports checks that found problems (doctor, verify); the details
// are printed. what names one problem: "check failed" by default.
type problemsError struct {
	n    int
	what string
}

func (e problemsError) Error() string {
	what := e.what
	if what == "" {
		what = "check failed"
	}
	if e.n == 1 {
		return "1 " + what
	}
	first, rest, _ := strings.Cut(what, " ")
	return fmt.Sprintf("%d %ss %s", e.n, first, rest)
}

// exitCode maps an error to the process exit code and prints it once.
func exitCode(err error, stderr io.Writer) int {
	if err == nil {
		return exitOK
	}
	var ue usageError
	var pe partialError
	var pr problemsError
	switch {
	case errors.As(err, &ue) || isCobraUsage(err):
		// The field and the value say what is wrong; the sentinel's words add nothing.
		msg := strings.TrimSuffix(err.Error(), ": "+recordings.ErrInvalid.Error())
		fmt.Fprintf(stderr, "totalrec: %s\nRun 'totalrec --help' for usage.\n", msg)
		return exitUsage
	case errors.Is(err, catalog.ErrNoCatalogue):
		fmt.Fprintf(stderr, "totalrec: %v\n", err)
		return exitUsage
	case errors.As(err, &pe):
		fmt.Fprintf(stderr, "totalrec: %v\n", err)
		return exitPartial
	case errors.As(err, &pr):
		fmt.Fprintf(stderr, "totalrec: %v\n", err)
		return exitError
	case errors.Is(err, recordings.ErrRefused):
		fmt.Fprintf(stderr, "totalrec: %v\n", err)
		return exitRefused
	case errors.Is(err, context.Canceled):
		fmt.Fprintln(stderr, "totalrec: interrupted")
		return exitError
	}
	fmt.Fprintf(stderr, "totalrec: %v\n", err)
	return exitError
}

// isCobraUsage recognises the argument errors cobra produces itself.
func isCobraUsage(err error) bool {
	msg := err.Error()
	for _, p := range []string{"unknown command", "unknown flag", "unknown shorthand flag", "accepts ", "requires at least", "invalid argument"} {
		if strings.HasPrefix(msg, p) {
			return true
		}
	}
	return false
}
