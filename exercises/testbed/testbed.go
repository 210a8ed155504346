// Package testbed gives shipshape's tests the world learners really work
// in: a twin of python:3.13-slim built offline from Debian (python-base.sh),
// on whichever engine DOCKER_HOST names (the host's, or a newer one that
// engine.sh runs in a container). Where the twin cannot be had, tests fall
// back to the busybox stand-in of exercises/task-api/testbase and say so.
//
// SHIPSHAPE_TWIN chooses:
//
//	""       the twin when its rootfs is cached, else the stand-in (with a note)
//	build    build the twin's rootfs when it is not cached (root, debootstrap,
//	         Debian's archive; about a minute), else as ""
//	require  as build, and a test fails instead of falling back (CI)
//	off      the stand-in
package testbed

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
)

// EnvTwin is the variable that chooses the python base of the tests.
const EnvTwin = "SHIPSHAPE_TWIN"

// Base is the python base image a test builds the Task API on.
type Base struct {
	// Ref is the image reference to pass as the PYTHON_IMAGE build argument.
	Ref string
	// Real is true for the Debian twin, false for the busybox stand-in.
	Real bool
	// Note says why the stand-in is used, when it is.
	Note string
}

// Dir is this package's directory, where the scripts are.
func Dir() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Dir(file)
}

// PythonBase imports a python base into the daemon at host (a DOCKER_HOST
// value) under tag, with the extra label (key=value) that every image built
// FROM it inherits, so a test can find all of them. It returns the twin
// when it can (see the package comment), else the stand-in. The error is
// for a base that could be had neither way, or a fallback that
// SHIPSHAPE_TWIN=require forbids.
func PythonBase(ctx context.Context, host, tag, label string) (Base, error) {
	mode := os.Getenv(EnvTwin)
	note := "SHIPSHAPE_TWIN=off"
	if mode != "off" {
		args := []string{filepath.Join(Dir(), "python-base.sh")}
		if mode != "build" && mode != "require" {
			args = append(args, "--cached-only")
		}
		args = append(args, tag)
		out, err := script(ctx, host, "TWIN_LABEL="+label, args...)
		if err == nil {
			return Base{Ref: tag, Real: true}, nil
		}
		if mode == "require" {
			return Base{}, fmt.Errorf("the python:3.13-slim twin is required (%s=require) but could not be made: %v\n%s", EnvTwin, err, out)
		}
		note = "no twin of python:3.13-slim: " + lastLine(out) +
			" (run `bash exercises/testbed/python-base.sh --print-tarball` once as root to build it)"
	}
	standin := filepath.Join(Dir(), "..", "task-api", "testbase", "build.sh")
	if out, err := script(ctx, host, "STANDIN_LABEL="+label, "sh", standin, tag); err != nil {
		return Base{}, fmt.Errorf("cannot build the busybox stand-in for python:3.13-slim: %v\n%s", err, out)
	}
	return Base{Ref: tag, Note: "using the busybox stand-in: " + note}, nil
}

func script(ctx context.Context, host, env string, args ...string) (string, error) {
	name, rest := "bash", args
	if args[0] == "sh" {
		name, rest = "sh", args[1:]
	}
	cmd := exec.CommandContext(ctx, name, rest...)
	cmd.Env = append(os.Environ(), env, "DOCKER_HOST="+host)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	return out.String(), err
}

func lastLine(s string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	return strings.TrimPrefix(lines[len(lines)-1], "python-base: ")
}
