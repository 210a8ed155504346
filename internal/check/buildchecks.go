package check

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"shipshape/internal/dockerfile"
)

func init() {
	kinds["dockerfile.build_checks"] = &kind{
		params: map[string]paramDef{
			"required_rules": {typ: paramStringList},
			"ignore_rules":   {typ: paramStringList},
		},
		title:    fixedTitle("Docker's build checks (docker build --check)"),
		eval:     evalBuildChecks,
		validate: validateBuildChecks,
	}
}

// validateBuildChecks rejects rule names BuildKit does not have, so that a
// typo in a pack surfaces when the pack loads rather than as a rule that
// silently never fires.
func validateBuildChecks(p params) error {
	known := dockerfile.LintRules()
	required, _ := p["required_rules"].([]string)
	ignored, _ := p["ignore_rules"].([]string)
	for _, list := range []struct {
		name  string
		rules []string
	}{{"required_rules", required}, {"ignore_rules", ignored}} {
		for _, r := range list.rules {
			if !slices.Contains(known, r) {
				return fmt.Errorf("parameter %q: %q is not one of BuildKit's build-check rules (known: %s)", list.name, r, strings.Join(known, ", "))
			}
		}
	}
	for _, r := range required {
		if slices.Contains(dockerfile.OfflineLintRules, r) {
			return fmt.Errorf("parameter %q: %s needs a real build and is never reported offline; drop it", "required_rules", r)
		}
		if slices.Contains(ignored, r) {
			return fmt.Errorf("rule %s is both in required_rules and in ignore_rules; keep it in one", r)
		}
	}
	return nil
}

// evalBuildChecks runs BuildKit's Dockerfile linter in process. Findings of
// required_rules fail the check; any other finding only warns, whatever the
// check's level, since Docker itself reports them as warnings.
func evalBuildChecks(ctx context.Context, en *env, p params) verdict {
	path, missing := en.dockerfilePath()
	if missing != nil {
		return *missing
	}
	res, err := dockerfile.LintFile(ctx, path, dockerfile.LintOptions{BaseImageEnv: en.baseImageEnv})
	if err != nil {
		var pe *dockerfile.ParseError
		if errors.As(err, &pe) {
			return fail("BuildKit cannot read the Dockerfile: " + pe.Error())
		}
		return errorVerdict("cannot check the Dockerfile", err)
	}
	required, _ := p["required_rules"].([]string)
	ignored, _ := p["ignore_rules"].([]string)

	var ev []string
	failed := false
	// A rule the pack requires cannot be switched off by the learner's
	// `# check=skip=` comment, which BuildKit would otherwise honour.
	for _, s := range res.Skips {
		for _, r := range required {
			if s.All || slices.Contains(s.Rules, r) {
				failed = true
				ev = append(ev, fmt.Sprintf("line %d: `# check=skip=` turns off %s, which this exercise requires; remove it from the comment and fix what it reports", s.Line, r))
			}
		}
	}
	if res.BuildError != nil {
		failed = true
		ev = append(ev, "BuildKit would not build this Dockerfile: "+res.BuildError.Error())
	}
	var findings []dockerfile.LintFinding
	undefinedVar := false
	for _, f := range res.Findings {
		if slices.Contains(ignored, f.Rule) {
			continue
		}
		findings = append(findings, f)
		undefinedVar = undefinedVar || f.Rule == "UndefinedVar"
	}
	for i, f := range findings {
		isRequired := slices.Contains(required, f.Rule)
		failed = failed || isRequired
		switch {
		case i < maxListed:
			ev = append(ev, describeLintFinding(f, isRequired))
		case i == maxListed:
			// Findings past the listing still decide the verdict.
			ev = append(ev, fmt.Sprintf("… and %d more; run `docker build --check .` on Engine 27 or later for the full list", len(findings)-maxListed))
		}
	}
	if undefinedVar && len(res.UnseenBases) > 0 {
		ev = append(ev, fmt.Sprintf("note: shipshape could not read the configuration of %s (not pulled, or no Docker), so an UndefinedVar finding may name a variable that base image defines",
			strings.Join(res.UnseenBases, ", ")))
	}
	switch {
	case failed:
		return fail(ev...)
	case len(findings) > 0:
		return verdict{status: StatusWarn, evidence: ev}
	}
	return pass(fmt.Sprintf("BuildKit's build checks report nothing (%s need a real build and were not run)",
		strings.Join(dockerfile.OfflineLintRules, " and ")))
}

// describeLintFinding is one evidence line with what Docker says: the line,
// the rule, the specific message, the rule's description and its page.
func describeLintFinding(f dockerfile.LintFinding, required bool) string {
	var b strings.Builder
	if f.Line > 0 {
		fmt.Fprintf(&b, "line %d: ", f.Line)
	}
	b.WriteString(f.Rule)
	if required {
		b.WriteString(" (required)")
	}
	b.WriteString(": ")
	b.WriteString(f.Detail)
	if f.Description != "" && f.Description != f.Detail {
		b.WriteString(" — " + f.Description)
	}
	if f.URL != "" {
		b.WriteString(" (" + f.URL + ")")
	}
	return b.String()
}

// baseImageEnv gives the linter a base image's environment when the
// engine has the image already, as BuildKit would after pulling it. It
// never pulls: without Docker or the image, the linter goes without.
func (en *env) baseImageEnv(ctx context.Context, ref string) ([]string, bool) {
	if en.docker == nil {
		return nil, false
	}
	info, err := en.image(ctx, ref)
	if err != nil {
		return nil, false
	}
	return info.Env, true
}
