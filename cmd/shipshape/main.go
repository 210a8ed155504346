// Command shipshape is a terminal tutorial for making container images
// production-ready: it teaches the lessons, runs the exercises against the
// learner's Docker daemon and keeps their progress on their machine.
package main

import (
	"errors"
	"fmt"
	"os"

	"shipshape/internal/termsafe"
)

func main() {
	a := newApp(os.Stdin, os.Stdout, os.Stderr)
	err := newRootCmd(a).Execute()
	os.Exit(exitCode(a, err))
}

// exitCode prints err for a person and maps it to the exit status: 2 when
// shipshape could not do its job (bad usage, bad input, no daemon), or
// the code an exitError carries.
func exitCode(a *app, err error) int {
	if err == nil {
		return 0
	}
	var ee *exitError
	if errors.As(err, &ee) {
		if ee.err != nil {
			fmt.Fprintln(a.stderr, "shipshape: "+termsafe.Text(ee.err.Error()))
		}
		return ee.code
	}
	fmt.Fprintln(a.stderr, "shipshape: "+termsafe.Text(err.Error()))
	return 2
}

// exitError carries an exit code; err may be nil when the output already
// said everything.
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string {
	if e.err == nil {
		return fmt.Sprintf("exit status %d", e.code)
	}
	return e.err.Error()
}

func (e *exitError) Unwrap() error { return e.err }
