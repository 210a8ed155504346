package docker_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/docker/docker/api/types"
	"github.com/docker/docker/api/types/build"
	"github.com/docker/docker/api/types/filters"
	"github.com/docker/docker/api/types/image"
	"github.com/docker/docker/client"

	"shipshape/internal/docker"
	"shipshape/internal/docker/dockertest"
	"shipshape/internal/lab"
)

// bkBuild builds files (name -> content) with BuildImage and removes the
// image after the test.
func bkBuild(t *testing.T, files map[string]string) (string, lab.BuildResult, []lab.BuildEvent) {
	return bkBuildFile(t, "", files)
}

// bkBuildFile is bkBuild with the Dockerfile at df.
func bkBuildFile(t *testing.T, df string, files map[string]string) (string, lab.BuildResult, []lab.BuildEvent) {
	t.Helper()
	e := dockertest.Need(t)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	dir := t.TempDir()
	for name, body := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(strings.ReplaceAll(body, "BASE", e.Base)), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	tag := "shipshape-test/bk-" + docker.NewSession()[:8] + ":t"
	before := cacheIDs(t, e)
	var events []lab.BuildEvent
	res, err := e.Docker.BuildImage(ctx, lab.BuildRequest{Dir: dir, Dockerfile: df, Tag: tag, NoCache: true}, func(ev lab.BuildEvent) { events = append(events, ev) })
	if err != nil {
		t.Fatalf("build: %v", err)
	}
	t.Cleanup(func() {
		api := e.API()
		_, _ = api.ImageRemove(context.Background(), tag, image.RemoveOptions{Force: true, PruneChildren: true})
		pruneNewCache(t, e, api, before)
	})
	return tag, res, events
}

