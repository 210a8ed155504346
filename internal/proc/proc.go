// Package proc answers whether the process that made something (a ledger
// record, a temporary file) is still running on this machine, so that a
// later shipshape can tell a killed session's leftovers from a live one's.
package proc

import (
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"syscall"
)

// Alive reports whether a process exists; EPERM means it exists but
// belongs to someone else.
func Alive(pid int) bool {
	if pid <= 0 {
		return false
	}
	err := syscall.Kill(pid, 0)
	return err == nil || errors.Is(err, syscall.EPERM)
}

// StartTime is when process pid started, in clock ticks since boot, or 0
// where that cannot be read (no /proc, as on macOS). Together with the pid
// it names one process: a pid the kernel reused for another process has
// another start time.
func StartTime(pid int) uint64 {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0
	}
	// The command name (field 2) is in parentheses and may hold spaces and
	// parentheses; the fields after the last ")" start at field 3, so the
	// start time, field 22, is the 20th of them.
	s := string(b)
	i := strings.LastIndexByte(s, ')')
	if i < 0 {
		return 0
	}
	f := strings.Fields(s[i+1:])
	if len(f) < 20 {
		return 0
	}
	t, _ := strconv.ParseUint(f[19], 10, 64)
	return t
}

// Running reports whether the process pid that started at start (0 when
// unknown) still runs: a dead pid, or a live one with another start time,
// is not it.
func Running(pid int, start uint64) bool {
	if !Alive(pid) {
		return false
	}
	if start == 0 {
		return true
	}
	now := StartTime(pid)
	return now == 0 || now == start
}
