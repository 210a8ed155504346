package docker_test

import (
	"context"
	"io"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/docker/docker/api/types/build"
	"github.com/docker/docker/api/types/container"
	"github.com/docker/docker/api/types/image"
	"github.com/docker/docker/client"

	"shipshape/internal/check"
	"shipshape/internal/docker"
	"shipshape/internal/docker/dockertest"
	"shipshape/internal/ledger"
)

// TestLearnersCommitsSurvive is the hostile pass's first finding: a
// learner commits one of shipshape's check containers, runs the committed
// image and builds FROM it. Docker copies shipshape's labels (session,
// pid, host) into all three. Neither the session's own cleanup nor a later
// process's sweep of the dead session may touch them; the check container
// itself goes.
func TestLearnersCommitsSurvive(t *testing.T) {
	e := dockertest.Need(t)
	ctx := context.Background()
	api := e.API()

	// A shipshape process of its own, with a file ledger, as `check` has.
	path := filepath.Join(t.TempDir(), ledger.FileName)
	dead := exec.Command("sh", "-c", "exit 0")
	if err := dead.Run(); err != nil {
		t.Fatal(err)
	}
	first, err := docker.Connect(ctx, docker.Options{Ledger: ledger.Open(path)})
	if err != nil {
		t.Fatal(err)
	}
	defer first.Close()
	checkID, err := first.CreateContainer(ctx, check.ContainerSpec{Image: e.Base, Purpose: "user"})
	if err != nil {
		t.Fatal(err)
	}

	// The learner's three objects, made with the plain API as the CLI would.
	commit, err := api.ContainerCommit(ctx, checkID, container.CommitOptions{Reference: "learner-commit:" + first.Session()})
	if err != nil {
		t.Fatal(err)
	}
	learnerImages := []string{commit.ID}
	defer func() {
		for i := len(learnerImages) - 1; i >= 0; i-- {
			_, _ = api.ImageRemove(context.Background(), learnerImages[i], image.RemoveOptions{Force: true, PruneChildren: true})
		}
	}()
	run, err := api.ContainerCreate(ctx, &container.Config{Image: commit.ID, Cmd: []string{"sleep", "300"}}, nil, nil, nil, "")
	if err != nil {
		t.Fatal(err)
	}
	defer api.ContainerRemove(context.Background(), run.ID, container.RemoveOptions{Force: true})
	if err := api.ContainerStart(ctx, run.ID, container.StartOptions{}); err != nil {
		t.Fatal(err)
	}
	child := buildFrom(t, api, commit.ID, "learner-child:"+first.Session())
	learnerImages = append(learnerImages, child)

	// They really carry shipshape's labels: the reason labels are no proof.
	ci, err := api.ContainerInspect(ctx, run.ID)
	if err != nil {
		t.Fatal(err)
	}
	if ci.Config.Labels[docker.LabelSession] != first.Session() {
		t.Fatalf("the learner's container does not inherit the session label (labels %v); the test proves nothing", ci.Config.Labels)
	}

	survives := func(when string) {
		t.Helper()
		if st, err := api.ContainerInspect(ctx, run.ID); err != nil || !st.State.Running {
			t.Errorf("%s: the learner's running container is gone or stopped: %v", when, err)
		}
		for _, id := range learnerImages {
			if _, err := api.ImageInspect(ctx, id); err != nil {
				t.Errorf("%s: the learner's image %s is gone: %v", when, id[:19], err)
			}
		}
	}

	// The learner's container is not shipshape's, whatever its labels.
	if err := first.RemoveContainer(ctx, run.ID); err == nil || !strings.Contains(err.Error(), "not created by shipshape") {
		t.Errorf("RemoveContainer of the learner's container: %v", err)
	}
	survives("after RemoveContainer")

	// A later process finds the first one dead: pretend by rewriting the
	// ledger's pid to a process that has exited.
	es, _ := ledger.Open(path).Entries()
	if len(es) != 1 || es[0].ID != checkID {
		t.Fatalf("ledger holds %+v, want the one check container", es)
	}
	es[0].PID = dead.Process.Pid
	if err := ledger.Open(path).Record(es[0]); err != nil {
		t.Fatal(err)
	}
	second, err := docker.Connect(ctx, docker.Options{Ledger: ledger.Open(path)})
	if err != nil {
		t.Fatal(err)
	}
	defer second.Close()
	r, err := second.RemoveStale(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if r.Containers != 1 || r.Images != 0 {
		t.Errorf("RemoveStale removed %+v, want the check container only", r)
	}
	if _, err := api.ContainerInspect(ctx, checkID); err == nil {
		t.Error("the dead session's check container is still there")
	}
	survives("after RemoveStale")

	// And the session's own cleanup at exit.
	if _, err := first.RemoveSession(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := second.RemoveSession(ctx); err != nil {
		t.Fatal(err)
	}
	survives("after RemoveSession")
	if es, _ := ledger.Open(path).Entries(); len(es) != 0 {
		t.Errorf("the ledger still holds %+v", es)
	}
}

// buildFrom builds a one-line image FROM parent, as a learner's
// `docker build` would, and returns its ID.
func buildFrom(t *testing.T, api *client.Client, parent, tag string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	tar := dockertest.TarOf(map[string]string{"Dockerfile": "FROM " + parent + "\nRUN touch /child\n"})
	resp, err := api.ImageBuild(ctx, tar, build.ImageBuildOptions{Tags: []string{tag}, Remove: true, ForceRemove: true, Version: build.BuilderV1})
	if err != nil {
		t.Fatal(err)
	}
	if err := dockertest.ReadStream(resp.Body, io.Discard); err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	ii, err := api.ImageInspect(ctx, tag)
	if err != nil {
		t.Fatal(err)
	}
	return ii.ID
}
