package check

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"time"
)

// networkParam is the parameter with which a pack gives the container of
// a check the engine's default network ("default"). Without it ("none")
// the container has none: a probe of the container's own loopback still
// works, a missing default bridge cannot fail the verdict, and an
// untrusted image has no way out. An app that must reach a service before
// it turns healthy needs "default".
const networkParam = "network"

var networkParamDef = paramDef{typ: paramString, oneOf: []string{"none", "default"}}

// wantsNetwork reports whether a check's container gets the engine's
// default network.
func wantsNetwork(p params) bool { return p.str(networkParam, "none") == "default" }

// withNetwork adds the network parameter to a kind's parameters.
func withNetwork(defs map[string]paramDef) map[string]paramDef {
	out := map[string]paramDef{networkParam: networkParamDef}
	for k, v := range defs {
		out[k] = v
	}
	return out
}

func init() {
	kinds["container.healthy"] = &kind{
		docker: true,
		app:    appPeer,
		params: withNetwork(map[string]paramDef{"max_startup_seconds": {typ: paramNumber},
			"max_report_seconds": {typ: paramNumber}, "target_report_seconds": {typ: paramNumber}}),
		title: func(p params) string {
			if m, ok := p.num("max_startup_seconds"); ok {
				return fmt.Sprintf("Becomes healthy within %gs", m)
			}
			return "Container becomes healthy"
		},
		eval: evalHealthy,
	}
	kinds["container.readonly_rootfs"] = &kind{docker: true, app: appReadOnly, params: withNetwork(nil),
		title: fixedTitle("Runs with a read-only root filesystem"), eval: evalReadonly}
	kinds["container.graceful_shutdown"] = &kind{docker: true, app: appStopper, params: withNetwork(nil),
		title: fixedTitle("Shuts down cleanly on SIGTERM"), eval: evalGraceful}
}

// maxProbeGrace bounds the grace added to an image's start period while a
// check probes fast. An app that needs longer to start should declare a
// start period; without one, Docker itself would fail it on a real
// deployment's first few probes.
const maxProbeGrace = 10 * time.Second

// probePlan derives the health configuration used while a check waits for
// a container, and how long to wait.
//
// The image's probe command, timeout and retries are kept; only the pace
// changes. Docker runs the first probe one interval after start, so an
// image declaring --interval=30s would take 30s to be judged. Probing every
// fast (250ms by default) finds the healthy moment within a quarter of a
// second; a faster pace would spend more of the CPU the app needs to
// start on probes.
// Probing faster must not make the verdict much harsher than Docker's own:
// the image's start period is kept, and a grace of retries*interval (at
// most maxProbeGrace) is added to it, during which failed probes do not
// count. After it, the image's retries at the fast pace decide, so a probe
// that never succeeds is judged unhealthy seconds after the grace, not
// after a minute. On API >= 1.44 the adapter also passes StartInterval; on
// older engines it drops it, which changes nothing since the interval
// itself is already fast.
func probePlan(img *Healthcheck, fast, limit time.Duration) (Healthcheck, time.Duration) {
	interval := dur(img.Interval, DefaultHealthInterval)
	timeout := dur(img.Timeout, DefaultHealthTimeout)
	r := retries(img)
	step := min(fast, interval)
	grace := min(time.Duration(r)*interval, maxProbeGrace)
	start := min(img.StartPeriod+grace, limit)
	plan := Healthcheck{Test: img.Test, Interval: step, Timeout: timeout, Retries: r, StartPeriod: start, StartInterval: step}
	deadline := start + time.Duration(r)*(step+timeout) + 2*time.Second
	return plan, min(deadline, limit)
}

// waitOutcome is what awaitHealthy observed.
type waitOutcome struct {
	healthy bool
	elapsed time.Duration
	v       verdict // set when not healthy
}

// watched is a container whose events are followed from before its start.
type watched struct {
	id      string
	started time.Time
	events  <-chan ContainerEvent
	errs    <-chan error
	cancel  context.CancelFunc
}

