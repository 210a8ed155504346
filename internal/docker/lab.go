package docker

import (
	"context"
	"encoding/json"
	"fmt"

	cerrdefs "github.com/containerd/errdefs"
	"github.com/docker/docker/api/types/container"

	"shipshape/internal/lab"
)

// The Client is lab's Docker: building is in build.go, following logs in
// logs.go, Trivy in trivy.go, and what is left of the interface here.
var _ lab.Docker = (*Client)(nil)

// Stats implements lab.Docker. With stream=false the daemon waits for a
// second sample before answering, so precpu_stats is filled and the CPU
// percentage is a real rate (on API 1.41 and newer; one-shot mode, which
// skips that wait, is deliberately not used).
func (c *Client) Stats(ctx context.Context, id string) (lab.Stats, error) {
	ctx, cancel := c.call(ctx)
	defer cancel()
	r, err := c.api.ContainerStats(ctx, id, false)
	if err != nil {
		return lab.Stats{}, c.classify("read the resource use of container "+short(id), "", err)
	}
	defer r.Body.Close()
	var s container.StatsResponse
	if err := json.NewDecoder(r.Body).Decode(&s); err != nil {
		return lab.Stats{}, fmt.Errorf("cannot read the resource use of container %s: %w", short(id), err)
	}
	return statsFrom(s), nil
}

// statsFrom computes the numbers `docker stats` shows: memory without the
// reclaimable page cache, and CPU as a percentage of one core times the
// online cores.
func statsFrom(s container.StatsResponse) lab.Stats {
	out := lab.Stats{MemoryLimitBytes: s.MemoryStats.Limit, PIDs: s.PidsStats.Current}
	mem := s.MemoryStats.Usage
	// cgroup v1 reports total_inactive_file, v2 inactive_file.
	for _, k := range []string{"total_inactive_file", "inactive_file"} {
		if v, ok := s.MemoryStats.Stats[k]; ok && v < mem {
			mem -= v
			break
		}
	}
	out.MemoryBytes = mem
	cpuDelta := float64(s.CPUStats.CPUUsage.TotalUsage) - float64(s.PreCPUStats.CPUUsage.TotalUsage)
	sysDelta := float64(s.CPUStats.SystemUsage) - float64(s.PreCPUStats.SystemUsage)
	online := float64(s.CPUStats.OnlineCPUs)
	if online == 0 {
		online = float64(len(s.CPUStats.CPUUsage.PercpuUsage))
	}
	if s.PreCPUStats.SystemUsage > 0 && sysDelta > 0 && cpuDelta > 0 {
		out.CPUPercent = cpuDelta / sysDelta * online * 100
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
