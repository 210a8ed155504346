package check

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// buildChecks runs one dockerfile.build_checks spec on a Dockerfile.
func buildChecks(t *testing.T, d Docker, dockerfileSrc string, required bool, params map[string]any) Result {
	t.Helper()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "Dockerfile"), []byte(dockerfileSrc), 0o644); err != nil {
		t.Fatal(err)
	}
	spec := Spec{ID: "build-checks", Kind: "dockerfile.build_checks", Required: required, Params: params}
	return NewEngine(d).Run(context.Background(), []Spec{spec}, Target{Dir: dir}, nil).Results[0]
}

const shellFormCMD = "FROM python:3.13-slim\nWORKDIR /app\nCOPY . .\nCMD uvicorn main:app\n"

func TestBuildChecksShellFormCMD(t *testing.T) {
	jsonArgs := map[string]any{"required_rules": []any{"JSONArgsRecommended"}}
	tests := []struct {
		name     string
		required bool
		params   map[string]any
		want     Status
	}{
		{"advisory", false, nil, StatusWarn},
		// Without required_rules every finding is advice, as in Docker.
		{"required level, no required rules", true, nil, StatusWarn},
		{"required rule, advisory level", false, jsonArgs, StatusWarn},
		{"required rule, required level", true, jsonArgs, StatusFail},
		{"another rule required", true, map[string]any{"required_rules": []any{"UndefinedVar"}}, StatusWarn},
		{"ignored", true, map[string]any{"ignore_rules": []any{"JSONArgsRecommended"}}, StatusPass},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := buildChecks(t, nil, shellFormCMD, tt.required, tt.params)
			if res.Status != tt.want {
				t.Fatalf("status %s %v, want %s", res.Status, res.Evidence, tt.want)
			}
			if tt.want == StatusPass {
				return
			}
			ev := strings.Join(res.Evidence, "\n")
			for _, want := range []string{"line 4: JSONArgsRecommended", "JSON arguments recommended for CMD",
				"ENTRYPOINT/CMD", "https://docs.docker.com/go/dockerfile/rule/json-args-recommended/"} {
				if !strings.Contains(ev, want) {
					t.Errorf("evidence %q lacks %q", ev, want)
				}
			}
		})
	}
}

// The reference solutions of the exercises that use the kind must be
// clean: they are what learners are told to aim for.
func TestBuildChecksReferenceSolutions(t *testing.T) {
	for _, ex := range []string{"3.1", "3.2"} {
		dir := filepath.Join("..", "..", "exercises", "task-api", "solutions", ex)
		spec := Spec{ID: "build-checks", Kind: "dockerfile.build_checks", Required: true,
			Params: map[string]any{"required_rules": []any{"JSONArgsRecommended", "SecretsUsedInArgOrEnv"}}}
		res := NewEngine(nil).Run(context.Background(), []Spec{spec}, Target{Dir: dir}, nil).Results[0]
		if res.Status != StatusPass {
			t.Errorf("solution %s: %s %v", ex, res.Status, res.Evidence)
		}
	}
}

func TestBuildChecksSkipOfRequiredRule(t *testing.T) {
	src := "# check=skip=JSONArgsRecommended\n" + shellFormCMD
	params := map[string]any{"required_rules": []any{"JSONArgsRecommended"}}
	res := buildChecks(t, nil, src, true, params)
	if res.Status != StatusFail || !strings.Contains(strings.Join(res.Evidence, "\n"), "line 1: `# check=skip=` turns off JSONArgsRecommended") {
		t.Errorf("a skipped required rule: %s %v", res.Status, res.Evidence)
	}
	// Skipping a rule that is not required is the learner's choice.
	if res := buildChecks(t, nil, src, true, nil); res.Status != StatusPass {
		t.Errorf("a skipped advisory rule: %s %v", res.Status, res.Evidence)
	}
}

