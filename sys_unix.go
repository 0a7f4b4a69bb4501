//go:build !windows

package main

// sys_unix.go: what differs on Unix (Linux, macOS, the BSDs): our OS lock, no-follow opens,
// process groups for helpers, broken pipes, core dumps, the key-secret
// wrapping (DPAPI on Windows) and the OS store to use.

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"runtime"
	"strconv"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

// errReadOnlyLock reports a lock file that cannot be created because the
// directory is read-only.
var errReadOnlyLock = errors.New("config directory is read-only")

// tryLockDir takes the exclusive OS lock without waiting: ok is false when
// another process holds it.
func tryLockDir(dir string) (unlock func(), ok bool, err error) {
	fd, err := openLockFile(dir)
	if err != nil {
		return nil, false, err
	}
	for {
		err = unix.Flock(fd, unix.LOCK_EX|unix.LOCK_NB)
		if err != unix.EINTR {
			break
		}
	}
	if err != nil {
		unix.Close(fd)
		if errors.Is(err, unix.EWOULDBLOCK) {
			return nil, false, nil
		}
		return nil, false, fileError("cannot lock", filepath.Join(dir, osLockName), err)
	}
	return func() {
		unix.Flock(fd, unix.LOCK_UN)
		unix.Close(fd)
	}, true, nil
}

func openLockFile(dir string) (int, error) {
	path := filepath.Join(dir, osLockName)
	fd, err := unix.Open(path, unix.O_RDWR|unix.O_CREAT|unix.O_NOFOLLOW|unix.O_CLOEXEC, 0o600)
	if err != nil {
		if errors.Is(err, unix.ELOOP) {
			return -1, symlinkRefused(path)
		}
		if errors.Is(err, unix.EROFS) || errors.Is(err, unix.EACCES) {
			return -1, errReadOnlyLock
		}
		return -1, fileError("cannot open", path, err)
	}
	return fd, nil
}

// fileCtime is the status-change time of path (not followed), which the
// npm lockfile package judges a lock's age by.
func fileCtime(path string, fi fs.FileInfo) time.Time {
	var st unix.Stat_t
	if err := unix.Lstat(path, &st); err == nil {
		return time.Unix(st.Ctim.Unix())
	}
	return fi.ModTime()
}

// pidAlive reports whether a process with this PID exists.
func pidAlive(pid int) bool {
	err := unix.Kill(pid, 0)
	return err == nil || errors.Is(err, unix.EPERM)
}

// ownerProblem says why another user could change path (owned by someone
// else, or group/world-writable), with the exact command that fixes it;
// "" when only we (or root) can. Files owned by root are accepted, as ssh
// does: root can change anything anyway.
func ownerProblem(path string, fi fs.FileInfo) (problem, fix string) {
	st, ok := fi.Sys().(*syscall.Stat_t) // what the caller's stat read
	if !ok {
		return "", ""
	}
	uid := os.Getuid()
	if owner := int(st.Uid); owner != uid && owner != 0 {
		name := strconv.Itoa(uid)
		if u, err := user.Current(); err == nil && u.Username != "" {
			name = u.Username
		}
		return fmt.Sprintf("%s is owned by another user (uid %d)", path, owner),
			fmt.Sprintf("check who changed it, then run 'sudo chown %s %s' or move it away", name, path)
	}
	if fi.Mode().Perm()&0o022 != 0 {
		want := "600"
		if fi.IsDir() {
			want = "700"
		}
		return fmt.Sprintf("%s is writable by other users (mode %04o)", path, fi.Mode().Perm()),
			fmt.Sprintf("check its content, then run 'chmod %s %s'", want, path)
	}
	return "", ""
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

func isBrokenPipe(err error) bool { return errors.Is(err, syscall.EPIPE) }

// disableCoreDumps sets RLIMIT_CORE to 0 (soft and hard, so no child can
// raise it) and, on Linux, marks the process not dumpable, as ssh-agent
// does: a crash then writes no core file holding a token, and other
// processes of the same user cannot ptrace it or read its memory through
// /proc. Failures are ignored: the command still runs.
func disableCoreDumps() {
	unix.Setrlimit(unix.RLIMIT_CORE, &unix.Rlimit{Cur: 0, Max: 0})
	markNotDumpable()
}

// canCreateIn reports whether a new file could be created in dir, without
// creating one: access(2) with W_OK|X_OK, which also answers EROFS on a
// read-only mount and EPERM on an immutable directory, for root too.
func canCreateIn(dir string) error {
	return unix.Access(dir, unix.W_OK|unix.X_OK)
}

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

const keyWrapName = "raw"

func wrapKeySecret(secret []byte) (wrap string, blob []byte, err error) {
	return keyWrapName, append([]byte(nil), secret...), nil
}

func unwrapKeySecret(wrap string, blob []byte) ([]byte, error) {
	switch wrap {
	case "raw":
		return blob, nil
	case "dpapi":
		return nil, errors.New("it is DPAPI-wrapped and opens only on Windows, for the user who created it")
	}
	return nil, errors.New("unknown key wrapping " + wrap)
}

// newOSKeyring returns this platform's OS store: the login keychain on
// macOS, the Secret Service on Linux and the BSDs.
func newOSKeyring(getenv func(string) string, timeout time.Duration) osKeyring {
	if runtime.GOOS == "darwin" {
		return newSecurityKeyring(getenv, timeout)
	}
	return newSecretToolKeyring(getenv, timeout)
}
