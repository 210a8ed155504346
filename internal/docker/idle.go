package docker

import (
	"context"
	"errors"
	"io"
	"sync/atomic"
	"time"

	"github.com/docker/docker/api/types/container"
)

// watchdog cancels a long request (a build, an image save, a copy into a
// container) that shows no sign of life for the client's idle bound. Such
// requests cannot have a fixed timeout, since they take as long as the
// image is big, but a daemon that answers pings and stalls everything
// else would otherwise hold them forever.
type watchdog struct {
	idle time.Duration
	// last is when the request last showed life, in Unix nanoseconds.
	last   atomic.Int64
	what   string
	probe  func() bool
	cancel context.CancelCauseFunc
	timer  *time.Timer
}

// watch returns ctx bounded by a watchdog; call kick on every sign of
// life and stop when the request is over. what says, for the error, what
// went missing ("no progress message from the build"). With probe set, a
// silence is first put to the daemon as a cheap request: a build step can
// be silent for long (a quiet compile), and only a daemon that does not
// answer that either has stalled.
func (c *Client) watch(ctx context.Context, what string, probe bool) (context.Context, *watchdog) {
	wctx, cancel := context.WithCancelCause(ctx)
	w := &watchdog{idle: c.idle, what: what, cancel: cancel}
	if probe {
		w.probe = func() bool { return c.answers(wctx) }
	}
	w.kick()
	w.timer = time.AfterFunc(w.idle, w.check)
	return wctx, w
}

// answers reports whether the daemon answers a cheap request other than
// a ping (a stalled daemon may still answer those) within the call timeout.
func (c *Client) answers(ctx context.Context) bool {
	pctx, cancel := c.call(ctx)
	defer cancel()
	_, err := c.api.ContainerList(pctx, container.ListOptions{Limit: 1})
	return err == nil
}

func (w *watchdog) kick() { w.last.Store(time.Now().UnixNano()) }

func (w *watchdog) check() {
	if quiet := time.Since(time.Unix(0, w.last.Load())); quiet < w.idle {
		w.timer.Reset(w.idle - quiet)
		return
	}
	if w.probe != nil && w.probe() {
		w.kick()
		w.timer.Reset(w.idle)
		return
	}
	w.cancel(&stalledError{what: w.what, after: w.idle, probed: w.probe != nil})
}

// stop ends the watch; the context is cancelled (without a stall cause).
func (w *watchdog) stop() {
	w.timer.Stop()
	w.cancel(context.Canceled)
}

// stalled returns the stall when the watchdog ended the request on ctx
// (the context watch returned), or nil.
func (w *watchdog) stalled(ctx context.Context) error {
	var se *stalledError
	if errors.As(context.Cause(ctx), &se) {
		return se
	}
	return nil
}

// reader kicks the watchdog on every read that returns data: bytes going
// to the daemon (a build context being read) or coming from it.
func (w *watchdog) reader(r io.Reader) io.Reader {
	return readerFunc(func(p []byte) (int, error) {
		n, err := r.Read(p)
		if n > 0 {
			w.kick()
		}
		return n, err
	})
}

type readerFunc func([]byte) (int, error)

func (f readerFunc) Read(p []byte) (int, error) { return f(p) }
