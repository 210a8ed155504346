// Package lab is the exercise workflow: building the learner's dev and prod
// images, running the prod image while watching its health and logs,
// scanning it with Trivy, measuring dev against prod, and watching the
// workspace for saved changes. It declares the small Docker interface it
// needs; internal/docker implements it. The TUI and the headless commands
// share it.
package lab

import (
	"context"
	"io"
	"time"

	"shipshape/internal/check"
	"shipshape/internal/scan"
)

// Docker is what the workflow needs of a Docker Engine beyond what the
// checks need. Every method honours ctx.
type Docker interface {
	check.Docker
	// BuildImage builds dir (honouring its .dockerignore) with the
	// Dockerfile named in req, tags the result and streams progress.
	// The image is labelled as built by shipshape but NOT with the
	// session labels, so the learner's own containers of it are never
	// taken for shipshape's leftovers.
	BuildImage(ctx context.Context, req BuildRequest, onEvent func(BuildEvent)) (BuildResult, error)
	// FollowLogs streams a container's output lines until ctx ends or the
	// container stops.
	FollowLogs(ctx context.Context, id string, onLine func(stream, line string)) error
	// StatsNow is the container's resource use as the daemon reads it
	// now, without waiting for two samples. Its CPUPercent is zero: the
	// share is a rate between two reads (CPUShare).
	StatsNow(ctx context.Context, id string) (Stats, error)
	// ImageExists reports whether an image is present (never pulls).
	ImageExists(ctx context.Context, ref string) (bool, error)
	// TrivyImageRefs lists the Trivy images present, best first, for
	// scanning without a trivy binary. It never pulls.
	TrivyImageRefs(ctx context.Context) ([]string, error)
	// RunTrivyImage scans target with the Trivy image trivyRef in a
	// throwaway labelled container, without mounting the Docker socket,
	// and writes the JSON report to report.
	RunTrivyImage(ctx context.Context, trivyRef, target string, report io.Writer) error
	// PullImage pulls ref from its registry, for builds with Pull set,
	// reporting status changes and progress bars (either may be nil). It
	// ends with an error, not a hang, when the registry does not answer.
	PullImage(ctx context.Context, ref string, onStatus, onProgress func(string)) error
	// HostURL is the daemon address in use, so a trivy binary scans the
	// images of the same daemon (its DOCKER_HOST); "" when unknown.
	HostURL() string
}

// BuildRequest says what to build.
type BuildRequest struct {
	// Dir is the build context.
	Dir string
	// Dockerfile is relative to Dir; empty means "Dockerfile".
	Dockerfile string
	// DockerfileData, when set, is the Dockerfile's text, for one that is
	// not a file of Dir (the dev image's, which is the starter's); the
	// context is still Dir, with its .dockerignore. Dockerfile is then
	// not read.
	DockerfileData []byte
	// Pull pulls the base images of the Dockerfile's FROM lines first, as
	// docker build --pull does, so the build starts from their newest
	// version; the pull's progress goes to the build's events.
	Pull bool
	// Tag is the image reference to give the result, e.g. task-api:prod.
	Tag string
	// Target builds a named stage.
	Target string
	// BuildArgs are passed as --build-arg.
	BuildArgs map[string]string
	NoCache   bool
	// Network is the network of the RUN steps, as docker build --network:
	// "none" for a build that needs nothing from outside (an offline
	// wheelhouse), "" for the engine's default.
	Network string
	// Labels are added to the image's (never replacing shipshape's own),
	// e.g. the student `shipshape grade` built it for.
	Labels map[string]string
}

// BuildEvent is one piece of build progress.
type BuildEvent struct {
	// Step is the step being run, e.g. "Step 4/11 : RUN pip install ...",
	// set when a new step starts.
	Step string
	// Line is one line of output (sanitized for the terminal).
	Line string
}

// BuildResult is the outcome of a build.
type BuildResult struct {
	ImageID  string
	Duration time.Duration
	// FailedStep and Error describe a failed build: the step that failed
	// and the builder's error message.
	FailedStep string
	Error      string
	// Log is the whole build output, bounded.
	Log []string
}

// OK reports whether the build produced an image.
func (r BuildResult) OK() bool { return r.Error == "" && r.ImageID != "" }

// Stats is one resource sample.
type Stats struct {
	MemoryBytes      uint64
	MemoryLimitBytes uint64
	// CPUPercent is the share of one core times the online cores, as
	// `docker stats` shows it, over the time before this sample.
	CPUPercent float64
	PIDs       uint64
	// The counters the share is computed from: the container's CPU time,
	// the host's CPU time and the cores online, all as the daemon read
	// them.
	CPUNanos, SystemNanos uint64
	OnlineCPUs            uint32
	// Read is when the daemon took the sample; zero while the container
	// is not running.
	Read time.Time
}

// CPUShare is the container's CPU use between two samples in the way
// `docker stats` computes it: its CPU time over the host's, times the
// cores online. Zero when the counters did not move forward.
func CPUShare(before, after Stats) float64 {
	if after.CPUNanos <= before.CPUNanos || after.SystemNanos <= before.SystemNanos || before.SystemNanos == 0 {
		return 0
	}
	cpu := float64(after.CPUNanos - before.CPUNanos)
	sys := float64(after.SystemNanos - before.SystemNanos)
	return cpu / sys * float64(after.OnlineCPUs) * 100
}

// RunEvent is something that happened to a running prod container.
type RunEvent struct {
	// Health is "starting", "healthy", "unhealthy" or "" when the image
	// has no health check; set on changes.
	Health string
	// LogLine is one line of the container's output (sanitized).
	LogLine string
	// Exited is set when the container stopped, with its exit code.
	Exited   bool
	ExitCode int
	// Err reports a problem following the container.
	Err error
	// Address is where the app's published port answers on the host
	// ("127.0.0.1:8000"), sent once, first, when the port is published.
	Address string
}

// Running is a prod container started for the learner to watch.
type Running interface {
	ID() string
	// Events delivers health changes, log lines and the exit; it is
	// closed when the container is gone.
	Events() <-chan RunEvent
	// Stop stops the container with its stop signal and removes it.
	Stop(ctx context.Context) error
}

// ScanResult is the outcome of scanning an image with Trivy.
type ScanResult struct {
	Report *scan.Report
	// ReportPath is where the JSON report was written, so the check and
	// the learner can use it again.
	ReportPath string
	// Scanner says how Trivy was run: "trivy on PATH" or "image aquasec/trivy:TAG".
	Scanner string
}