// startWatched subscribes to the events of container id and then starts
// it, so a fast healthy event is never missed. The subscription lasts
// until ctx ends or the caller calls cancel.
func startWatched(ctx context.Context, d Docker, id string) (*watched, *verdict) {
	wctx, cancel := context.WithCancel(ctx)
	events, errs, err := d.WatchContainer(wctx, id)
	if err != nil {
		cancel()
		v := errorVerdict("cannot watch the container's events", err)
		return nil, &v
	}
	w := &watched{id: id, started: time.Now(), events: events, errs: errs, cancel: cancel}
	if err := d.StartContainer(ctx, id); err != nil {
		cancel()
		v := startFailure(ctx, err)
		return nil, &v
	}
	return w, nil
}

// waitHealthy starts container id and waits at most deadline for Docker
// to report it healthy.
func waitHealthy(ctx context.Context, d Docker, id string, deadline time.Duration) waitOutcome {
	w, bad := startWatched(ctx, d, id)
	if bad != nil {
		return waitOutcome{v: *bad}
	}
	defer w.cancel()
	return awaitHealthy(ctx, d, w, deadline)
}

// awaitHealthy follows a started container until Docker reports it
// healthy or unhealthy, it exits, or deadline after its start has passed.
// A slow poll of the probe log runs beside the events to give up early on
// probes that cannot ever run (missing curl...).
func awaitHealthy(ctx context.Context, d Docker, w *watched, deadline time.Duration) waitOutcome {
	id, start, events, errs := w.id, w.started, w.events, w.errs
	timer := time.NewTimer(time.Until(start.Add(deadline)))
	defer timer.Stop()
	tick := time.NewTicker(time.Second)
	defer tick.Stop()
	for {
		select {
		case ev, ok := <-events:
			if !ok {
				events = nil
				continue
			}
			switch {
			case ev.Health == "healthy":
				return waitOutcome{healthy: true, elapsed: time.Since(start)}
			case ev.Health == "unhealthy":
				return waitOutcome{elapsed: time.Since(start), v: fail(append([]string{
					fmt.Sprintf("Docker reported the container unhealthy %s after start", round(time.Since(start)))},
					failureEvidence(d, id)...)...)}
			case ev.Action == "die":
				return waitOutcome{elapsed: time.Since(start), v: fail(append([]string{
					fmt.Sprintf("the container exited with code %d %s after start, before it was healthy", ev.ExitCode, round(time.Since(start)))},
					failureEvidence(d, id)...)...)}
			}
		case err, ok := <-errs:
			if !ok {
				errs = nil
				continue
			}
			if ctx.Err() != nil {
				return waitOutcome{v: errorVerdict("stopped waiting", ctx.Err())}
			}
			// The daemon went away (stopped, restarted, its socket
			// closed) or broke the stream: either way nothing can be
			// judged from here on.
			return waitOutcome{v: errorVerdict("lost the connection to the Docker daemon while waiting for the container (did it stop or restart?)", err)}
		case <-tick.C:
			st, err := d.InspectContainer(ctx, id)
			if err != nil {
				continue
			}
			if st.Health == "healthy" {
				return waitOutcome{healthy: true, elapsed: time.Since(start)}
			}
			if !st.Running {
				return waitOutcome{elapsed: time.Since(start), v: fail(append([]string{
					fmt.Sprintf("the container exited with code %d before it was healthy", st.ExitCode)},
					failureEvidence(d, id)...)...)}
			}
			if cannotRun(st.HealthLog) {
				return waitOutcome{elapsed: time.Since(start), v: fail(append([]string{
					"the probe command cannot run in this image (command not found or not executable), so it will never succeed"},
					failureEvidence(d, id)...)...)}
			}
		case <-timer.C:
			return notHealthyBy(d, id, deadline)
		case <-ctx.Done():
			return waitOutcome{v: errorVerdict("stopped waiting", ctx.Err())}
		}
	}
}

