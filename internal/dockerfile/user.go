package dockerfile

import (
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/moby/buildkit/frontend/dockerfile/instructions"
	"github.com/moby/buildkit/frontend/dockerfile/shell"
)

// vars is the ARG/ENV scope a USER sees, for variable substitution.
type vars struct {
	m    map[string]string
	keys []string
	// fromArg records names whose value is an ARG default, which
	// --build-arg can change.
	fromArg map[string]bool
}

func newVars() *vars { return &vars{m: map[string]string{}, fromArg: map[string]bool{}} }

func (v *vars) set(k, val string) {
	if _, ok := v.m[k]; !ok {
		v.keys = append(v.keys, k)
	}
	v.m[k] = val
}

// Get implements shell.EnvGetter.
func (v *vars) Get(k string) (string, bool) { s, ok := v.m[k]; return s, ok }

// Keys implements shell.EnvGetter.
func (v *vars) Keys() []string { return v.keys }

func newLex(escape rune) *shell.Lex {
	if escape == 0 {
		escape = '\\'
	}
	return shell.NewLex(escape)
}

// NonRootFinal judges whether the final stage's last USER is a non-root user.
// A USER in a stage the final stage is built FROM counts (it is inherited); a
// USER in a builder stage that is only copied from does not.
func (f *File) NonRootFinal() Finding {
	final := f.FinalStage()
	scope := newVars()
	// ARGs before the first FROM are only visible in a stage that declares
	// them again with ARG NAME; keep their defaults for that case.
	meta := map[string]*string{}
	for _, a := range f.metaArgs {
		for _, kv := range a.Args {
			meta[kv.Key] = kv.Value
		}
	}
	var last *instructions.UserCommand
	var lastScope *vars
	for _, si := range f.chain(final.Index) {
		for _, c := range f.stages[si].Commands {
			switch c := c.(type) {
			case *instructions.ArgCommand:
				for _, kv := range c.Args {
					val := kv.Value
					if val == nil {
						val = meta[kv.Key]
					}
					if val != nil {
						scope.set(kv.Key, *val)
						scope.fromArg[kv.Key] = true
					}
				}
			case *instructions.EnvCommand:
				for _, kv := range c.Env {
					scope.set(kv.Key, kv.Value)
					scope.fromArg[kv.Key] = false
				}
			case *instructions.UserCommand:
				last = c
				lastScope = &vars{m: cloneMap(scope.m), keys: slices.Clone(scope.keys), fromArg: cloneMap(scope.fromArg)}
			}
		}
	}
	if last == nil {
		ev := []string{fmt.Sprintf("line %d: final %s (FROM %s) has no USER: runs as root", final.Line, final.Label(), final.BaseImage)}
		ev = append(ev, f.userElsewhere(final.Index)...)
		if hint := nonrootBase(final.BaseImage); hint != "" {
			ev = append(ev, hint)
		}
		return Finding{Status: Fail, Evidence: ev, Line: final.Line}
	}
	line := cmdLine(last)
	user := last.User
	ev := []string{at(last)}
	if strings.Contains(user, "$") {
		res, unmatched, err := newLex(f.escape).ProcessWord(user, lastScope)
		missing := unresolved(user, unmatched)
		if err != nil || len(missing) > 0 || res == "" {
			ev = append(ev, fmt.Sprintf("USER depends on %s with no default, so the Dockerfile alone cannot tell which user runs; the image check can", strings.Join(missing, ", ")))
			return Finding{Status: Unknown, Evidence: ev, Line: line}
		}
		note := fmt.Sprintf("%s resolves to %q", user, res)
		for name := range lastScope.fromArg {
			if lastScope.fromArg[name] && strings.Contains(user, name) {
				note += " with the ARG defaults (--build-arg can change it)"
				break
			}
		}
		ev = append(ev, note)
		user = res
	}
	if isRoot(user) {
		ev = append(ev, fmt.Sprintf("the final stage's last USER is %s, which is root", user))
		return Finding{Status: Fail, Evidence: ev, Line: line}
	}
	switch uid, numeric := NumericUID(user); {
	case numeric && (uid < 0 || uid > maxUID):
		ev = append(ev, fmt.Sprintf("USER %s is not a valid uid (0 to %d), so the container will not start", user, maxUID))
		return Finding{Status: Fail, Evidence: ev, Line: line}
	case numeric && strings.TrimSpace(user) == strconv.Itoa(uid) || strings.HasPrefix(strings.TrimSpace(user), strconv.Itoa(uid)+":"):
		ev = append(ev, fmt.Sprintf("the final stage runs as %s, not root", user))
	case numeric:
		ev = append(ev, fmt.Sprintf("the final stage runs as %s, which the runtime reads as uid %d, not root", user, uid))
	default:
		// A name is as good as its /etc/passwd entry: "useradd -o -u 0 app"
		// makes app root. Only the built image can tell.
		ev = append(ev, fmt.Sprintf("the final stage runs as the user named %s, which is not root if the image's /etc/passwd gives it a non-zero uid (the image check resolves it)", user))
	}
	return Finding{Status: Pass, Evidence: ev, Line: line}
}

