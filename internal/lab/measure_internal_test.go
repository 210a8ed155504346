package lab

import "testing"

func TestCPUShare(t *testing.T) {
	at := func(cpu, sys uint64) Stats { return Stats{CPUNanos: cpu, SystemNanos: sys, OnlineCPUs: 2} }
	for _, c := range []struct {
		name          string
		before, after Stats
		want          float64
	}{
		// the host spent 2 s of CPU (1 s on each of 2 cores), the app 1 s
		{"a core's worth", at(1e9, 10e9), at(2e9, 12e9), 100},
		{"idle", at(1e9, 10e9), at(1e9, 12e9), 0},
		{"host counter did not move", at(1e9, 10e9), at(2e9, 10e9), 0},
		{"no first read", at(0, 0), at(2e9, 12e9), 0},
		{"counters went back (restarted)", at(5e9, 10e9), at(1e9, 12e9), 0},
	} {
		if got := CPUShare(c.before, c.after); got != c.want {
			t.Errorf("%s: %.1f, want %.1f", c.name, got, c.want)
		}
	}
}
