package main

// lockfile.go: the lock protocol shared with the official client (SPEC §2).
//
// Two locks, for two different jobs:
//
//   - <file>.lock is the official client's protocol (the npm lockfile
//     package): created with O_CREAT|O_EXCL, removed right after the
//     write, held only for the read-modify-write itself. The official
//     client never retries and treats an existing one as held until its
//     ctime is 30 s old, so ours is never left behind, never held across a
//     network call, a prompt or an OS-store call. Ours carries a marker
//     and our PID; a lock with our marker whose process is gone (a
//     SIGKILLed difyctl) is broken at once.
//   - osLockName (lockDir, flock/LockFileEx) keeps our own processes
//     exclusive: twenty sign-ins at once lose nothing, a stale <file>.lock
//     is broken by one of us at a time, and a sign-in that stores a token
//     and then records its context holds it across both. The official
//     client does not know this file, and its name does not end in .lock.
//
// storeTx is a held OS lock, passed explicitly to the code that needs it.
// Reads take no lock: every write is an atomic rename.

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

const (
	// osLockName is our OS lock in the config dir.
	osLockName = ".difyctl-mutex"
	// lockMarker starts the content of every <file>.lock we create.
	lockMarker = "difyctl-lock"
	// lockStaleAge is when the official client breaks a lock (by ctime).
	lockStaleAge = 30 * time.Second
	lockPoll     = 25 * time.Millisecond
	// lockNotice is how long a wait lasts before stderr says so.
	lockNotice = time.Second
	// maxConfigFile caps hosts.yml and tokens.yml (~80 000 contexts).
	maxConfigFile = 16 << 20
)

// lockWait bounds the wait for <file>.lock; osLockWait the wait for our
// own OS lock, whose holder may be in an OS-store call (10 s deadline).
var (
	lockWait   = 10 * time.Second
	osLockWait = 30 * time.Second
)

// storeTx is this process's exclusive hold of the config dir's OS lock.
type storeTx struct {
	s      *store
	unlock func()
}

// exclusive takes the OS lock of the config dir, creating the dir. The
// wait is bounded and ends at once on Ctrl-C (errInterrupted, exit 130).
func (s *store) exclusive() (*storeTx, error) {
	if err := os.MkdirAll(s.dir, 0o700); err != nil {
		return nil, fileError("cannot create the config directory", s.dir, err)
	}
	if err := s.checkDir(); err != nil {
		return nil, err
	}
	path := filepath.Join(s.dir, osLockName)
	ctx := s.context()
	deadline := time.Now().Add(osLockWait)
	for {
		unlock, ok, err := tryLockDir(s.dir)
		if err != nil {
			if errors.Is(err, errReadOnlyLock) {
				return nil, newError("config_io", "cannot write in the config directory "+s.dir+": it is read-only", "")
			}
			return nil, err
		}
		if ok {
			return &storeTx{s: s, unlock: unlock}, nil
		}
		if time.Now().After(deadline) {
			return nil, newError("config_locked",
				fmt.Sprintf("another difyctl has held %s for over %s", path, osLockWait),
				"wait for the other difyctl command to finish, then retry")
		}
		select {
		case <-ctx.Done():
			return nil, errInterrupted
		case <-time.After(lockPoll):
		}
	}
}

// release gives the OS lock back; safe to call twice and on nil.
func (tx *storeTx) release() {
	if tx != nil && tx.unlock != nil {
		tx.unlock()
		tx.unlock = nil
	}
}

func (s *store) context() context.Context {
	if s.ctx != nil {
		if c := s.ctx(); c != nil {
			return c
		}
	}
	return context.Background()
}

// lockContent is what our <file>.lock holds: marker, PID and host name,
// so a lock of a dead difyctl on this machine is known as such.
func lockContent() string {
	host, _ := os.Hostname()
	return fmt.Sprintf("%s pid=%d host=%s\n", lockMarker, os.Getpid(), strconv.Quote(host))
}

// lockHolder is what an existing <file>.lock says about its holder.
type lockHolder struct {
	ours bool // carries our marker
	pid  int  // 0 when unknown
	host string
	age  time.Duration
}

// fileLock creates dir/<name>.lock the official client's way and returns
// its removal. The caller holds tx (our OS lock), so no other difyctl
// races it while it breaks a stale lock.
func (tx *storeTx) fileLock(name string) (func(), error) {
	dir := tx.s.dir
	path := filepath.Join(dir, name+".lock")
	content := lockContent()
	ctx := tx.s.context()
	start := time.Now()
	announced := false
	for {
		err := createLockFile(dir, name+".lock", content)
		if err == nil {
			return func() { removeOwnLock(path, content) }, nil
		}
		if !errors.Is(err, fs.ErrExist) {
			return nil, fileError("cannot create", path, err)
		}
		h, err := inspectLock(path)
		if errors.Is(err, fs.ErrNotExist) {
			continue // removed meanwhile: try again at once
		}
		if err == nil && (h.age > lockStaleAge || (h.ours && h.pid > 0 && h.pid != os.Getpid() && h.host == ourHostname() && !pidAlive(h.pid))) {
			// Stale (as the official client judges it), or left by a
			// difyctl that died. A fresh lock another process made in
			// between would be lost here: the npm package has the same
			// window, and our own processes are kept out by tx.
			if rerr := os.Remove(path); rerr != nil && !errors.Is(rerr, fs.ErrNotExist) {
				return nil, fileError("cannot remove the stale lock", path, rerr)
			}
			continue
		}
		waited := time.Since(start)
		if waited >= lockWait {
			return nil, lockedError(path, h, err)
		}
		if !announced && waited >= lockNotice && tx.s.warn != nil {
			announced = true
			tx.s.warn("waiting for " + path + " (" + h.describe() + "); Ctrl-C to stop")
		}
		select {
		case <-ctx.Done():
			return nil, errInterrupted
		case <-time.After(lockPoll):
		}
	}
}

