package course

import (
	"errors"
	"fmt"
	"io/fs"
	"strings"
	"testing"
	"testing/fstest"
)

const goodManifest = `format_version: 1
id: demo
title: Demo pack
version: "1.0"
description: A pack for tests.
lessons:
  - one.md
  - two.md
`

const goodLessonOne = `---
id: one
title: First lesson
summary: The first one.
minutes: 5
---
# First lesson

## Why it matters

Text.

` + "```bash\n# not a heading\n```\n"

const goodLessonTwo = `---
id: two
title: Second lesson
summary: Has an exercise.
minutes: 10
exercise:
  id: "3.1"
  title: Do the thing
  tasks:
    - Do it.
  hints:
    - Look closer.
  checks:
    - id: nonroot
      kind: image.user_nonroot
      hint: Add USER.
      lesson: one#why-it-matters
    - id: secrets
      kind: image.no_secrets
      level: advisory
      params: {extra: 1}
      hint: Remove it.
      lesson: two
---
# Second
`

func packFS(files map[string]string) fstest.MapFS {
	m := fstest.MapFS{}
	for name, body := range files {
		m[name] = &fstest.MapFile{Data: []byte(body)}
	}
	return m
}

func goodFiles() map[string]string {
	return map[string]string{"pack.yaml": goodManifest, "one.md": goodLessonOne, "two.md": goodLessonTwo}
}

func TestLoadGoodPack(t *testing.T) {
	p, err := Load(packFS(goodFiles()), "test", Options{})
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	if p.ID != "demo" || len(p.Lessons) != 2 {
		t.Fatalf("got id %q with %d lessons", p.ID, len(p.Lessons))
	}
	one := p.Lesson("one")
	if one.BodyLine != 7 || !strings.HasPrefix(one.Body, "# First lesson") {
		t.Errorf("body line %d, body %q", one.BodyLine, one.Body[:20])
	}
	if got := strings.Join(one.Anchors, ","); got != "first-lesson,why-it-matters" {
		t.Errorf("anchors = %s", got)
	}
	ex, l := p.Exercise("3.1")
	if ex == nil || l.ID != "two" {
		t.Fatal("exercise 3.1 not found")
	}
	if len(ex.Checks) != 2 || !ex.Checks[0].Required() || ex.Checks[1].Required() {
		t.Errorf("checks: %+v", ex.Checks)
	}
	if ex.Checks[0].Line != 14 {
		t.Errorf("check line = %d, want 14", ex.Checks[0].Line)
	}
	if ex.Checks[0].Points != DefaultPoints {
		t.Errorf("points of a check without points: = %d, want %d", ex.Checks[0].Points, DefaultPoints)
	}
	if ex.Checks[1].Params["extra"] != 1 {
		t.Errorf("params = %v", ex.Checks[1].Params)
	}
}

func TestLoadPoints(t *testing.T) {
	for _, n := range []int{0, 5, MaxPoints} {
		f := goodFiles()
		f["two.md"] = strings.Replace(goodLessonTwo, "level: advisory", fmt.Sprintf("level: advisory\n      points: %d", n), 1)
		p, err := Load(packFS(f), "test", Options{})
		if err != nil {
			t.Fatalf("points %d: %v", n, err)
		}
		ex, _ := p.Exercise("3.1")
		if got := ex.Checks[1].Points; got != n {
			t.Errorf("points: %d, want %d", got, n)
		}
	}
}

