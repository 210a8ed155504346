// Command inventory is a small HTTP service that reports how many of each
// item are in stock, written to behave well under an orchestrator: it has
// a liveness endpoint (/healthz), a readiness endpoint (/readyz) that
// reports its upstream dependency and its draining state, a -probe mode for
// a HEALTHCHECK in images without curl, and a graceful shutdown on SIGTERM.
//
// Configuration, all optional, from the environment:
//
//	INVENTORY_ADDR              listen address (":8080")
//	INVENTORY_UPSTREAM_URL      a URL that must answer 2xx or 3xx before /readyz reports ready
//	INVENTORY_DRAIN_DELAY       how long to keep serving, not ready, after SIGTERM ("3s")
//	INVENTORY_SHUTDOWN_TIMEOUT  how long in-flight requests get to finish after that ("5s")
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"sort"
	"sync/atomic"
	"syscall"
	"time"
)

// version is printed by -version. Release builds set it with
// -ldflags "-X main.version=1.2.3".
var version = "dev"

// upstreamEvery is how often the upstream dependency is checked. The
// readiness handler reads the last result instead of calling the upstream
// itself, so a burst of probes never becomes a burst of upstream requests.
const upstreamEvery = 2 * time.Second

// Item is one stock-keeping unit.
type Item struct {
	SKU      string `json:"sku"`
	Name     string `json:"name"`
	Quantity int    `json:"quantity"`
}

// store holds the stock. It is read-only after start, so handlers can
// share it without locking.
type store map[string]Item

func seedStore() store {
	return store{
		"bolt-m6":   {SKU: "bolt-m6", Name: "Hex bolt M6", Quantity: 1200},
		"nut-m6":    {SKU: "nut-m6", Name: "Hex nut M6", Quantity: 950},
		"washer-m6": {SKU: "washer-m6", Name: "Washer M6", Quantity: 0},
	}
}

// health is what the probe endpoints report. Both flags are atomics
// because the upstream watcher and the shutdown sequence set them while
// handlers read them.
type health struct {
	upstreamOK atomic.Bool
	draining   atomic.Bool
}

// notReady returns why the service should get no traffic, or "" when it
// is ready.
func (h *health) notReady() string {
	switch {
	case h.draining.Load():
		return "shutting down"
	case !h.upstreamOK.Load():
		return "upstream not available"
	}
	return ""
}

func newMux(s store, h *health) *http.ServeMux {
	mux := http.NewServeMux()
	// Liveness: the process is up and its HTTP server answers. It checks
	// no dependency on purpose: restarting this service cannot fix its
	// upstream, and a liveness probe that follows the upstream would
	// restart every replica at once when the upstream has a bad minute.
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) {
		writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
	})
	// Readiness: should this instance get traffic right now?
	mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, _ *http.Request) {
		if why := h.notReady(); why != "" {
			writeJSON(w, http.StatusServiceUnavailable, map[string]string{"status": "not ready", "reason": why})
			return
		}
		writeJSON(w, http.StatusOK, map[string]string{"status": "ready"})
	})
	mux.HandleFunc("GET /items", func(w http.ResponseWriter, _ *http.Request) {
		items := make([]Item, 0, len(s))
		for _, it := range s {
			items = append(items, it)
		}
		sort.Slice(items, func(i, j int) bool { return items[i].SKU < items[j].SKU })
		writeJSON(w, http.StatusOK, items)
	})
	mux.HandleFunc("GET /items/{sku}", func(w http.ResponseWriter, r *http.Request) {
		it, ok := s[r.PathValue("sku")]
		if !ok {
			writeJSON(w, http.StatusNotFound, map[string]string{"error": "no such item"})
			return
		}
		writeJSON(w, http.StatusOK, it)
	})
	return mux
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// config is the service's configuration, read from the environment.
type config struct {
	addr            string
	upstreamURL     string
	drainDelay      time.Duration
	shutdownTimeout time.Duration
}

func loadConfig(getenv func(string) string) (config, error) {
	c := config{addr: ":8080", upstreamURL: getenv("INVENTORY_UPSTREAM_URL"), drainDelay: 3 * time.Second, shutdownTimeout: 5 * time.Second}
	if v := getenv("INVENTORY_ADDR"); v != "" {
		c.addr = v
	}
	for _, d := range []struct {
		name string
		dst  *time.Duration
	}{
		{"INVENTORY_DRAIN_DELAY", &c.drainDelay},
		{"INVENTORY_SHUTDOWN_TIMEOUT", &c.shutdownTimeout},
	} {
		v := getenv(d.name)
		if v == "" {
			continue
		}
		dur, err := time.ParseDuration(v)
		if err != nil || dur < 0 {
			return c, fmt.Errorf("%s=%q is not a duration such as 3s or 500ms", d.name, v)
		}
		*d.dst = dur
	}
	return c, nil
}

