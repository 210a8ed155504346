package docker

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"syscall"
	"time"

	cerrdefs "github.com/containerd/errdefs"
	"github.com/docker/docker/api/types/container"
	"github.com/docker/docker/api/types/filters"
	"github.com/docker/docker/api/types/image"
	"github.com/docker/docker/api/types/volume"
)

// Removed counts what a cleanup removed.
type Removed struct {
	Containers, Images, Volumes int
}

// Leftovers lists what carries shipshape's managed label, for tests that
// assert nothing was left behind.
type Leftovers struct {
	Containers, Images, Volumes []string
}

// Empty reports whether nothing is left.
func (l Leftovers) Empty() bool {
	return len(l.Containers)+len(l.Images)+len(l.Volumes) == 0
}

// owner decides which labelled objects a cleanup may remove.
type owner func(labels map[string]string) bool

// RemoveSession removes every object labelled with this client's session.
// Call it on exit.
func (c *Client) RemoveSession(ctx context.Context) (Removed, error) {
	return c.remove(ctx, func(l map[string]string) bool { return l[LabelSession] == c.session })
}

// RemoveStale removes the objects of sessions that are no longer alive:
// those made on this machine by a process that has exited. Objects of
// other machines sharing the daemon, and of live sessions, are left alone.
// Call it on start.
func (c *Client) RemoveStale(ctx context.Context) (Removed, error) {
	return c.remove(ctx, func(l map[string]string) bool {
		if l[LabelSession] == c.session || l[LabelHostname] != c.hostname {
			return false
		}
		pid, err := strconv.Atoi(l[LabelPID])
		return err == nil && !alive(pid)
	})
}

// alive reports whether a process exists; EPERM means it exists but
// belongs to someone else.
func alive(pid int) bool {
	if pid <= 0 {
		return false
	}
	err := syscall.Kill(pid, 0)
	return err == nil || errors.Is(err, syscall.EPERM)
}

// ListManaged lists every object carrying the managed label.
func (c *Client) ListManaged(ctx context.Context) (Leftovers, error) {
	return c.list(ctx, filters.NewArgs(filters.Arg("label", LabelManaged+"=true")))
}

// ListSession lists the objects labelled with this client's session.
func (c *Client) ListSession(ctx context.Context) (Leftovers, error) {
	return c.list(ctx, filters.NewArgs(filters.Arg("label", LabelManaged+"=true"), filters.Arg("label", LabelSession+"="+c.session)))
}

func (c *Client) list(ctx context.Context, f filters.Args) (Leftovers, error) {
	var l Leftovers
	cctx, cancel := c.call(ctx)
	defer cancel()
	cs, err := c.api.ContainerList(cctx, container.ListOptions{All: true, Filters: f})
	if err != nil {
		return l, c.classify("list containers", "", err)
	}
	for _, x := range cs {
		l.Containers = append(l.Containers, short(x.ID))
	}
	is, err := c.api.ImageList(cctx, image.ListOptions{All: true, Filters: f})
	if err != nil {
		return l, c.classify("list images", "", err)
	}
	for _, x := range is {
		l.Images = append(l.Images, x.ID)
	}
	vs, err := c.api.VolumeList(cctx, volume.ListOptions{Filters: f})
	if err != nil {
		return l, c.classify("list volumes", "", err)
	}
	for _, x := range vs.Volumes {
		l.Volumes = append(l.Volumes, x.Name)
	}
	return l, nil
}

// remove deletes labelled containers, then images (newest first, so
// children go before their parents), then volumes, for which mine is true.
// Only objects with the managed label are ever looked at. Every API call
// gets its own timeout: one deadline for the whole cleanup would let a long
// list of removals, and their retries, starve the ones at the end.
func (c *Client) remove(ctx context.Context, mine owner) (Removed, error) {
	var r Removed
	var errs []error
	f := filters.NewArgs(filters.Arg("label", LabelManaged+"=true"))

	var cs []container.Summary
	err := c.withCall(ctx, func(cctx context.Context) (err error) {
		cs, err = c.api.ContainerList(cctx, container.ListOptions{All: true, Filters: f})
		return err
	})
	if err != nil {
		return r, c.classify("list shipshape's containers", "", err)
	}
	for _, x := range cs {
		if !mine(x.Labels) {
			continue
		}
		rm := func(cctx context.Context) error {
			return c.api.ContainerRemove(cctx, x.ID, container.RemoveOptions{Force: true, RemoveVolumes: true})
		}
		err := c.withCall(ctx, rm)
		if cerrdefs.IsConflict(err) {
			// Most often an auto-remove already under way: give it a moment.
			if sleep(ctx, time.Second) {
				err = c.withCall(ctx, rm)
			}
		}
		if err == nil || cerrdefs.IsNotFound(err) {
			r.Containers++
		} else {
			errs = append(errs, c.classify("remove container "+short(x.ID), "", err))
		}
	}

	var is []image.Summary
	err = c.withCall(ctx, func(cctx context.Context) (err error) {
		is, err = c.api.ImageList(cctx, image.ListOptions{All: true, Filters: f})
		return err
	})
	if err != nil {
		return r, c.classify("list shipshape's images", "", err)
	}
	// Children must go before their parents, and Created has only second
	// resolution, so removal goes in passes until one makes no progress.
	sort.Slice(is, func(i, j int) bool { return is[i].Created > is[j].Created })
	var pending []image.Summary
	for _, x := range is {
		if mine(x.Labels) {
			pending = append(pending, x)
		}
	}
	for len(pending) > 0 {
		var next []image.Summary
		var passErrs []error
		for _, x := range pending {
			err := c.withCall(ctx, func(cctx context.Context) error {
				_, err := c.api.ImageRemove(cctx, x.ID, image.RemoveOptions{Force: true, PruneChildren: true})
				return err
			})
			switch {
			case err == nil || cerrdefs.IsNotFound(err):
				r.Images++
			case cerrdefs.IsConflict(err):
				next = append(next, x)
				passErrs = append(passErrs, c.classify("remove image "+short(x.ID), "", err))
			default:
				errs = append(errs, c.classify("remove image "+short(x.ID), "", err))
			}
		}
		if len(next) == len(pending) {
			errs = append(errs, passErrs...)
			break
		}
		pending = next
	}

	var vs volume.ListResponse
	err = c.withCall(ctx, func(cctx context.Context) (err error) {
		vs, err = c.api.VolumeList(cctx, volume.ListOptions{Filters: f})
		return err
	})
	if err != nil {
		return r, c.classify("list shipshape's volumes", "", err)
	}
	for _, x := range vs.Volumes {
		if !mine(x.Labels) {
			continue
		}
		err := c.withCall(ctx, func(cctx context.Context) error { return c.api.VolumeRemove(cctx, x.Name, true) })
		if err == nil || cerrdefs.IsNotFound(err) {
			r.Volumes++
		} else {
			errs = append(errs, c.classify("remove volume "+x.Name, "", err))
		}
	}
	if len(errs) > 0 {
		return r, fmt.Errorf("cannot clean up everything: %w", errors.Join(errs...))
	}
	return r, nil
}

// withCall runs one API call under its own timeout.
func (c *Client) withCall(ctx context.Context, fn func(context.Context) error) error {
	cctx, cancel := c.call(ctx)
	defer cancel()
	return fn(cctx)
}

// sleep waits for d, or less if ctx ends; it reports whether it waited
// the full time.
func sleep(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}
