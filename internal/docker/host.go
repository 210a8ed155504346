package docker

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// DefaultSocket is where Docker Engine listens on Linux and macOS.
const DefaultSocket = "unix:///var/run/docker.sock"

// Host is a resolved daemon address and where it came from.
type Host struct {
	// URL is the daemon address, such as unix:///var/run/docker.sock.
	URL string
	// Source says where URL came from, for people: "--host flag",
	// "DOCKER_HOST", "context \"colima\"", "default socket",
	// "rootless socket".
	Source string
	// FromEnv is true when URL came from DOCKER_HOST, so the TLS settings
	// of DOCKER_TLS_VERIFY and DOCKER_CERT_PATH apply.
	FromEnv bool
}

// Env is what host resolution reads from the process environment and
// filesystem; tests replace it.
type Env struct {
	Getenv func(string) string
	// Home is the user's home directory.
	Home string
	// Exists reports whether a path exists.
	Exists func(string) bool
}

// OSEnv returns the real environment.
func OSEnv() Env {
	home, _ := os.UserHomeDir()
	return Env{
		Getenv: os.Getenv,
		Home:   home,
		Exists: func(p string) bool { _, err := os.Stat(p); return err == nil },
	}
}

// ResolveHost finds the daemon address in the order the docker CLI uses:
// the --host flag, DOCKER_HOST, the DOCKER_CONTEXT variable or the current
// context of the CLI configuration, the default socket, then the rootless
// socket in $XDG_RUNTIME_DIR.
func ResolveHost(flagHost string, e Env) (Host, error) {
	if flagHost != "" {
		return Host{URL: flagHost, Source: "--host flag"}, nil
	}
	if h := e.Getenv("DOCKER_HOST"); h != "" {
		return Host{URL: h, Source: "DOCKER_HOST", FromEnv: true}, nil
	}
	cfgDir := e.Getenv("DOCKER_CONFIG")
	if cfgDir == "" {
		cfgDir = filepath.Join(e.Home, ".docker")
	}
	name, from := e.Getenv("DOCKER_CONTEXT"), "DOCKER_CONTEXT"
	if name == "" {
		name, from = currentContext(cfgDir), "currentContext in "+filepath.Join(cfgDir, "config.json")
	}
	if name != "" && name != "default" {
		h, err := contextHost(cfgDir, name)
		if err != nil {
			return Host{}, fmt.Errorf("cannot use docker context %q (from %s): %w", name, from, err)
		}
		return Host{URL: h, Source: fmt.Sprintf("docker context %q (from %s)", name, from)}, nil
	}
	if e.Exists(strings.TrimPrefix(DefaultSocket, "unix://")) {
		return Host{URL: DefaultSocket, Source: "default socket"}, nil
	}
	if rt := e.Getenv("XDG_RUNTIME_DIR"); rt != "" {
		p := filepath.Join(rt, "docker.sock")
		if e.Exists(p) {
			return Host{URL: "unix://" + p, Source: "rootless socket ($XDG_RUNTIME_DIR/docker.sock)"}, nil
		}
	}
	// Nothing listens anywhere we know: name the default, so the error
	// message says where we looked first.
	return Host{URL: DefaultSocket, Source: "default socket (not found)"}, nil
}

func currentContext(cfgDir string) string {
	b, err := os.ReadFile(filepath.Join(cfgDir, "config.json"))
	if err != nil {
		return ""
	}
	var cfg struct {
		CurrentContext string `json:"currentContext"`
	}
	if json.Unmarshal(b, &cfg) != nil {
		return ""
	}
	return cfg.CurrentContext
}

// contextHost reads a context's docker endpoint from its meta file, stored
// under contexts/meta/<sha256 of the name>/meta.json by the docker CLI.
func contextHost(cfgDir, name string) (string, error) {
	sum := sha256.Sum256([]byte(name))
	p := filepath.Join(cfgDir, "contexts", "meta", hex.EncodeToString(sum[:]), "meta.json")
	b, err := os.ReadFile(p)
	if errors.Is(err, fs.ErrNotExist) {
		return "", fmt.Errorf("no such context (looked for %s); run `docker context ls`", p)
	}
	if err != nil {
		return "", err
	}
	var meta struct {
		Endpoints map[string]struct {
			Host string `json:"Host"`
		} `json:"Endpoints"`
	}
	if err := json.Unmarshal(b, &meta); err != nil {
		return "", fmt.Errorf("cannot parse %s: %w", p, err)
	}
	h := meta.Endpoints["docker"].Host
	if h == "" {
		return "", fmt.Errorf("%s has no docker endpoint", p)
	}
	return h, nil
}
