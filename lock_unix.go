//go:build !windows

package main

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"

	"golang.org/x/sys/unix"
)

// errReadOnlyLock reports a lock file that cannot be created because the
// directory is read-only.
var errReadOnlyLock = errors.New("config directory is read-only")

// lockDir takes the OS lock on <dir>/hosts.yml.lock: shared for readers,
// exclusive for writers. The lock dies with the process, so a crash never
// leaves a stale lock behind.
func lockDir(dir string, exclusive bool) (func(), error) {
	path := filepath.Join(dir, lockFileName)
	flags := unix.O_RDWR | unix.O_CREAT | unix.O_NOFOLLOW | unix.O_CLOEXEC
	if !exclusive {
		// Readers never create files; with no lock file there is no
		// writer to wait for, and writes replace hosts.yml atomically.
		flags = unix.O_RDONLY | unix.O_NOFOLLOW | unix.O_CLOEXEC
	}
	fd, err := unix.Open(path, flags, 0o600)
	if err != nil {
		if !exclusive && errors.Is(err, unix.ENOENT) {
			return func() {}, nil
		}
		if errors.Is(err, unix.ELOOP) {
			return nil, symlinkRefused(path)
		}
		if errors.Is(err, unix.EROFS) || errors.Is(err, unix.EACCES) {
			return nil, errReadOnlyLock
		}
		return nil, fileError("cannot open", path, err)
	}
	how := unix.LOCK_SH
	if exclusive {
		how = unix.LOCK_EX
	}
	for {
		err = unix.Flock(fd, how)
		if err != unix.EINTR {
			break
		}
	}
	if err != nil {
		unix.Close(fd)
		return nil, fileError("cannot lock", path, err)
	}
	return func() {
		unix.Flock(fd, unix.LOCK_UN)
		unix.Close(fd)
	}, nil
}

// openNoFollow opens a file for reading without following a symlink.
func openNoFollow(path string) (*os.File, error) {
	fd, err := unix.Open(path, unix.O_RDONLY|unix.O_NOFOLLOW|unix.O_CLOEXEC|unix.O_NONBLOCK, 0)
	if err != nil {
		return nil, &fs.PathError{Op: "open", Path: path, Err: err}
	}
	return os.NewFile(uintptr(fd), path), nil
}

// isSymlinkErr reports whether opening path failed because it is a symlink.
func isSymlinkErr(path string, err error) bool {
	if errors.Is(err, unix.ELOOP) || errors.Is(err, unix.EMLINK) {
		return true
	}
	fi, lerr := os.Lstat(path)
	return lerr == nil && fi.Mode()&fs.ModeSymlink != 0
}

// syncDir flushes a directory entry change (a rename) to disk.
func syncDir(dir string) {
	if d, err := os.Open(dir); err == nil {
		d.Sync()
		d.Close()
	}
}
