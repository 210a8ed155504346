package packs

import (
	"archive/tar"
	"archive/zip"
	"bytes"
	"compress/flate"
	"compress/gzip"
	"errors"
	"hash/crc32"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"shipshape/internal/course"
	"shipshape/internal/packarchive"
	"shipshape/internal/progress"
	"shipshape/internal/scratch"
	"shipshape/internal/summary"
	"shipshape/internal/termsafe"
)

const manifestTmpl = `format_version: 1
id: demo
title: Demo pack
version: "VERSION"
lessons:
  - intro.md
  - basics.md
`

const introLesson = `---
id: INTRO
title: Introduction
summary: Where we start.
minutes: 3
---
# Introduction

## Why

BODY
`

const basicsLesson = `---
id: basics
title: Basics
summary: The first exercise.
minutes: 5
exercise:
  id: "1.1"
  title: Run as non-root
  tasks:
    - Add a USER line.
  hints:
    - HINT
  checks:
    - id: nonroot
      kind: KIND
      params: PARAMS
      hint: Add USER.
      lesson: basics
---
# Basics

Text.
`

// packFiles returns the files of a small pack; repl replaces the
// placeholders VERSION, INTRO, BODY, HINT, KIND and PARAMS.
func packFiles(repl map[string]string) map[string]string {
	r := map[string]string{"VERSION": "1.0.0", "INTRO": "intro", "BODY": "Text.", "HINT": "Look at USER.",
		"KIND": "dockerfile.nonroot_final", "PARAMS": "{}"}
	for k, v := range repl {
		r[k] = v
	}
	sub := func(s string) string {
		for k, v := range r {
			s = strings.ReplaceAll(s, k, v)
		}
		return s
	}
	return map[string]string{"pack.yaml": sub(manifestTmpl), "intro.md": sub(introLesson), "basics.md": sub(basicsLesson)}
}

func writeDir(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, body := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		must(t, os.MkdirAll(filepath.Dir(p), 0o755))
		must(t, os.WriteFile(p, []byte(body), 0o644))
	}
	return dir
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func newStore(t *testing.T) *Store {
	return &Store{Dir: filepath.Join(t.TempDir(), "packs")}
}

func TestInstallListOpenRemove(t *testing.T) {
	s := newStore(t)
	if l, err := s.List(); err != nil || len(l) != 0 {
		t.Fatalf("empty store: %v %v", l, err)
	}
	inst, err := s.Install(writeDir(t, packFiles(nil)))
	must(t, err)
	if inst.ID != "demo" || inst.Version != "1.0.0" || inst.Replaced != "" || inst.Path != filepath.Join(s.Dir, "demo") {
		t.Errorf("installed %+v", inst)
	}
	l, err := s.List()
	must(t, err)
	if len(l) != 1 || l[0].ID != "demo" || l[0].Title != "Demo pack" || l[0].Err != nil {
		t.Errorf("list %+v", l)
	}
	p, err := s.Open("demo")
	must(t, err)
	if len(p.Lessons) != 2 {
		t.Errorf("%d lessons", len(p.Lessons))
	}
	// A broken installed pack is listed with its error.
	must(t, os.WriteFile(filepath.Join(s.Dir, "demo", "intro.md"), []byte("garbage"), 0o644))
	l, _ = s.List()
	if len(l) != 1 || l[0].Err == nil || !strings.Contains(l[0].Err.Error(), "intro.md:1") {
		t.Errorf("broken pack listed as %+v", l)
	}
	must(t, s.Remove("demo"))
	if l, _ := s.List(); len(l) != 0 {
		t.Errorf("after remove: %+v", l)
	}
	if err := s.Remove("demo"); !errors.Is(err, ErrNotInstalled) {
		t.Errorf("second remove: %v", err)
	}
	if _, err := s.Open("../etc"); err == nil {
		t.Error("opened a traversal id")
	}
	if err := s.Remove("../../x"); err == nil || !strings.Contains(err.Error(), "not a pack id") {
		t.Errorf("remove traversal id: %v", err)
	}
	assertNoLeftovers(t, s)
}

