package check

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"shipshape/internal/dockerfile"
	"shipshape/internal/human"
)

func init() {
	kinds["image.user_nonroot"] = &kind{docker: true, app: appPeer, params: withNetwork(nil),
		title: fixedTitle("Runs as a non-root user"), eval: evalUserNonroot}
	kinds["image.healthcheck_defined"] = &kind{docker: true, title: fixedTitle("Declares a HEALTHCHECK"), eval: evalHealthcheckDefined}
	kinds["image.size_max"] = &kind{
		docker: true,
		params: map[string]paramDef{"max_bytes": {typ: paramInt, required: true}, "target_bytes": {typ: paramInt}},
		title: func(p params) string {
			m, _ := p.num("max_bytes")
			return "Image is at most " + human.Size(int64(m))
		},
		eval: evalSizeMax,
	}
	kinds["image.smaller_than"] = &kind{
		docker: true,
		params: map[string]paramDef{"than": {typ: paramString}},
		title: func(p params) string {
			if t := p.str("than", "dev"); t != "dev" {
				return "Image is smaller than " + t
			}
			return "Image is smaller than the dev image"
		},
		eval: evalSmallerThan,
	}
	kinds["image.no_build_tools"] = &kind{docker: true, title: fixedTitle("No build tools in the final image"), eval: evalNoBuildTools}
	kinds["image.no_secrets"] = &kind{docker: true, title: fixedTitle("No secrets in ENV or build history"), eval: evalNoSecrets}
}

// targetImage inspects the image under test.
func (en *env) targetImage(ctx context.Context) (ImageInfo, *verdict) {
	if en.target.Image == "" {
		v := verdict{status: StatusError, evidence: []string{"no image to check was given"}, advice: "Pass --image REF."}
		return ImageInfo{}, &v
	}
	info, err := en.image(ctx, en.target.Image)
	if err != nil {
		v := errorVerdict(fmt.Sprintf("cannot inspect image %q", en.target.Image), err)
		return ImageInfo{}, &v
	}
	return info, nil
}

// withContainer creates a container, runs fn and removes the container
// with a fresh context, so it goes away also when ctx was cancelled.
func (en *env) withContainer(ctx context.Context, spec ContainerSpec, fn func(id string) verdict) verdict {
	id, err := en.docker.CreateContainer(ctx, spec)
	if err != nil {
		return errorVerdict(fmt.Sprintf("cannot create a container from %q", spec.Image), err)
	}
	defer func() {
		rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 20*time.Second)
		defer cancel()
		_ = en.docker.RemoveContainer(rctx, id)
	}()
	return fn(id)
}

// splitUser splits a USER value into user and group.
func splitUser(u string) (string, string) {
	user, group, _ := strings.Cut(strings.TrimSpace(u), ":")
	return user, group
}

// isUID0 reports a numeric user that the runtime reads as uid 0, such as
// "0", "00", "+0" or "-0".
func isUID0(user string) bool {
	uid, numeric := dockerfile.NumericUID(user)
	return numeric && uid == 0
}

// passwdUID looks a user name up in an /etc/passwd file.
func passwdUID(passwd []byte, name string) (int, bool) {
	sc := bufio.NewScanner(bytes.NewReader(passwd))
	for sc.Scan() {
		f := strings.Split(sc.Text(), ":")
		if len(f) >= 3 && f[0] == name {
			uid, err := strconv.Atoi(f[2])
			return uid, err == nil
		}
	}
	return 0, false
}

