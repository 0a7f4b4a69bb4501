//go:build !windows

package main

import (
	"errors"
	"os"
	"syscall"

	"golang.org/x/sys/unix"
)

// unsignalled returns a copy of stdout or stderr on a new descriptor, so a
// write to a closed pipe returns EPIPE instead of killing the process and
// `difyctl auth list | head -1` exits 0. The Go runtime raises SIGPIPE only
// for writes to descriptors 1 and 2; catching the signal instead would
// cost every run the runtime's signal thread. Should the copy fail, the
// original is used.
func unsignalled(f *os.File) *os.File {
	fd, err := unix.FcntlInt(f.Fd(), unix.F_DUPFD_CLOEXEC, 3)
	if err != nil {
		return f
	}
	return os.NewFile(uintptr(fd), f.Name())
}

func isBrokenPipe(err error) bool { return errors.Is(err, syscall.EPIPE) }

// disableCoreDumps sets RLIMIT_CORE to 0 (soft and hard, so no child can
// raise it) and, on Linux, marks the process not dumpable, as ssh-agent
// does: a crash then writes no core file holding a token, and other
// processes of the same user cannot ptrace it or read its memory through
// /proc. Failures are ignored: the command still runs.
func disableCoreDumps() {
	unix.Setrlimit(unix.RLIMIT_CORE, &unix.Rlimit{Cur: 0, Max: 0})
	markNotDumpable()
}

// canCreateIn reports whether a new file could be created in dir, without
// creating one: access(2) with W_OK|X_OK, which also answers EROFS on a
// read-only mount and EPERM on an immutable directory, for root too.
func canCreateIn(dir string) error {
	return unix.Access(dir, unix.W_OK|unix.X_OK)
}
