package testbed_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"shipshape/exercises/testbed"
	"shipshape/internal/course"
	"shipshape/internal/workspace"
)

// The lessons' own demonstrations, run as a learner runs them: the code
// block is taken from the lesson file, task-api:prod and container names
// are swapped for this run's, and the result is held against what the
// lesson's text says it is. They run on the real python:3.13-slim twin, on
// whichever engine DOCKER_HOST names (make test-engines runs them on
// Engine 26 with both image stores).

var (
	session  string
	prodTag  string // the 3.2 reference solution, the course's task-api:prod
	shellTag string // the same with a shell-form CMD
	skipWhy  string
)

func TestMain(m *testing.M) {
	// -short is a flag; TestMain runs before m.Run would parse it.
	flag.Parse()
	code, err := setup()
	if err != nil {
		fmt.Fprintln(os.Stderr, "testbed:", err)
		os.Exit(1)
	}
	if code >= 0 {
		os.Exit(code)
	}
	code = m.Run()
	teardown()
	os.Exit(code)
}

// setup builds the images the demonstrations use; it returns -1 to go on.
func setup() (int, error) {
	if testing.Short() {
		skipWhy = "-short runs no tests against a Docker daemon"
		return -1, nil
	}
	if _, err := exec.LookPath("docker"); err != nil {
		skipWhy = "no docker CLI"
	} else if out, err := exec.Command("docker", "version", "--format", "{{.Server.Version}}").CombinedOutput(); err != nil {
		skipWhy = "no Docker daemon reachable: " + strings.TrimSpace(string(out))
	}
	if skipWhy != "" {
		if os.Getenv("SHIPSHAPE_REQUIRE_DOCKER") == "1" {
			return 1, fmt.Errorf("SHIPSHAPE_REQUIRE_DOCKER=1 but %s", skipWhy)
		}
		return -1, nil
	}
	b := make([]byte, 5)
	_, _ = rand.Read(b)
	session = "lessons-" + hex.EncodeToString(b)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	host := os.Getenv("DOCKER_HOST")
	if host == "" {
		host = "unix:///var/run/docker.sock"
	}
	base, err := testbed.PythonBase(ctx, host, "shipshape-test/python:"+session, "dev.shipshape.session="+session)
	if err != nil {
		return 1, err
	}
	if !base.Real {
		// The stand-in cannot show what these lessons claim of Python,
		// uvicorn and real timing.
		skipWhy = base.Note
		teardown()
		if os.Getenv(testbed.EnvTwin) == "require" {
			return 1, fmt.Errorf("the twin is required: %s", base.Note)
		}
		return -1, nil
	}
	pack, err := course.Builtin(course.Options{})
	if err != nil {
		return 1, err
	}
	ex, _ := pack.Exercise("3.2")
	dir, err := os.MkdirTemp("", "shipshape-lessons-")
	if err != nil {
		return 1, err
	}
	defer os.RemoveAll(dir)
	if _, err := workspace.Init(pack.FS, pack.Workspace.Starter, dir, false); err != nil {
		return 1, err
	}
	if _, err := workspace.Apply(pack.FS, ex.Solution, dir); err != nil {
		return 1, err
	}
	prodTag = "shipshape-test/task-api-prod:" + session
	shellTag = "shipshape-test/task-api-shell:" + session
	if err := dockerBuild(ctx, dir, prodTag, base.Ref); err != nil {
		return 1, err
	}
	df := filepath.Join(dir, "Dockerfile")
	src, _ := os.ReadFile(df)
	shell := regexp.MustCompile(`(?m)^CMD \[.*\]$`).ReplaceAllString(string(src), "CMD uvicorn main:app --host 0.0.0.0 --port 8000")
	if err := os.WriteFile(df, []byte(shell), 0o644); err != nil {
		return 1, err
	}
	if err := dockerBuild(ctx, dir, shellTag, base.Ref); err != nil {
		return 1, err
	}
	return -1, nil
}

func dockerBuild(ctx context.Context, dir, tag, base string) error {
	out, err := exec.CommandContext(ctx, "docker", "build", "-q", "--build-arg", "PYTHON_IMAGE="+base, "-t", tag, dir).CombinedOutput()
	if err != nil {
		return fmt.Errorf("docker build %s: %v\n%s", tag, err, out)
	}
	return nil
}

