package docker

import (
	"context"
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
