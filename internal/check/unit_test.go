package check

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestValidateParams(t *testing.T) {
	tests := []struct {
		kind   string
		params map[string]any
		errHas string
	}{
		{"image.user_nonroot", nil, ""},
		{"image.user_nonroot", map[string]any{"x": 1}, `unknown parameter "x"`},
		{"image.size_max", map[string]any{"max_bytes": 300000000, "target_bytes": 200000000}, ""},
		{"image.size_max", map[string]any{"max_bytes": 3e8}, ""},
		{"image.size_max", map[string]any{}, `missing required parameter "max_bytes"`},
		{"image.size_max", map[string]any{"max_bytes": "300MB"}, `parameter "max_bytes": must be a whole number`},
		{"image.size_max", map[string]any{"max_bytes": 1.5}, `parameter "max_bytes"`},
		{"image.size_max", map[string]any{"max_bytes": 1, "maxbytes": 2}, `unknown parameter "maxbytes"`},
		{"image.smaller_than", map[string]any{"than": "dev"}, ""},
		{"image.smaller_than", map[string]any{"than": 3}, `parameter "than": must be a string`},
		{"container.healthy", map[string]any{"max_startup_seconds": 10}, ""},
		{"container.healthy", map[string]any{"max_startup_seconds": 2.5}, ""},
		{"container.healthy", map[string]any{"max_startup_seconds": -1}, `parameter "max_startup_seconds"`},
		{"image.nope", nil, `unknown check kind "image.nope"`},
		{"container.healthy", map[string]any{"network": "default"}, ""},
		{"container.healthy", map[string]any{"network": "none"}, ""},
		{"image.user_nonroot", map[string]any{"network": "default"}, ""},
		{"container.readonly_rootfs", map[string]any{"network": "default"}, ""},
		{"container.graceful_shutdown", map[string]any{"network": "default"}, ""},
		{"container.healthy", map[string]any{"network": "host"}, `parameter "network": "host" is not one of none, default`},
		{"container.healthy", map[string]any{"network": true}, `parameter "network": must be a string`},
		{"image.no_secrets", map[string]any{"network": "default"}, `unknown parameter "network"`},
	}
	for _, tc := range tests {
		err := ValidateParams(tc.kind, tc.params)
		switch {
		case tc.errHas == "" && err != nil:
			t.Errorf("%s %v: unexpected error %v", tc.kind, tc.params, err)
		case tc.errHas != "" && (err == nil || !strings.Contains(err.Error(), tc.errHas)):
			t.Errorf("%s %v: error %v, want it to contain %q", tc.kind, tc.params, err, tc.errHas)
		}
	}
}

func TestKnownKinds(t *testing.T) {
	// The kinds the pack format declares; all must exist.
	for _, k := range []string{"image.user_nonroot", "image.healthcheck_defined", "container.healthy",
		"container.readonly_rootfs", "container.graceful_shutdown", "image.size_max", "image.smaller_than",
		"image.no_build_tools", "image.no_secrets", "dockerfile.multistage", "dockerfile.cache_order",
		"dockerfile.nonroot_final", "dockerignore.present", "scan.no_critical"} {
		if kinds[k] == nil {
			t.Errorf("kind %s unknown", k)
		}
	}
	// 14 declared by the pack format, plus container.command for instructors'
	// packs and dockerfile.build_checks.
	if len(Kinds()) != 16 || kinds["container.command"] == nil || kinds["dockerfile.build_checks"] == nil {
		t.Errorf("Kinds() = %v, want 16", Kinds())
	}
	if NeedsDocker("dockerfile.multistage") || !NeedsDocker("container.healthy") {
		t.Error("NeedsDocker is wrong")
	}
}

