//go:build !windows

package main

import (
	"os/exec"
	"syscall"
)

// killProcessGroupOnCancel starts the helper in its own process group and
// kills the whole group when the deadline passes, so a helper that is a
// shell script (or that forked a prompter) leaves nothing running behind.
func killProcessGroupOnCancel(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error {
		if cmd.Process == nil {
			return nil
		}
		err := syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
		if err != nil {
			return cmd.Process.Kill()
		}
		return nil
	}
}