// defaultRef matches ${NAME:-word} and ${NAME-word}, whose result does not
// depend on NAME being set.
var defaultRef = regexp.MustCompile(`\$\{([A-Za-z_][A-Za-z0-9_]*):?-`)

// unresolved lists the variables that had no value and no default in word.
func unresolved(word string, unmatched map[string]struct{}) []string {
	withDefault := map[string]bool{}
	for _, m := range defaultRef.FindAllStringSubmatch(word, -1) {
		withDefault[m[1]] = true
	}
	var out []string
	for name := range unmatched {
		if !withDefault[name] {
			out = append(out, "$"+name)
		}
	}
	slices.Sort(out)
	return out
}

// isRoot reports whether a USER value (user[:group]) selects uid 0. A root
// group with a non-root user (USER 1000:0, common on OpenShift) is not root.
func isRoot(user string) bool {
	u, _, _ := strings.Cut(strings.TrimSpace(user), ":")
	if u == "" || u == "root" {
		return true
	}
	uid, numeric := NumericUID(u)
	return numeric && uid == 0
}

// maxUID is the largest uid the runtime accepts (moby/sys/user's maxId).
const maxUID = 1<<31 - 1

// NumericUID reads the user part of a USER value (user[:group]) the way
// dockerd and runc do (moby/sys/user GetExecUser): whatever strconv.Atoi
// accepts is a uid, never a name, so "+0", "-0" and "00" are all uid 0.
// Anything else is a name, which only the image's /etc/passwd can turn
// into a uid.
func NumericUID(user string) (uid int, numeric bool) {
	u, _, _ := strings.Cut(strings.TrimSpace(user), ":")
	n, err := strconv.Atoi(u)
	return n, err == nil
}

// userElsewhere explains USERs in stages the final stage does not inherit,
// the usual reason a learner believes the image is non-root.
func (f *File) userElsewhere(final int) []string {
	inherited := map[int]bool{}
	for _, i := range f.chain(final) {
		inherited[i] = true
	}
	var out []string
	for i := range f.stages {
		if inherited[i] {
			continue
		}
		for _, c := range f.stages[i].Commands {
			if u, ok := c.(*instructions.UserCommand); ok {
				out = append(out, fmt.Sprintf("%s is in %s, which the final stage does not inherit (USER applies only to its own stage)", at(u), f.stage(i).Label()))
			}
		}
	}
	return out
}

// nonrootBase notes base images whose names say they set a non-root user;
// the Dockerfile cannot prove it, the image check can.
func nonrootBase(image string) string {
	l := strings.ToLower(image)
	for _, w := range []string{"nonroot", "non-root", "rootless", "unprivileged"} {
		if strings.Contains(l, w) {
			return fmt.Sprintf("base image %s may set a non-root USER itself; the image check looks at the built image", image)
		}
	}
	return ""
}

func cloneMap[K comparable, V any](m map[K]V) map[K]V {
	out := make(map[K]V, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}
