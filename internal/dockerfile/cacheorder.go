package dockerfile

import (
	"fmt"
	"path"
	"strings"

	"github.com/moby/buildkit/frontend/dockerfile/instructions"
)

// manifestPatterns are the base names of files that list dependencies. When
// only these are copied before the install step, the install layer is reused
// until the dependency list itself changes.
var manifestPatterns = []string{
	// Python
	"requirements*.txt", "requirements", "constraints*.txt", "pyproject.toml", "poetry.lock", "uv.lock",
	"Pipfile", "Pipfile.lock", "setup.py", "setup.cfg", "environment.yml", "environment.yaml",
	// JavaScript
	"package.json", "package-lock.json", "npm-shrinkwrap.json", "yarn.lock", ".yarnrc.yml", ".yarnrc",
	"pnpm-lock.yaml", "pnpm-workspace.yaml", ".npmrc", "bun.lockb", "bun.lock",
	// Go, Rust, Ruby, PHP, JVM, Elixir
	"go.mod", "go.sum", "go.work", "go.work.sum", "Cargo.toml", "Cargo.lock",
	"Gemfile", "Gemfile.lock", "*.gemspec", "composer.json", "composer.lock",
	"pom.xml", "build.gradle", "build.gradle.kts", "settings.gradle", "settings.gradle.kts",
	"gradle.properties", "mix.exs", "mix.lock",
}

// manifestExamples are concrete names used to recognise glob sources such
// as COPY package*.json or COPY requirements*.txt.
var manifestExamples = []string{
	"requirements.txt", "requirements-dev.txt", "pyproject.toml", "poetry.lock", "uv.lock", "Pipfile",
	"Pipfile.lock", "package.json", "package-lock.json", "yarn.lock", "pnpm-lock.yaml", "go.mod", "go.sum",
	"Cargo.toml", "Cargo.lock", "Gemfile", "Gemfile.lock", "composer.json", "composer.lock",
}

// sourceDirs are directory names that conventionally hold the application
// code; copying one of them before installing busts the cache like COPY . .
// does.
var sourceDirs = map[string]bool{
	"src": true, "app": true, "lib": true, "pkg": true, "cmd": true, "internal": true,
	"source": true, "code": true,
}

func isManifest(src string) bool {
	base := path.Base(strings.TrimSuffix(src, "/"))
	for _, p := range manifestPatterns {
		if ok, _ := path.Match(p, base); ok {
			return true
		}
	}
	if strings.ContainsAny(base, "*?[") {
		for _, ex := range manifestExamples {
			if ok, _ := path.Match(base, ex); ok {
				return true
			}
		}
	}
	return false
}

// isBroad reports whether a build-context source brings in the whole
// project (., ./, *, ./*) or a directory of application code.
func isBroad(src string) bool {
	c := path.Clean(src)
	if c == "." || c == "*" || c == "/" || c == ".*" {
		return true
	}
	return sourceDirs[strings.TrimPrefix(c, "./")]
}

func isRemote(src string) bool {
	return strings.Contains(src, "://") || strings.HasPrefix(src, "git@")
}

// step is one event in a stage that matters for the build cache.
type step struct {
	kind  stepKind
	text  string // evidence, "line 4: COPY . ."
	line  int
	stage int
}

type stepKind int

const (
	stepManifest stepKind = iota // only dependency manifests from the context
	stepBroad                    // the whole project or its source directory
	stepInstall                  // a project dependency install
)

