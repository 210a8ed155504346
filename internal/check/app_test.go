package check_test

import (
	"context"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"shipshape/internal/check"
	"shipshape/internal/docker/dockertest"
)

// recordingDocker records the containers the checks create.
type recordingDocker struct {
	check.Docker
	mu    sync.Mutex
	specs []check.ContainerSpec
	ids   []string
}

func (r *recordingDocker) CreateContainer(ctx context.Context, spec check.ContainerSpec) (string, error) {
	id, err := r.Docker.CreateContainer(ctx, spec)
	r.mu.Lock()
	r.specs = append(r.specs, spec)
	if err == nil {
		r.ids = append(r.ids, id)
	}
	r.mu.Unlock()
	return id, err
}

// left lists the containers made that still exist. Cases run in parallel
// on the same images, so counting the containers of an image would see
// another case's.
func (r *recordingDocker) left(ctx context.Context) []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []string
	for _, id := range r.ids {
		if _, err := r.Docker.InspectContainer(ctx, id); err == nil {
			out = append(out, id)
		}
	}
	return out
}

func (r *recordingDocker) purposes() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []string
	for _, s := range r.specs {
		out = append(out, s.Purpose)
	}
	return out
}

// TestChecksShareTheAppContainer: the uid, health and shutdown checks of
// one attempt run in one container, started once, and reach the verdicts
// a container each reached; a second shutdown check, and a check asking
// for another network mode, get containers of their own.
func TestChecksShareTheAppContainer(t *testing.T) {
	e := dockertest.Need(t)
	for _, tc := range []struct {
		name  string
		image string
		specs []check.Spec
		want  map[string]check.Status
		// containers and networked list the purposes of the containers
		// made, and of those given a network, sorted.
		containers, networked string
	}{
		{"3.4-like", "good", []check.Spec{
			{ID: "user", Kind: "image.user_nonroot", Required: true},
			{ID: "healthy10", Kind: "container.healthy", Required: true, Params: map[string]any{"max_startup_seconds": 10}},
			{ID: "healthy", Kind: "container.healthy", Required: true},
			{ID: "stop", Kind: "container.graceful_shutdown", Required: true},
		}, map[string]check.Status{"user": check.StatusPass, "healthy10": check.StatusPass, "healthy": check.StatusPass, "stop": check.StatusPass}, "app", ""},
		{"two-stoppers", "good", []check.Spec{
			{ID: "user", Kind: "image.user_nonroot", Required: true},
			{ID: "stop1", Kind: "container.graceful_shutdown", Required: true},
			{ID: "stop2", Kind: "container.graceful_shutdown", Required: true},
		}, map[string]check.Status{"user": check.StatusPass, "stop1": check.StatusPass, "stop2": check.StatusPass}, "app shutdown", ""},
		{"ignores-term", "ignoreterm", []check.Spec{
			{ID: "user", Kind: "image.user_nonroot", Required: true},
			{ID: "stop", Kind: "container.graceful_shutdown", Required: true},
		}, map[string]check.Status{"user": check.StatusPass, "stop": check.StatusFail}, "app", ""},
		{"root", "root", []check.Spec{
			{ID: "user", Kind: "image.user_nonroot", Required: true},
			{ID: "healthy", Kind: "container.healthy", Required: true},
		}, map[string]check.Status{"user": check.StatusFail, "healthy": check.StatusFail}, "app", ""},
		{"never-healthy", "hcnever", []check.Spec{
			{ID: "user", Kind: "image.user_nonroot", Required: true},
			{ID: "healthy", Kind: "container.healthy", Required: true},
			{ID: "stop", Kind: "container.graceful_shutdown"}, // sh as pid 1 ignores SIGTERM: killed, advisory
		}, map[string]check.Status{"user": check.StatusPass, "healthy": check.StatusFail, "stop": check.StatusWarn}, "app", ""},
		{"networks", "needsnet", []check.Spec{
			{ID: "none", Kind: "container.healthy", Required: true},
			{ID: "net", Kind: "container.healthy", Required: true, Params: map[string]any{"network": "default"}},
			{ID: "user-net", Kind: "image.user_nonroot", Required: true, Params: map[string]any{"network": "default"}},
			{ID: "ro-net", Kind: "container.readonly_rootfs", Required: true, Params: map[string]any{"network": "default"}},
		}, map[string]check.Status{"none": check.StatusFail, "net": check.StatusPass, "user-net": check.StatusPass, "ro-net": check.StatusPass}, "app app-readonly", "app-readonly"},
		// With the read-only check, the shared container runs read-only:
		// one container for the three verdicts of 3.1.
		{"3.1-like", "good", []check.Spec{
			{ID: "user", Kind: "image.user_nonroot", Required: true},
			{ID: "healthy", Kind: "container.healthy", Required: true},
			{ID: "ro", Kind: "container.readonly_rootfs"},
		}, map[string]check.Status{"user": check.StatusPass, "healthy": check.StatusPass, "ro": check.StatusPass}, "app-readonly", ""},
		// An app that needs a writable root is judged healthy, and its
		// user, in a writable container, as in a container of their own.
		{"needs-writable-root", "rwfail", []check.Spec{
			{ID: "user", Kind: "image.user_nonroot", Required: true},
			{ID: "healthy", Kind: "container.healthy", Required: true},
			{ID: "ro", Kind: "container.readonly_rootfs"},
		}, map[string]check.Status{"user": check.StatusFail, "healthy": check.StatusPass, "ro": check.StatusWarn}, "app app-readonly", ""},
		// A probe that never passes fails both ways.
		{"never-healthy-readonly", "hcfail", []check.Spec{
			{ID: "user", Kind: "image.user_nonroot", Required: true},
			{ID: "healthy", Kind: "container.healthy", Required: true},
			{ID: "ro", Kind: "container.readonly_rootfs", Required: true},
		}, map[string]check.Status{"user": check.StatusPass, "healthy": check.StatusFail, "ro": check.StatusFail}, "app app-readonly", ""},
		// Without a HEALTHCHECK the shared container cannot run read-only
		// (nothing says the app works so): the read-only check makes its
		// own, and the shared one is made only for a check that reads it.
		{"readonly-alone-without-healthcheck", "numeric", []check.Spec{
			{ID: "ro", Kind: "container.readonly_rootfs", Required: true},
		}, map[string]check.Status{"ro": check.StatusPass}, "readonly", ""},
		{"readonly-and-user-without-healthcheck", "numeric", []check.Spec{
			{ID: "user", Kind: "image.user_nonroot", Required: true},
			{ID: "ro", Kind: "container.readonly_rootfs", Required: true},
		}, map[string]check.Status{"user": check.StatusPass, "ro": check.StatusPass}, "app readonly", ""},
		// A check that stops the container keeps it writable.
		{"stopper-keeps-writable", "good", []check.Spec{
			{ID: "healthy", Kind: "container.healthy", Required: true},
			{ID: "ro", Kind: "container.readonly_rootfs", Required: true},
			{ID: "stop", Kind: "container.graceful_shutdown", Required: true},
		}, map[string]check.Status{"healthy": check.StatusPass, "ro": check.StatusPass, "stop": check.StatusPass}, "app readonly", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			rec := &recordingDocker{Docker: e.Docker}
			eng := check.NewEngine(rec, check.WithStopTimeout(2*time.Second))
			ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
			defer cancel()
			rep := eng.Run(ctx, tc.specs, check.Target{Image: images[tc.image]}, nil)
			for _, r := range rep.Results {
				t.Logf("%s %s in %s: %s", r.ID, r.Status, r.Duration.Round(time.Millisecond), strings.Join(r.Evidence, " | "))
				if want := tc.want[r.ID]; r.Status != want {
					t.Errorf("%s: %s, want %s", r.ID, r.Status, want)
				}
			}
			got := rec.purposes()
			slices.Sort(got)
			if strings.Join(got, " ") != tc.containers {
				t.Errorf("containers made: %v, want %s", got, tc.containers)
			}
			var networked []string
			rec.mu.Lock()
			for _, s := range rec.specs {
				if s.Network {
					networked = append(networked, s.Purpose)
				}
			}
			rec.mu.Unlock()
			slices.Sort(networked)
			if want := tc.networked; strings.Join(networked, " ") != want {
				t.Errorf("containers with a network: %v, want %q", networked, want)
			}
			if left := rec.left(context.Background()); len(left) != 0 {
				t.Errorf("containers left after the attempt: %v", left)
			}
		})
	}
}