func TestLoadProblems(t *testing.T) {
	tests := []struct {
		name  string
		edit  func(map[string]string)
		want  string // a problem line, "file:line: message" prefix
		count int    // expected number of problems, 0 = don't care
	}{
		{"missing manifest", func(f map[string]string) { delete(f, "pack.yaml") }, "pack.yaml: file not found", 1},
		{"unknown manifest field", func(f map[string]string) {
			f["pack.yaml"] = strings.Replace(goodManifest, "title:", "titel:", 1)
		}, `pack.yaml:3: unknown field "titel" in pack.yaml (its fields are: format_version, id, title,`, 0},
		{"bad yaml", func(f map[string]string) { f["pack.yaml"] = "id: [unclosed\n" }, "pack.yaml:", 1},
		{"format missing", func(f map[string]string) {
			f["pack.yaml"] = strings.Replace(goodManifest, "format_version: 1\n", "", 1)
		}, "pack.yaml:1: format_version must be set to 1", 0},
		{"bad pack id", func(f map[string]string) {
			f["pack.yaml"] = strings.Replace(goodManifest, "id: demo", "id: Demo Pack", 1)
		}, `pack.yaml:2: id "Demo Pack"`, 1},
		{"traversal", func(f map[string]string) {
			f["pack.yaml"] = strings.Replace(goodManifest, "two.md", "../two.md", 1)
		}, `pack.yaml:8: lesson path "../two.md" must be relative`, 0},
		{"missing lesson file", func(f map[string]string) { delete(f, "two.md") }, `pack.yaml:8: lists "two.md", which does not exist`, 0},
		{"no front matter", func(f map[string]string) { f["one.md"] = "# Just text\n" }, "one.md:1: lesson must start with front matter", 0},
		{"unclosed front matter", func(f map[string]string) { f["one.md"] = "---\nid: one\n" }, "one.md:1: lesson must start with front matter", 0},
		{"front matter type error", func(f map[string]string) {
			f["one.md"] = strings.Replace(goodLessonOne, "minutes: 5", "minutes: five", 1)
		}, "one.md:5: expected a whole number here, found text (five)", 1},
		{"minutes zero", func(f map[string]string) {
			f["one.md"] = strings.Replace(goodLessonOne, "minutes: 5", "minutes: 0", 1)
		}, "one.md:5: minutes must be", 1},
		{"empty title", func(f map[string]string) {
			f["one.md"] = strings.Replace(goodLessonOne, "title: First lesson", "title: \"\"", 1)
		}, "one.md:3: title must not be empty", 1},
		{"control char in title", func(f map[string]string) {
			f["one.md"] = strings.Replace(goodLessonOne, "title: First lesson", "title: \"First \\e[2J\"", 1)
		}, "one.md:3: title contains the control character U+001B", 1},
		{"duplicate lesson id", func(f map[string]string) {
			f["two.md"] = strings.Replace(goodLessonTwo, "id: two", "id: one", 1)
		}, `two.md:2: lesson id "one" is already used by one.md`, 0},
		{"unknown anchor", func(f map[string]string) {
			f["two.md"] = strings.Replace(goodLessonTwo, "one#why-it-matters", "one#nowhere", 1)
		}, `two.md:14: check "nonroot" links to #nowhere, but lesson "one" has no heading`, 1},
		{"unknown lesson link", func(f map[string]string) {
			f["two.md"] = strings.Replace(goodLessonTwo, "lesson: two", "lesson: three", 1)
		}, `two.md:18: check "secrets" links to lesson "three"`, 1},
		{"negative points", func(f map[string]string) {
			f["two.md"] = strings.Replace(goodLessonTwo, "level: advisory", "level: advisory\n      points: -1", 1)
		}, `two.md:21: check points -1 must be a whole number from 0 to 100`, 1},
		{"too many points", func(f map[string]string) {
			f["two.md"] = strings.Replace(goodLessonTwo, "level: advisory", "level: advisory\n      points: 101", 1)
		}, `two.md:21: check points 101 must be a whole number from 0 to 100`, 1},
		{"fractional points", func(f map[string]string) {
			f["two.md"] = strings.Replace(goodLessonTwo, "level: advisory", "level: advisory\n      points: 1.5", 1)
		}, `two.md:21: check points 1.5 must be a whole number from 0 to 100`, 1},
		{"points as text", func(f map[string]string) {
			f["two.md"] = strings.Replace(goodLessonTwo, "level: advisory", "level: advisory\n      points: \"2\"", 1)
		}, `two.md:21: check points "2" must be a whole number`, 1},
		{"bad level", func(f map[string]string) {
			f["two.md"] = strings.Replace(goodLessonTwo, "level: advisory", "level: optional", 1)
		}, `two.md:20: check level "optional"`, 1},
		{"no required check", func(f map[string]string) {
			f["two.md"] = strings.Replace(goodLessonTwo, "      hint: Add USER.", "      level: advisory\n      hint: Add USER.", 1)
		}, "two.md:13: exercise 3.1 needs at least one required check", 1},
		{"no hints", func(f map[string]string) {
			f["two.md"] = strings.Replace(goodLessonTwo, "  hints:\n    - Look closer.\n", "", 1)
		}, "two.md:6: exercise needs at least one hint", 1},
		{"bad kind", func(f map[string]string) {
			f["two.md"] = strings.Replace(goodLessonTwo, "kind: image.user_nonroot", "kind: UserNonRoot", 1)
		}, `two.md:15: check kind "UserNonRoot"`, 1},
		{"duplicate check id", func(f map[string]string) {
			f["two.md"] = strings.Replace(goodLessonTwo, "id: secrets", "id: nonroot", 1)
		}, `two.md:18: check id "nonroot" is used twice`, 1},
		{"unquoted exercise id float", func(f map[string]string) {
			f["two.md"] = strings.Replace(goodLessonTwo, `id: "3.1"`, `id: 3.1`, 1)
		}, "", 0},
		{"not utf8", func(f map[string]string) { f["one.md"] = "---\nid: \xff\n---\n" }, "one.md: file is not valid UTF-8 text", 1},
		{"too big", func(f map[string]string) { f["one.md"] = goodLessonOne + strings.Repeat("x", maxLessonBytes) }, "one.md: file is larger than the limit", 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			files := goodFiles()
			tt.edit(files)
			_, err := Load(packFS(files), "test", Options{})
			if tt.want == "" {
				if err != nil {
					t.Fatalf("unexpected error: %v", err)
				}
				return
			}
			var pe *Error
			if !errors.As(err, &pe) {
				t.Fatalf("want *Error, got %v", err)
			}
			var lines []string
			found := false
			for _, p := range pe.Problems {
				lines = append(lines, p.String())
				if strings.HasPrefix(p.String(), tt.want) {
					found = true
				}
			}
			if !found {
				t.Errorf("no problem starts with %q; got:\n%s", tt.want, strings.Join(lines, "\n"))
			}
			if tt.count > 0 && len(pe.Problems) != tt.count {
				t.Errorf("want %d problems, got %d:\n%s", tt.count, len(pe.Problems), strings.Join(lines, "\n"))
			}
		})
	}
}

