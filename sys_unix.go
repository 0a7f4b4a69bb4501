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
	"strconv"
	"strings"
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
	path := filepath.Join(dir, osLockName)
	fd, err := unix.Open(path, unix.O_RDWR|unix.O_CREAT|unix.O_NOFOLLOW|unix.O_CLOEXEC, 0o600)
	switch {
	case errors.Is(err, unix.ELOOP):
		return nil, false, symlinkRefused(path)
	case errors.Is(err, unix.EROFS) || errors.Is(err, unix.EACCES):
		return nil, false, errReadOnlyLock
	case err != nil:
		return nil, false, fileError("cannot open", path, err)
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
		return nil, false, fileError("cannot lock", path, err)
	}
	return func() {
		unix.Flock(fd, unix.LOCK_UN)
		unix.Close(fd)
	}, true, nil
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
		return fmt.Sprintf("%s is owned by another user (uid %d)", path, owner),
			fmt.Sprintf("check who changed it, then run 'sudo chown %s %s' or move it away", currentUserName(), path)
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

// parentProblem checks the directories above the config dir, up to the
// home directory (or the root when dir is not under it), as ssh's
// StrictModes does: one that another user owns or can write lets them
// rename the config dir away and put their own in its place. Root-owned
// directories are trusted, and so is a sticky one owned by root or by us
// (/tmp): there nobody can rename an entry they do not own. Both the path
// as given and the one its symlinks resolve to are walked.
func parentProblem(dir, home string) (problem, fix string) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return "", ""
	}
	starts := []string{abs}
	if real, err := filepath.EvalSymlinks(abs); err == nil && real != abs {
		starts = append(starts, real)
	}
	stops := map[string]bool{}
	if home != "" {
		if h, err := filepath.Abs(home); err == nil {
			stops[h] = true
			if r, err := filepath.EvalSymlinks(h); err == nil {
				stops[r] = true
			}
		}
	}
	seen := map[string]bool{}
	for _, start := range starts {
		for p := filepath.Dir(start); ; p = filepath.Dir(p) {
			if !seen[p] {
				seen[p] = true
				if problem, fix := parentDirProblem(p, dir); problem != "" {
					return problem, fix
				}
			}
			if stops[p] || filepath.Dir(p) == p {
				break
			}
		}
	}
	return "", ""
}

// parentDirProblem is parentProblem's check of one directory p above dir.
func parentDirProblem(p, dir string) (problem, fix string) {
	fi, err := os.Stat(p)
	if err != nil {
		return "", "" // not made yet: MkdirAll makes it ours, 0700
	}
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok {
		return "", ""
	}
	uid := os.Getuid()
	away := "or set DIFY_CONFIG_DIR to a directory that only you can change"
	if owner := int(st.Uid); owner != uid && owner != 0 {
		return fmt.Sprintf("%s, a parent of %s, is owned by another user (uid %d)", p, dir, owner),
			fmt.Sprintf("check who changed it, then run 'sudo chown %s %s', %s", currentUserName(), p, away)
	}
	if fi.Mode().Perm()&0o022 != 0 && fi.Mode()&fs.ModeSticky == 0 {
		return fmt.Sprintf("%s, a parent of %s, is writable by other users (mode %04o)", p, dir, fi.Mode().Perm()),
			fmt.Sprintf("run 'chmod go-w %s', %s", p, away)
	}
	return "", ""
}

// readProblem says when someone other than us can read a secret file (the
// sealed file's key, tokens.sealed): through its mode, or through an
// access ACL that names another user or group, with the exact command
// that fixes it. "" when only we (and root) can.
func readProblem(path string, fi fs.FileInfo) (problem, fix string) {
	if readers, hasACL := aclReaders(path); hasACL {
		if len(readers) == 0 {
			return "", ""
		}
		return fmt.Sprintf("%s is readable by %s through its ACL", path, strings.Join(readers, ", ")),
			fmt.Sprintf("check who read it, then run 'setfacl -b %s && chmod 600 %s'", path, path)
	}
	if fi.Mode().Perm()&0o044 != 0 {
		return fmt.Sprintf("%s is readable by other users (mode %04o)", path, fi.Mode().Perm()),
			fmt.Sprintf("check who read it, then run 'chmod 600 %s'", path)
	}
	return "", ""
}

// currentUserName is this user's login name, or the uid when unknown.
func currentUserName() string {
	if u, err := user.Current(); err == nil && u.Username != "" {
		return u.Username
	}
	return strconv.Itoa(os.Getuid())
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

// keyWrapName is how this OS wraps the key secret in its file: not at all.
const keyWrapName = "raw"

func wrapKeySecret(secret []byte) (wrap string, blob []byte, err error) {
	return keyWrapName, append([]byte(nil), secret...), nil
}

func unwrapKeySecret(wrap string, blob []byte) ([]byte, error) {
	switch wrap {
	case keyWrapName:
		return blob, nil
	case "dpapi":
		return nil, errors.New("it is DPAPI-wrapped and opens only on Windows, for the user who created it")
	}
	return nil, errors.New("unknown key wrapping " + wrap)
}
