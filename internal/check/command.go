package check

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// Limits of the container.command kind. They keep a pack's command short
// enough to show in a result and quick enough not to stall a check run.
const (
	maxCommandArgs      = 64
	maxCommandArgBytes  = 4096
	maxCommandTimeout   = 120
	defaultCommandLimit = 10
	commandOutputLimit  = 64 << 10
	evidenceOutputLines = 5
)

// The resources a container.command container gets. They are part of the
// kind's contract (a pack author's command must fit in them), so they are
// here and the adapter applies them: without them one command could
// allocate the host's memory or fill the daemon's disk.
const (
	// CommandMemory bounds memory, with no swap beyond it.
	CommandMemory = 256 << 20
	// CommandCPUs bounds CPU time, in CPUs.
	CommandCPUs = 1
	// CommandTmpfs is the size of the tmpfs at /tmp, the only writable
	// place: the root filesystem is read-only.
	CommandTmpfs = 64 << 20
	// CommandOutputCap bounds what a command may write to stdout and
	// stderr together before it is killed.
	CommandOutputCap = 1 << 20
)

// CommandSpec describes one command run in a throwaway container of an
// image. There is deliberately nothing here to ask for host resources: no
// mounts, network, environment, user, capabilities or privileges. The
// adapter runs the container with no network, every capability dropped,
// no-new-privileges, no mounts and only the image's own environment,
// within CommandMemory, CommandCPUs, a read-only root filesystem with a
// CommandTmpfs tmpfs at /tmp, and CommandOutputCap bytes of output.
type CommandSpec struct {
	// Image is the image (an ID or reference) to run.
	Image string
	// Argv is the command: Argv[0] replaces the image's entrypoint and
	// Argv[1:] its command.
	Argv []string
	// Purpose ends up in the container name and labels.
	Purpose string
	// Timeout bounds the command's run time; on expiry the container is
	// killed and CommandResult.TimedOut is set.
	Timeout time.Duration
	// OutputLimit bounds the bytes kept of each of stdout and stderr.
	OutputLimit int64
	// OutputCap bounds the bytes of output, both streams together, the
	// command may write; past it the container is killed and
	// CommandResult.OutputExceeded is set. Zero means CommandOutputCap.
	OutputCap int64
}

// CommandResult is the outcome of Docker.RunCommand.
type CommandResult struct {
	ExitCode int
	Stdout   string
	Stderr   string
	// TimedOut is true when the command was killed at the timeout; then
	// ExitCode is meaningless.
	TimedOut bool
	// OOMKilled is true when the kernel killed the command for going over
	// CommandMemory (ExitCode is then usually 137).
	OOMKilled bool
	// OutputExceeded is the cap the output went over (the command was
	// then killed), or zero.
	OutputExceeded int64
}

func init() {
	kinds["container.command"] = &kind{
		docker: true,
		params: map[string]paramDef{
			"argv":            {typ: paramStringList, required: true},
			"image":           {typ: paramString},
			"exit_code":       {typ: paramInt},
			"stdout":          {typ: paramString},
			"stderr":          {typ: paramString},
			"timeout_seconds": {typ: paramInt},
		},
		validate: validateCommand,
		title:    commandTitle,
		eval:     evalCommand,
	}
}

func validateCommand(p params) error {
	argv, _ := p["argv"].([]string)
	switch {
	case len(argv) == 0:
		return fmt.Errorf("parameter %q: must list the command and its arguments, such as [\"id\", \"-u\"]", "argv")
	case len(argv) > maxCommandArgs:
		return fmt.Errorf("parameter %q: at most %d items, not %d", "argv", maxCommandArgs, len(argv))
	case strings.TrimSpace(argv[0]) == "":
		return fmt.Errorf("parameter %q: the first item, the program to run, must not be empty", "argv")
	}
	for i, a := range argv {
		if len(a) > maxCommandArgBytes {
			return fmt.Errorf("parameter %q: item %d is longer than %d bytes", "argv", i+1, maxCommandArgBytes)
		}
		if strings.ContainsRune(a, 0) {
			return fmt.Errorf("parameter %q: item %d contains a NUL byte", "argv", i+1)
		}
	}
	if img := p.str("image", "prod"); img != "prod" && img != "dev" {
		return fmt.Errorf("parameter %q: must be \"prod\" (the image under test, the default) or \"dev\", not %q", "image", img)
	}
	if c, ok := p.num("exit_code"); ok && c > 255 {
		return fmt.Errorf("parameter %q: must be an exit code from 0 to 255, not %g", "exit_code", c)
	}
	if t, ok := p.num("timeout_seconds"); ok && (t < 1 || t > maxCommandTimeout) {
		return fmt.Errorf("parameter %q: must be from 1 to %d seconds, not %g", "timeout_seconds", maxCommandTimeout, t)
	}
	for _, name := range []string{"stdout", "stderr"} {
		if re, ok := p[name].(string); ok {
			if _, err := regexp.Compile(re); err != nil {
				return fmt.Errorf("parameter %q: not a valid regular expression (RE2 syntax): %v", name, err)
			}
		}
	}
	return nil
}