// teardown removes the containers and images of this run: everything
// carries the session label, inherited from the python base.
func teardown() {
	if session == "" {
		return
	}
	f := "label=dev.shipshape.session=" + session
	if ids, _ := exec.Command("docker", "ps", "-aq", "--filter", f).Output(); len(bytes.TrimSpace(ids)) > 0 {
		_ = exec.Command("docker", append([]string{"rm", "-fv"}, strings.Fields(string(ids))...)...).Run()
	}
	for range 5 {
		ids, _ := exec.Command("docker", "images", "-q", "--filter", f).Output()
		if len(bytes.TrimSpace(ids)) == 0 {
			break
		}
		_ = exec.Command("docker", append([]string{"rmi", "-f"}, strings.Fields(string(ids))...)...).Run()
	}
	_ = exec.Command("docker", "builder", "prune", "-f", "--filter", "label=dev.shipshape.session="+session).Run()
}

func need(t *testing.T) {
	t.Helper()
	if skipWhy != "" {
		t.Skip(skipWhy)
	}
}

// block returns the n-th fenced code block (from 0) under the heading of
// a lesson of the built-in course.
func block(t *testing.T, lesson, heading string, n int) string {
	t.Helper()
	src, err := os.ReadFile(filepath.Join(testbed.Dir(), "..", "..", "lessons", lesson))
	if err != nil {
		t.Fatal(err)
	}
	_, rest, ok := strings.Cut(string(src), "\n"+heading+"\n")
	if !ok {
		t.Fatalf("%s has no heading %q", lesson, heading)
	}
	if next := strings.Index(rest, "\n## "); next >= 0 {
		rest = rest[:next]
	}
	fences := regexp.MustCompile("(?s)```[a-z]*\n(.*?)```").FindAllStringSubmatch(rest, -1)
	if n >= len(fences) {
		t.Fatalf("%s %q has %d code blocks, not %d", lesson, heading, len(fences), n+1)
	}
	return fences[n][1]
}

// runBlock runs a lesson's shell block as the learner would, with this
// run's image and container names, and returns its output. A line for
// the host only (curl to a published port) is left out with skipLines.
func runBlock(t *testing.T, script string, names []string, skipLines ...string) string {
	t.Helper()
	return runBlockIn(t, t.TempDir(), script, names, skipLines...)
}

