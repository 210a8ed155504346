package packarchive

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
)

// extractor writes validated entries under root and keeps the running
// counts the limits apply to. Both formats feed it one entry at a time.
type extractor struct {
	root    *os.Root
	lim     Limits
	entries int
	total   int64 // file bytes actually written so far
	names   names
}

func newExtractor(root *os.Root, lim Limits) *extractor {
	return &extractor{root: root, lim: lim, names: names{seen: map[string]*seenEntry{}}}
}

// count admits one more entry, whatever its kind, so that an archive of
// 100 000 empty or skipped entries still stops at MaxEntries.
func (x *extractor) count(raw string) error {
	x.entries++
	if x.entries > x.lim.MaxEntries {
		return &EntryError{Entry: raw, Err: ErrLimit,
			Reason: fmt.Sprintf("is past the limit of %d entries a pack may have", x.lim.MaxEntries)}
	}
	return nil
}

// checkDir validates and claims a directory entry; name is "" for the root.
func (x *extractor) checkDir(raw string) (string, error) {
	name, eerr := cleanName(raw, x.lim)
	if eerr != nil {
		return "", eerr
	}
	if name == "" {
		return "", nil
	}
	if eerr := x.names.claim(raw, name, true); eerr != nil {
		return "", eerr
	}
	return name, nil
}

// checkFile validates and claims a regular-file entry.
func (x *extractor) checkFile(raw string) (string, error) {
	if len(raw) > 0 && raw[len(raw)-1] == '/' {
		return "", &EntryError{Entry: raw, Err: ErrUnsafe, Reason: `is a regular file whose name ends with "/"`}
	}
	name, eerr := cleanName(raw, x.lim)
	if eerr != nil {
		return "", eerr
	}
	if name == "" {
		return "", &EntryError{Entry: raw, Err: ErrUnsafe, Reason: "is a regular file named like the archive root"}
	}
	if eerr := x.names.claim(raw, name, false); eerr != nil {
		return "", eerr
	}
	return name, nil
}

func (x *extractor) mkdir(raw, name string) error {
	if name == "" {
		return nil
	}
	if err := x.root.MkdirAll(filepath.FromSlash(name), 0o755); err != nil {
		return &EntryError{Entry: raw, Err: err, Reason: fmt.Sprintf("cannot create directory: %v", err)}
	}
	return nil
}

// writeFile creates name (already checked) and copies r into it, refusing
// as soon as more bytes arrive than the per-file or total limit allows.
func (x *extractor) writeFile(raw, name string, exec bool, r io.Reader) error {
	if dir := path.Dir(name); dir != "." {
		if err := x.mkdir(raw, dir); err != nil {
			return err
		}
	}
	// The pack is data plus build contexts; an executable bit is kept only
	// so a starter's entrypoint script works in an image as it did in the
	// author's directory. Nothing beyond 0755 survives.
	perm := fs.FileMode(0o644)
	if exec {
		perm = 0o755
	}
	// os.Root refuses to leave dest even through a symlink, and O_EXCL
	// refuses to reuse any path that somehow already exists.
	f, err := x.root.OpenFile(filepath.FromSlash(name), os.O_WRONLY|os.O_CREATE|os.O_EXCL, perm)
	if err != nil {
		return &EntryError{Entry: raw, Err: err, Reason: fmt.Sprintf("cannot create file: %v", err)}
	}
	err = x.copyEntry(raw, f, r)
	if cerr := f.Close(); err == nil && cerr != nil {
		return &EntryError{Entry: raw, Err: cerr, Reason: fmt.Sprintf("cannot write file: %v", cerr)}
	}
	return err
}

// discard reads an entry's data without writing it, under the same limits
// as writeFile, so the checking pass refuses what the writing pass would.
func (x *extractor) discard(raw string, r io.Reader) error {
	return x.copyEntry(raw, io.Discard, r)
}

// copyEntry copies one entry's data under the per-file and total limits,
// counting the bytes actually read.
func (x *extractor) copyEntry(raw string, w io.Writer, r io.Reader) error {
	max := min(x.lim.MaxFileBytes, x.lim.MaxTotalBytes-x.total)
	n, over, err := copyLimited(w, r, max)
	x.total += n
	switch {
	case over:
		return x.overLimit(raw, max)
	case err != nil:
		return readError(raw, err)
	}
	return nil
}

func (x *extractor) overLimit(raw string, max int64) error {
	if max == x.lim.MaxFileBytes {
		return &EntryError{Entry: raw, Err: ErrLimit,
			Reason: fmt.Sprintf("decompresses to more than %d bytes, the limit for one file", x.lim.MaxFileBytes)}
	}
	return &EntryError{Entry: raw, Err: ErrLimit,
		Reason: fmt.Sprintf("takes the pack past %d bytes, the limit for all files together", x.lim.MaxTotalBytes)}
}

// errWrite marks a failure on the destination side of copyLimited, so it is
// not mistaken for corrupt archive data.
type errWrite struct{ err error }

func (e errWrite) Error() string { return e.err.Error() }
func (e errWrite) Unwrap() error { return e.err }

type writerOnly struct{ w io.Writer }

func (w writerOnly) Write(p []byte) (int, error) {
	n, err := w.w.Write(p)
	if err != nil {
		err = errWrite{err}
	}
	return n, err
}

// copyLimited copies at most max bytes from src to dst and then probes for
// one more byte: over reports that src had more than max, whatever any
// header claimed. The probe also reaches EOF, which is where zip verifies
// its checksum and size, so those errors surface here.
func copyLimited(dst io.Writer, src io.Reader, max int64) (n int64, over bool, err error) {
	if max < 0 {
		max = 0
	}
	n, err = io.Copy(writerOnly{dst}, io.LimitReader(src, max))
	if err != nil {
		return n, false, err
	}
	var probe [1]byte
	k, err := io.ReadFull(src, probe[:])
	if k > 0 {
		return n, true, nil
	}
	if errors.Is(err, io.EOF) {
		err = nil
	}
	return n, false, err
}

// readError turns a failure while reading an entry's data into a refusal.
func readError(raw string, err error) error {
	var we errWrite
	if errors.As(err, &we) {
		return &EntryError{Entry: raw, Err: we.err, Reason: fmt.Sprintf("cannot write file: %v", we.err)}
	}
	var be *budgetError
	if errors.As(err, &be) {
		return &EntryError{Entry: raw, Err: ErrLimit, Reason: be.Error()}
	}
	return &EntryError{Entry: raw, Err: ErrCorrupt,
		Reason: fmt.Sprintf("data does not match its header or does not decompress (%v); the archive is corrupt, truncated or crafted", err)}
}

// budgetError reports that the raw archive stream grew past streamBudget.
type budgetError struct{ budget int64 }

func (e *budgetError) Error() string {
	return fmt.Sprintf("archive decompresses to more than %d bytes of headers and data", e.budget)
}

// budgetReader fails once more than budget bytes have been read from r.
type budgetReader struct {
	r      io.Reader
	left   int64
	budget int64
}

func (b *budgetReader) Read(p []byte) (int, error) {
	if b.left < 0 {
		return 0, &budgetError{b.budget}
	}
	if int64(len(p)) > b.left+1 {
		p = p[:b.left+1]
	}
	n, err := b.r.Read(p)
	b.left -= int64(n)
	if b.left < 0 {
		return n, &budgetError{b.budget}
	}
	return n, err
}