func TestProbePlan(t *testing.T) {
	img := &Healthcheck{Test: []string{"CMD", "true"}, Interval: 30 * time.Second, Timeout: 3 * time.Second, Retries: 3}
	plan, deadline := probePlan(img, 500*time.Millisecond, time.Minute)
	if plan.Interval != 500*time.Millisecond || plan.Timeout != 3*time.Second || plan.Retries != 3 {
		t.Errorf("plan = %+v", plan)
	}
	// A grace of 3 x 30s, bounded at 10s, then three fast failures decide:
	// a probe that never succeeds is judged in seconds, not a minute.
	if plan.StartPeriod != 10*time.Second || deadline != 10*time.Second+3*3500*time.Millisecond+2*time.Second {
		t.Errorf("start period %s, deadline %s", plan.StartPeriod, deadline)
	}
	// A declared start period is kept on top of the grace.
	slow := &Healthcheck{Test: []string{"CMD", "true"}, Interval: 30 * time.Second, Timeout: 3 * time.Second, Retries: 3, StartPeriod: 20 * time.Second}
	if plan, _ = probePlan(slow, 500*time.Millisecond, time.Minute); plan.StartPeriod != 30*time.Second {
		t.Errorf("start period %s with a declared 20s", plan.StartPeriod)
	}
	fast := &Healthcheck{Test: []string{"CMD", "true"}, Interval: time.Second, Timeout: time.Second, Retries: 2}
	plan, deadline = probePlan(fast, 500*time.Millisecond, time.Minute)
	if plan.StartPeriod != 2*time.Second || deadline != 2*time.Second+2*1500*time.Millisecond+2*time.Second {
		t.Errorf("start period %s, deadline %s", plan.StartPeriod, deadline)
	}
	// An interval already faster than the check's is kept.
	quick := &Healthcheck{Test: []string{"CMD", "true"}, Interval: 100 * time.Millisecond}
	if plan, _ = probePlan(quick, 500*time.Millisecond, time.Minute); plan.Interval != 100*time.Millisecond {
		t.Errorf("interval %s", plan.Interval)
	}
}

