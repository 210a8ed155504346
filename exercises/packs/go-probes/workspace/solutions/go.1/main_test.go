package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

func TestItems(t *testing.T) {
	h := &health{}
	srv := httptest.NewServer(newMux(seedStore(), h))
	defer srv.Close()

	resp, err := http.Get(srv.URL + "/items")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var items []Item
	if err := json.NewDecoder(resp.Body).Decode(&items); err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusOK || len(items) != 3 || items[0].SKU != "bolt-m6" {
		t.Fatalf("GET /items = %d %+v, want 200 and three items sorted by SKU", resp.StatusCode, items)
	}
}

func TestProbeEndpoints(t *testing.T) {
	for _, tc := range []struct {
		name                 string
		upstreamOK, draining bool
		healthz, readyz      int
	}{
		{"starting, upstream not checked yet", false, false, 200, 503},
		{"ready", true, false, 200, 200},
		{"draining", true, true, 200, 503},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := &health{}
			h.upstreamOK.Store(tc.upstreamOK)
			h.draining.Store(tc.draining)
			srv := httptest.NewServer(newMux(seedStore(), h))
			defer srv.Close()
			for path, want := range map[string]int{"/healthz": tc.healthz, "/readyz": tc.readyz} {
				if got := status(t, srv.URL+path); got != want {
					t.Errorf("GET %s = %d, want %d", path, got, want)
				}
			}
		})
	}
}

func TestProbe(t *testing.T) {
	ok := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {}))
	defer ok.Close()
	down := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.WriteHeader(http.StatusServiceUnavailable)
	}))
	defer down.Close()
	// A port that was just free: nothing listens there.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := "http://" + ln.Addr().String() + "/healthz"
	ln.Close()

	for _, tc := range []struct {
		url  string
		want int
	}{
		{ok.URL, 0},
		{down.URL, 1},
		{closed, 1},
	} {
		var stderr bytes.Buffer
		if got := probe(tc.url, &stderr); got != tc.want {
			t.Errorf("probe(%s) = %d, want %d (stderr %q)", tc.url, got, tc.want, stderr.String())
		}
		if tc.want != 0 && !strings.Contains(stderr.String(), "probe failed") {
			t.Errorf("probe(%s) wrote %q, want a reason", tc.url, stderr.String())
		}
	}
}

func TestLoadConfig(t *testing.T) {
	env := map[string]string{"INVENTORY_DRAIN_DELAY": "250ms", "INVENTORY_UPSTREAM_URL": "http://stock:9000/healthz"}
	c, err := loadConfig(func(k string) string { return env[k] })
	if err != nil {
		t.Fatal(err)
	}
	if c.addr != ":8080" || c.drainDelay != 250*time.Millisecond || c.shutdownTimeout != 5*time.Second || c.upstreamURL != env["INVENTORY_UPSTREAM_URL"] {
		t.Errorf("loadConfig = %+v", c)
	}
	env["INVENTORY_SHUTDOWN_TIMEOUT"] = "soon"
	if _, err := loadConfig(func(k string) string { return env[k] }); err == nil {
		t.Error("loadConfig accepted INVENTORY_SHUTDOWN_TIMEOUT=soon")
	}
}

// TestShutdown runs the service with an upstream that is down at first,
// then cancels it like a SIGTERM would and checks the order of events:
// not ready until the upstream answers, not ready but still serving while
// draining, and then a clean stop with the listener closed.
func TestShutdown(t *testing.T) {
	var upstreamUp atomic.Bool
	upstream := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		if !upstreamUp.Load() {
			w.WriteHeader(http.StatusServiceUnavailable)
		}
	}))
	defer upstream.Close()

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	base := "http://" + ln.Addr().String()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	cfg := config{upstreamURL: upstream.URL, drainDelay: 500 * time.Millisecond, shutdownTimeout: 2 * time.Second}
	var logs syncBuffer
	done := make(chan error, 1)
	go func() { done <- run(ctx, ln, cfg, slog.New(slog.NewJSONHandler(&logs, nil))) }()

	waitFor(t, "liveness", func() bool { return status(t, base+"/healthz") == 200 })
	if got := status(t, base+"/readyz"); got != 503 {
		t.Fatalf("readyz with the upstream down = %d, want 503", got)
	}
	upstreamUp.Store(true)
	waitFor(t, "readiness after the upstream came up", func() bool { return status(t, base+"/readyz") == 200 })

	cancel()
	waitFor(t, "readiness to fail while draining", func() bool { return status(t, base+"/readyz") == 503 })
	if got := status(t, base+"/items/nut-m6"); got != 200 {
		t.Errorf("GET /items/nut-m6 while draining = %d, want 200: the drain delay must keep serving", got)
	}
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("run = %v, want a clean stop", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("run did not return within 5s of cancellation")
	}
	if _, err := http.Get(base + "/healthz"); err == nil {
		t.Error("the server still answers after run returned")
	}
	got := logs.String()
	for _, want := range []string{`"msg":"listening"`, `"msg":"shutdown requested; draining"`, `"msg":"stopped"`} {
		if !strings.Contains(got, want) {
			t.Errorf("logs lack %s:\n%s", want, got)
		}
	}
}

func status(t *testing.T, url string) int {
	t.Helper()
	resp, err := probeClient(time.Second).Get(url)
	if err != nil {
		return 0
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, resp.Body)
	return resp.StatusCode
}

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// syncBuffer is a bytes.Buffer that the service's goroutines can write to
// while the test reads it.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
