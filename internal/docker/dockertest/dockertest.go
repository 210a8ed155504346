// Package dockertest builds labelled fixture images for tests that need a
// real Docker daemon, from a busybox rootfs (Debian's busybox-static), so
// no registry is needed.
package dockertest

import (
	"archive/tar"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	cerrdefs "github.com/containerd/errdefs"
	"github.com/docker/docker/api/types/build"
	"github.com/docker/docker/api/types/container"
	"github.com/docker/docker/api/types/filters"
	"github.com/docker/docker/api/types/image"
	"github.com/docker/docker/client"

	"shipshape/internal/docker"
	"shipshape/internal/ledger"
)

// BusyboxPath is where Debian's busybox-static puts the static binary.
const BusyboxPath = "/usr/bin/busybox"

// Applets get a symlink to busybox in /bin of the base image.
var Applets = []string{"sh", "ls", "cat", "id", "sleep", "wget", "httpd", "true", "false", "touch",
	"echo", "rm", "mkdir", "test", "dd", "env", "chmod", "chown", "[", "kill", "yes", "head"}

// Passwd is the base image's /etc/passwd: app is a normal user, toor is a
// second name for uid 0.
const Passwd = `root:x:0:0:root:/root:/bin/sh
toor:x:0:0:toor:/root:/bin/sh
app:x:10001:10001:app:/home/app:/bin/sh
nobody:x:65534:65534:nobody:/nonexistent:/bin/false
`

// Group is the base image's /etc/group.
const Group = `root:x:0:
app:x:10001:
nogroup:x:65534:
`

// Env is a connected daemon plus the fixtures built in it.
type Env struct {
	// Docker is the adapter, labelled with the test session.
	Docker *docker.Client
	// Base is the reference of the imported busybox base image.
	Base string
	// Ledger is the file ledger Docker records the tests' objects in.
	Ledger *ledger.Ledger
	api    *client.Client
	tag    string
}

// ShortReason is why tests against a daemon skip under -short: `go test
// -short` (make test-short) is the quick run that needs no Docker at all.
const ShortReason = "-short runs no tests against a Docker daemon"

// Open connects to the daemon and imports the base image. It returns
// (nil, reason) when no daemon is reachable, or under -short without
// trying, so callers can skip (see Skip).
func Open(ctx context.Context) (*Env, string, error) {
	if testing.Short() {
		return nil, ShortReason, nil
	}
	if _, err := os.Stat(BusyboxPath); err != nil {
		return nil, "no " + BusyboxPath + " (install Debian's busybox-static)", nil
	}
	// A ledger of the tests' own, so a test binary killed mid-run has its
	// containers and fixtures removed by the next one.
	led := ledger.Open(filepath.Join(os.TempDir(), "shipshape-dockertest", ledger.FileName))
	d, err := docker.Connect(ctx, docker.Options{Ledger: led})
	if err != nil {
		return nil, "no Docker daemon reachable: " + err.Error(), nil
	}
	api, err := client.NewClientWithOpts(client.WithHost(d.Host().URL), client.WithAPIVersionNegotiation())
	if err != nil {
		return nil, "", err
	}
	e := &Env{Docker: d, Ledger: led, api: api, tag: d.Session()}
	if _, err := d.RemoveStale(ctx); err != nil {
		return nil, "", fmt.Errorf("cannot remove leftovers of earlier test runs: %w", err)
	}
	e.Base = "shipshape-test/base:" + e.tag
	if err := e.importBase(ctx); err != nil {
		e.Close(context.Background())
		return nil, "", err
	}
	if err := d.TrackImage(ctx, e.Base); err != nil {
		e.Close(context.Background())
		return nil, "", err
	}
	return e, "", nil
}

