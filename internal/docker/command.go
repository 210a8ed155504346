package docker

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"sync"
	"time"

	cerrdefs "github.com/containerd/errdefs"
	"github.com/docker/docker/api/types"
	"github.com/docker/docker/api/types/container"
	"github.com/docker/docker/api/types/image"
	"github.com/docker/docker/pkg/stdcopy"

	"shipshape/internal/check"
	"shipshape/internal/ledger"
)

// commandPidsLimit bounds the processes a pack's command may start, so a
// fork bomb in a check stays inside its container.
const commandPidsLimit = 256

// commandLog bounds the daemon's own copy of a command's output: the
// output is read through an attach while the command runs, and the log
// file is only there for a person looking with `docker logs`.
var commandLog = container.LogConfig{Type: "json-file", Config: map[string]string{"max-size": "1m", "max-file": "1"}}

// RunCommand implements check.Docker.RunCommand. The container is as closed
// as Docker allows without breaking ordinary commands: no network
// (NetworkMode none), no mounts, every capability dropped, no new
// privileges, a process limit, never privileged, private PID/IPC/UTS
// namespaces, and only the image's own environment. It is also bounded:
// check.CommandMemory of memory and no swap, check.CommandCPUs, a
// read-only root filesystem with a small tmpfs at /tmp (so no command can
// fill the daemon's disk), and an output cap: the output is read while
// the command runs and the container killed when it passes the cap.
func (c *Client) RunCommand(ctx context.Context, spec check.CommandSpec) (check.CommandResult, error) {
	if len(spec.Argv) == 0 {
		return check.CommandResult{}, errors.New("cannot run an empty command")
	}
	op := fmt.Sprintf("run %q in a container of %s", strings.Join(spec.Argv, " "), spec.Image)
	purpose := spec.Purpose
	if purpose == "" {
		purpose = "command"
	}
	cfg := &container.Config{
		Image:           spec.Image,
		Entrypoint:      []string{spec.Argv[0]},
		Cmd:             append([]string{}, spec.Argv[1:]...),
		Labels:          c.Labels(purpose),
		NetworkDisabled: true,
		AttachStdout:    true,
		AttachStderr:    true,
	}
	pids := int64(commandPidsLimit)
	hc := &container.HostConfig{
		NetworkMode:    "none",
		CapDrop:        []string{"ALL"},
		SecurityOpt:    []string{"no-new-privileges"},
		Privileged:     false,
		IpcMode:        "private",
		ReadonlyRootfs: true,
		Tmpfs:          map[string]string{"/tmp": fmt.Sprintf("size=%dm,mode=1777", check.CommandTmpfs>>20)},
		LogConfig:      commandLog,
		Resources: container.Resources{
			PidsLimit:  &pids,
			Memory:     check.CommandMemory,
			MemorySwap: check.CommandMemory, // the same: no swap on top
			NanoCPUs:   check.CommandCPUs * 1e9,
		},
	}
	cctx, cancel := c.call(ctx)
	id, err := c.createContainer(cctx, cfg, hc, purpose)
	cancel()
	if err != nil {
		return check.CommandResult{}, c.classifyStart(op, spec.Image, err)
	}
	defer func() {
		rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 20*time.Second)
		defer cancel()
		_ = c.RemoveContainer(rctx, id)
	}()

	limit := spec.OutputLimit
	if limit <= 0 {
		limit = 64 << 10
	}
	capBytes := spec.OutputCap
	if capBytes <= 0 {
		capBytes = check.CommandOutputCap
	}
	// Attached before the start, as `docker run` does, so no output is
	// missed and none has to be read back from the daemon's log.
	hj, err := c.attach(ctx, id)
	if err != nil {
		return check.CommandResult{}, c.classify(op, "", err)
	}
	defer hj.Close()
	out := &outputCap{left: capBytes, exceeded: make(chan struct{})}
	stdout, stderr := &bytes.Buffer{}, &bytes.Buffer{}
	copied := make(chan struct{})
	go func() {
		defer close(copied)
		_, _ = stdcopy.StdCopy(out.writer(&limitWriter{w: stdout, n: limit}), out.writer(&limitWriter{w: stderr, n: limit}), hj.Reader)
	}()

	// Wait is registered before the start so a command that exits at once
	// is not missed.
	wctx, wcancel := context.WithCancel(ctx)
	defer wcancel()
	waitC, waitErr := c.api.ContainerWait(wctx, id, container.WaitConditionNextExit)
	sctx, scancel := c.call(ctx)
	err = c.api.ContainerStart(sctx, id, container.StartOptions{})
	scancel()
	if err != nil {
		return check.CommandResult{}, c.classifyStart(op, "", err)
	}
	timeout := spec.Timeout
	if timeout <= 0 {
		timeout = 10 * time.Second
	}
	timer := time.NewTimer(timeout)
	defer timer.Stop()
	kill := func() {
		kctx, kcancel := context.WithTimeout(context.WithoutCancel(ctx), c.timeout)
		_ = c.api.ContainerKill(kctx, id, "KILL")
		kcancel()
	}
	var res check.CommandResult
	select {
	case w := <-waitC:
		if w.Error != nil && w.Error.Message != "" {
			return check.CommandResult{}, fmt.Errorf("cannot %s: %s", op, w.Error.Message)
		}
		res.ExitCode = int(w.StatusCode)
		if res.ExitCode == 137 {
			ictx, icancel := c.call(context.WithoutCancel(ctx))
			if ci, err := c.api.ContainerInspect(ictx, id); err == nil && ci.State != nil {
				res.OOMKilled = ci.State.OOMKilled
			}
			icancel()
		}
	case err := <-waitErr:
		return check.CommandResult{}, c.classify(op, "", err)
	case <-out.exceeded:
		res.OutputExceeded = capBytes
		kill()
	case <-timer.C:
		res.TimedOut = true
		kill()
	case <-ctx.Done():
		return check.CommandResult{}, fmt.Errorf("cannot %s: %w", op, ctx.Err())
	}
	// The attach stream ends when the container stops; a daemon that
	// stops answering must not hold the result back.
	select {
	case <-copied:
	case <-time.After(c.timeout):
		hj.Close()
		<-copied
	}
	res.Stdout, res.Stderr = stdout.String(), stderr.String()
	return res, nil
}

