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
	// Idle is one resource sample over a second that began after the
	// container was healthy (or had run for a moment without a probe).
	// IdleErr says why there is none. ProbedWhileIdle is set when the
	// engine kept probing fast during the sample (no start interval before
	// Engine 25), so the probes' CPU is in it.
	Idle            Stats
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
	// Followed only from now on: sampling a starting container slowed
	// its start (5 s instead of 1.3 s to healthy on Engine 20.10), and
	// the startup time is one of the numbers measured here.
	progress("sampling the idle resource use of " + f.Ref)
	sctx, stopStats := context.WithCancel(ctx)
	f.Idle, f.IdleErr = idleSample(ctx, l.followStats(sctx, id), time.Now())
	stopStats()
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

// timedSample is a resource sample and when it arrived here.
type timedSample struct {
	Stats
	arrived time.Time
}

// followStats follows the container's resource use into a buffer, each
// sample stamped on arrival by this machine's clock, so none is held back
// by a reader that is not reading yet. The channel is nil when the daemon
// refused the stream, and closes with it.
func (l *Lab) followStats(ctx context.Context, id string) <-chan timedSample {
	in, err := l.docker.StatsStream(ctx, id)
	if err != nil {
		return nil
	}
	out := make(chan timedSample, 64)
	go func() {
		defer close(out)
		for s := range in {
			t := timedSample{Stats: s, arrived: time.Now()}
			for {
				select {
				case out <- t:
				default: // a minute of samples nobody read: drop the oldest
					select {
					case <-out:
					default:
					}
					continue
				}
				break
			}
		}
	}()
	return out
}

// idleWindow bounds the wait for the idle sample: the daemon samples once
// a second, so two samples after ready come within about two.
const idleWindow = 5 * time.Second

// idleSample returns the second sample that arrived after ready: the first
// one after ready starts the second over which the next one's CPU share is
// computed, so that share is the idle app's alone, not its start.
func idleSample(ctx context.Context, samples <-chan timedSample, ready time.Time) (Stats, string) {
	if samples == nil {
		return Stats{}, "the daemon gave no resource samples"
	}
	timeout := time.NewTimer(idleWindow)
	defer timeout.Stop()
	after := 0
	for {
		select {
		case s, ok := <-samples:
			if !ok {
				return Stats{}, "the daemon ended the resource samples early"
			}
			if s.arrived.Before(ready) || s.Read.IsZero() {
				continue
			}
			if after++; after == 2 {
				return s.Stats, ""
			}
		case <-timeout.C:
			return Stats{}, fmt.Sprintf("no idle resource sample within %s", idleWindow)
		case <-ctx.Done():
			return Stats{}, ctx.Err().Error()
		}
	}
}