// stageSteps lists the cache-relevant steps of one stage's own instructions.
func (f *File) stageSteps(si int) []step {
	var out []step
	add := func(k stepKind, c instructions.Command, text string) {
		if text == "" {
			text = at(c)
		}
		out = append(out, step{kind: k, text: text, line: cmdLine(c), stage: si})
	}
	classify := func(c instructions.Command, srcs []string) {
		broad, manifest := false, false
		for _, s := range srcs {
			switch {
			case isRemote(s):
			case isBroad(s):
				broad = true
			case isManifest(s):
				manifest = true
			}
		}
		if broad {
			add(stepBroad, c, "")
		} else if manifest {
			add(stepManifest, c, "")
		}
	}
	for _, c := range f.stages[si].Commands {
		switch c := c.(type) {
		case *instructions.CopyCommand:
			if c.From == "" {
				classify(c, c.SourcePaths)
			}
		case *instructions.AddCommand:
			classify(c, c.SourcePaths)
		case *instructions.RunCommand:
			// A bind mount of the build context is a copy for the cache's
			// purposes: its content is part of the step's cache key.
			var srcs []string
			for _, m := range instructions.GetMounts(c) {
				if m.Type == instructions.MountTypeBind && m.From == "" {
					src := m.Source
					if src == "" {
						src = "."
					}
					srcs = append(srcs, src)
				}
			}
			classify(c, srcs)
			if isInstall(runText(c)) {
				add(stepInstall, c, "")
			}
		}
	}
	return out
}

// runText is the shell text a RUN executes, heredoc bodies included.
func runText(c *instructions.RunCommand) string {
	parts := append([]string(nil), c.CmdLine...)
	for _, f := range c.Files {
		parts = append(parts, f.Data)
	}
	return strings.Join(parts, "\n")
}

// isInstall reports whether shell text installs the project's dependencies
// from its manifests. Installing a named tool (pip install uv, npm install -g
// pnpm) does not read the manifests, so it is not judged.
func isInstall(text string) bool {
	for _, cmd := range splitShell(text) {
		if installCommand(cmd) {
			return true
		}
	}
	return false
}

// splitShell cuts shell text into simple commands at ;, &&, ||, | and
// newlines. Quoting is ignored: a rough cut is enough to find install steps.
func splitShell(text string) [][]string {
	r := strings.NewReplacer("&&", "\n", "||", "\n", ";", "\n", "|", "\n", "(", "\n", ")", "\n")
	var out [][]string
	for _, l := range strings.Split(r.Replace(text), "\n") {
		if w := strings.Fields(l); len(w) > 0 {
			out = append(out, w)
		}
	}
	return out
}

func installCommand(w []string) bool {
	// Skip leading environment assignments and wrappers.
	for len(w) > 0 && (strings.Contains(w[0], "=") || w[0] == "sudo" || w[0] == "exec" || w[0] == "env") {
		w = w[1:]
	}
	if len(w) == 0 {
		return false
	}
	tool := path.Base(w[0])
	args := w[1:]
	// python -m pip install ..., python3 -m uv ...
	if strings.HasPrefix(tool, "python") && len(args) >= 2 && args[0] == "-m" {
		tool, args = args[1], args[2:]
	}
	sub, rest := "", []string(nil)
	if len(args) > 0 {
		sub, rest = args[0], args[1:]
	}
	switch {
	case tool == "pip" || tool == "pip3" || strings.HasPrefix(tool, "pip3."):
		return sub == "install" && pipProjectArgs(rest)
	case tool == "uv":
		switch sub {
		case "sync":
			return true
		case "pip":
			if len(rest) > 0 && rest[0] == "sync" {
				return true
			}
			return len(rest) > 0 && rest[0] == "install" && pipProjectArgs(rest[1:])
		}
	case tool == "pip-sync":
		return true
	case tool == "poetry":
		return sub == "install" || sub == "sync"
	case tool == "pipenv":
		return sub == "install" || sub == "sync"
	case tool == "npm":
		return sub == "ci" || (sub == "install" || sub == "i") && noPositional(rest)
	case tool == "yarn":
		return sub == "" || sub == "install" || strings.HasPrefix(sub, "-")
	case tool == "pnpm" || tool == "bun":
		return (sub == "install" || sub == "i") && noPositional(rest)
	case tool == "go":
		return sub == "mod" && len(rest) > 0 && rest[0] == "download"
	case tool == "bundle":
		return sub == "install"
	case tool == "cargo":
		return sub == "fetch"
	case tool == "composer":
		return sub == "install"
	case tool == "mvn" || tool == "mvnw":
		for _, a := range args {
			if strings.HasPrefix(a, "dependency:") {
				return true
			}
		}
	}
	return false
}

