package docker

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	cerrdefs "github.com/containerd/errdefs"
	"github.com/docker/docker/api/types/container"
	"github.com/docker/docker/api/types/filters"
	"github.com/docker/docker/api/types/image"
	"github.com/docker/docker/api/types/volume"

	"shipshape/internal/ledger"
	"shipshape/internal/proc"
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

// RemoveSession removes what this client created, as its ledger records
// it. Call it on exit.
func (c *Client) RemoveSession(ctx context.Context) (Removed, error) {
	return c.remove(ctx, func(e ledger.Entry) bool { return e.Session == c.session })
}

// RemoveStale removes what shipshape sessions that are no longer alive
// created, as the ledger records it: objects made on this machine by a
// process that has exited. Objects of other machines sharing the state
// directory, and of live sessions, are left alone. Call it on start.
//
// Nothing is removed for its labels alone: a learner's image committed
// from a check container, images built FROM it and containers run from
// them all carry shipshape's labels, and none of them is in the ledger.
func (c *Client) RemoveStale(ctx context.Context) (Removed, error) {
	r, err := c.remove(ctx, func(e ledger.Entry) bool {
		return e.Session != c.session && e.Host == c.hostname && !proc.Alive(e.PID)
	})
	if err == nil {
		// Forgotten records pile up otherwise; a failed compaction loses
		// nothing, the next start tries again.
		_ = c.ledger.Compact()
	}
	return r, err
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

// remove deletes the ledger's containers, then its images, for which mine
// is true. Every API call gets its own timeout: one deadline for the whole
// cleanup would let a long list of removals, and their retries, starve the
// ones at the end.
func (c *Client) remove(ctx context.Context, mine func(ledger.Entry) bool) (Removed, error) {
	var r Removed
	entries, lerr := c.ledger.Entries()
	var errs []error
	if lerr != nil {
		errs = append(errs, lerr)
	}
	var images []ledger.Entry
	for _, e := range entries {
		if !mine(e) {
			continue
		}
		if e.Kind == ledger.Image {
			images = append(images, e)
			continue
		}
		rm := func(cctx context.Context) error { return c.removeContainer(cctx, e) }
		err := c.withCall(ctx, rm)
		var de *Error
		if errors.As(err, &de) && cerrdefs.IsConflict(de.Err) {
			// Most often an auto-remove already under way: give it a moment.
			if sleep(ctx, time.Second) {
				err = c.withCall(ctx, rm)
			}
		}
		switch {
		case err == nil:
			r.Containers++
		case errors.Is(err, errNotShipshapes):
			// Not shipshape's after all (dropped from the ledger): leave it.
		default:
			errs = append(errs, err)
		}
	}
	// Newest first: an image recorded while a build ran (a step's) is the
	// parent of those recorded after it, and goes with them.
	slices.Reverse(images)
	for _, e := range images {
		rm := func(cctx context.Context) error { return c.removeImage(cctx, e) }
		err := c.withCall(ctx, rm)
		// A build stopped by a crash leaves the daemon removing its step
		// container, which holds the step's image for a moment.
		for try := 0; try < 5 && isConflict(err) && sleep(ctx, time.Second); try++ {
			err = c.withCall(ctx, rm)
		}
		switch {
		case err == nil:
			r.Images++
		case errors.Is(err, errNotShipshapes):
		default:
			errs = append(errs, err)
		}
	}
	if len(errs) > 0 {
		return r, fmt.Errorf("cannot clean up everything: %w", errors.Join(errs...))
	}
	return r, nil
}

// TrackImage records the image tagged ref as one this session made, so
// that RemoveSession (or, after a kill -9, a later RemoveStale) removes
// it: validation builds and test fixtures. Never call it for an image the
// learner is meant to keep.
func (c *Client) TrackImage(ctx context.Context, ref string) error {
	ctx, cancel := c.call(ctx)
	defer cancel()
	ii, err := c.api.ImageInspect(ctx, ref)
	if err != nil {
		return c.classify(fmt.Sprintf("inspect image %q", ref), ref, err)
	}
	e := c.entry(ledger.Image)
	e.Ref, e.ID = withTag(ref), ii.ID
	return c.ledger.Record(e)
}

// removeImage removes the tag of an image the ledger records, when the tag
// still names that image; an image with other tags keeps them. A tag that
// now names another image (the learner rebuilt it) is left alone.
func (c *Client) removeImage(ctx context.Context, e ledger.Entry) error {
	if e.Ref == "" || e.ID == "" {
		_ = c.ledger.Forget(e)
		return nil
	}
	ii, err := c.api.ImageInspect(ctx, e.Ref)
	if cerrdefs.IsNotFound(err) {
		_ = c.ledger.Forget(e)
		return nil
	}
	if err != nil {
		return c.classify(fmt.Sprintf("inspect image %q", e.Ref), e.Ref, err)
	}
	if ii.ID != e.ID {
		_ = c.ledger.Forget(e)
		return fmt.Errorf("refusing to remove image %q: the tag now names another image: %w", e.Ref, errNotShipshapes)
	}
	_, err = c.api.ImageRemove(ctx, e.Ref, image.RemoveOptions{PruneChildren: true})
	if err == nil || cerrdefs.IsNotFound(err) {
		_ = c.ledger.Forget(e)
		return nil
	}
	return c.classify(fmt.Sprintf("remove image %q", e.Ref), "", err)
}

// isConflict reports whether err is the daemon's refusal because of
// another object (a container using an image).
func isConflict(err error) bool {
	var de *Error
	return errors.As(err, &de) && cerrdefs.IsConflict(de.Err)
}

// errNotShipshapes marks a refusal to remove an object that shipshape did
// not create.
var errNotShipshapes = errors.New("it was not created by shipshape")

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
