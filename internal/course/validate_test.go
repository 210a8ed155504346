package course

import (
	"strings"
	"testing"
	"testing/fstest"
)

func TestValidateCleanPack(t *testing.T) {
	p, ps, err := Validate(packFS(goodFiles()), "demo", Options{})
	if err != nil || p == nil || len(ps) != 0 {
		t.Fatalf("pack %v, problems %v, err %v", p != nil, ps, err)
	}
}

func TestValidateReportsLoadProblems(t *testing.T) {
	f := goodFiles()
	f["one.md"] = strings.Replace(goodLessonOne, "title: First lesson", "title: \"a\\e]0;pwned\\a\"", 1)
	p, ps, err := Validate(packFS(f), "demo", Options{})
	if err != nil || p != nil || len(ps) == 0 || !strings.HasPrefix(ps[0].String(), "one.md:3: title contains the control character U+001B") {
		t.Fatalf("pack %v, problems %v, err %v", p != nil, ps, err)
	}
}

func TestLintBodies(t *testing.T) {
	f := goodFiles()
	body := strings.Join([]string{
		"# First lesson",    // 7
		"",                  // 8
		"## Why it matters", // 9
		"",                  // 10
		"Bad \x1b[2J clear and OSC \x1b]52;c;QUJD\x07.",                                                  // 11
		"DCS \x1bPq#0\x1b\\ and C1 \u009b31m.",                                                           // 12
		"Entity &#27;[31m and &#x1B; and &#0155; but &#233; is fine.",                                    // 13
		"[ok](two) [ok2](two#second) [ok3](#why-it-matters) [web](https://example.com/x) [file](two.md)", // 14
		"[bad](three) [badanchor](two#nowhere) [self](#nope) [file](missing.md#x)",                       // 15
		"![logo](assets/logo.png) ![gone](assets/gone.png) ![out](../../etc/passwd)",                     // 16
		"`[code](nope)`",          // 17
		"```",                     // 18
		"[in fence](nope)",        // 19
		"```",                     // 20
		"[notlesson](notes/x.md)", // 21
	}, "\n") + "\n"
	f["one.md"] = strings.SplitAfter(goodLessonOne, "---\n")[0] + strings.SplitAfter(goodLessonOne, "---\n")[1] + body
	fsys := packFS(f)
	fsys["assets/logo.png"] = &fstest.MapFile{Data: []byte("png")}
	fsys["notes/x.md"] = &fstest.MapFile{Data: []byte("x")}
	_, ps, err := Validate(fsys, "demo", Options{})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, p := range ps {
		got = append(got, p.String())
	}
	all := strings.Join(got, "\n")
	t.Log("\n" + all)
	for _, want := range []string{
		"one.md:11: contains the control character U+001B (ESC",
		"one.md:12: contains the control character U+009B (CSI)",
		`one.md:13: contains the character reference "&#27;"`,
		`one.md:13: contains the character reference "&#x1B;"`,
		`one.md:13: contains the character reference "&#0155;"`,
		`one.md:15: link "three": no lesson with id "three"`,
		`one.md:15: link "two#nowhere": lesson "two" has no heading with the anchor #nowhere`,
		`one.md:15: link "#nope": this lesson has no heading`,
		`one.md:15: link "missing.md#x": no such file`,
		`one.md:16: image "assets/gone.png": no such file`,
		`one.md:16: image "../../etc/passwd": no such file`,
		`one.md:21: link "notes/x.md": notes/x.md is not one of the pack's lessons`,
	} {
		if !strings.Contains(all, want) {
			t.Errorf("missing %q", want)
		}
	}
	for _, bad := range []string{"one.md:14:", "one.md:17:", "one.md:19:", "&#233;", "logo.png"} {
		if strings.Contains(all, bad) {
			t.Errorf("false positive %q", bad)
		}
	}
}

// TestBuiltinLintsClean: the built-in course is held to the same lint
// rules as instructors' packs.
func TestBuiltinLintsClean(t *testing.T) {
	p, err := Builtin(Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, pr := range Lint(p) {
		t.Errorf("%s", pr)
	}
}
