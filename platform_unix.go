//go:build !windows

package main

import (
	"errors"
	"os"
	"os/signal"
	"syscall"
)

// ignoreSIGPIPE makes a write to a closed stdout return EPIPE instead of
// killing the process, so `difyctl auth list | head -1` exits 0. The signal
// is caught, not ignored, so child processes keep the default.
func ignoreSIGPIPE() {
	signal.Notify(make(chan os.Signal, 1), syscall.SIGPIPE)
}

func isBrokenPipe(err error) bool { return errors.Is(err, syscall.EPIPE) }
