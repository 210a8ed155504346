package main

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"shipshape/internal/check"
	"shipshape/internal/course"
	"shipshape/internal/docker"
	"shipshape/internal/termsafe"
	"shipshape/internal/tui"
)

// dockerSession is the TUI's one connection to the Docker daemon, made on
// first use, so that reading lessons never waits for Docker.
type dockerSession struct {
	opts docker.Options

	// mu guards client and newErr only. It is never held while talking to
	// the daemon: probe takes it for the status bar, which must not wait
	// for a ping or a cleanup.
	mu     sync.Mutex
	client *docker.Client
	newErr error
	// clean removes, once, what shipshape sessions that died left behind.
	clean sync.Once
}

// clientLocked makes the client once; it does not talk to the daemon.
func (s *dockerSession) clientLocked() (*docker.Client, error) {
	if s.client == nil && s.newErr == nil {
		s.client, s.newErr = docker.New(s.opts)
	}
	return s.client, s.newErr
}

// connect pings the daemon and, the first time it answers, removes what
// shipshape sessions that died left behind. Callers that come while that
// cleanup runs wait for it, so no check races it.
func (s *dockerSession) connect(ctx context.Context) (*docker.Client, error) {
	s.mu.Lock()
	c, err := s.clientLocked()
	s.mu.Unlock()
	if err != nil {
		return nil, err
	}
	if _, err := c.Ping(ctx); err != nil {
		return nil, err
	}
	s.clean.Do(func() {
		cctx, cancel := context.WithTimeout(ctx, 20*time.Second)
		defer cancel()
		_, _ = c.RemoveStale(cctx)
	})
	return c, nil
}

// probe reports the daemon's state for the status bar.
func (s *dockerSession) probe(ctx context.Context) tui.DaemonStatus {
	s.mu.Lock()
	c, err := s.clientLocked()
	s.mu.Unlock()
	if err != nil {
		return tui.DaemonStatus{Reason: termsafe.Line(err.Error()), Advice: "Fix the Docker host setting; lessons work without Docker"}
	}
	d := c.Diagnose(ctx)
	if d.Err != nil {
		adv := docker.Advice(d.Err)
		if adv == "" {
			adv = "Run `shipshape doctor` for details; lessons work without Docker"
		}
		return tui.DaemonStatus{Reason: termsafe.Line(d.Err.Error()), Advice: termsafe.Line(adv)}
	}
	return tui.DaemonStatus{Connected: true,
		Version: fmt.Sprintf("Engine %s · API %s · %s", d.EngineVersion, d.APIVersion, d.Host.Source)}
}

// close removes what this session made and drops the connection.
func (s *dockerSession) close() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.client == nil {
		return
	}
	closeDocker(s.client)
	s.client = nil
}

// tuiChecker runs exercise checks for the TUI; the TUI records the
// attempts itself, through its progress intents.
type tuiChecker struct {
	session              *dockerSession
	image, devImage, dir string
	// reports holds --trivy-report and the reports of scans made or
	// imported in the TUI.
	reports *trivyReports
}

func (c *tuiChecker) Describe() string {
	return fmt.Sprintf("%s (dev image %s) · Dockerfile in %s", c.image, c.devImage, c.dir)
}

func (c *tuiChecker) Check(ctx context.Context, ex *course.Exercise, onEvent func(check.Event)) (check.Report, error) {
	specs := specsOf(ex)
	var d check.Docker
	if needsDocker(specs) {
		dc, err := c.session.connect(ctx)
		if err != nil {
			return check.Report{}, dockerReason(err)
		}
		if _, err := dc.InspectImage(ctx, c.image); err != nil {
			return check.Report{}, dockerReason(err)
		}
		d = dc
	}
	target := check.Target{Image: c.image, DevImage: c.devImage, Dir: c.dir, TrivyReport: c.reports.get(c.image)}
	var scanErr error
	if needsScan(specs) && target.TrivyReport == "" {
		// Exercise 3.3 without a report: scan now when Trivy is available.
		dc, err := c.session.connect(ctx)
		if err != nil {
			return check.Report{}, dockerReason(err)
		}
		target.TrivyReport, scanErr = scanForCheck(ctx, dc, c.image)
		if scanErr == nil {
			c.reports.set(c.image, target.TrivyReport)
		}
	}
	rep := check.NewEngine(d).Run(ctx, specs, target, onEvent)
	explainMissingScan(&rep, scanErr)
	if ctx.Err() != nil {
		return rep, errors.New("the check was cancelled; the containers it made were removed")
	}
	return rep, nil
}
