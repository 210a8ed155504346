package packarchive

import (
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

var update = flag.Bool("update", false, "rewrite testdata/hostile and the FuzzExtract seed corpus")

type hostileCase struct {
	name      string
	archive   func(t testing.TB) []byte
	lim       Limits
	wantEntry string
	wantErr   error
	fixture   string // committed copy under testdata/hostile, if any
}

func tarCase(name, wantEntry string, wantErr error, entries ...ent) hostileCase {
	return hostileCase{name: "tar/" + name, wantEntry: wantEntry, wantErr: wantErr,
		archive: func(t testing.TB) []byte { return tgz(t, entries...) }}
}

func zipCase(name, wantEntry string, wantErr error, entries ...ent) hostileCase {
	return hostileCase{name: "zip/" + name, wantEntry: wantEntry, wantErr: wantErr,
		archive: func(t testing.TB) []byte { return zipBytes(t, entries...) }}
}

func withLimits(c hostileCase, lim Limits) hostileCase { c.lim = lim; return c }

func manyEntries(n int) []ent {
	es := make([]ent, n)
	for i := range es {
		es[i] = ent{name: fmt.Sprintf("f%06d", i), kind: 'f'}
	}
	return es
}

func hostileCases() []hostileCase {
	good := file("pack.yaml", "id: x\n")
	deep := strings.Repeat("d/", 16) + "f"
	long := strings.Repeat("n", 241)
	var cases []hostileCase
	for _, mk := range []func(string, string, error, ...ent) hostileCase{tarCase, zipCase} {
		cases = append(cases,
			mk("dotdot", "../evil", ErrUnsafe, good, file("../evil", "x")),
			mk("dotdot-inner", "a/../../evil", ErrUnsafe, good, file("a/../../evil", "x")),
			mk("dotdot-clean-safe", "a/b/../../evil", ErrUnsafe, file("a/b/../../evil", "x")),
			mk("dotdot-dir", "../", ErrUnsafe, dir("../")),
			mk("absolute", "/etc/evil", ErrUnsafe, file("/etc/evil", "x")),
			mk("drive-letter", `C:\evil`, ErrUnsafe, file(`C:\evil`, "x")),
			mk("drive-letter-slash", "c:/evil", ErrUnsafe, file("c:/evil", "x")),
			mk("backslash-dotdot", `a\..\evil`, ErrUnsafe, file(`a\..\evil`, "x")),
			mk("colon-stream", "pack.yaml:evil", ErrUnsafe, file("pack.yaml:evil", "x")),
			mk("control-char", "\x1b]0;pwned\x07.md", ErrUnsafe, file("\x1b]0;pwned\x07.md", "x")),
			mk("invalid-utf8", "bad\xff.md", ErrUnsafe, file("bad\xff.md", "x")),
			mk("empty-component", "a//b", ErrUnsafe, file("a//b", "x")),
			mk("dot-component", "a/./b", ErrUnsafe, file("a/./b", "x")),
			mk("symlink-then-file", "link", ErrUnsafe, ent{name: "link", kind: 'l', link: ".."}, file("link/evil", "x")),
			mk("symlink-absolute", "link", ErrUnsafe, good, ent{name: "link", kind: 'l', link: "/etc"}, file("link/evil", "x")),
			mk("char-device", "dev", ErrUnsafe, good, ent{name: "dev", kind: 'c'}),
			mk("block-device", "blk", ErrUnsafe, ent{name: "blk", kind: 'b'}),
			mk("fifo", "fifo", ErrUnsafe, good, ent{name: "fifo", kind: 'p'}),
			mk("duplicate", "pack.yaml", ErrUnsafe, good, file("pack.yaml", "id: y\n")),
			mk("duplicate-dir", "a/", ErrUnsafe, dir("a/"), dir("a/")),
			mk("case-collision", "Pack.yaml", ErrUnsafe, good, file("Pack.yaml", "x")),
			mk("case-collision-dir", "A/x", ErrUnsafe, file("a/x", "1"), file("A/x", "2")),
			mk("file-then-dir", "pack.yaml/x", ErrUnsafe, good, file("pack.yaml/x", "x")),
			mk("dir-then-file", "a", ErrUnsafe, dir("a/"), file("a", "x")),
			mk("too-deep", deep, ErrLimit, good, file(deep, "x")),
			mk("too-long", long, ErrLimit, good, file(long, "x")),
			withLimits(mk("total-size", "f3", ErrLimit,
				file("f0", strings.Repeat("a", 300)), file("f1", strings.Repeat("b", 300)),
				file("f2", strings.Repeat("c", 300)), file("f3", strings.Repeat("d", 300)), file("f4", "e")),
				Limits{MaxFileBytes: 500, MaxTotalBytes: 1000}),
			withLimits(mk("file-size", "big", ErrLimit, good, file("big", strings.Repeat("x", 2000))),
				Limits{MaxFileBytes: 1000}),
		)
	}
	// NUL cannot be written into a tar name by archive/tar; zip takes any bytes.
	cases = append(cases,
		zipCase("nul", "pack.yaml\x00.png", ErrUnsafe, file("pack.yaml\x00.png", "x")),
		tarCase("hard-link", "hl", ErrUnsafe, good, ent{name: "hl", kind: 'h', link: "/etc/passwd"}),
		tarCase("hard-link-inside", "hl", ErrUnsafe, good, ent{name: "hl", kind: 'h', link: "pack.yaml"}),
		tarCase("truncated", "short", ErrCorrupt, good, ent{name: "short", kind: 'f', body: "ten bytes!", size: 100}),
		hostileCase{name: "zip/bomb-small-claim", wantEntry: "bomb.md", wantErr: ErrCorrupt,
			archive: func(t testing.TB) []byte { return zipBomb(t, "bomb.md", 1024, 32<<20) }},
		hostileCase{name: "zip/bomb-after-files", wantEntry: "z/bomb.md", wantErr: ErrCorrupt,
			archive: func(t testing.TB) []byte {
				return zipBomb(t, "z/bomb.md", 10, 1<<20, file("pack.yaml", "id: x\n"), file("a/b/c.md", "x"))
			}},
		hostileCase{name: "zip/bomb-honest-claim", wantEntry: "bomb.md", wantErr: ErrLimit,
			archive: func(t testing.TB) []byte { return zipBomb(t, "bomb.md", 32<<20, 32<<20) }},
		hostileCase{name: "tar/trailing-zeros-after-end", wantEntry: "pack.yaml", wantErr: ErrLimit,
			lim: Limits{MaxEntries: 1, MaxTotalBytes: 1024},
			archive: func(t testing.TB) []byte {
				return gzipBytes(t, append(tarBytes(t, good), make([]byte, 2<<20)...))
			}},
		hostileCase{name: "tar/100000-entries", wantEntry: "f002000", wantErr: ErrLimit,
			archive: func(t testing.TB) []byte { return tgz(t, manyEntries(100000)...) }},
		// A zip with too many entries is refused from its end record,
		// before any entry is read: see TestZipEntryCountRefusedFirst.
	)
	fixtures := map[string]string{
		"tar/dotdot-inner":      "traversal.tar.gz",
		"zip/dotdot-inner":      "traversal.zip",
		"tar/absolute":          "absolute.tar.gz",
		"zip/backslash-dotdot":  "backslash.zip",
		"tar/symlink-then-file": "symlink-then-file.tar.gz",
		"zip/symlink-then-file": "symlink-then-file.zip",
		"tar/hard-link":         "hardlink.tar.gz",
		"tar/char-device":       "device.tar.gz",
		"zip/bomb-small-claim":  "bomb.zip",
		"tar/truncated":         "truncated.tar.gz",
	}
	for i := range cases {
		cases[i].fixture = fixtures[cases[i].name]
	}
	return cases
}

func TestExtractRefusesHostileArchives(t *testing.T) {
	for _, c := range hostileCases() {
		t.Run(c.name, func(t *testing.T) {
			data := c.archive(t)
			if c.fixture != "" {
				data = fixture(t, c.fixture, data)
			}
			arch, box, dest := sandbox(t, data)
			start := time.Now()
			err := Extract(arch, dest, c.lim)
			elapsed := time.Since(start)
			if err == nil {
				t.Fatalf("Extract accepted a hostile archive; dest holds %v", listTree(t, dest))
			}
			var ee *EntryError
			if !errors.As(err, &ee) {
				t.Fatalf("error %v is not an *EntryError", err)
			}
			if ee.Entry != c.wantEntry {
				t.Errorf("error names entry %q, want %q (error: %v)", ee.Entry, c.wantEntry, err)
			}
			if !strings.Contains(err.Error(), fmt.Sprintf("archive entry %q", c.wantEntry)) {
				t.Errorf("message %q does not name the entry", err)
			}
			if !errors.Is(err, c.wantErr) {
				t.Errorf("errors.Is(%v, %v) = false", err, c.wantErr)
			}
			if strings.ContainsAny(err.Error(), "\x00\x1b\x07") {
				t.Errorf("message carries raw control characters: %q", err)
			}
			assertContained(t, box, dest, true)
			if _, err := os.Lstat("/etc/evil"); err == nil {
				t.Errorf("/etc/evil exists")
			}
			if elapsed > 10*time.Second {
				t.Errorf("refusal took %v; hostile archives must be refused quickly", elapsed)
			}
			t.Logf("%v in %v", err, elapsed.Round(time.Millisecond))
		})
	}
}

// fixture returns the committed copy of a hostile archive, rewriting it
// from the generator with -update. The committed copy pins the bytes other
// packages' tests (and reviewers) can rely on.
func fixture(t *testing.T, name string, generated []byte) []byte {
	t.Helper()
	p := filepath.Join("testdata", "hostile", name)
	if *update {
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, generated, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	data, err := os.ReadFile(p)
	if err != nil {
		t.Fatalf("missing fixture (run go test -run TestExtract -update): %v", err)
	}
	return data
}

func TestExtractGoodPacks(t *testing.T) {
	flat := []ent{
		file("pack.yaml", "id: demo\n"),
		file("lessons/01.md", "# One\n"),
		ent{name: "starter/entrypoint.sh", kind: 'f', body: "#!/bin/sh\n", mode: 0o4777},
		file("starter/Dockerfile", "FROM scratch\n"),
	}
	want := []string{"lessons", "lessons/01.md", "pack.yaml", "starter", "starter/Dockerfile", "starter/entrypoint.sh"}
	prefix := func(p string, es []ent) []ent {
		out := []ent{dir(p)}
		for _, e := range es {
			e.name = p + e.name
			out = append(out, e)
		}
		return out
	}
	cases := []struct {
		name    string
		archive func(t testing.TB) []byte
		top     string
	}{
		{"tar/flat", func(t testing.TB) []byte { return tgz(t, flat...) }, ""},
		{"tar/top-dir", func(t testing.TB) []byte { return tgz(t, prefix("mypack/", flat)...) }, "mypack"},
		{"tar/dot-slash", func(t testing.TB) []byte { return tgz(t, prefix("./", flat)...) }, ""},
		{"tar/git-archive", func(t testing.TB) []byte {
			return tgz(t, append([]ent{{kind: 'g'}}, prefix("mypack/", flat)...)...)
		}, "mypack"},
		{"zip/flat", func(t testing.TB) []byte { return zipBytes(t, flat...) }, ""},
		{"zip/top-dir", func(t testing.TB) []byte { return zipBytes(t, prefix("mypack/", flat)...) }, "mypack"},
		{"zip/finder", func(t testing.TB) []byte {
			es := append(prefix("mypack/", flat), file("__MACOSX/mypack/._pack.yaml", "junk"))
			return zipBytes(t, es...)
		}, "mypack"},
		{"zip/dir-after-files", func(t testing.TB) []byte { return zipBytes(t, append(flat, dir("lessons/"))...) }, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			arch, box, dest := sandbox(t, c.archive(t))
			if err := Extract(arch, dest, DefaultLimits()); err != nil {
				t.Fatalf("Extract: %v", err)
			}
			assertContained(t, box, dest, false)
			root, err := PackRoot(dest)
			if err != nil {
				t.Fatalf("PackRoot: %v", err)
			}
			if wantRoot := filepath.Join(dest, c.top); root != filepath.Clean(wantRoot) {
				t.Fatalf("PackRoot = %q, want %q", root, wantRoot)
			}
			if got := listTree(t, root); !slices.Equal(got, want) {
				t.Fatalf("extracted %v, want %v", got, want)
			}
			body, err := os.ReadFile(filepath.Join(root, "lessons", "01.md"))
			if err != nil || string(body) != "# One\n" {
				t.Fatalf("lessons/01.md = %q, %v", body, err)
			}
			for _, p := range []struct {
				path string
				max  fs.FileMode
				exec bool
			}{
				{"pack.yaml", 0o644, false},
				{"starter/entrypoint.sh", 0o755, true},
				{"starter", 0o755, true},
			} {
				fi, err := os.Lstat(filepath.Join(root, p.path))
				if err != nil {
					t.Fatal(err)
				}
				if fi.Mode()&^(fs.ModeDir|0o755) != 0 {
					t.Errorf("%s has mode %v; nothing beyond 0755 may survive", p.path, fi.Mode())
				}
				if got := fi.Mode()&0o100 != 0; got != p.exec {
					t.Errorf("%s executable = %v, want %v (mode %v)", p.path, got, p.exec, fi.Mode())
				}
			}
		})
	}
}

func TestExtractRefusesNonEmptyDest(t *testing.T) {
	arch, box, dest := sandbox(t, tgz(t, file("pack.yaml", "id: x\n")))
	if err := os.Symlink(box, filepath.Join(dest, "pack.yaml")); err != nil {
		t.Fatal(err)
	}
	err := Extract(arch, dest, Limits{})
	if !errors.Is(err, ErrDestNotEmpty) {
		t.Fatalf("Extract into a non-empty dest: %v, want ErrDestNotEmpty", err)
	}
	// The planted link must be untouched: Extract owns nothing it found.
	if _, err := os.Lstat(filepath.Join(dest, "pack.yaml")); err != nil {
		t.Fatalf("planted entry removed: %v", err)
	}
}

func TestDetect(t *testing.T) {
	dir := t.TempDir()
	write := func(name string, data []byte) *os.File {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
		f, err := os.Open(p)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { f.Close() })
		return f
	}
	cases := []struct {
		name string
		data []byte
		want Kind
		err  string
	}{
		{"pack.zip", tgz(t, file("a", "b")), KindTarGz, ""}, // magic bytes win over the extension
		{"pack.tar.gz", zipBytes(t, file("a", "b")), KindZip, ""},
		{"empty.zip", zipBytes(t), KindZip, ""},
		{"pack.tar", tarBytes(t, file("a", "b")), KindUnknown, "uncompressed tar"},
		{"pack.txt", []byte("hello"), KindUnknown, "must be a directory, a .tar.gz or a .zip"},
		{"empty", nil, KindUnknown, "must be"},
	}
	for _, c := range cases {
		got, err := detect(write(c.name, c.data))
		if got != c.want {
			t.Errorf("detect(%s) = %v, want %v", c.name, got, c.want)
		}
		if c.err == "" && err != nil || c.err != "" && (err == nil || !strings.Contains(err.Error(), c.err) || !errors.Is(err, ErrUnknownFormat)) {
			t.Errorf("detect(%s) error = %v, want containing %q", c.name, err, c.err)
		}
	}
}

