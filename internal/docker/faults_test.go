package docker

import "testing"

// The daemon's own words, as Engine 20.10 and Engine 26 send them.
func TestMachineFaultAdvice(t *testing.T) {
	for _, c := range []struct {
		engine, msg string
		machine     bool
	}{
		// The image's faults, wrapped in the runtime's words.
		{"20.10", `OCI runtime create failed: container_linux.go:380: starting container process caused: exec: "uvicorn": executable file not found in $PATH: unknown`, false},
		{"26", `failed to create task for container: failed to create shim task: OCI runtime create failed: runc create failed: unable to start container process: exec: "uvicorn": executable file not found in $PATH: unknown`, false},
		{"26", `failed to create task for container: failed to create shim task: OCI runtime create failed: runc create failed: unable to start container process: exec: "/entrypoint.sh": permission denied: unknown`, false},
		{"20.10", `OCI runtime create failed: container_linux.go:380: starting container process caused: exec: "/app/start": no such file or directory: unknown`, false},
		{"20.10", `unable to find user app: no matching entries in passwd file`, false},
		{"26", `failed to create task for container: failed to create shim task: OCI runtime create failed: runc create failed: unable to start container process: exec format error: unknown`, false},
		// The machine's.
		{"20.10", `failed to create endpoint shipshape-1 on network bridge: adding interface veth12 to bridge docker0 failed: could not find bridge docker0: route ip+net: no such network interface`, true},
		{"26", `network bridge not found`, true},
		{"26", `failed to set up container networking: network bridge not found`, true},
		{"20.10", `mkdir /var/lib/docker/overlay2/abc-init/merged: no space left on device`, true},
		{"26", `failed to create task for container: failed to create shim task: OCI runtime create failed: runc create failed: unable to start container process: error during container init: error mounting "proc" to rootfs at "/proc": no space left on device: unknown`, true},
		{"20.10", `error creating overlay mount to /var/lib/docker/overlay2/x/merged: invalid argument`, true},
		{"26", `failed to create task for container: failed to create shim task: OCI runtime create failed: runc create failed: unable to start container process: unable to apply cgroup configuration: mkdir /sys/fs/cgroup/cpuset/docker: read-only file system: unknown`, true},
		{"26", `failed to create task for container: failed to create shim task: ttrpc: closed: unknown`, true},
		// Not recognised: the image's, as before.
		{"26", `something else entirely`, false},
	} {
		got := machineFaultAdvice(c.msg) != ""
		if got != c.machine {
			t.Errorf("Engine %s %q: machine fault %v, want %v", c.engine, c.msg, got, c.machine)
		}
	}
}
