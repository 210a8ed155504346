package dockerfile

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func mustParse(t *testing.T, src string) *File {
	t.Helper()
	f, err := Parse(strings.NewReader(src))
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	return f
}

// syllabus is the syllabus's production example (errata 2 aside: it is a
// valid multi-stage build with a good cache order).
const syllabus = `# Stage 1: Builder
FROM python:3.13-slim AS builder
WORKDIR /app
RUN pip install uv
COPY pyproject.toml .
RUN uv pip install --system --no-cache -r pyproject.toml

# Stage 2: Runtime
FROM python:3.13-slim
WORKDIR /app
RUN useradd -m -u 1000 appuser && chown -R appuser:appuser /app
COPY --from=builder --chown=appuser:appuser \
  /usr/local/lib/python3.13/site-packages \
  /usr/local/lib/python3.13/site-packages
COPY --chown=appuser:appuser . .
USER appuser
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=10s --start-period=5s --retries=3 \
  CMD curl -f http://127.0.0.1:8000/health || exit 1
CMD ["uvicorn", "main:app", "--host", "0.0.0.0", "--port", "8000"]
`

func evidence(f Finding) string { return strings.Join(f.Evidence, "\n") }

func TestParseErrors(t *testing.T) {
	tests := []struct {
		name, src string
		line      int
		msg       string
	}{
		{"empty", "", 0, "no instructions"},
		{"comment only", "# nothing\n", 1, "no instructions"},
		{"unknown instruction", "FROM alpine\nRUN true\nFORM alpine\n", 3, "unknown instruction"},
		{"no FROM", "RUN echo hi\n", 1, "no build stage"},
		{"only ARG", "ARG X=1\n", 0, "no FROM"},
		{"bad stage name", "FROM alpine AS 1bad\n", 1, "invalid name"},
		{"unterminated heredoc", "FROM alpine\nRUN <<EOF\necho hi\n", 2, "unterminated heredoc"},
		{"WORKDIR without path", "FROM alpine\n\nWORKDIR\n", 3, "WORKDIR requires"},
		{"bad mount", "FROM alpine\nRUN --mount=type=nope true\n", 2, "unsupported mount type"},
		{"bad healthcheck", "FROM alpine\nHEALTHCHECK --interval=xx CMD true\n", 2, "invalid duration"},
		{"continued error", "FROM alpine\nRUN echo a \\\n  b\nCOPY onlyone\n", 4, "COPY requires at least two arguments"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse(strings.NewReader(tt.src))
			if err == nil {
				t.Fatal("want error")
			}
			var pe *ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("error %T %v is not *ParseError", err, err)
			}
			if pe.Line != tt.line {
				t.Errorf("line = %d, want %d (%v)", pe.Line, tt.line, err)
			}
			if !strings.Contains(err.Error(), tt.msg) {
				t.Errorf("error %q does not contain %q", err, tt.msg)
			}
			if tt.line > 0 && !strings.HasPrefix(err.Error(), "line ") {
				t.Errorf("error %q does not name the line", err)
			}
		})
	}
}

func TestParseTooLarge(t *testing.T) {
	big := "FROM alpine\n" + strings.Repeat("# x\n", MaxSize/4+1)
	if _, err := Parse(strings.NewReader(big)); err == nil || !strings.Contains(err.Error(), "larger") {
		t.Fatalf("want size error, got %v", err)
	}
}

func TestParseFile(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "Dockerfile")
	if err := os.WriteFile(p, []byte(syllabus), 0o644); err != nil {
		t.Fatal(err)
	}
	f, err := ParseFile(p)
	if err != nil {
		t.Fatal(err)
	}
	if len(f.Stages()) != 2 {
		t.Fatalf("stages = %d", len(f.Stages()))
	}
	if _, err := ParseFile(filepath.Join(dir, "missing")); err == nil || !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("want not-exist error, got %v", err)
	}
	if err := os.WriteFile(p, []byte("FROM a\nBOGUS x\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := ParseFile(p); err == nil || !strings.Contains(err.Error(), "line 2") {
		t.Fatalf("want line 2 error, got %v", err)
	}
}