func evalUserNonroot(ctx context.Context, en *env, p params) verdict {
	info, bad := en.targetImage(ctx)
	if bad != nil {
		return *bad
	}
	user, _ := splitUser(info.User)
	var ev []string
	root := false
	switch {
	case user == "":
		ev = append(ev, "image config sets no USER, so the container runs as root")
		root = true
	case user == "root" || isUID0(user):
		ev = append(ev, fmt.Sprintf("image config USER is %q (root)", info.User))
		root = true
	default:
		ev = append(ev, fmt.Sprintf("image config USER is %q", info.User))
	}
	a, bad := en.judged(ctx, info, p)
	if a.id == "" {
		v := copyVerdict(*bad)
		v.evidence = append(ev, v.evidence...)
		return v
	}
	id := a.id
	// A name is resolved through the image's own /etc/passwd, as the
	// runtime does; a name mapped to uid 0 is root under another name.
	if _, numeric := dockerfile.NumericUID(user); !numeric && user != "" && user != "root" {
		passwd, err := en.docker.ReadFile(ctx, id, "/etc/passwd", 1<<20)
		switch {
		case errors.Is(err, fs.ErrNotExist):
			ev = append(ev, "the image has no /etc/passwd, so the name cannot be resolved")
		case err != nil:
			return errorVerdict("cannot read /etc/passwd from the image", err, ev...)
		default:
			if uid, ok := passwdUID(passwd, user); !ok {
				ev = append(ev, fmt.Sprintf("user %q is not in the image's /etc/passwd", user))
			} else {
				ev = append(ev, fmt.Sprintf("/etc/passwd maps %q to uid %d", user, uid))
				if uid == 0 {
					root = true
				}
			}
		}
	}
	if bad != nil {
		v := copyVerdict(*bad)
		v.evidence = append(ev, v.evidence...)
		return v
	}
	procs, state, err := en.processes(ctx, id)
	if err != nil {
		return errorVerdict("cannot list the container's processes", err, ev...)
	}
	if len(procs) == 0 {
		ev = append(ev, fmt.Sprintf("the container exited (code %d) before its processes could be read; judged from the image config", state.ExitCode))
	}
	for _, p := range procs {
		if p.UID == "0" || p.UID == "root" {
			root = true
			ev = append(ev, fmt.Sprintf("process %s (pid %s) runs as uid 0", p.Command, p.PID))
		} else {
			ev = append(ev, fmt.Sprintf("process %s (pid %s) runs as uid %s", p.Command, p.PID, p.UID))
		}
	}
	if len(procs) > 0 {
		if out, ok := en.idOutput(ctx, id); ok {
			ev = append(ev, "id printed "+out)
		}
	}
	if root {
		return fail(ev...)
	}
	return pass(ev...)
}