// runBlockIn is runBlock in a working directory of the caller's, for
// blocks that go on where an earlier one left off.
func runBlockIn(t *testing.T, dir, script string, names []string, skipLines ...string) string {
	t.Helper()
	// Names first, as whole shell words (or after name=, or before a
	// closing parenthesis or quote), so that the image reference is left
	// alone.
	for _, n := range names {
		script = regexp.MustCompile(`(?m)(^|[\s=])`+regexp.QuoteMeta(n)+`(\s|$|[)'"])`).ReplaceAllString(script, "${1}"+n+"-"+session+"${2}")
		t.Cleanup(func() { _ = exec.Command("docker", "rm", "-fv", n+"-"+session).Run() })
	}
	script = strings.ReplaceAll(script, "task-api:prod", prodTag)
	// Published ports are not needed here and may be taken on the host.
	script = regexp.MustCompile(`-p \d+:\d+ `).ReplaceAllString(script, "")
	var kept []string
	for _, l := range strings.Split(script, "\n") {
		skip := false
		for _, s := range skipLines {
			skip = skip || strings.HasPrefix(strings.TrimSpace(l), s)
		}
		if !skip {
			kept = append(kept, l)
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "bash", "-c", strings.Join(kept, "\n"))
	cmd.Dir = dir
	out, _ := cmd.CombinedOutput()
	t.Logf("$ %s\n%s", strings.Join(kept, "\n$ "), out)
	return string(out)
}

// Lesson 04: without a tmpfs both writes fail; with one /tmp is writable,
// and its mount is noexec. Docker's own files are read-only too, and only
// /dev/shm stays writable.
func TestReadOnlyRootTryIt(t *testing.T) {
	need(t)
	out := runBlock(t, block(t, "04-read-only-rootfs.md", "## Try it", 0), nil)
	if n := strings.Count(out, "Read-only file system"); n != 2 {
		t.Errorf("the first command should fail twice with Read-only file system, saw it %d times", n)
	}
	if !strings.Contains(out, "tmp is writable") {
		t.Error("the second command did not write to /tmp")
	}
	if !regexp.MustCompile(`(?m)^tmpfs /tmp tmpfs \S*noexec`).MatchString(out) {
		t.Error("the third command shows no noexec tmpfs at /tmp")
	}
	got := runBlock(t, `docker run --rm --read-only task-api:prod sh -c 'for f in /etc/hosts /etc/resolv.conf /etc/hostname /dev/shm/x; do if echo >> $f 2>/dev/null; then echo "$f writable"; else echo "$f read-only"; fi; done'`, nil)
	for _, want := range []string{"/etc/hosts read-only", "/etc/resolv.conf read-only", "/etc/hostname read-only", "/dev/shm/x writable"} {
		if !strings.Contains(got, want) {
			t.Errorf("lesson 04 says %q under --read-only; the engine says:\n%s", want, got)
		}
	}
}

// Lesson 06, first demonstration: a probe that always fails makes the
// container unhealthy within the lesson's sleep, and nothing restarts it.
func TestUnhealthyTryIt(t *testing.T) {
	need(t)
	out := runBlock(t, block(t, "06-health-checks.md", "## Try it", 0), []string{"hc-demo"})
	if !strings.Contains(out, "(unhealthy)") || !strings.Contains(out, "unhealthy restarts=0") {
		t.Errorf("lesson 06 says the status is unhealthy and the restart count 0:\n%s", out)
	}
}

// Lesson 06, second demonstration: the real image reports starting, then
// healthy within the lesson's sleep.
func TestHealthyTryIt(t *testing.T) {
	need(t)
	out := runBlock(t, block(t, "06-health-checks.md", "## Try it", 1), []string{"task-api"}, "curl")
	if !strings.Contains(out, "(health: starting)") {
		t.Errorf("lesson 06 says the status starts as health: starting:\n%s", out)
	}
	if !strings.Contains(out, `"Status":"healthy"`) {
		t.Errorf("lesson 06 says the container is healthy after the sleep:\n%s", out)
	}
}

// Lesson 15, "Verify it": a graceful stop takes about a second, exits 0
// and logs the lifespan's shutdown; the shell form keeps sh as PID 1 and
// is killed after 10 s with 137; under --init a clean stop may say 143.
func TestGracefulShutdownVerifyIt(t *testing.T) {
	need(t)
	script := block(t, "15-graceful-shutdown.md", "## Verify it", 0)
	// The block's `time docker stop api` is swapped for a measurement the
	// test can read.
	measure := func(t *testing.T, image string, extra string) (time.Duration, string) {
		s := strings.ReplaceAll(script, "task-api:prod", image)
		s = strings.Replace(s, "docker run -d", "docker run -d "+extra, 1)
		start := time.Now()
		out := runBlock(t, strings.Replace(s, "time docker stop api", "start=$(date +%s%N); docker stop api ; echo stop-took-ms $(( ($(date +%s%N) - start) / 1000000 ))", 1), []string{"api"})
		return time.Since(start), out
	}
	t.Run("exec form", func(t *testing.T) {
		_, out := measure(t, prodTag, "")
		lines := strings.Split(out, "\n")
		if !containsLine(lines, "0") {
			t.Errorf("exit code 0 expected:\n%s", out)
		}
		if !strings.Contains(out, "shutdown complete") {
			t.Errorf("the lifespan's shutdown complete is not in the last log lines:\n%s", out)
		}
		if took := stopTook(out); took <= 0 || took > 3 {
			t.Errorf("a graceful stop took %.1f s; the lesson says about a second", took)
		}
	})
	t.Run("shell form", func(t *testing.T) {
		_, out := measure(t, shellTag, "")
		if !containsLine(strings.Split(out, "\n"), "137") {
			t.Errorf("the shell form should be killed with 137:\n%s", out)
		}
		if took := stopTook(out); took < 9 || took > 13 {
			t.Errorf("the shell form's stop took %.1f s; the lesson says about 10", took)
		}
		top := runBlock(t, "docker run -d --name sf "+shellTag+" >/dev/null; sleep 2; docker exec sf cat /proc/1/cmdline | tr '\\0' ' '; echo; docker rm -fv sf >/dev/null",
			[]string{"sf"})
		if !strings.HasPrefix(strings.TrimSpace(top), "/bin/sh -c") {
			t.Errorf("PID 1 of the shell form is not the shell: %q", top)
		}
	})
	t.Run("init", func(t *testing.T) {
		_, out := measure(t, prodTag, "--init")
		lines := strings.Split(out, "\n")
		if !containsLine(lines, "143") && !containsLine(lines, "0") {
			t.Errorf("under --init the lesson says 143 (or 0):\n%s", out)
		}
		if took := stopTook(out); took > 3 {
			t.Errorf("under --init the stop took %.1f s", took)
		}
	})
}

func containsLine(lines []string, want string) bool {
	for _, l := range lines {
		if strings.TrimSpace(l) == want {
			return true
		}
	}
	return false
}

// stopTook reads the "stop-took N" line the test puts around docker stop.
func stopTook(out string) float64 {
	m := regexp.MustCompile(`stop-took-ms ([0-9]+)`).FindStringSubmatch(out)
	if m == nil {
		return -1
	}
	var ms float64
	_, _ = fmt.Sscanf(m[1], "%g", &ms)
	return ms / 1000
}

// Lesson 06's table of probe timing, measured on the engine under test:
// when Docker first reports healthy, with and without a start period and
// a start interval.
func TestProbeTimingByEngine(t *testing.T) {
	need(t)
	out, err := exec.Command("docker", "version", "--format", "{{.Server.Version}}").Output()
	if err != nil {
		t.Fatal(err)
	}
	version := strings.TrimSpace(string(out))
	var major int
	_, _ = fmt.Sscanf(version, "%d.", &major)
	base := "shipshape-test/python:" + session
	cases := []struct {
		name, flags string
		want        func(major int) float64 // seconds to the first probe, by the lesson's table
	}{
		{"no start period", "--interval=6s", func(int) float64 { return 6 }},
		{"start period", "--interval=12s --start-period=20s", func(m int) float64 {
			if m >= 27 {
				return 5
			}
			return 12
		}},
		{"start interval", "--interval=12s --start-period=20s --start-interval=2s", func(m int) float64 {
			if m >= 25 {
				return 2
			}
			return 12
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			df := fmt.Sprintf("FROM %s\nHEALTHCHECK %s CMD [\"true\"]\nCMD [\"sleep\", \"120\"]\n", base, c.flags)
			if err := os.WriteFile(filepath.Join(dir, "Dockerfile"), []byte(df), 0o644); err != nil {
				t.Fatal(err)
			}
			tag := "shipshape-test/timing-" + strings.ReplaceAll(c.name, " ", "-") + ":" + session
			out, err := exec.Command("docker", "build", "-q", "-t", tag, dir).CombinedOutput()
			if err != nil {
				if major < 25 && strings.Contains(c.flags, "start-interval") && strings.Contains(string(out), "Unknown flag: start-interval") {
					t.Logf("Engine %s: the classic builder refuses --start-interval, as lesson 06 says", version)
					return
				}
				t.Fatalf("docker build: %v\n%s", err, out)
			}
			name := "timing-" + strings.ReplaceAll(c.name, " ", "-") + "-" + session
			t.Cleanup(func() { _ = exec.Command("docker", "rm", "-fv", name).Run() })
			if out, err := exec.Command("docker", "run", "-d", "--name", name, tag).CombinedOutput(); err != nil {
				t.Fatalf("docker run: %v\n%s", err, out)
			}
			start := time.Now()
			for time.Since(start) < 30*time.Second {
				st, _ := exec.Command("docker", "inspect", "--format", "{{.State.Health.Status}}", name).Output()
				if strings.TrimSpace(string(st)) == "healthy" {
					break
				}
				time.Sleep(200 * time.Millisecond)
			}
			got, want := time.Since(start).Seconds(), c.want(major)
			t.Logf("Engine %s, HEALTHCHECK %s: healthy after %.1f s (lesson 06: %.0f s)", version, c.flags, got, want)
			if got < want-1 || got > want+2 {
				t.Errorf("Engine %s, HEALTHCHECK %s: healthy after %.1f s, lesson 06 says %.0f s", version, c.flags, got, want)
			}
		})
	}
}

// Lesson 18, step 3: the wait-for-healthy loop reports healthy about one
// 5-second interval after the start, and ends by itself when the
// container becomes unhealthy or exits instead.
func TestWaitForHealthyLoop(t *testing.T) {
	need(t)
	script := block(t, "18-exercise-3-4.md", "## Step 3: Startup time", 1)
	re := regexp.MustCompile(`prod: (\S+) after ([0-9.]+) s`)
	cases := []struct {
		name, image, status string
		min, max            float64
	}{
		{"healthy", "task-api:prod", "healthy", 4, 9},
		{"unhealthy", "--health-cmd 'exit 1' --health-interval 1s --health-retries 1 --health-start-period 1ms task-api:prod", "unhealthy", 0.5, 8},
		{"exited", "task-api:prod python -c 'import time; time.sleep(1)'", "exited", 0.5, 8},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s := strings.Replace(script, "task-api:prod", c.image, 1)
			out := runBlock(t, s, []string{"api-prod"})
			m := re.FindStringSubmatch(out)
			if m == nil {
				t.Fatalf("no \"prod: STATUS after N s\" line:\n%s", out)
			}
			var took float64
			_, _ = fmt.Sscanf(m[2], "%g", &took)
			if m[1] != c.status || took < c.min || took > c.max {
				t.Errorf("lesson 18's loop said %q after %.1f s; want %q within %.0f-%.0f s", m[1], took, c.status, c.min, c.max)
			}
		})
	}
}

