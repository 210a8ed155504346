package attempt

import (
	"fmt"
	"os"
	"path/filepath"
	"sync"

	"shipshape/internal/scan"
)

// Reports maps image references to the path of their latest Trivy report:
// one scanned or imported in this session, else the one the learner gave
// (--trivy-report). Checks and the checklist both read it, so they judge
// the same report. It is safe for concurrent use.
type Reports struct {
	mu    sync.Mutex
	path  map[string]string
	given string
}

// NewReports starts with the report the learner gave, if any ("").
func NewReports(given string) *Reports {
	return &Reports{given: given}
}

// Get is image's report path, or "" when there is none.
func (r *Reports) Get(image string) string {
	r.mu.Lock()
	defer r.mu.Unlock()
	if p := r.path[image]; p != "" {
		return p
	}
	return r.given
}

// Set remembers path as image's report.
func (r *Reports) Set(image, path string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.path == nil {
		r.path = map[string]string{}
	}
	r.path[image] = path
}

// Import uses a report made elsewhere for image's scan check, once it
// parses as one; the check itself compares the report's image ID with
// the image's.
func (r *Reports) Import(image, path string) error {
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("cannot open %s: %w", path, err)
	}
	defer f.Close()
	if _, err := scan.ParseReport(f); err != nil {
		return err
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		abs = path
	}
	r.Set(image, abs)
	return nil
}
