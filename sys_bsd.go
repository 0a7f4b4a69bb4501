//go:build !linux && !windows

package main

// sys_bsd.go: the BSDs and macOS have no PR_SET_DUMPABLE; the zero
// RLIMIT_CORE set by disableCoreDumps is what stops core files there.

func markNotDumpable() {}

// aclReaders: ACLs are not read here; the mode bits decide (readProblem).
func aclReaders(path string) (readers []string, hasACL bool) { return nil, false }
