package docker_test

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"shipshape/internal/docker"
	"shipshape/internal/docker/dockertest"
	"shipshape/internal/lab"
	"shipshape/internal/scratch"
)

// stalledClient connects to a daemon that answers pings and nothing
// else, with bounds short enough for a test.
func stalledClient(t *testing.T, extra map[string]http.HandlerFunc, tmp *scratch.Dir) *docker.Client {
	t.Helper()
	host := dockertest.StalledDaemon(t, extra)
	c, err := docker.Connect(context.Background(), docker.Options{Host: host,
		CallTimeout: 300 * time.Millisecond, BuildIdle: 300 * time.Millisecond, Scratch: tmp})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

func TestBuildOnStalledDaemon(t *testing.T) {
	c := stalledClient(t, nil, nil)
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "Dockerfile"), []byte("FROM scratch\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	start := time.Now()
	_, err := c.BuildImage(ctx, lab.BuildRequest{Dir: dir, Tag: "shipshape-test/stalled:1"}, nil)
	took := time.Since(start)
	t.Logf("after %s: %v", took.Round(time.Millisecond), err)
	if docker.KindOf(err) != docker.Stalled || !strings.Contains(err.Error(), "stopped answering") {
		t.Fatalf("got %v, want a stalled-daemon error", err)
	}
	if took > 5*time.Second {
		t.Errorf("took %s; the bound is 300ms of silence plus a 300ms probe", took)
	}
}

// TestScanOnStalledDaemon: docker save sends a little and then nothing.
// The spool of the saved image is in the scratch directory while the
// scan runs and gone after, and the scan ends at the idle bound.
func TestScanOnStalledDaemon(t *testing.T) {
	tmp := scratch.Open(t.TempDir())
	seen := make(chan []string, 1)
	save := func(w http.ResponseWriter, r *http.Request) {
		_, _ = w.Write(bytes.Repeat([]byte{0}, 4096))
		w.(http.Flusher).Flush()
		time.Sleep(100 * time.Millisecond)
		es, _ := os.ReadDir(tmp.Path())
		var names []string
		for _, e := range es {
			names = append(names, e.Name())
		}
		seen <- names
		<-r.Context().Done()
	}
	c := stalledClient(t, map[string]http.HandlerFunc{"/images/get": save}, tmp)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	start := time.Now()
	err := c.RunTrivyImage(ctx, "aquasec/trivy:latest", "task-api:prod", &bytes.Buffer{})
	took := time.Since(start)
	t.Logf("after %s: %v", took.Round(time.Millisecond), err)
	if docker.KindOf(err) != docker.Stalled {
		t.Fatalf("got %v, want a stalled-daemon error", err)
	}
	if took > 5*time.Second {
		t.Errorf("took %s", took)
	}
	names := <-seen
	if len(names) != 1 || !strings.Contains(names[0], "-save-") || !strings.HasSuffix(names[0], ".tar") {
		t.Errorf("during the save the scratch directory held %v, want one save spool", names)
	}
	if es, err := os.ReadDir(tmp.Path()); err != nil || len(es) != 0 {
		t.Errorf("after the scan: %v %v, want an empty scratch directory", es, err)
	}
	if errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("the error is the test's own deadline: %v", err)
	}
}

// TestQuietBuildStepIsNotAStall: a RUN step that prints nothing for
// longer than the idle bound builds, because the daemon answers the
// watchdog's probe.
func TestQuietBuildStepIsNotAStall(t *testing.T) {
	e := dockertest.Need(t)
	c, err := docker.Connect(context.Background(), docker.Options{Host: e.Docker.Host().URL, Ledger: e.Ledger,
		Session: e.Docker.Session(), BuildIdle: 500 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "Dockerfile"), []byte("FROM "+e.Base+"\nRUN sleep 2\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	tag := docker.ValidateRepo + "/shipshape-test-quiet-" + docker.NewSession()[:8] + ":1"
	res, err := c.BuildImage(context.Background(), lab.BuildRequest{Dir: dir, Tag: tag}, nil)
	if err != nil || !res.OK() {
		t.Fatalf("build: %v %+v", err, res)
	}
	if err := c.RemoveBuiltImage(context.Background(), tag); err != nil {
		t.Error(err)
	}
}
