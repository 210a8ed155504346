package attempt

import (
	"context"
	"fmt"
	"sync"
	"time"

	"shipshape/internal/docker"
	"shipshape/internal/termsafe"
)

// staleSweepTimeout bounds the removal of what dead shipshape sessions
// left behind, which runs before the first use of a connection.
const staleSweepTimeout = 20 * time.Second

// Session is one connection to the Docker daemon, made on first use (so
// that reading lessons never waits for Docker), shared by every attempt
// and workflow step of a shipshape process.
type Session struct {
	opts docker.Options
	// note, when not nil, gets what is worth telling but not an error
	// (the stale sweep failed).
	note func(string)

	// mu guards client and newErr only. It is never held while talking to
	// the daemon: Probe takes it for the status bar, which must not wait
	// for a ping or a cleanup.
	mu     sync.Mutex
	client *docker.Client
	newErr error
	// sweep removes, once, what shipshape sessions that died left behind.
	sweep sync.Once
}

// NewSession connects with opts when first used. note, when not nil, gets
// one-line notes that are not errors.
func NewSession(opts docker.Options, note func(string)) *Session {
	return &Session{opts: opts, note: note}
}

// clientLocked makes the client once; it does not talk to the daemon.
func (s *Session) clientLocked() (*docker.Client, error) {
	if s.client == nil && s.newErr == nil {
		s.client, s.newErr = docker.New(s.opts)
	}
	return s.client, s.newErr
}

// Client pings the daemon and, the first time it answers, removes what
// shipshape sessions that died left behind. Callers that come while that
// sweep runs wait for it, so no check races it.
func (s *Session) Client(ctx context.Context) (*docker.Client, error) {
	s.mu.Lock()
	c, err := s.clientLocked()
	s.mu.Unlock()
	if err != nil {
		return nil, err
	}
	if _, err := c.Ping(ctx); err != nil {
		return nil, err
	}
	s.sweep.Do(func() {
		sctx, cancel := context.WithTimeout(ctx, staleSweepTimeout)
		defer cancel()
		if _, err := c.RemoveStale(sctx); err != nil && s.note != nil {
			s.note(termsafe.Line(err.Error()))
		}
	})
	return c, nil
}

// Connect is Client as the Engine attempts run against.
func (s *Session) Connect(ctx context.Context) (Engine, error) {
	c, err := s.Client(ctx)
	if err != nil {
		return nil, err
	}
	return c, nil
}

// DaemonStatus is the daemon's state in one line, for a status bar.
type DaemonStatus struct {
	Connected bool
	// Version describes the engine when connected, e.g. "Engine 27.3.1 · API 1.47 · DOCKER_HOST".
	Version string
	// Reason says in one line why the daemon cannot be used, and Advice
	// what to do about it. Problem is the reason in a few words, for a
	// window too narrow for both: "daemon unreachable".
	Reason, Advice, Problem string
}

// Probe reports the daemon's state without the stale sweep.
func (s *Session) Probe(ctx context.Context) DaemonStatus {
	s.mu.Lock()
	c, err := s.clientLocked()
	s.mu.Unlock()
	if err != nil {
		return DaemonStatus{Reason: termsafe.Line(err.Error()), Advice: "Fix the Docker host setting; lessons work without Docker",
			Problem: "Docker host setting not usable"}
	}
	d := c.Diagnose(ctx)
	if d.Err != nil {
		adv := docker.Advice(d.Err)
		if adv == "" {
			adv = "Run `shipshape doctor` for details; lessons work without Docker"
		}
		return DaemonStatus{Reason: termsafe.Line(d.Err.Error()), Advice: termsafe.Line(adv), Problem: "docker: " + docker.KindOf(d.Err).String()}
	}
	return DaemonStatus{Connected: true,
		Version: fmt.Sprintf("Engine %s · API %s · %s", d.EngineVersion, d.APIVersion, d.Host.Source)}
}

// sessionCloseTimeout bounds the removal of this session's containers on
// the way out, also after Ctrl-C.
const sessionCloseTimeout = 30 * time.Second

// Close removes what this session made and drops the connection. The
// session can be used again afterwards: it reconnects.
func (s *Session) Close() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.client == nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), sessionCloseTimeout)
	defer cancel()
	_, _ = s.client.RemoveSession(ctx)
	_ = s.client.Close()
	s.client = nil
}

// removeMade removes the containers this session made, keeping the
// connection; with no connection there is nothing of it to remove.
func (s *Session) removeMade(ctx context.Context) error {
	s.mu.Lock()
	c := s.client
	s.mu.Unlock()
	if c == nil {
		return nil
	}
	_, err := c.RemoveSession(ctx)
	return err
}
