package docker

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"github.com/docker/docker/api/types/container"
	"github.com/docker/docker/pkg/stdcopy"

	"shipshape/internal/termsafe"
)

// FollowLogs implements lab.Docker. Lines are sanitized for the terminal;
// stream is "stdout" or "stderr". It returns nil when the container stops
// or ctx ends.
func (c *Client) FollowLogs(ctx context.Context, id string, onLine func(stream, line string)) error {
	cctx, cancel := c.call(ctx)
	ci, err := c.api.ContainerInspect(cctx, id)
	cancel()
	if err != nil {
		return c.classify("inspect container "+short(id), "", err)
	}
	rc, err := c.api.ContainerLogs(ctx, id, container.LogsOptions{ShowStdout: true, ShowStderr: true, Follow: true})
	if err != nil {
		return c.classify("follow the logs of container "+short(id), "", err)
	}
	defer rc.Close()
	// Closing the body is what ends a blocked read when ctx ends.
	stop := context.AfterFunc(ctx, func() { rc.Close() })
	defer stop()
	out := &lineWriter{stream: "stdout", on: onLine}
	errw := &lineWriter{stream: "stderr", on: onLine}
	if ci.Config != nil && ci.Config.Tty {
		_, err = io.Copy(out, rc)
	} else {
		_, err = stdcopy.StdCopy(out, errw, rc)
	}
	out.flush()
	errw.flush()
	if ctx.Err() != nil || err == nil || errors.Is(err, io.EOF) || errors.Is(err, io.ErrClosedPipe) {
		return nil
	}
	return fmt.Errorf("cannot follow the logs of container %s: %w", short(id), err)
}

// lineWriter splits a byte stream into sanitized lines; an overlong line
// is cut into pieces of at most maxLogLine bytes so a container or a build
// printing without newlines cannot exhaust memory.
type lineWriter struct {
	stream string
	on     func(stream, line string)
	buf    []byte
}

const maxLogLine = 16 << 10

func (w *lineWriter) Write(p []byte) (int, error) {
	w.buf = append(w.buf, p...)
	w.split()
	return len(p), nil
}

// WriteString is Write for text that arrives as a string (the builder's
// JSON stream).
func (w *lineWriter) WriteString(s string) {
	w.buf = append(w.buf, s...)
	w.split()
}

func (w *lineWriter) split() {
	for {
		if i := bytes.IndexByte(w.buf, '\n'); i >= 0 && i <= maxLogLine {
			w.emit(w.buf[:i])
			w.buf = w.buf[i+1:]
			continue
		}
		if len(w.buf) <= maxLogLine {
			break
		}
		// Cut at a rune boundary so the piece stays UTF-8.
		n := maxLogLine
		for n > maxLogLine-utf8.UTFMax && !utf8.RuneStart(w.buf[n]) {
			n--
		}
		w.emit(w.buf[:n])
		w.buf = w.buf[n:]
	}
	if len(w.buf) == 0 {
		w.buf = nil // let a large backing array go
	}
}

func (w *lineWriter) emit(b []byte) {
	w.on(w.stream, termsafe.Line(strings.TrimRight(string(b), "\r")))
}

func (w *lineWriter) flush() {
	if len(w.buf) > 0 {
		w.emit(w.buf)
	}
	w.buf = nil
}
