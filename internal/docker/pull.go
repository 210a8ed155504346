package docker

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/docker/docker/api/types/image"

	"shipshape/internal/termsafe"
)

// DefaultPullIdle bounds how long pulling a base image may go without a
// progress message. A daemon that cannot reach the registry often waits
// out its own dial and TLS timeouts before it says so; a classroom
// without a registry should hear that in a minute, not in several.
const DefaultPullIdle = 60 * time.Second

// pullAdvice is what to do when a base image cannot be pulled.
const pullAdvice = "Without a registry, build without --pull to use the copy the daemon has (shipshape doctor says which base images are present), " +
	"or name a local mirror or offline twin of the base in shipshape.yaml (build.args)."

// PullImage implements lab.Docker: it pulls ref as `docker pull` does,
// for `--pull` builds, reporting each status change to onStatus (may be
// nil) and each progress bar to onProgress (may be nil). A pull that goes
// without any message for the pull bound ends with an error that says
// the registry did not answer; registry errors come back as the daemon
// words them.
func (c *Client) PullImage(ctx context.Context, ref string, onStatus, onProgress func(string)) error {
	if onStatus == nil {
		onStatus = func(string) {}
	}
	if onProgress == nil {
		onProgress = func(string) {}
	}
	op := "pull " + ref
	pctx, cancel := context.WithCancelCause(ctx)
	w := &watchdog{idle: c.pullIdle, what: "no answer from the registry", cancel: cancel}
	w.kick()
	w.timer = time.AfterFunc(w.idle, w.check)
	defer w.stop()
	stalled := func() error {
		if w.stalled(pctx) == nil {
			return nil
		}
		return fmt.Errorf("cannot %s: no answer from its registry for %s; is a registry reachable from the Docker daemon? %s", op, c.pullIdle, pullAdvice)
	}
	body, err := c.api.ImagePull(pctx, ref, image.PullOptions{})
	if err != nil {
		if se := stalled(); se != nil {
			return se
		}
		if ctx.Err() != nil {
			return fmt.Errorf("cannot %s: %w", op, ctx.Err())
		}
		return fmt.Errorf("cannot %s: %s. %s", op, strings.TrimSuffix(termsafe.Line(errText(err)), "."), pullAdvice)
	}
	defer body.Close()
	var failed string
	last := ""
	err = eachBuildMessage(pctx, op, w.reader(body), func(m buildMessage) {
		if msg := m.errorText(); msg != "" {
			failed = msg
			return
		}
		s := termsafe.Line(strings.TrimSpace(m.Status))
		if m.ID != "" {
			s = termsafe.Line(m.ID) + ": " + s
		}
		switch {
		case m.Progress != "":
			onProgress(s + " " + termsafe.Line(m.Progress))
		case s != "" && s != last:
			last = s
			onStatus(s)
		}
	})
	if se := stalled(); se != nil {
		return se
	}
	if err != nil {
		return err
	}
	if failed != "" {
		return fmt.Errorf("cannot %s: %s. %s", op, strings.TrimSuffix(failed, "."), pullAdvice)
	}
	return nil
}
