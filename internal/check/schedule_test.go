package check

import (
	"strings"
	"testing"
	"time"
)

func TestHealthSchedule(t *testing.T) {
	s := time.Second
	seed := &Healthcheck{Interval: 30 * s, StartPeriod: 5 * s}
	for _, c := range []struct {
		name   string
		h      *Healthcheck
		engine string
		ready  time.Duration
		want   time.Duration
		rule   string
	}{
		{"seed HEALTHCHECK on 20.10", seed, "20.10.24", 1500 * time.Millisecond, 30 * s, "no start interval"},
		{"seed HEALTHCHECK on 26", seed, "26.1.5+dfsg1", 1500 * time.Millisecond, 30 * s, "only when the image sets one"},
		{"seed HEALTHCHECK on 27", seed, "27.5.1", 1500 * time.Millisecond, 5 * s, "when no --start-interval is set"},
		// Measured on 26.1.5: 30.2 s, and 5.3 s with --start-interval=5s.
		{"measured on 26", &Healthcheck{Interval: 30 * s, StartPeriod: 20 * s}, "26.1.5", s, 30 * s, "one --interval"},
		{"start interval on 26", &Healthcheck{Interval: 30 * s, StartPeriod: 20 * s, StartInterval: 5 * s}, "26.1.5", s, 5 * s, "--start-interval"},
		{"start interval ignored before 25", &Healthcheck{Interval: 30 * s, StartPeriod: 20 * s, StartInterval: 5 * s}, "24.0.7", s, 30 * s, "no start interval"},
		{"slow app, start interval", &Healthcheck{Interval: 30 * s, StartPeriod: 20 * s, StartInterval: 2 * s}, "26.1.5", 7 * s, 8 * s, "--start-interval"},
		{"slower than the start period", &Healthcheck{Interval: 30 * s, StartPeriod: 4 * s, StartInterval: 2 * s}, "26.1.5", 10 * s, 34 * s, "--start-interval"},
		{"defaults", &Healthcheck{}, "26.1.5", s, 30 * s, "without a start period"},
		{"five minutes", &Healthcheck{Interval: 5 * time.Minute}, "28.0.0", s, 5 * time.Minute, "without a start period"},
		{"the course's 3.2 probe", &Healthcheck{Interval: 5 * s, StartPeriod: 20 * s}, "20.10.24", 1200 * time.Millisecond, 5 * s, "no start interval"},
	} {
		got, rule := healthSchedule(c.h, c.engine, c.ready)
		if got != c.want || !strings.Contains(rule, c.rule) {
			t.Errorf("%s: %s (%s), want %s (%s)", c.name, got, rule, c.want, c.rule)
		}
	}
}