// Lesson 15, "Try it: a signal handler of your own": an async SIGTERM
// handler registered at import time replaces uvicorn's (0.29+), so the
// stop is a kill after 10 s; exit(0) from a handler stops at once with 0
// but fails the request in flight and skips uvicorn's shutdown, while the
// lifespan's finally still runs; without the handler uvicorn drains.
func TestSignalHandlerTryIt(t *testing.T) {
	need(t)
	heading := "## Try it: a signal handler of your own"
	dir := t.TempDir()
	broken := "shipshape-test/task-api-broken:" + session
	prep := func(s string) string {
		s = strings.ReplaceAll(s, "task-api:broken", broken)
		return strings.Replace(s, "time docker stop sig-demo", "start=$(date +%s%N); docker stop sig-demo ; echo stop-took-ms $(( ($(date +%s%N) - start) / 1000000 ))", 1)
	}
	t.Cleanup(func() { _ = exec.Command("docker", "rmi", "-f", broken).Run() })

	out := runBlockIn(t, dir, prep(block(t, "15-graceful-shutdown.md", heading, 0)), []string{"sig-demo"})
	if !containsLine(strings.Split(out, "\n"), "137") {
		t.Errorf("an async handler at import time: the lesson says exit code 137:\n%s", out)
	}
	if took := stopTook(out); took < 9 || took > 13 {
		t.Errorf("an async handler at import time: the stop took %.1f s; the lesson says the full 10", took)
	}
	if !strings.Contains(out, "coroutine 'on_sigterm' was never awaited") || strings.Contains(out, "cleaning up") {
		t.Errorf("the lesson says the coroutine is never awaited and its body never runs:\n%s", out)
	}

	second := block(t, "15-graceful-shutdown.md", heading, 1)
	out = runBlockIn(t, filepath.Join(dir, "broken-signal"), prep(second), []string{"sig-demo"})
	lines := strings.Split(out, "\n")
	if !containsLine(lines, "0") || stopTook(out) > 2 {
		t.Errorf("exit(0) from a handler: the lesson says a stop well under a second with exit code 0 (took %.1f s):\n%s", stopTook(out), out)
	}
	for _, want := range []string{"HTTP Error 500", `"message": "shutting down`, `"message": "database closed, shutdown complete`} {
		if !strings.Contains(out, want) {
			t.Errorf("exit(0) from a handler: the lesson says the output has %q:\n%s", want, out)
		}
	}
	for _, not := range []string{"Shutting down", "Waiting for connections to close", "Waiting for application shutdown"} {
		if strings.Contains(out, not) {
			t.Errorf("exit(0) from a handler: the lesson says uvicorn logs no %q:\n%s", not, out)
		}
	}

	// "Delete the signal.signal(...) line and run the block again."
	control := regexp.MustCompile(`(?m)^signal\.signal\(.*\n`).ReplaceAllString(second, "")
	out = runBlockIn(t, filepath.Join(dir, "broken-signal"), prep(control), []string{"sig-demo"})
	if !containsLine(strings.Split(out, "\n"), "0") {
		t.Errorf("without the handler the exit code should be 0:\n%s", out)
	}
	if took := stopTook(out); took < 1 || took > 4 {
		t.Errorf("without the handler the stop took %.1f s; the lesson says two or three", took)
	}
	for _, want := range []string{`{"slow":"done"}`, `"message": "Shutting down`, `"message": "Waiting for connections to close`, `"message": "database closed, shutdown complete`} {
		if !strings.Contains(out, want) {
			t.Errorf("without the handler the lesson says the output has %q:\n%s", want, out)
		}
	}
}