func TestStages(t *testing.T) {
	f := mustParse(t, "ARG PY=3.13\nFROM python:${PY}-slim AS Builder\nRUN true\n\nFROM builder AS test\nFROM python:3.13-slim\n")
	got := f.Stages()
	want := []Stage{
		{Index: 0, Name: "builder", BaseImage: "python:${PY}-slim", BaseStage: -1, Line: 2},
		{Index: 1, Name: "test", BaseImage: "builder", BaseStage: 0, Line: 5},
		{Index: 2, Name: "", BaseImage: "python:3.13-slim", BaseStage: -1, Line: 6},
	}
	if len(got) != len(want) {
		t.Fatalf("got %d stages", len(got))
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("stage %d = %+v, want %+v", i, got[i], want[i])
		}
	}
	if f.FinalStage() != want[2] {
		t.Errorf("final = %+v", f.FinalStage())
	}
	if got[1].Label() != `stage 1 "test"` || got[2].Label() != "stage 2" {
		t.Errorf("labels %q %q", got[1].Label(), got[2].Label())
	}
}

func TestMultistage(t *testing.T) {
	tests := []struct {
		name   string
		src    string
		status Status
		want   []string
		line   int
	}{
		{"syllabus", syllabus, Pass, []string{`line 2: stage 0 "builder" FROM python:3.13-slim`, "line 9: stage 1 FROM python:3.13-slim", `line 12: COPY --from=builder`, `copies from stage 0 "builder"`}, 12},
		{"single stage", "FROM python:3.13-slim\nCOPY . .\n", Fail, []string{"only one stage"}, 1},
		{"copy from image", "FROM python:3.13-slim AS build\nRUN true\nFROM python:3.13-slim\nCOPY --from=nginx:alpine /etc/nginx /etc/nginx\n", Fail, []string{"line 4: COPY --from=nginx:alpine", "from the image nginx:alpine", "copies nothing from an earlier stage"}, 3},
		{"copy by index", "FROM golang AS b\nRUN go build\nFROM scratch\nCOPY --from=0 /out /out\n", Pass, []string{`copies from stage 0 "b"`}, 4},
		{"index of later stage is an image", "FROM alpine\nCOPY --from=1 /a /a\nFROM alpine\n", Fail, []string{"copies nothing"}, 3},
		{"stage name case-insensitive", "FROM alpine AS Build\nFROM alpine\nCOPY --from=BUILD /a /a\n", Pass, nil, 3},
		{"only builder copies", "FROM alpine AS a\nFROM alpine AS b\nCOPY --from=a /x /x\nFROM alpine\nCOPY . .\n", Fail, []string{"copies nothing"}, 4},
		{"run mount from does not count", "FROM alpine AS deps\nRUN true\nFROM alpine\nRUN --mount=from=deps,target=/d cp -r /d /app\n", Fail, []string{"copies nothing"}, 3},
		{"final FROM builder", "FROM python AS build\nRUN pip install x\nFROM build\nCOPY . .\n", Fail, []string{`built FROM stage 0 "build"`}, 3},
		{"inherited copy", "FROM alpine AS build\nFROM alpine AS base\nCOPY --from=build /a /a\nFROM base\nUSER 1\n", Pass, nil, 3},
		{"meta arg from", "ARG B=build\nFROM alpine AS build\nFROM alpine\nCOPY --from=${B} /a /a\n", Pass, nil, 4},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := mustParse(t, tt.src).Multistage()
			checkFinding(t, got, tt.status, tt.line, tt.want)
		})
	}
}

func checkFinding(t *testing.T, got Finding, status Status, line int, want []string) {
	t.Helper()
	if got.Status != status {
		t.Errorf("status = %v, want %v\n%s", got.Status, status, evidence(got))
	}
	if line >= 0 && got.Line != line {
		t.Errorf("line = %d, want %d\n%s", got.Line, line, evidence(got))
	}
	ev := evidence(got)
	for _, w := range want {
		if !strings.Contains(ev, w) {
			t.Errorf("evidence lacks %q:\n%s", w, ev)
		}
	}
}

