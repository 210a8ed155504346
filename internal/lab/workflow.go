package lab

import (
	"context"
	"errors"
	"fmt"
	"os/exec"
	"sync"
	"time"

	"shipshape/internal/check"
	"shipshape/internal/human"
)

// Lab runs the exercise workflow against one Docker engine. It is safe for
// concurrent use.
type Lab struct {
	docker    Docker
	healthCap time.Duration
	probe     time.Duration
	// idleWait is how long an image without HEALTHCHECK runs before its
	// idle sample is asked for; the sample itself covers the second after.
	idleWait  time.Duration
	stopGrace time.Duration
	lookPath  func(string) (string, error)
	env       []string
}

// Option configures a Lab.
type Option func(*Lab)

// WithLookPath replaces exec.LookPath when looking for the trivy binary,
// so tests can pretend it is missing.
func WithLookPath(f func(string) (string, error)) Option {
	return func(l *Lab) {
		if f != nil {
			l.lookPath = f
		}
	}
}

// WithScannerEnv adds environment variables ("KEY=value") for a trivy
// binary run from PATH. DOCKER_HOST is set already from the adapter's
// HostURL.
func WithScannerEnv(env ...string) Option {
	return func(l *Lab) { l.env = append(l.env, env...) }
}

// WithStopGrace sets how long stopping a running image waits after its
// stop signal before Docker kills it (default 10s, Docker's own default).
// Tests of images that ignore SIGTERM shorten it.
func WithStopGrace(d time.Duration) Option {
	return func(l *Lab) {
		if d > 0 {
			l.stopGrace = d
		}
	}
}

// New returns a Lab using d. d may be nil for a Lab that only watches.
func New(d Docker, opts ...Option) *Lab {
	l := &Lab{
		docker:    d,
		healthCap: 60 * time.Second,
		probe:     250 * time.Millisecond,
		idleWait:  1500 * time.Millisecond,
		stopGrace: 10 * time.Second,
		lookPath:  exec.LookPath,
	}
	for _, o := range opts {
		o(l)
	}
	return l
}

// Build builds req and streams its progress to onEvent (which may be nil;
// it is called from Build's goroutine). The error is for Docker itself
// failing; a build that fails is a result with FailedStep and Error set.
func (l *Lab) Build(ctx context.Context, req BuildRequest, onEvent func(BuildEvent)) (BuildResult, error) {
	if req.Dir == "" {
		return BuildResult{}, errors.New("cannot build: no build context directory given")
	}
	if req.Tag == "" {
		return BuildResult{}, errors.New("cannot build: no tag given (e.g. task-api:prod)")
	}
	res, err := l.docker.BuildImage(ctx, req, onEvent)
	if err != nil {
		return res, fmt.Errorf("cannot build %s from %s: %w", req.Tag, req.Dir, err)
	}
	return res, nil
}

// healthSpec is the container spec for running info with the checks'
// faster probe pace; the image's own probe command is kept.
func (l *Lab) healthSpec(info check.ImageInfo, purpose string) (check.ContainerSpec, time.Duration, bool) {
	return check.HealthContainer(info, purpose, l.probe, l.healthCap)
}

// cleanupCtx is for removing containers after ctx was cancelled.
func cleanupCtx(ctx context.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
}