// Lessons 10 and 11: with the reference .dockerignore and Dockerfile of
// 3.2 in the project, the starter's Dockerfile still builds task-api:dev
// from the same context and its tests pass, the dev stage of lesson 08
// builds (on the classic builder, which builds it for the full image too),
// and the production image holds only the app's modules.
func TestDevImageBesideProd(t *testing.T) {
	need(t)
	pack, err := course.Builtin(course.Options{})
	if err != nil {
		t.Fatal(err)
	}
	ex, _ := pack.Exercise("3.2")
	ws, fresh := t.TempDir(), t.TempDir()
	if _, err := workspace.Init(pack.FS, pack.Workspace.Starter, ws, false); err != nil {
		t.Fatal(err)
	}
	if _, err := workspace.Apply(pack.FS, ex.Solution, ws); err != nil {
		t.Fatal(err)
	}
	if _, err := workspace.Init(pack.FS, pack.Workspace.Starter, fresh, false); err != nil {
		t.Fatal(err)
	}
	base := "shipshape-test/python:" + session
	devTag := "shipshape-test/task-api-dev:" + session
	script := block(t, "11-exercise-3-2.md", "## Starting point", 0)
	script = strings.ReplaceAll(script, "/tmp/task-api-starter", fresh)
	script = strings.ReplaceAll(script, "task-api:dev", devTag)
	script = strings.ReplaceAll(script, "docker build ", "docker build --build-arg PYTHON_IMAGE="+base+" ")
	out := runBlockIn(t, ws, script+"docker run --rm "+devTag+" python -m pytest -q 2>&1 | tail -n 1\n", nil)
	if !regexp.MustCompile(`(?m)^\d+ passed`).MatchString(out) || strings.Contains(out, "Could not open requirements file") {
		t.Errorf("lesson 11: the starter's Dockerfile should build task-api:dev beside the 3.2 solution and its tests pass:\n%s", out)
	}

	got := runBlock(t, "docker run --rm task-api:prod ls -A /app", nil)
	if strings.Fields(got) == nil || strings.Join(strings.Fields(got), " ") != "database.py logging_setup.py main.py settings.py" {
		t.Errorf("lessons 10 and 11: /app of task-api:prod should hold only the four modules, holds:\n%s", got)
	}

	// Lesson 08's dev stage, between builder and runtime.
	stage := block(t, "08-multi-stage.md", "## A dev stage for tests", 0)
	df := filepath.Join(ws, "Dockerfile")
	src, _ := os.ReadFile(df)
	withDev := strings.Replace(string(src), "FROM ${PYTHON_IMAGE} AS runtime", stage+"\nFROM ${PYTHON_IMAGE} AS runtime", 1)
	if withDev == string(src) {
		t.Fatal("the 3.2 Dockerfile has no runtime stage to put the dev stage before")
	}
	if err := os.WriteFile(df, []byte(withDev), 0o644); err != nil {
		t.Fatal(err)
	}
	testTag := "shipshape-test/task-api-test:" + session
	out = runBlockIn(t, ws, "docker build -q --build-arg PYTHON_IMAGE="+base+" --target dev -t "+testTag+" . >/dev/null && docker run --rm "+testTag+" 2>&1 | tail -n 1\n"+
		"docker build -q --build-arg PYTHON_IMAGE="+base+" -t "+testTag+"-prod . >/dev/null && echo prod-built", nil)
	if !regexp.MustCompile(`(?m)^\d+ passed`).MatchString(out) || !strings.Contains(out, "prod-built") {
		t.Errorf("lesson 08's dev stage should build and pass beside the 3.2 .dockerignore, and the full build too:\n%s", out)
	}
}

