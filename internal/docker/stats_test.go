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
	s.PreCPUStats.CPUUsage.TotalUsage = 1_000_000_000
	s.PreCPUStats.SystemUsage = 10_000_000_000
	got := statsFrom(s)
	if got.MemoryBytes != 60<<20 || got.MemoryLimitBytes != 1<<30 || got.PIDs != 3 {
		t.Errorf("memory %+v", got)
	}
	// 0.5s of CPU over 10s of system time on 2 cores: 10%.
	if got.CPUPercent < 9.99 || got.CPUPercent > 10.01 {
		t.Errorf("cpu %v", got.CPUPercent)
	}
	// A first sample has no precpu: no rate, not a huge number.
	s.PreCPUStats = container.CPUStats{}
	if got := statsFrom(s); got.CPUPercent != 0 {
		t.Errorf("cpu without precpu %v", got.CPUPercent)
	}
}
