package main

// sys_linux.go: PR_SET_DUMPABLE, which only Linux has.

import "golang.org/x/sys/unix"

// markNotDumpable clears the process's dumpable flag: no core dump, no
// ptrace attach and no /proc/<pid>/mem for other processes of the user.
func markNotDumpable() { unix.Prctl(unix.PR_SET_DUMPABLE, 0, 0, 0, 0) }
