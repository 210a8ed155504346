package doctor

import (
	"context"
	"strings"
	"testing"
)

// TestDoctorTrivyLikeScanning: doctor names the scanner that scanning would
// use, so a Trivy image on the daemon counts, as it does for exercise 3.3.
func TestDoctorTrivyLikeScanning(t *testing.T) {
	for _, tc := range []struct {
		name           string
		found          string
		ok             bool
		status, detail string
	}{
		{"image on the daemon", "image aquasec/trivy:0.57.1", true, "ok", "image aquasec/trivy:0.57.1 on the daemon"},
		{"none", "", false, "warn", "no aquasec/trivy image"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var lines []Finding
			add := func(what, status, detail, advice string) {
				lines = append(lines, Finding{what, status, detail, advice})
			}
			trivy(context.Background(), add, func(context.Context) (string, bool) { return tc.found, tc.ok })
			if len(lines) != 1 || lines[0].Status != tc.status || !strings.Contains(lines[0].Detail, tc.detail) {
				t.Fatalf("doctor says %+v; want %s containing %q", lines, tc.status, tc.detail)
			}
			if !tc.ok && !strings.Contains(lines[0].Advice, "docker pull aquasec/trivy") {
				t.Errorf("the advice does not offer the image: %q", lines[0].Advice)
			}
		})
	}
}
