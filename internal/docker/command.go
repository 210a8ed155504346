package docker

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	cerrdefs "github.com/containerd/errdefs"
	"github.com/docker/docker/api/types/container"
	"github.com/docker/docker/api/types/image"
	"github.com/docker/docker/pkg/stdcopy"

	"shipshape/internal/check"
	"shipshape/internal/ledger"
)

var _ check.CommandRunner = (*Client)(nil)

// commandPidsLimit bounds the processes a pack's command may start, so a
// fork bomb in a check stays inside its container.
const commandPidsLimit = 256

// RunCommand implements check.CommandRunner. The container is as closed
// as Docker allows without breaking ordinary commands: no network
// (NetworkMode none), no mounts, every capability dropped, no new
// privileges, a process limit, never privileged, private PID/IPC/UTS
// namespaces, and only the image's own environment. Whatever the command
// does, it can only touch the throwaway container's filesystem.
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
		NetworkMode: "none",
		CapDrop:     []string{"ALL"},
		SecurityOpt: []string{"no-new-privileges"},
		Privileged:  false,
		IpcMode:     "private",
		Resources:   container.Resources{PidsLimit: &pids},
	}
	cctx, cancel := c.call(ctx)
	id, err := c.createContainer(cctx, cfg, hc, purpose)
	cancel()
	if err != nil {
		return check.CommandResult{}, c.classify(op, spec.Image, err)
	}
	defer func() {
		rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 20*time.Second)
		defer cancel()
		_ = c.RemoveContainer(rctx, id)
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
		return check.CommandResult{}, c.classify(op, "", err)
	}
	timeout := spec.Timeout
	if timeout <= 0 {
		timeout = 10 * time.Second
	}
	timer := time.NewTimer(timeout)
	defer timer.Stop()
	var res check.CommandResult
	select {
	case w := <-waitC:
		if w.Error != nil && w.Error.Message != "" {
			return check.CommandResult{}, fmt.Errorf("cannot %s: %s", op, w.Error.Message)
		}
		res.ExitCode = int(w.StatusCode)
	case err := <-waitErr:
		return check.CommandResult{}, c.classify(op, "", err)
	case <-timer.C:
		res.TimedOut = true
		kctx, kcancel := context.WithTimeout(context.WithoutCancel(ctx), c.timeout)
		_ = c.api.ContainerKill(kctx, id, "KILL")
		kcancel()
	case <-ctx.Done():
		return check.CommandResult{}, fmt.Errorf("cannot %s: %w", op, ctx.Err())
	}
	limit := spec.OutputLimit
	if limit <= 0 {
		limit = 64 << 10
	}
	lctx, lcancel := context.WithTimeout(context.WithoutCancel(ctx), c.timeout)
	defer lcancel()
	rc, err := c.api.ContainerLogs(lctx, id, container.LogsOptions{ShowStdout: true, ShowStderr: true})
	if err != nil {
		return res, c.classify("read the output of "+op, "", err)
	}
	defer rc.Close()
	var out, errOut bytes.Buffer
	if _, err := stdcopy.StdCopy(&limitWriter{w: &out, n: limit}, &limitWriter{w: &errOut, n: limit}, rc); err != nil && !errors.Is(err, io.EOF) {
		return res, fmt.Errorf("cannot read the output of %s: %w", op, err)
	}
	res.Stdout, res.Stderr = out.String(), errOut.String()
	return res, nil
}

// ValidateRepo is the repository `shipshape pack validate` tags its
// images in; it must equal packs.ImageRepo (a test checks), and is
// repeated here because the adapter does not import the packs package.
const ValidateRepo = "shipshape-validate"

// RemoveBuiltImage removes the image tag ref that `shipshape pack
// validate` built, and refuses anything else. The label BuildImage puts
// on an image is no proof on its own, because labels are inherited: an
// image the learner builds FROM one of shipshape's carries it too. So ref
// must also be in ValidateRepo and be one of the image's own tags, and the
// removal is by that tag (an image with other tags only loses this one).
// A missing image is not an error.
func (c *Client) RemoveBuiltImage(ctx context.Context, ref string) error {
	if !strings.HasPrefix(ref, ValidateRepo+"/") {
		return fmt.Errorf("refusing to remove image %q: only images in %s/ are removed", ref, ValidateRepo)
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

// withTag adds the implied ":latest" to a reference without a tag, the
// form the daemon lists in RepoTags.
func withTag(ref string) string {
	if strings.Contains(ref, "@") || strings.Contains(ref[strings.LastIndex(ref, "/")+1:], ":") {
		return ref
	}
	return ref + ":latest"
}
