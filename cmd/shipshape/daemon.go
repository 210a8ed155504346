package main

import (
	"context"

	"shipshape/internal/tui"
)

// daemonProbe reports the Docker daemon's state for the status bar.
func daemonProbe(a *app) func(context.Context) tui.DaemonStatus {
	return func(ctx context.Context) tui.DaemonStatus {
		return tui.DaemonStatus{Reason: "not wired yet"}
	}
}