// Main is a TestMain helper: it opens the environment, runs the tests and
// removes everything the session made, then fails if anything labelled
// is left. Without a daemon the tests run with env nil (they should skip)
// unless SHIPSHAPE_REQUIRE_DOCKER=1.
func Main(m *testing.M, setup func(*Env) error) int {
	// -short is a flag; TestMain runs before m.Run would parse it.
	if !flag.Parsed() {
		flag.Parse()
	}
	if testing.Short() {
		skipReason = ShortReason
		return m.Run()
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	e, reason, err := Open(ctx)
	cancel()
	if err != nil {
		fmt.Fprintln(os.Stderr, "dockertest:", err)
		return 1
	}
	if e == nil {
		if os.Getenv("SHIPSHAPE_REQUIRE_DOCKER") == "1" {
			fmt.Fprintln(os.Stderr, "dockertest: SHIPSHAPE_REQUIRE_DOCKER=1 but", reason)
			return 1
		}
		fmt.Fprintln(os.Stderr, "dockertest: skipping Docker tests:", reason)
		skipReason = reason
		return m.Run()
	}
	current = e
	code := 0
	if setup != nil {
		err = setup(e)
		if err != nil {
			fmt.Fprintln(os.Stderr, "dockertest: setup:", err)
			code = 1
		}
	}
	if code == 0 {
		code = m.Run()
	}
	if err := e.Close(context.Background()); err != nil {
		fmt.Fprintln(os.Stderr, "dockertest:", err)
		code = 1
	}
	return code
}

var (
	current    *Env
	skipReason string
)

// Need returns the environment or skips when there is no daemon (see Skip).
func Need(t testing.TB) *Env {
	t.Helper()
	if current == nil {
		Skip(t, skipReason)
	}
	return current
}

// Skip skips a test that needs a daemon which is not there for reason. It
// fails the test instead under SHIPSHAPE_REQUIRE_DOCKER=1 (CI on a machine
// with Docker must not pass by skipping), except under -short, which asks
// for no daemon.
func Skip(t testing.TB, reason string) {
	t.Helper()
	if !testing.Short() && os.Getenv("SHIPSHAPE_REQUIRE_DOCKER") == "1" {
		t.Fatalf("Docker required (SHIPSHAPE_REQUIRE_DOCKER=1) but unavailable: %s", reason)
	}
	t.Skipf("needs a Docker daemon: %s", reason)
}

// Close removes everything labelled with the session and checks that no
// object of the session remains.
func (e *Env) Close(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
	defer cancel()
	defer e.api.Close()
	defer e.Docker.Close()
	if _, err := e.Docker.RemoveSession(ctx); err != nil {
		return err
	}
	if err := e.sweepSession(ctx); err != nil {
		return err
	}
	// Only this session's objects: other test binaries may run at the
	// same time with their own sessions.
	left, err := e.Docker.ListSession(ctx)
	if err != nil {
		return err
	}
	if !left.Empty() {
		return fmt.Errorf("labelled objects left after the suite: %+v", left)
	}
	return nil
}

// API is the environment's plain SDK client, for tests that must act as
// the learner would (commit, run, build without shipshape). It is closed
// with the environment.
func (e *Env) API() *client.Client { return e.api }

// sweepSession removes what still carries the test session's label after
// the product's own cleanup: images the tests built through the lab on
// top of the fixtures (they inherit the base's labels) and containers a
// test made with the raw API. A sweep by label is right here and only
// here: the session id is this test process's own, and no learner has
// committed anything from it.
func (e *Env) sweepSession(ctx context.Context) error {
	f := filters.NewArgs(filters.Arg("label", docker.LabelSession+"="+e.Docker.Session()))
	cs, err := e.api.ContainerList(ctx, container.ListOptions{All: true, Filters: f})
	if err != nil {
		return err
	}
	for _, c := range cs {
		if err := e.api.ContainerRemove(ctx, c.ID, container.RemoveOptions{Force: true, RemoveVolumes: true}); err != nil && !cerrdefs.IsNotFound(err) {
			return err
		}
	}
	// Children before parents; Created has second resolution, so in
	// passes until one removes nothing.
	for pass := 0; pass < 10; pass++ {
		is, err := e.api.ImageList(ctx, image.ListOptions{All: true, Filters: f})
		if err != nil || len(is) == 0 {
			return err
		}
		sort.Slice(is, func(i, j int) bool { return is[i].Created > is[j].Created })
		removed := 0
		for _, x := range is {
			if _, err := e.api.ImageRemove(ctx, x.ID, image.RemoveOptions{Force: true, PruneChildren: true}); err == nil || cerrdefs.IsNotFound(err) {
				removed++
			}
		}
		if removed == 0 {
			return nil
		}
	}
	return nil
}

func (e *Env) labels(purpose string) map[string]string { return e.Docker.Labels(purpose) }

func (e *Env) importBase(ctx context.Context) error {
	rootfs, err := BaseRootfs()
	if err != nil {
		return err
	}
	var changes []string
	for k, v := range e.labels("fixture") {
		changes = append(changes, fmt.Sprintf("LABEL %s=%q", k, v))
	}
	sort.Strings(changes)
	changes = append(changes, `CMD ["sh"]`)
	rc, err := e.api.ImageImport(ctx, image.ImportSource{Source: bytes.NewReader(rootfs), SourceName: "-"}, e.Base, image.ImportOptions{Changes: changes})
	if err != nil {
		return fmt.Errorf("cannot import the busybox base image: %w", err)
	}
	defer rc.Close()
	if err := ReadStream(rc, io.Discard); err != nil {
		return fmt.Errorf("cannot import the busybox base image: %w", err)
	}
	return nil
}

// BaseRootfs returns a tar of a minimal busybox root filesystem.
func BaseRootfs() ([]byte, error) {
	bb, err := os.ReadFile(BusyboxPath)
	if err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	now := time.Unix(1700000000, 0)
	dir := func(name string, mode int64) {
		_ = tw.WriteHeader(&tar.Header{Typeflag: tar.TypeDir, Name: name + "/", Mode: mode, ModTime: now})
	}
	file := func(name string, mode int64, data []byte) {
		_ = tw.WriteHeader(&tar.Header{Typeflag: tar.TypeReg, Name: name, Mode: mode, Size: int64(len(data)), ModTime: now})
		_, _ = tw.Write(data)
	}
	for _, d := range []string{"bin", "etc", "usr", "usr/bin", "usr/local", "usr/local/bin", "var", "root", "home", "www", "proc", "sys", "dev", "run"} {
		dir(d, 0o755)
	}
	dir("tmp", 0o1777)
	_ = tw.WriteHeader(&tar.Header{Typeflag: tar.TypeDir, Name: "home/app/", Mode: 0o755, Uid: 10001, Gid: 10001, ModTime: now})
	file("bin/busybox", 0o755, bb)
	for _, a := range Applets {
		_ = tw.WriteHeader(&tar.Header{Typeflag: tar.TypeSymlink, Name: "bin/" + a, Linkname: "busybox", Mode: 0o777, ModTime: now})
	}
	file("etc/passwd", 0o644, []byte(Passwd))
	file("etc/group", 0o644, []byte(Group))
	file("www/index.html", 0o644, []byte("ok\n"))
	if err := tw.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// Build builds a fixture image named name from a Dockerfile in which
// "BASE" stands for the base image, with the classic builder (the only
// one every engine has), and returns its reference.
func (e *Env) Build(ctx context.Context, name, dockerfile string) (string, error) {
	ref := "shipshape-test/" + name + ":" + e.tag
	df := strings.ReplaceAll(dockerfile, "BASE", e.Base)
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	_ = tw.WriteHeader(&tar.Header{Name: "Dockerfile", Mode: 0o644, Size: int64(len(df)), ModTime: time.Unix(1700000000, 0)})
	_, _ = tw.Write([]byte(df))
	_ = tw.Close()
	resp, err := e.api.ImageBuild(ctx, &buf, build.ImageBuildOptions{
		Tags: []string{ref}, Labels: e.labels("fixture"), Remove: true, ForceRemove: true,
		Dockerfile: "Dockerfile", Version: build.BuilderV1,
	})
	if err != nil {
		return "", fmt.Errorf("cannot build fixture %q: %w", name, err)
	}
	defer resp.Body.Close()
	var log bytes.Buffer
	if err := ReadStream(resp.Body, &log); err != nil {
		return "", fmt.Errorf("cannot build fixture %q: %w\n%s", name, err, log.String())
	}
	if err := e.Docker.TrackImage(ctx, ref); err != nil {
		return "", err
	}
	return ref, nil
}

// Run runs `docker run --rm IMAGE args...` through the API, with the
// session's labels, and waits for it to exit: the floor a check is
// compared with in benchmarks.
func (e *Env) Run(ctx context.Context, ref string, args ...string) error {
	return e.runRm(ctx, ref, args)
}

func (e *Env) runRm(ctx context.Context, ref string, args []string) error {
	c, err := e.api.ContainerCreate(ctx, &container.Config{Image: ref, Cmd: args, Labels: e.labels("floor")},
		&container.HostConfig{AutoRemove: true}, nil, nil, "")
	if err != nil {
		return err
	}
	// Like `docker run --rm`, wait until the container is gone, not just
	// stopped.
	waitC, errC := e.api.ContainerWait(ctx, c.ID, container.WaitConditionRemoved)
	if err := e.api.ContainerStart(ctx, c.ID, container.StartOptions{}); err != nil {
		return err
	}
	select {
	case w := <-waitC:
		if w.StatusCode != 0 {
			return fmt.Errorf("%s %v exited with %d", ref, args, w.StatusCode)
		}
	case err := <-errC:
		return err
	}
	return nil
}

// ReadStream reads a build or import progress stream to its end, copying
// the text to w and returning the first error the daemon reported.
func ReadStream(r io.Reader, w io.Writer) error {
	dec := json.NewDecoder(r)
	for {
		var m struct {
			Stream string `json:"stream"`
			Error  string `json:"error"`
		}
		if err := dec.Decode(&m); errors.Is(err, io.EOF) {
			return nil
		} else if err != nil {
			return err
		}
		_, _ = io.WriteString(w, m.Stream)
		if m.Error != "" {
			return errors.New(m.Error)
		}
	}
}

// CountContainers counts the session's containers, running or not, made
// from the image ref.
func (e *Env) CountContainers(ctx context.Context, ref string) (int, error) {
	info, err := e.Docker.InspectImage(ctx, ref)
	if err != nil {
		return 0, err
	}
	cs, err := e.api.ContainerList(ctx, container.ListOptions{All: true, Filters: filters.NewArgs(
		filters.Arg("label", docker.LabelSession+"="+e.Docker.Session()))})
	if err != nil {
		return 0, err
	}
	n := 0
	for _, c := range cs {
		if c.ImageID == info.ID || c.Image == info.ID {
			n++
		}
	}
	return n, nil
}

// TarOf returns a tar of the named files, a build context for tests.
func TarOf(files map[string]string) io.Reader {
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	names := make([]string, 0, len(files))
	for n := range files {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		_ = tw.WriteHeader(&tar.Header{Name: n, Mode: 0o644, Size: int64(len(files[n])), ModTime: time.Unix(1700000000, 0)})
		_, _ = tw.Write([]byte(files[n]))
	}
	_ = tw.Close()
	return &buf
}

// ImagesFromBase lists the IDs of the images that carry the session's
// label, sorted: the base, the fixtures, and every image built FROM them
// (which inherits the label), the classic builder's step images included.
// A test compares the lists before and after to see what was left.
func (e *Env) ImagesFromBase(ctx context.Context) ([]string, error) {
	is, err := e.api.ImageList(ctx, image.ListOptions{All: true, Filters: filters.NewArgs(
		filters.Arg("label", docker.LabelSession+"="+e.Docker.Session()))})
	if err != nil {
		return nil, err
	}
	ids := make([]string, 0, len(is))
	for _, i := range is {
		ids = append(ids, i.ID)
	}
	sort.Strings(ids)
	return ids, nil
}

// ContainersFromBase lists the containers, running or not, of the base
// image or an image built on it, a build's own step containers included.
func (e *Env) ContainersFromBase(ctx context.Context) ([]string, error) {
	cs, err := e.api.ContainerList(ctx, container.ListOptions{All: true, Filters: filters.NewArgs(filters.Arg("ancestor", e.Base))})
	if err != nil {
		return nil, err
	}
	var ids []string
	for _, c := range cs {
		ids = append(ids, short(c.ID)+" "+c.Image)
	}
	return ids, nil
}

func short(id string) string {
	if len(id) > 12 {
		return id[:12]
	}
	return id
}