// createLockFile makes dir/name holding content, failing with
// fs.ErrExist when it exists. The content is written to a temp file first
// and hard-linked into place (link fails on an existing name, like
// O_EXCL), so a difyctl killed at any point leaves either no lock or a
// complete one whose dead PID lets the next write break it at once. Where
// hard links are not supported, O_CREAT|O_EXCL and a write.
func createLockFile(dir, name, content string) error {
	path := filepath.Join(dir, name)
	tmp := filepath.Join(dir, tempPrefix(name)+randomSuffix())
	if err := writeNewFile(tmp, []byte(content)); err == nil {
		err = os.Link(tmp, path)
		os.Remove(tmp)
		if err == nil || errors.Is(err, fs.ErrExist) {
			return err
		}
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return err
	}
	_, werr := f.WriteString(content)
	if err := errors.Join(werr, f.Close()); err != nil {
		os.Remove(path)
		return err
	}
	return nil
}

func (h lockHolder) describe() string {
	who := "held by another process"
	if h.pid > 0 {
		who = "held by PID " + strconv.Itoa(h.pid)
		if h.ours {
			who += " (difyctl)"
		}
	}
	return fmt.Sprintf("%s for %s", who, h.age.Truncate(time.Second))
}

func lockedError(path string, h lockHolder, inspectErr error) *cliError {
	msg := path + " is locked"
	if inspectErr == nil {
		msg += ": " + h.describe()
	}
	return newError("config_locked", msg+"; nothing was written",
		"another difyctl (this one or the official client) is changing the file; retry, or remove "+path+" if no such command is running")
}

// inspectLock reads an existing lock: its age by ctime (as the npm package
// judges it) and, when it is ours, the holder's PID and host.
func inspectLock(path string) (lockHolder, error) {
	fi, err := os.Lstat(path)
	if err != nil {
		return lockHolder{}, err
	}
	h := lockHolder{age: time.Since(fileCtime(path, fi))}
	if h.age < 0 {
		h.age = 0
	}
	if !fi.Mode().IsRegular() {
		return h, nil
	}
	f, err := openNoFollow(path)
	if err != nil {
		return h, nil
	}
	defer f.Close()
	b, _ := io.ReadAll(io.LimitReader(f, 512))
	h.ours, h.pid, h.host = parseLockContent(string(b))
	return h, nil
}

// parseLockContent reads `difyctl-lock pid=N host="H"`.
func parseLockContent(s string) (ours bool, pid int, host string) {
	rest, ok := strings.CutPrefix(s, lockMarker+" pid=")
	if !ok {
		return false, 0, ""
	}
	num, rest, _ := strings.Cut(rest, " ")
	pid, err := strconv.Atoi(num)
	if err != nil || pid <= 0 {
		return false, 0, ""
	}
	if q, ok := strings.CutPrefix(strings.TrimSpace(rest), "host="); ok {
		if h, err := strconv.Unquote(q); err == nil {
			host = h
		}
	}
	return true, pid, host
}

func ourHostname() string {
	h, _ := os.Hostname()
	return h
}

// removeOwnLock deletes our lock, unless someone broke it and made theirs.
func removeOwnLock(path, content string) {
	f, err := openNoFollow(path)
	if err != nil {
		return
	}
	b, _ := io.ReadAll(io.LimitReader(f, 512))
	f.Close()
	if string(b) == content {
		os.Remove(path)
	}
}

// update is the locked read-modify-write of hosts.yml for a holder of the
// OS lock: <file>.lock is taken only around the read, change and rename.
// change must not call the network, a prompt or an OS store.
func (tx *storeTx) update(change func(h *hostsFile) error) error {
	s := tx.s
	removeStaleTemps(s.dir)
	unlock, err := tx.fileLock(hostsFileName)
	if err != nil {
		return err
	}
	defer unlock()
	h, err := s.read()
	if err != nil {
		return err
	}
	if err := change(h); err != nil {
		return err
	}
	s.applyFound(h)
	after := encodeHosts(h)
	if h.raw == string(after) && !s.warned[s.hostsPath()] {
		return nil
	}
	return writeFileAtomic(s.dir, hostsFileName, after)
}
