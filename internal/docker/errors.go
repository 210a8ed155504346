package docker

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"time"

	cerrdefs "github.com/containerd/errdefs"
	"github.com/docker/docker/client"
)

// Kind sorts the errors a learner can act on.
type Kind int

// The error kinds. Anything the SDK's predicates do not recognise is Other.
const (
	Other Kind = iota
	// Unreachable means no daemon answered at the host.
	Unreachable
	// PermissionDenied means the socket exists but this user may not use it.
	PermissionDenied
	// APITooOld means the engine's API is older than shipshape supports.
	APITooOld
	// ImageNotFound means the image is not in the engine's image store.
	ImageNotFound
	// NotFound means another object (a container, a path) does not exist.
	NotFound
	// Stalled means the daemon took a request and then stopped answering
	// (it may still answer pings): a hung daemon, not a slow one.
	Stalled
	// MachineFault means the engine could not create or start a container
	// for a reason of the machine's (network, disk, storage driver,
	// cgroups, runtime), not of the image's: see faults.go.
	MachineFault
)

func (k Kind) String() string {
	switch k {
	case Unreachable:
		return "daemon unreachable"
	case PermissionDenied:
		return "permission denied"
	case APITooOld:
		return "API too old"
	case ImageNotFound:
		return "image not found"
	case NotFound:
		return "not found"
	case Stalled:
		return "daemon stopped answering"
	case MachineFault:
		return "engine fault"
	default:
		return "docker error"
	}
}

// Error is an error from the Docker engine, sorted at this boundary.
type Error struct {
	Kind Kind
	// Op is what was being done, e.g. `inspect image "task-api:prod"`.
	Op string
	// Host and Source say which daemon was talked to and why.
	Host, Source string
	// Ref is the image reference for ImageNotFound.
	Ref string
	Err error
}

func (e *Error) Error() string {
	switch e.Kind {
	case Unreachable:
		return fmt.Sprintf("cannot reach the Docker daemon at %s (%s)", e.Host, e.Source)
	case PermissionDenied:
		return fmt.Sprintf("permission denied on the Docker socket %s (%s)", e.Host, e.Source)
	case APITooOld:
		return fmt.Sprintf("cannot %s: %v", e.Op, e.Err)
	case ImageNotFound:
		return fmt.Sprintf("image %q not found", e.Ref)
	case Stalled:
		return fmt.Sprintf("cannot %s: the Docker daemon at %s stopped answering: %v", e.Op, e.Host, e.Err)
	case MachineFault:
		return fmt.Sprintf("cannot %s: the Docker engine failed, not your image: %v", e.Op, e.Err)
	default:
		return fmt.Sprintf("cannot %s: %v", e.Op, cause(e.Err))
	}
}

// cause drops the SDK's request line (`Get "http://%2Fvar%2Frun…": `)
// from a transport error: the learner needs what went wrong, and Host
// already says where.
func cause(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) && ue.Err != nil {
		return ue.Err
	}
	return err
}

// Unwrap returns the SDK's error.
func (e *Error) Unwrap() error { return e.Err }

// Advice says in one line what the learner can do about the error.
func (e *Error) Advice() string {
	switch e.Kind {
	case Unreachable:
		return "Start Docker (Docker Desktop, or `sudo systemctl start docker`), or point --host or DOCKER_HOST at a running engine."
	case PermissionDenied:
		return "Add yourself to the docker group (`sudo usermod -aG docker $USER`, then log in again), or use rootless Docker."
	case APITooOld:
		return "Upgrade Docker Engine to 20.10 or newer."
	case ImageNotFound:
		return fmt.Sprintf("Build it first, e.g. `docker build -t %s .`, or pass the right reference with --image.", e.Ref)
	case NotFound:
		return "The object went away while shipshape was using it; run the check again."
	case Stalled:
		return "Restart Docker (Docker Desktop, or `sudo systemctl restart docker`); `docker info` should answer within seconds. Then run the command again."
	case MachineFault:
		if a := machineFaultAdvice(e.Err.Error()); a != "" {
			return a
		}
		return restartDocker
	default:
		return "Run `shipshape doctor` to see what is wrong with the Docker setup."
	}
}

// EngineProblem reports whether the error is about reaching or using the
// engine at all, rather than about the object the call was for.
func (e *Error) EngineProblem() bool {
	return e.Kind == Unreachable || e.Kind == PermissionDenied || e.Kind == APITooOld || e.Kind == Stalled || e.Kind == MachineFault
}

// stalledError is a request the daemon took and then left unanswered for
// longer than shipshape waits.
type stalledError struct {
	// what was waited for in vain, e.g. "no progress message from the build".
	what  string
	after time.Duration
	// probed is set when a cheap request went unanswered too.
	probed bool
}

func (e *stalledError) Error() string {
	s := fmt.Sprintf("%s for %s", e.what, e.after)
	if e.probed {
		s += ", and no answer to a request after that"
	}
	return s
}

// errStalled is a request that got no answer at all within after.
func errStalled(after time.Duration) error {
	return &stalledError{what: "no answer", after: after}
}

// MissingImage reports whether the error says an image does not exist.
func (e *Error) MissingImage() bool { return e.Kind == ImageNotFound }

// KindOf returns the Kind of err, or Other.
func KindOf(err error) Kind {
	var e *Error
	if errors.As(err, &e) {
		return e.Kind
	}
	return Other
}

// Advice returns the one-line advice for err, or "" for errors that did
// not come from this package.
func Advice(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Advice()
	}
	return ""
}

// classify sorts an SDK error with the SDK's predicates. ref, when not
// empty, names the image the call was about, so a not-found becomes
// ImageNotFound. Context errors pass through unchanged.
// classifyStart is classify for creating and starting a container, where
// the daemon's message tells the machine's faults from the image's.
func (c *Client) classifyStart(op, ref string, err error) error {
	err = c.classify(op, ref, err)
	var e *Error
	if errors.As(err, &e) && e.Kind == Other && machineFaultAdvice(e.Err.Error()) != "" {
		e.Kind = MachineFault
	}
	return err
}

func (c *Client) classify(op, ref string, err error) error {
	if err == nil {
		return nil
	}
	var se *stalledError
	if errors.As(err, &se) {
		return &Error{Kind: Stalled, Op: op, Host: c.host.URL, Source: c.host.Source, Err: err}
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return fmt.Errorf("cannot %s: %w", op, err)
	}

	e := &Error{Kind: Other, Op: op, Host: c.host.URL, Source: c.host.Source, Ref: ref, Err: err}
	switch {
	case client.IsErrConnectionFailed(err) && errors.Is(err, fs.ErrPermission):
		e.Kind = PermissionDenied
	case client.IsErrConnectionFailed(err):
		e.Kind = Unreachable
	case cerrdefs.IsNotFound(err) && ref != "":
		e.Kind = ImageNotFound
	case cerrdefs.IsNotFound(err):
		e.Kind = NotFound
	}
	return e
}
