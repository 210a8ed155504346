package docker_test

import (
	"context"
	"net"
	"os"
	"strings"
	"testing"
	"time"

	"shipshape/internal/docker"
	"shipshape/internal/docker/dockertest"
)

// --pull in a classroom without a registry: the pull ends with an error
// that says what to do, within the pull bound, whether the registry
// refuses the connection or takes it and never answers.
func TestPullWithoutRegistryIsBoundedAndAdvises(t *testing.T) {
	e := dockertest.Need(t)
	const bound = 3 * time.Second
	c, err := docker.New(docker.Options{Host: e.Docker.Host().URL, PullIdle: bound})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	info, err := e.API().Info(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	hostname, _ := os.Hostname()
	local := info.Name == hostname // the testbed's Engine 26 runs in a container

	// A registry that takes the connection and then says nothing.
	silent, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer silent.Close()
	go func() {
		var held []net.Conn
		defer func() {
			for _, c := range held {
				c.Close()
			}
		}()
		for {
			conn, err := silent.Accept()
			if err != nil {
				return
			}
			held = append(held, conn)
		}
	}()
	refused, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	refusedAddr := refused.Addr().String()
	refused.Close()

	for _, tc := range []struct {
		name, ref, want string
	}{
		{"refused", refusedAddr + "/shipshape-test/none:1", "cannot pull"},
		{"silent", silent.Addr().String() + "/shipshape-test/none:1", "no answer from its registry for 3s"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
			defer cancel()
			start := time.Now()
			var statuses []string
			err := c.PullImage(ctx, tc.ref, func(s string) { statuses = append(statuses, s) }, nil)
			took := time.Since(start)
			if err == nil {
				t.Fatalf("pulled %s from nowhere", tc.ref)
			}
			msg := err.Error()
			t.Logf("after %s: %s (statuses %q)", took.Round(time.Millisecond), msg, statuses)
			if !strings.Contains(msg, "build without --pull") || !strings.Contains(msg, "shipshape.yaml") {
				t.Errorf("no advice in %q", msg)
			}
			if (local || tc.name == "refused") && !strings.Contains(msg, tc.want) {
				t.Errorf("error %q, want it to say %q", msg, tc.want)
			}
			// The daemon's own retries and timeouts take longer; the bound
			// (with a margin for a slow daemon) is what the learner waits.
			if took > bound+20*time.Second {
				t.Errorf("the pull took %s, more than its bound of %s", took, bound)
			}
		})
	}
}
