// Package docker is shipshape's only user of the Docker SDK. It resolves
// the daemon address, negotiates the API version, sorts errors into kinds
// a learner can act on, labels everything it creates, removes leftovers of
// dead sessions, and implements check.Docker.
package docker

import (
	"archive/tar"
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math"
	"net"
	"os"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	cerrdefs "github.com/containerd/errdefs"
	"github.com/docker/docker/api/types"
	"github.com/docker/docker/api/types/container"
	"github.com/docker/docker/api/types/events"
	"github.com/docker/docker/api/types/filters"
	"github.com/docker/docker/api/types/versions"
	"github.com/docker/docker/client"
	"github.com/docker/docker/pkg/stdcopy"
	"github.com/docker/go-connections/nat"

	"shipshape/internal/check"
	"shipshape/internal/ledger"
	"shipshape/internal/scratch"
)

// MinAPIVersion is the oldest engine API shipshape works with (Engine 20.10).
const MinAPIVersion = "1.41"

// Labels shipshape puts on everything it creates.
const (
	LabelManaged  = "dev.shipshape.managed"
	LabelSession  = "dev.shipshape.session"
	LabelPID      = "dev.shipshape.pid"
	LabelHostname = "dev.shipshape.hostname"
	LabelPurpose  = "dev.shipshape.purpose"
)

// DefaultCallTimeout bounds every API call that has no longer natural
// duration (starting, inspecting, listing...).
const DefaultCallTimeout = 30 * time.Second

// DefaultBuildIdle bounds how long a build, an image save or a copy into
// a container may go without a sign of life from the daemon (a progress
// message, bytes read or written) before shipshape gives up on it. A
// build step that is silent that long is asked about with a cheap request
// first; only a daemon that does not answer that either has stalled.
const DefaultBuildIdle = 5 * time.Minute

// Options configures Connect.
type Options struct {
	// Host is the --host flag; empty means "resolve".
	Host string
	// Env is the environment host resolution reads; zero means OSEnv().
	Env Env
	// CallTimeout bounds each API call; zero means DefaultCallTimeout.
	CallTimeout time.Duration
	// Session identifies this process's objects; empty means random.
	Session string
	// Ledger records the objects this client creates, so that cleanups
	// remove only those (see package ledger); nil keeps a memory-only
	// ledger, enough for this process but not for a later one after a
	// kill -9.
	Ledger *ledger.Ledger
	// Scratch is where large temporary files (a saved image for a scan)
	// go, so that a later shipshape removes them after a kill -9; nil
	// means os.TempDir().
	Scratch *scratch.Dir
	// BuildIdle bounds how long a build may go without a sign of life
	// from the daemon; zero means DefaultBuildIdle.
	BuildIdle time.Duration
	// PullIdle bounds how long pulling a base image may go without a
	// message from the daemon; zero means DefaultPullIdle.
	PullIdle time.Duration
}

// Client talks to one Docker daemon. It implements check.Docker.
type Client struct {
	api      *client.Client
	host     Host
	session  string
	hostname string
	timeout  time.Duration
	ledger   *ledger.Ledger
	scratch  *scratch.Dir
	idle     time.Duration
	pullIdle time.Duration

	versionOnce sync.Once
	version     string
	versionErr  error
}

var _ check.Docker = (*Client)(nil)

