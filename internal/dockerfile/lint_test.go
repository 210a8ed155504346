package dockerfile

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
)

func lint(t *testing.T, src string, opt LintOptions) LintResult {
	t.Helper()
	res, err := Lint(context.Background(), []byte(src), opt)
	if err != nil {
		t.Fatalf("Lint: %v", err)
	}
	return res
}

// rulesAt lists findings as "Rule@line", the shape the tests compare.
func rulesAt(res LintResult) []string {
	var out []string
	for _, f := range res.Findings {
		out = append(out, f.Rule+"@"+strconv.Itoa(f.Line))
	}
	return out
}

func TestLintRules(t *testing.T) {
	tests := []struct {
		name, src string
		want      []string
	}{
		{"shell-form CMD", "FROM python:3.13-slim\nWORKDIR /app\nCMD uvicorn main:app\n", []string{"JSONArgsRecommended@3"}},
		{"shell-form ENTRYPOINT", "FROM python:3.13-slim\nENTRYPOINT python -m app\n", []string{"JSONArgsRecommended@2"}},
		{"exec-form CMD", "FROM python:3.13-slim\nCMD [\"uvicorn\", \"main:app\"]\n", nil},
		{"secret in ENV", "FROM python:3.13-slim\nENV API_TOKEN=abc\n", []string{"SecretsUsedInArgOrEnv@2"}},
		{"secret in ARG", "FROM python:3.13-slim\nARG DB_PASSWORD\n", []string{"SecretsUsedInArgOrEnv@2"}},
		{"undefined variable", "FROM python:3.13-slim\nRUN echo $UNDEFINED_THING\n", nil}, // RUN is expanded by the shell, not BuildKit
		{"undefined variable in COPY", "FROM python:3.13-slim\nCOPY $SRC_DIR /app\n", []string{"UndefinedVar@2"}},
		{"FROM AS casing", "FROM python:3.13-slim as builder\nFROM builder\n", []string{"FromAsCasing@1"}},
		{"relative WORKDIR", "FROM python:3.13-slim\nWORKDIR app\n", []string{"WorkdirRelativePath@2"}},
		{"stage name casing", "FROM python:3.13-slim AS Builder\n", []string{"StageNameCasing@1"}},
		{"legacy ENV", "FROM python:3.13-slim\nENV MODE prod\n", []string{"LegacyKeyValueFormat@2"}},
		{"MAINTAINER", "FROM python:3.13-slim\nMAINTAINER me@example.com\n", []string{"MaintainerDeprecated@2"}},
		{"two CMDs", "FROM python:3.13-slim\nCMD [\"a\"]\nCMD [\"b\"]\n", []string{"MultipleInstructionsDisallowed@2"}},
		{"mixed casing", "FROM python:3.13-slim\nrun true\nRUN true\nRUN true\n", []string{"ConsistentInstructionCasing@2"}},
		{"EXPOSE protocol", "FROM python:3.13-slim\nEXPOSE 8000/TCP\n", []string{"ExposeProtoCasing@2"}},
		{"skip directive", "# check=skip=JSONArgsRecommended\nFROM python:3.13-slim\nCMD uvicorn main:app\n", nil},
		{"scratch", "FROM scratch\nCOPY app /app\nCMD [\"/app\"]\n", nil},
		{"error directive keeps findings and is no build error", "# check=error=true\nFROM python:3.13-slim\nCMD uvicorn main:app\n", []string{"JSONArgsRecommended@3"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := lint(t, tt.src, LintOptions{})
			if got := rulesAt(res); !slices.Equal(got, tt.want) {
				t.Errorf("findings = %v, want %v", got, tt.want)
			}
			if res.BuildError != nil {
				t.Errorf("BuildError = %v, want none", res.BuildError)
			}
		})
	}
}

func TestLintFindingCarriesDockersText(t *testing.T) {
	res := lint(t, "FROM python:3.13-slim\nCMD uvicorn main:app\n", LintOptions{})
	if len(res.Findings) != 1 {
		t.Fatalf("findings = %v", rulesAt(res))
	}
	f := res.Findings[0]
	if f.URL != "https://docs.docker.com/go/dockerfile/rule/json-args-recommended/" {
		t.Errorf("URL = %q", f.URL)
	}
	if !strings.Contains(f.Description, "OS signals") || !strings.Contains(f.Detail, "CMD") {
		t.Errorf("Description %q, Detail %q", f.Description, f.Detail)
	}
}

