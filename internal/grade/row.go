package grade

import (
	"time"

	"shipshape/internal/check"
	"shipshape/internal/course"
)

// The statuses of a gradebook row.
const (
	// StatusGraded means every check was judged.
	StatusGraded = "graded"
	// StatusIncomplete means a required check could not be judged and
	// none failed (the machine's fault, most often): --resume grades the
	// student again.
	StatusIncomplete = "incomplete"
	// StatusError means the workspace could not be judged at all: no
	// Dockerfile, a build that failed, or one that ran out of time. The
	// row's Error says which; the score is 0.
	StatusError = "error"
)

// Row is one student's line of the gradebook.
type Row struct {
	Student  string `json:"student"`
	Exercise string `json:"exercise"`
	Status   string `json:"status"`
	Passed   bool   `json:"passed"`
	Score    int    `json:"score"`
	MaxScore int    `json:"max_score"`
	// Checks are the verdicts in the exercise's order.
	Checks          []CheckScore `json:"checks"`
	DurationSeconds float64      `json:"duration_seconds"`
	// ImageBytes is the unpacked size of the student's image; 0 when it
	// did not build.
	ImageBytes int64 `json:"image_bytes"`
	// Error says why the student could not be graded, or for an
	// incomplete row what could not be judged.
	Error string `json:"error,omitempty"`
	// Report is the file name of the student's report in the output
	// directory.
	Report   string    `json:"report"`
	GradedAt time.Time `json:"graded_at"`
}

// CheckScore is one check's verdict and the points it earned.
type CheckScore struct {
	ID     string `json:"id"`
	Status string `json:"status"`
	Points int    `json:"points"`
	Of     int    `json:"of"`
}

// final reports whether the row is a student's grade, which --resume keeps.
func (r Row) final() bool { return r.Status == StatusGraded || r.Status == StatusError }

// MaxScore is what ex's checks are worth together.
func MaxScore(ex *course.Exercise) int {
	n := 0
	for _, c := range ex.Checks {
		n += c.Points
	}
	return n
}

// score fills the row's verdicts and points from rep. A check earns its
// points when it passed, or when it is required and only warned: a warn
// on a required check met the requirement and missed an advisory target
// (a size target), which is how Tally counts it too.
func score(row *Row, ex *course.Exercise, rep check.Report) {
	status := map[string]check.Result{}
	for _, r := range rep.Results {
		status[r.ID] = r
	}
	row.Score, row.MaxScore, row.Checks = 0, MaxScore(ex), nil
	for _, c := range ex.Checks {
		r, ok := status[c.ID]
		cs := CheckScore{ID: c.ID, Status: string(check.StatusSkip), Of: c.Points}
		if ok {
			cs.Status = string(r.Status)
			if r.Status == check.StatusPass || (r.Status == check.StatusWarn && r.Required) {
				cs.Points = c.Points
			}
		}
		row.Score += cs.Points
		row.Checks = append(row.Checks, cs)
	}
}