// attach attaches to the container's output streams.
func (c *Client) attach(ctx context.Context, id string) (types.HijackedResponse, error) {
	return c.hijack(ctx, "attach to container "+short(id), func(ctx context.Context) (types.HijackedResponse, error) {
		return c.api.ContainerAttach(ctx, id, container.AttachOptions{Stream: true, Stdout: true, Stderr: true})
	})
}

// hijack makes a hijacked connection (attach, exec attach) with open. The
// SDK does not watch the context once the connection is dialled, and the
// upgrade request on it can hang on a daemon that stopped answering, so
// the call is abandoned after the call timeout (its connection is closed
// when it returns at last).
func (c *Client) hijack(ctx context.Context, what string, open func(context.Context) (types.HijackedResponse, error)) (types.HijackedResponse, error) {
	type attached struct {
		hj  types.HijackedResponse
		err error
	}
	done := make(chan attached, 1)
	go func() {
		hj, err := open(ctx)
		done <- attached{hj, err}
	}()
	t := time.NewTimer(c.timeout)
	defer t.Stop()
	select {
	case a := <-done:
		return a.hj, a.err
	case <-t.C:
	case <-ctx.Done():
	}
	go func() {
		if a := <-done; a.err == nil {
			a.hj.Close()
		}
	}()
	if ctx.Err() != nil {
		return types.HijackedResponse{}, ctx.Err()
	}
	return types.HijackedResponse{}, fmt.Errorf("%s: %w", what, errStalled(c.timeout))
}

// outputCap counts the output of both streams and closes exceeded once
// they pass left bytes together.
type outputCap struct {
	mu       sync.Mutex
	left     int64
	exceeded chan struct{}
}

func (o *outputCap) writer(w io.Writer) io.Writer {
	return writerFunc(func(p []byte) (int, error) {
		o.mu.Lock()
		if o.left >= 0 {
			o.left -= int64(len(p))
			if o.left < 0 {
				close(o.exceeded)
			}
		}
		o.mu.Unlock()
		return w.Write(p)
	})
}

