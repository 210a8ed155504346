// Package packarchive unpacks a lesson pack shared as a .tar.gz or .zip
// archive into an empty directory, refusing anything that could write
// outside that directory or exhaust the disk.
//
// Archives come from strangers (an instructor's download link), so every
// entry is treated as hostile: names are validated before use, only regular
// files and directories are accepted, every write goes through an os.Root
// confined to the destination, and sizes are counted from the bytes actually
// decompressed rather than from headers, which can lie. On any refusal the
// destination is emptied again so a half-extracted pack is never loaded.
package packarchive

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
)

// Kind is the archive format of a pack file.
type Kind int

// Archive formats detect recognises.
const (
	KindUnknown Kind = iota
	KindTarGz
	KindZip
)

// String returns the usual file extension of the format, for messages.
func (k Kind) String() string {
	switch k {
	case KindTarGz:
		return "tar.gz"
	case KindZip:
		return "zip"
	default:
		return "unknown"
	}
}

// Sentinel errors, matched with errors.Is, so a caller can give advice per
// family of refusal without matching message text.
var (
	// ErrUnsafe marks an entry that could escape the destination or is not a
	// plain file or directory: traversal, absolute or Windows paths, control
	// characters, links, devices, duplicates.
	ErrUnsafe = errors.New("unsafe archive entry")
	// ErrLimit marks an archive that exceeds a Limits value.
	ErrLimit = errors.New("archive exceeds a size limit")
	// ErrUnsupported marks a valid archive feature packs do not use, such as
	// encryption or an unusual compression method.
	ErrUnsupported = errors.New("unsupported archive feature")
	// ErrCorrupt marks data that does not decode or does not match its header.
	ErrCorrupt = errors.New("archive is corrupt or truncated")
	// ErrUnknownFormat is returned by Extract for a file that is
	// neither a gzip-compressed tar nor a zip.
	ErrUnknownFormat = errors.New("not a .tar.gz or .zip archive")
	// ErrDestNotEmpty is returned when the destination already has content;
	// extracting over existing files could follow links planted there.
	ErrDestNotEmpty = errors.New("destination directory is not empty")
)

// EntryError is a refusal that concerns one named archive entry.
type EntryError struct {
	// Entry is the entry name exactly as stored in the archive.
	Entry string
	// Reason says what is wrong with the entry, in words for people.
	Reason string
	// Err is one of the sentinel errors above, or the file-system error
	// when writing the entry failed; Unwrap returns it for errors.Is.
	Err error
}

// Error quotes the entry name with %q so control characters in a hostile
// name cannot reach the terminal.
func (e *EntryError) Error() string {
	return fmt.Sprintf("archive entry %q: %s", e.Entry, e.Reason)
}

// Unwrap returns the sentinel error, so errors.Is(err, ErrUnsafe) works.
func (e *EntryError) Unwrap() error { return e.Err }

// Limits bounds what Extract accepts. A zero or negative field takes its
// value from DefaultLimits, so Limits{} is safe rather than unlimited.
type Limits struct {
	MaxEntries    int   // entries of any kind, directories included
	MaxFileBytes  int64 // decompressed bytes in one file
	MaxTotalBytes int64 // decompressed bytes in all files together
	MaxPathLen    int   // bytes in an entry name as stored
	MaxDepth      int   // path components in an entry name
}

// DefaultLimits returns limits generous for a lesson pack (Markdown, YAML,
// small starter projects) and small enough that a hostile archive cannot
// fill a learner's disk.
func DefaultLimits() Limits {
	return Limits{
		MaxEntries:    2000,
		MaxFileBytes:  8 << 20,
		MaxTotalBytes: 64 << 20,
		MaxPathLen:    240,
		MaxDepth:      16,
	}
}

func (l Limits) withDefaults() Limits {
	d := DefaultLimits()
	if l.MaxEntries <= 0 {
		l.MaxEntries = d.MaxEntries
	}
	if l.MaxFileBytes <= 0 {
		l.MaxFileBytes = d.MaxFileBytes
	}
	if l.MaxTotalBytes <= 0 {
		l.MaxTotalBytes = d.MaxTotalBytes
	}
	if l.MaxPathLen <= 0 {
		l.MaxPathLen = d.MaxPathLen
	}
	if l.MaxDepth <= 0 {
		l.MaxDepth = d.MaxDepth
	}
	return l
}

// overheadPerEntry allows for headers, padding and long-name records around
// each entry: 512-byte tar headers plus padding plus a PAX record, or zip's
// local and central headers with two copies of the name.
const overheadPerEntry = 4 << 10

// streamBudget bounds the raw archive bytes (the archive file itself, and a
// tar stream after gunzip). Without it a hostile tar could make the reader
// skip gigabytes of decompressed padding that no file limit ever counts, and
// a zip could declare millions of central-directory records.
func (l Limits) streamBudget() int64 {
	return l.MaxTotalBytes + int64(l.MaxEntries)*overheadPerEntry + 1<<20
}