func TestBuildChecksBuildErrorAndMissingFile(t *testing.T) {
	res := buildChecks(t, nil, "ARG BASE\nFROM $BASE\n", false, nil)
	if res.Status != StatusWarn || !strings.Contains(strings.Join(res.Evidence, "\n"), "would not build this Dockerfile: line 2") {
		t.Errorf("blank base name: %s %v", res.Status, res.Evidence)
	}
	spec := Spec{ID: "build-checks", Kind: "dockerfile.build_checks"}
	res = NewEngine(nil).Run(context.Background(), []Spec{spec}, Target{Dir: t.TempDir()}, nil).Results[0]
	if res.Status != StatusError || !strings.Contains(res.Hint, "--dir") {
		t.Errorf("no Dockerfile: %+v", res)
	}
}

// Text from the Dockerfile reaches the terminal only cleaned.
func TestBuildChecksEvidenceIsTerminalSafe(t *testing.T) {
	res := buildChecks(t, nil, "FROM python:3.13-slim AS Bad\x1b[31mName\n", false, nil)
	if res.Status != StatusWarn {
		t.Fatalf("status %s %v", res.Status, res.Evidence)
	}
	for _, e := range res.Evidence {
		if strings.ContainsRune(e, '\x1b') {
			t.Errorf("escape sequence in evidence %q", e)
		}
	}
}

// imageEnvDocker answers InspectImage from a table; the linter needs
// nothing else, so the other methods stay unimplemented.
type imageEnvDocker struct {
	Docker
	env map[string][]string
}

func (d imageEnvDocker) InspectImage(_ context.Context, ref string) (ImageInfo, error) {
	env, ok := d.env[ref]
	if !ok {
		return ImageInfo{}, errors.New("no such image")
	}
	return ImageInfo{ID: "sha256:x", Ref: ref, Env: env}, nil
}

func TestBuildChecksUsesLocalBaseImageEnv(t *testing.T) {
	src := "FROM python:3.13-slim\nCOPY app-$PYTHON_VERSION /app\nCMD [\"python\"]\n"
	res := buildChecks(t, nil, src, false, nil)
	ev := strings.Join(res.Evidence, "\n")
	if res.Status != StatusWarn || !strings.Contains(ev, "UndefinedVar") || !strings.Contains(ev, "could not read the configuration of docker.io/library/python:3.13-slim") {
		t.Errorf("without the base image: %s %v", res.Status, res.Evidence)
	}
	d := imageEnvDocker{env: map[string][]string{"docker.io/library/python:3.13-slim": {"PYTHON_VERSION=3.13.1"}}}
	if res := buildChecks(t, d, src, false, nil); res.Status != StatusPass {
		t.Errorf("with the base image: %s %v", res.Status, res.Evidence)
	}
}

func TestBuildChecksParams(t *testing.T) {
	tests := []struct {
		params map[string]any
		errHas string
	}{
		{nil, ""},
		{map[string]any{"required_rules": []any{"JSONArgsRecommended"}, "ignore_rules": []any{"FromAsCasing"}}, ""},
		{map[string]any{"required_rules": []any{"JsonArgsRecommended"}}, `"JsonArgsRecommended" is not one of BuildKit's build-check rules`},
		{map[string]any{"ignore_rules": "FromAsCasing"}, `parameter "ignore_rules": must be a list of strings`},
		{map[string]any{"required_rules": []any{"CopyIgnoredFile"}}, "CopyIgnoredFile needs a real build"},
		{map[string]any{"required_rules": []any{"UndefinedVar"}, "ignore_rules": []any{"UndefinedVar"}}, "both in required_rules and in ignore_rules"},
		{map[string]any{"rules": []any{"UndefinedVar"}}, `unknown parameter "rules"`},
	}
	for _, tt := range tests {
		err := ValidateParams("dockerfile.build_checks", tt.params)
		switch {
		case tt.errHas == "" && err != nil:
			t.Errorf("%v: unexpected error %v", tt.params, err)
		case tt.errHas != "" && (err == nil || !strings.Contains(err.Error(), tt.errHas)):
			t.Errorf("%v: error %v, want it to contain %q", tt.params, err, tt.errHas)
		}
	}
	if NeedsDocker("dockerfile.build_checks") {
		t.Error("the build checks must run without Docker")
	}
}
