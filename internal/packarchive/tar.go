package packarchive

import (
	"archive/tar"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
)

// tarGz extracts a gzip-compressed tar. Tar has no directory to check up
// front, so a first pass reads every header without writing anything: the
// usual hostile archive (a bad name, a link, 100 000 entries) is refused
// before dest is touched. The second pass writes, checking everything again
// and counting the bytes it actually decompresses.
func (x *extractor) tarGz(r io.ReadSeeker) error {
	if err := x.tarPass(r, false); err != nil {
		return err
	}
	if _, err := r.Seek(0, io.SeekStart); err != nil {
		return fmt.Errorf("cannot read pack archive: %w", err)
	}
	x.entries, x.total, x.names = 0, 0, names{seen: map[string]*seenEntry{}}
	return x.tarPass(r, true)
}

func (x *extractor) tarPass(r io.Reader, write bool) error {
	gz, err := gzip.NewReader(r)
	if err != nil {
		return fmt.Errorf("%w: cannot read gzip header: %w", ErrCorrupt, err)
	}
	defer gz.Close()
	budget := x.lim.streamBudget()
	stream := &budgetReader{r: gz, left: budget, budget: budget}
	tr := tar.NewReader(stream)

	last := ""
	for {
		hdr, err := tr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil && !errors.Is(err, tar.ErrInsecurePath) {
			// ErrInsecurePath (GODEBUG tarinsecurepath=0) comes with a valid
			// header; cleanName refuses the same names with a better message.
			return tarStreamError(last, err)
		}
		last = hdr.Name
		if err := x.count(hdr.Name); err != nil {
			return err
		}
		if err := x.tarEntry(tr, hdr, write); err != nil {
			return err
		}
	}
	// Read to the end of the gzip stream so its checksum is verified: a
	// damaged download must not install silently.
	if _, err := io.Copy(io.Discard, stream); err != nil {
		return tarStreamError(last, err)
	}
	return nil
}

func (x *extractor) tarEntry(tr *tar.Reader, hdr *tar.Header, write bool) error {
	raw := hdr.Name
	unsafe := func(format string, args ...any) error {
		return &EntryError{Entry: raw, Err: ErrUnsafe, Reason: fmt.Sprintf(format, args...)}
	}
	switch hdr.Typeflag {
	case tar.TypeReg, 0: // 0 is the pre-POSIX regular file (TypeRegA)
		name, err := x.checkFile(raw)
		if err != nil {
			return err
		}
		if hdr.Size > x.lim.MaxFileBytes {
			return &EntryError{Entry: raw, Err: ErrLimit,
				Reason: fmt.Sprintf("claims %d bytes, more than the %d a pack file may have", hdr.Size, x.lim.MaxFileBytes)}
		}
		if !write {
			// Read the data anyway, so a truncated entry is named here and
			// not as a broken header after it.
			return x.discard(raw, tr)
		}
		// tar.Reader yields at most hdr.Size bytes, and io.ErrUnexpectedEOF
		// when the data is shorter than the header says.
		return x.writeFile(raw, name, hdr.Mode&0o111 != 0, tr)
	case tar.TypeDir:
		name, err := x.checkDir(raw)
		if err != nil || !write {
			return err
		}
		return x.mkdir(raw, name)
	case tar.TypeXGlobalHeader:
		// Metadata for the whole archive, written by git archive; nothing
		// to extract. It still counts as an entry.
		return nil
	case tar.TypeSymlink:
		return unsafe("is a symbolic link to %q; packs may contain only regular files and directories", hdr.Linkname)
	case tar.TypeLink:
		return unsafe("is a hard link to %q; packs may contain only regular files and directories", hdr.Linkname)
	case tar.TypeChar, tar.TypeBlock:
		return unsafe("is a device node; packs may contain only regular files and directories")
	case tar.TypeFifo:
		return unsafe("is a named pipe (FIFO); packs may contain only regular files and directories")
	default:
		return &EntryError{Entry: raw, Err: ErrUnsupported,
			Reason: fmt.Sprintf("has tar type %q; packs may contain only regular files and directories", hdr.Typeflag)}
	}
}

// tarStreamError reports a failure between entries, where the only name to
// give is the last entry read.
func tarStreamError(last string, err error) error {
	var be *budgetError
	if errors.As(err, &be) {
		if last == "" {
			return fmt.Errorf("%w: %w", ErrLimit, be)
		}
		return &EntryError{Entry: last, Err: ErrLimit, Reason: be.Error()}
	}
	if last == "" {
		return fmt.Errorf("%w: %w", ErrCorrupt, err)
	}
	return fmt.Errorf("%w after entry %q: %w", ErrCorrupt, last, err)
}
