package dockerfile

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"runtime"
	"slices"
	"sort"
	"sync"

	"github.com/moby/buildkit/client/llb"
	"github.com/moby/buildkit/client/llb/sourceresolver"
	"github.com/moby/buildkit/frontend/dockerfile/dockerfile2llb"
	"github.com/moby/buildkit/frontend/dockerfile/linter"
	"github.com/moby/buildkit/frontend/dockerfile/parser"
	digest "github.com/opencontainers/go-digest"
	ocispecs "github.com/opencontainers/image-spec/specs-go/v1"

	"shipshape/internal/safefile"
)

// LintFinding is one warning of BuildKit's Dockerfile build checks, the
// same that `docker build --check` prints on Engine 27 and later.
type LintFinding struct {
	// Rule is the rule's name, such as JSONArgsRecommended.
	Rule string
	// Line is the first line the warning is about, 0 when it names none.
	Line int
	// Detail says what is wrong on that line.
	Detail string
	// Description is the rule's own one-line description.
	Description string
	// URL is the rule's documentation page.
	URL string
}

// LintResult is what Lint found.
type LintResult struct {
	// Findings are in line order.
	Findings []LintFinding
	// BuildError, when not nil, is why BuildKit would refuse to build the
	// file (an unknown stage, a blank base name...); the findings before it
	// are still reported, as `docker build --check` does.
	BuildError *ParseError
	// UnseenBases are the base images whose configuration LintOptions
	// could not supply. Their environment is unknown, so an UndefinedVar
	// finding may name a variable one of them defines.
	UnseenBases []string
	// Skips are the `# check=skip=` comments of the file: the one at the
	// top, which applies to the whole file, and those just above an
	// instruction, which apply to it (and to a whole stage above FROM).
	// BuildKit has already left out what they skip.
	Skips []LintSkip
}

// LintSkip is one `# check=skip=` comment.
type LintSkip struct {
	// Line is the comment's line for the file's directive, or the line of
	// the instruction the comment is above.
	Line int
	// All is true for skip=all.
	All bool
	// Rules are the rules skipped by name.
	Rules []string
}

// LintOptions tune Lint.
type LintOptions struct {
	// BaseImageEnv, when not nil, returns the environment (KEY=value
	// lines) of a base image, so that UndefinedVar knows the variables it
	// defines, as BuildKit does after pulling. ref is normalised
	// (docker.io/library/python:3.13-slim). ok is false when the image is
	// not at hand; Lint never pulls.
	BaseImageEnv func(ctx context.Context, ref string) (env []string, ok bool)
}

// LintRules are the names of BuildKit's build-check rules, for validating
// rule names a pack gives. The rules themselves live in BuildKit's linter
// package; this list only refers to them.
func LintRules() []string {
	rules := []linter.LinterRuleI{
		&linter.RuleStageNameCasing, &linter.RuleFromAsCasing, &linter.RuleNoEmptyContinuation,
		&linter.RuleConsistentInstructionCasing, &linter.RuleDuplicateStageName, &linter.RuleReservedStageName,
		&linter.RuleJSONArgsRecommended, &linter.RuleMaintainerDeprecated, &linter.RuleUndefinedArgInFrom,
		&linter.RuleWorkdirRelativePath, &linter.RuleUndefinedVar, &linter.RuleMultipleInstructionsDisallowed,
		&linter.RuleLegacyKeyValueFormat, &linter.RuleInvalidBaseImagePlatform, &linter.RuleRedundantTargetPlatform,
		&linter.RuleSecretsUsedInArgOrEnv, &linter.RuleInvalidDefaultArgInFrom, &linter.RuleFromPlatformFlagConstDisallowed,
		&linter.RuleCopyIgnoredFile, &linter.RuleInvalidDefinitionDescription, &linter.RuleExposeProtoCasing,
		&linter.RuleExposeInvalidFormat,
	}
	out := make([]string, 0, len(rules))
	for _, r := range rules {
		out = append(out, r.RuleName())
	}
	sort.Strings(out)
	return out
}

// OfflineLintRules are the rules Lint cannot run: CopyIgnoredFile needs the
// build context, which BuildKit only reads through a build session, and
// InvalidBaseImagePlatform needs the platform of a pulled base image.
var OfflineLintRules = []string{"CopyIgnoredFile", "InvalidBaseImagePlatform"}

// LintFile runs Lint on the Dockerfile at path.
func LintFile(ctx context.Context, path string, opt LintOptions) (LintResult, error) {
	fh, err := safefile.Open(path)
	if err != nil {
		return LintResult{}, fmt.Errorf("cannot open Dockerfile: %w", err)
	}
	defer fh.Close()
	data, err := io.ReadAll(io.LimitReader(fh, MaxSize+1))
	if err != nil {
		return LintResult{}, fmt.Errorf("cannot read %s: %w", path, err)
	}
	return Lint(ctx, data, opt)
}

