package lab

import (
	"context"
	"fmt"
	"sort"
	"sync"
	"time"

	"shipshape/internal/check"
)

// Measurement compares the dev and prod images for exercise 3.4.
type Measurement struct {
	Dev, Prod ImageFacts
	// Cancelled is set when ctx ended before both images were measured;
	// the facts then hold what was learnt until then.
	Cancelled bool
}

// ImageFacts are the numbers of one image, those exercise 3.4 asks the
// learner to write down.
type ImageFacts struct {
	Ref     string
	ID      string
	Size    int64
	Missing bool // the image does not exist
	// LayerCount is the number of filesystem layers, as
	// `docker image inspect --format '{{len .RootFS.Layers}}'` counts them.
	LayerCount int
	// Layers are the history's steps, largest first.
	Layers []check.Layer
	// StartupToHealthy is the time from start until the health probe first
	// passed (the app answered /health), probing fast; zero when no probe
	// could be run.
	StartupToHealthy time.Duration
	// ProbeFrom names the image whose HEALTHCHECK probed this one when it
	// declares none itself (the dev image borrows prod's, which probes the
	// same app); "" when the image's own probe ran.
	ProbeFrom string
	// ReportedHealthy is when Docker itself, running the image's own
	// HEALTHCHECK on its own schedule, first reports the container healthy
	// on this engine, and ReportedRule why; zero without a HEALTHCHECK.
	ReportedHealthy time.Duration
	ReportedRule    string
	// Idle is the resource use once the container was healthy (or had
	// run for a moment without a probe): memory as of the end of
	// IdleWindow, CPU as the share over it. IdleErr says why there is
	// none. ProbedWhileIdle is set when the engine kept probing fast
	// during the window (no start interval before Engine 25), so the
	// probes' CPU is in it.
	Idle            Stats
	IdleWindow      time.Duration
	IdleErr         string
	ProbedWhileIdle bool
	// Stopped is set once the container was stopped as `docker stop` does
	// it: StopTime is how long that took, ExitCode how it ended (137:
	// killed after the grace period).
	Stopped  bool
	StopTime time.Duration
	ExitCode int
	// Err is why the image could not be measured to the end.
	Err      string
	Measured bool
}

// Measure compares the dev and prod images for exercise 3.4: sizes and
// layers from the image store, then both images are started at the same
// time to time them to /health, sample their idle resource use and time
// their stop. onProgress (may be nil, called from Measure's goroutines one
// at a time) hears what is being done. Problems with one image are in its
// ImageFacts.Err; Measure itself never fails.
func (l *Lab) Measure(ctx context.Context, devRef, prodRef string, onProgress func(string)) Measurement {
	var mu sync.Mutex
	progress := func(s string) {
		if onProgress != nil {
			mu.Lock()
			defer mu.Unlock()
			onProgress(s)
		}
	}
	m := Measurement{Dev: ImageFacts{Ref: devRef}, Prod: ImageFacts{Ref: prodRef}}
	devInfo, devOK := l.inspectFacts(ctx, &m.Dev, progress)
	prodInfo, prodOK := l.inspectFacts(ctx, &m.Prod, progress)
	engine, _ := l.docker.EngineVersion(ctx)
	var wg sync.WaitGroup
	if devOK {
		wg.Add(1)
		go func() {
			defer wg.Done()
			l.runFacts(ctx, &m.Dev, devInfo, prodInfo, engine, progress)
		}()
	}
	if prodOK {
		l.runFacts(ctx, &m.Prod, prodInfo, devInfo, engine, progress)
	}
	wg.Wait()
	m.Cancelled = ctx.Err() != nil
	return m
}

// inspectFacts reads what the image store knows of f.Ref.
func (l *Lab) inspectFacts(ctx context.Context, f *ImageFacts, progress func(string)) (check.ImageInfo, bool) {
	progress("inspecting " + f.Ref)
	ok, err := l.docker.ImageExists(ctx, f.Ref)
	if err != nil {
		f.Err = err.Error()
		return check.ImageInfo{}, false
	}
	if !ok {
		f.Missing = true
		f.Err = fmt.Sprintf("image %q not found: build it first", f.Ref)
		return check.ImageInfo{}, false
	}
	info, err := l.docker.InspectImage(ctx, f.Ref)
	if err != nil {
		f.Err = err.Error()
		return check.ImageInfo{}, false
	}
	f.ID, f.Size, f.LayerCount = info.ID, info.Size, len(info.DiffIDs)
	layers, err := l.docker.ImageHistory(ctx, f.Ref)
	if err != nil {
		f.Err = err.Error()
		return check.ImageInfo{}, false
	}
	sort.SliceStable(layers, func(i, j int) bool { return layers[i].Size > layers[j].Size })
	f.Layers = layers
	return info, true
}

