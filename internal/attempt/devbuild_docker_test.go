package attempt

import (
	"context"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"shipshape/internal/check"
	"shipshape/internal/course"
	"shipshape/internal/docker/dockertest"
	"shipshape/internal/lab"
)

// B builds the dev image from the starter's Dockerfile, on the workspace's
// files and with its .dockerignore, whatever the learner's Dockerfile now
// says; the image it makes is then there, which is what makes the TUI ask
// before the next B replaces it.
func TestBuildDevUsesTheStartersDockerfile(t *testing.T) {
	e := dockertest.Need(t)
	starter := "ARG BASE=registry.invalid/none\nFROM ${BASE}\nCOPY . /app\nRUN echo starter > /which && ls -a /app > /listing\nCMD [\"sleep\", \"30\"]\n"
	pack := &course.Pack{
		FS:        fstest.MapFS{"ws/starter/Dockerfile": {Data: []byte(starter)}},
		Workspace: &course.Workspace{Starter: "ws/starter"},
	}
	for _, tc := range []struct {
		name, tag string
		ignore    string
		absent    []string
	}{
		{"no .dockerignore", "plain", "", []string{".dockerignore", ".dockerfile.shipshape"}},
		{"the learner's .dockerignore", "ignore", "secret.txt\n", []string{"secret.txt", ".dockerfile.shipshape"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			files := map[string]string{
				// The learner's own Dockerfile, already hardened: not the dev image's.
				"Dockerfile":     "ARG BASE\nFROM ${BASE}\nRUN echo prod > /which\n",
				"shipshape.yaml": "build:\n  args:\n    BASE: " + e.Base + "\n",
				"mine.txt":       "the learner's file\n",
				"secret.txt":     "not for images\n",
			}
			if tc.ignore != "" {
				files[".dockerignore"] = tc.ignore
			}
			for name, body := range files {
				if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
			defer cancel()
			dev := "shipshape-test/attempt-dev-" + tc.tag + ":" + e.Docker.Session()
			ws := NewWorkspace(&Runner{Engines: envEngine{e}, Reports: NewReports("")}, pack,
				Target{Dir: dir, Image: "shipshape-test/attempt-prod:" + e.Docker.Session(), DevImage: dev}, BuildFlags{})
			if ok, err := ws.ImageExists(ctx, dev); err != nil || ok {
				t.Fatalf("dev image there before the build: %v %v", ok, err)
			}
			res, err := ws.BuildDev(ctx, nil)
			if err != nil {
				t.Fatal(err)
			}
			if !res.OK() {
				t.Fatalf("build failed at %s: %s\n%s", res.FailedStep, res.Error, strings.Join(res.Log, "\n"))
			}
			if ok, err := ws.ImageExists(ctx, dev); err != nil || !ok {
				t.Fatalf("dev image not there after the build: %v %v", ok, err)
			}
			id, err := e.Docker.CreateContainer(ctx, check.ContainerSpec{Image: dev, Purpose: "devbuild"})
			if err != nil {
				t.Fatal(err)
			}
			defer e.Docker.RemoveContainer(context.Background(), id)
			if err := e.Docker.StartContainer(ctx, id); err != nil {
				t.Fatal(err)
			}
			which, err := e.Docker.ReadFile(ctx, id, "/which", 100)
			if err != nil || strings.TrimSpace(string(which)) != "starter" {
				t.Errorf("/which = %q (%v): the dev image must come from the starter's Dockerfile", which, err)
			}
			listing, err := e.Docker.ReadFile(ctx, id, "/listing", 4096)
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(string(listing), "mine.txt") {
				t.Errorf("/app lacks the workspace's files:\n%s", listing)
			}
			for _, a := range tc.absent {
				if strings.Contains(string(listing), a) {
					t.Errorf("/app holds %s:\n%s", a, listing)
				}
			}
		})
	}
}

// build.pull (or --pull) pulls the resolved base first; with no registry
// the build ends at that step with advice, not in a hang.
func TestBuildPullWithoutRegistryFailsAtThePull(t *testing.T) {
	e := dockertest.Need(t)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	nowhere := ln.Addr().String() + "/shipshape-test/none:1"
	ln.Close()
	dir := t.TempDir()
	for name, body := range map[string]string{
		"Dockerfile":     "ARG BASE=registry.invalid/none\nFROM ${BASE}\n",
		"shipshape.yaml": "build:\n  args:\n    BASE: " + nowhere + "\n  pull: true\n",
	} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	tag := "shipshape-test/attempt-pull:" + e.Docker.Session()
	ws := NewWorkspace(&Runner{Engines: envEngine{e}, Reports: NewReports("")}, &course.Pack{}, Target{Dir: dir, Image: tag}, BuildFlags{})
	var steps []string
	res, err := ws.Build(ctx, tag, func(ev lab.BuildEvent) {
		if ev.Step != "" {
			steps = append(steps, ev.Step)
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	if res.OK() || res.FailedStep != "Pulling "+nowhere+" (--pull)" || !strings.Contains(res.Error, "build without --pull") {
		t.Errorf("result %+v (steps %q): want a failed pull of %s with advice", res, steps, nowhere)
	}
	if ok, _ := ws.ImageExists(ctx, tag); ok {
		t.Error("an image was built after the pull failed")
	}
}
