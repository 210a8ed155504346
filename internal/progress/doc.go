// Package progress stores a learner's progress through a lesson pack on the
// local disk, one JSON file per pack id.
//
// The files live in SHIPSHAPE_STATE_DIR, or in $XDG_STATE_HOME/shipshape when
// that variable is unset (see DefaultDir). A store takes an exclusive lock so
// that two shipshape windows never overwrite each other's progress: the second
// window opens read-only and says so. Every save replaces the file atomically
// (temporary file, fsync, rename, fsync of the directory), so a crash or a
// power cut leaves either the old or the new progress, never a torn file.
//
// Files carry a schema number. Older schemas are migrated on load; a newer
// schema than this build knows is opened read-only and never overwritten; a
// file that cannot be parsed is moved aside (never deleted) and the learner
// is told where it went.
package progress