// notHealthyBy is the outcome of a wait that reached its deadline.
func notHealthyBy(d Docker, id string, deadline time.Duration) waitOutcome {
	return waitOutcome{elapsed: deadline, v: fail(append([]string{
		fmt.Sprintf("not healthy %s after start (Docker still says %q)", round(deadline), healthOf(d, id))},
		failureEvidence(d, id)...)...)}
}

// startFailure sorts a failed start: engine trouble cannot be judged, but a
// start refused because of the image (unknown user, missing entrypoint) is
// the image's fault.
func startFailure(ctx context.Context, err error) verdict {
	var ep engineProblem
	if (errors.As(err, &ep) && ep.EngineProblem()) || ctx.Err() != nil {
		return errorVerdict("cannot start the container", err)
	}
	return fail("the container does not start: " + oneLine(err.Error(), maxErrorRunes))
}

// engineProblem is implemented by the adapter's errors: true when the
// engine itself could not be used, as opposed to the image being at fault.
type engineProblem interface{ EngineProblem() bool }

// missingCommand matches a shell's complaint about an unknown command
// ("/bin/sh: curl: not found", "sh: 1: curl: not found", "bash: line 1:
// curl: command not found"); probes often hide its exit code 127 behind
// "|| exit 1".
var missingCommand = regexp.MustCompile(`(?m)^\S.*: (command )?not found\s*$`)

// cannotRun reports three probes in a row that could not even run their
// command: exit 126/127, an exec failure (-1), or a shell saying the
// command does not exist.
func cannotRun(log []Probe) bool {
	if len(log) < 3 {
		return false
	}
	for _, p := range log[len(log)-3:] {
		// Docker gives -1 to a probe it could not exec and to one it
		// killed at --timeout; only the first can never succeed (on a
		// loaded machine a correct probe can take longer than its
		// timeout for a while).
		timedOut := p.ExitCode == -1 && strings.Contains(p.Output, "exceeded timeout")
		missing := p.ExitCode == 126 || p.ExitCode == 127 || (p.ExitCode == -1 && !timedOut) ||
			(p.ExitCode != 0 && missingCommand.MatchString(p.Output) && !strings.Contains(p.Output, "HTTP"))
		if !missing {
			return false
		}
	}
	return true
}

func healthOf(d Docker, id string) string {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	st, err := d.InspectContainer(ctx, id)
	if err != nil {
		return "unknown"
	}
	return st.Health
}

// failureEvidence gathers the last probe results and log lines, with a
// fresh context so it works after a timeout too.
func failureEvidence(d Docker, id string) []string {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	var ev []string
	if st, err := d.InspectContainer(ctx, id); err == nil {
		log := st.HealthLog
		if len(log) > 3 {
			log = log[len(log)-3:]
		}
		for _, p := range log {
			out := oneLine(p.Output, 200)
			if out == "" {
				out = "(no output)"
			}
			ev = append(ev, fmt.Sprintf("probe exit %d after %s: %s", p.ExitCode, round(p.End.Sub(p.Start)), out))
		}
		if st.OOMKilled {
			ev = append(ev, "the container was killed for running out of memory")
		}
	}
	if logs, err := d.Logs(ctx, id, 5); err == nil {
		for _, l := range strings.Split(strings.TrimRight(logs, "\n"), "\n") {
			if l = oneLine(l, 200); l != "" {
				ev = append(ev, "log: "+l)
			}
		}
	}
	return ev
}

func round(d time.Duration) time.Duration {
	if d < time.Second {
		return d.Round(time.Millisecond)
	}
	return d.Round(100 * time.Millisecond)
}

// HealthContainer is how the checks run an image to see it healthy: the
// container spec with the image's own probe command, timeout and retries
// at the fast pace (see probePlan), and how long to wait at most (never
// more than limit). ok is false when the image declares no probe; spec
// then runs the image as it is. The exercise workflow runs and measures
// images with it, so it sees what the checks judge.
func HealthContainer(info ImageInfo, purpose string, fast, limit time.Duration) (spec ContainerSpec, deadline time.Duration, ok bool) {
	spec = ContainerSpec{Image: info.ID, Purpose: purpose}
	if !hasHealthcheck(info.Healthcheck) {
		return spec, 0, false
	}
	plan, deadline := probePlan(info.Healthcheck, fast, limit)
	spec.Healthcheck = &plan
	return spec, deadline, true
}