var (
	magicGzip     = []byte{0x1f, 0x8b}
	magicZip      = []byte("PK\x03\x04")
	magicZipEmpty = []byte("PK\x05\x06")
)

// detect reports the archive format from the first bytes, not the file's
// extension: a renamed file must not pick the wrong parser.
func detect(r io.ReaderAt) (Kind, error) {
	// 262 bytes reach the "ustar" magic of a tar header, used only to give a
	// better message for an uncompressed tar.
	buf := make([]byte, 262)
	n, err := r.ReadAt(buf, 0)
	if err != nil && !errors.Is(err, io.EOF) {
		return KindUnknown, fmt.Errorf("cannot read pack archive: %w", err)
	}
	buf = buf[:n]
	switch {
	case bytes.HasPrefix(buf, magicGzip):
		return KindTarGz, nil
	case bytes.HasPrefix(buf, magicZip), bytes.HasPrefix(buf, magicZipEmpty):
		return KindZip, nil
	case len(buf) >= 262 && bytes.Equal(buf[257:262], []byte("ustar")):
		return KindUnknown, fmt.Errorf("%w: it is an uncompressed tar; compress it with gzip (tar -czf pack.tar.gz ...) and try again", ErrUnknownFormat)
	default:
		return KindUnknown, fmt.Errorf("%w: a pack must be a directory, a .tar.gz or a .zip", ErrUnknownFormat)
	}
}

// Extract unpacks the .tar.gz or .zip archive at archivePath into dest, which
// must be an existing, empty directory. It refuses absolute paths, ".."
// components, backslashes, drive letters and colons, control characters,
// links, devices, duplicate or case-colliding names, and stops at the limits
// in lim, counting decompressed bytes as they are read. On any error dest is
// left empty.
//
// Regular files are written 0644, or 0755 when the archive marks them
// executable; setuid, setgid, sticky and group/other write bits are never
// kept.
func Extract(archivePath, dest string, lim Limits) (err error) {
	lim = lim.withDefaults()

	f, err := os.Open(archivePath)
	if err != nil {
		return fmt.Errorf("cannot open pack archive: %w", err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return fmt.Errorf("cannot open pack archive: %w", err)
	}
	if !fi.Mode().IsRegular() {
		return fmt.Errorf("cannot open pack archive: %s is not a regular file", archivePath)
	}
	if budget := lim.streamBudget(); fi.Size() > budget {
		return fmt.Errorf("%w: the archive is %d bytes, more than the %d a pack may have", ErrLimit, fi.Size(), budget)
	}
	kind, err := detect(f)
	if err != nil {
		return err
	}

	root, err := openEmptyDir(dest)
	if err != nil {
		return err
	}
	defer root.Close()
	defer func() {
		if err != nil {
			if cerr := emptyDir(root); cerr != nil {
				err = errors.Join(err, fmt.Errorf("cannot remove the partly extracted pack from %s: %w", dest, cerr))
			}
		}
	}()

	x := newExtractor(root, lim)
	switch kind {
	case KindTarGz:
		return x.tarGz(f)
	default:
		return x.zip(f, fi.Size())
	}
}

// openEmptyDir checks dest is an empty directory and opens it as a root.
// Emptiness matters: with nothing in dest there is no planted symlink to
// follow, and cleanup after a refusal cannot delete someone else's files.
func openEmptyDir(dest string) (*os.Root, error) {
	fi, err := os.Stat(dest)
	if err != nil {
		return nil, fmt.Errorf("cannot use extraction directory: %w", err)
	}
	if !fi.IsDir() {
		return nil, fmt.Errorf("cannot use extraction directory: %s is not a directory", dest)
	}
	root, err := os.OpenRoot(dest)
	if err != nil {
		return nil, fmt.Errorf("cannot use extraction directory: %w", err)
	}
	names, err := readNames(root, 1)
	if err != nil {
		root.Close()
		return nil, fmt.Errorf("cannot use extraction directory: %w", err)
	}
	if len(names) > 0 {
		root.Close()
		return nil, fmt.Errorf("%w: %s contains %q; extract into a new empty directory", ErrDestNotEmpty, dest, names[0])
	}
	return root, nil
}

func readNames(root *os.Root, n int) ([]string, error) {
	d, err := root.Open(".")
	if err != nil {
		return nil, err
	}
	defer d.Close()
	names, err := d.Readdirnames(n)
	if errors.Is(err, io.EOF) {
		err = nil
	}
	return names, err
}

// emptyDir removes everything under root, leaving the directory itself.
func emptyDir(root *os.Root) error {
	names, err := readNames(root, -1)
	if err != nil {
		return err
	}
	var errs []error
	for _, name := range names {
		errs = append(errs, root.RemoveAll(name))
	}
	return errors.Join(errs...)
}