func TestCacheOrder(t *testing.T) {
	tests := []struct {
		name   string
		src    string
		status Status
		line   int
		want   []string
	}{
		{"syllabus", syllabus, Pass, 6, []string{`line 5: COPY pyproject.toml . then line 6: RUN uv pip install`}},
		{"good single stage", "FROM python:3.13-slim\nWORKDIR /app\nCOPY requirements.txt .\nRUN pip install --no-cache-dir -r requirements.txt\nCOPY . .\nCMD [\"python\", \"main.py\"]\n", Pass, 4, []string{"line 3: COPY requirements.txt . then line 4: RUN pip install --no-cache-dir -r requirements.txt, before line 5: COPY . ."}},
		{"bad: copy all first", "FROM python:3.13-slim\nWORKDIR /app\nCOPY . .\nRUN pip install -r requirements.txt\n", Fail, 3, []string{"line 3: COPY . . comes before line 4: RUN pip install -r requirements.txt, so every source change reinstalls the dependencies"}},
		{"bad: COPY . /app", "FROM python:3.13-slim\nCOPY . /app\nWORKDIR /app\nRUN pip install -r requirements.txt\n", Fail, 2, []string{"line 2: COPY . /app comes before line 4"}},
		{"bad: COPY ./ dir", "FROM node:22\nWORKDIR /w\nCOPY ./ ./\nRUN npm ci\n", Fail, 3, []string{"COPY ./ ./ comes before line 4: RUN npm ci"}},
		{"bad: source dir first", "FROM python:3.13-slim\nCOPY app/ ./app/\nCOPY requirements.txt .\nRUN pip install -r requirements.txt\n", Fail, 2, []string{"COPY app/ ./app/ comes before"}},
		{"bad: install with no manifest", "FROM python:3.13-slim\nRUN pip install --no-cache-dir -r requirements.txt\nCOPY . /app\n", Fail, 2, []string{"runs before any dependency file"}},
		{"split requirements", "FROM python:3.13-slim\nCOPY requirements-base.txt .\nRUN pip install -r requirements-base.txt\nCOPY requirements-dev.txt .\nRUN pip install -r requirements-dev.txt\nCOPY . .\n", Pass, 3, nil},
		{"no install at all", "FROM python:3.13-slim\nCOPY . /app\nCMD [\"python\", \"/app/main.py\"]\n", Unknown, 0, []string{"no dependency install step", "line 2: COPY . /app"}},
		{"tool install only is not judged", "FROM python:3.13-slim\nCOPY . .\nRUN pip install uv\n", Unknown, 0, nil},
		{"runtime stage without install", "FROM python:3.13-slim AS b\nCOPY requirements.txt .\nRUN pip install --prefix=/install -r requirements.txt\nFROM python:3.13-slim\nCOPY --from=b /install /usr/local\nCOPY . .\n", Pass, 3, nil},
		{"bad builder, fine runtime", "FROM python:3.13-slim AS b\nCOPY . .\nRUN pip install --prefix=/install -r requirements.txt\nFROM python:3.13-slim\nCOPY --from=b /install /usr/local\nCOPY . .\n", Fail, 2, []string{`stage 0 "b": line 2: COPY . .`}},
		{"install project after deps", "FROM python:3.13-slim\nCOPY pyproject.toml uv.lock ./\nRUN uv sync --frozen --no-install-project\nCOPY . .\nRUN uv sync --frozen\n", Pass, 3, nil},
		{"inherited deps stage", "FROM python:3.13-slim AS deps\nCOPY requirements.txt .\nRUN pip install -r requirements.txt\nFROM deps\nCOPY . .\nRUN pip install -e .\n", Pass, 3, nil},
		{"inherited broad copy", "FROM python:3.13-slim AS src\nCOPY . /app\nFROM src\nRUN pip install -r /app/requirements.txt\n", Fail, 2, []string{`stage 1: line 2: COPY . /app comes before line 4`}},
		{"npm glob manifests", "FROM node:22\nCOPY package*.json ./\nRUN npm ci --omit=dev\nCOPY . .\n", Pass, 3, nil},
		{"go", "FROM golang:1.26 AS b\nWORKDIR /src\nCOPY go.mod go.sum ./\nRUN go mod download\nCOPY . .\nRUN go build -o /app\nFROM scratch\nCOPY --from=b /app /app\n", Pass, 4, nil},
		{"go bad", "FROM golang:1.26 AS b\nCOPY . .\nRUN go mod download && go build\n", Fail, 2, nil},
		{"python -m pip", "FROM python:3.13\nCOPY . .\nRUN python -m pip install -r requirements.txt\n", Fail, 2, nil},
		{"bind mount manifests", "FROM python:3.13\nRUN --mount=type=bind,source=requirements.txt,target=/tmp/r.txt pip install -r /tmp/r.txt\nCOPY . .\n", Pass, 2, nil},
		{"heredoc install", "FROM python:3.13\nCOPY . .\nRUN <<EOF\nset -e\npip install -r requirements.txt\nEOF\nCMD [\"python\"]\n", Fail, 2, []string{"before line 3: RUN <<EOF"}},
		{"continuation lines", "FROM python:3.13\nCOPY requirements.txt \\\n     /app/\nRUN apt-get update && \\\n    pip install \\\n      -r /app/requirements.txt\nCOPY . /app\n", Pass, 4, []string{"line 2: COPY requirements.txt /app/ then line 4: RUN"}},
		{"remote ADD ignored", "FROM python:3.13\nADD https://example.com/x.tgz /x\nCOPY requirements.txt .\nRUN pip install -r requirements.txt\n", Pass, 4, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			checkFinding(t, mustParse(t, tt.src).CacheOrder(), tt.status, tt.line, tt.want)
		})
	}
}

