//go:build windows

package main

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"

	"golang.org/x/sys/windows"
)

var errReadOnlyLock = errors.New("config directory is read-only")

// lockDir takes LockFileEx on <dir>/hosts.yml.lock: shared for readers,
// exclusive for writers. The lock is released when the process dies.
func lockDir(dir string, exclusive bool) (func(), error) {
	path := filepath.Join(dir, lockFileName)
	if fi, err := os.Lstat(path); err == nil && fi.Mode()&fs.ModeSymlink != 0 {
		return nil, symlinkRefused(path)
	}
	flags := os.O_RDWR | os.O_CREATE
	if !exclusive {
		// Readers never create files; with no lock file there is no
		// writer to wait for.
		flags = os.O_RDONLY
	}
	f, err := os.OpenFile(path, flags, 0o600)
	if err != nil {
		if !exclusive && errors.Is(err, fs.ErrNotExist) {
			return func() {}, nil
		}
		if errors.Is(err, fs.ErrPermission) {
			return nil, errReadOnlyLock
		}
		return nil, fileError("cannot open", path, err)
	}
	var how uint32
	if exclusive {
		how = windows.LOCKFILE_EXCLUSIVE_LOCK
	}
	ol := new(windows.Overlapped)
	if err := windows.LockFileEx(windows.Handle(f.Fd()), how, 0, 1, 0, ol); err != nil {
		f.Close()
		return nil, fileError("cannot lock", path, err)
	}
	return func() {
		windows.UnlockFileEx(windows.Handle(f.Fd()), 0, 1, 0, ol)
		f.Close()
	}, nil
}

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
