package dockerfile

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/moby/patternmatcher"
	"github.com/moby/patternmatcher/ignorefile"

	"shipshape/internal/safefile"
)

// IgnoreRule is one thing a .dockerignore must keep out of the build context.
type IgnoreRule struct {
	// Name says what is excluded, for people: ".git", "virtual environment".
	Name string
	// Probes are context-relative paths that must all be excluded. Several
	// probes catch patterns that only work at the top level, since
	// .dockerignore patterns, unlike .gitignore ones, are anchored at the
	// context root: "__pycache__" misses app/__pycache__.
	Probes []string
	// Suggest is a pattern that fixes a miss.
	Suggest string
	// Why says what goes wrong when it is not excluded.
	Why string
}

// IgnoreRules are what dockerignore.present requires. Only .venv is required
// of the virtual environments because the course creates its environment as
// .venv (python -m venv .venv, uv); venv/ is also required when a venv
// directory actually exists in the context.
var IgnoreRules = []IgnoreRule{
	{Name: ".git", Probes: []string{".git", ".git/config", ".git/objects/ab/cdef"}, Suggest: ".git", Why: "history and remotes end up in the build context and can leak into the image"},
	{Name: ".env", Probes: []string{".env"}, Suggest: ".env", Why: "secrets in .env would be sent to the builder and can be copied into the image"},
	{Name: "virtual environment .venv", Probes: []string{".venv", ".venv/bin/python", ".venv/lib/python3.13/site-packages/x.py"}, Suggest: ".venv", Why: "a host virtual environment is large and built for another platform"},
	{Name: "Python caches (__pycache__)", Probes: []string{"__pycache__/x.cpython-313.pyc", "app/__pycache__/m.cpython-313.pyc", "app/sub/__pycache__/m.cpython-313.pyc"}, Suggest: "**/__pycache__", Why: "bytecode caches change on every run and bust the COPY cache"},
	{Name: "compiled Python files (*.pyc)", Probes: []string{"m.pyc", "app/m.pyc", "app/sub/m.pyc"}, Suggest: "**/*.pyc", Why: "bytecode changes on every run and busts the COPY cache"},
}

var venvRule = IgnoreRule{Name: "virtual environment venv", Probes: []string{"venv", "venv/bin/python"}, Suggest: "venv", Why: "a host virtual environment is large and built for another platform"}

// IgnoreFinding is the result of CheckIgnore.
type IgnoreFinding struct {
	Finding
	// Path is the ignore file that was judged, empty when none exists.
	Path string
	// Excluded and Missing list the rule names that passed and failed.
	Excluded, Missing []string
	// Suggestions are patterns to add, one per missing rule.
	Suggestions []string
}

// CheckIgnore judges the ignore file of the build context dir for the
// Dockerfile named "Dockerfile" in it. See CheckIgnoreFor.
func CheckIgnore(dir string) IgnoreFinding {
	return CheckIgnoreFor(dir, filepath.Join(dir, "Dockerfile"))
}

// CheckIgnoreFor judges the ignore file that applies when dockerfile is built
// with context dir. BuildKit (the default builder since Docker Engine 23)
// prefers <Dockerfile>.dockerignore next to the Dockerfile over
// .dockerignore in the context; the legacy builder reads only .dockerignore,
// so the evidence says which one was used.
func CheckIgnoreFor(dir, dockerfile string) IgnoreFinding {
	root := filepath.Join(dir, ".dockerignore")
	path := root
	var notes []string
	if dockerfile != "" {
		specific := dockerfile + ".dockerignore"
		if _, err := os.Stat(specific); err == nil {
			path = specific
			notes = append(notes, fmt.Sprintf("%s is used instead of .dockerignore by BuildKit; the legacy builder reads only .dockerignore", filepath.Base(specific)))
		}
	}
	data, err := safefile.Open(path)
	if err != nil {
		var ev string
		if errors.Is(err, fs.ErrNotExist) {
			ev = fmt.Sprintf(".dockerignore not found in %s: everything in the directory is sent to the builder", dir)
		} else {
			ev = fmt.Sprintf("cannot read %s: %v", path, err)
		}
		out := IgnoreFinding{Finding: Finding{Status: Fail, Evidence: []string{ev}}}
		for _, r := range IgnoreRules {
			out.Missing = append(out.Missing, r.Name)
			out.Suggestions = append(out.Suggestions, r.Suggest)
		}
		out.Evidence = append(out.Evidence, "create it with at least: "+joinPatterns(out.Suggestions))
		return out
	}
	defer data.Close()
	patterns, err := ignorefile.ReadAll(data)
	if err != nil {
		return IgnoreFinding{Path: path, Finding: Finding{Status: Fail, Evidence: []string{fmt.Sprintf("cannot read %s: %v", path, err)}}}
	}
	out := CheckIgnorePatterns(patterns, rulesFor(dir))
	out.Path = path
	out.Evidence = append(notes, out.Evidence...)
	return out
}

// rulesFor adds venv/ to the required rules when such a directory exists.
func rulesFor(dir string) []IgnoreRule {
	rules := append([]IgnoreRule(nil), IgnoreRules...)
	if st, err := os.Stat(filepath.Join(dir, "venv")); err == nil && st.IsDir() {
		rules = append(rules, venvRule)
	}
	return rules
}

// CheckIgnorePatterns judges already-read .dockerignore patterns (as
// ignorefile.ReadAll returns them) against rules. Exceptions (!pattern) are
// honoured: a path counts as excluded only when the matcher, after every
// pattern, still excludes it.
func CheckIgnorePatterns(patterns []string, rules []IgnoreRule) IgnoreFinding {
	out := IgnoreFinding{}
	pm, err := patternmatcher.New(patterns)
	if err != nil {
		out.Status = Fail
		out.Evidence = []string{fmt.Sprintf("invalid pattern in .dockerignore: %v", err)}
		return out
	}
	for _, r := range rules {
		var leaked string
		for _, p := range r.Probes {
			ok, err := pm.MatchesOrParentMatches(p)
			if err != nil || !ok {
				leaked = p
				break
			}
		}
		if leaked == "" {
			out.Excluded = append(out.Excluded, r.Name)
			out.Evidence = append(out.Evidence, "excludes "+r.Name)
			continue
		}
		out.Missing = append(out.Missing, r.Name)
		out.Suggestions = append(out.Suggestions, r.Suggest)
		out.Evidence = append(out.Evidence, fmt.Sprintf("does not exclude %s (%s would be sent): add %q; %s", r.Name, leaked, r.Suggest, r.Why))
	}
	out.Status = Pass
	if len(out.Missing) > 0 {
		out.Status = Fail
	}
	return out
}

func joinPatterns(p []string) string {
	s := ""
	for i, x := range p {
		if i > 0 {
			s += ", "
		}
		s += x
	}
	return s
}
