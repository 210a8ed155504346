package docker

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestResolveHost(t *testing.T) {
	home := t.TempDir()
	writeContext := func(cfgDir, name, host string) {
		sum := sha256.Sum256([]byte(name))
		dir := filepath.Join(cfgDir, "contexts", "meta", hex.EncodeToString(sum[:]))
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		meta := `{"Name":"` + name + `","Metadata":{},"Endpoints":{"docker":{"Host":"` + host + `","SkipTLSVerify":false}}}`
		if err := os.WriteFile(filepath.Join(dir, "meta.json"), []byte(meta), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	cfg := filepath.Join(home, ".docker")
	writeContext(cfg, "colima", "unix:///home/me/.colima/docker.sock")
	if err := os.WriteFile(filepath.Join(cfg, "config.json"), []byte(`{"currentContext":"colima"}`), 0o644); err != nil {
		t.Fatal(err)
	}
	other := filepath.Join(home, "other")
	writeContext(other, "remote", "tcp://10.0.0.5:2376")

	env := func(vars map[string]string, exists ...string) Env {
		return Env{
			Getenv: func(k string) string { return vars[k] },
			Home:   home,
			Exists: func(p string) bool {
				for _, e := range exists {
					if e == p {
						return true
					}
				}
				return false
			},
		}
	}
	bareHome := t.TempDir()
	tests := []struct {
		name     string
		flag     string
		e        Env
		url, src string
		errHas   string
	}{
		{"flag wins", "tcp://1.2.3.4:2375", env(map[string]string{"DOCKER_HOST": "unix:///x.sock"}), "tcp://1.2.3.4:2375", "--host flag", ""},
		{"DOCKER_HOST", "", env(map[string]string{"DOCKER_HOST": "unix:///x.sock", "DOCKER_CONTEXT": "colima"}), "unix:///x.sock", "DOCKER_HOST", ""},
		{"DOCKER_CONTEXT", "", env(map[string]string{"DOCKER_CONTEXT": "colima"}), "unix:///home/me/.colima/docker.sock", `docker context "colima" (from DOCKER_CONTEXT)`, ""},
		{"currentContext", "", env(nil), "unix:///home/me/.colima/docker.sock", "currentContext", ""},
		{"DOCKER_CONFIG", "", env(map[string]string{"DOCKER_CONFIG": other, "DOCKER_CONTEXT": "remote"}), "tcp://10.0.0.5:2376", "remote", ""},
		{"unknown context", "", env(map[string]string{"DOCKER_CONTEXT": "nope"}), "", "", "no such context"},
		{"default context", "", env(map[string]string{"DOCKER_CONTEXT": "default"}, "/var/run/docker.sock"), DefaultSocket, "default socket", ""},
		{"rootless", "", Env{Getenv: func(k string) string {
			return map[string]string{"XDG_RUNTIME_DIR": "/run/user/1000"}[k]
		}, Home: bareHome, Exists: func(p string) bool { return p == "/run/user/1000/docker.sock" }}, "unix:///run/user/1000/docker.sock", "rootless", ""},
		{"nothing", "", Env{Getenv: func(string) string { return "" }, Home: bareHome, Exists: func(string) bool { return false }}, DefaultSocket, "not found", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h, err := ResolveHost(tc.flag, tc.e)
			if tc.errHas != "" {
				if err == nil || !strings.Contains(err.Error(), tc.errHas) {
					t.Fatalf("err = %v, want %q", err, tc.errHas)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if h.URL != tc.url || !strings.Contains(h.Source, tc.src) {
				t.Errorf("got %+v, want %s from %s", h, tc.url, tc.src)
			}
		})
	}
}

// TestAPITooOld serves a ping from a pretend engine that speaks API 1.30,
// since no such engine is at hand.
func TestAPITooOld(t *testing.T) {
	sock := filepath.Join(t.TempDir(), "old.sock")
	l, err := net.Listen("unix", sock)
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Api-Version", "1.30")
		w.Header().Set("Ostype", "linux")
		_, _ = w.Write([]byte("OK"))
	})}
	go srv.Serve(l)
	defer srv.Close()
	_, err = Connect(context.Background(), Options{Host: "unix://" + sock})
	if KindOf(err) != APITooOld {
		t.Fatalf("kind %v (%v), want API too old", KindOf(err), err)
	}
	if !strings.Contains(err.Error(), "1.30") || !strings.Contains(Advice(err), "Upgrade") {
		t.Errorf("error %q, advice %q", err, Advice(err))
	}
}