func TestNewerFormatRefused(t *testing.T) {
	files := goodFiles()
	files["pack.yaml"] = strings.Replace(goodManifest, "format_version: 1", "format_version: 2\nfuture_field: x", 1)
	_, err := Load(packFS(files), "mypack", Options{})
	if !errors.Is(err, ErrNewerFormat) {
		t.Fatalf("want ErrNewerFormat, got %v", err)
	}
	if !strings.Contains(err.Error(), "format_version 2") || !strings.Contains(err.Error(), "update shipshape") {
		t.Errorf("message does not say what to do: %v", err)
	}
}

func TestCheckKindValidator(t *testing.T) {
	opts := Options{CheckKind: func(kind string, params map[string]any) error {
		if kind == "image.no_secrets" && params["extra"] != nil {
			return fmt.Errorf("unknown parameter %q", "extra")
		}
		return nil
	}}
	_, err := Load(packFS(goodFiles()), "test", opts)
	if err == nil || !strings.Contains(err.Error(), `two.md:18: check "secrets": unknown parameter "extra"`) {
		t.Fatalf("got %v", err)
	}
}

func TestYAMLBombsRefused(t *testing.T) {
	// A billion-laughs document in a field that decodes into map[string]any,
	// where aliases really are expanded.
	bomb := "      params:\n        a: &a [\"x\",\"x\",\"x\",\"x\",\"x\",\"x\",\"x\",\"x\",\"x\"]\n"
	prev := "a"
	for i := 0; i < 9; i++ {
		name := fmt.Sprintf("b%d", i)
		bomb += fmt.Sprintf("        %s: &%s [*%s,*%s,*%s,*%s,*%s,*%s,*%s,*%s,*%s]\n", name, name, prev, prev, prev, prev, prev, prev, prev, prev, prev)
		prev = name
	}
	bombLesson := strings.Replace(goodLessonTwo, "      hint: Add USER.\n", bomb+"      hint: Add USER.\n", 1)
	deep := "lessons: " + strings.Repeat("[", 20000) + strings.Repeat("]", 20000)
	tests := map[string]map[string]string{
		"alias bomb":   {"pack.yaml": goodManifest, "one.md": goodLessonOne, "two.md": bombLesson},
		"deep nesting": {"pack.yaml": deep},
	}
	for name, files := range tests {
		t.Run(name, func(t *testing.T) {
			_, err := Load(packFS(files), "test", Options{})
			if err == nil {
				t.Fatal("accepted")
			}
			if !strings.Contains(err.Error(), "excessive aliasing") && !strings.Contains(err.Error(), "max depth") {
				t.Errorf("refused for another reason: %v", err)
			}
		})
	}
}