type writerFunc func([]byte) (int, error)

func (f writerFunc) Write(p []byte) (int, error) { return f(p) }

// ValidateRepo is the repository `shipshape pack validate` tags its
// images in; it must equal packs.ImageRepo (a test checks), and is
// repeated here because the adapter does not import the packs package.
const ValidateRepo = "shipshape-validate"

// GradeRepo is the repository `shipshape grade` tags students' images in
// (grade.ImageRepo, which a test keeps equal).
const GradeRepo = "shipshape-grade"

// ownRepo reports whether ref is in a repository only shipshape tags in:
// its images are built, recorded and removed by shipshape alone.
func ownRepo(ref string) bool {
	return strings.HasPrefix(ref, ValidateRepo+"/") || strings.HasPrefix(ref, GradeRepo+"/")
}

// RemoveBuiltImage removes the image tag ref that `shipshape pack
// validate` or `shipshape grade` built, and refuses anything else. The label BuildImage puts
// on an image is no proof on its own, because labels are inherited: an
// image the learner builds FROM one of shipshape's carries it too. So ref
// must also be in ValidateRepo or GradeRepo and be one of the image's own tags, and the
// removal is by that tag (an image with other tags only loses this one).
// A missing image is not an error.
func (c *Client) RemoveBuiltImage(ctx context.Context, ref string) error {
	if !ownRepo(ref) {
		return fmt.Errorf("refusing to remove image %q: only images in %s/ and %s/ are removed", ref, ValidateRepo, GradeRepo)
	}
	ctx, cancel := c.call(ctx)
	defer cancel()
	ii, err := c.api.ImageInspect(ctx, ref)
	if err != nil {
		if cerrdefs.IsNotFound(err) {
			return nil
		}
		return c.classify(fmt.Sprintf("inspect image %q", ref), ref, err)
	}
	if ii.Config == nil || ii.Config.Labels[LabelBuilt] != "true" {
		return fmt.Errorf("refusing to remove image %q: it was not built by shipshape", ref)
	}
	if !slices.Contains(ii.RepoTags, withTag(ref)) {
		return fmt.Errorf("refusing to remove image %q: the tag does not name the image shipshape built", ref)
	}
	_, err = c.api.ImageRemove(ctx, ref, image.RemoveOptions{Force: true, PruneChildren: true})
	if err == nil || cerrdefs.IsNotFound(err) {
		e := c.entry(ledger.Image)
		e.Ref, e.ID = withTag(ref), ii.ID
		_ = c.ledger.Forget(e)
		return nil
	}
	return c.classify(fmt.Sprintf("remove image %q", ref), "", err)
}

// RemoveStepImage removes an untagged image that a classic build of this
// client committed for one of its steps (its id is in the build's log)
// and left behind because the build failed or was stopped: `docker build`
// keeps those as cache, a grading run must not. An image with a tag, a
// child or a container is left alone (no force).
func (c *Client) RemoveStepImage(ctx context.Context, id string) error {
	ctx, cancel := c.call(ctx)
	defer cancel()
	ii, err := c.api.ImageInspect(ctx, id)
	if cerrdefs.IsNotFound(err) {
		return nil
	} else if err != nil {
		return c.classify(fmt.Sprintf("inspect image %q", id), id, err)
	}
	if len(ii.RepoTags) > 0 {
		return fmt.Errorf("refusing to remove image %s: it has a tag now (%s)", short(id), strings.Join(ii.RepoTags, ", "))
	}
	if _, err := c.api.ImageRemove(ctx, ii.ID, image.RemoveOptions{PruneChildren: true}); err != nil && !cerrdefs.IsNotFound(err) {
		return c.classify(fmt.Sprintf("remove image %s", short(id)), "", err)
	}
	return nil
}

// withTag adds the implied ":latest" to a reference without a tag, the
// form the daemon lists in RepoTags.
func withTag(ref string) string {
	if strings.Contains(ref, "@") || strings.Contains(ref[strings.LastIndex(ref, "/")+1:], ":") {
		return ref
	}
	return ref + ":latest"
}
