//go:build windows

package main

import (
	"errors"
	"os"

	"golang.org/x/sys/windows"
)

// unsignalled returns f: Windows has no SIGPIPE.
func unsignalled(f *os.File) *os.File { return f }

// isBrokenPipe: the reader of stdout went away. Windows reports it as
// ERROR_NO_DATA or ERROR_BROKEN_PIPE, and as ERROR_PIPE_NOT_CONNECTED when
// the pipe was disconnected (Wine reports every closed pipe so).
func isBrokenPipe(err error) bool {
	return errors.Is(err, windows.ERROR_BROKEN_PIPE) || errors.Is(err, windows.ERROR_NO_DATA) ||
		errors.Is(err, windows.ERROR_PIPE_NOT_CONNECTED)
}

// disableCoreDumps does nothing on Windows: crash dumps there are written
// by Windows Error Reporting, configured per machine, not by an rlimit.
func disableCoreDumps() {}

// canCreateIn reports whether a new file can be created in dir: Windows
// ACLs answer only to a try, so a probe file is created and removed.
func canCreateIn(dir string) error {
	f, err := os.CreateTemp(dir, ".difyctl-probe-*")
	if err != nil {
		var pe *os.PathError
		if errors.As(err, &pe) {
			return pe.Err
		}
		return err
	}
	name := f.Name()
	f.Close()
	return os.Remove(name)
}
