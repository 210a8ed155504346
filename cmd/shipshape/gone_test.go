package main

import (
	"bytes"
	"context"
	"io"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/docker/docker/api/types/container"
	"github.com/docker/docker/api/types/filters"

	"shipshape/internal/docker/dockertest"
	"shipshape/internal/progress"
)

// cutProxy is a unix socket that forwards to a real daemon until cut: then
// its listener and every connection close and the socket goes away, as a
// daemon that stops or restarts mid-check does.
type cutProxy struct {
	sock    string
	ln      net.Listener
	started chan struct{} // closed at the first container start forwarded
	mu      sync.Mutex
	conns   []net.Conn
	once    sync.Once
	cutOnce sync.Once
}

// newCutProxy forwards a unix socket of its own to the daemon at host
// ("unix:///…"); it is cut when the test ends at the latest.
func newCutProxy(t *testing.T, host string) *cutProxy {
	t.Helper()
	target, ok := strings.CutPrefix(host, "unix://")
	if !ok {
		t.Skipf("the proxy forwards to a unix socket, not %s", host)
	}
	dir, err := os.MkdirTemp("", "gone")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = os.RemoveAll(dir) })
	p := &cutProxy{sock: filepath.Join(dir, "docker.sock"), started: make(chan struct{})}
	p.ln, err = net.Listen("unix", p.sock)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(p.cut)
	go func() {
		for {
			c, err := p.ln.Accept()
			if err != nil {
				return
			}
			d, err := net.Dial("unix", target)
			if err != nil {
				_ = c.Close()
				continue
			}
			p.mu.Lock()
			p.conns = append(p.conns, c, d)
			p.mu.Unlock()
			go func() { _, _ = io.Copy(c, d); _ = c.Close() }()
			go p.forward(d, c)
		}
	}()
	return p
}

// forward copies a client's requests to the daemon, noting the first
// container start among them.
func (p *cutProxy) forward(to, from net.Conn) {
	defer to.Close()
	buf := make([]byte, 32<<10)
	for {
		n, err := from.Read(buf)
		if n > 0 {
			if bytes.HasPrefix(buf[:n], []byte("POST ")) && bytes.Contains(bytes.SplitN(buf[:n], []byte("\n"), 2)[0], []byte("/start ")) {
				p.once.Do(func() { close(p.started) })
			}
			if _, werr := to.Write(buf[:n]); werr != nil {
				return
			}
		}
		if err != nil {
			return
		}
	}
}

func (p *cutProxy) cut() {
	p.cutOnce.Do(func() {
		_ = p.ln.Close()
		_ = os.Remove(p.sock)
		p.mu.Lock()
		defer p.mu.Unlock()
		for _, c := range p.conns {
			_ = c.Close()
		}
	})
}

// TestDaemonGoesAwayMidCheck: the daemon disappears while check 3.1 waits
// for a container to turn healthy. The check ends at once with exit 2
// and says Docker is gone, the progress file stays readable with the
// earlier pass, and the containers the check could not remove go at the
// next start against the daemon, once it is back.
func TestDaemonGoesAwayMidCheck(t *testing.T) {
	ctx, e := openDockerEnv(t, 5*time.Minute)
	state := useStateDir(t)
	// Slow to answer its probe, so the cut comes while the checks wait.
	ref, err := e.Build(ctx, "slowstart", `FROM BASE
USER app
HEALTHCHECK --interval=30s --timeout=3s CMD ["wget","-q","-O-","http://127.0.0.1:8080/"]
CMD ["sh","-c","trap 'exit 0' TERM; sleep 3; httpd -p 8080 -h /www; while :; do sleep 1 & wait $!; done"]
`)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	must(t, os.WriteFile(filepath.Join(dir, "Dockerfile"), []byte("FROM busybox\nUSER app\n"), 0o644))
	real := e.Docker.Host().URL
	args := func(host string) []string {
		return []string{"--host", host, "check", "3.1", "--image", ref, "--dir", dir}
	}

	// An earlier attempt that passed, which the fault must not lose.
	if out, errOut, code := run(t, "", args(real)...); code != 0 {
		t.Fatalf("3.1 on the real daemon: exit %d\n%s%s", code, out, errOut)
	}

	p := newCutProxy(t, real)
	cmd, out, errb := shipshape(t, []string{progress.EnvStateDir + "=" + state}, "", "", args("unix://"+p.sock)...)
	select {
	case <-p.started:
	case <-time.After(time.Minute):
		t.Fatal("the check started no container")
	}
	time.Sleep(500 * time.Millisecond) // the checks are waiting now
	cutAt := time.Now()
	p.cut()
	code := waitExit(t, cmd, 60*time.Second)
	took := time.Since(cutAt)
	t.Logf("exit %d %s after the cut\nstdout:\n%s\nstderr:\n%s", code, took.Round(time.Millisecond), out, errb)
	all := out.String() + errb.String()
	if code != 2 {
		t.Errorf("exit %d, want 2 (could not check)", code)
	}
	// Usually the event stream notices first ("lost the connection to
	// the Docker daemon"); a check calling the daemon just then is told
	// that nothing answers at the socket.
	if !strings.Contains(errb.String(), "Docker daemon") || strings.Contains(strings.ToLower(all), "panic") {
		t.Errorf("the output does not say that Docker went away")
	}
	if took > 30*time.Second {
		t.Errorf("took %s after the daemon went away", took)
	}

	st, _, err := progress.Load(state, "phase3-production-readiness")
	if err != nil {
		t.Fatalf("progress after the fault: %v", err)
	}
	ex := st.Exercises["3.1"]
	if ex == nil || ex.PassedAt == nil || len(ex.Attempts) == 0 || !ex.Attempts[0].Passed {
		t.Fatalf("the earlier pass is lost: %+v", ex)
	}
	for _, a := range ex.Attempts[1:] {
		if a.Passed {
			t.Errorf("an attempt cut short is recorded as passed: %+v", a)
		}
	}

	// What the cut check made is still on the daemon; the next start
	// against it (the daemon is back) removes it, and that check passes.
	t.Logf("containers of the cut check on the daemon: %d", containersOf(t, ctx, e, ref))
	if out, errOut, code := run(t, "", args(real)...); code != 0 {
		t.Fatalf("3.1 on the daemon once back: exit %d\n%s%s", code, out, errOut)
	}
	if n := containersOf(t, ctx, e, ref); n != 0 {
		t.Errorf("%d containers of the cut check left once the daemon is back", n)
	}
}

// containersOf counts the containers of image ref, whoever made them.
func containersOf(t *testing.T, ctx context.Context, e *dockertest.Env, ref string) int {
	t.Helper()
	cs, err := e.API().ContainerList(ctx, container.ListOptions{All: true, Filters: filters.NewArgs(filters.Arg("ancestor", ref))})
	if err != nil {
		t.Fatal(err)
	}
	return len(cs)
}
