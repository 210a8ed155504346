package course

import (
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"
)

const checklistManifest = goodManifest + `checklist:
  - section: Before you ship
    items:
      - id: tests-pass
        text: All tests pass
      - id: small
        text: The image is small
        checks:
          - kind: image.size_max
            params: {max_bytes: 300}
  - section: Running
    items:
      - id: non-root
        text: It runs as a non-root user
        checks:
          - kind: image.user_nonroot
`

func TestLoadChecklist(t *testing.T) {
	files := goodFiles()
	files["pack.yaml"] = checklistManifest
	p, err := Load(packFS(files), "test", Options{})
	if err != nil {
		t.Fatal(err)
	}
	want := []ChecklistItem{
		{ID: "tests-pass", Section: "Before you ship", Text: "All tests pass"},
		{ID: "small", Section: "Before you ship", Text: "The image is small",
			Checks: []ChecklistCheck{{Kind: "image.size_max", Params: map[string]any{"max_bytes": 300}}}},
		{ID: "non-root", Section: "Running", Text: "It runs as a non-root user",
			Checks: []ChecklistCheck{{Kind: "image.user_nonroot"}}},
	}
	if !reflect.DeepEqual(p.Checklist, want) {
		t.Errorf("checklist = %+v\nwant %+v", p.Checklist, want)
	}
}

func TestChecklistIsOptional(t *testing.T) {
	p, err := Load(packFS(goodFiles()), "test", Options{})
	if err != nil || len(p.Checklist) != 0 {
		t.Fatalf("a pack without a checklist: %v, %d items", err, len(p.Checklist))
	}
}

func TestChecklistProblems(t *testing.T) {
	for _, tc := range []struct {
		name, from, to, want string
	}{
		{"bad item id", "id: tests-pass", "id: Tests Pass", `pack.yaml:12: checklist item id "Tests Pass" must be`},
		{"duplicate item id", "id: small", "id: tests-pass", `pack.yaml:14: checklist item id "tests-pass" is used twice`},
		{"empty text", "text: All tests pass", `text: ""`, "pack.yaml:13: checklist item text must not be empty"},
		{"two-line text", "text: All tests pass", "text: \"All tests\\npass\"", "pack.yaml:13: checklist item text must be one line"},
		{"empty section", "section: Running", `section: ""`, "pack.yaml:19: checklist section must not be empty"},
		{"bad kind", "kind: image.user_nonroot", "kind: NonRoot", `pack.yaml:24: check kind "NonRoot" must look like`},
		{"same kind, other params", "kind: image.user_nonroot", "kind: image.size_max\n            params: {max_bytes: 5}",
			`pack.yaml:24: check kind "image.size_max" has other params here than in an earlier item`},
		{"unknown field", "text: All tests pass", "txt: All tests pass", `pack.yaml:13: unknown field "txt" in a checklist item (its fields are: id, text, checks)`},
		{"rejected by the engine", "{max_bytes: 300}", "{max_bytes: 300, typo: 1}", `pack.yaml:17: checklist item "small": no typo here`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			files := goodFiles()
			if !strings.Contains(checklistManifest, tc.from) {
				t.Fatalf("the manifest has no %q", tc.from)
			}
			files["pack.yaml"] = strings.Replace(checklistManifest, tc.from, tc.to, 1)
			opts := Options{CheckKind: func(kind string, params map[string]any) error {
				if params["typo"] != nil {
					return fmt.Errorf("no typo here")
				}
				return nil
			}}
			_, err := Load(packFS(files), "test", opts)
			var pe *Error
			if !errors.As(err, &pe) {
				t.Fatalf("want *Error, got %v", err)
			}
			var lines []string
			for _, p := range pe.Problems {
				if strings.HasPrefix(p.String(), tc.want) {
					return
				}
				lines = append(lines, p.String())
			}
			t.Errorf("no problem starts with %q; got:\n%s", tc.want, strings.Join(lines, "\n"))
		})
	}
}