// processes reads the container's process list, retrying briefly because
// the list can be empty for a moment right after start.
func (en *env) processes(ctx context.Context, id string) ([]Process, ContainerState, error) {
	for i := 0; ; i++ {
		st, err := en.docker.InspectContainer(ctx, id)
		if err != nil {
			return nil, st, err
		}
		if !st.Running {
			return nil, st, nil
		}
		procs, err := en.docker.Processes(ctx, id)
		if err == nil && len(procs) > 0 {
			return procs, st, nil
		}
		if i >= 10 {
			return nil, st, err
		}
		select {
		case <-ctx.Done():
			return nil, st, ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// idOutput runs `id` where the image has it; the output is only evidence,
// the verdict comes from the numeric process list.
func (en *env) idOutput(ctx context.Context, id string) (string, bool) {
	for _, p := range []string{"/usr/bin/id", "/bin/id"} {
		if ok, err := en.docker.PathExists(ctx, id, p); err == nil && ok {
			res, err := en.docker.Exec(ctx, id, []string{p})
			if err != nil || res.ExitCode != 0 {
				return "", false
			}
			return oneLine(res.Output, 200), true
		}
	}
	return "", false
}

// maxErrorRunes bounds a daemon error kept as evidence. It is generous: a
// daemon puts the cause last ("failed to create shim task: … executable
// file not found in $PATH"), and the screens wrap evidence, not cut it.
const maxErrorRunes = 1000

// oneLine folds whitespace and cuts s to at most n runes.
func oneLine(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	if r := []rune(s); len(r) > n {
		return string(r[:n-1]) + "…"
	}
	return s
}

func describeHealthcheck(h *Healthcheck) string {
	test := strings.Join(h.Test, " ")
	switch {
	case len(h.Test) > 1 && h.Test[0] == "CMD-SHELL":
		test = "CMD " + strings.Join(h.Test[1:], " ")
	case len(h.Test) > 1 && h.Test[0] == "CMD":
		test = "CMD " + strconv.Quote(h.Test[1]) + " " + strings.Join(h.Test[2:], " ")
		test = strings.TrimSpace(test)
	}
	return fmt.Sprintf("HEALTHCHECK %s (interval %s, timeout %s, start period %s, retries %d)",
		oneLine(test, 120), dur(h.Interval, DefaultHealthInterval), dur(h.Timeout, DefaultHealthTimeout),
		dur(h.StartPeriod, 0), retries(h))
}

func dur(d, def time.Duration) time.Duration {
	if d == 0 {
		return def
	}
	return d
}

func retries(h *Healthcheck) int {
	if h.Retries == 0 {
		return DefaultHealthRetries
	}
	return h.Retries
}

func hasHealthcheck(h *Healthcheck) bool {
	return h != nil && len(h.Test) > 0 && h.Test[0] != "NONE"
}

func evalHealthcheckDefined(ctx context.Context, en *env, _ params) verdict {
	info, bad := en.targetImage(ctx)
	if bad != nil {
		return *bad
	}
	h := info.Healthcheck
	if h == nil || len(h.Test) == 0 {
		return fail("the image declares no HEALTHCHECK")
	}
	if h.Test[0] == "NONE" {
		return fail("HEALTHCHECK NONE: health checking is switched off")
	}
	ev := []string{describeHealthcheck(h)}
	interval, timeout := dur(h.Interval, DefaultHealthInterval), dur(h.Timeout, DefaultHealthTimeout)
	warn := false
	if h.Timeout != 0 && timeout >= interval {
		ev = append(ev, fmt.Sprintf("note: timeout %s is not below the interval %s; a hanging probe delays the next one", timeout, interval))
		warn = true
	}
	if h.Interval == 0 && h.Timeout == 0 {
		ev = append(ev, "note: Docker's default timing is used (30s interval and timeout); set --interval and a shorter --timeout")
	}
	if warn {
		return verdict{status: StatusWarn, evidence: ev}
	}
	return pass(ev...)
}

// instruction turns a history CreatedBy into the Dockerfile line that made it.
func Instruction(createdBy string) string {
	s := strings.TrimSpace(createdBy)
	if s == "" {
		return "(no instruction recorded: an imported or base layer)"
	}
	s = strings.TrimSpace(strings.TrimSuffix(s, "# buildkit"))
	if rest, ok := strings.CutPrefix(s, "/bin/sh -c #(nop) "); ok {
		s = strings.TrimSpace(rest)
	} else if rest, ok := strings.CutPrefix(s, "/bin/sh -c "); ok {
		s = "RUN " + rest
	} else if rest, ok := strings.CutPrefix(s, "RUN /bin/sh -c "); ok {
		// BuildKit records a shell-form RUN with its shell; the classic
		// builder's line above reads the same without it.
		s = "RUN " + rest
	}
	// 64 hex digits say nothing to a reader and wrap the line; twelve
	// tell layers apart, as docker's short IDs do.
	s = copyDigest.ReplaceAllString(s, "$1:$2…")
	return oneLine(s, 90)
}

// copyDigest is the content digest the classic builder records for a
// COPY or ADD source ("COPY dir:<64 hex> in /opt/venv").
var copyDigest = regexp.MustCompile(`\b(dir|file|multi):([0-9a-f]{12})[0-9a-f]{52}\b`)

func (en *env) layerBreakdown(ctx context.Context, ref string, n int) []string {
	layers, err := en.docker.ImageHistory(ctx, ref)
	if err != nil {
		return []string{"layer breakdown unavailable: " + err.Error()}
	}
	sort.SliceStable(layers, func(i, j int) bool { return layers[i].Size > layers[j].Size })
	var out []string
	for _, l := range layers {
		if l.Size == 0 || len(out) == n {
			break
		}
		out = append(out, fmt.Sprintf("layer %8s  %s", human.Size(l.Size), Instruction(l.CreatedBy)))
	}
	return out
}

func evalSizeMax(ctx context.Context, en *env, p params) verdict {
	info, bad := en.targetImage(ctx)
	if bad != nil {
		return *bad
	}
	maxB, _ := p.num("max_bytes")
	target, hasTarget := p.num("target_bytes")
	var v verdict
	switch {
	case info.Size > int64(maxB):
		v = fail(fmt.Sprintf("final image %s > %s", human.Size(info.Size), human.Size(int64(maxB))))
	case hasTarget && info.Size > int64(target):
		v = verdict{status: StatusWarn, evidence: []string{fmt.Sprintf("final image %s ≤ %s, but above the %s target", human.Size(info.Size), human.Size(int64(maxB)), human.Size(int64(target)))}}
	default:
		msg := fmt.Sprintf("final image %s ≤ %s", human.Size(info.Size), human.Size(int64(maxB)))
		if hasTarget {
			msg += fmt.Sprintf(" (target %s met)", human.Size(int64(target)))
		}
		v = pass(msg)
	}
	v.evidence = append(v.evidence, en.layerBreakdown(ctx, info.ID, 5)...)
	return v
}

func evalSmallerThan(ctx context.Context, en *env, p params) verdict {
	info, bad := en.targetImage(ctx)
	if bad != nil {
		return *bad
	}
	other := p.str("than", "dev")
	if other == "dev" {
		other = en.target.DevImage
		if other == "" {
			other = "task-api:dev"
		}
	}
	oinfo, err := en.image(ctx, other)
	if err != nil {
		v := errorVerdict(fmt.Sprintf("cannot inspect the image to compare with, %q", other), err)
		var m interface{ MissingImage() bool }
		if errors.As(err, &m) && m.MissingImage() {
			if p.str("than", "dev") == "dev" {
				v.advice = fmt.Sprintf("Build your dev image first (`docker build -t %s .` from the starter), or pass its reference with --dev-image.", other)
			} else {
				v.advice = fmt.Sprintf("Build or tag %s first: this check compares against it.", other)
			}
		}
		return v
	}
	if oinfo.ID == info.ID {
		return fail(fmt.Sprintf("%s and %s are the same image (%s)", en.target.Image, other, human.ShortID(info.ID)))
	}
	diff := ""
	if oinfo.Size > 0 {
		diff = fmt.Sprintf(" (%+.0f%%)", 100*float64(info.Size-oinfo.Size)/float64(oinfo.Size))
	}
	var v verdict
	if info.Size < oinfo.Size {
		v = pass(fmt.Sprintf("%s is %s < %s is %s%s", en.target.Image, human.Size(info.Size), other, human.Size(oinfo.Size), diff))
	} else {
		v = fail(fmt.Sprintf("%s is %s ≥ %s is %s%s", en.target.Image, human.Size(info.Size), other, human.Size(oinfo.Size), diff))
	}
	v.evidence = append(v.evidence, en.layerBreakdown(ctx, info.ID, 3)...)
	return v
}

// buildTools are the names looked for in the usual binary directories.
var buildTools = []string{"gcc", "cc", "g++", "c++", "cpp", "clang", "make", "ld", "vim", "nano", "emacs"}

var buildToolDirs = []string{"/usr/bin", "/usr/local/bin", "/bin"}

// buildToolFiles are files build-essential and friends leave behind.
var buildToolFiles = []string{"/usr/share/build-essential", "/usr/share/doc/build-essential"}

func evalNoBuildTools(ctx context.Context, en *env, _ params) verdict {
	info, bad := en.targetImage(ctx)
	if bad != nil {
		return *bad
	}
	// A created, never started container is enough to look at the
	// filesystem, and needs no shell or ls in the image.
	return en.withContainer(ctx, ContainerSpec{Image: info.ID, Purpose: "tools"}, func(id string) verdict {
		var paths []string
		for _, t := range buildTools {
			for _, d := range buildToolDirs {
				paths = append(paths, d+"/"+t)
			}
		}
		paths = append(paths, buildToolFiles...)
		found := make([]bool, len(paths))
		errs := make([]error, len(paths))
		sem := make(chan struct{}, 8)
		var wg sync.WaitGroup
		for i, p := range paths {
			wg.Add(1)
			go func() {
				defer wg.Done()
				sem <- struct{}{}
				defer func() { <-sem }()
				found[i], errs[i] = en.docker.PathExists(ctx, id, p)
			}()
		}
		wg.Wait()
		var ev []string
		seen := map[string]bool{}
		for i, p := range paths {
			if errs[i] != nil {
				return errorVerdict("cannot look for "+p, errs[i])
			}
			name := p[strings.LastIndex(p, "/")+1:]
			if found[i] && !seen[name] {
				seen[name] = true
				ev = append(ev, "found "+p)
			}
		}
		if len(ev) > 0 {
			return fail(ev...)
		}
		return pass(fmt.Sprintf("none of %s found in %s", strings.Join(buildTools, ", "), strings.Join(buildToolDirs, ", ")))
	})
}

// secretKey matches names that usually hold secrets.
var secretKey = regexp.MustCompile(`(?i)(passw(or)?d|passphrase|secret|token|api_?key|access_?key|private_?key|credential)`)

// notSecret are names that match secretKey but are conventionally public,
// or point at a secret instead of holding it.
var notSecret = regexp.MustCompile(`(?i)(^|_)GPG_KEY$|_(FILE|PATH|DIR)$|^TOKENIZERS_PARALLELISM$`)

func looksSecret(key string) bool {
	return secretKey.MatchString(key) && !notSecret.MatchString(key)
}

// buildArgPrefix matches the "|2 A=1 B=2 " the builders put before RUN
// commands that saw build arguments.
var buildArgPrefix = regexp.MustCompile(`^(?:RUN )?\|(\d+) `)

func evalNoSecrets(ctx context.Context, en *env, _ params) verdict {
	info, bad := en.targetImage(ctx)
	if bad != nil {
		return *bad
	}
	var ev []string
	seen := map[string]bool{}
	for _, kv := range info.Env {
		k, v, _ := strings.Cut(kv, "=")
		if v != "" && looksSecret(k) && !seen["env "+k] {
			seen["env "+k] = true
			ev = append(ev, fmt.Sprintf("ENV %s is set in the image config (value hidden)", k))
		}
	}
	layers, err := en.docker.ImageHistory(ctx, info.ID)
	if err != nil {
		return errorVerdict("cannot read the image history", err, ev...)
	}
	for _, l := range layers {
		for _, kv := range historyAssignments(l.CreatedBy) {
			k, v, _ := strings.Cut(kv, "=")
			if v == "" || !looksSecret(k) || seen["env "+k] || seen["arg "+k] {
				continue
			}
			seen["arg "+k] = true
			ev = append(ev, fmt.Sprintf("%s has a value in the image history, visible to anyone with the image (value hidden): %s", k, redact(Instruction(l.CreatedBy), v)))
		}
	}
	if len(ev) > 0 {
		return fail(ev...)
	}
	return pass(fmt.Sprintf("no secret-looking names among %d ENV entries and %d history entries", len(info.Env), len(layers)))
}

// historyAssignments extracts NAME=value pairs that a history entry
// exposes: build args before a RUN, and ARG or ENV instructions.
func historyAssignments(createdBy string) []string {
	s := strings.TrimSpace(createdBy)
	if m := buildArgPrefix.FindStringSubmatch(s); m != nil {
		n, _ := strconv.Atoi(m[1])
		fields := strings.Fields(s[len(m[0]):])
		if n > len(fields) {
			n = len(fields)
		}
		return fields[:n]
	}
	ins := Instruction(s)
	for _, kw := range []string{"ARG ", "ENV "} {
		if rest, ok := strings.CutPrefix(ins, kw); ok {
			var out []string
			for _, f := range strings.Fields(rest) {
				if strings.Contains(f, "=") {
					out = append(out, strings.Trim(f, `"`))
				}
			}
			return out
		}
	}
	return nil
}

func redact(s, secret string) string {
	if len(secret) < 3 {
		return s
	}
	return strings.ReplaceAll(s, secret, "***")
}