// runFacts starts the image once: time to /health, an idle sample and the
// stop. An image without HEALTHCHECK is probed with peer's, when peer has
// one: both are the same app, and the lesson times both to /health.
//
// Each image is sampled as soon as it is ready, not both together: Engine
// 20.10 reads resource use only at the rounds of one sampler a second for
// all containers (Engine 26 reads at once), and a read joins a round only
// if it was asked before the round began. Sampled together, the second
// image's reads fall one round behind the first's, a second more.
func (l *Lab) runFacts(ctx context.Context, f *ImageFacts, info, peer check.ImageInfo, engine string, progress func(string)) {
	spec, deadline, probed := l.healthSpec(info, "measure")
	if !probed && peer.ID != "" {
		borrowed := info
		borrowed.Healthcheck = peer.Healthcheck
		if spec, deadline, probed = l.healthSpec(borrowed, "measure"); probed {
			f.ProbeFrom = peer.Ref
		}
	}
	if probed {
		own := info.Healthcheck
		if f.ProbeFrom != "" {
			own = peer.Healthcheck
		}
		f.ProbedWhileIdle = !quietAfterHealthy(&spec, own, deadline, engine)
	}
	spec.StopTimeout = l.stopGrace
	progress("starting " + f.Ref)
	id, err := l.docker.CreateContainer(ctx, spec)
	if err != nil {
		f.Err = err.Error()
		return
	}
	defer func() {
		cctx, cancel := cleanupCtx(ctx)
		defer cancel()
		_ = l.docker.RemoveContainer(cctx, id)
	}()
	if probed {
		progress("waiting for " + f.Ref + " to answer its health probe")
		d, err := check.WaitHealthy(ctx, l.docker, id, deadline)
		if err != nil {
			f.Err = err.Error()
			return
		}
		f.StartupToHealthy = d
		if f.ProbeFrom == "" {
			f.ReportedHealthy, f.ReportedRule = check.ReportedHealthy(info.Healthcheck, engine, d)
		}
	} else {
		if err := l.docker.StartContainer(ctx, id); err != nil {
			f.Err = err.Error()
			return
		}
		progress(f.Ref + " has no HEALTHCHECK to probe it with: letting it run for a moment")
		select {
		case <-time.After(l.idleWait):
		case <-ctx.Done():
			f.Err = ctx.Err().Error()
			return
		}
	}
	st, err := l.docker.InspectContainer(ctx, id)
	if err != nil {
		f.Err = err.Error()
		return
	}
	if !st.Running {
		f.Err = fmt.Sprintf("the container exited with code %d", st.ExitCode)
		return
	}
	// Sampled only from now on: sampling a starting container slowed its
	// start (5 s instead of 1.3 s to healthy on Engine 20.10), and the
	// startup time is one of the numbers measured here.
	progress("sampling the idle resource use of " + f.Ref)
	f.Idle, f.IdleWindow, f.IdleErr = l.idleSample(ctx, id)
	if ctx.Err() != nil {
		f.Err = ctx.Err().Error()
		return
	}

	progress("stopping " + f.Ref)
	start := time.Now()
	if err := l.docker.StopContainer(ctx, id, l.stopGrace); err != nil {
		f.Err = err.Error()
		return
	}
	f.StopTime = time.Since(start)
	if st, err = l.docker.InspectContainer(ctx, id); err != nil {
		f.Err = err.Error()
		return
	}
	f.Stopped, f.ExitCode = true, st.ExitCode
	f.Measured = true
}

// IdleCPUWindow is the least time the idle CPU share is measured over.
// The quick look wants the order of magnitude (an idle app is near 0 %,
// a busy one is not); the lesson has the learner read `docker stats`
// after ten idle seconds for the numbers to write down. Engine 20.10
// answers the second read only on its sampler's next tick, so there the
// window is about a second.
const IdleCPUWindow = 500 * time.Millisecond

// idleSample reads the container's resource use twice, at least
// IdleCPUWindow apart: memory as of the second read, CPU as the share
// between the two, and the time between the daemon's two reads. The
// problem, if any, is returned as text for the report.
func (l *Lab) idleSample(ctx context.Context, id string) (Stats, time.Duration, string) {
	before, err := l.docker.StatsNow(ctx, id)
	if err != nil {
		return Stats{}, 0, err.Error()
	}
	select {
	case <-time.After(IdleCPUWindow):
	case <-ctx.Done():
		return Stats{}, 0, ctx.Err().Error()
	}
	after, err := l.docker.StatsNow(ctx, id)
	if err != nil {
		return Stats{}, 0, err.Error()
	}
	if before.Read.IsZero() || after.Read.IsZero() {
		return Stats{}, 0, "the container stopped while its resource use was read"
	}
	after.CPUPercent = CPUShare(before, after)
	return after, after.Read.Sub(before.Read), ""
}
