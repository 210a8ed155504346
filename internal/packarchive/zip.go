package packarchive

import (
	"archive/zip"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"strings"
)

// zip extracts a zip archive. Its central directory lists every entry, so
// names, types and claimed sizes are all checked before anything is written;
// the claimed sizes are then distrusted again while decompressing.
func (x *extractor) zip(r io.ReaderAt, size int64) error {
	if err := zipEntryCount(r, size, x.lim); err != nil {
		return err
	}
	zr, err := zip.NewReader(r, size)
	if err != nil && !errors.Is(err, zip.ErrInsecurePath) {
		// ErrInsecurePath (GODEBUG zipinsecurepath=0) comes with a usable
		// reader; the checks below refuse the same names with the entry name.
		return fmt.Errorf("%w: cannot read zip directory: %w", ErrCorrupt, err)
	}

	plan := make([]zipPlan, 0, min(len(zr.File), x.lim.MaxEntries))
	var claimed uint64
	for _, f := range zr.File {
		if err := x.count(f.Name); err != nil {
			return err
		}
		p, err := x.zipCheck(f, &claimed)
		if err != nil {
			return err
		}
		if p.f != nil {
			plan = append(plan, p)
		}
	}

	for _, p := range plan {
		if p.dir {
			if err := x.mkdir(p.f.Name, p.name); err != nil {
				return err
			}
			continue
		}
		if err := x.zipWrite(p.f, p.name); err != nil {
			return err
		}
	}
	return nil
}

// zipPlan is an entry that passed zipCheck and will be written.
type zipPlan struct {
	f    *zip.File
	name string // clean name
	dir  bool
}

// zipCheck validates one entry without reading its data. It returns a zero
// plan for the archive root ("./"), which needs nothing written.
func (x *extractor) zipCheck(f *zip.File, claimed *uint64) (zipPlan, error) {
	type plan = zipPlan
	raw := f.Name
	mode := f.Mode()
	switch t := mode.Type(); {
	case t&fs.ModeSymlink != 0:
		return plan{}, &EntryError{Entry: raw, Err: ErrUnsafe,
			Reason: "is a symbolic link; packs may contain only regular files and directories"}
	case t&^fs.ModeDir != 0:
		return plan{}, &EntryError{Entry: raw, Err: ErrUnsafe,
			Reason: fmt.Sprintf("is %s; packs may contain only regular files and directories", describeType(t))}
	}
	if f.Flags&0x1 != 0 {
		return plan{}, &EntryError{Entry: raw, Err: ErrUnsupported,
			Reason: "is encrypted; share the pack as an unencrypted archive"}
	}

	if strings.HasSuffix(raw, "/") || mode.IsDir() {
		if f.UncompressedSize64 != 0 {
			return plan{}, &EntryError{Entry: raw, Err: ErrUnsafe, Reason: "is a directory that carries data"}
		}
		name, err := x.checkDir(raw)
		if err != nil || name == "" {
			return plan{}, err
		}
		return plan{f, name, true}, nil
	}

	name, err := x.checkFile(raw)
	if err != nil {
		return plan{}, err
	}
	if f.Method != zip.Store && f.Method != zip.Deflate {
		return plan{}, &EntryError{Entry: raw, Err: ErrUnsupported,
			Reason: fmt.Sprintf("uses compression method %d; packs support only stored and deflate entries", f.Method)}
	}
	// Claimed sizes give an early refusal for honest large archives; the
	// bytes are counted again while decompressing for dishonest ones.
	if f.UncompressedSize64 > uint64(x.lim.MaxFileBytes) {
		return plan{}, &EntryError{Entry: raw, Err: ErrLimit,
			Reason: fmt.Sprintf("claims %d bytes, more than the %d a pack file may have", f.UncompressedSize64, x.lim.MaxFileBytes)}
	}
	*claimed += f.UncompressedSize64
	if *claimed > uint64(x.lim.MaxTotalBytes) {
		return plan{}, &EntryError{Entry: raw, Err: ErrLimit,
			Reason: fmt.Sprintf("takes the pack past %d bytes, the limit for all files together", x.lim.MaxTotalBytes)}
	}
	return plan{f, name, false}, nil
}

func (x *extractor) zipWrite(f *zip.File, name string) error {
	rc, err := f.Open()
	if err != nil {
		return &EntryError{Entry: f.Name, Err: ErrCorrupt, Reason: fmt.Sprintf("cannot be opened: %v", err)}
	}
	defer rc.Close()
	// archive/zip itself fails once more bytes inflate than the header
	// claims; writeFile's own count does not rely on that.
	return x.writeFile(f.Name, name, f.Mode().Perm()&0o111 != 0, rc)
}

// describeType names a non-regular file type for a message.
func describeType(t fs.FileMode) string {
	switch {
	case t&fs.ModeDevice != 0:
		return "a device node"
	case t&fs.ModeNamedPipe != 0:
		return "a named pipe (FIFO)"
	case t&fs.ModeSocket != 0:
		return "a socket"
	default:
		return "a special file"
	}
}
