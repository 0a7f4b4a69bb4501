//go:build windows

package main

// sys_windows.go: what differs on Windows: our OS lock, no-follow opens,
// process groups for helpers, broken pipes, core dumps, the key-secret
// wrapping (DPAPI on Windows) and the OS store to use.

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"time"
	"unsafe"

	"golang.org/x/sys/windows"
)

var errReadOnlyLock = errors.New("config directory is read-only")

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

// ownerProblem says when a config dir or file is owned by another
// account, with the command that fixes it; "" when this user, the
// Administrators group or SYSTEM owns it (an elevated process makes files
// owned by Administrators, and both can change anything anyway). Windows
// has no group/world mode bits: what is not checked is a file another
// user was granted write access to through its ACL.
func ownerProblem(path string, fi fs.FileInfo) (problem, fix string) {
	sd, err := windows.GetNamedSecurityInfo(path, windows.SE_FILE_OBJECT, windows.OWNER_SECURITY_INFORMATION)
	if err != nil {
		return "", ""
	}
	owner, _, err := sd.Owner()
	if err != nil || owner == nil || trustedOwner(owner) {
		return "", ""
	}
	return fmt.Sprintf("%s is owned by another account (%s)", path, owner.String()),
		fmt.Sprintf("check who changed it, then run 'takeown /F %s' or move it away", path)
}

// trustedOwner reports whether owner is this user, Administrators or SYSTEM.
func trustedOwner(owner *windows.SID) bool {
	if u, err := windows.GetCurrentProcessToken().GetTokenUser(); err == nil && owner.Equals(u.User.Sid) {
		return true
	}
	for _, kind := range []windows.WELL_KNOWN_SID_TYPE{windows.WinBuiltinAdministratorsSid, windows.WinLocalSystemSid} {
		if sid, err := windows.CreateWellKnownSid(kind); err == nil && owner.Equals(sid) {
			return true
		}
	}
	return false
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

// isBrokenPipe: the reader of stdout went away. Windows reports it as
// ERROR_NO_DATA or ERROR_BROKEN_PIPE, and as ERROR_PIPE_NOT_CONNECTED when
// the pipe was disconnected (Wine reports every closed pipe so).
func isBrokenPipe(err error) bool {
	return errors.Is(err, windows.ERROR_BROKEN_PIPE) || errors.Is(err, windows.ERROR_NO_DATA) ||
		errors.Is(err, windows.ERROR_PIPE_NOT_CONNECTED)
}

// disableCoreDumps does nothing on Windows: crash dumps there are written
// by Windows Error Reporting, configured per machine, not by an rlimit.
func disableCoreDumps() {}

// canCreateIn reports whether a new file can be created in dir: Windows
// ACLs answer only to a try, so a probe file is created and removed.
func canCreateIn(dir string) error {
	f, err := os.CreateTemp(dir, ".difyctl-probe-*")
	if err != nil {
		return unwrapPathErr(err)
	}
	name := f.Name()
	f.Close()
	return os.Remove(name)
}

const keyWrapName = "dpapi"

func wrapKeySecret(secret []byte) (wrap string, blob []byte, err error) {
	if len(secret) == 0 {
		return "", nil, errors.New("empty key secret")
	}
	desc, _ := windows.UTF16PtrFromString("difyctl sealed-file key")
	in := windows.DataBlob{Size: uint32(len(secret)), Data: &secret[0]}
	var out windows.DataBlob
	if err := windows.CryptProtectData(&in, desc, nil, 0, nil, windows.CRYPTPROTECT_UI_FORBIDDEN, &out); err != nil {
		return "", nil, err
	}
	defer windows.LocalFree(windows.Handle(unsafe.Pointer(out.Data)))
	return keyWrapName, bytes.Clone(unsafe.Slice(out.Data, out.Size)), nil
}

func unwrapKeySecret(wrap string, blob []byte) ([]byte, error) {
	switch wrap {
	case "raw":
		// Only a key this user's DPAPI wrapped is trusted here. A raw one
		// was planted or copied from another OS; accepting it would let
		// whoever wrote it read every token sealed from now on.
		return nil, errors.New("it is not DPAPI-wrapped; the Windows build accepts only a key wrapped for this user (remove it and sign in again)")
	case keyWrapName:
	default:
		return nil, errors.New("unknown key wrapping " + wrap)
	}
	if len(blob) == 0 {
		return nil, errors.New("empty DPAPI blob")
	}
	in := windows.DataBlob{Size: uint32(len(blob)), Data: &blob[0]}
	var out windows.DataBlob
	if err := windows.CryptUnprotectData(&in, nil, nil, 0, nil, windows.CRYPTPROTECT_UI_FORBIDDEN, &out); err != nil {
		return nil, errors.New("DPAPI cannot unwrap it (another user or machine?): " + err.Error())
	}
	defer windows.LocalFree(windows.Handle(unsafe.Pointer(out.Data)))
	return bytes.Clone(unsafe.Slice(out.Data, out.Size)), nil
}

// killProcessGroupOnCancel keeps exec's default (kill the process): no
// helper processes are run on Windows.
func killProcessGroupOnCancel(cmd *exec.Cmd) {}

// parentProblem: Windows has no StrictModes-like parent check here; the
// config dir and its files are checked by owner (ownerProblem).
func parentProblem(dir, home string) (problem, fix string) { return "", "" }

// readProblem: Windows mode bits say nothing about who can read a file;
// the key secret is DPAPI-wrapped for this user instead.
func readProblem(path string, fi fs.FileInfo) (problem, fix string) { return "", "" }
