package course

import (
	"errors"
	"strings"
	"testing"
	"time"
)

// FuzzManifest feeds arbitrary pack.yaml bytes to the loader: it must never
// panic, and every error must be an *Error with problems or a
// NewerFormatError.
func FuzzManifest(f *testing.F) {
	f.Add([]byte(goodManifest))
	f.Add([]byte("format_version: 2\n"))
	f.Add([]byte("format_version: 1\nid: x\ntitle: t\nversion: v\nlessons: [one.md]\nworkspace: {starter: ., image: 'A:B'}\n"))
	f.Add([]byte(aliasBomb))
	f.Add([]byte(strings.Repeat("[", 10000) + strings.Repeat("]", 10000)))
	f.Add([]byte("id: &a [*a]\n"))
	f.Add([]byte("title: \"\\e]52;c;AAAA\\a\"\n"))
	f.Add([]byte("\xef\xbb\xbfformat_version: 1\r\nlessons:\r\n  - ../../etc/passwd\r\n"))
	f.Add([]byte{0xff, 0xfe, 0})
	f.Fuzz(func(t *testing.T, manifest []byte) {
		files := map[string]string{"pack.yaml": string(manifest), "one.md": goodLessonOne, "two.md": goodLessonTwo}
		_, err := Load(packFS(files), "fuzz", Options{})
		if err == nil {
			return
		}
		var pe *Error
		if !errors.As(err, &pe) && !errors.Is(err, ErrNewerFormat) {
			t.Fatalf("unexpected error type %T: %v", err, err)
		}
		if pe != nil && len(pe.Problems) == 0 {
			t.Fatal("error without problems")
		}
	})
}

// aliasBomb is the "billion laughs" of YAML: nine levels of nine aliases.
const aliasBomb = `a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]
b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]
e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]
f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]
g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]
h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]
i: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h]
`

// TestHostileManifests: an alias bomb, 10 000-deep nesting and an oversized
// manifest are refused quickly with a message naming pack.yaml.
func TestHostileManifests(t *testing.T) {
	cases := map[string]string{
		"alias bomb":           aliasBomb,
		"alias bomb in field":  strings.Replace(aliasBomb, "i: &i", "lessons: &i", 1),
		"deep flow nesting":    "format_version: 1\nid: " + strings.Repeat("[", 10000) + strings.Repeat("]", 10000) + "\n",
		"deep block nesting":   "format_version: 1\ndescription:\n" + deepBlock(10000),
		"oversized":            "format_version: 1\ndescription: " + strings.Repeat("x", 300<<10) + "\n",
		"self alias":           "format_version: 1\nid: &a [*a]\n",
		"deep mapping nesting": "format_version: 1\ndescription: " + strings.Repeat("{a: ", 10000) + strings.Repeat("}", 10000) + "\n",
		"newer format":         "format_version: 99\n",
	}
	for name, manifest := range cases {
		t.Run(name, func(t *testing.T) {
			start := time.Now()
			files := map[string]string{"pack.yaml": manifest, "one.md": goodLessonOne, "two.md": goodLessonTwo}
			_, err := Load(packFS(files), "hostile", Options{})
			if d := time.Since(start); d > 2*time.Second {
				t.Errorf("took %s", d)
			}
			if err == nil {
				t.Fatal("accepted")
			}
			t.Logf("%v", err)
			var pe *Error
			switch {
			case errors.Is(err, ErrNewerFormat):
			case errors.As(err, &pe):
				if pe.Problems[0].File != ManifestName {
					t.Errorf("problem not in pack.yaml: %v", pe.Problems[0])
				}
			default:
				t.Errorf("error type %T", err)
			}
		})
	}
}

// deepBlock nests n block sequences on one line ("- - - ... x").
func deepBlock(n int) string {
	return "  " + strings.Repeat("- ", n) + "x\n"
}

// TestAliasBombInParams: check params decode into map[string]any, where
// aliases would be expanded; the YAML decoder must refuse the bomb.
func TestAliasBombInParams(t *testing.T) {
	bomb := strings.ReplaceAll(strings.TrimSpace(aliasBomb), "\n", "\n        ")
	lesson := strings.Replace(goodLessonTwo, "params: {extra: 1}", "params:\n        "+bomb, 1)
	start := time.Now()
	_, err := Load(packFS(map[string]string{"pack.yaml": goodManifest, "one.md": goodLessonOne, "two.md": lesson}), "hostile", Options{})
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("took %s", d)
	}
	var pe *Error
	if !errors.As(err, &pe) || pe.Problems[0].File != "two.md" {
		t.Fatalf("got %v", err)
	}
	t.Log(err)
}