// pruneNewCache removes the build cache records that are not in before.
func pruneNewCache(t *testing.T, e *dockertest.Env, api *client.Client, before map[string]bool) {
	t.Helper()
	// Build cache records cannot be labelled: remove the ones this
	// build added, by id, and leave everyone else's. A record whose
	// child was just pruned goes only in the next pass.
	newIDs := func() []string {
		var ids []string
		for id := range cacheIDs(t, e) {
			if !before[id] {
				ids = append(ids, id)
			}
		}
		return ids
	}
	for pass := 0; pass < 5; pass++ {
		ids := newIDs()
		if len(ids) == 0 {
			return
		}
		for _, id := range ids {
			f := filters.NewArgs(filters.Arg("id", id))
			if _, err := api.BuildCachePrune(context.Background(), build.CachePruneOptions{All: true, Filters: f}); err != nil {
				t.Errorf("cannot remove build cache %s: %v", id, err)
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	if ids := newIDs(); len(ids) > 0 {
		t.Errorf("build cache left behind: %v", ids)
	}
}

// cacheIDs lists the daemon's build cache records.
func cacheIDs(t *testing.T, e *dockertest.Env) map[string]bool {
	t.Helper()
	api := e.API()
	du, err := api.DiskUsage(context.Background(), types.DiskUsageOptions{Types: []types.DiskUsageObject{types.BuildCacheObject}})
	if err != nil {
		t.Fatal(err)
	}
	ids := map[string]bool{}
	for _, r := range du.BuildCache {
		ids[r.ID] = true
	}
	return ids
}

func TestBuildKitCacheMount(t *testing.T) {
	tag, res, events := bkBuild(t, map[string]string{
		"Dockerfile": "FROM BASE\nRUN --mount=type=cache,target=/cache echo hi > /cache/x && echo built\n",
	})
	if !res.OK() {
		t.Fatalf("build failed: %+v", res)
	}
	log := strings.Join(res.Log, "\n")
	if strings.Contains(log, "classic builder") {
		t.Fatalf("fell back to the classic builder:\n%s", log)
	}
	steps := 0
	sawRun := false
	for _, ev := range events {
		if ev.Step != "" {
			steps++
			if strings.Contains(ev.Step, "RUN --mount=type=cache") {
				sawRun = true
			}
		}
	}
	if steps == 0 || !sawRun {
		t.Errorf("no step event for the RUN step (%d steps):\n%s", steps, log)
	}
	t.Logf("log:\n%s", log)
	if !strings.Contains(log, "built") {
		t.Errorf("the RUN output is not in the log:\n%s", log)
	}
	e := dockertest.Need(t)
	api := e.API()
	ii, err := api.ImageInspect(context.Background(), tag)
	if err != nil {
		t.Fatalf("the image is not tagged %s: %v", tag, err)
	}
	if ii.ID != res.ImageID {
		t.Errorf("tag points at %s, result says %s", ii.ID, res.ImageID)
	}
	if ii.Config.Labels[docker.LabelBuilt] != "true" {
		t.Errorf("labels %v lack %s", ii.Config.Labels, docker.LabelBuilt)
	}
}

func TestBuildKitFailingRun(t *testing.T) {
	_, res, _ := bkBuild(t, map[string]string{
		"Dockerfile": "FROM BASE\nRUN --mount=type=cache,target=/cache echo about to fail && exit 3\n",
	})
	if res.OK() || res.Error == "" {
		t.Fatalf("the build did not fail: %+v", res)
	}
	if !strings.Contains(res.FailedStep, "exit 3") {
		t.Errorf("failed step %q, want the RUN step", res.FailedStep)
	}
	if res.ImageID != "" {
		t.Errorf("a failed build has image %s", res.ImageID)
	}
	log := strings.Join(res.Log, "\n")
	if !strings.Contains(log, "about to fail") || !strings.Contains(log, "ERROR: ") {
		t.Errorf("log lacks the output or the error:\n%s", log)
	}
	t.Logf("error: %s; step: %s", res.Error, res.FailedStep)
}

func TestBuildKitDockerignore(t *testing.T) {
	tag, res, _ := bkBuild(t, map[string]string{
		"Dockerfile":     "FROM BASE\nCOPY --chmod=644 . /app\nRUN --mount=type=cache,target=/c ls -a /app\n",
		".dockerignore":  "secret.txt\nnode_modules\nDockerfile\n.dockerignore\n",
		"secret.txt":     "hunter2",
		"keep.txt":       "kept",
		"node_modules/x": "x",
	})
	if !res.OK() {
		t.Fatalf("build failed: %+v", res)
	}
	e := dockertest.Need(t)
	ctx := context.Background()
	if err := e.Run(ctx, tag, "test", "-f", "/app/keep.txt"); err != nil {
		t.Errorf("keep.txt is missing: %v", err)
	}
	// A .dockerignore that lists the Dockerfile and itself keeps both out
	// of the image, as docker build does (an earlier session filter
	// re-included them after the daemon's excludes).
	for _, gone := range []string{"/app/secret.txt", "/app/node_modules", "/app/Dockerfile", "/app/.dockerignore"} {
		if err := e.Run(ctx, tag, "test", "!", "-e", gone); err != nil {
			t.Errorf("%s was not ignored: %v", gone, err)
		}
	}
}

// TestClassicStillUsed checks a plain Dockerfile still takes the classic
// path on an engine whose default builder is the classic one.
func TestClassicStillUsed(t *testing.T) {
	e := dockertest.Need(t)
	p, err := e.Docker.Ping(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if p.BuilderVersion == "2" {
		t.Skip("the engine defaults to BuildKit")
	}
	_, res, _ := bkBuild(t, map[string]string{"Dockerfile": "FROM BASE\nRUN echo plain\n"})
	if !res.OK() {
		t.Fatalf("build failed: %+v", res)
	}
	if !strings.Contains(strings.Join(res.Log, "\n"), "Step 2/") {
		t.Errorf("not the classic builder:\n%s", strings.Join(res.Log, "\n"))
	}
}

func TestBuildKitDockerfileElsewhere(t *testing.T) {
	tag, res, _ := bkBuildFile(t, "deploy/prod.Dockerfile", map[string]string{
		"deploy/prod.Dockerfile": "FROM BASE\nCOPY app.txt /app.txt\nRUN --mount=type=cache,target=/c test -f /app.txt\n",
		"app.txt":                "app",
		".dockerignore":          "deploy\n",
	})
	if !res.OK() {
		t.Fatalf("build failed: %+v", res)
	}
	if err := dockertest.Need(t).Run(context.Background(), tag, "test", "-f", "/app.txt"); err != nil {
		t.Error(err)
	}
}

func TestBuildKitCancel(t *testing.T) {
	e := dockertest.Need(t)
	before := cacheIDs(t, e)
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "Dockerfile"), []byte("FROM "+e.Base+"\nRUN --mount=type=cache,target=/c echo sleeping && sleep 60\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	start := time.Now()
	_, err := e.Docker.BuildImage(ctx, lab.BuildRequest{Dir: dir, Tag: "shipshape-test/bk-cancel:" + docker.NewSession()[:8], NoCache: true}, func(ev lab.BuildEvent) {
		if ev.Line == "sleeping" {
			cancel()
		}
	})
	if err == nil {
		t.Fatal("a cancelled build reported no error")
	}
	if d := time.Since(start); d > 30*time.Second {
		t.Errorf("the cancelled build took %v", d)
	}
	api := e.API()
	time.Sleep(500 * time.Millisecond) // the daemon stops the step after the request ends
	pruneNewCache(t, e, api, before)
}
