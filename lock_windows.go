//go:build windows

package main

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"golang.org/x/sys/windows"
)

var errReadOnlyLock = errors.New("config directory is read-only")

// lockDir takes LockFileEx on <dir>/.difyctl-mutex, waiting as long as it
// takes: shared or exclusive. The lock is released when the process dies.
// The official client does not know this file; its <file>.lock protocol
// is in lockfile.go.
func lockDir(dir string, exclusive bool) (func(), error) {
	var how uint32
	if exclusive {
		how = windows.LOCKFILE_EXCLUSIVE_LOCK
	}
	unlock, ok, err := lockDirHow(dir, how)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, errors.New("lock not taken")
	}
	return unlock, nil
}

// tryLockDir takes the exclusive OS lock without waiting: ok is false when
// another process holds it.
func tryLockDir(dir string) (unlock func(), ok bool, err error) {
	return lockDirHow(dir, windows.LOCKFILE_EXCLUSIVE_LOCK|windows.LOCKFILE_FAIL_IMMEDIATELY)
}

func lockDirHow(dir string, how uint32) (func(), bool, error) {
	path := filepath.Join(dir, osLockName)
	if fi, err := os.Lstat(path); err == nil && fi.Mode()&fs.ModeSymlink != 0 {
		return nil, false, symlinkRefused(path)
	}
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		if errors.Is(err, fs.ErrPermission) {
			return nil, false, errReadOnlyLock
		}
		return nil, false, fileError("cannot open", path, err)
	}
	ol := new(windows.Overlapped)
	if err := windows.LockFileEx(windows.Handle(f.Fd()), how, 0, 1, 0, ol); err != nil {
		f.Close()
		if how&windows.LOCKFILE_FAIL_IMMEDIATELY != 0 && errors.Is(err, windows.ERROR_LOCK_VIOLATION) {
			return nil, false, nil
		}
		return nil, false, fileError("cannot lock", path, err)
	}
	return func() {
		windows.UnlockFileEx(windows.Handle(f.Fd()), 0, 1, 0, ol)
		f.Close()
	}, true, nil
}

// fileCtime: Windows has no status-change time that Go exposes; a lock
// file is written once, at creation, so its modification time serves.
func fileCtime(path string, fi fs.FileInfo) time.Time { return fi.ModTime() }

// pidAlive reports whether a process with this PID is still running.
func pidAlive(pid int) bool {
	h, err := windows.OpenProcess(windows.PROCESS_QUERY_LIMITED_INFORMATION, false, uint32(pid))
	if err != nil {
		// Access denied means it exists; anything else, that it is gone.
		return errors.Is(err, windows.ERROR_ACCESS_DENIED)
	}
	defer windows.CloseHandle(h)
	var code uint32
	if err := windows.GetExitCodeProcess(h, &code); err != nil {
		return true
	}
	return code == 259 // STILL_ACTIVE
}

// ownerProblem is not checked on Windows: the config dir lives under the
// user's profile, whose ACL keeps other users out, and comparing owner
// SIDs misfires on files created by an elevated process (owned by
// BUILTIN\Administrators). What is not checked: a config dir or file that
// another user was granted write access to through its ACL.
func ownerProblem(path string, fi fs.FileInfo) (problem, fix string) { return "", "" }

// openNoFollow opens a file for reading, refusing a symlink.
func openNoFollow(path string) (*os.File, error) {
	fi, err := os.Lstat(path)
	if err != nil {
		return nil, err
	}
	if fi.Mode()&fs.ModeSymlink != 0 {
		return nil, &fs.PathError{Op: "open", Path: path, Err: errSymlink}
	}
	return os.Open(path)
}

var errSymlink = errors.New("is a symlink")

func isSymlinkErr(path string, err error) bool { return errors.Is(err, errSymlink) }

// syncDir is a no-op on Windows: rename is durable once it returns.
func syncDir(dir string) {}