// HealthError is why a container did not become healthy: the verdict's
// evidence, first line first (probe output and log lines follow).
type HealthError struct {
	Evidence []string
	err      error
}

func (e *HealthError) Error() string {
	if len(e.Evidence) == 0 {
		return "the container did not become healthy"
	}
	return clean(e.Evidence[0])
}

// Unwrap gives the engine's error when the wait itself failed.
func (e *HealthError) Unwrap() error { return e.err }

// WaitHealthy starts the created container id and waits at most deadline
// for Docker to report it healthy, as container.healthy does. It returns
// the time from start to healthy, or a *HealthError.
func WaitHealthy(ctx context.Context, d Docker, id string, deadline time.Duration) (time.Duration, error) {
	w := waitHealthy(ctx, d, id, deadline)
	if w.healthy {
		return w.elapsed, nil
	}
	ev := make([]string, len(w.v.evidence))
	for i, e := range w.v.evidence {
		ev[i] = clean(e)
	}
	return 0, &HealthError{Evidence: ev, err: w.v.cause}
}

func evalHealthy(ctx context.Context, en *env, p params) verdict {
	info, bad := en.targetImage(ctx)
	if bad != nil {
		return *bad
	}
	if !hasHealthcheck(info.Healthcheck) {
		if info.Healthcheck != nil && len(info.Healthcheck.Test) > 0 {
			return fail("HEALTHCHECK NONE: Docker can never report the container healthy")
		}
		return fail("the image declares no HEALTHCHECK, so Docker can never report it healthy")
	}
	limit := en.engine.healthCap
	maxStart, hasMax := p.num("max_startup_seconds")
	if hasMax {
		limit = time.Duration(maxStart*float64(time.Second)) + time.Second
	}
	spec, deadline, _ := HealthContainer(info, "health", en.engine.fastProbe, limit)
	a, bad := en.judged(ctx, info, p)
	w := waitOutcome{}
	if bad != nil {
		w.v = copyVerdict(*bad)
	} else {
		w = a.waitHealthy(ctx, en.docker, deadline)
	}
	if !w.healthy {
		w.v.evidence = append(w.v.evidence, describeHealthcheck(info.Healthcheck))
		return w.v
	}
	msg := fmt.Sprintf("healthy %s after start (probing every %s for the check; the image's interval is %s)",
		round(w.elapsed), spec.Healthcheck.Interval, dur(info.Healthcheck.Interval, DefaultHealthInterval))
	if v, judged := en.judgeSchedule(ctx, info.Healthcheck, w.elapsed, p, msg); judged {
		return v
	}
	if hasMax {
		limitS := time.Duration(maxStart * float64(time.Second))
		if w.elapsed > limitS {
			return fail(fmt.Sprintf("startup took %s > %s", round(w.elapsed), limitS), msg)
		}
		return pass(fmt.Sprintf("startup took %s ≤ %s", round(w.elapsed), limitS), msg)
	}
	return pass(msg)
}

// copyVerdict copies a verdict that several checks share, so one check
// adding evidence does not change another's.
func copyVerdict(v verdict) verdict {
	v.evidence = append([]string(nil), v.evidence...)
	return v
}

