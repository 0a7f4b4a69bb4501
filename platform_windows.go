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
