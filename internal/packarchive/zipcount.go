package packarchive

import (
	"bufio"
	"encoding/binary"
	"fmt"
	"io"
)

// Zip record signatures and sizes (APPNOTE 4.3).
const (
	sigDirEnd      = 0x06054b50
	sigDir64End    = 0x06064b50
	sigDir64Loc    = 0x07064b50
	sigDirHeader   = 0x02014b50
	dirEndLen      = 22
	dir64LocLen    = 20
	dir64EndLen    = 56
	dirHeaderLen   = 46
	maxCommentLen  = 0xffff
	searchTailSize = dirEndLen + maxCommentLen
)

// zipEntryCount refuses an archive whose central directory lists more
// entries than lim allows, before archive/zip reads it: zip.NewReader
// makes a *zip.File for every record, so a 70 MB directory of 1.5 million
// records costs hundreds of megabytes before a single name is checked.
// The end record's count comes first; since archive/zip compares only its
// low 16 bits with what it reads, the records themselves are counted too,
// reading at most MaxEntries+1 headers from each place archive/zip may
// start. An archive this cannot make sense of is left to zip.NewReader.
func zipEntryCount(r io.ReaderAt, size int64, lim Limits) error {
	end, endOff, ok := findDirEnd(r, size)
	if !ok {
		return nil
	}
	records := uint64(binary.LittleEndian.Uint16(end[10:]))
	dirSize := uint64(binary.LittleEndian.Uint32(end[12:]))
	dirOff := uint64(binary.LittleEndian.Uint32(end[16:]))
	if records == 0xffff || dirSize == 0xffff || dirOff == 0xffffffff {
		if r64, s64, o64, off, ok := readDir64End(r, endOff); ok {
			records, dirSize, dirOff, endOff = r64, s64, o64, off
		}
	}
	if records > uint64(lim.MaxEntries) {
		return fmt.Errorf("%w: the zip lists %d entries, more than the %d a pack may have", ErrLimit, records, lim.MaxEntries)
	}
	if dirSize > uint64(size) || dirOff > uint64(size) {
		return nil
	}
	base := endOff - int64(dirSize) - int64(dirOff)
	for _, start := range []int64{base + int64(dirOff), int64(dirOff)} {
		if start < 0 || start >= size {
			continue
		}
		if n := countDirHeaders(r, start, size, lim.MaxEntries+1); n > lim.MaxEntries {
			return fmt.Errorf("%w: the zip's central directory has more than the %d entries a pack may have", ErrLimit, lim.MaxEntries)
		}
	}
	return nil
}

// findDirEnd finds the end of central directory record in the tail of the
// archive, where a comment of up to 64 KiB may follow it.
func findDirEnd(r io.ReaderAt, size int64) ([]byte, int64, bool) {
	n := min(size, searchTailSize)
	buf := make([]byte, n)
	if _, err := r.ReadAt(buf, size-n); err != nil && err != io.EOF {
		return nil, 0, false
	}
	for i := len(buf) - dirEndLen; i >= 0; i-- {
		if binary.LittleEndian.Uint32(buf[i:]) == sigDirEnd {
			return buf[i : i+dirEndLen], size - n + int64(i), true
		}
	}
	return nil, 0, false
}

// readDir64End follows the zip64 locator before the end record at endOff.
func readDir64End(r io.ReaderAt, endOff int64) (records, dirSize, dirOff uint64, off int64, ok bool) {
	if endOff < dir64LocLen {
		return 0, 0, 0, 0, false
	}
	loc := make([]byte, dir64LocLen)
	if _, err := r.ReadAt(loc, endOff-dir64LocLen); err != nil || binary.LittleEndian.Uint32(loc) != sigDir64Loc {
		return 0, 0, 0, 0, false
	}
	p := binary.LittleEndian.Uint64(loc[8:])
	if p > 1<<62 {
		return 0, 0, 0, 0, false
	}
	rec := make([]byte, dir64EndLen)
	if _, err := r.ReadAt(rec, int64(p)); err != nil || binary.LittleEndian.Uint32(rec) != sigDir64End {
		return 0, 0, 0, 0, false
	}
	return binary.LittleEndian.Uint64(rec[32:]), binary.LittleEndian.Uint64(rec[40:]),
		binary.LittleEndian.Uint64(rec[48:]), int64(p), true
}

// countDirHeaders counts consecutive central directory headers from start,
// stopping at limit.
func countDirHeaders(r io.ReaderAt, start, size int64, limit int) int {
	br := bufio.NewReaderSize(io.NewSectionReader(r, start, size-start), 64<<10)
	hdr := make([]byte, dirHeaderLen)
	n := 0
	for n < limit {
		if _, err := io.ReadFull(br, hdr); err != nil || binary.LittleEndian.Uint32(hdr) != sigDirHeader {
			return n
		}
		n++
		skip := int64(binary.LittleEndian.Uint16(hdr[28:])) + int64(binary.LittleEndian.Uint16(hdr[30:])) + int64(binary.LittleEndian.Uint16(hdr[32:]))
		if _, err := br.Discard(int(skip)); err != nil {
			return n
		}
	}
	return n
}
