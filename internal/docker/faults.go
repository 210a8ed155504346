package docker

import (
	"fmt"
	"regexp"
	"strings"

	"shipshape/internal/lab"
)

// A container that does not start is either the image's fault (its
// command or user does not exist, its entrypoint is not executable) or
// the machine's (the network bridge is gone, the disk is full, the
// storage driver or the runtime broke). A learner must never read the
// second as a failed exercise. The daemon says which only in its message,
// and it wraps the image's faults in the runtime's words ("OCI runtime
// create failed: … exec: "uvicorn": executable file not found in $PATH"),
// so the image's patterns are tried first. Each pattern has a test with
// the message of Engine 20.10 and of Engine 26.

// imageFaults are messages that blame the image, whatever wraps them.
var imageFaults = []*regexp.Regexp{
	regexp.MustCompile(`executable file not found`),
	regexp.MustCompile(`exec: .*: no such file or directory`),
	regexp.MustCompile(`exec: .*: permission denied`),
	regexp.MustCompile(`exec format error`),
	regexp.MustCompile(`unable to find user`),
	regexp.MustCompile(`no matching entries in passwd file`),
	regexp.MustCompile(`unable to find group`),
	regexp.MustCompile(`chdir to cwd .* no such file or directory`),
	regexp.MustCompile(`not a directory: unknown: Are you trying to mount`),
}

// machineFault is a message that blames the machine, with what to do.
type machineFault struct {
	pattern *regexp.Regexp
	advice  string
}

var restartDocker = "Restart the Docker daemon (Docker Desktop, or `sudo systemctl restart docker`), then run `shipshape doctor`."

// networkFault is the machine fault of a broken container network.
var networkFault = regexp.MustCompile(`could not find bridge|network bridge not found|failed to create endpoint|failed to set up container networking|Error response from daemon: network .* not found|failed to add the host .* pair interfaces|iptables`)

var machineFaults = []machineFault{
	{networkFault,
		"The engine's container network is broken (the default bridge may be gone). " + restartDocker},
	{diskFull,
		"The disk of the Docker engine is full: free space (`docker system df`, then `docker builder prune` or `docker image prune`), then try again."},
	{regexp.MustCompile(`error creating overlay mount|failed to mount|overlay.*invalid argument|driver failed|devmapper|layer does not exist|failed to register layer|snapshot .* does not exist`),
		"The engine's storage driver failed. " + restartDocker},
	{regexp.MustCompile(`cgroup`),
		"The engine could not set up the container's cgroups. " + restartDocker},
	{regexp.MustCompile(`failed to create shim|shim task|ttrpc|containerd.*(connection refused|unavailable)|runc: .*(not found|permission denied)|OCI runtime state failed|unknown runtime`),
		"The container runtime (containerd, runc) failed. " + restartDocker},
}

// diskFull is the machine fault of a full disk.
var diskFull = regexp.MustCompile(`(?i)no space left on device|disk quota exceeded`)

// buildOutOfDisk sorts a failed build: when the engine ran out of disk,
// in a RUN step ("No space left on device" in its last lines) or while
// storing a layer (the builder's error says so), the build is a machine
// fault, not a mistake in the Dockerfile. It returns nil for any other
// failure, which stays a failed BuildResult.
func buildOutOfDisk(op string, res lab.BuildResult) error {
	tail := res.Log
	if len(tail) > 10 {
		tail = tail[len(tail)-10:]
	}
	why := ""
	for _, l := range append([]string{res.Error}, tail...) {
		if diskFull.MatchString(l) {
			why = strings.TrimSpace(l)
			break
		}
	}
	if why == "" {
		return nil
	}
	step := ""
	if res.FailedStep != "" {
		step = fmt.Sprintf(" at %s", res.FailedStep)
	}
	return &Error{Kind: MachineFault, Op: op, Err: fmt.Errorf("the engine ran out of disk space%s: %s", step, why)}
}

// machineFaultAdvice returns what to do when msg, a daemon's reason for
// not creating or starting a container, blames the machine, and "" when
// it blames the image or is not recognised (then it stays the image's).
func machineFaultAdvice(msg string) string {
	for _, p := range imageFaults {
		if p.MatchString(msg) {
			return ""
		}
	}
	low := strings.ToLower(msg)
	for _, f := range machineFaults {
		if f.pattern.MatchString(msg) || f.pattern.MatchString(low) {
			return f.advice
		}
	}
	return ""
}
