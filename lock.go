package main

// lock.go: the process's view of the hosts.yml lock. The OS lock
// (lock_unix.go, lock_windows.go) belongs to an open file, so taking it
// twice in one process would wait for itself; lockDir makes it re-entrant,
// which lets `auth login` store its token (the sealed file also writes
// under this lock) and record the context in one critical section.

import (
	"errors"
	"path/filepath"
	"sync"
)

var heldLocks = struct {
	sync.Mutex
	m map[string]*heldLock
}{m: map[string]*heldLock{}}

type heldLock struct {
	exclusive bool
	depth     int
	release   func()
}

// errLockUpgrade would be a shared holder asking for the exclusive lock,
// which the OS cannot grant without releasing it first.
var errLockUpgrade = errors.New("internal error: the config lock is held shared and cannot be upgraded")

// lockDir takes the lock on <dir>/hosts.yml.lock, shared or exclusive, or
// joins the one this process already holds. The CLI does its store work
// on one goroutine at a time, so "this process holds it" is enough.
func lockDir(dir string, exclusive bool) (func(), error) {
	key := filepath.Clean(dir)
	heldLocks.Lock()
	defer heldLocks.Unlock()
	if h := heldLocks.m[key]; h != nil {
		if exclusive && !h.exclusive {
			return nil, errLockUpgrade
		}
		h.depth++
		return func() { releaseLock(key) }, nil
	}
	release, err := osLockDir(dir, exclusive)
	if err != nil {
		return nil, err
	}
	heldLocks.m[key] = &heldLock{exclusive: exclusive, depth: 1, release: release}
	return func() { releaseLock(key) }, nil
}

func releaseLock(key string) {
	heldLocks.Lock()
	defer heldLocks.Unlock()
	h := heldLocks.m[key]
	if h == nil {
		return
	}
	if h.depth--; h.depth == 0 {
		delete(heldLocks.m, key)
		h.release()
	}
}
