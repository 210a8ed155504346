package main

import (
	"shipshape/internal/attempt"
	"shipshape/internal/check"
	"shipshape/internal/progress"
	"shipshape/internal/tui"
)

// tuiProgress is the progress store as the TUI changes it: one intent per
// change. The TUI records check attempts itself, after a check returns, so
// the checker never writes the store behind its back.
type tuiProgress struct {
	store *progress.Store
}

var _ tui.Progress = tuiProgress{}

func (p tuiProgress) State() progress.State { return p.store.State() }
func (p tuiProgress) ReadOnly() bool        { return p.store.ReadOnly() }
func (p tuiProgress) Notices() []string     { return p.store.Notices() }

func (p tuiProgress) OpenLesson(lessonID string) error { return p.store.OpenLesson(lessonID) }
func (p tuiProgress) CloseLesson() error               { return p.store.CloseLesson() }
func (p tuiProgress) MarkRead(lessonID string) error   { return p.store.MarkRead(lessonID) }
func (p tuiProgress) SetPosition(lessonID string, offset int) error {
	return p.store.SetPosition(lessonID, offset)
}
func (p tuiProgress) ToggleTick(itemID string) error { return p.store.ToggleTick(itemID) }
func (p tuiProgress) RevealHints(exerciseID string, n int) error {
	return p.store.RevealHints(exerciseID, n)
}

// RecordAttempt keeps rep as the CLI's check command does.
func (p tuiProgress) RecordAttempt(exerciseID string, rep check.Report) error {
	return p.store.RecordAttempt(exerciseID, attempt.Record(rep))
}