func TestInstallReplacesOnlyAfterValidation(t *testing.T) {
	s := newStore(t)
	_, err := s.Install(writeDir(t, packFiles(nil)))
	must(t, err)
	// A broken v2 changes nothing.
	_, err = s.Install(writeDir(t, packFiles(map[string]string{"VERSION": "2.0.0", "KIND": "image.teleport"})))
	if err == nil || !strings.Contains(err.Error(), `unknown check kind "image.teleport"`) || !strings.Contains(err.Error(), "basics.md:") {
		t.Fatalf("broken v2: %v", err)
	}
	p, err := s.Open("demo")
	must(t, err)
	if p.Version != "1.0.0" {
		t.Errorf("version %s after a failed upgrade", p.Version)
	}
	inst, err := s.Install(writeDir(t, packFiles(map[string]string{"VERSION": "2.0.0"})))
	must(t, err)
	if inst.Replaced != "1.0.0" || inst.Version != "2.0.0" {
		t.Errorf("upgrade %+v", inst)
	}
	assertNoLeftovers(t, s)
}

// TestUpgradeKeepsProgress: progress is per pack id, so a new version
// keeps what the learner did in lessons and exercises whose ids remain.
func TestUpgradeKeepsProgress(t *testing.T) {
	s := newStore(t)
	state := t.TempDir()
	_, err := s.Install(writeDir(t, packFiles(nil)))
	must(t, err)
	st, err := progress.Open(state, "demo")
	must(t, err)
	must(t, st.MarkRead("intro"))
	must(t, st.MarkRead("basics"))
	now := time.Now()
	must(t, st.RecordAttempt("1.1", progress.Attempt{StartedAt: now, Passed: true}))
	must(t, st.Close())

	// v2 renames the first lesson.
	_, err = s.Install(writeDir(t, packFiles(map[string]string{"VERSION": "2.0.0", "INTRO": "welcome"})))
	must(t, err)
	p, err := s.Open("demo")
	must(t, err)
	saved, notices, err := progress.Load(state, "demo")
	must(t, err)
	if len(notices) != 0 {
		t.Errorf("notices %v", notices)
	}
	sum := summary.Of(p, saved)
	got := map[string]summary.State{}
	for _, l := range sum.Lessons {
		got[l.Lesson.ID] = l.State
	}
	if got["welcome"] != summary.NotStarted || got["basics"] != summary.Passed || len(got) != 2 {
		t.Errorf("states %v", got)
	}
	if sum.Done != 1 || sum.Total != 2 {
		t.Errorf("done %d of %d", sum.Done, sum.Total)
	}
}

func TestInstallArchives(t *testing.T) {
	files := packFiles(nil)
	for name, data := range map[string][]byte{
		"flat.tar.gz":   tarGz(t, filesEntries("", files)...),
		"folder.tar.gz": tarGz(t, filesEntries("demo/", files)...),
		"flat.zip":      zipBytes(t, filesEntries("", files)...),
		"folder.zip":    zipBytes(t, filesEntries("mypack/", files)...),
	} {
		t.Run(name, func(t *testing.T) {
			s := newStore(t)
			path := filepath.Join(t.TempDir(), name)
			must(t, os.WriteFile(path, data, 0o644))
			inst, err := s.Install(path)
			must(t, err)
			if inst.ID != "demo" {
				t.Errorf("%+v", inst)
			}
			// The archive is unpacked in the scratch directory (so a kill -9
			// leaves it for the next start's sweep), never in TMPDIR, and
			// nothing is left once Load returns.
			sysTmp := t.TempDir()
			t.Setenv("TMPDIR", sysTmp)
			tmp := scratch.Open(t.TempDir())
			p, err := Load(path, Options(), tmp)
			must(t, err)
			if p.Source != path || len(p.Lessons) != 2 {
				t.Errorf("loaded %s with %d lessons", p.Source, len(p.Lessons))
			}
			if es, err := os.ReadDir(tmp.Path()); err != nil || len(es) != 0 {
				t.Errorf("scratch directory after Load: %v, %v; want it made and empty", es, err)
			}
			if es, _ := os.ReadDir(sysTmp); len(es) != 0 {
				t.Errorf("TMPDIR after Load: %v", es)
			}
			assertNoLeftovers(t, s)
		})
	}
}

