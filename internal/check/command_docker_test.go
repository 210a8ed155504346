package check_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"shipshape/internal/check"
	"shipshape/internal/docker/dockertest"
)

func TestContainerCommand(t *testing.T) {
	e := dockertest.Need(t)
	eng := check.NewEngine(e.Docker)
	cases := []struct {
		name   string
		params map[string]any
		want   check.Status
		ev     string
	}{
		{"exit-0", map[string]any{"argv": []any{"echo", "hello"}, "stdout": "^hello\n$"}, check.StatusPass, "stdout: hello"},
		{"exit-code", map[string]any{"argv": []any{"false"}}, check.StatusFail, "exited with code 1, expected 0"},
		{"expected-nonzero", map[string]any{"argv": []any{"false"}, "exit_code": 1}, check.StatusPass, "code 1"},
		{"stdout-mismatch", map[string]any{"argv": []any{"echo", "bye"}, "stdout": "hello"}, check.StatusFail, "stdout does not match /hello/"},
		{"stderr", map[string]any{"argv": []any{"sh", "-c", "echo oops >&2"}, "stderr": "oops"}, check.StatusPass, "stderr: oops"},
		{"timeout", map[string]any{"argv": []any{"sleep", "30"}, "timeout_seconds": 1}, check.StatusFail, "timed out after 1s"},
		{"missing-program", map[string]any{"argv": []any{"/no/such/program"}}, check.StatusFail, "cannot run"},
		// The container has no network but loopback, and no capabilities.
		{"no-network", map[string]any{"argv": []any{"ls", "/sys/class/net"}, "stdout": `^lo\n$`}, check.StatusPass, ""},
		{"no-capabilities", map[string]any{"argv": []any{"cat", "/proc/self/status"}, "stdout": `CapEff:\s+0000000000000000`}, check.StatusPass, ""},
		{"no-host-env", map[string]any{"argv": []any{"env"}, "stdout": "SHIPSHAPE_CANARY"}, check.StatusFail, "does not match"},
		// dd allocates its block in one piece: 400 MiB is over the memory limit.
		{"memory-limit", map[string]any{"argv": []any{"dd", "if=/dev/zero", "of=/dev/null", "bs=400M", "count=1"}}, check.StatusFail, "exit 137, OOMKilled"},
		// The root filesystem is read-only and /tmp a small tmpfs, so no
		// command can fill the daemon's disk.
		{"disk-rootfs", map[string]any{"argv": []any{"dd", "if=/dev/zero", "of=/big", "bs=1M", "count=200"}}, check.StatusFail, "Read-only file system"},
		{"disk-tmp", map[string]any{"argv": []any{"dd", "if=/dev/zero", "of=/tmp/big", "bs=1M", "count=200"}}, check.StatusFail, "No space left on device"},
		{"tmp-writable", map[string]any{"argv": []any{"sh", "-c", "echo hi >/tmp/f && cat /tmp/f"}, "stdout": "^hi\n$"}, check.StatusPass, ""},
		// Endless output is cut off while it runs, not read after the fact.
		{"endless-output", map[string]any{"argv": []any{"yes"}, "timeout_seconds": 5}, check.StatusFail, "output exceeded 1048576 bytes"},
	}
	t.Setenv("SHIPSHAPE_CANARY", "leaked")
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			defer cancel()
			spec := check.Spec{ID: "c", Kind: "container.command", Required: true, Params: tc.params}
			start := time.Now()
			rep := eng.Run(ctx, []check.Spec{spec}, check.Target{Image: e.Base}, nil)
			res := rep.Results[0]
			all := strings.Join(res.Evidence, "\n")
			t.Logf("%s %s in %s:\n%s", res.Status, res.Title, time.Since(start).Round(time.Millisecond), all)
			if res.Status != tc.want || !strings.Contains(all, tc.ev) {
				t.Errorf("got %s, want %s with %q", res.Status, tc.want, tc.ev)
			}
		})
	}
	if n := countContainers(t, e, e.Base); n != 0 {
		t.Errorf("%d command containers left", n)
	}
}