// commandArgv returns the validated argv of p.
func commandArgv(p params) []string {
	argv, _ := p["argv"].([]string)
	return argv
}

func commandTitle(p params) string {
	code := 0
	if c, ok := p.num("exit_code"); ok {
		code = int(c)
	}
	return fmt.Sprintf("`%s` exits %d", oneLine(quoteArgv(commandArgv(p)), 60), code)
}

// quoteArgv shows argv the way a shell user would type it.
func quoteArgv(argv []string) string {
	parts := make([]string, len(argv))
	for i, a := range argv {
		if a == "" || strings.ContainsAny(a, " \t\n\"'\\$`|&;<>()*?[]{}#~") {
			a = strconv.Quote(a)
		}
		parts[i] = a
	}
	return strings.Join(parts, " ")
}

func evalCommand(ctx context.Context, en *env, p params) verdict {
	if en.docker == nil {
		return errorVerdict("cannot run the command", errNoDocker)
	}
	which := p.str("image", "prod")
	ref := en.target.Image
	if which == "dev" {
		ref = en.target.DevImage
	}
	if ref == "" {
		return verdict{status: StatusError, evidence: []string{fmt.Sprintf("no %s image to run the command in was given", which)},
			advice: "Pass --image REF (or --dev-image REF)."}
	}
	info, err := en.image(ctx, ref)
	if err != nil {
		return errorVerdict(fmt.Sprintf("cannot inspect image %q", ref), err)
	}
	timeout := time.Duration(defaultCommandLimit) * time.Second
	if t, ok := p.num("timeout_seconds"); ok {
		timeout = time.Duration(t) * time.Second
	}
	want := 0
	if c, ok := p.num("exit_code"); ok {
		want = int(c)
	}
	argv := commandArgv(p)
	shown := oneLine(quoteArgv(argv), 120)
	res, err := en.docker.RunCommand(ctx, CommandSpec{Image: info.ID, Argv: argv, Purpose: "command",
		Timeout: timeout, OutputLimit: commandOutputLimit})
	if err != nil {
		var ep engineProblem
		if (errors.As(err, &ep) && ep.EngineProblem()) || ctx.Err() != nil {
			return errorVerdict(fmt.Sprintf("cannot run `%s` in %s", shown, ref), err)
		}
		// The engine refused the command itself (no such executable in the
		// image...): that is the image's fault, so it fails the check.
		msg := err.Error()
		// The runtime's own words come last: "exec: \"x\": executable file not found in $PATH".
		if i := strings.LastIndex(msg, "exec: "); i >= 0 {
			msg = msg[i:]
		}
		return fail(fmt.Sprintf("`%s` cannot run in %s: %s", shown, ref, oneLine(msg, maxErrorRunes)))
	}
	output := outputEvidence(res)
	if res.OutputExceeded > 0 {
		return fail(append([]string{fmt.Sprintf("`%s` was killed in %s: its output exceeded %d bytes", shown, ref, res.OutputExceeded)}, output...)...)
	}
	if res.TimedOut {
		return fail(append([]string{fmt.Sprintf("`%s` timed out after %s in %s and was killed", shown, timeout, ref)}, output...)...)
	}
	if res.OOMKilled {
		return fail(append([]string{fmt.Sprintf("`%s` ran out of memory in %s and was killed (exit %d, OOMKilled): commands get %d MiB",
			shown, ref, res.ExitCode, CommandMemory>>20)}, output...)...)
	}
	var problems []string
	if res.ExitCode != want {
		problems = append(problems, fmt.Sprintf("`%s` exited with code %d, expected %d", shown, res.ExitCode, want))
	}
	for _, m := range []struct{ name, out string }{{"stdout", res.Stdout}, {"stderr", res.Stderr}} {
		pat, ok := p[m.name].(string)
		if !ok {
			continue
		}
		if !regexp.MustCompile(pat).MatchString(m.out) {
			problems = append(problems, fmt.Sprintf("%s does not match /%s/", m.name, oneLine(pat, 80)))
		}
	}
	if len(problems) > 0 {
		return fail(append(problems, output...)...)
	}
	msg := fmt.Sprintf("`%s` exited with code %d in %s", shown, res.ExitCode, ref)
	return pass(append([]string{msg}, output...)...)
}

// outputEvidence shows the first lines of each stream; Result sanitizes them.
func outputEvidence(res CommandResult) []string {
	var ev []string
	for _, s := range []struct{ name, out string }{{"stdout", res.Stdout}, {"stderr", res.Stderr}} {
		lines := strings.Split(strings.TrimRight(s.out, "\n"), "\n")
		if strings.TrimSpace(s.out) == "" {
			continue
		}
		for i, l := range lines {
			if i == evidenceOutputLines {
				ev = append(ev, fmt.Sprintf("%s: … (%d more lines)", s.name, len(lines)-i))
				break
			}
			ev = append(ev, s.name+": "+oneLine(clean(l), 200))
		}
	}
	return ev
}