// Lesson 03, "Measure, do not guess": the command prints the unpacked
// size in bytes, the sum of the history's layer sizes that shipshape's
// size checks use; on the classic image store docker image inspect (and
// so docker image ls) says the same.
func TestUnpackedSizeCommand(t *testing.T) {
	need(t)
	out := strings.TrimSpace(runBlock(t, block(t, "03-base-image.md", "## Measure, do not guess", 1), nil))
	var got int64
	if _, err := fmt.Sscanf(out, "%d", &got); err != nil || got <= 0 {
		t.Fatalf("lesson 03's command should print a byte count, printed %q", out)
	}
	hist, err := exec.Command("docker", "history", "--human=false", "--format", "{{.Size}}", prodTag).Output()
	if err != nil {
		t.Fatal(err)
	}
	var sum int64
	for _, f := range strings.Fields(string(hist)) {
		var n int64
		_, _ = fmt.Sscanf(f, "%d", &n)
		sum += n
	}
	if got != sum {
		t.Errorf("lesson 03's command printed %d, the layers of docker history add up to %d", got, sum)
	}
	driver, _ := exec.Command("docker", "info", "--format", "{{json .DriverStatus}}").Output()
	inspect, _ := exec.Command("docker", "image", "inspect", "--format", "{{.Size}}", prodTag).Output()
	if strings.Contains(string(driver), "io.containerd.snapshotter") {
		t.Logf("containerd image store: unpacked %d bytes, docker image inspect says %s", got, bytes.TrimSpace(inspect))
		return
	}
	if strings.TrimSpace(string(inspect)) != fmt.Sprint(got) {
		t.Errorf("classic image store: lesson 03 says docker image ls shows the unpacked size; inspect says %s, the command %d", bytes.TrimSpace(inspect), got)
	}
}

