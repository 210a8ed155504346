package attempt

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"shipshape/internal/check"
	"shipshape/internal/course"
	"shipshape/internal/docker/dockertest"
)

func TestMain(m *testing.M) { os.Exit(dockertest.Main(m, nil)) }

// envEngine hands out the test environment's adapter.
type envEngine struct{ e *dockertest.Env }

func (c envEngine) Connect(context.Context) (Engine, error) { return c.e.Docker, nil }

// A classroom with a local mirror names its base image in the
// workspace's shipshape.yaml; --build-arg wins over the file.
func TestBuildTakesArgsFromTheWorkspace(t *testing.T) {
	e := dockertest.Need(t)
	dir := t.TempDir()
	files := map[string]string{
		"Dockerfile":     "ARG BASE_IMAGE=registry.invalid/python:3.13-slim\nFROM ${BASE_IMAGE}\nARG GREETING=default\nRUN echo \"$GREETING\" > /greeting\nCMD [\"sleep\", \"30\"]\n",
		"shipshape.yaml": "build:\n  args:\n    BASE_IMAGE: " + e.Base + "\n    GREETING: from-the-file\n",
	}
	for name, body := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	r := &Runner{Engines: envEngine{e}, Reports: NewReports("")}
	tag := "shipshape-test/attempt-args:" + e.Docker.Session()
	for _, tc := range []struct {
		flags map[string]string
		want  string
	}{{nil, "from-the-file"}, {map[string]string{"GREETING": "from-the-flag"}, "from-the-flag"}} {
		ws := NewWorkspace(r, &course.Pack{}, Target{Dir: dir, Image: tag}, BuildFlags{Args: tc.flags})
		res, err := ws.Build(ctx, tag, nil)
		if err != nil {
			t.Fatal(err)
		}
		if !res.OK() {
			t.Fatalf("build failed at %s: %s\n%s", res.FailedStep, res.Error, strings.Join(res.Log, "\n"))
		}
		id, err := e.Docker.CreateContainer(ctx, check.ContainerSpec{Image: tag, Purpose: "args"})
		if err != nil {
			t.Fatal(err)
		}
		if err := e.Docker.StartContainer(ctx, id); err != nil {
			t.Fatal(err)
		}
		got, err := e.Docker.ReadFile(ctx, id, "/greeting", 100)
		_ = e.Docker.RemoveContainer(ctx, id)
		if err != nil || strings.TrimSpace(string(got)) != tc.want {
			t.Errorf("flags %v: /greeting = %q (%v), want %q", tc.flags, got, err, tc.want)
		}
	}
}

// A broken shipshape.yaml stops the build with its name, before the daemon.
func TestBuildRefusesABrokenWorkspaceFile(t *testing.T) {
	dir := t.TempDir()
	for name, body := range map[string]string{"Dockerfile": "FROM x\n", "shipshape.yaml": "build:\n  args:\n    9bad: x\n"} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	c := &connector{}
	ws := NewWorkspace(&Runner{Engines: c, Reports: NewReports("")}, &course.Pack{}, Target{Dir: dir}, BuildFlags{})
	_, err := ws.Build(context.Background(), "x:y", nil)
	if err == nil || !strings.Contains(err.Error(), "shipshape.yaml") || c.calls != 0 {
		t.Errorf("err = %v, %d connections", err, c.calls)
	}
}
