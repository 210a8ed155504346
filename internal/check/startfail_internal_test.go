package check

import (
	"context"
	"errors"
	"strings"
	"testing"
)

// A daemon puts the cause of a refused start last: it must reach the
// evidence, however long the chain before it.
func TestStartFailureKeepsTheCause(t *testing.T) {
	err := errors.New("cannot start container 0f0e4c725db6: Error response from daemon: failed to create task for container: " +
		"failed to create shim task: OCI runtime create failed: runc create failed: unable to start container process: " +
		"error during container init: exec: \"uvicorn\": executable file not found in $PATH: unknown")
	v := startFailure(context.Background(), err)
	if v.status != StatusFail || len(v.evidence) != 1 || !strings.HasSuffix(v.evidence[0], "executable file not found in $PATH: unknown") {
		t.Errorf("verdict %s %q, want a failure that ends with the cause", v.status, v.evidence)
	}
}