// pipProjectArgs reports whether pip install arguments read the project's
// manifests (-r file, a local path such as . or -e .) rather than name
// packages.
func pipProjectArgs(args []string) bool {
	for _, a := range args {
		switch {
		case a == "-r" || a == "--requirement" || strings.HasPrefix(a, "--requirement=") ||
			strings.HasPrefix(a, "-r") && len(a) > 2:
			return true
		case a == "." || strings.HasPrefix(a, "./") || strings.HasPrefix(a, ".[") || a == "/app" || isManifest(a):
			return true
		}
	}
	return false
}

func noPositional(args []string) bool {
	for _, a := range args {
		if !strings.HasPrefix(a, "-") {
			return false
		}
	}
	return true
}

// CacheOrder judges whether dependencies are installed from their manifests
// before the application source is copied in, so that editing the code does
// not invalidate the install layer. Every stage with an install step is
// judged, together with the stages it is built FROM; a stage that installs
// nothing (say a runtime stage doing COPY --from=builder and COPY . .) is
// fine.
func (f *File) CacheOrder() Finding {
	var pass, fail []string
	failLine, passLine := 0, 0
	for si := range f.stages {
		own := f.stageSteps(si)
		hasInstall := false
		for _, s := range own {
			if s.kind == stepInstall {
				hasInstall = true
			}
		}
		if !hasInstall {
			continue
		}
		// Steps in the stages this one is built FROM come first.
		var steps []step
		for _, ci := range f.chain(si) {
			if ci == si {
				steps = append(steps, own...)
			} else {
				steps = append(steps, f.stageSteps(ci)...)
			}
		}
		label := f.stage(si).Label()
		var manifest, broad, installed *step
		judged := false
		for i := range steps {
			s := &steps[i]
			switch s.kind {
			case stepManifest:
				if manifest == nil {
					manifest = s
				}
			case stepBroad:
				if broad == nil && installed == nil {
					broad = s
				}
			case stepInstall:
				if s.stage != si || judged {
					if installed == nil {
						installed = s
					}
					continue
				}
				judged = true
				switch {
				case broad != nil:
					fail = append(fail, fmt.Sprintf("%s: %s comes before %s, so every source change reinstalls the dependencies; COPY the dependency files, install, then copy the source", label, broad.text, s.text))
					if failLine == 0 {
						failLine = broad.line
					}
				case manifest == nil:
					fail = append(fail, fmt.Sprintf("%s: %s runs before any dependency file (requirements.txt, pyproject.toml, ...) is copied in; COPY them first", label, s.text))
					if failLine == 0 {
						failLine = s.line
					}
				default:
					msg := fmt.Sprintf("%s: %s then %s", label, manifest.text, s.text)
					if b := nextBroad(steps[i+1:]); b != nil {
						msg += fmt.Sprintf(", before %s", b.text)
					}
					pass = append(pass, msg)
					if passLine == 0 {
						passLine = s.line
					}
				}
				if installed == nil {
					installed = s
				}
			}
		}
	}
	switch {
	case len(fail) > 0:
		return Finding{Status: Fail, Evidence: append(fail, pass...), Line: failLine}
	case len(pass) > 0:
		return Finding{Status: Pass, Evidence: pass, Line: passLine}
	}
	ev := []string{"no dependency install step found (pip install -r, uv sync, poetry install, npm ci, go mod download, ...), so there is no install layer to keep cached"}
	for si := range f.stages {
		for _, s := range f.stageSteps(si) {
			if s.kind == stepBroad {
				ev = append(ev, s.text)
			}
		}
	}
	return Finding{Status: Unknown, Evidence: ev}
}

func nextBroad(steps []step) *step {
	for i := range steps {
		if steps[i].kind == stepBroad {
			return &steps[i]
		}
	}
	return nil
}