func TestPackRootRefusesAmbiguousLayouts(t *testing.T) {
	cases := map[string][]ent{
		"no manifest":       {file("README.md", "x")},
		"two top dirs":      {file("a/pack.yaml", "x"), file("b/pack.yaml", "x")},
		"dir and file":      {file("a/pack.yaml", "x"), file("notes.txt", "x")},
		"manifest too deep": {file("a/b/pack.yaml", "x")},
		"manifest is a dir": {dir("pack.yaml/")},
	}
	for name, es := range cases {
		t.Run(name, func(t *testing.T) {
			arch, _, dest := sandbox(t, tgz(t, es...))
			if err := Extract(arch, dest, Limits{}); err != nil {
				t.Fatal(err)
			}
			if root, err := PackRoot(dest); err == nil {
				t.Fatalf("PackRoot = %q, want an error", root)
			}
		})
	}
}

// infinite yields zero bytes forever: a reader whose header said nothing.
type infinite struct{}

func (infinite) Read(p []byte) (int, error) { clear(p); return len(p), nil }

// TestWriteFileCountsBytesRead drives the copy directly with a reader that
// never ends, the case archive/zip's own size check would otherwise hide.
func TestWriteFileCountsBytesRead(t *testing.T) {
	dest := t.TempDir()
	root, err := os.OpenRoot(dest)
	if err != nil {
		t.Fatal(err)
	}
	defer root.Close()
	x := newExtractor(root, Limits{MaxFileBytes: 1000, MaxTotalBytes: 1500}.withDefaults())
	err = x.writeFile("one", "one", false, infinite{})
	if !errors.Is(err, ErrLimit) || !strings.Contains(err.Error(), "limit for one file") {
		t.Fatalf("per-file: %v", err)
	}
	x.total = 0
	if err := x.writeFile("a", "a", false, strings.NewReader(strings.Repeat("a", 1000))); err != nil {
		t.Fatal(err)
	}
	err = x.writeFile("b", "b", false, infinite{})
	if !errors.Is(err, ErrLimit) || !strings.Contains(err.Error(), "all files together") {
		t.Fatalf("total: %v", err)
	}
	if x.total > 1501 {
		t.Fatalf("wrote %d bytes with a total limit of 1500", x.total)
	}
}

func TestCleanNameAccepts(t *testing.T) {
	lim := DefaultLimits()
	for raw, want := range map[string]string{
		"pack.yaml":                    "pack.yaml",
		"./pack.yaml":                  "pack.yaml",
		"./":                           "",
		"mypack/":                      "mypack",
		"a/b/c.md":                     "a/b/c.md",
		"..hidden/x..y":                "..hidden/x..y",
		"leçon.md":                     "leçon.md",
		"a b/c-d_e.f":                  "a b/c-d_e.f",
		strings.Repeat("d/", 15) + "f": strings.Repeat("d/", 15) + "f",
	} {
		got, err := cleanName(raw, lim)
		if err != nil || got != want {
			t.Errorf("cleanName(%q) = %q, %v; want %q", raw, got, err, want)
		}
	}
}