// judgeSchedule holds the image's own probe schedule against the pack's
// bounds: max_report_seconds (fail above it) and target_report_seconds
// (warn above it). ready is when the app first answered the check's fast
// probe; the learner's engine, on the image's schedule, reports healthy at
// its first probe after that. judged is false when the check has no such
// bounds.
func (en *env) judgeSchedule(ctx context.Context, h *Healthcheck, ready time.Duration, p params, measured string) (verdict, bool) {
	maxS, hasMax := p.num("max_report_seconds")
	targetS, hasTarget := p.num("target_report_seconds")
	if !hasMax && !hasTarget {
		return verdict{}, false
	}
	engine, err := en.docker.EngineVersion(ctx)
	if err != nil {
		return errorVerdict("cannot read the engine's version", err, measured), true
	}
	at, rule := healthSchedule(h, engine, ready)
	sched := fmt.Sprintf("with its own HEALTHCHECK (%s) Docker first reports it healthy about %s after start: %s",
		describeSchedule(h), round(at), rule)
	secs := func(f float64) time.Duration { return time.Duration(f * float64(time.Second)) }
	switch {
	case hasMax && at > secs(maxS):
		return fail(fmt.Sprintf("%s, more than the %s allowed", sched, secs(maxS)), measured), true
	case hasTarget && at > secs(targetS):
		return verdict{status: StatusWarn, evidence: []string{fmt.Sprintf("%s, more than the %s target", sched, secs(targetS)), measured},
			advice: "Shorten --interval, or add a --start-period with a short --start-interval (Engine 25 and newer), so Docker reports the container healthy soon after it is ready."}, true
	}
	return pass(sched, measured), true
}

// describeSchedule lists the timing options of a HEALTHCHECK.
func describeSchedule(h *Healthcheck) string {
	parts := []string{"--interval=" + dur(h.Interval, DefaultHealthInterval).String()}
	if h.StartPeriod > 0 {
		parts = append(parts, "--start-period="+h.StartPeriod.String())
	}
	if h.StartInterval > 0 {
		parts = append(parts, "--start-interval="+h.StartInterval.String())
	}
	return strings.Join(parts, " ")
}

// stableFor is how long a container without HEALTHCHECK must keep running
// for the read-only and shutdown checks to consider it started.
const stableFor = 3 * time.Second

// runUntilReady starts the container and waits until it is healthy or,
// without HEALTHCHECK, until it has kept running for stableFor.
func (en *env) runUntilReady(ctx context.Context, id string, info ImageInfo, deadline time.Duration) (string, *verdict) {
	if hasHealthcheck(info.Healthcheck) {
		return healthyMessage(waitHealthy(ctx, en.docker, id, deadline))
	}
	if err := en.docker.StartContainer(ctx, id); err != nil {
		v := startFailure(ctx, err)
		return "", &v
	}
	return en.keepsRunning(ctx, id, time.Now())
}

// appReady is runUntilReady for the attempt's shared container, which is
// started already.
func (en *env) appReady(ctx context.Context, a *appRun, info ImageInfo, deadline time.Duration) (string, *verdict) {
	if hasHealthcheck(info.Healthcheck) {
		return healthyMessage(a.waitHealthy(ctx, en.docker, deadline))
	}
	return en.keepsRunning(ctx, a.id, a.w.started)
}

func healthyMessage(w waitOutcome) (string, *verdict) {
	if !w.healthy {
		v := copyVerdict(w.v)
		return "", &v
	}
	return fmt.Sprintf("healthy %s after start", round(w.elapsed)), nil
}

// keepsRunning waits until stableFor after started and reports whether the
// container still runs.
func (en *env) keepsRunning(ctx context.Context, id string, started time.Time) (string, *verdict) {
	select {
	case <-ctx.Done():
		v := errorVerdict("stopped waiting", ctx.Err())
		return "", &v
	case <-time.After(time.Until(started.Add(stableFor))):
	}
	st, err := en.docker.InspectContainer(ctx, id)
	if err != nil {
		v := errorVerdict("cannot inspect the container", err)
		return "", &v
	}
	if !st.Running {
		v := fail(append([]string{fmt.Sprintf("the container exited with code %d within %s", st.ExitCode, stableFor)}, failureEvidence(en.docker, id)...)...)
		return "", &v
	}
	return fmt.Sprintf("still running %s after start (the image has no HEALTHCHECK to wait for)", stableFor), nil
}