// TestHostilePacks is the corpus of hostile packs: each is refused (or,
// for control sequences in lesson bodies, neutralised) with a message that
// names what is wrong, and nothing is written outside the store.
func TestHostilePacks(t *testing.T) {
	good := filesEntries("", packFiles(nil))
	bomb := strings.Repeat("\x00", 20<<20)
	many := make([]ent, 0, 100_001)
	many = append(many, good...)
	for i := 0; len(many) < 100_001; i++ {
		many = append(many, ent{name: "x/" + itoa(i), body: ""})
	}
	cases := []struct {
		name    string
		archive func(t *testing.T) []byte
		dir     func(t *testing.T) string
		is      error
		want    string
	}{
		{name: "tar traversal", archive: func(t *testing.T) []byte { return tarGz(t, append(good, ent{name: "../evil", body: "x"})...) },
			is: packarchive.ErrUnsafe, want: `"../evil"`},
		{name: "zip traversal", archive: func(t *testing.T) []byte { return zipBytes(t, append(good, ent{name: "a/../../evil", body: "x"})...) },
			is: packarchive.ErrUnsafe, want: `"a/../../evil"`},
		{name: "tar absolute", archive: func(t *testing.T) []byte { return tarGz(t, append(good, ent{name: "/tmp/evil", body: "x"})...) },
			is: packarchive.ErrUnsafe, want: `"/tmp/evil"`},
		{name: "zip backslash", archive: func(t *testing.T) []byte { return zipBytes(t, append(good, ent{name: `..\evil`, body: "x"})...) },
			is: packarchive.ErrUnsafe, want: `evil`},
		{name: "tar symlink then file through it", archive: func(t *testing.T) []byte {
			return tarGz(t, append(good, ent{name: "lnk", link: "/tmp"}, ent{name: "lnk/evil", body: "x"})...)
		}, is: packarchive.ErrUnsafe, want: `"lnk"`},
		{name: "zip symlink", archive: func(t *testing.T) []byte {
			return zipBytes(t, append(good, ent{name: "lnk", link: "/etc"}, ent{name: "lnk/evil", body: "x"})...)
		}, is: packarchive.ErrUnsafe, want: `"lnk"`},
		{name: "zip bomb with lying sizes", archive: func(t *testing.T) []byte {
			return zipBytes(t, append(good, ent{name: "bomb.md", body: bomb, lie: true})...)
		}, is: packarchive.ErrCorrupt, want: `"bomb.md"`},
		{name: "zip bomb", archive: func(t *testing.T) []byte {
			return zipBytes(t, append(good, ent{name: "bomb.md", body: bomb})...)
		}, is: packarchive.ErrLimit, want: `"bomb.md"`},
		{name: "100 000 entries", archive: func(t *testing.T) []byte { return zipBytes(t, many...) },
			is: packarchive.ErrLimit, want: "entries"},
		{name: "directory with a symlink", dir: func(t *testing.T) string {
			d := writeDir(t, packFiles(nil))
			must(t, os.Symlink("/etc/passwd", filepath.Join(d, "passwd.md")))
			return d
		}, want: `"passwd.md" is a symbolic link`},
		{name: "alias bomb in pack.yaml", dir: func(t *testing.T) string {
			f := packFiles(nil)
			f["pack.yaml"] += "x: &a [1,1,1,1,1,1,1,1,1]\ny: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\nz: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\n"
			return writeDir(t, f)
		}, want: "pack.yaml:"},
		{name: "alias bomb in check params", dir: func(t *testing.T) string {
			var b strings.Builder
			b.WriteString("\n        a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]")
			prev := "a"
			for _, n := range []string{"b", "c", "d", "e", "f", "g", "h", "i"} {
				b.WriteString("\n        " + n + ": &" + n + " [" + strings.TrimSuffix(strings.Repeat("*"+prev+",", 9), ",") + "]")
				prev = n
			}
			return writeDir(t, packFiles(map[string]string{"PARAMS": b.String()}))
		}, want: "basics.md: document contains excessive aliasing"},
		{name: "10 000-deep nesting", dir: func(t *testing.T) string {
			f := packFiles(nil)
			f["pack.yaml"] += "description: " + strings.Repeat("[", 10000) + strings.Repeat("]", 10000) + "\n"
			return writeDir(t, f)
		}, want: "pack.yaml:"},
		{name: "ESC in title", dir: func(t *testing.T) string {
			f := packFiles(nil)
			f["intro.md"] = strings.Replace(f["intro.md"], "title: Introduction", `title: "Intro\e[2J\e[H"`, 1)
			return writeDir(t, f)
		}, want: "intro.md:3: title contains the control character U+001B"},
		{name: "OSC in hint", dir: func(t *testing.T) string {
			return writeDir(t, packFiles(map[string]string{"HINT": `"\e]52;c;cm0gLXJmIH4=\a"`}))
		}, want: "basics.md:12: hint contains the control character U+001B"},
		{name: "DCS in pack title", dir: func(t *testing.T) string {
			f := packFiles(nil)
			f["pack.yaml"] = strings.Replace(f["pack.yaml"], "title: Demo pack", `title: "\eP+q544e\e\\"`, 1)
			return writeDir(t, f)
		}, want: "pack.yaml:3: title contains the control character U+001B"},
		{name: "unknown check kind", dir: func(t *testing.T) string {
			return writeDir(t, packFiles(map[string]string{"KIND": "host.shell"}))
		}, want: `check "nonroot": unknown check kind "host.shell"`},
		{name: "check asking for host resources", dir: func(t *testing.T) string {
			return writeDir(t, packFiles(map[string]string{"KIND": "container.command",
				"PARAMS": `{argv: [cat, /host/etc/shadow], privileged: true}`}))
		}, want: `unknown parameter "privileged"`},
		{name: "check mounting the docker socket", dir: func(t *testing.T) string {
			return writeDir(t, packFiles(map[string]string{"KIND": "container.command",
				"PARAMS": `{argv: [docker, ps], mounts: ["/var/run/docker.sock:/var/run/docker.sock"]}`}))
		}, want: `unknown parameter "mounts"`},
		{name: "check asking for the host network", dir: func(t *testing.T) string {
			return writeDir(t, packFiles(map[string]string{"KIND": "container.healthy", "PARAMS": `{network: host}`}))
		}, want: `parameter "network": "host" is not one of none, default`},
		{name: "command asking for a network", dir: func(t *testing.T) string {
			return writeDir(t, packFiles(map[string]string{"KIND": "container.command",
				"PARAMS": `{argv: [wget, example.com], network: default}`}))
		}, want: `unknown parameter "network"`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			root := t.TempDir()
			s := &Store{Dir: filepath.Join(root, "data", "packs")}
			src := ""
			if tc.archive != nil {
				src = filepath.Join(root, "pack.bin")
				must(t, os.WriteFile(src, tc.archive(t), 0o644))
			} else {
				src = tc.dir(t)
			}
			start := time.Now()
			_, err := s.Install(src)
			if d := time.Since(start); d > 10*time.Second {
				t.Errorf("refusal took %s", d)
			}
			if err == nil {
				t.Fatal("installed")
			}
			msg := termsafe.Text(err.Error())
			t.Log(msg)
			if tc.is != nil && !errors.Is(err, tc.is) {
				t.Errorf("error is not %v", tc.is)
			}
			if !strings.Contains(msg, tc.want) {
				t.Errorf("message lacks %q", tc.want)
			}
			if msg != err.Error() {
				t.Errorf("error message carries control characters: %q", err.Error())
			}
			if _, err := os.Stat(filepath.Join(root, "data", "evil")); err == nil {
				t.Error("wrote outside the destination")
			}
			if _, err := os.Stat("/tmp/evil"); err == nil {
				t.Error("/tmp/evil exists")
			}
			assertNoLeftovers(t, s)
		})
	}
}

