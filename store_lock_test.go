package main

// store_lock_test.go: unit tests of the lock protocol's pieces (store.go)
// and of the key-dir containment check (sealed.go).

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestLockContentRoundTrip(t *testing.T) {
	ours, pid, host := parseLockContent(lockContent())
	if !ours || pid != os.Getpid() || host != ourHostname() {
		t.Fatalf("parse(lockContent()) = %v %d %q", ours, pid, host)
	}
	for _, s := range []string{"", "1234", "difyctl-lock pid=x", "difyctl-lock pid=-3 host=\"h\"", "other pid=12"} {
		if ours, pid, _ := parseLockContent(s); ours || pid != 0 {
			t.Errorf("%q read as ours (pid %d)", s, pid)
		}
	}
}

// A lock file is created whole or not at all, and never over another.
func TestCreateLockFileIsExclusive(t *testing.T) {
	dir := t.TempDir()
	if err := createNewFile(dir, "hosts.yml.lock", []byte("one\n")); err != nil {
		t.Fatal(err)
	}
	if err := createNewFile(dir, "hosts.yml.lock", []byte("two\n")); !os.IsExist(err) {
		t.Fatalf("second create: %v, want exists", err)
	}
	if b, _ := os.ReadFile(filepath.Join(dir, "hosts.yml.lock")); string(b) != "one\n" {
		t.Fatalf("content %q", b)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Errorf("temp files left: %v", entries)
	}
	// removeOwnLock leaves a lock someone else made.
	removeOwnLock(filepath.Join(dir, "hosts.yml.lock"), "two\n")
	if _, err := os.Stat(filepath.Join(dir, "hosts.yml.lock")); err != nil {
		t.Errorf("removed a lock that was not ours: %v", err)
	}
	removeOwnLock(filepath.Join(dir, "hosts.yml.lock"), "one\n")
	if _, err := os.Stat(filepath.Join(dir, "hosts.yml.lock")); !os.IsNotExist(err) {
		t.Errorf("our lock is still there: %v", err)
	}
}

func TestPathWithin(t *testing.T) {
	root := t.TempDir()
	cfg := filepath.Join(root, "cfg")
	os.MkdirAll(cfg, 0o700)
	link := filepath.Join(root, "link")
	symlinks := os.Symlink(cfg, link) == nil
	cases := []struct {
		path string
		want bool
	}{
		{cfg, true},
		{cfg + string(filepath.Separator), true},
		{filepath.Join(cfg, "keys", "deeper"), true},
		{filepath.Join(cfg, "..", "cfg", "x"), true},
		{filepath.Join(root, "cfg2"), false},
		{filepath.Join(root, "data"), false},
		{root, false},
	}
	if symlinks {
		cases = append(cases, struct {
			path string
			want bool
		}{filepath.Join(link, "keys"), true})
	}
	for _, c := range cases {
		if got := pathWithin(c.path, cfg); got != c.want {
			t.Errorf("pathWithin(%q, %q) = %v", c.path, cfg, got)
		}
	}
}

func TestLockedErrorNamesFileAndHolder(t *testing.T) {
	e := lockedError("/c/hosts.yml.lock", lockHolder{ours: true, pid: 4242, age: 12e9}, nil)
	if e.Code != "config_locked" || exitCodeFor(e) != 1 ||
		!strings.Contains(e.Message, "/c/hosts.yml.lock is locked: held by PID 4242 (difyctl) for 12s") ||
		!strings.Contains(e.Hint, "remove /c/hosts.yml.lock") {
		t.Errorf("%+v", e)
	}
}
