package lab_test

import (
	"context"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"shipshape/exercises/testbed"
	"shipshape/internal/check"
	"shipshape/internal/course"
	"shipshape/internal/docker"
	"shipshape/internal/docker/dockertest"
	"shipshape/internal/lab"
	"shipshape/internal/workspace"
)

// daemonOnThisHost reports whether the daemon's published ports are this
// machine's: Engine 26 of the testbed runs in a container, whose loopback
// is not ours.
func daemonOnThisHost(t *testing.T, e *dockertest.Env) bool {
	info, err := e.API().Info(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	host, _ := os.Hostname()
	return info.Name == host
}

// runAddress runs image with r and returns the address its port was
// published on, stopping the container at the end of the test.
func runAddress(t *testing.T, l *lab.Lab, image string) (string, lab.Running) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	r, err := l.Run(ctx, image)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		sctx, scancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer scancel()
		if err := r.Stop(sctx); err != nil {
			t.Error(err)
		}
	})
	select {
	case ev := <-r.Events():
		if ev.Address == "" {
			t.Fatalf("first event %+v, want the published address", ev)
		}
		return ev.Address, r
	case <-ctx.Done():
		t.Fatal("no event from the running container")
	}
	return "", nil
}

// waitHealth GETs /health at addr until it answers 200 or the deadline.
func waitHealth(t *testing.T, addr string) {
	t.Helper()
	deadline := time.Now().Add(45 * time.Second)
	var last string
	for time.Now().Before(deadline) {
		resp, err := http.Get("http://" + addr + "/health")
		if err == nil {
			body, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return
			}
			last = resp.Status + " " + string(body)
		} else {
			last = err.Error()
		}
		time.Sleep(300 * time.Millisecond)
	}
	t.Fatalf("http://%s/health did not answer 200: %s", addr, last)
}

// r publishes the app's port on 127.0.0.1 so the learner can curl
// /health from the host while it runs, and takes another free port when
// 8000 is taken. On the real python twin (SHIPSHAPE_TWIN), the 3.1
// reference solution answers for real.
func TestRunPublishesThePortOnLoopback(t *testing.T) {
	e := dockertest.Need(t)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	pack, err := course.Builtin(course.Options{CheckKind: check.ValidateParams})
	if err != nil {
		t.Fatal(err)
	}
	session := e.Docker.Session()
	base, err := testbed.PythonBase(ctx, e.Docker.Host().URL, "shipshape-test/python:"+session, docker.LabelSession+"="+session)
	if err != nil {
		t.Fatal(err)
	}
	if !base.Real {
		t.Skip("needs the python twin to answer /health for real: " + base.Note)
	}
	ws := filepath.Join(t.TempDir(), "ws")
	if _, err := workspace.Init(pack.FS, pack.Workspace.Starter, ws, false); err != nil {
		t.Fatal(err)
	}
	ex, _ := pack.Exercise("3.1")
	if _, err := workspace.Apply(pack.FS, ex.Solution, ws); err != nil {
		t.Fatal(err)
	}
	l := lab.New(e.Docker)
	tag := "shipshape-test/task-api:run-" + session
	res, err := l.Build(ctx, lab.BuildRequest{Dir: ws, Tag: tag, BuildArgs: map[string]string{"PYTHON_IMAGE": base.Ref}}, nil)
	if err != nil || !res.OK() {
		t.Fatalf("build: %v %s\n%s", err, res.Error, strings.Join(res.Log, "\n"))
	}
	local := daemonOnThisHost(t, e)

	// The first run gets 8000 (unless something on this machine holds it
	// already), and keeps it: the second must take another free port.
	first, _ := runAddress(t, l, tag)
	second, _ := runAddress(t, l, tag)
	for _, addr := range []string{first, second} {
		if host, port, err := net.SplitHostPort(addr); err != nil || host != "127.0.0.1" || port == "0" {
			t.Fatalf("published on %q (%v), want a port of 127.0.0.1", addr, err)
		}
	}
	switch {
	case first == second:
		t.Fatalf("both runs published on %s", first)
	case first != "127.0.0.1:8000" && !local:
		t.Fatalf("first run published on %s, want 127.0.0.1:8000 on an engine of its own", first)
	case first != "127.0.0.1:8000":
		t.Logf("8000 is taken on this machine already; the runs took %s and %s", first, second)
	}
	if !local {
		t.Logf("the daemon runs elsewhere (an engine in a container): %s and %s are its loopback, not ours; /health is not fetched", first, second)
		return
	}
	waitHealth(t, first)
	waitHealth(t, second)
}
