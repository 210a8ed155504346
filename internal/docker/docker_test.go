package docker_test

import (
	"context"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/docker/docker/api/types/container"

	"shipshape/internal/check"
	"shipshape/internal/docker"
	"shipshape/internal/docker/dockertest"
	"shipshape/internal/ledger"
)

func TestMain(m *testing.M) { os.Exit(dockertest.Main(m, nil)) }

func TestUnreachable(t *testing.T) {
	ctx := context.Background()
	_, err := docker.Connect(ctx, docker.Options{Host: "unix:///nonexistent/docker.sock"})
	if docker.KindOf(err) != docker.Unreachable {
		t.Fatalf("kind %v (%v), want unreachable", docker.KindOf(err), err)
	}
	msg := err.Error()
	if !strings.Contains(msg, "/nonexistent/docker.sock") || !strings.Contains(msg, "--host flag") {
		t.Errorf("message %q should name the host and its source", msg)
	}
	if docker.Advice(err) == "" {
		t.Error("no advice")
	}
	if _, err := docker.New(docker.Options{Host: "ssh://me@box"}); err == nil || !strings.Contains(err.Error(), "ssh://") {
		t.Errorf("ssh host: %v", err)
	}
}

func TestImageNotFound(t *testing.T) {
	e := dockertest.Need(t)
	_, err := e.Docker.InspectImage(context.Background(), "shipshape-test/missing:nope")
	if docker.KindOf(err) != docker.ImageNotFound {
		t.Fatalf("kind %v (%v)", docker.KindOf(err), err)
	}
	if !strings.Contains(docker.Advice(err), "docker build -t shipshape-test/missing:nope") {
		t.Errorf("advice %q", docker.Advice(err))
	}
}

