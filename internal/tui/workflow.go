package tui

import (
	"context"

	"shipshape/internal/check"
	"shipshape/internal/course"
	"shipshape/internal/lab"
	"shipshape/internal/workspace"
)

// Checker runs an exercise's checks against the learner's image; it saves
// nothing (the TUI records the attempt through Progress.RecordAttempt).
// onEvent reports each check as it starts and finishes. An error means nothing could be judged at all (no
// daemon, say); it should read as advice.
type Checker interface {
	Check(ctx context.Context, ex *course.Exercise, onEvent func(check.Event)) (check.Report, error)
	// Describe says what is checked, e.g. "task-api:prod · ./Dockerfile".
	Describe() string
}

// Workflow is the exercise loop around the checks: the learner's
// workspace, building and running their images, scanning and measuring.
// Every method may block and is only called from commands.
type Workflow interface {
	// Dir is the workspace directory; Images the prod and dev references.
	Dir() string
	Images() (prod, dev string)
	// HasProject reports whether Dir holds a Dockerfile.
	HasProject() bool
	// Init writes the starter into Dir (which must be empty or missing).
	Init() (workspace.Result, error)
	// ApplySolution copies ex's reference solution over the workspace.
	ApplySolution(ex *course.Exercise) (workspace.Result, error)
	// ResetFile restores one file to the starter's version.
	ResetFile(name string) (workspace.Result, error)
	// StarterFiles lists the files ResetFile accepts.
	StarterFiles() []string

	// Build builds the workspace's Dockerfile as tag.
	Build(ctx context.Context, tag string, onEvent func(lab.BuildEvent)) (lab.BuildResult, error)
	// BuildDev builds the dev image from the starter's Dockerfile on the
	// workspace's files, whatever the learner's Dockerfile now says.
	BuildDev(ctx context.Context, onEvent func(lab.BuildEvent)) (lab.BuildResult, error)
	// ImageExists reports whether ref is on the daemon (it never pulls).
	ImageExists(ctx context.Context, ref string) (bool, error)
	Run(ctx context.Context, image string) (lab.Running, error)
	// Scan runs Trivy on image; the report is then used by exercise 3.3's check.
	Scan(ctx context.Context, image string) (lab.ScanResult, error)
	// ImportReport uses a Trivy JSON report made elsewhere for image's
	// checks; it must parse as one (the check compares the image ID).
	ImportReport(image, path string) error
	Measure(ctx context.Context, onProgress func(string)) (lab.Measurement, error)
	// Watch calls onChange with the changed paths after saved changes,
	// until ctx ends.
	Watch(ctx context.Context, onChange func(paths []string)) error
}
