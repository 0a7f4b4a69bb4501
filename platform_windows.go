//go:build windows

package main

import (
	"errors"
	"os"

	"golang.org/x/sys/windows"
)

// unsignalled returns f: Windows has no SIGPIPE.
func unsignalled(f *os.File) *os.File { return f }

func isBrokenPipe(err error) bool {
	return errors.Is(err, windows.ERROR_BROKEN_PIPE) || errors.Is(err, windows.ERROR_NO_DATA)
}

// disableCoreDumps does nothing on Windows: crash dumps there are written
// by Windows Error Reporting, configured per machine, not by an rlimit.
func disableCoreDumps() {}
