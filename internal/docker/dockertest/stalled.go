package dockertest

import (
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// StalledDaemon serves a Docker daemon that answers /_ping (API 1.41) and
// /version and then never answers anything else: each other request
// hangs until the client gives up, as a daemon stuck on a lock does.
// extra handles the paths (without the /v1.41 prefix) a test wants
// answered some other way. It listens on a unix socket in a temporary
// directory and returns the host URL; it stops when the test ends.
func StalledDaemon(t testing.TB, extra map[string]http.HandlerFunc) string {
	t.Helper()
	// Socket paths are limited to about 100 bytes; t.TempDir can be longer.
	dir, err := os.MkdirTemp("", "stalled-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	sock := filepath.Join(dir, "docker.sock")
	l, err := net.Listen("unix", sock)
	if err != nil {
		t.Fatal(err)
	}
	// A handler that never read the request body is not told when the
	// client goes away, so the end of the test releases it.
	done := make(chan struct{})
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		path := r.URL.Path
		if i := strings.Index(path[1:], "/"); strings.HasPrefix(path, "/v1.") && i > 0 {
			path = path[i+1:]
		}
		w.Header().Set("Api-Version", "1.41")
		w.Header().Set("Ostype", "linux")
		switch {
		case path == "/_ping":
			_, _ = w.Write([]byte("OK"))
		case path == "/version":
			w.Header().Set("Content-Type", "application/json")
			_, _ = w.Write([]byte(`{"Version":"20.10.24","ApiVersion":"1.41","MinAPIVersion":"1.12","Os":"linux","Arch":"amd64"}`))
		case extra[path] != nil:
			extra[path](w, r)
		default:
			select {
			case <-r.Context().Done():
			case <-done:
			}
		}
	}))
	srv.Listener.Close()
	srv.Listener = l
	srv.Start()
	t.Cleanup(func() {
		close(done)
		srv.Close()
	})
	return "unix://" + sock
}
