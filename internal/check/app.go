package check

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"time"
)

// appUse says whether a kind judges the image under test in the shared
// container of an attempt (see appRun).
type appUse int

const (
	// appNone kinds make their own containers, or none.
	appNone appUse = iota
	// appPeer kinds read the shared container and leave it running.
	appPeer
	// appStopper kinds stop the shared container, once every peer is done.
	appStopper
	// appReadOnly kinds read the shared container like peers and ask for
	// it to run with a read-only root (see appRun.readOnly).
	appReadOnly
)

// appRun is the one container of the image under test that the uid, the
// health and the shutdown checks of an attempt share. Their run conditions
// are the same: the image's own user, entrypoint and command, the fast
// probe of HealthContainer with the engine's cap, and the same network
// mode; so one start serves them all. Starting the Task API takes a CPU
// core for about a second: three of them at once on a small machine made
// each check slower than the whole attempt is now.
//
// Verdicts stay those of a container per check: each check waits with its
// own deadline, counted from the shared start. A shorter deadline only
// shortens the probe plan's start period to that deadline (see probePlan),
// during which no probe can fail the wait anyway, so the plan made for the
// longest deadline judges the others' the same way.
type appRun struct {
	once sync.Once
	// network is the run condition this container was made for.
	network bool
	id      string
	w       *watched
	bad     *verdict // the container could not be created or started
	// stopWait ends the health wait when the attempt is over.
	stopWait context.CancelFunc
	// health is closed when the health wait has ended (at once for an
	// image without HEALTHCHECK); outcome is then set.
	health  chan struct{}
	outcome waitOutcome
	// peers counts the appPeer checks of the attempt still running;
	// peersDone is closed when it reaches zero.
	peers     atomic.Int32
	peersDone chan struct{}
	// stopper is taken by the first appStopper check: a second one would
	// wait for the first, which waits for it, so it runs on its own.
	stopper atomic.Bool

	// wantReadOnly is set when the attempt also judges the read-only root
	// and no check stops the container. readOnly is decided at start: the
	// image has a HEALTHCHECK, so "healthy" says the app works read-only.
	// The container then runs as the read-only check runs its own (the
	// root read-only, a tmpfs at /tmp), and the uid and health checks judge
	// it too once it is healthy: an app that is healthy read-only is
	// healthy with a writable root. Starting the app twice at once cost a
	// passing 3.1 attempt 0.9 of its 2.2 s on two cores. When the app is
	// not healthy read-only, they judge a plain writable container (see
	// judged): only an image that is not soon healthy read-only pays for
	// two.
	wantReadOnly bool
	readOnly     bool
	writableOnce sync.Once
	writable     *appRun
}

// readOnlyRoot is how the read-only check runs the image.
func readOnlyRoot(spec *ContainerSpec) {
	spec.ReadOnlyRootfs = true
	spec.Tmpfs = map[string]string{"/tmp": ""}
}

// planApps makes the shared containers of an attempt, one per network
// mode asked for, and counts the peers each must wait for before a
// stopper may stop it.
func (e *env) planApps(specs []Check) {
	e.apps = map[bool]*appRun{}
	for _, c := range specs {
		if c.kind == nil || c.kind.app == appNone {
			continue
		}
		net := wantsNetwork(c.p)
		a := e.apps[net]
		if a == nil {
			a = &appRun{network: net, health: make(chan struct{}), peersDone: make(chan struct{})}
			e.apps[net] = a
		}
		switch c.kind.app {
		case appPeer:
			a.peers.Add(1)
		case appReadOnly:
			a.peers.Add(1)
			a.wantReadOnly = true
		}
	}
	// A stopped container is judged for its stop: the read-only root
	// must not change that verdict, so with a stopper nothing is shared.
	for _, c := range specs {
		if c.kind != nil && c.kind.app == appStopper {
			e.apps[wantsNetwork(c.p)].wantReadOnly = false
		}
	}
	for _, a := range e.apps {
		if a.peers.Load() == 0 {
			close(a.peersDone)
		}
	}
}

// release tells the shared container that check c is done with it.
func (e *env) release(c Check) {
	if c.kind == nil || (c.kind.app != appPeer && c.kind.app != appReadOnly) {
		return
	}
	if a := e.apps[wantsNetwork(c.p)]; a != nil && a.peers.Add(-1) == 0 {
		close(a.peersDone)
	}
}

// app returns the shared container for the run conditions of p, created
// and started on first use. bad is set when it could not be started; the
// verdict is then the same for every check that shares it.
func (e *env) app(ctx context.Context, info ImageInfo, p params) (*appRun, *verdict) {
	a := e.apps[wantsNetwork(p)]
	if a == nil {
		// Evaluate called outside Run: a container of its own.
		a = &appRun{network: wantsNetwork(p), health: make(chan struct{}), peersDone: make(chan struct{})}
		close(a.peersDone)
		e.mu.Lock()
		e.extra = append(e.extra, a)
		e.mu.Unlock()
	}
	a.once.Do(func() { a.start(ctx, e, info) })
	return a, a.bad
}

