package docker

import (
	"testing"

	"github.com/docker/docker/api/types/container"
)

func TestStatsFrom(t *testing.T) {
	var s container.StatsResponse
	s.MemoryStats.Usage = 100 << 20
	s.MemoryStats.Limit = 1 << 30
	s.MemoryStats.Stats = map[string]uint64{"inactive_file": 40 << 20}
	s.PidsStats.Current = 3
	s.CPUStats.CPUUsage.TotalUsage = 1_500_000_000
	s.CPUStats.SystemUsage = 20_000_000_000
	s.CPUStats.OnlineCPUs = 2
	got := statsFrom(s)
	if got.MemoryBytes != 60<<20 || got.MemoryLimitBytes != 1<<30 || got.PIDs != 3 {
		t.Errorf("memory %+v", got)
	}
	if got.CPUNanos != 1_500_000_000 || got.SystemNanos != 20_000_000_000 || got.OnlineCPUs != 2 {
		t.Errorf("counters %+v", got)
	}
	// An engine that leaves online_cpus out: count the per-core usages.
	s.CPUStats.OnlineCPUs = 0
	s.CPUStats.CPUUsage.PercpuUsage = []uint64{1, 2, 3, 4}
	if got := statsFrom(s); got.OnlineCPUs != 4 {
		t.Errorf("online CPUs from per-core usage: %d", got.OnlineCPUs)
	}
}
