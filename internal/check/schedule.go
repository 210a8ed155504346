package check

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// DefaultStartInterval is the start interval Engine 27 and newer use
// during a start period when the image sets none (moby PR #47799).
const DefaultStartInterval = 5 * time.Second

// healthSchedule says when the learner's own engine, running the image's
// own HEALTHCHECK, would first report healthy an app that answers its
// probe from ready after start on. The check itself probes fast to learn
// ready; Docker probes on the image's schedule, which the
// engine's version decides:
//
//   - before 25 there is no start interval: probes every --interval, the
//     first one interval after start;
//   - on 25 and 26 a start interval applies during the start period only
//     when the image sets one (measured: 30.2 s to healthy for
//     --interval=30s --start-period=20s on 26.1.5, 5.3 s with
//     --start-interval=5s);
//   - from 27 on it defaults to 5 s whenever a start period is set.
//
// It returns the moment of the first passing probe and the rule applied,
// in words for the evidence.
func healthSchedule(h *Healthcheck, engine string, ready time.Duration) (time.Duration, string) {
	interval := dur(h.Interval, DefaultHealthInterval)
	major := engineMajor(engine)
	var start time.Duration
	var rule string
	switch {
	case major > 0 && major < 25:
		rule = fmt.Sprintf("Engine %s has no start interval: the first probe waits one --interval", engine)
	case h.StartInterval > 0 && h.StartPeriod > 0:
		start = h.StartInterval
		rule = fmt.Sprintf("Engine %s probes every --start-interval (%s) during the start period", engineName(engine), h.StartInterval)
	case major >= 27 && h.StartPeriod > 0:
		start = DefaultStartInterval
		rule = fmt.Sprintf("Engine %s probes every %s during a start period when no --start-interval is set", engine, DefaultStartInterval)
	case h.StartPeriod > 0:
		rule = fmt.Sprintf("Engine %s uses a start interval only when the image sets one: the first probe waits one --interval", engineName(engine))
	default:
		rule = "without a start period the first probe waits one --interval"
	}
	var t time.Duration
	for range 100000 {
		step := interval
		if start > 0 && t < h.StartPeriod {
			step = start
		}
		t += step
		if t >= ready {
			break
		}
	}
	return t, rule
}

// ReportedHealthy is healthSchedule for the measure view: when engine,
// running h as the image declares it, first reports healthy an app ready
// after start, and the rule that decides it.
func ReportedHealthy(h *Healthcheck, engine string, ready time.Duration) (time.Duration, string) {
	return healthSchedule(h, engine, ready)
}

// HasStartInterval reports whether engine applies a HEALTHCHECK's start
// interval: Engine 25 (API 1.44) and newer, or an engine whose version
// cannot be read (the adapter drops the setting where the API lacks it).
func HasStartInterval(engine string) bool {
	major := engineMajor(engine)
	return major == 0 || major >= 25
}

// engineMajor is the major version of an engine version such as
// "26.1.5+dfsg1", or 0 when it cannot be read.
func engineMajor(v string) int {
	head, _, _ := strings.Cut(v, ".")
	n, err := strconv.Atoi(head)
	if err != nil {
		return 0
	}
	return n
}

func engineName(v string) string {
	if v == "" {
		return "25 or newer"
	}
	return v
}