// The environment of the base image decides UndefinedVar, as it does for
// BuildKit after a pull; without it the base is reported as unseen.
func TestLintBaseImageEnv(t *testing.T) {
	src := "FROM python:3.13-slim\nCOPY $PYTHON_SHA256 /x\n"
	res := lint(t, src, LintOptions{})
	if got := rulesAt(res); !slices.Equal(got, []string{"UndefinedVar@2"}) {
		t.Errorf("without the base image: %v", got)
	}
	if !slices.Equal(res.UnseenBases, []string{"docker.io/library/python:3.13-slim"}) {
		t.Errorf("UnseenBases = %v", res.UnseenBases)
	}
	var asked []string
	res = lint(t, src, LintOptions{BaseImageEnv: func(_ context.Context, ref string) ([]string, bool) {
		asked = append(asked, ref)
		return []string{"PYTHON_SHA256=abc"}, true
	}})
	if got := rulesAt(res); len(got) != 0 || len(res.UnseenBases) != 0 {
		t.Errorf("with the base image: findings %v, unseen %v", got, res.UnseenBases)
	}
	if !slices.Equal(asked, []string{"docker.io/library/python:3.13-slim"}) {
		t.Errorf("asked for %v", asked)
	}
}

func TestLintBuildError(t *testing.T) {
	// BuildKit warns, then refuses the blank base name: both are kept.
	res := lint(t, "ARG BASE\nFROM $BASE\n", LintOptions{})
	if res.BuildError == nil || res.BuildError.Line != 2 || !strings.Contains(res.BuildError.Msg, "should not be blank") {
		t.Errorf("BuildError = %#v, want the blank base name on line 2", res.BuildError)
	}
	if got := rulesAt(res); !slices.Equal(got, []string{"InvalidDefaultArgInFrom@2"}) {
		t.Errorf("findings = %v", got)
	}
	if _, err := Lint(context.Background(), nil, LintOptions{}); err == nil {
		t.Error("an empty Dockerfile linted without error")
	}
}

func TestLintRulesNamesBuildKitRules(t *testing.T) {
	rules := LintRules()
	for _, want := range []string{"JSONArgsRecommended", "SecretsUsedInArgOrEnv", "UndefinedVar", "FromAsCasing", "WorkdirRelativePath"} {
		if !slices.Contains(rules, want) {
			t.Errorf("LintRules lacks %s", want)
		}
	}
	for _, r := range OfflineLintRules {
		if !slices.Contains(rules, r) {
			t.Errorf("offline rule %s is not a rule", r)
		}
	}
}

// The course's reference solutions are what learners are told to aim
// for: BuildKit must have nothing to say about the first two.
func TestLintReferenceSolutions(t *testing.T) {
	for _, ex := range []string{"3.1", "3.2", "3.3", "3.4"} {
		path := filepath.Join("..", "..", "exercises", "task-api", "solutions", ex, "Dockerfile")
		if _, err := os.Stat(path); err != nil {
			t.Fatalf("solution %s: %v", ex, err)
		}
		res, err := LintFile(context.Background(), path, LintOptions{})
		if err != nil {
			t.Fatalf("solution %s: %v", ex, err)
		}
		if len(res.Findings) != 0 || res.BuildError != nil {
			t.Errorf("solution %s: findings %v, build error %v", ex, rulesAt(res), res.BuildError)
		}
	}
}

func TestLintSkips(t *testing.T) {
	src := "# syntax=docker/dockerfile:1\n# check=skip=JSONArgsRecommended,FromAsCasing\nFROM python:3.13-slim as base\n# check=skip=all\nWORKDIR app\nCMD uvicorn main:app\n"
	res := lint(t, src, LintOptions{})
	if got := rulesAt(res); len(got) != 0 {
		t.Errorf("skipped rules reported: %v", got)
	}
	want := []LintSkip{{Line: 2, Rules: []string{"FromAsCasing", "JSONArgsRecommended"}}, {Line: 5, All: true}}
	if len(res.Skips) != len(want) {
		t.Fatalf("Skips = %+v, want %+v", res.Skips, want)
	}
	for i := range want {
		if res.Skips[i].Line != want[i].Line || res.Skips[i].All != want[i].All || !slices.Equal(res.Skips[i].Rules, want[i].Rules) {
			t.Errorf("Skips[%d] = %+v, want %+v", i, res.Skips[i], want[i])
		}
	}
}
