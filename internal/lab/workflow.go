package lab

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"shipshape/internal/check"
	"shipshape/internal/dockerfile"
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
	if req.Pull {
		if res, ok := l.pullBases(ctx, req, onEvent); !ok {
			return res, nil
		}
	}
	res, err := l.docker.BuildImage(ctx, req, onEvent)
	if err != nil {
		return res, fmt.Errorf("cannot build %s from %s: %w", req.Tag, req.Dir, err)
	}
	return res, nil
}

// pullBases pulls the base images of req's Dockerfile, as docker build
// --pull would, reporting the pull as build steps. A Dockerfile that does
// not parse is left to the build, which explains it. ok is false when a
// pull failed: res then says which and what to do.
func (l *Lab) pullBases(ctx context.Context, req BuildRequest, onEvent func(BuildEvent)) (res BuildResult, ok bool) {
	if onEvent == nil {
		onEvent = func(BuildEvent) {}
	}
	var f *dockerfile.File
	var err error
	if req.DockerfileData != nil {
		f, err = dockerfile.Parse(bytes.NewReader(req.DockerfileData))
	} else {
		name := req.Dockerfile
		if name == "" {
			name = "Dockerfile"
		}
		f, err = dockerfile.ParseFile(filepath.Join(req.Dir, name))
	}
	if err != nil {
		return res, true
	}
	return l.pullEach(ctx, f.BaseImages(req.BuildArgs), onEvent)
}

func (l *Lab) pullEach(ctx context.Context, refs []string, onEvent func(BuildEvent)) (BuildResult, bool) {
	start := time.Now()
	for _, ref := range refs {
		step := "Pulling " + ref + " (--pull)"
		onEvent(BuildEvent{Step: step, Line: step})
		err := l.docker.PullImage(ctx, ref,
			func(s string) { onEvent(BuildEvent{Line: s}) },
			func(p string) { onEvent(BuildEvent{Step: step + ": " + p}) })
		if err != nil {
			msg := err.Error()
			onEvent(BuildEvent{Line: "ERROR: " + msg})
			return BuildResult{FailedStep: step, Error: msg, Log: []string{step, "ERROR: " + msg}, Duration: time.Since(start)}, false
		}
	}
	return BuildResult{}, true
}

// healthSpec is the container spec for running info with the checks'
// faster probe pace; the image's own probe command is kept.
func (l *Lab) healthSpec(info check.ImageInfo, purpose string) (check.ContainerSpec, time.Duration, bool) {
	return check.HealthContainer(info, purpose, l.probe, l.healthCap)
}

// quietAfterHealthy makes spec's fast probe stop once the container is
// healthy, where the engine can: on Engine 25 and newer the start
// interval applies only while the container is starting within its start
// period, and the interval after it is the image's own, as in production.
// So the app's idle use is not the probes', and its log is not flooded
// with them. own is the HEALTHCHECK the probe came from; wait is how long
// the caller waits for healthy. It reports whether it could.
func quietAfterHealthy(spec *check.ContainerSpec, own *check.Healthcheck, wait time.Duration, engine string) bool {
	if spec.Healthcheck == nil || own == nil || !check.HasStartInterval(engine) {
		return false
	}
	spec.Healthcheck.Interval = own.Interval
	if spec.Healthcheck.Interval <= 0 {
		spec.Healthcheck.Interval = check.DefaultHealthInterval
	}
	spec.Healthcheck.StartInterval = min(spec.Healthcheck.StartInterval, spec.Healthcheck.Interval)
	spec.Healthcheck.StartPeriod = max(spec.Healthcheck.StartPeriod, wait)
	return true
}

// dur0 is d, or Docker's default interval for zero.
func dur0(d time.Duration) time.Duration {
	if d <= 0 {
		return check.DefaultHealthInterval
	}
	return d
}

