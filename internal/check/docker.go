package check

import (
	"context"
	"errors"
	"time"
)

// Docker is the small part of a Docker Engine that the checks need. The
// adapter in internal/docker implements it; the checks never see the SDK.
// Every method honours ctx and applies its own per-call timeout.
type Docker interface {
	// EngineVersion is the daemon's version, such as "26.1.5": some
	// verdicts (when Docker first probes a container) depend on it.
	EngineVersion(ctx context.Context) (string, error)
	// InspectImage reads an image's configuration and size. A missing
	// image is reported with an error whose Advice says so.
	InspectImage(ctx context.Context, ref string) (ImageInfo, error)
	// ImageHistory lists the layers of an image, newest first.
	ImageHistory(ctx context.Context, ref string) ([]Layer, error)
	// CreateContainer creates (but does not start) a labelled container.
	CreateContainer(ctx context.Context, spec ContainerSpec) (string, error)
	// StartContainer starts a created container.
	StartContainer(ctx context.Context, id string) error
	// StopContainer sends the container's stop signal and waits up to
	// timeout before the daemon kills it.
	StopContainer(ctx context.Context, id string, timeout time.Duration) error
	// RemoveContainer force-removes a container shipshape created.
	RemoveContainer(ctx context.Context, id string) error
	// InspectContainer reads a container's state and health log.
	InspectContainer(ctx context.Context, id string) (ContainerState, error)
	// WatchContainer subscribes to the health_status and die events of one
	// container. It returns once the subscription is established, so events
	// of a container started afterwards are not missed. Both channels are
	// closed when ctx is done or the stream fails.
	WatchContainer(ctx context.Context, id string) (<-chan ContainerEvent, <-chan error, error)
	// Processes lists the processes running in a container with their
	// numeric user ids where the engine can tell them.
	Processes(ctx context.Context, id string) ([]Process, error)
	// PathExists reports whether a path exists in a (possibly never
	// started) container's filesystem. No shell is needed in the image.
	PathExists(ctx context.Context, id, path string) (bool, error)
	// ReadFile copies one regular file out of a container, reading at most
	// limit bytes.
	ReadFile(ctx context.Context, id, path string, limit int64) ([]byte, error)
	// Exec runs a command in a running container and returns its combined
	// output and exit code.
	Exec(ctx context.Context, id string, cmd []string) (ExecResult, error)
	// Logs returns the last tail lines of a container's output.
	Logs(ctx context.Context, id string, tail int) (string, error)
	// RunCommand creates a labelled container for spec, starts it, waits
	// for it to exit (or kills it at the timeout), collects its output and
	// removes it, also when ctx is cancelled.
	RunCommand(ctx context.Context, spec CommandSpec) (CommandResult, error)
}

// ImageInfo is what the checks read from an image inspect.
type ImageInfo struct {
	ID          string
	Ref         string
	User        string
	Env         []string
	Entrypoint  []string
	Cmd         []string
	StopSignal  string
	Healthcheck *Healthcheck
	// Size is the unpacked size of the image's layers, the same measure on
	// the classic and the containerd image store (see the adapter).
	Size    int64
	Created time.Time
	// DiffIDs are the digests of the uncompressed layers, from the image
	// config's rootfs. Unlike ID (a config digest on the classic store, a
	// manifest or index digest on the containerd store), they mean the
	// same everywhere, and a scan report names them too.
	DiffIDs []string
	// Labels are the image's labels.
	Labels map[string]string
	// ExposedPorts are the image's EXPOSE ports, e.g. "8000/tcp", sorted.
	ExposedPorts []string
}

// Healthcheck is an image's or a container's HEALTHCHECK configuration.
// Zero durations and retries mean "Docker's default".
type Healthcheck struct {
	Test          []string
	Interval      time.Duration
	Timeout       time.Duration
	StartPeriod   time.Duration
	StartInterval time.Duration
	Retries       int
}

// Docker's defaults for zero values in a HEALTHCHECK.
const (
	DefaultHealthInterval = 30 * time.Second
	DefaultHealthTimeout  = 30 * time.Second
	DefaultHealthRetries  = 3
)

// Layer is one entry of an image's history.
type Layer struct {
	ID        string
	CreatedBy string
	Size      int64
	Created   time.Time
}

// ContainerSpec describes a container a check creates. Labels marking it
// as shipshape's are added by the adapter.
type ContainerSpec struct {
	Image string
	// Purpose ends up in the container name, to make leftovers
	// recognisable in `docker ps -a`.
	Purpose string
	// Healthcheck, when not nil, replaces the image's health configuration.
	// The adapter drops StartInterval on engines older than API 1.44.
	Healthcheck    *Healthcheck
	ReadOnlyRootfs bool
	// Tmpfs maps mount points to mount options.
	Tmpfs map[string]string
	// StopTimeout, when positive, is the container's stop grace period.
	StopTimeout time.Duration
	// Network keeps the engine's default network. Checks run without one
	// (network mode none): a probe of the container's own loopback still
	// works, the default bridge can no longer fail a verdict, and an
	// untrusted image has no way out. Only the learner's own run needs it.
	Network bool
	// Publish, when set, publishes a container port on the host (only
	// with Network), as docker run -p does.
	Publish *PortPublish
}

// ErrPortInUse is wrapped by StartContainer when a published host port is
// taken (by another container or another program).
var ErrPortInUse = errors.New("the host port is already in use")

// PortPublish is one published port: ContainerPort ("8000/tcp") on
// HostIP:HostPort; HostPort 0 lets the engine choose a free one.
type PortPublish struct {
	ContainerPort string
	HostIP        string
	HostPort      int
}

// ContainerState is the part of a container inspect the checks read.
type ContainerState struct {
	Status     string
	Running    bool
	ExitCode   int
	OOMKilled  bool
	Error      string
	Health     string
	HealthLog  []Probe
	StartedAt  time.Time
	FinishedAt time.Time
	StopSignal string
	// Published maps a published container port ("8000/tcp") to the host
	// address it answers on ("127.0.0.1:8000").
	Published map[string]string
}

// Probe is one health probe run.
type Probe struct {
	Start    time.Time
	End      time.Time
	ExitCode int
	Output   string
}

// ContainerEvent is one event of a watched container.
type ContainerEvent struct {
	// Action is the raw action, e.g. "die" or "health_status: healthy".
	Action string
	// Health is set on health_status events: healthy, unhealthy or starting.
	Health string
	// ExitCode is set on die events.
	ExitCode int
	Time     time.Time
}

// Process is one process in a container.
type Process struct {
	PID string
	// UID is the numeric effective user id, or a name when the engine could
	// only give names (then only "root" is meaningful).
	UID     string
	Command string
}

// ExecResult is the outcome of Docker.Exec.
type ExecResult struct {
	ExitCode int
	Output   string
}