// TestControlsInBodiesNeutralised: control sequences in a lesson body do
// not stop a pack from loading (the TUI sanitizes bodies), but Install
// reports them as warnings with file:line for the author.
func TestControlsInBodiesNeutralised(t *testing.T) {
	s := newStore(t)
	inst, err := s.Install(writeDir(t, packFiles(map[string]string{"BODY": "Hi \x1b]0;pwned\x07 \x1bP1$r\x1b\\ &#27;[2J"})))
	must(t, err)
	var got []string
	for _, w := range inst.Warnings {
		got = append(got, w.String())
	}
	all := strings.Join(got, "\n")
	if !strings.Contains(all, "intro.md:11: contains the control character U+001B") || !strings.Contains(all, `intro.md:11: contains the character reference "&#27;"`) {
		t.Errorf("warnings:\n%s", all)
	}
	p, err := s.Open("demo")
	must(t, err)
	if md := termsafe.Markdown(p.Lessons[0].Body); strings.ContainsAny(md, "\x1b\x07") || strings.Contains(md, "&#27;") {
		t.Errorf("sanitized body still has controls: %q", md)
	}
}

func assertNoLeftovers(t *testing.T, s *Store) {
	t.Helper()
	entries, err := os.ReadDir(s.Dir)
	if err != nil {
		return
	}
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), ".install-") || strings.HasPrefix(e.Name(), ".remove-") {
			t.Errorf("leftover %s", e.Name())
		}
	}
}