// NewSession returns a random session id.
func NewSession() string {
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// New resolves the host and makes a client without talking to the daemon;
// call Ping to connect. Host resolution failures (a broken docker context)
// and unsupported hosts are errors here.
func New(opts Options) (*Client, error) {
	e := opts.Env
	if e.Getenv == nil {
		e = OSEnv()
	}
	h, err := ResolveHost(opts.Host, e)
	if err != nil {
		return nil, err
	}
	if strings.HasPrefix(h.URL, "ssh://") {
		return nil, fmt.Errorf("cannot use %s (%s): ssh:// hosts are not supported; forward the socket (ssh -L) and use unix:// or tcp://", h.URL, h.Source)
	}
	copts := []client.Opt{client.WithHost(h.URL), client.WithAPIVersionNegotiation()}
	if h.FromEnv {
		copts = append(copts, client.WithTLSClientConfigFromEnv())
	}
	api, err := client.NewClientWithOpts(copts...)
	if err != nil {
		return nil, fmt.Errorf("cannot use docker host %s (%s): %w", h.URL, h.Source, err)
	}
	c := &Client{api: api, host: h, session: opts.Session, timeout: opts.CallTimeout, ledger: opts.Ledger,
		scratch: opts.Scratch, idle: opts.BuildIdle, pullIdle: opts.PullIdle}
	if c.ledger == nil {
		c.ledger = ledger.Open("")
	}
	if c.session == "" {
		c.session = NewSession()
	}
	if c.timeout == 0 {
		c.timeout = DefaultCallTimeout
	}
	if c.idle == 0 {
		c.idle = DefaultBuildIdle
	}
	if c.pullIdle == 0 {
		c.pullIdle = DefaultPullIdle
	}
	c.hostname, _ = os.Hostname()
	return c, nil
}

// Connect is New followed by Ping.
func Connect(ctx context.Context, opts Options) (*Client, error) {
	c, err := New(opts)
	if err != nil {
		return nil, err
	}
	if _, err := c.Ping(ctx); err != nil {
		c.Close()
		return nil, err
	}
	return c, nil
}

// Close releases the client's connections.
func (c *Client) Close() error { return c.api.Close() }

// Host returns the daemon address and where it came from.
func (c *Client) Host() Host { return c.host }

// Session returns the id this client labels its objects with.
func (c *Client) Session() string { return c.session }

// APIVersion returns the negotiated API version ("" before Ping).
func (c *Client) APIVersion() string { return c.api.ClientVersion() }

// PingInfo is what a successful Ping learned.
type PingInfo struct {
	APIVersion string
	OSType     string
	// BuilderVersion is "1" (classic) or "2" (BuildKit) when the engine says.
	BuilderVersion string
}

// Ping connects, negotiates the API version and refuses engines older than
// MinAPIVersion.
func (c *Client) Ping(ctx context.Context) (PingInfo, error) {
	ctx, cancel := c.call(ctx)
	defer cancel()
	start := time.Now()
	p, err := c.api.Ping(ctx)
	if errors.Is(err, context.DeadlineExceeded) {
		// A ping is the cheapest request there is: no answer in time is a
		// daemon that hangs, not a slow one (and not the SDK's URL to show).
		err = &stalledError{what: "no answer to a ping", after: time.Since(start).Round(time.Second)}
	}
	if err != nil {
		return PingInfo{}, c.classify("ping the Docker daemon", "", err)
	}
	c.api.NegotiateAPIVersionPing(p)
	if p.APIVersion != "" && versions.LessThan(p.APIVersion, MinAPIVersion) {
		return PingInfo{}, &Error{Kind: APITooOld, Op: "use the Docker daemon", Host: c.host.URL, Source: c.host.Source,
			Err: fmt.Errorf("the engine speaks API %s, shipshape needs %s or newer", p.APIVersion, MinAPIVersion)}
	}
	return PingInfo{APIVersion: c.api.ClientVersion(), OSType: p.OSType, BuilderVersion: string(p.BuilderVersion)}, nil
}

// call bounds one API call by the call timeout.
func (c *Client) call(ctx context.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeout(ctx, c.timeout)
}

// Labels returns the labels for an object created for purpose.
func (c *Client) Labels(purpose string) map[string]string {
	l := map[string]string{
		LabelManaged:  "true",
		LabelSession:  c.session,
		LabelPID:      strconv.Itoa(os.Getpid()),
		LabelHostname: c.hostname,
	}
	if purpose != "" {
		l[LabelPurpose] = purpose
	}
	return l
}

// EngineVersion implements check.Docker. The version is asked once per
// client.
func (c *Client) EngineVersion(ctx context.Context) (string, error) {
	c.versionOnce.Do(func() {
		cctx, cancel := c.call(ctx)
		defer cancel()
		v, err := c.api.ServerVersion(cctx)
		c.version, c.versionErr = v.Version, c.classify("read the engine's version", "", err)
	})
	return c.version, c.versionErr
}

// InspectImage implements check.Docker.
func (c *Client) InspectImage(ctx context.Context, ref string) (check.ImageInfo, error) {
	ctx, cancel := c.call(ctx)
	defer cancel()
	ii, err := c.api.ImageInspect(ctx, ref)
	if err != nil {
		return check.ImageInfo{}, c.classify(fmt.Sprintf("inspect image %q", ref), ref, err)
	}
	info := check.ImageInfo{ID: ii.ID, Ref: ref, Size: ii.Size, DiffIDs: ii.RootFS.Layers}
	// On the containerd image store inspect's Size counts the compressed
	// blobs (a 339 MB image showed as 1.39 MB), and `docker image ls`
	// counts blobs plus unpacked layers; the sum of the history's layer
	// sizes is the unpacked size on both stores, the figure the size
	// bounds of the course mean. On the classic store the two agree.
	if hist, err := c.api.ImageHistory(ctx, ref); err == nil {
		var sum int64
		for _, h := range hist {
			sum += h.Size
		}
		if sum > 0 {
			info.Size = sum
		}
	}
	info.Created, _ = time.Parse(time.RFC3339Nano, ii.Created)
	if cfg := ii.Config; cfg != nil {
		info.User = cfg.User
		info.Env = cfg.Env
		info.Entrypoint = cfg.Entrypoint
		info.Cmd = cfg.Cmd
		info.StopSignal = cfg.StopSignal
		info.Labels = cfg.Labels
		for p := range cfg.ExposedPorts {
			info.ExposedPorts = append(info.ExposedPorts, string(p))
		}
		sort.Strings(info.ExposedPorts)
		if h := cfg.Healthcheck; h != nil {
			info.Healthcheck = &check.Healthcheck{Test: h.Test, Interval: h.Interval, Timeout: h.Timeout,
				StartPeriod: h.StartPeriod, StartInterval: h.StartInterval, Retries: h.Retries}
		}
	}
	return info, nil
}

// ImageHistory implements check.Docker.
func (c *Client) ImageHistory(ctx context.Context, ref string) ([]check.Layer, error) {
	ctx, cancel := c.call(ctx)
	defer cancel()
	hist, err := c.api.ImageHistory(ctx, ref)
	if err != nil {
		return nil, c.classify(fmt.Sprintf("read the history of image %q", ref), ref, err)
	}
	out := make([]check.Layer, 0, len(hist))
	for _, h := range hist {
		out = append(out, check.Layer{ID: h.ID, CreatedBy: h.CreatedBy, Size: h.Size, Created: time.Unix(h.Created, 0)})
	}
	return out, nil
}

// CreateContainer implements check.Docker. The container is labelled and
// named after the session and purpose, so leftovers are recognisable.
func (c *Client) CreateContainer(ctx context.Context, spec check.ContainerSpec) (string, error) {
	ctx, cancel := c.call(ctx)
	defer cancel()
	cfg := &container.Config{Image: spec.Image, Labels: c.Labels(spec.Purpose)}
	if h := spec.Healthcheck; h != nil {
		hc := &container.HealthConfig{Test: h.Test, Interval: h.Interval, Timeout: h.Timeout,
			StartPeriod: h.StartPeriod, StartInterval: h.StartInterval, Retries: h.Retries}
		// StartInterval exists from API 1.44 on; the SDK refuses it below.
		if versions.LessThan(c.api.ClientVersion(), "1.44") {
			hc.StartInterval = 0
		}
		cfg.Healthcheck = hc
	}
	if spec.StopTimeout > 0 {
		s := int(math.Ceil(spec.StopTimeout.Seconds()))
		cfg.StopTimeout = &s
	}
	hc := &container.HostConfig{ReadonlyRootfs: spec.ReadOnlyRootfs, Tmpfs: spec.Tmpfs}
	if !spec.Network {
		hc.NetworkMode = "none"
	}
	if p := spec.Publish; p != nil && spec.Network {
		port := nat.Port(p.ContainerPort)
		hostPort := ""
		if p.HostPort > 0 {
			hostPort = strconv.Itoa(p.HostPort)
		}
		cfg.ExposedPorts = nat.PortSet{port: {}}
		hc.PortBindings = nat.PortMap{port: {{HostIP: p.HostIP, HostPort: hostPort}}}
	}
	id, err := c.createContainer(ctx, cfg, hc, spec.Purpose)
	if err != nil {
		return "", c.classifyStart(fmt.Sprintf("create a container from %q", spec.Image), spec.Image, err)
	}
	return id, nil
}

// createContainer creates a container named after the session and
// purpose, and records it in the ledger: its name before the create call,
// so that a kill -9 during the call still leaves it findable, and its ID
// after. Every container shipshape makes goes through here.
func (c *Client) createContainer(ctx context.Context, cfg *container.Config, hc *container.HostConfig, purpose string) (string, error) {
	name := "shipshape-" + c.session + "-" + purpose + "-" + NewSession()[:4]
	e := c.entry(ledger.Container)
	e.Name = name
	// A ledger that cannot be written still holds the record in memory,
	// enough to remove the container before this process exits; refusing
	// every check for a read-only state directory would be worse.
	_ = c.ledger.Record(e)
	resp, err := c.api.ContainerCreate(ctx, cfg, hc, nil, nil, name)
	if err != nil {
		_ = c.ledger.Forget(e)
		return "", err
	}
	e.ID = resp.ID
	_ = c.ledger.Record(e)
	return resp.ID, nil
}

// entry is a ledger record of an object this client makes.
func (c *Client) entry(k ledger.Kind) ledger.Entry {
	return ledger.Entry{Kind: k, Session: c.session, PID: os.Getpid(), Host: c.hostname}
}

// StartContainer implements check.Docker.
func (c *Client) StartContainer(ctx context.Context, id string) error {
	ctx, cancel := c.call(ctx)
	defer cancel()
	err := c.classifyStart("start container "+short(id), "", c.api.ContainerStart(ctx, id, container.StartOptions{}))
	if err != nil && portTaken(err.Error()) {
		return fmt.Errorf("%w: %w", check.ErrPortInUse, err)
	}
	return err
}

// portTaken tells a start that failed on a published port: taken by
// another container ("port is already allocated") or by another program
// ("address already in use", from the userland proxy or the kernel).
func portTaken(msg string) bool {
	return strings.Contains(msg, "port is already allocated") || strings.Contains(msg, "address already in use")
}

// StopContainer implements check.Docker. The call may take the whole
// grace period, so its own timeout is extended by it.
func (c *Client) StopContainer(ctx context.Context, id string, timeout time.Duration) error {
	ctx, cancel := context.WithTimeout(ctx, c.timeout+timeout)
	defer cancel()
	s := int(math.Ceil(timeout.Seconds()))
	return c.classify("stop container "+short(id), "", c.api.ContainerStop(ctx, id, container.StopOptions{Timeout: &s}))
}

// RemoveContainer implements check.Docker. It removes only a container
// this client created (the ledger names it) whose labels still say so:
// a learner's container that merely inherited shipshape's labels, from an
// image committed from one of its containers, is never touched.
func (c *Client) RemoveContainer(ctx context.Context, id string) error {
	e, ok := c.ownContainer(id)
	if !ok {
		return fmt.Errorf("refusing to remove container %s: %w", short(id), errNotShipshapes)
	}
	ctx, cancel := c.call(ctx)
	defer cancel()
	return c.removeContainer(ctx, e)
}

// ownContainer finds the ledger record of a container this client made,
// by full or short ID.
func (c *Client) ownContainer(id string) (ledger.Entry, bool) {
	es, _ := c.ledger.Entries()
	for _, e := range es {
		if e.Kind == ledger.Container && e.Session == c.session && e.ID != "" && (e.ID == id || strings.HasPrefix(e.ID, id) && len(id) >= 12) {
			return e, true
		}
	}
	return ledger.Entry{}, false
}

// removeContainer force-removes the container of a ledger record after
// checking that the daemon's object is that very container: the same ID
// (or, when the ID was never recorded, the same name) and shipshape's
// labels for the record's session. A container that is gone, or that
// turns out not to be shipshape's, is dropped from the ledger.
func (c *Client) removeContainer(ctx context.Context, e ledger.Entry) error {
	ref := e.ID
	if ref == "" {
		ref = e.Name
	}
	ci, err := c.api.ContainerInspect(ctx, ref)
	if err != nil {
		if cerrdefs.IsNotFound(err) {
			_ = c.ledger.Forget(e)
			return nil
		}
		return c.classify("inspect container "+short(ref), "", err)
	}
	if !sameContainer(e, ci.ID, ci.Name, ci.Config) {
		_ = c.ledger.Forget(e)
		return fmt.Errorf("refusing to remove container %s: it is not the one shipshape created: %w", short(ci.ID), errNotShipshapes)
	}
	err = c.api.ContainerRemove(ctx, ci.ID, container.RemoveOptions{Force: true, RemoveVolumes: true})
	if err == nil || cerrdefs.IsNotFound(err) {
		_ = c.ledger.Forget(e)
		return nil
	}
	return c.classify("remove container "+short(ci.ID), "", err)
}

// sameContainer reports whether the daemon's container (id, name, config)
// is the one the ledger record e names.
func sameContainer(e ledger.Entry, id, name string, cfg *container.Config) bool {
	if cfg == nil || cfg.Labels[LabelManaged] != "true" || cfg.Labels[LabelSession] != e.Session {
		return false
	}
	if e.ID != "" {
		return id == e.ID
	}
	return strings.TrimPrefix(name, "/") == e.Name
}

// InspectContainer implements check.Docker.
func (c *Client) InspectContainer(ctx context.Context, id string) (check.ContainerState, error) {
	ctx, cancel := c.call(ctx)
	defer cancel()
	ci, err := c.api.ContainerInspect(ctx, id)
	if err != nil {
		return check.ContainerState{}, c.classify("inspect container "+short(id), "", err)
	}
	var st check.ContainerState
	if s := ci.State; s != nil {
		st.Status, st.Running, st.ExitCode, st.OOMKilled, st.Error = s.Status, s.Running, s.ExitCode, s.OOMKilled, s.Error
		st.StartedAt, _ = time.Parse(time.RFC3339Nano, s.StartedAt)
		st.FinishedAt, _ = time.Parse(time.RFC3339Nano, s.FinishedAt)
		if h := s.Health; h != nil {
			st.Health = string(h.Status)
			for _, p := range h.Log {
				if p != nil {
					st.HealthLog = append(st.HealthLog, check.Probe{Start: p.Start, End: p.End, ExitCode: p.ExitCode, Output: p.Output})
				}
			}
		}
	}
	if ci.Config != nil {
		st.StopSignal = ci.Config.StopSignal
	}
	if ns := ci.NetworkSettings; ns != nil {
		for port, bindings := range ns.Ports {
			for _, b := range bindings {
				if b.HostPort != "" {
					if st.Published == nil {
						st.Published = map[string]string{}
					}
					st.Published[string(port)] = net.JoinHostPort(b.HostIP, b.HostPort)
					break
				}
			}
		}
	}
	return st, nil
}

// WatchContainer implements check.Docker. The SDK's Events returns once
// the HTTP stream is open, so the subscription exists before the caller
// starts the container.
func (c *Client) WatchContainer(ctx context.Context, id string) (<-chan check.ContainerEvent, <-chan error, error) {
	f := filters.NewArgs(
		filters.Arg("type", "container"),
		filters.Arg("container", id),
		filters.Arg("event", "health_status"),
		filters.Arg("event", "die"),
	)
	msgs, errs := c.api.Events(ctx, events.ListOptions{Filters: f})
	select {
	case err := <-errs:
		return nil, nil, c.classify("watch container "+short(id), "", err)
	default:
	}
	out := make(chan check.ContainerEvent)
	outErr := make(chan error, 1)
	go func() {
		defer close(out)
		defer close(outErr)
		for {
			select {
			case m := <-msgs:
				ev := check.ContainerEvent{Action: string(m.Action), Time: time.Unix(0, m.TimeNano)}
				if h, ok := strings.CutPrefix(ev.Action, "health_status:"); ok {
					ev.Health = strings.TrimSpace(h)
				}
				if ev.Action == "die" {
					ev.ExitCode, _ = strconv.Atoi(m.Actor.Attributes["exitCode"])
				}
				select {
				case out <- ev:
				case <-ctx.Done():
					return
				}
			case err, ok := <-errs:
				if ok && err != nil && ctx.Err() == nil {
					outErr <- c.classify("watch container "+short(id), "", err)
				}
				return
			case <-ctx.Done():
				return
			}
		}
	}()
	return out, outErr, nil
}

// Processes implements check.Docker. The engine runs ps on its own side,
// so no ps is needed in the image; "-o pid,uid,comm" gives numeric uids.
// Engines whose ps does not take these options get the default listing,
// where uid 0 still shows as "root".
func (c *Client) Processes(ctx context.Context, id string) ([]check.Process, error) {
	ctx, cancel := c.call(ctx)
	defer cancel()
	top, err := c.api.ContainerTop(ctx, id, []string{"-o", "pid,uid,comm"})
	if err != nil && !client.IsErrConnectionFailed(err) && ctx.Err() == nil {
		top, err = c.api.ContainerTop(ctx, id, nil)
	}
	if err != nil {
		return nil, c.classify("list the processes of container "+short(id), "", err)
	}
	col := func(names ...string) int {
		for i, t := range top.Titles {
			for _, n := range names {
				if strings.EqualFold(t, n) {
					return i
				}
			}
		}
		return -1
	}
	pid, uid, cmd := col("PID"), col("UID", "USER"), col("COMMAND", "CMD", "COMM")
	if pid < 0 || uid < 0 {
		return nil, fmt.Errorf("cannot read the process list of container %s: unexpected columns %v", short(id), top.Titles)
	}
	var out []check.Process
	for _, row := range top.Processes {
		p := check.Process{PID: at(row, pid), UID: at(row, uid), Command: at(row, cmd)}
		out = append(out, p)
	}
	return out, nil
}

func at(row []string, i int) string {
	if i < 0 || i >= len(row) {
		return ""
	}
	return row[i]
}

// PathExists implements check.Docker. It works on created containers that
// never ran, so images with no shell can be inspected.
func (c *Client) PathExists(ctx context.Context, id, path string) (bool, error) {
	ctx, cancel := c.call(ctx)
	defer cancel()
	_, err := c.api.ContainerStatPath(ctx, id, path)
	if err == nil {
		return true, nil
	}
	if cerrdefs.IsNotFound(err) {
		return false, nil
	}
	return false, c.classify(fmt.Sprintf("look for %s in container %s", path, short(id)), "", err)
}

// ReadFile implements check.Docker. A missing file is fs.ErrNotExist.
func (c *Client) ReadFile(ctx context.Context, id, path string, limit int64) ([]byte, error) {
	ctx, cancel := c.call(ctx)
	defer cancel()
	rc, _, err := c.api.CopyFromContainer(ctx, id, path)
	if err != nil {
		if cerrdefs.IsNotFound(err) {
			return nil, fmt.Errorf("cannot read %s: %w", path, fs.ErrNotExist)
		}
		return nil, c.classify(fmt.Sprintf("copy %s out of container %s", path, short(id)), "", err)
	}
	defer rc.Close()
	tr := tar.NewReader(rc)
	hdr, err := tr.Next()
	if err != nil {
		return nil, fmt.Errorf("cannot read %s from container %s: %w", path, short(id), err)
	}
	if hdr.Typeflag != tar.TypeReg {
		return nil, fmt.Errorf("cannot read %s from container %s: not a regular file", path, short(id))
	}
	return io.ReadAll(io.LimitReader(tr, limit))
}

// Exec implements check.Docker.
func (c *Client) Exec(ctx context.Context, id string, cmd []string) (check.ExecResult, error) {
	ctx, cancel := c.call(ctx)
	defer cancel()
	op := fmt.Sprintf("run %q in container %s", strings.Join(cmd, " "), short(id))
	ex, err := c.api.ContainerExecCreate(ctx, id, container.ExecOptions{Cmd: cmd, AttachStdout: true, AttachStderr: true})
	if err != nil {
		return check.ExecResult{}, c.classify(op, "", err)
	}
	hj, err := c.hijack(ctx, op, func(ctx context.Context) (types.HijackedResponse, error) {
		return c.api.ContainerExecAttach(ctx, ex.ID, container.ExecAttachOptions{})
	})
	if err != nil {
		return check.ExecResult{}, c.classify(op, "", err)
	}
	defer hj.Close()
	// A hijacked connection does not end with ctx by itself.
	stop := context.AfterFunc(ctx, hj.Close)
	defer stop()
	var buf bytes.Buffer
	w := &limitWriter{w: &buf, n: 64 << 10}
	if _, err := stdcopy.StdCopy(w, w, hj.Reader); err != nil {
		return check.ExecResult{}, fmt.Errorf("cannot %s: %w", op, err)
	}
	ins, err := c.api.ContainerExecInspect(ctx, ex.ID)
	if err != nil {
		return check.ExecResult{}, c.classify(op, "", err)
	}
	return check.ExecResult{ExitCode: ins.ExitCode, Output: buf.String()}, nil
}

// Logs implements check.Docker.
func (c *Client) Logs(ctx context.Context, id string, tail int) (string, error) {
	ctx, cancel := c.call(ctx)
	defer cancel()
	rc, err := c.api.ContainerLogs(ctx, id, container.LogsOptions{ShowStdout: true, ShowStderr: true, Tail: strconv.Itoa(tail)})
	if err != nil {
		return "", c.classify("read the logs of container "+short(id), "", err)
	}
	defer rc.Close()
	var buf bytes.Buffer
	w := &limitWriter{w: &buf, n: 64 << 10}
	if _, err := stdcopy.StdCopy(w, w, rc); err != nil && !errors.Is(err, io.EOF) {
		// A container started with a TTY has no multiplexed stream.
		return buf.String(), nil
	}
	return buf.String(), nil
}

// limitWriter keeps the first n bytes and discards the rest, so a chatty
// container cannot exhaust memory.
type limitWriter struct {
	w io.Writer
	n int64
}

func (l *limitWriter) Write(p []byte) (int, error) {
	if l.n > 0 {
		k := min(int64(len(p)), l.n)
		if _, err := l.w.Write(p[:k]); err != nil {
			return 0, err
		}
		l.n -= k
	}
	return len(p), nil
}

func short(id string) string {
	if len(id) > 12 {
		return id[:12]
	}
	return id
}