func TestBuiltinPack(t *testing.T) {
	p, err := Builtin(Options{})
	if err != nil {
		t.Fatalf("the built-in course does not load:\n%v", err)
	}
	if len(p.Lessons) < 12 {
		t.Errorf("built-in course has %d lessons, want at least 12", len(p.Lessons))
	}
	for _, id := range []string{"3.1", "3.2", "3.3", "3.4"} {
		if ex, _ := p.Exercise(id); ex == nil {
			t.Errorf("built-in course lacks exercise %s", id)
		}
	}
}

func TestWorkspaceAndSolution(t *testing.T) {
	files := goodFiles()
	files["pack.yaml"] = goodManifest + "workspace:\n  starter: app/starter\n  image: demo:prod\n"
	files["two.md"] = strings.Replace(goodLessonTwo, "  checks:\n", "  solution: app/solutions/3.1\n  checks:\n", 1)
	files["app/starter/Dockerfile"] = "FROM scratch\n"
	files["app/solutions/3.1/Dockerfile"] = "FROM scratch\n"
	p, err := Load(packFS(files), "test", Options{})
	if err != nil {
		t.Fatal(err)
	}
	if p.Workspace.Starter != "app/starter" || p.Workspace.Image != "demo:prod" || p.Workspace.DevImage != "task-api:dev" {
		t.Errorf("workspace %+v", p.Workspace)
	}
	if ex, _ := p.Exercise("3.1"); ex.Solution != "app/solutions/3.1" {
		t.Errorf("solution %q", ex.Solution)
	}

	bad := goodFiles()
	bad["pack.yaml"] = goodManifest + "workspace:\n  starter: ../outside\n  image: Bad Image\n"
	bad["two.md"] = strings.Replace(goodLessonTwo, "  checks:\n", "  solution: nowhere\n  checks:\n", 1)
	_, err = Load(packFS(bad), "test", Options{})
	for _, want := range []string{`pack.yaml:10: starter "../outside" must be a relative directory`,
		`pack.yaml:11: image "Bad Image" is not an image reference`, `two.md:13: solution directory "nowhere" does not exist`} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("want %q in %v", want, err)
		}
	}
}

func TestBuiltinWorkspace(t *testing.T) {
	p, err := Builtin(Options{})
	if err != nil {
		t.Fatal(err)
	}
	if p.Workspace == nil || p.Workspace.Image != "task-api:prod" {
		t.Fatalf("workspace %+v", p.Workspace)
	}
	if _, err := fs.Stat(p.FS, p.Workspace.Starter+"/Dockerfile"); err != nil {
		t.Errorf("starter Dockerfile: %v", err)
	}
	for _, ex := range p.Exercises() {
		if _, err := fs.Stat(p.FS, ex.Solution+"/Dockerfile"); err != nil {
			t.Errorf("exercise %s solution: %v", ex.ID, err)
		}
	}
}