// Lesson 16: the .env.example it shows is the starter's, and a "# comment"
// after a value becomes part of it under docker run --env-file, while the
// starter's file (comments on their own lines, no token) works.
func TestEnvFileTryIt(t *testing.T) {
	need(t)
	example, err := os.ReadFile(filepath.Join(testbed.Dir(), "..", "task-api", "starter", ".env.example"))
	if err != nil {
		t.Fatal(err)
	}
	if shown := block(t, "16-config-secrets.md", "## Document every variable", 0); shown != string(example) {
		t.Errorf("lesson 16 shows a .env.example that is not the starter's:\n%s", shown)
	}
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, ".env.example"), example, 0o644); err != nil {
		t.Fatal(err)
	}
	out := runBlockIn(t, dir, block(t, "16-config-secrets.md", "## Pass configuration at run time", 1), nil)
	for _, want := range []string{
		`'INFO   # DEBUG, INFO, WARNING or ERROR'`,
		"database_path=PosixPath('tasks.db') log_level='INFO' api_token=None",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("lesson 16 says the output has %q:\n%s", want, out)
		}
	}
	if !regexp.MustCompile(`(?m)^log_level\n\s+Input should be`).MatchString(out) {
		t.Errorf("lesson 16 says the inline comment makes Settings() fail validation:\n%s", out)
	}
}

// Lesson 16: under Pydantic v2, `from pydantic import BaseSettings` fails
// with PydanticImportError, while an inner class Config still works and
// only warns (PydanticDeprecatedSince20, shown with -W default).
func TestPydanticV1Forms(t *testing.T) {
	need(t)
	out := runBlock(t, `docker run --rm -w /tmp task-api:prod sh -c '
python -c "from pydantic import BaseSettings" 2>&1 | grep -o PydanticImportError
printf "from pydantic_settings import BaseSettings\nclass S(BaseSettings):\n    x: str = \"a\"\n    class Config:\n        env_prefix = \"T_\"\n" > /tmp/m.py
T_X=from-env python -W default -c "import m; print(\"value\", m.S().x)" 2>&1'`, nil)
	for _, want := range []string{"PydanticImportError", "PydanticDeprecatedSince20", "value from-env"} {
		if !strings.Contains(out, want) {
			t.Errorf("lesson 16 says %q:\n%s", want, out)
		}
	}
}

// Lesson 03, "Try it", on the twin in python:3.13-slim's place: Debian,
// Python 3.13, and no compiler, make or curl.
func TestBaseImageTryIt(t *testing.T) {
	need(t)
	script := strings.ReplaceAll(block(t, "03-base-image.md", "## Try it", 0), "python:3.13-slim", "shipshape-test/python:"+session)
	out := runBlock(t, script, nil)
	for _, want := range []string{"PRETTY_NAME=\"Debian GNU/Linux", "Python 3.13", "gcc: not installed", "make: not installed", "curl: not installed"} {
		if !strings.Contains(out, want) {
			t.Errorf("lesson 03's Try it should show %q", want)
		}
	}
}

