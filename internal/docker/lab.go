package docker

import (
	"context"
	"encoding/json"
	"fmt"
	"io"

	cerrdefs "github.com/containerd/errdefs"
	"github.com/docker/docker/api/types/container"

	"shipshape/internal/lab"
)

// The Client is lab's Docker: building is in build.go, following logs in
// logs.go, Trivy in trivy.go, and what is left of the interface here.
var _ lab.Docker = (*Client)(nil)

// StatsNow implements lab.Docker with a one-shot sample (API 1.41): the
// daemon does not wait for two ticks of its once-a-second sampler to fill
// precpu_stats, which cost one to two seconds a call. Engine 26 reads the
// cgroup at once; Engine 20.10 on its sampler's next tick (at once when
// the sampler was idle). shipshape needs API 1.41 (MinAPIVersion), so
// every daemon it talks to knows one-shot.
func (c *Client) StatsNow(ctx context.Context, id string) (lab.Stats, error) {
	ctx, cancel := c.call(ctx)
	defer cancel()
	r, err := c.api.ContainerStatsOneShot(ctx, id)
	if err != nil {
		return lab.Stats{}, c.classify("read the resource use of container "+short(id), "", err)
	}
	defer r.Body.Close()
	var s container.StatsResponse
	if err := json.NewDecoder(io.LimitReader(r.Body, 1<<20)).Decode(&s); err != nil {
		return lab.Stats{}, fmt.Errorf("read the resource use of container %s: the daemon's answer is not a sample: %w", short(id), err)
	}
	return statsFrom(s), nil
}

// statsFrom keeps the numbers `docker stats` shows: memory without the
// reclaimable page cache, and the counters its CPU share comes from.
func statsFrom(s container.StatsResponse) lab.Stats {
	out := lab.Stats{MemoryLimitBytes: s.MemoryStats.Limit, PIDs: s.PidsStats.Current, Read: s.Read,
		CPUNanos: s.CPUStats.CPUUsage.TotalUsage, SystemNanos: s.CPUStats.SystemUsage, OnlineCPUs: s.CPUStats.OnlineCPUs}
	mem := s.MemoryStats.Usage
	// cgroup v1 reports total_inactive_file, v2 inactive_file.
	for _, k := range []string{"total_inactive_file", "inactive_file"} {
		if v, ok := s.MemoryStats.Stats[k]; ok && v < mem {
			mem -= v
			break
		}
	}
	out.MemoryBytes = mem
	if out.OnlineCPUs == 0 {
		out.OnlineCPUs = uint32(len(s.CPUStats.CPUUsage.PercpuUsage))
	}
	return out
}

// ImageExists implements lab.Docker.
func (c *Client) ImageExists(ctx context.Context, ref string) (bool, error) {
	ctx, cancel := c.call(ctx)
	defer cancel()
	_, err := c.api.ImageInspect(ctx, ref)
	if err == nil {
		return true, nil
	}
	if cerrdefs.IsNotFound(err) {
		return false, nil
	}
	return false, c.classify(fmt.Sprintf("look for image %q", ref), ref, err)
}
