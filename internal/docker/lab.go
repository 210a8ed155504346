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

// StatsStream implements lab.Docker. The daemon samples every container
// it is asked about once a second; each frame it sends carries the one
// before it (precpu_stats), so from the second frame on the CPU share is
// a real rate over that second. One sample on its own (stream=false)
// makes the daemon wait for two frames, one to two seconds a call;
// following the stream lets a caller take the frames it needs as they
// come. The channel closes when ctx ends or the stream does.
func (c *Client) StatsStream(ctx context.Context, id string) (<-chan lab.Stats, error) {
	r, err := c.api.ContainerStats(ctx, id, true)
	if err != nil {
		return nil, c.classify("read the resource use of container "+short(id), "", err)
	}
	out := make(chan lab.Stats)
	go func() {
		defer close(out)
		defer r.Body.Close()
		dec := json.NewDecoder(r.Body)
		for {
			var s container.StatsResponse
			if err := dec.Decode(&s); err != nil {
				return
			}
			select {
			case out <- statsFrom(s):
			case <-ctx.Done():
				return
			}
		}
	}()
	return out, nil
}

// statsFrom computes the numbers `docker stats` shows: memory without the
// reclaimable page cache, and CPU as a percentage of one core times the
// online cores.
func statsFrom(s container.StatsResponse) lab.Stats {
	out := lab.Stats{MemoryLimitBytes: s.MemoryStats.Limit, PIDs: s.PidsStats.Current, Read: s.Read}
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