// Run starts image for the learner to watch: labelled as shipshape's
// session object (so a crash leaves it to the next start's cleanup), with
// the checks' faster probe pace. Its events follow until Stop.
func (l *Lab) Run(ctx context.Context, image string) (Running, error) {
	info, err := l.docker.InspectImage(ctx, image)
	if err != nil {
		return nil, fmt.Errorf("cannot run %s: %w", image, err)
	}
	spec, _, hasHealth := l.healthSpec(info, "run")
	// The learner's own run keeps the network, so the app can reach out
	// as it would in production.
	spec.Network = true
	id, err := l.docker.CreateContainer(ctx, spec)
	if err != nil {
		return nil, fmt.Errorf("cannot run %s: %w", image, err)
	}
	// The container lives until Stop, not as long as the caller's ctx.
	rctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	r := &running{docker: l.docker, id: id, cancel: cancel, grace: l.stopGrace,
		events: make(chan RunEvent, 256), done: make(chan struct{})}
	fail := func(err error) (Running, error) {
		cancel()
		cctx, ccancel := cleanupCtx(ctx)
		defer ccancel()
		_ = l.docker.RemoveContainer(cctx, id)
		return nil, fmt.Errorf("cannot run %s: %w", image, err)
	}
	evs, errs, err := l.docker.WatchContainer(rctx, id)
	if err != nil {
		return fail(err)
	}
	if err := l.docker.StartContainer(ctx, id); err != nil {
		return fail(err)
	}
	if hasHealth {
		r.send(rctx, RunEvent{Health: "starting"})
	}
	logsDone := make(chan struct{})
	go func() {
		defer close(logsDone)
		err := l.docker.FollowLogs(rctx, id, func(_, line string) { r.send(rctx, RunEvent{LogLine: line}) })
		if err != nil && rctx.Err() == nil {
			r.send(rctx, RunEvent{Err: err})
		}
	}()
	go r.follow(rctx, evs, errs, logsDone, hasHealth)
	return r, nil
}

type running struct {
	docker Docker
	id     string
	cancel context.CancelFunc
	grace  time.Duration
	events chan RunEvent
	done   chan struct{}
	stop   sync.Once
	err    error
}

func (r *running) ID() string              { return r.id }
func (r *running) Events() <-chan RunEvent { return r.events }

func (r *running) send(ctx context.Context, ev RunEvent) {
	select {
	case r.events <- ev:
	case <-ctx.Done():
	}
}

// follow turns the container's events into RunEvents until it exits or
// Stop cancels ctx, then closes the channel once the logs are drained.
func (r *running) follow(ctx context.Context, evs <-chan check.ContainerEvent, errs <-chan error, logsDone <-chan struct{}, hasHealth bool) {
	defer close(r.done)
	defer close(r.events)
	last := ""
	if hasHealth {
		last = "starting"
	}
	for {
		select {
		case ev, ok := <-evs:
			if !ok {
				evs = nil
				if errs == nil {
					<-ctx.Done()
					return
				}
				continue
			}
			switch {
			case ev.Health != "" && ev.Health != last:
				last = ev.Health
				r.send(ctx, RunEvent{Health: ev.Health})
			case ev.Action == "die":
				// Let the log follower deliver the last lines first.
				select {
				case <-logsDone:
				case <-time.After(2 * time.Second):
				}
				r.send(ctx, RunEvent{Exited: true, ExitCode: ev.ExitCode})
				return
			}
		case err, ok := <-errs:
			if !ok {
				errs = nil
				if evs == nil {
					<-ctx.Done()
					return
				}
				continue
			}
			if ctx.Err() == nil {
				r.send(ctx, RunEvent{Err: err})
			}
		case <-ctx.Done():
			return
		}
	}
}

// Stop stops the container with its stop signal (the daemon kills it
// after the grace period) and removes it. It is safe to call more than
// once and after the container exited by itself.
func (r *running) Stop(ctx context.Context) error {
	r.stop.Do(func() {
		var errs []error
		if err := r.docker.StopContainer(ctx, r.id, r.grace); err != nil && ctx.Err() == nil {
			errs = append(errs, err)
		}
		select {
		case <-r.done:
		case <-time.After(3 * time.Second):
		case <-ctx.Done():
		}
		r.cancel()
		cctx, cancel := cleanupCtx(ctx)
		defer cancel()
		if err := r.docker.RemoveContainer(cctx, r.id); err != nil {
			errs = append(errs, err)
		}
		<-r.done
		if len(errs) > 0 {
			r.err = fmt.Errorf("cannot stop container %s: %w", human.ShortID(r.id), errors.Join(errs...))
		}
	})
	return r.err
}