func TestDefaultDir(t *testing.T) {
	t.Setenv(EnvDataDir, "/custom")
	if d, _ := DefaultDir(); d != "/custom/packs" {
		t.Errorf("got %s", d)
	}
	t.Setenv(EnvDataDir, "")
	t.Setenv("XDG_DATA_HOME", "/xdg")
	if d, _ := DefaultDir(); d != "/xdg/shipshape/packs" {
		t.Errorf("got %s", d)
	}
}

var _ = course.ManifestName

// ent is one archive entry: a file (body) or a symlink (link). lie makes a
// zip entry declare a tiny size for a large body.
type ent struct {
	name, body, link string
	lie              bool
}

func filesEntries(prefix string, files map[string]string) []ent {
	var out []ent
	for name, body := range files {
		out = append(out, ent{name: prefix + name, body: body})
	}
	return out
}

func tarGz(t *testing.T, entries ...ent) []byte {
	t.Helper()
	var buf bytes.Buffer
	gz := gzip.NewWriter(&buf)
	tw := tar.NewWriter(gz)
	for _, e := range entries {
		h := &tar.Header{Name: e.name, Mode: 0o644, Typeflag: tar.TypeReg, Size: int64(len(e.body))}
		if e.link != "" {
			h.Typeflag, h.Linkname, h.Size = tar.TypeSymlink, e.link, 0
		}
		must(t, tw.WriteHeader(h))
		if e.link == "" {
			_, err := tw.Write([]byte(e.body))
			must(t, err)
		}
	}
	must(t, tw.Close())
	must(t, gz.Close())
	return buf.Bytes()
}

func zipBytes(t *testing.T, entries ...ent) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, e := range entries {
		switch {
		case e.link != "":
			h := &zip.FileHeader{Name: e.name, Method: zip.Store}
			h.SetMode(os.ModeSymlink | 0o777)
			w, err := zw.CreateHeader(h)
			must(t, err)
			_, err = w.Write([]byte(e.link))
			must(t, err)
		case e.lie:
			var comp bytes.Buffer
			fw, _ := flate.NewWriter(&comp, flate.BestCompression)
			_, _ = fw.Write([]byte(e.body))
			must(t, fw.Close())
			h := &zip.FileHeader{Name: e.name, Method: zip.Deflate, CRC32: crc32.ChecksumIEEE([]byte(e.body)),
				CompressedSize64: uint64(comp.Len()), UncompressedSize64: 100}
			w, err := zw.CreateRaw(h)
			must(t, err)
			_, err = w.Write(comp.Bytes())
			must(t, err)
		default:
			w, err := zw.CreateHeader(&zip.FileHeader{Name: e.name, Method: zip.Deflate})
			must(t, err)
			_, err = w.Write([]byte(e.body))
			must(t, err)
		}
	}
	must(t, zw.Close())
	return buf.Bytes()
}

func itoa(i int) string { return strconv.Itoa(i) }

func TestInstallRemovesStaleLeftovers(t *testing.T) {
	s := newStore(t)
	stale := filepath.Join(s.Dir, ".install-123", "pack")
	must(t, os.MkdirAll(stale, 0o755))
	_, err := s.Install(writeDir(t, packFiles(nil)))
	must(t, err)
	if _, err := os.Stat(stale); err == nil {
		t.Error("stale install directory kept")
	}
}