func TestSecrets(t *testing.T) {
	for k, want := range map[string]bool{
		"API_TOKEN": true, "DB_PASSWORD": true, "SECRET_KEY": true, "AWS_SECRET_ACCESS_KEY": true, "apikey": true,
		"GITHUB_TOKEN": true, "PRIVATE_KEY": true, "GPG_KEY": false, "PYTHON_GPG_KEY": false,
		"DB_PASSWORD_FILE": false, "PATH": false, "PYTHON_VERSION": false, "TOKENIZERS_PARALLELISM": false,
	} {
		if got := looksSecret(k); got != want {
			t.Errorf("looksSecret(%q) = %v", k, got)
		}
	}
	for in, want := range map[string]string{
		"|2 DB_PASSWORD=x TOKEN=y /bin/sh -c make":             "DB_PASSWORD=x TOKEN=y",
		"RUN |1 API_KEY=abc /bin/sh -c pip install # buildkit": "API_KEY=abc",
		"/bin/sh -c #(nop)  ARG SECRET=abc":                    "SECRET=abc",
		"/bin/sh -c #(nop)  ENV A=1 B=2":                       "A=1 B=2",
		"/bin/sh -c #(nop)  ARG SECRET":                        "",
		"/bin/sh -c echo hi":                                   "",
	} {
		if got := strings.Join(historyAssignments(in), " "); got != want {
			t.Errorf("historyAssignments(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestInstruction(t *testing.T) {
	for in, want := range map[string]string{
		"/bin/sh -c #(nop)  CMD [\"sh\"]":            `CMD ["sh"]`,
		"/bin/sh -c apt-get update":                  "RUN apt-get update",
		"RUN /bin/sh -c pip install -r x # buildkit": "RUN pip install -r x",
		"RUN python -m venv /opt/venv # buildkit":    "RUN python -m venv /opt/venv",
		"COPY . . # buildkit":                        "COPY . .",
		"":                                           "(no instruction recorded: an imported or base layer)",
		// The classic builder records a COPY by the digest of what it copied.
		"/bin/sh -c #(nop) COPY dir:164220bf90b15c59f42b6a467cfdaa9e341c14697b4e6efc9dc9914ec4a2795c in /opt/venv ": "COPY dir:164220bf90b1… in /opt/venv",
		"/bin/sh -c #(nop) COPY multi:f05065c1ef219c7f105be29c620dce272d3c40ca2ee1c7c6a5680dc2a202572e in ./ ":      "COPY multi:f05065c1ef21… in ./",
	} {
		if got := Instruction(in); got != want {
			t.Errorf("Instruction(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestCannotRun(t *testing.T) {
	p := func(code int, out string) Probe { return Probe{ExitCode: code, Output: out} }
	if !cannotRun([]Probe{p(127, ""), p(127, ""), p(127, "")}) {
		t.Error("127s not detected")
	}
	if !cannotRun([]Probe{p(1, "/bin/sh: curl: not found\n"), p(1, "sh: 1: curl: not found"), p(1, "/bin/bash: line 1: curl: command not found")}) {
		t.Error("hidden 127 not detected")
	}
	if cannotRun([]Probe{p(1, "wget: server returned error: HTTP/1.1 404 Not Found"), p(1, ""), p(1, "")}) {
		t.Error("an ordinary failure taken for a missing command")
	}
	// Docker reports a probe that ran past --timeout with exit -1 too: a
	// slow machine, not a missing command.
	timedOut := "Health check exceeded timeout (3s)"
	if cannotRun([]Probe{p(-1, timedOut), p(-1, timedOut), p(-1, timedOut)}) {
		t.Error("probes that timed out taken for a command that cannot run")
	}
	if cannotRun([]Probe{p(127, ""), p(127, "")}) {
		t.Error("two probes are too few")
	}
}

func TestOutcome(t *testing.T) {
	r := func(st Status, req bool) Result { return Result{Status: st, Required: req} }
	for _, tc := range []struct {
		res  []Result
		want Outcome
	}{
		{[]Result{r(StatusPass, true), r(StatusWarn, false)}, OutcomePassed},
		{[]Result{r(StatusPass, true), r(StatusFail, true), r(StatusError, true)}, OutcomeFailed},
		{[]Result{r(StatusPass, true), r(StatusError, true)}, OutcomeIncomplete},
		{[]Result{r(StatusPass, true), r(StatusError, false)}, OutcomePassed},
	} {
		if got := (Report{Results: tc.res}).Outcome(); got != tc.want {
			t.Errorf("%v: outcome %v, want %v", tc.res, got, tc.want)
		}
	}
}

// TestClean: evidence from a container reaches the terminal, so no escape
// survives, neither ESC sequences nor the C1 CSI (U+009B, which some
// terminals obey as ESC [), nor a raw 0x9b byte, which is not UTF-8.
func TestClean(t *testing.T) {
	got := clean("ok\x1b[31mred\x1b]0;title\x07\r\nnext\tx\u009b2J y\x9b2J")
	if strings.ContainsAny(got, "\x1b\x07\r\u009b") || strings.Contains(got, "\x9b") {
		t.Errorf("clean left control characters: %q", got)
	}
	if !strings.Contains(got, "ok") || !strings.Contains(got, "next") {
		t.Errorf("clean lost the text: %q", got)
	}
}

// TestStaticKinds runs the Dockerfile kinds through the engine with no
// Docker engine at all: they must not need one.
func TestStaticKinds(t *testing.T) {
	dir := t.TempDir()
	write := func(name, s string) {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("Dockerfile", `FROM python:3.13-slim AS builder
WORKDIR /app
COPY requirements.txt .
RUN pip install --prefix=/install -r requirements.txt
COPY . .
FROM python:3.13-slim
COPY --from=builder /install /usr/local
COPY --from=builder /app /app
RUN useradd --uid 10001 app
USER app
CMD ["uvicorn", "app.main:app"]
`)
	write(".dockerignore", ".git\n.env\n.venv\nvenv\n**/__pycache__\n**/*.pyc\n")
	specs := []Spec{
		{ID: "ms", Kind: "dockerfile.multistage", Required: true},
		{ID: "co", Kind: "dockerfile.cache_order", Required: true},
		{ID: "nr", Kind: "dockerfile.nonroot_final", Required: true},
		{ID: "di", Kind: "dockerignore.present", Required: true},
		{ID: "user", Kind: "image.user_nonroot", Required: true},
		{ID: "bad", Kind: "image.size_max", Required: true, Params: map[string]any{"oops": 1}},
	}
	var events []Event
	rep := NewEngine(nil).Run(context.Background(), specs, Target{Image: "x", Dir: dir}, func(e Event) { events = append(events, e) })
	want := []Status{StatusPass, StatusPass, StatusPass, StatusPass, StatusError, StatusError}
	for i, res := range rep.Results {
		if res.Status != want[i] {
			t.Errorf("%s: %s %v, want %s", res.Kind, res.Status, res.Evidence, want[i])
		}
	}
	if len(events) != 2*len(specs) {
		t.Errorf("%d events, want %d", len(events), 2*len(specs))
	}

	// Failing variants.
	write("Dockerfile", "FROM python:3.13-slim\nCOPY . .\nRUN pip install -r requirements.txt\n")
	os.Remove(filepath.Join(dir, ".dockerignore"))
	rep = NewEngine(nil).Run(context.Background(), specs[:4], Target{Dir: dir}, nil)
	for _, res := range rep.Results {
		if res.Status != StatusFail {
			t.Errorf("%s: %s %v, want fail", res.Kind, res.Status, res.Evidence)
		}
	}
	// Advisory failures are warnings.
	rep = NewEngine(nil).Run(context.Background(), []Spec{{ID: "ms", Kind: "dockerfile.multistage"}}, Target{Dir: dir}, nil)
	if rep.Results[0].Status != StatusWarn {
		t.Errorf("advisory failure: %s", rep.Results[0].Status)
	}
	// No Dockerfile: could not judge.
	rep = NewEngine(nil).Run(context.Background(), specs[:1], Target{Dir: t.TempDir()}, nil)
	if rep.Results[0].Status != StatusError || rep.Results[0].Hint == "" {
		t.Errorf("missing Dockerfile: %+v", rep.Results[0])
	}
}
