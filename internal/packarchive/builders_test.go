package packarchive

import (
	"archive/tar"
	"archive/zip"
	"bytes"
	"compress/flate"
	"compress/gzip"
	"hash/crc32"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"testing"
)

// ent describes one archive entry for both formats.
type ent struct {
	name string
	kind byte // 'f' file, 'd' dir, 'l' symlink, 'h' hard link, 'c' char dev, 'b' block dev, 'p' fifo, 'g' pax global header
	body string
	link string
	mode int64 // permission bits; 0 means 0644 (files) or 0755 (dirs)
	size int64 // tar only: header size when it must differ from len(body); data is then truncated
}

func file(name, body string) ent { return ent{name: name, kind: 'f', body: body} }
func dir(name string) ent        { return ent{name: name, kind: 'd'} }

// tarBytes builds an uncompressed tar; it writes headers and data straight
// to the buffer when a header must lie about the size.
func tarBytes(t testing.TB, entries ...ent) []byte {
	t.Helper()
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	for _, e := range entries {
		h := &tar.Header{Name: e.name, Mode: e.mode, Linkname: e.link, Format: tar.FormatPAX}
		switch e.kind {
		case 'f':
			h.Typeflag, h.Size = tar.TypeReg, int64(len(e.body))
		case 'd':
			h.Typeflag = tar.TypeDir
		case 'l':
			h.Typeflag = tar.TypeSymlink
		case 'h':
			h.Typeflag = tar.TypeLink
		case 'c':
			h.Typeflag = tar.TypeChar
		case 'b':
			h.Typeflag = tar.TypeBlock
		case 'p':
			h.Typeflag = tar.TypeFifo
		case 'g':
			// As git archive writes it: only PAX records, no name or mode.
			h = &tar.Header{Typeflag: tar.TypeXGlobalHeader, PAXRecords: map[string]string{"comment": "0123abcd"}}
		}
		if h.Mode == 0 && e.kind != 'g' {
			h.Mode = 0o644
			if e.kind == 'd' {
				h.Mode = 0o755
			}
		}
		if e.size != 0 {
			// Truncated entry: the header claims e.size, the stream ends early.
			h.Size = e.size
			if err := tw.WriteHeader(h); err != nil {
				t.Fatal(err)
			}
			buf.WriteString(e.body)
			return buf.Bytes()
		}
		if err := tw.WriteHeader(h); err != nil {
			t.Fatalf("tar header %q: %v", e.name, err)
		}
		if _, err := tw.Write([]byte(e.body)); err != nil {
			t.Fatal(err)
		}
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func gzipBytes(t testing.TB, b []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	gz, _ := gzip.NewWriterLevel(&buf, gzip.BestSpeed)
	if _, err := gz.Write(b); err != nil {
		t.Fatal(err)
	}
	if err := gz.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func tgz(t testing.TB, entries ...ent) []byte { return gzipBytes(t, tarBytes(t, entries...)) }

func zipBytes(t testing.TB, entries ...ent) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, e := range entries {
		h := &zip.FileHeader{Name: e.name, Method: zip.Deflate}
		perm := fs.FileMode(e.mode)
		if perm == 0 {
			perm = 0o644
		}
		switch e.kind {
		case 'f':
			h.SetMode(perm)
		case 'd':
			h.SetMode(fs.ModeDir | 0o755)
		case 'l':
			h.SetMode(fs.ModeSymlink | 0o777)
			e.body = e.link
		case 'c':
			h.SetMode(fs.ModeDevice | fs.ModeCharDevice | 0o644)
		case 'b':
			h.SetMode(fs.ModeDevice | 0o644)
		case 'p':
			h.SetMode(fs.ModeNamedPipe | 0o644)
		default:
			t.Fatalf("zip cannot hold entry kind %q", e.kind)
		}
		w, err := zw.CreateHeader(h)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.Write([]byte(e.body)); err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// zipBomb builds a zip whose one entry claims `claimed` bytes but whose
// deflate stream inflates to `actual` zero bytes.
func zipBomb(t testing.TB, name string, claimed uint64, actual int, before ...ent) []byte {
	t.Helper()
	var comp bytes.Buffer
	fw, _ := flate.NewWriter(&comp, flate.BestCompression)
	zeros := make([]byte, 1<<20)
	crc := crc32.NewIEEE()
	for left := actual; left > 0; {
		n := min(left, len(zeros))
		fw.Write(zeros[:n])
		crc.Write(zeros[:n])
		left -= n
	}
	fw.Close()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, e := range before {
		w, err := zw.Create(e.name)
		if err != nil {
			t.Fatal(err)
		}
		w.Write([]byte(e.body))
	}
	h := &zip.FileHeader{
		Name:               name,
		Method:             zip.Deflate,
		CRC32:              crc.Sum32(),
		CompressedSize64:   uint64(comp.Len()),
		UncompressedSize64: claimed,
	}
	h.SetMode(0o644)
	w, err := zw.CreateRaw(h)
	if err != nil {
		t.Fatal(err)
	}
	w.Write(comp.Bytes())
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// sandbox makes dest inside a fresh directory that must contain nothing but
// dest afterwards, and writes the archive somewhere else.
func sandbox(t testing.TB, archive []byte) (archivePath, box, dest string) {
	t.Helper()
	archivePath = filepath.Join(t.TempDir(), "pack.archive")
	if err := os.WriteFile(archivePath, archive, 0o644); err != nil {
		t.Fatal(err)
	}
	box = t.TempDir()
	dest = filepath.Join(box, "dest")
	if err := os.Mkdir(dest, 0o755); err != nil {
		t.Fatal(err)
	}
	return archivePath, box, dest
}

// listTree returns every path under dir, relative and sorted.
func listTree(t testing.TB, dir string) []string {
	t.Helper()
	var out []string
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if p != dir {
			rel, _ := filepath.Rel(dir, p)
			out = append(out, filepath.ToSlash(rel))
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(out)
	return out
}

// assertContained fails unless box holds only dest (and, when wantEmpty,
// dest holds nothing).
func assertContained(t testing.TB, box, dest string, wantEmpty bool) {
	t.Helper()
	entries, err := os.ReadDir(box)
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 1 || entries[0].Name() != filepath.Base(dest) {
		t.Errorf("something was written outside dest: %v", listTree(t, box))
	}
	if wantEmpty {
		if left := listTree(t, dest); len(left) > 0 {
			t.Errorf("dest not emptied after refusal: %v", left)
		}
	}
}
