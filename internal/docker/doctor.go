package docker

import (
	"context"

	"github.com/docker/docker/api/types/container"
	"github.com/docker/docker/api/types/filters"
	"github.com/docker/docker/api/types/image"
	"github.com/docker/docker/api/types/network"
	"strconv"
	"strings"
	"syscall"
)

// Diagnosis is what `shipshape doctor` reports about the engine.
type Diagnosis struct {
	Host Host
	// Err is set when the daemon could not be used; the other fields are
	// then mostly empty.
	Err error
	// EngineVersion is the daemon's version, e.g. "20.10.24".
	EngineVersion string
	// APIVersion is the negotiated API version.
	APIVersion string
	OS, Arch   string
	// BuilderVersion is "2" when the engine builds with BuildKit by
	// default, "1" for the classic builder, "" when it does not say.
	BuilderVersion string
	// RootDir is the engine's data directory.
	RootDir string
	// FreeBytes is the free space under RootDir, or -1 when it cannot be
	// measured from here (a remote engine or a VM).
	FreeBytes int64
	// Rootless and UsernsRemap come from the engine's security options.
	Rootless, UsernsRemap bool
	// NoDefaultBridge is set when the engine has no "bridge" network:
	// `docker run` without --network then fails (as when another daemon
	// started with --bridge=none deleted docker0).
	NoDefaultBridge bool
	// ContainerdStore is set when images live in containerd's store,
	// where IDs are manifest digests and `docker image ls` sizes differ.
	ContainerdStore bool
}

// Diagnose pings the engine and reads its info.
func (c *Client) Diagnose(ctx context.Context) Diagnosis {
	d := Diagnosis{Host: c.host, FreeBytes: -1}
	p, err := c.Ping(ctx)
	if err != nil {
		d.Err = err
		return d
	}
	d.APIVersion, d.BuilderVersion = p.APIVersion, p.BuilderVersion
	ctx, cancel := c.call(ctx)
	defer cancel()
	info, err := c.api.Info(ctx)
	if err != nil {
		d.Err = c.classify("read the engine's info", "", err)
		return d
	}
	d.EngineVersion, d.OS, d.Arch, d.RootDir = info.ServerVersion, info.OperatingSystem, info.Architecture, info.DockerRootDir
	for _, kv := range info.DriverStatus {
		if len(kv) == 2 && kv[0] == "driver-type" && strings.Contains(kv[1], "containerd.snapshotter") {
			d.ContainerdStore = true
		}
	}
	// Windows engines call their default network "nat".
	if info.OSType == "linux" {
		nets, err := c.api.NetworkList(ctx, network.ListOptions{Filters: filters.NewArgs(filters.Arg("name", "bridge"))})
		if err == nil {
			found := false
			for _, n := range nets {
				found = found || n.Name == "bridge"
			}
			d.NoDefaultBridge = !found
		}
	}
	for _, o := range info.SecurityOptions {
		d.Rootless = d.Rootless || strings.Contains(o, "name=rootless")
		d.UsernsRemap = d.UsernsRemap || strings.Contains(o, "name=userns")
	}
	// The data directory is only measurable when the engine runs on this
	// machine; for Docker Desktop it lives in a VM and is not found here.
	if strings.HasPrefix(c.host.URL, "unix://") && d.RootDir != "" {
		var st syscall.Statfs_t
		if syscall.Statfs(d.RootDir, &st) == nil {
			d.FreeBytes = int64(st.Bavail) * int64(st.Bsize)
		}
	}
	return d
}

// BridgeBroken tries the default network for real: the engine may still
// list its bridge network after its interface (docker0) was deleted, and
// only starting a container shows it. The probe container comes from any
// image already on the engine, with an entrypoint that does not exist:
// the network is set up before the exec, so "failed to create endpoint"
// means the bridge is broken and "executable file not found" means it is
// fine. Nothing is pulled; with no image at all it cannot tell (false).
// It starts a container, so doctor calls it, not the status bar's Diagnose.
func (c *Client) BridgeBroken(ctx context.Context) bool {
	is, err := c.api.ImageList(ctx, image.ListOptions{})
	if err != nil || len(is) == 0 {
		return false
	}
	cfg := &container.Config{Image: is[0].ID, Entrypoint: []string{"/shipshape-doctor-probe"}, Labels: c.Labels("doctor")}
	id, err := c.createContainer(ctx, cfg, &container.HostConfig{}, "doctor")
	if err != nil {
		return false
	}
	defer func() {
		rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), c.timeout)
		defer cancel()
		_ = c.RemoveContainer(rctx, id)
	}()
	err = c.api.ContainerStart(ctx, id, container.StartOptions{})
	if err == nil {
		return false
	}
	msg := err.Error()
	return machineFaultAdvice(msg) != "" && networkFault.MatchString(msg)
}

// CLIBuild says how the learner's own `docker build` will build, which is
// not always how shipshape builds: shipshape talks to the Engine API and
// uses BuildKit whenever the engine defaults to it, but the docker CLI
// from 23.0 on builds with BuildKit only through the buildx plugin and,
// without it, silently falls back to the legacy builder, whatever the
// engine's default. Older CLIs carry a BuildKit client of their own and
// follow the engine's default (or DOCKER_BUILDKIT).
type CLIBuild struct {
	// BuildKit is true when `docker build` uses BuildKit.
	BuildKit bool
	// Broken is true when `docker build` will fail outright
	// (DOCKER_BUILDKIT=1 without buildx on a CLI of 23.0 or newer).
	Broken bool
	// Why is one line for a person.
	Why string
}

// DescribeCLIBuild applies those rules. cliVersion is `docker version`'s
// client version ("" when unknown), buildx whether `docker buildx
// version` works, engineBuilder the engine's Builder-Version ("2" for
// BuildKit), envBuildKit the DOCKER_BUILDKIT variable.
func DescribeCLIBuild(cliVersion string, buildx bool, engineBuilder, envBuildKit string) CLIBuild {
	forced, set := parseBuildKitEnv(envBuildKit)
	if set && !forced {
		return CLIBuild{Why: "DOCKER_BUILDKIT=0: docker build uses the legacy builder"}
	}
	modern := cliVersion == "" || !versionBefore(cliVersion, 23)
	if buildx {
		return CLIBuild{BuildKit: true, Why: "docker build uses BuildKit through the buildx plugin"}
	}
	if modern {
		if set && forced {
			return CLIBuild{Broken: true, Why: "DOCKER_BUILDKIT=1 but the buildx plugin is missing: docker build fails"}
		}
		return CLIBuild{Why: "docker build uses the legacy builder: this docker CLI builds with BuildKit only through the buildx plugin, which is missing"}
	}
	if forced || engineBuilder == "2" {
		return CLIBuild{BuildKit: true, Why: "docker build uses the BuildKit client built into this docker CLI " + cliVersion}
	}
	return CLIBuild{Why: "docker build uses the legacy builder (the engine's default)"}
}

// parseBuildKitEnv reads DOCKER_BUILDKIT as the CLI does (strconv.ParseBool).
func parseBuildKitEnv(v string) (on, set bool) {
	switch strings.ToLower(strings.TrimSpace(v)) {
	case "1", "t", "true":
		return true, true
	case "0", "f", "false":
		return false, true
	}
	return false, false
}

// versionBefore reports whether a version like "20.10.24+dfsg1" has a
// major number below major.
func versionBefore(v string, major int) bool {
	head, _, _ := strings.Cut(v, ".")
	n, err := strconv.Atoi(head)
	return err == nil && n < major
}