func TestNonRootFinal(t *testing.T) {
	tests := []struct {
		name   string
		src    string
		status Status
		line   int
		want   []string
	}{
		{"USER 1000", "FROM alpine\nUSER 1000\n", Pass, 2, []string{"line 2: USER 1000", "runs as 1000"}},
		{"USER appuser", "FROM alpine\nRUN adduser -D appuser\nUSER appuser\nCMD [\"sh\"]\n", Pass, 3, nil},
		{"USER root", "FROM alpine\nUSER root\n", Fail, 2, []string{"line 2: USER root", "is root"}},
		{"USER 0:0", "FROM alpine\nUSER 0:0\n", Fail, 2, nil},
		{"USER root:root", "FROM alpine\nUSER root:root\n", Fail, 2, nil},
		{"USER 1000:0", "FROM alpine\nUSER 1000:0\n", Pass, 2, nil},
		{"USER 1000 then root", "FROM alpine\nUSER 1000\nRUN true\nUSER root\n", Fail, 4, []string{"line 4: USER root"}},
		{"root then 1000", "FROM alpine\nUSER root\nRUN apk add x\nUSER 1000\n", Pass, 4, nil},
		{"no USER", "FROM python:3.13-slim\nCMD [\"python\"]\n", Fail, 1, []string{"has no USER: runs as root"}},
		{"USER only in builder", "FROM alpine AS build\nUSER 1000\nFROM alpine\nCOPY --from=build /a /a\n", Fail, 3, []string{"has no USER", `line 2: USER 1000 is in stage 0 "build", which the final stage does not inherit`}},
		{"USER inherited", "FROM alpine AS base\nUSER 1000\nFROM base\nRUN true\n", Pass, 2, nil},
		{"ARG without default", "FROM alpine\nARG UID\nUSER $UID\n", Unknown, 3, []string{"$UID", "cannot tell"}},
		{"ARG with default", "FROM alpine\nARG UID=1000\nUSER ${UID}\n", Pass, 3, []string{`resolves to "1000"`, "--build-arg"}},
		{"ARG default root", "FROM alpine\nARG U=root\nUSER $U\n", Fail, 3, nil},
		{"meta ARG redeclared", "ARG UID=10001\nFROM alpine\nARG UID\nUSER $UID\n", Pass, 4, nil},
		{"meta ARG not redeclared", "ARG UID=10001\nFROM alpine\nUSER $UID\n", Unknown, 3, nil},
		{"ENV", "FROM alpine\nENV APP_USER=app\nUSER $APP_USER\n", Pass, 3, nil},
		{"default syntax", "FROM alpine\nUSER ${UID:-1000}\n", Pass, 2, nil},
		// dockerd and runc read a USER that strconv.Atoi accepts as a uid.
		{"USER +0", "FROM alpine\nUSER +0\n", Fail, 2, []string{"is root"}},
		{"USER -0", "FROM alpine\nUSER -0\n", Fail, 2, []string{"is root"}},
		{"USER 00", "FROM alpine\nUSER 00\n", Fail, 2, []string{"is root"}},
		{"USER 000:0", "FROM alpine\nUSER 000:0\n", Fail, 2, []string{"is root"}},
		{"ARG default +0", "FROM alpine\nARG U=+0\nUSER $U\n", Fail, 3, []string{"is root"}},
		{"USER +1000", "FROM alpine\nUSER +1000\n", Pass, 2, []string{"reads as uid 1000"}},
		{"USER -5", "FROM alpine\nUSER -5\n", Fail, 2, []string{"not a valid uid", "will not start"}},
		{"USER too large", "FROM alpine\nUSER 4294967296\n", Fail, 2, []string{"not a valid uid"}},
		{"USER name", "FROM alpine\nUSER app\n", Pass, 2, []string{"user named app", "image check resolves it"}},
		{"nonroot base note", "FROM gcr.io/distroless/python3:nonroot\nCOPY . /app\n", Fail, 1, []string{"may set a non-root USER"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			checkFinding(t, mustParse(t, tt.src).NonRootFinal(), tt.status, tt.line, tt.want)
		})
	}
}