func TestPingNegotiates(t *testing.T) {
	e := dockertest.Need(t)
	p, err := e.Docker.Ping(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if p.APIVersion == "" || e.Docker.APIVersion() != p.APIVersion {
		t.Errorf("ping %+v, client version %s", p, e.Docker.APIVersion())
	}
}

// TestNeverRemovesUnlabelled creates a container without shipshape's labels
// and checks that neither RemoveContainer nor the cleanups touch it.
func TestNeverRemovesUnlabelled(t *testing.T) {
	e := dockertest.Need(t)
	ctx := context.Background()
	api := e.API()
	// Containers inherit their image's labels, and the base image is
	// labelled so the suite can remove it: overriding the marker makes this
	// container look like one a learner made.
	c, err := api.ContainerCreate(ctx, &container.Config{Image: e.Base, Labels: map[string]string{docker.LabelManaged: "false"}}, nil, nil, nil, "")
	if err != nil {
		t.Fatal(err)
	}
	defer api.ContainerRemove(ctx, c.ID, container.RemoveOptions{Force: true})
	if err := e.Docker.RemoveContainer(ctx, c.ID); err == nil || !strings.Contains(err.Error(), "not created by shipshape") {
		t.Errorf("RemoveContainer of an unlabelled container: %v", err)
	}
	if _, err := e.Docker.RemoveStale(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := api.ContainerInspect(ctx, c.ID); err != nil {
		t.Errorf("the unlabelled container is gone: %v", err)
	}
}

// TestRemoveStale makes containers labelled as another session's: one of
// a dead process (removed), one of a live process (kept).
func TestRemoveStale(t *testing.T) {
	e := dockertest.Need(t)
	ctx := context.Background()
	api := e.API()
	dead := exec.Command("true")
	if err := dead.Run(); err != nil {
		t.Fatal(err)
	}
	host, _ := os.Hostname()
	mk := func(pid int) string {
		l := e.Docker.Labels("stale-test")
		session := "other-" + strconv.Itoa(pid)
		l[docker.LabelSession] = session
		l[docker.LabelPID] = strconv.Itoa(pid)
		c, err := api.ContainerCreate(ctx, &container.Config{Image: e.Base, Labels: l}, nil, nil, nil, "")
		if err != nil {
			t.Fatal(err)
		}
		// As the other session's client would have recorded it.
		if err := e.Ledger.Record(ledger.Entry{Kind: ledger.Container, ID: c.ID, Session: session, PID: pid, Host: host}); err != nil {
			t.Fatal(err)
		}
		return c.ID
	}
	deadID, liveID := mk(dead.Process.Pid), mk(os.Getpid())
	defer api.ContainerRemove(ctx, liveID, container.RemoveOptions{Force: true})
	r, err := e.Docker.RemoveStale(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if r.Containers < 1 {
		t.Errorf("removed %+v", r)
	}
	if _, err := api.ContainerInspect(ctx, deadID); err == nil {
		t.Error("the dead session's container is still there")
	}
	if _, err := api.ContainerInspect(ctx, liveID); err != nil {
		t.Errorf("the live session's container was removed: %v", err)
	}
}

// TestHealthOverride checks that the create call keeps the image's probe
// and that StartInterval is dropped on engines older than API 1.44.
func TestHealthOverride(t *testing.T) {
	e := dockertest.Need(t)
	ctx := context.Background()
	id, err := e.Docker.CreateContainer(ctx, check.ContainerSpec{Image: e.Base, Purpose: "hc",
		Healthcheck: &check.Healthcheck{Test: []string{"CMD", "true"}, Interval: 500 * time.Millisecond, StartInterval: 500 * time.Millisecond, Retries: 1}})
	if err != nil {
		t.Fatal(err)
	}
	defer e.Docker.RemoveContainer(ctx, id)
	ok, err := e.Docker.PathExists(ctx, id, "/etc/passwd")
	if err != nil || !ok {
		t.Errorf("PathExists(/etc/passwd) = %v, %v", ok, err)
	}
	ok, err = e.Docker.PathExists(ctx, id, "/usr/bin/gcc")
	if err != nil || ok {
		t.Errorf("PathExists(/usr/bin/gcc) = %v, %v", ok, err)
	}
	b, err := e.Docker.ReadFile(ctx, id, "/etc/passwd", 1<<20)
	if err != nil || !strings.Contains(string(b), "app:x:10001") {
		t.Errorf("ReadFile: %q, %v", b, err)
	}
}

// TestImageSizeIsUnpacked: the size the course's bounds speak of is the
// unpacked size of the layers. On the containerd image store inspect's
// own Size counts the compressed blobs (about half, for busybox); the
// adapter must not report that.
func TestImageSizeIsUnpacked(t *testing.T) {
	e := dockertest.Need(t)
	ctx := context.Background()
	info, err := e.Docker.InspectImage(ctx, e.Base)
	if err != nil {
		t.Fatal(err)
	}
	layers, err := e.Docker.ImageHistory(ctx, e.Base)
	if err != nil {
		t.Fatal(err)
	}
	var sum int64
	for _, l := range layers {
		sum += l.Size
	}
	st, err := os.Stat(dockertest.BusyboxPath)
	if err != nil {
		t.Fatal(err)
	}
	if info.Size != sum || info.Size < st.Size() {
		t.Errorf("image size %d, layers %d, busybox alone %d: not the unpacked size", info.Size, sum, st.Size())
	}
	if len(info.DiffIDs) != 1 || !strings.HasPrefix(info.DiffIDs[0], "sha256:") {
		t.Errorf("diff ids %q", info.DiffIDs)
	}
}

// Checks run without a network (the default bridge cannot fail a verdict,
// untrusted images have no way out); the learner's run keeps it.
func TestChecksRunWithoutNetwork(t *testing.T) {
	e := dockertest.Need(t)
	ctx := context.Background()
	api := e.API()
	for _, c := range []struct {
		network bool
		want    string
	}{{false, "none"}, {true, "default"}} {
		id, err := e.Docker.CreateContainer(ctx, check.ContainerSpec{Image: e.Base, Purpose: "net", Network: c.network})
		if err != nil {
			t.Fatal(err)
		}
		ci, err := api.ContainerInspect(ctx, id)
		_ = e.Docker.RemoveContainer(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		mode := string(ci.HostConfig.NetworkMode)
		if c.want == "none" && mode != "none" || c.want == "default" && mode == "none" {
			t.Errorf("Network=%v: network mode %q", c.network, mode)
		}
	}
}