// Lesson 08, "Try it", in a workspace with the 3.2 solution: uvicorn and
// python come from /opt/venv/bin, sys.prefix is /opt/venv, no compiler.
func TestMultiStageTryIt(t *testing.T) {
	need(t)
	pack, err := course.Builtin(course.Options{})
	if err != nil {
		t.Fatal(err)
	}
	ex, _ := pack.Exercise("3.2")
	dir := filepath.Join(t.TempDir(), "ws")
	if _, err := workspace.Init(pack.FS, pack.Workspace.Starter, dir, false); err != nil {
		t.Fatal(err)
	}
	if _, err := workspace.Apply(pack.FS, ex.Solution, dir); err != nil {
		t.Fatal(err)
	}
	// The learner's docker build, on the twin instead of python:3.13-slim.
	script := strings.ReplaceAll(block(t, "08-multi-stage.md", "## Try it", 0), "docker build ",
		"docker build -q --build-arg PYTHON_IMAGE=shipshape-test/python:"+session+" ")
	out := runBlockIn(t, dir, script, nil)
	for _, want := range []string{"/opt/venv/bin/uvicorn", "/opt/venv/bin/python", "\n/opt/venv\n", "no gcc"} {
		if !strings.Contains(out, want) {
			t.Errorf("lesson 08's Try it should show %q", strings.TrimSpace(want))
		}
	}
}

// Lesson 17, "Try it": the layer count and size line, healthy within the
// lesson's sleep under the stated limits, and one stats sample.
func TestMetricsTryIt(t *testing.T) {
	need(t)
	out := runBlock(t, block(t, "17-metrics.md", "## Try it", 0), []string{"api-prod"})
	if !regexp.MustCompile(`(?m)^\d+ layers, \d+ bytes$`).MatchString(out) {
		t.Error("lesson 17's inspect line is missing")
	}
	if !regexp.MustCompile(`(?m)^healthy$`).MatchString(out) {
		t.Error("lesson 17 says the container is healthy after its sleep")
	}
	if !strings.Contains(out, "MEM USAGE / LIMIT") || !strings.Contains(out, "256MiB") {
		t.Error("docker stats should show the 256 MiB limit")
	}
}

// Lesson 14, "Try it": the log is JSON lines with UTC times, and the
// request's lines carry its X-Request-ID. The curl to the published port
// becomes the same request from inside the container, since the engine
// under test may not publish to this machine's loopback.
func TestLoggingTryIt(t *testing.T) {
	need(t)
	if _, err := exec.LookPath("jq"); err != nil {
		t.Skip("no jq")
	}
	script := block(t, "14-logging.md", "## Try it", 0)
	curl := regexp.MustCompile(`(?m)^curl -s -H 'X-Request-ID: demo-1' http://127\.0\.0\.1:8000/health$`)
	if !curl.MatchString(script) {
		t.Fatalf("lesson 14's Try it no longer has the curl line this test replaces:\n%s", script)
	}
	script = curl.ReplaceAllString(script, `sleep 3; docker exec api python -c "import urllib.request as u; u.urlopen(u.Request('http://127.0.0.1:8000/health', headers={'X-Request-ID': 'demo-1'}), timeout=5)"`)
	out := runBlock(t, script, []string{"api"})
	var tail []string
	for _, l := range strings.Split(out, "\n") {
		if strings.HasPrefix(l, "{") {
			tail = append(tail, l)
		}
	}
	if len(tail) < 2 {
		t.Fatalf("no JSON log lines:\n%s", out)
	}
	for _, l := range tail {
		var rec map[string]any
		if err := json.Unmarshal([]byte(l), &rec); err != nil {
			t.Errorf("not JSON: %s", l)
			continue
		}
		if ts, _ := rec["time"].(string); !strings.HasSuffix(ts, "+00:00") {
			t.Errorf("time %q does not end in +00:00", ts)
		}
	}
	if !strings.Contains(out, `"request_id":"demo-1"`) {
		t.Error("the jq line should print the request's log line, with demo-1")
	}
}