// judged returns the shared container the uid and health checks judge:
// the one of app, or, when that one runs read-only and did not become
// healthy, a writable one made for them (once per attempt). The writable
// one is started readOnlyHeadStart after the read-only one when that is
// not healthy by then, so a wrong HEALTHCHECK, which fails both, costs
// that head start and not a second full wait.
func (e *env) judged(ctx context.Context, info ImageInfo, p params) (*appRun, *verdict) {
	a, bad := e.app(ctx, info, p)
	if bad != nil || !a.readOnly {
		return a, bad
	}
	head := time.NewTimer(time.Until(a.w.started.Add(readOnlyHeadStart)))
	defer head.Stop()
	select {
	case <-a.health:
	case <-head.C:
		e.startWritable(ctx, a, info)
		select {
		case <-a.health:
		case <-ctx.Done():
		}
	case <-ctx.Done():
	}
	if ctx.Err() != nil {
		v := errorVerdict("stopped waiting", ctx.Err())
		return a, &v
	}
	if a.outcome.healthy || a.outcome.v.status == StatusError {
		return a, nil
	}
	w := e.startWritable(ctx, a, info)
	return w, w.bad
}

// readOnlyHeadStart is how long the read-only shared container may take
// to become healthy before a writable one is started beside it.
const readOnlyHeadStart = 3 * time.Second

// startWritable starts, once, the writable container judged when the
// read-only shared container a is not healthy.
func (e *env) startWritable(ctx context.Context, a *appRun, info ImageInfo) *appRun {
	a.writableOnce.Do(func() {
		w := &appRun{network: a.network, health: make(chan struct{}), peersDone: make(chan struct{})}
		close(w.peersDone)
		w.once.Do(func() { w.start(ctx, e, info) })
		e.mu.Lock()
		e.extra = append(e.extra, w)
		e.mu.Unlock()
		a.writable = w
	})
	return a.writable
}

func (a *appRun) start(ctx context.Context, e *env, info ImageInfo) {
	spec, deadline, hasHealth := HealthContainer(info, "app", e.engine.fastProbe, e.engine.healthCap)
	spec.Network = a.network
	spec.StopTimeout = e.engine.stopTimeout
	if a.wantReadOnly && hasHealth {
		a.readOnly = true
		readOnlyRoot(&spec)
		spec.Purpose = "app-readonly"
	}
	id, err := e.docker.CreateContainer(ctx, spec)
	if err != nil {
		v := errorVerdict(fmt.Sprintf("cannot create a container from %q", spec.Image), err)
		a.bad = &v
		close(a.health)
		return
	}
	a.id = id
	w, bad := startWatched(ctx, e.docker, id)
	if bad != nil {
		a.bad = bad
		close(a.health)
		return
	}
	a.w = w
	if !hasHealth {
		w.cancel()
		close(a.health)
		return
	}
	// The wait outlives the check that started it: its own ctx ends
	// with the attempt (closeApps), not with that check.
	wctx, cancel := context.WithCancel(ctx)
	a.stopWait = cancel
	go func() {
		defer w.cancel()
		a.outcome = awaitHealthy(wctx, e.docker, w, deadline)
		close(a.health)
	}()
}

// waitHealthy waits for the shared health wait, giving up deadline after
// the container's start as a container of the check's own would.
func (a *appRun) waitHealthy(ctx context.Context, d Docker, deadline time.Duration) waitOutcome {
	timer := time.NewTimer(time.Until(a.w.started.Add(deadline)))
	defer timer.Stop()
	select {
	case <-a.health:
		if o := a.outcome; o.elapsed <= deadline || o.v.status == StatusError {
			return o
		}
		return notHealthyBy(d, a.id, deadline)
	case <-timer.C:
		return notHealthyBy(d, a.id, deadline)
	case <-ctx.Done():
		return waitOutcome{v: errorVerdict("stopped waiting", ctx.Err())}
	}
}

// closeApps removes the shared containers with a fresh context, so they go
// also when ctx was cancelled.
func (e *env) closeApps(ctx context.Context) {
	all := e.extra
	for _, a := range e.apps {
		all = append(all, a)
	}
	for _, a := range all {
		if a.stopWait != nil {
			a.stopWait()
			<-a.health
		}
		if a.id == "" {
			continue
		}
		rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 20*time.Second)
		_ = e.docker.RemoveContainer(rctx, a.id)
		cancel()
	}
}
