package check

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"shipshape/internal/dockerfile"
	"shipshape/internal/human"
	"shipshape/internal/safefile"
	"shipshape/internal/scan"
)

func init() {
	kinds["dockerfile.multistage"] = &kind{title: fixedTitle("Multi-stage build"), eval: dockerfileKind((*dockerfile.File).Multistage)}
	kinds["dockerfile.cache_order"] = &kind{title: fixedTitle("Dependencies installed before the source copy"), eval: dockerfileKind((*dockerfile.File).CacheOrder)}
	kinds["dockerfile.nonroot_final"] = &kind{title: fixedTitle("Final stage switches to a non-root USER"), eval: dockerfileKind((*dockerfile.File).NonRootFinal)}
	kinds["dockerignore.present"] = &kind{title: fixedTitle(".dockerignore keeps junk and secrets out"), eval: evalDockerignore}
	kinds["scan.no_critical"] = &kind{docker: true, title: fixedTitle("No CRITICAL vulnerabilities"), eval: evalNoCritical}
}

// fromFinding maps the dockerfile package's verdicts: Unknown means the
// file does not say (a USER from a build argument...), which the engine
// reports as "could not judge" rather than guessing.
func fromFinding(f dockerfile.Finding) verdict {
	ev := append([]string(nil), f.Evidence...)
	switch f.Status {
	case dockerfile.Pass:
		return pass(ev...)
	case dockerfile.Fail:
		return fail(ev...)
	default:
		return verdict{status: StatusError, evidence: ev, advice: "The Dockerfile alone does not decide this; make the value explicit instead of using a build argument."}
	}
}

// dockerfilePath is the target's Dockerfile, or the verdict for a
// directory that has none.
func (en *env) dockerfilePath() (string, *verdict) {
	dir := en.target.Dir
	if dir == "" {
		dir = "."
	}
	path := filepath.Join(dir, "Dockerfile")
	if _, err := os.Stat(path); errors.Is(err, fs.ErrNotExist) {
		return "", &verdict{status: StatusError, evidence: []string{"no Dockerfile in " + dir},
			advice: "Run the check in the directory that holds your Dockerfile, or pass --dir DIR."}
	}
	return path, nil
}

func dockerfileKind(analyse func(*dockerfile.File) dockerfile.Finding) func(context.Context, *env, params) verdict {
	return func(_ context.Context, en *env, _ params) verdict {
		path, missing := en.dockerfilePath()
		if missing != nil {
			return *missing
		}
		f, err := dockerfile.ParseFile(path)
		if err != nil {
			var pe *dockerfile.ParseError
			if errors.As(err, &pe) {
				// BuildKit would refuse this file: that is the learner's to fix.
				return fail("the Dockerfile does not parse: " + pe.Error())
			}
			return errorVerdict("cannot read the Dockerfile", err)
		}
		return fromFinding(analyse(f))
	}
}

func evalDockerignore(_ context.Context, en *env, _ params) verdict {
	dir := en.target.Dir
	if dir == "" {
		dir = "."
	}
	if st, err := os.Stat(dir); err != nil || !st.IsDir() {
		return verdict{status: StatusError, evidence: []string{"no directory " + dir},
			advice: "Pass --dir with the directory of your Dockerfile."}
	}
	f := dockerfile.CheckIgnore(dir)
	return fromFinding(f.Finding)
}

// maxListed bounds the findings listed as evidence.
const maxListed = 10

func evalNoCritical(ctx context.Context, en *env, _ params) verdict {
	path := en.target.TrivyReport
	if path == "" {
		return verdict{status: StatusError, evidence: []string{"no Trivy report was given"},
			advice: "Scan the image with `trivy image --format json --output report.json IMAGE` and pass --trivy-report report.json."}
	}
	fh, err := safefile.Open(path)
	if err != nil {
		return verdict{status: StatusError, evidence: []string{fmt.Sprintf("cannot open the Trivy report: %v", err)},
			advice: "Check the path given to --trivy-report."}
	}
	defer fh.Close()
	rep, err := scan.ParseReport(fh)
	if err != nil {
		return verdict{status: StatusError, evidence: []string{err.Error()},
			advice: "Write the report with `trivy image --format json --output report.json IMAGE`."}
	}
	info, bad := en.targetImage(ctx)
	if bad != nil {
		return *bad
	}
	if !rep.MatchesImage(info.ID, info.DiffIDs) {
		return verdict{status: StatusError,
			evidence: []string{fmt.Sprintf("the report is for %s (image %s), not for %s (image %s)",
				rep.ArtifactName, human.ShortID(rep.Metadata.ImageID), en.target.Image, human.ShortID(info.ID))},
			advice: fmt.Sprintf("Scan this very image again: `trivy image --format json --output %s %s`.", path, en.target.Image)}
	}
	c := rep.Counts()
	summary := fmt.Sprintf("%d CRITICAL, %d HIGH, %d MEDIUM, %d LOW in %s", c["CRITICAL"], c["HIGH"], c["MEDIUM"], c["LOW"], rep.ArtifactName)
	// CRITICAL findings decide; HIGH ones are listed too, as the next
	// thing worth fixing (package, installed and fixed version).
	ev := []string{summary}
	listed := rep.Findings("CRITICAL", "HIGH")
	for i, f := range listed {
		if i == maxListed {
			ev = append(ev, fmt.Sprintf("… and %d more CRITICAL or HIGH findings in the report", len(listed)-maxListed))
			break
		}
		ev = append(ev, f.String())
	}
	if c["CRITICAL"] == 0 {
		return pass(ev...)
	}
	return fail(ev...)
}
