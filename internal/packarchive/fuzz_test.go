package packarchive

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// fuzzLimits keep each fuzz run small; the limits themselves are tested
// elsewhere.
var fuzzLimits = Limits{MaxEntries: 64, MaxFileBytes: 64 << 10, MaxTotalBytes: 256 << 10, MaxPathLen: 240, MaxDepth: 16}

// fuzzSeeds are small archives, valid and hostile, for both formats. The
// fuzz function also gzips each input and feeds it as a tar stream, so raw
// tar seeds let the fuzzer mutate tar headers directly.
func fuzzSeeds(t testing.TB) map[string][]byte {
	good := []ent{dir("mypack/"), file("mypack/pack.yaml", "id: x\n"), file("mypack/l/1.md", "# one\n")}
	return map[string][]byte{
		"good-tar":       tarBytes(t, good...),
		"good-tgz":       tgz(t, good...),
		"good-zip":       zipBytes(t, good...),
		"dotdot-tar":     tarBytes(t, file("a/../../evil", "x")),
		"dotdot-zip":     zipBytes(t, file("../evil", "x")),
		"absolute-tar":   tarBytes(t, file("/tmp/evil", "x")),
		"symlink-tar":    tarBytes(t, ent{name: "link", kind: 'l', link: ".."}, file("link/evil", "x")),
		"symlink-zip":    zipBytes(t, ent{name: "link", kind: 'l', link: ".."}, file("link/evil", "x")),
		"hardlink-tar":   tarBytes(t, ent{name: "hl", kind: 'h', link: "/etc/passwd"}),
		"fifo-tar":       tarBytes(t, ent{name: "p", kind: 'p'}),
		"truncated-tar":  tarBytes(t, ent{name: "short", kind: 'f', body: "abc", size: 100}),
		"bomb-zip":       zipBomb(t, "b", 10, 1<<16),
		"backslash-zip":  zipBytes(t, file(`a\..\evil`, "x")),
		"case-tar":       tarBytes(t, file("a/x", "1"), file("A/x", "2")),
		"empty":          {},
		"gzip-magic":     {0x1f, 0x8b},
		"zip-magic":      []byte("PK\x03\x04"),
		"zip-empty":      zipBytes(t),
		"global-hdr-tar": tarBytes(t, ent{kind: 'g'}, file("pack.yaml", "x")),
	}
}

func FuzzExtract(f *testing.F) {
	for _, data := range fuzzSeeds(f) {
		f.Add(data)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		// As given (Detect picks the format), then as the tar inside a
		// gzip stream, so mutations reach the tar reader.
		for _, archive := range [][]byte{data, gzipBytes(t, data)} {
			checkContained(t, archive)
		}
	})
}

// checkContained extracts archive and fails if anything appears outside
// dest, if a refusal leaves anything inside dest, or if an accepted archive
// produced anything but plain files and directories within 0755.
func checkContained(t *testing.T, archive []byte) {
	t.Helper()
	arch, box, dest := sandbox(t, archive)
	err := Extract(arch, dest, fuzzLimits)
	assertContained(t, box, dest, err != nil)
	if err != nil {
		var ee *EntryError
		if errors.As(err, &ee) && !strings.Contains(err.Error(), fmt.Sprintf("%q", ee.Entry)) {
			t.Errorf("entry error does not quote its entry: %v", err)
		}
		return
	}
	filepath.WalkDir(dest, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			t.Fatal(err)
		}
		fi, err := os.Lstat(p)
		if err != nil {
			t.Fatal(err)
		}
		if !fi.Mode().IsRegular() && !fi.IsDir() || fi.Mode().Perm()&^0o755 != 0 || fi.Mode()&(fs.ModeSetuid|fs.ModeSetgid|fs.ModeSticky) != 0 {
			t.Errorf("%s has mode %v", p, fi.Mode())
		}
		return nil
	})
}

// TestFuzzSeedCorpus keeps testdata/fuzz/FuzzExtract in step with
// fuzzSeeds (go test -run TestFuzzSeedCorpus -update rewrites it), so plain
// go test replays the committed corpus as regression cases.
func TestFuzzSeedCorpus(t *testing.T) {
	dir := filepath.Join("testdata", "fuzz", "FuzzExtract")
	for name, data := range fuzzSeeds(t) {
		want := fmt.Sprintf("go test fuzz v1\n[]byte(%q)\n", data)
		p := filepath.Join(dir, name)
		if *update {
			if err := os.MkdirAll(dir, 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(p, []byte(want), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		got, err := os.ReadFile(p)
		if err != nil || string(got) != want {
			t.Errorf("seed %s is missing or stale (go test -run TestFuzzSeedCorpus -update): %v", name, err)
		}
	}
}
