package docker

import (
	"strings"
	"testing"

	"shipshape/internal/lab"
)

// TestBuildOutOfDisk: a build that ran out of disk is the machine's fault,
// with the words of Engine 20.10's classic builder and of Engine 26's
// BuildKit; any other failed build stays the Dockerfile's.
func TestBuildOutOfDisk(t *testing.T) {
	for _, tc := range []struct {
		name string
		res  lab.BuildResult
		full bool
	}{
		{"RUN on the classic builder", lab.BuildResult{
			FailedStep: "Step 2/2 : RUN dd if=/dev/zero of=/fill bs=1M",
			Error:      "The command '/bin/sh -c dd if=/dev/zero of=/fill bs=1M' returned a non-zero code: 1",
			Log:        []string{"Step 2/2 : RUN dd if=/dev/zero of=/fill bs=1M", "dd: error writing '/fill': No space left on device", "65+0 records in"},
		}, true},
		{"RUN on BuildKit", lab.BuildResult{
			FailedStep: "[2/2] RUN dd if=/dev/zero of=/fill bs=1M",
			Error:      `process "/bin/sh -c dd if=/dev/zero of=/fill bs=1M" did not complete successfully: exit code: 1`,
			Log:        []string{"#5 0.211 dd: error writing '/fill': No space left on device"},
		}, true},
		{"layer commit on 20.10", lab.BuildResult{
			Error: "failed to register layer: Error processing tar file(exit status 1): write /usr/lib/x.so: no space left on device",
		}, true},
		{"snapshot on 26", lab.BuildResult{
			Error: "failed to solve: failed to compute cache key: write /var/lib/docker/buildkit/content/ingest/x/data: no space left on device",
		}, true},
		{"a failing RUN", lab.BuildResult{
			FailedStep: "Step 3/5 : RUN pip install -r requirements.txt",
			Error:      "The command '/bin/sh -c pip install -r requirements.txt' returned a non-zero code: 1",
			Log:        []string{"ERROR: No matching distribution found for fastapi==99"},
		}, false},
		{"an old line about disk", lab.BuildResult{
			Error: "returned a non-zero code: 2",
			Log:   append([]string{"No space left on device"}, strings.Split(strings.Repeat("x\n", 20), "\n")...),
		}, false},
	} {
		err := buildOutOfDisk("build task-api:prod", tc.res)
		if (err != nil) != tc.full {
			t.Errorf("%s: %v, want out of disk %v", tc.name, err, tc.full)
			continue
		}
		if err == nil {
			continue
		}
		e, ok := err.(*Error)
		if !ok || !e.EngineProblem() || !strings.Contains(e.Advice(), "disk of the Docker engine is full") ||
			!strings.Contains(err.Error(), "ran out of disk space") {
			t.Errorf("%s: %v (advice %q)", tc.name, err, e.Advice())
		}
	}
}