// runProbeOnOldEngines is the pace of the learner's run on an engine
// without start intervals: it probes for as long as it runs, and each
// probe is a line in the app's access log.
const runProbeOnOldEngines = time.Second

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
	spec, deadline, hasHealth := l.healthSpec(info, "run")
	if hasHealth {
		// Fast until healthy for as long as a check would wait: an app
		// that never gets there is then judged at the image's own pace.
		engine, _ := l.docker.EngineVersion(ctx)
		if !quietAfterHealthy(&spec, info.Healthcheck, deadline, engine) {
			spec.Healthcheck.Interval = max(spec.Healthcheck.Interval, min(runProbeOnOldEngines, dur0(info.Healthcheck.Interval)))
		}
	}
	// The learner's own run keeps the network, so the app can reach out
	// as it would in production, and its port is published on the
	// loopback only, so the learner can curl it and nobody else can.
	spec.Network = true
	port := appPort(info.ExposedPorts)
	spec.Publish = &check.PortPublish{ContainerPort: port, HostIP: "127.0.0.1", HostPort: portNumber(port)}
	r, evs, errs, err := l.startRun(ctx, spec)
	if errors.Is(err, check.ErrPortInUse) {
		// The usual port is taken (a second shipshape, the learner's own
		// docker run): let the engine choose a free one.
		spec.Publish.HostPort = 0
		r, evs, errs, err = l.startRun(ctx, spec)
	}
	if err != nil {
		return nil, fmt.Errorf("cannot run %s: %w", image, err)
	}
	rctx := r.ctx
	if st, err := l.docker.InspectContainer(ctx, r.id); err == nil && st.Published[port] != "" {
		r.send(rctx, RunEvent{Address: st.Published[port]})
	}
	if hasHealth {
		r.send(rctx, RunEvent{Health: "starting"})
	}
	logsDone := make(chan struct{})
	go func() {
		defer close(logsDone)
		err := l.docker.FollowLogs(rctx, r.id, func(_, line string) { r.send(rctx, RunEvent{LogLine: line}) })
		if err != nil && rctx.Err() == nil {
			r.send(rctx, RunEvent{Err: err})
		}
	}()
	go r.follow(rctx, evs, errs, logsDone, hasHealth)
	return r, nil
}

// startRun creates and starts a container of spec, subscribed to its
// events first; on failure the container is removed again.
func (l *Lab) startRun(ctx context.Context, spec check.ContainerSpec) (*running, <-chan check.ContainerEvent, <-chan error, error) {
	id, err := l.docker.CreateContainer(ctx, spec)
	if err != nil {
		return nil, nil, nil, err
	}
	// The container lives until Stop, not as long as the caller's ctx.
	rctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	r := &running{docker: l.docker, id: id, ctx: rctx, cancel: cancel, grace: l.stopGrace,
		events: make(chan RunEvent, 256), done: make(chan struct{})}
	fail := func(err error) (*running, <-chan check.ContainerEvent, <-chan error, error) {
		cancel()
		cctx, ccancel := cleanupCtx(ctx)
		defer ccancel()
		_ = l.docker.RemoveContainer(cctx, id)
		return nil, nil, nil, err
	}
	evs, errs, err := l.docker.WatchContainer(rctx, id)
	if err != nil {
		return fail(err)
	}
	if err := l.docker.StartContainer(ctx, id); err != nil {
		return fail(err)
	}
	return r, evs, errs, nil
}

// appPort is the container port the learner's app answers on: 8000/tcp
// (the Task API's) when the image exposes it or exposes nothing, else
// the first TCP port it exposes.
func appPort(exposed []string) string {
	const taskAPI = "8000/tcp"
	first := ""
	for _, p := range exposed {
		if p == taskAPI {
			return p
		}
		if first == "" && strings.HasSuffix(p, "/tcp") {
			first = p
		}
	}
	if first == "" {
		return taskAPI
	}
	return first
}

// portNumber is the number of a port such as "8000/tcp": the host port
// tried first, so the URL is the one the lessons show.
func portNumber(port string) int {
	n, _ := strconv.Atoi(strings.TrimSuffix(port, "/tcp"))
	return n
}

type running struct {
	docker Docker
	id     string
	// ctx lives until Stop; the event senders use it.
	ctx    context.Context
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
