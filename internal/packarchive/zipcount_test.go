package packarchive

import (
	"archive/zip"
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"strings"
	"testing"
)

// zipOfEmptyFiles is a zip of n empty files, written by archive/zip.
func zipOfEmptyFiles(t testing.TB, n int) []byte {
	t.Helper()
	var b bytes.Buffer
	zw := zip.NewWriter(&b)
	for i := range n {
		if _, err := zw.CreateHeader(&zip.FileHeader{Name: fmt.Sprintf("f%d", i), Method: zip.Store}); err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// TestZipEntryCountRefusedFirst: the end record's count is read before
// archive/zip reads the directory.
func TestZipEntryCountRefusedFirst(t *testing.T) {
	lim := DefaultLimits()
	archive, _, dest := sandbox(t, zipOfEmptyFiles(t, lim.MaxEntries+500))
	err := Extract(archive, dest, lim)
	if !errors.Is(err, ErrLimit) || !strings.Contains(err.Error(), fmt.Sprintf("the zip lists %d entries", lim.MaxEntries+500)) {
		t.Fatalf("err = %v", err)
	}
}

// TestZipEntryCountWrapped: archive/zip checks only the low 16 bits of the
// end record's count, so 65536+5 records with a count of 5 would all be
// read; the records are counted as well.
func TestZipEntryCountWrapped(t *testing.T) {
	z := zipOfEmptyFiles(t, 65536+5)
	// archive/zip wrote zip64 records for that many entries; replace them
	// with a plain end record claiming 5 entries.
	end, endOff, ok := findDirEnd(bytes.NewReader(z), int64(len(z)))
	if !ok {
		t.Fatal("no end record")
	}
	_ = end
	_, dirSize, dirOff, off64, ok := readDir64End(bytes.NewReader(z), endOff)
	if !ok {
		t.Fatal("no zip64 end record")
	}
	rec := make([]byte, dirEndLen)
	binary.LittleEndian.PutUint32(rec, sigDirEnd)
	binary.LittleEndian.PutUint16(rec[8:], 5)
	binary.LittleEndian.PutUint16(rec[10:], 5)
	binary.LittleEndian.PutUint32(rec[12:], uint32(dirSize))
	binary.LittleEndian.PutUint32(rec[16:], uint32(dirOff))
	forged := append(append([]byte(nil), z[:off64]...), rec...)
	if zr, err := zip.NewReader(bytes.NewReader(forged), int64(len(forged))); err != nil || len(zr.File) != 65536+5 {
		t.Fatalf("forged archive: archive/zip reads %v entries, err %v", zr, err)
	}

	archive, _, dest := sandbox(t, forged)
	err := Extract(archive, dest, DefaultLimits())
	if !errors.Is(err, ErrLimit) || !strings.Contains(err.Error(), "central directory has more than") {
		t.Fatalf("err = %v", err)
	}
}

// TestZipEntryCount100000: the 100000-entry zip of the hostile cases is
// refused without naming an entry, since none was read.
func TestZipEntryCount100000(t *testing.T) {
	archive, _, dest := sandbox(t, zipBytes(t, manyEntries(100000)...))
	if err := Extract(archive, dest, Limits{}); !errors.Is(err, ErrLimit) || !strings.Contains(err.Error(), "the zip lists 100000 entries") {
		t.Fatalf("err = %v", err)
	}
}