// Lint runs BuildKit's Dockerfile build checks on data, in process and
// without a daemon or network: base images are not pulled (see
// LintOptions.BaseImageEnv and OfflineLintRules). Every stage is checked,
// as `docker build --check` does without --target, and `# check=skip=...`
// directives in the file are honoured by BuildKit itself. The error is for
// a file that cannot be linted at all (too large, empty).
func Lint(ctx context.Context, data []byte, opt LintOptions) (LintResult, error) {
	if len(data) > MaxSize {
		return LintResult{}, &ParseError{Msg: fmt.Sprintf("Dockerfile is larger than %d bytes; is this the right file?", MaxSize)}
	}
	if len(data) == 0 {
		return LintResult{}, &ParseError{Msg: "the Dockerfile is empty"}
	}
	platform := ocispecs.Platform{OS: "linux", Architecture: runtime.GOARCH}
	resolver := &offlineResolver{env: opt.BaseImageEnv}
	// The results name their source; an empty definition stands in for
	// the build graph that a real build would attach.
	source := llb.NewSourceMap(nil, "Dockerfile", "Dockerfile", data)
	source.Definition = &llb.Definition{}
	res, err := dockerfile2llb.DockerfileLint(ctx, data, dockerfile2llb.ConvertOpt{
		SourceMap:      source,
		TargetPlatform: &platform,
		MetaResolver:   resolver,
	})
	if err != nil {
		return LintResult{}, fmt.Errorf("cannot lint the Dockerfile: %w", err)
	}
	out := LintResult{UnseenBases: resolver.unseenRefs(), Skips: lintSkips(data)}
	for _, w := range res.Warnings {
		f := LintFinding{Rule: w.RuleName, Detail: w.Detail, Description: w.Description, URL: w.URL}
		if w.Location != nil && len(w.Location.Ranges) > 0 && w.Location.Ranges[0].Start != nil {
			f.Line = int(w.Location.Ranges[0].Start.Line)
		}
		out.Findings = append(out.Findings, f)
	}
	sort.SliceStable(out.Findings, func(i, j int) bool { return out.Findings[i].Line < out.Findings[j].Line })
	if res.Error != nil && !(errorOnWarnings(data) && len(out.Findings) > 0) {
		pe := &ParseError{Msg: res.Error.Message}
		if r := res.Error.Location.Ranges; len(r) > 0 && r[0].Start != nil {
			pe.Line = int(r[0].Start.Line)
		}
		out.BuildError = pe
	}
	return out, nil
}

// lintSkips finds the comments that turn rules off, read with BuildKit's
// own directive and comment parsers so that they mean what they mean to it.
func lintSkips(data []byte) []LintSkip {
	var out []LintSkip
	add := func(line int, l *linter.Linter) {
		if !l.SkipAll && len(l.SkippedRules) == 0 {
			return
		}
		s := LintSkip{Line: line, All: l.SkipAll}
		for r := range l.SkippedRules {
			s.Rules = append(s.Rules, r)
		}
		sort.Strings(s.Rules)
		out = append(out, s)
	}
	if v, _, loc, ok := parser.ParseDirective("check", data); ok {
		if cfg, err := linter.ParseLintOptions(v); err == nil {
			line := 1
			if len(loc) > 0 {
				line = loc[0].Start.Line
			}
			add(line, linter.New(cfg))
		}
	}
	res, err := parser.Parse(bytes.NewReader(data))
	if err != nil {
		return out
	}
	for _, n := range res.AST.Children {
		if len(n.PrevComment) > 0 {
			add(n.StartLine, linter.New(&linter.Config{}).WithMergedConfigFromComments(n.PrevComment))
		}
	}
	return out
}

// errorOnWarnings reports whether the file asks, with `# check=error=true`,
// that warnings fail the build. BuildKit then ends the lint with an error
// that only repeats the findings, which is not a reason the build fails
// here: the findings are reported as such.
func errorOnWarnings(data []byte) bool {
	v, _, _, ok := parser.ParseDirective("check", data)
	if !ok {
		return false
	}
	cfg, err := linter.ParseLintOptions(v)
	return err == nil && cfg.ReturnAsError
}

// offlineResolver stands in for the registry BuildKit would ask for each
// base image's configuration. It answers with the caller's environment of
// the image when there is one and an empty configuration otherwise, so
// that linting never touches the network.
type offlineResolver struct {
	env func(ctx context.Context, ref string) ([]string, bool)

	mu     sync.Mutex
	unseen []string
}

// ResolveImageConfig implements sourceresolver.ImageMetaResolver.
func (r *offlineResolver) ResolveImageConfig(ctx context.Context, ref string, opt sourceresolver.Opt) (string, digest.Digest, []byte, error) {
	var img ocispecs.Image
	if opt.ImageOpt != nil && opt.ImageOpt.Platform != nil {
		img.Platform = *opt.ImageOpt.Platform
	}
	// No layers: BuildKit treats the base as scratch, which is all the
	// linter needs, and skips the platform comparison it cannot make.
	img.RootFS.Type = "layers"
	seen := false
	if r.env != nil {
		if env, ok := r.env(ctx, ref); ok {
			img.Config.Env, seen = env, true
		}
	}
	if !seen {
		r.mu.Lock()
		if !slices.Contains(r.unseen, ref) {
			r.unseen = append(r.unseen, ref)
		}
		r.mu.Unlock()
	}
	dt, err := json.Marshal(img)
	if err != nil {
		return "", "", nil, err
	}
	return ref, "", dt, nil
}

func (r *offlineResolver) unseenRefs() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := slices.Clone(r.unseen)
	sort.Strings(out)
	return out
}