func evalReadonly(ctx context.Context, en *env, p params) verdict {
	info, bad := en.targetImage(ctx)
	if bad != nil {
		return *bad
	}
	spec, deadline, hasHealth := HealthContainer(info, "readonly", en.engine.fastProbe, en.engine.healthCap)
	if !hasHealth {
		deadline = stableFor + 10*time.Second
	}
	judge := func(msg string, bad *verdict) verdict {
		if bad != nil {
			bad.evidence = append([]string{"with --read-only and a tmpfs at /tmp:"}, bad.evidence...)
			return *bad
		}
		return pass("with --read-only and a tmpfs at /tmp: " + msg)
	}
	// Without a HEALTHCHECK the shared container runs writable (see
	// appRun.start): asking for it here would only start one nobody reads.
	if a := en.apps[wantsNetwork(p)]; a != nil && a.wantReadOnly && hasHealth {
		a, bad := en.app(ctx, info, p)
		if a.readOnly {
			if bad != nil {
				v := copyVerdict(*bad)
				return judge("", &v)
			}
			return judge(en.appReady(ctx, a, info, deadline))
		}
	}
	spec.Network = wantsNetwork(p)
	readOnlyRoot(&spec)
	return en.withContainer(ctx, spec, func(id string) verdict {
		return judge(en.runUntilReady(ctx, id, info, deadline))
	})
}

func evalGraceful(ctx context.Context, en *env, p params) verdict {
	info, bad := en.targetImage(ctx)
	if bad != nil {
		return *bad
	}
	deadline := stableFor + 10*time.Second
	if hasHealthcheck(info.Healthcheck) {
		_, deadline, _ = HealthContainer(info, "", en.engine.fastProbe, en.engine.healthCap)
	}
	if a := en.apps[wantsNetwork(p)]; a != nil && a.stopper.CompareAndSwap(false, true) {
		a, bad := en.app(ctx, info, p)
		if bad != nil {
			v := copyVerdict(*bad)
			v.evidence = append([]string{"the container must run before it can be stopped:"}, v.evidence...)
			return v
		}
		msg, notReady := en.appReady(ctx, a, info, deadline)
		// The checks reading the container go first: this one ends it.
		select {
		case <-a.peersDone:
		case <-ctx.Done():
			return errorVerdict("stopped waiting", ctx.Err())
		}
		return en.judgeStop(ctx, a.id, info, msg, notReady)
	}
	spec, _, _ := HealthContainer(info, "shutdown", en.engine.fastProbe, en.engine.healthCap)
	spec.Network = wantsNetwork(p)
	spec.StopTimeout = en.engine.stopTimeout
	return en.withContainer(ctx, spec, func(id string) verdict {
		msg, notReady := en.runUntilReady(ctx, id, info, deadline)
		return en.judgeStop(ctx, id, info, msg, notReady)
	})
}

// judgeStop stops a container that was started, ready (msg) or not
// (notReady), and judges how it ended.
func (en *env) judgeStop(ctx context.Context, id string, info ImageInfo, msg string, notReady *verdict) verdict {
	timeout := en.engine.stopTimeout
	signal := info.StopSignal
	if signal == "" {
		signal = "SIGTERM"
	}
	var ev []string
	if notReady != nil {
		st, err := en.docker.InspectContainer(ctx, id)
		if err != nil || !st.Running {
			notReady.evidence = append([]string{"the container must run before it can be stopped:"}, notReady.evidence...)
			return *notReady
		}
		ev = append(ev, "note: the container was not healthy yet when it was stopped")
	} else {
		ev = append(ev, msg)
	}
	start := time.Now()
	if err := en.docker.StopContainer(ctx, id, timeout); err != nil {
		return errorVerdict("cannot stop the container", err, ev...)
	}
	took := time.Since(start)
	st, err := en.docker.InspectContainer(ctx, id)
	if err != nil {
		return errorVerdict("cannot inspect the stopped container", err, ev...)
	}
	if st.ExitCode == 137 {
		return fail(append([]string{fmt.Sprintf("still running %s after %s, so Docker killed it (exit code 137)", round(took), signal)}, ev...)...)
	}
	return pass(append([]string{fmt.Sprintf("exited by itself with code %d %s after %s (limit %s)", st.ExitCode, round(took), signal, timeout)}, ev...)...)
}