// probeClient never uses a proxy: a probe asks this very container.
func probeClient(timeout time.Duration) *http.Client {
	return &http.Client{Timeout: timeout, Transport: &http.Transport{Proxy: nil}}
}

// get requests url and accepts any 2xx or 3xx answer, like a Kubernetes
// httpGet probe.
func get(ctx context.Context, client *http.Client, url string) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return err
	}
	resp, err := client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	if resp.StatusCode < 200 || resp.StatusCode > 399 {
		return fmt.Errorf("%s answered %s", url, resp.Status)
	}
	return nil
}

// probe is the -probe mode: one request, exit code 0 for healthy and 1 for
// unhealthy, as HEALTHCHECK expects. It lets a HEALTHCHECK work in images
// that have no shell, curl or wget.
func probe(url string, stderr io.Writer) int {
	if err := get(context.Background(), probeClient(2*time.Second), url); err != nil {
		fmt.Fprintf(stderr, "probe failed: %v\n", err)
		return 1
	}
	return 0
}

// watchUpstream checks the upstream every upstreamEvery until ctx ends and
// records the result for /readyz.
func watchUpstream(ctx context.Context, url string, h *health, logger *slog.Logger) {
	client := probeClient(time.Second)
	check := func() {
		err := get(ctx, client, url)
		ok := err == nil
		if h.upstreamOK.Swap(ok) != ok {
			if ok {
				logger.Info("upstream available", "url", url)
			} else {
				logger.Warn("upstream not available", "url", url, "err", err)
			}
		}
	}
	check()
	t := time.NewTicker(upstreamEvery)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			check()
		}
	}
}

// run serves on ln until ctx is cancelled, then shuts down in order:
// report not ready, keep serving for the drain delay so that load
// balancers notice, then stop accepting connections and give in-flight
// requests up to the shutdown timeout to finish.
func run(ctx context.Context, ln net.Listener, cfg config, logger *slog.Logger) error {
	h := &health{}
	if cfg.upstreamURL == "" {
		h.upstreamOK.Store(true)
	} else {
		go watchUpstream(ctx, cfg.upstreamURL, h, logger)
	}
	srv := &http.Server{
		Handler:           newMux(seedStore(), h),
		ReadHeaderTimeout: 5 * time.Second,
		ErrorLog:          slog.NewLogLogger(logger.Handler(), slog.LevelWarn),
	}
	serveErr := make(chan error, 1)
	go func() { serveErr <- srv.Serve(ln) }()
	logger.Info("listening", "addr", ln.Addr().String(), "version", version)

	select {
	case err := <-serveErr:
		return fmt.Errorf("cannot serve: %w", err)
	case <-ctx.Done():
	}

	h.draining.Store(true)
	logger.Info("shutdown requested; draining", "drain_delay", cfg.drainDelay.String())
	time.Sleep(cfg.drainDelay)

	sctx, cancel := context.WithTimeout(context.Background(), cfg.shutdownTimeout)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		// Requests still running at the deadline are cut off.
		_ = srv.Close()
		return fmt.Errorf("cannot finish in-flight requests within %s: %w", cfg.shutdownTimeout, err)
	}
	// Serve returns ErrServerClosed as soon as Shutdown starts; it is the
	// expected outcome, not an error.
	if err := <-serveErr; !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("cannot serve: %w", err)
	}
	logger.Info("stopped")
	return nil
}

func main() {
	probeURL := flag.String("probe", "", "request `URL` once and exit 0 if it answers 2xx or 3xx, 1 otherwise (for HEALTHCHECK)")
	showVersion := flag.Bool("version", false, "print the version and exit")
	flag.Parse()
	switch {
	case *showVersion:
		fmt.Printf("inventory %s\n", version)
		return
	case *probeURL != "":
		os.Exit(probe(*probeURL, os.Stderr))
	}

	logger := slog.New(slog.NewJSONHandler(os.Stdout, nil))
	cfg, err := loadConfig(os.Getenv)
	if err != nil {
		logger.Error("invalid configuration", "err", err)
		os.Exit(2)
	}
	// SIGTERM is what docker stop and Kubernetes send; SIGINT is Ctrl-C.
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	go func() {
		// After the first signal, restore the default behaviour so that a
		// second Ctrl-C ends the process at once instead of waiting.
		<-ctx.Done()
		stop()
	}()

	ln, err := net.Listen("tcp", cfg.addr)
	if err != nil {
		logger.Error("cannot listen", "addr", cfg.addr, "err", err)
		os.Exit(1)
	}
	if err := run(ctx, ln, cfg, logger); err != nil {
		logger.Error("stopped with an error", "err", err)
		os.Exit(1)
	}
}
