package main

import (
	"errors"
	"testing"
	"time"

	"shipshape/internal/attempt"
	"shipshape/internal/check"
	"shipshape/internal/progress"
)

// TestTUIProgressRecordsWhatTheCLIRecords: the TUI's RecordAttempt keeps a
// check run as `shipshape check` does, and a second shipshape on the same
// pack (read-only) refuses with progress.ErrReadOnly, which the TUI keeps
// quiet about.
func TestTUIProgressRecordsWhatTheCLIRecords(t *testing.T) {
	dir := t.TempDir()
	store, err := progress.Open(dir, "pack")
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	p := tuiProgress{store: store}
	rep := check.Report{
		StartedAt: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC), Duration: 1500 * time.Millisecond,
		Target: check.Target{Image: "task-api:prod"}, ImageID: "sha256:abc",
		Results: []check.Result{{ID: "nonroot", Kind: "image.user_nonroot", Title: "Runs as non-root",
			Status: check.StatusPass, Required: true, Evidence: []string{"uid 10001"}, Duration: time.Second}},
	}
	if err := p.RecordAttempt("3.1", rep); err != nil {
		t.Fatal(err)
	}
	ep := store.State().Exercises["3.1"]
	if ep == nil || len(ep.Attempts) != 1 || ep.PassedAt == nil {
		t.Fatalf("recorded %+v, want one passing attempt", ep)
	}
	got, want := ep.Attempts[0], attempt.Record(rep)
	if got.ImageID != want.ImageID || got.DurationMS != 1500 || len(got.Checks) != 1 || got.Checks[0].Evidence[0] != "uid 10001" {
		t.Errorf("recorded %+v, want %+v", got, want)
	}

	second, err := progress.Open(dir, "pack")
	if err != nil {
		t.Fatal(err)
	}
	defer second.Close()
	if err := (tuiProgress{store: second}).RecordAttempt("3.1", rep); !errors.Is(err, progress.ErrReadOnly) {
		t.Errorf("a read-only store answered %v, want ErrReadOnly", err)
	}
}
